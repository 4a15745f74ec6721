#!/usr/bin/env bash
# Regenerates cases/<case>.stdout and cases/<case>.exit for every reference=node case by running it
# with node-run.mjs (Node 20 node:wasi). reference=spec cases are left untouched.
# Usage: ./refresh-expected.sh [case...]   (default: all cases)
set -euo pipefail
cd "$(dirname "$0")"
if [ $# -eq 0 ]; then set -- $(ls cases/*.properties | sed 's#cases/##; s#\.properties$##'); fi
for c in "$@"; do
  ref=$(sed -n 's/^reference[ \t]*[=:][ \t]*//p' "cases/$c.properties" | tr -d '\r')
  if [ "$ref" != node ]; then echo "skip $c (reference=$ref)"; continue; fi
  err=$(mktemp)
  set +e
  node --no-warnings node-run.mjs "$c" > "cases/$c.stdout.tmp" 2> "$err"
  code=$?
  set -e
  if grep -q -e 'OUTSIDE MODIFIED' -e 'node-run: ERROR' "$err"; then
    cat "$err" >&2; rm -f "$err" "cases/$c.stdout.tmp"; echo "FAILED $c" >&2; exit 1
  fi
  [ -s "$err" ] && sed "s/^/  $c stderr: /" "$err" >&2
  rm -f "$err"
  mv "cases/$c.stdout.tmp" "cases/$c.stdout"
  printf '%s' "$code" > "cases/$c.exit"
  echo "ok $c exit=$code"
done
