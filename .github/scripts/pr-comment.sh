#!/usr/bin/env bash
# Posts BODY_FILE as the pull request's oktaform comment, or updates the one posted before
# (found by its first line), so each push edits one comment instead of adding another.
# Needs: gh (authenticated by GH_TOKEN), GH_REPO=owner/name, PR_NUMBER.
set -euo pipefail
body_file=${1:?usage: pr-comment.sh BODY_FILE}
marker='<!-- oktaform-plan -->'
body=$(printf '%s\n\n%s\n' "$marker" "$(cat "$body_file")")
existing=$(gh api "repos/$GH_REPO/issues/$PR_NUMBER/comments" --paginate \
  --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)
if [ -n "$existing" ]; then
  gh api -X PATCH "repos/$GH_REPO/issues/comments/$existing" -f body="$body" > /dev/null
  echo "updated comment $existing"
else
  gh api -X POST "repos/$GH_REPO/issues/$PR_NUMBER/comments" -f body="$body" > /dev/null
  echo "posted a comment on #$PR_NUMBER"
fi
