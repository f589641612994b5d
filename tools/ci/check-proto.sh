#!/usr/bin/env bash
# buf lint; buf breaking against the previous commit; generated TypeScript must match the proto.
set -euo pipefail
npx buf lint proto
if git rev-parse -q --verify HEAD~1 >/dev/null && git cat-file -e HEAD~1:proto/buf.yaml 2>/dev/null; then
  npx buf breaking proto --against ".git#ref=HEAD~1,subdir=proto"
  echo "buf breaking: no breaking change against HEAD~1"
else
  echo "buf breaking: no proto in the previous commit, nothing to compare"
fi
npm run --silent proto:generate
if ! git diff --quiet -- libs/contracts/src/gen || [ -n "$(git ls-files --others --exclude-standard libs/contracts/src/gen)" ]; then
  echo "libs/contracts/src/gen is stale: run 'npm run proto:generate' and commit the result" >&2
  git --no-pager diff --stat -- libs/contracts/src/gen >&2
  exit 1
fi
echo "generated code is current"
