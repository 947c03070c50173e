package dev.gcsrewrite.deploy;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gcsrewrite.config.GcsRewriteOptions;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The flex template's metadata and the options interface are one contract, held both ways: no
 * option without a parameter, no parameter without an option, the same required ones, and every
 * documented example accepted by the parameter's regexes.
 */
public class TemplateMetadataTest {
  /**
   * Options of the interface that are not template parameters. None today: every option declared by
   * {@link GcsRewriteOptions} is a user's to set; runner options (inherited from Beam's interfaces)
   * are set by the launch, not the template.
   */
  private static final List<String> NOT_PARAMETERS = List.of();

  private static final Pattern EXAMPLE = Pattern.compile("Example: (\\S+)$");
  private static Map<String, JsonNode> parameters;

  @BeforeClass
  public static void readMetadata() throws IOException {
    JsonNode metadata = new ObjectMapper().readTree(Path.of("templates", "metadata.json").toFile());
    parameters = new LinkedHashMap<>();
    for (JsonNode parameter : metadata.get("parameters")) {
      parameters.put(parameter.get("name").asText(), parameter);
    }
  }

  @Test
  public void everyOptionIsAParameterAndEveryParameterAnOption() {
    TreeSet<String> options = new TreeSet<>(options().keySet());
    options.removeAll(NOT_PARAMETERS);
    assertEquals(options, new TreeSet<>(parameters.keySet()));
  }

  @Test
  public void requiredOptionsAreTheParametersThatAreNotOptional() {
    for (Map.Entry<String, Method> option : options().entrySet()) {
      JsonNode parameter = parameters.get(option.getKey());
      String description = option.getValue().getAnnotation(Description.class).value();
      // The template launches on Dataflow only: what Dataflow requires, the template requires.
      boolean required =
          description.startsWith("Required.") || description.startsWith("Required on Dataflow.");
      boolean defaulted = hasDefault(option.getValue());
      assertEquals(
          option.getKey() + ": optional in the metadata iff not required by the option",
          !required,
          parameter.get("isOptional").asBoolean());
      if (required) {
        assertEquals(option.getKey() + " is required and has no default", false, defaulted);
      }
    }
  }

  @Test
  public void everyParameterHasALabelHelpWithAnExampleAndRegexesThatAcceptIt() {
    List<String> problems = new ArrayList<>();
    for (JsonNode parameter : parameters.values()) {
      String name = parameter.get("name").asText();
      if (parameter.path("label").asText().isBlank()) {
        problems.add(name + ": no label");
      }
      Matcher example = EXAMPLE.matcher(parameter.path("helpText").asText());
      if (!example.find()) {
        problems.add(name + ": help text ends without 'Example: ...'");
        continue;
      }
      JsonNode regexes = parameter.get("regexes");
      if (regexes == null || regexes.isEmpty()) {
        problems.add(name + ": no regexes");
        continue;
      }
      for (JsonNode regex : regexes) {
        if (!Pattern.compile(regex.asText()).matcher(example.group(1)).matches()) {
          problems.add(name + ": example " + example.group(1) + " fails " + regex.asText());
        }
      }
    }
    assertThat(problems, empty());
  }

  @Test
  public void regexesRejectValuesTheOptionsRefuse() {
    assertRejects("inputSubscription", "projects/p/topics/t");
    assertRejects("processedBucket", "/local/folder");
    assertRejects("processingTopic", "my-topic");
    assertRejects("dedupeTtl", "10x");
    assertRejects("redisTls", "yes");
    assertRejects("redisPasswordSecret", "hunter2");
    assertRejects("redisHost", "my host");
  }

  /** Parameters by name, for the option-set test. */
  static Map<String, JsonNode> parameters() throws IOException {
    if (parameters == null) {
      readMetadata();
    }
    return parameters;
  }

  /** The options {@link GcsRewriteOptions} declares, by option name. */
  static Map<String, Method> options() {
    Map<String, Method> options = new LinkedHashMap<>();
    for (Method method : GcsRewriteOptions.class.getDeclaredMethods()) {
      String name = method.getName();
      String property =
          name.startsWith("get")
              ? name.substring(3)
              : name.startsWith("is") ? name.substring(2) : null;
      if (property != null && method.getParameterCount() == 0) {
        options.put(Character.toLowerCase(property.charAt(0)) + property.substring(1), method);
      }
    }
    return options;
  }

  private static boolean hasDefault(Method getter) {
    return getter.getAnnotation(Default.String.class) != null
        || getter.getAnnotation(Default.Integer.class) != null
        || getter.getAnnotation(Default.Boolean.class) != null;
  }

  private static void assertRejects(String name, String value) {
    boolean accepted = true;
    for (JsonNode regex : parameters.get(name).get("regexes")) {
      accepted &= Pattern.compile(regex.asText()).matcher(value).matches();
    }
    assertTrue(name + " must reject " + value, !accepted);
  }
}
