package dev.gcsrewrite.redis;

import static dev.gcsrewrite.testing.Notifications.parsed;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import dev.gcsrewrite.testing.servers.LocalRedis;
import dev.gcsrewrite.testing.servers.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.joda.time.Duration;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * Claims over TLS, as with Memorystore's in-transit encryption: the client trusts exactly the CA
 * named by {@code --redisTlsCaSecret}, and refuses a server signed by any other.
 */
public class RedisTlsTest {
  private static Path folder;
  private static TestCertificates trusted;
  private static TestCertificates stranger;
  private static LocalRedis redis;

  @BeforeClass
  public static void startTlsRedis() throws Exception {
    folder = Files.createTempDirectory("redis-tls-");
    trusted = TestCertificates.create(folder, "trusted");
    stranger = TestCertificates.create(folder, "stranger");
    // The plain port is closed (0): the server's port serves TLS only.
    redis =
        new LocalRedis(
                "tls-port PORT",
                "port 0",
                "tls-cert-file " + trusted.serverCertificate(),
                "tls-key-file " + trusted.serverKey(),
                "tls-ca-cert-file " + trusted.caCertificate(),
                "tls-auth-clients no")
            .open();
  }

  @AfterClass
  public static void stopTlsRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
    try (var files = Files.list(folder)) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    Files.delete(folder);
  }

  @Test
  public void claimsWorkOverTlsWithTheCaFromTheSecret() throws Exception {
    RedisSettings settings = tls("file:" + trusted.caCertificate());
    try (ClaimStore store = ClaimStore.forCommand(settings)) {
      ClaimSettings claimSettings =
          new ClaimSettings("job", Duration.standardMinutes(10), Duration.standardDays(7));
      assertEquals(
          ClaimDecision.Kind.CLAIMED,
          store.claim(List.of(parsed("b", "o", 1, "m")), claimSettings).get(0).kind());
      assertEquals(1, store.status("b", "o", null).generations().size());
    }
  }

  @Test
  public void aServerSignedByAnotherCaIsRefused() throws Exception {
    try (ClaimStore store = ClaimStore.forCommand(tls("file:" + stranger.caCertificate()))) {
      assertThrows(RedisUnavailableException.class, () -> store.status("b", "o", null));
    }
  }

  @Test
  public void withoutTheCaTheJvmTrustStoreDoesNotTrustAPrivateCa() throws Exception {
    try (ClaimStore store = ClaimStore.forCommand(tls(null))) {
      assertThrows(RedisUnavailableException.class, () -> store.status("b", "o", null));
    }
  }

  private static RedisSettings tls(String caSecret) {
    return new RedisSettings("127.0.0.1", redis.port(), true, null, caSecret, "tls-test:", false);
  }
}
