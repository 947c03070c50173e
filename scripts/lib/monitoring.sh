# shellcheck shell=bash
# Cloud Monitoring as code, for setup-gcp.sh and teardown-gcp.sh (after scripts/lib/common.sh and
# load_settings): per environment, the dashboard and alert policies of templates/monitoring/,
# rendered with the environment's names and the thresholds of
# pipeline-options/monitoring/<env>.conf into target/monitoring/<env>/, then created, or updated
# in place when one of the same display name exists. The display name is the identity: a template's
# first "displayName" is its dashboard's or policy's, with ${ENVIRONMENT} the only placeholder.

MONITORING_TEMPLATES=templates/monitoring
MONITORING_OUTPUT=target/monitoring

# The thresholds every pipeline-options/monitoring/<env>.conf sets, each "name:kind": a duration
# in whole minutes or hours (alert windows are whole minutes), or a percentage.
THRESHOLDS=(backlogAge:duration dataFreshness:duration deadLetterWindow:duration
  redisMemoryPercent:percent redisOutageFor:duration permanentErrorWindow:duration
  jobDownFor:duration)

# The templates, dashboard first, each relative to the repository.
monitoring_templates() {
  local template
  printf '%s\n' "$MONITORING_TEMPLATES/dashboard.json"
  for template in "$MONITORING_TEMPLATES"/alert-policies/*.json; do
    if [[ -f $template ]]; then
      printf '%s\n' "$template"
    fi
  done
}

# rendered_path TEMPLATE ENV: where TEMPLATE is rendered for ENV.
rendered_path() {
  printf '%s\n' "$MONITORING_OUTPUT/$2/${1#"$MONITORING_TEMPLATES"/}"
}

# template_display_name TEMPLATE ENV: sets DISPLAY_NAME to what TEMPLATE's dashboard or policy is
# called in ENV.
template_display_name() {
  local template=$1 text pattern='"displayName": "([^"]*)"'
  text=$(<"$template")
  [[ $text =~ $pattern ]] || die "$template: no \"displayName\""
  # shellcheck disable=SC2016 # the template's literal ${ENVIRONMENT}, not an expansion
  DISPLAY_NAME=${BASH_REMATCH[1]//'${ENVIRONMENT}'/$2}
  # shellcheck disable=SC2016
  [[ $DISPLAY_NAME != *'${'* ]] ||
    die "$template: its displayName may hold \${ENVIRONMENT} only: it is how setup finds it again"
}

# read_thresholds ENV: sets PLACEHOLDERS (an associative array, declared by the caller) to the
# thresholds of pipeline-options/monitoring/ENV.conf, each as written (BACKLOG_AGE=10m) and as
# the policies use it (BACKLOG_AGE_SECONDS=600, REDIS_MEMORY_RATIO=0.80). Any problem is one line.
read_thresholds() {
  local file entry name kind value number unit known="" placeholder
  file=$(options_dir)/monitoring/$1.conf
  [[ -f $file ]] ||
    die "$file: no thresholds for environment $1 (see pipeline-options/README.md)"
  read_option_set "$file"
  local -A set=()
  for entry in "${OPTION_SET[@]}"; do
    set[${entry%%=*}]=${entry#*=}
  done
  for entry in "${THRESHOLDS[@]}"; do
    known+="${known:+, }${entry%%:*}"
  done
  for name in "${!set[@]}"; do
    [[ " ${THRESHOLDS[*]} " == *" $name:"* ]] ||
      die "$file: '$name' is not a threshold (the thresholds: $known)"
  done
  for entry in "${THRESHOLDS[@]}"; do
    name=${entry%%:*}
    kind=${entry#*:}
    [[ -n ${set[$name]+set} ]] || die "$file: $name is not set (every threshold is: $known)"
    value=${set[$name]}
    placeholder=$(sed -E 's/([A-Z])/_\1/g' <<<"$name" | tr '[:lower:]' '[:upper:]')
    PLACEHOLDERS[$placeholder]=$value
    if [[ $kind == duration ]]; then
      [[ $value =~ ^([1-9][0-9]{0,3})([mh])$ ]] ||
        die "$file: $name '$value' is not a duration in whole minutes or hours, such as 10m or 1h"
      number=${BASH_REMATCH[1]}
      unit=60
      [[ ${BASH_REMATCH[2]} == h ]] && unit=3600
      PLACEHOLDERS[${placeholder}_SECONDS]=$((number * unit))
    else
      [[ $value =~ ^[1-9][0-9]?$ ]] ||
        die "$file: $name '$value' is not a percentage from 1 to 99"
      PLACEHOLDERS[${placeholder%_PERCENT}_RATIO]=$(printf '0.%02d' "$value")
    fi
  done
}

# notification_channels_json: NOTIFICATION_CHANNELS (optional: comma-separated channel names) as a
# JSON array, in CHANNELS_JSON.
notification_channels_json() {
  local channel joined=""
  local pattern='^projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/notificationChannels/[0-9]+$'
  local -a channels=()
  IFS=, read -r -a channels <<<"${NOTIFICATION_CHANNELS:-}"
  for channel in "${channels[@]}"; do
    [[ $channel =~ $pattern ]] ||
      die "NOTIFICATION_CHANNELS: '$channel' is not a channel name such as projects/$PROJECT_ID/notificationChannels/123 (gcloud beta monitoring channels list)"
    joined+="${joined:+,}\"$channel\""
  done
  CHANNELS_JSON="[$joined]"
}

# render_monitoring ENV SUBSCRIPTION DEAD_LETTER_TOPIC: writes every template, rendered for ENV,
# into target/monitoring/ENV/, quietly (the caller says so once all are done). Only the placeholders named here are set while rendering, so a
# template naming any other is an error, not whatever the caller's environment holds.
render_monitoring() {
  local environment=$1 subscription=$2 dead_letter_topic=$3 template output name
  local -A PLACEHOLDERS=()
  read_thresholds "$environment"
  notification_channels_json
  PLACEHOLDERS+=(
    [PROJECT_ID]=$PROJECT_ID [REGION]=$REGION [ENVIRONMENT]=$environment
    [JOB_NAME]=$(default_job_name "$environment") [INPUT_SUBSCRIPTION]=$subscription
    [DEAD_LETTER_TOPIC]=$dead_letter_topic [REDIS_INSTANCE]=$REDIS_INSTANCE
    [REDIS_INSTANCE_ID]=projects/$PROJECT_ID/locations/$REGION/instances/$REDIS_INSTANCE
    [NOTIFICATION_CHANNELS_JSON]=$CHANNELS_JSON
  )
  rm -rf "${MONITORING_OUTPUT:?}/$environment"
  mkdir -p "$MONITORING_OUTPUT/$environment/alert-policies"
  (
    while IFS= read -r name; do
      # shellcheck disable=SC2163 # the variable named by $name
      export -n "$name" 2>/dev/null || true
    done < <(compgen -e)
    for name in "${!PLACEHOLDERS[@]}"; do
      export "$name=${PLACEHOLDERS[$name]}"
    done
    while IFS= read -r template; do
      expand_variables "$(<"$template")" "$template" \
        "it is not a placeholder of scripts/lib/monitoring.sh (render_monitoring)"
      output=$(rendered_path "$template" "$environment")
      printf '%s\n' "$EXPANDED" >"$output"
    done < <(monitoring_templates)
  )
}

# list_monitoring ARRAY COMMAND...: fills the associative array ARRAY (display name -> resource
# names, one per line) from a list command; nothing in a dry run, which looks nothing up.
list_monitoring() {
  local -n names_by_title=$1
  shift
  names_by_title=()
  is_dry_run && return 0
  local listing name title
  listing=$("$@" --format='value(name,displayName)')
  while IFS=$'\t' read -r name title; do
    if [[ -n $name ]]; then
      names_by_title["$title"]+="$name"$'\n'
    fi
  done <<<"$listing"
}

# create_or_update WHAT NAMES GROUP... -- FLAGS...: "GROUP create FLAGS" when NAMES (one per line)
# is empty, "GROUP update NAME FLAGS" for its one name; refuses when several share the name.
create_or_update() {
  local what=$1 names=${2%$'\n'}
  shift 2
  local -a group=()
  while [[ $1 != -- ]]; do
    group+=("$1")
    shift
  done
  shift
  if [[ -z $names ]]; then
    run "${group[@]}" create "$@"
  elif [[ $names == *$'\n'* ]]; then
    refuse "several of $what exist (${names//$'\n'/, }): delete all but one (${group[*]} delete NAME), then run this again"
  else
    note "$what exists: replacing it with the repository's"
    run "${group[@]}" update "$names" "$@"
  fi
}

# delete_all WHAT NAMES GROUP...: "GROUP delete NAME" for each of NAMES (one per line); in a dry
# run, once with a placeholder for the name a lookup would find.
delete_all() {
  local what=$1 names=$2 name
  shift 2
  if is_dry_run; then
    names="<name of $what>"
  elif [[ -z $names ]]; then
    note "$what does not exist"
    return 0
  fi
  while IFS= read -r name; do
    if [[ -n $name ]]; then
      run "$@" delete "$name" --project="$PROJECT_ID" --quiet
    fi
  done <<<"$names"
}

# The dashboards and alert policies that exist, by display name (none in a dry run).
declare -A DASHBOARDS=() ALERT_POLICIES=()
list_dashboards_and_policies() {
  list_monitoring DASHBOARDS gcloud monitoring dashboards list --project="$PROJECT_ID"
  list_monitoring ALERT_POLICIES gcloud alpha monitoring policies list --project="$PROJECT_ID"
}

# apply_monitoring ENV: creates or updates ENV's dashboard (checked by the API first, changing
# nothing) and alert policies from their rendered files.
apply_monitoring() {
  local environment=$1 template file
  while IFS= read -r template; do
    file=$(rendered_path "$template" "$environment")
    template_display_name "$template" "$environment"
    if [[ $template == */dashboard.json ]]; then
      run gcloud monitoring dashboards create --validate-only --config-from-file="$file" \
        --project="$PROJECT_ID"
      create_or_update "dashboard \"$DISPLAY_NAME\"" "${DASHBOARDS[$DISPLAY_NAME]:-}" \
        gcloud monitoring dashboards -- --config-from-file="$file" --project="$PROJECT_ID"
    else
      create_or_update "alert policy \"$DISPLAY_NAME\"" "${ALERT_POLICIES[$DISPLAY_NAME]:-}" \
        gcloud alpha monitoring policies -- --policy-from-file="$file" --project="$PROJECT_ID"
    fi
  done < <(monitoring_templates)
}

# remove_monitoring ENV: deletes ENV's alert policies, then its dashboard, whatever their state.
remove_monitoring() {
  local environment=$1 template
  while IFS= read -r template; do
    template_display_name "$template" "$environment"
    if [[ $template == */dashboard.json ]]; then
      delete_all "dashboard \"$DISPLAY_NAME\"" "${DASHBOARDS[$DISPLAY_NAME]:-}" \
        gcloud monitoring dashboards
    else
      delete_all "alert policy \"$DISPLAY_NAME\"" "${ALERT_POLICIES[$DISPLAY_NAME]:-}" \
        gcloud alpha monitoring policies
    fi
  done < <(monitoring_templates | tac)
}
