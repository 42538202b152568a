#!/usr/bin/env python3
"""Self-check of the Coremail IMAP front (deploy/local/coremail-imap.py) of a
running mailenv instance. Called by mailenv-selftest.py; standalone:

    eval "$(deploy/local/mailenv.sh env)"
    python3 deploy/local/coremail-selftest.py

Reads MAILENV_HOST, MAILENV_COREMAIL_IMAP_PORT, MAILENV_COREMAIL_IMAPS_PORT,
MAILENV_COREMAIL_LOG, MAILENV_IMAP_PORT (Dovecot itself, to check what the
front relayed), MAILENV_PASSWORD, MAILENV_CA_FILE and MAILENV_DOVECOT_CONF
(`doveadm kick`, for an unsolicited BYE). The idle timeout and the front's
memory while it streams a big message are checked on a second front that
this script starts (and stops) itself, on a free port. Prints one line per
check and "N passed, N failed"; exits non-zero if any failed. Fresh user
names on every run, so it can be repeated against the same instance.
"""

import base64
import imaplib
import json
import os
import random
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = os.environ.get("MAILENV_HOST", "127.0.0.1")
PORT = int(os.environ["MAILENV_COREMAIL_IMAP_PORT"])
TLS_PORT = int(os.environ["MAILENV_COREMAIL_IMAPS_PORT"])
LOG = os.environ["MAILENV_COREMAIL_LOG"]
DOVECOT_PORT = int(os.environ["MAILENV_IMAP_PORT"])
PASSWORD = os.environ["MAILENV_PASSWORD"]
CA_FILE = os.environ["MAILENV_CA_FILE"]
DOVECOT_CONF = os.environ.get("MAILENV_DOVECOT_CONF")

GREETING = b"* OK Coremail System IMap Server Ready(163com[20161118])\r\n"
CAPS_PRE = "IMAP4rev1 ID LITERAL+ STARTTLS XLIST SPECIAL-USE APPENDLIMIT=71680000 SASL-IR AUTH=XOAUTH2"
CAPS_PRE_TLS = CAPS_PRE.replace(" STARTTLS", "")
CAPS_POST = "IMAP4rev1 XLIST SPECIAL-USE ID LITERAL+ STARTTLS XAPPLEPUSHSERVICE UIDPLUS X-CM-EXT-1"
UNSAFE = b"Unsafe Login. Please contact kefu@188.com for help"
JUNK = "&V4NXPpCuTvY-"
FOLDERS = {  # Coremail's folders: name -> SPECIAL-USE flag
    "INBOX": None,
    "&g0l6P3ux-": "\\Drafts",
    "&XfJT0ZAB-": "\\Sent",
    "&XfJSIJZk-": "\\Trash",
    JUNK: "\\Junk",
    "&dcVr0pCuTvY-": None,
    "&Xn9USpCuTvY-": None,
    "&i6KWBZCuTvY-": None,
}
SPECIAL = {"\\Drafts", "\\Sent", "\\Trash", "\\Junk", "\\Archive", "\\All", "\\Flagged"}

RUN = uuid.uuid4().hex[:8]
ID_LINE = f'ID ("name" "coremail-selftest" "version" "{RUN}" "vendor" "mailroom" "support-email" "x@example.test")'
results = []


def check(name):
    def wrap(fn):
        t0 = time.monotonic()
        try:
            detail = fn()
            results.append(True)
            extra = f" ({detail})" if detail else ""
            print(f"PASS {name}{extra} [{time.monotonic() - t0:.2f}s]", flush=True)
        except Exception as e:  # noqa: BLE001 - report everything
            results.append(False)
            print(f"FAIL {name}: {type(e).__name__}: {e} [{time.monotonic() - t0:.2f}s]", flush=True)
        return fn

    return wrap


def user(name):
    return f"cm-{RUN}-{name}@163.com"


def tls_context():
    ctx = ssl.create_default_context(cafile=CA_FILE)
    ctx.check_hostname = True
    return ctx


class Raw:
    """A minimal IMAP client that shows the exact bytes."""

    def __init__(self, port=PORT, tls=False, host=HOST):
        sock = socket.create_connection((host, port), timeout=10)
        if tls:
            sock = tls_context().wrap_socket(sock, server_hostname="localhost")
        self.sock = sock
        self.f = sock.makefile("rb")
        self.greeting = self.f.readline()
        self.n = 0

    def send(self, data):
        self.sock.sendall(data)

    def unit(self):
        """One response: a line plus the literals it announces."""
        line = self.f.readline()
        out = line
        while (m := re.search(rb"\{(\d+)\}\r\n\Z", line)) is not None:
            out += self.f.read(int(m.group(1)))
            line = self.f.readline()
            out += line
        return out

    def cmd(self, command, *literals, sync=True):
        """command: text before the first literal; literals are sent as {n}
        (waiting for '+') or {n+}. Returns (untagged units, tagged line)."""
        self.n += 1
        tag = f"t{self.n}".encode()
        head = tag + b" " + (command.encode() if isinstance(command, str) else command)
        if not literals:
            self.send(head + b"\r\n")
        else:
            pieces = [head]
            for lit in literals:
                marker = b"{%d}" % len(lit) if sync else b"{%d+}" % len(lit)
                self.send(pieces.pop() + b" " + marker + b"\r\n")
                if sync:
                    cont = self.f.readline()
                    if not cont.startswith(b"+"):
                        return [], cont
                pieces.append(lit)
            self.send(pieces.pop() + b"\r\n")
        untagged = []
        while True:
            u = self.unit()
            if not u:
                raise ConnectionError(f"connection closed; so far {untagged!r}")
            if u.startswith(tag + b" "):
                return untagged, u
            untagged.append(u)

    def login(self, who, password=PASSWORD):
        return self.cmd(f'LOGIN "{who}" "{password}"')

    def ok(self, command, *literals, **kw):
        untagged, tagged = self.cmd(command, *literals, **kw)
        if tagged.split(b" ")[1] != b"OK":
            raise AssertionError(f"{command!r}: {tagged!r} after {untagged!r}")
        return untagged, tagged

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def session(who, with_id=True):
    r = Raw()
    r.ok(f'LOGIN "{who}" "{PASSWORD}"')
    if with_id:
        r.ok(ID_LINE)
    return r


def log_events(**match):
    out = []
    with open(LOG, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            if all(rec.get(k) == v for k, v in match.items()):
                out.append(rec)
    return out


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


# ---------------------------------------------------------------------------


@check("greeting on the plain port and on the implicit-TLS port (CA verified, host localhost)")
def _():
    r = Raw()
    expect(r.greeting == GREETING, f"plain greeting {r.greeting!r}")
    r.close()
    t = Raw(TLS_PORT, tls=True, host="localhost")
    expect(t.greeting == GREETING, f"TLS greeting {t.greeting!r}")
    version = t.sock.version()
    t.close()
    return version


@check("CAPABILITY before login: Coremail's list; STARTTLS only on the plain port")
def _():
    for port, tls, want in ((PORT, False, CAPS_PRE), (TLS_PORT, True, CAPS_PRE_TLS)):
        r = Raw(port, tls=tls, host="localhost" if tls else HOST)
        untagged, tagged = r.ok("CAPABILITY")
        r.close()
        expect(untagged == [b"* CAPABILITY " + want.encode() + b"\r\n"], f"port {port}: {untagged!r}")
        expect(tagged.endswith(b" OK CAPABILITY completed\r\n"), tagged)


@check("STARTTLS on the plain port (CA verified); afterwards no STARTTLS, LOGINDISABLED never")
def _():
    m = imaplib.IMAP4(HOST, PORT, timeout=10)
    expect("LOGINDISABLED" not in m.capabilities, m.capabilities)
    m.starttls(ssl_context=tls_context())
    caps = " ".join(m.capabilities)  # imaplib upper-cases them
    expect(caps == CAPS_PRE_TLS.upper(), caps)
    m.login(user("tls"), PASSWORD)
    version = m.sock.version()
    m.logout()
    return version


@check("LOGIN: `OK LOGIN completed`, no Dovecot CAPABILITY; after login Coremail's list (no IDLE/MOVE/CONDSTORE)")
def _():
    r = Raw()
    untagged, tagged = r.login(user("caps"))
    expect(untagged == [] and tagged == b"t1 OK LOGIN completed\r\n", f"{untagged!r} {tagged!r}")
    untagged, tagged = r.ok("CAPABILITY")
    r.close()
    expect(untagged == [b"* CAPABILITY " + CAPS_POST.encode() + b"\r\n"], untagged)
    for c in ("IDLE", "MOVE", "CONDSTORE", "QRESYNC", "UNSELECT"):
        expect(c not in untagged[0].decode().split(), c)
    ev = log_events(event="capability_rewrite", user=None)
    expect(ev, "no capability_rewrite event logged")


@check("wrong password: `NO LOGIN Login error or password error`; logged")
def _():
    r = Raw()
    untagged, tagged = r.login(user("badpw"), PASSWORD + "-wrong")
    r.close()
    expect(tagged == b"t1 NO LOGIN Login error or password error\r\n", tagged)
    ev = log_events(event="login_fail", login=user("badpw"))
    expect(ev and "AUTHENTICATIONFAILED" in ev[-1]["dovecot"], f"log: {ev}")


@check("SELECT and EXAMINE before ID: `NO SELECT Unsafe Login...`; LIST works")
def _():
    r = session(user("noid"), with_id=False)
    for verb in ("SELECT", "EXAMINE"):
        untagged, tagged = r.cmd(f"{verb} INBOX")
        expect(untagged == [] and tagged.split(b" ", 1)[1] == b"NO SELECT " + UNSAFE + b"\r\n", f"{verb}: {tagged!r}")
    r.ok('LIST "" "*"')
    # ID NIL is answered, but is not the identification NetEase asks for.
    untagged, _ = r.ok("ID NIL")
    expect(untagged and untagged[0].startswith(b"* ID ("), untagged)
    _, tagged = r.cmd("SELECT INBOX")
    expect(b"Unsafe Login" in tagged, f"after ID NIL: {tagged!r}")
    r.close()
    expect(len(log_events(event="refuse_select", user=user("noid"))) == 3, "refusals not logged")


@check("UID SEARCH / UID FETCH before ID: `* BYE Unsafe Login...` and the connection closes")
def _():
    for command in ("UID SEARCH ALL", "UID FETCH 1:* (FLAGS)"):
        r = session(user("bye"), with_id=False)
        r.send(b"x " + command.encode() + b"\r\n")
        line = r.f.readline()
        expect(line == b"* BYE " + UNSAFE + b"\r\n", f"{command}: {line!r}")
        rest = r.f.read()  # EOF: the server closed
        expect(rest == b"", f"after BYE: {rest!r}")
        r.close()
    expect(len(log_events(event="bye_unsafe", user=user("bye"))) == 2, "not logged")


@check("ID: Coremail's answer, exact syntax enforced, client's ID line logged byte for byte")
def _():
    r = session(user("id"), with_id=False)
    _, tagged = r.cmd(ID_LINE + " ")
    expect(tagged == b"t2 BAD Request not ending with\r\n", f"trailing space: {tagged!r}")
    _, tagged = r.cmd('ID ( "name" "x" )')
    expect(tagged == b"t3 BAD Parse command error\r\n", f"aioimaplib style: {tagged!r}")
    untagged, tagged = r.ok(ID_LINE)
    r.close()
    expect(
        len(untagged) == 1
        and re.fullmatch(rb'\* ID \("name" "Coremail Imap" "vendor" "Coremail" "TransID" "[A-Za-z0-9]+"\)\r\n', untagged[0]),
        untagged,
    )
    expect(tagged == b"t4 OK ID completed\r\n", tagged)
    ev = log_events(event="id", user=user("id"))
    expect(len(ev) == 1, ev)
    expect(ev[0]["line"] == "t4 " + ID_LINE, ev[0]["line"])
    expect(base64.b64decode(ev[0]["line_b64"]) == ("t4 " + ID_LINE + "\r\n").encode(), ev[0]["line_b64"])
    expect(ev[0]["params"]["version"] == RUN and ev[0]["unlocks"] is True, ev[0])
    expect(len(log_events(event="id_bad", user=user("id"))) == 1, "id_bad not logged")


@check("SELECT/EXAMINE after ID: UIDVALIDITY but no UIDNEXT (nor HIGHESTMODSEQ)")
def _():
    r = session(user("sel"))
    r.ok("APPEND INBOX", b"Subject: x\r\n\r\nx\r\n")
    for verb in ("SELECT", "EXAMINE"):
        untagged, _ = r.ok(f"{verb} INBOX")
        blob = b"".join(untagged)
        expect(b"[UIDVALIDITY " in blob, f"{verb}: no UIDVALIDITY in {blob!r}")
        expect(b"UIDNEXT" not in blob and b"MODSEQ" not in blob, f"{verb}: {blob!r}")
        expect(b"* 1 EXISTS\r\n" in blob, blob)
    r.close()
    expect(log_events(event="uidnext_stripped", user=user("sel")), "not logged")


@check('STATUS answers `* STATUS "INBOX" ()` (UIDNEXT, MESSAGES and all)')
def _():
    r = session(user("status"))
    r.ok("APPEND INBOX", b"Subject: x\r\n\r\nx\r\n")
    for command in ("STATUS INBOX (UIDNEXT MESSAGES)", 'STATUS "INBOX" (UIDNEXT UIDVALIDITY UNSEEN)'):
        untagged, tagged = r.ok(command)
        expect(untagged == [b'* STATUS "INBOX" ()\r\n'], f"{command}: {untagged!r}")
    untagged, _ = r.ok(f"STATUS {JUNK} (MESSAGES)")
    r.close()
    expect(untagged == [f'* STATUS "{JUNK}" ()\r\n'.encode()], untagged)


def parse_list(untagged, verb="LIST"):
    out = {}
    for u in untagged:
        m = re.fullmatch(rb"\* " + verb.encode() + rb' \(([^)]*)\) "(.)" "?([^"\r]*)"?\r\n', u)
        expect(m, f"unexpected {u!r}")
        expect(m.group(2) == b"/", f"delimiter {m.group(2)!r}")
        out[m.group(3).decode()] = set(m.group(1).decode().split())
    return out


@check("LIST and XLIST: Coremail's folders with SPECIAL-USE flags, delimiter /")
def _():
    r = session(user("list"), with_id=False)  # LIST works without ID
    lists = {verb: parse_list(r.ok(f'{verb} "" "*"')[0], verb) for verb in ("LIST", "XLIST")}
    r.close()
    for verb, got in lists.items():
        expect(set(got) == set(FOLDERS), f"{verb}: {sorted(got)}")
        for name, flag in FOLDERS.items():
            special = got[name] & SPECIAL
            expect(special == ({flag} if flag else set()), f"{verb} {name}: {got[name]}")
    # The flags come from Dovecot itself (mailenv.sh's dovecot.conf).
    d = imaplib.IMAP4(HOST, DOVECOT_PORT, timeout=10)
    d.login(user("list"), PASSWORD)
    _, data = d.list('""', JUNK)
    d.logout()
    expect(data and b"\\Junk" in data[0], f"Dovecot LIST {data!r}")


@check("IDLE and MOVE get BAD")
def _():
    r = session(user("idle"))
    r.ok("SELECT INBOX")
    for command in ("IDLE", f"MOVE 1 {JUNK}", f"UID MOVE 1 {JUNK}"):
        _, tagged = r.cmd(command)
        expect(tagged.split(b" ")[1] == b"BAD", f"{command}: {tagged!r}")
    r.ok("NOOP")  # the session goes on
    r.close()


# Lines that look like IMAP syntax: literal markers, tagged replies, responses
# the front filters. Inside a literal they must pass untouched.
IMAP_LOOKALIKES = [
    b"a line ending like a literal {12}",
    b"another {3+}",
    b"t9 OK fake tagged reply",
    b"* BYE fake",
    b"* OK [UIDNEXT 99] fake, and the front must not strip it",
    b"* CAPABILITY IMAP4rev1 IDLE",
    b"* 7 FETCH (UID 7 BODY[] {40}",
    b")",
]
NO_CRLF = bytes.maketrans(b"\0\r\n", b"\x80\xff ")


def eight_bit_message(size):
    """A CRLF message whose lines hold every byte value except NUL, CR, LF,
    and lines that look like IMAP syntax (IMAP_LOOKALIKES: at the top, then
    every 500 lines, so that in a big message some fall across the chunks a
    relay reads and writes)."""
    rnd = random.Random(RUN)
    lines = [
        b"From: =?GBK?B?xOO6ww==?= <sender@126.com>",
        b"To: dept@163.com",
        b"Subject: \xc4\xe3\xba\xc3 " + RUN.encode(),
        b"Content-Type: text/plain; charset=GBK",
        b"Content-Transfer-Encoding: 8bit",
        b"",
        bytes(range(128, 256)),
        *IMAP_LOOKALIKES,
        b"",
    ]
    body = b"\r\n".join(lines) + b"\r\n"
    if len(body) < size:
        count = -(-(size - len(body)) // 77)  # 75 bytes + CRLF a line
        noise = rnd.randbytes(75 * count).translate(NO_CRLF)
        out = [body]
        for i in range(count):
            out.append(noise[75 * i:75 * i + 75] + b"\r\n")
            if i % 500 == 499:
                out.append(IMAP_LOOKALIKES[i // 500 % len(IMAP_LOOKALIKES)] + b"\r\n")
        body = b"".join(out)
    return body


def fetch_direct(who, folder, uid):
    d = imaplib.IMAP4(HOST, DOVECOT_PORT, timeout=20)
    d.login(who, PASSWORD)
    typ, _ = d.select(folder, readonly=True)
    expect(typ == "OK", f"select {folder}")
    typ, data = d.uid("FETCH", uid, "(BODY.PEEK[])")
    d.logout()
    expect(typ == "OK" and data and isinstance(data[0], tuple), f"fetch {data!r}")
    return data[0][1]


@check("APPEND {n} of 8-bit bytes through the front (imaplib): identical in Dovecot and fetched back through the front")
def _():
    who = user("append")
    msg = eight_bit_message(300_000)
    m = imaplib.IMAP4(HOST, PORT, timeout=20)
    m.login(who, PASSWORD)
    imaplib.Commands.setdefault("ID", ("NONAUTH", "AUTH", "SELECTED"))
    typ, _ = m._simple_command("ID", '("name" "coremail-selftest")')
    expect(typ == "OK", "ID")
    typ, data = m.append("INBOX", None, None, msg)
    expect(typ == "OK" and b"APPENDUID" in data[0], f"append {typ} {data!r}")
    uid = re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1).decode()
    typ, _ = m.select("INBOX", readonly=True)
    expect(typ == "OK", "select")
    typ, data = m.uid("FETCH", uid, "(BODY.PEEK[] RFC822.SIZE)")
    m.logout()
    expect(data[0][1] == msg, "fetched through the front: differs")
    expect(f"RFC822.SIZE {len(msg)}".encode() in data[0][0], data[0][0])
    expect(fetch_direct(who, "INBOX", uid) == msg, "stored in Dovecot: differs")
    return f"{len(msg)} bytes"


@check("APPEND {n+} (LITERAL+) into 垃圾邮件 through the front; LOGIN with literals")
def _():
    who = user("literal")
    msg = eight_bit_message(70_000)
    r = Raw()
    untagged, tagged = r.cmd(b"LOGIN", who.encode(), PASSWORD.encode())  # {n} literals
    expect(tagged == b"t1 OK LOGIN completed\r\n", tagged)
    r.ok(ID_LINE)
    _, tagged = r.ok(f'APPEND "{JUNK}" (\\Seen)'.encode(), msg, sync=False)
    uid = re.search(rb"APPENDUID \d+ (\d+)", tagged).group(1).decode()
    r.close()
    expect(fetch_direct(who, JUNK, uid) == msg, "stored in Dovecot: differs")
    r = Raw()
    _, tagged = r.cmd(b"LOGIN", who.encode(), PASSWORD.encode(), sync=False)  # {n+}
    expect(tagged == b"t1 OK LOGIN completed\r\n", tagged)
    r.close()


@check("mail APPENDed to 垃圾邮件 in Dovecot directly is read through the front")
def _():
    who = user("junk")
    msg = eight_bit_message(5000)
    d = imaplib.IMAP4(HOST, DOVECOT_PORT, timeout=10)
    d.login(who, PASSWORD)
    typ, data = d.append(JUNK, None, None, msg)
    d.logout()
    expect(typ == "OK", f"{typ} {data!r}")
    r = session(who)
    untagged, _ = r.ok(f'SELECT "{JUNK}"')
    expect(b"* 1 EXISTS\r\n" in untagged, untagged)
    untagged, _ = r.ok("UID FETCH 1:* (BODY.PEEK[])")
    r.close()
    expect(len(untagged) == 1 and msg in untagged[0], "fetched message differs")


def append_direct(who, *messages, folder="INBOX"):
    """APPEND straight to Dovecot; returns the UIDs."""
    d = imaplib.IMAP4(HOST, DOVECOT_PORT, timeout=30)
    d.login(who, PASSWORD)
    uids = []
    for msg in messages:
        typ, data = d.append(folder, None, None, msg)
        expect(typ == "OK", f"append {typ} {data!r}")
        uids.append(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1).decode())
    d.logout()
    return uids


def dovecot_answer(who, command, folder="INBOX"):
    """The untagged responses Dovecot itself gives to command (EXAMINE first)."""
    d = Raw(DOVECOT_PORT)
    d.ok(f'LOGIN "{who}" "{PASSWORD}"')
    d.ok(f"EXAMINE {folder}")
    untagged, _ = d.ok(command)
    d.close()
    return untagged


@check("UID FETCH of a 6 MB 8-bit message, plain and TLS: byte for byte Dovecot's own answer")
def _():
    who = user("bigfetch")
    msg = eight_bit_message(6_000_000)
    (uid,) = append_direct(who, msg)
    command = f"UID FETCH {uid} (UID RFC822.SIZE BODY.PEEK[])"
    want = dovecot_answer(who, command)
    expect(len(want) == 1 and msg in want[0], "Dovecot's own answer is not the message")
    for port, tls in ((PORT, False), (TLS_PORT, True)):
        r = Raw(port, tls=tls, host="localhost" if tls else HOST)
        r.ok(f'LOGIN "{who}" "{PASSWORD}"')
        r.ok(ID_LINE)
        r.ok("EXAMINE INBOX")
        untagged, _ = r.ok(command)
        r.ok("NOOP")  # the session goes on after the big literal
        r.close()
        expect(untagged == want, f"port {port}: {len(untagged)} responses, {sum(map(len, untagged))} bytes "
                                 f"(Dovecot: {len(want)}, {sum(map(len, want))})")
    return f"{len(msg)} bytes"


@check("pipelined UID FETCH batch, 3 literals per response: Dovecot's answer byte for byte; UIDNEXT stripped after it")
def _():
    who = user("batch")
    sizes = (700, 300_000, 2_000, 3_100_000, 45_000, 1_048_576)
    msgs = [eight_bit_message(n) for n in sizes]
    append_direct(who, *msgs)
    command = "UID FETCH 1:* (UID BODY.PEEK[HEADER] BODY.PEEK[TEXT] BODY.PEEK[])"
    want = dovecot_answer(who, command)
    expect(len(want) == len(msgs) and all(m in u for m, u in zip(msgs, want)), "Dovecot's own answer")
    r = session(who)
    r.ok("EXAMINE INBOX")
    # Two commands in one write: the second waits for the first's answer.
    r.send(f"p1 {command}\r\np2 EXAMINE INBOX\r\n".encode())
    units = []
    while True:
        u = r.unit()
        expect(u, f"connection closed after {len(units)} responses")
        units.append(u)
        if u.startswith(b"p2 "):
            break
    r.close()
    i = next(i for i, u in enumerate(units) if u.startswith(b"p1 "))
    expect(units[i].startswith(b"p1 OK "), units[i])
    expect(units[:i] == want, f"{i} responses, {sum(map(len, units[:i]))} bytes "
                              f"(Dovecot: {len(want)}, {sum(map(len, want))})")
    after = b"".join(units[i + 1:])
    expect(units[-1].startswith(b"p2 OK "), units[-1])
    expect(f"* {len(msgs)} EXISTS\r\n".encode() in after and b"UIDNEXT" not in after, after)
    expect(len(log_events(event="uidnext_stripped", user=who)) == 2, "uidnext_stripped not logged twice")
    return f"{len(msgs)} messages, {sum(map(len, want))} bytes"


@check("Dovecot's unsolicited BYE (doveadm kick) reaches a client between commands; then the front closes")
def _():
    expect(DOVECOT_CONF, "MAILENV_DOVECOT_CONF is not set (mailenv.sh env prints it)")
    who = user("kick")
    r = session(who)
    r.ok("EXAMINE INBOX")
    p = subprocess.run(["doveadm", "-c", DOVECOT_CONF, "kick", who], capture_output=True, text=True, timeout=20)
    expect(p.returncode == 0, f"doveadm kick: {p.returncode} {p.stderr.strip()}")
    r.sock.settimeout(10)
    line = r.f.readline()
    expect(line.startswith(b"* BYE "), line)
    expect(r.f.read() == b"", "not closed after the BYE")
    r.close()
    deadline = time.monotonic() + 5
    while not (ev := log_events(event="backend_closed", user=who)) and time.monotonic() < deadline:
        time.sleep(0.05)
    expect(ev and ev[0]["bye_relayed"] is True, ev)
    return line.decode().strip()


@check("AUTHENTICATE XOAUTH2 (the token is the password); a wrong token is refused")
def _():
    who = user("xoauth")
    for token, want in ((PASSWORD, b"OK"), ("wrong", b"NO")):
        blob = base64.b64encode(f"user={who}\x01auth=Bearer {token}\x01\x01".encode()).decode()
        r = Raw()
        _, tagged = r.cmd(f"AUTHENTICATE XOAUTH2 {blob}")
        r.close()
        expect(tagged.split(b" ")[1] == want, f"token {token}: {tagged!r}")


@check("connection cap: 2 logins per user (any case); the third gets NO LOGIN, a freed slot is reusable")
def _():
    who = user("cap")
    a, b = session(who, with_id=False), session(who.upper(), with_id=False)
    c = Raw()
    _, tagged = c.login(who)
    expect(tagged == b"t1 NO LOGIN Too many connections, please try again later\r\n", tagged)
    a.ok("LOGOUT")
    a.close()
    deadline = time.monotonic() + 5
    while True:  # the front frees the slot once it has seen the LOGOUT through
        _, tagged = c.login(who)
        if tagged.split(b" ")[1] == b"OK" or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    expect(tagged.endswith(b" OK LOGIN completed\r\n"), f"after a logout: {tagged!r}")
    b.close()
    c.close()
    ev = log_events(event="login_refused", login=who)
    expect(ev and ev[0]["reason"] == "connection_limit", ev)
    return ev[0]["login"]


class SecondFront:
    """A front of our own on a free port (plain only), for the checks that
    need its settings or its process: `with SecondFront(**env) as (proc, port, log):`."""

    def __init__(self, **env):
        self.env = dict(os.environ, **env)

    def __enter__(self):
        self.tmp = tempfile.TemporaryDirectory()
        log = os.path.join(self.tmp.name, "coremail.log")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "coremail-imap.py"), "--plain-port", "0",
             "--backend-port", str(DOVECOT_PORT), "--log", log],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port = None
        deadline = time.monotonic() + 10
        while port is None and time.monotonic() < deadline:
            if os.path.exists(log):
                with open(log, encoding="utf-8") as f:
                    for line in f:
                        rec = json.loads(line)
                        if rec["event"] == "listen":
                            port = rec["plain_port"]
            time.sleep(0.05)
        if port is None:
            self.__exit__()
            raise AssertionError("second front did not start")
        return self.proc, port, log

    def __exit__(self, *exc):
        self.proc.terminate()
        self.proc.wait(10)
        self.tmp.cleanup()


def rss_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


@check("the front streams: a 24 MB message through a second front grows its peak memory by a few MB at most")
def _():
    who = user("memory")
    msg = eight_bit_message(24_000_000)
    (uid,) = append_direct(who, msg)
    size = len(msg)
    del msg
    with SecondFront() as (proc, port, _log):
        r = Raw(port)
        r.ok(f'LOGIN "{who}" "{PASSWORD}"')
        r.ok(ID_LINE)
        r.ok("EXAMINE INBOX")
        before = rss_kb(proc.pid, "VmHWM")
        # Read nothing for a moment: the front has to hold Dovecot back (a
        # client slower than Dovecot) rather than take in the message.
        r.send(f"f UID FETCH {uid} (BODY.PEEK[])\r\n".encode())
        time.sleep(0.5)
        untagged, tagged = r.unit(), r.unit()
        r.close()
        grew = (rss_kb(proc.pid, "VmHWM") - before) / 1024
    expect(tagged.startswith(b"f OK "), tagged)
    expect(untagged.startswith(b"* 1 FETCH ") and len(untagged) > size, untagged[:100])
    # Holding the message whole (as the front once did) costs 24 MB and more.
    expect(grew < 8, f"peak RSS grew by {grew:.1f} MB")
    return f"peak RSS +{grew:.1f} MB"


@check("idle timeout (second front, COREMAIL_IDLE_TIMEOUT_SECS=1): activity keeps, silence gets * BYE and close")
def _():
    with SecondFront(COREMAIL_IDLE_TIMEOUT_SECS="1") as (_proc, port, log):
        r = Raw(port)
        r.ok(f'LOGIN "{user("idle")}" "{PASSWORD}"')
        for _ in range(4):  # 2 s of activity, never 1 s silent
            time.sleep(0.5)
            r.ok("NOOP")
        t0 = time.monotonic()
        r.sock.settimeout(10)
        line = r.f.readline()
        waited = time.monotonic() - t0
        expect(line == b"* BYE Autologout; idle for too long\r\n", line)
        expect(r.f.read() == b"", "not closed after BYE")
        expect(0.8 < waited < 3, f"dropped after {waited:.2f}s")
        r.close()
        time.sleep(0.2)
        with open(log, encoding="utf-8") as f:
            events = [json.loads(x)["event"] for x in f]
        expect("idle_timeout" in events, events)
        return f"BYE after {waited:.2f}s silent"


@check("the log is JSON lines with connect/login/id/refusal/rewrite/drop events")
def _():
    with open(LOG, encoding="utf-8") as f:
        recs = [json.loads(line) for line in f]
    mine = [r for r in recs if RUN in str(r.get("user", "")) + str(r.get("login", ""))]
    conns = {r["conn"] for r in mine}
    events = {r["event"] for r in recs if r.get("conn") in conns}
    want = {"connect", "login_ok", "login_fail", "login_refused", "id", "id_bad", "refuse_select",
            "bye_unsafe", "uidnext_stripped", "status_emptied", "capability_rewrite", "unsupported",
            "xlist", "disconnect"}
    expect(want <= events, f"missing {sorted(want - events)}")
    expect(all("ts" in r and "event" in r for r in recs), "records without ts/event")
    return f"{len(mine)} records of this run"


failed = results.count(False)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
