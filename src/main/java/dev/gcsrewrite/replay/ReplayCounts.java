package dev.gcsrewrite.replay;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a replay did, for the summary the command prints. Each dead letter is counted once, however
 * often the source delivers it during the run.
 */
public final class ReplayCounts {
  long pulled;
  long matched;
  long republished;
  long archived;
  long skippedByFilter;
  long unrecoverable;
  long unpublishable;
  long wouldRepublish;
  final Map<String, Long> matchedByReason = new TreeMap<>();
  final Map<String, Long> skippedByReason = new TreeMap<>();

  /** Dead letters read from the source (each once). */
  public long pulled() {
    return pulled;
  }

  /** Dead letters the filters took. */
  public long matched() {
    return matched;
  }

  /** Originals published to the target, whose dead letters were then acknowledged. */
  public long republished() {
    return republished;
  }

  /** Dead letters written to the archive. */
  public long archived() {
    return archived;
  }

  /** Dead letters the filters left, still on the subscription. */
  public long skippedByFilter() {
    return skippedByFilter;
  }

  /** Matched dead letters whose original could not be read back whole: left on the source. */
  public long unrecoverable() {
    return unrecoverable;
  }

  /** Matched originals Pub/Sub would refuse (over a limit): left on the source. */
  public long unpublishable() {
    return unpublishable;
  }

  /** Dry run: originals that would have been republished. */
  public long wouldRepublish() {
    return wouldRepublish;
  }

  /** Matched dead letters per {@code errorStage/errorType}. */
  public Map<String, Long> matchedByReason() {
    return matchedByReason;
  }

  /** Dead letters the filters left, per {@code errorStage/errorType}. */
  public Map<String, Long> skippedByReason() {
    return skippedByReason;
  }
}
