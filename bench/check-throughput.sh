#!/usr/bin/env bash
# Benchmark of `mxwatch check` over many domains, against a reference run of dnsperf.
#
#   bench/check-throughput.sh [N]        N synthetic domains (default 100000)
#
# Serves N domains (two MX each with A/AAAA, SPF, DMARC) from Knot DNS on a loopback
# port, measures dnsperf's queries/s on the query mix mxwatch sends, then runs
# `bin/mxwatch check --no-smtp --format jsonl --file` over the N domains with -Xmx$XMX (the JVM
# flags and class archive the launcher gives a check; the archive is written first) and
# prints domains/s, the queries/s mxwatch achieved, their ratio to dnsperf's, CPU time per domain,
# the rate over its query phase (the first check's start to the last one's end: JVM start and
# reading the list left out, as dnsperf's own rate leaves out reading its query file), the
# steady-state rate over the second half of the run (after JIT warm-up), and peak RSS.
# Installs knot, dnsperf and time from Debian if missing. Talks to 127.0.0.1 only and
# stops exactly the processes it started.
#
# The machine's speed drifts, so dnsperf and mxwatch run back to back in ROUNDS rounds (default 3);
# each round prints its figures, and a summary gives every round's ratio and the median.
#
# Environment: XMX (default 256m), PORT (default 53530), ROUNDS (default 3), MXWATCH_OPTS (extra
# check options), JVM_OPTS (extra JVM options), KEEP=1 keeps the work directory, DNSSEC=1 signs the
# zone and has mxwatch validate it (and look up TLSA; see lib.sh).
set -euo pipefail

n=${1:-100000}
xmx=${XMX:-256m}
port=${PORT:-53530}
if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -lt 1 ]; then echo "usage: $0 [N]" >&2; exit 2; fi

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
install_missing knotd:knot kdig:knot-dnsutils dnsperf:dnsperf /usr/bin/time:time
bench_init check
JAVA_HOME=$(dirname "$(dirname "$java")")
export JAVA_HOME

bench_zone "$n"
bench_knot "$port"
kdig +short @127.0.0.1 -p "$port" MX d0000000.bench.test >&2

# MX, TXT, _dmarc, _mta-sts, _smtp._tls, A and AAAA of two exchanges (and with DNSSEC=1 their TLSA)
queries=$((n * $(queries_per_domain)))
dnsperf_do=""
[[ ${DNSSEC:-0} != 1 ]] || dnsperf_do="-D"
rounds=${ROUNDS:-3}
if ! [[ $rounds =~ ^[0-9]+$ ]] || [ "$rounds" -lt 1 ]; then echo "ROUNDS must be a positive number" >&2; exit 2; fi

# One round: dnsperf on the query mix, then mxwatch over the domains, back to back, so that both
# meet the machine in the same state. Prints the round's figures and appends its summary line to
# $work/rounds.txt.
run_round() {
  local round=$1 status=0
  echo "== round $round of $rounds: dnsperf, $queries queries (the same mix, with EDNS0 as mxwatch sends them), max 256 outstanding" >&2
  # shellcheck disable=SC2086 # dnsperf_do is one option or none
  dnsperf -s 127.0.0.1 -p "$port" -d "$work/queries.txt" -n 1 -q 256 -t 5 -e $dnsperf_do >"$work/dnsperf.out" 2>&1
  ref_qps=$(awk '/Queries per second:/ {print $4}' "$work/dnsperf.out")
  ref_lost=$(awk '/Queries lost:/ {print $3}' "$work/dnsperf.out")
  if [ -z "$ref_qps" ]; then echo "dnsperf printed no rate:" >&2; cat "$work/dnsperf.out" >&2; exit 1; fi
  echo "dnsperf: $ref_qps queries/s, lost $ref_lost" >&2

  echo "== round $round of $rounds: mxwatch check over $n domains (-Xmx$xmx)" >&2
  # shellcheck disable=SC2086,SC2046 # JVM_OPTS, MXWATCH_OPTS and the DNSSEC options are lists of options
  MXWATCH_JAR=$jar JAVA_OPTS="-Xmx$xmx ${JVM_OPTS:-}" /usr/bin/time -v -o "$work/time.out" "$root/bin/mxwatch" check \
    --no-smtp --format jsonl --resolver "127.0.0.1:$port" --file "$work/domains.txt" $(dnssec_check_opts) ${MXWATCH_OPTS:-} \
    >"$work/check.jsonl" 2>"$work/check.err" || status=$?

  read -r domains lookups failed ok steady phase < <(python3 - "$work/check.jsonl" <<'PY'
import json, re, sys
from datetime import datetime


def instant(text):
    """Seconds since the epoch of an ISO-8601 instant with 0 to 9 fractional digits."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", text)
    if not m:
        raise ValueError(f"not an ISO-8601 instant: {text!r}")
    whole = datetime.fromisoformat(m.group(1) + m.group(3).replace("Z", "+00:00")).timestamp()
    return whole + (int(m.group(2)) / 10 ** len(m.group(2)) if m.group(2) else 0)


domains = lookups = failed = ok = 0
started = []
ended = 0.0
with open(sys.argv[1]) as f:
    for line in f:
        if re.match(r"\[\d+\.\d+s\]\[\w+\]\[", line):
            continue  # the JVM's own message on stdout (JFR's "Started recording" with JVM_OPTS=-XX:StartFlightRecording)
        d = json.loads(line)
        domains += 1
        ok += d["status"] == "ok"
        started.append(instant(d["checked_at"]))
        ended = max(ended, started[-1] + d["duration_ms"] / 1000)
        for l in d.get("lookups", []):
            lookups += 1
            failed += l["outcome"] in ("timeout", "servfail", "refused", "error")
# steady state: domains started per second over the second half of the run, once the JIT is warm
started.sort()
half = len(started) // 2
span = started[-1] - started[half] if len(started) > 2 else 0
# the query phase: from the first check's start to the last one's end (dnsperf's own rate leaves
# out its start too: reading and parsing the query file)
phase = ended - started[0] if started else 0
print(domains, lookups, failed, ok, (len(started) - half) / span if span > 0 else 0, phase)
PY
  )
  elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.out")
  seconds=$(python3 -c "import sys; p=sys.argv[1].split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))" "$elapsed")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time.out")
  cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$work/time.out")
  oom=$(grep -c OutOfMemoryError "$work/check.err" || true)

  python3 - "$n" "$domains" "$lookups" "$failed" "$ok" "$seconds" "$ref_qps" "$rss_kb" "$status" "$oom" "$xmx" "$cpu" "$steady" "$phase" "$work/rounds.txt" <<'PY'
import sys
n, domains, lookups, failed, ok = map(int, sys.argv[1:6])
seconds, ref_qps = float(sys.argv[6]), float(sys.argv[7])
rss_kb, status, oom, xmx = int(sys.argv[8]), sys.argv[9], int(sys.argv[10]), sys.argv[11]
cpu, steady, phase = float(sys.argv[12]), float(sys.argv[13]), float(sys.argv[14])
qps = lookups / seconds
steady_qps = steady * lookups / max(domains, 1)
phase_qps = lookups / phase if phase > 0 else 0
print(f"domains:            {domains} of {n} reported, {ok} ok, exit status {status}")
print(f"wall time:          {seconds:.1f} s (JVM start included)")
print(f"CPU time:           {cpu:.1f} s user+system ({1e6 * cpu / max(domains, 1):.0f} us per domain)")
print(f"domains/s:          {domains / seconds:.0f}")
print(f"DNS queries:        {lookups} ({failed} failed)")
print(f"mxwatch queries/s:  {qps:.0f}")
print(f"dnsperf queries/s:  {ref_qps:.0f}")
print(f"ratio:              {qps / ref_qps:.2f}")
print(f"query phase:        {phase:.1f} s, {phase_qps:.0f} queries/s, ratio {phase_qps / ref_qps:.2f} (first check's start to last check's end, as dnsperf times itself)")
print(f"steady state:       {steady:.0f} domains/s, {steady_qps:.0f} queries/s, ratio {steady_qps / ref_qps:.2f} (second half of the run)")
print(f"peak RSS:           {rss_kb / 1024:.0f} MiB (-Xmx{xmx})")
print(f"out of memory:      {'yes' if oom else 'no'}")
complete = domains == n and failed == 0
with open(sys.argv[15], "a") as rounds:
    rounds.write(f"{qps / ref_qps:.4f} {steady_qps / ref_qps:.4f} {rss_kb / 1024:.0f} {int(oom > 0)} {int(complete)} {qps:.0f} {ref_qps:.0f} {phase_qps / ref_qps:.4f}\n")
PY
}

# A first check writes the launcher's class archive at its exit, as a user's first check does;
# the rounds then start as every later check starts.
head -1000 "$work/domains.txt" >"$work/first.txt"
# shellcheck disable=SC2046 # the DNSSEC options are a list of options
MXWATCH_JAR=$jar JAVA_OPTS="-Xmx$xmx" "$root/bin/mxwatch" check --no-smtp --format jsonl --resolver "127.0.0.1:$port" \
  --file "$work/first.txt" $(dnssec_check_opts) >/dev/null 2>"$work/first.err" || { cat "$work/first.err" >&2; exit 1; }

: >"$work/rounds.txt"
for round in $(seq "$rounds"); do
  run_round "$round"
done

# The machine's speed drifts from one minute to the next (dnsperf alone has been measured here
# anywhere from 115,000 to 225,000 queries/s), so each round pairs the two runs and the summary
# gives every round's ratio and their median.
python3 - "$work/rounds.txt" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
ratios = [float(r[0]) for r in rows]
steady = [float(r[1]) for r in rows]
print(f"== summary of {len(rows)} round(s)")
print("ratio per round:    " + ", ".join(f"{r:.2f}" for r in ratios)
      + " (mxwatch " + ", ".join(r[5] for r in rows) + " vs dnsperf " + ", ".join(r[6] for r in rows) + " queries/s)")
print(f"ratio, median:      {statistics.median(ratios):.2f} (query phase {statistics.median(float(r[7]) for r in rows):.2f}, steady state {statistics.median(steady):.2f})")
print(f"peak RSS, highest:  {max(int(r[2]) for r in rows)} MiB")
print(f"out of memory:      {'yes' if any(r[3] == '1' for r in rows) else 'no'}")
print(f"all answered:       {'yes' if all(r[4] == '1' for r in rows) else 'no'} (every domain reported, no query failed, in every round)")
PY
