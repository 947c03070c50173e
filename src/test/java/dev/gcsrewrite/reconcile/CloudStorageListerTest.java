package dev.gcsrewrite.reconcile;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.Assert.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.testing.http.MockLowLevelHttpRequest;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.api.services.storage.Storage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;
import org.apache.beam.sdk.extensions.gcp.util.Transport;
import org.junit.Test;

/**
 * The {@code gs://} listing against a stand-in for the JSON API's {@code objects.list} that honours
 * {@code prefix}, {@code startOffset}, {@code endOffset} and page tokens as Cloud Storage does
 * (names in UTF-8 byte order, pages of two): the parts together list every object of the scope
 * exactly once, with its generation, size and checksums, and the time range filters on {@code
 * updated}.
 */
public class CloudStorageListerTest {
  private static final String BUCKET = "work-bucket";
  private static final Instant OLD = Instant.parse("2026-01-01T00:00:00Z");
  private static final Instant NEW = Instant.parse("2026-11-01T00:00:00Z");

  private final FakeListing api = new FakeListing();

  @Test
  public void thePartsListEveryObjectOfThePrefixExactlyOnce() throws Exception {
    List<String> names =
        List.of(
            "a1",
            "incoming/",
            "incoming/0x",
            "incoming/9",
            "incoming/Ab",
            "incoming/Zed",
            "incoming/_under",
            "incoming/zz",
            "incoming/~tilde",
            "incoming/\u00fc",
            "incoming0",
            "other");
    long generation = 1_000;
    for (String name : names) {
      api.objects.put(name, generation++);
    }
    CloudStorageLister lister = new CloudStorageLister(unused -> api.storage());
    ListingScope scope = new ListingScope(BUCKET, "incoming/", null, null);

    List<String> listed = new ArrayList<>();
    List<ListingScope> parts = lister.parts(scope);
    for (ListingScope part : parts) {
      lister.list(part, object -> listed.add(object.name() + "#" + object.generation()));
    }

    List<String> expected = new ArrayList<>();
    api.objects.forEach(
        (name, g) -> {
          if (name.startsWith("incoming/")) {
            expected.add(name + "#" + g);
          }
        });
    Collections.sort(listed);
    assertEquals(expected, listed);
    assertEquals(63, parts.size());
    assertThat(
        api.requests, hasItem("prefix=incoming/ startOffset=incoming/A endOffset=incoming/B"));
  }

  @Test
  public void listedObjectsCarryTheirMetadataAndTheTimeRangeFilters() throws Exception {
    api.objects.put("old", 7L);
    api.objects.put("new", 8L);
    api.updated.put("old", OLD);
    CloudStorageLister lister = new CloudStorageLister(unused -> api.storage());
    ListingScope recent = new ListingScope(BUCKET, "", Instant.parse("2026-06-01T00:00:00Z"), null);

    List<ListedObject> listed = new ArrayList<>();
    lister.list(recent, listed::add);

    assertEquals(1, listed.size());
    ListedObject object = listed.get(0);
    assertEquals("new", object.name());
    assertEquals(8L, object.generation());
    assertEquals(3L, object.size());
    assertEquals("md5-new", object.md5Hash());
    assertEquals("crc-new", object.crc32c());
    assertEquals(NEW, object.updated());
  }

  /** objects.list over a sorted map of names to generations, two items a page. */
  private static final class FakeListing extends HttpTransport {
    final TreeMap<String, Long> objects = new TreeMap<>(FakeListing::utf8Order);
    final TreeMap<String, Instant> updated = new TreeMap<>();
    final List<String> requests = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();

    Storage storage() {
      return new Storage.Builder(this, Transport.getJsonFactory(), request -> {})
          .setApplicationName("test")
          .build();
    }

    private static int utf8Order(String a, String b) {
      return java.util.Arrays.compareUnsigned(
          a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected LowLevelHttpRequest buildRequest(String method, String url) {
      GenericUrl parsed = new GenericUrl(url);
      return new MockLowLevelHttpRequest(url) {
        @Override
        public LowLevelHttpResponse execute() {
          String prefix = (String) parsed.getFirst("prefix");
          String start = (String) parsed.getFirst("startOffset");
          String end = (String) parsed.getFirst("endOffset");
          String token = (String) parsed.getFirst("pageToken");
          requests.add("prefix=" + prefix + " startOffset=" + start + " endOffset=" + end);
          List<String> matching = new ArrayList<>();
          for (String name : objects.keySet()) {
            if ((prefix == null || name.startsWith(prefix))
                && (start == null || utf8Order(name, start) >= 0)
                && (end == null || utf8Order(name, end) < 0)
                && (token == null || utf8Order(name, token) >= 0)) {
              matching.add(name);
            }
          }
          ObjectNode page = json.createObjectNode();
          ArrayNode items = page.putArray("items");
          for (String name : matching.subList(0, Math.min(2, matching.size()))) {
            ObjectNode item = items.addObject();
            item.put("name", name);
            item.put("generation", Long.toString(objects.get(name)));
            item.put("metageneration", "1");
            item.put("size", Integer.toString(name.length()));
            item.put("md5Hash", "md5-" + name);
            item.put("crc32c", "crc-" + name);
            item.put("updated", updated.getOrDefault(name, NEW).toString());
          }
          if (matching.size() > 2) {
            page.put("nextPageToken", matching.get(2));
          }
          return new MockLowLevelHttpResponse()
              .setContentType("application/json")
              .setContent(page.toString());
        }
      };
    }
  }
}
