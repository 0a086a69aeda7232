#!/usr/bin/env bash
# Downloads plan.json of the oktaform-plan job of the merge request merged as CI_COMMIT_SHA
# to OUT. Fails when there is none: then nothing reviewed is there to apply.
# Needs: curl, jq, GITLAB_API_TOKEN, CI_API_V4_URL, CI_PROJECT_ID, CI_COMMIT_SHA.
set -euo pipefail
out=${1:?usage: fetch-mr-plan.sh OUT}
api="$CI_API_V4_URL/projects/$CI_PROJECT_ID"
branch=$(curl -sSf -H "PRIVATE-TOKEN: $GITLAB_API_TOKEN" "$api/repository/commits/$CI_COMMIT_SHA/merge_requests" \
  | jq -r '.[0].source_branch // empty | @uri')
if [ -z "$branch" ]; then
  echo "no merge request merged as $CI_COMMIT_SHA: nothing reviewed to apply" >&2
  exit 1
fi
curl -sSf -H "PRIVATE-TOKEN: $GITLAB_API_TOKEN" -o "$out" "$api/jobs/artifacts/$branch/raw/plan.json?job=oktaform-plan"
echo "fetched the plan of $branch"
