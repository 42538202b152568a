#!/usr/bin/env python3
"""The minimal full fetch: UID FETCH 1:* BODY.PEEK[] in chunks of 200 UIDs,
writing each body to a file (no fsync). A floor for what any client can do."""
import imaplib
import os
import sys

host, port, user, password, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
os.makedirs(out, exist_ok=True)
s = imaplib.IMAP4(host, port)
s.login(user, password)
s.select("INBOX", readonly=True)
typ, data = s.uid("SEARCH", None, "ALL")
uids = data[0].split()
n = 0
for i in range(0, len(uids), 200):
    chunk = b",".join(uids[i:i + 200]).decode()
    typ, data = s.uid("FETCH", chunk, "(BODY.PEEK[])")
    for item in data:
        if isinstance(item, tuple):
            with open(os.path.join(out, str(n)), "wb") as f:
                f.write(item[1])
            n += 1
s.logout()
print(f"fetched {n}")
