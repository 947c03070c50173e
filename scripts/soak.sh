#!/usr/bin/env bash
# The fault-injection soak (docs/soak.md): the local stack under a steady, seeded workload while
# faults are injected on a seeded schedule, then every invariant checked and a table printed.
#
#   scripts/soak.sh                                   3 minutes, seed 1, every fault kind
#   scripts/soak.sh --minutes=30 --seed=1 --report=target/soak-table.md
#   scripts/soak.sh --offline --minutes=5 --fault-kinds=kill,freeze
#   scripts/soak.sh --help                            every flag
#
# Builds target/gcs-rewrite-bundled.jar first when it is missing or older than the sources (the
# pipelines run from it), then runs the soak through Maven (mvn test-compile exec:exec@soak), on
# the test class path. Exit status: 0 no violation; else not 0 (violations are listed below the
# table; Maven's last lines give the soak's own status: 1 violations, 2 bad arguments or a start
# failure).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=soak
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source scripts/lib/common.sh

command -v java >/dev/null 2>&1 || die "Java is missing: install JDK 17 (java not on PATH)"
command -v mvn >/dev/null 2>&1 || die "Maven is missing: install Maven 3.8+ (mvn not on PATH)"

maven=(mvn -B -q -ntp)
soak_args=()
for arg in "$@"; do
  case $arg in
    --offline) maven+=(-o) ;;
    --help)
      sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
      echo
      soak_args=(--help)
      break
      ;;
    --*) soak_args+=("$arg") ;;
    *) die "expected --name=value flags, not '$arg' (see --help)" ;;
  esac
done
for arg in "${soak_args[@]}"; do
  # Maven passes the flags on in one property, split at spaces.
  [[ $arg != *[[:space:]]* ]] || die "a flag with a space cannot be passed on: '$arg'"
done

jar=target/gcs-rewrite-bundled.jar
if [[ ${soak_args[*]-} != --help ]]; then
  if [[ ! -f $jar || -n $(find pom.xml src/main -newer "$jar" -print -quit) ]]; then
    note "building $jar (mvn package, tests skipped)..."
    "${maven[@]}" package -DskipTests
  fi
fi

export NO_GCE_CHECK=true
exec "${maven[@]}" test-compile exec:exec@soak "-Dsoak.args=${soak_args[*]-}"
