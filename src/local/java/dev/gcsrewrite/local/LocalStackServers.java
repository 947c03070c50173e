package dev.gcsrewrite.local;

import dev.gcsrewrite.local.servers.PubsubAdmin;
import dev.gcsrewrite.local.servers.PubsubEmulatorProcess;
import dev.gcsrewrite.local.servers.RedisServerProcess;

/** The servers a local stack runs, and the Pub/Sub admin client that talks to the emulator. */
record LocalStackServers(
    PubsubEmulatorProcess emulator, RedisServerProcess redis, PubsubAdmin pubsub) {}
