#!/usr/bin/env python3
"""Self-check of a running mailenv instance (deploy/local/mailenv.sh).

Usage:
    eval "$(deploy/local/mailenv.sh env)"
    python3 deploy/local/mailenv-selftest.py

Reads MAILENV_HOST, MAILENV_IMAP_PORT, MAILENV_IMAPS_PORT, MAILENV_SMTP_PORT,
MAILENV_PASSWORD and MAILENV_CA_FILE, checks the properties mailroom relies
on, prints one line per check and a closing "N passed, N failed" line, and
exits non-zero if any check failed. Every run uses fresh user names and
unique tokens, so it can be repeated against the same instance. Set
MAILENV_SELFTEST_NO_SMTP=1 for a --dovecot-only instance. With
MAILENV_NETEASE_SMTP_PORT set (mailenv.sh env prints it), it also runs
netease-smtp-selftest.py (the NetEase SMTP emulator) as one check.
"""

import email
import imaplib
import os
import re
import smtplib
import socket
import ssl
import sys
import time
import uuid
from datetime import datetime

HOST = os.environ.get("MAILENV_HOST", "127.0.0.1")
IMAP_PORT = int(os.environ["MAILENV_IMAP_PORT"])
IMAPS_PORT = int(os.environ["MAILENV_IMAPS_PORT"])
SMTP_PORT = int(os.environ.get("MAILENV_SMTP_PORT", "0"))
PASSWORD = os.environ["MAILENV_PASSWORD"]
CA_FILE = os.environ["MAILENV_CA_FILE"]
NO_SMTP = os.environ.get("MAILENV_SELFTEST_NO_SMTP") == "1"
DELIVERY_TIMEOUT = float(os.environ.get("MAILENV_SELFTEST_TIMEOUT", "15"))

RUN = uuid.uuid4().hex[:8]
results = []


def check(name):
    """Decorator: run the check, record pass/fail, never abort the run."""

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


def imap(user, password=PASSWORD):
    m = imaplib.IMAP4(HOST, IMAP_PORT, timeout=10)
    m.login(user, password)
    return m


def ok(typ_data, what):
    typ, data = typ_data
    if typ != "OK":
        raise AssertionError(f"{what}: {typ} {data!r}")
    return data


def wait_for_message(user, predicate, timeout=DELIVERY_TIMEOUT):
    """Poll INBOX of user until a message whose raw bytes satisfy predicate."""
    deadline = time.monotonic() + timeout
    while True:
        m = imap(user)
        try:
            ok(m.select("INBOX", readonly=True), "select")
            uids = ok(m.uid("SEARCH", None, "ALL"), "search")[0].split()
            for uid in uids:
                data = ok(m.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch")
                raw = data[0][1]
                if predicate(raw):
                    return raw
        finally:
            m.logout()
        if time.monotonic() > deadline:
            raise AssertionError(f"no matching message for {user} within {timeout:.0f}s")
        time.sleep(0.3)


def tls_context():
    ctx = ssl.create_default_context(cafile=CA_FILE)
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


USER = f"selftest-{RUN}@example.test"


@check("login with the password as an arbitrary user")
def _():
    imap(f"t{RUN}-org").logout()
    imap(USER).logout()


@check("login with a wrong password is refused")
def _():
    t0 = time.monotonic()
    try:
        imap(USER, PASSWORD + "-wrong")
    except imaplib.IMAP4.error as e:
        if "AUTHENTICATIONFAILED" not in str(e) and "Authentication failed" not in str(e):
            raise AssertionError(f"unexpected error text: {e}")
        return f"{e}; took {time.monotonic() - t0:.2f}s"
    raise AssertionError("login with wrong password succeeded")


@check("IDLE and UIDPLUS capabilities")
def _():
    m = imap(USER)
    caps = ok(m.capability(), "capability")[0].decode().split()
    m.logout()
    for c in ("IDLE", "UIDPLUS"):
        if c not in caps:
            raise AssertionError(f"{c} missing from {caps}")


MSG = (
    b"From: Selftest <selftest@example.test>\r\n"
    b"To: " + USER.encode() + b"\r\n"
    b"Subject: append " + RUN.encode() + b"\r\n"
    b"Message-ID: <" + RUN.encode() + b".append@example.test>\r\n"
    b"\r\n"
    b"hello\r\n"
)


@check("APPEND with INTERNALDATE; INTERNALDATE read back")
def _():
    m = imap(USER)
    when = "01-Feb-2021 10:20:30 +0800"
    data = ok(m.append("INBOX", None, f'"{when}"', MSG), "append")
    if b"APPENDUID" not in data[0]:
        raise AssertionError(f"no APPENDUID in {data!r}")
    uid = re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)
    ok(m.select("INBOX"), "select")
    got = ok(m.uid("FETCH", uid, "(INTERNALDATE)"), "fetch")[0]
    m.logout()
    # Dovecot keeps the instant but not the zone (maildir stores it as the
    # file's mtime), so compare instants, not strings.
    fmt = "%d-%b-%Y %H:%M:%S %z"
    back = re.search(rb'INTERNALDATE "([^"]+)"', got).group(1).decode()
    if datetime.strptime(back, fmt) != datetime.strptime(when, fmt):
        raise AssertionError(f"sent {when}, got {back}")
    return f"sent {when}, got {back}"


@check("BODY.PEEK[] does not set \\Seen; $Stored keyword sticks; PERMANENTFLAGS has \\*")
def _():
    m = imap(USER)
    data = ok(m.append("INBOX", None, None, MSG), "append")
    uid = re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)
    ok(m.select("INBOX"), "select")
    perm = m.untagged_responses.get("PERMANENTFLAGS", [b""])[0]
    if b"\\*" not in perm:
        raise AssertionError(f"PERMANENTFLAGS {perm!r} lacks \\*")
    ok(m.uid("FETCH", uid, "(BODY.PEEK[])"), "fetch body")
    flags = ok(m.uid("FETCH", uid, "(FLAGS)"), "fetch flags")[0]
    if b"\\Seen" in flags:
        raise AssertionError(f"\\Seen set by BODY.PEEK[]: {flags!r}")
    ok(m.uid("STORE", uid, "+FLAGS", "($Stored)"), "store")
    m.logout()
    # A new session must see the keyword (it was stored, not just session state).
    m = imap(USER)
    ok(m.select("INBOX", readonly=True), "select")
    flags = ok(m.uid("FETCH", uid, "(FLAGS)"), "fetch flags")[0]
    m.logout()
    if b"$Stored" not in flags:
        raise AssertionError(f"$Stored not kept: {flags!r}")
    return perm.decode()


@check("IDLE reports a new message")
def _():
    m = imap(USER)
    ok(m.select("INBOX"), "select")
    tag = m._new_tag()
    m.send(tag + b" IDLE\r\n")
    line = m.readline()
    if not line.startswith(b"+"):
        raise AssertionError(f"IDLE not accepted: {line!r}")
    other = imap(USER)
    ok(other.append("INBOX", None, None, MSG), "append")
    other.logout()
    m.sock.settimeout(10)
    line = m.readline()
    while b"EXISTS" not in line:
        if not line:
            raise AssertionError("connection closed during IDLE")
        line = m.readline()
    m.send(b"DONE\r\n")
    while not line.startswith(tag):
        line = m.readline()
    if b"OK" not in line:
        raise AssertionError(f"IDLE ended with {line!r}")
    m.logout()


@check("IMAPS (implicit TLS) verifies with MAILENV_CA_FILE for host localhost")
def _():
    m = imaplib.IMAP4_SSL("localhost", IMAPS_PORT, ssl_context=tls_context(), timeout=10)
    m.login(USER, PASSWORD)
    version = m.sock.version()
    m.logout()
    return version


@check("STARTTLS on the plain port verifies with MAILENV_CA_FILE (IP 127.0.0.1)")
def _():
    m = imaplib.IMAP4(HOST, IMAP_PORT, timeout=10)
    ok(m.starttls(ssl_context=tls_context()), "starttls")
    m.login(USER, PASSWORD)
    version = m.sock.version()
    m.logout()
    return version


@check("untrusted certificate is rejected without the CA file")
def _():
    ctx = ssl.create_default_context()  # system CAs only
    try:
        imaplib.IMAP4_SSL("localhost", IMAPS_PORT, ssl_context=ctx, timeout=10).logout()
    except ssl.SSLCertVerificationError:
        return None
    raise AssertionError("certificate was accepted without MAILENV_CA_FILE")


@check("byte-exact round trip of an 8-bit (raw GBK header) CRLF message")
def _():
    raw = (
        b"From: =?GBK?B?xOO6ww==?= <sender@126.com>\r\n"
        b"To: dept@example.test\r\n"
        b"Subject: \xc4\xe3\xba\xc3 \xca\xc0\xbd\xe7 " + RUN.encode() + b"\r\n"  # raw GBK
        b"X-Raw: \xb2\xe2\xca\xd4\t tab and  spaces \r\n"
        b"Content-Type: text/plain; charset=GBK\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n"
        b"\r\n"
        b"\xd5\xfd\xce\xc4 body line\r\n"
        b"\r\n"
        b"last line without trailing spaces\r\n"
    )
    m = imap(USER)
    data = ok(m.append("INBOX", None, None, raw), "append")
    uid = re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)
    ok(m.select("INBOX", readonly=True), "select")
    got = ok(m.uid("FETCH", uid, "(BODY.PEEK[] RFC822.SIZE)"), "fetch")
    m.logout()
    body = got[0][1]
    if body != raw:
        raise AssertionError(f"differs:\n sent {raw!r}\n got  {body!r}")
    size = int(re.search(rb"RFC822\.SIZE (\d+)", got[0][0]).group(1))
    if size != len(raw):
        raise AssertionError(f"RFC822.SIZE {size} != {len(raw)}")
    return f"{len(raw)} bytes"


def smtp_send(env_from, rcpt, msg):
    with smtplib.SMTP(HOST, SMTP_PORT, timeout=10) as s:
        s.ehlo("selftest.localhost")
        refused = s.sendmail(env_from, [rcpt], msg)
        if refused:
            raise AssertionError(f"refused: {refused}")


if not NO_SMTP:

    @check("SMTP to someone@163.com lands in that user's INBOX (8-bit body intact)")
    def _():
        token = f"smtp-{RUN}"
        body8 = b"\xd5\xfd\xce\xc4 8bit " + token.encode()
        msg = (
            b"From: sender@126.com\r\nTo: someone@163.com\r\n"
            b"Subject: " + token.encode() + b"\r\n"
            b"Content-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: 8bit\r\n"
            b"\r\n" + body8 + b"\r\n"
        )
        t0 = time.monotonic()
        smtp_send("sender@126.com", "someone@163.com", msg)
        raw = wait_for_message("someone@163.com", lambda r: token.encode() in r)
        if body8 not in raw:
            raise AssertionError(f"8-bit body altered: {raw!r}")
        return f"delivered in {time.monotonic() - t0:.2f}s"

    def expect_bounce(rcpt):
        token = f"bounce-{RUN}-{uuid.uuid4().hex[:6]}"
        msg = (
            f"From: tswzzb3@126.com\r\nTo: {rcpt}\r\nSubject: {token}\r\n"
            f"Message-ID: <{token}@126.com>\r\n\r\nreceipt\r\n"
        ).encode()
        t0 = time.monotonic()
        smtp_send("tswzzb3@126.com", rcpt, msg)  # must be accepted (250)

        def is_dsn(raw):
            if token.encode() not in raw:
                return False
            m = email.message_from_bytes(raw)
            return (
                m.get_content_type() == "multipart/report"
                and m.get_param("report-type") == "delivery-status"
            )

        raw = wait_for_message("tswzzb3@126.com", is_dsn)
        m = email.message_from_bytes(raw)
        status = [p for p in m.walk() if p.get_content_type() == "message/delivery-status"]
        if not status:
            raise AssertionError("no message/delivery-status part")
        text = status[0].as_string()
        if "Action: failed" not in text or rcpt not in text:
            raise AssertionError(f"unexpected delivery-status: {text!r}")
        return f"DSN in {time.monotonic() - t0:.2f}s"

    @check("SMTP to nosuch-user@example.test is accepted, then a DSN reaches the sender")
    def _():
        return expect_bounce("nosuch-user@example.test")

    @check("SMTP to someone@nowhere.invalid bounces with a DSN too")
    def _():
        return expect_bounce("someone@nowhere.invalid")

# The NetEase SMTP emulator that mailenv.sh runs next to Postfix: its own
# self-test (every rule, the relay into Dovecot, the hold hook) as one check.
if not NO_SMTP and os.environ.get("MAILENV_NETEASE_SMTP_PORT"):

    @check("NetEase SMTP emulator (netease-smtp-selftest.py)")
    def _():
        import subprocess

        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netease-smtp-selftest.py")
        p = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=300)
        lines = p.stdout.splitlines()
        for line in lines[:-1]:
            print(f"  netease: {line}", flush=True)
        summary = lines[-1] if lines else "no output"
        if p.returncode != 0:
            raise AssertionError(f"{summary}; exit {p.returncode}; {p.stderr.strip()[-2000:]}")
        return summary


# The Coremail IMAP front that mailenv.sh runs next to Dovecot: its own
# self-test (every NetEase behaviour, byte-exact literals both ways) as one check.
if os.environ.get("MAILENV_COREMAIL_IMAP_PORT"):

    @check("Coremail IMAP front (coremail-selftest.py)")
    def _():
        import subprocess

        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "coremail-selftest.py")
        p = subprocess.run([sys.executable, script], capture_output=True, text=True, timeout=300)
        lines = p.stdout.splitlines()
        for line in lines[:-1]:
            print(f"  coremail: {line}", flush=True)
        summary = lines[-1] if lines else "no output"
        if p.returncode != 0:
            raise AssertionError(f"{summary}; exit {p.returncode}; {p.stderr.strip()[-2000:]}")
        return summary


failed = results.count(False)
print(f"{len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
