#!/usr/bin/env bash
# mailenv.sh — a real, private Dovecot (IMAP/IMAPS/LMTP) + Postfix (SMTP) on
# loopback, for mailroom's tests and demo.
#
# Usage: deploy/local/mailenv.sh COMMAND
#   up [--dovecot-only]   install what is missing, configure, start, wait for
#                         the ports; a no-op (exit 0) when already running
#   down                  stop both (bounded; leftovers are killed)
#   status                print whether each server is up (exit 0 iff all that
#                         this instance is meant to run are up)
#   env                   print `export VAR=value` lines, for `eval "$(... env)"`
#   restart-dovecot       stop + start Dovecot only
#   stop-postfix | start-postfix
#   wipe USER...          delete all mail of these Dovecot users
#   restart-netease       stop + start the NetEase SMTP emulator only
#
# Instance parameters (environment; several instances can run side by side):
#   MAILENV_DIR        default <repo>/.mailenv — config, state, logs, pids,
#                      maildirs and certs all live below it
#   MAILENV_PORT_BASE  default 20000 — IMAP BASE+143 (plain + STARTTLS),
#                      IMAPS BASE+993, LMTP BASE+24, SMTP BASE+25, all on
#                      127.0.0.1 only
#   MAILENV_PASSWORD   default mailroom-test — the one password every user has
# Once `up` ran, the directory remembers its port base and password: later
# commands with only MAILENV_DIR set act on that instance.
#
# `env` prints: MAILENV_DIR MAILENV_HOST(=127.0.0.1) MAILENV_PORT_BASE
#   MAILENV_IMAP_PORT MAILENV_IMAPS_PORT MAILENV_LMTP_PORT MAILENV_SMTP_PORT
#   MAILENV_PASSWORD MAILENV_CA_FILE (CA of the server certificate, for
#   localhost and 127.0.0.1) MAILENV_MAIL_ROOT (mail of user U is in
#   $MAILENV_MAIL_ROOT/U/Maildir, U lowercased) MAILENV_DOVECOT_CONF (for
#   `doveadm -c`) MAILENV_POSTFIX_CONF_DIR (for `postqueue -c`, `postfix -c`)
#   MAILENV_LOG_DIR (dovecot.log, postfix.log).
#
# Mail: any user name logs in with the password; SMTP mail to any address is
# delivered by LMTP to the Dovecot user named by the full address, except
# local parts nosuch* and domains *.invalid, which are accepted and then
# bounced with a DSN to the envelope sender.
#
# NetEase SMTP emulator (deploy/local/netease-smtp.py, started with Postfix):
# 126/163-style SMTP, implicit TLS on BASE+465 and plain on BASE+587, with
# NetEase's replies and per-account quotas set by JSON control files; what it
# accepts it relays to this Postfix. `env` also prints
# MAILENV_NETEASE_SMTPS_PORT MAILENV_NETEASE_SMTP_PORT MAILENV_NETEASE_DIR
# (control files: accounts/<login>.json) MAILENV_NETEASE_LOG (JSON lines).
# Details: the docstring of netease-smtp.py.
#
# Coremail IMAP front (deploy/local/coremail-imap.py, started with Dovecot):
# NetEase 126/163's IMAP behaviour (ID required, no IDLE, no UIDNEXT, empty
# STATUS, 2 connections per user, idle drop, ...) relayed to this Dovecot,
# plain + STARTTLS on BASE+163 and implicit TLS on BASE+963; Dovecot has
# Coremail's folders (垃圾邮件 = &V4NXPpCuTvY- is \Junk, ...) for every user.
# `env` also prints MAILENV_COREMAIL_IMAP_PORT MAILENV_COREMAIL_IMAPS_PORT
# MAILENV_COREMAIL_LOG (JSON lines). COREMAIL_IDLE_TIMEOUT_SECS (default
# 1800) and COREMAIL_MAX_CONNECTIONS_PER_USER (default 2) given to the `up`
# that starts it apply. Details: the docstring of coremail-imap.py.
#
# Nothing here touches /etc/dovecot, /etc/postfix or the system instances of
# either server: both run from configuration files generated below
# MAILENV_DIR (`dovecot -c`, `postfix -c`), on their own ports, with their own
# runtime, queue and data directories.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$SCRIPT_DIR/../.." && pwd)

# Bounded waits (seconds). Generous compared to the ~1 s both servers need, so
# a loaded CI machine does not produce false failures.
START_TIMEOUT=${MAILENV_START_TIMEOUT:-20}
STOP_TIMEOUT=${MAILENV_STOP_TIMEOUT:-10}

log() { echo "mailenv: $*" >&2; }
die() { echo "mailenv: error: $*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
  exit 2
}

# ---------------------------------------------------------------------------
# Parameters and derived paths
# ---------------------------------------------------------------------------

DIR=$(realpath -m "${MAILENV_DIR:-$REPO_DIR/.mailenv}")
BASE=${MAILENV_PORT_BASE:-20000}
PASSWORD=${MAILENV_PASSWORD:-mailroom-test}

# Everything about a started instance is recorded in this file, so that
# `env`, `status`, `wipe` … describe what really runs even when they are called
# without the variables that `up` was given.
STATE_FILE=$DIR/instance.env

# A short, stable id of the instance directory: used in Dovecot's
# instance_name/process titles and in the fallback runtime path below.
HASH=$(printf '%s' "$DIR" | sha1sum | cut -c1-10)

derive() {
  [[ $BASE =~ ^[0-9]+$ ]] || die "MAILENV_PORT_BASE must be a number, got '$BASE'"
  (( BASE >= 1024 && BASE + 993 <= 65535 )) ||
    die "MAILENV_PORT_BASE must be in 1024..64542 (ports BASE+24..BASE+993), got $BASE"
  # The password goes verbatim into Dovecot's static passdb args, where
  # spaces split arguments and %x would be expanded as a variable.
  [[ $PASSWORD =~ ^[A-Za-z0-9._+:,@/=-]+$ ]] ||
    die "MAILENV_PASSWORD may only contain [A-Za-z0-9._+:,@/=-]"
  IMAP_PORT=$((BASE + 143))
  IMAPS_PORT=$((BASE + 993))
  LMTP_PORT=$((BASE + 24))
  SMTP_PORT=$((BASE + 25))

  TLS_DIR=$DIR/tls
  CA_FILE=$TLS_DIR/ca.pem
  LOG_DIR=$DIR/log
  DOVECOT_CONF=$DIR/dovecot/dovecot.conf
  DOVECOT_STATE=$DIR/dovecot/state
  DOVECOT_LOG=$LOG_DIR/dovecot.log
  PF_ETC=$DIR/postfix/etc
  PF_QUEUE=$DIR/postfix/spool
  PF_LOG=$LOG_DIR/postfix.log
  # What processes running as nobody/postfix must reach by absolute path
  # lives below RUNTIME_ROOT: MAILENV_DIR itself, unless
  # choose_runtime_paths (on `up`) had to move it; recorded in the state file.
  RUNTIME_ROOT=${RUNTIME_ROOT:-$DIR}
  MAIL_ROOT=$RUNTIME_ROOT/mail
  DOVECOT_RUN=$RUNTIME_ROOT/run/dovecot
  PF_DATA=$RUNTIME_ROOT/postfix/lib
  INSTANCE_NAME="mailenv-$BASE-${HASH:0:6}"
}

# Load what `up` recorded. The recorded instance wins over the environment
# (it is what actually runs); a conflicting variable only earns a warning.
load_state() {
  [[ -f $STATE_FILE ]] || return 1
  local s_base s_password s_runtime s_postfix assignments
  # Sourced in a subshell, so the file cannot clobber anything here.
  # shellcheck disable=SC1090
  assignments=$(. "$STATE_FILE"
    printf 's_base=%q s_password=%q s_runtime=%q s_postfix=%q\n' \
      "$BASE" "$PASSWORD" "${RUNTIME_ROOT:-$DIR}" "${WITH_POSTFIX:-yes}")
  eval "$assignments"
  if [[ -n ${MAILENV_PORT_BASE:-} && $MAILENV_PORT_BASE != "$s_base" ]]; then
    log "warning: instance in $DIR was started with MAILENV_PORT_BASE=$s_base; using that"
  fi
  if [[ -n ${MAILENV_PASSWORD:-} && $MAILENV_PASSWORD != "$s_password" ]]; then
    log "warning: instance in $DIR was started with a different MAILENV_PASSWORD; using that"
  fi
  BASE=$s_base PASSWORD=$s_password RUNTIME_ROOT=$s_runtime
  WITH_POSTFIX=$s_postfix
  return 0
}

save_state() {
  mkdir -p "$DIR"
  {
    echo "# written by deploy/local/mailenv.sh up — do not edit"
    printf 'BASE=%q\nPASSWORD=%q\nRUNTIME_ROOT=%q\nWITH_POSTFIX=%q\n' \
      "$BASE" "$PASSWORD" "$RUNTIME_ROOT" "$WITH_POSTFIX"
  } >"$STATE_FILE.tmp"
  mv "$STATE_FILE.tmp" "$STATE_FILE"
}

# Mail is stored as nobody:nogroup: Dovecot refuses to access mail as root,
# and these two exist on every Debian system (no useradd needed). A mail
# process running as nobody opens absolute paths, so it must be able to walk
# every parent of the mail root; likewise some Dovecot processes connect to
# sockets in base_dir by absolute path (and unix socket paths are limited to
# 108 bytes), and Postfix opens data_directory as user postfix. When
# MAILENV_DIR is not reachable by those users (e.g. a checkout under /root,
# mode 700) or is too long, these go to /var/tmp/mailenv-<hash> instead
# (symlinked from MAILENV_DIR; `env` always names the real MAILENV_MAIL_ROOT).
choose_runtime_paths() {
  RUNTIME_ROOT=$DIR
  if ! runuser -u nobody -- test -x "$DIR" 2>/dev/null ||
     ! runuser -u postfix -- test -x "$DIR" 2>/dev/null ||
     (( ${#DIR} > 60 )); then
    RUNTIME_ROOT=/var/tmp/mailenv-$HASH
    log "note: $DIR is not reachable by users nobody/postfix or too long for socket paths;" \
        "mail and runtime files go to $RUNTIME_ROOT"
    mkdir -p "$RUNTIME_ROOT"
    chmod 755 "$RUNTIME_ROOT"
    [[ -e $DIR/mail || -L $DIR/mail ]] || ln -s "$RUNTIME_ROOT/mail" "$DIR/mail"
    [[ -e $DIR/run || -L $DIR/run ]] || ln -s "$RUNTIME_ROOT/run" "$DIR/run"
  fi
}

# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# port_greets PORT PREFIX: the server answers a connection with a greeting
# line starting with PREFIX ("* OK" from imap-login only once auth is ready,
# "220" from smtpd/lmtp) — a stronger readiness test than a bare connect.
port_greets() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    IFS= read -r -t 3 line <&3 || exit 1
    [[ $line == "$2"* ]]
  ) 2>/dev/null
}

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# pid_is PID REGEX: the process exists and its executable matches REGEX
# (guards against a recycled pid from a stale pid file).
pid_is() {
  local exe
  pid_alive "$1" || return 1
  exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
  [[ $exe =~ $2 ]]
}

# All descendants of a pid (children first found, recursively).
descendants() {
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# wait_ports WHAT LOGFILE PORT[:GREETING]...: bounded wait until every port
# accepts a connection (and sends GREETING, when given); on timeout print
# the log tail and fail.
wait_ports() {
  local what=$1 logfile=$2; shift 2
  local deadline=$((SECONDS + START_TIMEOUT)) spec p greeting
  for spec in "$@"; do
    p=${spec%%:*} greeting=
    [[ $spec == *:* ]] && greeting=${spec#*:}
    until if [[ -n $greeting ]]; then port_greets "$p" "$greeting"; else port_open "$p"; fi; do
      if (( SECONDS >= deadline )); then
        log "$what did not answer on 127.0.0.1:$p within ${START_TIMEOUT}s; last log lines ($logfile):"
        tail -n 30 "$logfile" >&2 2>/dev/null || true
        exit 1
      fi
      sleep 0.05
    done
  done
}

# stop_pid NAME PID: SIGTERM to the master, bounded wait, then SIGKILL it
# and its process group (both masters daemonize with setsid). Children that
# outlive their master would keep the listening sockets open, so those
# collected beforehand are killed too, if they still are Dovecot/Postfix
# programs (a pid may have been recycled meanwhile).
stop_pid() {
  local name=$1 pid=$2 pgid kids kid deadline
  kids=$(descendants "$pid")
  pgid=$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ') || true
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + STOP_TIMEOUT))
  while pid_alive "$pid" && (( SECONDS < deadline )); do sleep 0.05; done
  if pid_alive "$pid"; then
    log "$name (pid $pid) did not stop within ${STOP_TIMEOUT}s; killing it"
    if [[ -n $pgid && $pgid == "$pid" ]]; then
      kill -KILL -- "-$pgid" 2>/dev/null || true
    fi
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for kid in $kids; do
    pid_is "$kid" '^/usr/(sbin|lib)/(dovecot|postfix)' && kill -KILL "$kid" 2>/dev/null
  done
  return 0
}

# kill_leftovers dovecot|postfix: after a crash (master killed), children
# may outlive it for a while. Only called when the master is known to be
# gone. Dovecot titles its processes dovecot-<instance_name>/<service>, and
# the instance name ends in this directory's hash; Postfix daemons run with
# the queue directory as their working directory.
kill_leftovers() {
  local pids=() pid line
  case $1 in
    dovecot)
      while read -r pid; do pids+=("$pid"); done \
        < <(pgrep -f "^dovecot-mailenv-[0-9]+-${HASH:0:6}/" || true)
      ;;
    postfix)
      while read -r line; do
        pid=${line#/proc/} pid=${pid%%/*}
        pid_is "$pid" '^/usr/lib/postfix/' && pids+=("$pid")
      done < <(find /proc -mindepth 2 -maxdepth 2 -path '/proc/[0-9]*/cwd' \
                 -lname "$PF_QUEUE" 2>/dev/null || true)
      ;;
  esac
  (( ${#pids[@]} == 0 )) || kill -KILL "${pids[@]}" 2>/dev/null || true
}

# ---------------------------------------------------------------------------
# Packages
# ---------------------------------------------------------------------------

ensure_packages() {
  local missing=() pkg
  # procps: ps, for stopping; minimal images lack it.
  for pkg in dovecot-core dovecot-imapd dovecot-lmtpd postfix openssl procps; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  (( ${#missing[@]} == 0 )) && return 0
  (( EUID == 0 )) || die "packages missing (${missing[*]}); run as root to install them"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # "No configuration": postfix's postinst neither prompts nor writes a
  # /etc/postfix/main.cf for the system instance (which we never use).
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  # A fresh CI machine may never have fetched package lists.
  if ! apt-get install -y --no-install-recommends "${missing[@]}" >"$DIR/apt.log" 2>&1; then
    apt-get update >>"$DIR/apt.log" 2>&1 || true
    apt-get install -y --no-install-recommends "${missing[@]}" >>"$DIR/apt.log" 2>&1 ||
      { tail -n 30 "$DIR/apt.log" >&2; die "apt-get install ${missing[*]} failed"; }
  fi
}

# ---------------------------------------------------------------------------
# TLS: a private CA plus a localhost server certificate signed by it, made
# once. A separate CA (rather than one self-signed leaf) is what strict
# clients such as rustls/webpki accept: they reject a CA certificate used as
# the server's own certificate. MAILENV_CA_FILE is the CA.
# ---------------------------------------------------------------------------

ensure_tls() {
  if [[ -s $CA_FILE && -s $TLS_DIR/server-chain.pem && -s $TLS_DIR/server.key ]]; then
    return 0
  fi
  mkdir -p "$TLS_DIR"
  chmod 755 "$TLS_DIR"
  cat >"$TLS_DIR/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = mailenv test CA
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
  local cnf=$TLS_DIR/openssl.cnf
  (
    cd "$TLS_DIR"
    umask 077
    openssl req -x509 -new -config "$cnf" -extensions ca_ext -nodes \
      -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
      -keyout ca.key -out ca.pem.tmp -days 3650 -subj "/CN=mailenv test CA $HASH"
    openssl req -new -config "$cnf" -nodes \
      -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
      -keyout server.key -out server.csr -subj "/CN=localhost"
    openssl x509 -req -in server.csr -CA ca.pem.tmp -CAkey ca.key -CAcreateserial \
      -extfile "$cnf" -extensions server_ext -days 3650 -out server.pem
    cat server.pem ca.pem.tmp >server-chain.pem
    rm -f server.csr ca.srl
    chmod 644 ca.pem.tmp server.pem server-chain.pem
    # Written last: its presence marks a complete set.
    mv ca.pem.tmp ca.pem
  ) >"$LOG_DIR/openssl.log" 2>&1 || { cat "$LOG_DIR/openssl.log" >&2; die "certificate generation failed"; }
}

# ---------------------------------------------------------------------------
# Dovecot
# ---------------------------------------------------------------------------

write_dovecot_conf() {
  mkdir -p "$DIR/dovecot" "$DOVECOT_STATE" "$LOG_DIR" "$MAIL_ROOT"
  chown nobody:nogroup "$MAIL_ROOT"
  chmod 755 "$MAIL_ROOT"
  local dh=""
  [[ -r /usr/share/dovecot/dh.pem ]] && dh="ssl_dh = </usr/share/dovecot/dh.pem"
  cat >"$DOVECOT_CONF.tmp" <<EOF
# Generated by deploy/local/mailenv.sh — private Dovecot for mailroom tests.
# Self-contained: nothing from /etc/dovecot is included.
instance_name = $INSTANCE_NAME
base_dir = $DOVECOT_RUN
state_dir = $DOVECOT_STATE
log_path = $DOVECOT_LOG
protocols = imap lmtp
listen = 127.0.0.1

# Authentication: any user name, one shared password. %Lu (the default,
# spelled out) lowercases the name, so IMAP logins and LMTP deliveries for
# the same address always meet in one mailbox.
auth_username_format = %Lu
auth_mechanisms = plain login
disable_plaintext_auth = no
# Tests probe wrong passwords; don't make them wait 2 s per failure.
auth_failure_delay = 0
passdb {
  driver = static
  args = password=$PASSWORD
}
# allow_all_users: LMTP delivers to any address without a passdb check.
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$MAIL_ROOT/%u allow_all_users=yes
}

# Maildir below MAILENV_MAIL_ROOT/<user>/Maildir; keywords are stored in
# dovecot-keywords, so PERMANENTFLAGS includes \*.
mail_location = maildir:~/Maildir
# NetEase's (Coremail's) folders, for every user, with their SPECIAL-USE
# flags, and its hierarchy delimiter "/": the Coremail IMAP front
# (coremail-imap.py) passes names and flags through, and tests can APPEND
# into 垃圾邮件 (&V4NXPpCuTvY- on the wire) here directly.
namespace inbox {
  inbox = yes
  separator = /
  mailbox 草稿箱 {
    auto = create
    special_use = \\Drafts
  }
  mailbox 已发送 {
    auto = create
    special_use = \\Sent
  }
  mailbox 已删除 {
    auto = create
    special_use = \\Trash
  }
  mailbox 垃圾邮件 {
    auto = create
    special_use = \\Junk
  }
  mailbox 病毒邮件 {
    auto = create
  }
  mailbox 广告邮件 {
    auto = create
  }
  mailbox 订阅邮件 {
    auto = create
  }
}
# Tests open many connections for one user from 127.0.0.1 (default is 10).
mail_max_userip_connections = 1000
# No '+' detail splitting: the mailbox is the full recipient address.
recipient_delimiter =
lmtp_save_to_detail_mailbox = no
postmaster_address = postmaster@mailenv.localhost
hostname = mailenv.localhost

ssl = yes
ssl_cert = <$TLS_DIR/server-chain.pem
ssl_key = <$TLS_DIR/server.key
$dh

# "Performance" login mode: a few long-lived imap-login processes serve all
# pre-login and TLS-proxied connections. In the default one-process-per-
# connection mode every TLS session keeps its own imap-login process and the
# default process_limit (100) caps parallel TLS sessions at 100.
service imap-login {
  service_count = 0
  process_min_avail = 1
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }
}
# No auth penalty: after one failed login Dovecot would delay the next
# login from 127.0.0.1 by 4 s (up to 15 s), and every test client comes from
# that address. mode = 0 leaves the socket uncreated, so auth runs without
# penalty tracking.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
# Mail processes run as nobody and report to stats-writer; the default mode
# (0660, group dovecot) would fill the log with permission errors.
service stats {
  unix_listener stats-writer {
    mode = 0666
  }
}
EOF
  mv "$DOVECOT_CONF.tmp" "$DOVECOT_CONF"
}

dovecot_pid() {
  local pid
  pid=$(head -n1 "$DOVECOT_RUN/master.pid" 2>/dev/null) || return 1
  pid_is "$pid" '/dovecot$' || return 1
  echo "$pid"
}

dovecot_up() { dovecot_pid >/dev/null && port_open "$IMAP_PORT"; }

start_dovecot() {
  if dovecot_pid >/dev/null; then
    return 0
  fi
  # A pid file left by a crash (or whose pid was recycled) would make
  # Dovecot refuse to start.
  # anvil-auth-penalty: see the config; a stale socket from an older config
  # would make auth log connection errors.
  rm -f "$DOVECOT_RUN/master.pid" "$DOVECOT_RUN/anvil-auth-penalty"
  local p
  for p in "$IMAP_PORT" "$IMAPS_PORT" "$LMTP_PORT"; do
    port_open "$p" && die "port $p is already in use by something else (MAILENV_PORT_BASE=$BASE); pick another MAILENV_PORT_BASE"
  done
  mkdir -p "$LOG_DIR"
  # 9>&-: the daemons must not inherit (and so hold forever) the lock.
  if ! dovecot -c "$DOVECOT_CONF" >>"$DOVECOT_LOG" 2>&1 9>&-; then
    tail -n 30 "$DOVECOT_LOG" >&2
    die "dovecot failed to start (config $DOVECOT_CONF)"
  fi
  wait_ports Dovecot "$DOVECOT_LOG" "$IMAP_PORT:* OK" "$IMAPS_PORT" "$LMTP_PORT:220"
}

stop_dovecot() {
  local pid
  if pid=$(dovecot_pid); then
    stop_pid Dovecot "$pid"
  fi
  kill_leftovers dovecot
  rm -f "$DOVECOT_RUN/master.pid"
}

doveadm_() { doveadm -c "$DOVECOT_CONF" "$@"; }

# ---------------------------------------------------------------------------
# Coremail IMAP front (deploy/local/coremail-imap.py): NetEase 126/163's IMAP
# behaviour (greeting, CAPABILITY lists, ID required, no UIDNEXT, empty
# STATUS, connection cap, idle drop, ...) in front of this Dovecot, to which
# it relays. Plain + STARTTLS on BASE+163, implicit TLS on BASE+963: inside
# BASE+24..BASE+993, so never on the ports of an instance 1000 further (and
# below the ephemeral range 32768+ for every base up to 31000). Runs whenever
# Dovecot does; COREMAIL_IDLE_TIMEOUT_SECS and COREMAIL_MAX_CONNECTIONS_PER_USER
# in the environment of the `up` that starts it reach it. Its docstring
# describes the behaviour and the JSON log ($CM_LOG).
# ---------------------------------------------------------------------------

coremail_paths() {
  CM_IMAP_PORT=$((BASE + 163))
  CM_IMAPS_PORT=$((BASE + 963))
  CM_LOG=$DIR/coremail.log
  CM_PIDFILE=$DIR/coremail-imap.pid
  CM_OUT=$LOG_DIR/coremail-imap.out
  CM_GREETING="* OK Coremail System IMap Server Ready"
}

# coremail_owns PID: PID is this instance's front (not a recycled pid).
coremail_owns() {
  pid_alive "$1" &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "coremail-imap.py --log $CM_LOG "
}

coremail_pid() {
  local pid
  pid=$(head -n1 "$CM_PIDFILE" 2>/dev/null | tr -d ' ') || return 1
  coremail_owns "$pid" || return 1
  echo "$pid"
}

start_coremail() {
  coremail_paths
  coremail_pid >/dev/null && return 0
  local p py pid deadline
  for p in "$CM_IMAP_PORT" "$CM_IMAPS_PORT"; do
    port_open "$p" && die "port $p is already in use (MAILENV_PORT_BASE=$BASE); pick another MAILENV_PORT_BASE"
  done
  # Debian's python3 (stdlib only; 3.11+ for StreamWriter.start_tls).
  py=/usr/bin/python3
  [[ -x $py ]] || py=$(command -v python3) || die "python3 is needed for the Coremail IMAP front"
  mkdir -p "$LOG_DIR"
  rm -f "$CM_PIDFILE"
  # setsid: its own session, so it outlives this script; 9>&-: it must not
  # hold the instance lock; no inherited stdout/stderr (callers wait for EOF).
  setsid "$py" "$SCRIPT_DIR/coremail-imap.py" --log "$CM_LOG" \
    --plain-port "$CM_IMAP_PORT" --tls-port "$CM_IMAPS_PORT" --backend-port "$IMAP_PORT" \
    --cert "$TLS_DIR/server-chain.pem" --key "$TLS_DIR/server.key" \
    --pid-file "$CM_PIDFILE" </dev/null >>"$CM_OUT" 2>&1 9>&- &
  pid=$!
  # Bounded wait for its greeting (it greets once it reached Dovecot) and the
  # TLS listener; give up at once if the process died.
  deadline=$((SECONDS + START_TIMEOUT))
  until port_greets "$CM_IMAP_PORT" "$CM_GREETING" && port_open "$CM_IMAPS_PORT"; do
    if ! kill -0 "$pid" 2>/dev/null || (( SECONDS >= deadline )); then
      log "Coremail IMAP front did not greet on 127.0.0.1:$CM_IMAP_PORT within ${START_TIMEOUT}s; last lines of $CM_OUT:"
      tail -n 30 "$CM_OUT" >&2 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.05
  done
}

stop_coremail() {
  coremail_paths
  local pid f deadline
  if pid=$(coremail_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while pid_alive "$pid" && (( SECONDS < deadline )); do sleep 0.05; done
    if pid_alive "$pid"; then
      log "Coremail IMAP front (pid $pid) did not stop within ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # One whose pid file was lost: matched by this instance's log path.
  for f in $(grep -lsF -- "$CM_LOG" /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid=${f#/proc/} pid=${pid%%/*}
    coremail_owns "$pid" && kill -KILL "$pid" 2>/dev/null
  done
  rm -f "$CM_PIDFILE"
}

coremail_status() {
  coremail_paths
  if coremail_pid >/dev/null && port_open "$CM_IMAP_PORT" && port_open "$CM_IMAPS_PORT"; then
    echo "coremail-imap: up (pid $(coremail_pid); imap 127.0.0.1:$CM_IMAP_PORT, imaps :$CM_IMAPS_PORT; log $CM_LOG)"
  else
    echo "coremail-imap: down"; return 1
  fi
}

coremail_env() {
  coremail_paths
  local kv
  for kv in \
    "MAILENV_COREMAIL_IMAP_PORT=$CM_IMAP_PORT" \
    "MAILENV_COREMAIL_IMAPS_PORT=$CM_IMAPS_PORT" \
    "MAILENV_COREMAIL_LOG=$CM_LOG"; do
    printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
  done
}

# ---------------------------------------------------------------------------
# Postfix
# ---------------------------------------------------------------------------

write_postfix_conf() {
  mkdir -p "$PF_ETC" "$PF_QUEUE" "$PF_DATA" "$LOG_DIR"
  # postfix check: the queue directory must belong to root, the data
  # directory to the mail_owner; config files must not be writable by others.
  chown root:root "$PF_QUEUE"
  chmod 755 "$PF_QUEUE" "$PF_ETC"
  chown postfix:postfix "$PF_DATA"

  cat >"$PF_ETC/main.cf.tmp" <<EOF
# Generated by deploy/local/mailenv.sh — private Postfix for mailroom tests.
compatibility_level = 3.6
config_directory = $PF_ETC
queue_directory = $PF_QUEUE
data_directory = $PF_DATA
syslog_name = mailenv-postfix-$BASE
# There is no syslog daemon in CI: log to a file through postlogd.
maillog_file = $PF_LOG
maillog_file_prefixes = $LOG_DIR

# The machine may have no FQDN and no DNS at all.
myhostname = mailenv.localhost
mydomain = localhost
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
smtp_host_lookup = native
lmtp_host_lookup = native
smtpd_peername_lookup = no

# Nothing is delivered locally: every address, any domain, is handed to the
# private Dovecot by LMTP (the Dovecot user is the full address)...
mydestination =
local_recipient_maps =
local_transport = error:5.1.1 local delivery is disabled in mailenv
alias_maps =
alias_database =
recipient_delimiter =
default_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
relay_transport = lmtp:inet:127.0.0.1:$LMTP_PORT
# ...except test addresses that must bounce (local part nosuch*, domain
# *.invalid): accepted at SMTP time, then bounced with a real DSN to the
# envelope sender (which itself arrives by LMTP in the sender's mailbox).
transport_maps = regexp:$PF_ETC/transport.regexp
# By default smtpd already rejects (550) a recipient whose transport is
# error:, but these must be accepted (250) and bounce afterwards, like a
# remote mailbox that does not exist. Nothing else is affected: no domain
# here is local, virtual or relay, so there are no recipient lists to check.
smtpd_reject_unlisted_recipient = no

# Loopback clients may send to anyone without authentication; nobody else
# can connect anyway.
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
# Deliver what was sent: no header rewriting, no 8bit->QP conversion.
local_header_rewrite_clients =
disable_mime_output_conversion = yes
message_size_limit = 104857600
mailbox_size_limit = 0
biff = no
append_dot_mydomain = no
smtpd_banner = \$myhostname ESMTP mailenv

# Fast retries: mail deferred by an LMTP hiccup (Dovecot restarted by a
# test) is retried within seconds; undeliverable mail does not linger.
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 5s
maximal_queue_lifetime = 1h
bounce_queue_lifetime = 1h
delay_warning_time = 0h
EOF
  mv "$PF_ETC/main.cf.tmp" "$PF_ETC/main.cf"

  cat >"$PF_ETC/transport.regexp" <<'EOF'
# Recipients that must bounce (see main.cf).
/^nosuch[^@]*@/i   error:5.1.1 mailbox unavailable (mailenv: local part nosuch*)
/\.invalid$/i      error:5.1.2 domain does not exist (mailenv: *.invalid)
EOF

  # Only the services this setup uses; chroot off (column 5 = n) so nothing
  # has to be copied into the queue directory.
  cat >"$PF_ETC/master.cf" <<EOF
# Generated by deploy/local/mailenv.sh.
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$SMTP_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  chmod 644 "$PF_ETC/main.cf" "$PF_ETC/master.cf" "$PF_ETC/transport.regexp"
  # Postfix does not trust a table or main.cf modified within the last second
  # (it might still be being written) and sleeps in 300 ms steps until it is
  # older: ~1.5 s on every start. Backdate what we just wrote.
  touch -d "@$(( $(date +%s) - 5 ))" "$PF_ETC/main.cf" "$PF_ETC/master.cf" "$PF_ETC/transport.regexp"
}

postfix_pid() {
  local pid
  pid=$(head -n1 "$PF_QUEUE/pid/master.pid" 2>/dev/null | tr -d ' ') || return 1
  pid_is "$pid" '/master$' || return 1
  echo "$pid"
}

postfix_up() { postfix_pid >/dev/null && port_open "$SMTP_PORT"; }

start_postfix() {
  if postfix_pid >/dev/null; then
    return 0
  fi
  port_open "$SMTP_PORT" &&
    die "port $SMTP_PORT is already in use by something else (MAILENV_PORT_BASE=$BASE); pick another MAILENV_PORT_BASE"
  [[ -f $PF_ETC/main.cf ]] || die "no Postfix configuration in $PF_ETC; run: $0 up"
  # `postfix start` runs `postfix check` first, which creates and fixes the
  # queue subdirectories. As root, `postfix -c`, `postqueue -c` and
  # `sendmail -C` with this directory need no alternate_config_directories
  # entry in /etc/postfix/main.cf (checked on Postfix 3.7), so the system
  # configuration stays untouched; it may even not exist ("No configuration").
  if ! postfix -c "$PF_ETC" start >>"$PF_LOG" 2>&1 9>&-; then
    tail -n 30 "$PF_LOG" >&2
    die "postfix failed to start (config $PF_ETC)"
  fi
  wait_ports Postfix "$PF_LOG" "$SMTP_PORT:220"
}

stop_postfix() {
  local pid
  if pid=$(postfix_pid); then
    stop_pid Postfix "$pid"
  fi
  kill_leftovers postfix
}

# ---------------------------------------------------------------------------
# NetEase SMTP emulator (deploy/local/netease-smtp.py): 126.com/163.com-style
# SMTP with NetEase's rules (quotas, DT:SPM, DT:SUM, ...) in front of this
# Postfix, to which it relays what it accepts. Implicit TLS on BASE+465,
# plain (AUTH allowed, STARTTLS offered) on BASE+587. Runs whenever Postfix
# does. Its docstring describes the control files ($NE_DIR/accounts/
# <login>.json, $NE_DIR/defaults.json) and the JSON log ($NE_LOG).
# ---------------------------------------------------------------------------

netease_paths() {
  NE_SMTPS_PORT=$((BASE + 465))
  NE_SMTP_PORT=$((BASE + 587))
  NE_DIR=$DIR/netease-smtp
  NE_LOG=$DIR/netease-smtp.log
  NE_PIDFILE=$NE_DIR/pid
  NE_OUT=$LOG_DIR/netease-smtp.out
  NE_GREETING="220 163.com Anti-spam GT for Coremail System (163com[20141201])"
}

# netease_owns PID: PID is this instance's emulator (not a recycled pid).
netease_owns() {
  pid_alive "$1" &&
    tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF "netease-smtp.py --dir $NE_DIR "
}

netease_pid() {
  local pid
  pid=$(head -n1 "$NE_PIDFILE" 2>/dev/null | tr -d ' ') || return 1
  netease_owns "$pid" || return 1
  echo "$pid"
}

start_netease() {
  netease_paths
  [[ ${WITH_POSTFIX:-yes} == yes ]] || return 0
  netease_pid >/dev/null && return 0
  local p py pid deadline
  for p in "$NE_SMTPS_PORT" "$NE_SMTP_PORT"; do
    port_open "$p" && die "port $p is already in use (MAILENV_PORT_BASE=$BASE); pick another MAILENV_PORT_BASE"
  done
  # Debian's python3 (stdlib only); any python3 >= 3.11 would do.
  py=/usr/bin/python3
  [[ -x $py ]] || py=$(command -v python3) || die "python3 is needed for the NetEase SMTP emulator"
  mkdir -p "$NE_DIR" "$LOG_DIR"
  rm -f "$NE_PIDFILE"
  # setsid: its own session, so it outlives this script; 9>&-: it must not
  # hold the instance lock.
  setsid "$py" "$SCRIPT_DIR/netease-smtp.py" --dir "$NE_DIR" --log "$NE_LOG" \
    --smtps-port "$NE_SMTPS_PORT" --smtp-port "$NE_SMTP_PORT" --relay-port "$SMTP_PORT" \
    --password "$PASSWORD" --cert "$TLS_DIR/server-chain.pem" --key "$TLS_DIR/server.key" \
    --pidfile "$NE_PIDFILE" </dev/null >>"$NE_OUT" 2>&1 9>&- &
  pid=$!
  # Bounded wait for the greeting on the plain port and a TLS listener;
  # give up at once if the process died.
  deadline=$((SECONDS + START_TIMEOUT))
  until port_greets "$NE_SMTP_PORT" "$NE_GREETING" && port_open "$NE_SMTPS_PORT"; do
    if ! kill -0 "$pid" 2>/dev/null || (( SECONDS >= deadline )); then
      log "NetEase SMTP emulator did not greet on 127.0.0.1:$NE_SMTP_PORT within ${START_TIMEOUT}s; last lines of $NE_OUT:"
      tail -n 30 "$NE_OUT" >&2 2>/dev/null || true
      kill -KILL "$pid" 2>/dev/null || true
      exit 1
    fi
    sleep 0.05
  done
}

stop_netease() {
  netease_paths
  local pid f deadline
  if pid=$(netease_pid); then
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT))
    while pid_alive "$pid" && (( SECONDS < deadline )); do sleep 0.05; done
    if pid_alive "$pid"; then
      log "NetEase SMTP emulator (pid $pid) did not stop within ${STOP_TIMEOUT}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  # One whose pid file was lost: matched by this instance's directory.
  for f in $(grep -lsF -- "$NE_DIR" /proc/[0-9]*/cmdline 2>/dev/null || true); do
    pid=${f#/proc/} pid=${pid%%/*}
    netease_owns "$pid" && kill -KILL "$pid" 2>/dev/null
  done
  rm -f "$NE_PIDFILE"
}

netease_status() {
  netease_paths
  if netease_pid >/dev/null && port_open "$NE_SMTP_PORT" && port_open "$NE_SMTPS_PORT"; then
    echo "netease-smtp: up (pid $(netease_pid); smtps 127.0.0.1:$NE_SMTPS_PORT, smtp :$NE_SMTP_PORT; log $NE_LOG)"
  elif [[ ${WITH_POSTFIX:-yes} == no ]]; then
    echo "netease-smtp: down (instance started with --dovecot-only)"
  else
    echo "netease-smtp: down"; return 1
  fi
}

netease_env() {
  netease_paths
  local kv
  for kv in \
    "MAILENV_NETEASE_SMTPS_PORT=$NE_SMTPS_PORT" \
    "MAILENV_NETEASE_SMTP_PORT=$NE_SMTP_PORT" \
    "MAILENV_NETEASE_DIR=$NE_DIR" \
    "MAILENV_NETEASE_LOG=$NE_LOG"; do
    printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
  done
}

# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

cmd_up() {
  local dovecot_only=no
  case ${1:-} in
    --dovecot-only) dovecot_only=yes ;;
    "") ;;
    *) die "up: unknown option '$1'" ;;
  esac
  (( EUID == 0 )) || die "up must run as root (it starts Dovecot and Postfix masters)"
  mkdir -p "$DIR"
  if load_state; then
    derive
    local want_postfix=$WITH_POSTFIX
    [[ $dovecot_only == no ]] && want_postfix=yes
    # A running instance: leave it alone (idempotent), but refuse to pretend
    # that different parameters took effect.
    if dovecot_pid >/dev/null || postfix_pid >/dev/null; then
      if [[ -n ${MAILENV_PORT_BASE:-} && $MAILENV_PORT_BASE != "$BASE" ]] ||
         [[ -n ${MAILENV_PASSWORD:-} && $MAILENV_PASSWORD != "$PASSWORD" ]]; then
        die "an instance with other parameters runs in $DIR; run '$0 down' first"
      fi
      if dovecot_up && { [[ $want_postfix == no ]] || postfix_up; }; then
        return 0
      fi
      # Partly running: start what is missing with the recorded settings.
      WITH_POSTFIX=$want_postfix
      save_state
      dovecot_pid >/dev/null || { write_dovecot_conf; start_dovecot; }
      if [[ $WITH_POSTFIX == yes ]] && ! postfix_pid >/dev/null; then
        write_postfix_conf
        start_postfix
      fi
      return 0
    fi
    # Nothing runs: start afresh. The directory remembers its parameters;
    # variables that are set override them.
    BASE=${MAILENV_PORT_BASE:-$BASE}
    PASSWORD=${MAILENV_PASSWORD:-$PASSWORD}
  fi
  if [[ $dovecot_only == yes ]]; then WITH_POSTFIX=no; else WITH_POSTFIX=yes; fi
  derive
  # Nothing of ours runs (no live master): clear what a crash left behind.
  if [[ -f $STATE_FILE ]]; then
    kill_leftovers dovecot
    kill_leftovers postfix
  fi
  # Refuse before writing anything if another program holds one of our ports.
  local p
  for p in "$IMAP_PORT" "$IMAPS_PORT" "$LMTP_PORT" $([[ $WITH_POSTFIX == yes ]] && echo "$SMTP_PORT"); do
    port_open "$p" && die "port $p is already in use (MAILENV_PORT_BASE=$BASE); pick another MAILENV_PORT_BASE"
  done
  ensure_packages
  mkdir -p "$LOG_DIR"
  choose_runtime_paths
  derive
  save_state
  ensure_tls
  write_dovecot_conf
  [[ $WITH_POSTFIX == yes ]] && write_postfix_conf
  start_dovecot
  [[ $WITH_POSTFIX == yes ]] && start_postfix
  log "up: IMAP 127.0.0.1:$IMAP_PORT, IMAPS :$IMAPS_PORT, LMTP :$LMTP_PORT$([[ $WITH_POSTFIX == yes ]] && echo ", SMTP :$SMTP_PORT") (dir $DIR)"
}

need_state() {
  load_state || die "no instance in $DIR (run: $0 up)"
  derive
}

cmd_down() {
  load_state || return 0
  derive
  # In parallel: each master lingers 1-2 s after SIGTERM by design.
  stop_postfix &
  stop_netease &
  stop_coremail &
  stop_dovecot
  wait
}

cmd_status() {
  local rc=0
  if load_state; then derive; else WITH_POSTFIX=yes; derive; fi
  if dovecot_up; then
    echo "dovecot: up (pid $(dovecot_pid); imap 127.0.0.1:$IMAP_PORT, imaps :$IMAPS_PORT, lmtp :$LMTP_PORT)"
  else
    echo "dovecot: down"; rc=1
  fi
  if postfix_up; then
    echo "postfix: up (pid $(postfix_pid); smtp 127.0.0.1:$SMTP_PORT)"
  elif [[ ${WITH_POSTFIX:-yes} == no ]]; then
    echo "postfix: down (instance started with --dovecot-only)"
  else
    echo "postfix: down"; rc=1
  fi
  netease_status || rc=1
  coremail_status || rc=1
  echo "dir: $DIR"
  return "$rc"
}

cmd_env() {
  if load_state; then :; else WITH_POSTFIX=yes; fi
  derive
  local kv
  for kv in \
    "MAILENV_DIR=$DIR" \
    "MAILENV_HOST=127.0.0.1" \
    "MAILENV_PORT_BASE=$BASE" \
    "MAILENV_IMAP_PORT=$IMAP_PORT" \
    "MAILENV_IMAPS_PORT=$IMAPS_PORT" \
    "MAILENV_LMTP_PORT=$LMTP_PORT" \
    "MAILENV_SMTP_PORT=$SMTP_PORT" \
    "MAILENV_PASSWORD=$PASSWORD" \
    "MAILENV_CA_FILE=$CA_FILE" \
    "MAILENV_MAIL_ROOT=$MAIL_ROOT" \
    "MAILENV_DOVECOT_CONF=$DOVECOT_CONF" \
    "MAILENV_POSTFIX_CONF_DIR=$PF_ETC" \
    "MAILENV_LOG_DIR=$LOG_DIR"; do
    printf 'export %s=%q\n' "${kv%%=*}" "${kv#*=}"
  done
  netease_env
  coremail_env
}

# Delete all mail of the given users. With no IMAP session open for a user
# the whole home (maildir, indexes, UIDVALIDITY) is removed, so the next
# test starts from a brand-new mailbox. With a session open (e.g. a daemon
# idling in INBOX) its maildir must not vanish under it: then every message
# in every folder is expunged through doveadm, which notifies the session.
cmd_wipe() {
  (( $# > 0 )) || die "usage: $0 wipe USER..."
  need_state
  local user home running=no
  dovecot_pid >/dev/null && running=yes
  for user in "$@"; do
    user=${user,,} # auth_username_format = %Lu
    [[ -n $user && $user != *"/"* && $user != "." && $user != ".." ]] ||
      die "wipe: invalid user name '$user'"
    home=$MAIL_ROOT/$user
    [[ -d $home ]] || continue
    if [[ $running == yes ]] &&
       doveadm_ who -1 "$user" 2>/dev/null | awk -v u="$user" '$1 == u { f = 1 } END { exit !f }'; then
      doveadm_ expunge -u "$user" mailbox '*' all ||
        die "wipe: doveadm expunge failed for $user"
    else
      rm -rf -- "$home"
    fi
  done
}

# Serialize commands that change an instance (parallel test processes may
# all call `up`). The lock is fd 9 on $DIR/.lock, released on exit.
lock_instance() {
  mkdir -p "$DIR"
  exec 9>"$DIR/.lock"
  flock -w 120 9 || die "another mailenv.sh command holds $DIR/.lock for over 120 s"
}

main() {
  local cmd=${1:-}
  [[ -n $cmd ]] || usage
  shift
  case $cmd in
    up | restart-dovecot | stop-postfix | start-postfix | wipe) lock_instance ;;
    down) if [[ -d $DIR ]]; then lock_instance; fi ;;
    restart-netease) lock_instance ;;
  esac
  case $cmd in
    # The emulator after cmd_up's every way out (it may return early when
    # Dovecot and Postfix already run); only with Postfix.
    up) cmd_up "$@"; start_netease; start_coremail ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    restart-dovecot)
      need_state
      stop_dovecot
      write_dovecot_conf
      start_dovecot
      ;;
    stop-postfix) need_state; stop_postfix ;;
    start-postfix)
      need_state
      # Also turns a --dovecot-only instance into a full one.
      if [[ $WITH_POSTFIX != yes ]]; then WITH_POSTFIX=yes; save_state; fi
      [[ -f $PF_ETC/main.cf ]] || write_postfix_conf
      start_postfix
      ;;
    wipe) cmd_wipe "$@" ;;
    restart-netease) need_state; stop_netease; start_netease ;;
    -h | --help | help) usage ;;
    *) die "unknown command '$cmd' (try --help)" ;;
  esac
}

main "$@"
