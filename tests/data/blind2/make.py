#!/usr/bin/env python3
"""Blind evaluation set #2 for mailroom (2017 Dongguan Youth League assessment intake).

Deterministic generator, Python 3.11 standard library only.  Running it rewrites every
.eml file in this directory and expected.json.  All zip-based containers (xlsx, docx, ods,
zip) are written by our own zip writer with fixed timestamps; rar and 7z archives are
written by hand (RAR 4.x "store" and 7z "Copy" coder) so that they are real, openable
archives.  Labels are written by hand per case (see NOTES.md) and cross-checked by the
asserts in `finish()` against an independent re-computation of the rule-based fields.
"""
import base64
import datetime as dt
import email.utils
import hashlib
import json
import os
import quopri
import struct
import zlib
from xml.sax.saxutils import escape as xesc

HERE = os.path.dirname(os.path.abspath(__file__))
TZ8 = dt.timezone(dt.timedelta(hours=8))
UTC = dt.timezone.utc
DEADLINE = dt.datetime(2018, 1, 26, 17, 30, 0, tzinfo=TZ8)

DEPT = {
    "office": "dgyouth@126.com",
    "org": "tswzzb3@126.com",
    "publicity": "2219564@163.com",
    "school": "a22233740@126.com",
    "liangxin": "dglxtgw@163.com",
}
DEPT_CN = {
    "office": "团市委办公室",
    "org": "团市委组织部",
    "publicity": "团市委宣传部",
    "school": "团市委学校部",
    "liangxin": "团市委两新团工委",
}
ITEM_DEPTS = {
    "1.1": {"publicity", "school"}, "1.2": {"publicity"}, "1.3": {"school", "liangxin", "org"},
    "2.1": {"org"}, "2.2": {"school"}, "2.3": {"org"},
    "3.1": {"publicity"}, "3.2": {"org"}, "3.3": {"publicity"},
    "4.1": {"org"}, "4.2": {"org"}, "4.3": {"org"},
    "5.1": {"publicity"}, "5.2": {"office"}, "5.3": {"liangxin"}, "5.4": {"org"},
}
# registered `senders` of units.toml (used only by the self-check asserts)
REGISTERED = {
    "guanchengtw@163.com": "guancheng", "dgnanchengtw@126.com": "nancheng",
    "dgwanjiangtw@126.com": "wanjiang", "shijietw@163.com": "shijie", "chashantw@163.com": "chashan",
    "dgshipaitw@126.com": "shipai", "dghenglitw@126.com": "hengli", "qiaotoutw@163.com": "qiaotou",
    "dongkengtw@163.com": "dongkeng", "dgchangpingtw@126.com": "changping",
    "dgzhangmutoutw@126.com": "zhangmutou", "dalangtw@163.com": "dalang", "qingxitw@163.com": "qingxi",
    "dgtangxiatw@126.com": "tangxia", "dgdalingshantw@126.com": "dalingshan",
    "changantw@163.com": "changan", "houjietw@163.com": "houjie", "dgshatiantw@126.com": "shatian",
    "dghongmeitw@126.com": "hongmei", "machongtw@163.com": "machong", "zhongtangtw@163.com": "zhongtang",
    "dggaobutw@126.com": "gaobu", "dggaj_tw@163.com": "gaj", "gdjtw@126.com": "gdj",
    "dgjtjtw@163.com": "jtj", "nshtw@126.com": "nsh", "dgcgjtw@163.com": "cgj",
    "dgsytztw@163.com": "sytz", "dgjttw@126.com": "jtjt",
}
NOT_ASSESSED = {"sytz", "jtjt"}
FLAG_ORDER = ["unknown_sender", "not_assessed", "no_attachments", "external_link",
              "unreadable_attachment", "suspicious_archive", "unsafe_filename",
              "resubmission", "duplicate_delivery", "malformed"]


# ----------------------------------------------------------------------------------------
# small deterministic helpers
# ----------------------------------------------------------------------------------------
def H(key, n=8):
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:n]


def N(key, lo, hi):
    return lo + int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:12], 16) % (hi - lo + 1)


def T(s, tz=TZ8):
    return dt.datetime.strptime(s, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)


def rfcdate(d):
    return email.utils.format_datetime(d)


def cstdate(d):
    return email.utils.format_datetime(d.astimezone(TZ8)) + " (CST)"


def sec(d, s):
    return d + dt.timedelta(seconds=s)


CODEC = {"utf-8": "utf-8", "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030",
         "big5": "big5", "us-ascii": "ascii"}


def enc(text, charset):
    return text.encode(CODEC[charset.lower()])


def b64(data, width=76):
    s = base64.b64encode(data).decode("ascii")
    return "".join(s[i:i + width] + "\r\n" for i in range(0, len(s), width)).encode("ascii")


def qp(text, charset):
    """quoted-printable of text (LF line ends in, CRLF out)."""
    raw = enc(text.replace("\r\n", "\n"), charset)
    out = quopri.encodestring(raw, quotetabs=False)
    return out.replace(b"\n", b"\r\n") + (b"" if out.endswith(b"\n") else b"\r\n")


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def ew(text, charset="UTF-8", maxlen=76):
    """RFC 2047 B encoded-words, split on character boundaries."""
    words, cur = [], ""
    for ch in text:
        cand = cur + ch
        w = "=?%s?B?%s?=" % (charset, base64.b64encode(enc(cand, charset)).decode())
        if len(w) > maxlen and cur:
            words.append(cur)
            cur = ch
        else:
            cur = cand
    if cur:
        words.append(cur)
    return ["=?%s?B?%s?=" % (charset, base64.b64encode(enc(w, charset)).decode()) for w in words]


def ew1(text, charset):
    return "=?%s?B?%s?=" % (charset, base64.b64encode(enc(text, charset)).decode())


def pct(data):
    return "".join(chr(b) if (chr(b).isalnum() and b < 128) or chr(b) in "-._~" else "%%%02X" % b
                   for b in data)


def rfc2231_single(param, text, charset="utf-8"):
    return "%s*=%s''%s" % (param, charset, pct(enc(text, charset)))


def rfc2231_cont(param, text, charset, chunk_bytes, lang=""):
    """filename*0*=charset''..; filename*1*=.. split on character boundaries."""
    pieces, cur = [], b""
    for ch in text:
        b = enc(ch, charset)
        if len(cur) + len(b) > chunk_bytes and cur:
            pieces.append(cur)
            cur = b
        else:
            cur += b
    if cur:
        pieces.append(cur)
    out = []
    for i, p in enumerate(pieces):
        v = pct(p)
        if i == 0:
            v = "%s'%s'%s" % (charset, lang, v)
        out.append("%s*%d*=%s" % (param, i, v))
    return out


def esc_html(s):
    return xesc(s).replace('"', "&quot;")


# ----------------------------------------------------------------------------------------
# MIME tree
# ----------------------------------------------------------------------------------------
def leaf(headers, body):
    return {"h": headers, "b": body}


def multi(headers, boundary, parts, preamble=None, epilogue=b"", close=True):
    return {"h": headers, "bd": boundary, "parts": parts, "pre": preamble, "epi": epilogue,
            "close": close}


def _hbytes(h):
    return h if isinstance(h, bytes) else h.encode("ascii")


def render(node, top=False):
    out = b"\r\n".join(_hbytes(h) for h in node["h"]) + b"\r\n\r\n"
    if "parts" not in node:
        return out + node["b"]
    bd = node["bd"].encode("ascii")
    if node["pre"] is not None:
        out += node["pre"].encode("ascii") + b"\r\n"
    for p in node["parts"]:
        out += b"\r\n--" + bd + b"\r\n" + render(p)
    if node["close"]:
        out += b"\r\n--" + bd + b"--\r\n"
    out += node["epi"]
    return out


def message(headers, root_node):
    """headers: list of header strings/bytes of the top-level entity (before Content-Type);
    root_node: node whose headers are the Content-* headers of the message."""
    node = dict(root_node)
    node["h"] = list(headers) + list(root_node["h"])
    return render(node)


# ----------------------------------------------------------------------------------------
# file builders
# ----------------------------------------------------------------------------------------
def dos_dt(t):
    y, mo, d, h, mi, s = t
    return ((h << 11) | (mi << 5) | (s // 2)), (((y - 1980) << 9) | (mo << 5) | d)


def zipbuild(entries, when=(2018, 1, 20, 10, 0, 0), made_by=20, comment=b""):
    """entries: dicts name (bytes), data (bytes), utf8flag (bool), method (0|8), dir (bool),
    ext_attr (int), when (tuple).  Returns zip bytes."""
    local, central, off = b"", b"", 0
    for e in entries:
        name = e["name"]
        data = e.get("data", b"")
        method = e.get("method", 8 if data else 0)
        if e.get("dir"):
            method, data = 0, b""
        t, d = dos_dt(e.get("when", when))
        crc = zlib.crc32(data) & 0xFFFFFFFF
        if method == 8:
            co = zlib.compressobj(9, zlib.DEFLATED, -15)
            comp = co.compress(data) + co.flush()
        else:
            comp = data
        flags = 0x800 if e.get("utf8flag") else 0
        ver = 20 if method == 8 or e.get("dir") else 10
        lh = struct.pack("<IHHHHHIIIHH", 0x04034B50, ver, flags, method, t, d, crc, len(comp),
                         len(data), len(name), 0) + name
        local += lh + comp
        ext = e.get("ext_attr", 0x10 if e.get("dir") else 0x20)
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, e.get("made_by", made_by), ver, flags,
                               method, t, d, crc, len(comp), len(data), len(name), 0, 0, 0, 0,
                               ext, off) + name
        off += len(lh) + len(comp)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), off,
                       len(comment)) + comment
    return local + central + eocd


def ooxml_zip(files, when):
    return zipbuild([{"name": n.encode("ascii"), "data": d.encode("utf-8") if isinstance(d, str) else d}
                     for n, d in files], when=when)


def pdf(label):
    label = label.replace("\\", "").replace("(", "[").replace(")", "]")
    content = ("BT /F1 14 Tf 60 780 Td (%s) Tj ET\nBT /F1 10 Tf 60 760 Td (Dongguan Youth League "
               "2017 assessment - supporting material) Tj ET" % label).encode("ascii")
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.28 841.89] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Producer (Microsoft Word 2016) /Title (%s) >>" % label.encode("ascii")]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offs)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def png(tag, w=24, h=16, rgb=None):
    if rgb is None:
        hv = hashlib.sha1(tag.encode()).digest()
        rgb = (hv[0], hv[1], hv[2])
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00" + tag.encode("ascii")) + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb0043000d090a0b0a080d0b0a0b0e0e0d0f13201513121213"
    "271c1e17202e2931302e292d2c333a4a3e333646372c2d405741464c4e525352323e5a615a50604a51524fffdb00"
    "43010e0e0e131113261515264f352d354f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f"
    "4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4f4fffc0001108000c001003012200021101031101ffc4"
    "001f0000010501010101010100000000000000000102030405060708090a0bffc400b51000020103030204030505"
    "04040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a16"
    "1718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a7374757677"
    "78797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9"
    "cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffc4001f01000301010101010101010100"
    "00000000000102030405060708090a0bffc400b511000201020404030407050404000102770001020311040521"
    "31061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a26272829"
    "2a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a828384858687"
    "88898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7"
    "d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9faffda000c03010002110311003f00cea28a2bcc3ea4ffd9")


def jpeg(tag):
    t = tag.encode("ascii")
    return _JPEG[:20] + b"\xff\xfe" + struct.pack(">H", len(t) + 2) + t + _JPEG[20:]


CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CT_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CT_ODS = "application/vnd.oasis.opendocument.spreadsheet"


def _col(i):
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def xlsx(rows, when, shared=False, sheet="Sheet1", widths=None):
    """rows: list of lists of str/int/float/None."""
    strings, sidx = [], {}
    xml_rows = []
    for r, row in enumerate(rows, 1):
        cells = []
        for c, v in enumerate(row):
            ref = "%s%d" % (_col(c), r)
            if v is None or v == "":
                continue
            if isinstance(v, (int, float)):
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, v))
            elif shared:
                if v not in sidx:
                    sidx[v] = len(strings)
                    strings.append(v)
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, sidx[v]))
            else:
                cells.append('<c r="%s" t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>'
                             % (ref, xesc(v)))
        xml_rows.append('<row r="%d">%s</row>' % (r, "".join(cells)))
    cols = ""
    if widths:
        cols = "<cols>" + "".join('<col min="%d" max="%d" width="%d" customWidth="1"/>' % (i + 1, i + 1, w)
                                  for i, w in enumerate(widths)) + "</cols>"
    sheet_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                 '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                 '%s<sheetData>%s</sheetData></worksheet>' % (cols, "".join(xml_rows)))
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
          + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' if shared else "")
          + '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
          '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            '</Relationships>')
    wb = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          '<sheets><sheet name="%s" sheetId="1" r:id="rId1"/></sheets></workbook>' % xesc(sheet))
    wbrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
              '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
              + ('<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>' if shared else "")
              + '</Relationships>')
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<fonts count="1"><font><sz val="11"/><name val="宋体"/><family val="2"/><charset val="134"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
              '</styleSheet>')
    stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % when
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>Administrator</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">%s</dcterms:modified></cp:coreProperties>' % (stamp, stamp))
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           '<Application>Microsoft Excel</Application></Properties>')
    files = [("[Content_Types].xml", ct), ("_rels/.rels", rels), ("docProps/app.xml", app),
             ("docProps/core.xml", core), ("xl/workbook.xml", wb), ("xl/_rels/workbook.xml.rels", wbrels),
             ("xl/styles.xml", styles), ("xl/worksheets/sheet1.xml", sheet_xml)]
    if shared:
        sst = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
               % (len(strings), len(strings),
                  "".join('<si><t xml:space="preserve">%s</t></si>' % xesc(s) for s in strings)))
        files.append(("xl/sharedStrings.xml", sst))
    return ooxml_zip(files, when)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _wp(text, bold=False, size=None, center=False):
    ppr = '<w:pPr><w:jc w:val="center"/></w:pPr>' if center else ""
    rpr = ""
    if bold or size:
        rpr = "<w:rPr>%s%s</w:rPr>" % ("<w:b/>" if bold else "", '<w:sz w:val="%d"/>' % size if size else "")
    if text == "":
        return "<w:p>%s</w:p>" % ppr
    return '<w:p>%s<w:r>%s<w:t xml:space="preserve">%s</w:t></w:r></w:p>' % (ppr, rpr, xesc(text))


def docx(blocks, when):
    """blocks: list of str (paragraph) or ('table', rows) or ('title', str)."""
    body = []
    for b in blocks:
        if isinstance(b, str):
            body.append(_wp(b))
        elif b[0] == "title":
            body.append(_wp(b[1], bold=True, size=36, center=True))
        elif b[0] == "table":
            rows = b[1]
            widths = [900, 2400, 6000][: len(rows[0])] if len(rows[0]) == 3 else [9300 // len(rows[0])] * len(rows[0])
            t = ['<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="0" w:type="auto"/>'
                 '<w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                 '<w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                 '<w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                 '<w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                 '<w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                 '<w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders></w:tblPr><w:tblGrid>']
            t += ['<w:gridCol w:w="%d"/>' % w for w in widths]
            t.append("</w:tblGrid>")
            for row in rows:
                t.append("<w:tr>")
                for i, cell in enumerate(row):
                    t.append('<w:tc><w:tcPr><w:tcW w:w="%d" w:type="dxa"/></w:tcPr>%s</w:tc>'
                             % (widths[i], _wp(cell)))
                t.append("</w:tr>")
            t.append("</w:tbl>")
            body.append("".join(t))
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<w:document xmlns:w="%s" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
           '<w:body>%s<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
           '<w:pgMar w:top="1440" w:right="1800" w:bottom="1440" w:left="1800" w:header="851" w:footer="992" w:gutter="0"/>'
           '</w:sectPr></w:body></w:document>' % (W_NS, "".join(body)))
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '<Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>'
          '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
          '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
            '</Relationships>')
    docrels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
               '</Relationships>')
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<w:styles xmlns:w="%s"><w:docDefaults><w:rPrDefault><w:rPr>'
              '<w:rFonts w:ascii="Times New Roman" w:eastAsia="仿宋_GB2312" w:hAnsi="Times New Roman"/>'
              '<w:sz w:val="28"/><w:lang w:val="en-US" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault></w:docDefaults>'
              '<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>'
              '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/></w:style>'
              '</w:styles>' % W_NS)
    stamp = "%04d-%02d-%02dT%02d:%02d:%02dZ" % when
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>User</dc:creator>'
            '<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">%s</dcterms:modified></cp:coreProperties>' % (stamp, stamp))
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           '<Application>Microsoft Office Word</Application></Properties>')
    return ooxml_zip([("[Content_Types].xml", ct), ("_rels/.rels", rels), ("docProps/app.xml", app),
                      ("docProps/core.xml", core), ("word/document.xml", doc),
                      ("word/_rels/document.xml.rels", docrels), ("word/styles.xml", styles)], when)


def ods(rows, when):
    def cell(v):
        if v is None or v == "":
            return "<table:table-cell/>"
        return ('<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>'
                % xesc(v))
    body = "".join("<table:table-row>%s</table:table-row>" % "".join(cell(v) for v in r) for r in rows)
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/"')
    content = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content %s office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">'
               '<table:table-column table:number-columns-repeated="3"/>%s</table:table>'
               '</office:spreadsheet></office:body></office:document-content>' % (ns, body))
    styles = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-styles %s office:version="1.2">'
              '<office:styles/></office:document-styles>' % ns)
    stamp = "%04d-%02d-%02dT%02d:%02d:%02d" % when
    meta = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta %s office:version="1.2"><office:meta>'
            '<meta:generator>LibreOffice/5.4.4.2$Windows_X86_64 LibreOffice_project/2524958677847fb3bb44820e40380acbe820f960</meta:generator>'
            '<meta:creation-date>%s</meta:creation-date><dc:date>%s</dc:date></office:meta></office:document-meta>'
            % (ns, stamp, stamp))
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="%s"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
                '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>' % CT_ODS)
    entries = [{"name": b"mimetype", "data": CT_ODS.encode("ascii"), "method": 0}]
    for n, d in [("content.xml", content), ("styles.xml", styles), ("meta.xml", meta),
                 ("META-INF/manifest.xml", manifest)]:
        entries.append({"name": n.encode("ascii"), "data": d.encode("utf-8")})
    return zipbuild(entries, when=when)


FORM_TITLES = ["青少年思想引领及青年人才工作", "推进和落实共青团深化改革工作", "“网上共青团”建设工作",
               "团干部直接联系青年工作", "服务大局、服务青年重点工作项目"]
FORM_NUMS = ["（一）", "（二）", "（三）", "（四）", "（五）"]
ROW_TEXT = [
    "深入学习宣传贯彻党的十九大精神，开展“青春心向党·建功新时代”主题团日活动{a}场；开展“我的中国梦”“四进四信”主题教育活动{b}场；推进“青网计划”，组建网络文明志愿者队伍；积极开展“最美南粤少年”推荐评选，新创建市级以上青年文明号{c}个。",
    "按要求配备专职团干{a}名；组织基层团干部教育培训{b}期；全年发展团员{c}名；按照团费收缴实施细则按时收缴团费；“三会两制一课”在基层团支部落实；深入开展“学习总书记讲话，做合格共青团员”教育实践。",
    "“青年之声”镇街平台QII指数全年平均排名第{a}位，建成青年之家{b}个；“智慧团建”系统录入团组织{c}个、团员信息全部录入；团属公众号全年推送文章{a}{b}篇。",
    "团委书记、专职团干部通过“1+100”系统直接联系青年{a}{c}人；开展线上线下青年活动{b}场；回复“青年之声”提问及微心愿{c}{a}条。",
    "依托“i志愿”系统开展志愿服务活动{a}{b}场；举办青年创新创业培训{c}期；“圆梦计划”资助外来务工青年{a}名；开展青少年禁毒宣传和社区矫正工作。",
]


def form_rows(unit_cell, filled, seed):
    """filled: list of 5 values: True (fill with text) or a literal string (e.g. '/')."""
    out = []
    for i, f in enumerate(filled):
        if f is True:
            a, b, c = N(seed + str(i) + "a", 2, 9), N(seed + str(i) + "b", 2, 9), N(seed + str(i) + "c", 2, 9)
            out.append(ROW_TEXT[i].format(a=a, b=b, c=c))
        else:
            out.append(f)
    return out


def form_xlsx(unit_cell, filled, seed, when, shared=False):
    texts = form_rows(unit_cell, filled, seed)
    rows = [["2017年东莞共青团工作开展情况表"], ["填表单位：" + unit_cell], ["序号", "考核项目", "工作开展情况"]]
    rows += [[FORM_NUMS[i], FORM_TITLES[i], texts[i]] for i in range(5)]
    return xlsx(rows, when, shared=shared, widths=[8, 22, 90])


def form_docx(unit_cell, filled, seed, when):
    texts = form_rows(unit_cell, filled, seed)
    rows = [["序号", "考核项目", "工作开展情况"]] + [[FORM_NUMS[i], FORM_TITLES[i], texts[i]] for i in range(5)]
    return docx(["附件", ("title", "2017年东莞共青团工作开展情况表"), "填表单位：" + unit_cell, ("table", rows)], when)


def form_ods(unit_cell, filled, seed, when):
    texts = form_rows(unit_cell, filled, seed)
    rows = [["2017年东莞共青团工作开展情况表"], ["填表单位：" + unit_cell], ["序号", "考核项目", "工作开展情况"]]
    rows += [[FORM_NUMS[i], FORM_TITLES[i], texts[i]] for i in range(5)]
    return ods(rows, when)


def rar4(entries, when):
    """RAR 4.x archive, store method (0x30).  entries: list of (name_str, data).  Names are
    stored in the OEM code page (GBK) without the unicode flag, as WinRAR 3.x does for names
    representable in the system code page."""
    def head(htype, flags, body):
        size = 7 + len(body)
        hb = struct.pack("<BHH", htype, flags, size) + body
        crc = zlib.crc32(hb) & 0xFFFF
        return struct.pack("<H", crc) + hb
    out = b"Rar!\x1a\x07\x00"
    out += head(0x73, 0x0000, struct.pack("<HI", 0, 0))
    t, d = dos_dt(when)
    ftime = (d << 16) | t
    for name, data in entries:
        nb = name.encode("gbk")
        body = struct.pack("<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data) & 0xFFFFFFFF, ftime,
                           20, 0x30, len(nb), 0x20) + nb
        out += head(0x74, 0x8000, body) + data
    out += head(0x7B, 0x4000, b"")
    return out


def _7znum(v):
    # 7z variable-length UINT64
    if v < 0x80:
        return bytes([v])
    for n in range(1, 9):
        if v < (1 << (7 * (n + 1))) and n < 8:
            first_mask = (0xFF << (8 - n)) & 0xFF
            high = v >> (8 * n)
            if high < (1 << (7 - n)):
                return bytes([first_mask | high]) + (v & ((1 << (8 * n)) - 1)).to_bytes(n, "little")
    return b"\xff" + v.to_bytes(8, "little")


def sevenzip(entries):
    """7z archive with a single folder using the Copy coder; entries: list of (name, data)."""
    packed = b"".join(d for _, d in entries)
    sizes = [len(d) for _, d in entries]
    h = bytearray()
    h += b"\x01"                     # kHeader
    h += b"\x04"                     # kMainStreamsInfo
    h += b"\x06" + _7znum(0) + _7znum(1) + b"\x09" + _7znum(len(packed)) + b"\x00"   # PackInfo
    h += b"\x07" + b"\x0b" + _7znum(1) + b"\x00"                                      # UnPackInfo, 1 folder
    h += _7znum(1) + b"\x01\x00"                                                       # 1 coder, id 0x00 (Copy)
    h += b"\x0c" + _7znum(len(packed)) + b"\x00"
    h += b"\x08" + b"\x0d" + _7znum(len(entries))                                      # SubStreamsInfo
    if len(entries) > 1:
        h += b"\x09" + b"".join(_7znum(s) for s in sizes[:-1])
    h += b"\x0a" + b"\x01" + b"".join(struct.pack("<I", zlib.crc32(d) & 0xFFFFFFFF) for _, d in entries)
    h += b"\x00" + b"\x00"           # end SubStreamsInfo, end MainStreamsInfo
    names = b"".join(n.encode("utf-16-le") + b"\x00\x00" for n, _ in entries)
    h += b"\x05" + _7znum(len(entries))
    h += b"\x11" + _7znum(len(names) + 1) + b"\x00" + names
    h += b"\x00"                     # end FilesInfo
    h += b"\x00"                     # end Header
    h = bytes(h)
    start = struct.pack("<QQI", len(packed), len(h), zlib.crc32(h) & 0xFFFFFFFF)
    sig = b"7z\xbc\xaf\x27\x1c\x00\x04" + struct.pack("<I", zlib.crc32(start) & 0xFFFFFFFF) + start
    return sig + packed + h


def word_lockfile(user):
    a = user.encode("gbk")
    u = user.encode("utf-16-le")
    data = bytes([len(user)]) + a.ljust(53, b"\x20") + struct.pack("<H", len(user)) + u
    return data.ljust(162, b"\x00")[:162]


# ----------------------------------------------------------------------------------------
# mail clients
# ----------------------------------------------------------------------------------------
EXT_CT = {"pdf": "application/pdf", "xlsx": CT_XLSX, "docx": CT_DOCX, "ods": CT_ODS,
          "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "zip": "application/zip",
          "rar": "application/octet-stream", "7z": "application/octet-stream",
          "xls": "application/vnd.ms-excel", "doc": "application/msword"}


def ctype_for(name):
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return EXT_CT.get(ext, "application/octet-stream")


def A(name, data, ct=None):
    return {"name": name, "data": data, "ct": ct or ctype_for(name)}


def mx_received(key, from_host, from_ip, arrival):
    return ("Received: from %s (unknown [%s])\r\n\tby mx%d (Coremail) with SMTP id %s%s--.%dS2;\r\n\t%s"
            % (from_host, from_ip, N(key + "mx", 20, 49), "QMCow", H(key + "smtp", 18), N(key + "sid", 1000, 65000),
               cstdate(arrival)))


def addr_list(lst, style, charset="gb2312"):
    out = []
    for name, addr in lst:
        if not name:
            out.append(addr if style in ("qq-bare", "bare") else "<%s>" % addr)
        elif style == "coremail":
            out.append('"%s" <%s>' % (ew1(name, "UTF-8"), addr))
        elif style == "qq":
            out.append('"%s" <%s>' % (ew1(name, "gb18030"), addr))
        elif style == "foxmail":
            out.append('"%s" <%s>' % (ew1(name, "GB2312"), addr) if any(ord(c) > 127 for c in name)
                       else "%s <%s>" % (name, addr))
        elif style == "outlook":
            out.append('"\'%s\'" <%s>' % (name, addr) if all(ord(c) < 128 for c in name)
                       else "%s <%s>" % (ew1(name, charset), addr))
        else:
            out.append("%s <%s>" % (ew1(name, "utf-8"), addr))
    return out


def fold_subject(words, sep):
    return "Subject: " + sep.join(words)


def html_div(text, wrap_start="<div>", wrap_end="</div>"):
    lines = text.split("\n")
    return "".join(wrap_start + (esc_html(l) if l else "<br>") + wrap_end for l in lines)


# -- 163/126 webmail (Coremail) ----------------------------------------------------------
def coremail(key, svc, frm, frm_name, to, subject, date, arrival, text, atts=(), cc=(),
             in_reply_to=None, extra=(), html=None):
    user = frm.split("@")[0]
    host = "m12-%d.163.com" % N(key, 10, 40) if svc == "163" else "m15-%d.126.com" % N(key, 10, 120)
    ip = "113.%d.%d.%d" % (N(key + "a", 60, 120), N(key + "b", 1, 250), N(key + "c", 1, 250))
    ms = int(date.timestamp() * 1000) + N(key + "ms", 0, 999) - int(date.timestamp() * 1000) % 1000
    bd1 = "----=_Part_%d_%d.%d" % (N(key + "p1", 100000, 999999), N(key + "p2", 100000000, 999999999), ms)
    bd2 = "----=_Part_%d_%d.%d" % (N(key + "p3", 100000, 999999), N(key + "p4", 100000000, 999999999), ms)
    mid = "<%s.%s.%s.Coremail.%s>" % (H(key + "m1", 7), H(key + "m2", 4), H(key + "m3", 11), frm)
    hdrs = ["Return-Path: <%s>" % frm,
            mx_received(key, host, "220.181.%d.%s" % (12 if svc == "163" else 15, host.split("-")[1].split(".")[0]), arrival),
            "Received: from %s$%s.com ( [%s] ) by\r\n ajax-webmail-wmsvr%d (Coremail) ; %s"
            % (user, svc, ip, N(key + "w", 1, 120), cstdate(sec(date, 1))),
            "X-Originating-IP: [%s]" % ip,
            "Date: %s" % cstdate(date),
            "From: %s <%s>" % (ew1(frm_name, "UTF-8"), frm) if frm_name else "From: %s" % frm,
            "To: " + ", ".join(addr_list(to, "coremail"))]
    if cc:
        hdrs.append("Cc: " + ", ".join(addr_list(cc, "coremail")))
    hdrs.append("Message-ID: %s" % mid)
    hdrs.append(fold_subject(ew(subject, "UTF-8", 66), "\r\n "))
    if in_reply_to:
        hdrs += ["In-Reply-To: %s" % in_reply_to, "References: %s" % in_reply_to]
    hdrs += ["MIME-Version: 1.0"]
    tail = ["X-Priority: 3",
            "X-Mailer: Coremail Webmail Server Version SP_ntes V3.5 build\r\n 20171115(c4ab3d4a) Copyright (c) 2002-2018 www.mailtech.cn %scom" % svc,
            "X-CM-TRANSID: %s%s--.%dW" % (H(key + "tr", 10), H(key + "tr2", 12).upper(), N(key + "tr3", 10000, 99999)),
            "X-CM-SenderInfo: %sxfrzihdxaugs" % H(key + "si", 24),
            "X-Coremail-Antispam: 1U5529EdanIXcx71UUUUU7vcSsGvfC2KfnxnUU=="] + list(extra)
    if html is None:
        html = ('<div style="line-height:1.7;color:#000000;font-size:14px;font-family:Arial">%s</div>'
                '<br><br><span title="neteasefooter"><p>&nbsp;</p></span>' % html_div(text))
    alt = multi(["Content-Type: multipart/alternative; \r\n\tboundary=\"%s\"" % bd2], bd2, [
        leaf(["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64"],
             b64(enc(crlf(text), "utf-8"))),
        leaf(["Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: base64"],
             b64(html.encode("utf-8")))])
    if not atts:
        root = alt
    else:
        parts = [alt]
        for a in atts:
            words = "\r\n\t".join(ew(a["name"], "UTF-8", 76))
            parts.append(leaf(["Content-Type: %s; \r\n\tname=\"%s\"" % (a["ct"], words),
                               "Content-Transfer-Encoding: base64",
                               "Content-Disposition: attachment; \r\n\tfilename=\"%s\"" % words],
                              b64(a["data"])))
        root = multi(["Content-Type: multipart/mixed; \r\n\tboundary=\"%s\"" % bd1], bd1, parts)
    node = dict(root)
    node["h"] = root["h"] + tail
    return message(hdrs, node), mid


# -- QQ webmail ------------------------------------------------------------------------------
def qqmail(key, frm, frm_name, to, subject, date, arrival, text, atts=(), cc=(), in_reply_to=None,
           extra=()):
    bd1 = "----=_NextPart_%s_%s_%s" % (H(key + "q1").upper(), H(key + "q2").upper(), H(key + "q3").upper())
    bd2 = "----=_NextPart_%s_%s_%s" % (H(key + "q1").upper(), H(key + "q4").upper(), H(key + "q5").upper())
    mid = "<tencent_%s@qq.com>" % H(key + "mid", 36).upper()
    ip = "14.%d.%d.%d" % (N(key + "a", 16, 31), N(key + "b", 1, 250), N(key + "c", 1, 250))
    hdrs = ["Return-Path: <%s>" % frm,
            mx_received(key, "smtpbg%d.qq.com" % N(key, 60, 99), "183.3.226.%d" % N(key + "i", 150, 199), arrival),
            "Received: from qq.com (unknown [127.0.0.1])\r\n\tby smtp.qq.com (ESMTP) with SMTP\r\n\tid ; %s"
            % cstdate(sec(date, 1)),
            "X-QQ-FEAT: %s/%s" % (H(key + "f1", 24), H(key + "f2", 20)),
            "X-QQ-SSF: 00000000000000F000000000000000Z",
            "X-HAS-ATTACH: %s" % ("yes" if atts else "no"),
            "X-QQ-BUSINESS-ORIGIN: 2",
            "X-Originating-IP: %s" % ip,
            "X-QQ-STYLE: ",
            "X-QQ-mid: webmail%dt%dt%d" % (N(key + "w", 100, 999), int(date.timestamp()), N(key + "x", 100000, 999999)),
            "From: \"%s\" <%s>" % (ew1(frm_name, "gb18030"), frm),
            "To: " + ", ".join(addr_list(to, "qq"))]
    if cc:
        hdrs.append("Cc: " + ", ".join(addr_list(cc, "qq")))
    hdrs.append("Subject: " + ew1(subject, "gb18030"))
    if in_reply_to:
        hdrs += ["In-Reply-To: %s" % in_reply_to, "References: %s" % in_reply_to]
    hdrs.append("Mime-Version: 1.0")
    tail = ["Content-Transfer-Encoding: 8Bit", "Date: %s" % rfcdate(date), "X-Priority: 3",
            "Message-ID: %s" % mid, "X-QQ-MIME: TCMime 1.0 by Tencent", "X-Mailer: QQMail 2.x",
            "X-QQ-Mailer: QQMail 2.x"] + list(extra)
    html = ('<meta http-equiv="Content-Type" content="text/html; charset=GB18030">%s' % html_div(text))
    alt = multi(["Content-Type: multipart/alternative;\r\n\tboundary=\"%s\";" % bd2], bd2, [
        leaf(["Content-Type: text/plain;\r\n\tcharset=\"gb18030\"", "Content-Transfer-Encoding: base64"],
             b64(enc(crlf(text), "gb18030"))),
        leaf(["Content-Type: text/html;\r\n\tcharset=\"gb18030\"", "Content-Transfer-Encoding: base64"],
             b64(enc(html, "gb18030")))])
    if not atts:
        root = alt
    else:
        parts = [alt]
        for a in atts:
            w = ew1(a["name"], "gb18030")
            parts.append(leaf(["Content-Type: application/octet-stream;\r\n\tcharset=\"gb18030\";\r\n\tname=\"%s\"" % w,
                               "Content-Disposition: attachment; filename=\"%s\"" % w,
                               "Content-Transfer-Encoding: base64"], b64(a["data"])))
        root = multi(["Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"" % bd1], bd1, parts,
                     preamble="This is a multi-part message in MIME format.")
    node = dict(root)
    node["h"] = root["h"] + tail
    return message(hdrs, node), mid


# -- Foxmail 7.2 ------------------------------------------------------------------------------
def foxmail(key, frm, frm_name, to, subject, date, arrival, text, atts=(), cc=(), svc_host=None,
            logo=None, html_extra="", date_override=None, in_reply_to=None):
    """logo: (cid, png bytes) -> multipart/related signature image referenced from the HTML."""
    bd1 = "----=_001_NextPart%d_=----" % N(key + "b1", 100000000000, 999999999999)
    bd2 = "----=_002_NextPart%d_=----" % N(key + "b2", 100000000000, 999999999999)
    bd3 = "----=_003_NextPart%d_=----" % N(key + "b3", 100000000000, 999999999999)
    dom = frm.split("@")[1]
    mid = "<%s%s@%s>" % (date.strftime("%Y%m%d%H%M%S"), N(key + "mid", 10000000, 99999999), dom)
    if svc_host is None:
        svc_host = ("m12-%d.163.com" % N(key, 10, 40), "220.181.12.%d" % N(key, 10, 40)) if dom == "163.com" else \
                   ("m15-%d.126.com" % N(key, 10, 120), "220.181.15.%d" % N(key, 10, 120)) if dom == "126.com" else \
                   ("smtpbg%d.qq.com" % N(key, 60, 99), "183.3.226.%d" % N(key, 150, 199))
    pc = "DESKTOP-%s" % H(key + "pc", 7).upper()
    hdrs = ["Return-Path: <%s>" % frm,
            mx_received(key, svc_host[0], svc_host[1], arrival),
            ("Received: from %s (unknown [113.%d.%d.%d])\r\n\tby smtp%d (Coremail) with SMTP id %s--.%dS2;\r\n\t%s"
             % (pc, N(key + "1", 60, 120), N(key + "2", 1, 250), N(key + "3", 1, 250), N(key + "4", 1, 12),
                H(key + "sm", 24), N(key + "5", 1000, 60000), cstdate(sec(arrival, -2))))
            if dom != "qq.com" else
            ("Received: from %s (unknown [113.%d.%d.%d])\r\n\tby smtp.qq.com (ESMTP) with SMTP id 0;\r\n\t%s"
             % (pc, N(key + "1", 60, 120), N(key + "2", 1, 250), N(key + "3", 1, 250), cstdate(sec(arrival, -2)))),
            "Date: %s" % (date_override or rfcdate(date)),
            "From: %s" % (addr_list([(frm_name, frm)], "foxmail")[0] if frm_name else '"%s" <%s>' % (frm, frm)),
            "To: " + ", ".join(addr_list(to, "foxmail"))]
    if cc:
        hdrs.append("Cc: " + ", ".join(addr_list(cc, "foxmail")))
    hdrs.append(fold_subject(ew(subject, "GB2312", 76), "\r\n "))
    if in_reply_to:
        hdrs += ["In-Reply-To: %s" % in_reply_to, "References: %s" % in_reply_to]
    hdrs += ["X-Priority: 3", "X-GUID: %s-%s-%s-%s-%s" % (H(key + "g1", 8).upper(), H(key + "g2", 4).upper(),
                                                           H(key + "g3", 4).upper(), H(key + "g4", 4).upper(),
                                                           H(key + "g5", 12).upper()),
             "X-Has-Attach: %s" % ("yes" if atts else "no"), "X-Mailer: Foxmail 7.2.9.115[cn]",
             "Mime-Version: 1.0", "Message-ID: %s" % mid]
    sig_img = ""
    if logo:
        sig_img = '<div><img src="cid:%s" border="0"></div>' % logo[0]
    html = ('<html><head><meta http-equiv="content-type" content="text/html; charset=GB2312"><style>body { line-height: 1.5; }'
            'body { font-size: 10.5pt; font-family: 微软雅黑; color: rgb(0, 0, 0); line-height: 1.5; }</style></head><body>\n'
            '<div><span></span>%s</div>\n%s%s\n</body></html>' % (html_div(text), html_extra, sig_img))
    alt = multi(["Content-Type: multipart/alternative;\r\n\tboundary=\"%s\"" % bd2], bd2, [
        leaf(["Content-Type: text/plain;\r\n\tcharset=\"GB2312\"", "Content-Transfer-Encoding: base64"],
             b64(enc(crlf(text), "gb2312"))),
        leaf(["Content-Type: text/html;\r\n\tcharset=\"GB2312\"", "Content-Transfer-Encoding: quoted-printable"],
             qp(html, "gb2312"))])
    body = alt
    if logo:
        body = multi(["Content-Type: multipart/related;\r\n\ttype=\"multipart/alternative\";\r\n\tboundary=\"%s\"" % bd3],
                     bd3, [alt, leaf(["Content-Type: image/png;\r\n\tname=\"%s\"" % ew1("团徽.png", "GB2312"),
                                      "Content-Transfer-Encoding: base64",
                                      "Content-ID: <%s>" % logo[0]], b64(logo[1]))])
    if atts:
        parts = [body]
        for a in atts:
            w = ew1(a["name"], "GB2312")
            parts.append(leaf(["Content-Type: application/octet-stream;\r\n\tname=\"%s\"" % w,
                               "Content-Transfer-Encoding: base64",
                               "Content-Disposition: attachment;\r\n\tfilename=\"%s\"" % w], b64(a["data"])))
        root = multi(["Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"" % bd1], bd1, parts,
                     preamble="This is a multi-part message in MIME format.")
    else:
        root = body
        if body is not alt:
            pass
    return message(hdrs, root), mid


# -- Microsoft Outlook 2016 -------------------------------------------------------------------
def outlook(key, frm, frm_name, to, subject, date, arrival, text, atts=(), cc=(), logo=None,
            in_reply_to=None, charset="gb2312", svc_host=None, extra=(), date_str=None, pre_headers=None):
    """logo: (cid, filename, png) -> mixed > related > alternative with an inline signature image."""
    t1 = "%04X_%08X" % (N(key + "o1", 0, 0xFFFF), N(key + "o2", 0, 0xFFFFFFFF))
    bd_mixed = "----=_NextPart_000_%s" % t1
    bd_rel = "----=_NextPart_001_%s" % t1
    bd_alt = "----=_NextPart_%03d_%s" % (2 if logo else 1, t1)
    dom = frm.split("@")[1]
    mid = "<%s$%s$%s@%s>" % (H(key + "m1", 12), H(key + "m2", 8), H(key + "m3", 8), dom)
    if svc_host is None:
        svc_host = ("m12-%d.163.com" % N(key, 10, 40), "220.181.12.%d" % N(key, 10, 40)) if dom == "163.com" else \
                   ("m15-%d.126.com" % N(key, 10, 120), "220.181.15.%d" % N(key, 10, 120)) if dom == "126.com" else \
                   ("smtpbg%d.qq.com" % N(key, 60, 99), "183.3.226.%d" % N(key, 150, 199))
    pc = "DESKTOP-%s" % H(key + "pc", 7).upper()
    hdrs = pre_headers or ["Return-Path: <%s>" % frm,
                           mx_received(key, svc_host[0], svc_host[1], arrival),
                           "Received: from %s (unknown [183.%d.%d.%d])\r\n\tby smtp%d (Coremail) with SMTP id %s--.%dS2;\r\n\t%s"
                           % (pc, N(key + "1", 1, 60), N(key + "2", 1, 250), N(key + "3", 1, 250), N(key + "4", 1, 12),
                              H(key + "sm", 24), N(key + "5", 1000, 60000), cstdate(sec(arrival, -3)))]
    hdrs = list(hdrs)
    hdrs.append("From: %s" % ("%s <%s>" % (ew1(frm_name, charset), frm) if frm_name else frm))
    hdrs.append("To: " + ", ".join(addr_list(to, "outlook", charset)))
    if cc:
        hdrs.append("Cc: " + ", ".join(addr_list(cc, "outlook", charset)))
    if in_reply_to:
        hdrs += ["References: %s" % in_reply_to, "In-Reply-To: %s" % in_reply_to]
    hdrs.append(fold_subject(ew(subject, charset, 76), "\r\n\t"))
    hdrs.append("Date: %s" % (date_str or rfcdate(date)))
    hdrs.append("Message-ID: %s" % mid)
    hdrs.append("MIME-Version: 1.0")
    tail = ["X-Mailer: Microsoft Outlook 16.0",
            "Thread-Index: Ad%s" % base64.b64encode(hashlib.sha1((key + "ti").encode()).digest()[:20]).decode()[:26],
            "Content-Language: zh-cn"] + list(extra)
    img = ""
    if logo:
        img = '<p class=MsoNormal><img width=120 height=40 id="_x0000_i1025" src="cid:%s"></p>' % logo[0]
    html = ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
            'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40"><head>'
            '<meta http-equiv=Content-Type content="text/html; charset=%s"><meta name=Generator content="Microsoft Word 15 (filtered medium)">'
            '</head><body lang=ZH-CN link="#0563C1" vlink="#954F72"><div class=WordSection1>%s%s</div></body></html>'
            % (charset, html_div(text, "<p class=MsoNormal>", "<o:p></o:p></p>"), img))
    alt = multi(["Content-Type: multipart/alternative;\r\n\tboundary=\"%s\"" % bd_alt], bd_alt, [
        leaf(["Content-Type: text/plain;\r\n\tcharset=\"%s\"" % charset, "Content-Transfer-Encoding: base64"],
             b64(enc(crlf(text), charset))),
        leaf(["Content-Type: text/html;\r\n\tcharset=\"%s\"" % charset, "Content-Transfer-Encoding: quoted-printable"],
             qp(html, charset))])
    body = alt
    if logo:
        cid, lname, ldata = logo
        body = multi(["Content-Type: multipart/related;\r\n\tboundary=\"%s\"" % bd_rel], bd_rel, [
            alt, leaf(["Content-Type: image/png;\r\n\tname=\"%s\"" % lname,
                       "Content-Transfer-Encoding: base64", "Content-ID: <%s>" % cid], b64(ldata))])
    if atts:
        parts = [body]
        for a in atts:
            words = "\r\n\t".join(ew(a["name"], "utf-8", 76))
            parts.append(leaf(["Content-Type: %s;\r\n\tname=\"%s\"" % (a["ct"], words),
                               "Content-Transfer-Encoding: base64",
                               "Content-Disposition: attachment;\r\n\t%s" % rfc2231_single("filename", a["name"])],
                              b64(a["data"])))
        root = multi(["Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"" % bd_mixed], bd_mixed, parts,
                     preamble="This is a multipart message in MIME format.")
    else:
        root = body
    node = dict(root)
    node["h"] = root["h"] + tail
    return message(hdrs, node), mid


# -- Apple Mail 11 (macOS 10.13) --------------------------------------------------------------
def apple_mail(key, frm, frm_name, to, subject, date, arrival, text, atts=(), recv_host=None):
    u = lambda k: "%s-%s-%s-%s-%s" % (H(k, 8).upper(), H(k + "1", 4).upper(), H(k + "2", 4).upper(),
                                      H(k + "3", 4).upper(), H(k + "4", 12).upper())
    bd = "Apple-Mail=_%s" % u(key + "bd")
    mid = "<%s@%s>" % (u(key + "mid"), frm.split("@")[1])
    recv_host = recv_host or ("mr85p00im-ztdg%d.me.com" % N(key, 10000000, 99999999), "17.58.23.%d" % N(key, 1, 250))
    hdrs = ["Return-Path: <%s>" % frm,
            mx_received(key, recv_host[0], recv_host[1], arrival),
            ("Received: from [192.168.1.%d] (unknown [113.%d.%d.%d])\r\n\tby %s\r\n\t(Oracle Communications Messaging Server 8.0.1.2.20170607 64bit (built Jun  7 2017))\r\n\twith ESMTPSA id <0P3A00%s@%s>; %s"
             % (N(key + "l", 2, 250), N(key + "1", 60, 120), N(key + "2", 1, 250), N(key + "3", 1, 250), recv_host[0],
                H(key + "es", 10).upper(), recv_host[0], rfcdate(sec(arrival, -2).astimezone(UTC))))
            if "me.com" in recv_host[0] else
            ("Received: from [192.168.1.%d] (unknown [113.%d.%d.%d])\r\n\tby smtp%d (Coremail) with SMTP id %s--.%dS2;\r\n\t%s"
             % (N(key + "l", 2, 250), N(key + "1", 60, 120), N(key + "2", 1, 250), N(key + "3", 1, 250), N(key + "4", 1, 12),
                H(key + "sm", 24), N(key + "5", 1000, 60000), cstdate(sec(arrival, -2)))),
            "From: %s <%s>" % (ew1(frm_name, "utf-8"), frm),
            ]
    head2 = ["Mime-Version: 1.0 (Mac OS X Mail 11.2 \\(3445.5.20\\))",
             fold_subject(ew(subject, "utf-8", 76), "\r\n "),
             "Message-Id: %s" % mid,
             "Date: %s" % rfcdate(date),
             "To: " + ", ".join(("%s <%s>" % (ew1(n, "utf-8"), a) if n else a) for n, a in to),
             "X-Mailer: Apple Mail (2.3445.5.20)"]
    parts = [leaf(["Content-Transfer-Encoding: quoted-printable", "Content-Type: text/plain;\r\n\tcharset=utf-8"],
                  qp(text + "\n", "utf-8"))]
    for a in atts:
        disp = a.get("disp", "inline")
        names = "\r\n ".join(ew(a["name"], "utf-8", 76))
        conts = ";\r\n\t".join(rfc2231_cont("filename", a["name"], "utf-8", 24))
        parts.append(leaf(["Content-Disposition: %s;\r\n\t%s" % (disp, conts),
                           "Content-Type: %s;\r\n\tx-unix-mode=0644;\r\n\tname=\"%s\"" % (a["ct"], names),
                           "Content-Transfer-Encoding: base64"], b64(a["data"])))
        parts.append(leaf(["Content-Transfer-Encoding: 7bit", "Content-Type: text/plain;\r\n\tcharset=us-ascii"],
                          b"\r\n"))
    root = multi(["Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"" % bd], bd, parts)
    return _apple_render(hdrs, root, head2), mid


def _apple_render(hdrs, node, head2):
    # Apple Mail puts Content-Type right after From, then the rest of the headers.
    ct = node["h"][0]
    body = render(dict(node, h=[]))
    # render() emits "\r\n\r\n" after the (empty) header block; strip it and build ourselves.
    body = body[4:] if body.startswith(b"\r\n\r\n") else body
    head = b"\r\n".join(_hbytes(h) for h in hdrs + [ct] + head2) + b"\r\n\r\n"
    return head + body


# -- Thunderbird 38 with send charset GB2312 (RFC 2231 parameter continuations) ------------
def thunderbird(key, frm, frm_name, to, subject, date, arrival, text, atts, charset="GB2312", svc="163"):
    bd = "------------%s" % H(key + "bd", 24).upper()
    mid = "<%s-%s-%s-%s-%s@%s.com>" % (H(key + "1", 8), H(key + "2", 4), H(key + "3", 4), H(key + "4", 4),
                                       H(key + "5", 12), svc)
    host = "m12-%d.163.com" % N(key, 10, 40) if svc == "163" else "m15-%d.126.com" % N(key, 10, 120)
    hdrs = ["Return-Path: <%s>" % frm,
            mx_received(key, host, "220.181.%d.%s" % (12 if svc == "163" else 15, host.split("-")[1].split(".")[0]), arrival),
            "Received: from [192.168.0.%d] (unknown [116.%d.%d.%d])\r\n\tby smtp%d (Coremail) with SMTP id %s--.%dS2;\r\n\t%s"
            % (N(key + "l", 2, 250), N(key + "a", 1, 30), N(key + "b", 1, 250), N(key + "c", 1, 250), N(key + "d", 1, 12),
               H(key + "sm", 24), N(key + "e", 1000, 60000), cstdate(sec(arrival, -2))),
            "To: " + ", ".join(("%s <%s>" % (ew1(n, charset), a) if n else a) for n, a in to),
            "From: %s <%s>" % (ew1(frm_name, charset), frm),
            fold_subject(ew(subject, charset, 76), "\r\n "),
            "Message-ID: %s" % mid,
            "Date: %s" % rfcdate(date),
            "User-Agent: Mozilla/5.0 (Windows NT 6.1; WOW64; rv:38.0) Gecko/20100101\r\n Thunderbird/38.5.1",
            "MIME-Version: 1.0"]
    parts = [leaf(["Content-Type: text/plain; charset=%s; format=flowed" % charset.lower(),
                   "Content-Transfer-Encoding: 8bit"], enc(crlf(text + "\n"), charset))]
    for a in atts:
        nm = ";\r\n ".join(rfc2231_cont("name", a["name"], charset, 20))
        fn = ";\r\n ".join(rfc2231_cont("filename", a["name"], charset, 20))
        parts.append(leaf(["Content-Type: %s;\r\n %s" % (a["ct"], nm), "Content-Transfer-Encoding: base64",
                           "Content-Disposition: attachment;\r\n %s" % fn], b64(a["data"])))
    root = multi(["Content-Type: multipart/mixed;\r\n boundary=\"%s\"" % bd], bd, parts,
                 preamble="This is a multi-part message in MIME format.")
    return message(hdrs, root), mid


# ----------------------------------------------------------------------------------------
# case registry and label checks
# ----------------------------------------------------------------------------------------
CASES = []


def atts_expect(atts):
    out = []
    for a in atts:
        e = {"filename": a.get("label_name", a["name"]), "sha256": hashlib.sha256(a["data"]).hexdigest()}
        if "members" in a:
            e["members"] = list(a["members"])
        out.append(e)
    return out


def SUB(unit, projects, items, flags=(), atts=(), late=False, misrouted=False):
    return {"kind": "submission", "unit": unit, "projects": list(projects), "items": list(items),
            "late": late, "misrouted": misrouted, "receipt": True,
            "flags": [f for f in FLAG_ORDER if f in flags], "attachments": atts_expect(atts)}


def NON(kind, unit=None):
    return {"kind": kind, "unit": unit, "projects": [], "items": [], "late": False, "misrouted": False,
            "receipt": False, "flags": [], "attachments": []}


def add(fname, raw, case, deliveries, mid, sender):
    """deliveries: list of (dept, internaldate datetime, expect dict)."""
    CASES.append({"file": fname, "raw": raw, "case": case, "deliveries": deliveries, "mid": mid,
                  "sender": sender})


def check_labels():
    subs = []
    for c in CASES:
        for dept, idate, ex in c["deliveries"]:
            assert ex["receipt"] == (ex["kind"] == "submission"), c["file"]
            if ex["kind"] != "submission":
                assert not ex["flags"] and not ex["attachments"] and not ex["projects"] and not ex["late"], c["file"]
                continue
            late = idate > DEADLINE
            assert ex["late"] == late, (c["file"], "late")
            depts = set()
            for it in ex["items"]:
                depts |= ITEM_DEPTS[it]
            for p in ex["projects"]:
                if not any(it.startswith(p + ".") for it in ex["items"]):
                    for it, ds in ITEM_DEPTS.items():
                        if it.startswith(p + "."):
                            depts |= ds
            mis = bool(depts) and dept not in depts
            assert ex["misrouted"] == mis, (c["file"], dept, "misrouted")
            for it in ex["items"]:
                assert it.split(".")[0] in ex["projects"], (c["file"], "item without project")
            unk = c["sender"].lower() not in REGISTERED
            assert ("unknown_sender" in ex["flags"]) == unk, (c["file"], "unknown_sender")
            assert ("not_assessed" in ex["flags"]) == (ex["unit"] in NOT_ASSESSED), (c["file"], "not_assessed")
            assert ("duplicate_delivery" in ex["flags"]) == (len(c["deliveries"]) > 1), (c["file"], "dup")
            assert ("no_attachments" in ex["flags"]) <= (not ex["attachments"]), c["file"]
            assert ex["flags"] == [f for f in FLAG_ORDER if f in ex["flags"]], c["file"]
            subs.append((idate, c["mid"], ex, c["file"], dept))
    # resubmission: the same unit already submitted for the same item or project earlier
    subs.sort(key=lambda s: s[0])
    for i, (idate, mid, ex, f, dept) in enumerate(subs):
        if ex["unit"] is None:
            assert "resubmission" not in ex["flags"], f
            continue
        prev = [s for s in subs[:i] if s[2]["unit"] == ex["unit"] and s[1] != mid and s[0] < idate]
        shared = any(set(p[2]["items"]) & set(ex["items"]) or set(p[2]["projects"]) & set(ex["projects"])
                     for p in prev)
        assert ("resubmission" in ex["flags"]) == shared, (f, dept, "resubmission", [p[3] for p in prev])


def finish():
    check_labels()
    for f in os.listdir(HERE):
        if f.endswith(".eml"):
            os.remove(os.path.join(HERE, f))
    entries = []
    for c in CASES:
        with open(os.path.join(HERE, c["file"]), "wb") as fh:
            fh.write(c["raw"])
        for dept, idate, ex in c["deliveries"]:
            entries.append({"file": c["file"], "department": dept, "department_mailbox": DEPT[dept],
                            "internaldate": idate.isoformat(), "case": c["case"], "expect": ex})
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as fh:
        json.dump(entries, fh, ensure_ascii=False, indent=2)
        fh.write("\n")
    print("%d messages, %d deliveries" % (len(CASES), len(entries)))


# ----------------------------------------------------------------------------------------
# the cases
# ----------------------------------------------------------------------------------------
def W(t):
    """zip timestamp tuple from a datetime (fixed, deterministic)."""
    return (t.year, t.month, t.day, t.hour, t.minute, t.second - t.second % 2)


def simple_docx(title, paras, when):
    return docx([("title", title)] + list(paras), when)


def table_xlsx(header, rows, when, shared=False):
    return xlsx([header] + rows, when, shared=shared)


REM = {d: "<%s.%s.%s.Coremail.%s>" % (H(d + "r1", 7), H(d + "r2", 4), H(d + "r3", 11), DEPT[d]) for d in DEPT}
REMINDER_SUBJ = "关于提醒报送2017年度共青团工作考核材料的通知"
REMINDER_BODY = ("各镇（街道）、厂局团委：\n"
                 "    根据《关于做好2017年度东莞共青团工作考核的通知》（东团通〔2017〕23号）要求，请各单位于2018年1月26日"
                 "下午下班前将工作开展情况表和支撑材料分项目以电子文档形式发送到相关考核项目的对应科室，逾期不报将不纳入本年度评优范围。")


def quote(text, prefix=">"):
    return "\n".join(prefix + l for l in text.split("\n"))


def build_cases():
    # ---------------------------------------------------------------- look-alike units
    k = "b001"; arr = T("2018-01-22 10:14:33"); d = sec(arr, -3)
    atts = [A("东坑镇2017年志愿服务工作总结.docx", simple_docx("东坑镇2017年志愿服务工作总结", [
                "2017年，我镇团委依托“i志愿”系统常态化开展志愿服务活动。", "3月协助东城街道团工委开展“学雷锋”志愿服务活动。"], W(d))),
            A("协助东城街道学雷锋志愿服务活动照片.jpg", jpeg(k + "photo"))]
    raw, mid = coremail(k, "163", "dongkengtw@163.com", "东坑镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "东坑镇团委2017年度志愿服务工作材料", d, arr,
                        "邓老师：\n您好！附件是我镇2017年度志愿服务工作材料，请查收。\n"
                        "其中3月份我镇团委协助东城街道团工委开展了“学雷锋”志愿服务活动，相关照片一并附上。\n\n"
                        "东坑镇团委 叶嘉敏\n电话：0769-83861234", atts)
    add("b001-dongkeng-mentions-dongcheng.eml", raw,
        "Look-alike units: registered 东坑 sender; body and a photo filename mention 东城街道 (协助东城街道…) in passing -> unit dongkeng, not dongcheng; item 5.1 志愿服务 to publicity",
        [("publicity", arr, SUB("dongkeng", ["5"], ["5.1"], atts=atts))], mid, "dongkengtw@163.com")

    k = "b002"; arr = T("2018-01-23 15:40:12"); d = sec(arr, -2)
    atts = [A("大岭山镇青年之声平台运营数据.xlsx", table_xlsx(["月份", "QII指数", "提问数", "回复数"],
                                                     [["%d月" % m, 60 + m, 100 + 7 * m, 98 + 7 * m] for m in range(1, 13)], W(d))),
            A("青年之家活动照片.jpg", jpeg(k + "p"))]
    raw, mid = qqmail(k, "1754023318@qq.com", "小周", [("宣传部", DEPT["publicity"])],
                      "大岭山镇团委-青年之声平台建设情况", d, arr,
                      "邓老师您好，附件是我镇2017年度“青年之声”平台建设情况及运营数据，请查收，谢谢！\n------------------\n小周", atts)
    add("b002-dalingshan-not-dalang.eml", raw,
        "Look-alike units: 大岭山 (not 大朗) named only in the subject; personal QQ sender; item 3.1 青年之声 (青年之家 photo also 3.1)",
        [("publicity", arr, SUB("dalingshan", ["3"], ["3.1"], ["unknown_sender"], atts))], mid, "1754023318@qq.com")

    k = "b003"; arr = T("2018-01-19 15:20:41"); d = sec(arr, -3)
    atts = [A("石碣镇学做教育实践工作总结.pdf", pdf("Shijie 2.3 xuezuo summary"))]
    raw, mid = foxmail(k, "ShiJieTW@163.com", "石碣镇团委", [("tswzzb3", DEPT["org"])],
                       "石碣镇团委学做教育实践工作材料", d, arr,
                       "莫老师：\n您好，附件是我镇2017年度“学习总书记讲话，做合格共青团员”教育实践工作材料，请查收。\n"
                       "另：石龙镇团委的材料由其自行报送。\n\n石碣镇团委 陈晓敏\n电话：0769-86321234", atts)
    add("b003-shijie-mixedcase-sender.eml", raw,
        "Registered sender written in mixed case (ShiJieTW@163.com) -> registered (case-insensitive), no unknown_sender; body mentions 石龙镇团委 in passing; item 2.3 (学习总书记讲话，做合格共青团员)",
        [("org", arr, SUB("shijie", ["2"], ["2.3"], atts=atts))], mid, "ShiJieTW@163.com")

    k = "b004"; arr = T("2018-01-24 09:30:05"); d = sec(arr, -2)
    atts = [A("网上共青团建设工作支撑材料.pdf", pdf("Shipai project 3 wangshang gongqingtuan"))]
    raw, mid = coremail(k, "126", "sp_youth2017@126.com", "麦嘉欣", [("团市委组织部", DEPT["org"])],
                        "2017年度考核支撑材料（项目三）", d, arr,
                        "组织部：\n附件是我委项目三“网上共青团”建设工作支撑材料，请查收。\n\n共青团东莞市石排镇委员会\n2018年1月24日", atts)
    add("b004-shipai-formal-name-project3.eml", raw,
        "Unit only from the formal name in the signature (共青团东莞市石排镇委员会); 项目三 named without an item, sent to org, which is responsible for 3.2 only -> project 3, no items, not misrouted",
        [("org", arr, SUB("shipai", ["3"], [], ["unknown_sender"], atts))], mid, "sp_youth2017@126.com")

    k = "b005"; arr = T("2018-01-24 16:05:33"); d = sec(arr, -2)
    atts = [A("虎门镇参与社会基层治理工作情况.docx", simple_docx("虎门镇参与社会基层治理工作情况", [
                "一、青少年禁毒宣传教育", "二、青少年社区矫正", "三、青少年法治宣传和法律援助"], W(d))),
            A("禁毒宣传活动（长安街社区）.jpg", jpeg(k + "p"))]
    raw, mid = qqmail(k, "2418876501@qq.com", "林", [("组织部", DEPT["org"])],
                      "虎门镇团委5.4参与社会基层治理工作材料", d, arr,
                      "莫老师您好：\n附件为我镇2017年度青少年禁毒宣传教育及社区矫正工作材料，其中禁毒宣传进社区活动在我镇长安街社区广场举行，请查收。\n"
                      "------------------\n虎门镇团委 林", atts)
    add("b005-humen-changanjie-street.eml", raw,
        "长安 as a street name (长安街社区, body and photo filename) inside 虎门's mail: unit humen from the subject, not changan; item 5.4",
        [("org", arr, SUB("humen", ["5"], ["5.4"], ["unknown_sender"], atts))], mid, "2418876501@qq.com")

    k = "b006"; arr = T("2018-01-25 10:40:26"); d = sec(arr, -2)
    atts = [A("禁毒宣传进企业活动总结.docx", simple_docx("青少年禁毒宣传进企业活动总结", [
                "活动地点：长安汽车配件厂职工活动中心。", "参与青年职工120人。"], W(d)))]
    raw, mid = qqmail(k, "3057712846@qq.com", "陈", [("组织部", DEPT["org"])],
                      "青少年禁毒宣传进企业活动材料", d, arr,
                      "您好，附件是我们团委在长安汽车配件厂开展青少年禁毒宣传进企业活动的总结材料，请查收。\n------------------\n小陈", atts)
    add("b006-changan-car-company-unknown-unit.eml", raw,
        "长安 only inside a company name (长安汽车配件厂); nothing else names a unit (personal QQ, no town anywhere) -> unit null (needs review), not changan; item 5.4 from 禁毒",
        [("org", arr, SUB(None, ["5"], ["5.4"], ["unknown_sender"], atts))], mid, "3057712846@qq.com")

    k = "b007"; arr = T("2018-01-23 11:11:50"); d = sec(arr, -2)
    atts = [A("道窖镇新媒体工作情况.pdf", pdf("Daojiao new media 2017"))]
    raw, mid = coremail(k, "163", "lwt_0769@163.com", "梁文婷", [("团市委宣传部", DEPT["publicity"])],
                        "道窖镇团委2017年度新媒体工作情况", d, arr,
                        "邓老师：\n附件是我镇2017年度新媒体工作情况，请查收。\n\n道窖镇团委 梁文婷", atts)
    add("b007-daojiao-typo-daojiao.eml", raw,
        "Homophone typo 道窖 (for 道滘) in subject, body and filename -> daojiao; item 3.3 新媒体",
        [("publicity", arr, SUB("daojiao", ["3"], ["3.3"], ["unknown_sender"], atts))], mid, "lwt_0769@163.com")

    k = "b008"; arr = T("2018-01-22 15:33:09"); d = sec(arr, -2)
    atts = [A("学做教育实践工作情况.docx", simple_docx("学做教育实践工作情况", ["十项规定动作在全镇团支部全覆盖。"], W(d)))]
    raw, mid = qqmail(k, "1369025874@qq.com", "梁", [("组织部", DEPT["org"])],
                      "高步镇团委学做教育实践材料", d, arr,
                      "莫老师您好，附件是我镇学做教育实践工作材料，请查收。\n------------------\n高埠镇团委 小梁", atts)
    add("b008-gaobu-typos.eml", raw,
        "Typos 高步 (subject) and 高埠 (signature) for 高埗 -> gaobu; item 2.3 via the short form 学做",
        [("org", arr, SUB("gaobu", ["2"], ["2.3"], ["unknown_sender"], atts))], mid, "1369025874@qq.com")

    k = "b009"; arr = T("2018-01-24 14:12:40"); d = sec(arr, -3)
    atts = [A("麻冲镇团委2017年圆梦计划工作总结.docx", simple_docx("2017年圆梦计划工作总结", ["资助外来务工青年入读大专、本科。"], W(d)))]
    raw, mid = coremail(k, "163", "hzy_mc@163.com", "黄子燕", [("两新团工委", DEPT["liangxin"])],
                        "圆梦计划工作材料", d, arr,
                        "李老师：\n您好，附件是我们2017年圆梦计划工作总结，请查收。\n黄子燕", atts)
    add("b009-machong-typo-filename-only.eml", raw,
        "Unit only from the attachment filename, written with the typo 麻冲 (for 麻涌); personal 163 sender; item 5.3 圆梦计划",
        [("liangxin", arr, SUB("machong", ["5"], ["5.3"], ["unknown_sender"], atts))], mid, "hzy_mc@163.com")

    k = "b010"; arr = T("2018-01-23 16:20:17"); d = sec(arr, -2)
    atts = [A("望牛墩镇青年文明号创建情况.pdf", pdf("Wangniudun youth civilization post"))]
    raw, mid = qqmail(k, "2630418875@qq.com", "Wendy", [("两新团工委", DEPT["liangxin"])],
                      "望牛墩镇团委-青年文明号创建材料", d, arr,
                      "李老师您好，附件是我镇2017年青年文明号创建材料，请查收！\n------------------\nWendy", atts)
    add("b010-wangniudun-1.3-liangxin.eml", raw,
        "Item 1.3 (青年文明号; departments school/liangxin/org) sent to liangxin, one of its departments -> not misrouted",
        [("liangxin", arr, SUB("wangniudun", ["1"], ["1.3"], ["unknown_sender"], atts))], mid, "2630418875@qq.com")

    k = "b011"; arr = T("2018-01-24 10:30:22"); d = sec(arr, -2)
    atts = [A("樟木头镇少先队和中学共青团改革工作情况V2.1.docx", simple_docx("樟木头镇少先队和中学共青团改革工作情况", ["（定稿）"], W(d)))]
    raw, mid = coremail(k, "126", "dgzhangmutoutw@126.com", "樟木头镇团委", [("团市委学校部", DEPT["school"])],
                        "樟木头镇团委少先队和中学共青团改革工作情况", d, arr,
                        "余老师：\n您好！附件是我镇少先队和中学共青团改革工作情况（V2.1为定稿版本），请查收。\n\n樟木头镇团委 张颖\n电话：0769-87121234", atts)
    add("b011-zhangmutou-version-v2.1.eml", raw,
        "Version number V2.1 in filename and body is not item 2.1 (and not a resubmission: first material of this unit); item 2.2 少先队 to school",
        [("school", arr, SUB("zhangmutou", ["2"], ["2.2"], atts=atts))], mid, "dgzhangmutoutw@126.com")

    k = "b012"; arr = T("2018-01-25 09:50:31"); d = sec(arr, -2)
    atts = [A("中堂镇2017年圆梦计划资助名单（3.2万元）.xlsx", table_xlsx(["序号", "姓名", "资助金额（元）"],
                                                            [[i, "学员%d" % i, 1500] for i in range(1, 22)], W(d)))]
    raw, mid = coremail(k, "163", "zhongtangtw@163.com", "中堂镇团委", [("团市委两新团工委", DEPT["liangxin"])],
                        "中堂镇团委圆梦计划工作材料（资助金额3.2万元）", d, arr,
                        "李老师：\n附件是我镇2017年度圆梦计划工作材料，全年资助外来务工青年21名，资助金额3.2万元，请查收。\n\n中堂镇团委 袁嘉怡", atts)
    add("b012-zhongtang-amount-3.2wan.eml", raw,
        "Amount 3.2万元 in subject, body and filename is not item 3.2; item 5.3 圆梦计划 to liangxin only",
        [("liangxin", arr, SUB("zhongtang", ["5"], ["5.3"], atts=atts))], mid, "zhongtangtw@163.com")

    k = "b013"; arr = T("2018-01-24 15:10:44"); d = sec(arr, -4)
    atts = [A("常平镇2017年线上线下青年活动情况.docx", simple_docx("常平镇2017年线上线下青年活动情况", ["5月与清溪镇团委联合举办“青春有约”青年联谊活动。"], W(d)))]
    raw, mid = outlook(k, "dgchangpingtw@126.com", "常平镇团委", [("团市委组织部", DEPT["org"])],
                       "常平镇团委线上线下青年活动情况", d, arr,
                       "莫老师：\n您好，附件是我镇2017年线上线下青年活动情况，其中5月份与清溪镇团委联合举办“青春有约”青年联谊活动，请查收。\n\n常平镇团委 谢婉婷\n0769-83391234", atts)
    add("b013-changping-mentions-qingxi.eml", raw,
        "常平 sender mentions 清溪镇团委 (joint event) in the body -> unit changping; item 4.2 线上线下青年活动; Outlook 2016",
        [("org", arr, SUB("changping", ["4"], ["4.2"], atts=atts))], mid, "dgchangpingtw@126.com")

    k = "b014"; arr = T("2018-01-23 10:25:18"); d = sec(arr, -2)
    atts = [A("市公安局团委青少年禁毒宣传工作总结.pdf", pdf("GAJ anti-drug youth 2017")),
            A("虎门派出所禁毒宣传进校园.jpg", jpeg(k + "p"))]
    raw, mid = coremail(k, "163", "dggaj_tw@163.com", "市公安局团委", [("团市委组织部", DEPT["org"])],
                        "市公安局团委2017年度禁毒宣传教育工作材料", d, arr,
                        "莫老师：\n您好，附件为我局团委2017年度青少年禁毒宣传教育工作材料。今年我局虎门派出所、长安派出所青年民警深入辖区中小学开展禁毒宣传进校园活动30余场，请查收。\n\n市公安局团委 王俊", atts)
    add("b014-gaj-mentions-humen-paichusuo.eml", raw,
        "Agency vs host towns: 市公安局团委 material mentioning 虎门派出所/长安派出所 (body and a filename) -> unit gaj, not humen/changan; item 5.4 禁毒",
        [("org", arr, SUB("gaj", ["5"], ["5.4"], atts=atts))], mid, "dggaj_tw@163.com")

    k = "b015"; arr = T("2018-01-22 11:00:05"); d = sec(arr, -4)
    atts = [A("长安支行青年文明号创建材料.pdf", pdf("NSH Chang'an branch youth civilization post"))]
    raw, mid = outlook(k, "nshtw@126.com", "东莞农商银行团委", [("团市委学校部", DEPT["school"])],
                       "东莞农商银行团委选树先进典型工作材料", d, arr,
                       "余老师：\n您好！附件是我行团委选树先进典型工作材料（长安支行青年文明号创建），请审阅。\n\n东莞农村商业银行团委 刘洁", atts)
    add("b015-nsh-changan-branch.eml", raw,
        "Agency bank committee whose material is from its 长安支行 branch (filename and body say 长安) -> unit nsh, not changan; item 1.3 to school",
        [("school", arr, SUB("nsh", ["1"], ["1.3"], atts=atts))], mid, "nshtw@126.com")

    k = "b016"; arr = T("2018-01-24 11:45:02"); d = sec(arr, -2)
    atts = [A("东莞银行展翅计划实习生名单.xlsx", table_xlsx(["序号", "姓名", "学校", "实习岗位"],
                                                   [[i, "实习生%d" % i, "东莞理工学院", "柜面"] for i in range(1, 9)], W(d)))]
    raw, mid = qqmail(k, "2213390876@qq.com", "Sunny", [("两新团工委", DEPT["liangxin"])],
                      "东莞银行团委2017年度展翅计划实施情况", d, arr,
                      "李老师您好，附件是我行团委2017年展翅计划实施情况，请查收。\n------------------\nSunny", atts)
    add("b016-dgbank-not-nsh.eml", raw,
        "Look-alike agencies: 东莞银行团委 (dgbank) vs 东莞农商银行 (nsh); personal sender; item 1.3 展翅计划 to liangxin",
        [("liangxin", arr, SUB("dgbank", ["1"], ["1.3"], ["unknown_sender"], atts))], mid, "2213390876@qq.com")

    k = "b017"; arr = T("2018-01-25 15:20:19"); d = sec(arr, -2)
    atts = [A("团干部培训台账.xlsx", table_xlsx(["期次", "培训内容", "人数"], [[1, "基层团干部培训", 45], [2, "团务知识培训", 52]], W(d))),
            A("2017年发展团员统计.xlsx", table_xlsx(["支部", "计划数", "完成数"], [["一支部", 10, 10], ["二支部", 8, 7]], W(d)))]
    raw, mid = qqmail(k, "809317765@qq.com", "李", [("组织部", DEPT["org"])],
                      "组织部：团的基层基础工作材料", d, arr,
                      "莫老师您好，附件是我们2017年团干部培训和发展团员的材料，请查收。宣传部的材料另行发送。\n------------------\n小李", atts)
    add("b017-department-names-only-unknown-unit.eml", raw,
        "Only department names (组织部/宣传部) appear, no unit anywhere -> unit null; item 2.1 (团的基层基础, 发展团员)",
        [("org", arr, SUB(None, ["2"], ["2.1"], ["unknown_sender"], atts))], mid, "809317765@qq.com")

    # ---------------------------------------------------------------- items and projects
    k = "b018"; arr = T("2018-01-23 09:15:27"); d = sec(arr, -4)
    atts = [A("横沥镇2017年新媒体工作情况.pdf", pdf("Hengli new media 2017"))]
    quoted = ("各镇（街道）、厂局团委：\n"
              "    根据《关于做好2017年度东莞共青团工作考核的通知》（东团通〔2017〕23号）要求，由宣传部负责的考核项目为："
              "1.1深入学习贯彻党的十九大精神系列工作、1.2深化“青网计划”、3.1“青年之声”平台建设情况、3.3新媒体工作情况、"
              "5.1开展志愿服务工作。请各单位于2018年1月26日下午下班前将工作开展情况表和支撑材料发送至宣传部邮箱。\n\n"
              "团市委宣传部\n2018年1月22日")
    raw, mid = outlook(k, "dghenglitw@126.com", "横沥镇团委", [("团市委宣传部", DEPT["publicity"])],
                       "答复: " + REMINDER_SUBJ, d, arr,
                       "邓老师：\n您好，附件是我镇2017年度新媒体工作情况，请查收。\n\n横沥镇团委 朱丽华\n\n"
                       "-----原始邮件-----\n发件人: 团市委宣传部 [mailto:2219564@163.com] \n发送时间: 2018年1月22日 9:00\n"
                       "收件人: dghenglitw@126.com\n主题: " + REMINDER_SUBJ + "\n\n" + quoted, atts,
                       in_reply_to=REM["publicity"])
    add("b018-hengli-reply-quotes-item-list.eml", raw,
        "Outlook reply whose quoted reminder lists all publicity items (1.1, 1.2, 3.1, 3.3, 5.1 with keywords); the unit's own text and file are 新媒体 only -> items 3.3 only (quoted department text is not the sender's material)",
        [("publicity", arr, SUB("hengli", ["3"], ["3.3"], atts=atts))], mid, "dghenglitw@126.com")

    k = "b019"; arr = T("2018-01-24 17:05:48"); d = sec(arr, -2)
    atts = [A("附件1.pdf", pdf("Fenggang attachment 1")), A("附件2.pdf", pdf("Fenggang attachment 2"))]
    raw, mid = qqmail(k, "2751093364@qq.com", "阿雯", [("宣传部", DEPT["publicity"])],
                      "凤岗镇团委报送3.1、3.3项支撑材料", d, arr,
                      "邓老师您好：附件1为3.1项材料，附件2为3.3项材料，请查收。\n------------------\n凤岗镇团委 阿雯", atts)
    add("b019-fenggang-items-3.1-3.3.eml", raw,
        "Subject names two items with 、 (3.1、3.3); generic filenames 附件1/附件2 -> items 3.1 and 3.3",
        [("publicity", arr, SUB("fenggang", ["3"], ["3.1", "3.3"], ["unknown_sender"], atts))], mid, "2751093364@qq.com")

    k = "b020"; arr = T("2018-01-22 16:45:10"); d = sec(arr, -2)
    atts = [A("谢岗镇网络文明志愿者名单.xlsx", table_xlsx(["序号", "姓名", "单位"], [[i, "志愿者%d" % i, "谢岗镇"] for i in range(1, 16)], W(d))),
            A("青年好网民培训照片.jpg", jpeg(k + "p"))]
    raw, mid = qqmail(k, "3390127745@qq.com", "小罗", [("宣传部", DEPT["publicity"])],
                      "谢岗镇团委网络文明志愿者队伍建设工作材料", d, arr,
                      "邓老师您好，附件是我镇网络文明志愿者、青年好网民队伍建设工作材料，请查收。\n------------------\n小罗", atts)
    add("b020-xiegang-paraphrase-qingwang.eml", raw,
        "Item title paraphrased: 网络文明志愿者/青年好网民队伍建设 is the text of 1.2 深化青网计划 (青网计划 itself never written) -> item 1.2; 志愿者 here is not 5.1 志愿服务",
        [("publicity", arr, SUB("xiegang", ["1"], ["1.2"], ["unknown_sender"], atts))], mid, "3390127745@qq.com")

    k = "b021"; arr = T("2018-01-23 14:30:55"); d = sec(arr, -3)
    atts = [A("桥头镇青年之家活动台账.xlsx", table_xlsx(["日期", "活动名称", "参与人数"],
                                               [["2017-%02d-15" % m, "青年之家主题活动%d" % m, 30 + m] for m in range(1, 13)], W(d)))]
    raw, mid = coremail(k, "163", "qiaotoutw@163.com", "桥头镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "桥头镇团委青年之家建设及活动开展情况", d, arr,
                        "邓老师：\n附件是我镇2017年青年之家建设及活动开展情况，请查收。\n\n桥头镇团委 罗敏", atts)
    add("b021-qiaotou-qingnianzhijia.eml", raw,
        "Paraphrase: 青年之家建设及活动开展情况 is written in the notice only under 3.1 (青年之声 not mentioned) -> item 3.1",
        [("publicity", arr, SUB("qiaotou", ["3"], ["3.1"], atts=atts))], mid, "qiaotoutw@163.com")

    k = "b022"; arr = T("2018-01-22 09:40:36"); d = sec(arr, -2)
    atts = [A("洪梅镇团费收缴明细.xlsx", table_xlsx(["支部", "团员数", "应缴（元）", "实缴（元）"],
                                             [["支部%d" % i, 20 + i, (20 + i) * 2.4, (20 + i) * 2.4] for i in range(1, 8)], W(d)))]
    raw, mid = coremail(k, "126", "dghongmeitw@126.com", "洪梅镇团委", [("团市委组织部", DEPT["org"])],
                        "洪梅镇团委2017年团费收缴情况", d, arr,
                        "莫老师：\n附件是我镇2017年团费收缴情况，请查收。\n洪梅镇团委 何", atts)
    add("b022-hongmei-tuanfei.eml", raw,
        "Paraphrase: 团费收缴 (written in the notice only under 2.1 团的基层基础) -> item 2.1",
        [("org", arr, SUB("hongmei", ["2"], ["2.1"], atts=atts))], mid, "dghongmeitw@126.com")

    k = "b023"; arr = T("2018-01-25 16:50:03"); d = sec(arr, -2)
    atts = [A("沙田镇2017年发展团员情况统计（截至1.25）.xlsx", table_xlsx(["支部", "计划", "完成"],
                                                          [["支部%d" % i, 12, 11 + i % 2] for i in range(1, 10)], W(d)))]
    raw, mid = coremail(k, "126", "dgshatiantw@126.com", "沙田镇团委", [("团市委组织部", DEPT["org"])],
                        "沙田镇团委发展团员情况（数据截至1.25）", d, arr,
                        "莫老师：\n附件是我镇2017年发展团员情况统计，数据截至1.25，请查收。\n沙田镇团委 陈", atts)
    add("b023-shatian-date-1.25.eml", raw,
        "Date 1.25 (截至1.25) in subject/body/filename is not item 1.2 nor project 1; item 2.1 发展团员",
        [("org", arr, SUB("shatian", ["2"], ["2.1"], atts=atts))], mid, "dgshatiantw@126.com")

    k = "b024"; arr = T("2018-01-24 10:05:27"); d = sec(arr, -2)
    atts = [A("黄江镇微心愿认领活动总结.docx", simple_docx("黄江镇微心愿认领活动总结", ["为外来务工人员子女认领微心愿320个。"], W(d)))]
    raw_b024, mid_b024 = qqmail(k, "1162880347@qq.com", "阿杰", [("两新团工委", DEPT["liangxin"])],
                                "黄江镇团委5.3服务外来务工人员工作材料（微心愿）", d, arr,
                                "李老师您好，附件是我镇2017年服务外来务工人员工作材料，主要是“微心愿”认领活动总结，请查收。\n------------------\n阿杰", atts)
    add("b024-huangjiang-weixinyuan-5.3.eml", raw_b024,
        "微心愿 is written in the notice under both 4.3 and 5.3; here the subject says 5.3 and 服务外来务工人员 -> item 5.3 only (微心愿 must not add 4.3)",
        [("liangxin", arr, SUB("huangjiang", ["5"], ["5.3"], ["unknown_sender"], atts))], mid_b024, "1162880347@qq.com")

    k = "b025"; arr = T("2018-01-25 11:20:14"); d = sec(arr, -2)
    atts = [A("企石镇团委支撑材料（二）.pdf", pdf("Qishi project 2")), A("企石镇团委支撑材料（三）.pdf", pdf("Qishi project 3"))]
    raw, mid = coremail(k, "163", "qs_tw2017@163.com", "钟", [("团市委组织部", DEPT["org"])],
                        "企石镇团委项目二、三支撑材料", d, arr,
                        "莫老师：\n附件为我镇考核项目二、三的支撑材料，请查收。\n钟", atts)
    add("b025-qishi-projects-two-three.eml", raw,
        "项目二、三 (Chinese numerals, list with 、) -> projects 2 and 3, no items; org is responsible for items of both -> not misrouted",
        [("org", arr, SUB("qishi", ["2", "3"], [], ["unknown_sender"], atts))], mid, "qs_tw2017@163.com")

    k = "b026"; arr = T("2018-01-24 15:55:38"); d = sec(arr, -2)
    atts = [A("寮步镇智慧团建录入情况.xlsx", table_xlsx(["类别", "应录入", "已录入"], [["团组织", 210, 210], ["团员", 5230, 5230]], W(d))),
            A("寮步镇新媒体运营情况.pdf", pdf("Liaobu new media"))]
    raw, mid = qqmail(k, "2085561930@qq.com", "寮步团委", [("组织部", DEPT["org"])],
                      "寮步镇团委（三）网上共青团建设第二、三项材料", d, arr,
                      "莫老师您好，附件是我镇项目三第二、三项材料，请查收。\n------------------\n寮步镇团委", atts)
    add("b026-liaobu-second-third-item-of-3.eml", raw,
        "第二、三项 of （三）网上共青团建设 = items 3.2 and 3.3 (also from filenames 智慧团建/新媒体), NOT projects 2 and 3; org has 3.2 -> not misrouted",
        [("org", arr, SUB("liaobu", ["3"], ["3.2", "3.3"], ["unknown_sender"], atts))], mid, "2085561930@qq.com")

    k = "b027"; arr = T("2018-01-23 10:45:12"); d = sec(arr, -2)
    atts = [A("３．２录入情况统计.xlsx", table_xlsx(["类别", "数量"], [["团组织", 96], ["团干部", 143], ["团员", 3870]], W(d)))]
    raw, mid = coremail(k, "163", "guanchengtw@163.com", "莞城街道团工委", [("团市委组织部", DEPT["org"])],
                        "莞城街道团工委考核材料（３．２）", d, arr,
                        "莫老师：\n附件是我街道３．２项支撑材料，请查收。\n莞城街道团工委 邓", atts)
    add("b027-guancheng-fullwidth-digits.eml", raw,
        "Item written in full-width digits ３．２ (subject, body, filename), no keyword -> item 3.2",
        [("org", arr, SUB("guancheng", ["3"], ["3.2"], atts=atts))], mid, "guanchengtw@163.com")

    k = "b028"; arr = T("2018-01-22 14:00:09"); d = sec(arr, -3)
    atts = [A("万江街道青年之声平台建设情况.pdf", pdf("Wanjiang youth voice platform")),
            A("2017.3.2青年之声见面会照片.jpg", jpeg(k + "p"))]
    raw, mid = coremail(k, "126", "dgwanjiangtw@126.com", "万江街道团工委", [("团市委宣传部", DEPT["publicity"])],
                        "万江街道团工委青年之声平台建设材料", d, arr,
                        "邓老师：\n附件是我街道2017年青年之声平台建设材料，请查收。青年之声见面会于2017.3.2举办，照片见附件。\n"
                        "联系人：黄小姐\n电话：22771234 / 13922913322", atts)
    add("b028-wanjiang-date-and-phones.eml", raw,
        "Date 2017.3.2 (body and filename) and phone numbers are not items: only 3.1 青年之声, not 3.2",
        [("publicity", arr, SUB("wanjiang", ["3"], ["3.1"], atts=atts))], mid, "dgwanjiangtw@126.com")

    k = "b029"; arr = T("2018-01-23 11:30:45"); d = sec(arr, -3)
    atts = [A("南城街道展翅计划工作总结.pdf", pdf("Nancheng wings plan"))] + \
           [A("展翅计划活动照片(%d).jpg" % i, jpeg(k + "p%d" % i)) for i in (1, 2, 3)]
    raw, mid = coremail(k, "126", "dgnanchengtw@126.com", "南城街道团工委", [("团市委两新团工委", DEPT["liangxin"])],
                        "南城街道团工委展翅计划工作材料", d, arr,
                        "李老师：\n附件是我街道2017年展翅计划工作材料及活动照片，请查收。\n南城街道团工委 黄志强", atts)
    add("b029-nancheng-photo-copy-numbers.eml", raw,
        "Copy numbers (1)(2)(3) in photo filenames are not projects; item 1.3 展翅计划 to liangxin",
        [("liangxin", arr, SUB("nancheng", ["1"], ["1.3"], atts=atts))], mid, "dgnanchengtw@126.com")

    k = "b030"; arr = T("2018-01-24 16:40:29"); d = sec(arr, -3)
    atts = [A("厚街镇学习贯彻十九大精神工作总结.docx", simple_docx("厚街镇学习贯彻十九大精神工作总结", ["开展主题团日活动。"], W(d))),
            A("主题团日活动照片.jpg", jpeg(k + "p")), A("媒体报道截图.png", png(k + "s"))]
    raw, mid = foxmail(k, "houjietw@163.com", "厚街镇团委", [("a22233740", DEPT["school"])],
                       "厚街镇团委学习贯彻十九大精神系列工作材料", d, arr,
                       "余老师：\n您好，现报送我镇学习贯彻十九大精神系列工作材料，包括：\n一、工作总结一份；\n二、主题团日活动照片；\n三、媒体报道截图。\n请查收。\n\n厚街镇团委 梁", atts)
    add("b030-houjie-chinese-numbered-list.eml", raw,
        "Body is an enumerated list 一、二、三、 (not projects 1-3); item 1.1 十九大 to school (one of its departments)",
        [("school", arr, SUB("houjie", ["1"], ["1.1"], atts=atts))], mid, "houjietw@163.com")

    k = "b031"; arr = T("2018-01-25 14:40:33"); d = sec(arr, -3)
    top = "茶山镇团委支撑材料/"
    x1 = table_xlsx(["姓名", "职务", "联系青年数"], [["李婉婷", "团委书记", 112], ["陈浩", "专职团干", 105]], W(d))
    p1 = png(k + "hd")
    adbl = lambda n: b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x01\x00\x00\x00\x09\x00\x00\x00\x32\x00\x00\x00\x20" + n.encode() + b"\x00" * 16
    zentries = [("%s" % top, None), (top + "4.1/", None), (top + "4.1/直接联系青年统计.xlsx", x1),
                (top + "4.3/", None), (top + "4.3/互动截图.png", p1),
                ("__MACOSX/", None), ("__MACOSX/" + top, None), ("__MACOSX/" + top + "4.1/", None),
                ("__MACOSX/" + top + "4.1/._直接联系青年统计.xlsx", adbl("xlsx")),
                ("__MACOSX/" + top + "4.3/", None), ("__MACOSX/" + top + "4.3/._互动截图.png", adbl("png"))]
    zbytes = zipbuild([{"name": n.encode("utf-8"), "data": b or b"", "dir": b is None, "utf8flag": False,
                        "made_by": 0x0314, "ext_attr": (0o40755 << 16 | 0x10) if b is None else (0o100644 << 16)}
                       for n, b in zentries], when=W(d))
    za = A("茶山镇团委支撑材料.zip", zbytes)
    za["members"] = [n for n, b in zentries if b is not None]
    za["disp"] = "attachment"
    atts = [za]
    raw, mid = apple_mail(k, "chashantw@163.com", "茶山镇团委", [("", DEPT["org"])],
                          "茶山镇团委考核支撑材料", d, arr,
                          "莫老师：\n您好，附件是我镇考核支撑材料，请查收。\n\n茶山镇团委 李婉婷", atts,
                          recv_host=("m12-%d.163.com" % N(k, 10, 40), "220.181.12.%d" % N(k, 10, 40)))
    add("b031-chashan-items-only-in-zip-folders.eml", raw,
        "Items only in zip folder names (…/4.1/, …/4.3/); macOS Archive Utility zip (UTF-8 names WITHOUT the UTF-8 flag, directory entries, __MACOSX AppleDouble files listed as members since they are non-directory entries); Apple Mail",
        [("org", arr, SUB("chashan", ["4"], ["4.1", "4.3"], atts=atts))], mid, "chashantw@163.com")

    k = "b032"; arr = T("2018-01-24 09:12:50"); d = sec(arr, -2)
    atts = [A("城管局团委2017年工作材料.docx", simple_docx("城管局团委2017年工作材料", [
                "一、智慧团建：完成全部团组织和团员信息录入。", "二、1+100团干部直接联系青年：团委书记联系青年105人。",
                "三、团费收缴：全年按时收缴团费。", "四、青年之声：回复青年提问46条。", "五、i志愿：开展志愿服务活动12场。"], W(d)))]
    raw, mid = coremail(k, "163", "dgcgjtw@163.com", "城管局团委", [("团市委组织部", DEPT["org"])],
                        "城管局团委考核材料", d, arr,
                        "莫老师：\n附件是我局团委2017年度工作材料，请查收。\n城管局团委 郑", atts)
    add("b032-cgj-keywords-only-inside-document.eml", raw,
        "Item keywords (智慧团建, 1+100, 团费收缴, 青年之声, i志愿) appear only inside the docx text; subject/body/filename generic -> no projects, no items, not misrouted",
        [("org", arr, SUB("cgj", [], [], atts=atts))], mid, "dgcgjtw@163.com")

    # ---------------------------------------------------------------- kinds
    k = "b033"; arr = T("2018-01-22 10:35:16"); d = sec(arr, -2)
    atts = [A("大朗镇1+100直接联系青年统计.xlsx", table_xlsx(["姓名", "联系青年数", "APP使用天数"], [["陈", 110, 280], ["林", 102, 251]], W(d)))]
    raw, mid = coremail(k, "163", "dalangtw@163.com", "大朗镇团委", [("团市委组织部", DEPT["org"])],
                        "回复：" + REMINDER_SUBJ, d, arr,
                        "莫老师，附件是我镇1+100工作材料，请查收。\n大朗镇团委 陈\n\n"
                        "在 2018-01-22 09:00:12，\"团市委组织部\" <tswzzb3@126.com> 写道：\n"
                        + quote(REMINDER_BODY + "\n\n团市委组织部\n2018年1月22日"), atts, in_reply_to=REM["org"])
    add("b033-dalang-reply-with-material.eml", raw,
        "Reply (回复：) to the department's reminder that adds material -> submission; item 4.1 (1+100) from body and filename",
        [("org", arr, SUB("dalang", ["4"], ["4.1"], atts=atts))], mid, "dalangtw@163.com")

    k = "b034"; arr = T("2018-01-22 11:02:44"); d = sec(arr, -2)
    raw, mid = coremail(k, "163", "qingxitw@163.com", "清溪镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "回复：" + REMINDER_SUBJ, d, arr,
                        "邓老师您好，请问5.1志愿服务的支撑材料是否需要附上i志愿系统的截图？还是提供工作总结即可？谢谢！\n清溪镇团委 何嘉欣\n\n"
                        "在 2018-01-22 09:00:30，\"团市委宣传部\" <2219564@163.com> 写道：\n"
                        + quote(REMINDER_BODY + "\n\n团市委宣传部\n2018年1月22日"), in_reply_to=REM["publicity"])
    add("b034-qingxi-reply-question-only.eml", raw,
        "Reply to the reminder that only asks a question (mentions 5.1, 志愿服务, i志愿) and carries no material -> other, no receipt",
        [("publicity", arr, NON("other", "qingxi"))], mid, "qingxitw@163.com")

    k = "b035"; arr = T("2018-01-25 17:10:06"); d = sec(arr, -2)
    raw, mid = qqmail(k, "1029384756@qq.com", "小钟", [("宣传部", DEPT["publicity"])],
                      "东城街道团工委2017年度新媒体工作材料，请查收", d, arr,
                      "邓老师您好，附件请查收，谢谢！\n------------------\n东城街道团工委 小钟")
    add("b035-dongcheng-qingchashou-no-file.eml", raw,
        "'请查收' with no attachment and no link -> submission with no_attachments; item 3.3 from the subject; no MIME multipart/mixed at all",
        [("publicity", arr, SUB("dongcheng", ["3"], ["3.3"], ["unknown_sender", "no_attachments"]))], mid, "1029384756@qq.com")

    k = "b036"; arr = T("2017-12-08 09:20:31"); d = sec(arr, -2)
    notice_doc = docx([("title", "关于做好2017年度东莞共青团工作考核的通知"), "东团通〔2017〕23号", "各镇（街道）、厂局团委：",
                       "为全面总结2017年全市共青团的工作……", "附件：2017年东莞共青团工作开展情况表"], W(d))
    blank_form = form_docx("", ["", "", "", "", ""], k, W(d))
    fw_atts = [A("东团通〔2017〕23号关于做好2017年度东莞共青团工作考核的通知.docx", notice_doc),
               A("附件：2017年东莞共青团工作开展情况表.docx", blank_form)]
    raw, mid = coremail(k, "126", "dgshipaitw@126.com", "石排镇团委",
                        [("石排镇各村（社区）团支部", "shipai-tzb@dg.gov.test")],
                        "转发：关于做好2017年度东莞共青团工作考核的通知", d, arr,
                        "各村（社区）、各学校团支部：\n    现将团市委《关于做好2017年度东莞共青团工作考核的通知》（东团通〔2017〕23号）转发给你们，"
                        "请认真学习，按照通知要求整理本支部2017年度工作材料，于2018年1月10日前报镇团委汇总。\n\n石排镇团委\n2017年12月8日\n\n"
                        "-------- 转发邮件信息 --------\n发件人：\"团市委组织部\" <tswzzb3@126.com>\n发送日期：2017-12-07 10:12:33\n"
                        "收件人：dgshipaitw@126.com\n主题：关于做好2017年度东莞共青团工作考核的通知\n\n"
                        "各镇（街道）、厂局团委：\n为全面总结2017年全市共青团的工作……现就有关事宜通知如下：\n"
                        "三、考核内容\n（一）青少年思想引领及青年人才工作……（负责部门：宣传部、学校部）\n"
                        "（三）“网上共青团”建设工作……2．“智慧团建”工作情况……（负责部门：组织部）\n"
                        "联系方式：\n组织部：莫镇源，联系电话：22114722，邮箱：tswzzb3@126.com\n"
                        "宣传部：邓杓均，联系电话：22228086，邮箱：2219564@163.com",
                        fw_atts, cc=[("团市委组织部", DEPT["org"])])
    add("b036-shipai-forwards-notice-to-branches.eml", raw,
        "A unit forwards the notice itself (with the notice docx and the BLANK form) to its village branches, Cc org -> other (distributes the notice, delivers no material), no receipt; arrives 2017-12-08",
        [("org", arr, NON("other", "shipai"))], mid, "dgshipaitw@126.com")


# -- Exchange 2016 (Outlook on a government Exchange server) -------------------------------
def exchange(key, frm, frm_name, to, subject, date, arrival, text, atts=(), in_reply_to=None, extra=(),
             thread_topic=None, server="DGEXCH02.dg.gov.test", ip="61.145.110.40", lower_auto=None):
    g = H(key + "g", 32).upper()
    mid = "<%s@%s>" % (g, server)
    bd_mixed = "_004_%s_" % g
    bd_alt = "_000_%s_" % g
    hdrs = ["Return-Path: <%s>" % frm,
            mx_received(key, server, ip, arrival),
            "Received: from %s (10.10.1.12) by %s (10.10.1.12)\r\n with Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384) id 15.1.1034.26; %s"
            % (server, server, rfcdate(sec(arrival, -2))),
            "Received: from %s ([fe80::%s]) by\r\n %s ([fe80::%s%%12]) with mapi id\r\n 15.01.1034.026; %s"
            % (server, H(key + "v6", 4), server, H(key + "v6", 4), rfcdate(sec(arrival, -2))),
            "From: %s <%s>" % (ew1(frm_name, "gb2312"), frm),
            "To: " + ", ".join('"%s" <%s>' % (a, a) if not n else "%s <%s>" % (ew1(n, "gb2312"), a) for n, a in to),
            fold_subject(ew(subject, "gb2312", 76), "\r\n\t"),
            "Thread-Topic: " + "\r\n\t".join(ew(thread_topic or subject, "gb2312", 76)),
            "Thread-Index: AdOU%s" % base64.b64encode(hashlib.sha1((key + "ti").encode()).digest()).decode()[:24],
            "Date: %s" % rfcdate(date.astimezone(UTC)).replace("-0000", "+0000"),
            "Message-ID: %s" % mid]
    if in_reply_to:
        hdrs += ["References: %s" % in_reply_to, "In-Reply-To: %s" % in_reply_to]
    hdrs += ["Accept-Language: zh-CN, en-US", "Content-Language: zh-CN",
             "X-MS-Has-Attach: %s" % ("yes" if atts else ""), "X-MS-TNEF-Correlator: "]
    hdrs += list(extra)
    hdrs += ["x-originating-ip: [10.10.3.%d]" % N(key + "ip", 20, 200)]
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
            '<body><div style="font-family:微软雅黑;font-size:11pt">%s</div></body></html>' % html_div(text))
    alt = multi(["Content-Type: multipart/alternative;\r\n\tboundary=\"%s\"" % bd_alt], bd_alt, [
        leaf(["Content-Type: text/plain; charset=\"gb2312\"", "Content-Transfer-Encoding: base64"],
             b64(enc(crlf(text), "gb2312"))),
        leaf(["Content-Type: text/html; charset=\"gb2312\"", "Content-Transfer-Encoding: base64"],
             b64(enc(html, "gb2312")))])
    if atts:
        parts = [alt]
        stamp = rfcdate(sec(date, -120).astimezone(UTC)).replace("+0000", "GMT").replace("-0000", "GMT")
        for a in atts:
            w = ew1(a["name"], "gb2312")
            parts.append(leaf(["Content-Type: %s; name=\"%s\"" % (a["ct"], w),
                               "Content-Description: %s" % w,
                               "Content-Disposition: attachment; filename=\"%s\"; size=%d;\r\n\tcreation-date=\"%s\";\r\n\tmodification-date=\"%s\""
                               % (w, len(a["data"]), stamp, stamp),
                               "Content-Transfer-Encoding: base64"], b64(a["data"])))
        root = multi(["Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"" % bd_mixed], bd_mixed, parts)
    else:
        root = alt
    node = dict(root)
    node["h"] = root["h"] + ["MIME-Version: 1.0"]
    return message(hdrs, node), mid


def build_cases_2():
    # ---------------------------------------------------------------- read receipts
    k = "b037"; arr = T("2018-01-22 09:47:20"); d = sec(arr, -3)
    bd = "----=_NextPart_000_%04X_%08X" % (N(k, 0, 0xFFFF), N(k + "x", 0, 0xFFFFFFFF))
    mid = "<%s$%s$%s@126.com>" % (H(k + "1", 12), H(k + "2", 8), H(k + "3", 8))
    hdrs = ["Return-Path: <nshtw@126.com>",
            mx_received(k, "m15-%d.126.com" % N(k, 10, 120), "220.181.15.%d" % N(k, 10, 120), arr),
            "Received: from DESKTOP-%s (unknown [183.%d.%d.%d])\r\n\tby smtp3 (Coremail) with SMTP id %s--.%dS2;\r\n\t%s"
            % (H(k + "pc", 7).upper(), N(k + "a", 1, 60), N(k + "b", 1, 250), N(k + "c", 1, 250), H(k + "sm", 24),
               N(k + "d", 1000, 60000), cstdate(sec(arr, -2))),
            "From: %s <nshtw@126.com>" % ew1("东莞农商银行团委", "gb2312"),
            "To: %s <tswzzb3@126.com>" % ew1("团市委组织部", "gb2312"),
            fold_subject(ew("已读: " + REMINDER_SUBJ, "gb2312", 76), "\r\n\t"),
            "Date: %s" % rfcdate(d), "Message-ID: %s" % mid, "MIME-Version: 1.0"]
    mdn_text = ("您的邮件\n\n  收件人: nshtw@126.com\n  主题: %s\n  发送时间: 2018/1/22 9:00\n\n已于 2018/1/22 9:47 读取。\n" % REMINDER_SUBJ)
    dn = ("Reporting-UA: DESKTOP-%s; Microsoft Outlook 16.0\r\nFinal-Recipient: rfc822;nshtw@126.com\r\n"
          "Original-Message-ID: %s\r\nDisposition: automatic-action/MDN-sent-automatically; displayed\r\n"
          % (H(k + "pc", 7).upper(), REM["org"])).encode("ascii")
    root = multi(["Content-Type: multipart/report; report-type=disposition-notification;\r\n\tboundary=\"%s\"" % bd,
                  "X-Mailer: Microsoft Outlook 16.0", "Thread-Index: AdOTF%s" % H(k + "ti", 20), "Content-Language: zh-cn"],
                 bd, [leaf(["Content-Type: text/plain;\r\n\tcharset=\"gb2312\"", "Content-Transfer-Encoding: base64"],
                           b64(enc(crlf(mdn_text), "gb2312"))),
                      leaf(["Content-Type: message/disposition-notification"], dn)],
                 preamble="This is a multipart message in MIME format.")
    add("b037-nsh-outlook-read-receipt-mdn.eml", message(hdrs, root),
        "Outlook read receipt ('已读:' + the reminder subject), multipart/report; report-type=disposition-notification (an MDN, not a DSN): automatic acknowledgement -> auto_reply, no receipt",
        [("org", arr, NON("auto_reply", "nsh"))], mid, "nshtw@126.com")

    k = "b038"; arr = T("2018-01-22 09:36:42"); d = sec(arr, -1)
    raw, mid = coremail(k, "126", "dghongmeitw@126.com", "", [("团市委组织部", DEPT["org"])],
                        "已读：" + REMINDER_SUBJ, d, arr,
                        "这是一封已读回执。\n您于2018-01-22 09:00:12发送给 dghongmeitw@126.com 的邮件\n“%s”\n已于2018-01-22 09:36:40被阅读。\n"
                        "（此邮件由系统自动发送，请勿直接回复）" % REMINDER_SUBJ, in_reply_to=REM["org"])
    add("b038-hongmei-webmail-read-receipt-text.eml", raw,
        "126 webmail read receipt as plain text ('已读：' subject, 已读回执 body), no multipart/report and no Auto-Submitted -> auto_reply (automatic acknowledgement), no receipt",
        [("org", arr, NON("auto_reply", "hongmei"))], mid, "dghongmeitw@126.com")

    # ---------------------------------------------------------------- misroute, recall, resend
    sender = "wangniuduntuanwei@dg.gov.test"
    nm = "望牛墩镇团委"
    pdf33 = A("望牛墩镇2017年新媒体工作情况.pdf", pdf("Wangniudun new media 2017"))
    k = "b039"; arr = T("2018-01-23 10:02:15"); d = sec(arr, -3)
    raw, mid = exchange(k, sender, nm, [("", DEPT["org"])], "望牛墩镇团委3.3新媒体工作情况", d, arr,
                        "莫老师：\n您好，附件是我镇3.3新媒体工作情况，请查收。\n\n望牛墩镇团委 叶", [pdf33])
    add("b039-wangniudun-3.3-to-org-misrouted.eml", raw,
        "First of a sequence: 3.3 新媒体 (publicity) sent to org -> misrouted; sender is the unit's CONTACT address on the government Exchange (contacts are not senders -> unknown_sender; unit from subject); Exchange Date header in +0000",
        [("org", arr, SUB("wangniudun", ["3"], ["3.3"], ["unknown_sender"], [pdf33], misrouted=True))], mid, sender)

    k = "b040"; arr = T("2018-01-23 10:06:40"); d = sec(arr, -3)
    raw, mid = exchange(k, sender, nm, [("", DEPT["org"])], "撤回: 望牛墩镇团委3.3新媒体工作情况", d, arr,
                        "望牛墩镇团委 希望撤回邮件“望牛墩镇团委3.3新媒体工作情况”。",
                        thread_topic="望牛墩镇团委3.3新媒体工作情况")
    add("b040-wangniudun-outlook-recall.eml", raw,
        "Outlook/Exchange recall message ('撤回:' + the previous subject with 3.3/新媒体) reaching an external mailbox as a plain message: no material -> other, no receipt",
        [("org", arr, NON("other", None))], mid, sender)

    k = "b041"; arr = T("2018-01-23 10:15:08"); d = sec(arr, -3)
    raw, mid = exchange(k, sender, nm, [("", DEPT["publicity"])], "望牛墩镇团委3.3新媒体工作情况", d, arr,
                        "邓老师：\n您好，附件是我镇3.3新媒体工作情况，请查收。（此前误发至组织部邮箱，已撤回）\n\n望牛墩镇团委 叶", [pdf33])
    add("b041-wangniudun-3.3-resent-to-publicity.eml", raw,
        "Same file re-sent to the right department after the misroute and recall: same unit + same item (3.3) submitted earlier (b039) -> resubmission; not misrouted",
        [("publicity", arr, SUB("wangniudun", ["3"], ["3.3"], ["unknown_sender", "resubmission"], [pdf33]))], mid, sender)

    # ---------------------------------------------------------------- calendar invite
    k = "b042"; arr = T("2018-01-10 16:20:05"); d = sec(arr, -3)
    ics = crlf("BEGIN:VCALENDAR\nMETHOD:REQUEST\nPRODID:Microsoft Exchange Server 2010\nVERSION:2.0\n"
               "BEGIN:VTIMEZONE\nTZID:China Standard Time\nBEGIN:STANDARD\nDTSTART:16010101T000000\n"
               "TZOFFSETFROM:+0800\nTZOFFSETTO:+0800\nEND:STANDARD\nEND:VTIMEZONE\nBEGIN:VEVENT\n"
               "ORGANIZER;CN=交通运输局团委:mailto:dgjtjtw@163.com\n"
               "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=tswzzb3@126.com:mailto:tswzzb3@126.com\n"
               "DESCRIPTION;LANGUAGE=zh-CN:莫部长：诚邀您出席我局团委2017年度团建工作交流会，届时将汇报团的基层基础、智慧团建等工作。\\n\n"
               "UID:040000008200E00074C5B7101A82E008000000%s\nSUMMARY;LANGUAGE=zh-CN:交通运输局团委2017年度团建工作交流会\n"
               "DTSTART;TZID=China Standard Time:20180118T143000\nDTEND;TZID=China Standard Time:20180118T163000\n"
               "CLASS:PUBLIC\nPRIORITY:5\nDTSTAMP:20180110T082002Z\nTRANSP:OPAQUE\nSTATUS:CONFIRMED\nSEQUENCE:0\n"
               "LOCATION;LANGUAGE=zh-CN:市交通运输局5楼会议室\nBEGIN:VALARM\nDESCRIPTION:REMINDER\nTRIGGER;RELATED=START:-PT15M\n"
               "ACTION:DISPLAY\nEND:VALARM\nEND:VEVENT\nEND:VCALENDAR\n" % H(k + "uid", 40).upper())
    text = ("何时: 2018年1月18日 14:30-16:30 (UTC+08:00) 北京，重庆，香港特别行政区，乌鲁木齐。\n地点: 市交通运输局5楼会议室\n\n"
            "*~*~*~*~*~*~*~*~*~*\n\n莫部长：诚邀您出席我局团委2017年度团建工作交流会，届时将汇报团的基层基础、智慧团建等工作。")
    bd = "----=_NextPart_000_%04X_%08X" % (N(k, 0, 0xFFFF), N(k + "x", 0, 0xFFFFFFFF))
    mid = "<%s$%s$%s@163.com>" % (H(k + "1", 12), H(k + "2", 8), H(k + "3", 8))
    hdrs = ["Return-Path: <dgjtjtw@163.com>",
            mx_received(k, "m12-%d.163.com" % N(k, 10, 40), "220.181.12.%d" % N(k, 10, 40), arr),
            "Received: from DESKTOP-%s (unknown [183.%d.%d.%d])\r\n\tby smtp9 (Coremail) with SMTP id %s--.%dS2;\r\n\t%s"
            % (H(k + "pc", 7).upper(), N(k + "a", 1, 60), N(k + "b", 1, 250), N(k + "c", 1, 250), H(k + "sm", 24),
               N(k + "d", 1000, 60000), cstdate(sec(arr, -2))),
            "From: %s <dgjtjtw@163.com>" % ew1("交通运输局团委", "gb2312"),
            "To: %s <tswzzb3@126.com>" % ew1("团市委组织部", "gb2312"),
            fold_subject(ew("交通运输局团委2017年度团建工作交流会", "gb2312", 76), "\r\n\t"),
            "Date: %s" % rfcdate(d), "Message-ID: %s" % mid, "MIME-Version: 1.0"]
    root = multi(["Content-Type: multipart/alternative;\r\n\tboundary=\"%s\"" % bd, "X-Mailer: Microsoft Outlook 16.0",
                  "Thread-Index: AdOJ%s" % H(k + "ti", 20), "Content-Language: zh-cn"], bd,
                 [leaf(["Content-Type: text/plain;\r\n\tcharset=\"gb2312\"", "Content-Transfer-Encoding: base64"],
                       b64(enc(crlf(text), "gb2312"))),
                  leaf(["Content-Type: text/calendar; charset=\"utf-8\"; method=REQUEST", "Content-Transfer-Encoding: base64"],
                       b64(ics.encode("utf-8")))],
                 preamble="This is a multipart message in MIME format.")
    add("b042-jtj-calendar-invite.eml", message(hdrs, root),
        "Outlook meeting request (text/calendar; method=REQUEST) from a registered unit sender, mentioning 团的基层基础/智慧团建: an invitation, not material -> other, no receipt",
        [("org", arr, NON("other", "jtj"))], mid, "dgjtjtw@163.com")

    # ---------------------------------------------------------------- auto-replies
    k = "b043"; arr = T("2018-01-22 09:01:05"); d = sec(arr, -1)
    raw, mid = coremail(k, "163", "changantw@163.com", "长安镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "自动回复：" + REMINDER_SUBJ, d, arr,
                        "您好，本人1月22日至1月23日外出参加培训，邮件将于培训结束后尽快回复。\n此邮件为自动回复。",
                        in_reply_to=REM["publicity"])
    add("b043-autoreply-163-no-header.eml", raw,
        "163 webmail auto-reply ('自动回复：' + reminder subject, '此邮件为自动回复') WITHOUT Auto-Submitted -> auto_reply, no receipt",
        [("publicity", arr, NON("auto_reply", "changan"))], mid, "changantw@163.com")

    k = "b044"; arr = T("2018-01-22 09:00:41"); d = sec(arr, -2)
    raw, mid = exchange(k, "liming@dgpower.test", "李明", [("团市委学校部", DEPT["school"])],
                        "自动答复: " + REMINDER_SUBJ, d, arr,
                        "您好：\n我于1月22日至1月29日休年假，期间不便查收邮件。如有急事请致电22331234。\n\n东莞供电局团委 李明",
                        in_reply_to=REM["school"], thread_topic=REMINDER_SUBJ, server="DGPEXCH01.dgpower.test", ip="120.236.18.77",
                        extra=["auto-submitted: auto-generated", "x-auto-response-suppress: All",
                               "x-ms-exchange-inbox-rules-loop: liming@dgpower.test"])
    add("b044-autoreply-exchange-oof.eml", raw,
        "Exchange out-of-office ('自动答复:'), lower-case 'auto-submitted: auto-generated' and x-auto-response-suppress headers; staff address of 供电局 (not registered) -> auto_reply",
        [("school", arr, NON("auto_reply", None))], mid, "liming@dgpower.test")

    k = "b045"; arr = T("2018-01-22 09:02:13"); d = sec(arr, -2)
    mid = "<CAO%s@mail.gmail.com>" % H(k + "m", 40)
    bd = "001a11%s" % H(k + "bd", 22)
    text = ("您好，我正在休假（1月22日至1月28日），期间无法及时回复邮件。急事请联系同事小陈：13812345678。\n\n"
            "Hi, I'm on vacation until Jan 28 with limited access to email.")
    hdrs = ["Return-Path: <kellychen.dg@gmail.com>",
            mx_received(k, "mail-pg0-f48.google.com", "74.125.83.48", arr),
            "Received: by mail-pg0-f48.google.com with SMTP id %s.%d\r\n        for <dglxtgw@163.com>; %s (PST)"
            % (H(k + "s", 2), N(k, 10, 99), rfcdate(sec(arr, -1).astimezone(dt.timezone(dt.timedelta(hours=-8))))),
            "X-Google-Smtp-Source: ACJfBo%s" % H(k + "gs", 40),
            "X-Received: by 10.98.%d.%d with SMTP id %s.%d.%d;\r\n        %s (PST)"
            % (N(k + "1", 1, 250), N(k + "2", 1, 250), H(k + "x", 2), N(k + "3", 10, 99), int(arr.timestamp()),
               rfcdate(sec(arr, -1).astimezone(dt.timezone(dt.timedelta(hours=-8))))),
            "MIME-Version: 1.0",
            "Sender: kellychen.dg@gmail.com",
            "From: Kelly Chen <kellychen.dg@gmail.com>",
            "Date: %s" % rfcdate(d.astimezone(dt.timezone(dt.timedelta(hours=-8)))),
            "Message-ID: %s" % mid,
            "In-Reply-To: %s" % REM["liangxin"], "References: %s" % REM["liangxin"],
            "Auto-Submitted: auto-replied",
            fold_subject(ew("Re: " + REMINDER_SUBJ, "UTF-8", 76), "\r\n "),
            "To: %s <dglxtgw@163.com>" % ew1("团市委两新团工委", "UTF-8")]
    root = multi(["Content-Type: multipart/alternative; boundary=\"%s\"" % bd], bd,
                 [leaf(["Content-Type: text/plain; charset=\"UTF-8\"", "Content-Transfer-Encoding: base64"],
                       b64(crlf(text).encode("utf-8"))),
                  leaf(["Content-Type: text/html; charset=\"UTF-8\"", "Content-Transfer-Encoding: base64"],
                       b64(('<div dir="ltr">%s</div>' % html_div(text)).encode("utf-8")))])
    add("b045-autoreply-gmail-vacation.eml", message(hdrs, root),
        "Gmail vacation responder: subject is just 'Re: <reminder subject>' (looks like a reply), only Auto-Submitted: auto-replied and the text mark it -> auto_reply",
        [("liangxin", arr, NON("auto_reply", None))], mid, "kellychen.dg@gmail.com")

    k = "b046"; arr = T("2018-01-24 18:03:27"); d = sec(arr, -2)
    raw, mid = qqmail(k, "1493827650@qq.com", "Amy", [("", DEPT["org"])],
                      "自动回复: 回执：智慧团建材料（3.2）已收到", d, arr,
                      "这是来自QQ邮箱的假期自动回复邮件。\n\n您好，我最近正在休假中，无法亲自回复您的邮件。我将在假期结束后，尽快给您回复。",
                      in_reply_to="<receipt-20180124180322-org@126.com>")
    add("b046-autoreply-qq-to-receipt.eml", raw,
        "QQ Mail vacation auto-reply to one of mailroom's receipts; subject carries 3.2/智慧团建 but it is an auto-reply -> auto_reply, no projects/items, no receipt (no mail loop)",
        [("org", arr, NON("auto_reply", None))], mid, "1493827650@qq.com")

    # ---------------------------------------------------------------- bounces
    k = "b047"; arr = T("2018-01-22 21:05:10"); d = sec(arr, -3)
    orig_mid = "<%s.%s.%s.Coremail.2219564@163.com>" % (H(k + "o1", 7), H(k + "o2", 4), H(k + "o3", 11))
    bd = "f403045e%s" % H(k + "bd", 20)
    pst = dt.timezone(dt.timedelta(hours=-8))
    orig = crlf("Return-Path: <2219564@163.com>\nReceived: from m12-18.163.com (m12-18.163.com. [220.181.12.18])\n"
                "        by mx.google.com with ESMTP id j12si1162044pgs.331.2018.01.21.17.00.41\n"
                "        for <dj.youth.2017@gmail.com>;\n        Sun, 21 Jan 2018 17:00:41 -0800 (PST)\n"
                "Date: Mon, 22 Jan 2018 09:00:30 +0800 (CST)\nFrom: =?UTF-8?B?%s?= <2219564@163.com>\n"
                "To: dj.youth.2017@gmail.com\nMessage-ID: %s\nSubject: %s\nMIME-Version: 1.0\n"
                "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n"
                % (base64.b64encode("团市委宣传部".encode()).decode(), orig_mid, " ".join(ew(REMINDER_SUBJ, "UTF-8", 70)))
                ).encode("ascii") + b64(crlf(REMINDER_BODY + "\n\n团市委宣传部\n2018年1月22日\n").encode("utf-8"))
    text = ("This is an automatically generated Delivery Status Notification\n\n"
            "THIS IS A WARNING MESSAGE ONLY.\n\nYOU DO NOT NEED TO RESEND YOUR MESSAGE.\n\n"
            "Delivery to the following recipient has been delayed:\n\n     daojiaotuanwei@dg.gov.test\n\n"
            "Message will be retried for 2 more day(s)\n\nTechnical details of temporary failure:\n"
            "The recipient server did not accept our requests to connect. Learn more at https://support.google.com/mail/answer/7720 \n"
            "[mail.dg.gov.test. 61.145.110.36: timed out]\n")
    ds = crlf("Reporting-MTA: dns; googlemail.com\nArrival-Date: Sun, 21 Jan 2018 17:00:41 -0800 (PST)\n"
              "X-Original-Message-ID: %s\n\nFinal-Recipient: rfc822; daojiaotuanwei@dg.gov.test\n"
              "Original-Recipient: rfc822; dj.youth.2017@gmail.com\nAction: delayed\nStatus: 4.4.1\n"
              "Remote-MTA: dns; mail.dg.gov.test. (61.145.110.36, the server for the domain dg.gov.test.)\n"
              "Diagnostic-Code: smtp; timed out\nLast-Attempt-Date: Mon, 22 Jan 2018 05:05:07 -0800 (PST)\n"
              "Will-Retry-Until: Wed, 24 Jan 2018 17:00:41 -0800 (PST)\n" % orig_mid).encode("ascii")
    mid = "<5a65e0c3.%s.%s@mx.google.com>" % (H(k + "g1", 8), H(k + "g2", 4))
    hdrs = ["Return-Path: <>",
            mx_received(k, "mail-it0-f69.google.com", "209.85.214.69", arr),
            "Received: by mail-it0-f69.google.com with SMTP id p139so9581225itb.5\r\n        for <2219564@163.com>; %s (PST)"
            % rfcdate(sec(arr, -2).astimezone(pst)),
            "X-Received: by 10.36.%d.%d with SMTP id %s.%d.%d;\r\n        %s (PST)"
            % (N(k + "1", 1, 250), N(k + "2", 1, 250), H(k + "x", 2), N(k + "3", 10, 99), int(arr.timestamp()),
               rfcdate(sec(arr, -2).astimezone(pst))),
            "Content-Type: multipart/report; boundary=\"%s\"; report-type=delivery-status" % bd,
            "Received: by 10.36.%d.%d with SMTP id %s; %s (PST)" % (N(k + "4", 1, 250), N(k + "5", 1, 250), H(k + "y", 8),
                                                                  rfcdate(sec(arr, -3).astimezone(pst))),
            "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>",
            "To: 2219564@163.com",
            "Auto-Submitted: auto-replied",
            "Message-ID: %s" % mid,
            "Date: %s (PST)" % rfcdate(sec(arr, -3).astimezone(pst)),
            "Subject: Delivery Status Notification (Delay)",
            "References: %s" % orig_mid, "In-Reply-To: %s" % orig_mid,
            "MIME-Version: 1.0"]
    body = (b"--" + bd.encode() + b"\r\nContent-Type: text/plain; charset=\"UTF-8\"\r\n\r\n" + crlf(text).encode("ascii")
            + b"\r\n--" + bd.encode() + b"\r\nContent-Type: message/delivery-status\r\n\r\n" + ds
            + b"\r\n--" + bd.encode() + b"\r\nContent-Type: message/rfc822\r\n\r\n" + orig
            + b"\r\n--" + bd.encode() + b"--\r\n")
    raw = b"\r\n".join(h.encode("ascii") for h in hdrs) + b"\r\n\r\n" + body
    add("b047-bounce-gmail-dsn-delay.eml", raw,
        "Gmail 'This is an automatically generated Delivery Status Notification' DELAY warning (Action: delayed, 'THIS IS A WARNING MESSAGE ONLY') for the reminder forwarded via a Gmail account: still a DSN -> bounce, with Auto-Submitted",
        [("publicity", arr, NON("bounce", None))], mid, "mailer-daemon@googlemail.com")

    k = "b048"; arr = T("2018-01-24 10:05:41"); d = sec(arr, -1)
    raw_b024 = next(c["raw"] for c in CASES if c["file"].startswith("b024-"))
    bd = "----=_Part_%d_%d.%d" % (N(k, 100000, 999999), N(k + "b", 100000000, 999999999), int(d.timestamp() * 1000))
    mid = "<%s.%s.%s.JavaMail.root@m12-%d.163.com>" % (H(k + "1", 7), H(k + "2", 4), H(k + "3", 11), N(k, 10, 40))
    html = ("<html><body><div style=\"font-size:14px\"><p><b>抱歉，您的邮件被退回来了……</b></p>"
            "<p>原邮件信息：</p><table><tr><td>时　　间：</td><td>2018-01-24 10:05:29</td></tr>"
            "<tr><td>收件人：</td><td>lzh_dglx@qq.com</td></tr></table>"
            "<p>退信原因：收件人邮箱空间已满，无法接收新邮件。</p>"
            "<p>建议解决方案：请联系收件人清理邮箱后重新发送。</p>"
            "<p>此外，您还可以 点击这里 获取更多关于退信的帮助信息。</p></div></body></html>")
    ds = crlf("Reporting-MTA: dns; m12-%d.163.com\nX-Postfix-Queue-ID: %s\nX-Postfix-Sender: rfc822; dglxtgw@163.com\n"
              "Arrival-Date: Wed, 24 Jan 2018 10:05:29 +0800 (CST)\n\nFinal-Recipient: rfc822; lzh_dglx@qq.com\n"
              "Original-Recipient: rfc822;lzh_dglx@qq.com\nAction: failed\nStatus: 5.2.2\nRemote-MTA: dns; mx3.qq.com\n"
              "Diagnostic-Code: smtp; 552 Mailbox quota exceeded\n" % (N(k, 10, 40), H(k + "q", 10).upper())).encode("ascii")
    hdrs = ["Return-Path: <>",
            mx_received(k, "m12-%d.163.com" % N(k, 10, 40), "220.181.12.%d" % N(k, 10, 40), arr),
            "Date: %s" % cstdate(d),
            "From: \"Postmaster@163.com\" <Postmaster@163.com>",
            "To: dglxtgw@163.com",
            "Message-ID: %s" % mid,
            "Subject: %s" % ew1("系统退信", "UTF-8"),
            "MIME-Version: 1.0",
            "Content-Type: multipart/report; report-type=delivery-status; \r\n\tboundary=\"%s\"" % bd,
            "X-Mailer: NetEase Flash Mail"]
    body = (b"--" + bd.encode() + b"\r\nContent-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + b64(html.encode("utf-8"))
            + b"\r\n--" + bd.encode() + b"\r\nContent-Type: message/delivery-status\r\n\r\n" + ds
            + b"\r\n--" + bd.encode() + b"\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
            + ("Received: from dglxtgw$163.com ( [10.110.2.7] ) by ajax-forward (Coremail) ; %s\r\n"
               % cstdate(T("2018-01-24 10:05:29"))).encode("ascii") + raw_b024
            + b"\r\n--" + bd.encode() + b"--\r\n")
    raw = b"\r\n".join(h.encode("ascii") for h in hdrs) + b"\r\n\r\n" + body
    add("b048-bounce-163-returns-unit-submission.eml", raw,
        "NetEase '系统退信' (Chinese HTML text + message/delivery-status) returning, as message/rfc822, a unit's whole submission (b024 with its docx) that the liangxin mailbox auto-forwarded to a full QQ mailbox -> bounce; the returned files are not material, no receipt",
        [("liangxin", arr, NON("bounce", None))], mid, "Postmaster@163.com")

    k = "b049"; arr = T("2018-01-19 16:40:02"); d = sec(arr, -1)
    orig_text = ("各镇（街道）团委：\n    为做好2018年东莞青年创新创业大赛组织发动工作，请各单位于2月28日前报送参赛项目。\n\n团市委办公室")
    copy = crlf("Return-Path: <dgyouth@126.com>\nReceived: from m15-33.126.com (220.181.15.33)\n"
                "  by mail.dg.gov.test with SMTP; 19 Jan 2018 08:39:58 -0000\n"
                "Date: Fri, 19 Jan 2018 16:39:55 +0800 (CST)\nFrom: =?UTF-8?B?%s?= <dgyouth@126.com>\n"
                "To: fenggangtuanwei@dg.gov.test\nMessage-ID: <%s.%s.%s.Coremail.dgyouth@126.com>\nSubject: %s\n"
                "MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n"
                % (base64.b64encode("团市委办公室".encode()).decode(), H(k + "o1", 7), H(k + "o2", 4), H(k + "o3", 11),
                   " ".join(ew("关于组织参加2018年东莞青年创新创业大赛的通知", "UTF-8", 70)))).encode("ascii") \
        + b64(crlf(orig_text).encode("utf-8"))
    text = crlf("Hi. This is the qmail-send program at mail.dg.gov.test.\n"
                "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
                "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
                "<fenggangtuanwei@dg.gov.test>:\nSorry, no mailbox here by that name. (#5.1.1)\n\n"
                "--- Below this line is a copy of the message.\n\n").encode("ascii") + copy
    hdrs = ["Return-Path: <>",
            mx_received(k, "mail.dg.gov.test", "61.145.110.36", arr),
            "Date: %s" % rfcdate(d.astimezone(UTC)).replace("+0000", "-0000").replace("Fri, ", "")[:-6].strip() + " -0000",
            "From: MAILER-DAEMON@mail.dg.gov.test",
            "To: dgyouth@126.com",
            "Subject: failure notice"]
    raw = b"\r\n".join(h.encode("ascii") for h in hdrs) + b"\r\n\r\n" + text
    add("b049-bounce-qmail-plain-text.eml", raw,
        "Plain-text qmail bounce ('failure notice', no MIME, no Message-ID, no Auto-Submitted) returning office's 创新创业 notice -> bounce; keywords in the returned copy are irrelevant",
        [("office", arr, NON("bounce", None))], None, "MAILER-DAEMON@mail.dg.gov.test")

    # ---------------------------------------------------------------- structure
    k = "b050"; arr = T("2018-01-24 15:25:36"); d = sec(arr, -4)
    logo = ("image001.png@01D39524.%s" % H(k + "cid", 8).upper(), "image001.png", png(k + "logo", 60, 20))
    atts = [A("清溪镇2017年圆梦计划工作情况.pdf", pdf("Qingxi dream plan 2017")),
            A("圆梦计划资助学员名单.xlsx", table_xlsx(["序号", "姓名", "就读院校"], [[i, "学员%d" % i, "广东开放大学"] for i in range(1, 13)], W(d)))]
    raw, mid = outlook(k, "qingxitw@163.com", "清溪镇团委", [("团市委两新团工委", DEPT["liangxin"])],
                       "清溪镇团委2017年度圆梦计划工作材料", d, arr,
                       "李老师：\n您好，附件是我镇2017年度圆梦计划工作材料，请查收。\n\n清溪镇团委 何嘉欣\n地址：东莞市清溪镇香芒中路", atts, logo=logo)
    add("b050-qingxi-outlook-nested-related.eml", raw,
        "Outlook HTML mail: multipart/mixed > multipart/related > multipart/alternative; the signature image001.png is a cid: image referenced from the HTML (not material); two real attachments; item 5.3",
        [("liangxin", arr, SUB("qingxi", ["5"], ["5.3"], atts=atts))], mid, "qingxitw@163.com")

    k = "b051"; arr = T("2018-01-24 20:18:44"); d = sec(arr, -3)
    atts = [A("石龙镇2017年志愿服务工作总结.pdf", pdf("Shilong volunteer 2017")), A("志愿服务活动照片.jpg", jpeg(k + "p"))]
    raw, mid = apple_mail(k, "shilong_lx@icloud.com", "龙晓", [("团市委宣传部", DEPT["publicity"])],
                          "石龙镇团委志愿服务工作材料", d, arr,
                          "邓老师：\n您好，附件是我镇2017年志愿服务工作总结及活动照片，请查收。\n\n石龙镇团委 龙晓", atts)
    add("b051-shilong-apple-inline-with-filename.eml", raw,
        "Apple Mail: PDF and JPEG sent with Content-Disposition: inline plus a filename (RFC 2231 continuations), no Content-ID, interleaved text/plain parts -> both are material; item 5.1",
        [("publicity", arr, SUB("shilong", ["5"], ["5.1"], ["unknown_sender"], atts))], mid, "shilong_lx@icloud.com")

    k = "b052"; arr = T("2018-01-25 09:33:17"); d = sec(arr, -2)
    atts = [A("卫计局团委团干部培训情况.xlsx", table_xlsx(["期次", "内容", "人数"], [[1, "团干部培训", 36], [2, "团务培训", 41]], W(d))),
            A("卫计局团委发展团员工作总结.docx", simple_docx("卫计局团委发展团员工作总结", ["全年发展团员28名。"], W(d)))]
    bd = "=_OA_%s" % H(k + "bd", 16)
    mid = "<%s@oa.wsjs.dg.gov.test>" % H(k + "mid", 24)
    html = ("<html><body><p>组织部：</p><p>&nbsp;&nbsp;&nbsp;&nbsp;现将卫计局团委2017年度团的基层基础工作材料报上，请审阅。</p>"
            "<p>卫计局团委</p><p>（本邮件由东莞市卫生和计划生育局协同办公系统发送）</p></body></html>")
    hdrs = ["Return-Path: <oa_service@wsjs.dg.gov.test>",
            mx_received(k, "mail.wsjs.dg.gov.test", "61.145.110.51", arr),
            "Date: %s" % rfcdate(d),
            "From: %s <oa_service@wsjs.dg.gov.test>" % ew1("卫计局团委", "GBK"),
            "To: tswzzb3@126.com",
            "Subject: %s" % ew1("卫计局团委2017年度团的基层基础工作材料", "GBK"),
            "Message-ID: %s" % mid,
            "X-Mailer: Seeyon OA Mail 6.1",
            "MIME-Version: 1.0"]
    parts = [leaf(["Content-Type: text/html; charset=GBK", "Content-Transfer-Encoding: base64"], b64(enc(html, "gbk")))]
    for a in atts:
        parts.append(leaf(["Content-Type: %s; name=\"%s\"" % (a["ct"], ew1(a["name"], "GBK")),
                           "Content-Transfer-Encoding: base64"], b64(a["data"])))
    root = multi(["Content-Type: multipart/mixed; boundary=\"%s\"" % bd], bd, parts)
    add("b052-wjj-oa-html-only-name-param-only.eml", message(hdrs, root),
        "OA system mail: HTML-only body (no text/plain), attachments named only by the Content-Type name= parameter (RFC 2047 GBK), no Content-Disposition at all; unit from subject alias 卫计局团委; item 2.1 团的基层基础",
        [("org", arr, SUB("wjj", ["2"], ["2.1"], ["unknown_sender"], atts))], mid, "oa_service@wsjs.dg.gov.test")

    k = "b053"; arr = T("2018-01-25 10:58:09"); d = sec(arr, -2)
    pdf_noname = pdf("JTJ innovation entrepreneurship report")
    docx_a = A("交通运输局团委创新创业工作情况.docx", simple_docx("交通运输局团委创新创业工作情况", ["举办青年创新创业沙龙3期。"], W(d)))
    noname = A("", pdf_noname, "application/pdf")
    bd = "b1_%s" % H(k + "bd", 32)
    mid = "<%s@oa.dgjt.dg.gov.test>" % H(k + "mid", 32)
    text = "办公室：\n    附件是我局团委2017年度服务青年创新创业工作材料，请查收。\n\n交通运输局团委"
    hdrs = ["Return-Path: <dgjtjtw@163.com>",
            mx_received(k, "m12-%d.163.com" % N(k, 10, 40), "220.181.12.%d" % N(k, 10, 40), arr),
            "Received: from oa.dgjt.dg.gov.test (unknown [61.145.110.77])\r\n\tby smtp11 (Coremail) with SMTP id %s--.%dS2;\r\n\t%s"
            % (H(k + "sm", 24), N(k + "d", 1000, 60000), cstdate(sec(arr, -1))),
            "Date: %s" % rfcdate(d),
            "To: dgyouth@126.com",
            "From: %s <dgjtjtw@163.com>" % ew1("交通运输局团委", "UTF-8"),
            "Subject: %s" % ew1("交通运输局团委服务青年创新创业工作材料", "UTF-8"),
            "Message-ID: %s" % mid,
            "X-Mailer: PHPMailer 5.2.22 (https://github.com/PHPMailer/PHPMailer)",
            "MIME-Version: 1.0"]
    parts = [leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"], b64(crlf(text).encode("utf-8"))),
             leaf(["Content-Type: application/pdf", "Content-Transfer-Encoding: base64", "Content-Disposition: attachment"],
                  b64(pdf_noname)),
             leaf(["Content-Type: %s; name=\"%s\"" % (CT_DOCX, ew1(docx_a["name"], "UTF-8")), "Content-Transfer-Encoding: base64",
                   "Content-Disposition: attachment; filename=\"%s\"" % ew1(docx_a["name"], "UTF-8")], b64(docx_a["data"]))]
    root = multi(["Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"" % bd], bd, parts,
                 preamble="This is a multi-part message in MIME format.")
    atts = [noname, docx_a]
    add("b053-jtj-phpmailer-pdf-without-any-name.eml", message(hdrs, root),
        "PHPMailer-based OA: one PDF part has Content-Disposition: attachment but NO filename and NO name parameter (listed with filename \"\" = nothing was sent; see NOTES), plus a named docx; registered sender; item 5.2 创新创业 to office",
        [("office", arr, SUB("jtj", ["5"], ["5.2"], atts=atts))], mid, "dgjtjtw@163.com")

    k = "b054"; arr = T("2018-01-24 14:48:21"); d = sec(arr, -2)
    x = A("东莞邮政1+100直接联系青年统计.xlsx", table_xlsx(["姓名", "联系青年数"], [["吴", 104], ["冯", 100]], W(d)))
    atts = [x, dict(x)]
    raw, mid = qqmail(k, "1873309452@qq.com", "邮政小吴", [("组织部", DEPT["org"])],
                      "东莞邮政团委1+100工作材料", d, arr,
                      "莫老师您好，附件是我司团委1+100工作材料，请查收。\n------------------\n东莞邮政团委 吴", atts)
    add("b054-yz-same-file-attached-twice.eml", raw,
        "The same xlsx attached twice (same name, same bytes): listed twice, one entry per attachment part (see NOTES); unit 东莞邮政 alias; item 4.1 1+100",
        [("org", arr, SUB("yz", ["4"], ["4.1"], ["unknown_sender"], atts))], mid, "1873309452@qq.com")

    k = "b055"; arr = T("2018-01-23 15:02:57"); d = sec(arr, -4)
    rar = A("供电局团委2017年度志愿服务工作材料.rar", rar4([
        ("志愿服务工作总结.docx", simple_docx("东莞供电局团委志愿服务工作总结", ["开展“电力志愿服务进社区”活动。"], W(d))),
        ("志愿服务活动照片1.jpg", jpeg(k + "p1")), ("志愿服务活动照片2.jpg", jpeg(k + "p2"))], W(d)))
    atts = [rar]
    raw, mid = outlook(k, "gdjtw@126.com", "东莞供电局团委", [("团市委宣传部", DEPT["publicity"])],
                       "东莞供电局团委2017年度志愿服务工作材料", d, arr,
                       "邓老师：\n您好，附件为我局团委2017年度志愿服务工作材料（压缩包），请查收。\n\n东莞供电局团委 陈", atts)
    add("b055-gdj-rar-archive.eml", raw,
        "Valid RAR 4 archive (stored) as the only material: not a zip, so listed as a plain file without members; a sound archive is not 'unreadable' (see NOTES); item 5.1 from subject/filename",
        [("publicity", arr, SUB("gdj", ["5"], ["5.1"], atts=atts))], mid, "gdjtw@126.com")

    k = "b056"; arr = T("2018-01-24 17:26:03"); d = sec(arr, -2)
    sz = A("虎门镇团委十九大精神学习宣传材料.7z", sevenzip([
        ("虎门镇团委学习宣传十九大精神工作总结.docx", simple_docx("虎门镇团委学习宣传十九大精神工作总结", ["开展宣讲32场。"], W(d))),
        ("宣讲活动照片.jpg", jpeg(k + "p"))]))
    atts = [sz]
    raw, mid = qqmail(k, "2418876501@qq.com", "林", [("学校部", DEPT["school"])],
                      "虎门镇团委十九大精神学习宣传材料", d, arr,
                      "余老师您好，附件是我镇学习宣传贯彻十九大精神工作材料（7z压缩包），请查收。\n------------------\n虎门镇团委 林", atts)
    add("b056-humen-7z-archive.eml", raw,
        "Valid 7z archive (Copy coder) as the only material: listed without members, not unreadable; item 1.1 十九大 to school",
        [("school", arr, SUB("humen", ["1"], ["1.1"], ["unknown_sender"], atts))], mid, "2418876501@qq.com")

    k = "b057"; arr = T("2018-01-25 16:05:12"); d = sec(arr, -3)
    longname = "共青团东莞市道滘镇委员会关于2017年度开展志愿服务工作暨推广应用i志愿系统情况的报告及相关支撑材料汇编.pdf"
    atts = [A(longname, pdf("Daojiao volunteer report compilation"))]
    raw, mid = thunderbird(k, "lwt_0769@163.com", "梁文婷", [("团市委宣传部", DEPT["publicity"])],
                           "道滘镇团委志愿服务工作材料", d, arr,
                           "邓老师：\n附件是我镇志愿服务工作材料，请查收。\n\n道滘镇团委 梁文婷", atts, charset="GB2312")
    add("b057-daojiao-thunderbird-gbk-2231-continuation.eml", raw,
        "Thunderbird: very long filename as RFC 2231 continuations (name*0*=GB2312''… filename*N*=…) labelled GB2312 but containing GBK-only 滘; subject RFC 2047 GB2312 with 滘; 8bit GB2312 body; item 5.1",
        [("publicity", arr, SUB("daojiao", ["5"], ["5.1"], ["unknown_sender"], atts))], mid, "lwt_0769@163.com")

    # ---------------------------------------------------------------- timing
    k = "b058"; arr = T("2018-01-26 17:30:00"); d = T("2018-01-26 09:31:12", UTC)
    atts = [A("谢岗镇志愿服务工作总结.docx", simple_docx("谢岗镇志愿服务工作总结", ["依托i志愿系统开展活动。"], W(arr)))]
    raw, mid = foxmail(k, "3390127745@qq.com", "谢岗团委 小罗", [("2219564", DEPT["publicity"])],
                       "谢岗镇团委志愿服务工作材料", d, arr,
                       "邓老师您好，附件是我镇志愿服务工作材料，请查收。\n\n谢岗镇团委 小罗", atts,
                       date_override="Fri, 26 Jan 2018 09:31:12 +0000")
    add("b058-xiegang-deadline-exact-utc-date.eml", raw,
        "INTERNALDATE exactly 2018-01-26 17:30:00 +08:00 (not strictly after the deadline -> not late) while the Date header, written in +0000 by a PC set to UTC with a fast clock, says 09:31:12 +0000 = 17:31:12 CST",
        [("publicity", arr, SUB("xiegang", ["5"], ["5.1"], ["unknown_sender"], atts))], mid, "3390127745@qq.com")

    k = "b059"; est = dt.timezone(dt.timedelta(hours=-5))
    arr = T("2018-01-26 04:30:01", est); d = T("2018-01-26 04:29:48", est)
    atts = [A("洪梅镇青少年禁毒宣传及社区矫正工作情况.docx", simple_docx("洪梅镇青少年禁毒宣传及社区矫正工作情况", ["开展禁毒宣传18场。"], W(arr.astimezone(TZ8))))]
    raw, mid = outlook(k, "dghongmeitw@126.com", "洪梅镇团委", [("团市委组织部", DEPT["org"])],
                       "洪梅镇团委青少年禁毒宣传教育及社区矫正工作材料", d, arr,
                       "莫老师：\n您好，本人在美国出差，现补发我镇青少年禁毒宣传及社区矫正工作材料，请查收。\n\n洪梅镇团委 何", atts)
    add("b059-hongmei-est-timezone-late-by-1s.eml", raw,
        "Date header in -0500 (04:29:48 EST = 17:29:48 CST looks on time) but INTERNALDATE is 04:30:01-05:00 = 17:30:01 CST, one second after the deadline -> late; item 5.4 (禁毒, 社区矫正)",
        [("org", arr, SUB("hongmei", ["5"], ["5.4"], atts=atts, late=True))], mid, "dghongmeitw@126.com")

    k = "b060"; arr = T("2018-01-26 09:30:45", UTC); d = T("2018-01-26 17:29:58")
    atts = [A("万江街道学做教育实践工作情况.pdf", pdf("Wanjiang xuezuo 2017"))]
    raw, mid = coremail(k, "126", "dgwanjiangtw@126.com", "万江街道团工委", [("团市委组织部", DEPT["org"])],
                        "万江街道团工委学做教育实践工作材料", d, arr,
                        "莫老师：\n附件是我街道学做教育实践工作材料，请查收。\n万江街道团工委 黄", atts)
    add("b060-wanjiang-late-45s-utc-internaldate.eml", raw,
        "INTERNALDATE given in UTC, 09:30:45+00:00 = 17:30:45 CST (late, compared to the second); Date header 17:29:58 +0800 would look on time; item 2.3 学做",
        [("org", arr, SUB("wanjiang", ["2"], ["2.3"], atts=atts, late=True))], mid, "dgwanjiangtw@126.com")

    k = "b061"; arr = T("2017-12-04 10:20:11"); d = sec(arr, -2)
    atts = [A("桥头镇团委2017年度青网计划工作总结.docx", simple_docx("桥头镇团委2017年度青网计划工作总结", ["组建网络文明志愿者队伍。"], W(d)))]
    raw, mid = coremail(k, "163", "qiaotoutw@163.com", "桥头镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "桥头镇团委2017年度青网计划工作总结", d, arr,
                        "邓老师：\n附件是我镇2017年度青网计划工作总结，请查收。\n桥头镇团委 罗敏", atts)
    add("b061-qiaotou-before-notice-december.eml", raw,
        "Arrives 2017-12-04, before the notice (2017-12-06): labelled by content -> submission (material for item 1.2 青网计划), late false",
        [("publicity", arr, SUB("qiaotou", ["1"], ["1.2"], atts=atts))], mid, "qiaotoutw@163.com")

    k = "b062"; arr = T("2017-12-01 03:12:44"); d = sec(arr, -30)
    spam_zip = zipbuild([{"name": "发票明细.xls.exe".encode("gbk"), "data": b"MZ\x90\x00" + b"\x00" * 60 + b"This program cannot be run in DOS mode."}],
                        when=W(d))
    bd = "----=_NextPart_%s" % H(k + "bd", 20).upper()
    mid = "<%s@mail.fp-service.test>" % H(k + "mid", 20)
    text = "您好！本公司可代开各类增值税发票（普通、专用），点数优惠，可验证后付款。\n联系人：陈先生 电话：13826xxxxxx\n详见附件发票明细。"
    hdrs = ["Return-Path: <chen.fp2017@fp-service.test>",
            mx_received(k, "mail.fp-service.test", "45.32.%d.%d" % (N(k, 1, 250), N(k + "x", 1, 250)), arr),
            "From: =?gb2312?B?%s?= <chen.fp2017@fp-service.test>" % base64.b64encode(enc("陈先生", "gb2312")).decode(),
            "To: dgyouth@126.com",
            "Subject: %s" % ew1("代开各类发票（详见附件）", "gb2312"),
            "Date: %s" % rfcdate(d), "Message-ID: %s" % mid, "X-Mailer: Microsoft Outlook Express 6.00.2900.5512",
            "MIME-Version: 1.0"]
    root = multi(["Content-Type: multipart/mixed;\r\n\tboundary=\"%s\"" % bd], bd,
                 [leaf(["Content-Type: text/plain;\r\n\tcharset=\"gb2312\"", "Content-Transfer-Encoding: base64"], b64(enc(crlf(text), "gb2312"))),
                  leaf(["Content-Type: application/octet-stream;\r\n\tname=\"%s\"" % ew1("发票明细.zip", "gb2312"),
                        "Content-Transfer-Encoding: base64",
                        "Content-Disposition: attachment;\r\n\tfilename=\"%s\"" % ew1("发票明细.zip", "gb2312")], b64(spam_zip))],
                 preamble="This is a multi-part message in MIME format.")
    add("b062-spam-invoice-zip-december.eml", message(hdrs, root),
        "Spam (代开发票) with a zip attachment, 2017-12-01, to office: not assessment mail -> other, no attachments listed, no receipt",
        [("office", arr, NON("other", None))], mid, "chen.fp2017@fp-service.test")

    k = "b063"; arr = T("2018-02-01 09:44:10"); d = sec(arr, -2)
    atts = [A("东莞银行团委团的基层基础工作材料.docx", simple_docx("东莞银行团委团的基层基础工作材料", ["团干部配备情况。"], W(d)))]
    raw, mid = qqmail(k, "2213390876@qq.com", "Sunny", [("组织部", DEPT["org"])],
                      "东莞银行团委团的基层基础工作材料（迟报）", d, arr,
                      "莫老师您好，因年底业务繁忙未能按时报送，现补报我行团委团的基层基础工作材料，请查收，抱歉！\n------------------\nSunny", atts)
    add("b063-dgbank-late-february.eml", raw,
        "Late by days (2018-02-01) and says so (迟报); item 2.1 团的基层基础; unit dgbank (东莞银行) from subject",
        [("org", arr, SUB("dgbank", ["2"], ["2.1"], ["unknown_sender"], atts, late=True))], mid, "2213390876@qq.com")

    # ---------------------------------------------------------------- routing
    k = "b064"; arr = T("2018-01-24 11:20:37"); d = sec(arr, -2)
    atts = [A("沙田镇智慧团建工作情况.pdf", pdf("Shatian smart league 2017"))]
    raw, mid = coremail(k, "126", "dgshatiantw@126.com", "沙田镇团委", [("团市委办公室", DEPT["office"])],
                        "沙田镇团委智慧团建工作情况", d, arr, "李老师：\n附件是我镇智慧团建工作情况，请查收。\n沙田镇团委 陈", atts)
    add("b064-shatian-3.2-to-office-misrouted.eml", raw,
        "Office receives 3.2 智慧团建 (org only) -> misrouted",
        [("office", arr, SUB("shatian", ["3"], ["3.2"], atts=atts, misrouted=True))], mid, "dgshatiantw@126.com")

    k = "b065"; arr = T("2018-01-25 09:05:52"); d = sec(arr, -2)
    atts = [A("寮步镇i志愿注册志愿者统计.xlsx", table_xlsx(["村（社区）", "注册志愿者"], [["社区%d" % i, 100 + 13 * i] for i in range(1, 11)], W(d)))]
    raw, mid = qqmail(k, "2085561930@qq.com", "寮步团委", [("组织部", DEPT["org"])],
                      "寮步镇团委i志愿推广应用情况", d, arr,
                      "莫老师您好，附件是我镇i志愿推广应用情况，请查收。\n------------------\n寮步镇团委", atts)
    add("b065-liaobu-5.1-to-org-misrouted.eml", raw,
        "Org receives 5.1 (i志愿, publicity only) -> misrouted",
        [("org", arr, SUB("liaobu", ["5"], ["5.1"], ["unknown_sender"], atts, misrouted=True))], mid, "2085561930@qq.com")

    k = "b066"; arr = T("2018-01-24 10:50:19"); d = sec(arr, -2)
    atts = [A("大岭山镇少先队改革工作情况.docx", simple_docx("大岭山镇少先队改革工作情况", ["推进少先队改革。"], W(d)))]
    raw, mid = coremail(k, "126", "dgdalingshantw@126.com", "大岭山镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "大岭山镇团委少先队改革工作情况", d, arr, "邓老师：\n附件是我镇少先队改革工作情况，请查收。\n大岭山镇团委 周", atts)
    add("b066-dalingshan-2.2-to-publicity-misrouted.eml", raw,
        "Publicity receives 2.2 少先队 (school only) -> misrouted",
        [("publicity", arr, SUB("dalingshan", ["2"], ["2.2"], atts=atts, misrouted=True))], mid, "dgdalingshantw@126.com")

    k = "b067"; arr = T("2018-01-25 14:15:26"); d = sec(arr, -3)
    atts = [A("厚街镇服务外来务工青年工作材料.pdf", pdf("Houjie migrant youth service"))]
    raw, mid = foxmail(k, "houjietw@163.com", "厚街镇团委", [("a22233740", DEPT["school"])],
                       "厚街镇团委外来务工青年服务工作材料", d, arr,
                       "余老师：\n您好，附件是我镇服务外来务工青年工作材料，请查收。\n\n厚街镇团委 梁", atts)
    add("b067-houjie-5.3-to-school-misrouted.eml", raw,
        "School receives 5.3 (外来务工, liangxin only) -> misrouted",
        [("school", arr, SUB("houjie", ["5"], ["5.3"], atts=atts, misrouted=True))], mid, "houjietw@163.com")

    k = "b068"; arr = T("2018-01-23 17:20:48"); d = sec(arr, -2)
    atts = [A("高埗镇新媒体工作情况.pdf", pdf("Gaobu new media"))]
    raw, mid = coremail(k, "126", "dggaobutw@126.com", "高埗镇团委", [("团市委两新团工委", DEPT["liangxin"])],
                        "高埗镇团委新媒体工作情况", d, arr, "李老师：\n附件是我镇新媒体工作情况，请查收。\n高埗镇团委 梁", atts)
    add("b068-gaobu-3.3-to-liangxin-misrouted.eml", raw,
        "Liangxin receives 3.3 新媒体 (publicity only) -> misrouted; 埗 in UTF-8",
        [("liangxin", arr, SUB("gaobu", ["3"], ["3.3"], atts=atts, misrouted=True))], mid, "dggaobutw@126.com")

    k = "b069"; arr = T("2018-01-25 10:10:35"); d = sec(arr, -2)
    atts = [A("樟木头镇学习贯彻十九大精神工作材料.pdf", pdf("Zhangmutou 19th congress"))]
    raw, mid = coremail(k, "126", "dgzhangmutoutw@126.com", "樟木头镇团委", [("团市委组织部", DEPT["org"])],
                        "樟木头镇团委学习贯彻十九大精神工作材料", d, arr,
                        "莫老师：\n附件是我镇学习贯彻十九大精神工作材料，请查收。\n樟木头镇团委 张颖", atts)
    add("b069-zhangmutou-1.1-to-org-misrouted.eml", raw,
        "Item 1.1 (departments publicity and school) sent to org, which is neither -> misrouted (compare b030: 1.1 to school, not misrouted)",
        [("org", arr, SUB("zhangmutou", ["1"], ["1.1"], atts=atts, misrouted=True))], mid, "dgzhangmutoutw@126.com")

    k = "b070"; arr = T("2018-01-24 15:30:02"); d = sec(arr, -2)
    atts = [A("城管局东城分局青年文明号创建材料.pdf", pdf("CGJ Dongcheng branch youth civilization post"))]
    raw, mid = coremail(k, "163", "dgcgjtw@163.com", "城管局团委", [("团市委宣传部", DEPT["publicity"])],
                        "城管局团委青年文明号创建材料", d, arr,
                        "邓老师：\n附件是我局东城分局青年文明号创建材料，请查收。\n城管局团委 郑", atts)
    add("b070-cgj-1.3-to-publicity-misrouted.eml", raw,
        "Item 1.3 (school/liangxin/org) sent to publicity -> misrouted; agency 城管局 material from its 东城分局 (filename/body say 东城) -> unit cgj, not dongcheng",
        [("publicity", arr, SUB("cgj", ["1"], ["1.3"], atts=atts, misrouted=True))], mid, "dgcgjtw@163.com")

    k = "b071"; arr = T("2018-01-25 15:35:21"); d = sec(arr, -2)
    atts = [A("凤岗镇服务大局服务青年重点工作项目材料.pdf", pdf("Fenggang project 5"))]
    raw, mid = qqmail(k, "2751093364@qq.com", "阿雯", [("办公室", DEPT["office"])],
                      "凤岗镇团委考核项目五支撑材料", d, arr,
                      "李老师您好：附件为我镇考核项目五（服务大局、服务青年重点工作项目）支撑材料，请查收。\n------------------\n凤岗镇团委 阿雯", atts)
    add("b071-fenggang-project5-to-office.eml", raw,
        "项目五 named without items, sent to office, which is responsible only for 5.2 of project 5 -> project 5, no items, NOT misrouted",
        [("office", arr, SUB("fenggang", ["5"], [], ["unknown_sender"], atts))], mid, "2751093364@qq.com")

    k = "b072"; arr = T("2018-01-24 16:12:09"); d = sec(arr, -2)
    atts = [A("石排镇青少年思想引领及青年人才工作材料.pdf", pdf("Shipai project 1"))]
    raw, mid = coremail(k, "126", "dgshipaitw@126.com", "石排镇团委", [("团市委办公室", DEPT["office"])],
                        "石排镇团委考核项目一工作材料", d, arr,
                        "李老师：\n附件是我镇考核项目一（青少年思想引领及青年人才工作）材料，请查收。\n石排镇团委 麦", atts)
    add("b072-shipai-project1-to-office-misrouted.eml", raw,
        "项目一 named without items, sent to office; no item of project 1 has office -> misrouted",
        [("office", arr, SUB("shipai", ["1"], [], atts=atts, misrouted=True))], mid, "dgshipaitw@126.com")

    # ---------------------------------------------------------------- overview forms
    k = "b073"; arr = T("2018-01-25 15:45:50"); d = sec(arr, -3)
    atts = [A("南城街道团工委2017年度工作开展情况表.xlsx", form_xlsx("南城街道团工委", ["/", True, True, True, "/"], k, W(d), shared=True))]
    raw, mid = coremail(k, "126", "dgnanchengtw@126.com", "南城街道团工委", [("团市委两新团工委", DEPT["liangxin"])],
                        "南城街道团工委2017年度工作开展情况表", d, arr,
                        "李老师：\n附件是我街道2017年度工作开展情况表，请查收。\n南城街道团工委 黄志强", atts)
    add("b073-nancheng-form-rows-2-3-4-to-liangxin.eml", raw,
        "Overview form (xlsx with sharedStrings) with rows (二)(三)(四) filled and (一)(五) containing only '/' -> projects 2, 3, 4; liangxin has no item in projects 2-4 -> misrouted",
        [("liangxin", arr, SUB("nancheng", ["2", "3", "4"], [], atts=atts, misrouted=True))], mid, "dgnanchengtw@126.com")

    k = "b074"; arr = T("2018-01-24 09:05:44"); d = sec(arr, -2)
    atts = [A("工作开展情况表.ods", form_ods("东实集团团委", [True] * 5, k, W(d)))]
    raw, mid = coremail(k, "163", "lixiaoyu_2017@163.com", "李晓宇", [("团市委组织部", DEPT["org"])],
                        "2017年度工作开展情况表", d, arr,
                        "莫老师您好，附件为我委2017年度工作开展情况表，请查收。\n李晓宇", atts)
    add("b074-sytz-ods-form-cell-only-not-assessed.eml", raw,
        "LibreOffice .ods overview form, all five rows filled; the unit appears only in its 填表单位 cell (东实集团团委 = sytz, established 2017-06-16) -> all five projects, unknown_sender + not_assessed",
        [("org", arr, SUB("sytz", ["1", "2", "3", "4", "5"], [], ["unknown_sender", "not_assessed"], atts))], mid, "lixiaoyu_2017@163.com")

    k = "b075"; arr = T("2018-01-25 16:30:27"); d = sec(arr, -2)
    atts = [A("工作开展情况表（石龙镇团委）.docx", form_docx("石龙镇团委", [True, True, "／", "/", " / "], k, W(d)))]
    raw, mid = qqmail(k, "1587204963@qq.com", "龙晓", [("学校部", DEPT["school"])],
                      "工作开展情况表（石龙镇团委）", d, arr,
                      "余老师您好，附件是我镇工作开展情况表，请查收。\n------------------\n龙晓", atts)
    add("b075-shilong-docx-form-slash-variants.eml", raw,
        "Word overview form: rows (一)(二) filled; (三) holds a full-width '／', (四) '/', (五) ' / ' with spaces -> none of those count -> projects 1, 2; school has 1.1/1.3/2.2 -> not misrouted",
        [("school", arr, SUB("shilong", ["1", "2"], [], ["unknown_sender"], atts))], mid, "1587204963@qq.com")

    k = "b076"; arr = T("2018-01-25 11:35:40"); d = sec(arr, -4)
    atts = [A("常平镇团委工作开展情况表（宣传部）.xlsx", form_xlsx("常平镇团委", [True, "/", "/", "/", True], k, W(d))),
            A("常平镇5.1志愿服务工作情况.pdf", pdf("Changping volunteer 5.1"))]
    raw, mid = outlook(k, "dgchangpingtw@126.com", "常平镇团委", [("团市委宣传部", DEPT["publicity"])],
                       "常平镇团委工作开展情况表及志愿服务材料", d, arr,
                       "邓老师：\n您好，附件是我镇工作开展情况表（宣传部部分）及5.1志愿服务工作情况，请查收。\n\n常平镇团委 谢婉婷", atts)
    add("b076-changping-form-rows-1-5-plus-item.eml", raw,
        "Form rows (一)(五) filled (others '/') plus a 5.1 file -> projects 1 and 5, item 5.1; publicity has items in project 1 and 5.1 -> not misrouted",
        [("publicity", arr, SUB("changping", ["1", "5"], ["5.1"], atts=atts))], mid, "dgchangpingtw@126.com")

    k = "b077"; arr = T("2018-01-23 15:10:03"); d = sec(arr, -2)
    atts = [A("2017年度工作开展情况表.docx", form_docx("", [True] * 5, k, W(d)))]
    raw, mid = coremail(k, "126", "dgjttw@126.com", "", [("团市委组织部", DEPT["org"])],
                        "2017年度工作开展情况表", d, arr, "莫老师：\n附件请查收。", atts)
    add("b077-jtjt-form-blank-unit-cell-not-assessed.eml", raw,
        "All-filled Word form whose 填表单位 cell is blank and nothing else names the unit except the registered sender address (jtjt, established 2017-03-20) -> unit jtjt, all five projects, not_assessed",
        [("org", arr, SUB("jtjt", ["1", "2", "3", "4", "5"], [], ["not_assessed"], atts))], mid, "dgjttw@126.com")

    # ---------------------------------------------------------------- duplicate delivery + resubmission
    s = "changantw@163.com"
    k = "b078"; arr = T("2018-01-22 10:00:30"); d = sec(arr, -3)
    p31 = A("长安镇青年之声平台建设情况.pdf", pdf("Changan youth voice v1"))
    x32 = A("长安镇智慧团建录入情况.xlsx", table_xlsx(["类别", "应录入", "已录入"], [["团组织", 320, 318], ["团员", 8120, 8002]], W(d)))
    atts = [p31, x32]
    raw, mid = coremail(k, "163", s, "长安镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "长安镇团委青年之声及智慧团建工作材料", d, arr,
                        "邓老师、莫老师：\n您好，附件是我镇青年之声（宣传部）及智慧团建（组织部）工作材料，请查收。\n长安镇团委 刘", atts,
                        cc=[("团市委组织部", DEPT["org"])])
    add("b078-changan-to-publicity-cc-org.eml", raw,
        "One message To publicity, Cc org (same Message-ID in both mailboxes): items 3.1 (publicity) + 3.2 (org) -> neither copy misrouted; duplicate_delivery on both",
        [("publicity", arr, SUB("changan", ["3"], ["3.1", "3.2"], ["duplicate_delivery"], atts)),
         ("org", arr, SUB("changan", ["3"], ["3.1", "3.2"], ["duplicate_delivery"], atts))], mid, s)

    k = "b079"; arr = T("2018-01-24 14:22:10"); d = sec(arr, -3)
    atts = [A("长安镇智慧团建录入情况（更新版）.xlsx", table_xlsx(["类别", "应录入", "已录入"], [["团组织", 320, 320], ["团员", 8120, 8120]], W(d)))]
    raw, mid = coremail(k, "163", s, "长安镇团委", [("团市委组织部", DEPT["org"])],
                        "长安镇团委智慧团建录入情况（更新版）", d, arr,
                        "莫老师：\n您好，我镇智慧团建录入数据已全部完成，现发送更新版，请以此为准。\n长安镇团委 刘", atts)
    add("b079-changan-3.2-update-to-org.eml", raw,
        "更新版 of 3.2 sent to org only, after b078 -> resubmission (same unit, same item); single delivery",
        [("org", arr, SUB("changan", ["3"], ["3.2"], ["resubmission"], atts))], mid, s)

    k = "b080"; arr = T("2018-01-25 09:48:00"); d = sec(arr, -3)
    atts = [A("长安镇青年之声平台建设情况（更正）.pdf", pdf("Changan youth voice corrected"))]
    raw, mid = coremail(k, "163", s, "长安镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "长安镇团委青年之声平台建设情况（更正）", d, arr,
                        "邓老师：\n您好，此前报送的青年之声材料数据有误，现发送更正版，请以此为准。\n长安镇团委 刘", atts,
                        cc=[("团市委组织部", DEPT["org"])])
    add("b080-changan-3.1-correction-to-publicity-cc-org.eml", raw,
        "更正 of 3.1 sent To publicity and (out of habit) Cc org: both copies resubmission + duplicate_delivery; the org copy is 3.1 only -> misrouted, the publicity copy is not",
        [("publicity", arr, SUB("changan", ["3"], ["3.1"], ["resubmission", "duplicate_delivery"], atts)),
         ("org", arr, SUB("changan", ["3"], ["3.1"], ["resubmission", "duplicate_delivery"], atts, misrouted=True))], mid, s)

    # ---------------------------------------------------------------- more hard material
    k = "b081"; arr = T("2018-01-24 13:20:08"); d = sec(arr, -4)
    atts = [A("橫瀝鎮志願服務工作總結.docx", simple_docx("橫瀝鎮志願服務工作總結", ["全年開展志願服務活動26場。"], W(d)))]
    pre = ["Return-Path: <hlyouth@yahoo.com.hk>",
           mx_received(k, "sonic305-21.consmr.mail.hk2.yahoo.com", "106.10.242.%d" % N(k, 1, 250), arr),
           "Received: from 113.%d.%d.%d (EHLO DESKTOP-%s) ([113.%d.%d.%d])\r\n          by smtp411.mail.hk2.yahoo.com (JAMES SMTP Server ) with ESMTPA ID %s;\r\n          %s"
           % (N(k + "1", 60, 120), N(k + "2", 1, 250), N(k + "3", 1, 250), H(k + "pc", 7).upper(),
              N(k + "1", 60, 120), N(k + "2", 1, 250), N(k + "3", 1, 250), H(k + "id", 32),
              rfcdate(sec(arr, -3).astimezone(UTC)).replace("+0000", "+0000 (UTC)"))]
    raw, mid = outlook(k, "hlyouth@yahoo.com.hk", "橫瀝鎮團委", [("團市委宣傳部", DEPT["publicity"])],
                       "橫瀝鎮團委5.1志願服務工作材料", d, arr,
                       "鄧老師：\n您好，附件是我鎮2017年度志願服務工作總結，請查收。\n\n橫瀝鎮團委 朱", atts, charset="big5", pre_headers=pre)
    add("b081-hengli-traditional-big5.eml", raw,
        "Traditional characters in Big5 (Outlook set to 繁體): 橫瀝鎮團委 = 横沥镇团委 -> hengli; subject/body charset big5; filename RFC 2231 UTF-8 in traditional; item 5.1 (5.1 and 志願服務)",
        [("publicity", arr, SUB("hengli", ["5"], ["5.1"], ["unknown_sender"], atts))], mid, "hlyouth@yahoo.com.hk")

    k = "b082"; arr = T("2018-01-25 13:42:19"); d = sec(arr, -2)
    real = A("企石镇线上线下青年活动情况.docx", simple_docx("企石镇线上线下青年活动情况", ["开展线上线下青年活动22场。"], W(d)))
    lock = A("~$镇线上线下青年活动情况.docx", word_lockfile("Administrator"))
    atts = [real, lock]
    raw, mid = qqmail(k, "1339268740@qq.com", "钟", [("组织部", DEPT["org"])],
                      "企石镇团委4.2线上线下青年活动材料", d, arr,
                      "莫老师您好，附件是我镇4.2线上线下青年活动材料，请查收。\n------------------\n企石镇团委 钟", atts)
    add("b082-qishi-office-lock-file.eml", raw,
        "A real docx plus the Word owner/lock file (~$镇线上线下青年活动情况.docx, 162 bytes) picked up from the same folder: the lock file is an unreadable material file -> unreadable_attachment; item 4.2",
        [("org", arr, SUB("qishi", ["4"], ["4.2"], ["unknown_sender", "unreadable_attachment"], atts))], mid, "1339268740@qq.com")

    k = "b083"; arr = T("2018-01-23 09:55:12"); d = sec(arr, -3)
    atts = [A("大朗镇展翅计划实施情况.pdf", b""),
            A("展翅计划实习生名单.xlsx", table_xlsx(["序号", "姓名", "岗位"], [[i, "实习生%d" % i, "镇属单位"] for i in range(1, 11)], W(d)))]
    raw, mid = coremail(k, "163", "dalangtw@163.com", "大朗镇团委", [("团市委两新团工委", DEPT["liangxin"])],
                        "大朗镇团委展翅计划材料", d, arr, "李老师：\n附件是我镇展翅计划材料，请查收。\n大朗镇团委 陈", atts)
    add("b083-dalang-zero-byte-pdf.eml", raw,
        "One attachment is a zero-byte PDF (upload failed): cannot be opened -> unreadable_attachment; the xlsx is fine; item 1.3 展翅计划 to liangxin",
        [("liangxin", arr, SUB("dalang", ["1"], ["1.3"], ["unreadable_attachment"], atts))], mid, "dalangtw@163.com")

    k = "b084"; arr = T("2018-01-24 11:48:27"); d = sec(arr, -3)
    base = "C:/Users/Administrator/Desktop/万江街道考核材料/4.1 1+100系统/"
    zmembers = [(base + "直接联系青年统计.xlsx", table_xlsx(["姓名", "联系青年数"], [["黄", 103], ["李", 101]], W(d))),
                (base + "系统截图.png", png(k + "s"))]
    zb = zipbuild([{"name": n.encode("gbk"), "data": b} for n, b in zmembers], when=W(d))
    za = A("万江街道团工委团干部直接联系青年工作材料.zip", zb)
    za["members"] = [n for n, _ in zmembers]
    atts = [za]
    raw, mid = coremail(k, "126", "dgwanjiangtw@126.com", "万江街道团工委", [("团市委组织部", DEPT["org"])],
                        "万江街道团工委团干部直接联系青年工作材料", d, arr,
                        "莫老师：\n附件是我街道团干部直接联系青年工作材料（压缩包），请查收。\n万江街道团工委 黄", atts)
    add("b084-wanjiang-zip-drive-letter-gbk.eml", raw,
        "Zip made by a tool that stored absolute Windows paths: member names 'C:/Users/Administrator/Desktop/…' (drive letter) in GBK without the UTF-8 flag -> unsafe_filename; project 4 by title (团干部直接联系青年) and item 4.1 from member paths (4.1, 1+100)",
        [("org", arr, SUB("wanjiang", ["4"], ["4.1"], ["unsafe_filename"], atts))], mid, "dgwanjiangtw@126.com")

    k = "b085"; arr = T("2018-01-24 17:50:33"); d = sec(arr, -3)
    logo = ("_Foxmail.1@%s-%s-%s-%s-%s" % (H(k + "1", 8), H(k + "2", 4), H(k + "3", 4), H(k + "4", 4), H(k + "5", 12)),
            png(k + "logo", 48, 48))
    raw, mid = foxmail(k, "zhongtangtw@163.com", "中堂镇团委", [("2219564", DEPT["publicity"])],
                       "中堂镇团委十九大精神学习宣传材料（百度网盘）", d, arr,
                       "邓老师：\n您好，我镇十九大精神学习宣传材料（含视频）较大，已上传百度网盘：\n"
                       "链接：https://pan.baidu.com/s/1c3Gk8Yq 密码：x7k2\n请下载查收，谢谢！\n\n中堂镇团委 袁嘉怡", logo=logo)
    add("b085-zhongtang-baidu-link-with-logo.eml", raw,
        "Material only as a 百度网盘 link (with extraction code); the only MIME image is the Foxmail signature logo (cid:, multipart/related) -> external_link, attachments []; item 1.1",
        [("publicity", arr, SUB("zhongtang", ["1"], ["1.1"], ["external_link"]))], mid, "zhongtangtw@163.com")

    k = "b086"; arr = T("2018-01-24 10:22:14"); d = sec(arr, -4)
    logo = ("image001.jpg@01D39503.%s" % H(k + "cid", 8).upper(), "image001.png", png(k + "logo", 80, 24))
    raw, mid = outlook(k, "gdjtw@126.com", "东莞供电局团委", [("团市委组织部", DEPT["org"])],
                       "供电局团委学做教育实践材料，请查收", d, arr,
                       "莫老师：\n您好，我局团委学做教育实践材料请查收。\n\n东莞供电局团委 陈\n南方电网 万家灯火", logo=logo)
    add("b086-gdj-logo-only-no-attachment.eml", raw,
        "'请查收' but the only non-text part is the Outlook signature logo (cid: in multipart/related) -> no_attachments, attachments []; item 2.3 学做",
        [("org", arr, SUB("gdj", ["2"], ["2.3"], ["no_attachments"]))], mid, "gdjtw@126.com")

    k = "b087"; arr = T("2018-01-24 09:40:51"); d = sec(arr, -3)
    atts = [A("联合志愿服务活动照片1.jpg", jpeg(k + "p1")), A("联合志愿服务活动照片2.jpg", jpeg(k + "p2"))]
    raw, mid = coremail(k, "163", "dalangtw@163.com", "大朗镇团委", [("团市委宣传部", DEPT["publicity"])],
                        "转发：联合志愿服务活动照片", d, arr,
                        "邓老师：\n    转发大岭山镇团委同事发来的我镇与大岭山镇联合开展“关爱环卫工人”志愿服务活动照片，作为我镇5.1志愿服务工作支撑材料之一，请查收。\n"
                        "大朗镇团委 陈\n\n------------------ 原始邮件 ------------------\n"
                        "发件人: \"大岭山镇团委 小周\"<1754023318@qq.com>\n发送时间: 2018年1月23日(星期二) 下午3:12\n"
                        "收件人: \"dalangtw\"<dalangtw@163.com>\n主题: 联合志愿服务活动照片\n\n"
                        "你好，这是上周我们两镇联合开展志愿服务活动的照片，请查收。", atts)
    add("b087-dalang-forwards-dalingshan-photos.eml", raw,
        "Forward chain between two units: 大岭山 staff sent photos to 大朗, whose registered mailbox forwards them as ITS OWN 5.1 material -> unit dalang (大岭山 appears in the quoted header and text)",
        [("publicity", arr, SUB("dalang", ["5"], ["5.1"], atts=atts))], mid, "dalangtw@163.com")

    # ---------------------------------------------------------------- other
    k = "b088"; arr = T("2018-01-19 11:25:40"); d = sec(arr, -2)
    atts = [A("智慧团建报错截图.png", png(k + "err", 64, 40))]
    raw, mid = coremail(k, "163", "guanchengtw@163.com", "莞城街道团工委", [("团市委组织部", DEPT["org"])],
                        "请问智慧团建系统录入报错如何处理", d, arr,
                        "莫老师您好，我街道在智慧团建系统录入2017年新团员信息时出现报错（见截图），请问如何处理？谢谢！\n莞城街道团工委 邓", atts)
    add("b088-guancheng-question-with-screenshot.eml", raw,
        "A question with an error screenshot attached (智慧团建 in subject and filename): asks for help, delivers no assessment material -> other, no receipt",
        [("org", arr, NON("other", "guancheng"))], mid, "guanchengtw@163.com")

    k = "b089"; arr = T("2018-01-24 15:31:02"); d = sec(arr, -3)
    raw, mid = outlook(k, "dgchangpingtw@126.com", "常平镇团委", [("团市委组织部", DEPT["org"])],
                       "答复: 回执：常平镇团委线上线下青年活动情况", d, arr,
                       "收到，谢谢莫老师！\n\n常平镇团委 谢婉婷\n\n-----原始邮件-----\n发件人: 团市委组织部 [mailto:tswzzb3@126.com] \n"
                       "发送时间: 2018年1月24日 15:10\n收件人: dgchangpingtw@126.com\n主题: 回执：常平镇团委线上线下青年活动情况\n\n"
                       "您单位报送的材料已收到。", in_reply_to="<receipt-20180124151050-org@126.com>")
    add("b089-changping-thanks-for-receipt.eml", raw,
        "Human reply 'thanks' to mailroom's receipt; subject keeps the material title (线上线下青年活动) -> other, no receipt (no receipt loop)",
        [("org", arr, NON("other", "changping"))], mid, "dgchangpingtw@126.com")

    k = "b090"; arr = T("2018-01-19 10:30:00"); d = sec(arr, -5)
    bd = "----=_Part_%d_%d" % (N(k, 100000000, 999999999), N(k + "x", 100000000, 999999999))
    mid = "<%s.%d.%s@edm.izyz.youth.test>" % (d.strftime("%Y%m%d%H%M%S"), N(k, 100000, 999999), H(k, 8))
    text = ("i志愿周报｜2018年1月第3周\n本周全市新增注册志愿者2316名，开展志愿服务活动418场。\n"
            "【项目动态】益苗计划志愿服务项目大赛报名启动；青年之声、智慧团建操作指引更新。\n退订请点击：http://edm.izyz.youth.test/u")
    hdrs = ["Return-Path: <bounce-88213-2219564=163.com@edm.izyz.youth.test>",
            mx_received(k, "edm.izyz.youth.test", "203.0.113.%d" % N(k, 10, 250), arr),
            "Date: %s" % rfcdate(d),
            "From: %s <news@edm.izyz.youth.test>" % ew1("i志愿", "UTF-8"),
            "To: 2219564@163.com",
            "Subject: " + " ".join(ew("i志愿周报｜2018年1月第3周志愿服务数据", "UTF-8", 70)),
            "Message-ID: %s" % mid,
            "List-Id: <weekly.izyz.youth.test>",
            "List-Unsubscribe: <http://edm.izyz.youth.test/u?e=2219564%40163.com>",
            "Precedence: list",
            "X-Mailer: EDM Sender 3.2",
            "MIME-Version: 1.0"]
    root = multi(["Content-Type: multipart/alternative; boundary=\"%s\"" % bd], bd,
                 [leaf(["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64"], b64(crlf(text).encode("utf-8"))),
                  leaf(["Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: base64"],
                       b64(("<html><body>%s</body></html>" % html_div(text, "<p>", "</p>")).encode("utf-8")))])
    add("b090-bulk-izhiyuan-weekly.eml", message(hdrs, root),
        "Bulk newsletter (List-Id, List-Unsubscribe, Precedence: list) full of i志愿/志愿服务/青年之声/智慧团建 keywords -> other",
        [("publicity", arr, NON("other", None))], mid, "news@edm.izyz.youth.test")


if __name__ == "__main__":
    build_cases()
    build_cases_2()
    finish()
