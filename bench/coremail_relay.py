#!/usr/bin/env python3
"""What the Coremail IMAP front (deploy/local/coremail-imap.py) costs on a
full download: LOGIN, ID, SELECT INBOX, UID FETCH (UID BODY.PEEK[]) in
batches of 180 UIDs, with imaplib, straight from Dovecot and through each
front given, interleaved, ROUNDS times. Each front is started here (plain
port, a free one) and stopped at the end.

Per run: wall time; the front's CPU over the run, as utime+stime from
/proc/PID/stat (10 ms ticks, split user/sys) and as on-CPU time from
/proc/PID/schedstat (ns); the front's peak RSS so far (VmHWM); and a digest
over every body's sha256, which must be the same as straight from Dovecot.
Then medians per front.

Needs a running mailenv (eval "$(deploy/local/mailenv.sh env)") and a
mailbox for USER, loaded the way bench/fetch.sh does it:
    python3 bench/gen_maildir.py "$MAILENV_MAIL_ROOT/bench/Maildir" 2000
    chown -R nobody:nogroup "$MAILENV_MAIL_ROOT/bench/Maildir"
    doveadm -c "$MAILENV_DOVECOT_CONF" index -u bench INBOX

Usage: bench/coremail_relay.py [--rounds N] [--user U] NAME=FRONT.py ...
e.g.   git show HEAD~1:deploy/local/coremail-imap.py >/tmp/front-old.py
       bench/coremail_relay.py old=/tmp/front-old.py new=deploy/local/coremail-imap.py
"""
import argparse
import hashlib
import imaplib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

TCK = os.sysconf("SC_CLK_TCK")
ID_ARGS = '("name" "bench" "version" "1" "vendor" "x" "support-email" "x@example.test")'


def cpu(pid):
    """(user s, sys s, on-CPU s) of pid so far."""
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    ns = int(open(f"/proc/{pid}/schedstat").read().split()[0])
    return int(f[11]) / TCK, int(f[12]) / TCK, ns / 1e9


def peak_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def download(port, user, password, pid=None):
    imaplib.Commands.setdefault("ID", ("NONAUTH", "AUTH", "SELECTED"))
    c0, t0 = cpu(pid) if pid else (0, 0, 0), time.monotonic()
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, password)
    typ, _ = m._simple_command("ID", ID_ARGS)
    assert typ == "OK", typ
    typ, _ = m.select("INBOX", readonly=True)
    assert typ == "OK", typ
    typ, data = m.uid("SEARCH", None, "ALL")
    uids = data[0].split()
    digests = {}
    for i in range(0, len(uids), 180):
        typ, data = m.uid("FETCH", b",".join(uids[i:i + 180]).decode(), "(UID BODY.PEEK[])")
        assert typ == "OK", (typ, data[:1])
        for item in data:
            if isinstance(item, tuple):
                uid = int(item[0].split(b"UID ", 1)[1].split()[0])
                digests[uid] = hashlib.sha256(item[1]).hexdigest()
    m.logout()
    wall = time.monotonic() - t0
    c1 = cpu(pid) if pid else (0, 0, 0)
    digest = hashlib.sha256("".join(digests[u] for u in sorted(digests)).encode()).hexdigest()[:16]
    return {
        "wall": round(wall, 3),
        "cpu_user": round(c1[0] - c0[0], 2),
        "cpu_sys": round(c1[1] - c0[1], 2),
        "cpu": round(c1[2] - c0[2], 3),
        "peak_mb": round(peak_mb(pid), 1) if pid else None,
        "messages": len(digests),
        "digest": digest,
    }


def start_front(path, backend_port, tmp, name):
    log = os.path.join(tmp, f"{name}.log")
    proc = subprocess.Popen(
        [sys.executable, path, "--plain-port", "0", "--backend-port", str(backend_port), "--log", log],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if os.path.exists(log):
            for line in open(log, encoding="utf-8"):
                rec = json.loads(line)
                if rec["event"] == "listen":
                    return proc, rec["plain_port"]
        time.sleep(0.05)
    proc.kill()
    sys.exit(f"{name}: {path} did not start")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--user", default="bench")
    ap.add_argument("fronts", nargs="+", metavar="NAME=FRONT.py")
    args = ap.parse_args()
    dovecot = int(os.environ["MAILENV_IMAP_PORT"])
    password = os.environ["MAILENV_PASSWORD"]
    runs = {"dovecot": []}
    with tempfile.TemporaryDirectory() as tmp:
        fronts = {}
        try:
            for spec in args.fronts:
                name, path = spec.split("=", 1)
                fronts[name] = start_front(path, dovecot, tmp, name)
                runs[name] = []
            for _ in range(args.rounds):
                r = download(dovecot, args.user, password)
                runs["dovecot"].append(r)
                print(json.dumps({"via": "dovecot", **r}), flush=True)
                for name, (proc, port) in fronts.items():
                    r = download(port, args.user, password, proc.pid)
                    runs[name].append(r)
                    print(json.dumps({"via": name, **r}), flush=True)
        finally:
            for proc, _ in fronts.values():
                proc.terminate()
                proc.wait(10)
    want = {r["digest"] for r in runs["dovecot"]}
    for name, rs in runs.items():
        med = {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu", "cpu_user", "cpu_sys")}
        same = {r["digest"] for r in rs} == want
        peak = max((r["peak_mb"] or 0) for r in rs)
        print(f"{name:>10}: wall {med['wall']:.3f} s, front CPU {med['cpu']:.3f} s "
              f"(user {med['cpu_user']:.2f} + sys {med['cpu_sys']:.2f}), peak RSS {peak:.0f} MB, "
              f"{rs[0]['messages']} messages, bodies {'identical to Dovecot' if same else 'DIFFER'} "
              f"(medians of {len(rs)})")


if __name__ == "__main__":
    main()
