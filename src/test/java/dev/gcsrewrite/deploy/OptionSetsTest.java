package dev.gcsrewrite.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gcsrewrite.GcsRewriteOptions;
import dev.gcsrewrite.config.JobSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.junit.Test;

/**
 * Every option set in {@code pipeline-options/} holds only options the pipeline has and the
 * template declares, with values (the environment's variables given sample values) that the
 * template's regexes accept and the pipeline's own validation accepts.
 */
public class OptionSetsTest {
  /** Sample values for the variables the option sets use. */
  private static final Map<String, String> SAMPLE_ENVIRONMENT =
      Map.of("PROJECT_ID", "my-project", "REGION", "europe-west1", "REDIS_HOST", "10.12.0.3");

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z_][A-Z0-9_]*)}");

  @Test
  public void thereAreLocalDevAndProdSets() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path file : optionSets()) {
      names.add(file.getFileName().toString());
    }
    assertEquals(true, names.containsAll(List.of("local.conf", "dev.conf", "prod.conf")));
  }

  @Test
  public void everyKeyIsAnOptionAndATemplateParameter() throws IOException {
    Map<String, JsonNode> parameters = TemplateMetadataTest.parameters();
    List<String> problems = new ArrayList<>();
    for (Path file : optionSets()) {
      for (String key : read(file).keySet()) {
        if (!TemplateMetadataTest.options().containsKey(key)) {
          problems.add(file.getFileName() + ": " + key + " is not an option of the pipeline");
        }
        if (!parameters.containsKey(key)) {
          problems.add(file.getFileName() + ": " + key + " is not a template parameter");
        }
      }
    }
    assertThat(problems, empty());
  }

  @Test
  public void everyValueMatchesItsParametersRegexes() throws IOException {
    Map<String, JsonNode> parameters = TemplateMetadataTest.parameters();
    List<String> problems = new ArrayList<>();
    for (Path file : optionSets()) {
      for (Map.Entry<String, String> option : read(file).entrySet()) {
        JsonNode parameter = parameters.get(option.getKey());
        if (parameter == null) {
          continue;
        }
        for (JsonNode regex : parameter.get("regexes")) {
          if (!Pattern.compile(regex.asText()).matcher(option.getValue()).matches()) {
            problems.add(
                file.getFileName()
                    + ": "
                    + option.getKey()
                    + "="
                    + option.getValue()
                    + " fails "
                    + regex.asText());
          }
        }
      }
    }
    assertThat(problems, empty());
  }

  @Test
  public void theDevSetIsAcceptedByThePipelinesOwnValidation() throws IOException {
    List<String> args = new ArrayList<>();
    read(Path.of("pipeline-options", "dev.conf")).forEach((k, v) -> args.add("--" + k + "=" + v));
    JobSettings settings =
        JobSettings.from(
            PipelineOptionsFactory.fromArgs(args.toArray(new String[0]))
                .as(GcsRewriteOptions.class));
    assertEquals(
        "projects/my-project/subscriptions/gcs-rewrite-work", settings.inputSubscription());
    assertEquals("10.12.0.3", settings.redis().host());
    assertEquals(true, settings.redis().tls());
  }

  private static List<Path> optionSets() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("pipeline-options"))) {
      return files.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
    }
  }

  /** Reads a set as the scripts do: name=value lines, ${VAR} replaced, # comments. */
  private static Map<String, String> read(Path file) throws IOException {
    Map<String, String> options = new LinkedHashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int equals = line.indexOf('=');
      String key = line.substring(0, equals);
      Matcher variable = VARIABLE.matcher(line.substring(equals + 1));
      StringBuilder value = new StringBuilder();
      while (variable.find()) {
        String sample = SAMPLE_ENVIRONMENT.get(variable.group(1));
        if (sample == null) {
          throw new AssertionError(file + " uses ${" + variable.group(1) + "}, not in the samples");
        }
        variable.appendReplacement(value, Matcher.quoteReplacement(sample));
      }
      variable.appendTail(value);
      if (options.put(key, value.toString()) != null) {
        throw new AssertionError(file + " sets " + key + " twice");
      }
    }
    return options;
  }
}
