package dev.gcsrewrite.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.testing.DocumentationLinks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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
}
