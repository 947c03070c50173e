/**
 * Coders shared by every stage's element types. It depends on nothing else in the project, so any
 * package may use it.
 */
package dev.gcsrewrite.coders;
