#!/usr/bin/env python3
"""Writes N synthetic submissions straight into a Dovecot maildir (`new/`),
which is how a mailbox of this size is loaded in seconds rather than by
10,000 APPENDs. Sizes: mostly ~20 KB, a quarter ~200 KB, 5% ~2 MB, and one
50 MB message (the worst case for memory). Deterministic (seeded).

Usage: gen_maildir.py MAILDIR COUNT
"""
import base64
import os
import random
import sys
import time


def message(n: int, size: int, rnd: random.Random) -> bytes:
    head = (
        f"From: unit{n % 42} <unit{n % 42}@example.test>\r\n"
        f"To: tswzzb3@126.com\r\n"
        f"Subject: =?UTF-8?B?{base64.b64encode(f'智慧团建材料 {n}'.encode()).decode()}?=\r\n"
        f"Message-ID: <bench-{n}@example.test>\r\n"
        f"Date: Mon, 22 Jan 2018 10:00:00 +0800\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n附件是本单位材料，请查收。\r\n"
        '--b1\r\nContent-Type: application/pdf; name="cailiao.pdf"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
    ).encode()
    payload = rnd.randbytes(max(0, (size - len(head)) * 3 // 4))
    b64 = base64.encodebytes(payload).replace(b"\n", b"\r\n")
    return head + b64 + b"--b1--\r\n"


def main() -> None:
    maildir, count = sys.argv[1], int(sys.argv[2])
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub), exist_ok=True)
    rnd = random.Random(2018)
    total = 0
    t0 = int(time.time())
    for n in range(count):
        if n == count // 2:
            size = 50 * 1024 * 1024
        elif n % 20 == 7:
            size = 2 * 1024 * 1024
        elif n % 4 == 1:
            size = 200 * 1024
        else:
            size = 20 * 1024
        raw = message(n, size, rnd)
        total += len(raw)
        with open(os.path.join(maildir, "new", f"{t0 + n}.M{n}P1.bench"), "wb") as f:
            f.write(raw)
    print(f"wrote {count} messages, {total / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
