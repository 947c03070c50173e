/**
 * The token-rewrite engine: what to replace ({@link dev.gcsrewrite.rewrite.RewriteRules}) and the
 * streaming rewrite itself ({@link dev.gcsrewrite.rewrite.TokenRewriter}).
 *
 * <p>This package is plain Java on purpose: it knows nothing about Beam or Cloud Storage, so it can
 * be tested and benchmarked in isolation, and the pipeline only has to hand it two channels.
 */
package dev.gcsrewrite.rewrite;
