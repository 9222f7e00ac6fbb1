#!/usr/bin/env bash
# Runs every fuzz target for a while each (default 60s): the parsers of
# untrusted input (tarballs, registry JSON, package.json, .npmrc, publish
# bodies, ignore rules) and the terminal sanitizer.
#
#   bench/fuzz.sh [DURATION] [PATTERN]     e.g. bench/fuzz.sh 60s 'FuzzRead|FuzzManifest'
set -euo pipefail
cd "$(dirname "$0")/.."
T="${1:-60s}"
PAT="${2:-.}"
fail=0
while IFS=: read -r file name; do
  pkg="./$(dirname "$file")"
  [[ "$name" =~ $PAT ]] || continue
  printf '%-28s %-28s ' "$pkg" "$name"
  if out=$(go test -run '^$' -fuzz "^${name}\$" -fuzztime "$T" "$pkg" 2>&1); then
    echo "ok   $(echo "$out" | grep -o 'execs: [0-9]*' | tail -1)"
  else
    echo "FAIL"; echo "$out" | tail -30; fail=1
  fi
done < <(grep -rlE '^func Fuzz' --include='*_test.go' cmd ui internal | xargs grep -oE '^func Fuzz[A-Za-z0-9_]+' | sed 's/func //')
exit $fail
