#!/usr/bin/env bash
# signals-eval.sh: how noisy and how sharp stagegate's signals are.
#
#   bench/signals-eval.sh [--stagegate BIN] [--corpus-only | --benign-only]
#                         [--pairs FILE] [-j N] [-v] [--json FILE] [--strict]
#
# 1. Corpus. When Drydock's corpus exists ($DRYDOCK, else
#    <repo>/../shared/corpus/drydock) runs its run.sh against the binary and
#    prints its per-group summary and its last line (-v: the per-case table too).
#    The corpus is read where it is; nothing is copied into the repository.
# 2. Benign set. Real upgrades of popular packages (bench/benign-pairs.txt, one
#    "name old new" per line; the pairs after "[real-pairs]" are reported apart).
#    Each tarball is fetched once with `npm pack name@ver` (no scripts run) into
#    bench/.cache/benign/ and reused. Every pair runs through
#    `stagegate compare old.tgz new.tgz --json`; prints a table (risk level when
#    the JSON has one, high/medium/low counts), then EVERY high and medium signal,
#    then the totals against the targets:
#      benign-set: <= 1 high and <= 10 medium in total
#      real-pairs: no high and <= 1 medium per pair
#
# Options:
#   --stagegate BIN  binary to test (also STAGEGATE=BIN); default: build
#                    `CGO_ENABLED=0 go build -o bin/stagegate ./cmd/stagegate`
#   --corpus-only    only the corpus;  --benign-only: only the benign set
#   --pairs FILE     pair list (default bench/benign-pairs.txt)
#   -j N             parallel fetches / compares / corpus jobs (default 6)
#   -v               also the corpus's per-case table and per-pair low counts by id
#   --json FILE      write every pair's row (counts, risk, all signals) to FILE
#   --strict         exit 1 when a target is missed (default: a report, exit 0)
# Environment: STAGEGATE, DRYDOCK, NPM (default npm).
# Exit: 0 report printed, 1 target missed with --strict, 2 something failed to run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SG="${STAGEGATE:-}"
PAIRS="$ROOT/bench/benign-pairs.txt"
CACHE="$ROOT/bench/.cache/benign"
DRYDOCK="${DRYDOCK:-$ROOT/../shared/corpus/drydock}"
NPM="${NPM:-npm}"
JOBS=6 VERBOSE=0 JSON_OUT="" STRICT=0 DO_CORPUS=1 DO_BENIGN=1

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "signals-eval: $*" >&2; exit 2; }

# name@ver -> cache file: "@types/node@26.6.7" -> "@types__node@26.6.7.tgz".
# `npm pack` of a registry spec only downloads (and --ignore-scripts regardless).
fetch_one() {
  local spec="$1" cache="$2" npm="$3" key dest tmp tgz
  key="${spec//\//__}"
  dest="$cache/$key.tgz"
  [ -s "$dest" ] && return 0
  tmp="$(mktemp -d "$cache/.fetch.XXXXXX")"
  if (cd "$tmp" && "$npm" pack "$spec" --pack-destination "$tmp" --ignore-scripts --silent >/dev/null 2>"$tmp/err"); then
    tgz="$(find "$tmp" -maxdepth 1 -name '*.tgz' | head -n 1)"
    if [ -n "$tgz" ]; then mv "$tgz" "$dest"; rm -rf "$tmp"; return 0; fi
  fi
  echo "signals-eval: npm pack $spec failed: $(tr '\n' ' ' <"$tmp/err" 2>/dev/null)" >&2
  rm -rf "$tmp"
  return 1
}
# internal: xargs calls the script back for each tarball to fetch
if [ "${1:-}" = --fetch-one ]; then shift; fetch_one "$@"; exit; fi

while [ $# -gt 0 ]; do
  case "$1" in
    --stagegate) [ $# -ge 2 ] || die "--stagegate needs a path"; SG="$2"; shift 2 ;;
    --corpus-only) DO_BENIGN=0; shift ;;
    --benign-only) DO_CORPUS=0; shift ;;
    --pairs) [ $# -ge 2 ] || die "--pairs needs a file"; PAIRS="$2"; shift 2 ;;
    -j) [ $# -ge 2 ] || die "-j needs a number"; JOBS="$2"; shift 2 ;;
    -v) VERBOSE=1; shift ;;
    --json) [ $# -ge 2 ] || die "--json needs a file"; JSON_OUT="$2"; shift 2 ;;
    --strict) STRICT=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument $1" ;;
  esac
done
[ "$DO_CORPUS$DO_BENIGN" != 00 ] || die "--corpus-only and --benign-only exclude each other"
case "$JOBS" in ''|*[!0-9]*|0) die "-j wants a positive number" ;; esac
command -v python3 >/dev/null || die "needs python3"

if [ -z "$SG" ]; then
  command -v go >/dev/null || die "go not found; pass --stagegate BIN"
  echo "building bin/stagegate ..." >&2
  (cd "$ROOT" && CGO_ENABLED=0 go build -o bin/stagegate ./cmd/stagegate) || die "go build failed"
  SG="$ROOT/bin/stagegate"
fi
case "$SG" in /*) ;; */*) SG="$PWD/$SG" ;; *) SG="$(command -v "$SG" || echo "$SG")" ;; esac
[ -x "$SG" ] || die "stagegate binary not found at $SG"

START=$SECONDS
FAILED=0 MISSED=0

# ---- 1. corpus ---------------------------------------------------------------
if [ "$DO_CORPUS" = 1 ]; then
  [ -d "$DRYDOCK" ] && DRYDOCK="$(cd "$DRYDOCK" && pwd)"
  echo "== corpus: $DRYDOCK"
  if [ -f "$DRYDOCK/run.sh" ]; then
    out="$(mktemp)"
    trap 'rm -f "$out"' EXIT
    if bash "$DRYDOCK/run.sh" --stagegate "$SG" -j "$JOBS" >"$out" 2>&1; then
      if [ "$VERBOSE" = 1 ]; then
        cat "$out"
      else
        # the per-case table ends at the first blank line; the summary follows
        awk 'seen { print } /^$/ { seen = 1 }' "$out"
      fi
    else
      cat "$out" >&2
      echo "signals-eval: corpus run.sh failed" >&2
      FAILED=1
    fi
  else
    echo "corpus: skipped ($DRYDOCK/run.sh not found; set DRYDOCK=dir)"
  fi
  echo
fi

# ---- 2. benign set and real pairs --------------------------------------------
if [ "$DO_BENIGN" = 1 ]; then
  [ -f "$PAIRS" ] || die "pair list $PAIRS not found"
  mkdir -p "$CACHE"


  specs="$(awk '/^[[:space:]]*(#|$)/ || /^\[/ { next } NF >= 3 { print $1 "@" $2; print $1 "@" $3 }' "$PAIRS" | sort -u)"
  missing=""
  for s in $specs; do [ -s "$CACHE/${s//\//__}.tgz" ] || missing="$missing$s"$'\n'; done
  if [ -n "$missing" ]; then
    echo "fetching $(printf '%s' "$missing" | grep -c .) tarballs into bench/.cache/benign/ ..." >&2
    t0=$SECONDS
    if ! printf '%s' "$missing" | xargs -r -P "$JOBS" -I{} bash "$ROOT/bench/signals-eval.sh" --fetch-one {} "$CACHE" "$NPM"; then
      echo "signals-eval: some tarballs could not be fetched (pairs using them are reported as ERROR)" >&2
    fi
    echo "fetched in $((SECONDS - t0))s" >&2
  fi

  rc=0
  SG="$SG" PAIRS="$PAIRS" CACHE="$CACHE" JOBS="$JOBS" VERBOSE="$VERBOSE" JSON_OUT="$JSON_OUT" \
    python3 - <<'PY' || rc=$?
import collections, concurrent.futures as cf, json, os, subprocess, sys, time

SG, PAIRS, CACHE = os.environ["SG"], os.environ["PAIRS"], os.environ["CACHE"]
JOBS, VERBOSE, JSON_OUT = int(os.environ["JOBS"]), os.environ["VERBOSE"] == "1", os.environ["JSON_OUT"]

pairs, section = [], "benign-set"
for raw in open(PAIRS, encoding="utf-8"):
    line = raw.split("#", 1)[0].strip()
    if not line:
        continue
    if line.startswith("["):
        section = line.strip("[]").strip()
        continue
    f = line.split()
    if len(f) < 3:
        sys.exit(f"signals-eval: bad pair line: {raw.rstrip()}")
    pairs.append({"section": section, "name": f[0], "old": f[1], "new": f[2]})


def tgz(name, ver):
    return os.path.join(CACHE, f"{name}@{ver}".replace("/", "__") + ".tgz")


def run(p):
    row = dict(p, pair=f"{p['name']} {p['old']}->{p['new']}", risk=None, high=0, medium=0, low=0,
               signals=[], error=None)
    a, b = tgz(p["name"], p["old"]), tgz(p["name"], p["new"])
    for t in (a, b):
        if not os.path.isfile(t):
            row["error"] = f"missing tarball {os.path.basename(t)}"
            return row
    t0 = time.monotonic()
    cp = subprocess.run([SG, "compare", a, b, "--json"], capture_output=True, text=True)
    row["seconds"] = round(time.monotonic() - t0, 2)
    try:
        doc = json.loads(cp.stdout)
    except ValueError:
        row["error"] = f"exit {cp.returncode}: {(cp.stderr or cp.stdout).strip()[:300]}"
        return row
    risk = doc.get("risk")
    if isinstance(risk, dict):
        row["risk"] = risk.get("level")
        row["riskReasons"] = risk.get("reasons")
    elif isinstance(risk, str):
        row["risk"] = risk
    row["signals"] = doc.get("signals") or []
    for s in row["signals"]:
        sev = s.get("severity")
        if sev in ("high", "medium", "low"):
            row[sev] += 1
    return row


with cf.ThreadPoolExecutor(JOBS) as ex:
    rows = list(ex.map(run, pairs))


def clip(s, n=100):
    s = " ".join(str(s or "").split())
    return s if len(s) <= n else s[: n - 1] + "…"


sections = list(dict.fromkeys(r["section"] for r in rows))
w = max(len(r["pair"]) for r in rows) if rows else 10
failed = missed = 0
summary = []
for sec in sections:
    rs = [r for r in rows if r["section"] == sec]
    print(f"== {sec}: {len(rs)} pairs ({os.path.relpath(PAIRS)})")
    print(f"{'pair':<{w}}  {'risk':<8} {'high':>4} {'med':>4} {'low':>4}  {'secs':>5}")
    print("-" * (w + 36))
    for r in rs:
        if r["error"]:
            failed += 1
            print(f"{r['pair']:<{w}}  ERROR    {r['error']}")
            continue
        print(f"{r['pair']:<{w}}  {r['risk'] or '-':<8} {r['high']:>4} {r['medium']:>4} {r['low']:>4}  {r['seconds']:>5.1f}")
        if VERBOSE and r["low"]:
            lows = collections.Counter(s.get("id") for s in r["signals"] if s.get("severity") == "low")
            print(f"{'':<{w}}    low: " + ", ".join(f"{k} x{v}" for k, v in lows.most_common()))
    hm = [(r, s) for r in rs for s in r["signals"] if s.get("severity") in ("high", "medium")]
    hm.sort(key=lambda x: (x[1]["severity"] != "high", x[0]["pair"], x[1].get("id", "")))
    print()
    print(f"-- {sec}: every high and medium signal ({len(hm)})")
    for r, s in hm:
        loc = s.get("path") or "-"
        if s.get("line"):
            loc += f":{s['line']}"
        print(f"  {r['pair']:<{w}}  {s['severity']:<6} {s.get('id', '?'):<18} {loc}  {clip(s.get('title'))}")
    if not hm:
        print("  (none)")
    else:
        tally = collections.Counter((s["severity"], s.get("id", "?")) for _, s in hm)
        print("  by id: " + ", ".join(f"{i} {sev} x{n}" for (sev, i), n in
                                      sorted(tally.items(), key=lambda kv: (kv[0][0] != "high", -kv[1]))))
    print()
    H, M = sum(r["high"] for r in rs), sum(r["medium"] for r in rs)
    err = sum(1 for r in rs if r["error"])
    errs = f", {err} ERROR" if err else ""
    if sec == "real-pairs":
        worst = max((r["medium"] for r in rs), default=0)
        ok = H == 0 and worst <= 1
        summary.append(f"{sec}: {len(rs)} pairs, {H} high, {M} medium (max {worst} per pair){errs} "
                       f"(targets: 0 high, <=1 medium each){'' if ok else '  MISSED'}")
    else:
        ok = H <= 1 and M <= 10
        summary.append(f"{sec}: {len(rs)} pairs, {H} high, {M} medium{errs} "
                       f"(targets: <=1 high, <=10 medium){'' if ok else '  MISSED'}")
    missed += not ok

if JSON_OUT:
    with open(JSON_OUT, "w", encoding="utf-8") as f:
        json.dump({"stagegate": SG, "pairs": rows}, f, indent=1)
        f.write("\n")
    print(f"rows written to {JSON_OUT}")
for line in summary:
    print(line)
sys.exit(2 if failed else (1 if missed else 0))
PY
  case "$rc" in 0) ;; 1) MISSED=1 ;; *) FAILED=1 ;; esac
fi

echo "signals-eval: done in $((SECONDS - START))s"
[ "$FAILED" = 0 ] || exit 2
if [ "$STRICT" = 1 ] && [ "$MISSED" = 1 ]; then exit 1; fi
exit 0
