package dev.gcsrewrite.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What the soak saw, kept in its work directory for reading a violation after the run. */
final class Observations {
  private Observations() {}

  /**
   * Keeps what the soak saw, for reading a violation after the run: every notified generation and
   * every event and dead letter, one tab-separated line each, in {@code folder}.
   */
  static void write(
      Path folder,
      NotifiedGenerations notified,
      TopicTap completeTap,
      TopicTap processingTap,
      TopicTap deadTap)
      throws IOException {
    Files.createDirectories(folder);
    List<String> lines = new ArrayList<>(List.of("name\tgeneration\tsize\tmd5Hash\tnotified"));
    notified
        .all()
        .forEach(
            (name, generations) ->
                generations
                    .values()
                    .forEach(
                        g ->
                            lines.add(
                                String.join(
                                    "\t",
                                    name,
                                    Long.toString(g.generation()),
                                    Long.toString(g.size()),
                                    g.md5Hash(),
                                    g.notified().toString()))));
    Files.write(folder.resolve("notified.tsv"), lines, StandardCharsets.UTF_8);
    for (Map.Entry<String, TopicTap> topic :
        Map.of(
                Soak.COMPLETE,
                completeTap,
                Soak.PROCESSING,
                processingTap,
                Soak.DEAD_LETTERS,
                deadTap)
            .entrySet()) {
      List<String> events =
          new ArrayList<>(
              List.of("publishTime\tmessageId\teventType\tobjectId\tgeneration\tjobName\tdetail"));
      List<TopicTap.Received> received = new ArrayList<>(topic.getValue().received());
      received.sort((x, y) -> x.publishTime().compareTo(y.publishTime()));
      for (TopicTap.Received event : received) {
        String detail =
            event.attributes().containsKey("errorType")
                ? event.attribute("errorStage")
                    + "/"
                    + event.attribute("errorType")
                    + " "
                    + event.attribute(HostileMessages.MARK)
                : event.body().path("reason").asText("");
        events.add(
            String.join(
                "\t",
                event.publishTime().toString(),
                event.messageId(),
                event.attribute("eventType"),
                event.attribute("objectId"),
                event.attribute("objectGeneration"),
                event.body().path("jobName").asText(""),
                detail));
      }
      Files.write(folder.resolve(topic.getKey() + ".tsv"), events, StandardCharsets.UTF_8);
    }
  }
}
