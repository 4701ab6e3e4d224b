# shellcheck shell=bash disable=SC2034 # root, jar, java, work, knot_port: for the scripts that source it
# Shared by the benchmarks: the process helpers of e2e/lib.sh (install what is missing, track the
# processes started and stop exactly those on exit), N synthetic domains served by Knot DNS on a
# loopback port, and small figures helpers.
#
#   source "$(dirname "$0")/lib.sh"
#   bench_init NAME           # sets root, jar, java, work; JAR= runs another build
#   bench_zone N              # $work/bench.test.zone, $work/domains.txt, $work/queries.txt
#   bench_knot PORT           # knotd serving it on 127.0.0.1:PORT, tracked
#
# DNSSEC=1: Knot signs the zone (ECDSA P-256, NSEC) and mxwatch validates it from its DS
# ($work/anchors.txt), looking up every exchange's TLSA too; the query mix for dnsperf then has
# the TLSA queries, sent with DO. Without it mxwatch runs with DNSSEC validation off
# (dnssec_check_opts, dnssec_config), as the figures before DNSSEC were taken.

# shellcheck source-path=SCRIPTDIR source=../e2e/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

bench_init() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  java="$("$root/bin/find-jdk")/bin/java"
  jar=${JAR:-$root/target/mxwatch.jar}
  if [[ ! -f $jar ]]; then
    [[ -z ${JAR:-} ]] || { echo "${0##*/}: JAR=$jar does not exist" >&2; exit 2; }
    (cd "$root" && JAVA_HOME=$("$root/bin/find-jdk") mvn -B -q package -DskipTests)
  fi
  work=$(mktemp -d "${TMPDIR:-/tmp}/mxwatch-bench-$1.XXXXXX")
  chmod 755 "$work" # PostgreSQL (STORE=postgres) runs as its own user below it
  pids=()
  exit_hooks=()
  interrupted=""
  trap bench_cleanup EXIT
  set -E # a failing command says where, in functions too, before the script stops
  trap 'echo "${0##*/}: failed (status $?) at ${BASH_SOURCE[0]##*/}:$LINENO: $BASH_COMMAND" >&2' ERR
  trap 'on_signal 130' INT
  trap 'on_signal 143' TERM
}

bench_cleanup() {
  local status=$? i hook
  [[ -z $interrupted ]] || status=$interrupted
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_pid "${pids[i]}"
  done
  for hook in "${exit_hooks[@]}"; do
    eval "$hook" > /dev/null 2>&1 || true
  done
  if [[ ${KEEP:-0} == 1 ]]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
  exit "$status"
}

# bench_zone N: N domains under bench.test, each with two MX (A and AAAA), SPF and DMARC (no MTA-STS
# or TLS-RPT: those lookups find NXDOMAIN); the list of domains, and the queries a check of each
# sends (for dnsperf)
bench_zone() {
  echo "== generating $1 domains under bench.test" >&2
  python3 - "$1" "$work" "${DNSSEC:-0}" << 'PY'
import sys
n, work, dnssec = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "1"
with open(f"{work}/bench.test.zone", "w") as z, open(f"{work}/domains.txt", "w") as d, \
     open(f"{work}/queries.txt", "w") as q:
    z.write("$ORIGIN bench.test.\n$TTL 3600\n")
    z.write("@ SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300\n@ NS ns\nns A 127.0.0.1\n")
    for i in range(n):
        name = f"d{i:07d}"
        fq = f"{name}.bench.test"
        z.write(f"{name} MX 10 mx1.{name}\n{name} MX 20 mx2.{name}\n"
                f"mx1.{name} A 127.0.1.{i % 250 + 1}\nmx1.{name} AAAA ::1\n"
                f"mx2.{name} A 127.0.2.{i % 250 + 1}\nmx2.{name} AAAA ::1\n"
                f"{name} TXT \"v=spf1 mx -all\"\n"
                f"_dmarc.{name} TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@{fq}\"\n")
        d.write(fq + "\n")
        q.write(f"{fq} MX\n{fq} TXT\n_dmarc.{fq} TXT\n_mta-sts.{fq} TXT\n_smtp._tls.{fq} TXT\n"
                f"mx1.{fq} A\nmx1.{fq} AAAA\nmx2.{fq} A\nmx2.{fq} AAAA\n")
        if dnssec:
            q.write(f"_25._tcp.mx1.{fq} TLSA\n_25._tcp.mx2.{fq} TLSA\n")
PY
}

# queries per domain of a check (and of the dnsperf mix): 9, 11 with DNSSEC (the two TLSA lookups)
queries_per_domain() { if [[ ${DNSSEC:-0} == 1 ]]; then echo 11; else echo 9; fi; }

# NS=1: the daemon asks the zone's nameserver too (check.authoritative), which Knot then also
# serves on 127.0.0.1:53 (the port nameservers are asked on); without it the view is off, as the
# figures before it were taken
authoritative_config() { if [[ ${NS:-0} == 1 ]]; then echo true; else echo false; fi; }

# the check options and config lines for DNSSEC: validation from the zone's DS, or off
dnssec_check_opts() { if [[ ${DNSSEC:-0} == 1 ]]; then echo "--trust-anchors $work/anchors.txt"; else echo "--no-dnssec"; fi; }
dnssec_config() { if [[ ${DNSSEC:-0} == 1 ]]; then echo "{trust_anchors: $work/anchors.txt}"; else echo "{validate: false}"; fi; }

# bench_knot PORT: serves the zone on 127.0.0.1:PORT; returns once it answers
bench_knot() {
  knot_port=$1
  if (exec 3<> "/dev/tcp/127.0.0.1/$knot_port") 2> /dev/null; then
    echo "something already listens on 127.0.0.1:$knot_port (another benchmark?): set PORT to a free port" >&2
    exit 2
  fi
  mkdir -p "$work/knot"
  cat > "$work/knot.conf" << CONF
server:
    rundir: "$work/knot"
    listen: [ 127.0.0.1@$knot_port$([[ ${NS:-0} == 1 ]] && echo ", 127.0.0.1@53") ]
    udp-max-payload: 1232
database:
    storage: "$work/knot"
log:
  - target: stderr
    any: warning
policy:
  - id: bench
    algorithm: ecdsap256sha256
    single-type-signing: on
zone:
  - domain: bench.test
    file: "$work/bench.test.zone"
    journal-content: none
    zonefile-sync: -1
    dnssec-signing: $([[ ${DNSSEC:-0} == 1 ]] && echo on || echo off)
    dnssec-policy: bench
CONF
  echo "== starting knotd on 127.0.0.1:$knot_port" >&2
  knotd -c "$work/knot.conf" 2> "$work/knotd.log" &
  local pid=$!
  track "$pid"
  if ! wait_for 120 knot_answers; then
    echo "knotd did not answer within 120 s:" >&2
    cat "$work/knotd.log" >&2
    exit 1
  fi
}

knot_answers() {
  if [[ ${DNSSEC:-0} == 1 ]]; then # signed: the last domain's records have their signatures
    kdig +dnssec +timeout=1 +retry=0 @127.0.0.1 -p "$knot_port" MX "$(tail -1 "$work/domains.txt")" 2> /dev/null | grep -q RRSIG || return 1
    keymgr -c "$work/knot.conf" bench.test ds | awk '$2 == "DS" {print $1, 3600, "IN", $2, $3, $4, $5, $6}' > "$work/anchors.txt"
    [[ -s $work/anchors.txt ]]
  else
    kdig +short +timeout=1 +retry=0 @127.0.0.1 -p "$knot_port" SOA bench.test 2> /dev/null | grep -q hostmaster
  fi
}

# median VALUE...: the median of the numbers given
median() { python3 -c 'import statistics, sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
