#!/usr/bin/env python3
"""NetEase (126.com / 163.com, Coremail) SMTP emulator for mailroom's tests.

Started by `deploy/local/mailenv.sh up` next to the private Postfix; the
behaviour follows shared/notes/providers.md (NetEase SMTP section and the
bounce-code table). Python 3 standard library only.

Listeners (127.0.0.1): implicit TLS on BASE+465 (MAILENV_NETEASE_SMTPS_PORT,
certificate = mailenv's localhost certificate, verify with MAILENV_CA_FILE)
and plain on BASE+587 (MAILENV_NETEASE_SMTP_PORT; AUTH allowed without TLS,
STARTTLS offered). Greeting:
    220 163.com Anti-spam GT for Coremail System (163com[20141201])
EHLO advertises PIPELINING, AUTH LOGIN PLAIN, STARTTLS (plain port only),
SIZE 73400320 and 8BITMIME.

Accounts. Any login <name>@<domain> with domain in MAILENV_NETEASE_LOGIN_DOMAINS
(default "mailroom.test,126.com,163.com") and the mailenv password logs in;
a wrong password or another domain gets `535 Error: authentication failed`.
`550 User has no permission` (at AUTH, as smtplib's SMTPAuthenticationError)
for logins whose local part starts with "noperm", logins listed in
MAILENV_NETEASE_NO_PERMISSION (comma separated), or whose control file says
"no_permission": true.

Control files (JSON objects, re-read at every AUTH, MAIL, RCPT and end of DATA,
so a test changes them without restarting anything; write them atomically:
temp file + rename):
    <dir>/defaults.json            applies to every account (private instances!)
    <dir>/accounts/<login>.json    one account, login lowercased; its keys win
where <dir> is MAILENV_NETEASE_DIR (= $MAILENV_DIR/netease-smtp). A missing
file means no limits. Unknown keys are refused (451 + "config_error" in the
log) so that a typo cannot silently disable a limit; keys starting with "_"
are comments. Keys:
    per_15min      int   accepted messages in a sliding 15 min; the next MAIL
                         gets `451 MI:SFQ 发信人在15分钟内的发信数量超过限制`
    per_day        int   accepted messages per day; then
                         `554 MI:STC 发件人当天发信数量超过限制，当天不再接受该发件人的投递`
    rcpt_per_day   int   accepted recipients per day; then RCPT gets `550 RP:TRC`
    domain_limits  {domain: int}  accepted recipients per recipient domain per
                         day; then RCPT gets `550 Sender frequency limited`
    max_rcpts_per_message   int  then RCPT gets `550 RP:RCL`
    max_msgs_per_connection int  then MAIL gets `450 MI:DMC`
    spm_every      int   every k-th DATA that reaches the spam check gets
                         `451 DT:SPM, please try again` (k, 2k, 3k, ...)
    spm_rate       float probability of that 451, drawn deterministically:
                         check number i is rejected iff
                         random.Random(f"{spm_seed}:{i}").random() < spm_rate
    spm_seed       any   seed for spm_rate (default 0)
    spm_marker     str or [str]  content containing it (raw bytes, or decoded
                         text parts / Subject) gets `554 DT:SPM 发送的邮件内容包含
                         了未被许可的信息，或被系统识别为垃圾邮件`
    illegal_extensions [str]  replaces the default list (.bat .cmd .com .exe
                         .js .pif .scr .vbs .vbe .vb .wsh .uu .mim .hqx .bhx);
                         an attachment name ending so gets `552 Illegal Attachment`
    no_permission  bool  see above
    password       str   this account's SMTP password (授权码) instead of
                         the mailenv password
    now            str   ISO 8601 instant ("2018-01-26T10:00:00+08:00"; no
                         offset = Asia/Shanghai) or epoch seconds: the
                         account's clock reads `now` at the instant `now_at`
                         and then advances in real time
    now_at         epoch seconds or ISO instant (real time); default: the
                         modification time of the file that set `now`, as
                         first seen by the emulator for that value of `now`
                         (rewriting the file with an unchanged `now` keeps
                         the clock running; a new `now` re-anchors it)
    day_reset      "HH:MM" Asia/Shanghai time at which the day rolls over
                         (default "00:00", NetEase's)
    reset_at       ISO instant/epoch (account clock): mail accepted before it
                         no longer counts (an operator lifting a block)
    hold_after_accept bool  crash-window hook, see below
    hold_before_reply bool  the same hold, after the message was accepted,
                         counted and relayed but before its 250 is written
    hold_seconds   float  how long a hold lasts at most (default 60)
    idle_timeout   float  after AUTH, close the connection silently when the
                         client is idle this long (NetEase drops idle
                         connections; default: the server's, 300 s)
    reply_suffix   bool  append a Coremail-like ",163 smtp1,<sid> <epoch>" to
                         error replies (real servers do; default false, so
                         the texts are exactly the ones above)
Without `now` in either file the clock is MAILENV_NETEASE_NOW (+ real time
since MAILENV_NETEASE_NOW_AT, default the emulator's start) if that was in
the environment of `mailenv.sh up`, else the real clock. "Day" is the
Asia/Shanghai calendar day (UTC+8, no DST) of the account's clock.

Counting. Only accepted messages (250) count: per_15min and per_day count
messages, rcpt_per_day and domain_limits count their accepted recipients.
Limits are checked at MAIL/RCPT and again at the end of DATA (where the
message is counted before relaying, so concurrent connections of one login
cannot overshoot). Counters persist in <dir>/state/<login>.json across
restarts of the emulator.

Order of checks. AUTH: login syntax/domain/password (535) -> permission (550).
MAIL: authenticated (553 authentication is required) -> MAIL FROM = login
(553 Mail from must equal authorized user) -> SIZE= (552 exceeded mailsize
limit) -> max_msgs_per_connection -> per_day -> per_15min. RCPT:
max_rcpts_per_message -> rcpt_per_day -> domain_limits. End of DATA: size ->
header From = login (554 DT:SUM envelope sender and header sender not match)
-> illegal attachment -> spm_marker -> spm_every/spm_rate -> per_day ->
per_15min -> rcpt_per_day -> domain_limits -> relay.

Relay. An accepted message gets a Received header and is handed, with the
same envelope, to mailenv's Postfix (127.0.0.1:MAILENV_SMTP_PORT, plain, no
auth) before the 250 is sent; if Postfix refuses it the client gets
`451 Local error in processing` and nothing is counted. The 250 reads
`250 Mail OK queued as smtp1,<queue_id> <epoch>`.

Log: one JSON object per line in $MAILENV_DIR/netease-smtp.log, written with
one write() each. Every line has "event", "real_time" (ISO, UTC) and
"conn" (connection number, 0 for server events). Decision lines (event
"auth", "mail", "rcpt", "data") also have: "time" (account clock,
+08:00), "day", "port" ("smtps"|"smtp"), "tls", "login" (for "auth":
the login tried, lowercased; "user" is it as sent), "mail_from",
"rcpts" (recipients accepted so far in the transaction), "rcpt" (rcpt
events), "message_id", "size", "code", "text", "reply" (code + text as
sent), "ok" (code < 400), "rule" (see RULES below), "queue_id" (accepted
data), "counters" (after the decision: last_15min, day_messages,
day_rcpts, day_domains, conn_messages, spm_checks) and "limits" (the
control values in force). Other events: "start", "stop", "connect",
"disconnect", "accepted_hold", "hold_released" (reason "marker_deleted",
"timeout" or "stop"), "idle_close", "config_error".

Crash-window hook: with "hold_after_accept": true, after the 250 of a
message has been sent the emulator logs {"event": "accepted_hold", ...},
creates <dir>/accepted/<message-id sanitised> (Message-ID without <>,
every character outside [A-Za-z0-9._@+=-] replaced by "_"; the queue id
when there is no Message-ID) containing the log line, and reads nothing more
from that connection until the file is deleted or hold_seconds pass; then it
logs "hold_released" (on timeout it deletes the file itself) and goes on.
"""

import argparse
import asyncio
import base64
import binascii
import email
import email.policy
import email.utils
import json
import os
import random
import re
import signal
import smtplib
import ssl
import sys
import time
from datetime import datetime, timedelta, timezone

CST = timezone(timedelta(hours=8), "Asia/Shanghai")
GREETING = "220 163.com Anti-spam GT for Coremail System (163com[20141201])"
SIZE_LIMIT = 73400320
DEFAULT_ILLEGAL = [".bat", ".cmd", ".com", ".exe", ".js", ".pif", ".scr", ".vbs",
                   ".vbe", ".vb", ".wsh", ".uu", ".mim", ".hqx", ".bhx"]
HOSTID = "smtp1"

# Replies (exact texts; reply_suffix may append Coremail's session tag).
R_SFQ = "451 MI:SFQ 发信人在15分钟内的发信数量超过限制"
R_STC = "554 MI:STC 发件人当天发信数量超过限制，当天不再接受该发件人的投递"
R_TRC = "550 RP:TRC"
R_RCL = "550 RP:RCL"
R_DMC = "450 MI:DMC"
R_DOMAIN = "550 Sender frequency limited"
R_SPM_TEMP = "451 DT:SPM, please try again"
R_SPM = "554 DT:SPM 发送的邮件内容包含了未被许可的信息，或被系统识别为垃圾邮件"
R_SUM = "554 DT:SUM envelope sender and header sender not match"
R_ATTACH = "552 Illegal Attachment"
R_SIZE = "552 exceeded mailsize limit"
R_FROM = "553 Mail from must equal authorized user"
R_NOAUTH = "553 authentication is required"
R_AUTHFAIL = "535 Error: authentication failed"
R_NOPERM = "550 User has no permission"
R_RELAY = "451 Local error in processing"

# rule names used in the log
RULES = ("ok", "syntax", "sequence", "auth_failed", "no_permission", "auth_required",
         "mail_from_mismatch", "size", "max_msgs_per_connection", "per_day",
         "per_15min", "max_rcpts_per_message", "rcpt_per_day", "domain_limit",
         "no_recipients", "header_from_mismatch", "illegal_attachment",
         "spam_marker", "spam_rate", "relay_failed", "config_error")

KNOWN_KEYS = {"per_15min", "per_day", "rcpt_per_day", "domain_limits",
              "max_rcpts_per_message", "max_msgs_per_connection", "spm_every",
              "spm_rate", "spm_seed", "spm_marker", "illegal_extensions",
              "no_permission", "password", "now", "now_at", "day_reset", "reset_at",
              "hold_after_accept", "hold_before_reply", "hold_seconds", "idle_timeout",
              "reply_suffix"}
LIMIT_KEYS = ("per_15min", "per_day", "rcpt_per_day", "domain_limits",
              "max_rcpts_per_message", "max_msgs_per_connection", "spm_every",
              "spm_rate", "spm_seed", "spm_marker", "no_permission", "day_reset",
              "reset_at", "hold_after_accept", "hold_before_reply", "now")
LOGIN_RE = re.compile(r"^[A-Za-z0-9._%+=-]+@[A-Za-z0-9.-]+$")
DATA_END = re.compile(rb"(?:^|\n)\.\r?\n")
MAX_LINE = 65536
HISTORY_MAX = 20000


class ConfigError(Exception):
    pass


def parse_instant(v, what):
    """ISO 8601 (no offset = Asia/Shanghai) or epoch seconds -> epoch float."""
    if isinstance(v, bool):
        raise ConfigError(f"{what}: not a time: {v!r}")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        s = v.strip()
        if s.endswith("Z") or s.endswith("z"):
            s = s[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            try:
                return float(s)
            except ValueError:
                raise ConfigError(f"{what}: not an ISO 8601 time: {v!r}") from None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=CST)
        return dt.timestamp()
    raise ConfigError(f"{what}: not a time: {v!r}")


def iso_cst(ts):
    return datetime.fromtimestamp(ts, CST).isoformat(timespec="milliseconds")


def iso_utc(ts):
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")


def sanitise(s):
    s = s.strip()
    if s.startswith("<") and s.endswith(">"):
        s = s[1:-1]
    s = re.sub(r"[^A-Za-z0-9._@+=-]", "_", s)
    return s[:200] or "_"


def atomic_write(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)


class Account:
    """Counters and clock anchors of one login."""

    def __init__(self, emu, login):
        self.emu = emu
        self.login = login
        self.state_path = os.path.join(emu.dir, "state", login + ".json")
        self.history = []  # [{"ts": account-clock epoch, "rcpts": [...]}]
        self.spm_checks = 0
        try:
            with open(self.state_path, encoding="utf-8") as f:
                st = json.load(f)
            self.history = st.get("history", [])
            self.spm_checks = int(st.get("spm_checks", 0))
        except FileNotFoundError:
            pass
        except (ValueError, OSError) as e:
            emu.log({"event": "config_error", "login": login,
                     "error": f"unreadable state {self.state_path}: {e}; starting empty"})

    def save(self):
        del self.history[:-HISTORY_MAX]
        atomic_write(self.state_path, json.dumps(
            {"login": self.login, "spm_checks": self.spm_checks, "history": self.history}))


class Control:
    """The merged control files of one login, read now."""

    def __init__(self, emu, login):
        self.values = {}
        self.sources = {}
        paths = [os.path.join(emu.dir, "defaults.json")]
        if login:
            paths.append(os.path.join(emu.dir, "accounts", login + ".json"))
        for p in paths:
            data, mtime = self._read(p)
            if data is None:
                continue
            for k, v in data.items():
                if k.startswith("_"):
                    continue
                if k not in KNOWN_KEYS:
                    raise ConfigError(f"{p}: unknown key {k!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
                self.values[k] = v
                self.sources[k] = (p, mtime)
        self._validate()

    @staticmethod
    def _read(path):
        # A test may be replacing the file right now: retry a torn read briefly.
        for attempt in range(5):
            try:
                with open(path, "rb") as f:
                    raw = f.read()
                    mtime = os.fstat(f.fileno()).st_mtime
            except FileNotFoundError:
                return None, None
            except OSError as e:
                raise ConfigError(f"{path}: {e}") from None
            try:
                data = json.loads(raw.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                if attempt < 4:
                    time.sleep(0.02)
                    continue
                raise ConfigError(f"{path}: invalid JSON: {e}") from None
            if not isinstance(data, dict):
                raise ConfigError(f"{path}: not a JSON object")
            return data, mtime
        return None, None

    def _validate(self):
        v = self.values
        for k in ("per_15min", "per_day", "rcpt_per_day", "max_rcpts_per_message",
                  "max_msgs_per_connection", "spm_every"):
            if k in v and v[k] is not None and (not isinstance(v[k], int) or isinstance(v[k], bool) or v[k] < 0):
                raise ConfigError(f"{k} must be a non-negative integer or null, got {v[k]!r}")
        if "spm_rate" in v and (not isinstance(v["spm_rate"], (int, float)) or not 0 <= v["spm_rate"] <= 1):
            raise ConfigError(f"spm_rate must be a number in 0..1, got {v['spm_rate']!r}")
        for k in ("hold_seconds", "idle_timeout"):
            if k in v and v[k] is not None and (not isinstance(v[k], (int, float)) or v[k] < 0):
                raise ConfigError(f"{k} must be a non-negative number, got {v[k]!r}")
        dl = v.get("domain_limits")
        if dl is not None:
            if not isinstance(dl, dict) or not all(
                    isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in dl.values()):
                raise ConfigError(f"domain_limits must map domains to non-negative integers, got {dl!r}")
            v["domain_limits"] = {d.lower(): n for d, n in dl.items()}
        m = v.get("spm_marker")
        if m is not None:
            if isinstance(m, str):
                m = [m]
            if not isinstance(m, list) or not all(isinstance(x, str) and x for x in m):
                raise ConfigError("spm_marker must be a non-empty string or a list of them")
            v["spm_marker"] = m
        ext = v.get("illegal_extensions")
        if ext is not None and (not isinstance(ext, list) or not all(isinstance(x, str) for x in ext)):
            raise ConfigError("illegal_extensions must be a list of strings")
        dr = v.get("day_reset")
        self.day_reset_minutes = 0
        if dr is not None:
            mm = re.fullmatch(r"(\d{1,2}):(\d{2})", str(dr))
            if not mm or int(mm.group(1)) > 23 or int(mm.group(2)) > 59:
                raise ConfigError(f"day_reset must be \"HH:MM\", got {dr!r}")
            self.day_reset_minutes = int(mm.group(1)) * 60 + int(mm.group(2))
        self.reset_at = parse_instant(v["reset_at"], "reset_at") if v.get("reset_at") is not None else None
        if v.get("now") is not None:
            parse_instant(v["now"], "now")
        if v.get("now_at") is not None:
            parse_instant(v["now_at"], "now_at")

    def get(self, k, default=None):
        v = self.values.get(k)
        return default if v is None else v

    def limits(self):
        return {k: self.values[k] for k in LIMIT_KEYS if self.values.get(k) is not None}


class Emulator:
    def __init__(self, args):
        self.args = args
        self.dir = args.dir
        self.password = args.password
        self.login_domains = {d.strip().lower() for d in args.login_domains.split(",") if d.strip()}
        self.no_permission = {u.strip().lower() for u in args.no_permission.split(",") if u.strip()}
        for sub in ("accounts", "state", "accepted"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        self.logf = open(args.log, "a", encoding="utf-8")
        self.accounts = {}
        self.anchors = {}  # (file, repr(now)) -> anchor epoch
        self.conn_seq = 0
        self.qid_seq = 0
        self.started = time.time()
        self.global_now = None
        if args.now:
            base = parse_instant(args.now, "MAILENV_NETEASE_NOW")
            at = parse_instant(args.now_at, "MAILENV_NETEASE_NOW_AT") if args.now_at else self.started
            self.global_now = (base, at)
        self.stopping = asyncio.Event()

    # -- log ---------------------------------------------------------------
    def log(self, rec):
        out = {"event": rec.pop("event"), "real_time": iso_utc(time.time())}
        out.update(rec)
        self.logf.write(json.dumps(out, ensure_ascii=False, separators=(",", ":")) + "\n")
        self.logf.flush()
        return out

    # -- clock -------------------------------------------------------------
    def now(self, ctrl):
        real = time.time()
        if ctrl is not None and ctrl.values.get("now") is not None:
            base = parse_instant(ctrl.values["now"], "now")
            if ctrl.values.get("now_at") is not None:
                anchor = parse_instant(ctrl.values["now_at"], "now_at")
            else:
                path, mtime = ctrl.sources["now"]
                key = (path, repr(ctrl.values["now"]))
                anchor = self.anchors.setdefault(key, mtime)
            return base + (real - anchor)
        if self.global_now:
            return self.global_now[0] + (real - self.global_now[1])
        return real

    @staticmethod
    def day_of(ts, ctrl):
        return datetime.fromtimestamp(ts - ctrl.day_reset_minutes * 60, CST).date().isoformat()

    def account(self, login):
        a = self.accounts.get(login)
        if a is None:
            a = self.accounts[login] = Account(self, login)
        return a

    def counters(self, acct, ctrl, now, extra=None):
        day = self.day_of(now, ctrl)
        reset_at = ctrl.reset_at if ctrl.reset_at is not None else float("-inf")
        last15 = 0
        dmsg = drcpt = 0
        domains = {}
        for h in acct.history:
            ts = h["ts"]
            if ts < reset_at:
                continue
            if now - 900 < ts <= now:
                last15 += 1
            if self.day_of(ts, ctrl) == day:
                dmsg += 1
                drcpt += len(h["rcpts"])
                for r in h["rcpts"]:
                    d = r.rpartition("@")[2].lower()
                    domains[d] = domains.get(d, 0) + 1
        c = {"last_15min": last15, "day_messages": dmsg, "day_rcpts": drcpt,
             "day_domains": domains, "spm_checks": acct.spm_checks}
        if extra:
            c.update(extra)
        return c

    def new_qid(self):
        self.qid_seq += 1
        rnd = base64.b64encode(os.urandom(12), altchars=b"+-").decode()
        return f"{rnd[:14]}--.{self.qid_seq}S2"

    def relay(self, mail_from, rcpts, data):
        with smtplib.SMTP(self.args.relay_host, self.args.relay_port,
                          local_hostname="smtp1.163.com", timeout=30) as s:
            s.ehlo()
            opts = ["BODY=8BITMIME"] if any(b > 127 for b in data) else []
            return s.sendmail(mail_from, rcpts, data, mail_options=opts)


def reply_with_suffix(ctrl, reply):
    if ctrl is not None and ctrl.get("reply_suffix") and reply[:1] in "45":
        sid = base64.b64encode(os.urandom(12), altchars=b"+-").decode()[:16]
        return f"{reply},163 {HOSTID},{sid}--.1S2 {int(time.time())}"
    return reply


class Session:
    def __init__(self, emu, reader, writer, kind):
        self.emu = emu
        self.reader = reader
        self.writer = writer
        self.kind = kind  # "smtps" | "smtp"
        self.tls = kind == "smtps"
        emu.conn_seq += 1
        self.conn = emu.conn_seq
        self.buf = bytearray()
        self.pos = 0
        self.helo = None
        self.login = None
        self.conn_messages = 0
        self.reset()

    def reset(self):
        self.mail_from = None
        self.rcpts = []

    # -- I/O ---------------------------------------------------------------
    async def send(self, *lines):
        self.writer.write("".join(line + "\r\n" for line in lines).encode("utf-8"))
        await self.writer.drain()

    def idle_timeout(self):
        t = self.emu.args.idle_timeout
        if self.login:
            try:
                t = Control(self.emu, self.login).get("idle_timeout", t)
            except ConfigError:
                pass
        return t

    async def fill(self, timeout):
        chunk = await asyncio.wait_for(self.reader.read(65536), timeout)
        if not chunk:
            return False
        if self.pos > 65536:
            del self.buf[:self.pos]
            self.pos = 0
        self.buf += chunk
        return True

    async def readline(self):
        """One line without its line ending; None on EOF."""
        timeout = self.idle_timeout()
        while True:
            i = self.buf.find(b"\n", self.pos)
            if i >= 0:
                line = bytes(self.buf[self.pos:i])
                self.pos = i + 1
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buf) - self.pos > MAX_LINE:
                self.pos = len(self.buf)
                return b"\0TOOLONG"
            if not await self.fill(timeout):
                return None

    async def read_data(self):
        """The DATA content (dot-unstuffed, line endings kept); None on EOF."""
        data = bytearray(self.buf[self.pos:])
        self.buf = bytearray()
        self.pos = 0
        kept = 0  # bytes discarded once over the size limit
        over = False
        search_from = 0
        while True:
            m = DATA_END.search(data, search_from)
            if m:
                end = m.start() + (1 if data[m.start():m.start() + 1] == b"\n" else 0)
                content = bytes(data[:end]) if not over else b""
                self.buf = bytearray(data[m.end():])
                break
            if len(data) > SIZE_LIMIT + 65536:
                over = True
                kept += len(data) - 4
                data = bytearray(b"\0") + data[-4:]
            search_from = max(0, len(data) - 4)
            chunk = await asyncio.wait_for(self.reader.read(65536), 300)
            if not chunk:
                return None, 0
            data += chunk
        if over:
            return None, kept
        content = re.sub(rb"(?m)^\.", b"", content)
        return content, len(content)

    # -- log helper --------------------------------------------------------
    def decision(self, event, reply, rule, ctrl=None, acct=None, now=None, login=None, **extra):
        rec = {"event": event, "conn": self.conn, "port": self.kind, "tls": self.tls,
               "login": login or self.login, "mail_from": self.mail_from, "rcpts": list(self.rcpts)}
        if now is None:
            now = time.time()
        rec["time"] = iso_cst(now)
        if ctrl is not None:
            rec["day"] = self.emu.day_of(now, ctrl)
        rec.update(extra)
        code = int(reply[:3])
        rec.update({"code": code, "text": reply[4:], "reply": reply, "ok": code < 400, "rule": rule})
        if acct is not None and ctrl is not None:
            rec["counters"] = self.emu.counters(acct, ctrl, now, {"conn_messages": self.conn_messages})
            rec["limits"] = ctrl.limits()
        return self.emu.log(rec)

    def control(self):
        return Control(self.emu, self.login)

    async def config_error(self, event, e, login=None):
        reply = f"451 emulator config error: {e}".replace("\r", " ").replace("\n", " ")[:500]
        self.emu.log({"event": "config_error", "conn": self.conn, "login": login or self.login,
                      "during": event, "error": str(e)})
        self.decision(event, reply, "config_error", login=login)
        await self.send(reply)

    # -- main loop ---------------------------------------------------------
    async def run(self):
        peer = self.writer.get_extra_info("peername")
        self.emu.log({"event": "connect", "conn": self.conn, "port": self.kind, "tls": self.tls,
                      "peer": f"{peer[0]}:{peer[1]}" if peer else None})
        reason = "quit"
        try:
            await self.send(GREETING)
            while True:
                try:
                    line = await self.readline()
                except asyncio.TimeoutError:
                    self.emu.log({"event": "idle_close", "conn": self.conn, "login": self.login})
                    reason = "idle_timeout"
                    break
                if line is None:
                    reason = "client_closed"
                    break
                if line == b"\0TOOLONG":
                    await self.send("500 Error: line too long")
                    continue
                if not await self.command(line):
                    break
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError) as e:
            reason = f"connection_error: {type(e).__name__}"
        except asyncio.TimeoutError:
            reason = "timeout_in_data"
        except asyncio.CancelledError:
            reason = "server_stop"
            raise
        finally:
            self.emu.log({"event": "disconnect", "conn": self.conn, "login": self.login,
                          "reason": reason, "conn_messages": self.conn_messages})
            try:
                self.writer.close()
            except Exception:  # noqa: BLE001
                pass

    async def command(self, line):
        text = line.decode("utf-8", "replace")
        verb, _, arg = text.strip().partition(" ")
        verb = verb.upper()
        arg = arg.strip()
        if verb == "EHLO" or verb == "HELO":
            if not arg:
                await self.send("501 Syntax: HELO hostname")
                return True
            self.helo = arg
            self.reset()
            if verb == "HELO":
                await self.send("250 OK")
                return True
            caps = ["250-mail", "250-PIPELINING", "250-AUTH LOGIN PLAIN", "250-AUTH=LOGIN PLAIN",
                    "250-coremail 1Uxr2xKj7kG0xkI17xGrU7I0s8FY2U3Uj8Cz28x1UUUUU7Ic2I0Y2UFzQI_ZUCa0xDrUUUUj"]
            if not self.tls:
                caps.append("250-STARTTLS")
            caps += [f"250-SIZE {SIZE_LIMIT}", "250 8BITMIME"]
            await self.send(*caps)
            return True
        if verb == "QUIT":
            await self.send("221 Bye")
            return False
        if verb == "NOOP":
            await self.send("250 OK")
            return True
        if verb == "RSET":
            self.reset()
            await self.send("250 OK")
            return True
        if verb == "STARTTLS":
            if self.tls or self.kind != "smtp":
                await self.send("503 bad sequence of commands")
                return True
            await self.send("220 Ready to start TLS")
            # Anything pipelined after STARTTLS is discarded (RFC 3207).
            self.buf = bytearray()
            self.pos = 0
            await self.writer.start_tls(self.emu.ssl_ctx)
            self.tls = True
            self.helo = None
            self.login = None
            self.reset()
            return True
        if verb in ("VRFY", "EXPN", "HELP", "TURN", "ETRN", "BDAT"):
            await self.send("502 Error: command not implemented")
            return True
        if verb not in ("AUTH", "MAIL", "RCPT", "DATA"):
            await self.send("502 Error: command not implemented")
            return True
        if self.helo is None:
            await self.send("503 Error: send HELO/EHLO first")
            return True
        if verb == "AUTH":
            await self.auth(arg)
        elif verb == "MAIL":
            await self.mail(arg)
        elif verb == "RCPT":
            await self.rcpt(arg)
        else:
            await self.data()
        return True

    # -- AUTH --------------------------------------------------------------
    async def auth(self, arg):
        if self.login:
            await self.send("503 bad sequence of commands")
            return
        mech, _, ir = arg.partition(" ")
        mech = mech.upper()
        ir = ir.strip()

        async def challenge(prompt):
            await self.send(f"334 {prompt}")
            line = await self.readline()
            if line is None:
                raise ConnectionError("EOF during AUTH")
            return line.strip()

        try:
            if mech == "PLAIN":
                resp = ir.encode() if ir else await challenge("")
                if resp == b"*":
                    await self.send("501 Auth aborted")
                    return
                parts = base64.b64decode(resp, validate=True).split(b"\0")
                if len(parts) != 3:
                    raise ValueError("PLAIN needs three fields")
                user, password = parts[1].decode("utf-8"), parts[2].decode("utf-8")
            elif mech == "LOGIN":
                u = ir.encode() if ir else await challenge("dXNlcm5hbWU6")
                if u == b"*":
                    await self.send("501 Auth aborted")
                    return
                user = base64.b64decode(u, validate=True).decode("utf-8")
                p = await challenge("UGFzc3dvcmQ6")
                if p == b"*":
                    await self.send("501 Auth aborted")
                    return
                password = base64.b64decode(p, validate=True).decode("utf-8")
            else:
                await self.send("504 Unrecognized authentication type")
                return
        except (binascii.Error, ValueError, UnicodeDecodeError):
            self.decision("auth", "535 Error: authentication failed", "syntax", mechanism=mech)
            await self.send(R_AUTHFAIL)
            return
        login = user.strip().lower()
        ok_syntax = bool(LOGIN_RE.match(login)) and login.rpartition("@")[2] in self.emu.login_domains
        ctrl = None
        if ok_syntax:
            try:
                ctrl = Control(self.emu, login)
            except ConfigError as e:
                await self.config_error("auth", e, login)
                return
        expected = ctrl.get("password", self.emu.password) if ctrl else self.emu.password
        if not ok_syntax or password != expected:
            self.decision("auth", R_AUTHFAIL, "auth_failed", user=user, mechanism=mech,
                          login=login)
            await self.send(reply_with_suffix(ctrl, R_AUTHFAIL))
            return
        if self.no_permission(login, ctrl):
            self.decision("auth", R_NOPERM, "no_permission", ctrl, None, self.emu.now(ctrl),
                          user=user, mechanism=mech, login=login)
            await self.send(reply_with_suffix(ctrl, R_NOPERM))
            return
        self.login = login
        acct = self.emu.account(login)
        now = self.emu.now(ctrl)
        self.decision("auth", "235 Authentication successful", "ok", ctrl, acct, now,
                      user=user, mechanism=mech)
        await self.send("235 Authentication successful")

    def no_permission(self, login, ctrl):
        return (login.partition("@")[0].startswith("noperm") or login in self.emu.no_permission
                or bool(ctrl and ctrl.get("no_permission")))

    # -- MAIL --------------------------------------------------------------
    async def mail(self, arg):
        m = re.match(r"(?i)^FROM:\s*(<[^>]*>|\S+)(.*)$", arg)
        if not m:
            self.decision("mail", "501 Syntax error", "syntax", command=f"MAIL {arg}")
            await self.send("501 Syntax error")
            return
        if self.mail_from is not None:
            await self.send("503 bad sequence of commands")
            return
        addr = m.group(1).strip("<>").strip()
        params = m.group(2).split()
        if not self.login:
            self.mail_from = addr
            self.decision("mail", R_NOAUTH, "auth_required")
            self.mail_from = None
            await self.send(R_NOAUTH)
            return
        try:
            ctrl = self.control()
        except ConfigError as e:
            self.mail_from = addr
            await self.config_error("mail", e)
            self.mail_from = None
            return
        acct = self.emu.account(self.login)
        now = self.emu.now(ctrl)
        self.mail_from = addr
        reply, rule = self.check_mail(ctrl, acct, now, addr, params)
        reply = reply_with_suffix(ctrl, reply)
        self.decision("mail", reply, rule, ctrl, acct, now)
        if rule != "ok":
            self.mail_from = None
        await self.send(reply)

    def check_mail(self, ctrl, acct, now, addr, params):
        if self.no_permission(self.login, ctrl):
            return R_NOPERM, "no_permission"
        if addr.lower() != self.login:
            return R_FROM, "mail_from_mismatch"
        for p in params:
            k, _, v = p.partition("=")
            if k.upper() == "SIZE" and v.isdigit() and int(v) > SIZE_LIMIT:
                return R_SIZE, "size"
        n = ctrl.get("max_msgs_per_connection")
        if n is not None and self.conn_messages >= n:
            return R_DMC, "max_msgs_per_connection"
        r = self.quota(ctrl, acct, now, rcpts=False)
        if r:
            return r
        return "250 Mail OK", "ok"

    def quota(self, ctrl, acct, now, rcpts, pending=None):
        """Message quotas (and recipient quotas with rcpts=True) for one more
        message with the given pending recipients; None when within them."""
        c = self.emu.counters(acct, ctrl, now)
        n = ctrl.get("per_day")
        if n is not None and c["day_messages"] >= n:
            return R_STC, "per_day"
        n = ctrl.get("per_15min")
        if n is not None and c["last_15min"] >= n:
            return R_SFQ, "per_15min"
        if rcpts:
            return self.rcpt_quota(ctrl, c, pending or [])
        return None

    def rcpt_quota(self, ctrl, c, pending):
        n = ctrl.get("rcpt_per_day")
        if n is not None and c["day_rcpts"] + len(pending) > n:
            return R_TRC, "rcpt_per_day"
        limits = ctrl.get("domain_limits") or {}
        want = {}
        for r in pending:
            d = r.rpartition("@")[2].lower()
            want[d] = want.get(d, 0) + 1
        for d, k in want.items():
            if d in limits and c["day_domains"].get(d, 0) + k > limits[d]:
                return R_DOMAIN, "domain_limit"
        return None

    # -- RCPT --------------------------------------------------------------
    async def rcpt(self, arg):
        m = re.match(r"(?i)^TO:\s*(<[^>]*>|\S+)(.*)$", arg)
        if not m:
            self.decision("rcpt", "501 Syntax error", "syntax", command=f"RCPT {arg}")
            await self.send("501 Syntax error")
            return
        addr = m.group(1).strip("<>").strip()
        if self.mail_from is None:
            self.decision("rcpt", "503 bad sequence of commands", "sequence", rcpt=addr)
            await self.send("503 bad sequence of commands")
            return
        if not re.match(r"^[^@\s]+@[^@\s]+$", addr):
            self.decision("rcpt", "501 Bad address syntax", "syntax", rcpt=addr)
            await self.send("501 Bad address syntax")
            return
        try:
            ctrl = self.control()
        except ConfigError as e:
            await self.config_error("rcpt", e)
            return
        acct = self.emu.account(self.login)
        now = self.emu.now(ctrl)
        reply, rule = "250 Mail OK", "ok"
        n = ctrl.get("max_rcpts_per_message")
        if n is not None and len(self.rcpts) >= n:
            reply, rule = R_RCL, "max_rcpts_per_message"
        else:
            c = self.emu.counters(acct, ctrl, now)
            r = self.rcpt_quota(ctrl, c, self.rcpts + [addr])
            if r:
                reply, rule = r
        if rule == "ok":
            self.rcpts.append(addr)
        reply = reply_with_suffix(ctrl, reply)
        self.decision("rcpt", reply, rule, ctrl, acct, now, rcpt=addr)
        await self.send(reply)

    # -- DATA --------------------------------------------------------------
    async def data(self):
        if self.mail_from is None:
            await self.send("503 bad sequence of commands")
            return
        if not self.rcpts:
            self.decision("data", "554 no valid recipients", "no_recipients")
            await self.send("554 no valid recipients")
            return
        await self.send("354 End data with <CR><LF>.<CR><LF>")
        content, size = await self.read_data()
        if content is None and size == 0:
            raise ConnectionError("EOF during DATA")
        try:
            await self.end_of_data(content, size)
        finally:
            self.reset()

    async def end_of_data(self, content, size):
        try:
            ctrl = self.control()
        except ConfigError as e:
            await self.config_error("data", e)
            return
        acct = self.emu.account(self.login)
        now = self.emu.now(ctrl)
        info = {"size": size, "message_id": None}
        if content is None:
            reply = reply_with_suffix(ctrl, R_SIZE)
            self.decision("data", reply, "size", ctrl, acct, now, **info)
            await self.send(reply)
            return
        msg = parse_message(content)
        mid = msg.get("Message-ID") if msg is not None else None
        info["message_id"] = str(mid).strip() if mid is not None else None
        header_from = header_from_addresses(msg)
        info["header_from"] = header_from
        reply, rule = self.check_content(ctrl, acct, msg, content, header_from)
        if rule == "ok":
            r = self.quota(ctrl, acct, now, rcpts=True, pending=self.rcpts)
            if r:
                reply, rule = r
        if rule != "ok":
            reply = reply_with_suffix(ctrl, reply)
            self.decision("data", reply, rule, ctrl, acct, now, **info)
            await self.send(reply)
            return
        # Count first (no other connection can slip past the limits while
        # the relay runs), relay, then answer.
        entry = {"ts": now, "rcpts": list(self.rcpts)}
        acct.history.append(entry)
        acct.save()
        qid = self.emu.new_qid()
        received = (f"Received: from {self.helo} (unknown [127.0.0.1])\r\n"
                    f"\tby {HOSTID} (Coremail) with SMTP id {qid};\r\n"
                    f"\t{email.utils.format_datetime(datetime.fromtimestamp(now, CST))}\r\n").encode()
        try:
            refused = await asyncio.to_thread(self.emu.relay, self.mail_from, list(self.rcpts),
                                              received + content)
        except (OSError, smtplib.SMTPException) as e:
            acct.history.remove(entry)
            acct.save()
            self.decision("data", R_RELAY, "relay_failed", ctrl, acct, now,
                          relay_error=f"{type(e).__name__}: {e}", **info)
            await self.send(R_RELAY)
            return
        self.conn_messages += 1
        reply = f"250 Mail OK queued as {HOSTID},{qid} {int(time.time())}"
        extra = dict(info, queue_id=qid)
        if refused:
            extra["relay_refused"] = {k: [v[0], v[1].decode("utf-8", "replace")] for k, v in refused.items()}
        rec = self.decision("data", reply, "ok", ctrl, acct, now, **extra)
        if ctrl.get("hold_before_reply"):
            # The crash window itself: accepted and relayed, the 250 not yet
            # on the wire. A client killed now never learns it was sent.
            await self.hold(ctrl, rec, info["message_id"] or qid)
        await self.send(reply)
        if ctrl.get("hold_after_accept"):
            await self.hold(ctrl, rec, info["message_id"] or qid)

    def check_content(self, ctrl, acct, msg, content, header_from):
        if not header_from or any(a != self.login for a in header_from):
            return R_SUM, "header_from_mismatch"
        exts = [e.lower() for e in ctrl.get("illegal_extensions", DEFAULT_ILLEGAL)]
        for name in attachment_names(msg):
            n = name.strip().strip('"').lower()
            if any(n.endswith(e) for e in exts):
                return R_ATTACH, "illegal_attachment"
        markers = ctrl.get("spm_marker") or []
        if markers:
            texts = None
            for mk in markers:
                if mk.encode("utf-8") in content:
                    return R_SPM, "spam_marker"
                if texts is None:
                    texts = decoded_texts(msg)
                if any(mk in t for t in texts):
                    return R_SPM, "spam_marker"
        every = ctrl.get("spm_every")
        rate = ctrl.get("spm_rate", 0)
        if every or rate:
            acct.spm_checks += 1
            acct.save()
            i = acct.spm_checks
            if every and i % every == 0:
                return R_SPM_TEMP, "spam_rate"
            if rate and random.Random(f"{ctrl.get('spm_seed', 0)}:{i}").random() < rate:
                return R_SPM_TEMP, "spam_rate"
        return "250 Mail OK", "ok"

    async def hold(self, ctrl, rec, key):
        marker = os.path.join(self.emu.dir, "accepted", sanitise(key))
        limit = float(ctrl.get("hold_seconds", 60))
        held = {k: rec.get(k) for k in ("conn", "login", "mail_from", "rcpts", "message_id",
                                         "queue_id", "size", "reply", "time")}
        line = self.emu.log(dict(held, event="accepted_hold", marker=marker, hold_seconds=limit))
        atomic_write(marker, json.dumps(line, ensure_ascii=False) + "\n")
        deadline = time.monotonic() + limit
        reason = "timeout"
        try:
            while time.monotonic() < deadline:
                if not os.path.exists(marker):
                    reason = "marker_deleted"
                    break
                await asyncio.sleep(0.02)
        except asyncio.CancelledError:
            reason = "stop"
            raise
        finally:
            if reason != "marker_deleted":
                try:
                    os.unlink(marker)
                except FileNotFoundError:
                    pass
            self.emu.log({"event": "hold_released", "conn": self.conn, "login": self.login,
                          "message_id": held["message_id"], "queue_id": held["queue_id"],
                          "reason": reason, "marker": marker})


# -- message inspection -----------------------------------------------------

def parse_message(content):
    try:
        return email.message_from_bytes(content, policy=email.policy.default)
    except Exception:  # noqa: BLE001
        try:
            return email.message_from_bytes(content, policy=email.policy.compat32)
        except Exception:  # noqa: BLE001
            return None


def header_from_addresses(msg):
    if msg is None:
        return []
    out = []
    try:
        for v in msg.get_all("From") or []:
            addrs = getattr(v, "addresses", None)
            if addrs is not None:
                out += [a.addr_spec for a in addrs]
            else:
                out += [a for _, a in email.utils.getaddresses([str(v)])]
    except Exception:  # noqa: BLE001
        return []
    return [a.strip().lower() for a in out if a.strip()]


def attachment_names(msg):
    names = []
    if msg is None:
        return names
    try:
        for part in msg.walk():
            for getter in (lambda p: p.get_filename(),
                           lambda p: p.get_param("name", header="content-type")):
                try:
                    v = getter(part)
                except Exception:  # noqa: BLE001
                    v = None
                if isinstance(v, tuple):  # RFC 2231 value under compat32
                    v = email.utils.collapse_rfc2231_value(v)
                if v:
                    names.append(str(v))
    except Exception:  # noqa: BLE001
        pass
    return names


def decoded_texts(msg):
    out = []
    if msg is None:
        return out
    try:
        out.append(str(msg.get("Subject", "")))
        for part in msg.walk():
            if part.get_content_maintype() == "text":
                try:
                    out.append(part.get_content())
                except Exception:  # noqa: BLE001
                    payload = part.get_payload(decode=True) or b""
                    out.append(payload.decode("utf-8", "replace"))
    except Exception:  # noqa: BLE001
        pass
    return out


# -- server ------------------------------------------------------------------

async def serve(args):
    emu = Emulator(args)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    emu.ssl_ctx = ctx
    sessions = set()

    def handler(kind):
        async def handle(reader, writer):
            task = asyncio.current_task()
            sessions.add(task)
            try:
                await Session(emu, reader, writer, kind).run()
            except asyncio.CancelledError:
                pass
            except Exception as e:  # noqa: BLE001
                emu.log({"event": "internal_error", "error": f"{type(e).__name__}: {e}"})
            finally:
                sessions.discard(task)
        return handle

    smtps = await asyncio.start_server(handler("smtps"), args.host, args.smtps_port, ssl=ctx,
                                       ssl_handshake_timeout=10, limit=MAX_LINE * 2)
    smtp = await asyncio.start_server(handler("smtp"), args.host, args.smtp_port,
                                      limit=MAX_LINE * 2)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, emu.stopping.set)
    if args.pidfile:
        atomic_write(args.pidfile, f"{os.getpid()}\n")
    emu.log({"event": "start", "conn": 0, "pid": os.getpid(), "smtps_port": args.smtps_port,
             "smtp_port": args.smtp_port, "relay": f"{args.relay_host}:{args.relay_port}",
             "dir": args.dir, "login_domains": sorted(emu.login_domains),
             "global_now": iso_cst(emu.global_now[0]) if emu.global_now else None})
    await emu.stopping.wait()
    smtps.close()
    smtp.close()
    for t in list(sessions):
        t.cancel()
    await asyncio.gather(*sessions, return_exceptions=True)
    emu.log({"event": "stop", "conn": 0, "pid": os.getpid()})
    if args.pidfile:
        try:
            with open(args.pidfile) as f:
                if f.read().strip() == str(os.getpid()):
                    os.unlink(args.pidfile)
        except OSError:
            pass


def main():
    env = os.environ
    base = int(env.get("MAILENV_PORT_BASE", "20000"))
    mdir = env.get("MAILENV_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../.mailenv"))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", default=env.get("MAILENV_NETEASE_DIR", os.path.join(mdir, "netease-smtp")),
                   help="control/state directory (accounts/, state/, accepted/)")
    p.add_argument("--log", default=env.get("MAILENV_NETEASE_LOG", os.path.join(mdir, "netease-smtp.log")))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--smtps-port", type=int, default=base + 465)
    p.add_argument("--smtp-port", type=int, default=base + 587)
    p.add_argument("--relay-host", default="127.0.0.1")
    p.add_argument("--relay-port", type=int, default=int(env.get("MAILENV_SMTP_PORT", base + 25)))
    p.add_argument("--password", default=env.get("MAILENV_PASSWORD", "mailroom-test"))
    p.add_argument("--cert", default=os.path.join(mdir, "tls/server-chain.pem"))
    p.add_argument("--key", default=os.path.join(mdir, "tls/server.key"))
    p.add_argument("--pidfile", default=None)
    p.add_argument("--login-domains", default=env.get("MAILENV_NETEASE_LOGIN_DOMAINS",
                                                      "mailroom.test,126.com,163.com"))
    p.add_argument("--no-permission", default=env.get("MAILENV_NETEASE_NO_PERMISSION", ""))
    p.add_argument("--now", default=env.get("MAILENV_NETEASE_NOW") or None)
    p.add_argument("--now-at", default=env.get("MAILENV_NETEASE_NOW_AT") or None)
    p.add_argument("--idle-timeout", type=float,
                   default=float(env.get("MAILENV_NETEASE_IDLE_TIMEOUT", "300")))
    args = p.parse_args()
    args.dir = os.path.abspath(args.dir)
    try:
        asyncio.run(serve(args))
    except ConfigError as e:
        print(f"netease-smtp: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
