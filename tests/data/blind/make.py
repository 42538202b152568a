#!/usr/bin/env python3
"""Blind evaluation set for mailroom (2017 Dongguan Youth League assessment intake).

Generates, deterministically and with the Python 3.11 standard library only:
  NNN-*.eml      raw RFC 5322 messages (CRLF), as the listed clients produce them
  expected.json  one entry per delivery, labelled by shared/corpus/README.md's rules

Usage:  python3 make.py            (writes next to this file)

Labels that follow mechanically from the rules (late, misrouted, receipt,
unknown_sender, not_assessed, duplicate_delivery, resubmission) are computed
from the per-message facts below by the small rule engine at the end of this
file; the judgement facts (kind, unit, projects, items, and the content flags)
are written by hand per message, with the reasoning in the "case" text.
"""
import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import random
import re
import struct
import sys
import urllib.parse
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))

# --------------------------------------------------------------------------
# Campaign facts (copied from shared/registry/*.toml; the labels need only these)
# --------------------------------------------------------------------------
DEADLINE = dt.datetime.fromisoformat("2018-01-26T17:30:00+08:00")
AGENCIES_ESTABLISHED_BEFORE = dt.date(2016, 12, 6)

DEPT_MAILBOX = {
    "office": "dgyouth@126.com",
    "org": "tswzzb3@126.com",
    "publicity": "2219564@163.com",
    "school": "a22233740@126.com",
    "liangxin": "dglxtgw@163.com",
}
DEPT_DISPLAY = {
    "office": "团市委办公室",
    "org": "团市委组织部",
    "publicity": "团市委宣传部",
    "school": "团市委学校部",
    "liangxin": "“两新”团工委",
}
ITEM_DEPTS = {
    "1.1": ["publicity", "school"], "1.2": ["publicity"], "1.3": ["school", "liangxin", "org"],
    "2.1": ["org"], "2.2": ["school"], "2.3": ["org"],
    "3.1": ["publicity"], "3.2": ["org"], "3.3": ["publicity"],
    "4.1": ["org"], "4.2": ["org"], "4.3": ["org"],
    "5.1": ["publicity"], "5.2": ["office"], "5.3": ["liangxin"], "5.4": ["org"],
}
# registered `senders` per unit (units.toml); units with none are omitted
SENDERS = {
    "guancheng": ["guanchengtw@163.com"], "nancheng": ["dgnanchengtw@126.com"],
    "wanjiang": ["dgwanjiangtw@126.com"], "shijie": ["shijietw@163.com"],
    "chashan": ["chashantw@163.com"], "shipai": ["dgshipaitw@126.com"],
    "hengli": ["dghenglitw@126.com"], "qiaotou": ["qiaotoutw@163.com"],
    "dongkeng": ["dongkengtw@163.com"], "changping": ["dgchangpingtw@126.com"],
    "zhangmutou": ["dgzhangmutoutw@126.com"], "dalang": ["dalangtw@163.com"],
    "qingxi": ["qingxitw@163.com"], "tangxia": ["dgtangxiatw@126.com"],
    "dalingshan": ["dgdalingshantw@126.com"], "changan": ["changantw@163.com"],
    "houjie": ["houjietw@163.com"], "shatian": ["dgshatiantw@126.com"],
    "hongmei": ["dghongmeitw@126.com"], "machong": ["machongtw@163.com"],
    "zhongtang": ["zhongtangtw@163.com"], "gaobu": ["dggaobutw@126.com"],
    "gaj": ["dggaj_tw@163.com"], "gdj": ["gdjtw@126.com"], "jtj": ["dgjtjtw@163.com"],
    "nsh": ["nshtw@126.com"], "cgj": ["dgcgjtw@163.com"], "sytz": ["dgsytztw@163.com"],
    "jtjt": ["dgjttw@126.com"],
}
AGENCY_ESTABLISHED = {
    "gaj": "2005-05-04", "gdj": "2003-04-20", "wjj": "2014-03-01", "jtj": "2010-06-18",
    "nsh": "2012-09-01", "dgbank": "2011-05-04", "cgj": "2015-01-10", "yz": "2008-07-01",
    "sytz": "2017-06-16", "jtjt": "2017-03-20",
}
FLAG_ORDER = ["unknown_sender", "not_assessed", "no_attachments", "external_link",
              "unreadable_attachment", "suspicious_archive", "unsafe_filename",
              "resubmission", "duplicate_delivery", "malformed"]

# --------------------------------------------------------------------------
# small utilities
# --------------------------------------------------------------------------
def sha256(b):
    return hashlib.sha256(b).hexdigest()


def xesc(s):
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


class Rng(random.Random):
    def hexs(self, n, upper=False):
        s = "".join(self.choice("0123456789abcdef") for _ in range(n))
        return s.upper() if upper else s

    def digits(self, n):
        return "".join(self.choice("0123456789") for _ in range(n))

    def b64id(self, n):
        alph = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "".join(self.choice(alph) for _ in range(n))

    def uuid(self):
        h = self.hexs(32, upper=True)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --------------------------------------------------------------------------
# zip writer (full control over flags, name bytes, order, directory entries)
# --------------------------------------------------------------------------
def dos_datetime(t):
    y, mo, d, H, Mi, S = t
    return (H << 11) | (Mi << 5) | (S // 2), ((y - 1980) << 9) | (mo << 5) | d


def _crc_raw(c, b):
    return zlib.crc32(bytes([b]), c ^ 0xFFFFFFFF) ^ 0xFFFFFFFF


class _ZipCrypto:
    """Traditional PKWARE encryption (what 360压缩/WinRAR/7-Zip call ZipCrypto)."""

    def __init__(self, pwd):
        self.k = [0x12345678, 0x23456789, 0x34567890]
        for ch in pwd:
            self._upd(ch)

    def _upd(self, b):
        k = self.k
        k[0] = _crc_raw(k[0], b)
        k[1] = (k[1] + (k[0] & 0xFF)) & 0xFFFFFFFF
        k[1] = (k[1] * 134775813 + 1) & 0xFFFFFFFF
        k[2] = _crc_raw(k[2], (k[1] >> 24) & 0xFF)

    def enc(self, data):
        out = bytearray()
        for p in data:
            t = (self.k[2] | 2) & 0xFFFF
            out.append(p ^ (((t * (t ^ 1)) >> 8) & 0xFF))
            self._upd(p)
        return bytes(out)


def deflate(data, level=9):
    c = zlib.compressobj(level, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class ZipW:
    def __init__(self):
        self.out = bytearray()
        self.cd = bytearray()
        self.n = 0

    def add(self, name, data=b"", *, enc="utf-8", utf8flag=None, when=(2018, 1, 20, 10, 0, 0),
            method=8, password=None, pre=None, unix=False, level=9):
        is_dir = name.endswith("/")
        nb = name.encode(enc)
        if utf8flag is None:
            utf8flag = enc == "utf-8" and not name.isascii()
        flags = 0x800 if utf8flag else 0
        if is_dir:
            method, data, pre = 0, b"", None
        if pre is not None:
            crc, usize, comp = pre
            method = 8
        else:
            crc = zlib.crc32(data) & 0xFFFFFFFF
            usize = len(data)
            comp = deflate(data, level) if method == 8 else data
        if password is not None:
            flags |= 0x1
            zc = _ZipCrypto(password.encode())
            hdr = bytes((i * 37 + 11) & 0xFF for i in range(11)) + bytes([crc >> 24])
            comp = zc.enc(hdr + comp)
        tm, dm = dos_datetime(when)
        ver = 20
        off = len(self.out)
        self.out += struct.pack("<IHHHHHIIIHH", 0x04034B50, ver, flags, method, tm, dm,
                                crc, len(comp), usize, len(nb), 0) + nb + comp
        if unix:
            made = (3 << 8) | 21
            ext = ((0o40755 << 16) | 0x10) if is_dir else (0o100644 << 16)
        else:
            made = 20  # MS-DOS
            ext = 0x10 if is_dir else 0x20
        self.cd += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, made, ver, flags, method, tm, dm,
                               crc, len(comp), usize, len(nb), 0, 0, 0, 0, ext, off) + nb
        self.n += 1

    def bytes(self):
        cdoff = len(self.out)
        return bytes(self.out + self.cd + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, self.n, self.n,
                                                          len(self.cd), cdoff, 0))


def zip_members(entries):
    """decoded paths of non-directory entries, archive order"""
    return [n for n in entries if not n.endswith("/")]


def zeros_deflated(size):
    """(crc, size, raw-deflate) of `size` zero bytes, streamed"""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 20)
    crc = 0
    parts = []
    left = size
    while left:
        n = min(left, len(chunk))
        piece = chunk if n == len(chunk) else bytes(n)
        crc = zlib.crc32(piece, crc)
        parts.append(c.compress(piece))
        left -= n
    parts.append(c.flush())
    return crc & 0xFFFFFFFF, size, b"".join(parts)


# --------------------------------------------------------------------------
# Office Open XML / ODF documents (minimal but valid)
# --------------------------------------------------------------------------
OOXML_TIME = (2018, 1, 1, 0, 0, 0)


def _core_xml(title, author, when):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<dc:title>{xesc(title)}</dc:title><dc:creator>{xesc(author)}</dc:creator>'
            f'<cp:lastModifiedBy>{xesc(author)}</cp:lastModifiedBy>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>'
            '</cp:coreProperties>')


def _app_xml(app):
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            f'<Application>{app}</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>'
            '<Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>'
            '<HyperlinksChanged>false</HyperlinksChanged><AppVersion>15.0000</AppVersion></Properties>')


def _zip_parts(parts, when):
    z = ZipW()
    for name, text in parts:
        z.add(name, text.encode("utf-8"), when=when, level=6)
    return z.bytes()


def docx(paragraphs, table=None, *, title="", author="Administrator", when="2018-01-18T02:00:00Z",
         ztime=(2018, 1, 18, 10, 0, 0)):
    """paragraphs: list of str (before the table); table: list of rows (list of str)"""
    W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'

    def p(text, bold=False, center=False, size=None):
        ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
        rpr = ""
        if bold or size:
            rpr = "<w:rPr>" + ("<w:b/>" if bold else "") + (f'<w:sz w:val="{size}"/>' if size else "") + "</w:rPr>"
        return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{xesc(text)}</w:t></w:r></w:p>'

    body = []
    for i, t in enumerate(paragraphs):
        if i == 0 and title and t == title:
            body.append(p(t, bold=True, center=True, size=36))
        else:
            body.append(p(t))
    if table:
        widths = [907, 2381, 5953]
        tbl = ['<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/><w:tblBorders>'
               '<w:top w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
               '<w:left w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
               '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
               '<w:right w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
               '<w:insideH w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
               '<w:insideV w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
               '</w:tblBorders></w:tblPr><w:tblGrid>'
               + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths) + "</w:tblGrid>"]
        for row in table:
            tbl.append("<w:tr>")
            for w, cell in zip(widths, row):
                inner = p(cell) if cell else "<w:p/>"
                tbl.append(f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>{inner}</w:tc>')
            tbl.append("</w:tr>")
        tbl.append("</w:tbl>")
        body.append("".join(tbl))
        body.append("<w:p/>")
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           f'<w:document {W} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           "<w:body>" + "".join(body) +
           '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1800" '
           'w:bottom="1440" w:left="1800" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr>'
           "</w:body></w:document>")
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              f'<w:styles {W}><w:docDefaults><w:rPrDefault><w:rPr>'
              '<w:rFonts w:ascii="Times New Roman" w:eastAsia="宋体" w:hAnsi="Times New Roman"/>'
              '<w:sz w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault>'
              '</w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/>'
              '<w:qFormat/></w:style></w:styles>')
    parts = [
        ("[Content_Types].xml",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
         '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
         '<Default Extension="xml" ContentType="application/xml"/>'
         '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
         '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
         '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
         '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
         '</Types>'),
        ("_rels/.rels",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
         '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
         '</Relationships>'),
        ("word/_rels/document.xml.rels",
         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
         '</Relationships>'),
        ("word/document.xml", doc),
        ("word/styles.xml", styles),
        ("docProps/core.xml", _core_xml(title, author, when)),
        ("docProps/app.xml", _app_xml("Microsoft Office Word")),
    ]
    return _zip_parts(parts, ztime)


def _col(i):
    return "ABCDEFGHIJ"[i]


def xlsx(rows, *, shared=False, merges=(), widths=(8, 24, 90), title="", author="Administrator",
         when="2018-01-18T02:00:00Z", ztime=(2018, 1, 18, 10, 0, 0), heights=None):
    """rows: list of lists; cell = str | int | float | None"""
    sst, sst_idx = [], {}

    def sidx(s):
        if s not in sst_idx:
            sst_idx[s] = len(sst)
            sst.append(s)
        return sst_idx[s]

    xr = []
    nrows = len(rows)
    ncols = max(len(r) for r in rows)
    for ri, row in enumerate(rows, 1):
        ht = ""
        if heights and ri in heights:
            ht = f' ht="{heights[ri]}" customHeight="1"'
        cells = []
        for ci, v in enumerate(row):
            ref = f"{_col(ci)}{ri}"
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            elif shared:
                cells.append(f'<c r="{ref}" t="s"><v>{sidx(v)}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{xesc(v)}</t></is></c>')
        xr.append(f'<row r="{ri}"{ht}>' + "".join(cells) + "</row>")
    cols = "".join(f'<col min="{i+1}" max="{i+1}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths[:ncols]))
    mc = ""
    if merges:
        mc = f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>"
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
             'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
             f'<dimension ref="A1:{_col(ncols-1)}{nrows}"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>'
             '<sheetFormatPr defaultRowHeight="13.5"/>'
             f"<cols>{cols}</cols><sheetData>" + "".join(xr) + "</sheetData>" + mc +
             '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>')
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<fonts count="1"><font><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else "") +
          '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
          '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="20490" windowHeight="7650"/></bookViews>'
          '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
              + ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared else "") +
              '</Relationships>')
    parts = [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("xl/workbook.xml", wb),
             ("xl/_rels/workbook.xml.rels", wbrels), ("xl/worksheets/sheet1.xml", sheet),
             ("xl/styles.xml", styles)]
    if shared:
        parts.append(("xl/sharedStrings.xml",
                      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(sst)}" uniqueCount="{len(sst)}">'
                      + "".join(f'<si><t xml:space="preserve">{xesc(s)}</t></si>' for s in sst) + "</sst>"))
    parts += [("docProps/core.xml", _core_xml(title, author, when)), ("docProps/app.xml", _app_xml("Microsoft Excel"))]
    return _zip_parts(parts, ztime)


def ods(rows, *, ztime=(2018, 1, 19, 9, 30, 0)):
    """rows: list of lists of str|None; first row is a title spanning 3 columns"""
    NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:0.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/"')
    xr = []
    for i, row in enumerate(rows):
        cells = []
        if i == 0:
            cells.append(f'<table:table-cell table:number-columns-spanned="3" office:value-type="string">'
                         f'<text:p>{xesc(row[0])}</text:p></table:table-cell>'
                         '<table:covered-table-cell table:number-columns-repeated="2"/>')
        else:
            for v in row:
                if v:
                    cells.append(f'<table:table-cell office:value-type="string"><text:p>{xesc(v)}</text:p></table:table-cell>')
                else:
                    cells.append("<table:table-cell/>")
        xr.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n'
               f'<office:document-content {NS} office:version="1.2"><office:automatic-styles/>'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               '<table:table-column table:number-columns-repeated="3"/>' + "".join(xr) +
               "</table:table></office:spreadsheet></office:body></office:document-content>")
    styles = ('<?xml version="1.0" encoding="UTF-8"?>\n'
              f'<office:document-styles {NS} office:version="1.2"><office:styles/></office:document-styles>')
    meta = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<office:document-meta {NS} office:version="1.2"><office:meta>'
            '<meta:generator>LibreOffice/5.4.4.2$Windows_X86_64 LibreOffice_project/2524958677847fb3bb44820e40380acbe820f960</meta:generator>'
            '<meta:creation-date>2018-01-18T16:20:11.35</meta:creation-date></office:meta></office:document-meta>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    z = ZipW()
    z.add("mimetype", b"application/vnd.oasis.opendocument.spreadsheet", method=0, when=ztime)
    z.add("content.xml", content.encode(), when=ztime)
    z.add("styles.xml", styles.encode(), when=ztime)
    z.add("meta.xml", meta.encode(), when=ztime)
    z.add("META-INF/manifest.xml", manifest.encode(), when=ztime)
    return z.bytes()


# --------------------------------------------------------------------------
# PDF (Adobe-GB1 CJK font, no embedding: valid and viewable)
# --------------------------------------------------------------------------
def pdf(lines, *, producer="Microsoft® Word 2013", created="D:20180118093000+08'00'"):
    ops = ["BT", "/F1 16 Tf", "72 770 Td", "22 TL"]
    for i, ln in enumerate(lines):
        if i == 1:
            ops.append("/F1 11 Tf")
        ops.append("<" + ln.encode("utf-16-be").hex().upper() + "> Tj T*")
    ops.append("ET")
    stream = zlib.compress("\n".join(ops).encode("ascii"), 9)
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
        b"<< /Producer <FEFF" + producer.encode("utf-16-be").hex().upper().encode() + b"> /CreationDate (" + created.encode() + b") >>",
    ]
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{i} 0 obj\n".encode() + o + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs)+1}\n0000000000 65535 f \n".encode()
    for o in offs:
        out += f"{o:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs)+1} /Root 1 0 R /Info {len(objs)} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


# --------------------------------------------------------------------------
# images
# --------------------------------------------------------------------------
def png(w, h, seed):
    r = Rng(seed)
    base = [r.randrange(60, 230) for _ in range(3)]
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        band = (y * 7 // h)
        for x in range(w):
            v = ((x // 16 + band) % 5) * 6
            raw += bytes(((base[0] + v) % 256, (base[1] + (y * 40 // h)) % 256, (base[2] + (x * 30 // w)) % 256))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"pHYs", struct.pack(">IIB", 3780, 3780, 1))
            + chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b""))


def _huff_codes(bits, vals):
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


def jpeg(w, h, seed, exif_model=None):
    """Baseline JFIF, YCbCr 4:4:4, 8x8 flat blocks (DC only) -- a valid, decodable JPEG."""
    r = Rng(seed)
    bx, by = (w + 7) // 8, (h + 7) // 8
    c0 = [r.randrange(80, 200) for _ in range(3)]
    dc_bits = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    dc_vals = list(range(12))
    ac_bits = [1] + [0] * 15
    ac_vals = [0x00]  # EOB only
    dcc = _huff_codes(dc_bits, dc_vals)
    acc = _huff_codes(ac_bits, ac_vals)
    q = [8] + [16] * 63
    out = bytearray(b"\xff\xd8")
    out += b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x01\x00\x48\x00\x48\x00\x00"
    if exif_model:
        txt = exif_model.encode() + b"\x00"
        out += b"\xff\xfe" + struct.pack(">H", len(txt) + 2) + txt  # COM segment
    out += b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(q)
    out += b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, h, w, 3) + bytes([1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0])
    for cls_id, bits, vals in ((0x00, dc_bits, dc_vals), (0x10, ac_bits, ac_vals)):
        out += b"\xff\xc4" + struct.pack(">HB", 2 + 1 + 16 + len(vals), cls_id) + bytes(bits) + bytes(vals)
    out += b"\xff\xda" + struct.pack(">HB", 12, 3) + bytes([1, 0x00, 2, 0x00, 3, 0x00]) + b"\x00\x3f\x00"
    acc_bits, nacc = 0, 0
    data = bytearray()

    def put(code, n):
        nonlocal acc_bits, nacc
        for i in range(n - 1, -1, -1):
            acc_bits = (acc_bits << 1) | ((code >> i) & 1)
            nacc += 1
            if nacc == 8:
                data.append(acc_bits)
                if acc_bits == 0xFF:
                    data.append(0)
                acc_bits, nacc = 0, 0

    pred = [0, 0, 0]
    for yb in range(by):
        for xb in range(bx):
            Y = c0[0] + int(40 * ((xb / max(bx - 1, 1)) - 0.5)) + int(25 * ((yb / max(by - 1, 1)) - 0.5)) + r.randrange(-6, 7)
            Cb = 128 + (c0[1] - 128) // 2 + r.randrange(-3, 4)
            Cr = 128 + (c0[2] - 128) // 2 + r.randrange(-3, 4)
            for ci, v in enumerate((Y, Cb, Cr)):
                v = max(0, min(255, v))
                level = v - 128
                diff = level - pred[ci]
                pred[ci] = level
                s = abs(diff).bit_length()
                code, n = dcc[s]
                put(code, n)
                if s:
                    put(diff if diff > 0 else (diff - 1) & ((1 << s) - 1), s)
                code, n = acc[0x00]
                put(code, n)
    if nacc:
        put((1 << (8 - nacc)) - 1, 8 - nacc)
    out += data + b"\xff\xd9"
    return bytes(out)


def office_lockfile(user="Administrator"):
    """Word owner file (~$name.docx): 162 bytes, not a document"""
    a = user.encode("ascii")
    b = bytes([len(a)]) + a
    b += b" " * (54 - len(b))
    b += struct.pack("<H", len(user)) + user.encode("utf-16-le")
    return b + b"\x00" * (162 - len(b))


def appledouble(seed):
    """__MACOSX/._name resource-fork stub as macOS Archive Utility writes it"""
    r = Rng(seed)
    hdr = struct.pack(">IIH", 0x00051607, 0x00020000, 0) + b"Mac OS X        " + struct.pack(">H", 2)
    hdr += struct.pack(">III", 9, 50, 3760) + struct.pack(">III", 2, 3810, 286)
    body = b"\x00" * 2 + b"ATTR" + bytes(r.randrange(256) for _ in range(60))
    out = hdr + body
    return out + b"\x00" * (4096 - len(out))


# --------------------------------------------------------------------------
# MIME helpers
# --------------------------------------------------------------------------
def codec(cs):
    return {"gb2312": "gb18030", "gbk": "gbk", "gb18030": "gb18030", "big5": "big5",
            "utf-8": "utf-8"}[cs.lower()]


def ew(text, cs="UTF-8", enc="B", maxlen=75, single=False):
    """RFC 2047 encoded-words for text (whole characters per word)"""
    c = codec(cs)

    def word(s):
        b = s.encode(c)
        if enc == "B":
            return f"=?{cs}?B?{base64.b64encode(b).decode()}?="
        q = "".join(chr(x) if (48 <= x <= 57 or 65 <= x <= 90 or 97 <= x <= 122) else ("_" if x == 32 else "=%02X" % x)
                    for x in b)
        return f"=?{cs}?Q?{q}?="

    if single:
        return [word(text)]
    words, cur = [], ""
    for ch in text:
        if cur and len(word(cur + ch)) > maxlen:
            words.append(word(cur))
            cur = ch
        else:
            cur += ch
    if cur:
        words.append(word(cur))
    return words


def hdr(name, words, sep="\r\n "):
    if isinstance(words, str):
        words = [words]
    return f"{name}: " + sep.join(words)


def qwords(words, sep="\r\n\t"):
    return '"' + sep.join(words) + '"'


def pct(text, cs="utf-8"):
    return urllib.parse.quote(text.encode(codec(cs)), safe="")


def rfc2231(param, text, cs="utf-8", cont=False, chunk=54, lead="\r\n\t"):
    """'param*=utf-8''…' or continuations 'param*0*=…; param*1*=…'"""
    enc = pct(text, cs)
    if not cont:
        return f"{param}*={cs}''{enc}"
    toks = re.findall(r"%[0-9A-F]{2}|.", enc)
    pieces, cur = [], ""
    for t in toks:
        if cur and len(cur) + len(t) > chunk:
            pieces.append(cur)
            cur = ""
        cur += t
    if cur:
        pieces.append(cur)
    out = []
    for n, p in enumerate(pieces):
        out.append(f"{param}*{n}*=" + (f"{cs}''" if n == 0 else "") + p)
    return (";" + lead).join(out)


def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + width] for i in range(0, len(s), width)) + "\r\n"


def qp(data):
    lines = data.split(b"\r\n")
    out = []
    for ln in lines:
        e = binascii.b2a_qp(ln, istext=False, header=False).replace(b"=\n", b"=\r\n")
        out.append(e)
    return b"\r\n".join(out).decode("ascii") + "\r\n"


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def fmt_date(d, cst=False, tz=None):
    s = d.strftime("%a, %d %b %Y %H:%M:%S ") + (tz or d.strftime("%z"))
    return s + (" (CST)" if cst else "")


def html_of(text, style="font-family:微软雅黑;font-size:14px"):
    lines = text.split("\n")
    body = "".join(f"<div>{xesc(l) if l.strip() else '<br>'}</div>" for l in lines)
    return f'<div style="{style}">{body}</div>'


class Part:
    def __init__(self, headers, body=b"", parts=None, boundary=None, preamble=None, close=True,
                 epilogue=b""):
        self.headers, self.body, self.parts = headers, body, parts
        self.boundary, self.preamble, self.close, self.epilogue = boundary, preamble, close, epilogue

    def bytes(self):
        hs = []
        for h in self.headers:
            hs.append(h if isinstance(h, bytes) else h.encode("ascii"))
        out = b"\r\n".join(hs) + b"\r\n\r\n"
        if self.parts is None:
            b = self.body
            out += b if isinstance(b, bytes) else b.encode("ascii")
            return out
        B = self.boundary.encode()
        if self.preamble is not None:
            out += self.preamble.encode() + b"\r\n"
        for p in self.parts:
            out += b"--" + B + b"\r\n" + p.bytes() + b"\r\n"
        if self.close:
            out += b"--" + B + b"--\r\n" + self.epilogue
        return out


def leaf(ctype_lines, cte, body, extra=()):
    hs = list(ctype_lines) + ([f"Content-Transfer-Encoding: {cte}"] if cte else []) + list(extra)
    return Part(hs, body)


CT = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "zip": "application/zip",
    "eml": "message/rfc822",
}


def ctype_of(name):
    ext = name.rsplit(".", 1)[-1].lower()
    return CT.get(ext, "application/octet-stream")


class Att:
    def __init__(self, name, data, ctype=None, members=None, material=True):
        self.name, self.data = name, data
        self.ctype = ctype or ctype_of(name)
        self.members = members
        self.material = material

    def expect(self):
        e = {"filename": self.name, "sha256": sha256(self.data)}
        if self.members is not None:
            e["members"] = list(self.members)
        return e


# --------------------------------------------------------------------------
# transport headers
# --------------------------------------------------------------------------
def mx_received(r, dept, from_host, from_ip, when, helo_ip_known=False):
    mb = DEPT_MAILBOX[dept]
    smtp_id = r.b64id(4) + "ow" + r.b64id(14) + "--." + r.digits(5) + "S2"
    host = f"{from_host} ({from_host if helo_ip_known else 'unknown'} [{from_ip}])"
    return (f"Received: from {host}\r\n\tby mx{r.randrange(11, 50)} (Coremail) with SMTP id {smtp_id};\r\n"
            f"\t{fmt_date(when, cst=True)}")


def netease_out(dom, r):
    if dom == "126.com":
        n = r.randrange(40, 60)
        return f"m15-{n}.126.com", f"220.181.15.{n + 110}"
    n = r.randrange(10, 60)
    return f"m12-{n}.163.com", f"220.181.12.{n}"


def sec(d, s):
    return d + dt.timedelta(seconds=s)


# --------------------------------------------------------------------------
# message model + client renderers
# --------------------------------------------------------------------------
class Msg:
    def __init__(self, **kw):
        self.cc = []
        self.atts = []
        self.quoted = ""
        self.extra = []
        self.date = None
        self.date_hdr = None
        self.in_reply_to = None
        self.__dict__.update(kw)
        self.idate = dt.datetime.fromisoformat(self.idate)
        self.r = Rng(self.slug)
        if self.date is None:
            self.date = self.idate - dt.timedelta(seconds=self.r.randrange(2, 6))
        if not hasattr(self, "to"):
            self.to = [(None, DEPT_MAILBOX[self.depts[0]])]

    @property
    def text(self):
        return self.body + self.quoted


def fmt_addr(name, addr, cs="UTF-8", quoted=False, enc="B"):
    if not name:
        return addr
    if name.isascii():
        return f'"{name}" <{addr}>'
    w = " ".join(ew(name, cs, enc))
    return (f'"{w}"' if quoted else w) + f" <{addr}>"


def addr_list(lst, cs="UTF-8", quoted=False, bracket_bare=False):
    out = []
    for n, a in lst:
        if not n and bracket_bare:
            out.append(f"<{a}>")
        else:
            out.append(fmt_addr(n, a, cs, quoted))
    return ",\r\n\t".join(out) if len(out) > 1 else out[0]


def text_part(text, cs, cte, ct_sep="; ", fmt_flowed=False):
    c = codec(cs)
    data = crlf(text).encode(c)
    ff = "; format=flowed" if fmt_flowed else ""
    if cte == "base64":
        body = b64(data)
    elif cte == "quoted-printable":
        body = qp(data)
    else:
        body = data + b"\r\n"
    return leaf([f"Content-Type: text/plain{ct_sep}charset={cs}{ff}"], cte, body)


def html_part(text, cs, cte, ct_sep="; "):
    c = codec(cs)
    style = "font-family:PMingLiU;font-size:12pt" if c == "big5" else "font-family:微软雅黑;font-size:14px"
    h = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={cs}"></head><body>{html_of(text, style)}</body></html>'
    data = h.encode(c)
    body = b64(data) if cte == "base64" else qp(data)
    return leaf([f"Content-Type: text/html{ct_sep}charset={cs}"], cte, body)


def att_part_2047(a, cs="UTF-8", fold="\r\n\t", single=False, disp="attachment", extra_ct=(), extra_disp=""):
    w = ew(a.name, cs, single=single)
    q = qwords(w, fold)
    return leaf([f"Content-Type: {a.ctype}; \r\n\tname={q}"] + list(extra_ct), "base64", b64(a.data),
                [f"Content-Disposition: {disp}; \r\n\tfilename={q}{extra_disp}"])


# ---- NetEase Coremail webmail (126.com / 163.com) ---------------------------
def r_coremail(m, bigattach=None):
    r = m.r
    name, addr = m.frm
    user, dom = addr.split("@")
    dom = dom.lower()
    host, ip = netease_out(dom, r)
    cip = f"113.{r.randrange(64, 120)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    ms = int(m.date.timestamp() * 1000)
    b_mixed = f"----=_Part_{r.randrange(100000, 999999)}_{r.randrange(10**8, 10**9)}.{ms}"
    b_alt = f"----=_Part_{r.randrange(100000, 999999)}_{r.randrange(10**8, 10**9)}.{ms}"
    hs = [f"Return-Path: <{addr}>",
          getattr(m, "mx_override", None) or mx_received(r, m.depts[0], host, ip, m.idate),
          f"Received: from {user}${dom} ( [{cip}] ) by\r\n ajax-webmail-wmsvr{r.randrange(10, 99)} (Coremail) ; "
          f"{fmt_date(sec(m.idate, -1), cst=True)}",
          f"X-Originating-IP: [{cip}]",
          f"Date: {m.date_hdr or fmt_date(m.date, cst=True)}",
          hdr("From", fmt_addr(name, addr)),
          hdr("To", addr_list(m.to, quoted=True))]
    if m.cc:
        hs.append(hdr("Cc", addr_list(m.cc, quoted=True)))
    hs.append(f"Message-ID: <{r.hexs(7)}.{r.hexs(4)}.{ms:x}.Coremail.{user}@{dom}>")
    hs.append(hdr("Subject", ew(m.subject)))
    if m.in_reply_to:
        hs += [f"In-Reply-To: {m.in_reply_to}", f"References: {m.in_reply_to}"]
    hs.append("MIME-Version: 1.0")
    text = m.text
    if bigattach:
        text = text + bigattach[0]
    alt = [text_part(text, "UTF-8", "base64"),
           leaf(["Content-Type: text/html; charset=UTF-8"], "base64",
                b64((html_of(m.text) + (bigattach[1] if bigattach else "")).encode()))]
    files = [att_part_2047(a) for a in m.atts]
    if files:
        top_ct = f'Content-Type: multipart/mixed; \r\n\tboundary="{b_mixed}"'
    else:
        top_ct = f'Content-Type: multipart/alternative; \r\n\tboundary="{b_alt}"'
    hs.append(top_ct)
    hs += ["X-Priority: 3",
           "X-Mailer: Coremail Webmail Server Version SP_ntes V3.5 build\r\n 20171115(c4ab3d4a) Copyright (c) 2002-2018 www.mailtech.cn "
           + dom.replace(".", ""),
           f"X-CM-TRANSID: {r.hexs(6)}{r.b64id(16)}--.{r.digits(5)}W",
           f"X-CM-SenderInfo: {r.hexs(24)}xfrzihdxaugs",
           "X-Coremail-Antispam: 1U5529EdanIXcx71UUUUU7vcSsGvfC2KfnxnUU=="] + m.extra
    if files:
        return Part(hs, parts=[Part([f'Content-Type: multipart/alternative; \r\n\tboundary="{b_alt}"'],
                                    parts=alt, boundary=b_alt)] + files, boundary=b_mixed)
    return Part(hs, parts=alt, boundary=b_alt)


# ---- Foxmail 7.2 (desktop, GB2312/GBK labels) --------------------------------
def r_foxmail(m, cs="GB2312", smtp_host=None, smtp_by=None, logo=None, pc="DESKTOP"):
    r = m.r
    name, addr = m.frm
    dom = addr.split("@")[1].lower()
    if smtp_by is None:
        host, ip = netease_out(dom, r) if dom in ("126.com", "163.com") else (f"mail.{dom}", f"61.145.{r.randrange(100, 130)}.{r.randrange(2, 250)}")
        smtp_by = f"smtp{r.randrange(1, 15)} (Coremail) with SMTP id {r.b64id(4)}ows{r.b64id(12)}--.{r.digits(5)}S2"
    else:
        host, ip = smtp_host
    cip = f"113.{r.randrange(64, 120)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    n1, n2 = r.digits(12), r.digits(12)
    b1 = f"----=_001_NextPart{n1}_=----"
    b2 = f"----=_002_NextPart{n2}_=----"
    b3 = f"----=_003_NextPart{r.digits(12)}_=----"
    hs = [f"Return-Path: <{addr}>",
          mx_received(r, m.depts[0], host, ip, m.idate),
          f"Received: from {pc}-{r.digits(7)} (unknown [{cip}])\r\n\tby {smtp_by};\r\n\t{fmt_date(sec(m.idate, -2), cst=True)}",
          f"Date: {m.date_hdr or fmt_date(m.date)}",
          hdr("From", fmt_addr(name or addr, addr, cs, quoted=True)),
          hdr("To", addr_list(m.to, cs))]
    if m.cc:
        hs.append(hdr("Cc", addr_list(m.cc, cs)))
    hs.append(hdr("Subject", ew(m.subject, cs, single=True)))
    if m.in_reply_to:
        hs += [f"References: {m.in_reply_to}", f"In-Reply-To: {m.in_reply_to}"]
    hs += ["X-Priority: 3", f"X-GUID: {r.uuid()}", f"X-Has-Attach: {'yes' if m.atts else 'no'}",
           "X-Mailer: Foxmail 7.2.9.115[cn]", "Mime-Version: 1.0",
           f"Message-ID: <{m.date.strftime('%Y%m%d%H%M%S')}{r.digits(8)}@{dom}>"] + m.extra
    alt = Part([f'Content-Type: multipart/alternative;\r\n\tboundary="{b2}"'],
               parts=[text_part(m.text, cs, "base64", ct_sep=";\r\n\t"),
                      html_part(m.text + ("\n[logo]" if logo else ""), cs, "quoted-printable", ct_sep=";\r\n\t")],
               boundary=b2)
    body = alt
    if logo:
        cid = f"_Foxmail.1@{r.uuid().lower()}"
        # the html part references the logo by cid
        h = (f'<html><head><meta http-equiv="content-type" content="text/html; charset={cs}"></head><body>'
             f'{html_of(m.text)}<div><img src="cid:{cid}" border="0"></div></body></html>')
        alt.parts[1] = leaf([f"Content-Type: text/html;\r\n\tcharset=\"{cs}\""], "quoted-printable",
                            qp(h.encode(codec(cs))))
        body = Part([f'Content-Type: multipart/related;\r\n\ttype="multipart/alternative";\r\n\tboundary="{b3}"'],
                    parts=[alt, leaf([f'Content-Type: image/png;\r\n\tname="{logo[0]}"'], "base64", b64(logo[1]),
                                     [f"Content-ID: <{cid}>"])], boundary=b3)
    files = []
    for a in m.atts:
        w = ew(a.name, cs, single=True)[0]
        files.append(leaf([f'Content-Type: application/octet-stream;\r\n\tname="{w}"'], "base64", b64(a.data),
                          [f'Content-Disposition: attachment;\r\n\tfilename="{w}"']))
    if not files:
        hs.append(body.headers[0])
        return Part(hs, parts=body.parts, boundary=body.boundary,
                    preamble="This is a multi-part message in MIME format.\r\n")
    hs.append(f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"')
    return Part(hs, parts=[body] + files, boundary=b1, preamble="This is a multi-part message in MIME format.\r\n")


# ---- QQ Mail webmail (gb18030) -------------------------------------------------
def r_qq(m, bigattach=None):
    r = m.r
    name, addr = m.frm
    epoch = int(m.date.timestamp())
    b1 = f"----=_NextPart_{epoch:08X}_{r.hexs(8, True)}_{r.hexs(8, True)}"
    b2 = f"----=_NextPart_{epoch:08X}_{r.hexs(8, True)}_{r.hexs(8, True)}"
    smtp_n = r.randrange(60, 120)
    cip = f"14.{r.randrange(16, 30)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    hs = [f"Return-Path: <{addr}>",
          mx_received(r, m.depts[0], f"smtpbg{smtp_n}.qq.com", f"183.3.226.{smtp_n + 100}", m.idate),
          f"Received: from qq.com (unknown [127.0.0.1])\r\n\tby smtp.qq.com (ESMTP) with SMTP\r\n\tid ; {fmt_date(sec(m.idate, -1), cst=True)}",
          f"X-QQ-FEAT: {r.hexs(24)}/{r.hexs(20)}",
          "X-QQ-SSF: 00000000000000F000000000000000Z",
          f"X-HAS-ATTACH: {'yes' if m.atts else 'no'}",
          "X-QQ-BUSINESS-ORIGIN: 2",
          f"X-Originating-IP: {cip}",
          "X-QQ-STYLE: ",
          f"X-QQ-mid: webmail{r.randrange(100, 999)}t{epoch}t{r.randrange(100000, 999999)}",
          hdr("From", f'"{ew(name, "gb18030")[0]}" <{addr}>'),
          hdr("To", ",\r\n\t".join(f'"{ew(n or a.split("@")[0], "gb18030")[0]}" <{a}>' for n, a in m.to))]
    if m.cc:
        hs.append(hdr("Cc", ",\r\n\t".join(f'"{ew(n or a.split("@")[0], "gb18030")[0]}" <{a}>' for n, a in m.cc)))
    hs.append(hdr("Subject", ew(m.subject, "gb18030")))
    if m.in_reply_to:
        hs.append(f"In-Reply-To: {m.in_reply_to}")
    top = b1 if m.atts else b2
    hs += ["Mime-Version: 1.0",
           f'Content-Type: multipart/{"mixed" if m.atts else "alternative"};\r\n\tboundary="{top}"',
           "Content-Transfer-Encoding: 8Bit",
           f"Date: {m.date_hdr or fmt_date(m.date)}", "X-Priority: 3",
           f"Message-ID: <tencent_{r.hexs(36, True)}@qq.com>",
           "X-QQ-MIME: TCMime 1.0 by Tencent", "X-Mailer: QQMail 2.x", "X-QQ-Mailer: QQMail 2.x"] + m.extra
    alt_parts = [text_part(m.text + (bigattach[0] if bigattach else ""), "gb18030", "base64", ct_sep=";\r\n\t"),
                 leaf(['Content-Type: text/html;\r\n\tcharset="gb18030"'], "base64",
                      b64(('<meta http-equiv="Content-Type" content="text/html; charset=GB18030">' + html_of(m.text)
                           + (bigattach[1] if bigattach else "")).encode("gb18030")))]
    pre = "This is a multi-part message in MIME format.\r\n"
    if not m.atts:
        return Part(hs, parts=alt_parts, boundary=b2, preamble=pre)
    files = []
    for a in m.atts:
        w = ew(a.name, "gb18030", single=True)[0]
        files.append(Part([f'Content-Type: application/octet-stream;\r\n\tcharset="gb18030";\r\n\tname="{w}"',
                          f'Content-Disposition: attachment; filename="{w}"',
                          "Content-Transfer-Encoding: base64"], b64(a.data)))
    return Part(hs, parts=[Part([f'Content-Type: multipart/alternative;\r\n\tboundary="{b2}"'], parts=alt_parts, boundary=b2)]
                + files, boundary=b1, preamble=pre)


# ---- Microsoft Outlook 2016 desktop over plain SMTP ---------------------------
def r_outlook(m, cs="gb2312", smtp=None, rfc2231_names=True, reply_index=False):
    r = m.r
    name, addr = m.frm
    dom = addr.split("@")[1].lower()
    tag = f"01D3{r.hexs(4, True)}.{r.hexs(8, True)}"
    b1 = f"----=_NextPart_000_{r.randrange(1, 99):04X}_{tag}"
    b2 = f"----=_NextPart_001_{r.randrange(1, 99):04X}_{tag}"
    host, ip = smtp if smtp else netease_out(dom, r)
    cip = f"183.{r.randrange(1, 60)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    hs = [f"Return-Path: <{addr}>", mx_received(r, m.depts[0], host, ip, m.idate)]
    if dom in ("126.com", "163.com"):
        hs.append(f"Received: from DESKTOP{r.hexs(7, True)} (unknown [{cip}])\r\n\tby smtp{r.randrange(1, 15)} (Coremail) "
                  f"with SMTP id {r.b64id(4)}ows{r.b64id(12)}--.{r.digits(5)}S2;\r\n\t{fmt_date(sec(m.idate, -2), cst=True)}")
    hs += [hdr("From", fmt_addr(name, addr, cs, quoted=True)),
           hdr("To", addr_list(m.to, cs, quoted=True))]
    if m.cc:
        hs.append(hdr("Cc", addr_list(m.cc, cs, quoted=True)))
    if m.in_reply_to:
        hs += [f"References: {m.in_reply_to}", f"In-Reply-To: {m.in_reply_to}"]
    hs += [hdr("Subject", ew(m.subject, cs)),
           f"Date: {m.date_hdr or fmt_date(m.date)}",
           f"Message-ID: <000001d3{r.hexs(4)}${r.hexs(8)}${r.hexs(8)}$@{dom}>",
           "MIME-Version: 1.0",
           f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"',
           "X-Mailer: Microsoft Outlook 16.0",
           f"Thread-Index: Ad{r.b64id(30)}==",
           "Content-Language: zh-cn"] + m.extra
    alt = Part([f'Content-Type: multipart/alternative;\r\n\tboundary="{b2}"'],
               parts=[text_part(m.text, cs, "base64", ct_sep=";\r\n\t"),
                      html_part(m.text, cs, "quoted-printable", ct_sep=";\r\n\t")], boundary=b2)
    files = []
    for a in m.atts:
        w = ew(a.name, cs)
        disp = ("Content-Disposition: attachment;\r\n\t" + rfc2231("filename", a.name)) if rfc2231_names \
            else f"Content-Disposition: attachment;\r\n\tfilename={qwords(w)}"
        files.append(leaf([f"Content-Type: {a.ctype};\r\n\tname={qwords(w)}"], "base64", b64(a.data), [disp]))
    return Part(hs, parts=[alt] + files, boundary=b1, preamble="This is a multipart message in MIME format.\r\n")


# ---- Exchange / Outlook in an organisation (or Exchange Online) -----------------
def r_exchange(m, org_host, cs="gb2312", online=False, rfc2231_names=False):
    r = m.r
    name, addr = m.frm
    dom = addr.split("@")[1].lower()
    tag = r.hexs(32, True)
    short = org_host.split(".")[0].replace("-", "")
    b1 = f"_004_{tag}{short}_"
    b2 = f"_000_{tag}{short}_"
    if online:
        hs = [f"Return-Path: <{addr}>",
              mx_received(r, m.depts[0], "APC01-PU1-obe.outbound.protection.outlook.com", "104.47.126.88", m.idate),
              f"Received: from {org_host} (2603:1096:203:{r.hexs(2)}::{r.hexs(2)}) by\r\n {org_host} (2603:1096:203:{r.hexs(2)}::{r.hexs(2)}) with Microsoft SMTP\r\n"
              f" Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id\r\n 15.20.407.7; {fmt_date(sec(m.idate, -2).astimezone(dt.timezone.utc), tz='+0000')}"]
    else:
        hs = [f"Return-Path: <{addr}>",
              mx_received(r, m.depts[0], f"mail.{dom}", f"61.145.110.{r.randrange(20, 60)}", m.idate, helo_ip_known=True),
              f"Received: from {org_host} ({r.choice(['10.8.1.21', '10.8.1.22'])}) by\r\n {org_host} ({r.choice(['10.8.1.21', '10.8.1.22'])}) with Microsoft SMTP Server\r\n"
              f" (TLS) id 15.0.1263.5; {fmt_date(sec(m.idate, -2))}"]
    hs += [hdr("From", fmt_addr(name, addr, cs)),
           hdr("To", addr_list(m.to, cs, quoted=True))]
    if m.cc:
        hs.append(hdr("CC", addr_list(m.cc, cs, quoted=True)))
    hs += [hdr("Subject", ew(m.subject, cs)),
           hdr("Thread-Topic", ew(m.subject.split(": ", 1)[-1], cs)),
           f"Thread-Index: AdO{r.b64id(29)}==",
           f"Date: {m.date_hdr or fmt_date(m.date.astimezone(dt.timezone.utc), tz='+0000')}",
           f"Message-ID: <{r.hexs(32, True) if not online else r.hexs(28, True)}@{org_host}>"]
    if m.in_reply_to:
        hs += [f"References: {m.in_reply_to}", f"In-Reply-To: {m.in_reply_to}"]
    hs += ["Accept-Language: zh-CN, en-US", "Content-Language: zh-CN",
           f"X-MS-Has-Attach: {'yes' if m.atts else ''}", "X-MS-TNEF-Correlator: ",
           f"x-originating-ip: [10.8.{r.randrange(2, 30)}.{r.randrange(2, 250)}]"] + m.extra
    hs += [f'Content-Type: multipart/{"mixed" if m.atts else "alternative"};\r\n\tboundary="{b1 if m.atts else b2}"',
           "MIME-Version: 1.0"]
    alt_parts = [text_part(m.text, cs, "base64"),
                 html_part(m.text, cs, "base64")]
    if not m.atts:
        return Part(hs, parts=alt_parts, boundary=b2)
    files = []
    for a in m.atts:
        w = ew(a.name, cs)
        cd = fmt_date(sec(m.date, -600).astimezone(dt.timezone.utc), tz="GMT")
        fn = rfc2231("filename", a.name) if rfc2231_names else f"filename={qwords(w)}"
        files.append(leaf([f"Content-Type: {a.ctype};\r\n\tname={qwords(w)}",
                           hdr("Content-Description", w)], None, b64(a.data),
                          [f'Content-Disposition: attachment;\r\n\t{fn}; size={len(a.data)};\r\n\t'
                           f'creation-date="{cd}";\r\n\tmodification-date="{cd}"',
                           "Content-Transfer-Encoding: base64"]))
    return Part(hs, parts=[Part([f'Content-Type: multipart/alternative;\r\n\tboundary="{b2}"'], parts=alt_parts, boundary=b2)]
                + files, boundary=b1)


# ---- iOS Mail ---------------------------------------------------------------
def r_iphone(m, inline_imgs=True, x_mailer="iPhone Mail (15C202)"):
    r = m.r
    name, addr = m.frm
    dom = addr.split("@")[1].lower()
    b = f"Apple-Mail-{r.uuid()}"
    host, ip = netease_out(dom, r)
    cip = f"223.104.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    hs = [f"Return-Path: <{addr}>", mx_received(r, m.depts[0], host, ip, m.idate),
          f"Received: from [10.{r.randrange(1, 250)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}] (unknown [{cip}])\r\n"
          f"\tby smtp{r.randrange(1, 15)} (Coremail) with SMTP id {r.b64id(4)}ows{r.b64id(12)}--.{r.digits(5)}S2;\r\n\t{fmt_date(sec(m.idate, -2), cst=True)}",
          f"Content-Type: multipart/mixed; boundary={b}",
          "Content-Transfer-Encoding: 7bit",
          hdr("From", fmt_addr(name, addr)),
          "Mime-Version: 1.0 (1.0)" if x_mailer.startswith("iPhone") else "Mime-Version: 1.0 (Mac OS X Mail 11.2 \\(3445.5.20\\))",
          f"Date: {m.date_hdr or fmt_date(m.date)}",
          hdr("Subject", ew(m.subject, "utf-8")),
          f"Message-Id: <{r.uuid()}@{dom}>",
          hdr("To", addr_list(m.to)),
          f"X-Mailer: {x_mailer}"] + m.extra
    parts = [text_part(m.text, "utf-8", "base64", ct_sep=";\r\n\t")]
    for a in m.atts:
        if a.ctype.startswith("image/") and inline_imgs:
            parts.append(leaf([f"Content-Type: {a.ctype};\r\n\tname={a.name};\r\n\tx-apple-part-url={r.uuid()}"],
                              None, b64(a.data),
                              [f"Content-Disposition: inline;\r\n\tfilename={a.name}", "Content-Transfer-Encoding: base64"]))
        else:
            w = ew(a.name, "utf-8")
            parts.append(leaf([f"Content-Type: {a.ctype};\r\n\tname={qwords(w)};\r\n\tx-unix-mode=0644"], None, b64(a.data),
                              ["Content-Disposition: attachment;\r\n\t" + rfc2231("filename", a.name, cont=True),
                               "Content-Transfer-Encoding: base64"]))
    parts.append(text_part("\n", "utf-8", "7bit", ct_sep=";\r\n\t"))
    return Part(hs, parts=parts, boundary=b)


# ---- NetEase Mail Master (Android) ----------------------------------------------
def r_mailmaster(m):
    r = m.r
    name, addr = m.frm
    dom = addr.split("@")[1].lower()
    host, ip = netease_out(dom, r)
    ms = int(m.date.timestamp() * 1000)
    b = f"----=_Part_{r.randrange(1, 9)}_{r.randrange(10**8, 10**9)}.{ms}"
    cip = f"117.136.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    hs = [f"Return-Path: <{addr}>", mx_received(r, m.depts[0], host, ip, m.idate),
          f"Received: from [{cip}] (unknown [{cip}])\r\n\tby smtp{r.randrange(1, 15)} (Coremail) with SMTP id {r.b64id(4)}ows{r.b64id(12)}--.{r.digits(5)}S2;\r\n"
          f"\t{fmt_date(sec(m.idate, -2), cst=True)}",
          f"Date: {m.date_hdr or fmt_date(m.date)}",
          hdr("From", fmt_addr(name, addr)),
          hdr("To", addr_list(m.to)),
          f"Message-ID: <{r.hexs(8)}.{r.hexs(4)}.{ms:x}.mailmaster@{dom}>",
          hdr("Subject", ew(m.subject)),
          "MIME-Version: 1.0",
          f'Content-Type: multipart/mixed; \r\n\tboundary="{b}"',
          "X-Mailer: MailMaster_Android/5.6.2.1014"] + m.extra
    parts = [text_part(m.text, "UTF-8", "base64")] + [att_part_2047(a) for a in m.atts]
    return Part(hs, parts=parts, boundary=b)


# ---- Thunderbird 52 ------------------------------------------------------------
def r_thunderbird(m):
    r = m.r
    name, addr = m.frm
    dom = addr.split("@")[1].lower()
    host, ip = netease_out(dom, r)
    b = "------------" + r.hexs(24, True)
    cip = f"113.{r.randrange(64, 120)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    hs = [f"Return-Path: <{addr}>", mx_received(r, m.depts[0], host, ip, m.idate),
          f"Received: from [192.168.1.{r.randrange(100, 200)}] (unknown [{cip}])\r\n\tby smtp{r.randrange(1, 15)} (Coremail) with SMTP id "
          f"{r.b64id(4)}ows{r.b64id(12)}--.{r.digits(5)}S2;\r\n\t{fmt_date(sec(m.idate, -2), cst=True)}",
          hdr("To", addr_list(m.to)),
          hdr("From", fmt_addr(name, addr)),
          hdr("Subject", ew(m.subject)),
          f"Message-ID: <{r.uuid().lower()}@{dom}>",
          f"Date: {m.date_hdr or fmt_date(m.date)}",
          "User-Agent: Mozilla/5.0 (Windows NT 10.0; WOW64; rv:52.0) Gecko/20100101\r\n Thunderbird/52.5.2",
          "MIME-Version: 1.0",
          f'Content-Type: multipart/mixed;\r\n boundary="{b}"',
          "Content-Language: zh-CN"] + m.extra
    parts = [text_part(m.text, "utf-8", "8bit", fmt_flowed=True)]
    for a in m.atts:
        parts.append(leaf([f"Content-Type: {a.ctype};\r\n " + rfc2231("name", a.name, cont=True, lead="\r\n ")],
                          "base64", b64(a.data, 72),
                          ["Content-Disposition: attachment;\r\n " + rfc2231("filename", a.name, cont=True, lead="\r\n ")]))
    return Part(hs, parts=parts, boundary=b, preamble="This is a multi-part message in MIME format.")


# ---- Windows Live Mail, Traditional Chinese (Big5) -----------------------------
def r_wlm(m):
    r = m.r
    name, addr = m.frm
    tag = f"01D3{r.hexs(4, True)}.{r.hexs(8, True)}"
    b1 = f"----=_NextPart_000_{r.randrange(1, 20):04X}_{tag}"
    b2 = f"----=_NextPart_001_{r.randrange(20, 40):04X}_{tag}"
    hs = [f"Return-Path: <{addr}>",
          mx_received(r, m.depts[0], "APC01-SG2-obe.outbound.protection.outlook.com", "104.47.125.61", m.idate),
          hdr("From", fmt_addr(name, addr, "big5", quoted=True)),
          hdr("To", addr_list(m.to, "big5", bracket_bare=True)),
          hdr("Subject", ew(m.subject, "big5")),
          f"Date: {m.date_hdr or fmt_date(m.date)}",
          f"Message-ID: <{r.b64id(20)}@PHX.gbl>",
          "MIME-Version: 1.0",
          f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"',
          "X-Priority: 3", "X-MSMail-Priority: Normal", "Importance: Normal",
          "X-Mailer: Microsoft Windows Live Mail 16.4.3528.331",
          "X-MimeOLE: Produced By Microsoft MimeOLE V16.4.3528.331"] + m.extra
    alt = Part([f'Content-Type: multipart/alternative;\r\n\tboundary="{b2}"'],
               parts=[text_part(m.text, "big5", "base64", ct_sep=";\r\n\t"),
                      html_part(m.text, "big5", "quoted-printable", ct_sep=";\r\n\t")], boundary=b2)
    files = []
    for a in m.atts:
        w = ew(a.name, "big5")
        files.append(leaf([f"Content-Type: {a.ctype};\r\n\tname={qwords(w)}"], "base64", b64(a.data),
                          [f"Content-Disposition: attachment;\r\n\tfilename={qwords(w)}"]))
    return Part(hs, parts=[alt] + files, boundary=b1, preamble="This is a multi-part message in MIME format.\r\n")


# ---- PHPMailer-based OA system ---------------------------------------------------
def r_phpmailer(m, raw_headers=False, oa_host="oa.dg.gov.test", oa_ip="61.145.111.40"):
    r = m.r
    name, addr = m.frm
    b1 = "b1_" + r.hexs(32)
    hs = [f"Return-Path: <{addr}>",
          mx_received(r, m.depts[0], oa_host, oa_ip, m.idate),
          f"Date: {m.date_hdr or fmt_date(m.date)}",
          hdr("To", addr_list(m.to))]
    if raw_headers:
        hs.append(f"From: {name} <{addr}>".encode("utf-8"))
        hs.append(f"Subject: {m.subject}".encode("utf-8"))
    else:
        hs.append(hdr("From", fmt_addr(name, addr, "utf-8")))
        hs.append(hdr("Subject", ew(m.subject, "UTF-8")))
    hs += [f"Message-ID: <{r.hexs(32)}@{oa_host}>",
           "X-Mailer: PHPMailer 5.2.14 (https://github.com/PHPMailer/PHPMailer)",
           "MIME-Version: 1.0",
           f'Content-Type: multipart/mixed;\r\n\tboundary="{b1}"',
           "Content-Transfer-Encoding: 8bit"] + m.extra
    html = "".join(f"<p>{xesc(l)}</p>" for l in m.text.split("\n") if l.strip())
    parts = [leaf(["Content-Type: text/html; charset=utf-8"], "8bit", html.encode("utf-8") + b"\r\n")]
    for a in m.atts:
        if raw_headers:
            parts.append(Part([f'Content-Type: {a.ctype}; name="{a.name}"'.encode("utf-8"),
                               b"Content-Transfer-Encoding: base64",
                               f'Content-Disposition: attachment; filename="{a.name}"'.encode("utf-8")], b64(a.data)))
        else:
            w = " ".join(ew(a.name, "UTF-8", maxlen=500))
            parts.append(Part([f'Content-Type: {a.ctype}; name="{w}"', "Content-Transfer-Encoding: base64",
                               f'Content-Disposition: attachment; filename="{w}"'], b64(a.data)))
    return Part(hs, parts=parts, boundary=b1, preamble="This is a multi-part message in MIME format.")


# ---- JavaMail-based OA (Q-encoded words) ---------------------------------------------
def r_javamail(m, oa="QT-OA01"):
    r = m.r
    name, addr = m.frm
    dom = addr.split("@")[1].lower()
    host, ip = netease_out(dom, r)
    ms = int(m.date.timestamp() * 1000)
    b = f"----=_Part_{r.randrange(1, 9)}_{r.randrange(10**8, 2 * 10**9)}.{ms}"
    hs = [f"Return-Path: <{addr}>", mx_received(r, m.depts[0], host, ip, m.idate),
          f"Received: from {oa} (unknown [61.145.{r.randrange(100, 130)}.{r.randrange(2, 250)}])\r\n\tby smtp{r.randrange(1, 15)} (Coremail) "
          f"with SMTP id {r.b64id(4)}ows{r.b64id(12)}--.{r.digits(5)}S2;\r\n\t{fmt_date(sec(m.idate, -1), cst=True)}",
          f"Date: {m.date_hdr or fmt_date(m.date, cst=True)}",
          hdr("From", fmt_addr(name, addr, "UTF-8", enc="Q")),
          hdr("To", addr_list(m.to)),
          f"Message-ID: <{r.randrange(10**8, 2 * 10**9)}.{r.randrange(1, 20)}.{ms}.JavaMail.Administrator@{oa}>",
          hdr("Subject", ew(m.subject, "UTF-8", "Q")),
          "MIME-Version: 1.0",
          f'Content-Type: multipart/mixed; \r\n\tboundary="{b}"'] + m.extra
    parts = [text_part(m.text, "UTF-8", "quoted-printable")]
    for a in m.atts:
        w = ew(a.name, "UTF-8", "Q")
        parts.append(leaf([f"Content-Type: {a.ctype}; \r\n\tname={qwords(w)}"], "base64", b64(a.data),
                          [f"Content-Disposition: attachment; \r\n\tfilename={qwords(w)}"]))
    return Part(hs, parts=parts, boundary=b)


# ---- K-9 Mail (Android) --------------------------------------------------------------
def r_k9(m, close=True):
    r = m.r
    name, addr = m.frm
    dom = addr.split("@")[1].lower()
    host, ip = netease_out(dom, r)
    b = "----" + "".join(r.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(30))
    cip = f"117.136.{r.randrange(1, 250)}.{r.randrange(2, 250)}"
    hs = [f"Return-Path: <{addr}>", mx_received(r, m.depts[0], host, ip, m.idate),
          f"Received: from [10.{r.randrange(1, 250)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}] (unknown [{cip}])\r\n"
          f"\tby smtp{r.randrange(1, 15)} (Coremail) with SMTP id {r.b64id(4)}ows{r.b64id(12)}--.{r.digits(5)}S2;\r\n\t{fmt_date(sec(m.idate, -2), cst=True)}",
          "MIME-Version: 1.0",
          f'Content-Type: multipart/mixed; boundary="{b}"',
          f"Date: {m.date_hdr or fmt_date(m.date)}",
          "User-Agent: K-9 Mail for Android",
          hdr("Subject", ew(m.subject, "UTF-8")),
          hdr("To", addr_list(m.to)),
          hdr("From", fmt_addr(name, addr)),
          f"Message-ID: <{r.uuid().lower()}@email.android.com>"] + m.extra
    parts = [text_part(m.text, "utf-8", "quoted-printable")]
    for a in m.atts:
        w = ew(a.name, "UTF-8")
        parts.append(leaf([f"Content-Type: {a.ctype};\r\n name={qwords(w, chr(13)+chr(10)+' ')}"], "base64", b64(a.data),
                          [f"Content-Disposition: attachment;\r\n filename={qwords(w, chr(13)+chr(10)+' ')}"]))
    return Part(hs, parts=parts, boundary=b, close=close)


# ---- 139 Mail (China Mobile webmail) forwarding as attachment ------------------------------
def r_139(m, inner_bytes, inner_name):
    r = m.r
    name, addr = m.frm
    b = f"----=_Part_{r.randrange(100000, 999999)}_{r.randrange(10**8, 10**9)}.{int(m.date.timestamp()*1000)}"
    hs = [f"Return-Path: <{addr}>",
          mx_received(r, m.depts[0], "n{}.mail.139.com".format(r.randrange(30, 90)), f"221.176.66.{r.randrange(60, 90)}", m.idate),
          f"X-RM-TRANSID: {r.b64id(24)}",
          "X-RM-SPAM-FLAG: 00000000",
          f"Received:from {r.b64id(10)} (unknown[223.104.{r.randrange(1, 250)}.{r.randrange(2, 250)}])\r\n\tby rmsmtp-rmapp-{r.randrange(10, 40)} (RichMail) with SMTP id {r.hexs(20)};\r\n"
          f"\t{m.date.strftime('%a, %d %b %Y %H:%M:%S +0800 (CST)')}",
          f"Date: {m.date_hdr or fmt_date(m.date, cst=True)}",
          hdr("From", fmt_addr(name, addr)),
          hdr("To", addr_list(m.to)),
          f"Message-ID: <{r.randrange(10**9, 4 * 10**9)}.{r.randrange(1000, 9999)}.{int(m.date.timestamp()*1000)}.JavaMail.root@rmapp-{r.randrange(10, 40)}>",
          hdr("Subject", ew(m.subject)),
          "MIME-Version: 1.0",
          f'Content-Type: multipart/mixed; \r\n\tboundary="{b}"',
          "X-Priority: 3", "X-RM-TRACE-ID: 0", "X-Mailer: Richmail 2.0"] + m.extra
    w = ew(inner_name)
    parts = [Part([f'Content-Type: multipart/alternative; \r\n\tboundary="{b}_alt"'],
                  parts=[text_part(m.text, "UTF-8", "base64"), html_part(m.text, "UTF-8", "base64")], boundary=b + "_alt"),
             Part([f"Content-Type: message/rfc822; \r\n\tname={qwords(w)}",
                   "Content-Transfer-Encoding: 7bit",
                   f"Content-Disposition: attachment; \r\n\tfilename={qwords(w)}"], inner_bytes)]
    return Part(hs, parts=parts, boundary=b)


# --------------------------------------------------------------------------
# document content
# --------------------------------------------------------------------------
PROJECT_TITLES = ["青少年思想引领及青年人才工作", "推进和落实共青团深化改革工作", "“网上共青团”建设工作",
                  "团干部直接联系青年工作", "服务大局、服务青年重点工作项目"]
FORM_TITLE = "2017年东莞共青团工作开展情况表"


def form_texts(seed):
    r = Rng("form" + seed)
    n = lambda a, b: r.randrange(a, b)  # noqa: E731
    return [
        f"深入学习宣传贯彻党的十九大精神，组织开展“青春心向党·建功新时代”主题团日活动{n(12, 60)}场，覆盖团员青年{n(1500, 15000)}人次；"
        f"开展“我的中国梦”“四进四信”主题教育活动{n(6, 30)}场；推进“青网计划”，组建网络文明志愿者队伍{n(30, 200)}人；"
        f"新创建市级以上青年文明号{n(1, 5)}个，推荐参加“展翅计划”大学生{n(20, 120)}名。",
        f"按要求配备专职团干{n(3, 12)}名；组织基层团干部教育培训{n(2, 9)}期、{n(80, 400)}人次；全年发展团员{n(60, 400)}名，"
        f"团费按季度收缴；基层团组织落实“三会两制一课”；推进少先队和中学共青团改革；“学习总书记讲话，做合格共青团员”教育实践覆盖团员{n(90, 99)}%。",
        f"“青年之声”平台全年发布问题{n(300, 2000)}条，回复率{n(85, 100)}%；“智慧团建”系统录入团组织{n(40, 300)}个、团员{n(2000, 20000)}名，"
        f"2016、2017年新团员录入率100%；团属公众号全年推送{n(80, 300)}期，最高单篇阅读{n(3000, 30000)}次。",
        f"团委书记及专职团干在“1+100”系统直接联系青年{n(600, 2000)}人，客户端活跃率{n(70, 99)}%；开展线上线下青年活动{n(20, 90)}场；"
        f"回复青年之声提问及活动留言{n(200, 900)}条。",
        f"依托“i志愿”系统注册志愿者{n(3000, 30000)}人，开展志愿服务活动{n(100, 900)}场；举办青年创新创业沙龙、培训{n(3, 15)}场；"
        f"实施“圆梦计划”资助外来务工青年{n(20, 150)}名；开展青少年禁毒、法治宣传教育活动{n(10, 60)}场。",
    ]


def _form_cells(fills, seed):
    t = form_texts(seed)
    out = []
    for i, f in enumerate(fills):
        out.append(t[i] if f == "F" else ("/" if f == "/" else ""))
    return out


def form_xlsx(unit_cell, fills, seed, shared=False, split=False, ztime=(2018, 1, 19, 16, 0, 0)):
    cells = _form_cells(fills, seed)
    rows = [[FORM_TITLE, None, None],
            (["填表单位：", unit_cell, None] if split else [f"填表单位：{unit_cell}", None, None]),
            ["序号", "考核项目", "工作开展情况"]]
    for i, c in enumerate(cells):
        rows.append([f"（{'一二三四五'[i]}）", PROJECT_TITLES[i], c or None])
    return xlsx(rows, shared=shared, merges=["A1:C1"] + ([] if split else ["A2:C2"]),
                heights={4: 120, 5: 120, 6: 120, 7: 120, 8: 120}, title=FORM_TITLE, ztime=ztime)


def form_docx(unit_cell, fills, seed, ztime=(2018, 1, 21, 15, 0, 0)):
    cells = _form_cells(fills, seed)
    table = [["序号", "考核项目", "工作开展情况"]] + [[f"（{'一二三四五'[i]}）", PROJECT_TITLES[i], c] for i, c in enumerate(cells)]
    return docx(["附件", FORM_TITLE, f"填表单位：{unit_cell}"], table, title=FORM_TITLE, ztime=ztime)


def form_ods(unit_cell, fills, seed):
    cells = _form_cells(fills, seed)
    rows = [[FORM_TITLE], [f"填表单位：{unit_cell}", None, None], ["序号", "考核项目", "工作开展情况"]]
    rows += [[f"（{'一二三四五'[i]}）", PROJECT_TITLES[i], c] for i, c in enumerate(cells)]
    return ods(rows)


GENERIC_PARAS = [
    "一、基本情况", "2017年，在团市委的正确领导和镇（街道）党委的关心支持下，我单位团委紧紧围绕年度重点工作，扎实推进各项工作任务。",
    "二、主要做法", "（一）强化组织领导，明确责任分工，建立工作台账。", "（二）创新工作方式，注重线上线下结合，扩大工作覆盖面。",
    "（三）加强宣传推广，及时总结经验，形成工作特色。", "三、存在问题及下一步打算",
    "下一步，我们将进一步总结经验、查找不足，推动各项工作再上新台阶。",
]


def stem(name):
    return name.rsplit(".", 1)[0]


def doc_docx(name, seed="", ztime=(2018, 1, 20, 9, 0, 0)):
    t = stem(name.replace("\\", "/").split("/")[-1]).lstrip("~$")
    r = Rng("docx" + name + seed)
    paras = [t] + GENERIC_PARAS[: r.randrange(5, len(GENERIC_PARAS) + 1)]
    return docx(paras, title=t, ztime=ztime)


def doc_pdf(name, seed=""):
    t = stem(name.split("/")[-1])
    r = Rng("pdf" + name + seed)
    return pdf([t] + GENERIC_PARAS[: r.randrange(4, len(GENERIC_PARAS) + 1)],
               created=f"D:201801{r.randrange(10, 25)}{r.randrange(8, 18):02d}{r.randrange(0, 60):02d}00+08'00'")


def sheet(name, headers, nrows, seed=""):
    r = Rng("xlsx" + name + seed)
    fam = "陈李黄张梁何罗叶钟林刘袁谭邓周"
    giv = "晓志嘉伟敏婷俊明丽静海文慧欣华"
    rows = [[stem(name.split("/")[-1])], headers]
    for i in range(nrows):
        row = [i + 1]
        for h in headers[1:]:
            if "姓名" in h:
                row.append(r.choice(fam) + r.choice(giv) + r.choice(giv))
            elif "人数" in h or "数" in h:
                row.append(r.randrange(5, 400))
            elif "日期" in h or "时间" in h:
                row.append(f"2017-{r.randrange(1, 13):02d}-{r.randrange(1, 29):02d}")
            else:
                row.append(r.choice(["已完成", "正常", "合格", "是"]))
        rows.append(row)
    return xlsx(rows, widths=(8, 16, 16, 16, 16, 16), merges=[f"A1:{_col(len(headers)-1)}1"])


def A(name, kind=None, **kw):
    """attachment with generated content chosen by extension"""
    ext = name.rsplit(".", 1)[-1].lower()
    seed = kw.pop("seed", "")
    if "data" in kw:
        return Att(name, kw.pop("data"), **kw)
    if ext == "docx":
        data = doc_docx(name, seed)
    elif ext == "pdf":
        data = doc_pdf(name, seed)
    elif ext == "xlsx":
        data = sheet(name, kw.pop("headers", ["序号", "姓名", "所在单位", "人数"]), kw.pop("nrows", 12), seed)
    elif ext == "png":
        data = png(kw.pop("w", 480), kw.pop("h", 300), name + seed)
    elif ext == "jpg":
        data = jpeg(kw.pop("w", 800), kw.pop("h", 600), name + seed)
    else:
        raise ValueError(name)
    return Att(name, data, **kw)


def zip_att(name, entries, *, enc="utf-8", utf8flag=None, unix=False, password=None, when=(2018, 1, 22, 16, 40, 0)):
    """entries: list of (path, bytes|None for directory|tuple precompressed)"""
    z = ZipW()
    names = []
    for path, data in entries:
        if path.endswith("/"):
            z.add(path, enc=enc, utf8flag=utf8flag, unix=unix, when=when)
        elif isinstance(data, tuple):
            z.add(path, enc=enc, utf8flag=utf8flag, unix=unix, pre=data, when=when, password=password)
        else:
            z.add(path, data, enc=enc, utf8flag=utf8flag, unix=unix, password=password, when=when)
        names.append(path)
    return Att(name, z.bytes(), "application/zip" if not name.endswith(".rar") else None, members=zip_members(names))


def to(dept, name="default"):
    if name == "default":
        name = DEPT_DISPLAY[dept]
    return (name, DEPT_MAILBOX[dept])


# Message-IDs of the departments' own mails that units reply to
ORG_REMINDER_ID = "<2aed3f5.6176.1611b613a1c.Coremail.tswzzb3@126.com>"
PUB_REMINDER_ID = "<5c19e07.3b2a.1611b6a0f3e.Coremail.2219564@163.com>"
ORG_NOTICE_ID = "<7d1e3a9.1f0c.16034a5e8b2.Coremail.tswzzb3@126.com>"
REMINDER_SUBJECT = "关于提醒报送2017年度共青团工作考核材料的通知"
REMINDER_TEXT = ("各镇（街道）、厂局团委：\n  请按照东团通〔2017〕23号通知要求，于2018年1月26日下午下班前将工作开展情况表和支撑材料"
                 "分项目以电子文档形式发送至相关科室，逾期不报将不纳入本年度评优范围。\n团市委组织部")


# --------------------------------------------------------------------------
# the messages
# --------------------------------------------------------------------------
MESSAGES = []


def add(m, render, *, kind="submission", unit=None, projects=(), items=(), flags=(), case="",
        num=(), resub=False, material=None):
    """m: Msg; render: f(m) -> Part or bytes; flags: content flags (the rule engine adds the rest);
    num: items/projects named by numbers/“项目X” rather than keywords (for the self-check)"""
    m.render = render
    m.expect = dict(kind=kind, unit=unit, projects=sorted(projects), items=sorted(items), flags=list(flags),
                    case=case, num=list(num), resub=resub)
    m.material = material if material is not None else [a for a in m.atts if a.material]
    MESSAGES.append(m)
    return m


def S(slug, idate, depts, frm, subject, body, atts=(), **kw):
    return Msg(slug=slug, idate=idate, depts=list(depts), frm=frm, subject=subject, body=body, atts=list(atts), **kw)


def build_messages():
    # 001 -----------------------------------------------------------------
    m = S("001-guancheng-foxmail-zhtj", "2018-01-17T10:12:31+08:00", ["org"],
          ("guanchengtw@163.com", "guanchengtw@163.com"),
          "【莞城】2017年度考核材料（智慧团建）",
          "组织部：\n    您好！现将莞城街道团工委2017年度“智慧团建”工作开展情况及系统录入截图报送给你们，请查收。\n"
          "    如有问题请联系，谢谢！\n\n莞城街道团工委  叶嘉欣\n电话：0769-22113567\n",
          [A("莞城街道团工委2017年智慧团建工作情况.docx"), A("智慧团建系统录入进度截图.png", w=640, h=360)],
          to=[("tswzzb3", DEPT_MAILBOX["org"])])
    add(m, lambda m: r_foxmail(m, "GB2312"), unit="guancheng", projects=["3"], items=["3.2"],
        case="Bracketed-abbreviation subject 【莞城】…（智慧团建） -> item 3.2 to org; registered sender; Foxmail, GB2312 labels, RFC 2047 filenames")

    # 002 -----------------------------------------------------------------
    m = S("002-guancheng-iphone-19da-school", "2018-01-16T10:05:00+08:00", ["school"],
          ("莞城团工委", "guanchengtw@163.com"),
          "莞城街道学习贯彻十九大精神工作材料",
          "学校部余老师：\n您好！附件是莞城街道团工委学习贯彻党的十九大精神系列工作材料和两张活动照片，请查收。\n\n发自我的 iPhone",
          [A("莞城街道团工委学习贯彻十九大精神工作情况.pdf"), A("IMG_0412.JPG", data=jpeg(1024, 768, "g412", "iPhone 7")),
           A("IMG_0415.JPG", data=jpeg(1024, 768, "g415", "iPhone 7"))])
    add(m, r_iphone, unit="guancheng", projects=["1"], items=["1.1"],
        case="iOS Mail: PDF with RFC 2231 continuation filename plus two inline JPEG photos (no Content-ID, they are material); item 1.1 (十九大) has departments publicity+school -> not misrouted at school")

    # 003 -----------------------------------------------------------------
    m = S("003-wanjiang-126-qingwang", "2018-01-19T15:41:07+08:00", ["publicity"],
          ("万江街道团工委", "dgwanjiangtw@126.com"),
          "万江街道团工委-2017考核-青网计划",
          "宣传部：\n  现报送万江街道团工委2017年度深化“青网计划”工作材料（工作情况1份、网络文明志愿者名单1份），请查收。\n\n万江街道团工委 梁志明\n0769-22771436",
          [A("万江街道团工委深化青网计划工作情况.pdf"),
           A("万江网络文明志愿者名单.xlsx", headers=["序号", "姓名", "所在单位", "联系电话"], nrows=40)])
    add(m, r_coremail, unit="wanjiang", projects=["1"], items=["1.2"],
        case="Hyphenated subject 'unit-2017考核-青网计划' -> item 1.2 to publicity; 126 webmail, UTF-8, Coremail folded encoded-words inside quoted name=")

    # 004 -----------------------------------------------------------------
    m = S("004-changan-project3", "2018-01-22T09:33:18+08:00", ["publicity"],
          ("长安镇团委", "changantw@163.com"),
          "长安镇团委-2017考核-项目三",
          "宣传部领导：\n  您好！附件为长安镇团委2017年度考核项目三（“网上共青团”建设工作）相关支撑材料，请查收。\n\n长安镇团委 陈晓婷\n电话：0769-85539021",
          [A("长安镇团委网上共青团建设工作材料.pdf")])
    add(m, r_coremail, unit="changan", projects=["3"], items=[], num=["3"],
        case="'项目三' names project 3 without an item (the project title is not an item keyword) -> projects [3], items []; project 3 includes publicity items -> not misrouted")

    # 005 -----------------------------------------------------------------
    m = S("005-changan-5.1-izhiyuan", "2018-01-23T11:05:42+08:00", ["publicity"],
          ("长安镇团委", "changantw@163.com"),
          "长安镇团委-2017考核-5.1（i志愿）",
          "宣传部：\n  附件是长安镇团委2017年度志愿服务工作材料及“i志愿”系统注册志愿者统计，请查收。\n\n长安镇团委 陈晓婷",
          [A("长安镇团委志愿服务工作情况.docx"),
           A("i志愿注册志愿者统计.xlsx", headers=["序号", "村（社区）", "注册人数", "活动场次"], nrows=20)])
    add(m, r_coremail, unit="changan", projects=["5"], items=["5.1"], num=["5.1"],
        case="Same unit as 004 but a different project (5 vs 3): NOT a resubmission; '5.1' and i志愿 in subject")

    # 006 -----------------------------------------------------------------
    m = S("006-humen-qq-qingnianzhisheng", "2018-01-24T16:02:11+08:00", ["publicity"],
          ("阿俊", "1394728056@qq.com"),
          "【虎门】2017年度考核材料（“青年之声”）",
          "宣传部：\n您好！附件是虎门镇团委“青年之声”平台建设情况材料及QII指数截图，请查收。\n-------------------\n虎门镇团委 黄俊\n",
          [A("虎门镇“青年之声”平台建设情况.pdf"), A("QII指数排名截图.png", w=720, h=420)],
          to=[("宣传部", DEPT_MAILBOX["publicity"])])
    add(m, r_qq, unit="humen", projects=["3"], items=["3.1"],
        case="Quoted keyword “青年之声” (3.1) in a 【虎门】 subject; humen has no registered sender -> unknown_sender; QQ Mail gb18030")

    # 007 -----------------------------------------------------------------
    m = S("007-shipai-letter-outlook", "2018-01-18T14:20:55+08:00", ["org"],
          ("石排镇团委", "dgshipaitw@126.com"),
          "关于报送2017年度共青团工作考核材料的函",
          "团市委组织部：\n    根据《关于做好2017年度东莞共青团工作考核的通知》（东团通〔2017〕23号）要求，现将我镇团委加强团的基层基础工作情况"
          "（含专职团干配备、团干部教育培训、发展团员及“三会两制一课”落实情况）报送给你们，请查收。\n\n"
          "共青团东莞市石排镇委员会\n2018年1月18日\n联系人：李嘉慧  0769-86651203\n",
          [A("石排镇团委关于报送2017年度考核材料的函.pdf"), A("石排镇加强团的基层基础工作情况.docx")],
          to=[("tswzzb3@126.com", DEPT_MAILBOX["org"])])
    add(m, lambda m: r_outlook(m, "gb2312"), unit="shipai", projects=["2"], items=["2.1"],
        case="Formal letter subject '关于报送…的函' with no keyword; body names 团的基层基础/发展团员/三会两制一课 -> 2.1; Outlook 2016, gb2312 2047 name= and RFC 2231 filename*=")

    # 008 -----------------------------------------------------------------
    m = S("008-qishi-formal-signature-school", "2018-01-24T10:47:09+08:00", ["school"],
          ("Zhou Yan", "zhouyan_qs@hotmail.com"),
          "2017年度考核材料——少先队和中学共青团改革",
          "余老师：\n您好！附件为我单位2017年度统筹推进少先队和中学共青团改革落实情况材料，请查收。\n\n周妍\n共青团东莞市企石镇委员会\n电话：0769-86721535\n",
          [A("少先队和中学共青团改革工作情况.docx")],
          to=[("a22233740@126.com", DEPT_MAILBOX["school"])])
    add(m, lambda m: r_exchange(m, "HK2PR0401MB2243.apcprd04.prod.outlook.com", cs="utf-8", online=True, rfc2231_names=True),
        unit="qishi", projects=["2"], items=["2.2"],
        case="Unit named only by the formal name 共青团东莞市企石镇委员会 in the signature; hotmail via Exchange Online (RFC 2231 filename); unknown_sender")

    # 009 -----------------------------------------------------------------
    m = S("009-xiegang-big5-jindu", "2018-01-25T09:12:40+08:00", ["org"],
          ("謝崗鎮團委 林小姐", "xg_youth2017@hotmail.com"),
          "謝崗鎮團委2017年度考核材料（禁毒宣傳教育）",
          "組織部：\n您好！現將謝崗鎮團委2017年度青少年禁毒宣傳教育、社區矯正工作材料報送，請查收。\n\n謝崗鎮團委 林小姐\n",
          [A("謝崗鎮團委青少年禁毒宣傳教育工作情況.docx"), A("禁毒宣傳活動照片.jpg")],
          to=[(None, DEPT_MAILBOX["org"])])
    add(m, r_wlm, unit="xiegang", projects=["5"], items=["5.4"],
        case="Traditional characters throughout (謝崗鎮團委), Big5 charset (Windows Live Mail); 禁毒 (same in both scripts) -> 5.4 to org; unregistered hotmail sender")

    # 010 -----------------------------------------------------------------
    m = S("010-dongkeng-form-all-sharedstrings", "2018-01-20T16:30:12+08:00", ["org"],
          ("东坑镇团委", "dongkengtw@163.com"),
          "东坑镇团委2017年度工作开展情况表",
          "组织部：\n  附件是东坑镇团委2017年度重点工作开展情况表，请查收。支撑材料另按科室分别发送。\n\n东坑镇团委 罗志强\n",
          [Att("东坑镇团委2017年度工作开展情况表.xlsx", form_xlsx("东坑镇团委", "FFFFF", "dongkeng1", shared=True, split=True))])
    add(m, r_coremail, unit="dongkeng", projects=["1", "2", "3", "4", "5"], items=[],
        case="Overview form xlsx written with sharedStrings; 填表单位 label in A2 and the unit in B2; all five rows filled -> projects 1-5, no items")

    # 011 -----------------------------------------------------------------
    m = S("011-dongkeng-form-revised", "2018-01-25T10:02:44+08:00", ["org"],
          ("东坑镇团委", "dongkengtw@163.com"),
          "东坑镇团委2017年度工作开展情况表（修改版）",
          "组织部：\n  我镇1月20日报送的工作开展情况表部分数据有误，现发送修改版，请以此版本为准，谢谢！\n\n东坑镇团委 罗志强\n",
          [Att("东坑镇团委2017年度工作开展情况表（修改版）.xlsx", form_xlsx("东坑镇团委", "FFFFF", "dongkeng2", shared=True, split=True))])
    add(m, r_coremail, unit="dongkeng", projects=["1", "2", "3", "4", "5"], items=[], resub=True,
        case="修改版 of the form sent in 010 (same unit, same projects, later) -> resubmission")

    # 012 -----------------------------------------------------------------
    m = S("012-zhangmutou-form-partial-slash", "2018-01-24T15:12:09+08:00", ["org"],
          ("樟木头镇团委", "dgzhangmutoutw@126.com"),
          "樟木头镇2017年度工作开展情况表",
          "组织部：\n  附件为樟木头镇团委2017年度工作开展情况表，请查收。\n\n樟木头镇团委 何伟\n",
          [Att("樟木头镇2017年度工作开展情况表.xlsx", form_xlsx("樟木头镇团委", "/FFF.", "zmt"))])
    add(m, r_coremail, unit="zhangmutou", projects=["2", "3", "4"], items=[],
        case="Form with row (一) containing only '/' and row (五) empty -> only projects 2,3,4 (also matters for 029: project 1 was never submitted, so 029 is no resubmission)")

    # 013 -----------------------------------------------------------------
    m = S("013-huangjiang-form-blank-cell", "2018-01-23T17:55:30+08:00", ["org"],
          ("刘敏", "hj_liumin@163.com"),
          "工作开展情况表",
          "莫老师：\n  您好，附件是我们的工作开展情况表，请查收。\n\n黄江镇团委 刘敏\n",
          [Att("工作开展情况表.xlsx", form_xlsx("", "FFFFF", "hj"))])
    add(m, r_coremail, unit="huangjiang", projects=["1", "2", "3", "4", "5"], items=[],
        case="填表单位 cell left blank; unit only from the body signature 黄江镇团委; personal 163 sender -> unknown_sender; all rows filled")

    # 014 -----------------------------------------------------------------
    m = S("014-fenggang-form-cell-formal", "2018-01-22T15:06:33+08:00", ["liangxin"],
          ("Sunny", "2853017746@qq.com"),
          "2017年度考核 工作开展情况表",
          "李老师：\n您好！附件为我单位2017年度工作开展情况表，请查收，谢谢！\n",
          [Att("2017年东莞共青团工作开展情况表.xlsx", form_xlsx("共青团东莞市凤岗镇委员会", "F//.F", "fg"))],
          to=[("“两新”团工委", DEPT_MAILBOX["liangxin"])])
    add(m, r_qq, unit="fenggang", projects=["1", "5"], items=[],
        case="Unit only in the form's 填表单位 cell, as the formal name 共青团东莞市凤岗镇委员会; rows (一)(五) filled, (二)(三) '/', (四) empty -> projects 1,5; liangxin owns items in both -> not misrouted")

    # 015 -----------------------------------------------------------------
    m = S("015-dalingshan-docx-form-row5-office", "2018-01-22T11:20:14+08:00", ["office"],
          ("大岭山镇团委", "dgdalingshantw@126.com"),
          "大岭山镇团委工作开展情况表",
          "办公室：\n  附件是大岭山镇团委工作开展情况表，请查收。\n\n大岭山镇团委 钟丽\n",
          [Att("大岭山镇团委工作开展情况表.docx", form_docx("大岭山镇团委", "....F", "dls"))])
    add(m, r_coremail, unit="dalingshan", projects=["5"], items=[],
        case="Word form with only row (五) filled -> project 5; office owns 5.2 -> not misrouted")

    # 016 -----------------------------------------------------------------
    m = S("016-wangniudun-docx-form-rows12-office", "2018-01-24T09:05:51+08:00", ["office"],
          ("谭晓彤", "wnd_tw2016@126.com"),
          "望牛墩镇团委工作开展情况表",
          "办公室：\n您好！附件是我镇团委工作开展情况表，请查收。\n\n望牛墩镇团委 谭晓彤\n",
          [Att("望牛墩镇团委工作开展情况表.docx", form_docx("望牛墩镇团委", "FF///", "wnd"))])
    add(m, r_coremail, unit="wangniudun", projects=["1", "2"], items=[],
        case="Word form with rows (一)(二) filled, (三)-(五) '/' -> projects 1,2 whose items belong to publicity/school/liangxin/org, none to office -> misrouted at office; personal 126 -> unknown_sender")

    # 017 -----------------------------------------------------------------
    m = S("017-jtj-ods-form-thunderbird", "2018-01-19T09:48:26+08:00", ["org"],
          ("市交通运输局团委", "dgjtjtw@163.com"),
          "市交通运输局团委2017年度工作开展情况表",
          "组织部：\n\n附件为我局团委2017年度工作开展情况表（ods格式，WPS和Excel均可打开），请查收。\n\n-- \n市交通运输局团委 邓海\n",
          [Att("市交通运输局团委2017年度工作开展情况表.ods", form_ods("市交通运输局团委", "..FF.", "jtj"))])
    add(m, r_thunderbird, unit="jtj", projects=["3", "4"], items=[],
        case="LibreOffice .ods form, rows (三)(四) filled -> projects 3,4; Thunderbird, 8bit UTF-8 body, RFC 2231 continuations splitting a UTF-8 character across segments")

    # 018 -----------------------------------------------------------------
    root = "沙田镇团委2017年度考核材料/"
    ents = [(root, None),
            (root + "沙田镇团委工作开展情况表.xlsx", form_xlsx("沙田镇团委", "FFFFF", "st")),
            (root + "3.2智慧团建/", None),
            (root + "3.2智慧团建/智慧团建工作情况.docx", doc_docx("智慧团建工作情况.docx", "st")),
            (root + "3.2智慧团建/智慧团建录入情况截图.png", png(800, 450, "st-zhtj")),
            (root + "4.1 1+100直接联系青年/", None),
            (root + "4.1 1+100直接联系青年/联系青年统计表.xlsx", sheet("联系青年统计表.xlsx", ["序号", "姓名", "职务", "联系人数"], 9, "st"))]
    m = S("018-shatian-zip-with-form", "2018-01-23T10:31:57+08:00", ["org"],
          ("DGShatianTW@126.com", "DGShatianTW@126.com"),
          "沙田镇团委2017年度考核材料",
          "组织部：\n  附件为沙田镇团委2017年度考核材料压缩包，请查收。\n\n沙田镇团委 何静\n",
          [zip_att("沙田镇团委2017年度考核材料.zip", ents, enc="gbk")])
    add(m, lambda m: r_foxmail(m, "GBK"), unit="shatian", projects=["1", "2", "3", "4", "5"], items=["3.2", "4.1"], num=["3.2", "4.1"],
        case="WinRAR zip (GBK names, no UTF-8 flag, directory entries) holding the overview form (all rows filled -> projects 1-5) and folders '3.2智慧团建', '4.1 1+100…' (items 3.2, 4.1); sender written in mixed case matches the registered address case-insensitively -> no unknown_sender. Judgement: the form inside the zip is read like a directly attached one")

    # 019 -----------------------------------------------------------------
    inner = S("019-inner", "2018-01-25T11:02:40+08:00", ["org"],
              ("桥头镇团委", "qiaotoutw@163.com"),
              "桥头镇团委2017年度“1+100”工作材料",
              "附件请查收。\n",
              [A("“1+100”直接联系青年统计表.xlsx", headers=["序号", "姓名", "职务", "联系青年人数"], nrows=8),
               A("团干部直接联系青年工作情况.pdf")],
              to=[("陈", "13712569834@139.com")])
    inner.mx_override = ("Received: from m12-31.163.com (unknown [220.181.12.31])\r\n\tby rmmx-sz-{} with SMTP;\r\n\t".format(7)
                         + fmt_date(inner.idate, cst=True))
    inner_bytes = r_coremail(inner).bytes()
    m = S("019-qiaotou-fw-rfc822", "2018-01-25T14:10:33+08:00", ["org"],
          ("陈", "13712569834@139.com"),
          "Fw: 考核材料",
          "莫老师，您好！转发材料给您，请查收。\n",
          [], to=[(None, DEPT_MAILBOX["org"])])
    m.material = inner.atts
    add(m, lambda m: r_139(m, inner_bytes, "转发邮件.eml"), unit="qiaotou", projects=["4"], items=["4.1"],
        material=inner.atts,
        case="Forward as attachment (message/rfc822) from a staff member's 139.com address: outer subject/body generic; the unit is identified only from the forwarded message's headers (From qiaotoutw@163.com, Subject 桥头镇团委…); attachments are the inner files; outer From unregistered -> unknown_sender")

    # 020 -----------------------------------------------------------------
    m = S("020-qiaotou-1plus100-supplement", "2018-01-26T10:20:15+08:00", ["org"],
          ("桥头镇团委", "qiaotoutw@163.com"),
          "桥头镇团委“1+100”工作补充材料",
          "组织部：\n  昨日已报送我镇“1+100”工作材料，现补充团委书记客户端使用情况截图，请一并查收。\n\n桥头镇团委 陈芳\n",
          [A("“1+100”客户端使用情况截图.png", w=540, h=960)])
    add(m, r_coremail, unit="qiaotou", projects=["4"], items=["4.1"], resub=True,
        case="补充材料 for the item already submitted by the same unit in 019 (4.1) -> resubmission (the rule: same unit already submitted for the same item earlier)")

    # 021 -----------------------------------------------------------------
    m = S("021-hongmei-126-inline-forward", "2018-01-24T11:44:06+08:00", ["liangxin"],
          ("洪梅镇团委", "dghongmeitw@126.com"),
          "转发：洪梅镇团委青年文明号创建材料",
          "李老师：请查收洪梅镇团委青年文明号创建材料。\n洪梅镇团委\n\n\n",
          [A("洪梅镇青年文明号创建工作方案.docx"), A("青年文明号授牌照片.jpg")],
          quoted="-------- 转发邮件信息 --------\n发件人：\"小陈\" <1065832471@qq.com>\n发送日期：2018-01-24 10:58:12\n"
                 "收件人：\"dghongmeitw\" <dghongmeitw@126.com>\n主题：洪梅镇团委青年文明号创建材料\n\n附件是青年文明号创建工作方案和授牌照片。\n")
    add(m, r_coremail, unit="hongmei", projects=["1"], items=["1.3"],
        case="Inline forward '转发：' from the unit's registered mailbox (webmail forward block quoted); 青年文明号 -> 1.3, liangxin is one of 1.3's departments")

    # 022 -----------------------------------------------------------------
    m = S("022-hengli-spaced-zhtj", "2018-01-21T20:15:36+08:00", ["org"],
          ("横沥镇团委", "dghenglitw@126.com"),
          "横沥镇团委 智 慧 团 建 工作材料",
          "组织部：\n  附件为横沥镇团委2017年度 智 慧 团 建 工作材料，请查收。\n\n横沥镇团委 袁佩仪\n",
          [A("横沥镇团委工作材料.pdf")])
    add(m, r_coremail, unit="hengli", projects=["3"], items=["3.2"],
        case="Keyword spelled with spaces '智 慧 团 建' (spacing ignored) -> 3.2; generic filename")

    # 023 -----------------------------------------------------------------
    m = S("023-wjj-paren-number-exchange", "2018-01-22T16:18:02+08:00", ["org"],
          ("卢嘉怡", "lujiayi@wjj.dg.gov.test"),
          "市卫计局团委考核材料（二）1",
          "组织部莫老师：\n  您好！附件为我局团委2017年度考核材料（二）1，请查收。\n\n卢嘉怡\n市卫生和计划生育局团委\n电话：0769-22830417\n",
          [A("考核材料（二）1.docx"), A("团干部名册.xlsx", headers=["序号", "姓名", "职务", "任职时间"], nrows=15)],
          to=[("团市委组织部", DEPT_MAILBOX["org"])])
    add(m, lambda m: r_exchange(m, "WJJ-EX01.wjj.dg.gov.test"), unit="wjj", projects=["2"], items=["2.1"], num=["2.1"],
        case="Item written in the notice's numbering '（二）1' (= 2.1) in subject and filename; alias 市卫计局团委; on-premises Exchange (Content-Description, size=/creation-date params); wjj has no registered sender")

    # 024 -----------------------------------------------------------------
    m = S("024-gdj-disixiang", "2018-01-23T15:40:27+08:00", ["org"],
          ("供电局团委", "gdjtw@126.com"),
          "东莞供电局团委2017年度考核第四项材料",
          "组织部：\n  附件为东莞供电局团委2017年度考核内容第四项的支撑材料，请查收。\n\n供电局团委 温凯\n",
          [A("供电局团委考核第四项材料.docx")])
    add(m, r_coremail, unit="gdj", projects=["4"], items=[], num=["4"],
        case="'第四项' of the 考核内容 = project (四) with no item -> projects [4], items []; org owns all of project 4")

    # 025 -----------------------------------------------------------------
    m = S("025-cgj-5.4-android", "2018-01-18T17:05:21+08:00", ["org"],
          ("城管局团委", "dgcgjtw@163.com"),
          "市城管局团委-第5.4项 参与社会基层治理",
          "组织部：附件为市城管局团委第5.4项材料，请查收。\n\n来自网易邮箱大师\n",
          [A("城管局团委参与社会基层治理工作材料.pdf")])
    add(m, r_mailmaster, unit="cgj", projects=["5"], items=["5.4"], num=["5.4"],
        case="'第5.4项' + 参与社会基层治理 -> 5.4 to org; NetEase Mail Master on Android")

    # 026 -----------------------------------------------------------------
    m = S("026-dgbank-xiangmu5-office", "2018-01-25T16:44:19+08:00", ["office"],
          ("许文", "xuwen@dongguanbank.test"),
          "东莞银行团委 项目五 考核材料",
          "办公室：\n您好！附件为东莞银行团委2017年度考核项目五的材料，请查收。\n\n东莞银行团委 许文\n",
          [A("东莞银行团委项目五材料.pdf")],
          to=[("dgyouth", DEPT_MAILBOX["office"])])
    add(m, lambda m: r_foxmail(m, "GBK", smtp_host=("mail.dongguanbank.test", "61.145.117.20"),
                              smtp_by="mail.dongguanbank.test (Postfix) with ESMTPA id 3zS1bq4WqRz1Y"),
        unit="dgbank", projects=["5"], items=[], num=["5"],
        case="'项目五' (project without item) to office: project 5 includes 5.2 (office) -> not misrouted; corporate Foxmail, GBK label; dgbank has no registered sender")

    # 027 -----------------------------------------------------------------
    m = S("027-yz-xiangmu1-office-misrouted", "2018-01-23T09:27:48+08:00", ["office"],
          ("蔡明", "yz_youth@163.com"),
          "东莞邮政团委项目一考核材料",
          "办公室：\n附件为东莞邮政团委2017年度考核项目一材料，请查收。\n\n东莞邮政团委 蔡明\n",
          [A("东莞邮政团委项目一考核材料.docx")])
    add(m, r_coremail, unit="yz", projects=["1"], items=[], num=["1"],
        case="'项目一' (no item) sent to office: project 1's items belong to publicity/school/liangxin/org, none to office -> misrouted; alias 东莞邮政")

    # 028 -----------------------------------------------------------------
    m = S("028-cgj-19da-org-misrouted", "2018-01-24T14:44:44+08:00", ["org"],
          ("城管局团委", "dgcgjtw@163.com"),
          "城管局团委学习贯彻党的十九大精神工作材料",
          "组织部：\n附件为城管局团委学习贯彻党的十九大精神系列工作材料，请查收。\n市城管局团委\n",
          [A("城管局团委学习贯彻十九大精神工作情况.docx")])
    add(m, r_coremail, unit="cgj", projects=["1"], items=["1.1"],
        case="Item 1.1 (十九大) has two departments (publicity, school); sent to org -> misrouted")

    # 029 -----------------------------------------------------------------
    m = S("029-zhangmutou-zuimei-publicity-misrouted", "2018-01-25T15:30:00+08:00", ["publicity"],
          ("樟木头镇团委", "dgzhangmutoutw@126.com"),
          "樟木头镇团委“最美南粤少年”评选推荐材料",
          "宣传部：\n  附件为樟木头镇团委“最美南粤少年”评选推荐材料，请查收。\n\n樟木头镇团委 何伟\n",
          [A("樟木头镇最美南粤少年推荐材料.pdf")])
    add(m, r_coremail, unit="zhangmutou", projects=["1"], items=["1.3"],
        case="最美南粤少年 -> 1.3 (school, liangxin, org); sent to publicity -> misrouted. Not a resubmission: the unit's form (012) had row (一) = '/'")

    # 030 -----------------------------------------------------------------
    m = S("030-qishi-zhtj-office-misrouted", "2018-01-24T17:02:48+08:00", ["office"],
          ("周妍", "1520368879@qq.com"),
          "企石镇团委智慧团建工作情况",
          "办公室：\n您好！附件为企石镇团委智慧团建工作情况及录入截图，请查收。\n\n企石镇团委 周妍\n",
          [A("企石镇智慧团建工作情况.docx"), A("智慧团建录入截图.png")])
    add(m, r_qq, unit="qishi", projects=["3"], items=["3.2"],
        case="智慧团建 (3.2, org) sent to office -> misrouted; QQ sender -> unknown_sender")

    # 031 -----------------------------------------------------------------
    m = S("031-dalingshan-qnzs-org-misrouted", "2018-01-23T08:52:17+08:00", ["org"],
          ("大岭山镇团委", "dgdalingshantw@126.com"),
          "大岭山镇团委青年之声平台建设材料",
          "组织部：\n  附件为大岭山镇团委青年之声平台建设材料，请查收。\n\n大岭山镇团委 钟丽\n",
          [A("大岭山镇青年之声平台建设情况.pdf")])
    add(m, r_coremail, unit="dalingshan", projects=["3"], items=["3.1"],
        case="青年之声 (3.1, publicity) sent to org -> misrouted")

    # 032 -----------------------------------------------------------------
    m = S("032-hongmei-yuanmeng-publicity-misrouted", "2018-01-25T11:16:39+08:00", ["publicity"],
          ("洪梅镇团委", "dghongmeitw@126.com"),
          "洪梅镇团委圆梦计划工作材料",
          "宣传部：\n  附件为洪梅镇团委2017年度圆梦计划工作总结及资助名单，请查收。\n\n洪梅镇团委 陈丽\n",
          [A("洪梅镇圆梦计划工作总结.docx"), A("圆梦计划资助名单.xlsx", headers=["序号", "姓名", "就读院校", "资助金额"], nrows=18)])
    add(m, r_coremail, unit="hongmei", projects=["5"], items=["5.3"],
        case="圆梦计划 (5.3, liangxin) sent to publicity -> misrouted")

    # 033 -----------------------------------------------------------------
    m = S("033-jtj-chuangye-school-misrouted", "2018-01-24T16:25:30+08:00", ["school"],
          ("交通运输局团委", "dgjtjtw@163.com"),
          "交通运输局团委服务青年创新创业工作材料",
          "学校部：\n  附件为交通运输局团委2017年度服务青年创新创业工作情况，请查收。\n\n交通运输局团委 邓海\n",
          [A("交通运输局团委创新创业工作情况.pdf")])
    add(m, r_coremail, unit="jtj", projects=["5"], items=["5.2"],
        case="创新创业 (5.2, office) sent to school -> misrouted")

    # 034 -----------------------------------------------------------------
    m = S("034-wanjiang-1plus100-liangxin-misrouted", "2018-01-22T10:14:26+08:00", ["liangxin"],
          ("万江街道团工委", "dgwanjiangtw@126.com"),
          "万江团工委“1+100”团干部直接联系青年工作材料",
          "两新团工委：\n  附件为万江团工委“1+100”团干部直接联系青年工作材料，请查收。\n\n万江街道团工委 梁志明\n",
          [A("万江团工委1+100工作情况.docx")])
    add(m, r_coremail, unit="wanjiang", projects=["4"], items=["4.1"],
        case="1+100 (4.1, org) sent to liangxin -> misrouted; alias 万江团工委")

    # 035 -----------------------------------------------------------------
    m = S("035-shipai-izhiyuan-org-late-misrouted", "2018-01-29T09:03:44+08:00", ["org"],
          ("石排镇团委", "dgshipaitw@126.com"),
          "石排镇团委i志愿工作材料（补交）",
          "组织部：\n  不好意思，我镇i志愿系统推广应用材料现补交，请查收。\n\n石排镇团委 李嘉慧\n",
          [A("石排镇i志愿系统使用情况.docx")])
    add(m, lambda m: r_foxmail(m, "GBK"), unit="shipai", projects=["5"], items=["5.1"],
        case="Late (2018-01-29) AND misrouted (i志愿 5.1 belongs to publicity) at once; Foxmail GBK")

    # 036 -----------------------------------------------------------------
    m = S("036-hengli-1plus100-exact-deadline", "2018-01-26T17:30:00+08:00", ["org"],
          ("横沥镇团委", "dghenglitw@126.com"),
          "横沥镇团委“1 + 100”团干部直接联系青年工作材料",
          "组织部：\n  附件为横沥镇团委“1 + 100”团干部直接联系青年工作材料，请查收。\n\n横沥镇团委 袁佩仪\n",
          [A("横沥镇1+100工作情况.pdf"), A("联系青年人数统计.xlsx", headers=["序号", "姓名", "职务", "联系人数"], nrows=6)])
    add(m, r_coremail, unit="hengli", projects=["4"], items=["4.1"],
        case="Arrives exactly 2018-01-26 17:30:00 -> NOT late (late is strictly after); keyword written '1 + 100' with spaces")

    # 037 -----------------------------------------------------------------
    m = S("037-wangniudun-yuanmeng-one-second-late", "2018-01-26T17:30:01+08:00", ["liangxin"],
          ("谭晓彤", "wnd_tw2016@126.com"),
          "望牛墩镇团委圆梦计划材料",
          "两新团工委：\n您好！附件为望牛墩镇团委2017年度圆梦计划工作情况，请查收。\n\n望牛墩镇团委 谭晓彤\n",
          [A("望牛墩镇圆梦计划工作情况.docx")])
    add(m, r_coremail, unit="wangniudun", projects=["5"], items=["5.3"],
        case="Arrives 2018-01-26 17:30:01, one second after the deadline -> late")

    # 038 -----------------------------------------------------------------
    m = S("038-gdj-date-ahead", "2018-01-26T16:58:12+08:00", ["publicity"],
          ("gdjtw@126.com", "gdjtw@126.com"),
          "供电局团委新媒体工作情况材料",
          "宣传部：\n  附件为东莞供电局团委2017年度新媒体工作情况，请查收。\n\n供电局团委 温凯\n",
          [A("东莞供电局团委新媒体工作情况.pdf")],
          date=dt.datetime.fromisoformat("2018-01-27T09:15:02+08:00"), to=[("2219564", DEPT_MAILBOX["publicity"])])
    add(m, lambda m: r_foxmail(m, "gb2312"), unit="gdj", projects=["3"], items=["3.3"],
        case="Date header says Sat 27 Jan 09:15 (PC clock ahead) but it arrived 26 Jan 16:58 (Received chain, INTERNALDATE) -> not late")

    # 039 -----------------------------------------------------------------
    m = S("039-qiaotou-date-wrong-tz", "2018-01-26T17:20:05+08:00", ["publicity"],
          ("桥头镇团委", "qiaotoutw@163.com"),
          "桥头镇团委志愿服务工作材料",
          "宣传部：\n\n附件为桥头镇团委2017年度志愿服务工作情况，请查收。\n\n桥头镇团委 陈芳\n",
          [A("桥头镇团委志愿服务工作情况.pdf")],
          date_hdr="Fri, 26 Jan 2018 17:20:03 -0800")
    add(m, r_thunderbird, unit="qiaotou", projects=["5"], items=["5.1"],
        case="Date header carries the wrong zone (-0800, i.e. 27 Jan 09:20 CST) while the message arrived 17:20:05 CST on the 26th -> not late")

    # 040 -----------------------------------------------------------------
    m = S("040-yz-xuezuo-feb-late", "2018-02-05T10:37:52+08:00", ["org"],
          ("蔡明", "yz_youth@163.com"),
          "东莞邮政团委“学做”教育实践工作材料（补报）",
          "组织部：\n  因年底业务繁忙，我委“学做”教育实践工作材料未能按时报送，现补报，请查收。\n\n东莞邮政团委 蔡明\n",
          [A("东莞邮政团委学做教育实践工作总结.docx")])
    add(m, r_coremail, unit="yz", projects=["2"], items=["2.3"],
        case="Ten days late (2018-02-05); 学做 = short form of 学习总书记讲话做合格共青团员 -> 2.3")

    # 041 -----------------------------------------------------------------
    m = S("041-sytz-not-assessed-december", "2017-12-15T11:26:40+08:00", ["publicity"],
          ("实投集团团委", "dgsytztw@163.com"),
          "实投集团团委新媒体工作材料",
          "宣传部：\n  附件为实投集团团委2017年度新媒体工作材料，请查收。\n\n东莞实业投资控股集团团委 梁爽\n",
          [A("实投集团团委新媒体工作情况.docx")])
    add(m, r_coremail, unit="sytz", projects=["3"], items=["3.3"],
        case="Agency committee founded 2017-06-16 (< one year before the notice) -> not_assessed; early submission in December")

    # 042 -----------------------------------------------------------------
    m = S("042-jtjt-alias-unregistered", "2018-01-22T14:33:08+08:00", ["liangxin"],
          ("小何", "409127735@qq.com"),
          "交投集团团委青年文明号创建材料",
          "李老师：\n您好！附件为交投集团团委青年文明号创建材料，请查收。\n\n交投集团团委 何静仪\n",
          [A("交投集团青年文明号创建情况.pdf")])
    add(m, r_qq, unit="jtjt", projects=["1"], items=["1.3"],
        case="Alias 交投集团团委 from a personal QQ address -> unknown_sender AND not_assessed (founded 2017-03-20)")

    # 043 -----------------------------------------------------------------
    m = S("043-wjj-to-publicity-cc-org", "2018-01-24T09:58:31+08:00", ["publicity", "org"],
          ("卢嘉怡", "lujiayi@wjj.dg.gov.test"),
          "市卫计局团委青年之声、智慧团建工作材料",
          "宣传部、组织部：\n  附件为我局团委“青年之声”平台建设和“智慧团建”工作材料，请查收。\n\n卢嘉怡\n市卫生和计划生育局团委\n",
          [A("卫计局团委青年之声平台建设情况.docx"), A("卫计局团委智慧团建工作情况.docx")],
          to=[("团市委宣传部", DEPT_MAILBOX["publicity"])], cc=[("团市委组织部", DEPT_MAILBOX["org"])])
    add(m, lambda m: r_exchange(m, "WJJ-EX01.wjj.dg.gov.test"), unit="wjj", projects=["3"], items=["3.1", "3.2"],
        case="To publicity + Cc org, one Message-ID -> two deliveries, duplicate_delivery; 3.1 is publicity's and 3.2 org's, so neither copy is misrouted")

    # 044 -----------------------------------------------------------------
    m = S("044-zhangmutou-office-cc-org", "2018-01-24T10:12:56+08:00", ["office", "org"],
          ("樟木头镇团委", "dgzhangmutoutw@126.com"),
          "樟木头镇团委服务青年创新创业工作材料",
          "办公室：\n  附件为樟木头镇团委2017年度服务青年创新创业工作材料，请查收（抄送组织部）。\n\n樟木头镇团委 何伟\n",
          [A("樟木头镇青年创新创业工作情况.pdf")],
          to=[("团市委办公室", DEPT_MAILBOX["office"])], cc=[("团市委组织部", DEPT_MAILBOX["org"])])
    add(m, r_coremail, unit="zhangmutou", projects=["5"], items=["5.2"],
        case="To office + Cc org -> duplicate_delivery; 5.2 belongs to office only, so the office copy is fine and the org copy is misrouted (misrouted is judged per receiving department)")

    # 045 -----------------------------------------------------------------
    m = S("045-dgbank-three-mailboxes-1.3", "2018-01-19T11:02:09+08:00", ["org", "school", "liangxin"],
          ("许文", "xuwen@dongguanbank.test"),
          "东莞银行团委选树先进典型工作材料（展翅计划、青年文明号）",
          "各位老师：\n您好！附件为东莞银行团委2017年度选树先进典型工作材料（展翅计划、青年文明号），请查收。\n\n东莞银行团委 许文\n",
          [A("东莞银行团委选树先进典型工作情况.pdf"),
           A("展翅计划实习岗位统计.xlsx", headers=["序号", "岗位", "部门", "人数"], nrows=10)],
          to=[("tswzzb3", DEPT_MAILBOX["org"])], cc=[("a22233740", DEPT_MAILBOX["school"]), ("dglxtgw", DEPT_MAILBOX["liangxin"])])
    add(m, lambda m: r_foxmail(m, "GBK", smtp_host=("mail.dongguanbank.test", "61.145.117.20"),
                              smtp_by="mail.dongguanbank.test (Postfix) with ESMTPA id 3zMrb02xTfz1X"),
        unit="dgbank", projects=["1"], items=["1.3"],
        case="To org, Cc school and liangxin -> three deliveries; 1.3 (展翅计划/青年文明号) is owned by all three -> none misrouted; duplicate_delivery on each")

    # 046 -----------------------------------------------------------------
    m = S("046-gaobu-typo-qnzs", "2018-01-18T16:40:22+08:00", ["publicity"],
          ("小李", "gb_xiaoli@163.com"),
          "高步镇团委青年之声平台建设材料",
          "宣传部：\n附件是高步镇团委青年之声平台建设材料，请查收。\n小李\n",
          [A("高步镇青年之声平台建设情况.pdf")])
    add(m, r_coremail, unit="gaobu", projects=["3"], items=["3.1"],
        case="Unit written with the common homophone typo 高步 (for 高埗) everywhere; personal 163 -> unknown_sender")

    # 047 -----------------------------------------------------------------
    m = S("047-gaobu-revised", "2018-01-24T09:30:05+08:00", ["publicity"],
          ("高埗镇团委", "dggaobutw@126.com"),
          "高埗镇团委青年之声平台建设材料（修改版）",
          "宣传部：\n  我镇1月18日报送的材料镇名写错、部分数据有误，现重新报送修改版，请以此为准。\n\n高埗镇团委 李晓\n",
          [A("高埗镇青年之声平台建设情况（修改版）.pdf")])
    add(m, r_coremail, unit="gaobu", projects=["3"], items=["3.1"], resub=True,
        case="修改版 of 046 (same unit gaobu, same item 3.1) from the registered address -> resubmission")

    # 048 -----------------------------------------------------------------
    m = S("048-hengli-baidupan", "2018-01-25T16:05:09+08:00", ["org"],
          ("横沥镇团委", "dghenglitw@126.com"),
          "横沥镇团委“学做”教育实践材料（百度网盘）",
          "组织部：\n  我镇“学做”教育实践材料（含活动视频）较大，已上传百度网盘：\n  链接：https://pan.baidu.com/s/1kVf3Tq9xW2aLmN8pR4cD6g  密码：7k3m\n"
          "  请下载查收，谢谢！\n\n横沥镇团委 袁佩仪\n")
    add(m, r_coremail, unit="hengli", projects=["2"], items=["2.3"], flags=["external_link"],
        case="Material only as a 百度网盘 share link with 密码, no MIME attachment -> external_link")

    # 049 -----------------------------------------------------------------
    tok = "d3b1XkFhZ2Z3dkVJUm5WQnRkR0Y0YVc1bllYUjBZV05vYldWdWRB"
    big_text = ("\n\n\n从网易163邮箱发来的超大附件\n\n长安镇青网计划工作材料.zip (186.73M, 2018年2月8日 19:48 到期)\n"
                f"下载: http://fs.163.com/fs/display/?p=X-NETEASE-HUGE-ATTACHMENT&file={tok}&title=%E9%95%BF%E5%AE%89\n")
    big_html = ('<div style="clear:both;height:36px;"></div><div style="padding:4px;border:1px solid #ddd;">'
                '<div><b>从网易163邮箱发来的超大附件</b></div><div><a href="http://fs.163.com/fs/display/?p=X-NETEASE-HUGE-ATTACHMENT&amp;file='
                f'{tok}&amp;title=%E9%95%BF%E5%AE%89">长安镇青网计划工作材料.zip</a> (186.73M, 2018年2月8日 19:48 到期)</div></div>')
    m = S("049-changan-163-bigattach", "2018-01-24T19:48:03+08:00", ["publicity"],
          ("长安镇团委", "changantw@163.com"),
          "长安镇团委青网计划工作材料",
          "宣传部：\n  附件为长安镇团委深化“青网计划”工作材料，文件较大，以超大附件形式发送，请查收。\n\n长安镇团委 陈晓婷\n")
    add(m, lambda m: r_coremail(m, bigattach=(big_text, big_html)), unit="changan", projects=["1"], items=["1.2"],
        flags=["external_link"],
        case="163 webmail 超大附件: only a fs.163.com download link, no MIME attachment -> external_link; third project of changan (no overlap)")

    # 050 -----------------------------------------------------------------
    m = S("050-humen-attach-plus-link", "2018-01-25T10:28:36+08:00", ["publicity"],
          ("阿俊", "1394728056@qq.com"),
          "【虎门】2017年度考核材料（十九大精神学习宣传）",
          "宣传部：\n附件为虎门镇团委学习贯彻十九大精神工作情况，相关活动视频较大，已上传百度网盘：链接: https://pan.baidu.com/s/1o8Ynq2E 密码: x6fw\n"
          "-------------------\n虎门镇团委 黄俊\n",
          [A("虎门镇团委学习贯彻十九大精神工作情况.pdf")])
    add(m, r_qq, unit="humen", projects=["1"], items=["1.1"],
        case="A file is attached AND a 百度网盘 link given -> material is not only a link: no external_link; unknown_sender")

    # 051 -----------------------------------------------------------------
    m = S("051-qishi-claims-attachment-none", "2018-01-25T17:12:40+08:00", ["org"],
          ("周妍", "1520368879@qq.com"),
          "企石镇团委线上线下青年活动情况",
          "组织部：\n您好！企石镇团委2017年度线上线下青年活动情况材料详见附件，请查收。\n\n企石镇团委 周妍\n")
    add(m, r_qq, unit="qishi", projects=["4"], items=["4.2"], flags=["no_attachments"],
        case="Says 详见附件 but carries no attachment and no link -> submission with no_attachments; 线上线下青年活动 -> 4.2")

    # 052 -----------------------------------------------------------------
    m = S("052-guancheng-foxmail-logo-no-attachment", "2018-01-23T14:55:20+08:00", ["liangxin"],
          ("guanchengtw@163.com", "guanchengtw@163.com"),
          "莞城街道团工委圆梦计划工作材料",
          "“两新”团工委：\n    附件是莞城街道团工委2017年度“圆梦计划”工作材料，请查收。\n\n莞城街道团工委  叶嘉欣\n电话：0769-22113567\n",
          to=[("dglxtgw", DEPT_MAILBOX["liangxin"])])
    add(m, lambda m: r_foxmail(m, "GB2312", logo=("logo.png", png(160, 48, "gc-logo"))), unit="guancheng",
        projects=["5"], items=["5.3"], flags=["no_attachments"], material=[],
        case="Claims an attachment; the only binary part is the Foxmail signature logo (multipart/related, cid-referenced) which is not material -> no_attachments, attachments []")

    # 053 -----------------------------------------------------------------
    m = S("053-gdj-lockfile", "2018-01-25T11:40:00+08:00", ["office"],
          ("温凯", "gdjtw@126.com"),
          "东莞供电局团委创新创业工作材料",
          "办公室：\n  附件为我局团委服务青年创新创业工作情况，请查收。\n\n温凯\n供电局团委\n",
          [Att("~$供电局团委创新创业工作情况.docx", office_lockfile("wenkai"))],
          to=[("dgyouth@126.com", DEPT_MAILBOX["office"])])
    add(m, lambda m: r_outlook(m, "gb2312"), unit="gdj", projects=["5"], items=["5.2"], flags=["unreadable_attachment"],
        case="The attached '~$…docx' is the 162-byte Word owner/lock file, not the document -> unreadable_attachment; item still from subject/filename")

    # 054 -----------------------------------------------------------------
    m = S("054-wangniudun-encrypted-zip", "2018-01-23T11:47:05+08:00", ["org"],
          ("谭晓彤", "wnd_tw2016@126.com"),
          "望牛墩镇团委-3.2-智慧团建（压缩包已加密）",
          "组织部：\n附件压缩包已加密，解压密码：wnd2017，请查收。\n\n望牛墩镇团委 谭晓彤\n",
          [zip_att("望牛墩镇智慧团建材料.zip",
                   [("望牛墩镇智慧团建工作情况.docx", doc_docx("望牛墩镇智慧团建工作情况.docx")),
                    ("智慧团建录入截图.png", png(640, 400, "wnd-zhtj"))], password="wnd2017")])
    add(m, r_coremail, unit="wangniudun", projects=["3"], items=["3.2"], num=["3.2"], flags=["unreadable_attachment"],
        case="Password-protected zip (ZipCrypto; names readable, contents not) -> unreadable_attachment; members still listed; password in body does not change that")

    # 055 -----------------------------------------------------------------
    full = doc_docx("城管局团委与青年互动情况.docx")
    m = S("055-cgj-truncated-docx", "2018-01-22T09:16:47+08:00", ["org"],
          ("城管局团委", "dgcgjtw@163.com"),
          "城管局团委4.3与青年互动情况材料",
          "组织部：\n附件为城管局团委4.3与青年的互动情况材料，请查收。\n\n市城管局团委\n",
          [Att("城管局团委与青年互动情况.docx", full[: len(full) * 11 // 20])])
    add(m, r_coremail, unit="cgj", projects=["4"], items=["4.3"], num=["4.3"], flags=["unreadable_attachment"],
        case="docx truncated to 55% (no central directory) -> unreadable_attachment")

    # 056 -----------------------------------------------------------------
    bomb = zeros_deflated(200 * 1024 * 1024)
    m = S("056-hongmei-zip-bomb", "2018-01-23T15:20:44+08:00", ["publicity"],
          ("洪梅镇团委", "dghongmeitw@126.com"),
          "洪梅镇团委新媒体工作材料",
          "宣传部：\n  附件为洪梅镇团委新媒体工作材料（含宣传视频），请查收。\n\n洪梅镇团委 陈丽\n",
          [zip_att("洪梅镇新媒体工作材料.zip",
                   [("洪梅镇新媒体工作材料/新媒体工作情况.docx", doc_docx("新媒体工作情况.docx", "hm")),
                    ("洪梅镇新媒体工作材料/宣传视频.mp4", bomb)])])
    add(m, r_coremail, unit="hongmei", projects=["3"], items=["3.3"], flags=["suspicious_archive"],
        case="Zip bomb: ~200 KB member declaring/expanding to 200 MiB of zeros (ratio ~1000:1) -> suspicious_archive")

    # 057 -----------------------------------------------------------------
    inner_bomb = zeros_deflated(256 * 1024 * 1024)
    ents = []
    for i in range(1, 11):
        z = ZipW()
        z.add(f"益苗计划/项目视频素材{i:02d}.mp4", pre=inner_bomb)
        ents.append((f"益苗计划材料_{i:02d}.zip", z.bytes()))
    m = S("057-nsh-nested-zip-bomb", "2018-01-24T13:07:19+08:00", ["publicity"],
          ("农商行团委", "nshtw@126.com"),
          "农商行团委益苗计划志愿服务项目材料",
          "宣传部：\n  附件为东莞农商行团委参加益苗计划志愿服务项目大赛的材料，视频素材较多已分卷打包，请查收。\n\n农商行团委\n",
          [zip_att("农商行团委益苗计划材料.zip", ents)])
    add(m, r_coremail, unit="nsh", projects=["5"], items=["5.1"], flags=["suspicious_archive"],
        case="Nested archive bomb: zip of 10 inner zips, each expanding to 256 MiB (2.5 GiB total); members list is the 10 inner zips (not recursive) -> suspicious_archive")

    # 058 -----------------------------------------------------------------
    m = S("058-xiegang-fakepath-oa", "2018-01-24T15:52:18+08:00", ["school"],
          ("谢岗镇政府OA", "oa@xg.dg.gov.test"),
          "谢岗镇团委少先队工作材料",
          "学校部：\n谢岗镇团委2017年度少先队工作材料通过OA系统发送，请查收。\n",
          [A("C:\\fakepath\\谢岗镇团委少先队工作情况.docx")],
          to=[(None, DEPT_MAILBOX["school"])])
    add(m, lambda m: r_phpmailer(m, oa_host="xg.dg.gov.test", oa_ip="61.145.111.57"), unit="xiegang", projects=["2"], items=["2.2"],
        flags=["unsafe_filename"],
        case="Web OA upload kept the browser's 'C:\\fakepath\\…' path in the (RFC 2047-encoded) filename: drive letter -> unsafe_filename; filename listed unsanitised")

    # 059 -----------------------------------------------------------------
    m = S("059-dalingshan-zip-dotdot", "2018-01-25T09:41:33+08:00", ["org"],
          ("大岭山镇团委", "dgdalingshantw@126.com"),
          "大岭山镇团委“团的基层基础”工作材料",
          "组织部：\n  附件为大岭山镇团委加强团的基层基础工作材料，请查收。\n\n大岭山镇团委 钟丽\n",
          [zip_att("大岭山镇团委基层基础材料.zip",
                   [("大岭山镇团委基层基础材料/", None),
                    ("大岭山镇团委基层基础材料/团干部培训签到表.xlsx", sheet("团干部培训签到表.xlsx", ["序号", "姓名", "单位", "签到时间"], 20)),
                    ("../../发展团员统计.xlsx", sheet("发展团员统计.xlsx", ["序号", "支部", "计划数", "完成数"], 12))])])
    add(m, r_coremail, unit="dalingshan", projects=["2"], items=["2.1"], flags=["unsafe_filename"],
        case="Zip member path '../../发展团员统计.xlsx' escapes the extraction directory -> unsafe_filename")

    # 060 -----------------------------------------------------------------
    m = S("060-humen-oa-raw-utf8-headers", "2018-01-25T15:33:06+08:00", ["office"],
          ("虎门镇团委", "oa@hm.dg.gov.test"),
          "虎门镇团委2017年度服务青年创新创业工作材料",
          "办公室：\n现将虎门镇团委2017年度服务青年创新创业工作材料报送，请查收。\n虎门镇团委\n",
          [A("虎门镇团委创新创业工作情况.docx")],
          to=[(None, DEPT_MAILBOX["office"])])
    add(m, lambda m: r_phpmailer(m, raw_headers=True, oa_host="hm.dg.gov.test", oa_ip="61.145.111.88"),
        unit="humen", projects=["5"], items=["5.2"], flags=["malformed"],
        case="OA (PHPMailer) writes raw 8-bit UTF-8 in From, Subject and the attachment name=/filename= (no RFC 2047/2231) -> malformed, must still decode")

    # 061 -----------------------------------------------------------------
    pdfb = doc_pdf("万江街道2017年发展团员情况.pdf")
    m = S("061-wanjiang-wrong-cte", "2018-01-22T15:27:41+08:00", ["org"],
          ("万江街道团工委", "dgwanjiangtw@126.com"),
          "万江街道团工委发展团员工作材料",
          "组织部：\n现将万江街道团工委2017年发展团员工作材料通过OA系统报送，请查收。\n万江街道团工委\n",
          [Att("万江街道2017年发展团员情况.pdf", pdfb)])

    def r061(m):
        p = r_phpmailer(m, oa_host="wj.dg.gov.test", oa_ip="61.145.111.63")
        att = p.parts[1]
        att.headers = [h.replace("Content-Transfer-Encoding: base64", "Content-Transfer-Encoding: quoted-printable")
                       if isinstance(h, str) else h for h in att.headers]
        return p
    add(m, r061, unit="wanjiang", projects=["2"], items=["2.1"], flags=["malformed"],
        case="PDF part declares Content-Transfer-Encoding: quoted-printable but the body is base64 -> malformed; sha256 is of the base64-decoded PDF; From is the unit's registered address relayed by an OA")

    # 062 -----------------------------------------------------------------
    m = S("062-shipai-k9-no-closing-boundary", "2018-01-23T21:06:58+08:00", ["publicity"],
          ("石排镇团委", "dgshipaitw@126.com"),
          "石排镇团委新媒体工作材料",
          "宣传部：附件为石排镇团委新媒体工作情况和公众号数据截图，请查收。\n\n李嘉慧（手机发送）\n",
          [A("石排镇团委新媒体工作情况.docx"), A("公众号数据截图.png", w=540, h=960)])
    add(m, lambda m: r_k9(m, close=False), unit="shipai", projects=["3"], items=["3.3"], flags=["malformed"],
        case="K-9 Mail (Android): multipart/mixed never closed (no final --boundary--); both attachments complete -> malformed, attachments still listed")

    # 063 -----------------------------------------------------------------
    mac = (2018, 1, 25, 11, 40, 0)
    x1 = sheet("公众号数据统计.xlsx", ["序号", "月份", "推送数", "阅读数"], 12, "xg")
    p1 = png(750, 1334, "xg-tw")
    ents = [("谢岗镇团委/", None), ("谢岗镇团委/3.3新媒体/", None),
            ("谢岗镇团委/3.3新媒体/公众号数据统计.xlsx", x1),
            ("谢岗镇团委/3.3新媒体/推文截图.png", p1),
            ("__MACOSX/", None), ("__MACOSX/谢岗镇团委/", None), ("__MACOSX/谢岗镇团委/3.3新媒体/", None),
            ("__MACOSX/谢岗镇团委/3.3新媒体/._公众号数据统计.xlsx", appledouble("a1")),
            ("__MACOSX/谢岗镇团委/3.3新媒体/._推文截图.png", appledouble("a2"))]
    m = S("063-xiegang-macos-zip-member-only", "2018-01-25T11:58:20+08:00", ["publicity"],
          ("林", "xg_linlin@163.com"),
          "考核材料",
          "宣传部：\n附件是我们的材料，请查收。\n小林\n",
          [zip_att("材料.zip", ents, utf8flag=False, unix=True, when=mac)])
    add(m, lambda m: r_iphone(m, x_mailer="Apple Mail (2.3445.5.20)"), unit="xiegang", projects=["3"], items=["3.3"], num=["3.3"],
        case="Unit and item only from zip member paths ('谢岗镇团委/3.3新媒体/…'); macOS Archive Utility zip: UTF-8 names WITHOUT the flag, plus __MACOSX/._ AppleDouble entries, which are non-directory entries and so listed in members")

    # 064 -----------------------------------------------------------------
    m = S("064-unknown-unit-generic", "2018-01-24T20:41:09+08:00", ["publicity"],
          ("晴天", "2698341157@qq.com"),
          "考核材料",
          "您好，附件是我们的材料，请查收。\n",
          [A("青年之声平台建设情况.docx")])
    add(m, r_qq, unit=None, projects=["3"], items=["3.1"],
        case="Nothing identifies the unit (personal QQ nickname, generic subject/body, filename without unit) -> unit null for review; item 3.1 from the filename")

    # 065 -----------------------------------------------------------------
    m = S("065-humen-contact-address", "2018-01-24T11:20:30+08:00", ["org"],
          ("虎门镇团委", "humentuanwei@dg.gov.test"),
          "虎门镇团委与青年互动情况材料",
          "组织部：\n  附件为虎门镇团委2017年度与青年的互动情况材料，请查收。\n\n虎门镇团委 黄俊\n",
          [A("虎门镇团委与青年互动情况.pdf")],
          to=[("tswzzb3@126.com", DEPT_MAILBOX["org"])])
    add(m, lambda m: r_outlook(m, "gb2312", smtp=("mail.dg.gov.test", "61.145.110.36"), rfc2231_names=False),
        unit="humen", projects=["4"], items=["4.3"],
        case="Sent from humen's registry CONTACT address (contacts do not count as senders) -> unknown_sender; unit from subject; 与青年互动 -> 4.3; Outlook with 2047 filenames")

    # 066 -----------------------------------------------------------------
    m = S("066-fenggang-date-like-numbers", "2018-01-23T16:12:45+08:00", ["school"],
          ("孙倩", "1972603458@qq.com"),
          "凤岗镇团委少先队工作材料",
          "学校部余老师：\n您好！按通知要求应于1.26前报送，现将凤岗镇团委2017年度少先队工作材料发送给您，请查收。\n如需补充请联系我：0769-87512368\n\n凤岗镇团委 孙倩\n",
          [A("凤岗镇团委少先队工作情况.docx")])
    add(m, r_qq, unit="fenggang", projects=["2"], items=["2.2"],
        case="Body contains '1.26' (a date, not item 1.2) and a phone number; only 少先队 -> 2.2")

    # 067 -----------------------------------------------------------------
    m = S("067-jtj-outlook-reply", "2018-01-23T10:06:14+08:00", ["org"],
          ("邓海", "dgjtjtw@163.com"),
          "答复: " + REMINDER_SUBJECT,
          "莫老师：\n    现将我局团委2017年发展团员情况材料报送，请查收。\n\n邓海\n市交通运输局团委\n\n",
          [A("交通运输局团委发展团员情况统计.xlsx", headers=["序号", "支部", "计划数", "完成数"], nrows=14)],
          quoted="发件人: 团市委组织部 [mailto:tswzzb3@126.com] \n发送时间: 2018年1月22日 9:00\n收件人: dgjtjtw@163.com\n"
                 f"主题: {REMINDER_SUBJECT}\n\n" + REMINDER_TEXT + "\n",
          in_reply_to=ORG_REMINDER_ID, to=[("团市委组织部", DEPT_MAILBOX["org"])])
    add(m, lambda m: r_outlook(m, "gb2312"), unit="jtj", projects=["2"], items=["2.1"],
        case="Outlook reply '答复:' to org's reminder (In-Reply-To, quoted original without item keywords) carrying 发展团员 material -> 2.1")

    # 068 -----------------------------------------------------------------
    m = S("068-qiaotou-javamail-q-encoding", "2018-01-19T10:52:37+08:00", ["publicity"],
          ("桥头镇团委", "qiaotoutw@163.com"),
          "桥头镇团委2017年学习宣传贯彻十九大精神工作材料",
          "宣传部：\n附件为桥头镇团委2017年学习宣传贯彻十九大精神工作材料，请查收。\n（本邮件由桥头镇OA系统发送）\n",
          [A("桥头镇团委十九大精神学习宣传工作情况.pdf")])
    add(m, r_javamail, unit="qiaotou", projects=["1"], items=["1.1"],
        case="JavaMail OA: Q-encoded (=?UTF-8?Q?…?=) Subject, From and filename; QP text body; item 1.1 at publicity")

    # 069 -----------------------------------------------------------------
    m = S("069-fenggang-qq-reply", "2018-01-24T09:37:50+08:00", ["org"],
          ("孙倩", "1972603458@qq.com"),
          "回复：" + REMINDER_SUBJECT,
          "莫老师，凤岗镇团委“1+100”工作材料见附件，请查收。\n\n",
          [A("凤岗镇1+100直接联系青年工作情况.docx")],
          quoted="------------------ 原始邮件 ------------------\n发件人: \"团市委组织部\"<tswzzb3@126.com>;\n"
                 "发送时间: 2018年1月22日(星期一) 上午9:00\n收件人: \"fenggangtuanwei\"<fenggangtuanwei@dg.gov.test>;\n"
                 f"主题: {REMINDER_SUBJECT}\n\n" + REMINDER_TEXT + "\n",
          in_reply_to=ORG_REMINDER_ID)
    add(m, r_qq, unit="fenggang", projects=["4"], items=["4.1"],
        case="QQ Mail '回复：' to the reminder, quoted original block; material 1+100 -> 4.1; unknown_sender")

    # 070 -----------------------------------------------------------------
    m = S("070-gaobu-iphone-photos", "2018-01-25T13:26:02+08:00", ["publicity"],
          ("高埗镇团委", "dggaobutw@126.com"),
          "高埗镇团委i志愿活动照片",
          "宣传部：高埗镇团委i志愿活动照片，请查收。\n\n发自我的 iPhone",
          [A("IMG_2041.JPG", data=jpeg(1280, 960, "gb2041", "iPhone 8")), A("IMG_2043.JPG", data=jpeg(1280, 960, "gb2043", "iPhone 8")),
           A("IMG_2047.JPG", data=jpeg(960, 1280, "gb2047", "iPhone 8"))])
    add(m, r_iphone, unit="gaobu", projects=["5"], items=["5.1"],
        case="Only inline photos from iPhone (Content-Disposition inline, no Content-ID) are the material; i志愿 -> 5.1; same unit as 046/047 but another project")

    # 071 -----------------------------------------------------------------
    m = S("071-wanjiang-empty-form", "2018-01-25T14:48:10+08:00", ["org"],
          ("万江街道团工委", "dgwanjiangtw@126.com"),
          "万江街道团工委工作开展情况表",
          "组织部：附件是万江街道团工委工作开展情况表，请查收。\n\n万江街道团工委 梁志明\n",
          [Att("万江街道团工委工作开展情况表.xlsx", form_xlsx("万江街道团工委", ".....", "wj"))])
    add(m, r_coremail, unit="wanjiang", projects=[], items=[],
        case="Form sent with 填表单位 filled but every row empty -> a submission whose projects are [] (readable, nothing filled); nothing identified -> not misrouted")

    # 086 -----------------------------------------------------------------
    k = "7fbd21c7e0a3b5d81e4c2f6a09d83b7e5c1a4f2d6e8b09a1"
    url = f"http://mail.qq.com/cgi-bin/ftnExs_download?k={k}&t=exs_ftn_download&code=6d2e91ab"
    qtext = ("\n\n从QQ邮箱发来的超大附件\n\n凤岗镇团委新媒体工作材料.rar (97.60M, 2018年02月09日 15:47 到期)\n"
             f"进入下载页面：{url}\n")
    qhtml = ('<div style="width:auto;font-size:12px;border:1px solid #eee;padding:2px;"><div style="padding:6px 10px;background:#f4f4f4;">'
             '<b style="font-size:14px;">从QQ邮箱发来的超大附件</b></div><div style="padding:0 8px 6px 12px;"><div style="padding:6px 0 0 0;">'
             f'<a href="{xesc(url)}" target="_blank"><b>凤岗镇团委新媒体工作材料.rar</b></a> '
             '<span style="color:#a0a0a0;">(97.60M, 2018年02月09日 15:47 到期)</span></div>'
             f'<div style="padding:4px 0;">进入下载页面：<a href="{xesc(url)}" target="_blank">{xesc(url)}</a></div></div></div>')
    m = S("086-fenggang-qq-bigattach", "2018-01-25T15:47:21+08:00", ["publicity"],
          ("孙倩", "1972603458@qq.com"),
          "凤岗镇团委新媒体工作材料（超大附件）",
          "宣传部：\n您好！凤岗镇团委新媒体工作材料（含视频）较大，以QQ邮箱超大附件形式发送，请在到期前下载，谢谢！\n-------------------\n凤岗镇团委 孙倩\n")
    add(m, lambda m: r_qq(m, bigattach=(qtext, qhtml)), unit="fenggang", projects=["3"], items=["3.3"], flags=["external_link"],
        case="QQ Mail 超大附件 (ftnExs_download link, .rar) and no MIME attachment -> external_link; unknown_sender")

    # ---------------------------------------------------------------- non-submissions
    build_non_submissions()


PUB_REMINDER_SUBJECT = "关于报送2017年度宣传类考核材料的提醒"
PUB_REMINDER_TEXT = ("各镇（街道）、厂局团委：\n  请于2018年1月26日下午下班前将宣传部负责的考核项目材料发送至本邮箱。\n团市委宣传部")


def org_reminder_bytes(to_addr, when, with_notice_docx=False):
    """the department's own outgoing mail, as returned inside bounces"""
    r = Rng("reminder" + to_addr)
    ms = int(when.timestamp() * 1000)
    b = f"----=_Part_{r.randrange(100000, 999999)}_{r.randrange(10**8, 10**9)}.{ms}"
    hs = ["Received: from tswzzb3$126.com ( [113.68.84.9] ) by\r\n ajax-webmail-wmsvr12 (Coremail) ; "
          + fmt_date(when, cst=True),
          "X-Originating-IP: [113.68.84.9]",
          f"Date: {fmt_date(when, cst=True)}",
          hdr("From", fmt_addr("团市委组织部" if not with_notice_docx else "团市委学校部",
                               "tswzzb3@126.com" if not with_notice_docx else "a22233740@126.com")),
          f"To: <{to_addr}>",
          f"Message-ID: <{r.hexs(7)}.{r.hexs(4)}.{ms:x}.Coremail.{'tswzzb3' if not with_notice_docx else 'a22233740'}@126.com>",
          hdr("Subject", ew(REMINDER_SUBJECT if not with_notice_docx else "转发：关于做好2017年度东莞共青团工作考核的通知")),
          "MIME-Version: 1.0"]
    txt = REMINDER_TEXT if not with_notice_docx else "各镇（街道）、厂局团委：\n  现将团市委《关于做好2017年度东莞共青团工作考核的通知》转发给你们，请认真阅读并按要求报送材料。\n团市委学校部"
    alt = [text_part(txt, "UTF-8", "base64"), leaf(["Content-Type: text/html; charset=UTF-8"], "base64", b64(html_of(txt).encode()))]
    if with_notice_docx:
        notice = docx(["关于做好2017年度东莞共青团工作考核的通知", "各镇（街道）、厂局团委：",
                       "为全面总结2017年全市共青团的工作……（附件：2017年东莞共青团工作开展情况表）"],
                      title="关于做好2017年度东莞共青团工作考核的通知")
        ba = b + "_a"
        hs.append(f'Content-Type: multipart/mixed; \r\n\tboundary="{b}"')
        return Part(hs, parts=[Part([f'Content-Type: multipart/alternative; \r\n\tboundary="{ba}"'], parts=alt, boundary=ba),
                               att_part_2047(Att("关于做好2017年度东莞共青团工作考核的通知.docx", notice))], boundary=b).bytes()
    hs.append(f'Content-Type: multipart/alternative; \r\n\tboundary="{b}"')
    return Part(hs, parts=alt, boundary=b).bytes()


def header_block(raw):
    return raw.split(b"\r\n\r\n", 1)[0] + b"\r\n"


def build_non_submissions():
    # 072 “收到” ----------------------------------------------------------
    m = S("072-shipai-shoudao-reply", "2017-12-08T09:41:22+08:00", ["org"],
          ("石排镇团委", "dgshipaitw@126.com"),
          "回复：关于做好2017年度东莞共青团工作考核的通知",
          "收到，谢谢！\n\n石排镇团委 李嘉慧\n\n",
          quoted="在 2017-12-07 16:20:11，\"团市委组织部\" <tswzzb3@126.com> 写道：\n"
                 "各镇（街道）、厂局团委：\n  现将《关于做好2017年度东莞共青团工作考核的通知》（东团通〔2017〕23号）发给你们，"
                 "请按要求整理“智慧团建”“青年之声”“1+100”、i志愿等各项考核材料，于2018年1月26日下午下班前分项目报送相关科室。\n团市委组织部\n",
          in_reply_to=ORG_NOTICE_ID, to=[("团市委组织部", DEPT_MAILBOX["org"])])
    add(m, r_coremail, kind="other", unit="shipai",
        case="Reply that only says 收到 to org's notice (quoted notice full of item keywords, no material): other, no receipt")

    # 073 question from a registered sender -------------------------------
    m = S("073-dongkeng-question", "2018-01-10T15:22:05+08:00", ["org"],
          ("东坑镇团委", "dongkengtw@163.com"),
          "咨询：智慧团建截图需要截哪些页面？",
          "莫老师您好：\n  请问考核材料中“智慧团建”部分的截图需要截取系统哪些页面？是否需要加盖公章？谢谢！\n\n东坑镇团委 罗志强\n")
    add(m, r_coremail, kind="other", unit="dongkeng",
        case="Plain question mentioning 智慧团建, no material claimed: other")

    # 074 question, unregistered ---------------------------------------
    m = S("074-qq-question-project3", "2018-01-15T10:30:12+08:00", ["publicity"],
          ("小黄", "2341907765@qq.com"),
          "咨询：项目三的材料报送给哪个部门？",
          "您好！请问考核项目三里的“青年之声”和“智慧团建”材料是都发宣传部，还是分别发给不同科室？谢谢！\n")
    add(m, r_qq, kind="other", unit=None,
        case="Question naming 项目三/青年之声/智慧团建 from an unregistered QQ address, no material: other, unit null")

    # 075 CN auto-reply with Auto-Submitted --------------------------------
    m = S("075-zhangmutou-autoreply-autosubmitted", "2018-01-22T09:00:47+08:00", ["org"],
          ("樟木头镇团委", "dgzhangmutoutw@126.com"),
          "自动回复：" + REMINDER_SUBJECT,
          "您好！您的邮件已收到。本人1月22日至1月24日外出培训，期间邮件回复可能不及时，急事请致电0769-87712345。\n",
          in_reply_to=ORG_REMINDER_ID, to=[("团市委组织部", DEPT_MAILBOX["org"])],
          extra=["Auto-Submitted: auto-replied"])
    add(m, r_coremail, kind="auto_reply", unit="zhangmutou",
        case="Chinese vacation auto-reply (126 webmail) with Auto-Submitted: auto-replied, In-Reply-To the reminder: auto_reply")

    # 076 EN OOF, no Auto-Submitted ---------------------------------------
    m = S("076-english-oof-exchange", "2018-01-22T09:01:15+08:00", ["org"],
          ("Zhang Wei", "zhangwei@gd.csg.test"),
          "Automatic reply: " + REMINDER_SUBJECT,
          "Thank you for your email. I am out of the office on business travel until Monday 29 January with limited access to email.\n"
          "For urgent matters please contact Ms. Wen on 0769-22880123.\n\nZhang Wei\n",
          in_reply_to=ORG_REMINDER_ID, to=[("团市委组织部", DEPT_MAILBOX["org"])],
          extra=["X-Auto-Response-Suppress: All", "X-MS-Exchange-Inbox-Rules-Loop: zhangwei@gd.csg.test"])
    add(m, lambda m: r_exchange(m, "CSG-DGEX02.gd.csg.test", cs="utf-8"), kind="auto_reply", unit=None,
        case="English Exchange out-of-office ('Automatic reply:') WITHOUT Auto-Submitted (only X-Auto-Response-Suppress): auto_reply")

    # 077 OA acknowledgement, Auto-Submitted: auto-generated -----------------
    m = S("077-oa-ack-autogenerated", "2018-01-22T09:05:33+08:00", ["publicity"],
          ("东莞银行邮件系统", "noreply@dongguanbank.test"),
          "邮件已收到（系统自动回复）",
          "您好！\n您于2018-01-22 09:05发送的邮件《" + PUB_REMINDER_SUBJECT + "》（“青年之声”、新媒体、i志愿等项目材料）已收到，我们将尽快处理。\n"
          "此邮件为系统自动发出，请勿直接回复。\n")

    def r077(m):
        r = m.r
        hs = ["Return-Path: <>", mx_received(r, "publicity", "mail.dongguanbank.test", "61.145.117.20", m.idate),
              f"Date: {fmt_date(m.date)}", hdr("From", fmt_addr(m.frm[0], m.frm[1])), "To: <2219564@163.com>",
              hdr("Subject", ew(m.subject)), f"Message-ID: <autoreply.{r.hexs(16)}@dongguanbank.test>",
              f"In-Reply-To: {PUB_REMINDER_ID}", "Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All",
              "MIME-Version: 1.0", "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64"]
        return Part(hs, b64(crlf(m.text).encode()))
    add(m, r077, kind="auto_reply", unit=None,
        case="Automatic acknowledgement from a unit's mail system (Auto-Submitted: auto-generated), quoting keywords of the reminder: auto_reply")

    # 078 Foxmail client-rule auto-reply, no header ---------------------------
    m = S("078-changan-foxmail-autoreply-noheader", "2018-01-22T09:06:02+08:00", ["publicity"],
          ("changantw@163.com", "changantw@163.com"),
          "自动回复：" + PUB_REMINDER_SUBJECT,
          "【自动回复】您好，您的来信已收到。本人近期外出学习，回来后会尽快处理，谢谢！\n\n长安镇团委 陈晓婷\n",
          in_reply_to=PUB_REMINDER_ID, to=[("2219564", DEPT_MAILBOX["publicity"])])
    add(m, lambda m: r_foxmail(m, "GB2312"), kind="auto_reply", unit="changan",
        case="Foxmail client-rule auto-reply: no Auto-Submitted header, recognisable only from the 自动回复 subject/body: auto_reply (unit informational)")

    # 079 Exchange NDR ----------------------------------------------------
    m = S("079-bounce-exchange-ndr", "2018-01-22T09:00:52+08:00", ["org"],
          ("Microsoft Outlook", "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@dg.gov.test"), "", "")

    def r079(m):
        r = m.r
        orig_when = dt.datetime.fromisoformat("2018-01-22T09:00:12+08:00")
        orig = org_reminder_bytes("yztuanwei@dg.gov.test", orig_when)
        orig_id = re.search(rb"Message-ID: (<[^>]+>)", orig).group(1).decode()
        B = r.uuid().lower()
        BA = r.uuid().lower()
        utc = lambda d: fmt_date(d.astimezone(dt.timezone.utc), tz="+0000")  # noqa: E731
        txt = ("传递到这些收件人或组失败:\n\nyztuanwei@dg.gov.test\n收件人的邮箱已满，现在无法接受邮件。请稍后尝试重新发送该邮件，或直接联系收件人。\n\n\n\n\n\n"
               "管理员的诊断信息:\n\n生成服务器: DG-EX01.dg.gov.test\n\nyztuanwei@dg.gov.test\n"
               "Remote Server returned '554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded; "
               "Failed to process message due to a permanent exception'\n\n原始邮件头:\n\n" + header_block(orig).decode("ascii"))
        hs = ["Return-Path: <>", mx_received(r, "org", "mail.dg.gov.test", "61.145.110.36", m.idate, helo_ip_known=True),
              hdr("From", "Microsoft Outlook\r\n\t<MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@dg.gov.test>"),
              "To: <tswzzb3@126.com>", f"Date: {utc(sec(m.idate, -2))}",
              "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + B + "\"",
              "X-MS-Exchange-Message-Is-Ndr:", "Content-Language: zh-CN",
              f"Message-ID: <{r.uuid().lower()}@DG-EX01.dg.gov.test>",
              f"In-Reply-To: {orig_id}", f"References: {orig_id}",
              hdr("Thread-Topic", ew(REMINDER_SUBJECT)),
              hdr("Subject", ew("无法送达: " + REMINDER_SUBJECT)),
              "Auto-Submitted: auto-replied", "MIME-Version: 1.0"]
        alt = Part([f'Content-Type: multipart/alternative; differences=Content-Type;\r\n\tboundary="{BA}"'],
                   parts=[text_part(txt, "utf-8", "base64"), html_part(txt, "utf-8", "base64")], boundary=BA)
        ds = (f"Reporting-MTA: dns;DG-EX01.dg.gov.test\r\nReceived-From-MTA: dns;m15-45.126.com\r\nArrival-Date: {utc(sec(orig_when, 3))}\r\n\r\n"
              "Final-Recipient: rfc822;yztuanwei@dg.gov.test\r\nAction: failed\r\nStatus: 5.2.2\r\n"
              "Diagnostic-Code: smtp;554 5.2.2 mailbox full;\r\n STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded\r\n")
        return Part(hs, parts=[alt, Part(["Content-Type: message/delivery-status"], ds.encode()),
                               Part(["Content-Type: text/rfc822-headers"], header_block(orig))], boundary=B)
    add(m, r079, kind="bounce", unit=None,
        case="Exchange NDR (multipart/report, Chinese 无法送达, mailbox full 5.2.2) for org's reminder; carries Auto-Submitted too: still a bounce")

    # 080 qmail -----------------------------------------------------------
    m = S("080-bounce-qmail-plain", "2018-01-22T09:10:11+08:00", ["publicity"],
          (None, "MAILER-DAEMON@mx1.cnhost.test"), "failure notice", "")

    def r080(m):
        r = m.r
        when = dt.datetime.fromisoformat("2018-01-22T09:10:02+08:00")
        rr = Rng("pubrem")
        ms = int(when.timestamp() * 1000)
        b = f"----=_Part_{rr.randrange(100000, 999999)}_{rr.randrange(10**8, 10**9)}.{ms}"
        orig_hs = ["Return-Path: <2219564@163.com>",
                   f"Received: from m12-17.163.com (220.181.12.17)\r\n  by mx1.cnhost.test with SMTP; {when.astimezone(dt.timezone.utc).strftime('%d %b %Y %H:%M:%S')} -0000",
                   f"Date: {fmt_date(when, cst=True)}", hdr("From", fmt_addr("团市委宣传部", "2219564@163.com")),
                   "To: <hj_tuanwei@hjyouth.test>", f"Message-ID: <{rr.hexs(7)}.{rr.hexs(4)}.{ms:x}.Coremail.2219564@163.com>",
                   hdr("Subject", ew(PUB_REMINDER_SUBJECT)), "MIME-Version: 1.0",
                   f'Content-Type: multipart/alternative; \r\n\tboundary="{b}"']
        orig = Part(orig_hs, parts=[text_part(PUB_REMINDER_TEXT, "UTF-8", "base64"),
                                    leaf(["Content-Type: text/html; charset=UTF-8"], "base64", b64(html_of(PUB_REMINDER_TEXT).encode()))],
                    boundary=b).bytes()
        body = ("Hi. This is the qmail-send program at mx1.cnhost.test.\r\n"
                "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
                "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
                "<hj_tuanwei@hjyouth.test>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
                "--- Below this line is a copy of the message.\r\n\r\n").encode() + orig
        hs = ["Return-Path: <>", mx_received(r, "publicity", "mx1.cnhost.test", "203.0.113.77", m.idate),
              f"Date: {(m.idate - dt.timedelta(seconds=2)).astimezone(dt.timezone.utc).strftime('%d %b %Y %H:%M:%S')} -0000",
              "From: MAILER-DAEMON@mx1.cnhost.test", "To: 2219564@163.com", "Subject: failure notice"]
        return Part(hs, body)
    add(m, r080, kind="bounce", unit=None,
        case="qmail-send plain-text bounce (no MIME structure, From MAILER-DAEMON, 'failure notice') with the returned reminder below the line")

    # 081 Postfix failed, whole original returned incl. attachment -------------
    m = S("081-bounce-postfix-returned-attachment", "2017-12-08T10:15:40+08:00", ["school"],
          (None, "MAILER-DAEMON@m15-112.126.com"), "Undelivered Mail Returned to Sender", "")

    def r081(m):
        r = m.r
        when = dt.datetime.fromisoformat("2017-12-08T10:15:31+08:00")
        orig = org_reminder_bytes("qishituanwei@dg.gov.test", when, with_notice_docx=True)
        qid = r.hexs(10, True)
        B = f"{qid}.{int(m.idate.timestamp())}/m15-112.126.com"
        hs = ["Return-Path: <>", mx_received(r, "school", "m15-112.126.com", "220.181.15.112", m.idate),
              f"Received: by m15-112.126.com (Postfix)\r\n\tid {qid}; {fmt_date(sec(m.idate, -1), cst=True)}",
              f"Date: {fmt_date(sec(m.idate, -1), cst=True)}",
              "From: MAILER-DAEMON@m15-112.126.com (Mail Delivery System)",
              "Subject: Undelivered Mail Returned to Sender", "To: a22233740@126.com",
              "Auto-Submitted: auto-replied", "MIME-Version: 1.0",
              f'Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="{B}"',
              "Content-Transfer-Encoding: 8bit", f"Message-Id: <20171208021539.{qid}@m15-112.126.com>"]
        note = ("This is the mail system at host m15-112.126.com.\r\n\r\nI'm sorry to have to inform you that your message could not\r\n"
                "be delivered to one or more recipients. It's attached below.\r\n\r\nFor further assistance, please send mail to postmaster.\r\n\r\n"
                "If you do so, please include this problem report. You can\r\ndelete your own text from the attached returned message.\r\n\r\n"
                "                   The mail system\r\n\r\n<qishituanwei@dg.gov.test>: host mail.dg.gov.test[61.145.110.36] said: 550 5.1.1\r\n"
                "    <qishituanwei@dg.gov.test>: Recipient address rejected: User unknown in\r\n    virtual mailbox table (in reply to RCPT TO command)\r\n")
        ds = (f"Reporting-MTA: dns; m15-112.126.com\r\nX-Postfix-Queue-ID: {qid}\r\nX-Postfix-Sender: rfc822; a22233740@126.com\r\n"
              f"Arrival-Date: {fmt_date(when, cst=True)}\r\n\r\nFinal-Recipient: rfc822; qishituanwei@dg.gov.test\r\n"
              "Original-Recipient: rfc822;qishituanwei@dg.gov.test\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mail.dg.gov.test\r\n"
              "Diagnostic-Code: smtp; 550 5.1.1 <qishituanwei@dg.gov.test>: Recipient address\r\n    rejected: User unknown in virtual mailbox table\r\n")
        return Part(hs, parts=[Part(["Content-Description: Notification", "Content-Type: text/plain; charset=us-ascii"], note.encode()),
                               Part(["Content-Description: Delivery report", "Content-Type: message/delivery-status"], ds.encode()),
                               Part(["Content-Description: Undelivered Message", "Content-Type: message/rfc822",
                                     "Content-Transfer-Encoding: 8bit"], orig)],
                    boundary=B, preamble="This is a MIME-encapsulated message.\r\n")
    add(m, r081, kind="bounce", unit=None,
        case="Postfix DSN returning school's whole message, including the notice .docx inside the message/rfc822 part: a bounce, the returned attachment is not material")

    # 082 Postfix delay warning ---------------------------------------------
    m = S("082-bounce-postfix-delayed", "2018-01-22T13:04:27+08:00", ["liangxin"],
          (None, "MAILER-DAEMON@m12-54.163.com"), "Delayed Mail (still being retried)", "")

    def r082(m):
        r = m.r
        when = dt.datetime.fromisoformat("2018-01-22T09:02:55+08:00")
        qid = r.hexs(10, True)
        B = f"{qid}.{int(m.idate.timestamp())}/m12-54.163.com"
        rr = Rng("lxrem")
        ms = int(when.timestamp() * 1000)
        orig_h = ("Received: from dglxtgw$163.com ( [14.127.81.20] ) by\r\n ajax-webmail-wmsvr41 (Coremail) ; " + fmt_date(when, cst=True) + "\r\n"
                  f"Date: {fmt_date(when, cst=True)}\r\n" + hdr("From", fmt_addr("“两新”团工委", "dglxtgw@163.com")) + "\r\n"
                  "To: <xiegangtuanwei@dg.gov.test>\r\n" + hdr("Subject", ew(REMINDER_SUBJECT)) + "\r\n"
                  f"Message-ID: <{rr.hexs(7)}.{rr.hexs(4)}.{ms:x}.Coremail.dglxtgw@163.com>\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: multipart/alternative; \r\n\tboundary=\"----=_Part_77120_1840213553.1516582975512\"\r\n")
        hs = ["Return-Path: <>", mx_received(r, "liangxin", "m12-54.163.com", "220.181.12.54", m.idate),
              f"Received: by m12-54.163.com (Postfix)\r\n\tid {qid}; {fmt_date(sec(m.idate, -1), cst=True)}",
              f"Date: {fmt_date(sec(m.idate, -1), cst=True)}",
              "From: MAILER-DAEMON@m12-54.163.com (Mail Delivery System)",
              "Subject: Delayed Mail (still being retried)", "To: dglxtgw@163.com",
              "Auto-Submitted: auto-replied", "MIME-Version: 1.0",
              f'Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="{B}"',
              "Content-Transfer-Encoding: 8bit", f"Message-Id: <20180122050426.{qid}@m12-54.163.com>"]
        note = ("This is the mail system at host m12-54.163.com.\r\n\r\n####################################################################\r\n"
                "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\r\n"
                "####################################################################\r\n\r\nYour message could not be delivered for more than 4 hour(s).\r\n"
                "It will be retried until it is 5 day(s) old.\r\n\r\n                   The mail system\r\n\r\n"
                "<xiegangtuanwei@dg.gov.test>: connect to mail.dg.gov.test[61.145.110.36]:25:\r\n    Connection timed out\r\n")
        ds = (f"Reporting-MTA: dns; m12-54.163.com\r\nX-Postfix-Queue-ID: {qid}\r\nX-Postfix-Sender: rfc822; dglxtgw@163.com\r\n"
              f"Arrival-Date: {fmt_date(when, cst=True)}\r\n\r\nFinal-Recipient: rfc822; xiegangtuanwei@dg.gov.test\r\n"
              "Original-Recipient: rfc822;xiegangtuanwei@dg.gov.test\r\nAction: delayed\r\nStatus: 4.4.1\r\n"
              "Diagnostic-Code: X-Postfix; connect to mail.dg.gov.test[61.145.110.36]:25:\r\n    Connection timed out\r\n"
              "Will-Retry-Until: Sat, 27 Jan 2018 09:02:55 +0800 (CST)\r\n")
        return Part(hs, parts=[Part(["Content-Description: Notification", "Content-Type: text/plain; charset=us-ascii"], note.encode()),
                               Part(["Content-Description: Delivery report", "Content-Type: message/delivery-status"], ds.encode()),
                               Part(["Content-Description: Undelivered Message Headers", "Content-Type: text/rfc822-headers"],
                                    orig_h.encode())],
                    boundary=B, preamble="This is a MIME-encapsulated message.\r\n")
    add(m, r082, kind="bounce", unit=None,
        case="Postfix delay warning (multipart/report, Action: delayed, 4.4.1): a delivery status notification, hence bounce")

    # 083 newsletter --------------------------------------------------------
    m = S("083-newsletter-list", "2018-01-12T08:30:00+08:00", ["liangxin"],
          ("广东共青团", "news@gdyouth.test"),
          "【每周团讯】2018年第2期：学习贯彻十九大精神 “智慧团建”系统全面上线",
          "每周团讯 2018年第2期\n\n1. 全省各级团组织深入学习贯彻党的十九大精神\n2. “智慧团建”系统全面上线，团员信息录入工作有序推进\n"
          "3. “青年之声”平台年度优秀案例征集启动\n4. 圆梦计划2018年招生工作即将开始\n\n阅读全文：http://news.gdyouth.test/weekly/2018-02\n"
          "退订：http://news.gdyouth.test/unsubscribe?e=dglxtgw%40163.com\n")

    def r083(m):
        r = m.r
        b = f"=_{r.hexs(32)}"
        hs = [f"Return-Path: <bounce-{r.digits(7)}-dglxtgw=163.com@news.gdyouth.test>",
              mx_received(r, "liangxin", "edm.gdyouth.test", "203.0.113.58", m.idate),
              f"Date: {fmt_date(m.date)}", hdr("From", fmt_addr(m.frm[0], m.frm[1])), "To: dglxtgw@163.com",
              hdr("Subject", ew(m.subject)), f"Message-ID: <{r.hexs(24)}@news.gdyouth.test>",
              hdr("List-Id", ew("每周团讯") + ["<weekly.news.gdyouth.test>"], sep=" "),
              "List-Unsubscribe: <mailto:unsubscribe-weekly@news.gdyouth.test?subject=unsubscribe>,\r\n <http://news.gdyouth.test/unsubscribe?e=dglxtgw%40163.com>",
              "Precedence: list", "X-Mailer: phpList v3.3.1", "MIME-Version: 1.0",
              f'Content-Type: multipart/alternative;\r\n\tboundary="{b}"']
        return Part(hs, parts=[text_part(m.text, "UTF-8", "quoted-printable"), html_part(m.text, "UTF-8", "quoted-printable")], boundary=b)
    add(m, r083, kind="other", unit=None,
        case="Mailing-list newsletter (List-Id, List-Unsubscribe, Precedence: list) full of assessment keywords: other")

    # 084 spam with an image attachment ---------------------------------------
    m = S("084-spam-teambuilding-jpg", "2018-01-16T03:12:44+08:00", ["office"],
          ("刘经理", "sales@tuozhan-888.test"),
          "2018年会/团建拓展活动方案 优惠报价（附方案）",
          "尊敬的负责人：您好！\n我司专业承接年会策划、团建拓展、户外拓展训练等活动，价格优惠，详见附件方案报价。\n"
          "咨询热线：135 3027 8841（刘经理）\n如不希望再收到此类邮件，请回复TD。\n",
          [A("团建活动方案报价.jpg", w=600, h=900)], to=[(None, DEPT_MAILBOX["office"])])

    def r084(m):
        r = m.r
        b = f"----=_NextPart_000_{r.randrange(1, 99):04X}_01D38E{r.hexs(2, True)}.{r.hexs(8, True)}"
        hs = [f"Return-Path: <{m.frm[1]}>", mx_received(r, "office", "unknown", f"45.{r.randrange(60, 90)}.{r.randrange(1, 250)}.{r.randrange(2, 250)}", m.idate),
              hdr("From", fmt_addr(m.frm[0], m.frm[1], "gb2312", quoted=True)), "To: dgyouth@126.com",
              hdr("Subject", ew(m.subject, "gb2312")), f"Date: {fmt_date(m.date)}", "MIME-Version: 1.0",
              f'Content-Type: multipart/mixed;\r\n\tboundary="{b}"', "X-Priority: 3", "X-MSMail-Priority: Normal",
              "X-Mailer: Microsoft Outlook Express 6.00.2900.5512", f"Message-ID: <{r.hexs(12, True)}$@{r.b64id(6)}>"]
        w = ew(m.atts[0].name, "gb2312")
        return Part(hs, parts=[text_part(m.text, "gb2312", "base64"),
                               leaf([f'Content-Type: image/jpeg;\r\n\tname={qwords(w)}'], "base64", b64(m.atts[0].data),
                                    [f"Content-Disposition: attachment;\r\n\tfilename={qwords(w)}"])],
                    boundary=b, preamble="This is a multi-part message in MIME format.\r\n")
    add(m, r084, kind="other", unit=None, material=[],
        case="Marketing spam with a JPEG attachment ('团建' = team-building, not 智慧团建): other; attachments [] for non-submissions")

    # 085 system notification, bulk + auto-generated ---------------------------
    m = S("085-zhtj-system-notice-bulk", "2018-01-18T20:00:03+08:00", ["org"],
          ("智慧团建系统", "noreply@zhtj.youth.test"),
          "【智慧团建】关于系统2018年1月20日停机维护的通知",
          "尊敬的用户：\n  智慧团建系统将于2018年1月20日22:00至1月21日06:00进行停机维护，期间系统暂停访问，请合理安排团员信息录入工作。\n"
          "此邮件由系统自动发送，请勿回复。\n")

    def r085(m):
        r = m.r
        hs = ["Return-Path: <noreply@zhtj.youth.test>", mx_received(r, "org", "smtp.zhtj.youth.test", "203.0.113.120", m.idate),
              f"Date: {fmt_date(m.date)}", hdr("From", fmt_addr(m.frm[0], m.frm[1])), "To: tswzzb3@126.com",
              hdr("Subject", ew(m.subject)), f"Message-ID: <{r.hexs(20)}@zhtj.youth.test>",
              "Precedence: bulk", "Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All",
              "MIME-Version: 1.0", "Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: base64"]
        return Part(hs, b64(("<html><body>" + html_of(m.text) + "</body></html>").encode()))
    add(m, r085, kind="other", unit=None,
        case="Bulk system notification (Precedence: bulk, Auto-Submitted: auto-generated) from the 智慧团建 platform: not a reply to anything, not a DSN -> other")


# --------------------------------------------------------------------------
# rule engine (README label rules) and output
# --------------------------------------------------------------------------
ALL_SENDERS = {a.lower(): u for u, lst in SENDERS.items() for a in lst}


def material_departments(projects, items):
    ds = set()
    for it in items:
        ds |= set(ITEM_DEPTS[it])
    for p in projects:
        if not any(i.split(".")[0] == p for i in items):
            for it, d in ITEM_DEPTS.items():
                if it.split(".")[0] == p:
                    ds |= set(d)
    return ds


def label_all(msgs):
    ledger = {}
    out = {}
    for m in sorted(msgs, key=lambda m: (m.idate, m.slug)):
        e = m.expect
        sender = (m.frm[1] or "").lower()
        sub = e["kind"] == "submission"
        flags = set(e["flags"])
        assert {i.split(".")[0] for i in e["items"]} <= set(e["projects"]), m.slug
        if sub:
            if sender not in ALL_SENDERS:
                flags.add("unknown_sender")
            u = e["unit"]
            if u in AGENCY_ESTABLISHED and dt.date.fromisoformat(AGENCY_ESTABLISHED[u]) >= AGENCIES_ESTABLISHED_BEFORE:
                flags.add("not_assessed")
            if u:
                prior = ledger.setdefault(u, set())
                if prior & set(e["projects"]):
                    flags.add("resubmission")
                prior |= set(e["projects"])
            if len(m.depts) > 1:
                flags.add("duplicate_delivery")
            if not m.material and "external_link" not in flags:
                assert "no_attachments" in flags, m.slug
        else:
            assert not flags and not e["projects"] and not e["items"], m.slug
            assert e["unit"] == ALL_SENDERS.get(sender), (m.slug, e["unit"], ALL_SENDERS.get(sender))
        assert ("resubmission" in flags) == e["resub"], (m.slug, flags)
        assert set(flags) <= set(FLAG_ORDER), flags
        deliveries = []
        for d in m.depts:
            late = sub and m.idate > DEADLINE
            misrouted = sub and bool(e["projects"] or e["items"]) and d not in material_departments(e["projects"], e["items"])
            deliveries.append({
                "file": m.slug + ".eml",
                "department": d,
                "department_mailbox": DEPT_MAILBOX[d],
                "internaldate": m.idate.isoformat(),
                "case": e["case"],
                "expect": {
                    "kind": e["kind"],
                    "unit": e["unit"],
                    "projects": e["projects"] if sub else [],
                    "items": e["items"] if sub else [],
                    "late": bool(late),
                    "misrouted": bool(misrouted),
                    "receipt": sub,
                    "flags": [f for f in FLAG_ORDER if f in flags],
                    "attachments": [a.expect() for a in m.material] if sub else [],
                },
            })
        out[m.slug] = deliveries
    return out


def check_crlf(b, slug):
    for i, c in enumerate(b):
        if c == 10 and (i == 0 or b[i - 1] != 13):
            raise AssertionError(f"{slug}: bare LF at {i}")
        if c == 13 and (i + 1 >= len(b) or b[i + 1] != 10):
            raise AssertionError(f"{slug}: bare CR at {i}")


def main():
    build_messages()
    slugs = [m.slug for m in MESSAGES]
    assert len(slugs) == len(set(slugs))
    labels = label_all(MESSAGES)
    for old in os.listdir(HERE):
        if old.endswith(".eml"):
            os.remove(os.path.join(HERE, old))
    entries = []
    mids = set()
    for m in sorted(MESSAGES, key=lambda m: m.slug):
        p = m.render(m)
        b = p if isinstance(p, bytes) else p.bytes()
        check_crlf(b, m.slug)
        mid = re.search(rb"^Message-I[Dd]: (<[^>]+>)", b, re.M)
        if mid:
            assert mid.group(1) not in mids, m.slug
            mids.add(mid.group(1))
        with open(os.path.join(HERE, m.slug + ".eml"), "wb") as f:
            f.write(b)
        entries += labels[m.slug]
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(entries, f, ensure_ascii=False, indent=2)
        f.write("\n")
    print(f"{len(MESSAGES)} messages, {len(entries)} deliveries")


if __name__ == "__main__":
    main()
