#!/usr/bin/env bash
# For each finding of an `oktaform drift --format json` report: opens an issue titled with the
# finding's fingerprint, or updates the open one with that fingerprint (never a second).
# Needs: gh (authenticated by GH_TOKEN), GH_REPO=owner/name, jq.
set -euo pipefail
report=${1:?usage: drift-issues.sh DRIFT_JSON}
label=oktaform-drift
count=$(jq '.findings | length' "$report")
if [ "$count" -eq 0 ]; then
  echo "no drift"
  exit 0
fi
open=$(gh api "repos/$GH_REPO/issues?labels=$label&state=open" --paginate --jq '.[] | [.number, .title] | @tsv')
for i in $(seq 0 $((count - 1))); do
  finding=$(jq -c ".findings[$i]" "$report")
  fingerprint=$(jq -r '.fingerprint' <<< "$finding")
  subject=$(jq -r '.subject | [.kind, (.app // empty), (.name // .property // .login // .group // empty)] | join(" ")' <<< "$finding")
  title="oktaform drift: $subject [$fingerprint]"
  body=$(jq -r --arg org "$(jq -r .org "$report")" '
    "Drift in `\($org)`: **\(.action)** \(.subject.kind) (\(if .console then "Admin Console only" else "`oktaform apply` restores it" end)).\n\n" +
    ((.fields // []) | map("- \(.field): \(.before) → \(.after)") | join("\n")) +
    "\n\n" + ((.events // []) | map("- by \(.actor) at \(.published) (\(.via)): \(.event_type)") | join("\n")) +
    "\n\nFingerprint `\(.fingerprint)`: the same drift keeps it; this issue is updated while it lasts."' <<< "$finding")
  number=$(printf '%s\n' "$open" | awk -F '\t' -v fp="[$fingerprint]" 'index($2, fp) { print $1; exit }')
  if [ -n "$number" ]; then
    gh api -X PATCH "repos/$GH_REPO/issues/$number" -f body="$body" > /dev/null
    echo "updated #$number ($fingerprint)"
  else
    gh api -X POST "repos/$GH_REPO/issues" -f title="$title" -f body="$body" -f "labels[]=$label" > /dev/null
    echo "opened an issue for $fingerprint"
  fi
done
