/**
 * The benchmarks: programs that print figures, never tests.
 *
 * <ul>
 *   <li>{@link dev.gcsrewrite.benchmark.RewriteBenchmark}: the token rewriter alone, in a small
 *       heap.
 *   <li>{@link dev.gcsrewrite.benchmark.LargeObjectBenchmark}: one object much larger than the heap
 *       through the whole graph.
 *   <li>{@link dev.gcsrewrite.benchmark.ReconcileBenchmark}: a backfill through the reconcile
 *       command.
 *   <li>{@link dev.gcsrewrite.benchmark.ThroughputBenchmark}: gcs-rewrite against a pass-through
 *       Pub/Sub pipeline.
 * </ul>
 *
 * <p>Their sources live in {@code src/bench/java}, a source root compiled with the tests (so a
 * change that breaks one fails {@code mvn verify}) and run only by hand, each through its {@code
 * exec:exec@...} goal in pom.xml; docs/benchmarks.md has the commands and the figures.
 */
package dev.gcsrewrite.benchmark;
