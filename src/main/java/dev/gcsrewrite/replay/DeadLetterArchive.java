package dev.gcsrewrite.replay;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import com.google.pubsub.v1.PubsubMessage;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.channels.Channels;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.io.FileSystems;
import org.apache.beam.sdk.io.fs.EmptyMatchTreatment;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResolveOptions.StandardResolveOptions;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.io.gcp.pubsub.PubsubClient.IncomingMessage;

/**
 * A folder or bucket prefix holding one JSON file per dead letter, so that a dead letter outlives
 * the subscription's 7-day retention.
 *
 * <ul>
 *   <li>A file is named {@code <message ID>.json} and holds the dead letter as published, in
 *       Pub/Sub's own JSON form: {@code data} (base64), {@code attributes}, {@code messageId},
 *       {@code publishTime}.
 *   <li>Writing a dead letter again (one pulled twice) replaces its file with the same bytes.
 *   <li>Any Beam path works ({@code gs://bucket/prefix}, a local folder), once the caller has
 *       called {@code FileSystems.setDefaultPipelineOptions}.
 * </ul>
 */
public final class DeadLetterArchive {
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace().sortingMapKeys();

  private final String location;
  private final ResourceId root;

  public DeadLetterArchive(String location) {
    this.location = location;
    this.root = FileSystems.matchNewResource(location, true);
  }

  /** Writes {@code deadLetter}'s file; returns once it is complete. */
  public void write(IncomingMessage deadLetter) throws IOException {
    PubsubMessage message =
        deadLetter.message().toBuilder()
            .setMessageId(deadLetter.recordId())
            .setPublishTime(Timestamps.fromMillis(deadLetter.timestampMsSinceEpoch()))
            .build();
    // Pub/Sub's message IDs are digits; anything else is made safe for a file name.
    String name = deadLetter.recordId().replaceAll("[^A-Za-z0-9_-]", "_");
    ResourceId file = root.resolve(name + ".json", StandardResolveOptions.RESOLVE_FILE);
    try (Writer out = Channels.newWriter(FileSystems.create(file, "application/json"), UTF_8)) {
      PRINTER.appendTo(message, out);
    }
  }

  /** The archive's files in name order. */
  List<ResourceId> files() throws IOException {
    String glob = root.resolve("*.json", StandardResolveOptions.RESOLVE_FILE).toString();
    MatchResult match = FileSystems.match(glob, EmptyMatchTreatment.ALLOW);
    if (match.status() != MatchResult.Status.OK) {
      throw new IOException("cannot list the archive " + glob + ": " + match.status());
    }
    return match.metadata().stream()
        .map(MatchResult.Metadata::resourceId)
        .sorted(Comparator.comparing(ResourceId::toString))
        .toList();
  }

  /** The dead letter in {@code file}, with no ack ID: there is nothing to acknowledge. */
  static IncomingMessage read(ResourceId file) throws IOException {
    PubsubMessage.Builder message = PubsubMessage.newBuilder();
    try (Reader in = Channels.newReader(FileSystems.open(file), UTF_8)) {
      JsonFormat.parser().merge(in, message);
    }
    if (message.getMessageId().isEmpty() || !message.hasPublishTime()) {
      throw new IOException("not an archived dead letter: no messageId or publishTime");
    }
    return IncomingMessage.of(
        message.build(),
        Timestamps.toMillis(message.getPublishTime()),
        0,
        "",
        message.getMessageId());
  }

  @Override
  public String toString() {
    return location;
  }
}
