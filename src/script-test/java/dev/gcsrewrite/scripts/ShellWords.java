package dev.gcsrewrite.scripts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads back what the scripts print: a command line as the shell splits it (bare words,
 * 'single-quoted' parts, backslash escapes, a trailing # comment dropped), and gcloud's dictionary
 * flags as gcloud splits them ({@code gcloud topic escaping}).
 */
final class ShellWords {
  private ShellWords() {}

  /** The words of {@code line}, as bash would pass them to the command. */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else if (c == '#' && word == null) {
        break;
      } else if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unclosed quote in: " + line);
        }
        word = word == null ? new StringBuilder() : word;
        word.append(line, i + 1, end);
        i = end;
      } else if (c == '\\' && i + 1 < line.length()) {
        word = word == null ? new StringBuilder() : word;
        word.append(line.charAt(++i));
      } else if (c == '"' || c == '$' || c == '`' || c == '<' || c == '>' || c == '|') {
        throw new IllegalArgumentException("unexpected " + c + " in: " + line);
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(c);
      }
    }
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** The value of {@code --name=value} among {@code words}; fails if absent or repeated. */
  static String flag(List<String> words, String name) {
    String prefix = "--" + name + "=";
    List<String> values =
        words.stream()
            .filter(w -> w.startsWith(prefix))
            .map(w -> w.substring(prefix.length()))
            .toList();
    if (values.size() != 1) {
      throw new AssertionError("expected one " + prefix + " in " + words);
    }
    return values.get(0);
  }

  /** A gcloud list flag's value as gcloud reads it: "a,b" or "^DELIM^a DELIM b". */
  static List<String> gcloudList(String value) {
    String delimiter = ",";
    String items = value;
    if (value.startsWith("^")) {
      int end = value.indexOf('^', 1);
      if (end > 1) {
        delimiter = value.substring(1, end);
        items = value.substring(end + 1);
      }
    }
    return List.of(items.split(java.util.regex.Pattern.quote(delimiter), -1));
  }

  /** A gcloud dictionary flag's value as gcloud reads it: "a=b,c=d" or "^DELIM^a=b DELIM c=d". */
  static Map<String, String> gcloudDict(String value) {
    Map<String, String> dict = new LinkedHashMap<>();
    for (String item : gcloudList(value)) {
      int equals = item.indexOf('=');
      if (equals < 0) {
        throw new AssertionError("'" + item + "' has no '=' in " + value);
      }
      if (dict.put(item.substring(0, equals), item.substring(equals + 1)) != null) {
        throw new AssertionError("'" + item.substring(0, equals) + "' twice in " + value);
      }
    }
    return dict;
  }
}
