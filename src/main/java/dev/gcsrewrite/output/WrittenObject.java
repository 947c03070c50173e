package dev.gcsrewrite.output;

import dev.gcsrewrite.notification.GcsNotification;
import org.apache.beam.sdk.coders.DefaultCoder;

/**
 * An output whose final file is in place, as FileIO reported it after the rename from its temporary
 * name.
 *
 * @param notification the notification the output was made for
 * @param outputUri the final file, e.g. {@code gs://processed/work001.processed}
 * @param outputBytes the final file's size, or -1 when it could not be looked up
 */
@DefaultCoder(WrittenObjectCoder.class)
public record WrittenObject(GcsNotification notification, String outputUri, long outputBytes) {}
