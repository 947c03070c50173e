package dev.gcsrewrite.redis;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.claim.Outcome;
import dev.gcsrewrite.notification.GcsNotification;
import dev.gcsrewrite.testing.servers.LocalRedisCluster;
import java.util.ArrayList;
import java.util.List;
import org.joda.time.Duration;
import org.junit.ClassRule;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TestName;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * The claims on a real three-master Redis Cluster: an object's keys share a slot, a batch spreads
 * over the masters at one round trip per master, and every decision is the one a single node makes.
 */
public class RedisClusterTest {
  @ClassRule public static final LocalRedisCluster CLUSTER = new LocalRedisCluster();
  @Rule public final TestName test = new TestName();

  private static final ClaimSettings JOB_A =
      new ClaimSettings("job-a", Duration.standardMinutes(10), Duration.standardDays(7));
  private static final ClaimSettings JOB_B =
      new ClaimSettings("job-b", Duration.standardMinutes(10), Duration.standardDays(7));

  @Test
  public void theKeysOfOneObjectShareASlotWhateverItsName() {
    ClaimKeys keys = new ClaimKeys("gcs-rewrite:");
    for (String name : List.of("a", "x}y{z", "{braces}", "dir/sub/é😀.txt", "}")) {
      int slot = JedisClusterCRC16.getSlot(keys.generation("b", name, 7));
      assertEquals(name, slot, JedisClusterCRC16.getSlot(keys.latest("b", name)));
      assertEquals(name, slot, JedisClusterCRC16.getSlot(keys.generations("b", name)));
      assertEquals(name, slot, JedisClusterCRC16.getSlot(keys.generation("b", name, 8)));
    }
  }

  @Test
  public void claimsAcrossTheMastersDecideAsOneNodeWould() throws Exception {
    List<GcsNotification> batch = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      batch.add(parsed("bucket", "object-" + i, 100, "m" + i));
    }
    long evalshaBefore = CLUSTER.calls("evalsha");
    try (ClaimStore a = ClaimStore.forPipeline(CLUSTER.settings(prefix()));
        ClaimStore b = ClaimStore.forCommand(CLUSTER.settings(prefix()))) {
      // The first call finds no scripts (NOSCRIPT), loads them on every node, and sends again.
      a.claim(List.of(parsed("bucket", "warm-up", 1, "w")), JOB_A);
      long before = a.roundTrips();
      List<ClaimDecision> first = a.claim(batch, JOB_A);
      first.forEach(d -> assertEquals(ClaimDecision.Kind.CLAIMED, d.kind()));
      List<Outcome> done = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        Claim claim = new Claim(batch.get(i), first.get(i).token());
        done.add(Outcome.complete(claim, "gs://out/" + batch.get(i).objectId(), 1));
      }
      // One pipelined round trip: a connection per master holding some of the keys, in parallel.
      assertEquals(1, a.roundTrips() - before);
      b.claim(batch, JOB_B)
          .forEach(d -> assertEquals(ClaimDecision.Kind.HELD_BY_ANOTHER_JOB, d.kind()));

      a.settle(done, JOB_A).forEach(w -> assertTrue(w.settledNow() && w.completed()));
      b.claim(batch, JOB_B).forEach(d -> assertEquals(ClaimDecision.Kind.DUPLICATE, d.kind()));
      assertEquals(
          ClaimDecision.Kind.SUPERSEDED,
          a.claim(List.of(parsed("bucket", "object-7", 99, "old")), JOB_A).get(0).kind());

      ObjectStatus status = b.status("bucket", "object-7", null);
      assertEquals("100", status.latest().get("generation"));
      assertEquals("COMPLETED", status.generations().get(100L).get("state"));
    }
    // Each master holds a share of the claims.
    for (long keys : CLUSTER.keysPerNode()) {
      assertThat(keys, greaterThan(10L));
    }
    // The warm-up (sent twice, around the NOSCRIPT), then claim, claim, settle, claim (60 each),
    // a superseded claim, and the command store's first batch sent twice: nothing else resent.
    assertThat(CLUSTER.calls("evalsha") - evalshaBefore, lessThanOrEqualTo(2 + 4L * 60 + 1 + 60));
  }

  private String prefix() {
    return test.getMethodName() + ":";
  }
}
