#!/usr/bin/env bash
# Launches the gcs-rewrite flex template on Dataflow with the option set of an environment
# (pipeline-options/<env>.conf), or replaces the running job in place with --update.
#
#   scripts/launch-template.sh dev                  start gcs-rewrite-dev
#   scripts/launch-template.sh prod --update        replace the running gcs-rewrite-prod in place
#   scripts/launch-template.sh dev --dry-run        the command, nothing run
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=launch-template
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source scripts/lib/common.sh

usage() {
  cat <<'EOF'
usage: scripts/launch-template.sh <env> [--update] [--job-name NAME] [--dry-run] [--help]

Runs the flex template gs://${PROJECT_ID}-gcs-rewrite-dataflow/templates/gcs-rewrite.json (made
by scripts/build-template.sh) as a streaming job with Streaming Engine, as the worker service
account, on SUBNET without public IPs, with every option of pipeline-options/<env>.conf as a
template parameter. The job is labelled app=gcs-rewrite and environment=<env>.

Arguments:
  <env>            an option set: pipeline-options/<env>.conf (dev, prod, ...)
  --update         replace the running job of that name in place, keeping its state; step
                   renames come from templates/transform-mapping.json (old name -> new name)
  --job-name NAME  the job's name (default: gcs-rewrite-<env>)
  --dry-run        print the command, shell-quoted; run nothing (not even the REDIS_HOST lookup)
  --help           this text

EOF
  describe_common_variables
  cat <<'EOF'
  REDIS_HOST           Memorystore's IP for ${REDIS_HOST} in the option set (default: looked up
                       with gcloud redis instances describe gcs-rewrite-claims)
  MAX_WORKERS          the most workers autoscaling may use (default: 5)
  WORKER_MACHINE_TYPE  the workers' machine type (default: n2-standard-2)
  PIPELINE_OPTIONS_DIR where the option sets are (default: pipeline-options)
  TRANSFORM_MAPPING_FILE
                       the step renames for --update (default: templates/transform-mapping.json)
  and any other variable an option set names as ${NAME}.
EOF
  describe_names
  cat <<'EOF'

The caller needs roles/dataflow.developer and roles/iam.serviceAccountUser on the worker service
account (gcs-rewrite-worker@${PROJECT_ID}.iam.gserviceaccount.com).
EOF
}

environment=""
update=false
job_name=""
while (($# > 0)); do
  case $1 in
    --update) update=true ;;
    --job-name)
      (($# >= 2)) || die "--job-name needs a value"
      job_name=$2
      shift
      ;;
    --job-name=*) job_name=${1#*=} ;;
    --dry-run) DRY_RUN=true ;;
    --help | -h)
      usage
      exit 0
      ;;
    -*) die "unknown argument '$1' (see --help)" ;;
    *)
      [[ -z $environment ]] || die "one environment only, not '$environment' and '$1'"
      environment=$1
      ;;
  esac
  shift
done

load_settings
project=--project=$PROJECT_ID
environment_option_set "$environment"
conf=$CONF
job_name=${job_name:-$(default_job_name "$environment")}
[[ $job_name =~ ^[a-z]([-a-z0-9]{0,62}[a-z0-9])?$ ]] ||
  die "job name '$job_name': lowercase letters, digits and hyphens, starting with a letter"
MAX_WORKERS=${MAX_WORKERS:-5}
[[ $MAX_WORKERS =~ ^[1-9][0-9]{0,3}$ ]] || die "MAX_WORKERS '$MAX_WORKERS' is not a number of workers"
WORKER_MACHINE_TYPE=${WORKER_MACHINE_TYPE:-n2-standard-2}
[[ $WORKER_MACHINE_TYPE =~ ^[a-z0-9][-a-z0-9]*$ ]] ||
  die "WORKER_MACHINE_TYPE '$WORKER_MACHINE_TYPE' is not a machine type such as n2-standard-2"

lookup_redis_host "$conf"

read_option_set "$conf"
((${#OPTION_SET[@]} > 0)) || die "$conf sets no options"
join_dictionary "$conf" "${OPTION_SET[@]}"
parameters=$JOINED

# No --additional-experiments: Streaming Engine has its own flag, exactly-once is the template's
# default streaming mode (templates/metadata.json), and Dataflow picks the runner itself.
command=(gcloud dataflow flex-template run "$job_name" "$project" --region="$REGION"
  --template-file-gcs-location="$TEMPLATE_FILE"
  --parameters="$parameters"
  --enable-streaming-engine
  --service-account-email="$WORKER_SA"
  --subnetwork="$SUBNETWORK_PATH" --disable-public-ips
  --staging-location="$STAGING_LOCATION" --temp-location="$TEMP_LOCATION"
  --max-workers="$MAX_WORKERS" --worker-machine-type="$WORKER_MACHINE_TYPE"
  --additional-user-labels="app=gcs-rewrite,environment=$environment")

# --- --update: the step renames ------------------------------------------------------------------

# read_transform_mappings FILE: sets MAPPINGS to "old=new" for each member of FILE's JSON object
# of strings ({"OldStep": "NewStep", ...}); escapes \" \\ \/ only, which step names never need
# more than.
read_transform_mappings() {
  local file=$1 rest key
  MAPPINGS=()
  [[ -f $file ]] || die "$file: no such file"
  rest=$(<"$file")
  json_expect '{' "$file"
  json_space
  if [[ $rest == "}"* ]]; then
    rest=${rest:1}
  else
    while true; do
      json_string "$file"
      key=$JSON_STRING
      [[ -n $key && $key != *=* ]] || die "$file: '$key' is not a step name"
      json_expect ':' "$file"
      json_string "$file"
      [[ -n $JSON_STRING ]] || die "$file: the new name of '$key' is empty"
      MAPPINGS+=("$key=$JSON_STRING")
      json_space
      case $rest in
        ,*) rest=${rest:1} ;;
        "}"*)
          rest=${rest:1}
          break
          ;;
        *) die "$file: expected ',' or '}' after \"$key\"" ;;
      esac
    done
  fi
  json_space
  [[ -z $rest ]] || die "$file: text after the object: $(json_near)"
}
# Helpers of read_transform_mappings; they consume its variable "rest".
json_near() {
  if [[ -z $rest ]]; then
    echo "the end"
  else
    echo "'${rest:0:20}'"
  fi
}
json_space() {
  [[ $rest =~ ^[[:space:]]* ]]
  rest=${rest:${#BASH_REMATCH[0]}}
}
json_expect() {
  json_space
  [[ $rest == "$1"* ]] || die "$2: expected '$1' at $(json_near)"
  rest=${rest:1}
}
json_string() {
  local pattern='^"(([^"\\]|\\.)*)"' raw
  json_space
  [[ $rest =~ $pattern ]] || die "$1: expected a \"string\" at $(json_near)"
  rest=${rest:${#BASH_REMATCH[0]}}
  raw=${BASH_REMATCH[1]}
  JSON_STRING=""
  while [[ $raw == *\\* ]]; do
    JSON_STRING+=${raw%%\\*}
    raw=${raw#*\\}
    case ${raw:0:1} in
      '"' | \\ | /) JSON_STRING+=${raw:0:1} ;;
      *) die "$1: the escape \\${raw:0:1} is not supported in step names" ;;
    esac
    raw=${raw:1}
  done
  JSON_STRING+=$raw
}

if [[ $update == true ]]; then
  command+=(--update)
  mapping_file=${TRANSFORM_MAPPING_FILE:-templates/transform-mapping.json}
  read_transform_mappings "$mapping_file"
  if ((${#MAPPINGS[@]} > 0)); then
    join_dictionary "$mapping_file" "${MAPPINGS[@]}"
    command+=(--transform-name-mappings="$JOINED")
  fi
fi

run "${command[@]}"
