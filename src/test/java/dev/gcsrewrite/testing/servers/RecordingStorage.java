package dev.gcsrewrite.testing.servers;

import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.LowLevelHttpRequest;
import com.google.api.client.http.LowLevelHttpResponse;
import com.google.api.client.testing.http.MockLowLevelHttpRequest;
import com.google.api.client.testing.http.MockLowLevelHttpResponse;
import com.google.api.services.storage.Storage;
import com.google.cloud.hadoop.gcsio.GoogleCloudStorageReadOptions;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
 * every rewrite and delete succeeds; an object created by a resumable upload gets a generation and
 * can be read back. Tests assert on what Beam asked Cloud Storage to do.
 *
 * <p>Downloads honour {@code Range} (the connector resumes a broken download with a ranged request
 * from where it stopped; a resumed request is recorded with {@code range=<from>-}), and a test can
 * make them fail as Cloud Storage does: {@link #breakDownload} resets one mid-stream, {@link
 * #refuseDownloads} answers with an error while lookups still succeed (a customer-encrypted object,
 * a disabled Cloud KMS key), {@link #remove} deletes a generation.
 */
public final class RecordingStorage extends HttpTransport {
  private static final Pattern REQUEST_LINE =
      Pattern.compile("^(GET|POST|PUT|PATCH|DELETE) (https?://[^ ]+)", Pattern.MULTILINE);
  private static final String BOUNDARY = "recorded_batch";

  private static final Pattern OBJECT_PATH =
      Pattern.compile("^(?:/download)?/storage/v1/b/([^/]+)/o/([^/?]+)$");

  private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, byte[]> objects = new ConcurrentHashMap<>();

  /** Resumable uploads begun and not finished: upload ID -> {@code <bucket>/<name>}. */
  private final Map<String, String> uploads = new ConcurrentHashMap<>();

  private final AtomicLong nextId = new AtomicLong(1);

  /** Downloads to break, by {@code <bucket>/<name>#<generation>}. */
  private final Map<String, Break> breaks = new ConcurrentHashMap<>();

  /** Downloads to refuse, by {@code <bucket>/<name>#<generation>}. */
  private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();

  /** A download to reset after {@code afterBytes}, running {@code then} when it does. */
  private record Break(int afterBytes, Runnable then) {}

  /** An error to answer downloads with, {@code left} more times. */
  private record Refusal(int status, String reason, String message, AtomicInteger left) {}

  /**
   * Makes generation {@code generation} of {@code bucket}/{@code name} exist, with {@code content}.
   */
  public void put(String bucket, String name, long generation, byte[] content) {
    objects.put(bucket + "/" + name + "#" + generation, content);
  }

  /**
   * Deletes generation {@code generation} of {@code bucket}/{@code name}: it answers 404 from now.
   */
  public void remove(String bucket, String name, long generation) {
    objects.remove(bucket + "/" + name + "#" + generation);
  }

  /**
   * Makes the next download of the generation send {@code afterBytes} bytes and then fail as a
   * reset connection; {@code then} runs at that moment, before the client asks again (to {@link
   * #remove} the generation, or {@link #refuseDownloads} what comes next).
   */
  public void breakDownload(
      String bucket, String name, long generation, int afterBytes, Runnable then) {
    breaks.put(bucket + "/" + name + "#" + generation, new Break(afterBytes, then));
  }

  /**
   * Answers the next {@code times} downloads of the generation with HTTP {@code status} and a JSON
   * error of {@code reason} and {@code message}, as Cloud Storage does; lookups of its metadata
   * still succeed.
   */
  public void refuseDownloads(
      String bucket,
      String name,
      long generation,
      int times,
      int status,
      String reason,
      String message) {
    refusals.put(
        bucket + "/" + name + "#" + generation,
        new Refusal(status, reason, message, new AtomicInteger(times)));
  }

  /** A JSON API client on this transport, as {@code CloudStorageSource} makes on a worker. */
  public Storage client() {
    return new Storage.Builder(this, Transport.getJsonFactory(), request -> {})
        .setApplicationName("gcs-rewrite-test")
        .build();
  }

  /**
   * Makes {@link FileSystems} use this transport for {@code gs://} paths, as a pipeline's workers
   * would use Cloud Storage; returns the options it registered.
   */
  public GcsOptions install() {
    GcsOptions options = PipelineOptionsFactory.create().as(GcsOptions.class);
    Storage storage = client();
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

  /**
   * Serves this transport over HTTP on 127.0.0.1, for code that makes its own storage client from
   * pipeline options ({@code --gcsEndpoint}): a pipeline's workers do, each time its options are
   * deserialized, so a client set in the options themselves would not survive.
   */
  public Served serve() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String root = "http://127.0.0.1:" + server.getAddress().getPort();
    server.createContext("/", exchange -> answer(exchange, root));
    server.setExecutor(Executors.newCachedThreadPool());
    server.start();
    return new Served(server, root + "/storage/v1/");
  }

  /** A running {@link #serve} server; closing it stops it. */
  public static final class Served implements AutoCloseable {
    private final HttpServer server;
    private final String endpoint;

    private Served(HttpServer server, String endpoint) {
      this.server = server;
      this.endpoint = endpoint;
    }

    /** The value for {@code --gcsEndpoint}. */
    public String endpoint() {
      return endpoint;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  private void answer(HttpExchange exchange, String root) throws IOException {
    try (exchange) {
      MockLowLevelHttpRequest request =
          (MockLowLevelHttpRequest)
              buildRequest(exchange.getRequestMethod(), root + exchange.getRequestURI());
      for (Map.Entry<String, List<String>> header : exchange.getRequestHeaders().entrySet()) {
        for (String value : header.getValue()) {
          request.addHeader(header.getKey(), value);
        }
      }
      byte[] body = exchange.getRequestBody().readAllBytes();
      request.setContentType(exchange.getRequestHeaders().getFirst("Content-Type"));
      request.setStreamingContent(out -> out.write(body));
      LowLevelHttpResponse response = request.execute();
      for (int i = 0; i < response.getHeaderCount(); i++) {
        exchange.getResponseHeaders().add(response.getHeaderName(i), response.getHeaderValue(i));
      }
      if (response.getContentType() != null) {
        exchange.getResponseHeaders().set("Content-Type", response.getContentType());
      }
      InputStream content = response.getContent();
      byte[] bytes = content == null ? new byte[0] : content.readAllBytes();
      exchange.sendResponseHeaders(response.getStatusCode(), bytes.length == 0 ? -1 : bytes.length);
      if (bytes.length > 0) {
        exchange.getResponseBody().write(bytes);
      }
    }
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
        if (url.contains("/upload/storage/")) {
          return upload(method, url, this);
        }
        if (!url.contains("/batch/")) {
          return single(method, url, getFirstHeaderValue("Range"));
        }
        StringBuilder reply = new StringBuilder();
        Matcher inner = REQUEST_LINE.matcher(getContentAsString());
        int part = 0;
        while (inner.find()) {
          requests.add(inner.group(1) + " " + decodedPath(inner.group(2)));
          applyBatched(inner.group(1), decodedPath(inner.group(2)));
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

  /**
   * A resumable upload, as the storage client makes every object it creates: a {@code POST} that
   * names the object and gets an upload URL, then {@code PUT}s of the content to that URL, the last
   * of which (its range has a total) creates the object with a new generation.
   */
  private MockLowLevelHttpResponse upload(
      String method, String url, MockLowLevelHttpRequest request) throws IOException {
    Map<String, String> params = params(url);
    if (method.equals("POST")) {
      requests.add(
          "POST "
              + decodedPath(url)
              + " uploadType="
              + params.get("uploadType")
              + " name="
              + params.get("name"));
      String id = Long.toString(nextId.getAndIncrement());
      String bucket = decode(url.replaceFirst("^.*/upload/storage/v1/b/([^/]+)/o.*$", "$1"));
      uploads.put(id, bucket + "/" + params.get("name"));
      MockLowLevelHttpResponse started = json("{}");
      started.addHeader(
          "Location", url.replaceFirst("\\?.*$", "") + "?uploadType=resumable&upload_id=" + id);
      return started;
    }
    String id = params.get("upload_id");
    String object = uploads.get(id);
    if (object == null) {
      throw new IOException("no upload " + id + " was begun: " + url);
    }
    requests.add(method + " " + decodedPath(url) + " upload_id of " + object);
    String range = String.join(",", request.getHeaderValues("Content-Range"));
    byte[] part = request.getContentAsString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] sofar = objects.getOrDefault("upload " + id, new byte[0]);
    byte[] content = new byte[sofar.length + part.length];
    System.arraycopy(sofar, 0, content, 0, sofar.length);
    System.arraycopy(part, 0, content, sofar.length, part.length);
    if (range.endsWith("/*")) {
      objects.put("upload " + id, content);
      MockLowLevelHttpResponse more = new MockLowLevelHttpResponse();
      more.setStatusCode(308);
      more.addHeader("Range", "bytes=0-" + (content.length - 1));
      return more;
    }
    objects.remove("upload " + id);
    uploads.remove(id);
    long generation = nextId.getAndIncrement();
    objects.put(object + "#" + generation, content);
    int slash = object.indexOf('/');
    return json(
        "{\"kind\":\"storage#object\",\"bucket\":\""
            + object.substring(0, slash)
            + "\",\"name\":\""
            + object.substring(slash + 1).replace("\\", "\\\\").replace("\"", "\\\"")
            + "\",\"generation\":\""
            + generation
            + "\",\"size\":\""
            + content.length
            + "\"}");
  }

  private static final Pattern REWRITE =
      Pattern.compile("^/storage/v1/b/([^/]+)/o/(.+)/rewriteTo/b/([^/]+)/o/(.+)$");
  private static final Pattern DELETE = Pattern.compile("^/storage/v1/b/([^/]+)/o/(.+)$");

  /**
   * What a batched rewrite or delete does to the objects this transport holds: a rewrite copies the
   * source's live generation to the destination as a new generation, a delete removes every
   * generation of the object. An object never put or uploaded here is left alone (every such
   * request still succeeds, as before).
   */
  private void applyBatched(String method, String path) {
    Matcher rewrite = REWRITE.matcher(path);
    if (method.equals("POST") && rewrite.matches()) {
      String source = rewrite.group(1) + "/" + rewrite.group(2);
      String generation = latestGeneration(source);
      if (generation != null) {
        objects.put(
            rewrite.group(3) + "/" + rewrite.group(4) + "#" + nextId.getAndIncrement(),
            objects.get(source + "#" + generation));
      }
      return;
    }
    Matcher delete = DELETE.matcher(path);
    if (method.equals("DELETE") && delete.matches()) {
      String prefix = delete.group(1) + "/" + delete.group(2) + "#";
      objects.keySet().removeIf(key -> key.startsWith(prefix));
    }
  }

  /** The newest generation of {@code <bucket>/<name>} held here, or null. */
  private String latestGeneration(String object) {
    String prefix = object + "#";
    return objects.keySet().stream()
        .filter(key -> key.startsWith(prefix))
        .map(key -> key.substring(prefix.length()))
        .filter(g -> !g.isEmpty() && g.chars().allMatch(Character::isDigit))
        .max(Comparator.comparingLong(Long::parseLong))
        .orElse(null);
  }

  private static Map<String, String> params(String url) {
    Map<String, String> params = new TreeMap<>();
    int question = url.indexOf('?');
    if (question < 0) {
      return params;
    }
    for (String pair : url.substring(question + 1).split("&")) {
      int equals = pair.indexOf('=');
      if (equals > 0) {
        params.put(pair.substring(0, equals), decode(pair.substring(equals + 1)));
      }
    }
    return params;
  }

  private MockLowLevelHttpResponse single(String method, String url, String range) {
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
    long from = range == null ? 0 : Long.parseLong(range.replaceFirst("^bytes=(\\d+)-.*$", "$1"));
    if (from > 0) {
      recorded += " range=" + from + "-";
    }
    requests.add(recorded);
    if (!method.equals("GET") || !object.matches()) {
      return json("{\"kind\":\"storage#object\",\"bucket\":\"b\",\"name\":\"n\"}");
    }
    String bucket = decode(object.group(1));
    String name = decode(object.group(2));
    String generation = params.get("generation");
    if (generation == null) {
      generation = latestGeneration(bucket + "/" + name);
    }
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
      return media(bucket + "/" + name + "#" + generation, content, (int) from);
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

  /**
   * The content of generation {@code key} from byte {@code from}: refused, broken or whole, as the
   * test set it up. A ranged answer is a 206 with its {@code Content-Range}, as Cloud Storage's.
   */
  private MockLowLevelHttpResponse media(String key, byte[] content, int from) {
    Refusal refusal = refusals.get(key);
    if (refusal != null && refusal.left().getAndDecrement() > 0) {
      MockLowLevelHttpResponse refused =
          json(
              "{\"error\":{\"code\":"
                  + refusal.status()
                  + ",\"message\":\""
                  + refusal.message()
                  + "\",\"errors\":[{\"domain\":\"global\",\"reason\":\""
                  + refusal.reason()
                  + "\",\"message\":\""
                  + refusal.message()
                  + "\"}]}}");
      refused.setStatusCode(refusal.status());
      return refused;
    }
    MockLowLevelHttpResponse media = new MockLowLevelHttpResponse();
    media.setStatusCode(from > 0 ? 206 : 200);
    media.setContentType("application/octet-stream");
    media.addHeader("x-goog-generation", key.substring(key.lastIndexOf('#') + 1));
    int length = content.length - from;
    media.setContentLength(length);
    media.addHeader("Content-Length", Integer.toString(length));
    if (from > 0) {
      media.addHeader(
          "Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
    }
    InputStream body = new ByteArrayInputStream(content, from, length);
    Break broken = breaks.remove(key);
    media.setContent(broken == null ? body : new BreakingStream(body, broken));
    return media;
  }

  /** A download that fails as a reset connection once it has sent what the test allowed. */
  private static final class BreakingStream extends FilterInputStream {
    private final Break broken;
    private int left;

    BreakingStream(InputStream in, Break broken) {
      super(in);
      this.broken = broken;
      this.left = broken.afterBytes();
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      if (left == 0) {
        broken.then().run();
        throw new SocketException("Connection reset");
      }
      int read = super.read(buffer, offset, Math.min(length, left));
      left -= Math.max(read, 0);
      return read;
    }

    @Override
    public int available() throws IOException {
      return Math.min(super.available(), left);
    }
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
