/**
 * The local development stack's stand-in for Cloud Storage: buckets are folders below a bucket root
 * ({@code <bucketRoot>/<bucket>/<object name with slashes as subfolders>}).
 *
 * <p>Nothing announces changes to folders, so {@link dev.gcsrewrite.local.LocalBucketNotifier}
 * watches them and publishes the notifications Cloud Storage would ({@link
 * dev.gcsrewrite.local.StorageNotifications} builds them), and {@link
 * dev.gcsrewrite.local.WorkGenerator} writes the tutorial's workload into a bucket folder. The
 * pipeline itself cannot tell these notifications from real ones, which is the point: a local run
 * exercises the same parsing, deduplication and claims as production.
 *
 * <p>Development and test tooling, not product: its sources live in {@code src/local/java}, a
 * source root compiled with the tests (the tests' helpers use its launchers), so none of it is in
 * the bundled jar or the flex template image. {@code scripts/run-local.sh} runs {@link
 * dev.gcsrewrite.local.LocalStack} from {@code target/gcs-rewrite-local-tools.jar} next to the
 * bundled jar; it may use only what the bundled jar holds, never a test-scoped library.
 */
package dev.gcsrewrite.local;
