package dev.gcsrewrite.local;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;

/**
 * What the build packages, as it packaged it: the bundled jar (the Dataflow job and the flex
 * template image) holds the pipeline and its commands only, never this local stack, a test class or
 * a test-scoped library; the local stack's own jar, which {@code scripts/run-local.sh} puts next to
 * it, holds exactly the classes of {@code src/local/java} and needs nothing the bundled jar lacks.
 */
public class LocalToolsOutOfBundledJarIT {
  private static final Path BUNDLED_JAR = Path.of("target", "gcs-rewrite-bundled.jar");
  private static final Path TOOLS_JAR = Path.of("target", "gcs-rewrite-local-tools.jar");
  private static final Path MAIN_CLASSES = Path.of("target", "classes");
  private static final Path LOCAL_SOURCES = Path.of("src", "local", "java");

  @Test
  public void bundledJarHoldsOnlyThePipelinesOwnClasses() throws IOException {
    Set<String> mainClasses = filesBelow(MAIN_CLASSES);
    Set<String> foreign = new TreeSet<>();
    for (String entry : entries(BUNDLED_JAR)) {
      if (entry.startsWith("dev/gcsrewrite/") && !mainClasses.contains(entry)) {
        foreign.add(entry);
      }
    }
    assertEquals(
        "entries of the bundled jar not compiled from src/main (local stack or tests)",
        Set.of(),
        foreign);
    assertTrue(
        "the pipeline's main class is in the bundled jar",
        entries(BUNDLED_JAR).contains("dev/gcsrewrite/GcsRewritePipeline.class"));
  }

  @Test
  public void bundledJarHoldsNoTestScopedLibrary() throws Exception {
    // One class of each test-scoped dependency; embedded-redis also ships the redis-server
    // binaries.
    List<Class<?>> testOnly =
        List.of(
            redis.embedded.RedisServer.class,
            org.junit.Test.class,
            org.bouncycastle.cert.X509v3CertificateBuilder.class);
    Set<String> bundled = entries(BUNDLED_JAR);
    for (Class<?> type : testOnly) {
      Path library = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
      Set<String> found = new TreeSet<>(entries(library));
      // Licence texts are not the library: beam-vendor-grpc ships its own LICENSE-junit.txt.
      found.removeIf(
          entry ->
              entry.startsWith("META-INF/")
                  || entry.startsWith("LICENSE")
                  || entry.startsWith("NOTICE"));
      found.retainAll(bundled);
      assertEquals("entries of " + library.getFileName() + " in the bundled jar", Set.of(), found);
    }
  }

  @Test
  public void toolsJarHoldsExactlyTheLocalStacksClasses() throws IOException {
    Set<String> sources = new TreeSet<>();
    for (String source : filesBelow(LOCAL_SOURCES)) {
      assertTrue(source, source.endsWith(".java"));
      sources.add(source.substring(0, source.length() - ".java".length()));
    }
    Set<String> compiled = new TreeSet<>();
    for (String entry : entries(TOOLS_JAR)) {
      if (!entry.startsWith("META-INF/")) {
        assertTrue(entry + " is a class", entry.endsWith(".class"));
        // A nested or anonymous class comes from the source of its top-level class.
        String name = entry.substring(0, entry.length() - ".class".length());
        compiled.add(name.contains("$") ? name.substring(0, name.indexOf('$')) : name);
      }
    }
    Set<String> notFromLocalSources = new TreeSet<>(compiled);
    notFromLocalSources.removeAll(sources);
    assertEquals(
        "classes in the tools jar without a source in src/local/java (a test's?)",
        Set.of(),
        notFromLocalSources);
    sources.removeAll(compiled);
    assertEquals("sources in src/local/java without a class in the tools jar", Set.of(), sources);
  }

  @Test
  public void toolsJarNeedsNothingTheBundledJarLacks() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElse(null);
    assertNotNull("jdeps (JDK) to read the tools jar's dependencies", jdeps);
    StringWriter out = new StringWriter();
    int status =
        jdeps.run(
            new PrintWriter(out, true),
            new PrintWriter(out, true),
            "--multi-release",
            Integer.toString(Runtime.version().feature()),
            "--missing-deps",
            "--class-path",
            BUNDLED_JAR.toString(),
            TOOLS_JAR.toString());
    assertEquals(out.toString(), 0, status);
    assertEquals(
        "classes the local stack uses that neither the bundled jar nor the JDK has",
        "",
        out.toString().strip());
  }

  /** Every file entry (no directories) of a jar. */
  private static Set<String> entries(Path jar) throws IOException {
    assertTrue(jar + " is missing: run mvn package first", Files.isRegularFile(jar));
    try (JarFile file = new JarFile(jar.toFile())) {
      return file.stream()
          .filter(entry -> !entry.isDirectory())
          .map(JarEntry::getName)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** Every file below {@code root}, as a relative path with '/' separators. */
  private static Set<String> filesBelow(Path root) throws IOException {
    assertTrue(root + " is missing", Files.isDirectory(root));
    try (Stream<Path> paths = Files.walk(root)) {
      return paths
          .filter(Files::isRegularFile)
          .map(path -> root.relativize(path).toString().replace('\\', '/'))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}
