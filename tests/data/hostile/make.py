#!/usr/bin/env python3
"""Builds the hostile set: plausible submissions whose attachments attack the
parsers mailroom feeds them to (calamine, zip, TNEF, mail-parser, our own
readers). Every file is crafted at the byte level here, with the standard
library only, so the set needs no fixtures in git and no Office.

    python3 tests/data/hostile/make.py OUTDIR

writes one .eml per case and OUTDIR/expected.json, a list of
{"file", "case", "why", "expect_flags_any", "forbid_flags"}: at least one of
expect_flags_any must be on the delivery ([] = none required), none of
forbid_flags may be. The output is deterministic: fixed content, fixed zip
timestamps, a counter-mode SHA-256 stream where entropy is needed. Deflated
bytes come from the zlib Python links against, so byte identity holds for
one zlib build (a different zlib may compress differently; the cases keep
their meaning).
"""
import base64
import hashlib
import json
import os
import struct
import sys
import zlib

OUT = None
CASES = []

UNOPENED = "unopened_attachment"
UNREADABLE = "unreadable_attachment"
SUSPICIOUS = "suspicious_archive"
UNSAFE = "unsafe_filename"
MALFORMED = "malformed"
# What a plain, well-formed submission must never be flagged with.
FILE_PROBLEMS = [UNREADABLE, UNOPENED, SUSPICIOUS, UNSAFE, MALFORMED]

UNITS = [
    ("石碣镇团委", "shijietw@163.com"),
    ("南城街道团工委", "dgnanchengtw@126.com"),
    ("万江街道团工委", "dgwanjiangtw@126.com"),
    ("莞城街道团工委", "guanchengtw@163.com"),
]
ORG = "tswzzb3@126.com"
DATE = "Mon, 22 Jan 2018 10:00:00 +0800"

# ---------------------------------------------------------------- helpers


def stream_bytes(n, tag):
    """n deterministic pseudo-random bytes (SHA-256 in counter mode)."""
    out = bytearray()
    i = 0
    while len(out) < n:
        out += hashlib.sha256(b"%s:%d" % (tag.encode(), i)).digest()
        i += 1
    return bytes(out[:n])


def b64(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def w2047(text):
    return "=?UTF-8?B?%s?=" % base64.b64encode(text.encode("utf-8")).decode()


def pct(text):
    return "".join(chr(c) if (c < 128 and (chr(c).isalnum() or chr(c) in "._-")) else "%%%02X" % c
                   for c in text.encode("utf-8"))


def named_2047(ctype, name):
    n = w2047(name)
    return 'Content-Type: %s; name="%s"\r\nContent-Disposition: attachment; filename="%s"\r\n' % (ctype, n, n)


def named_2231(ctype, name):
    """RFC 2231: the only way control bytes reach the decoded name intact."""
    return "Content-Type: %s\r\nContent-Disposition: attachment; filename*=utf-8''%s\r\n" % (ctype, pct(name))


def headers(n, subject, unit=0, extra=""):
    uname, addr = UNITS[unit]
    return ("Return-Path: <%s>\r\nFrom: %s <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
            "Message-ID: <hostile-%s@hostile.test>\r\nMIME-Version: 1.0\r\n%s"
            % (addr, w2047(uname), addr, ORG, subject, DATE, n, extra))


def body_text(unit=0):
    uname = UNITS[unit][0]
    return ("莫部长：\r\n    您好！附件是%s2017年度智慧团建工作材料，请查收。\r\n\r\n%s 李明\r\n电话：0769-22110000\r\n"
            % (uname, uname))


def text_part():
    return b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"


def mail(n, subject, attachments, unit=0):
    """attachments: list of (part header text, bytes) — base64-encoded here."""
    bd = "----=_hostile_%s" % n
    out = headers(n, w2047(subject), unit,
                  'Content-Type: multipart/mixed; boundary="%s"\r\n' % bd).encode()
    out += b"\r\nThis is a multi-part message in MIME format.\r\n\r\n"
    out += ("--%s\r\n" % bd).encode() + text_part()
    out += (b64(body_text(unit).encode()) + "\r\n").encode()
    for head, data in attachments:
        out += ("--%s\r\n%sContent-Transfer-Encoding: base64\r\n\r\n" % (bd, head)).encode()
        out += (b64(data) + "\r\n").encode()
    out += ("--%s--\r\n" % bd).encode()
    return out


def add(n, case, why, raw, expect, forbid=()):
    file = "%02d-%s.eml" % (n, case)
    with open(os.path.join(OUT, file), "wb") as f:
        f.write(raw)
    CASES.append({"file": file, "case": case, "why": why,
                  "expect_flags_any": list(expect), "forbid_flags": list(forbid)})


# ---------------------------------------------------------------- zip, by hand

DOS_TIME = (10 << 11)  # 10:00:00
DOS_DATE = ((2018 - 1980) << 9) | (1 << 5) | 20  # 2018-01-20


def deflate(data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15, 9)
    return c.compress(data) + c.flush()


def deflate_repeat(chunk, count):
    """Deflates `chunk` repeated `count` times without building it: (crc, size, bytes)."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15, 9)
    crc, parts = 0, []
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
        parts.append(c.compress(chunk))
    parts.append(c.flush())
    return crc, len(chunk) * count, b"".join(parts)


class Zip:
    """A zip writer with every field under control (sizes may lie, entries
    may share data), fixed timestamps and UTF-8 names."""

    def __init__(self):
        self.body = bytearray()
        self.central = []

    def add(self, name, data=None, stored=False, raw=None, lie_size=None):
        """raw = (crc, uncompressed size, deflated bytes) for streamed members;
        lie_size replaces the uncompressed size in both headers."""
        if raw is not None:
            crc, usize, comp = raw
            method = 8
        elif stored:
            crc, usize, comp, method = zlib.crc32(data), len(data), data, 0
        else:
            crc, usize, comp, method = zlib.crc32(data), len(data), deflate(data), 8
        if lie_size is not None:
            usize = lie_size
        nb = name.encode("utf-8")
        flags = 0x0800 if any(b >= 0x80 for b in nb) else 0
        off = len(self.body)
        self.body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, DOS_TIME, DOS_DATE,
                                 crc, len(comp), usize, len(nb), 0) + nb + comp
        self.central.append((nb, flags, method, crc, len(comp), usize, off))
        return off

    def alias(self, name, of_index):
        """A central entry pointing at another entry's local header (overlap)."""
        _, flags, method, crc, csize, usize, off = self.central[of_index]
        nb = name.encode("utf-8")
        self.central.append((nb, flags, method, crc, csize, usize, off))

    def bytes(self):
        cd = bytearray()
        for nb, flags, method, crc, csize, usize, off in self.central:
            cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, DOS_TIME, DOS_DATE,
                              crc, csize, usize, len(nb), 0, 0, 0, 0, 0, off) + nb
        n = len(self.central)
        eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cd), len(self.body), 0)
        return bytes(self.body) + bytes(cd) + eocd


def zip_of(entries):
    z = Zip()
    for name, data in entries:
        z.add(name, data)
    return z.bytes()


# ---------------------------------------------------------------- OOXML / ODF

CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CT_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CT_XLS = "application/vnd.ms-excel"
CT_ODS = "application/vnd.oasis.opendocument.spreadsheet"
CT_ZIP = "application/x-zip-compressed"
XMLDECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def xlsx(sheet_xml, shared=None, shared_raw=None, sheet_lie=None):
    """A workbook with one sheet. shared: sharedStrings.xml text; shared_raw:
    (crc, size, deflated) for a streamed one; sheet_lie: declared size of
    sheet1.xml when it must lie."""
    has_sst = shared is not None or shared_raw is not None
    types = (XMLDECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
             '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
             + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if has_sst else "")
             + "</Types>")
    rels = (XMLDECL + '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
            % (NS_PKG, NS_REL))
    wb = (XMLDECL + '<workbook xmlns="%s" xmlns:r="%s"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
          % (NS_MAIN, NS_REL))
    wbrels = (XMLDECL + '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>'
              % (NS_PKG, NS_REL)
              + ('<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/>' % NS_REL if has_sst else "")
              + "</Relationships>")
    z = Zip()
    z.add("[Content_Types].xml", types.encode())
    z.add("_rels/.rels", rels.encode())
    z.add("xl/workbook.xml", wb.encode())
    z.add("xl/_rels/workbook.xml.rels", wbrels.encode())
    if isinstance(sheet_xml, tuple):
        z.add("xl/worksheets/sheet1.xml", raw=sheet_xml, lie_size=sheet_lie)
    else:
        z.add("xl/worksheets/sheet1.xml", sheet_xml.encode(), lie_size=sheet_lie)
    if shared is not None:
        z.add("xl/sharedStrings.xml", shared.encode())
    if shared_raw is not None:
        z.add("xl/sharedStrings.xml", raw=shared_raw)
    return z.bytes()


def sheet_xml(cells, dimension=None):
    """cells: list of (ref, row, xml of the <c> content attributes + body)."""
    rows = {}
    for ref, row, inner in cells:
        rows.setdefault(row, []).append('<c r="%s"%s</c>' % (ref, inner))
    body = "".join('<row r="%d">%s</row>' % (r, "".join(c)) for r, c in sorted(rows.items()))
    dim = '<dimension ref="%s"/>' % dimension if dimension else ""
    return XMLDECL + '<worksheet xmlns="%s">%s<sheetData>%s</sheetData></worksheet>' % (NS_MAIN, dim, body)


def inline(text):
    return ' t="inlineStr"><is><t>%s</t></is>' % text


NS_ODS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')


def ods(tables):
    """tables: list of (name, rows xml)."""
    content = (XMLDECL + '<office:document-content %s office:version="1.2"><office:body><office:spreadsheet>%s'
               '</office:spreadsheet></office:body></office:document-content>'
               % (NS_ODS, "".join('<table:table table:name="%s">%s</table:table>' % t for t in tables)))
    manifest = (XMLDECL + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="%s"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>' % CT_ODS)
    z = Zip()
    z.add("mimetype", CT_ODS.encode(), stored=True)
    z.add("content.xml", content.encode())
    z.add("META-INF/manifest.xml", manifest.encode())
    return z.bytes()


def ods_row(value, cols, rows=1):
    rep = ' table:number-rows-repeated="%d"' % rows if rows > 1 else ""
    crep = ' table:number-columns-repeated="%d"' % cols if cols > 1 else ""
    return ('<table:table-row%s><table:table-cell%s office:value-type="float" office:value="%s"><text:p>%s</text:p>'
            '</table:table-cell></table:table-row>' % (rep, crep, value, value))


def ods_text_row(texts):
    return "<table:table-row>%s</table:table-row>" % "".join(
        '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % t for t in texts)


def docx(document_raw):
    types = (XMLDECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = (XMLDECL + '<Relationships xmlns="%s"><Relationship Id="rId1" Type="%s/officeDocument" Target="word/document.xml"/></Relationships>'
            % (NS_PKG, NS_REL))
    z = Zip()
    z.add("[Content_Types].xml", types.encode())
    z.add("_rels/.rels", rels.encode())
    z.add("word/document.xml", raw=document_raw)
    return z.bytes()


# ---------------------------------------------------------------- OLE2 + BIFF8


def cfb(streams, loop_first=False, size_override=None):
    """A version-3 compound file (512-byte sectors) holding `streams` (name ->
    bytes, each padded to 4096 bytes so no mini stream is needed).
    loop_first: the first stream's first sector points to itself in the FAT;
    size_override: the size its directory entry declares."""
    SS = 512
    FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    data_sectors, chains, starts = bytearray(), [], []
    for name, data in streams:
        data = data + b"\0" * max(0, 4096 - len(data))
        data += b"\0" * (-len(data) % SS)
        first = len(data_sectors) // SS
        n = len(data) // SS
        starts.append((first, len(data)))
        chains.append(list(range(first, first + n)))
        data_sectors += data
    n_data = len(data_sectors) // SS
    n_dir = 1 if len(streams) < 4 else (len(streams) + 1 + 3) // 4
    n_fat = 1
    while (n_data + n_dir + n_fat) > n_fat * (SS // 4):
        n_fat += 1
    fat = [FREE] * (n_fat * (SS // 4))
    for chain in chains:
        for a, b in zip(chain, chain[1:]):
            fat[a] = b
        fat[chain[-1]] = END
    dir_first = n_data
    for i in range(n_dir):
        fat[dir_first + i] = dir_first + i + 1 if i + 1 < n_dir else END
    fat_first = n_data + n_dir
    for i in range(n_fat):
        fat[fat_first + i] = FATSECT
    if loop_first:
        fat[chains[0][0]] = chains[0][0]

    def entry(name, typ, child, start, size, right=NOSTREAM):
        nm = (name + "\0").encode("utf-16-le")
        return (nm.ljust(64, b"\0") + struct.pack("<HBB", len(nm), typ, 1)
                + struct.pack("<III", NOSTREAM, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<IQ", start, size))

    dirs = entry("Root Entry", 5, 1, END, 0)
    for i, (name, _) in enumerate(streams):
        start, size = starts[i]
        if i == 0 and size_override is not None:
            size = size_override
        # Siblings as a degenerate right-leaning tree: valid enough for every reader.
        right = i + 2 if i + 1 < len(streams) else NOSTREAM
        dirs += entry(name, 2, NOSTREAM, start, size, right)
    empty = b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", NOSTREAM, NOSTREAM, NOSTREAM) + b"\0" * 48
    while len(dirs) < n_dir * SS:
        dirs += empty
    difat = [fat_first + i for i in range(n_fat)] + [FREE] * (109 - n_fat)
    header = (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 16
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<IIIIIIIII", 0, n_fat, dir_first, 0, 0x1000, END, 0, END, 0)
              + struct.pack("<109I", *difat))
    assert len(header) == 512
    return header + bytes(data_sectors) + dirs + struct.pack("<%dI" % len(fat), *fat)


def rec(typ, data=b""):
    return struct.pack("<HH", typ, len(data)) + data


def bof(dt):
    return rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 6))


def label(row, col, text):
    s = text.encode("utf-16-le")
    return rec(0x0204, struct.pack("<HHHHB", row, col, 0, len(text), 1) + s)


def number(row, col, v):
    return rec(0x0203, struct.pack("<HHHd", row, col, 0, v))


def dimensions(rf, rl, cf, cl):
    return rec(0x0200, struct.pack("<IIHHH", rf, rl, cf, cl, 0))


def workbook(sheet_records, pos_override=None):
    """A BIFF8 Workbook stream with one worksheet."""
    name = b"Sheet1"

    def glob(pos):
        return (bof(0x0005) + rec(0x0042, struct.pack("<H", 1200))
                + rec(0x0085, struct.pack("<IBBBB", pos, 0, 0, len(name), 0) + name) + rec(0x000A))
    pos = len(glob(0))
    sheet = bof(0x0010) + b"".join(sheet_records) + rec(0x000A)
    return glob(pos if pos_override is None else pos_override) + sheet


def form_records(unit):
    """The overview form's first rows, as a unit fills it in."""
    rows = [label(0, 0, "2017年东莞共青团工作开展情况表"), label(1, 0, "填表单位：" + unit),
            label(2, 0, "序号"), label(2, 1, "考核项目"), label(2, 2, "工作开展情况"),
            label(3, 0, "（三）"), label(3, 1, "“网上共青团”建设工作"), label(3, 2, "智慧团建系统录入完成")]
    return rows


def xls(records, **kw):
    return cfb([("Workbook", workbook(records))], **kw)


# ---------------------------------------------------------------- Word 97 binary

CT_DOC = "application/msword"
FC_COMPRESSED = 0x40000000
TEXT_AT = 1024


def word_fib(flags, ccp_text, clx_len):
    """A Word 97 FIB: FibBase, 14 words, 22 longs (ccpText the fourth), 93
    fc/lcb pairs (fcClx/lcbClx the 34th; the CLX at 0 of the table stream)."""
    base = struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0, 0, flags) + b"\0" * 20
    lw = [0] * 22
    lw[3] = ccp_text
    pairs = [0] * 186
    pairs[66], pairs[67] = 0, clx_len
    return (base + struct.pack("<H", 14) + b"\0" * 28 + struct.pack("<H", 22) + struct.pack("<22I", *lw)
            + struct.pack("<H", 93) + struct.pack("<186I", *pairs))


def word_doc(parts, flags=0x0200, edit=None, extra=()):
    """A .doc (table stream 1Table) whose main text is `parts`, one piece
    each: bytes are an 8-bit piece, str a UTF-16 one. edit(clx, ccp) may
    return a changed (clx, ccp) before they are stored; `extra` streams are
    added to the container."""
    text, cps, pcds = b"", [0], b""
    for p in parts:
        at = TEXT_AT + len(text)
        if isinstance(p, bytes):
            text += p
            fc, n = (at * 2) | FC_COMPRESSED, len(p)
        else:
            u = p.encode("utf-16-le")
            text += u
            fc, n = at, len(u) // 2
        cps.append(cps[-1] + n)
        pcds += struct.pack("<HIH", 0, fc, 0)
    plc = struct.pack("<%dI" % len(cps), *cps) + pcds
    clx, ccp = b"\x02" + struct.pack("<I", len(plc)) + plc, cps[-1]
    if edit:
        clx, ccp = edit(clx, ccp)
    word = word_fib(flags, ccp, len(clx))
    word = word + b"\0" * (TEXT_AT - len(word)) + text
    return cfb([("WordDocument", word), ("1Table" if flags & 0x0200 else "0Table", clx)] + list(extra))


def doc_form(unit):
    return ("2017年东莞共青团工作开展情况表\r填表单位：%s\r序号\x07考核项目\x07工作开展情况\x07\x07"
            "（三）\x07“网上共青团”建设工作\x07智慧团建系统录入完成\x07\x07" % unit)


# ---------------------------------------------------------------- TNEF


def tnef_attr(level, attr_id, data, length=None):
    n = len(data) if length is None else length
    return (struct.pack("<BII", level, attr_id, n) + data
            + struct.pack("<H", sum(data) & 0xFFFF))


def tnef(files, broken_length=None):
    """files: list of (name, bytes). broken_length: the declared length of the
    first attAttachData instead of the real one."""
    out = struct.pack("<IH", 0x223E9F78, 0x0001)
    out += tnef_attr(1, 0x00089006, struct.pack("<I", 0x00010000))  # attTnefVersion
    out += tnef_attr(1, 0x00069007, struct.pack("<II", 936, 0))  # attOemCodepage (GBK)
    for i, (name, data) in enumerate(files):
        out += tnef_attr(2, 0x00069002, struct.pack("<HIIHI", 1, 0xFFFFFFFF, 0, 0, 0))  # attAttachRendData
        out += tnef_attr(2, 0x00018010, name.encode("gbk") + b"\0")  # attAttachTitle
        length = broken_length if (broken_length is not None and i == 0) else None
        out += tnef_attr(2, 0x0006800F, data, length)  # attAttachData
    return out


# ---------------------------------------------------------------- the cases


def pdf(tag):
    return ("%%PDF-1.4\n%% %s\n1 0 obj<</Type/Catalog>>endobj\ntrailer<<>>\n%%%%EOF\n" % tag).encode()


def nested_zip(levels, fanout=4):
    """`levels` archives deep (1 = a zip holding a text file), 42.zip style:
    each level holds `fanout` copies of the one below; every level is small."""
    inner = ("石碣镇团委2017年度智慧团建工作材料\r\n" * 100).encode()
    data, name = inner, "智慧团建工作材料.txt"
    for lv in range(1, levels + 1):
        data = zip_of([(name if lv == 1 else "材料%d-%d.zip" % (lv - 1, i), data) for i in range(1 if lv == 1 else fanout)])
    return data


def xls_far(col):
    return xls([dimensions(0, 2, 0, 3)] + form_records("石碣镇团委")[:2] + [number(65535, col, 1.0)])


def main():
    global OUT
    if len(sys.argv) != 2:
        sys.exit("usage: make.py OUTDIR")
    OUT = sys.argv[1]
    os.makedirs(OUT, exist_ok=True)
    n = 0

    def nxt():
        nonlocal n
        n += 1
        return n

    # --- .xls (BIFF8 in OLE2)
    k = nxt()
    add(k, "xls-control", "a well-formed .xls holding the overview form: proves the CFB/BIFF writer, must open cleanly",
        mail(k, "石碣镇团委2017年工作开展情况表", [(named_2047(CT_XLS, "石碣镇团委工作开展情况表.xls"),
                                                  xls([dimensions(0, 4, 0, 3)] + form_records("石碣镇团委")))]),
        [], FILE_PROBLEMS)
    k = nxt()
    add(k, "xls-dimensions-huge", "DIMENSIONS declares rows 0..0xFFFFFFFF x cols 0..0xFFFF: calamine reserves rows*cols cells up front",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_XLS, "智慧团建统计表.xls"),
                                           xls([dimensions(0, 0xFFFFFFFF, 0, 0xFFFF)] + form_records("石碣镇团委")[:2]))]),
        [UNOPENED])
    k = nxt()
    add(k, "xls-cells-65535x65535", "cells at (0,0) and (65535,65535) behind a small DIMENSIONS: a dense range of 4.3e9 cells",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_XLS, "智慧团建统计表.xls"), xls_far(65535))]),
        [UNOPENED])
    k = nxt()
    add(k, "xls-cells-65535x255", "cells at (0,0) and (65535,255), the real BIFF8 maximum: a dense range of 16.7M cells (~0.5 GB)",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_XLS, "智慧团建统计表.xls"), xls_far(255))]),
        [UNOPENED])
    k = nxt()
    add(k, "xls-cfb-fat-loop", "the Workbook stream's FAT chain points to itself and its directory entry declares ~2 GB: a reader following the chain to the declared size allocates 2 GB",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_XLS, "智慧团建统计表.xls"),
                                           xls(form_records("石碣镇团委")[:2], loop_first=True, size_override=0x7FFFFE00))]),
        [UNREADABLE, UNOPENED])
    k = nxt()
    add(k, "xls-sheet-offset-past-end", "BOUNDSHEET8 points the sheet 1 GB past the end of the Workbook stream",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_XLS, "智慧团建统计表.xls"),
                                           cfb([("Workbook", workbook(form_records("石碣镇团委")[:2], pos_override=0x40000000))]))]),
        [UNREADABLE, UNOPENED])

    # --- .ods
    k = nxt()
    add(k, "ods-control", "a small .ods using row and column repeats the way LibreOffice writes them: must open cleanly",
        mail(k, "南城街道团工委工作开展情况表", [(named_2047(CT_ODS, "南城街道团工委情况表.ods"),
                                                 ods([("Sheet1", ods_text_row(["2017年东莞共青团工作开展情况表"])
                                                       + ods_text_row(["填表单位：南城街道团工委"]) + ods_row(1, 3, rows=3))]))], unit=1),
        [], FILE_PROBLEMS)
    k = nxt()
    add(k, "ods-16m-cells", "one table, a non-empty cell repeated 4096 columns x 4096 rows: 16.7M cells from 1 KB of XML",
        mail(k, "南城街道团工委智慧团建材料", [(named_2047(CT_ODS, "智慧团建统计.ods"),
                                               ods([("Sheet1", ods_text_row(["填表单位：南城街道团工委"]) + ods_row(1, 4096, rows=4096))]))], unit=1),
        [UNOPENED])
    k = nxt()
    add(k, "ods-3x98m-cells", "three tables of 16384 x 5981 repeated non-empty cells (98M each, under calamine's 100M cap): ~3 GB per table",
        mail(k, "南城街道团工委智慧团建材料", [(named_2047(CT_ODS, "智慧团建统计.ods"),
                                               ods([("Sheet%d" % i, ods_row(7, 16384, rows=5981)) for i in (1, 2, 3)]))], unit=1),
        [UNOPENED])

    # --- .xlsx
    k = nxt()
    # ~38M empty strings, each pair spelled one of two ways by a pseudo-random
    # bit: just enough entropy that deflate stays near 40:1, under a 100:1
    # ratio check.
    variants = (b"<si/><si/>", b"<si /><si/>")
    table = [b"".join(variants[(byte >> bit) & 1] for bit in range(8)) for byte in range(256)]
    count = 38_000_000
    c = zlib.compressobj(6, zlib.DEFLATED, -15, 9)
    head = (XMLDECL + '<sst xmlns="%s" count="%d" uniqueCount="%d">' % (NS_MAIN, count, count)).encode()
    crc, size, parts = zlib.crc32(head), len(head), [c.compress(head)]
    rnd = stream_bytes(count // 16, "sst")
    for i in range(0, len(rnd), 1 << 16):
        chunk = b"".join(table[b] for b in rnd[i:i + (1 << 16)])
        crc, size = zlib.crc32(chunk, crc), size + len(chunk)
        parts.append(c.compress(chunk))
    tail = b"</sst>"
    crc, size = zlib.crc32(tail, crc), size + len(tail)
    parts += [c.compress(tail), c.flush()]
    sst = (crc, size, b"".join(parts))
    add(k, "xlsx-38m-empty-strings", "sharedStrings.xml of ~38M empty <si/> (%d MB inflated, ratio %d:1): a Vec of 38M Strings is ~0.9 GB"
        % (size >> 20, size // len(sst[2])),
        mail(k, "万江街道团工委智慧团建材料", [(named_2047(CT_XLSX, "智慧团建统计表.xlsx"),
                                               xlsx(sheet_xml([("A1", 1, ' t="s"><v>0</v>')]), shared_raw=sst))], unit=2),
        [UNOPENED])
    k = nxt()
    add(k, "xlsx-sst-uniquecount-huge", "sharedStrings.xml declares uniqueCount=10^12 over two strings: calamine reserves that many Strings before reading any",
        mail(k, "万江街道团工委智慧团建材料", [(named_2047(CT_XLSX, "智慧团建统计表.xlsx"),
                                               xlsx(sheet_xml([("A1", 1, ' t="s"><v>0</v>')]),
                                                    shared=XMLDECL + '<sst xmlns="%s" count="2" uniqueCount="1000000000000"><si><t>填表单位：万江街道团工委</t></si><si><t>1</t></si></sst>' % NS_MAIN))], unit=2),
        [UNOPENED, UNREADABLE])
    k = nxt()
    add(k, "xlsx-sparse-full-dimension", "dimension A1:XFD1048576 with cells only at A1 and XFD1048576: legitimate, cheap when read cell by cell; must not be refused",
        mail(k, "万江街道团工委智慧团建材料", [(named_2047(CT_XLSX, "万江街道团工委材料.xlsx"),
                                               xlsx(sheet_xml([("A1", 1, inline("填表单位：万江街道团工委")), ("XFD1048576", 1048576, "><v>1</v>")],
                                                              dimension="A1:XFD1048576")))], unit=2),
        [], [UNREADABLE, UNOPENED, SUSPICIOUS])
    k = nxt()
    pad = b" " * (1 << 20)
    head = (XMLDECL + '<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>填表单位：万江街道团工委</t></is></c></row>' % NS_MAIN).encode()
    c = zlib.compressobj(6, zlib.DEFLATED, -15, 9)
    crc, parts = zlib.crc32(head), [c.compress(head)]
    for _ in range(64):
        crc = zlib.crc32(pad, crc)
        parts.append(c.compress(pad))
    tail = b"</sheetData></worksheet>"
    crc = zlib.crc32(tail, crc)
    parts += [c.compress(tail), c.flush()]
    add(k, "xlsx-lying-sizes", "sheet1.xml declares 4 KB in both headers but inflates to 64 MB",
        mail(k, "万江街道团工委智慧团建材料", [(named_2047(CT_XLSX, "智慧团建统计表.xlsx"),
                                               xlsx((crc, 4096, b"".join(parts)), sheet_lie=4096))], unit=2),
        [SUSPICIOUS])

    # --- zip
    k = nxt()
    add(k, "zip-nested-2", "a zip holding zips holding a text file (two levels of archive): normal, must not be flagged",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), nested_zip(2))]),
        [], FILE_PROBLEMS)
    for lv in (3, 4, 5, 6):
        k = nxt()
        add(k, "zip-nested-%d" % lv, "%d levels of zip, 4 copies per level (42.zip style, every level small): a third level of archive is flagged" % lv,
            mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), nested_zip(lv))]),
            [SUSPICIOUS])
    k = nxt()
    z = Zip()
    z.add("智慧团建统计表.xlsx", raw=deflate_repeat(b"\0" * (1 << 20), 200))
    add(k, "zip-ratio-bomb-200mb", "one member of 200 MB of zeros, honestly declared (ratio ~1000:1)",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), z.bytes())]),
        [SUSPICIOUS])
    k = nxt()
    z = Zip()
    for i in range(10000):
        z.add("材料/%05d.txt" % i, b"", stored=True)
    add(k, "zip-10000-members", "10,000 empty members",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), z.bytes())]),
        [SUSPICIOUS])
    k = nxt()
    z = Zip()
    z.add("智慧团建统计表.xlsx", raw=deflate_repeat(b"\0" * (1 << 20), 100), lie_size=2048)
    add(k, "zip-lying-sizes", "an .xlsx member whose headers declare 2 KB but whose data inflates to 100 MB",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), z.bytes())]),
        [SUSPICIOUS])
    k = nxt()
    z = Zip()
    z.add("材料0000.docx", raw=deflate_repeat(b"\0" * 1000, 1000))
    for i in range(1, 4000):
        z.alias("材料%04d.docx" % i, 0)
    add(k, "zip-overlapping-entries", "4,000 central entries share one 1 MB deflate stream (overlapping-file bomb): 4 GB from 1 KB of data",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), z.bytes())]),
        [SUSPICIOUS, UNREADABLE])
    k = nxt()
    body = Zip()
    body.add("智慧团建材料.txt", b"x")
    raw = bytearray(body.bytes())
    raw = raw[:raw.rfind(b"PK\x05\x06")]
    cd_off = bytes(raw).find(b"PK\x01\x02")
    eocd64_off = len(raw)
    raw += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 1 << 40, 1 << 40, 1 << 46, cd_off)
    raw += struct.pack("<IIQI", 0x07064B50, 0, eocd64_off, 1)
    raw += struct.pack("<IHHHHIIH", 0x06054B50, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    add(k, "zip64-huge-entry-count", "a zip64 end record declaring 2^40 entries in a 64 TB central directory (one real entry)",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), bytes(raw))]),
        [SUSPICIOUS, UNREADABLE])
    k = nxt()
    fake = b"PK\x03\x04" + b"PK\x05\x06" * 16384
    add(k, "zip-fake-end-records", "a local header followed by 16,384 end-of-central-directory signatures: every candidate must be rejected cheaply",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), fake)]),
        [UNREADABLE, SUSPICIOUS])
    k = nxt()
    add(k, "zip-member-path-traversal", "members named ../../../etc/cron.d/mailroom and /root/.ssh/authorized_keys",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"),
                                           zip_of([("../../../etc/cron.d/mailroom", b"* * * * * root sh -c id\n"),
                                                   ("/root/.ssh/authorized_keys", b"ssh-ed25519 AAAA x\n"),
                                                   ("智慧团建材料.pdf", pdf("zip"))]))]),
        [UNSAFE])
    k = nxt()
    add(k, "zip-member-bidi", "a member named 材料\\u202Excod.exe, shown as 材料exe.docx",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"),
                                           zip_of([("石碣镇团委材料\u202excod.exe", b"MZ\x90\x00" + b"\0" * 60)]))]),
        [UNSAFE])

    # --- .docx
    k = nxt()
    depth = 600_000
    rnd = stream_bytes(depth, "docx")
    hexd = "0123456789abcdef"
    opens = "".join('<w:tbl><w:tr><w:tc w:x="%s">' % hexd[b & 15] for b in rnd)
    doc = (XMLDECL + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + opens + "<w:p><w:r><w:t>填表单位：石碣镇团委</w:t></w:r></w:p>"
           + "</w:tc></w:tr></w:tbl>" * depth + "</w:body></w:document>").encode()
    d = deflate(doc)
    add(k, "docx-deep-nesting", "word/document.xml of %d MB: tables nested %d deep (ratio %d:1, under the 100:1 check and the 32 MB member limit)"
        % (len(doc) >> 20, depth, len(doc) // len(d)),
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_DOCX, "石碣镇团委工作材料.docx"), docx((zlib.crc32(doc), len(doc), d)))]),
        [])


    # --- .doc / .wps (Word 97 binary in OLE2)
    def doc_case(case, why, data, expect, forbid=(), name="石碣镇团委工作材料.doc"):
        k = nxt()
        add(k, case, why, mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_DOC, name), data)]), expect, forbid)

    doc_case("doc-control", "a well-formed .doc holding the overview form (one UTF-16 piece, cells ended by \\x07): proves the writer, must open cleanly",
             word_doc([doc_form("石碣镇团委")]), [], FILE_PROBLEMS)
    doc_case("wps-control", "the same as a WPS Writer .wps with a WpsCustomData stream: must open cleanly",
             word_doc([doc_form("石碣镇团委")], extra=[("WpsCustomData", "<wps/>".encode("utf-16-le"))]), [], FILE_PROBLEMS,
             name="石碣镇团委工作材料.wps")
    doc_case("doc-piece-past-stream", "the one piece's fc points 1 GB past the WordDocument stream",
             word_doc([doc_form("石碣镇团委")], edit=lambda clx, ccp: (clx[:15] + struct.pack("<I", 0x3FFF0000) + clx[19:], ccp)),
             [UNREADABLE])
    doc_case("doc-clx-truncated", "the piece table cut in half: its declared length runs past the table stream",
             word_doc([doc_form("石碣镇团委")], edit=lambda clx, ccp: (clx[:len(clx) // 2], ccp)), [UNREADABLE])
    doc_case("doc-plcpcd-4gb", "the Pcdt declares a 4 GB piece table (358M pieces)",
             word_doc([doc_form("石碣镇团委")], edit=lambda clx, ccp: (clx[:1] + struct.pack("<I", 0xFFFFFFF0) + clx[5:], ccp)),
             [UNREADABLE])
    doc_case("doc-piece-2g-chars", "ccpText and the one piece claim two billion characters",
             word_doc([doc_form("石碣镇团委")], edit=lambda clx, ccp: (clx[:9] + struct.pack("<I", 0x7FFFFFFF) + clx[13:], 0xFFFFFFFF)),
             [UNREADABLE])

    def overlap(clx, ccp, n=100_000):
        # n pieces of 1,000 8-bit characters, all over the same bytes.
        cps = struct.pack("<%dI" % (n + 1), *[i * 1000 for i in range(n + 1)])
        pcds = struct.pack("<HIH", 0, (TEXT_AT * 2) | FC_COMPRESSED, 0) * n
        plc = cps + pcds
        return b"\x02" + struct.pack("<I", len(plc)) + plc, n * 1000
    doc_case("doc-pieces-overlap", "100,000 pieces over the same 1,000 bytes: 100M characters described by a 1.2 MB file",
             word_doc([b"x" * 1000], edit=overlap), [UNREADABLE])
    doc_case("doc-fib-encrypted", "fEncrypted set in the FIB (the text after it would be RC4 ciphertext)",
             word_doc([doc_form("石碣镇团委")], flags=0x0300), [UNREADABLE])
    doc_case("doc-text-3m-chars", "3M characters of 8-bit text in one paragraph: read up to the text cap only",
             word_doc([doc_form("石碣镇团委"), b"x" * 3_000_000]), [], FILE_PROBLEMS)

    # --- TNEF
    k = nxt()
    add(k, "tnef-length-fffffff0", "winmail.dat whose attAttachData declares 0xFFFFFFF0 bytes",
        mail(k, "石碣镇团委智慧团建材料", [("Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\n",
                                           tnef([("智慧团建材料.pdf", pdf("tnef") + b"\0" * 4096)], broken_length=0xFFFFFFF0))]),
        [UNREADABLE, MALFORMED])
    k = nxt()
    add(k, "tnef-5000-attachments", "winmail.dat carrying 5,000 attachments (15,000 attributes): files inside TNEF escape the MIME part limit",
        mail(k, "石碣镇团委智慧团建材料", [("Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\n",
                                           tnef([("材料%04d.txt" % i, b"%d" % i) for i in range(5000)]))]),
        [UNREADABLE, MALFORMED])

    # --- MIME structure
    k = nxt()
    depth = 5000
    inner = (text_part() + (b64(body_text().encode()) + "\r\n").encode()
             + ("--m%d\r\n" % (depth - 1)).encode()
             + named_2047("application/pdf", "智慧团建材料.pdf").encode()
             + b"Content-Transfer-Encoding: base64\r\n\r\n" + (b64(pdf("deep")) + "\r\n").encode())
    # Built inside out: level i is a part of level i-1.
    body = inner
    for i in range(depth - 1, -1, -1):
        body = (('Content-Type: multipart/mixed; boundary="m%d"\r\n\r\n--m%d\r\n' % (i, i)).encode()
                + body + ("\r\n--m%d--\r\n" % i).encode())
    raw = headers(k, w2047("石碣镇团委智慧团建材料"), 0).encode() + body
    add(k, "mime-nested-5000", "multipart/mixed nested 5,000 deep, the text and a PDF at the bottom",
        raw, [MALFORMED])
    k = nxt()
    bd = "p"
    parts = "".join("--%s\r\n%sContent-Transfer-Encoding: base64\r\n\r\n%s\r\n"
                    % (bd, named_2047("text/plain", "材料%05d.txt" % i), base64.b64encode(b"%d" % i).decode())
                    for i in range(20000))
    raw = (headers(k, w2047("石碣镇团委智慧团建材料"), 0, 'Content-Type: multipart/mixed; boundary="%s"\r\n' % bd).encode()
           + ("\r\n--%s\r\n" % bd).encode() + text_part() + (b64(body_text().encode()) + "\r\n").encode()
           + parts.encode() + ("--%s--\r\n" % bd).encode())
    add(k, "mime-20000-parts", "one multipart with 20,000 named parts", raw, [MALFORMED])
    k = nxt()
    msg = mail("%d-inner" % k, "石碣镇团委智慧团建材料", [(named_2047("application/pdf", "智慧团建材料.pdf"), pdf("fwd"))])
    for i in range(2000):
        msg = (headers("%d-%d" % (k, i), w2047("转发：石碣镇团委智慧团建材料"), 0,
                       'Content-Type: multipart/mixed; boundary="f%d"\r\n' % i).encode()
               + ("\r\n--f%d\r\nContent-Type: message/rfc822\r\n\r\n" % i).encode() + msg
               + ("\r\n--f%d--\r\n" % i).encode())
    add(k, "mime-rfc822-nested-2000", "message/rfc822 forwarded 2,000 deep (every level a full header block)", msg, [MALFORMED])
    k = nxt()
    # Found by examples/fuzz.rs: the same chain, base64-encoded as one
    # attached message, costs memory quadratic in its depth (~1 GB here).
    add(k, "mime-rfc822-base64-nested-2000", "the 2,000-deep forward chain attached base64-encoded as one message/rfc822 part",
        mail(k, "转发：石碣镇团委智慧团建材料", [('Content-Type: message/rfc822\r\nContent-Disposition: attachment; filename="%s"\r\n'
                                             % w2047("石碣镇团委智慧团建材料.eml"), msg)]),
        [MALFORMED])
    k = nxt()
    flood = "".join("X-Antispam-Check-%d: ok\r\n" % i for i in range(100000))
    raw = mail(k, "石碣镇团委智慧团建材料", [(named_2047("application/pdf", "智慧团建材料.pdf"), pdf("hdr"))])
    hdr_end = raw.find(b"MIME-Version:")
    raw = raw[:hdr_end] + flood.encode() + raw[hdr_end:]
    add(k, "header-100k-fields", "100,000 header fields before the MIME headers", raw, [])

    # --- encodings
    k = nxt()
    word = w2047("智慧")
    subj = w2047("石碣镇团委") + "".join(("\r\n " if i % 3 == 0 else " ") + word for i in range(50000))
    raw = mail(k, "x", [(named_2047("application/pdf", "智慧团建材料.pdf"), pdf("subj"))])
    raw = raw.replace(("Subject: %s\r\n" % w2047("x")).encode(), ("Subject: %s\r\n" % subj).encode(), 1)
    add(k, "subject-50000-encoded-words", "a Subject of 50,000 RFC 2047 encoded words (~1 MB, folded)", raw, [])
    k = nxt()
    chars = list("石碣镇团委智慧团建材料" * 910)[:9999] + [".pdf"]
    conts = [";\r\n filename*%d*=%s%s" % (i, "utf-8''" if i == 0 else "", pct(ch)) for i, ch in enumerate(chars)]
    head = "Content-Type: application/pdf\r\nContent-Disposition: attachment" + "".join(reversed(conts)) + "\r\n"
    add(k, "filename-10000-rfc2231-continuations", "a filename in 10,000 RFC 2231 continuations, in reverse order",
        mail(k, "石碣镇团委智慧团建材料", [(head, pdf("2231"))]), [])

    # --- file names
    for case, name, why, style in [
        ("name-bidi-exe", "石碣镇团委材料\u202excod.exe", "U+202E hides .exe: displayed as 石碣镇团委材料exe.docx", named_2047),
        ("name-bidi-pdf", "石碣镇团委\u202e料材\u202c智慧团建.pdf", "U+202E/U+202C inside a PDF's name (a submission, so the flag does not hang on the kind)", named_2047),
        ("name-esc", "智慧团建材料\x1b]0;pwned\x07\x1b[2J.pdf", "ESC sequences (retitle and clear a terminal that tails the log)", named_2231),
        ("name-bel", "智慧团建材料\x07\x07\x07.pdf", "BEL characters", named_2231),
        ("name-nul", "智慧团建材料.pdf\x00.exe", "NUL truncation: C code sees .pdf, the file is .exe", named_2231),
        ("name-crlf-log-injection", "材料.pdf\r\n{\"level\":\"INFO\",\"fields\":{\"message\":\"stored message\"}}",
         "CR LF and a forged JSON log line in the name", named_2231),
        ("name-path-traversal", "../../../../etc/cron.d/mailroom", "a top-level attachment named with ../ components", named_2231),
    ]:
        k = nxt()
        data = b"MZ\x90\x00" + b"\0" * 60 if name.endswith(".exe") else pdf(case)
        add(k, case, why, mail(k, "石碣镇团委智慧团建材料", [(style("application/octet-stream", name), data)]), [UNSAFE])

    # --- the spreadsheet attack through every carrier
    k = nxt()
    inner = mail("%d-inner" % k, "石碣镇团委智慧团建材料", [(named_2047(CT_XLS, "智慧团建统计表.xls"), xls_far(255))])
    bd = "----=_hostile_fwd_%d" % k
    raw = (headers(k, w2047("转发：石碣镇团委智慧团建材料"), 0, 'Content-Type: multipart/mixed; boundary="%s"\r\n' % bd).encode()
           + ("\r\n--%s\r\n" % bd).encode() + text_part() + (b64(body_text().encode()) + "\r\n").encode()
           + ('--%s\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fwd.eml"\r\n\r\n' % bd).encode()
           + inner + ("\r\n--%s--\r\n" % bd).encode())
    add(k, "fwd-xls-cells-65535x255", "the 16.7M-cell .xls inside a forwarded message", raw, [UNOPENED])
    k = nxt()
    add(k, "zip-member-xls-cells-65535x255", "the 16.7M-cell .xls as a zip member (members are opened to find the form)",
        mail(k, "石碣镇团委智慧团建材料", [(named_2047(CT_ZIP, "石碣镇团委材料.zip"), zip_of([("智慧团建统计表.xls", xls_far(255))]))]),
        [UNOPENED, SUSPICIOUS])
    k = nxt()
    add(k, "tnef-xls-cells-65535x255", "the 16.7M-cell .xls inside winmail.dat",
        mail(k, "石碣镇团委智慧团建材料", [("Content-Type: application/ms-tnef; name=\"winmail.dat\"\r\nContent-Disposition: attachment; filename=\"winmail.dat\"\r\n",
                                           tnef([("智慧团建统计表.xls", xls_far(255))]))]),
        [UNOPENED])

    with open(os.path.join(OUT, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(CASES, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
