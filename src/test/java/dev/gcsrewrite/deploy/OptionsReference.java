package dev.gcsrewrite.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gcsrewrite.config.GcsRewriteOptions;
import dev.gcsrewrite.config.TemplateParameter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Derives the options' documentation from {@link GcsRewriteOptions}, the one place options are
 * described: the options table of {@code docs/options.md} and the parameters of the flex template's
 * {@code templates/metadata.json}. {@code OptionsReferenceTest} compares the committed files with
 * what this makes, and writes them when run with {@code -DupdateOptionsReference=true}.
 */
final class OptionsReference {
  /** Marks the generated table in {@code docs/options.md}. */
  static final String TABLE_BEGIN =
      "<!-- options table: generated from GcsRewriteOptions by OptionsReferenceTest -->";

  static final String TABLE_END = "<!-- end of options table -->";

  private static final Pattern UNSET = Pattern.compile(" ?Unset(?: \\(([^)]*)\\))?: ([^.]*)\\.");
  private static final Pattern WORD = Pattern.compile("([('\"]*)(.*?)([,.;:)'\"]*)");

  private static final Path SOURCE =
      Path.of("src/main/java/dev/gcsrewrite/config/GcsRewriteOptions.java");
  private static final Pattern GETTER = Pattern.compile("\\s((?:get|is)[A-Z]\\w*)\\(\\);");

  private OptionsReference() {}

  /** One option as the interface declares it. */
  record Option(String name, String description, Method getter) {
    boolean required() {
      return description.startsWith("Required.") || description.startsWith("Required on Dataflow.");
    }

    /** The description without its "Required..." opening. */
    String meaning() {
      return description.replaceFirst("^Required( on Dataflow)?\\. ", "");
    }

    @Nullable TemplateParameter parameter() {
      return getter.getAnnotation(TemplateParameter.class);
    }

    /** What the option is when not set, as the table's default column says it. */
    String whenUnset() {
      if (description.startsWith("Required on Dataflow.")) {
        return "required on Dataflow";
      }
      if (description.startsWith("Required.")) {
        return "required";
      }
      String value = defaultValue(getter);
      if (value != null) {
        return "`" + value + "`";
      }
      Matcher unset = UNSET.matcher(description);
      return unset.find() ? markdown(unset.group(2)) : "none";
    }
  }

  /** The options {@link GcsRewriteOptions} declares, in declaration order. */
  static List<Option> options() {
    List<Option> options = new ArrayList<>();
    for (Method method : declaredGetters()) {
      Description description = method.getAnnotation(Description.class);
      String property = method.getName().replaceFirst("^(get|is)", "");
      options.add(
          new Option(
              Character.toLowerCase(property.charAt(0)) + property.substring(1),
              description == null ? "" : description.value(),
              method));
    }
    return options;
  }

  /** The markdown table of every option, between its markers. */
  static String markdownTable() {
    StringBuilder table = new StringBuilder(TABLE_BEGIN).append('\n');
    table.append("| option | default | meaning |\n| --- | --- | --- |\n");
    for (Option option : options()) {
      table
          .append("| `--")
          .append(option.name())
          .append("` | ")
          .append(option.whenUnset())
          .append(" | ")
          .append(markdown(option.meaning()))
          .append(" |\n");
    }
    return table.append(TABLE_END).append('\n').toString();
  }

  /**
   * {@code docs/options.md} with its table replaced by {@link #markdownTable()}.
   *
   * @throws IllegalArgumentException when the page has no table markers
   */
  static String optionsPage(String page) {
    int begin = page.indexOf(TABLE_BEGIN);
    int end = page.indexOf(TABLE_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException("docs/options.md lacks the markers " + TABLE_BEGIN);
    }
    int after = page.indexOf('\n', end);
    return page.substring(0, begin)
        + markdownTable()
        + (after < 0 ? "" : page.substring(after + 1));
  }

  /** {@code templates/metadata.json} with its parameters made from the options. */
  static String metadata(String current) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode metadata = (ObjectNode) json.readTree(current);
    ArrayNode parameters = metadata.putArray("parameters");
    for (Option option : options()) {
      TemplateParameter parameter = option.parameter();
      if (parameter == null) {
        throw new IllegalStateException(
            "--" + option.name() + " has no @TemplateParameter: give it a label and an example");
      }
      ObjectNode node = parameters.addObject();
      node.put("name", option.name());
      node.put("label", parameter.label());
      node.put("helpText", option.meaning() + " Example: " + parameter.example());
      node.put("isOptional", !option.required());
      ArrayNode regexes = node.putArray("regexes");
      for (String regex : parameter.regexes()) {
        regexes.add(regex);
      }
    }
    return json.writeValueAsString(metadata) + "\n";
  }

  /**
   * The description as a table cell: code-like words (options, paths, placeholders, escapes) in
   * backticks, where markdown leaves them as written, with the punctuation around them outside.
   */
  private static String markdown(String text) {
    List<String> words = new ArrayList<>();
    for (String word : text.split(" ", -1)) {
      Matcher parts = WORD.matcher(word);
      if (parts.matches() && isCode(parts.group(2))) {
        String core = parts.group(2);
        String after = parts.group(3);
        if (core.endsWith("\\") && !after.isEmpty()) {
          // An escape such as \, keeps its punctuation: it is the escaped character.
          core += after.charAt(0);
          after = after.substring(1);
        }
        words.add(parts.group(1) + "`" + core + "`" + after);
      } else {
        words.add(word);
      }
    }
    return String.join(" ", words).replace("|", "\\|");
  }

  private static boolean isCode(String core) {
    if (core.matches("[A-Z][a-z]+/[A-Z][a-z]+")) {
      return false; // prose such as Pub/Sub
    }
    return core.startsWith("--")
        || core.matches("\\.[a-z-]+")
        || core.chars().anyMatch(c -> "<>/\\=".indexOf(c) >= 0);
  }

  private static @Nullable String defaultValue(Method getter) {
    Default.String text = getter.getAnnotation(Default.String.class);
    if (text != null) {
      return text.value();
    }
    Default.Integer number = getter.getAnnotation(Default.Integer.class);
    if (number != null) {
      return Integer.toString(number.value());
    }
    Default.Boolean flag = getter.getAnnotation(Default.Boolean.class);
    return flag == null ? null : Boolean.toString(flag.value());
  }

  /** The getters in source order: Java reflection's order is not specified, so read the source. */
  private static List<Method> declaredGetters() {
    String source;
    try {
      source = Files.readString(SOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Method> getters = new ArrayList<>();
    Matcher getter = GETTER.matcher(source);
    while (getter.find()) {
      try {
        getters.add(GcsRewriteOptions.class.getDeclaredMethod(getter.group(1)));
      } catch (NoSuchMethodException e) {
        throw new IllegalStateException(e);
      }
    }
    return getters;
  }
}
