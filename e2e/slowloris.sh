#!/usr/bin/env bash
# Slow clients against the daemon's listener: 1,000 connections that send the start of a request
# head and then a header line every 2 s, never finishing it (e2e/slowloris.py). While they are
# open, GET /metrics and GET /-/healthy must still answer within 1 s each (five rounds, times
# printed); the listener must close every slow connection at its header timeout (10 s), though
# none of them ever goes idle.
#
#   e2e/slowloris.sh            # needs target/mxwatch.jar (mvn -B verify builds it)
#
# Prints PASS/FAIL per step and "N passed, M failed"; keeps the logs in the directory it names.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
install_missing curl:curl python3:python3
e2e_init slowloris

closed_dns=$(free_port 127.0.0.1)
http_port=$(free_port 127.0.0.1)
domains=$(printf 'd%03d.slow.test,' $(seq 1 200))
cat > "$work/mxwatch.yaml" << YAML
dns: {resolvers: ["127.0.0.1:$closed_dns"], timeout: 200ms, retries: 0}
check: {deadline: 1s, authoritative: false}
smtp: {enabled: false}
defaults: {interval: 30s}
store: {url: "jdbc:h2:file:$work/data/mxwatch"}
http: {listen: "127.0.0.1:$http_port"}
metrics: {domain_series: all}
domains: [${domains%,}]
YAML
"$java" -jar "$jar" run --config "$work/mxwatch.yaml" > "$work/daemon.log" 2>&1 &
daemon=$!
track "$daemon"
base="http://127.0.0.1:$http_port"
ready() { curl -sf -o /dev/null "$base/-/ready"; }

# times FILE: five rounds of GET /metrics and GET /-/healthy, "path seconds status" per line
times() {
  local path
  for _ in 1 2 3 4 5; do
    for path in /metrics /-/healthy; do
      printf '%s %s\n' "$path" "$(curl -s -o /dev/null -m 20 -w '%{time_total} %{http_code}' "$base$path" || echo "20 timeout")"
    done
  done > "$1"
  sed 's/^/  /' "$1"
}
all_fast() { awk '$2 >= 1 || $3 != 200 { bad = 1 } END { exit bad }' "$1"; }

step "the daemon is ready" wait_for 60 ready
echo "before: GET times with no slow clients (path, seconds, status)"
times "$work/before.txt"
step "before: every GET answers within 1 s" all_fast "$work/before.txt"

: > "$work/slowloris.txt"
python3 "$(dirname "$0")/slowloris.py" 127.0.0.1 "$http_port" 1000 2 60 > "$work/slowloris.txt" 2>&1 &
loris=$!
track "$loris"
all_open() { grep -q "^open 1000" "$work/slowloris.txt"; }
step "1,000 slow connections are open" wait_for 30 all_open
echo "during: GET times with 1,000 slow clients open (path, seconds, status)"
times "$work/during.txt"
step "during: /metrics and /-/healthy answer within 1 s" all_fast "$work/during.txt"
all_cut() { grep -q "^done" "$work/slowloris.txt"; }
step "the listener closes every slow connection at its header timeout" wait_for 60 all_cut
grep "^closed" "$work/slowloris.txt" | sed -n '1p;$p' | sed 's/^/  slow connections /'
summary
