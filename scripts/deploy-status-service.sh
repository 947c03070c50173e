#!/usr/bin/env bash
# Deploys serve-status (the status of objects over HTTP, read-only against Redis) to Cloud Run for
# an environment: the launcher image scripts/build-template.sh built, run as the jar's
# serve-status command with the Redis options of pipeline-options/<env>.conf.
#
#   scripts/deploy-status-service.sh dev                 deploy gcs-rewrite-status-dev
#   scripts/deploy-status-service.sh prod --tag 1a2b3c4  a given image tag
#   scripts/deploy-status-service.sh dev --dry-run       the command, nothing run
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=deploy-status-service
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source scripts/lib/common.sh

MAIN_CLASS=dev.gcsrewrite.cli.GcsRewriteCli
# Where templates/Dockerfile puts the jar in the launcher image.
IMAGE_JAR=/template/gcs-rewrite-bundled.jar
PORT=8080
# The options of an option set that say how to reach Redis: the ones serve-status takes.
REDIS_OPTIONS=(redisHost redisPort redisTls redisCluster redisPasswordSecret redisTlsCaSecret
  keyPrefix)

usage() {
  cat <<'EOF_USAGE'
usage: scripts/deploy-status-service.sh <env> [--tag TAG] [--service NAME] [--dry-run] [--help]

Deploys the Cloud Run service gcs-rewrite-status-<env> from the launcher image
${REGION}-docker.pkg.dev/${PROJECT_ID}/gcs-rewrite/gcs-rewrite-launcher:TAG (made by
scripts/build-template.sh), its command replaced by
  java -cp /template/gcs-rewrite-bundled.jar dev.gcsrewrite.cli.GcsRewriteCli serve-status
    --bind=0.0.0.0 --port=8080 <the Redis options of pipeline-options/<env>.conf>
It is internal (--ingress=internal), needs an identity token (--no-allow-unauthenticated), reaches
Memorystore through Direct VPC egress on NETWORK/SUBNET (private ranges only), and runs as the
worker service account, which may read the Redis AUTH and CA secrets. The service reads Redis only.
Callers need roles/run.invoker on it.

Arguments:
  <env>            an option set: pipeline-options/<env>.conf (dev, prod, ...)
  --tag TAG        the image tag (default: the git short commit, with -dirty if files changed,
                   as scripts/build-template.sh tags it)
  --service NAME   the Cloud Run service (default: gcs-rewrite-status-<env>)
  --dry-run        print the commands (enable the Cloud Run API, deploy), shell-quoted; run
                   nothing (not even the REDIS_HOST lookup)
  --help           this text

EOF_USAGE
  describe_common_variables
  cat <<'EOF_USAGE'
  REDIS_HOST           Memorystore's IP for ${REDIS_HOST} in the option set (default: looked up
                       with gcloud redis instances describe gcs-rewrite-claims)
  STATUS_MAX_INSTANCES the most instances Cloud Run may start (default: 3)
  PIPELINE_OPTIONS_DIR where the option sets are (default: pipeline-options)
EOF_USAGE
  describe_names
  cat <<'EOF_USAGE'

The caller needs roles/run.developer and roles/iam.serviceAccountUser on the worker service
account (gcs-rewrite-worker@${PROJECT_ID}.iam.gserviceaccount.com).
EOF_USAGE
}

environment=""
tag=""
service=""
while (($# > 0)); do
  case $1 in
    --tag)
      (($# >= 2)) || die "--tag needs a value"
      tag=$2
      shift
      ;;
    --tag=*) tag=${1#*=} ;;
    --service)
      (($# >= 2)) || die "--service needs a value"
      service=$2
      shift
      ;;
    --service=*) service=${1#*=} ;;
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
environment_option_set "$environment"
conf=$CONF
service=${service:-gcs-rewrite-status-$environment}
[[ $service =~ ^[a-z]([-a-z0-9]{0,47}[a-z0-9])?$ ]] ||
  die "service name '$service': lowercase letters, digits and hyphens, starting with a letter"
image_tag "$tag"
STATUS_MAX_INSTANCES=${STATUS_MAX_INSTANCES:-3}
[[ $STATUS_MAX_INSTANCES =~ ^[1-9][0-9]{0,2}$ ]] ||
  die "STATUS_MAX_INSTANCES '$STATUS_MAX_INSTANCES' is not a number of instances"

lookup_redis_host "$conf"
read_option_set "$conf"

# The command's arguments: the class path and command, then the option set's Redis options only
# (the rest are the pipeline's), as --name=value.
arguments=(-cp "$IMAGE_JAR" "$MAIN_CLASS" serve-status --bind=0.0.0.0 "--port=$PORT")
for option in "${OPTION_SET[@]}"; do
  for name in "${REDIS_OPTIONS[@]}"; do
    [[ ${option%%=*} != "$name" ]] || arguments+=("--$option")
  done
done
[[ " ${arguments[*]} " == *" --redisHost="* ]] || die "$conf sets no redisHost"
# --args is a list flag: split on ",", so joined with the alternate delimiter as --parameters is.
join_dictionary "$conf" "${arguments[@]}"

# Cloud Run is the one API setup-gcp.sh does not enable: only this optional service needs it.
run gcloud services enable run.googleapis.com --project="$PROJECT_ID"
run gcloud run deploy "$service" --project="$PROJECT_ID" --region="$REGION" \
  --image="$IMAGE_NAME:$TAG" \
  --command=java --args="$JOINED" --port="$PORT" \
  --service-account="$WORKER_SA" \
  --ingress=internal --no-allow-unauthenticated \
  --network="$NETWORK" --subnet="$SUBNET" --vpc-egress=private-ranges-only \
  --cpu=1 --memory=512Mi --max-instances="$STATUS_MAX_INSTANCES" \
  --labels="app=gcs-rewrite,environment=$environment"
is_dry_run || note "service $service serves status read-only from Redis; GET its URL /v1/health"
