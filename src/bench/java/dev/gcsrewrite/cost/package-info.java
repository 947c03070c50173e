/**
 * What an object costs on Google Cloud, counted offline from the pipeline's own code: the shuffles
 * of the translated Dataflow job ({@link dev.gcsrewrite.cost.ShufflesPerObject}) and the Pub/Sub,
 * shuffle and Cloud Storage operations per object priced at list prices ({@link
 * dev.gcsrewrite.cost.CostModel}).
 *
 * <p>Programs, not tests: their sources live in {@code src/bench/java} beside the benchmarks and
 * run through {@code exec:exec@shuffles-per-object} and {@code exec:exec@cost-model};
 * docs/cost-model.md keeps their output.
 */
package dev.gcsrewrite.cost;
