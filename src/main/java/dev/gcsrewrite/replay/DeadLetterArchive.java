package dev.gcsrewrite.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;

/**
 * A durable copy of dead letters, one JSON file per dead letter in a folder or bucket prefix (any
 * Beam path: {@code gs://bucket/prefix} or a local folder), named by the dead letter's message ID.
 *
 * <p>The dead-letter subscription keeps a message for 7 days at most; a dead letter written here
 * before it is acknowledged outlives that, and a replay can read it back ({@link #source()}). Each
 * file holds the dead letter as it was published ({@code messageId}, {@code publishTime}, {@code
 * attributes}, {@code data} in base64), so the filters and the original's recovery work on it as on
 * the subscription. Writing one again (a dead letter pulled twice) replaces it with the same bytes.
 *
 * <p>Uses Beam's file systems, so the caller must have registered them ({@code
 * FileSystems.setDefaultPipelineOptions}).
 */
public final class DeadLetterArchive {
  static final String SUFFIX = ".json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String location;
  private final ResourceId root;

  public DeadLetterArchive(String location) {
    this.location = location;
    this.root = FileSystems.matchNewResource(location, true);
  }

  /** Where the archive is, as given. */
  public String location() {
    return location;
  }

  /** Writes {@code deadLetter}'s file; returns once it is complete. */
  public void write(PulledDeadLetter deadLetter) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("messageId", deadLetter.messageId());
    body.put("publishTime", deadLetter.publishTime().toString());
    ObjectNode attributes = body.putObject("attributes");
    new TreeMap<>(deadLetter.attributes()).forEach(attributes::put);
    body.put("data", Base64.getEncoder().encodeToString(deadLetter.payload()));
    ResourceId file =
        root.resolve(fileName(deadLetter.messageId()), StandardResolveOptions.RESOLVE_FILE);
    try (OutputStream out =
        Channels.newOutputStream(FileSystems.create(file, "application/json"))) {
      JSON.writeValue(out, body);
    }
  }

  /** The archive's dead letters as a source for a replay; files are never changed by it. */
  public DeadLetterSource source() throws IOException {
    String glob = root.resolve("*" + SUFFIX, StandardResolveOptions.RESOLVE_FILE).toString();
    MatchResult match = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
    List<ResourceId> files = new ArrayList<>();
    if (match.status() == MatchResult.Status.OK) {
      for (MatchResult.Metadata metadata : match.metadata()) {
        files.add(metadata.resourceId());
      }
    } else if (match.status() != MatchResult.Status.NOT_FOUND) {
      throw new IOException("cannot list the archive " + glob + ": " + match.status());
    }
    files.sort(Comparator.comparing(ResourceId::toString));
    return new ArchiveSource(files.iterator());
  }

  /** A message ID as a file name: Pub/Sub's are digits; anything else is made safe. */
  static String fileName(String messageId) {
    String safe = messageId.replaceAll("[^A-Za-z0-9_-]", "_");
    return (safe.isEmpty() ? "_" : safe) + SUFFIX;
  }

  static PulledDeadLetter read(ResourceId file) throws IOException {
    JsonNode body;
    try (InputStream in = Channels.newInputStream(FileSystems.open(file))) {
      body = JSON.readTree(in);
    }
    try {
      Map<String, String> attributes = new TreeMap<>();
      Iterator<Map.Entry<String, JsonNode>> fields = body.get("attributes").fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        attributes.put(field.getKey(), field.getValue().textValue());
      }
      return new PulledDeadLetter(
          body.get("messageId").textValue(),
          Instant.parse(body.get("publishTime").textValue()),
          Base64.getDecoder().decode(body.get("data").textValue()),
          attributes,
          "");
    } catch (RuntimeException e) {
      throw new IOException("not an archived dead letter: " + e, e);
    }
  }

  /** Reads the archive's files in name order; nothing to acknowledge, hold or release. */
  private final class ArchiveSource implements DeadLetterSource {
    private final Iterator<ResourceId> files;
    private final List<String> problems = new ArrayList<>();

    ArchiveSource(Iterator<ResourceId> files) {
      this.files = files;
    }

    @Override
    public List<PulledDeadLetter> pull(int max) {
      List<PulledDeadLetter> pulled = new ArrayList<>();
      while (pulled.size() < max && files.hasNext()) {
        ResourceId file = files.next();
        try {
          pulled.add(read(file));
        } catch (IOException e) {
          problems.add(file + ": " + PubsubConnection.rootMessage(e));
        }
      }
      return pulled;
    }

    @Override
    public boolean finite() {
      return true;
    }

    @Override
    public List<String> problems() {
      return problems;
    }

    @Override
    public void acknowledge(List<PulledDeadLetter> deadLetters) {}

    @Override
    public void hold(List<PulledDeadLetter> deadLetters) {}

    @Override
    public void release(List<PulledDeadLetter> deadLetters) {}

    @Override
    public String describe() {
      return "archive " + location;
    }

    @Override
    public void close() {}
  }
}
