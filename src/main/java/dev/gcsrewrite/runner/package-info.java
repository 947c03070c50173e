/** How the pipeline's graph is adapted to the runner it runs on, and nothing else. */
package dev.gcsrewrite.runner;
