package dev.gcsrewrite.output;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import dev.gcsrewrite.claim.Claim;
import dev.gcsrewrite.output.WriteProcessedObjects.ByObjectShard;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.values.ShardedKey;
import org.junit.Test;

/** The keys FileIO's writes get with {@code --keyShards}: few, and never too full. */
public class ByObjectShardTest {
  @Test
  public void aKeyTakesAHundredClaimsInARowThenTheNextKeyOfItsShardDoes() {
    ByObjectShard sharding = new ByObjectShard(1);
    Map<String, Integer> perKey = new TreeMap<>();
    for (int i = 0; i < 250; i++) {
      Claim claim = new Claim(parsed("bucket", "object-" + i, 1, "m" + i), 1);
      ShardedKey<Integer> key = sharding.assignShardKey(claim, claim, 1);
      perKey.merge(key.getKey() + "/" + key.getShardNumber(), 1, Integer::sum);
    }
    assertEquals(Map.of("0/0", 100, "0/1", 100, "0/2", 50), perKey);
  }

  @Test
  public void keysComeRoundAgainSoThatAPaneOfAnySizeHasAtMostSixtyFourPerShard() {
    ByObjectShard sharding = new ByObjectShard(1);
    Map<Integer, Integer> perKey = new TreeMap<>();
    int claims = 100 * 64 * 3;
    for (int i = 0; i < claims; i++) {
      Claim claim = new Claim(parsed("bucket", "object-" + i, 1, "m" + i), 1);
      perKey.merge(sharding.assignShardKey(claim, claim, 1).getShardNumber(), 1, Integer::sum);
    }
    assertEquals(64, perKey.size());
    perKey.values().forEach(n -> assertEquals(300, (int) n));
  }

  @Test
  public void everyGenerationOfAnObjectIsInTheSameShard() {
    ByObjectShard sharding = new ByObjectShard(16);
    for (int i = 0; i < 100; i++) {
      Claim first = new Claim(parsed("bucket", "dir/object-" + i, 1, "m"), 1);
      Claim later = new Claim(parsed("bucket", "dir/object-" + i, 99_999, "n"), 2);
      int shard = sharding.assignShardKey(first, first, 1).getKey();
      assertEquals(shard, (int) sharding.assignShardKey(later, later, 1).getKey());
      assertTrue(shard >= 0 && shard < 16);
    }
  }
}
