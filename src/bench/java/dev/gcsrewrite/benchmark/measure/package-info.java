/**
 * What the benchmarks measure with, apart from the pipeline: CPU time of this JVM and of the
 * servers it started, Redis's own counters, the heap, what arrives on a topic and when, and a
 * summary of a flight recording. In {@code src/bench/java}, compiled with the tests: none of it
 * ships.
 */
package dev.gcsrewrite.benchmark.measure;
