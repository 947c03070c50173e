package dev.gcsrewrite.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

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
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The README is the front page: every page in {@code docs/} is linked from it, and every relative
 * link in README.md and the docs pages leads somewhere: to a file that exists and, for a {@code
 * #anchor} into a markdown page, to one of that page's headings as GitHub names them.
 */
public class DocumentationLinksTest {
  @Rule public final TemporaryFolder temp = new TemporaryFolder();

  private final DocumentationLinks repository = new DocumentationLinks(Path.of(""));

  @Test
  public void everyDocsPageIsLinkedFromTheReadme() {
    List<Path> pages = repository.docsPages();
    assertFalse("pages found in docs/", pages.isEmpty());
    assertThat(
        "docs pages that README.md does not link to (add them to its Documentation list)",
        repository.pagesNotLinkedFromTheReadme(),
        empty());
  }

  @Test
  public void everyRelativeLinkInTheReadmeAndTheDocsLeadsToAFileAndHeadingThatExist() {
    assertTrue("links found", repository.relativeLinkCount() > 20);
    assertThat("broken links (file: target, and why)", repository.brokenLinks(), empty());
  }

  @Test
  public void headingsBecomeAnchorsAsGitHubNamesThem() {
    assertEquals(
        "the-guarantee-in-plain-words", DocumentationLinks.anchor("The guarantee, in plain words"));
    assertEquals(
        "1-set-up-once-safe-to-run-again",
        DocumentationLinks.anchor("1. Set up (once; safe to run again)"));
    assertEquals(
        "6-stop-drain-never-cancel", DocumentationLinks.anchor("6. Stop: drain, never cancel"));
    assertEquals(
        "why-not-a-hand-written-subscriber-worker",
        DocumentationLinks.anchor("Why not a hand-written subscriber worker"));
    assertEquals("the---files-flag", DocumentationLinks.anchor("The `--files` flag"));
    assertEquals("see-the-options", DocumentationLinks.anchor("See [the options](options.md)"));
    assertEquals("snake_case-stays", DocumentationLinks.anchor("snake_case stays"));
    assertEquals("größe-und-kosten", DocumentationLinks.anchor("Größe und Kosten"));
  }

  @Test
  public void aPageLeftUnlinkedAMissingFileAndAMissingHeadingAreAllReported() throws IOException {
    Path root = temp.getRoot().toPath();
    Files.createDirectories(root.resolve("docs"));
    write(
        root.resolve("README.md"),
        "# Front\n\n"
            + "See [the guide](docs/guide.md), [its setup](docs/guide.md#set-up),\n"
            + "[a lost page](docs/lost.md), [a lost heading](docs/guide.md#tear-down)\n"
            + "and [ourselves](#front).\n");
    write(
        root.resolve("docs/guide.md"),
        "# Guide\n\n## Set up\n\nBack to [the front](../README.md#nowhere); also"
            + " [the web](https://example.com/x.md#y).\n");
    write(root.resolve("docs/orphan.md"), "# Nobody links here\n");

    DocumentationLinks links = new DocumentationLinks(root);

    assertThat(links.pagesNotLinkedFromTheReadme(), containsInAnyOrder(Path.of("docs/orphan.md")));
    List<String> broken = links.brokenLinks();
    assertThat(broken, hasItem("README.md: docs/lost.md (no such file)"));
    assertThat(broken, hasItem("README.md: docs/guide.md#tear-down (no such heading)"));
    assertThat(broken, hasItem("docs/guide.md: ../README.md#nowhere (no such heading)"));
    assertEquals("exactly the three broken links: " + broken, 3, broken.size());
  }

  @Test
  public void linksAndHeadingsInsideCodeAreNotTakenForMarkdown() throws IOException {
    Path root = temp.getRoot().toPath();
    write(
        root.resolve("README.md"),
        "# Front\n\n"
            + "Inline `[not a link](missing.md)` is code.\n\n"
            + "```\n"
            + "# not a heading\n"
            + "[not a link](missing-too.md)\n"
            + "```\n\n"
            + "[A real one](#front), [another](#a-heading-after-code).\n\n"
            + "## A heading after code\n");

    DocumentationLinks links = new DocumentationLinks(root);

    assertThat(links.brokenLinks(), empty());
    assertEquals(2, links.relativeLinkCount());
    assertEquals(
        Set.of("front", "a-heading-after-code"),
        DocumentationLinks.anchors(Files.readString(root.resolve("README.md"))));
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  /** The links of a repository's README.md and docs pages, read as GitHub renders them. */
  static final class DocumentationLinks {
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

    DocumentationLinks(Path root) {
      this.root = root.toAbsolutePath().normalize();
    }

    /** Every markdown page below docs/, relative to the repository. */
    List<Path> docsPages() {
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
    List<Path> pagesNotLinkedFromTheReadme() {
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
    int relativeLinkCount() {
      int count = 0;
      for (Path page : pages()) {
        count += (int) links(read(page)).stream().filter(t -> !SCHEME.matcher(t).find()).count();
      }
      return count;
    }

    /** Each relative link that leads nowhere, as "page: target (why)". */
    List<String> brokenLinks() {
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
    static List<String> links(String markdown) {
      String text = CODE_SPAN.matcher(String.join("\n", prose(markdown))).replaceAll("");
      List<String> targets = new ArrayList<>();
      Matcher link = LINK.matcher(text);
      while (link.find()) {
        targets.add(link.group(2));
      }
      return targets;
    }

    /** The anchors of a page's headings (and explicit HTML anchors), as GitHub names them. */
    static Set<String> anchors(String markdown) {
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
     * GitHub's anchor for a heading: its text (links become their text), lowercased, with
     * everything but letters, digits, spaces, hyphens and underscores removed, spaces made hyphens.
     */
    static String anchor(String heading) {
      String text = LINK.matcher(heading).replaceAll("$1");
      return text.strip()
          .toLowerCase(java.util.Locale.ROOT)
          .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
          .replace(' ', '-');
    }
  }
}
