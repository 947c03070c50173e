package dev.gcsrewrite.claim;

import dev.gcsrewrite.deadletter.DeadLetter;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * Work on a generation that failed for good after the generation was taken on: its claim must be
 * released before its dead letter is published, so a fixed notification can be processed at once.
 *
 * @param claim the claim the work was done under (what is released)
 * @param deadLetter what goes to the dead-letter topic once the claim is released
 */
@DefaultCoder(FailedObjectCoder.class)
public record FailedObject(Claim claim, DeadLetter deadLetter) {}
