/**
 * The servers a local run starts: the Pub/Sub emulator and a redis-server, each a child process on
 * a free loopback port that ends with the JVM that started it ({@link
 * dev.gcsrewrite.local.servers.ChildProcess}), and the REST client that talks to the emulator
 * ({@link dev.gcsrewrite.local.servers.PubsubAdmin}). The local stack and the tests start them the
 * same way.
 */
package dev.gcsrewrite.local.servers;
