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

  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

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
          requests.add(method + " " + decodedPath(url));
          return json("{\"kind\":\"storage#object\",\"bucket\":\"b\",\"name\":\"n\"}");
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
