/**
 * The {@code serve-status} command's HTTP service: the status of objects, read-only from Redis, as
 * Google-style long-running operations ({@link dev.gcsrewrite.statusservice.StatusServer}).
 *
 * <p>A package of its own, beside the command line rather than in it: a server with its own
 * threads, paths and JSON mapping, used by the command, the local stack and the benchmark alike,
 * that needs only the claim store's reads and the storage name rules.
 */
package dev.gcsrewrite.statusservice;
