package dev.gcsrewrite.config;

/**
 * The value patterns shared by the template's parameter regexes (the Dataflow console checks them
 * before a launch) and {@link JobSettings} (which checks them again at start, with a message), so
 * that the two can never disagree about what a name looks like.
 */
final class OptionPatterns {
  static final String PROJECT = "[a-z0-9][-a-z0-9.:]{0,99}";
  static final String NAME = "[A-Za-z][-A-Za-z0-9._~%+]{2,254}";
  static final String BUCKET = "[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]";

  static final String SUBSCRIPTION = "^projects/" + PROJECT + "/subscriptions/" + NAME + "$";
  static final String TOPIC = "^projects/" + PROJECT + "/topics/" + NAME + "$";
  static final String DURATION = "^([0-9]{1,9}(ms|s|m|h|d))+$";
  static final String SECRET_VERSION = "^projects/[^/]+/secrets/[^/]+/versions/[^/]+$";
  static final String REDIS_HOST = "^[A-Za-z0-9][A-Za-z0-9.:-]{0,252}$";
  static final String BOOLEAN = "^(true|false)$";

  private OptionPatterns() {}
}
