package dev.gcsrewrite.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;

import dev.gcsrewrite.config.TemplateParameter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.Test;

/**
 * The options interface is the one description of the options: the table in {@code docs/options.md}
 * and the flex template's parameters in {@code templates/metadata.json} must be exactly what {@link
 * OptionsReference} makes of it. After changing an option, regenerate both with {@code mvn -B -q
 * test -Dtest=OptionsReferenceTest -DupdateOptionsReference=true}.
 */
public class OptionsReferenceTest {
  private static final Path PAGE = Path.of("docs", "options.md");
  private static final Path METADATA = Path.of("templates", "metadata.json");
  private static final boolean UPDATE = Boolean.getBoolean("updateOptionsReference");
  private static final String HOW =
      " is out of date with GcsRewriteOptions; regenerate it with: mvn -B -q test"
          + " -Dtest=OptionsReferenceTest -DupdateOptionsReference=true";

  @Test
  public void optionsPageTableIsGeneratedFromTheInterface() throws IOException {
    assertGenerated(PAGE, OptionsReference::optionsPage);
  }

  @Test
  public void templateParametersAreGeneratedFromTheInterface() throws IOException {
    assertGenerated(METADATA, OptionsReference::metadata);
  }

  @Test
  public void everyOptionIsDescribedWithATemplateExampleItsRegexesAccept() {
    List<String> problems = new ArrayList<>();
    for (OptionsReference.Option option : OptionsReference.options()) {
      if (option.description().isBlank()) {
        problems.add(option.name() + ": no @Description");
      }
      TemplateParameter parameter = option.parameter();
      if (parameter == null) {
        problems.add(option.name() + ": no @TemplateParameter");
        continue;
      }
      for (String regex : parameter.regexes()) {
        if (!Pattern.compile(regex).matcher(parameter.example()).matches()) {
          problems.add(option.name() + ": example " + parameter.example() + " fails " + regex);
        }
      }
    }
    assertThat(problems, empty());
  }

  @Test
  public void tableCellsKeepCodeAsWritten() {
    String rules = row("rewriteRules");
    assertThat(rules, startsWith("| `--rewriteRules` | `AWS=GCP` | "));
    assertThat(rules, containsString(" `\\=` `\\,` `\\\\` "));
    assertThat(rules, containsString("Not with `--rewriteRulesFile`."));
    assertThat(
        row("processedBucket"),
        containsString("as `<processedBucket>/<objectId><outputSuffix>`: `gs://bucket` or"));
    assertThat(row("inputSubscription"), containsString(" Pub/Sub subscription "));
    assertThat(row("redisPort"), startsWith("| `--redisPort` | `6379` | "));
    assertThat(row("workBuckets"), startsWith("| `--workBuckets` | required on Dataflow | "));
  }

  private static String row(String option) {
    return OptionsReference.markdownTable()
        .lines()
        .filter(line -> line.startsWith("| `--" + option + "` "))
        .findFirst()
        .orElseThrow();
  }

  /** A file made from its current text: {@code file} must be what {@code generator} makes of it. */
  private interface Generator {
    String generate(String current) throws IOException;
  }

  private static void assertGenerated(Path file, Generator generator) throws IOException {
    String expected = generator.generate(Files.readString(file, StandardCharsets.UTF_8));
    if (UPDATE) {
      Files.writeString(file, expected, StandardCharsets.UTF_8);
    }
    assertEquals(file + HOW, expected, Files.readString(file, StandardCharsets.UTF_8));
  }
}
