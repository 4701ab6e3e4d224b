#!/usr/bin/env bash
# Every authoritative nameserver, end to end, on loopback addresses of their own (127.53.9.0/24,
# and 127.53.10.2 for the secondary: another /24),
# one port for the three nameservers (as nameservers share 53; check.nameserver_port tells it):
#
#   Knot ns1   127.53.9.1   primary of shop.nsview.test (from a zone file): NOTIFY and transfers to ns2
#   Knot ns2   127.53.10.2  secondary of shop.nsview.test, by zone transfer from ns1
#   Knot p     127.53.9.3   the parent zone nsview.test, delegating shop to ns1 and ns2 (with glue)
#   Unbound    127.53.9.4   the resolver mxwatch asks: stub zones for both at their servers
#
# Steps, with `mxwatch check --authoritative` (the packaged jar) through Unbound:
#   1. the secondary has the primary's zone, the parent delegates to both: no nameserver finding
#   2. the secondary's transfers held (knotc zone-freeze) and an MX added on the primary (knotc):
#      NS_INCONSISTENT_MX naming which server says what, NS_SERIAL_DIFFERS one serial behind
#   3. the secondary let go (zone-thaw, zone-refresh): it transfers the change, consistent again
#   4. the parent's delegation names a server the zone does not: NS_PARENT_MISMATCH
#   5. the secondary stopped: NS_NOT_ANSWERING for ns2 (a timeout), and the domain's status is
#      not unknown: its own records come from the resolver
# Then the daemon (`mxwatch run`, check.inconsistent_after 1m) watches the domain and sends its
# alert emails to e2e/smtp-sink.py:
#   6. it learns the domain without an email
#   7. the secondary held again and an MX added on the primary: the NS_INCONSISTENT_MX email, a
#      warning (a change in progress), and no MX change while the resolver's answer depends on
#      which server it asked
#   8. a minute later, still not on the secondary: the critical email, "not propagating"
#   9. the secondary let go: the MX_ADDED email says since when every nameserver serves the new
#      set and by when every resolver's cache has it (the old records' TTL after that), and the
#      inconsistency is told as resolved
#
#   e2e/ns.sh
#
# Needs root to install what is missing (knot, knot-dnsutils, unbound, python3). Stops exactly the
# processes it started, by PID.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
install_missing knotd:knot knotc:knot kdig:knot-dnsutils unbound:unbound python3:python3
e2e_init ns

ns1=127.53.9.1
ns2=127.53.10.2
parent=127.53.9.3
resolver=127.53.9.4
loopback_addresses "$ns1" "$ns2" "$parent" "$resolver"
# one port free at all three nameservers
ns_port=""
for candidate in $(seq 5353 5453); do
  if ! listens "$ns1" "$candidate" && ! listens "$ns2" "$candidate" && ! listens "$parent" "$candidate"; then
    ns_port=$candidate
    break
  fi
done
[[ -n $ns_port ]] || { echo "no port free at $ns1, $ns2 and $parent" >&2; exit 1; }
resolver_port=$(free_port "$resolver" 5300)
domain=shop.nsview.test

# --- the three Knot servers ----------------------------------------------------------------
knot_conf() { # knot_conf NAME ADDRESS: the server, log and database clauses of one instance
  mkdir -p "$work/knot-$1"
  cat << CONF
server:
    rundir: "$work/knot-$1"
    listen: $2@$ns_port
database:
    storage: "$work/knot-$1"
log:
  - target: stderr
    any: info
CONF
}
cat > "$work/knot-ns1.zone" << ZONE
\$ORIGIN $domain.
\$TTL 60
@      SOA ns1 hostmaster 2026120701 3600 600 86400 60
@      NS  ns1
@      NS  ns2
ns1    A   $ns1
ns2    A   $ns2
@      MX  10 mx1
mx1    A   192.0.2.10
@      TXT "v=spf1 mx -all"
_dmarc TXT "v=DMARC1; p=reject"
ZONE
{
  knot_conf ns1 "$ns1"
  cat << CONF
remote:
  - id: ns2
    address: $ns2@$ns_port
acl:
  - id: transfer
    address: 127.0.0.0/8
    action: transfer
zone:
  - domain: $domain
    file: "$work/knot-ns1.zone"
    journal-content: changes
    zonefile-sync: -1
    notify: ns2
    acl: transfer
CONF
} > "$work/knot-ns1.conf"
{
  knot_conf ns2 "$ns2"
  cat << CONF
remote:
  - id: ns1
    address: $ns1@$ns_port
acl:
  - id: notify
    address: 127.0.0.0/8
    action: notify
zone:
  - domain: $domain
    master: ns1
    acl: notify
    journal-content: changes
    zonefile-sync: -1
CONF
} > "$work/knot-ns2.conf"
delegation() { # delegation NS...: the parent zone delegating shop to the given servers (ns1, ns2, ns3)
  local s
  # shellcheck disable=SC2016 # $ORIGIN and $TTL are zone-file directives, not shell variables
  printf '$ORIGIN nsview.test.\n$TTL 60\n@ SOA p hostmaster %s 3600 600 86400 60\n@ NS p\np A %s\n' "$(date +%s)" "$parent"
  for s in "$@"; do
    printf 'shop NS %s.shop\n' "$s"
  done
  printf 'ns1.shop A %s\nns2.shop A %s\nns3.shop A 127.53.9.6\n' "$ns1" "$ns2"
}
delegation ns1 ns2 > "$work/knot-p.zone"
{
  knot_conf p "$parent"
  cat << CONF
zone:
  - domain: nsview.test
    file: "$work/knot-p.zone"
    journal-content: none
    zonefile-sync: -1
CONF
} > "$work/knot-p.conf"
declare -A knot_pid
for k in ns1 ns2 p; do
  knotd -c "$work/knot-$k.conf" > "$work/knot-$k/knotd.log" 2>&1 &
  knot_pid[$k]=$!
  track "${knot_pid[$k]}"
done
serial_at() { kdig +short +timeout=1 +retry=0 "@$1" -p "$ns_port" SOA "$domain" 2> /dev/null | awk '{print $3}'; }
serves() { [[ $(serial_at "$1") == "$2" ]]; }
wait_for 30 serves "$ns1" 2026120701 || { echo "ns1 does not serve $domain: see $work/knot-ns1" >&2; exit 1; }
wait_for 30 serves "$ns2" 2026120701 || { echo "ns2 did not transfer $domain from ns1: see $work/knot-ns2" >&2; exit 1; }
delegates() { [[ -n $(kdig +short +timeout=1 +retry=0 "@$parent" -p "$ns_port" NS "$domain" 2> /dev/null) ]] ||
  kdig +timeout=1 +retry=0 "@$parent" -p "$ns_port" NS "$domain" 2> /dev/null | grep -q "IN.*NS"; }
wait_for 30 delegates || { echo "the parent does not delegate $domain: see $work/knot-p" >&2; exit 1; }

# --- Unbound -------------------------------------------------------------------------------
mkdir -p "$work/unbound"
{
  unbound_conf "$resolver" "$resolver_port" iterator
  cat << CONF
stub-zone:
    name: "nsview.test"
    stub-addr: $parent@$ns_port
stub-zone:
    name: "$domain"
    stub-addr: $ns1@$ns_port
    stub-addr: $ns2@$ns_port
CONF
} > "$work/unbound/unbound.conf"
unbound -d -c "$work/unbound/unbound.conf" >> "$work/unbound/unbound.log" 2>&1 &
track $!
resolves() { [[ -n $(kdig +short +timeout=1 +retry=0 "@$resolver" -p "$resolver_port" MX "$domain" 2> /dev/null) ]]; }
wait_for 30 resolves || { echo "Unbound did not resolve $domain: see $work/unbound/unbound.log" >&2; exit 1; }

# --- the steps -----------------------------------------------------------------------------
cat > "$work/check.yaml" << YAML
dns: {resolvers: ["$resolver:$resolver_port"], timeout: 3s, retries: 1, dnssec: {validate: false}}
smtp: {enabled: false, deny: []}
check: {deadline: 15s, nameserver_port: $ns_port}
YAML
n=0
check() { # mxwatch check --authoritative as JSON into $work/check-N.json
  n=$((n + 1))
  "$java" -jar "$jar" check --config "$work/check.yaml" --no-smtp --authoritative --format json "$domain" > "$work/check-$n.json" 2> "$work/check-$n.err" || true
}
verify() { # verify PYTHON-EXPRESSION: true when it holds for the latest report d (ns: its NS findings by code)
  python3 - "$work/check-$n.json" "$1" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))[0]
ns = {}
for f in d["findings"]:
    if f["code"].startswith("NS_"):
        ns.setdefault(f["code"], []).append(f)
servers = {s["nameserver"]: s for s in d.get("authority", {}).get("servers", [])}
ok = eval(sys.argv[2])
if not ok:
    print("  status", d["status"], "findings", [(f["code"], f["subject"], f["message"]) for f in d["findings"]], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
knotc_ns1() { knotc -c "$work/knot-ns1.conf" "$@" >> "$work/knotc.log" 2>&1; }
knotc_ns2() { knotc -c "$work/knot-ns2.conf" "$@" >> "$work/knotc.log" 2>&1; }
add_mx() { # add_mx PREFERENCE NAME: an MX record added on the primary (the serial goes up by one)
  knotc_ns1 zone-begin "$domain"
  knotc_ns1 zone-set "$domain" "$domain." 60 MX "$1" "$2.$domain."
  knotc_ns1 zone-set "$domain" "$2.$domain." 60 A 192.0.2.20
  knotc_ns1 zone-commit "$domain" || { echo "knotc could not change $domain: see $work/knotc.log" >&2; exit 1; }
}

check
step "1 both nameservers serve the zone, the parent delegates to both: no nameserver finding" \
  verify 'not ns and d["authority"]["zone"] == "shop.nsview.test" and d["authority"]["parent_nameservers"] == d["authority"]["nameservers"] and len(servers) == 2 and all(s["outcome"] == "answered" for s in servers.values())'

knotc_ns2 zone-freeze "$domain"
add_mx 20 mx2
wait_for 15 serves "$ns1" 2026120702 || { echo "ns1 did not take the change: see $work/knotc.log" >&2; exit 1; }
check
step "2 ns2 held back, an MX added on ns1: NS_INCONSISTENT_MX says which server says what" \
  verify '"NS_INCONSISTENT_MX" in ns and "ns1.shop.nsview.test (127.53.9.1) says 10 mx1.shop.nsview.test, 20 mx2.shop.nsview.test" in ns["NS_INCONSISTENT_MX"][0]["message"] and "ns2.shop.nsview.test (127.53.10.2) says 10 mx1.shop.nsview.test" in ns["NS_INCONSISTENT_MX"][0]["message"]'
step "2b the serial of ns2 is 1 behind" verify '"NS_SERIAL_DIFFERS" in ns and "(1 behind)" in ns["NS_SERIAL_DIFFERS"][0]["message"] and servers["ns2.shop.nsview.test"]["serial"] == 2026120701'

knotc_ns2 zone-thaw "$domain"
knotc_ns2 zone-refresh "$domain"
wait_for 30 serves "$ns2" 2026120702 || echo "ns2 did not transfer the change: see $work/knot-ns2" >&2
check
step "3 ns2 let go: it transferred the change, consistent again" verify 'not ns and servers["ns2.shop.nsview.test"]["serial"] == 2026120702'

delegation ns1 ns3 > "$work/knot-p.zone"
knotc -c "$work/knot-p.conf" zone-reload nsview.test >> "$work/knotc.log" 2>&1
check
step "4 the parent delegates to ns1 and ns3, the zone names ns1 and ns2: NS_PARENT_MISMATCH" \
  verify '"NS_PARENT_MISMATCH" in ns and "only at the parent: ns3.shop.nsview.test" in ns["NS_PARENT_MISMATCH"][0]["message"] and "only in the zone: ns2.shop.nsview.test" in ns["NS_PARENT_MISMATCH"][0]["message"]'
delegation ns1 ns2 > "$work/knot-p.zone"
knotc -c "$work/knot-p.conf" zone-reload nsview.test >> "$work/knotc.log" 2>&1

stop_pid "${knot_pid[ns2]}"
untrack "${knot_pid[ns2]}"
check
step "5 ns2 stopped: NS_NOT_ANSWERING (timeout) for it, and the domain's records are still known" \
  verify '"NS_NOT_ANSWERING" in ns and ns["NS_NOT_ANSWERING"][0]["subject"] == "ns2.shop.nsview.test (127.53.10.2)" and "timeout" in ns["NS_NOT_ANSWERING"][0]["message"] and d["status"] != "unknown" and not any(f["code"] == "DNS_LOOKUP_FAILED" for f in d["findings"])'


# --- the daemon ----------------------------------------------------------------------------
stop_pid "${knot_pid[ns2]}" # started again with its zone as the primary has it now
untrack "${knot_pid[ns2]}"
knotd -c "$work/knot-ns2.conf" >> "$work/knot-ns2/knotd.log" 2>&1 &
knot_pid[ns2]=$!
track "${knot_pid[ns2]}"
wait_for 30 serves "$ns2" "$(serial_at "$ns1")" || { echo "ns2 did not come back: see $work/knot-ns2" >&2; exit 1; }
sink_port=$(free_port 127.0.0.1 26600)
python3 "$root/e2e/smtp-sink.py" "$sink_port" "$work/sink" > "$work/sink.log" 2>&1 &
track $!
cat > "$work/mxwatch.yaml" << YAML
dns: {resolvers: ["$resolver:$resolver_port"], timeout: 3s, retries: 1, dnssec: {validate: false}}
check: {deadline: 15s, authoritative: true, nameserver_port: $ns_port, inconsistent_after: 1m}
smtp: {enabled: false, deny: []}
defaults: {interval: 3s, confirmations: 2}
store: {data_dir: "$work/data"}
http: {listen: "127.0.0.1:$(free_port 127.0.0.1 26700)"}
domains: [$domain]
alerts:
  from: mxwatch@nsview.test
  to: [oncall@nsview.test]
  relay: {host: 127.0.0.1, port: $sink_port, tls: none, timeout: 2s}
  group_wait: 0s
  group_interval: 1s
YAML
MXWATCH_LOG_LEVEL=INFO "$java" -jar "$jar" run --config "$work/mxwatch.yaml" > "$work/mxwatch.log" 2>&1 &
track $!
checked() { # checked STATUS COUNT: the daemon logged COUNT checks of the domain with STATUS
  (($(grep -cE "io\.mxwatch\.check - $domain $1 in " "$work/mxwatch.log" || true) >= $2))
}
email_with() { # email_with TEXT...: an alert email whose headers or text contain every TEXT
  local f t text ok
  for f in "$work"/sink/*.eml; do
    [[ -e $f ]] || continue
    text=$(text_of "$f")
    ok=1
    for t in "$@"; do grep -qF -- "$t" <<< "$text" || ok=0; done
    ((ok)) && return 0
  done
  return 1
}
no_email() { ! compgen -G "$work/sink/*.eml" > /dev/null; }
learned_quietly() { wait_for 90 checked ok 3 && no_email; }
step "6 the daemon learns the domain without an email" learned_quietly

knotc_ns2 zone-freeze "$domain"
add_mx 30 mx3
in_progress() { email_with "Subject: [mxwatch] WARNING $domain" "[warning] NS_INCONSISTENT_MX" "the nameservers disagree"; }
step "7 ns2 held back, the MX set changed on ns1: the NS_INCONSISTENT_MX email (warning: a change in progress)" wait_for 90 in_progress
not_propagating() { email_with "Subject: [mxwatch] CRITICAL $domain" "[critical] NS_INCONSISTENT_MX" "not propagating"; }
step "8 a minute later, still not on ns2: the critical email, not propagating" wait_for 150 not_propagating

knotc_ns2 zone-thaw "$domain"
knotc_ns2 zone-refresh "$domain"
propagated() {
  email_with "MX_ADDED" "30 mx3.$domain" "nameservers:" "served by all 2 nameservers since" "every resolver's cache has it by" "(the old records' TTL, 60 s)"
}
step "9 ns2 let go: the MX_ADDED email says when every nameserver served it and by when caches have it" wait_for 90 propagated
# the MX change stays open until approved, so the cleared inconsistency is told as resolved in
# the next email (or in a RESOLVED one)
resolved() { email_with "Resolved since the last message" "NS_INCONSISTENT_MX" || email_with "Subject: [mxwatch] RESOLVED $domain" "NS_INCONSISTENT_MX"; }
step "9b the inconsistency told as resolved" wait_for 60 resolved

summary
