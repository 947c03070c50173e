/**
 * The fault-injection soak: the local stack (folders as buckets, the Pub/Sub emulator, a real
 * Redis, pipelines from the bundled jar on the DirectRunner) under a steady, seeded workload of
 * creates, overwrites, deletes, duplicate notifications and hostile messages, with faults injected
 * on a seeded schedule (SIGKILL and restart with reconcile, a JVM frozen past its lease, Redis
 * restarted empty, full, read-only, a second pipeline), and at the end a check of the invariants
 * against the buckets, Redis and every event topic.
 *
 * <ul>
 *   <li>{@link dev.gcsrewrite.soak.Soak}: the program and its orchestration.
 *   <li>{@code Workload}, {@code NotifiedGenerations}, {@code HostileMessages}: what is done, and
 *       the ground truth of what was notified.
 *   <li>{@code Faults}, {@code Pipelines}: the fault schedule and the pipeline JVMs.
 *   <li>{@code Settling}: the wait at the end; {@code TopicTap}, {@code RedisRecords}, {@code
 *       RedisView}, {@code InvariantChecker}, {@code SoakReport}, {@code Observations}: what is
 *       read back, checked, printed and kept.
 * </ul>
 *
 * <p>Lives in {@code src/bench/java} with the other programs run by hand ({@code scripts/soak.sh},
 * {@code exec:exec@soak}); {@code FaultInjectionSoakIT} runs a short one in {@code mvn verify}.
 */
package dev.gcsrewrite.soak;
