package dev.gcsrewrite.cli;

/**
 * The jar's exit statuses: one table for every command, so that scripts and schedulers can act on
 * them without knowing which command ran. Printed by {@code --help}.
 */
public enum ExitCode {
  OK(0, "done (status: records found; run on Dataflow: job submitted; replay: finished)"),
  NOT_FOUND(1, "status: nothing is recorded about the object or generation"),
  USAGE(2, "bad command, arguments or options: one line on stderr names the problem"),
  UNAVAILABLE(3, "a service the command needs (Redis, Pub/Sub, the archive) cannot be reached"),
  FAILED(4, "the pipeline failed (local runs; on Dataflow the job page tells why)"),
  REFUSED(5, "reconcile: a --stopped-job still runs (its workers beat in Redis); nothing was done");

  private final int status;
  private final String meaning;

  ExitCode(int status, String meaning) {
    this.status = status;
    this.meaning = meaning;
  }

  /** The process exit status. */
  public int status() {
    return status;
  }

  /** What the status means, for the usage text. */
  public String meaning() {
    return meaning;
  }
}
