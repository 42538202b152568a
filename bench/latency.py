#!/usr/bin/env python3
"""Benchmark (issue 4): from APPEND of a submission into a department
mailbox to its receipt being visible in the unit's mailbox (i.e. delivered
by Postfix), with mailroom running as a daemon with IDLE. Baseline in the
same run: Postfix alone, from an SMTP submission to the message being
visible in the same kind of mailbox (the floor mailroom's receipt cannot
beat). Sequential, one message at a time, so it measures latency, not
throughput.

With VIA=coremail mailroom reads the mailbox through the Coremail emulator
(what 126.com/163.com are: no IDLE), with its default poll interval; each
submission then arrives at a random moment of the poll cycle (a uniform
pause before it), as units' mail does, instead of right after a poll.

Usage: [VIA=coremail] latency.py BIN WORKDIR [N]  (MAILENV_* variables from `mailenv.sh env`)
"""
import base64
import imaplib
import os
import random
import smtplib
import statistics
import subprocess
import sys
import time
import uuid

BIN, WORK = sys.argv[1], sys.argv[2]
N = int(sys.argv[3]) if len(sys.argv) > 3 else 50
HOST = os.environ["MAILENV_HOST"]
VIA = os.environ.get("VIA", "dovecot")
IMAP_PORT = int(os.environ["MAILENV_IMAP_PORT"])
# mailroom's side; the test's own APPENDs and checks go to Dovecot directly.
WATCH_PORT = int(os.environ["MAILENV_COREMAIL_IMAP_PORT"]) if VIA == "coremail" else IMAP_PORT
POLL = 15  # mailroom's default poll_interval_secs
random.seed(20180126)
SMTP_PORT = int(os.environ["MAILENV_SMTP_PORT"])
PASSWORD = os.environ["MAILENV_PASSWORD"]
TAG = "lat%d" % os.getpid()
ORG = f"{TAG}-org@mailroom.test"
UNIT = f"{TAG}-unit@example.test"
PROBE = f"{TAG}-probe@example.test"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

os.makedirs(WORK, exist_ok=True)
with open(os.path.join(WORK, "latency.toml"), "w") as f:
    f.write(f'''campaign = "{REPO}/config/campaign-2017.toml"
units = "{REPO}/config/units.toml"
data_dir = "{WORK}/latency-data"
[receipts]
max_per_hour = 1000
max_per_day = 1000
# Latency, not pacing: one unit's fifty receipts would otherwise wait for
# the account's budget (15 in any 15 minutes by default).
[outbox]
per_15min = 100000
per_day = 100000
[[mailbox]]
department = "org"
[mailbox.imap]
host = "{HOST}"
port = {WATCH_PORT}
tls = "plain"
username = "{ORG}"
password_env = "MAILENV_PASSWORD"
idle = true
[mailbox.smtp]
host = "{HOST}"
port = {SMTP_PORT}
tls = "plain"
auth = false
''')


def submission(n: int) -> bytes:
    subj = base64.b64encode(f"石碣镇团委智慧团建工作材料（第{n}份）".encode()).decode()
    mid = f"<lat-{n}-{uuid.uuid4().hex}@example.test>"
    return mid, (
        f"From: {UNIT}\r\nTo: {ORG}\r\nSubject: =?UTF-8?B?{subj}?=\r\nMessage-ID: {mid}\r\n"
        "Date: Mon, 22 Jan 2018 10:00:00 +0800\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n'
        "附件是材料，请查收。\r\n--b\r\nContent-Type: application/pdf; name=\"zhtj.pdf\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQKJSVFT0YK\r\n--b--\r\n"
    ).encode()


def login(user):
    s = imaplib.IMAP4(HOST, IMAP_PORT)
    s.login(user, PASSWORD)
    s.select("INBOX")
    return s


def wait_for(s, header, value, deadline):
    while time.monotonic() < deadline:
        s.noop()
        typ, data = s.search(None, "HEADER", header, value)
        if typ == "OK" and data[0].split():
            return time.monotonic()
        time.sleep(0.005)
    return None


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


log = open(os.path.join(WORK, "latency-daemon.log"), "w")
env = dict(os.environ, RUST_LOG="info")
daemon = subprocess.Popen([BIN, "--config", os.path.join(WORK, "latency.toml"), "run"], stderr=log, env=env)
try:
    appender = imaplib.IMAP4(HOST, IMAP_PORT)
    appender.login(ORG, PASSWORD)
    # Wait for the daemon to connect and sit in IDLE.
    for _ in range(200):
        if "connected" in open(log.name).read():
            break
        time.sleep(0.05)
    time.sleep(0.5)
    # Make sure the unit mailbox exists before watching it.
    smtp = smtplib.SMTP(HOST, SMTP_PORT)
    smtp.sendmail(PROBE, [UNIT], b"Subject: warm-up\r\n\r\nx\r\n")
    smtp.sendmail(PROBE, [PROBE], b"Subject: warm-up\r\n\r\nx\r\n")
    time.sleep(1.0)
    watch_unit = login(UNIT)
    watch_probe = login(PROBE)
    mailroom, postfix = [], []
    for n in range(N):
        if VIA == "coremail":
            time.sleep(random.uniform(0, POLL))
        mid, raw = submission(n)
        t0 = time.monotonic()
        appender.append("INBOX", None, imaplib.Time2Internaldate(time.time()), raw)
        t1 = wait_for(watch_unit, "In-Reply-To", mid, t0 + 30)
        if t1 is None:
            print(f"receipt {n} did not arrive within 30 s", file=sys.stderr)
            sys.exit(1)
        mailroom.append(t1 - t0)
        # Baseline: the same path without mailroom (SMTP in, LMTP to Dovecot).
        pmid = f"<probe-{n}-{uuid.uuid4().hex}@example.test>"
        t0 = time.monotonic()
        smtp.sendmail(PROBE, [PROBE], f"Message-ID: {pmid}\r\nSubject: probe\r\n\r\nx\r\n".encode())
        t1 = wait_for(watch_probe, "Message-ID", pmid, t0 + 30)
        postfix.append(t1 - t0)
        time.sleep(0.2)
    smtp.quit()
finally:
    daemon.terminate()
    daemon.wait(timeout=30)
print(f"| path | n | median (s) | p95 (s) | max (s) |")
print(f"|---|---|---|---|---|")
for name, xs in ((f"APPEND → mailroom ({'Coremail front, polling every %d s' % POLL if VIA == 'coremail' else 'Dovecot, IDLE'}) → receipt delivered by Postfix", mailroom), ("baseline: SMTP → Postfix → delivered (no mailroom)", postfix)):
    print(f"| {name} | {len(xs)} | {statistics.median(xs):.3f} | {pct(xs, 95):.3f} | {max(xs):.3f} |")
