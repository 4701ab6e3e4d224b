#!/usr/bin/env bash
# DNSSEC and DANE end to end, on loopback addresses of their own (127.53.8.0/24):
#
#   Knot DNS   127.53.8.1   authoritative for dane.test, which it signs itself (dnssec-signing:
#                           on, ECDSA P-256), its DS taken with keymgr as the trust anchor
#   Unbound    127.53.8.2   the resolver mxwatch asks, validating dane.test from that anchor
#   exchange   127.53.8.3   mx1.dane.test: Postfix, STARTTLS with a certificate of a test CA (the
#                           files are replaced and Postfix reloaded between steps: a key rollover)
#   policy     127.53.8.4   mta-sts.dane.test:443: e2e/mta-sts-server.py, dane.test's MTA-STS
#                           policy (enforce, mx1.dane.test) over HTTPS with a certificate of the CA
#
# The zone publishes two DANE-EE records (3 1 1) for mx1: the key it serves and the next one,
# an MTA-STS policy that covers it, and TLS-RPT: all of it correct, so no finding but MX_SINGLE_HOST.
# Steps, each with `mxwatch check` (the packaged jar) through Unbound:
#   1. Unbound validates the zone (the AD flag): it is signed as senders see it
#   2. mxwatch validates it too: MX, A and TLSA secure, the chain matches, no other finding, exit 0
#   3. the exchange serves a key no TLSA record names: DANE_NO_MATCH, critical, exit 2
#   4. the rollover done right, to the key published in advance: ok again, exit 0
#   5. a trust anchor that matches no key of the zone (a DS left over from another key):
#      DNSSEC_BOGUS, critical
#   6. the same zone without DNSSEC validation (--no-dnssec): no TLSA looked up, no DANE finding
# Then the daemon (`mxwatch run`) watches dane.test and expiry.test, whose signatures (made with
# kzonesign as if a day ago, valid for one day) expire a few minutes into the run, and sends its
# alert emails to e2e/smtp-sink.py:
#   7. expiry.test: the signatures expire within 3 days: DNSSEC_SIGNATURE_EXPIRING (one-shot check)
#   8. the daemon learns both domains, secure, without an email
#   9. the exchange serves a new key without a TLSA record for it: the alert email names
#      DANE_KEY_CHANGED_WITHOUT_TLSA for dane.test, with the old and the new key's digest; rolled
#      over to the key published in advance, the RESOLVED email
#  9c. a second MX (mx2.dane.test, added with knotc) that the MTA-STS policy does not cover:
#      MTA_STS_MX_NOT_COVERED, critical (one-shot check), and the daemon's email for it
#  10. expiry.test's signatures expire: DNSSEC_BOGUS (one-shot check) and the DNSSEC_BROKEN email
#
#   e2e/dane.sh
#
# Needs root (Postfix runs as root, and to install what is missing: knot, knot-dnssecutils,
# knot-dnsutils, unbound, postfix, openssl). Stops exactly the processes it started, by PID.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
install_missing postfix:postfix knotd:knot knotc:knot keymgr:knot kzonesign:knot-dnssecutils kdig:knot-dnsutils unbound:unbound openssl:openssl python3:python3
e2e_init dane

knot=127.53.8.1
resolver=127.53.8.2
mx=127.53.8.3
policy_host=127.53.8.4
loopback_addresses "$knot" "$resolver" "$mx" "$policy_host"
dns_port=$(free_port "$knot" 5300)
resolver_port=$(free_port "$resolver" 5300)
smtp_port=$(free_port "$mx" 2525)

# --- certificates: a test CA, and three keys of mx1 (served, published next, never published)
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=mxwatch dane test CA" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$work/tls/ca-key.pem" -out "$work/tls/ca.pem" 2> "$work/tls/openssl.log"
printf 'subjectAltName=DNS:mx1.dane.test\nbasicConstraints=CA:FALSE\n' > "$work/tls/mx.ext"
for k in current next stranger; do
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=mx1.dane.test \
    -keyout "$work/tls/$k-key.pem" -out "$work/tls/$k.csr" 2>> "$work/tls/openssl.log"
  openssl x509 -req -in "$work/tls/$k.csr" -CA "$work/tls/ca.pem" -CAkey "$work/tls/ca-key.pem" -CAcreateserial \
    -days 30 -extfile "$work/tls/mx.ext" -out "$work/tls/$k.pem" 2>> "$work/tls/openssl.log"
done
# the policy host's certificate
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=mta-sts.dane.test \
  -keyout "$work/tls/mta-sts-key.pem" -out "$work/tls/mta-sts.csr" 2>> "$work/tls/openssl.log"
openssl x509 -req -in "$work/tls/mta-sts.csr" -CA "$work/tls/ca.pem" -CAkey "$work/tls/ca-key.pem" -CAcreateserial -days 30 \
  -extfile <(printf 'subjectAltName=DNS:mta-sts.dane.test\nbasicConstraints=CA:FALSE\n') -out "$work/tls/mta-sts.pem" 2>> "$work/tls/openssl.log"
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx1.dane.test\r\nmax_age: 86400\r\n' > "$work/mta-sts.txt"
spki() { openssl x509 -in "$work/tls/$1.pem" -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1; }
served_spki() { # the SPKI digest of the certificate the exchange serves after STARTTLS
  openssl s_client -connect "$mx:$smtp_port" -starttls smtp -servername mx1.dane.test < /dev/null 2> /dev/null |
    openssl x509 -noout -pubkey 2> /dev/null | openssl pkey -pubin -outform DER 2> /dev/null | openssl dgst -sha256 -r | cut -d' ' -f1
}
serving() { [[ $(served_spki) == "$(spki "$1")" ]]; }
serve_key() { # serve_key NAME: the exchange serves that key and certificate from now on (Postfix reloaded)
  cp "$work/tls/$1.pem" "$work/tls/served.pem" && cp "$work/tls/$1-key.pem" "$work/tls/served-key.pem"
  if [[ -n ${postfix_pid[mx1]:-} ]]; then
    postfix -c "$work/postfix-mx1/conf" reload >> "$work/postfix-mx1/start.log" 2>&1
    wait_for 30 serving "$1" || { echo "Postfix mx1 does not serve the $1 key after reload: see $work/postfix-mx1" >&2; exit 1; }
  fi
}
serve_key current

# --- Knot: dane.test, signed by Knot -------------------------------------------------------
mkdir -p "$work/knot"
cat > "$work/knot/dane.test.zone" << ZONE
\$TTL 60
@        SOA ns hostmaster 1 3600 600 86400 60
@        NS  ns
ns       A   $knot
@        MX  10 mx1
mx1      A   $mx
@        TXT "v=spf1 mx -all"
_dmarc   TXT "v=DMARC1; p=reject"
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls-reports@dane.test"
_mta-sts TXT "v=STSv1; id=20261203"
mta-sts  A   $policy_host
_25._tcp.mx1 TLSA 3 1 1 $(spki current)
_25._tcp.mx1 TLSA 3 1 1 $(spki next)
ZONE
# expiry.test, signed once by kzonesign as if $expiry_lead seconds less than a day ago with signatures
# valid for a day: they expire $expiry_lead seconds from now, and nothing signs it again (Knot
# serves the signed file as it is)
expiry_lead=240
mkdir -p "$work/sign/keys"
cat > "$work/sign/expiry.test.zone" << ZONE
\$TTL 60
@        SOA ns.dane.test. hostmaster.dane.test. 1 3600 600 86400 60
@        NS  ns.dane.test.
@        MX  10 mx1.dane.test.
@        TXT "v=spf1 mx -all"
_dmarc   TXT "v=DMARC1; p=reject"
_smtp._tls TXT "v=TLSRPTv1; rua=mailto:tls-reports@dane.test"
ZONE
cat > "$work/sign/sign.conf" << CONF
database:
    storage: "$work/sign/keys"
policy:
  - id: one-day
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: off
    rrsig-lifetime: 1d
    rrsig-refresh: 12h
zone:
  - domain: expiry.test
    file: "$work/sign/expiry.test.zone"
    dnssec-signing: on
    dnssec-policy: one-day
CONF
expires_at=$(($(date +%s) + expiry_lead))
kzonesign -c "$work/sign/sign.conf" -o "$work/knot" -t $((expires_at - 86400)) expiry.test > "$work/sign/kzonesign.log" 2>&1 ||
  { echo "kzonesign failed: see $work/sign/kzonesign.log" >&2; exit 1; }
cat > "$work/knot.conf" << CONF
server:
    rundir: "$work/knot"
    listen: $knot@$dns_port
database:
    storage: "$work/knot"
log:
  - target: stderr
    any: info
policy:
  - id: e2e
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: off
zone:
  - domain: dane.test
    file: "$work/knot/dane.test.zone"
    journal-content: none
    zonefile-sync: -1
    dnssec-signing: on
    dnssec-policy: e2e
  - domain: expiry.test
    file: "$work/knot/expiry.test.zone"
    journal-content: none
    zonefile-sync: -1
CONF
knotd -c "$work/knot.conf" > "$work/knot/knotd.log" 2>&1 &
track $!
signed() { kdig +dnssec +timeout=1 +retry=0 "@$knot" -p "$dns_port" MX dane.test 2> /dev/null | grep -q RRSIG; }
wait_for 30 signed || { echo "Knot did not serve dane.test signed: see $work/knot/knotd.log" >&2; exit 1; }
# the DS of the zone's key, as the parent would publish it: the trust anchor
keymgr -c "$work/knot.conf" dane.test ds | awk '$2 == "DS" {print $1, 3600, "IN", $2, $3, $4, $5, $6}' > "$work/anchors.txt"
[[ -s $work/anchors.txt ]] || { echo "keymgr gave no DS for dane.test" >&2; exit 1; }
keymgr -c "$work/sign/sign.conf" expiry.test ds 2> /dev/null | awk '$2 == "DS" {print $1, 3600, "IN", $2, $3, $4, $5, $6}' > "$work/expiry-anchors.txt"
[[ -s $work/expiry-anchors.txt ]] || { echo "keymgr gave no DS for expiry.test" >&2; exit 1; }
# the same key tag and algorithm with a digest no key has: a DS left over from another key
awk '{gsub(/./, "0", $NF); print}' "$work/anchors.txt" > "$work/wrong-anchors.txt"
cat "$work/expiry-anchors.txt" >> "$work/anchors.txt"

# --- Unbound, validating dane.test from the anchor ----------------------------------------
mkdir -p "$work/unbound"
{
  unbound_conf "$resolver" "$resolver_port" "validator iterator"
  cat << CONF
server:
    trust-anchor-file: "$work/anchors.txt"
    val-log-level: 2
stub-zone:
    name: "dane.test"
    stub-addr: $knot@$dns_port
stub-zone:
    name: "expiry.test"
    stub-addr: $knot@$dns_port
CONF
} > "$work/unbound/unbound.conf"
unbound -d -c "$work/unbound/unbound.conf" >> "$work/unbound/unbound.log" 2>&1 &
track $!
resolves() { [[ -n $(kdig +short +timeout=1 +retry=0 "@$resolver" -p "$resolver_port" MX dane.test 2> /dev/null) ]]; }
wait_for 30 resolves || { echo "Unbound did not resolve dane.test: see $work/unbound/unbound.log" >&2; exit 1; }

# --- the exchange ------------------------------------------------------------------------
postfix_cert="$work/tls/served.pem" postfix_key="$work/tls/served-key.pem" postfix_instance mx1 mx1.dane.test "$mx:$smtp_port"
start_postfix mx1 "$mx" "$smtp_port" || { echo "Postfix mx1 did not start: see $work/postfix-mx1" >&2; exit 1; }
python3 "$root/e2e/mta-sts-server.py" "$policy_host" 443 "$work/tls/mta-sts.pem" "$work/tls/mta-sts-key.pem" "$work/mta-sts.txt" \
  > "$work/mta-sts.log" 2>&1 &
track $!
policy_served() { curl -sf --cacert "$work/tls/ca.pem" --resolve "mta-sts.dane.test:443:$policy_host" https://mta-sts.dane.test/.well-known/mta-sts.txt > /dev/null; }
wait_for 15 policy_served || { echo "the MTA-STS policy host did not serve: see $work/mta-sts.log" >&2; exit 1; }

# --- the steps -----------------------------------------------------------------------------
n=0
check() { # check [OPTION...]: mxwatch check $domain (dane.test) as JSON into $work/check-N.json; its exit status in $work/check-N.rc
  n=$((n + 1))
  local rc=0
  "$java" -jar "$jar" check --format json --resolver "$resolver:$resolver_port" --smtp-port "$smtp_port" \
    --tls-trust "$work/tls/ca.pem" --smtp-deny none "$@" "${domain:-dane.test}" > "$work/check-$n.json" 2> "$work/check-$n.err" || rc=$?
  echo "$rc" > "$work/check-$n.rc"
}
# verify PYTHON-EXPRESSION: true when it holds for the latest check's report d (and its exit status rc)
verify() {
  python3 - "$work/check-$n.json" "$(cat "$work/check-$n.rc")" "$1" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))[0]
rc = int(sys.argv[2])
codes = [f["code"] for f in d["findings"]]
# one exchange is what this zone has: MX_SINGLE_HOST (info) is expected, and the only finding a
# well-run DANE domain of one exchange gets
others = [c for c in codes if c != "MX_SINGLE_HOST"]
lookup = {(l["name"], l["type"]): l for l in d["lookups"]}
def dnssec(name, type):
    return lookup[(name, type)].get("dnssec", {}).get("status")
tlsa = d["mx"]["hosts"][0].get("tlsa") or {}
ok = eval(sys.argv[3])
if not ok:
    print("  status", d["status"], "exit", rc, "findings", codes, file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

ad_flag() { kdig +dnssec +timeout=2 +retry=0 "@$resolver" -p "$resolver_port" MX dane.test 2> /dev/null | grep -qiE '^;; flags:[^;]* ad[ ;]'; }
step "1 Unbound validates dane.test (AD)" ad_flag

check --trust-anchors "$work/anchors.txt"
step "2 mxwatch: MX, A and TLSA secure, both TLSA records, the served key matches, the MTA-STS policy covers mx1, no other finding, exit 0" \
  verify 'rc == 0 and d["status"] == "ok" and not others and dnssec("dane.test", "MX") == "secure" and dnssec("mx1.dane.test", "A") == "secure" and tlsa["dnssec"]["status"] == "secure" and len(tlsa["records"]) == 2 and "enforce" in json.dumps(d["transport"]["mta_sts"])'

serve_key stranger
check --trust-anchors "$work/anchors.txt"
step "3 a key no TLSA record names: DANE_NO_MATCH, critical, exit 2" \
  verify 'rc == 2 and d["status"] == "critical" and "DANE_NO_MATCH" in codes and any(f["code"] == "DANE_NO_MATCH" and f["severity"] == "critical" for f in d["findings"])'

serve_key next
check --trust-anchors "$work/anchors.txt"
step "4 rolled over to the key published in advance: ok, exit 0" verify 'rc == 0 and d["status"] == "ok" and not others'

check --trust-anchors "$work/wrong-anchors.txt"
step "5 a trust anchor that matches no key of the zone: DNSSEC_BOGUS, critical" \
  verify 'rc == 2 and "DNSSEC_BOGUS" in codes and dnssec("dane.test", "MX") == "bogus"'

check --no-dnssec
step "6 --no-dnssec: no TLSA lookup, no DNSSEC or DANE finding" \
  verify 'rc == 0 and "tlsa" not in d["mx"]["hosts"][0] and not any(c.startswith(("DANE", "DNSSEC")) for c in codes)'

# --- the daemon ----------------------------------------------------------------------------
domain=expiry.test check --trust-anchors "$work/anchors.txt"
step "7 expiry.test: secure, its signatures expire within 3 days: DNSSEC_SIGNATURE_EXPIRING, warning" \
  verify 'rc == 1 and dnssec("expiry.test", "MX") == "secure" and others == ["DNSSEC_SIGNATURE_EXPIRING"]'

serve_key current
sink_port=$(free_port 127.0.0.1 26400)
python3 "$root/e2e/smtp-sink.py" "$sink_port" "$work/sink" > "$work/sink.log" 2>&1 &
track $!
cat > "$work/mxwatch.yaml" << YAML
dns: {resolvers: ["$resolver:$resolver_port"], timeout: 500ms, retries: 1, dnssec: {trust_anchors: "$work/anchors.txt"}}
check: {deadline: 5s, authoritative: false}
smtp: {port: $smtp_port, connect_timeout: 1s, read_timeout: 2s, deadline: 4s, ipv6: false, deny: [], tls: {trust: "$work/tls/ca.pem"}}
defaults: {interval: 3s, confirmations: 2}
store: {data_dir: "$work/data"}
http: {listen: "127.0.0.1:$(free_port 127.0.0.1 26500)"}
domains: [dane.test, expiry.test]
alerts:
  from: mxwatch@dane.test
  to: [oncall@dane.test]
  relay: {host: 127.0.0.1, port: $sink_port, tls: none, timeout: 2s}
  group_wait: 0s
  group_interval: 1s
YAML
MXWATCH_LOG_LEVEL=INFO "$java" -jar "$jar" run --config "$work/mxwatch.yaml" > "$work/mxwatch.log" 2>&1 &
track $!
checked() { # checked DOMAIN STATUS COUNT: the daemon logged COUNT checks of DOMAIN with STATUS
  (($(grep -cE "io\.mxwatch\.check - $1 $2 in " "$work/mxwatch.log" || true) >= $3))
}
emails() { # emails TEXT: the files of the alert emails whose headers or text contain TEXT
  local f
  for f in "$work"/sink/*.eml; do
    [[ -e $f ]] && grep -qF -- "$1" <<< "$(text_of "$f")" && echo "$f"
  done
  return 0
}
learned() { checked dane.test ok 3 && checked expiry.test warning 3; }
learned_quietly() { wait_for 60 learned && [[ -z $(emails dane.test) ]]; }
step "8 the daemon learns both domains, secure, without an email" learned_quietly

serve_key stranger
key_email() { # the email names the change, for dane.test, with the digests of the key before and after
  local f text
  for f in $(emails DANE_KEY_CHANGED_WITHOUT_TLSA); do
    text=$(text_of "$f")
    grep -q '^Subject: \[mxwatch\] CRITICAL dane.test: DANE_KEY_CHANGED_WITHOUT_TLSA' <<< "$text" &&
      grep -qF "before: CN=mx1.dane.test until" <<< "$text" && grep -qF "key $(spki current | cut -c1-16)" <<< "$text" &&
      grep -qF "key $(spki stranger | cut -c1-16)" <<< "$text" && return 0
  done
  return 1
}
step "9 a new key without its TLSA record: the DANE_KEY_CHANGED_WITHOUT_TLSA email, key digests before and after" wait_for 60 key_email
serve_key next
resolved_email() { [[ -n $(emails "Subject: [mxwatch] RESOLVED dane.test: DANE_KEY_CHANGED_WITHOUT_TLSA") ]]; }
step "9b rolled over to the key published in advance: the RESOLVED email" wait_for 60 resolved_email

knotc -c "$work/knot.conf" zone-begin dane.test > "$work/knotc.log" 2>&1
knotc -c "$work/knot.conf" zone-set dane.test dane.test. 60 MX 20 mx2.dane.test. >> "$work/knotc.log" 2>&1
knotc -c "$work/knot.conf" zone-set dane.test mx2.dane.test. 60 A "$mx" >> "$work/knotc.log" 2>&1
knotc -c "$work/knot.conf" zone-commit dane.test >> "$work/knotc.log" 2>&1 || { echo "knotc could not add mx2: see $work/knotc.log" >&2; exit 1; }
two_mx() { [[ $(kdig +short +timeout=1 +retry=0 "@$resolver" -p "$resolver_port" MX dane.test 2> /dev/null | wc -l) == 2 ]]; }
wait_for 90 two_mx || { echo "Unbound did not give the second MX" >&2; exit 1; }
check --trust-anchors "$work/anchors.txt"
step "9c mx2 added, not in the enforced MTA-STS policy: MTA_STS_MX_NOT_COVERED, critical" \
  verify 'rc == 2 and any(f["code"] == "MTA_STS_MX_NOT_COVERED" and f["severity"] == "critical" and "mx2.dane.test" in f["subject"] + f["message"] for f in d["findings"])'
uncovered_email() { [[ -n $(emails "Subject: [mxwatch] CRITICAL dane.test:") ]] && [[ -n $(emails "MTA_STS_MX_NOT_COVERED mx2.dane.test") ]]; }
step "9d the daemon's email names MTA_STS_MX_NOT_COVERED for mx2.dane.test" wait_for 60 uncovered_email

expired() { (($(date +%s) > expires_at + 2)); }
wait_for $((expiry_lead + 60)) expired || true
domain=expiry.test check --trust-anchors "$work/anchors.txt"
step "10a expiry.test's signatures expired: DNSSEC_BOGUS, critical" \
  verify 'rc == 2 and "DNSSEC_BOGUS" in codes and dnssec("expiry.test", "MX") == "bogus"'
broken_email() {
  local f text
  for f in $(emails "Subject: [mxwatch] CRITICAL expiry.test: DNSSEC_BROKEN"); do
    text=$(text_of "$f")
    grep -qF "before: secure" <<< "$text" && grep -qF "after:  bogus" <<< "$text" && return 0
  done
  return 1
}
step "10b the daemon's DNSSEC_BROKEN email for expiry.test: secure → bogus" wait_for 60 broken_email

summary
