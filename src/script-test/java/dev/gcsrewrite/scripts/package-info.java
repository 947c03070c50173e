/**
 * Tests of the shell scripts and what they read: {@code scripts/*.sh} against recording stand-ins
 * for gcloud, mvn and docker ({@link dev.gcsrewrite.scripts.FakeCloud}) or the real gcloud offline,
 * the option sets of {@code pipeline-options/} and their reader in {@code scripts/lib/common.sh},
 * and {@code scripts/run-local.sh} on the packaged jars.
 *
 * <p>Their sources live in {@code src/script-test/java}, a test source root of its own, so that
 * {@code src/test/java} holds the product's tests; they run in {@code mvn verify} with the others.
 */
package dev.gcsrewrite.scripts;
