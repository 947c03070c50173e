#!/usr/bin/env bash
# Creates on Google Cloud everything gcs-rewrite needs to run as a Dataflow flex template, and
# skips what exists, so it can run again at any time. Then prints the environment the other
# scripts read.
#
#   export PROJECT_ID=my-project REGION=europe-west1
#   scripts/setup-gcp.sh --dry-run    every command, one per line; nothing runs, not even lookups
#   scripts/setup-gcp.sh              do it (Memorystore takes some minutes to create)
#
# The dashboards and alert policies it applies are rendered into target/monitoring/<env>/ first,
# in a dry run too, so that what would be sent can be read.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=setup-gcp
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source scripts/lib/common.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/monitoring.sh
source scripts/lib/monitoring.sh

usage() {
  cat <<'EOF'
usage: scripts/setup-gcp.sh [--dry-run] [--refresh-secrets] [--help]

Creates what gcs-rewrite needs in PROJECT_ID, in REGION, skipping what exists:
  1. enables the APIs: dataflow, compute, storage, pubsub, redis, secretmanager,
     artifactregistry, cloudbuild, iam, monitoring
  2. network for workers without public IPs: Private Google Access on SUBNET, and a firewall
     rule letting Dataflow workers (tag dataflow) talk to each other on TCP 12345-12346
  3. the work, processed (one per environment) and Dataflow buckets (uniform bucket-level
     access, in REGION)
  4. the topics, the pipelines' subscriptions (one per environment; ack deadline 60 s,
     retention 7 days) and a watch subscription on each audit topic
  5. the work bucket's notifications (OBJECT_FINALIZE, JSON_API_V1) to the notifications topic,
     after letting the Cloud Storage service agent publish there
  6. Memorystore for Redis (standard tier, Redis 7.2, AUTH, TLS), its AUTH string and server CA
     certificate stored in Secret Manager (through stdin, never on a command line)
  7. the Artifact Registry docker repository for the launcher image
  8. the worker service account, with the least privileges the job needs, each on the narrowest
     resource (see the comments in this script)
  9. uploads pipeline-options/rewrite-rules.txt (prod.conf's rewriteRulesFile); run again after
     changing it
 10. Cloud Monitoring, per environment: the dashboard "gcs-rewrite <env>" and seven alert policies
     "gcs-rewrite <env>: ..." (templates/monitoring/, rendered into target/monitoring/<env>/ with
     the thresholds of pipeline-options/monitoring/<env>.conf); each is created, or replaced with
     the repository's when one of its display name exists (edits made in the console are lost)
and prints the environment to export for build-template.sh and launch-template.sh.

Flags:
  --dry-run          print every command, one per line, shell-quoted; run none of them (not even
                     lookups: <placeholders> stand for what a lookup would return)
  --refresh-secrets  store the instance's AUTH string and CA certificate as new secret versions
                     even when the secrets hold one already (after rotating them)
  --help             this text

EOF
  describe_common_variables
  echo "  REDIS_SIZE_GB        Memorystore capacity in GB (default: 1)"
  cat <<'EOF'
  NOTIFICATION_CHANNELS
                       where the alert policies notify: comma-separated channel names,
                       projects/PROJECT/notificationChannels/ID (default: none; incidents
                       still open in the console)
EOF
  describe_names
  cat <<'EOF'

Who runs it needs to administer those services in the project (e.g. roles/owner, or the admin
roles of Service Usage, Compute network and security, Storage, Pub/Sub, Memorystore, Secret
Manager, Artifact Registry, service accounts and project IAM, and roles/monitoring.editor).
Whoever launches the job needs roles/iam.serviceAccountUser on the worker service account, and
roles/dataflow.developer.
EOF
}

refresh_secrets=false
for arg in "$@"; do
  case $arg in
    --dry-run) DRY_RUN=true ;;
    --refresh-secrets) refresh_secrets=true ;;
    --help | -h)
      usage
      exit 0
      ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

load_settings
REDIS_SIZE_GB=${REDIS_SIZE_GB:-1}
[[ $REDIS_SIZE_GB =~ ^[1-9][0-9]{0,2}$ ]] ||
  die "REDIS_SIZE_GB '$REDIS_SIZE_GB' is not a size in GB from 1 to 300"
project=--project=$PROJECT_ID
# Every dashboard and alert policy rendered now, before anything changes: a bad threshold stops it.
for i in "${!ENVIRONMENTS[@]}"; do
  render_monitoring "${ENVIRONMENTS[i]}" "${PIPELINE_SUBSCRIPTIONS[i]}" "${DEAD_LETTER_TOPICS[i]}"
done
note "dashboards and alert policies rendered into $MONITORING_OUTPUT/<env>/ (thresholds:" \
  "$(options_dir)/monitoring/<env>.conf)"

# --- 1. APIs -------------------------------------------------------------------------------------
# Memorystore's default direct peering reaches the VPC by itself: servicenetworking (private
# services access) is not needed.
apis=(dataflow.googleapis.com compute.googleapis.com storage.googleapis.com
  pubsub.googleapis.com redis.googleapis.com secretmanager.googleapis.com
  artifactregistry.googleapis.com cloudbuild.googleapis.com iam.googleapis.com
  monitoring.googleapis.com)
missing=("${apis[@]}")
if ! is_dry_run; then
  enabled=$(gcloud services list --enabled "$project" --format='value(config.name)')
  missing=()
  for api in "${apis[@]}"; do
    grep -qxF "$api" <<<"$enabled" || missing+=("$api")
  done
fi
if ((${#missing[@]} > 0)); then
  run gcloud services enable "${missing[@]}" "$project"
else
  note "the APIs are enabled"
fi

# --- 2. network ----------------------------------------------------------------------------------
# Workers run without external IPs (launch-template.sh --disable-public-ips): Private Google
# Access lets them reach Google APIs (Pub/Sub, Cloud Storage, Secret Manager, Artifact Registry).
private_access=False
if ! is_dry_run; then
  private_access=$(gcloud compute networks subnets describe "$SUBNET" --region="$REGION" \
    "$project" --format='value(privateIpGoogleAccess)')
fi
if [[ $private_access == True ]]; then
  note "Private Google Access is on for subnet $SUBNET"
else
  run gcloud compute networks subnets update "$SUBNET" --region="$REGION" "$project" \
    --enable-private-ip-google-access
fi
# Dataflow workers exchange data on TCP 12345-12346; Memorystore (direct peering) needs no rule.
create_unless_exists "firewall rule $FIREWALL_RULE" \
  gcloud compute firewall-rules describe "$FIREWALL_RULE" "$project" -- \
  gcloud compute firewall-rules create "$FIREWALL_RULE" "$project" --network="$NETWORK" \
  --direction=INGRESS --action=ALLOW --rules=tcp:12345-12346 \
  --source-tags=dataflow --target-tags=dataflow \
  --description='gcs-rewrite: Dataflow workers talk to each other'

# --- 3. buckets ----------------------------------------------------------------------------------
for bucket in "${BUCKETS[@]}"; do
  soft_delete=()
  if [[ $bucket != "$WORK_BUCKET" ]]; then
    # FileIO writes each output as a temporary object, copies it into place and deletes the
    # temporary one; Dataflow's temp files come and go too. Soft delete would keep (and bill)
    # every deleted one for 7 days.
    soft_delete=(--soft-delete-duration=0)
  fi
  create_unless_exists "bucket gs://$bucket" \
    gcloud storage buckets describe "gs://$bucket" "$project" -- \
    gcloud storage buckets create "gs://$bucket" "$project" --location="$REGION" \
    --uniform-bucket-level-access --public-access-prevention "${soft_delete[@]}"
done

# --- 4. topics and subscriptions -----------------------------------------------------------------
for topic in "$NOTIFICATIONS_TOPIC" "${AUDIT_TOPICS[@]}"; do
  create_unless_exists "topic $topic" \
    gcloud pubsub topics describe "$topic" "$project" -- \
    gcloud pubsub topics create "$topic" "$project"
done
# The pipelines' (one per environment): a minute to acknowledge (Dataflow extends it while it works), a week to catch
# up after an outage, and never removed for inactivity.
for subscription in "${PIPELINE_SUBSCRIPTIONS[@]}"; do
  create_unless_exists "subscription $subscription" \
    gcloud pubsub subscriptions describe "$subscription" "$project" -- \
    gcloud pubsub subscriptions create "$subscription" "$project" \
    --topic="$NOTIFICATIONS_TOPIC" --ack-deadline=60 --message-retention-duration=7d \
    --expiration-period=never
done
# One per audit topic, to read its events (gcloud pubsub subscriptions pull ...).
for topic in "${AUDIT_TOPICS[@]}"; do
  create_unless_exists "subscription $topic$WATCH_SUFFIX" \
    gcloud pubsub subscriptions describe "$topic$WATCH_SUFFIX" "$project" -- \
    gcloud pubsub subscriptions create "$topic$WATCH_SUFFIX" "$project" --topic="$topic" \
    --ack-deadline=60 --message-retention-duration=7d --expiration-period=never
done
# One per dead-letter topic for replays alone (gcs-rewrite replay --from=...-replay).
for topic in "${DEAD_LETTER_TOPICS[@]}"; do
  create_unless_exists "subscription $topic$REPLAY_SUFFIX" \
    gcloud pubsub subscriptions describe "$topic$REPLAY_SUFFIX" "$project" -- \
    gcloud pubsub subscriptions create "$topic$REPLAY_SUFFIX" "$project" --topic="$topic" \
    --ack-deadline=60 --message-retention-duration=7d --expiration-period=never
done

# --- 5. the work bucket's notifications ----------------------------------------------------------
storage_agent='<storage-service-agent>'
if ! is_dry_run; then
  storage_agent=$(gcloud storage service-agent "$project")
fi
# Cloud Storage publishes the notifications as its service agent.
run gcloud pubsub topics add-iam-policy-binding "$NOTIFICATIONS_TOPIC" "$project" \
  --member="serviceAccount:$storage_agent" --role=roles/pubsub.publisher --format=none
notification_topic=projects/$PROJECT_ID/topics/$NOTIFICATIONS_TOPIC
configured=""
if ! is_dry_run; then
  configured=$(gcloud storage buckets notifications list "gs://$WORK_BUCKET" "$project" \
    --format="value('Notification Configuration'.topic)")
fi
if grep -q "/$notification_topic\$" <<<"$configured"; then
  note "gs://$WORK_BUCKET already notifies $notification_topic"
else
  run gcloud storage buckets notifications create "gs://$WORK_BUCKET" "$project" \
    --topic="$notification_topic" --event-types=OBJECT_FINALIZE --payload-format=json \
    --skip-topic-setup
fi

# --- 6. Memorystore and its secrets --------------------------------------------------------------
# Standard tier: a replica in another zone, with failover. RDB snapshots: a restart does not
# forget the settled generations. noeviction: a full Redis refuses writes (the pipeline retries
# and waits, visibly) instead of silently evicting claims, which all carry a TTL.
create_unless_exists "Memorystore instance $REDIS_INSTANCE" \
  gcloud redis instances describe "$REDIS_INSTANCE" --region="$REGION" "$project" -- \
  gcloud redis instances create "$REDIS_INSTANCE" --region="$REGION" "$project" \
  --tier=standard --size="$REDIS_SIZE_GB" --redis-version=redis_7_2 \
  --network="$NETWORK_PATH" --connect-mode=direct-peering \
  --enable-auth --transit-encryption-mode=server-authentication \
  --persistence-mode=rdb --rdb-snapshot-period=1h \
  --redis-config=maxmemory-policy=noeviction --display-name='gcs-rewrite claims'

for secret in "${SECRETS[@]}"; do
  create_unless_exists "secret $secret" \
    gcloud secrets describe "$secret" "$project" -- \
    gcloud secrets create "$secret" "$project" --replication-policy=automatic
done

# store_secret WHAT SECRET SOURCE_ARRAY: adds the source command's output as a new version, unless
# the secret holds an enabled version already (and --refresh-secrets was not given).
store_secret() {
  local what=$1 secret=$2 source_array=$3
  if ! is_dry_run && [[ $refresh_secrets == false ]]; then
    local version
    version=$(gcloud secrets versions list "$secret" "$project" --filter=state:ENABLED \
      --limit=1 --format='value(name)')
    if [[ -n $version ]]; then
      note "secret $secret holds a value (--refresh-secrets stores the current one)"
      return 0
    fi
  fi
  run_fed_by "$what" "$source_array" \
    gcloud secrets versions add "$secret" "$project" --data-file=-
}
# shellcheck disable=SC2034 # read by run_fed_by through a name reference
auth_source=(gcloud redis instances get-auth-string "$REDIS_INSTANCE" --region="$REGION"
  "$project" --format='value(authString)')
# shellcheck disable=SC2034 # read by run_fed_by through a name reference
ca_source=(gcloud redis instances describe "$REDIS_INSTANCE" --region="$REGION" "$project"
  --format='value(serverCaCerts[0].cert)')
store_secret "auth string" "$REDIS_AUTH_SECRET" auth_source
store_secret "CA certificate" "$REDIS_CA_SECRET" ca_source

# --- 7. Artifact Registry ------------------------------------------------------------------------
create_unless_exists "repository $REPOSITORY" \
  gcloud artifacts repositories describe "$REPOSITORY" --location="$REGION" "$project" -- \
  gcloud artifacts repositories create "$REPOSITORY" --location="$REGION" "$project" \
  --repository-format=docker --description='gcs-rewrite flex template launcher images'

# --- 8. the worker service account and its grants ------------------------------------------------
create_unless_exists "service account $WORKER_SA" \
  gcloud iam service-accounts describe "$WORKER_SA" "$project" -- \
  gcloud iam service-accounts create "$WORKER_ACCOUNT_ID" "$project" \
  --display-name='gcs-rewrite Dataflow worker' \
  --description='Runs the gcs-rewrite Dataflow job: launcher and workers'

# grant ROLE COMMAND...: adds a binding of ROLE for the worker to the resource COMMAND names. A
# new service account can take a moment to be known to IAM everywhere: retried a few times.
grant() {
  local role=$1
  shift
  local -a command=("$@" --member="serviceAccount:$WORKER_SA" --role="$role" --format=none)
  if is_dry_run; then
    run "${command[@]}"
    return 0
  fi
  local attempt
  for attempt in 1 2 3 4 5 6; do
    run "${command[@]}" && return 0
    ((attempt < 6)) || break
    note "retrying in 10 s: a new service account takes a moment to be known everywhere"
    sleep 10
  done
  refuse "could not grant $role to $WORKER_SA"
}

# The project (the only role that needs it): the worker itself. Lease and report work items,
# Streaming Engine, autoscaling, writing its logs and metrics, and reading the bucket metadata
# Beam checks for the staging and temp locations.
grant roles/dataflow.worker gcloud projects add-iam-policy-binding "$PROJECT_ID" --condition=None
# The work bucket: read the sources. Nothing is ever written there.
grant roles/storage.objectViewer \
  gcloud storage buckets add-iam-policy-binding "gs://$WORK_BUCKET" "$project"
# The processed buckets: FileIO writes temporary files, copies them into place, deletes them, and
# replaces the output of an object written again.
for bucket in "${PROCESSED_BUCKETS[@]}"; do
  grant roles/storage.objectAdmin \
    gcloud storage buckets add-iam-policy-binding "gs://$bucket" "$project"
done
# The Dataflow bucket: staged jars and temp files (written and deleted), the template file, and
# config/rewrite-rules.txt (read).
grant roles/storage.objectAdmin \
  gcloud storage buckets add-iam-policy-binding "gs://$DATAFLOW_BUCKET" "$project"
# The pipelines' subscriptions: pull and acknowledge; Dataflow's native Pub/Sub source also reads
# the subscription's metadata (pubsub.subscriptions.get, in roles/pubsub.viewer).
for subscription in "${PIPELINE_SUBSCRIPTIONS[@]}"; do
  grant roles/pubsub.subscriber \
    gcloud pubsub subscriptions add-iam-policy-binding "$subscription" "$project"
  grant roles/pubsub.viewer \
    gcloud pubsub subscriptions add-iam-policy-binding "$subscription" "$project"
done
# The audit topics: publish processing, complete and dead-letter messages. Only these.
for topic in "${AUDIT_TOPICS[@]}"; do
  grant roles/pubsub.publisher gcloud pubsub topics add-iam-policy-binding "$topic" "$project"
done
# The two secrets: each worker reads the AUTH string and the CA certificate when it connects.
for secret in "${SECRETS[@]}"; do
  grant roles/secretmanager.secretAccessor \
    gcloud secrets add-iam-policy-binding "$secret" "$project"
done
# The repository: the flex template's launcher VM runs as the worker and pulls the image.
grant roles/artifactregistry.reader \
  gcloud artifacts repositories add-iam-policy-binding "$REPOSITORY" --location="$REGION" \
  "$project"

# --- 9. configuration ----------------------------------------------------------------------------
run gcloud storage cp pipeline-options/rewrite-rules.txt "$RULES_FILE" "$project"

# --- 10. Cloud Monitoring: dashboards and alert policies -----------------------------------------
# Found by display name, so running this again updates them (thresholds, channels, widgets).
list_dashboards_and_policies
for environment in "${ENVIRONMENTS[@]}"; do
  apply_monitoring "$environment"
done

# --- the environment for the other scripts -------------------------------------------------------
redis_host='<redis-host>'
if ! is_dry_run; then
  redis_host=$(gcloud redis instances describe "$REDIS_INSTANCE" --region="$REGION" "$project" \
    --format='value(host)')
fi
echo "# The environment for scripts/build-template.sh and scripts/launch-template.sh:"
for name in PROJECT_ID REGION NETWORK SUBNET REDIS_HOST; do
  value=${!name:-}
  [[ $name == REDIS_HOST ]] && value=$redis_host
  if [[ $name == NETWORK || $name == SUBNET ]] && [[ $value == default ]]; then
    continue
  fi
  quote_word "$value"
  echo "export $name=$QUOTED"
done
