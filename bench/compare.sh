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

# memprobe (bench/memprobe) runs a command under ptrace and reads its memory
# at the exit stop: peak RSS (VmHWM) and anonymous (private) memory.
go build -o "$CACHE/memprobe" ./bench/memprobe
PROBE="$CACHE/memprobe"

# timeit CMD... : prints "seconds peak_rss_kib private_kib" for one run, or
# "timeout 0 0". private_kib is the larger of the anonymous RSS at exit and
# peak RSS less the file-backed pages at exit: both read the peak private
# memory from below, so it is shown next to peak RSS, which bounds it above.
timeit() {
  local f rc=0
  f=$(mktemp)
  "$PROBE" -o "$f" -- "$@" >/dev/null 2>&1 || rc=$?
  if [ "$rc" = 124 ]; then echo "timeout 0 0"; else awk '{a=$3; if ($6>a) a=$6; print $1, $2, a}' "$f"; fi
  rm -f "$f"
}

# The process floor: a compare of two one-file packages (runtime, the
# binary's resident pages, decoders), so the cost of the packages themselves
# can be seen.
floordir=$(mktemp -d)
mkdir -p "$floordir/a/package" "$floordir/b/package"
echo '{"name":"f","version":"1.0.0"}' > "$floordir/a/package/package.json"
echo '{"name":"f","version":"1.0.1"}' > "$floordir/b/package/package.json"
tar czf "$floordir/a.tgz" -C "$floordir/a" package; tar czf "$floordir/b.tgz" -C "$floordir/b" package
floorruns=$(for i in 1 2 3; do timeit "$SG" compare --json "$floordir/a.tgz" "$floordir/b.tgz"; done)
floor=$(echo "$floorruns" | cut -d' ' -f2 | median)
floorpriv=$(echo "$floorruns" | cut -d' ' -f3 | median)
rm -rf "$floordir"
echo "process floor (compare of two one-file packages): $(awk -v m="$floor" 'BEGIN{printf "%.1f", m/1024}') MiB peak RSS, $(awk -v m="$floorpriv" 'BEGIN{printf "%.1f", m/1024}') MiB private"
echo

printf '%-24s %-10s %10s %10s %8s %8s %9s %9s %9s %11s %9s\n' pair tool median_s min_s rss_MiB priv_MiB x_faster rss/unpk priv/unpk files lines
for pair in "${PAIRS[@]}"; do
  set -- $pair; name=$1 old=$2 new=$3
  a=$(tgz "$name" "$old"); b=$(tgz "$name" "$new")
  work=$(mktemp -d)
  mkdir -p "$work/a" "$work/b"
  tar xzf "$a" -C "$work/a"; tar xzf "$b" -C "$work/b"
  unpacked=$(( $(du -sb "$work/a" | cut -f1) + $(du -sb "$work/b" | cut -f1) ))
  rm -rf "$work"

  declare -A med=() mn=() rss=() priv=()
  for tool in stagegate tar+diff npm-diff; do
    times=(); mem=0; pm=0
    for ((i=0; i<RUNS; i++)); do
      case $tool in
        stagegate) r=$(timeit "$SG" compare --json "$a" "$b") ;;
        tar+diff)  r=$(timeit bash -c 'w=$(mktemp -d); mkdir -p $w/a $w/b; tar xzf "$1" -C $w/a; tar xzf "$2" -C $w/b; diff -ruN $w/a/package $w/b/package; rm -rf $w; true' _ "$a" "$b") ;;
        npm-diff)  r=$(timeit timeout "$NPM_DIFF_TIMEOUT" "$NPM" diff --diff="$a" --diff="$b") ;;
      esac
      read -r t m p <<<"$r"; times+=("$t")
      [ "${m:-0}" -gt "$mem" ] 2>/dev/null && mem=$m
      [ "${p:-0}" -gt "$pm" ] 2>/dev/null && pm=$p
      [ "$tool" = npm-diff ] && [ "${r%% *}" = timeout ] && break
    done
    if [ "${times[0]}" = timeout ]; then med[$tool]=timeout; mn[$tool]=timeout; else
      med[$tool]=$(printf '%s\n' "${times[@]}" | median); mn[$tool]=$(printf '%s\n' "${times[@]}" | sort -n | head -1); fi
    rss[$tool]=$mem; priv[$tool]=$pm
  done
  stats=$("$SG" compare --json "$a" "$b" | python3 -c 'import json,sys; d=json.load(sys.stdin); s=d["summary"]; print(s["filesAdded"]+s["filesRemoved"]+s["filesModified"], "+%d/-%d" % (s["linesAdded"], s["linesRemoved"]))')
  for tool in stagegate tar+diff npm-diff; do
    ratio=""; rssm="-"; privm="-"; rssr=""; privr=""
    if [ "$tool" != stagegate ] && [ "${med[$tool]}" != timeout ]; then ratio=$(awk -v a="${med[$tool]}" -v b="${med[stagegate]}" 'BEGIN{ if (b>0) printf "%.2f", a/b }'); fi
    if [ "${med[$tool]}" = timeout ]; then ratio=">$(awk -v a="$NPM_DIFF_TIMEOUT" -v b="${med[stagegate]}" 'BEGIN{ if (b>0) printf "%.0f", a/b }')"; fi
    if [ "$tool" = stagegate ]; then
      # The others are pipelines of several processes; the probe sees one.
      rssm=$(awk -v m="${rss[$tool]}" 'BEGIN{printf "%.1f", m/1024}'); privm=$(awk -v m="${priv[$tool]}" 'BEGIN{printf "%.1f", m/1024}')
      rssr=$(awk -v m="${rss[$tool]}" -v u="$unpacked" 'BEGIN{ printf "%.2f", m*1024/u }')
      privr=$(awk -v m="${priv[$tool]}" -v u="$unpacked" 'BEGIN{ printf "%.2f", m*1024/u }')
    fi
    printf '%-24s %-10s %10s %10s %8s %8s %9s %9s %9s %11s %9s\n' "$name $old>$new" "$tool" "${med[$tool]}" "${mn[$tool]}" \
      "$rssm" "$privm" "$ratio" "$rssr" "$privr" "${stats% *}" "${stats#* }"
  done
  echo "$name: unpacked $(awk -v u="$unpacked" 'BEGIN{printf "%.2f", u/1048576}') MiB, budget $(awk -v u="$unpacked" 'BEGIN{printf "%.1f", 3*u/1048576}') MiB"
  unset med mn rss priv
done
echo
echo "x_faster: the tool's median time / stagegate's median (above 1 means stagegate is faster)."
echo "rss/unpk: stagegate's peak RSS (highest of the runs) / the two packages' unpacked size (budget: at most 3)."
echo "priv/unpk: the same for its private (anonymous) memory, without the executable's shared, clean pages."
