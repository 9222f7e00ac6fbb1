#!/usr/bin/env bash
# bench/queue.sh: the queue budget of architecture.md §6. A queue of 21 real
# staged versions (bench/queue-pairs.txt: 20 popular packages' patch releases
# plus typescript 5.4.5→5.5.4) on the embedded registry over loopback: every
# row reviewed in the dashboard within 3 s, at most 0.1x of the time the same
# reviews take by hand, dashboard RSS at most 300 MiB once all are reviewed.
#
#   bench/queue.sh               # 5 dashboard runs, the by-hand baseline once
#   RUNS=9 bench/queue.sh
#   BYHAND=0 bench/queue.sh      # skip the by-hand baseline (about a minute)
#   CHECK=1 bench/queue.sh       # exit 1 when a budget is missed
#
# Each run is TestQueueBench (cmd/stagegate/queuebench_test.go) in a fresh
# process: it publishes the bases and stages the new versions on the embedded
# registry, then runs the real dashboard (same configuration, backend, review
# engine with dependency lookups, bubbletea program) in a child process until
# the rendered queue shows every row reviewed. The tarballs come from
# $STAGEGATE_BENCH_CACHE/benign (default bench/.cache/benign); fetch them
# once with `bench/signals-eval.sh --benign-only` (npm pack from npmjs).
# Prints the median and minimum time to every row reviewed, the process's
# CPU time, RSS and peak RSS, and the by-hand time with its parts.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

RUNS="${RUNS:-5}"
BYHAND="${BYHAND:-1}"
CHECK="${CHECK:-0}"
export PATH="/usr/local/go/bin:$PATH"
export STAGEGATE_BENCH_CACHE="$(cd "${STAGEGATE_BENCH_CACHE:-bench/.cache}" 2>/dev/null && pwd || echo "$root/bench/.cache")"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

missing=0
while read -r name base staged; do
  for v in "$base" "$staged"; do
    f="$STAGEGATE_BENCH_CACHE/benign/${name//\//__}@$v.tgz"
    [ -f "$f" ] || { echo "missing $f" >&2; missing=1; }
  done
done < <(sed 's/#.*//' bench/queue-pairs.txt | awk 'NF==3')
if [ "$missing" = 1 ]; then
  echo "fetch the tarballs with bench/signals-eval.sh --benign-only (or set STAGEGATE_BENCH_CACHE)" >&2
  exit 2
fi

echo "building the test binary…" >&2
go test -c -o "$work/stagegate.test" ./cmd/stagegate

for i in $(seq 1 "$RUNS"); do
  byhand=0
  if [ "$BYHAND" = 1 ] && [ "$i" = 1 ]; then byhand=1; echo "run 1 (with the by-hand baseline, about a minute)…" >&2; else echo "run $i…" >&2; fi
  # The test reads bench/queue-pairs.txt relative to its package folder.
  if ! (cd cmd/stagegate && STAGEGATE_QUEUEBENCH_BYHAND=$byhand "$work/stagegate.test" -test.run '^TestQueueBench$' -test.v -test.count=1) >"$work/run$i.log" 2>&1; then
    cat "$work/run$i.log" >&2
    exit 2
  fi
  grep -q '^queuebench ' "$work/run$i.log" || { cat "$work/run$i.log" >&2; exit 2; }
  grep -h '^queuebench' "$work/run$i.log" >>"$work/results"
done

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
dash="$(grep '^queuebench ' "$work/results")"
rows="$(echo "$dash" | field rows | sort -u | paste -sd' ')"
sec_med="$(echo "$dash" | field seconds | median)"
sec_min="$(echo "$dash" | field seconds | sort -g | head -1)"
sec_max="$(echo "$dash" | field seconds | sort -g | tail -1)"
cpu_med="$(echo "$dash" | field cpu_s | median)"
rss_max="$(echo "$dash" | field rss_kib | sort -g | tail -1)"
hwm_max="$(echo "$dash" | field hwm_kib | sort -g | tail -1)"
anon_max="$(echo "$dash" | field rss_anon_kib | sort -g | tail -1)"
lookups="$(echo "$dash" | field dep_lookups | sort -u | paste -sd' ')"

mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}'; }
echo
echo "queue of 21 real staged versions (bench/queue-pairs.txt), $RUNS runs, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  rows reviewed            %s\n' "$rows"
printf '  seconds to all reviewed  median %s s (min %s, max %s)   budget 3 s\n' "$sec_med" "$sec_min" "$sec_max"
printf '  CPU time of the process  median %s s\n' "$cpu_med"
printf '  RSS once all reviewed    %s MiB (%s MiB anonymous), peak RSS %s MiB (highest of the runs)   budget 300 MiB\n' "$(mib "$rss_max")" "$(mib "$anon_max")" "$(mib "$hwm_max")"
printf '  dependency lookups       %s packument reads of names outside the queue\n' "$lookups"
fail=0
awk -v s="$sec_med" 'BEGIN {exit !(s > 3)}' && { echo "  MISSED: median time over 3 s"; fail=1; }
[ "$rss_max" -gt $((300 * 1024)) ] && { echo "  MISSED: RSS over 300 MiB"; fail=1; }
if hand="$(grep '^queuebench-byhand ' "$work/results")"; then
  total="$(echo "$hand" | field seconds)"
  printf '  by hand                  %s s with npm %s: npm stage download %s s, npm pack of the base %s s, tar xzf %s s, diff -ruN %s s (%s diff lines)\n' \
    "$total" "$(echo "$hand" | field npm)" "$(echo "$hand" | field download)" "$(echo "$hand" | field pack)" \
    "$(echo "$hand" | field tar)" "$(echo "$hand" | field diff)" "$(echo "$hand" | field diff_lines)"
  failed="$(echo "$hand" | field npm_download_failed)"
  [ "$failed" != 0 ] && printf '                           (npm stage download failed on %s tarballs; see bench/README.md)\n' "$failed"
  ratio="$(awk -v a="$sec_med" -v b="$total" 'BEGIN {printf "%.3f", a/b}')"
  printf '  dashboard / by hand      %sx (median dashboard time over the by-hand time)   budget <= 0.1x\n' "$ratio"
  awk -v r="$ratio" 'BEGIN {exit !(r > 0.1)}' && { echo "  MISSED: ratio over 0.1x"; fail=1; }
fi
if [ "$CHECK" = 1 ] && [ "$fail" = 1 ]; then exit 1; fi
exit 0
