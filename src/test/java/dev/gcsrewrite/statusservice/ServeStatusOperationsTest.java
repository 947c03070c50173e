package dev.gcsrewrite.statusservice;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.matchesPattern;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.redis.ClaimDecision;
import dev.gcsrewrite.redis.ClaimSettings;
import dev.gcsrewrite.redis.ClaimStore;
import dev.gcsrewrite.testing.ClaimFixtures;
import dev.gcsrewrite.testing.TestJob;
import dev.gcsrewrite.testing.servers.LocalRedis;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.After;
import org.junit.Before;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;

/**
 * serve-status against a real Redis, its records made by the claim store as a run makes them: each
 * kind of generation as the Operation it reads as, and the one Redis command kind it may send.
 */
public class ServeStatusOperationsTest {
  @ClassRule public static final LocalRedis REDIS = new LocalRedis();
  @Rule public final TestJob job = new TestJob(REDIS);

  private static final ClaimSettings JOB = ClaimFixtures.owner("job-7");
  private static final String RFC_3339 = "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z";

  private ClaimStore store;
  private StatusClient client;

  @Before
  public void startServer() throws Exception {
    store = job.store();
    client = StatusClient.serving(REDIS.settings(job.keyPrefix()));
  }

  @After
  public void stopServer() {
    client.close();
    store.close();
  }

  @Test
  public void completedGenerationIsDoneWithItsOutputAsTheResponse() throws Exception {
    GcsNotification n = parsed("work", "reports/q4 é.txt", 100, "m-100");
    ClaimFixtures.complete(store, n, JOB, "gs://out/reports/q4 é.txt.processed");

    StatusClient.Answer answer =
        client.get("/v1/objects/work/reports%2Fq4%20%C3%A9.txt/generations/100");

    assertEquals(200, answer.code());
    assertEquals("application/json; charset=utf-8", answer.contentType());
    assertEquals(List.of("name", "done", "metadata", "response"), answer.fields());
    JsonNode op = answer.json();
    assertEquals("objects/work/reports%2Fq4%20%C3%A9.txt/generations/100", op.get("name").asText());
    assertEquals(true, op.get("done").asBoolean());
    JsonNode metadata = op.get("metadata");
    assertEquals(OperationJson.METADATA_TYPE, metadata.get("@type").asText());
    assertEquals("work", metadata.get("bucket").asText());
    assertEquals("reports/q4 é.txt", metadata.get("object").asText());
    assertEquals("100", metadata.get("generation").asText());
    assertEquals("COMPLETED", metadata.get("state").asText());
    assertEquals("job-7", metadata.get("owner").asText());
    assertEquals(1, metadata.get("attempts").asInt());
    assertEquals("m-100", metadata.get("messageId").asText());
    assertThat(metadata.get("claimedAt").asText(), matchesPattern(RFC_3339));
    assertThat(metadata.get("completedAt").asText(), matchesPattern(RFC_3339));
    assertFalse("a settled record has no lease", metadata.has("leaseUntil"));
    JsonNode response = op.get("response");
    assertEquals(OperationJson.RESULT_TYPE, response.get("@type").asText());
    assertEquals("gs://out/reports/q4 é.txt.processed", response.get("outputUri").asText());
    assertEquals("3", response.get("outputBytes").asText());
    assertFalse(response.has("skipReason"));
  }

  @Test
  public void skippedGenerationIsDoneWithItsReasonAndNoOutput() throws Exception {
    ClaimFixtures.skip(store, parsed("work", "gone", 100, "m-100"), JOB, Outcome.SOURCE_MISSING);

    StatusClient.Answer answer = client.get("/v1/objects/work/gone/generations/100");

    assertEquals(200, answer.code());
    assertEquals(List.of("name", "done", "metadata", "response"), answer.fields());
    JsonNode op = answer.json();
    assertEquals(true, op.get("done").asBoolean());
    assertEquals("SKIPPED", op.at("/metadata/state").asText());
    assertEquals(Set.of("@type", "skipReason"), fieldNames(op.get("response")));
    assertEquals(Outcome.SOURCE_MISSING, op.at("/response/skipReason").asText());
  }

  @Test
  public void failedGenerationIsAnErrorWithTheDeadLettersReason() throws Exception {
    GcsNotification n = parsed("work", "locked", 100, "m-100");
    Claim claim = ClaimFixtures.claim(store, n, JOB);
    String why = "cannot read gs://work/locked#100: 403 forbidden: the KMS key is disabled";
    store.recordReadResult(n, "unreadable:preserved:" + why, JOB.retention());
    store.settle(List.of(Outcome.complete(claim, "gs://out/locked.processed", 3)), JOB);

    StatusClient.Answer answer = client.get("/v1/objects/work/locked/generations/100");

    assertEquals(200, answer.code());
    assertEquals(List.of("name", "done", "metadata", "error"), answer.fields());
    JsonNode op = answer.json();
    assertEquals(true, op.get("done").asBoolean());
    assertEquals("FAILED", op.at("/metadata/state").asText());
    assertEquals(Set.of("code", "message"), fieldNames(op.get("error")));
    assertEquals(OperationJson.FAILED_PRECONDITION, op.at("/error/code").asInt());
    assertEquals(why, op.at("/error/message").asText());
  }

  @Test
  public void generationInFlightIsNotDoneAndShowsItsLease() throws Exception {
    ClaimFixtures.claim(store, parsed("work", "busy", 300, "m-300"), JOB);

    StatusClient.Answer answer = client.get("/v1/objects/work/busy/generations/300");

    assertEquals(200, answer.code());
    assertEquals(List.of("name", "done", "metadata"), answer.fields());
    JsonNode op = answer.json();
    assertEquals(false, op.get("done").asBoolean());
    assertEquals("INPROGRESS", op.at("/metadata/state").asText());
    assertEquals("job-7", op.at("/metadata/owner").asText());
    assertThat(op.at("/metadata/leaseUntil").asText(), matchesPattern(RFC_3339));
    assertFalse(op.get("metadata").has("completedAt"));
  }

  @Test
  public void olderGenerationArrivingAfterANewerCompletedOneIsDoneAsSuperseded() throws Exception {
    ClaimFixtures.complete(store, parsed("work", "a", 200, "m-200"), JOB, "gs://out/a.processed");
    ClaimDecision late = store.claim(List.of(parsed("work", "a", 100, "m-100")), JOB).get(0);
    assertEquals(ClaimDecision.Kind.SUPERSEDED, late.kind());

    StatusClient.Answer answer = client.get("/v1/objects/work/a/generations/100");

    assertEquals(200, answer.code());
    assertEquals(List.of("name", "done", "metadata", "response"), answer.fields());
    JsonNode op = answer.json();
    assertEquals(true, op.get("done").asBoolean());
    assertEquals("SUPERSEDED", op.at("/metadata/state").asText());
    assertEquals("200", op.at("/metadata/supersededBy").asText());
    assertEquals("superseded by generation 200", op.at("/response/skipReason").asText());
    assertFalse(op.get("response").has("outputUri"));
  }

  @Test
  public void objectWithoutGenerationAnswersItsNewestOneEvenInFlight() throws Exception {
    ClaimFixtures.complete(store, parsed("work", "a", 100, "m-100"), JOB, "gs://out/a.processed");
    ClaimFixtures.claim(store, parsed("work", "a", 200, "m-200"), JOB);

    JsonNode op = client.get("/v1/objects/work/a").json();

    assertEquals("objects/work/a/generations/200", op.get("name").asText());
    assertEquals(false, op.get("done").asBoolean());
  }

  @Test
  public void objectWithoutGenerationAnswersItsNewestSettledOne() throws Exception {
    ClaimFixtures.complete(store, parsed("work", "a", 100, "m-100"), JOB, "gs://out/a.processed");
    ClaimFixtures.complete(store, parsed("work", "a", 200, "m-200"), JOB, "gs://out/a.processed");

    JsonNode op = client.get("/v1/objects/work/a").json();

    assertEquals("objects/work/a/generations/200", op.get("name").asText());
    assertEquals("m-200", op.at("/metadata/messageId").asText());
  }

  @Test
  public void encodedSlashesNameTheObjectAndRawSlashesEndItBeforeGenerations() throws Exception {
    ClaimFixtures.complete(store, parsed("work", "a", 5, "m-a"), JOB, "gs://out/a.processed");
    ClaimFixtures.complete(
        store, parsed("work", "a/generations/5", 7, "m-lit"), JOB, "gs://out/lit.processed");

    JsonNode literal = client.get("/v1/objects/work/a%2Fgenerations%2F5").json();
    JsonNode generation = client.get("/v1/objects/work/a/generations/5").json();

    assertEquals("objects/work/a%2Fgenerations%2F5/generations/7", literal.get("name").asText());
    assertEquals("a/generations/5", literal.at("/metadata/object").asText());
    assertEquals("objects/work/a/generations/5", generation.get("name").asText());
    assertEquals("a", generation.at("/metadata/object").asText());
  }

  @Test
  public void neverSeenObjectOrGenerationIsNotFoundInGoogleErrorShape() throws Exception {
    ClaimFixtures.complete(store, parsed("work", "a", 100, "m-100"), JOB, "gs://out/a.processed");

    for (String path :
        List.of("/v1/objects/work/never-seen", "/v1/objects/work/a/generations/999")) {
      StatusClient.Answer answer = client.get(path);
      assertEquals(path, 404, answer.code());
      assertEquals(List.of("error"), answer.fields());
      JsonNode error = answer.json().get("error");
      assertEquals(404, error.get("code").asInt());
      assertEquals("NOT_FOUND", error.get("status").asText());
      assertThat(error.get("message").asText(), matchesPattern("no record of gs://work/.*"));
    }
  }

  @Test
  public void lookupsSendRedisReadCommandsOnly() throws Exception {
    GcsNotification n = parsed("work", "a", 100, "m-100");
    ClaimFixtures.complete(store, n, JOB, "gs://out/a.processed");
    ClaimFixtures.claim(store, parsed("work", "a", 200, "m-200"), JOB);
    client.get("/v1/health"); // the server's first connection, before counting
    Map<String, Long> before = REDIS.commandCalls();

    client.get("/v1/objects/work/a");
    client.get("/v1/objects/work/a/generations/100");
    client.get("/v1/objects/work/never-seen");
    client.get("/v1/health");
    Map<String, Long> after = REDIS.commandCalls();

    Set<String> sent = new TreeSet<>();
    after.forEach(
        (command, calls) -> {
          if (calls > before.getOrDefault(command, 0L)) {
            sent.add(command);
          }
        });
    sent.remove("info"); // commandCalls' own
    sent.remove("client"); // CLIENT SETNAME, should the pool open a connection
    assertEquals(Set.of("hgetall", "ping", "smembers"), sent);
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
