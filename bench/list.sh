#!/usr/bin/env bash
# bench/list.sh: `stagegate list --json` vs `npm stage list --json` on the
# embedded registry with 1,000 staged items (architecture.md §6: stagegate
# must be at least 5x faster). Prints both medians and the ratio.
#
#   bench/list.sh                 # 1,000 items, 10 timed runs each
#   ITEMS=300 RUNS=5 bench/list.sh
#   STAGEGATE_NPM=/path/to/npm bench/list.sh
#
# Uses hyperfine when installed (apt-get install -y hyperfine), else a
# plain loop of RUNS runs with the median computed here. Exits 1 when the
# two commands do not print the same items, and with MIN_RATIO set (e.g.
# MIN_RATIO=5) when stagegate is less than that many times faster.
set -euo pipefail
cd "$(dirname "$0")/.."

ITEMS="${ITEMS:-1000}"
RUNS="${RUNS:-10}"
MIN_RATIO="${MIN_RATIO:-}"  # HYPERFINE=0 forces the shell loop
export PATH="/usr/local/go/bin:$PATH"

work="$(mktemp -d)"
reg_pid=""
cleanup() {
  if [ -n "$reg_pid" ]; then
    kill -INT "$reg_pid" 2>/dev/null || true
    wait "$reg_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- npm >= 11.15, looked up in the same order as the conformance tests.
npm_ok() {
  local v
  v="$("$1" --version 2>/dev/null)" || return 1
  node -e 'const [a,b]=process.argv[1].split(".").map(Number); process.exit(a>11||(a===11&&b>=15)?0:1)' "$v"
}
NPM=""
for cand in "${STAGEGATE_NPM:-}" .cache/npm/bin/npm "$(command -v npm || true)"; do
  if [ -n "$cand" ] && [ -x "$cand" ] && npm_ok "$cand"; then NPM="$(cd "$(dirname "$cand")" && pwd)/$(basename "$cand")"; break; fi
  if [ -n "${STAGEGATE_NPM:-}" ] && [ "$cand" = "$STAGEGATE_NPM" ]; then echo "STAGEGATE_NPM=$cand is not npm >= 11.15" >&2; exit 1; fi
done
[ -n "$NPM" ] || { echo "no npm >= 11.15 found (run make setup)" >&2; exit 1; }

# Build first: go finds its module and build caches through HOME, which is
# replaced below.
echo "building stagegate and seedstage…" >&2
go build -trimpath -o "$work/stagegate" ./cmd/stagegate
go build -trimpath -o "$work/seedstage" ./internal/conformance/cmd/seedstage

# --- an isolated environment: no inherited npm configuration or tokens.
while IFS= read -r v; do unset "$v"; done < <(compgen -e | grep -iE '^(npm_config_|node_auth_token$|npm_token$)' || true)
export HOME="$work/home" NO_COLOR=1
export npm_config_cache="$work/npm-cache" npm_config_globalconfig="$work/no-global-npmrc"
export npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false npm_config_progress=false
mkdir -p "$HOME"

# --- the embedded registry; its start line carries the token, so it stays in a file.
"$work/stagegate" registry --listen 127.0.0.1:0 --json --seed none >"$work/start.json" 2>"$work/registry.log" &
reg_pid=$!
for _ in $(seq 1 300); do
  [ -s "$work/start.json" ] && break
  kill -0 "$reg_pid" 2>/dev/null || { echo "stagegate registry exited:" >&2; cat "$work/registry.log" >&2; exit 1; }
  sleep 0.1
done
[ -s "$work/start.json" ] || { echo "stagegate registry printed no start line" >&2; exit 1; }

"$work/seedstage" -start "$work/start.json" -npmrc "$work/npmrc" -n "$ITEMS" -name bench-pkg
rc="$work/npmrc"
SG=("$work/stagegate" list --json --userconfig "$rc")
NP=("$NPM" stage list --json --userconfig "$rc")

# --- both must print the same items before their times mean anything.
"${SG[@]}" >"$work/sg.json"
"${NP[@]}" >"$work/npm.json"
node -e '
  const fs = require("fs"), util = require("util");
  const a = JSON.parse(fs.readFileSync(process.argv[1])), b = JSON.parse(fs.readFileSync(process.argv[2]));
  if (a.length !== Number(process.argv[3])) { console.error(`stagegate listed ${a.length} items, want ${process.argv[3]}`); process.exit(1); }
  if (!util.isDeepStrictEqual(a, b)) { console.error("stagegate and npm list different items"); process.exit(1); }
' "$work/sg.json" "$work/npm.json" "$ITEMS"
echo "both list the same $ITEMS items" >&2

median_ms() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

if [ "${HYPERFINE:-auto}" != 0 ] && command -v hyperfine >/dev/null 2>&1; then
  hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$work/h.json" \
    -n "stagegate list --json" "$(printf '%q ' "${SG[@]}")" \
    -n "npm stage list --json" "$(printf '%q ' "${NP[@]}")" >&2
  read -r sg_ms np_ms < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1])).results;
    console.log((r[0].median*1000).toFixed(1), (r[1].median*1000).toFixed(1));' "$work/h.json")
  how="hyperfine, $RUNS runs + 1 warmup"
else
  time_runs() {
    "$@" >/dev/null # warmup
    for _ in $(seq 1 "$RUNS"); do
      local t0 t1
      t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
      awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", (b-a)/1e6}'
    done | median_ms
  }
  sg_ms="$(time_runs "${SG[@]}")"
  np_ms="$(time_runs "${NP[@]}")"
  how="loop, $RUNS runs + 1 warmup"
fi

ratio="$(awk -v a="$np_ms" -v b="$sg_ms" 'BEGIN {printf "%.1f", a/b}')"
echo "list --json, $ITEMS staged items ($how; npm $("$NPM" --version), $(nproc) cores)"
printf '  stagegate list --json   median %8.1f ms\n' "$sg_ms"
printf '  npm stage list --json   median %8.1f ms\n' "$np_ms"
echo "  ratio: stagegate is ${ratio}x faster (goal >= 5x)"
if [ -n "$MIN_RATIO" ] && awk -v r="$ratio" -v m="$MIN_RATIO" 'BEGIN {exit !(r < m)}'; then
  echo "FAIL: ratio ${ratio} < ${MIN_RATIO}" >&2
  exit 1
fi
