# shellcheck shell=bash
# Shared by the scripts in scripts/: one-line errors, the environment and every resource name (in
# one place), the dry-run switch with `run`, and the option-set reader. Sourced, never run:
#
#   SCRIPT_NAME=setup-gcp                  # the prefix of every message (default: the script's name)
#   # shellcheck source=scripts/lib/common.sh
#   source "$(dirname "$0")/lib/common.sh"

SCRIPT_NAME=${SCRIPT_NAME:-$(basename "$0" .sh)}
DRY_RUN=false

# --- messages ----------------------------------------------------------------------------------

# A usage problem (missing variable, bad argument, bad option set): one line, exit status 2.
die() {
  printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 2
}

# A refusal (a running job, no confirmation): one line, exit status 1.
refuse() {
  printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

# require_bash MAJOR MINOR: refuses, in one line, a bash older than MAJOR.MINOR. Written for bash 3.2
# (macOS's own) to parse and run, and called below before anything newer runs.
require_bash() {
  local major=$1 minor=$2
  if ((BASH_VERSINFO[0] < major || (BASH_VERSINFO[0] == major && BASH_VERSINFO[1] < minor))); then
    die "needs bash $major.$minor or newer, and this is bash $BASH_VERSION ($BASH); on macOS:" \
      "brew install bash, which puts a newer bash first on PATH"
  fi
}

# Associative arrays and namerefs (4.3), a variable's attributes read in place (4.4).
require_bash 4 4

# Progress for the user, on stderr, so that stdout carries only commands (dry run) or results.
note() {
  printf '%s: %s\n' "$SCRIPT_NAME" "$*" >&2
}

# require_var NAME...: each must be set and not empty.
require_var() {
  local name
  for name in "$@"; do
    [[ -n ${!name:-} ]] || die "$name is not set; export $name=... (see --help)"
  done
}

# --- the environment and the names of everything -----------------------------------------------

# Sets every name the scripts use from PROJECT_ID and REGION (both required) and the optional
# overrides. Names that pipeline-options/dev.conf and prod.conf spell out must stay equal to
# these; OptionSetsTest holds them to it.
# shellcheck disable=SC2034 # the names are set here for the scripts that source this file
load_settings() {
  require_var PROJECT_ID REGION
  [[ $PROJECT_ID =~ ^[a-z][a-z0-9-]{4,28}[a-z0-9]$ ]] ||
    die "PROJECT_ID '$PROJECT_ID' is not a project ID (6 to 30 lowercase letters, digits and hyphens, starting with a letter)"
  [[ $REGION =~ ^[a-z]+(-[a-z]+)+[0-9]+$ ]] ||
    die "REGION '$REGION' is not a region name such as europe-west1"
  NETWORK=${NETWORK:-default}
  SUBNET=${SUBNET:-default}
  local name
  for name in NETWORK SUBNET; do
    [[ ${!name} =~ ^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
      die "$name '${!name}' is not a network or subnetwork name"
  done

  # Environments (pipeline-options/<env>.conf). Each reads its own subscription on the
  # notifications topic and writes its own processed bucket and audit topics, so that dev beside
  # prod neither takes prod's notifications nor mixes its outputs and events with prod's. They
  # share the work bucket, the Dataflow bucket, Memorystore (keys under a prefix each) and the
  # worker.
  ENVIRONMENTS=(dev prod)

  # Buckets: sources, outputs (one per environment), and Dataflow's own (staging, temp,
  # templates, config).
  WORK_BUCKET=$PROJECT_ID-gcs-rewrite-work
  DATAFLOW_BUCKET=$PROJECT_ID-gcs-rewrite-dataflow
  PROCESSED_BUCKETS=()
  local environment
  for environment in "${ENVIRONMENTS[@]}"; do
    PROCESSED_BUCKETS+=("$PROJECT_ID-gcs-rewrite-processed-$environment")
  done
  BUCKETS=("$WORK_BUCKET" "${PROCESSED_BUCKETS[@]}" "$DATAFLOW_BUCKET")
  STAGING_LOCATION=gs://$DATAFLOW_BUCKET/staging
  TEMP_LOCATION=gs://$DATAFLOW_BUCKET/temp
  TEMPLATE_FILE=gs://$DATAFLOW_BUCKET/templates/gcs-rewrite.json
  RULES_FILE=gs://$DATAFLOW_BUCKET/config/rewrite-rules.txt

  # Pub/Sub: Cloud Storage notifications in; per environment, the pipeline's subscription and
  # three audit topics (processing, complete, dead letters), with a watch subscription on each
  # audit topic so their messages can be read.
  NOTIFICATIONS_TOPIC=gcs-rewrite-work-notifications
  PIPELINE_SUBSCRIPTIONS=()
  AUDIT_TOPICS=()
  DEAD_LETTER_TOPICS=()
  for environment in "${ENVIRONMENTS[@]}"; do
    PIPELINE_SUBSCRIPTIONS+=("gcs-rewrite-work-$environment")
    DEAD_LETTER_TOPICS+=("gcs-rewrite-$environment-dead-letters")
    AUDIT_TOPICS+=(
      "gcs-rewrite-$environment-processing"
      "gcs-rewrite-$environment-complete"
      "gcs-rewrite-$environment-dead-letters"
    )
  done
  WATCH_SUFFIX=-watch
  # Dead letters also get a subscription that only `gcs-rewrite replay` reads (and acknowledges
  # only what it republishes or archives): watching must never take them away from a replay.
  REPLAY_SUFFIX=-replay

  # Claims: Memorystore for Redis, its AUTH string and server CA in Secret Manager.
  REDIS_INSTANCE=gcs-rewrite-claims
  REDIS_AUTH_SECRET=gcs-rewrite-redis-auth
  REDIS_CA_SECRET=gcs-rewrite-redis-ca
  SECRETS=("$REDIS_AUTH_SECRET" "$REDIS_CA_SECRET")

  # The flex template's launcher image, and who the job runs as.
  REPOSITORY=gcs-rewrite
  IMAGE_NAME=$REGION-docker.pkg.dev/$PROJECT_ID/$REPOSITORY/gcs-rewrite-launcher
  WORKER_ACCOUNT_ID=gcs-rewrite-worker
  WORKER_SA=$WORKER_ACCOUNT_ID@$PROJECT_ID.iam.gserviceaccount.com

  # Network: workers talk to each other on these ports (instances tagged "dataflow").
  FIREWALL_RULE=gcs-rewrite-dataflow-internal
  NETWORK_PATH=projects/$PROJECT_ID/global/networks/$NETWORK
  SUBNETWORK_PATH=regions/$REGION/subnetworks/$SUBNET
}

# default_job_name ENV: the Dataflow job of an environment (launch-template.sh --job-name aside),
# which its dashboard and alert policies watch.
default_job_name() {
  printf 'gcs-rewrite-%s\n' "$1"
}

# The --help lines for the variables every script reads.
describe_common_variables() {
  cat <<'EOF'
Environment:
  PROJECT_ID           required: the Google Cloud project
  REGION               required: where everything lives, e.g. europe-west1
  NETWORK              VPC network of the workers and Memorystore (default: default)
  SUBNET               subnetwork of NETWORK in REGION for the workers (default: default)
EOF
}

# The --help lines for the names of what the scripts create.
describe_names() {
  cat <<'EOF'

Names (derived from PROJECT_ID, in scripts/lib/common.sh):
  environments         dev, prod (pipeline-options/<env>.conf); each has its own
                       subscription, processed bucket and audit topics
  buckets              ${PROJECT_ID}-gcs-rewrite-work, -processed-<env>, -dataflow (staging,
                       temp, templates/gcs-rewrite.json, config/rewrite-rules.txt)
  topics               gcs-rewrite-work-notifications; gcs-rewrite-<env>-processing,
                       gcs-rewrite-<env>-complete, gcs-rewrite-<env>-dead-letters
  subscriptions        gcs-rewrite-work-<env> (the pipelines'), <audit topic>-watch,
                       gcs-rewrite-<env>-dead-letters-replay (read by gcs-rewrite replay)
  Memorystore          gcs-rewrite-claims; secrets gcs-rewrite-redis-auth, gcs-rewrite-redis-ca
  Artifact Registry    gcs-rewrite (docker); image gcs-rewrite-launcher
  service account      gcs-rewrite-worker@${PROJECT_ID}.iam.gserviceaccount.com
  Cloud Monitoring     dashboard "gcs-rewrite <env>"; alert policies "gcs-rewrite <env>: ..."
                       (templates/monitoring/, thresholds in pipeline-options/monitoring/<env>.conf)
EOF
}

# image_tag TAG: sets TAG to TAG, or when empty to the git short commit (with -dirty if tracked
# files changed): the tag build-template.sh gives the launcher image; dies on a tag Docker refuses.
image_tag() {
  TAG=$1
  if [[ -z $TAG ]]; then
    TAG=$(git rev-parse --short HEAD 2>/dev/null) ||
      die "cannot tell the git commit to tag the image with; pass --tag TAG"
    if [[ -n $(git status --porcelain --untracked-files=no 2>/dev/null) ]]; then
      TAG+=-dirty
    fi
  fi
  [[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] ||
    die "--tag '$TAG' is not an image tag (letters, digits, _ . -, at most 128)"
}

# --- dry run and `run` -------------------------------------------------------------------------

# quote_word WORD: sets QUOTED to WORD written so that a shell reads it back as one word; a flag
# keeps its name outside the quotes (--format='value(host)').
quote_word() {
  if [[ $1 =~ ^[A-Za-z0-9_@%+=:,./-]+$ ]]; then
    QUOTED=$1
  elif [[ $1 =~ ^(--[A-Za-z0-9-]+=)(.*)$ ]]; then
    QUOTED="${BASH_REMATCH[1]}'${BASH_REMATCH[2]//\'/\'\\\'\'}'"
  else
    QUOTED="'${1//\'/\'\\\'\'}'"
  fi
}

# quote_command WORD...: sets COMMAND_LINE to the words as one copy-pasteable shell line.
quote_command() {
  local word line=""
  for word in "$@"; do
    quote_word "$word"
    line+="${line:+ }$QUOTED"
  done
  COMMAND_LINE=$line
}

is_dry_run() {
  [[ $DRY_RUN == true ]]
}

# run COMMAND...: in a dry run, prints the command (one line, quoted) on stdout and runs nothing;
# otherwise prints it on stderr with "+ " and runs it.
run() {
  quote_command "$@"
  if is_dry_run; then
    printf '%s\n' "$COMMAND_LINE"
  else
    printf '+ %s\n' "$COMMAND_LINE" >&2
    "$@"
  fi
}

# run_fed_by WHAT SOURCE_ARRAY COMMAND...: runs COMMAND with the output of the command held in
# the array named SOURCE_ARRAY on its stdin, for secret values: they pass through a pipe, never a
# command line, and are never printed. The printed line names the source instead:
#   gcloud secrets versions add ... --data-file=- # stdin: <WHAT from: gcloud ...>
run_fed_by() {
  local what=$1
  local -n source_command=$2
  shift 2
  quote_command "${source_command[@]}"
  local from=$COMMAND_LINE
  quote_command "$@"
  local line="$COMMAND_LINE # stdin: <$what from: $from>"
  if is_dry_run; then
    printf '%s\n' "$line"
    return 0
  fi
  printf '+ %s\n' "$line" >&2
  # The value stays in this shell: printf is a builtin, so it shows on no process's command line.
  local value
  value=$("${source_command[@]}")
  [[ -n $value ]] || refuse "the $what is empty; nothing stored"
  printf '%s\n' "$value" | "$@"
}

# exists COMMAND...: whether a describe/list command succeeds (the resource exists). Never called
# in a dry run, which assumes nothing exists.
exists() {
  "$@" >/dev/null 2>&1
}

# create_unless_exists WHAT DESCRIBE... -- CREATE...: runs CREATE unless DESCRIBE succeeds. In a
# dry run, prints CREATE without asking.
create_unless_exists() {
  when_existence absent "$@"
}

# delete_if_exists WHAT DESCRIBE... -- DELETE...: runs DELETE only if DESCRIBE succeeds. In a dry
# run, prints DELETE without asking.
delete_if_exists() {
  when_existence present "$@"
}

# when_existence absent|present WHAT DESCRIBE... -- COMMAND...: runs COMMAND when DESCRIBE finds
# the resource absent (or present), else notes that there is nothing to do.
when_existence() {
  local wanted=$1 what=$2
  shift 2
  local -a describe=()
  while [[ $# -gt 0 && $1 != -- ]]; do
    describe+=("$1")
    shift
  done
  shift
  if ! is_dry_run; then
    if exists "${describe[@]}"; then
      if [[ $wanted == absent ]]; then
        note "$what exists"
        return 0
      fi
    elif [[ $wanted == present ]]; then
      note "$what does not exist"
      return 0
    fi
  fi
  run "$@"
}

# --- option sets (pipeline-options/<env>.conf) -------------------------------------------------

# environment_option_set ENV: sets CONF to the option set of environment ENV (the script's
# argument), or dies naming the available ones: ENV must be given, not local (run-local.sh's), and
# have a file in the option sets' folder.
# shellcheck disable=SC2034 # CONF is read by the scripts that source this file
environment_option_set() {
  local environment=$1
  [[ -n $environment ]] ||
    die "name the environment: $SCRIPT_NAME.sh <env> (available: $(available_environments))"
  [[ $environment != local ]] ||
    die "local.conf is for scripts/run-local.sh (available: $(available_environments))"
  CONF=$(options_dir)/$environment.conf
  [[ $environment =~ ^[a-z0-9][a-z0-9_-]{0,62}$ && -f $CONF ]] ||
    die "unknown environment '$environment': no $CONF (available: $(available_environments))"
}

# lookup_redis_host CONF: when the option set CONF names ${REDIS_HOST} and the environment does not
# set it, exports Memorystore's IP, asked of gcloud (a placeholder in a dry run, which asks
# nothing). Needs load_settings first.
lookup_redis_host() {
  [[ -z ${REDIS_HOST:-} ]] && grep -qF "\${REDIS_HOST}" "$1" || return 0
  if is_dry_run; then
    REDIS_HOST='<redis-host>'
  else
    REDIS_HOST=$(gcloud redis instances describe "$REDIS_INSTANCE" --region="$REGION" \
      --project="$PROJECT_ID" --format='value(host)')
    [[ -n $REDIS_HOST ]] || refuse "Memorystore instance $REDIS_INSTANCE has no IP yet"
  fi
  export REDIS_HOST
}

# join_dictionary WHAT ENTRY...: sets JOINED to the entries as one value of a gcloud list or
# dictionary flag. Those split on "," and values hold commas (rewriteRules=AWS=GCP,S3=GCS) and
# "=": an alternate delimiter, "^~^name=value~name=value" (gcloud topic escaping); an entry
# holding the delimiter is refused, naming WHAT, rather than split.
DELIMITER='~'
# shellcheck disable=SC2034 # JOINED is read by the scripts that source this file
join_dictionary() {
  local what=$1 entry joined=""
  shift
  for entry in "$@"; do
    [[ $entry != *"$DELIMITER"* ]] ||
      die "$what: ${entry%%=*} holds '$DELIMITER', which separates the entries given to gcloud"
    joined+="${joined:+$DELIMITER}$entry"
  done
  JOINED="^$DELIMITER^$joined"
}

# The folder of the option sets; PIPELINE_OPTIONS_DIR overrides it.
options_dir() {
  printf '%s\n' "${PIPELINE_OPTIONS_DIR:-pipeline-options}"
}

# read_option_set FILE: sets OPTION_SET to the file's options, each "name=value" in file order.
# Format (pipeline-options/README.md): one name=value per line; the value is everything after
# the first "=", literal except that ${NAME} is replaced by the environment variable NAME (not
# rescanned); blank lines and lines starting with "#" are ignored. Any problem is one line naming
# the file and the line.
read_option_set() {
  local file=$1 line name value number=0
  local -A first_line=()
  OPTION_SET=()
  [[ -f $file ]] || die "$file: no such option set"
  while IFS= read -r line || [[ -n $line ]]; do
    number=$((number + 1))
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    [[ $line == *=* ]] || die "$file:$number: expected name=value, not '$line'"
    name=${line%%=*}
    value=${line#*=}
    [[ $name =~ ^[A-Za-z][A-Za-z0-9]*$ ]] ||
      die "$file:$number: '$name' is not an option name (letters and digits, as in templates/metadata.json)"
    [[ -z ${first_line[$name]:-} ]] ||
      die "$file:$number: $name is set twice (first on line ${first_line[$name]})"
    first_line[$name]=$number
    expand_variables "$value" "$file:$number"
    OPTION_SET+=("$name=$EXPANDED")
  done <"$file"
}

# expand_variables TEXT WHERE [ADVICE]: sets EXPANDED to TEXT with each ${NAME} replaced by the
# environment variable NAME; an unset one is an error naming WHERE and the variable, then ADVICE
# (default: "export NAME first").
expand_variables() {
  local rest=$1 where=$2 advice=${3:-} out="" reference variable
  while [[ $rest =~ \$\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; do
    reference=${BASH_REMATCH[0]}
    variable=${BASH_REMATCH[1]}
    is_exported "$variable" ||
      die "$where: \${$variable} is not set; ${advice:-export $variable first}"
    out+=${rest%%"$reference"*}${!variable}
    rest=${rest#*"$reference"}
  done
  EXPANDED=$out$rest
}

# Whether NAME is an environment variable (exported), as opposed to unset or a shell variable.
# Read without a subshell: it runs once per placeholder of every rendered template.
is_exported() {
  [[ -v $1 ]] || return 1
  local attributes=${!1@a}
  [[ $attributes == *x* ]]
}

# The environments with an option set, for messages: "dev, prod".
available_environments() {
  local file names=() dir
  dir=$(options_dir)
  for file in "$dir"/*.conf; do
    [[ -f $file ]] || continue
    file=${file##*/}
    file=${file%.conf}
    [[ $file == local ]] || names+=("$file")
  done
  local joined=""
  for file in "${names[@]}"; do
    joined+="${joined:+, }$file"
  done
  printf '%s\n' "${joined:-none}"
}
