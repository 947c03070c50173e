#!/usr/bin/env bash
# Builds the bundled jar, the flex template's launcher image, and the template file Dataflow
# launches from (gs://${PROJECT_ID}-gcs-rewrite-dataflow/templates/gcs-rewrite.json).
#
#   scripts/build-template.sh                 image built by Cloud Build (no Docker needed)
#   scripts/build-template.sh --docker        image built and pushed with the local Docker
#   scripts/build-template.sh --print-only    the template spec, offline, nothing built or written
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=build-template
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source scripts/lib/common.sh

MAIN_CLASS=dev.gcsrewrite.cli.GcsRewriteCli
JAR=target/gcs-rewrite-bundled.jar
METADATA=templates/metadata.json

usage() {
  cat <<'EOF'
usage: scripts/build-template.sh [--tag TAG] [--skip-build] [--docker] [--print-only] [--dry-run]
                                 [--help]

Builds target/gcs-rewrite-bundled.jar (mvn -B package -DskipTests), the launcher image
${REGION}-docker.pkg.dev/${PROJECT_ID}/gcs-rewrite/gcs-rewrite-launcher:TAG, and the flex
template file gs://${PROJECT_ID}-gcs-rewrite-dataflow/templates/gcs-rewrite.json with the
parameters of templates/metadata.json. Run scripts/setup-gcp.sh first.

By default gcloud writes the image's Dockerfile (base image JAVA17) and builds it with Cloud
Build: nothing to install locally, and the caller needs to be allowed to run Cloud Build builds.
With --docker, the local Docker builds templates/Dockerfile and pushes it (gcloud auth
configure-docker is run for the registry first).

Flags:
  --tag TAG      the image tag (default: the git short commit, with -dirty if files changed)
  --skip-build   use the jar in target/ as it is
  --docker       build and push the image with the local Docker instead of Cloud Build
  --print-only   print the template spec gcloud would write for the image, validating
                 templates/metadata.json; works offline, builds and uploads nothing
  --dry-run      print every command, one per line, shell-quoted; run none of them
  --help         this text

EOF
  describe_common_variables
  describe_names
}

tag=""
skip_build=false
use_docker=false
print_only=false
while (($# > 0)); do
  case $1 in
    --tag)
      (($# >= 2)) || die "--tag needs a value"
      tag=$2
      shift
      ;;
    --tag=*) tag=${1#*=} ;;
    --skip-build) skip_build=true ;;
    --docker) use_docker=true ;;
    --print-only) print_only=true ;;
    --dry-run) DRY_RUN=true ;;
    --help | -h)
      usage
      exit 0
      ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

load_settings
project=--project=$PROJECT_ID
image_tag "$tag"
image=$IMAGE_NAME:$TAG

if [[ $print_only == true ]]; then
  run gcloud dataflow flex-template build "$TEMPLATE_FILE" "$project" --image="$image" \
    --sdk-language=JAVA --metadata-file="$METADATA" --print-only
  exit 0
fi

if [[ $skip_build == false ]]; then
  run mvn -B package -DskipTests
elif ! is_dry_run && [[ ! -f $JAR ]]; then
  die "--skip-build, but $JAR is missing: build it (mvn -B package -DskipTests) or drop --skip-build"
fi

if [[ $use_docker == true ]]; then
  run gcloud auth configure-docker "$REGION-docker.pkg.dev" --quiet
  run docker build -f templates/Dockerfile -t "$image" .
  run docker push "$image"
  run gcloud dataflow flex-template build "$TEMPLATE_FILE" "$project" --image="$image" \
    --sdk-language=JAVA --metadata-file="$METADATA"
else
  run gcloud dataflow flex-template build "$TEMPLATE_FILE" "$project" \
    --flex-template-base-image=JAVA17 --image-gcr-path="$image" --jar="$JAR" \
    --env=FLEX_TEMPLATE_JAVA_MAIN_CLASS=$MAIN_CLASS --sdk-language=JAVA \
    --metadata-file="$METADATA"
fi
is_dry_run || note "template $TEMPLATE_FILE runs $image"
