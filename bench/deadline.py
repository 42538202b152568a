#!/usr/bin/env python3
"""Deadline-day and outage simulations of mailroom's outbox (issue 12).

Usage: deadline.py BIN LABEL SCENARIO   (SCENARIO: deadline | outage)
Needs a full mail environment (Dovecot, Postfix, the NetEase SMTP emulator)
whose `mailenv.sh env` variables are in the environment. Prints one JSON
line of figures. Both clocks (mailroom's --now and the emulator's account
clock) are moved together; the wall clock only measures how long the
simulation took. LABEL "baseline" writes a configuration without the keys
the older code does not know (it refuses unknown keys).

deadline: 150 submissions from 42 senders reach 组织部 between 06:00 and
  08:00 on the deadline day; the account may send 10 mails in 15 minutes
  and 50 a day (the emulator enforces that; the current code also has it
  as its own budget). `run --once` at 08:00:30 and then each time the next
  queued mail falls due, until no receipt is left (or 2018-01-30).
outage: 300 receipts queued while the SMTP server is down; mailroom runs
  every 10 simulated seconds, as the daemon's sender wakes, through a
  5-minute outage and on after the server is back, until all are sent.
"""

import datetime as dt
import imaplib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEPTS = ["office", "org", "publicity", "school", "liangxin"]
CST = dt.timezone(dt.timedelta(hours=8))
E = os.environ


def submission(frm, to, n):
    subject = f"石碣镇团委智慧团建工作材料（第{n}份）".encode()
    import base64
    b = base64.b64encode(subject).decode()
    return (f"From: {frm}\r\nTo: {to}\r\nSubject: =?UTF-8?B?{b}?=\r\n"
            f"Message-ID: <sub-{n}-{random.getrandbits(60)}@example.test>\r\n"
            "Date: Fri, 26 Jan 2018 07:00:00 +0800\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nsee attachment\r\n--b\r\n"
            f"Content-Type: application/pdf; name=\"zhtj-{n}.pdf\"\r\n"
            f"Content-Disposition: attachment; filename=\"zhtj-{n}.pdf\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCiUlRU9GCg==\r\n"
            "--b--\r\n").encode()


class App:
    def __init__(self, binary, label, smtp_port, budget):
        self.bin = binary
        self.dir = Path(tempfile.mkdtemp(prefix=f"mailroom-{label}-"))
        self.tag = f"b{label[:4]}{random.getrandbits(30)}"
        self.users = {d: f"{self.tag}-{d}@mailroom.test" for d in DEPTS}
        for f in ["campaign-2017.toml", "units.toml"]:
            text = (REPO / "config" / f).read_text()
            if label == "baseline":
                # Keys added since (an item's `short` title) are unknown to it.
                text = "".join(l for l in text.splitlines(True) if not l.startswith("short ="))
            (self.dir / f).write_text(text)
        toml = ('campaign = "campaign-2017.toml"\nunits = "units.toml"\ndata_dir = "data"\n'
                "[receipts]\nmax_per_hour = 1000\nmax_per_day = 1000\n")
        if label != "baseline":
            toml += f"[outbox]\nper_15min = {budget[0]}\nper_day = {budget[1]}\ndomain_limits = []\n"
        for d in DEPTS:
            u = self.users[d]
            toml += (f'\n[[mailbox]]\ndepartment = "{d}"\n[mailbox.imap]\nhost = "127.0.0.1"\n'
                     f'port = {E["MAILENV_IMAP_PORT"]}\ntls = "plain"\nusername = "{u}"\n'
                     'password_env = "MAILENV_PASSWORD"\nidle = false\n'
                     f'[mailbox.smtp]\nhost = "127.0.0.1"\nport = {smtp_port}\ntls = "plain"\n'
                     f'auth = true\nfrom = "{u}"\n')
        self.config = self.dir / "mailroom.toml"
        self.config.write_text(toml)
        self.wall = 0.0

    def run(self, *args):
        t = time.monotonic()
        p = subprocess.run([self.bin, "--config", str(self.config), *args],
                           capture_output=True, env=dict(E, RUST_LOG="warn"))
        self.wall += time.monotonic() - t
        if p.returncode != 0:
            sys.exit(f"{args}: {p.stderr.decode()[-2000:]}")
        return p.stdout

    def outbox(self):
        return json.loads(self.run("outbox", "--json"))

    def append(self, n, senders, first, spacing):
        s = imaplib.IMAP4("127.0.0.1", int(E["MAILENV_IMAP_PORT"]))
        s.login(self.users["org"], E["MAILENV_PASSWORD"])
        for i in range(n):
            unit = f"{self.tag}-unit{i % senders}@example.test"
            t = (first + dt.timedelta(seconds=i * spacing)).astimezone(CST)
            s.append("INBOX", None, imaplib.Time2Internaldate(t), submission(unit, self.users["org"], i))
        s.logout()


def account(login, body):
    d = Path(E["MAILENV_NETEASE_DIR"]) / "accounts"
    d.mkdir(parents=True, exist_ok=True)
    tmp = d / f"{login.lower()}.tmp"
    tmp.write_text(json.dumps(body))
    tmp.rename(d / f"{login.lower()}.json")


def events(login):
    out = []
    with open(E["MAILENV_NETEASE_LOG"], encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if str(e.get("login", "")).lower() == login.lower():
                out.append(e)
    return out


def iso(t):
    return t.astimezone(CST).isoformat()


def parse(s):
    return dt.datetime.fromisoformat(s.replace("Z", "+00:00"))


def deadline(binary, label):
    app = App(binary, label, E["MAILENV_NETEASE_SMTP_PORT"], (10, 50))
    org = app.users["org"]
    first = dt.datetime(2018, 1, 26, 6, 0, tzinfo=CST)
    app.append(150, 42, first, 48)
    now = dt.datetime(2018, 1, 26, 8, 0, 30, tzinfo=CST)
    end = dt.datetime(2018, 1, 30, tzinfo=CST)
    runs = 0
    while now < end:
        account(org, {"per_15min": 10, "per_day": 50, "now": iso(now)})
        app.run("run", "--once", "--now", iso(now))
        runs += 1
        queued = [o for o in app.outbox() if o["state"] == "queued"]
        if not any(o["kind"] == "receipt" for o in queued):
            break
        nxt = min(parse(o["not_before"]) for o in queued)
        now = max(nxt, now) + dt.timedelta(minutes=1)
    box = app.outbox()
    rec = [o for o in box if o["kind"] == "receipt"]
    sent = [parse(o["sent_at"]) for o in rec if o["state"] == "sent"]
    ev = events(org)
    mails = [e for e in ev if e.get("event") == "mail"]
    accepted = [e for e in ev if e.get("event") == "data" and e.get("code") == 250]
    refused = [e for e in ev if e.get("event") in ("mail", "rcpt", "data") and e.get("code", 0) >= 400]
    others = {k: sum(1 for o in box if o["kind"] == k and o["state"] == "sent")
              for k in ("reminder", "digest")}
    return {
        "label": label, "scenario": "deadline", "receipts": len(rec),
        "receipts_sent": len(sent),
        "receipts_failed": sum(1 for o in rec if o["state"] == "failed"),
        "last_receipt_hours_after_first_arrival": round((max(sent) - first).total_seconds() / 3600, 1) if sent else None,
        "attempts_per_delivered": round(len(mails) / max(1, len(accepted)), 2),
        "refused_by_server": len(refused),
        "reminders_sent": others["reminder"], "digests_sent": others["digest"],
        "runs": runs, "wall_s": round(app.wall, 1),
    }


def outage(binary, label):
    app = App(binary, label, 9, (100000, 100000))
    org = app.users["org"]
    account(org, {})
    app.append(300, 300, dt.datetime(2018, 1, 22, 10, 0, tzinfo=CST), 1)
    t0 = dt.datetime(2018, 1, 22, 11, 0, tzinfo=CST)
    tick = dt.timedelta(seconds=10)
    now = t0
    while now < t0 + dt.timedelta(minutes=5):
        app.run("run", "--once", "--now", iso(now))
        now += tick
    cfg = app.config.read_text().replace("port = 9\n", f'port = {E["MAILENV_NETEASE_SMTP_PORT"]}\n')
    app.config.write_text(cfg)
    back = now
    wall_before = app.wall
    runs = 0
    while runs < 200:
        app.run("run", "--once", "--now", iso(now))
        runs += 1
        if all(o["state"] == "sent" for o in app.outbox()):
            break
        now += tick
    box = app.outbox()
    last = max(parse(o["sent_at"]) for o in box if o.get("sent_at"))
    return {
        "label": label, "scenario": "outage", "receipts": len(box),
        "sent": sum(1 for o in box if o["state"] == "sent"),
        "last_sent_s_after_back": round((last - back).total_seconds(), 1),
        "runs_after_back": runs,
        "wall_s_after_back": round(app.wall - wall_before, 1),
    }


if __name__ == "__main__":
    binary, label, scenario = sys.argv[1:4]
    print(json.dumps({"deadline": deadline, "outage": outage}[scenario](binary, label), ensure_ascii=False))
