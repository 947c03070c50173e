package dev.gcsrewrite.testing;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.testing.http.MockLowLevelHttpRequest;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.api.services.storage.Storage;
import com.google.cloud.hadoop.gcsio.GoogleCloudStorageReadOptions;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.extensions.gcp.options.GcsOptions;
import org.apache.beam.sdk.extensions.gcp.util.GcsUtil;
import org.apache.beam.sdk.extensions.gcp.util.Transport;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * The Cloud Storage JSON API as Beam's {@link GcsUtil} sees it, for the code paths that have no
 * emulator here: every request the storage client sends (including each one inside a batch) is
 * recorded as {@code METHOD /decoded/path}, and answered as a bucket where every object exists and
 * every rewrite and delete succeeds. Tests assert on what Beam asked Cloud Storage to do.
 */
public final class RecordingStorage extends HttpTransport {
  private static final Pattern REQUEST_LINE =
      Pattern.compile("^(GET|POST|PUT|PATCH|DELETE) (https?://[^ ]+)", Pattern.MULTILINE);
  private static final String BOUNDARY = "recorded_batch";

  private static final Pattern OBJECT_PATH =
      Pattern.compile("^(?:/download)?/storage/v1/b/([^/]+)/o/([^/?]+)$");

  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

  /**
   * Makes generation {@code generation} of {@code bucket}/{@code name} exist, with {@code content}.
   */
  public void put(String bucket, String name, long generation, byte[] content) {
    objects.put(bucket + "/" + name + "#" + generation, content);
  }

  /**
   * Makes {@link FileSystems} use this transport for {@code gs://} paths, as a pipeline's workers
   * would use Cloud Storage; returns the options it registered.
   */
  public GcsOptions install() {
    GcsOptions options = PipelineOptionsFactory.create().as(GcsOptions.class);
    Storage storage =
        new Storage.Builder(this, Transport.getJsonFactory(), request -> {})
            .setApplicationName("gcs-rewrite-test")
            .build();
    GcsUtil util =
        GcsUtil.GcsUtilFactory.create(
            options,
            storage,
            request -> {},
            Executors.newCachedThreadPool(),
            com.google.cloud.NoCredentials.getInstance(),
            null,
            GcsUtil.GcsCountersOptions.create(null, null),
            GoogleCloudStorageReadOptions.DEFAULT);
    options.setGcsUtil(util);
    FileSystems.setDefaultPipelineOptions(options);
    return options;
  }

  /** Every request so far, as {@code METHOD /path} with the path percent-decoded. */
  public List<String> requests() {
    synchronized (requests) {
      return List.copyOf(requests);
    }
  }

  @Override
  protected LowLevelHttpRequest buildRequest(String method, String url) {
    return new MockLowLevelHttpRequest(url) {
      @Override
      public LowLevelHttpResponse execute() throws IOException {
        if (!url.contains("/batch/")) {
          return single(method, url);
        }
        StringBuilder reply = new StringBuilder();
        Matcher inner = REQUEST_LINE.matcher(getContentAsString());
        int part = 0;
        while (inner.find()) {
          requests.add(inner.group(1) + " " + decodedPath(inner.group(2)));
          reply.append("--").append(BOUNDARY).append("\r\n");
          reply.append("Content-Type: application/http\r\n");
          reply.append("Content-ID: <response-").append(++part).append(">\r\n\r\n");
          if (inner.group(1).equals("DELETE")) {
            reply.append("HTTP/1.1 204 No Content\r\n\r\n");
          } else {
            String body =
                "{\"kind\":\"storage#rewriteResponse\",\"done\":true,"
                    + "\"totalBytesRewritten\":\"3\",\"objectSize\":\"3\","
                    + "\"resource\":{\"bucket\":\"b\",\"name\":\"n\"}}";
            reply.append("HTTP/1.1 200 OK\r\n");
            reply.append("Content-Type: application/json; charset=UTF-8\r\n");
            reply.append("Content-Length: ").append(body.length()).append("\r\n\r\n");
            reply.append(body).append("\r\n");
          }
        }
        reply.append("--").append(BOUNDARY).append("--\r\n");
        MockLowLevelHttpResponse response = new MockLowLevelHttpResponse();
        response.setStatusCode(200);
        response.setContentType("multipart/mixed; boundary=" + BOUNDARY);
        response.setContent(reply.toString());
        return response;
      }
    };
  }

  private MockLowLevelHttpResponse single(String method, String url) {
    String rawPath = url.replaceFirst("^https?://[^/]+", "");
    String query = "";
    int question = rawPath.indexOf('?');
    if (question >= 0) {
      query = rawPath.substring(question + 1);
      rawPath = rawPath.substring(0, question);
    }
    Map<String, String> params = new TreeMap<>();
    for (String pair : query.split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        params.put(pair.substring(0, equals), decode(pair.substring(equals + 1)));
      }
    }
    Matcher object = OBJECT_PATH.matcher(rawPath);
    String recorded = method + " " + decodedPath(url);
    if (params.containsKey("generation")) {
      recorded += " generation=" + params.get("generation");
    }
    if ("media".equals(params.get("alt"))) {
      recorded += " alt=media";
    }
    requests.add(recorded);
    if (!method.equals("GET") || !object.matches()) {
      return json("{\"kind\":\"storage#object\",\"bucket\":\"b\",\"name\":\"n\"}");
    }
    String bucket = decode(object.group(1));
    String name = decode(object.group(2));
    String generation = params.get("generation");
    byte[] content =
        generation == null ? null : objects.get(bucket + "/" + name + "#" + generation);
    if (content == null) {
      MockLowLevelHttpResponse missing =
          json(
              "{\"error\":{\"code\":404,\"message\":\"No such object: "
                  + bucket
                  + "/"
                  + name
                  + "\"}}");
      missing.setStatusCode(404);
      return missing;
    }
    if ("media".equals(params.get("alt"))) {
      MockLowLevelHttpResponse media = new MockLowLevelHttpResponse();
      media.setStatusCode(200);
      media.setContentType("application/octet-stream");
      media.addHeader("x-goog-generation", generation);
      media.setContentLength(content.length);
      media.addHeader("Content-Length", Integer.toString(content.length));
      media.setContent(new java.io.ByteArrayInputStream(content));
      return media;
    }
    return json(
        "{\"kind\":\"storage#object\",\"bucket\":\""
            + bucket
            + "\",\"name\":\""
            + name
            + "\",\"generation\":\""
            + generation
            + "\",\"metageneration\":\"1\","
            + "\"size\":\""
            + content.length
            + "\","
            + "\"updated\":\"2026-11-25T10:00:00.000Z\"}");
  }

  private static String decode(String text) {
    return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static MockLowLevelHttpResponse json(String body) {
    MockLowLevelHttpResponse response = new MockLowLevelHttpResponse();
    response.setStatusCode(200);
    response.setContentType("application/json; charset=UTF-8");
    response.setContent(body);
    return response;
  }

  private static String decodedPath(String url) {
    String path = url.replaceFirst("^https?://[^/]+", "");
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
