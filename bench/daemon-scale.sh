#!/usr/bin/env bash
# Benchmark of the daemon at scale: `mxwatch run` watching N synthetic domains every INTERVAL
# seconds, against the one-shot check of the same domains as the reference.
#
#   bench/daemon-scale.sh N INTERVAL      e.g. 100000 300, or 20000 60 (the same rate)
#
# Serves N domains (two MX each with A/AAAA, SPF, DMARC) from Knot DNS on a loopback port. Round 0
# runs `mxwatch check --file` over them (the reference: CPU per domain of the one-shot check).
# Then `mxwatch run` starts with -Xmx$XMX, SMTP off, the store on H2 (or PostgreSQL), and the
# script prints: time until /-/ready and until the first check, the time a SIGHUP reload takes,
# and, after WARMUP intervals (default 2: a domain's first two checks learn its baseline, the
# steady state starts with the third), for each of ROUNDS windows of one INTERVAL: checks/s
# achieved vs needed, scheduler lag (mean, p99), CPU (cores, and per check against the one-shot
# check's per domain), /metrics (bytes, series, seconds; one scrape every 15 s as Prometheus
# would), `mxwatch status` (filtered and full), the pages (/ and a domain's, as a browser asks), the store's size. The one-shot check runs again
# after the daemon stopped; the summary gives medians and ratios.
#
# Environment: XMX (default 256m), ROUNDS (default 2), WARMUP (intervals, default 2), PORT (Knot, default 53531), STORE (h2 or
# postgres), DAEMONS (1, or 2 on PostgreSQL: they share the store; figures are summed, and the
# checks of each domain are matched across both logs to count duplicates), KILL=1 (with
# DAEMONS=2: kill -9 the second daemon before the last round, which then shows whether the first
# takes over its share), DNSSEC=1 (a signed zone, validated; see lib.sh), NS=1 (the zone's nameserver asked too: check.authoritative; see lib.sh), JAR (another build to measure, e.g. an older release), JFR=1 (a Java
# Flight Recording of the daemon, kept with KEEP=1), KEEP=1 keeps the work directory, GC (the
# daemon's collector: Parallel as shipped, or G1, Serial).
# Talks to 127.0.0.1 only and stops exactly the processes it started.
set -euo pipefail

n=${1:-}
interval=${2:-}
if ! [[ $n =~ ^[0-9]+$ && $interval =~ ^[0-9]+$ ]] || ((n < 1 || interval < 1)); then
  echo "usage: $0 N INTERVAL_SECONDS   (e.g. $0 100000 300)" >&2
  exit 2
fi
xmx=${XMX:-256m}
rounds=${ROUNDS:-2}
warmup=${WARMUP:-2}
store=${STORE:-h2}
daemons=${DAEMONS:-1}
port=${PORT:-53531}
[[ $store == h2 || $store == postgres ]] || { echo "STORE must be h2 or postgres" >&2; exit 2; }
[[ $daemons == 1 || ($daemons == 2 && $store == postgres) ]] || { echo "DAEMONS=2 needs STORE=postgres" >&2; exit 2; }

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
install_missing knotd:knot kdig:knot-dnsutils curl:curl /usr/bin/time:time
bench_init daemon
here=$(cd "$(dirname "$0")" && pwd)
bench_zone "$n"
bench_knot "$port"
[[ $store == h2 ]] || pg_start
tick=$(getconf CLK_TCK)

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$2"; }
cpu_ticks() { awk '{print $14, $15}' "/proc/$1/stat"; } # user, system

# oneshot LABEL: the reference, CPU microseconds per domain of `mxwatch check` over the N domains
oneshot() {
  echo "== $1: mxwatch check over $n domains (-Xmx$xmx), the reference" >&2
  # shellcheck disable=SC2046 # the DNSSEC options are words
  /usr/bin/time -f "%U %S %e" -o "$work/oneshot.time" "$java" "-Xmx$xmx" -jar "$jar" check --no-smtp --format jsonl \
    --resolver "127.0.0.1:$port" --file "$work/domains.txt" $(dnssec_check_opts) > "$work/oneshot.jsonl" 2> "$work/oneshot.err" || true
  local user sys wall
  read -r user sys wall < <(tail -n1 "$work/oneshot.time")
  [[ $(wc -l < "$work/oneshot.jsonl") -eq $n ]] || { echo "the one-shot check reported $(wc -l < "$work/oneshot.jsonl") of $n domains" >&2; exit 1; }
  python3 -c "import sys; u, s, w, n = map(float, sys.argv[1:]); print(f'{1e6 * (u + s) / n:.0f}'); \
print(f'one-shot check: {w:.1f} s, {n / w:.0f} domains/s, {1e6 * (u + s) / n:.0f} us CPU per domain, {100 * s / (u + s):.0f} % of it in the kernel', file=sys.stderr)" "$user" "$sys" "$wall" "$n"
}

reference=()
reference+=("$(oneshot "round 0")")

# --- the daemon(s) ----------------------------------------------------------------------------
http_ports=()
daemon_pids=()
for i in $(seq "$daemons"); do
  http_ports+=("$(free_port 127.0.0.1 $((9800 + 100 * i)))")
  if [[ $store == h2 ]]; then
    store_yaml="{data_dir: \"$work/data\"}"
  else
    store_yaml="{url: \"$pg_url\", user: mxwatch}"
  fi
  cat > "$work/mxwatch-$i.yaml" << YAML
dns: {resolvers: ["127.0.0.1:$port"], dnssec: $(dnssec_config)}
smtp: {enabled: false}
check: {authoritative: $(authoritative_config)}
defaults: {interval: ${interval}s}
domains_file: $work/domains.txt
store: $store_yaml
http: {listen: "127.0.0.1:${http_ports[i - 1]}"}
YAML
done
metrics_url() { echo "http://127.0.0.1:${http_ports[$1 - 1]}/metrics"; }

# The daemon's JVM as the systemd unit and the container run it: a class data archive that the
# first start writes at its exit and every later start maps (CDS=0: none, the first start ever).
# the collector of the systemd unit and bin/mxwatch (GC=G1 measures the JVM's default instead)
daemon_opts=("-Xmx$xmx" -XX:+ExitOnOutOfMemoryError "-XX:+Use${GC:-Parallel}GC")
if [[ ${CDS:-1} == 1 ]]; then
  daemon_opts+=(-Xlog:disable "-Xlog:all=warning,cds*=off:stderr" -XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$work/run.jsa")
  echo "== a first start of mxwatch run (10 domains, a scratch store) writes the class data archive" >&2
  head -n 10 "$work/domains.txt" > "$work/train-domains.txt"
  cat > "$work/train.yaml" << YAML
dns: {resolvers: ["127.0.0.1:$port"], dnssec: $(dnssec_config)}
smtp: {enabled: false}
check: {authoritative: $(authoritative_config)}
domains_file: $work/train-domains.txt
store: {data_dir: "$work/train-data"}
http: {listen: "127.0.0.1:$(free_port 127.0.0.1 9790)"}
YAML
  "$java" "${daemon_opts[@]}" -jar "$jar" run --config "$work/train.yaml" > "$work/train.log" 2>&1 &
  train=$!
  track "$train"
  trained() { grep -qs 'mxwatch watching' "$work/train.log"; }
  wait_for 120 trained || { echo "the first start did not get ready:" >&2; tail -n 20 "$work/train.log" >&2; exit 1; }
  stop_pid "$train"
  untrack "$train"
  [[ -f $work/run.jsa ]] || { echo "the first start wrote no class data archive" >&2; exit 1; }
fi

start_daemon() { # start_daemon I: starts daemon I, waits until it is ready and has checked a domain
  local i=$1 jfr=() t0 ready="" first=""
  [[ ${JFR:-0} != 1 ]] || jfr=("-XX:FlightRecorderOptions:stackdepth=256" "-XX:StartFlightRecording=filename=$work/daemon-$i.jfr,settings=profile")
  t0=$(now)
  "$java" "${daemon_opts[@]}" "${jfr[@]}" -jar "$jar" run --config "$work/mxwatch-$i.yaml" > "$work/daemon-$i.log" 2>&1 &
  daemon_pids[i]=$!
  track "${daemon_pids[i]}"
  local deadline=$((SECONDS + 300))
  while [[ -z $ready || -z $first ]]; do
    alive "${daemon_pids[i]}" || { echo "daemon $i exited:" >&2; tail -n 20 "$work/daemon-$i.log" >&2; exit 1; }
    ((SECONDS < deadline)) || { echo "daemon $i not ready with a check within 300 s" >&2; exit 1; }
    [[ -n $ready ]] || ! curl -sf -o /dev/null "http://127.0.0.1:${http_ports[i - 1]}/-/ready" || ready=$(now)
    [[ -n $first ]] || ! grep -q -m1 'io.mxwatch.check - ' "$work/daemon-$i.log" || first=$(now)
    sleep 0.05
  done
  echo "daemon $i: ready after $(elapsed "$t0" "$ready") s, first check after $(elapsed "$t0" "$first") s"
}

for i in $(seq "$daemons"); do
  echo "== starting mxwatch run, daemon $i of $daemons ($n domains every ${interval}s, store $store, -Xmx$xmx)" >&2
  start_daemon "$i"
done

echo "== warm-up: $warmup intervals ($((warmup * interval)) s)" >&2
sleep $((warmup * interval))

# A reload of the same configuration: the time until the schedule is in line with it again.
before=$(grep -c 'schedule: ' "$work/daemon-1.log" || true)
t0=$(now)
kill -HUP "${daemon_pids[1]}"
reloaded() { (($(grep -c 'schedule: ' "$work/daemon-1.log" || true) > before)); }
if wait_for 300 reloaded; then
  echo "reload (SIGHUP, $n domains): $(elapsed "$t0" "$(now)") s"
else
  echo "reload (SIGHUP): no new 'schedule:' line within 300 s"
fi

scrape() { # scrape I FILE: one scrape of daemon I; prints "seconds bytes" (nothing when it failed)
  curl -sf -o "$2" -w '%{time_total} %{size_download}\n' --max-time 120 "$(metrics_url "$1")" || : > "$2"
}

still_alive() { # still_alive I: true while daemon I runs; else says how it ended
  alive "${daemon_pids[$1]}" && return 0
  echo "daemon $1 is gone; the end of its log:"
  grep -m1 -i "OutOfMemoryError" "$work/daemon-$1.log" || tail -n 5 "$work/daemon-$1.log"
  return 1
}

# `mxwatch status` as bin/mxwatch runs operator commands: C1 only, with an AOT cache (JDK 25 and
# later) or a class data archive made by a first, unmeasured `status` (so that it holds the
# store's classes too)
if "$java" -XX:+PrintFlagsFinal -version 2> /dev/null | grep -q ' AOTCacheOutput '; then
  cli_cache=$work/cli.aot
  cli_make=("-XX:AOTCacheOutput=$cli_cache")
  cli_use=("-XX:AOTCache=$cli_cache")
else
  cli_cache=$work/cli.jsa
  cli_make=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$cli_cache")
  cli_use=("${cli_make[@]}")
fi
cli_opts=(-XX:TieredStopAtLevel=1 -Xlog:disable "-Xlog:all=warning,cds*=off,aot*=off:stderr")
status_time() { # status_time ARGS...: median wall seconds of 3 runs and output lines of `mxwatch status ARGS` ("n/a" when refused)
  local t0 times=() i
  [[ -f $cli_cache ]] || "$java" "${cli_opts[@]}" "${cli_make[@]}" -jar "$jar" status --config "$work/mxwatch-1.yaml" "$@" > /dev/null 2>&1 || true
  for i in 1 2 3; do
    t0=$(now)
    if ! "$java" "${cli_opts[@]}" "${cli_use[@]}" -jar "$jar" status --config "$work/mxwatch-1.yaml" "$@" > "$work/status.out" 2> "$work/status.err"; then
      echo "n/a n/a"
      return
    fi
    times+=("$(elapsed "$t0" "$(now)")")
  done
  echo "$(median "${times[@]}") $(wc -l < "$work/status.out")"
}

: > "$work/rounds.txt"
for r in $(seq "$rounds"); do
  if [[ ${KILL:-0} == 1 && $daemons == 2 && $r == "$rounds" ]]; then
    echo "== kill -9 of daemon 2 before round $r" >&2
    kill -KILL "${daemon_pids[2]}"
    wait "${daemon_pids[2]}" 2> /dev/null || true
    untrack "${daemon_pids[2]}"
    date +%s.%N > "$work/killed-at"
  fi
  echo "== round $r of $rounds: one interval (${interval} s) measured" >&2
  t_start=$(now)
  live=()
  for i in $(seq "$daemons"); do
    if [[ -z ${daemon_pids[i]:-} ]] || ! alive "${daemon_pids[i]}"; then continue; fi
    live+=("$i")
  done
  if ((${#live[@]} == 0)); then
    still_alive 1 || true
    break
  fi
  for i in "${live[@]}"; do
    scrape "$i" "$work/m0-$i.txt" > /dev/null
    python3 "$here/scrape.py" < "$work/m0-$i.txt" > "$work/f0-$i.json"
    cpu_ticks "${daemon_pids[i]}" > "$work/cpu0-$i"
  done
  : > "$work/scrapes-$r.txt"
  end=$(python3 -c "import sys; print(float(sys.argv[1]) + float(sys.argv[2]))" "$t_start" "$interval")
  while python3 -c "import sys, time; sys.exit(0 if time.time() < float(sys.argv[1]) - 15 else 1)" "$end"; do
    scrape 1 "$work/mscrape.txt" | while read -r secs bytes; do
      echo "$secs $bytes $(grep -vc '^#' "$work/mscrape.txt")" >> "$work/scrapes-$r.txt"
    done
    sleep_for=$(python3 -c "import sys, time; print(max(0.0, min(15.0, float(sys.argv[1]) - 15 - time.time())))" "$end")
    sleep "$sleep_for"
  done
  python3 -c "import sys, time; time.sleep(max(0.0, float(sys.argv[1]) - time.time()))" "$end"
  t_end=$(now)
  for i in "${live[@]}"; do
    still_alive "$i" || continue 2
    scrape "$i" "$work/m1-$i.txt" > /dev/null
    python3 "$here/scrape.py" < "$work/m1-$i.txt" > "$work/f1-$i.json"
    echo "$(cat "$work/cpu0-$i") $(cpu_ticks "${daemon_pids[i]}")" > "$work/cpu-$i"
  done
  python3 - "$work" "$r" "$n" "$interval" "$t_start" "$t_end" "$tick" "${reference[0]}" "${live[@]}" << 'PY' | tee -a "$work/report-$r.txt"
import json, sys
work, r, n, interval, t0, t1, tick, ref = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7]), float(sys.argv[8])
live = sys.argv[9:]
window = t1 - t0
checks = lag_count = lag_sum = cpu = sys_cpu = 0.0
buckets = {}
for i in live:
    a = json.load(open(f"{work}/f0-{i}.json"))
    b = json.load(open(f"{work}/f1-{i}.json"))
    checks += b["checks"] - a["checks"]
    lag_count += b["lag_count"] - a["lag_count"]
    lag_sum += b["lag_sum"] - a["lag_sum"]
    for le, v in b["buckets"].items():
        buckets[le] = buckets.get(le, 0) + v - a["buckets"].get(le, 0)
    u0, s0, u1, s1 = map(float, open(f"{work}/cpu-{i}").read().split())
    cpu += (u1 + s1 - u0 - s0) / tick
    sys_cpu += (s1 - s0) / tick
series = int(json.load(open(f"{work}/f1-{live[0]}.json"))["series"])
p99 = "n/a (no histogram)"
if buckets and lag_count > 0:
    for le in sorted(buckets, key=lambda x: float("inf") if x == "+Inf" else float(x)):
        if buckets[le] >= 0.99 * lag_count:
            p99 = f"<= {le} s"
            break
scrapes = [line.split() for line in open(f"{work}/scrapes-{r}.txt")]
scrape_s = sorted(float(s[0]) for s in scrapes)
needed = n / interval
per_check_us = 1e6 * cpu / checks if checks else float("nan")
print(f"-- round {r}: {window:.0f} s measured, {len(live)} daemon(s)")
print(f"checks/s:            {checks / window:.1f} achieved / {needed:.1f} needed ({checks / window / needed:.2f})")
print(f"scheduler lag:       mean {lag_sum / lag_count if lag_count else float('nan'):.3f} s, p99 {p99}")
print(f"mxwatch CPU:         {cpu / window:.3f} cores, {per_check_us:.0f} us per check ({per_check_us / ref:.2f}x the one-shot check's {ref:.0f} us per domain), "
      f"{100 * sys_cpu / cpu if cpu else 0:.0f} % of it in the kernel")
if scrape_s:
    print(f"GET /metrics:        {len(scrapes)} scrapes, median {scrape_s[len(scrape_s) // 2]:.3f} s, max {scrape_s[-1]:.3f} s, "
          f"{int(scrapes[-1][1]) / 1e6:.2f} MB, {scrapes[-1][2]} samples")
with open(f"{work}/rounds.txt", "a") as out:
    median_scrape = scrape_s[len(scrape_s) // 2] if scrape_s else float("nan")
    out.write(f"{checks / window / needed:.4f} {lag_sum / lag_count if lag_count else float('nan'):.4f} {cpu / window:.4f} {per_check_us:.1f} "
              f"{median_scrape:.4f} {series} {p99.replace(' ', '_')}\n")
PY
done

# --- after the rounds (outside the measured windows: the store serves these from the daemon's
# process): operator views, memory, store, duplicates, takeover ----------------------------------
for i in $(seq "$daemons"); do
  if alive "${daemon_pids[i]}"; then
    read -r filtered_s filtered_lines < <(status_time --status critical,unknown)
    read -r full_s full_lines < <(status_time)
    api_s=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:${http_ports[i - 1]}/api/domains?status=critical,unknown")
    echo "mxwatch status:      filtered (--status critical,unknown) $filtered_s s ($filtered_lines lines); full $full_s s ($full_lines lines); medians of 3 runs"
    echo "GET /api/domains:    ?status=critical,unknown $api_s s"
    # the pages for people, as a browser asks for them: medians of 5 requests each
    for page in "/" "/?status=ok" "/?name=*.bench.test" "/domains/d$(printf '%07d' $((n / 2))).bench.test"; do
      times=()
      for _ in 1 2 3 4 5; do
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -H 'Accept: text/html' "http://127.0.0.1:${http_ports[i - 1]}$page")")
      done
      echo "GET $page (page):  median $(median "${times[@]}") s of 5 (max $(printf '%s\n' "${times[@]}" | sort -n | tail -n1) s)"
    done
    break
  fi
done
for i in $(seq "$daemons"); do
  if alive "${daemon_pids[i]}"; then
    echo "daemon $i peak RSS:    $(awk '/VmHWM/ {printf "%.0f MiB", $2 / 1024}' "/proc/${daemon_pids[i]}/status") (-Xmx$xmx)"
  fi
done
if [[ $store == h2 ]]; then
  h2=$("$java" -cp "$jar" org.h2.tools.Shell -url "jdbc:h2:$work/data/mxwatch;AUTO_SERVER=TRUE" -user "" -password "$(cat "$work/data/store-password")" \
    -sql "SELECT SETTING_NAME, SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME IN ('info.FILE_SIZE', 'info.FILL_RATE', 'info.CHUNKS_FILL_RATE')" 2> /dev/null || true)
  size=$(du -b "$work/data/mxwatch.mv.db" | cut -f1)
  # FILL_RATE: the share of the file that chunks take; CHUNKS_FILL_RATE: the share of the chunks'
  # bytes that is live
  fill=$(awk -F'|' '$1 ~ /info.FILL_RATE/ {gsub(/ /, "", $2); print $2}' <<< "$h2")
  chunks=$(awk -F'|' '$1 ~ /info.CHUNKS_FILL_RATE/ {gsub(/ /, "", $2); print $2}' <<< "$h2")
  live_bytes=$((size * ${fill:-100} * ${chunks:-100} / 10000))
  echo "store (H2 file):     $((size / 1048576)) MiB, $((size / n)) bytes per domain; live data $((live_bytes / 1048576)) MiB ($((live_bytes / n)) bytes per domain): the file is $(python3 -c "print(f'{$size / max(1, $live_bytes):.2f}')")x its live data"
else
  size=$(as_pg "psql -h 127.0.0.1 -p $pg_port -U mxwatch -Atc \"SELECT pg_database_size('mxwatch')\" mxwatch")
  echo "store (PostgreSQL):  $((size / 1048576)) MiB, $((size / n)) bytes per domain"
fi
if ((daemons == 2)); then
  python3 - "$work" "$interval" << 'PY'
import collections, datetime, os, re, sys
work, interval = sys.argv[1], float(sys.argv[2])
line = re.compile(r'^(\S+) INFO\s+io\.mxwatch\.check - (\S+) ')
times = collections.defaultdict(list)
per_daemon = collections.Counter()
for i in (1, 2):
    for text in open(f"{work}/daemon-{i}.log"):
        m = line.match(text)
        if m:
            t = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp()
            times[m.group(2)].append(t)
            per_daemon[i] += 1
duplicates = 0
for ts in times.values():
    ts.sort()
    duplicates += sum(1 for a, b in zip(ts, ts[1:]) if b - a < interval / 2)
print(f"checks per daemon:   {per_daemon[1]} and {per_daemon[2]} ({100 * per_daemon[1] / max(1, sum(per_daemon.values())):.0f} % by daemon 1)")
print(f"duplicate checks:    {duplicates} (two checks of a domain less than half an interval apart)")
if os.path.exists(f"{work}/killed-at"):
    killed = float(open(f"{work}/killed-at").read())
    late = [d for d, ts in times.items() if not any(killed < t <= killed + interval + 10 for t in ts)]
    print(f"after kill -9:       {len(times) - len(late)} of {len(times)} domains checked within one interval (+10 s) of the kill")
PY
fi
for i in $(seq "$daemons"); do
  if alive "${daemon_pids[i]}"; then
    t0=$(now)
    stop_pid "${daemon_pids[i]}"
    untrack "${daemon_pids[i]}"
    echo "daemon $i stopped:    $(elapsed "$t0" "$(now)") s after SIGTERM"
  fi
done
[[ ${JFR:-0} != 1 ]] || echo "flight recordings: $work/daemon-*.jfr (KEEP=1 keeps them)"
reference+=("$(oneshot "last round")")

python3 - "$work/rounds.txt" "${reference[@]}" << 'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
refs = [float(x) for x in sys.argv[2:]]
ref = statistics.median(refs)
if not rows:
    print("== summary: no round completed (see above)")
    sys.exit(1)
col = lambda k: [float(r[k]) for r in rows]
print(f"== summary of {len(rows)} round(s) (medians)")
print(f"checks/s achieved/needed:  {statistics.median(col(0)):.2f}   (per round: {', '.join(r[0] for r in rows)})")
print(f"scheduler lag mean:        {statistics.median(col(1)):.3f} s; p99 per round: {', '.join(r[6].replace('_', ' ') for r in rows)}")
print(f"mxwatch CPU:               {statistics.median(col(2)):.3f} cores")
print(f"CPU per check:             {statistics.median(col(3)):.0f} us = {statistics.median(col(3)) / ref:.2f}x the one-shot check "
      f"({', '.join(f'{x:.0f}' for x in refs)} us per domain, before and after)")
print(f"GET /metrics:              {statistics.median(col(4)):.3f} s, {rows[-1][5]} samples")
PY
