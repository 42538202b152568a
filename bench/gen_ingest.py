#!/usr/bin/env python3
"""Writes COUNT .eml files: the sample set repeated, each copy with a fresh
Message-ID (so each is a new message to the ledger and the classifier).

Usage: gen_ingest.py CORPUS_DIR OUT_DIR COUNT
"""
import os
import re
import sys

corpus, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
os.makedirs(out, exist_ok=True)
samples = sorted(f for f in os.listdir(corpus) if f.endswith(".eml"))
raws = [open(os.path.join(corpus, f), "rb").read() for f in samples]
pat = re.compile(rb"^Message-I[Dd]:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*", re.M | re.I)
for n in range(count):
    raw = raws[n % len(raws)]
    mid = b"Message-ID: <bench-%d@mailroom.bench>\r\n" % n
    new, k = pat.subn(mid, raw, count=1)
    if k == 0:
        new = mid + raw
    with open(os.path.join(out, "%05d.eml" % n), "wb") as f:
        f.write(new)
print(f"wrote {count} messages from {len(raws)} samples")
