#!/usr/bin/env python3
"""Independent re-check of the blind set: re-parses every .eml with the stdlib `email` package,
decodes attachment names by the README's decoding notes, and compares names, sha256 and zip
members with expected.json.  If openpyxl / python-docx / odfpy / py7zr / rarfile are importable
(run it with a throwaway venv), every xlsx/docx/ods/7z/rar material file is also opened.

Not part of the generator; make.py does not depend on it.
"""
import email
import email.header
import email.policy
import hashlib
import io
import json
import os
import re
import sys
import urllib.parse
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CODEC = {"gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "utf-8": "utf-8", "big5": "big5",
         "us-ascii": "ascii", "ascii": "ascii"}


def dec2047(s):
    out = []
    for b, cs in email.header.decode_header(s):
        if isinstance(b, str):
            out.append(b)
        else:
            out.append(b.decode(CODEC.get((cs or "ascii").lower(), cs or "ascii")))
    return "".join(out)


def raw_params(part, header):
    """Parse parameters ourselves so RFC 2231 continuations with GB2312/GBK labels decode as GB18030."""
    v = part.get(header)
    if v is None:
        return {}
    v = str(v).replace("\r\n", "").replace("\n", "")
    params = {}
    for m in re.finditer(r';\s*([A-Za-z0-9_\-\*]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', v):
        k, val = m.group(1).lower(), m.group(2).strip()
        if val.startswith('"'):
            val = val[1:-1]
        params[k] = val
    return params


def param_value(params, name):
    if name in params:
        return dec2047(params[name])
    if name + "*" in params:
        cs, _, val = params[name + "*"].split("'", 2)
        return urllib.parse.unquote_to_bytes(val).decode(CODEC.get(cs.lower(), cs))
    pieces = []
    i = 0
    cs = None
    while True:
        if "%s*%d*" % (name, i) in params:
            val = params["%s*%d*" % (name, i)]
            if i == 0:
                cs, _, val = val.split("'", 2)
            pieces.append(urllib.parse.unquote_to_bytes(val))
        elif "%s*%d" % (name, i) in params:
            pieces.append(params["%s*%d" % (name, i)].encode("ascii"))
        else:
            break
        i += 1
    if pieces:
        return b"".join(pieces).decode(CODEC.get((cs or "us-ascii").lower(), cs))
    return None


def filename_of(part):
    fn = param_value(raw_params(part, "Content-Disposition"), "filename")
    if fn is None:
        fn = param_value(raw_params(part, "Content-Type"), "name")
    return fn


def html_cids(msg):
    cids = set()
    for p in msg.walk():
        if p.get_content_type() == "text/html":
            t = p.get_payload(decode=True).decode("latin-1")
            cids |= set(re.findall(r'cid:([^"\'> ]+)', t))
    return cids


def material(msg):
    cids = html_cids(msg)
    out = []
    for p in msg.walk():
        if p.is_multipart():
            continue
        ct = p.get_content_type()
        fn = filename_of(p)
        disp = (p.get("Content-Disposition") or "").split(";")[0].strip().lower()
        if ct in ("text/plain", "text/html") and fn is None and disp != "attachment":
            continue
        if ct in ("text/calendar", "message/delivery-status", "message/disposition-notification"):
            continue
        cid = (p.get("Content-ID") or "").strip("<> ")
        if cid and cid in cids:
            continue
        data = p.get_payload(decode=True)
        out.append((fn if fn is not None else "", data))
    return out


def zip_members(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    names = []
    for i in z.infolist():
        raw = i.orig_filename
        if i.flag_bits & 0x800:
            n = raw
        else:
            b = raw.encode("cp437")
            try:
                n = b.decode("utf-8")
            except UnicodeDecodeError:
                n = b.decode("gb18030")
        if not n.endswith("/"):
            names.append(n)
    return names


def open_check(name, data):
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        if ext == "xlsx":
            import openpyxl
            wb = openpyxl.load_workbook(io.BytesIO(data))
            return "xlsx ok: " + str(wb.active.max_row) + " rows"
        if ext == "docx":
            import docx
            d = docx.Document(io.BytesIO(data))
            return "docx ok: %d paras %d tables" % (len(d.paragraphs), len(d.tables))
        if ext == "ods":
            from odf.opendocument import load
            load(io.BytesIO(data))
            return "ods ok"
        if ext == "7z":
            import py7zr
            import tempfile
            with py7zr.SevenZipFile(io.BytesIO(data)) as z, tempfile.TemporaryDirectory() as td:
                names = z.getnames()
                z.extractall(path=td)
            return "7z ok: " + ",".join(sorted(names))
        if ext == "pdf":
            import pypdf
            r = pypdf.PdfReader(io.BytesIO(data))
            return "pdf ok: %d page(s)" % len(r.pages)
        if ext == "rar":
            import rarfile
            rf = rarfile.RarFile(io.BytesIO(data))
            for i in rf.infolist():
                assert rf.read(i) is not None
            return "rar ok: %d files" % len(rf.infolist())
    except ImportError:
        return "skip (module missing)"
    except Exception as e:  # noqa
        return "CANNOT OPEN: %r" % (e,)
    return None


def main():
    exp = json.load(open(os.path.join(HERE, "expected.json"), encoding="utf-8"))
    bad = 0
    seen = {}
    for e in exp:
        raw = open(os.path.join(HERE, e["file"]), "rb").read()
        assert b"\n" not in raw.replace(b"\r\n", b""), "bare LF in " + e["file"]
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        ex = e["expect"]
        if ex["kind"] != "submission":
            continue
        got = material(msg)
        want = [(a["filename"], a["sha256"]) for a in ex["attachments"]]
        have = [(n, hashlib.sha256(d).hexdigest()) for n, d in got]
        if sorted(want) != sorted(have):
            bad += 1
            print("MISMATCH", e["file"], "\n  want", want, "\n  have", have)
        for a in ex["attachments"]:
            data = next(d for n, d in got if hashlib.sha256(d).hexdigest() == a["sha256"])
            if "members" in a:
                m = zip_members(data)
                if m != a["members"]:
                    bad += 1
                    print("MEMBERS MISMATCH", e["file"], m, a["members"])
            if e["file"] not in seen:
                r = open_check(a["filename"], data)
                if r:
                    print("  %-50s %-40s %s" % (e["file"][:50], a["filename"][:40], r))
        seen[e["file"]] = 1
    print("checked %d deliveries, %d problems" % (len(exp), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
