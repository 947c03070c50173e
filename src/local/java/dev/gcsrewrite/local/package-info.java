/**
 * The local development stack: the whole workflow on one machine, as it runs on Google Cloud.
 *
 * <ul>
 *   <li>{@link dev.gcsrewrite.local.LocalStack}: starts the servers, the notifier, the work
 *       generator and the real pipeline on the DirectRunner, watches the run and checks it; its
 *       command line ({@link dev.gcsrewrite.local.LocalStackArgs}), folders ({@code
 *       LocalStackLayout}), progress ({@code ProgressMonitor}) and summary ({@code
 *       LocalRunSummary}).
 *   <li>{@link dev.gcsrewrite.local.WorkGenerator}: the tutorial's workload, written into a bucket
 *       folder; {@code BadMessages}: what shows the dead-letter path.
 *   <li>{@link dev.gcsrewrite.local.servers}: the servers it starts as child processes.
 *   <li>{@link dev.gcsrewrite.local.notifier}: buckets as folders, and the notifications Cloud
 *       Storage would publish for them.
 * </ul>
 *
 * <p>Development and test tooling, not product: its sources live in {@code src/local/java}, a
 * source root compiled with the tests (the tests' helpers use its launchers), so none of it is in
 * the bundled jar or the flex template image. {@code scripts/run-local.sh} runs {@code LocalStack}
 * from {@code target/gcs-rewrite-local-tools.jar} next to the bundled jar; it may use only what the
 * bundled jar holds, never a test-scoped library. The sub-packages never use this one.
 */
package dev.gcsrewrite.local;
