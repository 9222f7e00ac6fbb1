#!/usr/bin/env bash
# Times `stagegate compare --json` against `tar xzf` + `diff -ruN` and
# `npm diff` on real package pairs, side by side, with medians and peak memory.
#
#   bench/compare.sh [RUNS]        (default 5 runs per tool and pair)
#
# Tarballs come from `npm pack` into bench/.cache (git-ignored). npm diff is
# given NPM_DIFF_TIMEOUT seconds (default 120) per run: on typescript it does
# not finish in 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-5}"
NPM_DIFF_TIMEOUT="${NPM_DIFF_TIMEOUT:-120}"
CACHE=bench/.cache
mkdir -p "$CACHE"
PAIRS=(
  "typescript 5.4.5 5.5.4"
  "react-dom 18.2.0 18.3.1"
  "lodash 4.17.20 4.17.21"
  "@tanstack/react-router 1.170.45 1.170.46"
)
NPM="${STAGEGATE_NPM:-npm}"
[ -x .cache/npm/bin/npm ] && [ -z "${STAGEGATE_NPM:-}" ] && NPM=.cache/npm/bin/npm

CGO_ENABLED=0 go build -trimpath -o "$CACHE/stagegate" ./cmd/stagegate # as `make build` does
SG="$CACHE/stagegate"

tgz() { # name version -> path of the packed tarball
  local n="$1" v="$2" f
  f="$CACHE/$(echo "$n" | sed 's/^@//; s#/#-#')-$v.tgz"
  if [ ! -s "$f" ]; then
    (cd "$CACHE" && "$OLDPWD/$NPM" pack "$n@$v" --silent >/dev/null 2>&1 || npm pack "$n@$v" --silent >/dev/null)
  fi
  echo "$f"
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# timeit CMD... : prints "seconds maxrss_kib" for one run (wall clock in ns resolution)
timeit() {
  local f t0 t1 rc=0
  f=$(mktemp)
  t0=$(date +%s%N)
  /usr/bin/time -o "$f" -f '%M' "$@" >/dev/null 2>&1 || rc=$?
  t1=$(date +%s%N)
  if [ "$rc" = 124 ]; then echo "timeout 0"; else echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.3f", (b-a)/1e9}') $(tail -1 "$f")"; fi
  rm -f "$f"
}

# The process floor: peak RSS of a compare of two one-file packages (runtime,
# binary pages, decoders), so the cost of the packages themselves can be seen.
floordir=$(mktemp -d)
mkdir -p "$floordir/a/package" "$floordir/b/package"
echo '{"name":"f","version":"1.0.0"}' > "$floordir/a/package/package.json"
echo '{"name":"f","version":"1.0.1"}' > "$floordir/b/package/package.json"
tar czf "$floordir/a.tgz" -C "$floordir/a" package; tar czf "$floordir/b.tgz" -C "$floordir/b" package
floor=$(for i in 1 2 3; do timeit "$SG" compare --json "$floordir/a.tgz" "$floordir/b.tgz" | cut -d' ' -f2; done | median)
rm -rf "$floordir"
echo "process floor (compare of two one-file packages): $(awk -v m="$floor" 'BEGIN{printf "%.1f", m/1024}') MiB peak RSS"
echo

printf '%-24s %-10s %10s %10s %10s %9s %9s %9s %11s %9s\n' pair tool median_s min_s maxrss_MiB x_faster mem/unpk net/unpk files lines
for pair in "${PAIRS[@]}"; do
  set -- $pair; name=$1 old=$2 new=$3
  a=$(tgz "$name" "$old"); b=$(tgz "$name" "$new")
  work=$(mktemp -d)
  mkdir -p "$work/a" "$work/b"
  tar xzf "$a" -C "$work/a"; tar xzf "$b" -C "$work/b"
  unpacked=$(( $(du -sb "$work/a" | cut -f1) + $(du -sb "$work/b" | cut -f1) ))
  rm -rf "$work"

  declare -A med=() mn=() rss=()
  for tool in stagegate tar+diff npm-diff; do
    times=(); mem=0
    for ((i=0; i<RUNS; i++)); do
      case $tool in
        stagegate) r=$(timeit "$SG" compare --json "$a" "$b") ;;
        tar+diff)  r=$(timeit bash -c 'w=$(mktemp -d); mkdir -p $w/a $w/b; tar xzf "$1" -C $w/a; tar xzf "$2" -C $w/b; diff -ruN $w/a/package $w/b/package; rm -rf $w; true' _ "$a" "$b") ;;
        npm-diff)  r=$(timeit timeout "$NPM_DIFF_TIMEOUT" "$NPM" diff --diff="$a" --diff="$b") ;;
      esac
      times+=("${r%% *}"); m="${r##* }"; [ "${m:-0}" -gt "$mem" ] 2>/dev/null && mem=$m
      [ "$tool" = npm-diff ] && [ "${r%% *}" = timeout ] && break
    done
    if [ "${times[0]}" = timeout ]; then med[$tool]=timeout; mn[$tool]=timeout; else
      med[$tool]=$(printf '%s\n' "${times[@]}" | median); mn[$tool]=$(printf '%s\n' "${times[@]}" | sort -n | head -1); fi
    rss[$tool]=$mem
  done
  stats=$("$SG" compare --json "$a" "$b" | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["summary"]; print(s["filesAdded"]+s["filesRemoved"]+s["filesModified"], "+%d/-%d" % (s["linesAdded"], s["linesRemoved"]))')
  for tool in stagegate tar+diff npm-diff; do
    ratio=""; memr=""; netr=""
    if [ "$tool" != stagegate ] && [ "${med[$tool]}" != timeout ]; then ratio=$(awk -v a="${med[$tool]}" -v b="${med[stagegate]}" 'BEGIN{ if (b>0) printf "%.2f", a/b }'); fi
    if [ "${med[$tool]}" = timeout ]; then ratio=">$(awk -v a="$NPM_DIFF_TIMEOUT" -v b="${med[stagegate]}" 'BEGIN{ if (b>0) printf "%.0f", a/b }')"; fi
    [ "$tool" = stagegate ] && memr=$(awk -v m="${rss[$tool]}" -v u="$unpacked" 'BEGIN{ printf "%.2f", m*1024/u }')
    [ "$tool" = stagegate ] && netr=$(awk -v m="${rss[$tool]}" -v f="$floor" -v u="$unpacked" 'BEGIN{ printf "%.2f", (m-f)*1024/u }')
    printf '%-24s %-10s %10s %10s %10s %9s %9s %9s %11s %9s\n' "$name $old>$new" "$tool" "${med[$tool]}" "${mn[$tool]}" \
      "$(awk -v m="${rss[$tool]}" 'BEGIN{printf "%.0f", m/1024}')" "$ratio" "$memr" "$netr" "${stats% *}" "${stats#* }"
  done
  unset med mn rss
done
echo
echo "x_faster: the tool's median time / stagegate's median (above 1 means stagegate is faster)."
echo "mem/unpk: stagegate's peak RSS / the two packages' unpacked size (budget: at most 3)."
echo "net/unpk: the same, less the process floor above."
