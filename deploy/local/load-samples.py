#!/usr/bin/env python3
"""APPEND the sample messages to the local Dovecot, as the real servers would
have delivered them: each file into the mailbox of every department listed
for it in expected.json, with INTERNALDATE = the recorded arrival time.

Usage: load-samples.py CORPUS_DIR [--user-format FMT]
  FMT builds the IMAP user from the department id and mailbox address;
  default "{mailbox}" (e.g. tswzzb3@126.com). Connection facts come from the
  MAILENV_* variables printed by `mailenv.sh env`.
"""
import argparse
import datetime
import imaplib
import json
import os
import pathlib
import sys


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--user-format", default="{mailbox}")
    args = ap.parse_args()
    host = os.environ.get("MAILENV_HOST", "127.0.0.1")
    port = int(os.environ.get("MAILENV_IMAP_PORT", "20143"))
    password = os.environ.get("MAILENV_PASSWORD", "mailroom-test")
    corpus = pathlib.Path(args.corpus)
    entries = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    sessions = {}
    for e in entries:
        user = args.user_format.format(department=e["department"], mailbox=e["department_mailbox"])
        if user not in sessions:
            s = imaplib.IMAP4(host, port)
            s.login(user, password)
            sessions[user] = s
        raw = (corpus / e["file"]).read_bytes()
        when = datetime.datetime.fromisoformat(e["internaldate"])
        typ, data = sessions[user].append("INBOX", None, imaplib.Time2Internaldate(when), raw)
        if typ != "OK":
            print(f"APPEND {e['file']} to {user} failed: {data}", file=sys.stderr)
            return 1
    for s in sessions.values():
        s.logout()
    print(f"loaded {len(entries)} deliveries into {len(sessions)} mailboxes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
