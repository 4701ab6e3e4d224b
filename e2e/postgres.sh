#!/usr/bin/env bash
# mxwatch on PostgreSQL: the daemon's store, Quartz job store and operator commands against a
# private PostgreSQL instance on 127.0.0.1 (started and stopped here, by PID). DNS goes to a
# closed loopback port, so every check fails its lookups: that exercises snapshots, events,
# drift state and the schedule without any other server. Then two daemons share 40 domains on the
# same store: both check, no domain is checked twice in one interval, every alert email reaches a
# sink on loopback (e2e/smtp-sink.py) once; after kill -9 of one, the other checks every domain
# within an interval.
#
#   e2e/postgres.sh            # needs target/mxwatch.jar (mvn -B verify builds it)
#
# Installs postgresql with apt-get when it is missing. Prints PASS/FAIL per step and
# "N passed, M failed"; keeps the logs in the directory it names.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
install_missing curl:curl promtool:prometheus # promtool comes with Debian's prometheus
e2e_init postgres
pg_start

closed_dns=$(free_port 127.0.0.1)
closed_relay=$(free_port 127.0.0.1)
http_port=$(free_port 127.0.0.1)
config="$work/mxwatch.yaml"
write_config() {
  cat > "$config" << YAML
dns: {resolvers: ["127.0.0.1:$closed_dns"], timeout: 200ms, retries: 0}
check: {deadline: 1s, authoritative: false}
smtp: {enabled: false}
defaults: {interval: 1s, confirmations: 2}
store: {url: "$pg_url", user: mxwatch}
http: {listen: "127.0.0.1:$http_port"}
domains: [$1]
alerts:
  from: mxwatch@e2e.test
  to: [oncall@e2e.test]
  relay: {host: 127.0.0.1, port: $closed_relay, tls: none, timeout: 1s}
  group_wait: 0s
YAML
}
write_config "example.org, example.com"

mxwatch() { "$java" -jar "$jar" "$@"; }
start_daemon() { # start_daemon LOG: starts mxwatch run in the background, sets $daemon
  "$java" -jar "$jar" run --config "$config" > "$1" 2>&1 &
  daemon=$!
  track "$daemon"
}
checks() { grep -c "io.mxwatch.check - $2 " "$1" || true; }
at_least() { (($(checks "$1" "$2") >= $3)); }

# --- the scenario -----------------------------------------------------------------------
run1="$work/run1.log"
run2="$work/run2.log"
both_checked() { at_least "$run1" example.org 3 && at_least "$run1" example.com 3; }
failing_not_removed() { grep -q "DNS_LOOKUP_FAILING" "$run1" && ! grep -q "_REMOVED" "$run1"; }
status_shows_failing() {
  mxwatch status --config "$config" > "$work/status.txt" && grep -q "^example.org .*DNS_LOOKUP_FAILING" "$work/status.txt"
}
alert_waits_for_relay() {
  mxwatch status --config "$config" > "$work/status-alerts.txt" && grep -q "waiting in the outbox" "$work/status-alerts.txt"
}
silence_round_trip() {
  mxwatch silence add example.org --for 1h --reason e2e --by e2e --config "$config" > "$work/silence.txt" \
    && mxwatch silence list --config "$config" >> "$work/silence.txt" && grep -q "example.org .*e2e" "$work/silence.txt"
}
history_shows_event() {
  mxwatch history example.org --config "$config" > "$work/history.txt" \
    && grep -q "snapshot" "$work/history.txt" && grep -q "DNS_LOOKUP_FAILING" "$work/history.txt"
}
# a live scrape: both domains exported, and promtool's linter finds nothing to complain about
metrics_lint_clean() {
  curl -sf "http://127.0.0.1:$http_port/metrics" > "$work/metrics.txt" \
    && grep -q 'mxwatch_domain_status{domain="example.com"}' "$work/metrics.txt" \
    && promtool check metrics < "$work/metrics.txt" > "$work/promtool.txt" 2>&1
}
removed_not_exported() {
  curl -sf "http://127.0.0.1:$http_port/metrics" > "$work/metrics-after.txt" \
    && grep -q 'mxwatch_domain_status{domain="example.net"}' "$work/metrics-after.txt" \
    && ! grep -q 'domain="example.com"' "$work/metrics-after.txt"
}
reloaded() { at_least "$run1" example.net 1 && grep -q "(1 added, 1 removed" "$run1"; }
resumed() { at_least "$run2" example.net 2 && grep -q "jobs 0 added, 0 removed, [0-9]* kept)" "$run2"; }
stopped_cleanly() { ((stop_status == 0)) && grep -q "stopped" "$run2" && ! grep -q "ERROR" "$run2"; }

start_daemon "$run1"
step "daemon checks both domains on PostgreSQL" wait_for 60 both_checked
step "failed lookups raise DNS_LOOKUP_FAILING, never a removal" failing_not_removed
step "status reads the store while the daemon runs" status_shows_failing
step "history lists the snapshot and the event" history_shows_event
step "an alert email waits in the outbox while the relay is down" wait_for 60 alert_waits_for_relay
step "silence add and list on PostgreSQL" silence_round_trip
step "/metrics exports both domains and passes promtool check metrics" wait_for 30 metrics_lint_clean

write_config "example.org, example.net"
kill -HUP "$daemon"
step "SIGHUP adds and removes domains" wait_for 60 reloaded
step "the removed domain is no longer exported, the added one is" wait_for 30 removed_not_exported

kill -KILL "$daemon"
wait "$daemon" 2> /dev/null || true
untrack "$daemon"
start_daemon "$run2"
step "after kill -9 the schedule resumes from the store" wait_for 90 resumed

kill -TERM "$daemon"
stop_status=0
wait "$daemon" || stop_status=$?
untrack "$daemon"
step "SIGTERM stops cleanly (exit 0, no errors)" stopped_cleanly

# --- two daemons share the domains ---------------------------------------------------------
sink_port=$(free_port 127.0.0.1 26100)
python3 "$(dirname "$0")/smtp-sink.py" "$sink_port" "$work/sink" > "$work/sink.log" 2>&1 &
track $!
cluster_interval=30
cluster_domains=$(seq -f 'd%02g.cluster.test' 1 40 | paste -sd, -)
write_cluster_config() { # write_cluster_config FILE HTTP_PORT
  cat > "$1" << YAML
dns: {resolvers: ["127.0.0.1:$closed_dns"], timeout: 200ms, retries: 0}
check: {deadline: 1s, authoritative: false}
smtp: {enabled: false}
defaults: {interval: ${cluster_interval}s, confirmations: 2}
store: {url: "$pg_url", user: mxwatch}
http: {listen: "127.0.0.1:$2"}
domains: [$cluster_domains]
alerts:
  from: mxwatch@e2e.test
  to: [oncall@e2e.test]
  relay: {host: 127.0.0.1, port: $sink_port, tls: none, timeout: 2s}
  group_wait: 0s
YAML
}
write_cluster_config "$work/node-a.yaml" "$(free_port 127.0.0.1 26200)"
write_cluster_config "$work/node-b.yaml" "$(free_port 127.0.0.1 26300)"
"$java" -jar "$jar" run --config "$work/node-a.yaml" > "$work/node-a.log" 2>&1 &
node_a=$!
track "$node_a"
"$java" -jar "$jar" run --config "$work/node-b.yaml" > "$work/node-b.log" 2>&1 &
node_b=$!
track "$node_b"

# cluster_report [AFTER_EPOCH]: checks by node a and b, checks less than half an interval after
# the previous one of their domain, the fewest checks of a domain, domains node a checked after AFTER
cluster_report() {
  python3 "$(dirname "$0")/cluster-report.py" "$cluster_interval" "${1:-0}" "$work/node-a.log" "$work/node-b.log"
}
cluster_checked() { read -r _ _ _ least _ < <(cluster_report) && ((least >= 3)); }
shared() { read -r a b _ _ _ < <(cluster_report) && ((a > 0 && b > 0)); }
no_duplicates() { read -r _ _ dup _ _ < <(cluster_report) && ((dup == 0)); }
emails_once() { # every domain's DNS_LOOKUP_FAILING email arrived, none twice (same Message-ID)
  local ids
  ids=$(grep -rhi '^Message-ID:' "$work/sink" 2> /dev/null | sort)
  [[ $(grep -c 'cluster.test' <<< "$ids") -ge 40 ]] && [[ -z $(uniq -d <<< "$ids") ]]
}
step "two daemons on one store check every domain" wait_for 240 cluster_checked
step "both daemons take a share of the slots" shared
step "no domain is checked twice within one interval" no_duplicates
step "each alert email reaches the relay once" wait_for 120 emails_once

kill -KILL "$node_b"
wait "$node_b" 2> /dev/null || true
untrack "$node_b"
killed_at=$(date +%s)
taken_over() { read -r _ _ _ _ after < <(cluster_report "$killed_at") && ((after == 40)); }
step "after kill -9 of one, the other checks every domain within an interval" wait_for $((cluster_interval + 30)) taken_over
still_once() { no_duplicates && emails_once; }
step "still no domain checked twice, no email sent twice" still_once
stop_pid "$node_a"
untrack "$node_a"

summary
