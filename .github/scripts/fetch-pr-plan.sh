#!/usr/bin/env bash
# Downloads the plan saved by the `oktaform plan` run of the pull request merged as
# COMMIT_SHA (artifact oktaform-plan-<number>) to OUT. Fails when there is none: then there
# is nothing reviewed to apply.
# Needs: gh (authenticated by GH_TOKEN), GH_REPO=owner/name, COMMIT_SHA.
set -euo pipefail
out=${1:?usage: fetch-pr-plan.sh OUT}
pr=$(gh api "repos/$GH_REPO/commits/$COMMIT_SHA/pulls" --jq '.[0].number // empty')
if [ -z "$pr" ]; then
  echo "no pull request merged as $COMMIT_SHA: nothing reviewed to apply" >&2
  exit 1
fi
branch=$(gh api "repos/$GH_REPO/pulls/$pr" --jq '.head.ref')
run=$(gh run list --workflow oktaform-plan.yml --branch "$branch" --status success --limit 1 \
  --json databaseId --jq '.[0].databaseId // empty')
if [ -z "$run" ]; then
  echo "no successful oktaform plan run for #$pr ($branch)" >&2
  exit 1
fi
dir=$(mktemp -d)
gh run download "$run" --name "oktaform-plan-$pr" --dir "$dir"
mv "$dir/plan.json" "$out"
echo "fetched the plan of #$pr (run $run)"
