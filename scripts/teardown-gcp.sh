#!/usr/bin/env bash
# Deletes what scripts/setup-gcp.sh created, in reverse order, after asking; only what exists.
# Refuses while a gcs-rewrite job runs: drain it first.
#
#   scripts/teardown-gcp.sh --dry-run     every delete, one per line; nothing runs
#   scripts/teardown-gcp.sh               asks for the project ID, then deletes
set -euo pipefail
cd "$(dirname "$0")/.."
SCRIPT_NAME=teardown-gcp
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/common.sh
source scripts/lib/common.sh
# shellcheck source-path=SCRIPTDIR
# shellcheck source=lib/monitoring.sh
source scripts/lib/monitoring.sh

usage() {
  cat <<'EOF'
usage: scripts/teardown-gcp.sh [--yes] [--dry-run] [--help]

Deletes, in the reverse order of scripts/setup-gcp.sh and only what exists: each environment's
status service (gcs-rewrite-status-<env>, from scripts/deploy-status-service.sh; one deployed
under another --service name stays), alert policies and dashboard (found by display name), the worker service account and its project
role, the Artifact Registry repository (with its images), the two secrets, the Memorystore instance
(and every claim in it), the work bucket's notification, the subscriptions, the topics, the three
buckets WITH ALL THEIR OBJECTS, and the firewall rule.
Private Google Access on SUBNET and the enabled APIs stay: other things may rely on them.

It refuses while a Dataflow job named gcs-rewrite-* is running in REGION; drain it first
(gcloud dataflow jobs drain JOB_ID --region=REGION), wait until it has drained, run it again.

Flags:
  --yes       do not ask (without it: "Type the project ID to confirm:", and no terminal to ask
              on is a refusal)
  --dry-run   print every delete, one per line, shell-quoted; run none of them, not even the
              lookups (everything is assumed to exist)
  --help      this text

EOF
  describe_common_variables
  describe_names
}

assume_yes=false
for arg in "$@"; do
  case $arg in
    --yes | -y) assume_yes=true ;;
    --dry-run) DRY_RUN=true ;;
    --help | -h)
      usage
      exit 0
      ;;
    *) die "unknown argument '$arg' (see --help)" ;;
  esac
done

load_settings
project=--project=$PROJECT_ID

if ! is_dry_run && [[ $assume_yes == false && ! -t 0 ]]; then
  refuse "no terminal to ask for confirmation on; run it in a terminal, or pass --yes"
fi

# --- running jobs --------------------------------------------------------------------------------
if ! is_dry_run; then
  active=$(gcloud dataflow jobs list "$project" --region="$REGION" --status=active \
    --format='value(id,name)')
  running=""
  while IFS=$'\t' read -r id name; do
    if [[ $name == gcs-rewrite-* ]]; then
      running+="${running:+; }$name ($id): gcloud dataflow jobs drain $id --region=$REGION $project"
    fi
  done <<<"$active"
  [[ -z $running ]] ||
    refuse "a gcs-rewrite job is running; drain it, wait until it has drained, then run this again: $running"
fi

# --- confirmation --------------------------------------------------------------------------------
if ! is_dry_run && [[ $assume_yes == false ]]; then
  cat >&2 <<EOF
This deletes gcs-rewrite from project $PROJECT_ID (region $REGION): the buckets
gs://$WORK_BUCKET, ${PROCESSED_BUCKETS[*]/#/gs://} and gs://$DATAFLOW_BUCKET with all their
objects, the topics and subscriptions, Memorystore instance $REDIS_INSTANCE with every claim,
the secrets, the image repository, the worker service account, the firewall rule, and the
dashboards, alert policies and status services (Cloud Run) of ${ENVIRONMENTS[*]}.
EOF
  printf 'Type the project ID to confirm: ' >&2
  answer=""
  read -r answer || true
  [[ $answer == "$PROJECT_ID" ]] || refuse "'$answer' is not $PROJECT_ID; nothing deleted"
fi

# --- the status services (scripts/deploy-status-service.sh; not a step of setup) -----------------
# First: they run as the worker service account, deleted below.
for ((i = ${#ENVIRONMENTS[@]} - 1; i >= 0; i--)); do
  status_service=gcs-rewrite-status-${ENVIRONMENTS[i]}
  delete_if_exists "Cloud Run service $status_service" \
    gcloud run services describe "$status_service" --region="$REGION" "$project" -- \
    gcloud run services delete "$status_service" --region="$REGION" "$project" --quiet
done

# --- 10. Cloud Monitoring: dashboards and alert policies -----------------------------------------
list_dashboards_and_policies
for ((i = ${#ENVIRONMENTS[@]} - 1; i >= 0; i--)); do
  remove_monitoring "${ENVIRONMENTS[i]}"
done

# --- 8. the worker service account (its resource grants go with the resources) ---------------
project_roles=""
if ! is_dry_run; then
  project_roles=$(gcloud projects get-iam-policy "$PROJECT_ID" --flatten='bindings[].members' \
    --filter="bindings.members:serviceAccount:$WORKER_SA" --format='value(bindings.role)')
fi
if is_dry_run || grep -qxF roles/dataflow.worker <<<"$project_roles"; then
  run gcloud projects remove-iam-policy-binding "$PROJECT_ID" \
    --member="serviceAccount:$WORKER_SA" --role=roles/dataflow.worker --condition=None \
    --format=none
fi
delete_if_exists "service account $WORKER_SA" \
  gcloud iam service-accounts describe "$WORKER_SA" "$project" -- \
  gcloud iam service-accounts delete "$WORKER_SA" "$project" --quiet

# --- 7. Artifact Registry ------------------------------------------------------------------------
delete_if_exists "repository $REPOSITORY" \
  gcloud artifacts repositories describe "$REPOSITORY" --location="$REGION" "$project" -- \
  gcloud artifacts repositories delete "$REPOSITORY" --location="$REGION" "$project" --quiet

# --- 6. secrets and Memorystore ------------------------------------------------------------------
for ((i = ${#SECRETS[@]} - 1; i >= 0; i--)); do
  delete_if_exists "secret ${SECRETS[i]}" \
    gcloud secrets describe "${SECRETS[i]}" "$project" -- \
    gcloud secrets delete "${SECRETS[i]}" "$project" --quiet
done
delete_if_exists "Memorystore instance $REDIS_INSTANCE" \
  gcloud redis instances describe "$REDIS_INSTANCE" --region="$REGION" "$project" -- \
  gcloud redis instances delete "$REDIS_INSTANCE" --region="$REGION" "$project" --quiet

# --- 5. the work bucket's notification -----------------------------------------------------------
notification_topic=projects/$PROJECT_ID/topics/$NOTIFICATIONS_TOPIC
notification_ids=()
if is_dry_run; then
  notification_ids=('<notification-id>')
elif exists gcloud storage buckets describe "gs://$WORK_BUCKET" "$project"; then
  configured=$(gcloud storage buckets notifications list "gs://$WORK_BUCKET" "$project" \
    --format="value('Notification Configuration'.id,'Notification Configuration'.topic)")
  while IFS=$'\t' read -r id topic; do
    [[ -n $id && $topic == */$notification_topic ]] && notification_ids+=("$id")
  done <<<"$configured"
fi
for id in "${notification_ids[@]}"; do
  run gcloud storage buckets notifications delete \
    "projects/_/buckets/$WORK_BUCKET/notificationConfigs/$id" "$project"
done

# --- 4. subscriptions and topics -----------------------------------------------------------------
subscriptions=("${PIPELINE_SUBSCRIPTIONS[@]}")
for topic in "${AUDIT_TOPICS[@]}"; do
  subscriptions+=("$topic$WATCH_SUFFIX")
done
for topic in "${DEAD_LETTER_TOPICS[@]}"; do
  subscriptions+=("$topic$REPLAY_SUFFIX")
done
topics=("$NOTIFICATIONS_TOPIC" "${AUDIT_TOPICS[@]}")
for ((i = ${#subscriptions[@]} - 1; i >= 0; i--)); do
  delete_if_exists "subscription ${subscriptions[i]}" \
    gcloud pubsub subscriptions describe "${subscriptions[i]}" "$project" -- \
    gcloud pubsub subscriptions delete "${subscriptions[i]}" "$project"
done
for ((i = ${#topics[@]} - 1; i >= 0; i--)); do
  delete_if_exists "topic ${topics[i]}" \
    gcloud pubsub topics describe "${topics[i]}" "$project" -- \
    gcloud pubsub topics delete "${topics[i]}" "$project"
done

# --- 3. buckets, with everything in them ---------------------------------------------------------
for ((i = ${#BUCKETS[@]} - 1; i >= 0; i--)); do
  delete_if_exists "bucket gs://${BUCKETS[i]}" \
    gcloud storage buckets describe "gs://${BUCKETS[i]}" "$project" -- \
    gcloud storage rm --recursive "gs://${BUCKETS[i]}" "$project"
done

# --- 2. network ----------------------------------------------------------------------------------
delete_if_exists "firewall rule $FIREWALL_RULE" \
  gcloud compute firewall-rules describe "$FIREWALL_RULE" "$project" -- \
  gcloud compute firewall-rules delete "$FIREWALL_RULE" "$project" --quiet

is_dry_run ||
  note "done; Private Google Access on subnet $SUBNET and the enabled APIs were left as they are"
