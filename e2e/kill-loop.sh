#!/usr/bin/env bash
# No duplicate page and no lost one after kill -9, on the default H2 store: RUNS times (default
# 50), start the daemon with one more domain than before (its lookups fail, so it pages once),
# wait for the relay (e2e/smtp-sink.py) to accept that email, kill -9 the daemon 0-200 ms later,
# and start again. At the end one clean run sends whatever is left; then every domain's email
# must have reached the relay exactly once (counted by Message-ID) and every domain's change
# event must be in the store.
#
#   e2e/kill-loop.sh [RUNS]     # needs target/mxwatch.jar (mvn -B verify builds it)
#
# Prints PASS/FAIL per step and "N passed, M failed"; keeps the logs in the directory it names.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
install_missing python3:python3
e2e_init kill-loop
runs=${1:-50}

closed_dns=$(free_port 127.0.0.1)
sink_port=$(free_port 127.0.0.1)
http_port=$(free_port 127.0.0.1)
python3 "$(dirname "$0")/smtp-sink.py" "$sink_port" "$work/sink" > "$work/sink.log" 2>&1 &
track $!
config="$work/mxwatch.yaml"
write_config() { # write_config N: domains k001..kN
  cat > "$config" << YAML
dns: {resolvers: ["127.0.0.1:$closed_dns"], timeout: 200ms, retries: 0}
check: {deadline: 1s, authoritative: false}
smtp: {enabled: false}
defaults: {interval: 1s, confirmations: 1}
store: {data_dir: "$work/data"}
http: {listen: "127.0.0.1:$http_port"}
domains: [$(printf 'k%03d.kill.test,' $(seq 1 "$1") | sed 's/,$//')]
alerts:
  from: mxwatch@e2e.test
  to: [oncall@e2e.test]
  relay: {host: 127.0.0.1, port: $sink_port, tls: none, timeout: 2s}
  group_wait: 0s
YAML
}
accepted() { find "$work/sink" -name '*.eml' 2> /dev/null | wc -l; }

kills=0
for ((i = 1; i <= runs; i++)); do
  write_config "$i"
  "$java" -jar "$jar" run --config "$config" >> "$work/daemon.log" 2>&1 &
  daemon=$!
  track "$daemon"
  deadline=$((SECONDS + 60))
  while (($(accepted) < i && SECONDS < deadline)); do sleep 0.02; done
  sleep "0.$(printf '%03d' $((RANDOM % 200)))" # 0-199 ms after the relay took it
  kill -KILL "$daemon" 2> /dev/null && kills=$((kills + 1))
  wait "$daemon" 2> /dev/null || true
  untrack "$daemon"
done
echo "$runs runs, $kills killed with kill -9 after the relay accepted an email"

# a last run, stopped cleanly once every domain's email is in
"$java" -jar "$jar" run --config "$config" >> "$work/daemon.log" 2>&1 &
daemon=$!
track "$daemon"
all_in() { (($(grep -rh '^Subject:' "$work/sink" | grep -o 'k[0-9]*\.kill\.test' | sort -u | wc -l) >= runs)); }
wait_for 120 all_in || true
sleep 3 # a duplicate would be on its way now: give it the time to arrive
kill -TERM "$daemon"
wait "$daemon" 2> /dev/null || true
untrack "$daemon"

grep -rhi '^Message-ID:' "$work/sink" | sort > "$work/message-ids.txt"
grep -rh '^Subject:' "$work/sink" | grep -o 'k[0-9]*\.kill\.test' | sort > "$work/paged.txt"
total=$(wc -l < "$work/paged.txt")
distinct=$(sort -u "$work/message-ids.txt" | wc -l)
paged=$(sort -u "$work/paged.txt" | wc -l)
echo "at the relay: $total emails, $distinct distinct Message-IDs, $paged of $runs domains paged"
# each domain pages once: a second email, with the same Message-ID (a resend) or a new one (the
# decision made again), is a duplicate page
no_duplicates() { ((total == paged)); }
none_lost() { ((paged == runs)); }
"$java" -jar "$jar" status --config "$config" > "$work/status.txt" 2>&1 || true
events_kept() { (($(grep -c 'DNS_LOOKUP_FAILING' "$work/status.txt") >= runs)); }
step "no email reached the relay twice (0 duplicates)" no_duplicates
step "every domain's email reached the relay (0 lost)" none_lost
step "every domain's change event is in the store" events_kept
summary
