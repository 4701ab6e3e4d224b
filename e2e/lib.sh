# shellcheck shell=bash disable=SC2034 # root, jar, java, work: for the scripts that source it
# Shared by the e2e scripts: a work directory for logs, PASS/FAIL steps, waiting on a condition
# with a deadline, Debian packages installed when missing, and a cleanup on exit that stops
# exactly the processes the script started (by PID), nothing else.
#
#   source "$(dirname "$0")/lib.sh"
#   e2e_init NAME        # sets root, jar, java, work; prints where the logs are

e2e_init() {
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  jar="$root/target/mxwatch.jar"
  java="$("$root/bin/find-jdk")/bin/java"
  [[ -f "$jar" ]] || { echo "${0##*/}: $jar is missing: run 'mvn -B verify' first" >&2; exit 2; }
  work=$(mktemp -d "/tmp/mxwatch-e2e-$1.XXXXXX")
  chmod 755 "$work" # servers that drop privileges write their logs and files below it
  echo "logs in $work"
  passed=0
  failed=0
  pids=()
  exit_hooks=()
  interrupted=""
  trap e2e_cleanup EXIT
  trap 'on_signal 130' INT
  trap 'on_signal 143' TERM
}

# Ctrl-C or TERM: the script ends (status 130 or 143) and cleans up. A signal that lands in a
# command substitution ends only that subshell, so the subshell passes it on to the script.
on_signal() {
  if [[ $BASHPID != "$$" ]]; then
    kill -TERM "$$"
    exit "$1"
  fi
  interrupted=${interrupted:-$1}
  exit "$1"
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi
}

# install_missing COMMAND:PACKAGE...: installs the Debian packages whose command is missing
install_missing() {
  local pair missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" > /dev/null || missing+=("${pair#*:}")
  done
  ((${#missing[@]})) || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "installing ${missing[*]}"
  if [[ " ${missing[*]} " == *" postfix "* ]]; then
    # installed as a program only: no system-wide mail configuration, no service started
    echo "postfix postfix/main_mailer_type select No configuration" | as_root debconf-set-selections
  fi
  as_root apt-get update -q > /dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q --no-install-recommends "${missing[@]}" > /dev/null
}

# track PID...: processes to stop on exit; untrack PID once it is gone, so that a PID the
# system hands out again later is never signalled
track() { pids+=("$@"); }
untrack() {
  local pid kept=()
  for pid in "${pids[@]}"; do
    [[ $pid == "$1" ]] || kept+=("$pid")
  done
  pids=("${kept[@]}")
}

# alive PID: the process runs (a zombie that nobody reaped has ended)
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2> /dev/null) && [[ $state != Z* ]]
}

# stop_pid PID: TERM, then KILL after 15 s; returns once the process is gone
stop_pid() {
  local pid=$1 deadline=$((SECONDS + 15))
  kill -TERM "$pid" 2> /dev/null || return 0
  while alive "$pid"; do
    if ((SECONDS >= deadline)); then
      kill -KILL "$pid" 2> /dev/null || true
      break
    fi
    sleep 0.1
  done
  wait "$pid" 2> /dev/null || true # reaps it when it is this shell's child
}

e2e_cleanup() {
  local status=$? i hook
  [[ -z $interrupted ]] || status=$interrupted
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do # the last started first
    stop_pid "${pids[i]}"
  done
  for hook in "${exit_hooks[@]}"; do
    eval "$hook" > /dev/null 2>&1 || true
  done
  echo "logs kept in $work"
  exit "$status"
}

step() { # step NAME COMMAND...: runs COMMAND, records PASS or FAIL
  local name=$1
  shift
  if "$@"; then
    echo "PASS $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    failed=$((failed + 1))
    explain_failure
  fi
}

# What a failed step leaves for whoever reads CI's output, where the work directory is gone:
# whether the daemon ($daemon) still runs, and the last lines of its log ($log), once per state.
explain_failure() {
  local rc=0 lines
  if [[ -n ${daemon:-} ]] && ! kill -0 "$daemon" 2> /dev/null; then
    wait "$daemon" 2> /dev/null || rc=$?
    echo "  mxwatch (pid $daemon) is not running; exit status $rc"
  fi
  [[ -n ${log:-} && -f $log ]] || return 0
  lines=$(wc -l < "$log")
  [[ ${explained:-} != *"|$log:$lines|"* ]] || return 0
  explained="${explained:-}|$log:$lines|"
  echo "  the last lines of $log:"
  tail -n 30 "$log" | sed 's/^/  | /'
}

wait_for() { # wait_for SECONDS COMMAND...: true once COMMAND succeeds, false at the deadline
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

free_port() { # free_port [ADDRESS [FIRST]]: a TCP port nothing listens on at ADDRESS
  # Below Linux's ephemeral range (32768-60999), where a client socket of this or another
  # program can take a port between this check and the bind; never the same port twice in a run.
  local address=${1:-127.0.0.1} port given="${work:-/nonexistent}/ports-given"
  for port in $(seq "${2:-25432}" $((${2:-25432} + 500))); do
    if grep -qx "$address:$port" "$given" 2> /dev/null; then
      continue
    fi
    if ! (exec 3<> "/dev/tcp/$address/$port") 2> /dev/null; then
      [[ ! -d ${work:-} ]] || echo "$address:$port" >> "$given"
      echo "$port"
      return
    fi
  done
  return 1
}

unbound_conf() { # unbound_conf ADDRESS PORT MODULES: the server and remote-control clauses of a test resolver
  # on ADDRESS:PORT (loopback clients only, no root privileges, answers cached one second at most:
  # the zones change under the tests); the script adds its zones (forward-zone, stub-zone) and any
  # further server: clause
  cat << CONF
server:
    interface: $1
    port: $2
    do-ip6: no
    access-control: 127.0.0.0/8 allow
    username: ""
    chroot: ""
    directory: "$work/unbound"
    pidfile: "$work/unbound/unbound.pid"
    use-syslog: no
    logfile: ""
    verbosity: 1
    num-threads: 1
    module-config: "$3"
    do-not-query-localhost: no
    cache-max-ttl: 1
    cache-max-negative-ttl: 1
    # .test is one of Unbound's default local zones (RFC 6761): let it through to Knot
    local-zone: "test." nodefault
remote-control:
    control-enable: no
CONF
}

# pg_start: a private PostgreSQL on 127.0.0.1 with database and user mxwatch (trust auth), its
# files under $work/pg; sets pg_port and pg_url, and stops it on exit
pg_start() {
  compgen -G '/usr/lib/postgresql/*/bin/initdb' > /dev/null || install_missing initdb:postgresql
  pg_bin=$(find /usr/lib/postgresql -path '*/bin/initdb' | sort -V | tail -1 | xargs dirname)
  pg_port=$(free_port 127.0.0.1)
  mkdir -p "$work/pg"
  [[ $(id -u) -ne 0 ]] || chown postgres "$work/pg"
  as_pg "'$pg_bin/initdb' -D '$work/pg' -A trust -U mxwatch" > "$work/initdb.log" 2>&1
  as_pg "'$pg_bin/pg_ctl' -D '$work/pg' -o '-h 127.0.0.1 -p $pg_port -k $work/pg' -l '$work/pg/server.log' -w start" > /dev/null
  exit_hooks+=("as_pg \"'$pg_bin/pg_ctl' -D '$work/pg' -m fast stop\"")
  as_pg "'$pg_bin/createdb' -h 127.0.0.1 -p $pg_port -U mxwatch mxwatch"
  pg_url="jdbc:postgresql://127.0.0.1:$pg_port/mxwatch"
}

as_pg() { # as_pg COMMAND: initdb and postgres refuse to run as root
  if [[ $(id -u) -eq 0 ]]; then
    su postgres -s /bin/bash -c "$*"
  else
    bash -c "$*"
  fi
}

# A Postfix instance of its own in $work/postfix-NAME: smtpd on the given addresses with STARTTLS
# (the certificate and key in $postfix_cert and $postfix_key, by default $work/tls/cert.pem and
# key.pem), delivering mail for e2e.test into the Maildir $work/mail.
postfix_instance() { # postfix_instance NAME HOSTNAME ADDRESS:PORT...: writes the instance's files
  local name=$1 host=$2 dir="$work/postfix-$1" service
  shift 2
  mkdir -p "$dir/conf" "$dir/queue" "$dir/data"
  chown postfix "$dir/data"
  cat > "$dir/conf/main.cf" << CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
maillog_file = $dir/postfix.log
maillog_file_prefixes = $work
myhostname = $host
myorigin = e2e.test
mydestination =
alias_maps =
alias_database =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
smtpd_banner = \$myhostname ESMTP
smtpd_tls_cert_file = ${postfix_cert:-$work/tls/cert.pem}
smtpd_tls_key_file = ${postfix_key:-$work/tls/key.pem}
smtpd_tls_security_level = may
biff = no
virtual_mailbox_domains = e2e.test
virtual_mailbox_base = $work/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:$(id -u postfix)
virtual_gid_maps = static:$(id -g postfix)
virtual_minimum_uid = 1
CF
  {
    cat << 'MASTER'
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
MASTER
    for service in "$@"; do
      echo "$service inet n       -       n       -       -       smtpd"
    done
  } > "$dir/conf/master.cf"
}
listens() { (exec 3<> "/dev/tcp/$1/$2") 2> /dev/null; }
start_postfix() { # start_postfix NAME ADDRESS PORT: starts the instance, sets postfix_pid[NAME]
  local dir="$work/postfix-$1"
  postfix -c "$dir/conf" start >> "$dir/start.log" 2>&1 || return 1
  postfix_pid[$1]=$(tr -d ' ' < "$dir/queue/pid/master.pid")
  track "${postfix_pid[$1]}"
  wait_for 20 listens "$2" "$3"
}
stop_postfix() {
  stop_pid "${postfix_pid[$1]}"
  untrack "${postfix_pid[$1]}"
}
declare -A postfix_pid

summary() { # prints "N passed, M failed"; false when a step failed
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

loopback_addresses() { # loopback_addresses ADDRESS...: each on lo, so that servers can bind it
  local a
  for a in "$@"; do
    if ! ip -o addr show dev lo | grep -q "inet $a/"; then
      as_root ip addr add "$a/32" dev lo 2> /dev/null || true # 127.0.0.0/8 is routed to lo anyway
    fi
  done
}

text_of() { # text_of FILE: an email's headers and its decoded text parts
  python3 -c '
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
print("".join(f"{k}: {v}\n" for k, v in m.items()))
for part in m.walk():
    if part.get_content_type() == "text/plain":
        print(part.get_content())' "$1"
}
