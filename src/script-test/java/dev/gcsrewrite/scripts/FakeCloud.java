package dev.gcsrewrite.scripts;

import dev.gcsrewrite.local.Folders;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.junit.rules.ExternalResource;

/**
 * Recording stand-ins for {@code gcloud}, {@code mvn} and {@code docker}: small bash scripts in a
 * temporary folder (under {@code target/}), put first on PATH for the script under test. Each call
 * appends one line to a log, the program's name and its arguments separated by tabs, and {@code
 * gcloud} answers the queries the scripts make with canned output: a {@code describe} fails like
 * NOT_FOUND unless the test marks everything as existing; the Memorystore host, AUTH string and CA
 * certificate, the Cloud Storage service agent, and the active Dataflow jobs are fixed values; when
 * everything exists, the dashboards and alert policies listed are the ones setup-gcp.sh makes for
 * each environment ({@link #MONITORING}), plus one of somebody else's. What {@code gcloud secrets
 * versions add --data-file=-} reads on stdin goes to a file of its own.
 */
final class FakeCloud extends ExternalResource implements AutoCloseable {
  static final String PROJECT = "demo-project-42";
  static final String REGION = "europe-west1";
  static final String AUTH_STRING = "auth-4f1d9c2b8e7a6350-not-a-real-one";
  static final String CA_CERT =
      "-----BEGIN CERTIFICATE-----\nMIIBfakeCAcertificate\n-----END CERTIFICATE-----";
  static final String REDIS_HOST = "10.0.0.3";
  static final String STORAGE_AGENT =
      "service-123456789012@gs-project-accounts.iam.gserviceaccount.com";
  static final String JOB_ID = "2025-11-23_01_02_03-1234567890123456789";
  static final String WORKER_SA = "gcs-rewrite-worker@" + PROJECT + ".iam.gserviceaccount.com";

  /**
   * The display names setup-gcp.sh gives each environment's dashboard (first) and alert policies:
   * how it finds them again. Renaming one leaves the old dashboard or policy behind, so the
   * stand-in lists exactly these and the tests hold the templates to them.
   */
  static final Map<String, List<String>> MONITORING = monitoring(List.of("dev", "prod"));

  /** A dashboard and a policy of somebody else's, which the scripts must leave alone. */
  static final String FOREIGN_DASHBOARD = "projects/123456789012/dashboards/somebody-elses";

  static final String FOREIGN_POLICY = "projects/" + PROJECT + "/alertPolicies/999";

  /** The APIs setup-gcp.sh enables; "enabled" when everything exists. */
  private static final String APIS =
      "dataflow.googleapis.com compute.googleapis.com storage.googleapis.com pubsub.googleapis.com"
          + " redis.googleapis.com secretmanager.googleapis.com artifactregistry.googleapis.com"
          + " cloudbuild.googleapis.com iam.googleapis.com monitoring.googleapis.com";

  /** Every variable the scripts read: none leaks in from the environment running the tests. */
  private static final List<String> SCRIPT_VARIABLES =
      List.of(
          "PROJECT_ID",
          "REGION",
          "NETWORK",
          "SUBNET",
          "REDIS_HOST",
          "REDIS_SIZE_GB",
          "MAX_WORKERS",
          "WORKER_MACHINE_TYPE",
          "PIPELINE_OPTIONS_DIR",
          "TRANSFORM_MAPPING_FILE",
          "NOTIFICATION_CHANNELS",
          "STATUS_MAX_INSTANCES");

  private static final String RECORD =
      """
      #!/usr/bin/env bash
      # Recording stand-in written by a test (dev.gcsrewrite.scripts.FakeCloud).
      {
        printf '%s' "${0##*/}"
        printf '\\t%s' "$@"
        printf '\\n'
      } >>"$FAKE_CLOUD_LOG"
      """;

  private static final String GCLOUD =
      RECORD
          + """
          all=" $* "
          project=""
          for arg in "$@"; do
            case $arg in --project=*) project=${arg#--project=} ;; esac
          done
          existing() { [[ $FAKE_CLOUD_EXISTING == true ]]; }
          case $all in
            *" redis instances get-auth-string "*) printf '%s\\n' "$FAKE_CLOUD_AUTH_STRING" ;;
            *" redis instances describe "*"--format=value(host)"*) echo 10.0.0.3 ;;
            *" redis instances describe "*"--format=value(serverCaCerts[0].cert)"*)
              printf '%s\\n' "$FAKE_CLOUD_CA_CERT" ;;
            *" storage service-agent "*) echo "$FAKE_CLOUD_STORAGE_AGENT" ;;
            *" dataflow jobs list "*)
              if [[ -n $FAKE_CLOUD_RUNNING_JOB ]]; then
                printf '%s\\t%s\\n' "$FAKE_CLOUD_JOB_ID" "$FAKE_CLOUD_RUNNING_JOB"
              fi ;;
            *" services list "*) if existing; then printf '%s\\n' $FAKE_CLOUD_APIS; fi ;;
            *" networks subnets describe "*) if existing; then echo True; else echo False; fi ;;
            *" buckets notifications list "*)
              topic=//pubsub.googleapis.com/projects/$project/topics/gcs-rewrite-work-notifications
              if existing && [[ $all == *".id,"* ]]; then
                printf '17\\t%s\\n' "$topic"
              elif existing; then
                echo "$topic"
              fi ;;
            *" secrets versions list "*) if existing; then echo 1; fi ;;
            *" projects get-iam-policy "*) if existing; then echo roles/dataflow.worker; fi ;;
            *" monitoring dashboards list "*) if existing; then echo "$FAKE_CLOUD_DASHBOARDS"; fi ;;
            *" monitoring policies list "*) if existing; then echo "$FAKE_CLOUD_POLICIES"; fi ;;
            *" secrets versions add "*) cat >>"$FAKE_CLOUD_STDIN" ;;
            *" describe "*)
              if ! existing; then
                echo "ERROR: (gcloud) NOT_FOUND: the stand-in knows no such resource" >&2
                exit 1
              fi ;;
          esac
          exit 0
          """;

  private final Path root;
  private final Path bin;
  private final Path log;
  private final Path stdin;
  // The scripts it runs write into target/, shared with the other test JVM.
  private final AutoCloseable rendering = RenderedFiles.hold();
  private boolean existing;
  private String runningJob = "";

  private FakeCloud(Path root, boolean withGcloud) {
    this.root = root;
    this.log = root.resolve("calls.log");
    this.stdin = root.resolve("stdin.log");
    try {
      this.bin = Files.createDirectory(root.resolve("bin"));
      if (withGcloud) {
        writeExecutable("gcloud", GCLOUD);
      }
      writeExecutable("mvn", RECORD);
      writeExecutable("docker", RECORD);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, List<String>> monitoring(List<String> environments) {
    List<String> policies =
        List.of(
            "notification backlog age",
            "data freshness",
            "dead letters",
            "Redis memory",
            "Redis outage",
            "waiting for an operator",
            "job not running");
    Map<String, List<String>> names = new LinkedHashMap<>();
    for (String environment : environments) {
      List<String> titles = new ArrayList<>(List.of("gcs-rewrite " + environment));
      policies.forEach(policy -> titles.add("gcs-rewrite " + environment + ": " + policy));
      names.put(environment, List.copyOf(titles));
    }
    return Collections.unmodifiableMap(names);
  }

  /** The name the stand-in lists for the dashboard or alert policy {@code title} of MONITORING. */
  static String monitoringName(String title) {
    String id = title.replaceAll("[^a-zA-Z]+", "-");
    return title.contains(": ")
        ? "projects/" + PROJECT + "/alertPolicies/" + id
        : "projects/123456789012/dashboards/" + id;
  }

  /** "name TAB displayName" lines, as gcloud lists them with --format=value(name,displayName). */
  static String listing(boolean policies, String foreignName) {
    StringBuilder lines = new StringBuilder(foreignName + "\tsomebody else's");
    MONITORING.values().stream()
        .flatMap(List::stream)
        .filter(title -> title.contains(": ") == policies)
        .forEach(
            title -> lines.append('\n').append(monitoringName(title)).append('\t').append(title));
    return lines.toString();
  }

  /** Stand-ins for gcloud, mvn and docker, as a rule: a fresh cloud per test, removed after it. */
  FakeCloud() {
    this(newRoot(), true);
  }

  private static Path newRoot() {
    try {
      return Files.createTempDirectory("fake-cloud");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected void after() {
    close();
  }

  /** Stand-ins for gcloud, mvn and docker. */
  static FakeCloud create() throws IOException {
    return new FakeCloud(Files.createTempDirectory("fake-cloud"), true);
  }

  /** Stand-ins for mvn and docker only: the real gcloud stays on PATH. */
  static FakeCloud withRealGcloud() throws IOException {
    return new FakeCloud(Files.createTempDirectory("fake-cloud"), false);
  }

  /** Every describe and list answers that the resource exists. */
  FakeCloud everythingExists() {
    existing = true;
    return this;
  }

  /** {@code gcloud dataflow jobs list} lists an active job of this name. */
  FakeCloud runningJob(String name) {
    runningJob = name;
    return this;
  }

  /** A folder for the test's own files, removed with the rest. */
  Path folder() {
    return root;
  }

  /**
   * Writes {@code content} to {@code relative} in {@link #folder()} (its folders created), for the
   * option sets, mappings and typed answers a test hands a script; returns where it is.
   */
  Path file(String relative, String content) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  /**
   * Whether the real {@code program} is on the PATH the tests run with (the stand-ins are not on
   * it): tests of the real gcloud or of script(1) are skipped where it is missing.
   */
  static boolean onPath(String program) {
    return Arrays.stream(System.getenv("PATH").split(File.pathSeparator))
        .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
  }

  /** A run of {@code scripts/<name>} with PROJECT_ID and REGION set to the fake ones. */
  ScriptCall script(String name) {
    return new ScriptCall(name);
  }

  /** Every recorded call, in order: the program's name, then its arguments. */
  List<List<String>> calls() {
    if (!Files.exists(log)) {
      return List.of();
    }
    List<List<String>> calls = new ArrayList<>();
    for (String line : read(log).split("\n", -1)) {
      if (!line.isEmpty()) {
        calls.add(List.of(line.split("\t", -1)));
      }
    }
    return calls;
  }

  /** Every recorded call as one line, words separated by single spaces. */
  List<String> callLines() {
    return calls().stream().map(call -> String.join(" ", call)).toList();
  }

  /** The raw log, for messages and for searching secrets in it. */
  String log() {
    return Files.exists(log) ? read(log) : "";
  }

  /** What {@code gcloud secrets versions add} read on stdin, all calls together. */
  String stdin() {
    return Files.exists(stdin) ? read(stdin) : "";
  }

  @Override
  public void close() {
    Folders.deleteTree(root);
    try {
      rendering.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void writeExecutable(String name, String content) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One run of a script: its environment, then {@link #run}. */
  final class ScriptCall {
    private final String name;
    private final Map<String, @Nullable String> environment = new LinkedHashMap<>();

    private ScriptCall(String name) {
      this.name = name;
      environment.put("PROJECT_ID", PROJECT);
      environment.put("REGION", REGION);
    }

    ScriptCall env(String variable, String value) {
      environment.put(variable, value);
      return this;
    }

    ScriptCall without(String variable) {
      environment.put(variable, null);
      return this;
    }

    ScriptRun run(String... args) {
      List<String> command = new ArrayList<>(List.of("bash", "scripts/" + name));
      command.addAll(Arrays.asList(args));
      return ScriptRun.of(prepare(command));
    }

    /**
     * Runs {@code wrapper} (e.g. util-linux script(1), which gives the script a pseudo-terminal)
     * with this call's environment, {@code typed} as its stdin.
     */
    ScriptRun runInTerminal(Path typed, String... wrapper) {
      return ScriptRun.of(prepare(List.of(wrapper)).redirectInput(typed.toFile()));
    }

    private ProcessBuilder prepare(List<String> command) {
      ProcessBuilder builder = new ProcessBuilder(command);
      Map<String, String> env = builder.environment();
      SCRIPT_VARIABLES.forEach(env::remove);
      env.keySet().removeIf(key -> key.startsWith("CLOUDSDK_"));
      env.put("PATH", bin + ":" + System.getenv("PATH"));
      env.put("FAKE_CLOUD_LOG", log.toString());
      env.put("FAKE_CLOUD_STDIN", stdin.toString());
      env.put("FAKE_CLOUD_EXISTING", Boolean.toString(existing));
      env.put("FAKE_CLOUD_RUNNING_JOB", runningJob);
      env.put("FAKE_CLOUD_JOB_ID", JOB_ID);
      env.put("FAKE_CLOUD_AUTH_STRING", AUTH_STRING);
      env.put("FAKE_CLOUD_CA_CERT", CA_CERT);
      env.put("FAKE_CLOUD_STORAGE_AGENT", STORAGE_AGENT);
      env.put("FAKE_CLOUD_APIS", APIS);
      env.put("FAKE_CLOUD_DASHBOARDS", listing(false, FOREIGN_DASHBOARD));
      env.put("FAKE_CLOUD_POLICIES", listing(true, FOREIGN_POLICY));
      env.put("CLOUDSDK_CONFIG", root.resolve("gcloud-config").toString());
      env.put("CLOUDSDK_CORE_DISABLE_PROMPTS", "1");
      env.put("CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK", "true");
      env.put("TMPDIR", root.toString());
      environment.forEach(
          (variable, value) -> {
            if (value == null) {
              env.remove(variable);
            } else {
              env.put(variable, value);
            }
          });
      return builder;
    }
  }

  /** What a script did: exit status, stdout, stderr. */
  record ScriptRun(int status, String stdout, String stderr) {
    static ScriptRun of(ProcessBuilder builder) {
      try {
        Process process = builder.start();
        if (builder.redirectInput() == ProcessBuilder.Redirect.PIPE) {
          process.getOutputStream().close();
        }
        CompletableFuture<byte[]> err =
            CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
          process.destroyForcibly();
          throw new AssertionError(builder.command() + " did not finish in 2 minutes");
        }
        return new ScriptRun(
            process.exitValue(),
            new String(out, StandardCharsets.UTF_8),
            new String(err.join(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }

    private static byte[] readAll(java.io.InputStream in) {
      try {
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Stdout's lines. */
    List<String> lines() {
      return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
    }

    /** The gcloud commands stdout prints (a dry run's plan), each as the shell's words. */
    List<List<String>> gcloudCommands() {
      return lines().stream().filter(l -> l.startsWith("gcloud ")).map(ShellWords::split).toList();
    }

    /** Everything, for assertion messages. */
    @Override
    public String toString() {
      return "status " + status + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
  }
}
