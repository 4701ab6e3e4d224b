#!/usr/bin/env bash
# End to end on real servers, all on loopback addresses of their own (127.53.0.0/16):
#
#   Knot DNS     127.53.0.1   authoritative for e2e.test (the zone file is rewritten, then
#                             `knotc zone-reload`)
#   Unbound      127.53.0.2   the recursive resolver mxwatch asks, forwarding e2e.test to Knot
#   Postfix mx-a 127.53.1.1   charlie's primary exchange (stopped and started in step 5)
#   Postfix mx-b 127.53.1.2   the other exchanges; one Postfix on two addresses
#                127.53.1.5
#   nothing      127.53.1.3   a backup exchange of delta that refuses connections
#   silent       127.53.1.4   a backup exchange of delta that accepts and never greets
#   Postfix      127.53.2.1   the alert relay, delivering into a Maildir read here
#   Prometheus   127.53.3.1   scrapes mxwatch (127.53.3.2) and loads the shipped alert rules
#
# Runs the packaged target/mxwatch.jar (mvn -B verify builds it) through the scenario of
# README.md "End-to-end tests", each step asserting with a deadline. Prints PASS/FAIL per step
# and "N passed, M failed"; exits non-zero on any failure; keeps every server's and mxwatch's
# log in the directory it names. Installs what is missing from Debian's packages; needs root
# (Postfix's master runs as root; the exchanges listen on port 25). Stops exactly the
# processes it started, by PID, on success, failure or interrupt. Rerunnable.
#
#   e2e/run.sh
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  if sudo -n true 2> /dev/null; then exec sudo -n "$0" "$@"; fi
  echo "e2e/run.sh: needs root (Postfix's master runs as root, the exchanges listen on port 25)" >&2
  exit 2
fi
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
install_missing knotd:knot knotc:knot kdig:knot-dnsutils unbound:unbound postfix:postfix \
  prometheus:prometheus promtool:prometheus curl:curl jq:jq openssl:openssl
e2e_init real
started_at=$SECONDS

knot=127.53.0.1
resolver=127.53.0.2
mx_a=127.53.1.1
mx_b=127.53.1.2
mx_b2=127.53.1.5
dead=127.53.1.3
silent=127.53.1.4
relay=127.53.2.1
prom=127.53.3.1
http=127.53.3.2
domains=(alpha bravo charlie delta echo foxtrot golf hotel) # under e2e.test; hotel is watched from step 9 on
maildir="$work/mail/inbox"

# Our addresses must be ours alone: a server left over from an interrupted run, or anything
# listening on a wildcard address at a port we need, is reported, never stopped.
leftover=$(ss -ltnupH | awk '$5 ~ /^127\.53\./' || true)
if [[ -n $leftover ]]; then
  printf 'e2e/run.sh: something already listens on 127.53.0.0/16 (not started by this run):\n%s\n' "$leftover" >&2
  exit 2
fi
# The exchanges listen on port 25 when no wildcard listener holds it; else on a free port
# (mxwatch's smtp.port is one port for every exchange).
smtp_port=25
for address in "$mx_a" "$dead"; do
  if (exec 3<> "/dev/tcp/$address/$smtp_port") 2> /dev/null; then smtp_port=""; fi
done
if [[ -z $smtp_port ]]; then
  smtp_port=$(free_port "$dead" 2525)
  echo "port 25 is taken by a wildcard listener on this machine: the exchanges use port $smtp_port"
fi
dns_port=$(free_port "$knot" 5300)
resolver_port=$(free_port "$resolver" 5300)
relay_port=$(free_port "$relay" 2500)
prom_port=$(free_port "$prom" 9090)
http_port=$(free_port "$http" 9725)

# --- Knot: the zone, rewritten by each step -----------------------------------------------
alpha_mx2=yes
bravo_policy=reject
echo_spf="v=spf1 mx -all"
foxtrot_spf="v=spf1 mx -all"
serial=0
zone="$work/knot/e2e.test.zone"

write_zone() {
  local d
  serial=$((serial + 1))
  {
    # shellcheck disable=SC2016 # zone file directives, not shell
    printf '$ORIGIN e2e.test.\n$TTL 1\n'
    printf '@ SOA ns hostmaster %d 3600 600 86400 1\n@ NS ns\nns A %s\n' "$serial" "$knot"
    for d in "${domains[@]}"; do
      local spf="v=spf1 mx -all" policy=reject mx1=$mx_b
      [[ $d == echo ]] && spf=$echo_spf
      [[ $d == foxtrot ]] && spf=$foxtrot_spf
      [[ $d == bravo ]] && policy=$bravo_policy
      [[ $d == charlie ]] && mx1=$mx_a
      printf '%s MX 10 mx1.%s\nmx1.%s A %s\n' "$d" "$d" "$d" "$mx1"
      if [[ $d == delta ]]; then
        printf 'delta MX 20 dead.delta\ndead.delta A %s\ndelta MX 30 silent.delta\nsilent.delta A %s\n' "$dead" "$silent"
      else
        [[ $d == alpha && $alpha_mx2 != yes ]] || printf '%s MX 20 mx2.%s\n' "$d" "$d"
        printf 'mx2.%s A %s\n' "$d" "$mx_b2"
      fi
      printf '%s TXT "%s"\n' "$d" "$spf"
      printf '_dmarc.%s TXT "v=DMARC1; p=%s; rua=mailto:dmarc@%s.e2e.test"\n' "$d" "$policy" "$d"
    done
  } > "$zone.new"
  mv "$zone.new" "$zone"
}
serves_serial() { [[ $(kdig +short +timeout=1 +retry=0 "@$knot" -p "$dns_port" SOA e2e.test 2> /dev/null | awk '{print $3}') == "$1" ]]; }
reload_zone() { # rewrites the zone, reloads it, and returns once Knot serves it
  write_zone
  knotc -c "$work/knot.conf" -b zone-reload e2e.test > "$work/knot/reload.log" 2>&1 || return 1
  wait_for 10 serves_serial "$serial"
}

mkdir -p "$work/knot"
write_zone
cat > "$work/knot.conf" << CONF
server:
    rundir: "$work/knot"
    listen: $knot@$dns_port
database:
    storage: "$work/knot"
log:
  - target: stderr
    any: info
zone:
  - domain: e2e.test
    file: "$zone"
    journal-content: none
    zonefile-sync: -1
CONF
knotd -c "$work/knot.conf" > "$work/knot/knotd.log" 2>&1 &
track $!
wait_for 30 serves_serial "$serial" || { echo "Knot did not serve the zone: see $work/knot/knotd.log" >&2; exit 1; }

# --- Unbound: the resolver mxwatch uses ---------------------------------------------------
mkdir -p "$work/unbound"
{
  unbound_conf "$resolver" "$resolver_port" iterator
  cat << CONF
forward-zone:
    name: "e2e.test"
    forward-addr: $knot@$dns_port
CONF
} > "$work/unbound/unbound.conf"
resolves() { [[ -n $(kdig +short +timeout=1 +retry=0 "@$resolver" -p "$resolver_port" MX alpha.e2e.test 2> /dev/null) ]]; }
start_unbound() {
  unbound -d -c "$work/unbound/unbound.conf" >> "$work/unbound/unbound.log" 2>&1 &
  unbound_pid=$!
  track "$unbound_pid"
  wait_for 30 resolves
}
start_unbound || { echo "Unbound did not resolve: see $work/unbound/unbound.log" >&2; exit 1; }

# --- Postfix: two exchange instances and the alert relay ----------------------------------
mkdir -p "$work/tls" "$work/mail"
# a test CA (mxwatch trusts it through smtp.tls.trust) and one certificate for both exchanges
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mxwatch e2e test CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$work/tls/ca-key.pem" -out "$work/tls/ca.pem" 2> "$work/tls/openssl.log"
openssl req -newkey rsa:2048 -nodes -subj /CN=mx-a.e2e.test \
  -keyout "$work/tls/key.pem" -out "$work/tls/mx.csr" 2>> "$work/tls/openssl.log"
# every domain's exchanges (mx1.alpha.e2e.test, dead.delta.e2e.test ...) point at the two instances
sans=DNS:mx-a.e2e.test,DNS:mx-b.e2e.test
for d in alpha bravo charlie delta echo foxtrot golf hotel; do sans+=",DNS:*.$d.e2e.test"; done
printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\n' "$sans" > "$work/tls/mx.ext"
openssl x509 -req -in "$work/tls/mx.csr" -CA "$work/tls/ca.pem" -CAkey "$work/tls/ca-key.pem" -CAcreateserial \
  -days 30 -extfile "$work/tls/mx.ext" -out "$work/tls/cert.pem" 2>> "$work/tls/openssl.log"
chown postfix "$work/mail"

postfix_instance mx-a mx-a.e2e.test "$mx_a:$smtp_port"
postfix_instance mx-b mx-b.e2e.test "$mx_b:$smtp_port" "$mx_b2:$smtp_port"
postfix_instance relay relay.e2e.test "$relay:$relay_port"
start_postfix mx-a "$mx_a" "$smtp_port" || { echo "Postfix mx-a did not start: see $work/postfix-mx-a" >&2; exit 1; }
start_postfix mx-b "$mx_b2" "$smtp_port" || { echo "Postfix mx-b did not start: see $work/postfix-mx-b" >&2; exit 1; }
start_postfix relay "$relay" "$relay_port" || { echo "the relay did not start: see $work/postfix-relay" >&2; exit 1; }

# --- the silent exchange: accepts connections, never says a word --------------------------
perl -MIO::Socket::INET -e '
  my $s = IO::Socket::INET->new(LocalAddr => $ARGV[0], LocalPort => $ARGV[1], Listen => 64, ReuseAddr => 1)
    or die "silent: cannot listen on $ARGV[0]:$ARGV[1]: $!\n";
  my @held;
  while (my $c = $s->accept) { push @held, $c; shift @held while @held > 64; }
' "$silent" "$smtp_port" > "$work/silent.log" 2>&1 &
track $!
wait_for 10 listens "$silent" "$smtp_port" || { echo "the silent listener did not start: see $work/silent.log" >&2; exit 1; }

# --- Prometheus with the shipped rules ----------------------------------------------------
mkdir -p "$work/prometheus"
cat > "$work/prometheus/prometheus.yml" << YAML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$root/deploy/prometheus/mxwatch-rules.yml"]
scrape_configs:
  - job_name: mxwatch
    static_configs: [{targets: ["$http:$http_port"]}]
  # charlie in full whatever its state, through /probe?target= (the multi-target pattern)
  - job_name: mxwatch-domains
    metrics_path: /probe
    static_configs: [{targets: ["charlie.e2e.test"]}]
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {source_labels: [__param_target], target_label: instance}
      - {target_label: __address__, replacement: "$http:$http_port"}
YAML
prometheus --config.file="$work/prometheus/prometheus.yml" --storage.tsdb.path="$work/prometheus/data" \
  --web.listen-address="$prom:$prom_port" > "$work/prometheus/prometheus.log" 2>&1 &
track $!
prom_ready() { curl -sf "http://$prom:$prom_port/-/ready" > /dev/null; }
wait_for 60 prom_ready || { echo "Prometheus did not start: see $work/prometheus/prometheus.log" >&2; exit 1; }

# --- mxwatch -----------------------------------------------------------------------------
config="$work/mxwatch.yaml"
write_config() { # write_config DOMAIN...: the watched domains (foxtrot checks every 4 s)
  local d list=()
  for d in "$@"; do
    if [[ $d == foxtrot ]]; then list+=("{name: foxtrot.e2e.test, interval: 4s}"); else list+=("$d.e2e.test"); fi
  done
  cat > "$config" << YAML
dns: {resolvers: ["$resolver:$resolver_port"], timeout: 500ms, retries: 1}
check: {deadline: 3s, authoritative: false}
smtp: {port: $smtp_port, helo_name: mxwatch.e2e.test, connect_timeout: 1s, read_timeout: 1s, deadline: 3s, ipv6: false, deny: [],
       tls: {trust: "$work/tls/ca.pem"}}
defaults: {interval: 2s, confirmations: 2}
store: {data_dir: "$work/data"}
http: {listen: "$http:$http_port"}
domains: [$(IFS=,; echo "${list[*]}")]
alerts:
  from: mxwatch@e2e.test
  to: [oncall@e2e.test]
  relay: {host: $relay, port: $relay_port, tls: none, timeout: 2s}
  group_wait: 0s
  group_interval: 1s
  public_url: "http://$http:$http_port/"
YAML
}
watched=(alpha bravo charlie delta echo foxtrot golf)
write_config "${watched[@]}"
mxwatch() { "$java" -jar "$jar" "$@"; }
run=0
start_mxwatch() { # a new log per run: mxwatch-1.log, mxwatch-2.log, ...
  run=$((run + 1))
  log="$work/mxwatch-$run.log"
  MXWATCH_LOG_LEVEL=INFO "$java" -jar "$jar" run --config "$config" > "$log" 2>&1 &
  daemon=$!
  track "$daemon"
}

# --- what the assertions read --------------------------------------------------------------
checks() { # checks DOMAIN [STATUS [FROM_LINE]]: check lines of the current log
  tail -n +"${3:-1}" "$log" | grep -cE "io\.mxwatch\.check - $1\.e2e\.test ${2:-[a-z]+} in " || true
}
lines() { wc -l < "$log"; }
mails() { # mails [MARK]: the delivered emails' files (delivered after the file MARK was made)
  find "$maildir/new" "$maildir/cur" -type f ${1:+-newer "$1"} 2> /dev/null | sort
}
mark() { touch "$work/$1.mark" && echo "$work/$1.mark"; }
header() { # header FILE NAME: the header's unfolded value
  awk -v want="$(tr '[:upper:]' '[:lower:]' <<< "$2")" '
    { sub(/\r$/, "") }
    /^$/ { exit }
    /^[ \t]/ { if (cur == want) value = value $0; next }
    { cur = tolower(substr($0, 1, index($0, ":") - 1)); if (cur == want) value = substr($0, index($0, ":") + 2) }
    END { print value }' "$1"
}
body() { perl -MMIME::QuotedPrint -0777 -ne 'print decode_qp($_)' "$1"; }
mails_for() { # mails_for DOMAIN [firing|resolved|any [MARK]]: the files of the alert emails about DOMAIN
  local f subject
  for f in $(mails "${3:-}"); do
    subject=$(header "$f" Subject)
    [[ $subject == *" $1.e2e.test: "* ]] || continue
    case ${2:-} in
      firing) [[ $subject != *"] RESOLVED "* ]] || continue ;;
      resolved) [[ $subject == *"] RESOLVED "* ]] || continue ;;
    esac
    echo "$f"
  done
}
count() { "$@" | grep -c . || true; }
prom_query() { # prom_query PROMQL: "labels value" per series
  curl -sfG "http://$prom:$prom_port/api/v1/query" --data-urlencode "query=$1" \
    | jq -r '.data.result[] | "\(.metric | del(.__name__) | to_entries | map("\(.key)=\(.value)") | join(",")) \(.value[1])"'
}
prom_value() { prom_query "$1" | awk 'NR == 1 {print $NF}'; }
scrape() { curl -sf "http://$http:$http_port/metrics"; }

# --- the scenario ------------------------------------------------------------------------
start_mxwatch

# 1. baseline
baseline_learned() {
  local d
  for d in "${watched[@]}"; do (($(checks "$d") >= 3)) || return 1; done
}
prometheus_sees_baseline() {
  # the aggregates count every domain (delta warning: its two backups are dead; the rest ok), no
  # drift; delta, a problem, has its own series in /metrics; charlie, fine, comes through /probe
  local ok=$((${#watched[@]} - 1))
  [[ $(prom_value 'sum(mxwatch_domains{job="mxwatch",status="ok"})') == "$ok" ]] \
    && [[ $(prom_value 'sum(mxwatch_domains{job="mxwatch",status="warning"})') == 1 ]] \
    && [[ $(prom_value 'sum(mxwatch_open_changes{job="mxwatch"})') == 0 ]] \
    && [[ $(prom_value 'mxwatch_domain_status{job="mxwatch",domain="delta.e2e.test"}') == 1 ]] \
    && [[ $(prom_value 'count(mxwatch_domain_status{job="mxwatch"})') == 1 ]] \
    && [[ $(prom_value 'sum(mxwatch_exchange_up{job="mxwatch",domain="delta.e2e.test"})') == 1 ]] \
    && [[ $(prom_value 'mxwatch_domain_exchanges_reachable{job="mxwatch-domains",domain="charlie.e2e.test"}') == 2 ]] \
    && [[ $(prom_value 'mxwatch_domain_status{job="mxwatch-domains",domain="charlie.e2e.test"}') == 0 ]]
}
step "1 every domain checked and its baseline learned" wait_for 90 baseline_learned
step "1 no alert email for the baseline" test "$(count mails)" -eq 0
step "1 Prometheus: every domain counted, no drift, delta's dead and silent backups down, charlie via /probe" \
  wait_for 60 prometheus_sees_baseline

# 1b. the same domains with mxwatch asking Knot directly: the same records and statuses
summarize() { # per domain: status, MX hosts with their addresses, SPF and DMARC records
  jq -c '[.[] | {domain, status, spf: .spf.records, dmarc: .dmarc.records,
    mx: [.mx.hosts[]? | "\(.preference) \(.exchange) \([.addresses[].address] | sort | join(","))"] | sort}] | sort_by(.domain)'
}
direct_matches_recursive() {
  local names=() d
  for d in "${watched[@]}"; do names+=("$d.e2e.test"); done
  mxwatch check --config "$config" --resolver "$knot:$dns_port" --format json "${names[@]}" > "$work/check-knot.json" 2> "$work/check-knot.err" || true
  mxwatch check --config "$config" --format json "${names[@]}" > "$work/check-unbound.json" 2> "$work/check-unbound.err" || true
  summarize < "$work/check-knot.json" > "$work/check-knot.summary" \
    && summarize < "$work/check-unbound.json" > "$work/check-unbound.summary" \
    && cmp -s "$work/check-knot.summary" "$work/check-unbound.summary" \
    && [[ $(jq -r '[.[] | select(.domain == "alpha.e2e.test")][0].mx.hosts | length' "$work/check-knot.json") == 2 ]] \
    && [[ $(jq -r '[.[].mx.authoritative] | unique | join(",")' "$work/check-knot.json") == true ]] \
    && [[ $(jq -r '[.[].mx.authoritative] | unique | join(",")' "$work/check-unbound.json") == false ]]
}
step "1b mxwatch check straight at Knot: authoritative answers, the same records and statuses as through Unbound" direct_matches_recursive

# 2. an MX record removed
alpha_alert=""
alpha_alerted() {
  [[ $(count mails_for alpha) -ge 1 ]] || return 1
  alpha_alert=$(mails_for alpha firing | head -n1)
  [[ -n $alpha_alert ]]
}
names_removed_exchange() {
  local subject text
  subject=$(header "$alpha_alert" Subject)
  text=$(body "$alpha_alert")
  [[ $subject == "[mxwatch] CRITICAL alpha.e2e.test: MX mx2.alpha.e2e.test removed"* ]] \
    && grep -q "MX_REMOVED mx2.alpha.e2e.test" <<< "$text" \
    && grep -q "before.*20 mx2.alpha.e2e.test" <<< "$text" && grep -q "after" <<< "$text"
}
drift_firing_in_prometheus() {
  [[ $(prom_value 'mxwatch_domain_drift_open{domain="alpha.e2e.test",severity="critical"}') -ge 1 ]] \
    && [[ $(prom_value 'ALERTS{alertname="MxwatchDriftOpen",domain="alpha.e2e.test",alertstate="firing"}') == 1 ]]
}
alpha_mx2=no
step "2 the zone without alpha's mx2 is served" reload_zone
step "2 an alert email arrives for alpha" wait_for 60 alpha_alerted
step "2 it names the removed exchange, before → after" names_removed_exchange
step "2 Prometheus shows the open drift and MxwatchDriftOpen fires" wait_for 60 drift_firing_in_prometheus
step "2 exactly one email for alpha" test "$(count mails_for alpha)" -eq 1
email_link_opens_the_page() { # the email's Details link: the domain's page, naming the change
  local url page
  url=$(body "$alpha_alert" | grep -oE "Details: http://[^ ]+" | head -n1 | cut -d' ' -f2)
  [[ $url == "http://$http:$http_port/domains/alpha.e2e.test" ]] || return 1
  page=$(curl -sf -H "Accept: text/html" "$url") || return 1
  grep -q "<code>MX_REMOVED</code>" <<< "$page" && grep -q "<del>20 mx2.alpha.e2e.test</del>" <<< "$page"
}
step "2 the email's link opens alpha's page: 200, the change before → after" email_link_opens_the_page

# 3. ack
threaded_resolved() { # threaded_resolved DOMAIN FIRST_FILE: a RESOLVED email in reply to FIRST_FILE
  local first f
  first=$(header "$2" Message-ID)
  for f in $(mails_for "$1" resolved); do
    [[ $(header "$f" In-Reply-To) == "$first" ]] && return 0
  done
  return 1
}
alpha_back_to_ok() {
  # fine again: its series leave /metrics (Prometheus marks them stale), the alert resolves
  [[ $(prom_value '(sum(mxwatch_domain_drift_open{job="mxwatch",domain="alpha.e2e.test"}) or vector(0))') == 0 ]] \
    && [[ -z $(prom_value 'ALERTS{alertname="MxwatchDriftOpen",domain="alpha.e2e.test"}') ]]
}
ack() { # ack DOMAIN REASON: approves the current state with the CLI, as an operator would
  mxwatch ack "$1.e2e.test" --reason "$2" --by e2e --config "$config" > "$work/ack-$1.txt" 2>&1 \
    && grep -q "approved by e2e" "$work/ack-$1.txt"
}
step "3 mxwatch ack approves the change" ack alpha "mx2 retired"
step "3 a RESOLVED email arrives, threaded to the alert" wait_for 60 threaded_resolved alpha "$alpha_alert"
step "3 Prometheus: alpha's drift back to 0, the alert gone" wait_for 60 alpha_back_to_ok
step "3 alpha got exactly two emails (alert, resolved)" test "$(count mails_for alpha)" -eq 2

# 4. DMARC weakened
bravo_alert=""
bravo_weakened() {
  local f
  for f in $(mails_for bravo firing); do
    if body "$f" | grep -q "DMARC_POLICY_WEAKENED"; then bravo_alert=$f; fi
  done
  [[ -n $bravo_alert ]] && [[ $(header "$bravo_alert" Subject) == *"DMARC policy weakened"* ]] \
    && body "$bravo_alert" | grep -q "p=none"
}
bravo_policy=none
step "4 the zone with bravo's p=none is served" reload_zone
step "4 DMARC_POLICY_WEAKENED alert email for bravo" wait_for 60 bravo_weakened
step "4 mxwatch ack approves it" ack bravo "monitoring only for now"
step "4 bravo's RESOLVED email, threaded" wait_for 60 threaded_resolved bravo "$bravo_alert"

# 5. the primary exchange's Postfix stopped, then started again
charlie_alert=""
charlie_primary_down() {
  local f text
  for f in $(mails_for charlie firing); do
    text=$(body "$f")
    if grep -q "SMTP_BECAME_UNREACHABLE $mx_a" <<< "$text" && grep -q "SMTP_PRIMARY_UNREACHABLE" <<< "$text"; then
      charlie_alert=$f
      return 0
    fi
  done
  return 1
}
charlie_primary_in_prometheus() {
  [[ $(prom_value 'mxwatch_domain_primary_exchanges_reachable{job="mxwatch",domain="charlie.e2e.test"}') == 0 ]]
}
stop_postfix mx-a
step "5 Postfix mx-a stopped: SMTP_BECAME_UNREACHABLE and SMTP_PRIMARY_UNREACHABLE for charlie" \
  wait_for 60 charlie_primary_down
step "5 Prometheus: charlie's primary exchanges reachable 0" wait_for 30 charlie_primary_in_prometheus
step "5 Postfix mx-a started again" start_postfix mx-a "$mx_a" "$smtp_port"
step "5 charlie's RESOLVED email, threaded" wait_for 60 threaded_resolved charlie "$charlie_alert"

# 6. the resolver down for several checks
declare -A dns_alert
dns_failing_everywhere() {
  local d f
  for d in "${watched[@]}"; do
    [[ -n ${dns_alert[$d]:-} ]] && continue
    for f in $(mails_for "$d" firing "$outage_mark"); do
      if body "$f" | grep -q "DNS_LOOKUP_FAILING"; then dns_alert[$d]=$f; fi
    done
    [[ -n ${dns_alert[$d]:-} ]] || return 1
  done
}
several_unknown_checks() {
  local d
  for d in "${watched[@]}"; do (($(checks "$d" unknown "$outage_from") >= 5)) || return 1; done
}
nothing_removed() {
  local f
  ! tail -n +"$outage_from" "$log" | grep -E "change confirmed: .*(MX_REMOVED|SPF_REMOVED|DMARC_REMOVED)" \
    && for f in $(mails "$outage_mark"); do ! body "$f" | grep -qE "MX_REMOVED|SPF_REMOVED|DMARC_REMOVED" || return 1; done
}
dns_resolved_everywhere() {
  local d
  for d in "${watched[@]}"; do threaded_resolved "$d" "${dns_alert[$d]}" || return 1; done
}
outage_from=$(($(lines) + 1))
outage_mark=$(mark outage)
stop_pid "$unbound_pid"
untrack "$unbound_pid"
step "6 Unbound stopped: DNS_LOOKUP_FAILING emailed for every domain" wait_for 90 dns_failing_everywhere
step "6 the outage lasts several checks" wait_for 60 several_unknown_checks
step "6 no MX_REMOVED, SPF_REMOVED or DMARC_REMOVED during the outage" nothing_removed
step "6 Unbound started again" start_unbound
step "6 every domain's RESOLVED email, threaded" wait_for 90 dns_resolved_everywhere

# 7. the relay down, a change, kill -9, restart, the relay back: delivered exactly once
echo_emails() { # echo_emails firing|resolved MARK: how many such emails about echo's SPF since MARK
  local f n=0
  for f in $(mails_for echo "$1" "$2"); do
    if body "$f" | grep -q "SPF_CHANGED"; then n=$((n + 1)); fi
  done
  echo "$n"
}
delivered() { (($(echo_emails "$1" "$2") >= 1)); }
delivered_once() { wait_for 60 outbox_empty && (($(echo_emails "$1" "$2") == 1)); }
outbox_empty() { scrape | grep -qE '^mxwatch_outbox_emails(\{[^}]*\})? 0(\.0)?$'; }
echo_waits() { grep -qE "echo\.e2e\.test alert <[^>]+> not sent" "$log"; }
checked_again() { (($(checks echo) >= 3)); } # the new process checked, and its alert ticks ran
kill_and_restart() {
  kill -KILL "$daemon"
  wait "$daemon" 2> /dev/null || true
  untrack "$daemon"
  start_mxwatch
}
relay_down=$(mark relay-down)
stop_postfix relay
echo_spf="v=spf1 mx a -all"
step "7 the zone with echo's new SPF is served" reload_zone
step "7 the alert waits in the outbox while the relay is down" wait_for 60 echo_waits
kill_and_restart
step "7 after kill -9, mxwatch runs again" wait_for 90 checked_again
step "7 the relay started again" start_postfix relay "$relay" "$relay_port"
step "7 the alert is delivered" wait_for 120 delivered firing "$relay_down"
step "7 the outbox empties: the alert was delivered exactly once" delivered_once firing "$relay_down"

# 8. a record that flaps for one check: no alert
flap_seen() { (($(checks foxtrot warning "$flap_from") >= 1)); }
flap_over() { (($(checks foxtrot ok "$flap_from") >= 3)); }
no_flap_alert() {
  ! tail -n +"$flap_from" "$log" | grep -q "foxtrot.e2e.test change confirmed" \
    && [[ $(count mails_for foxtrot firing) == "$foxtrot_before" ]] \
    && { scrape | grep -E '^mxwatch_domain_drift_open\{domain="foxtrot.e2e.test"' || true; } | awk '{s += $NF} END {exit s != 0}'
}
foxtrot_before=$(count mails_for foxtrot firing)
flap_from=$(($(lines) + 1))
foxtrot_spf="v=spf1 mx ?all"
step "8 the zone with foxtrot's ?all is served" reload_zone
step "8 one check sees it" wait_for 30 flap_seen
foxtrot_spf="v=spf1 mx -all"
step "8 the record is back" reload_zone
flap_left_no_trace() { wait_for 60 flap_over && no_flap_alert; }
step "8 three checks later: no change confirmed, no email, no drift" flap_left_no_trace

# 9. SIGHUP: hotel added, golf removed
reloaded() { tail -n +"$reload_from" "$log" | grep -q "(1 added, 1 removed" && (($(checks hotel) >= 1)); }
golf_gone() { # golf in no series and not probed any more; hotel counted and probed
  scrape > "$work/metrics-after-reload.txt" \
    && ! grep -q 'domain="golf.e2e.test"' "$work/metrics-after-reload.txt" \
    && grep -Eq '^mxwatch_domains_watched 7(\.0)?$' "$work/metrics-after-reload.txt" \
    && curl -sf "http://$http:$http_port/probe?target=hotel.e2e.test" | grep -q '^mxwatch_domain_status{domain="hotel.e2e.test"}' \
    && [[ $(curl -s -o /dev/null -w '%{http_code}' "http://$http:$http_port/probe?target=golf.e2e.test") == 404 ]]
}
golf_history_kept() {
  mxwatch history golf.e2e.test --config "$config" > "$work/history-golf.txt" 2>&1 && grep -q "snapshot" "$work/history-golf.txt"
}
reload_from=$(($(lines) + 1))
watched=(alpha bravo charlie delta echo foxtrot hotel)
write_config "${watched[@]}"
kill -HUP "$daemon"
step "9 SIGHUP: hotel is checked" wait_for 60 reloaded
step "9 golf is gone from /metrics, hotel is there" wait_for 30 golf_gone
step "9 golf's history stays" golf_history_kept

# 10. a live scrape passes promtool's linter
lint_clean() { scrape > "$work/metrics.txt" && promtool check metrics < "$work/metrics.txt" > "$work/promtool.txt" 2>&1; }
step "10 promtool check metrics on a live scrape is clean" lint_clean

stop_status=0
kill -TERM "$daemon"
wait "$daemon" || stop_status=$?
untrack "$daemon"
step "mxwatch stops on SIGTERM with exit 0" test "$stop_status" -eq 0

echo "$(count mails) alert emails in $maildir; took $((SECONDS - started_at)) s"
summary
