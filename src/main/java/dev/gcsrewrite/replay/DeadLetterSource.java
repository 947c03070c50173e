package dev.gcsrewrite.replay;

import java.io.IOException;
import java.util.List;

/**
 * Where a replay reads dead letters from: the dead-letter subscription (whose messages must be
 * acknowledged, held or released) or an archive (which keeps its files whatever happens).
 */
public interface DeadLetterSource extends AutoCloseable {
  /** Up to {@code max} dead letters; an empty list when nothing is available now. */
  List<PulledDeadLetter> pull(int max) throws IOException;

  /** Takes these dead letters off the source for good: they were replayed (or archived). */
  void acknowledge(List<PulledDeadLetter> deadLetters) throws IOException;

  /** Keeps these from being delivered again while the replay runs. */
  void hold(List<PulledDeadLetter> deadLetters) throws IOException;

  /** Hands these back to the source, available at once to the next reader. */
  void release(List<PulledDeadLetter> deadLetters) throws IOException;

  /**
   * Whether an empty pull means the end (an archive), rather than nothing available at this moment
   * (a subscription, which may answer empty while it still holds messages).
   */
  default boolean finite() {
    return false;
  }

  /** What could not be read (and so was neither counted nor replayed), one line each. */
  default List<String> problems() {
    return List.of();
  }

  /** What the source is, for the command's output. */
  String describe();

  @Override
  void close() throws IOException;
}
