package dev.gcsrewrite.local;

/** The servers a local stack runs, and the Pub/Sub admin client that talks to the emulator. */
record LocalStackServers(
    PubsubEmulatorProcess emulator, RedisServerProcess redis, PubsubAdmin pubsub) {}
