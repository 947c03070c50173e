package dev.gcsrewrite.claim;

import dev.gcsrewrite.notification.GcsNotification;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * A generation another owner holds a live lease on: it waits for the lease to end and is asked
 * about again then, never dropped.
 *
 * @param notification the notification waiting
 * @param owner the owner holding the lease
 * @param leaseUntilMillis when the lease ends, by the Redis server's clock
 */
@DefaultCoder(ParkedClaimCoder.class)
public record ParkedClaim(GcsNotification notification, String owner, long leaseUntilMillis) {}
