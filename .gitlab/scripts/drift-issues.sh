#!/usr/bin/env bash
# For each finding of an `oktaform drift --format json` report: opens an issue titled with the
# finding's fingerprint, or updates the open one with that fingerprint (never a second).
# Needs: curl, jq, GITLAB_API_TOKEN, CI_API_V4_URL, CI_PROJECT_ID.
set -euo pipefail
report=${1:?usage: drift-issues.sh DRIFT_JSON}
label=oktaform-drift
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/issues"
count=$(jq '.findings | length' "$report")
if [ "$count" -eq 0 ]; then
  echo "no drift"
  exit 0
fi
open=$(curl -sSf -H "PRIVATE-TOKEN: $GITLAB_API_TOKEN" "$api?labels=$label&state=opened&per_page=100" \
  | jq -r '.[] | [.iid, .title] | @tsv')
body=$(mktemp)
for i in $(seq 0 $((count - 1))); do
  finding=$(jq -c ".findings[$i]" "$report")
  fingerprint=$(jq -r '.fingerprint' <<< "$finding")
  subject=$(jq -r '.subject | [.kind, (.app // empty), (.name // .property // .login // .group // empty)] | join(" ")' <<< "$finding")
  jq -r --arg org "$(jq -r .org "$report")" '
    "Drift in `\($org)`: **\(.action)** \(.subject.kind) (\(if .console then "Admin Console only" else "`oktaform apply` restores it" end)).\n\n" +
    ((.fields // []) | map("- \(.field): \(.before) → \(.after)") | join("\n")) +
    "\n\n" + ((.events // []) | map("- by \(.actor) at \(.published) (\(.via)): \(.event_type)") | join("\n")) +
    "\n\nFingerprint `\(.fingerprint)`: the same drift keeps it; this issue is updated while it lasts."' <<< "$finding" > "$body"
  iid=$(printf '%s\n' "$open" | awk -F '\t' -v fp="[$fingerprint]" 'index($2, fp) { print $1; exit }')
  if [ -n "$iid" ]; then
    curl -sSf -X PUT -H "PRIVATE-TOKEN: $GITLAB_API_TOKEN" --data-urlencode "description@$body" "$api/$iid" > /dev/null
    echo "updated #$iid ($fingerprint)"
  else
    curl -sSf -X POST -H "PRIVATE-TOKEN: $GITLAB_API_TOKEN" \
      --data-urlencode "title=oktaform drift: $subject [$fingerprint]" \
      --data-urlencode "description@$body" --data-urlencode "labels=$label" "$api" > /dev/null
    echo "opened an issue for $fingerprint"
  fi
done
