package dev.gcsrewrite.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The links of a repository's README.md and docs pages, read as GitHub renders them: the docs test
 * holds every relative link to a file and heading that exist, and the monitoring templates' tests
 * hold their runbook links to headings of docs/operations.md, both by the same reading of headings
 * as anchors.
 */
public final class DocumentationLinks {
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
  private static final Pattern CODE_SPAN = Pattern.compile("(`+)[\\s\\S]*?\\1");
  private static final Pattern LINK =
      Pattern.compile(
          "\\[((?:[^\\[\\]]|\\[[^\\[\\]]*\\])*)\\]\\(\\s*<?([^\\s)<>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern HEADING =
      Pattern.compile("^ {0,3}#{1,6}(?:\\s+(.*?))?(?:\\s+#+)?\\s*$");
  private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
  private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

  private final Path root;

  /** The repository at {@code root}: its README.md and the pages below docs/. */
  public DocumentationLinks(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** Every markdown page below docs/, relative to the repository. */
  public List<Path> docsPages() {
    Path docs = root.resolve("docs");
    if (!Files.isDirectory(docs)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(docs)) {
      return files
          .filter(f -> Files.isRegularFile(f) && f.toString().endsWith(".md"))
          .map(root::relativize)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The docs pages no link in README.md leads to. */
  public List<Path> pagesNotLinkedFromTheReadme() {
    Set<Path> linked = new LinkedHashSet<>();
    Path readme = root.resolve("README.md");
    for (String target : links(read(readme))) {
      if (!SCHEME.matcher(target).find()) {
        linked.add(root.relativize(resolve(readme, pathPart(target))));
      }
    }
    return docsPages().stream().filter(page -> !linked.contains(page)).toList();
  }

  /** The relative links of README.md and the docs pages. */
  public int relativeLinkCount() {
    int count = 0;
    for (Path page : pages()) {
      count += (int) links(read(page)).stream().filter(t -> !SCHEME.matcher(t).find()).count();
    }
    return count;
  }

  /** Each relative link that leads nowhere, as "page: target (why)". */
  public List<String> brokenLinks() {
    Map<Path, Set<String>> anchorsByPage = new HashMap<>();
    List<String> broken = new ArrayList<>();
    for (Path page : pages()) {
      for (String target : links(read(page))) {
        if (SCHEME.matcher(target).find()) {
          continue;
        }
        String where = root.relativize(page) + ": " + target;
        Path file = pathPart(target).isEmpty() ? page : resolve(page, pathPart(target));
        if (!file.startsWith(root)) {
          broken.add(where + " (outside the repository)");
        } else if (!Files.exists(file)) {
          broken.add(where + " (no such file)");
        } else if (target.contains("#") && file.toString().endsWith(".md")) {
          String anchor = decode(target.substring(target.indexOf('#') + 1));
          Set<String> anchors = anchorsByPage.computeIfAbsent(file, f -> anchors(read(f)));
          if (!anchors.contains(anchor)) {
            broken.add(where + " (no such heading)");
          }
        }
      }
    }
    return broken;
  }

  private List<Path> pages() {
    List<Path> pages = new ArrayList<>();
    pages.add(root.resolve("README.md"));
    docsPages().forEach(page -> pages.add(root.resolve(page)));
    return pages;
  }

  private Path resolve(Path page, String path) {
    String decoded = decode(path);
    Path base = decoded.startsWith("/") ? root : page.getParent();
    return base.resolve(decoded.replaceFirst("^/+", "")).normalize();
  }

  private static String pathPart(String target) {
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The markdown outside fenced code blocks, line by line. */
  private static List<String> prose(String markdown) {
    List<String> lines = new ArrayList<>();
    String fence = null;
    for (String line : markdown.split("\n", -1)) {
      Matcher opening = FENCE.matcher(line);
      if (fence == null && opening.find()) {
        fence = opening.group(1);
      } else if (fence != null && line.strip().startsWith(fence)) {
        fence = null;
      } else if (fence == null) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** The targets of a page's inline links and images, code left out. */
  public static List<String> links(String markdown) {
    String text = CODE_SPAN.matcher(String.join("\n", prose(markdown))).replaceAll("");
    List<String> targets = new ArrayList<>();
    Matcher link = LINK.matcher(text);
    while (link.find()) {
      targets.add(link.group(2));
    }
    return targets;
  }

  /** The anchors of a page's headings (and explicit HTML anchors), as GitHub names them. */
  public static Set<String> anchors(String markdown) {
    Set<String> anchors = new LinkedHashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : prose(markdown)) {
      Matcher html = HTML_ANCHOR.matcher(line);
      while (html.find()) {
        anchors.add(html.group(1));
      }
      Matcher heading = HEADING.matcher(line);
      if (heading.matches()) {
        String base = anchor(heading.group(1) == null ? "" : heading.group(1));
        int repeats = seen.merge(base, 1, Integer::sum) - 1;
        anchors.add(repeats == 0 ? base : base + "-" + repeats);
      }
    }
    return anchors;
  }

  /**
   * GitHub's anchor for a heading: its text (links become their text), lowercased, with everything
   * but letters, digits, spaces, hyphens and underscores removed, spaces made hyphens.
   */
  public static String anchor(String heading) {
    String text = LINK.matcher(heading).replaceAll("$1");
    return text.strip()
        .toLowerCase(java.util.Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
        .replace(' ', '-');
  }
}
