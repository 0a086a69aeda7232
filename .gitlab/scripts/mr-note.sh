#!/usr/bin/env bash
# Posts BODY_FILE as the merge request's oktaform note, or updates the one posted before
# (found by its first line). Needs: curl, jq, GITLAB_API_TOKEN and GitLab's CI_API_V4_URL,
# CI_PROJECT_ID, CI_MERGE_REQUEST_IID.
set -euo pipefail
body_file=${1:?usage: mr-note.sh BODY_FILE}
marker='<!-- oktaform-plan -->'
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID/merge_requests/$CI_MERGE_REQUEST_IID/notes"
body=$(mktemp)
printf '%s\n\n%s\n' "$marker" "$(cat "$body_file")" > "$body"
existing=$(curl -sSf -H "PRIVATE-TOKEN: $GITLAB_API_TOKEN" "$api?per_page=100" \
  | jq -r --arg m "$marker" '.[] | select(.body | startswith($m)) | .id' | head -n 1)
if [ -n "$existing" ]; then
  curl -sSf -X PUT -H "PRIVATE-TOKEN: $GITLAB_API_TOKEN" --data-urlencode "body@$body" "$api/$existing" > /dev/null
  echo "updated note $existing"
else
  curl -sSf -X POST -H "PRIVATE-TOKEN: $GITLAB_API_TOKEN" --data-urlencode "body@$body" "$api" > /dev/null
  echo "posted a note on !$CI_MERGE_REQUEST_IID"
fi
