/**
 * The local stand-in for Cloud Storage's notifications: buckets are folders below a bucket root
 * ({@code <bucketRoot>/<bucket>/<object name with slashes as subfolders>}).
 *
 * <p>Nothing announces changes to folders, so {@link
 * dev.gcsrewrite.local.notifier.LocalBucketNotifier} watches them (generations, what each scan saw,
 * what waits to be published) and publishes the notifications Cloud Storage would ({@link
 * dev.gcsrewrite.local.notifier.StorageNotifications} builds them). The pipeline itself cannot tell
 * these notifications from real ones, which is the point: a local run exercises the same parsing,
 * deduplication and claims as production.
 */
package dev.gcsrewrite.local.notifier;
