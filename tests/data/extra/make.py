#!/usr/bin/env python3
"""Builds the hand-made generalisation set (tests/data/extra): messages for
other units, clients and phrasings than the public corpus, with their labels
in expected.json (same format as tests/data/corpus/expected.json).

Run from this folder: `python3 make.py`. Needs xlwt (the .et form) and
msoffcrypto-tool (the encrypted xlsx) only to regenerate; the generated files
are committed, so tests never run this.
"""
import base64
import hashlib
import io
import json
import os
import quopri
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []
B = "==mr_boundary_{}=="


def b64(data):
    s = base64.b64encode(data).decode()
    return "\r\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def w2047(text, charset="utf-8", enc="B"):
    raw = text.encode(charset)
    if enc == "B":
        return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode())
    q = "".join(chr(c) if (48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122) else "=%02X" % c for c in raw)
    return "=?%s?Q?%s?=" % (charset, q)


def fake_pdf(tag):
    body = ("%%PDF-1.4\n%% mailroom test %s\n1 0 obj<<>>endobj\ntrailer<<>>\n%%%%EOF\n" % tag).encode()
    return body


def fake_jpg(tag):
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + tag.encode() + b"\xff\xd9"


def text_part(body, charset="utf-8"):
    return ("text/plain; charset=%s" % charset, None, "base64", body.encode(charset, "replace"))


def attach(ctype, name_header, data):
    return (ctype, name_header, "base64", data)


def encode_header(value):
    """Non-ASCII header text as RFC 2047, as every real client writes it: a
    display name is encoded before its <address>, a whole value otherwise."""
    if value.isascii():
        return value
    if value.endswith(">") and "<" in value:
        name, addr = value.rsplit("<", 1)
        return "%s <%s" % (w2047(name.strip().strip('"')), addr)
    return w2047(value)


def build(headers, parts, multipart="mixed", n=0):
    lines = []
    for k, v in headers:
        lines.append("%s: %s" % (k, encode_header(v)))
    if len(parts) == 1 and parts[0][1] is None:
        ct, _, cte, data = parts[0]
        lines += ["MIME-Version: 1.0", "Content-Type: " + ct, "Content-Transfer-Encoding: " + cte, "", b64(data), ""]
        return "\r\n".join(lines).encode()
    bd = B.format(n)
    lines += ["MIME-Version: 1.0", 'Content-Type: multipart/%s; boundary="%s"' % (multipart, bd), "", "This is a multi-part message in MIME format.", ""]
    out = "\r\n".join(lines).encode()
    for ct, disp, cte, data in parts:
        ph = ["--" + bd, "Content-Type: " + ct]
        if disp:
            ph.append("Content-Disposition: " + disp)
        ph.append("Content-Transfer-Encoding: " + cte)
        ph.append("")
        out += ("\r\n".join(ph) + "\r\n").encode()
        if cte == "base64":
            out += (b64(data) + "\r\n").encode()
        elif cte == "quoted-printable":
            out += quopri.encodestring(data).replace(b"\n", b"\r\n") + b"\r\n"
        else:
            out += data + b"\r\n"
    out += ("--" + bd + "--\r\n").encode()
    return out


def add(file, department, internaldate, case, raw, expect, att=None):
    with open(os.path.join(HERE, file), "wb") as f:
        f.write(raw)
    atts = []
    for name, data, members in att or []:
        a = {"filename": name, "sha256": hashlib.sha256(data).hexdigest()}
        if members is not None:
            a["members"] = members
        atts.append(a)
    mailbox = {"office": "dgyouth@126.com", "org": "tswzzb3@126.com", "publicity": "2219564@163.com",
               "school": "a22233740@126.com", "liangxin": "dglxtgw@163.com"}[department]
    e = {"kind": "submission", "unit": None, "projects": [], "items": [], "late": False, "misrouted": False,
         "receipt": True, "flags": [], "attachments": atts}
    e.update(expect)
    if e["kind"] != "submission":
        e["receipt"] = False
    CASES.append({"file": file, "department": department, "department_mailbox": mailbox,
                  "internaldate": internaldate, "case": case, "expect": e})


def hdrs(frm, to, subject, date, mid, extra=()):
    return [("Return-Path", "<%s>" % frm.split("<")[-1].rstrip(">")), ("Date", date), ("From", frm), ("To", to),
            ("Subject", subject), ("Message-ID", "<%s@extra.test>" % mid)] + list(extra)


def named(ctype, filename, data, charset="utf-8", style="2047"):
    if style == "2047":
        n = w2047(filename, charset)
        return attach('%s; name="%s"' % (ctype, n), 'attachment; filename="%s"' % n, data)
    if style == "2231":
        enc = "".join("%%%02X" % c for c in filename.encode("utf-8"))
        return attach("%s" % ctype, "attachment; filename*=utf-8''%s" % enc, data)
    if style == "q":
        n = w2047(filename, charset, "Q")
        return attach('%s; name="%s"' % (ctype, n), 'attachment; filename="%s"' % n, data)
    raise ValueError(style)


def zinfo(name, compress=None):
    """A member with a fixed timestamp, so the set regenerates byte for byte."""
    zi = zipfile.ZipInfo(name, date_time=(2018, 1, 20, 10, 0, 0))
    if compress is not None:
        zi.compress_type = compress
    return zi


def zip_bytes(entries, utf8_flag=True):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(zinfo(name, zipfile.ZIP_DEFLATED), data)
    raw = bytearray(buf.getvalue())
    if not utf8_flag:
        # macOS Archive Utility: UTF-8 names, bit 11 clear. Clear it in every
        # local and central header.
        i = 0
        while True:
            i = raw.find(b"PK\x03\x04", i)
            if i < 0:
                break
            raw[i + 7] &= ~0x08
            i += 4
        i = 0
        while True:
            i = raw.find(b"PK\x01\x02", i)
            if i < 0:
                break
            raw[i + 9] &= ~0x08
            i += 4
    return bytes(raw)


def ods_form(unit, rows):
    cells = ['<table:table-row><table:table-cell office:value-type="string"><text:p>2017年东莞共青团工作开展情况表</text:p></table:table-cell></table:table-row>',
             '<table:table-row><table:table-cell office:value-type="string"><text:p>填表单位</text:p></table:table-cell>'
             '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell></table:table-row>' % unit,
             '<table:table-row><table:table-cell office:value-type="string"><text:p>序号</text:p></table:table-cell>'
             '<table:table-cell office:value-type="string"><text:p>考核项目</text:p></table:table-cell>'
             '<table:table-cell office:value-type="string"><text:p>工作开展情况</text:p></table:table-cell></table:table-row>']
    for o, t, d in rows:
        cells.append('<table:table-row><table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>'
                     '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>'
                     '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell></table:table-row>' % (o, t, d))
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Sheet1">%s</table:table></office:spreadsheet></office:body></office:document-content>' % "".join(cells))
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr(zinfo("content.xml", zipfile.ZIP_DEFLATED), content)
        z.writestr(zinfo("META-INF/manifest.xml", zipfile.ZIP_DEFLATED), manifest)
    return buf.getvalue()


PROJECTS = [("（一）", "青少年思想引领及青年人才工作"), ("（二）", "推进和落实共青团深化改革工作"),
            ("（三）", "“网上共青团”建设工作"), ("（四）", "团干部直接联系青年工作"), ("（五）", "服务大局、服务青年重点工作项目")]


def et_form(unit, filled):
    import xlwt
    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("Sheet1")
    ws.write(0, 0, "2017年东莞共青团工作开展情况表")
    ws.write(1, 0, "填表单位：" + unit)
    for c, t in enumerate(["序号", "考核项目", "工作开展情况"]):
        ws.write(2, c, t)
    for r, (o, t) in enumerate(PROJECTS):
        ws.write(3 + r, 0, o)
        ws.write(3 + r, 1, t)
        ws.write(3 + r, 2, filled[r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def minimal_xlsx():
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>填表单位：虎门镇团委</t></is></c></row></sheetData></worksheet>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for k, v in files.items():
            z.writestr(zinfo(k), v)
    return buf.getvalue()


def encrypted_xlsx():
    from msoffcrypto.format.ooxml import OOXMLFile
    plain = io.BytesIO(minimal_xlsx())
    out = io.BytesIO()
    OOXMLFile(plain).encrypt("humen2017", out)
    return out.getvalue()


def main():
    D = "Fri, 26 Jan 2018 10:00:00 +0800"
    # 1 formal agency name, unregistered sender
    pdf = fake_pdf("gdj")
    raw = build(hdrs("\"小王\" <wang_xiaoming@139.test>", "2219564@163.com",
                     w2047("共青团广东电网有限责任公司东莞供电局委员会2017年度志愿服务工作材料"), D, "x01"),
                [text_part("宣传部：\r\n  现将我委志愿服务工作材料报上，请查收。\r\n"),
                 named("application/pdf", "志愿服务工作情况.pdf", pdf)], n=1)
    add("x01-formal-agency-name.eml", "publicity", "2018-01-26T10:00:05+08:00",
        "Agency named only by its formal name (共青团广东电网有限责任公司东莞供电局委员会); personal sender", raw,
        {"unit": "gdj", "projects": ["5"], "items": ["5.1"], "flags": ["unknown_sender"]}, [("志愿服务工作情况.pdf", pdf, None)])

    # 2 traditional characters in a Big5 subject and filename
    pdf = fake_pdf("hengli")
    raw = build(hdrs("chen <chen.hk@hotmail.test>", "2219564@163.com",
                     w2047("橫瀝鎮團委2017年度青年之聲平台建設材料", "big5"), D, "x02"),
                [text_part("您好，附件是本鎮青年之聲平台建設材料，請查收。", "big5"),
                 named("application/pdf", "青年之聲平台建設情況.pdf", pdf, "big5")], n=2)
    add("x02-big5-traditional.eml", "publicity", "2018-01-24T11:00:00+08:00",
        "Big5 subject, body and filename in traditional characters (橫瀝鎮團委, 青年之聲)", raw,
        {"unit": "hengli", "projects": ["3"], "items": ["3.1"], "flags": ["unknown_sender"]},
        [("青年之聲平台建設情況.pdf", pdf, None)])

    # 3 alias only in the signature
    pdf = fake_pdf("shipai")
    raw = build(hdrs("li <lm2018@yeah.test>", "tswzzb3@126.com", w2047("2017年度材料"), D, "x03"),
                [text_part("您好，附件是我们的团费收缴和发展团员情况，请查收。\r\n\r\n石排团委 李明\r\n"),
                 named("application/pdf", "情况说明.pdf", pdf)], n=3)
    add("x03-alias-in-signature.eml", "org", "2018-01-23T09:00:00+08:00",
        "Unit only as a short alias in the signature (石排团委); item 2.1 only from the body", raw,
        {"unit": "shipai", "projects": ["2"], "items": ["2.1"], "flags": ["unknown_sender"]}, [("情况说明.pdf", pdf, None)])

    # 4 ods form, unit in the next cell, rows 1 and 3 filled, others "/"
    ods = ods_form("凤岗镇团委", [(o, t, d) for (o, t), d in zip(PROJECTS, ["开展主题团日32场", "/", "青年之声排名第5", " ", "／"])])
    raw = build(hdrs("fg <fg_youth@qq.test>", "tswzzb3@126.com", w2047("2017年度工作开展情况表"), D, "x04"),
                [text_part("您好，附件是我镇工作开展情况表（ODS格式），请查收。"),
                 named("application/vnd.oasis.opendocument.spreadsheet", "工作开展情况表.ods", ods)], n=4)
    add("x04-ods-form.eml", "org", "2018-01-22T15:00:00+08:00",
        "Overview form as OpenDocument spreadsheet; 填表单位 value in the next cell; rows (一)(三) filled, others '/' or blank", raw,
        {"unit": "fenggang", "projects": ["1", "3"], "flags": ["unknown_sender"]}, [("工作开展情况表.ods", ods, None)])

    # 5 WPS .et form (BIFF8 in a CFB container), all filled
    et = et_form("谢岗镇团委", ["a", "b", "c", "d", "e"])
    raw = build(hdrs("xg <xiegang_tw@sina.test>", "tswzzb3@126.com", w2047("谢岗镇团委工作开展情况表"), D, "x05"),
                [text_part("附件为WPS表格，请查收。"), named("application/octet-stream", "谢岗镇工作开展情况表.et", et)], n=5)
    add("x05-wps-et-form.eml", "org", "2018-01-22T16:00:00+08:00",
        "Overview form saved by WPS as .et (BIFF8 in CFB); all rows filled", raw,
        {"unit": "xiegang", "projects": ["1", "2", "3", "4", "5"], "flags": ["unknown_sender"]}, [("谢岗镇工作开展情况表.et", et, None)])

    # 6 macOS zip: UTF-8 names without the flag
    members = ["黄江镇2017材料/2.2少先队工作/少先队活动.jpg", "黄江镇2017材料/2.2少先队工作/说明.txt"]
    z = zip_bytes([("黄江镇2017材料/", b""), (members[0], fake_jpg("hj")), (members[1], "少先队改革说明".encode())], utf8_flag=False)
    raw = build(hdrs("hj <hj_mac@icloud.test>", "a22233740@126.com", w2047("考核材料"), D, "x06"),
                [text_part("附件请查收。\r\n\r\n从我的 Mac 发送"), named("application/zip", "材料.zip", z, style="2231")], n=6)
    add("x06-macos-zip-utf8-noflag.eml", "school", "2018-01-25T20:00:00+08:00",
        "macOS Archive Utility zip: UTF-8 member names without the UTF-8 flag; unit and item only in member paths", raw,
        {"unit": "huangjiang", "projects": ["2"], "items": ["2.2"], "flags": ["unknown_sender"]}, [("材料.zip", z, members)])

    # 7 RFC 2047 Q encoding in subject and filename
    pdf = fake_pdf("q")
    raw = build(hdrs("dgxiegang <xg2@126.test>", "tswzzb3@126.com", w2047("谢岗镇团委 智慧团建工作材料", "utf-8", "Q"), D, "x07"),
                [text_part("请查收"), named("application/pdf", "智慧团建录入情况.pdf", pdf, style="q")], n=7)
    add("x07-rfc2047-q.eml", "org", "2018-01-21T10:00:00+08:00",
        "RFC 2047 Q-encoded subject and filename", raw,
        {"unit": "xiegang", "projects": ["3"], "items": ["3.2"], "flags": ["unknown_sender"]}, [("智慧团建录入情况.pdf", pdf, None)])

    # 8 163 large attachment link only, registered sender
    body = ("李老师：\r\n您好，我镇圆梦计划资助材料较大，已用超大附件发送。\r\n\r\n"
            "从网易163邮箱发来的超大附件\r\n沙田镇圆梦计划材料.rar (85.2M, 2018年2月9日 10:20 到期)\r\n"
            "下载: https://mail.163.com/large-attachment-download/index.html?p=X-NETEASE-HUGE-ATTACHMENT.1a2b3c&file=abc\r\n")
    raw = build(hdrs("沙田镇团委 <dgshatiantw@126.com>", "dglxtgw@163.com", w2047("沙田镇团委2017年度圆梦计划材料（大附件）"), D, "x08"),
                [text_part(body)], n=8)
    add("x08-163-large-attachment.eml", "liangxin", "2018-01-25T10:20:00+08:00",
        "163 超大附件: material only as a download link; registered sender", raw,
        {"unit": "shatian", "projects": ["5"], "items": ["5.3"], "flags": ["external_link"]})

    # 9 Baidu pan link
    body = "您好，新媒体工作材料（含视频）已上传百度网盘：\r\n链接: https://pan.baidu.com/s/1AbCdEfGhIjK 提取码: x7k9\r\n企石镇团委"
    raw = build(hdrs("qs <qishi_youth@qq.test>", "2219564@163.com", w2047("2017年度新媒体工作材料（百度网盘）"), D, "x09"),
                [text_part(body)], n=9)
    add("x09-baidu-pan.eml", "publicity", "2018-01-24T09:30:00+08:00",
        "百度网盘 link instead of an attachment; unit in the body signature", raw,
        {"unit": "qishi", "projects": ["3"], "items": ["3.3"], "flags": ["unknown_sender", "external_link"]})

    # 10 plain-text MAILER-DAEMON bounce (qmail style, no multipart/report)
    body = ("Hi. This is the qmail-send program at mx.dg.gov.test.\r\n"
            "I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
            "This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
            "<qishituanwei@dg.gov.test>:\r\nSorry, no mailbox here by that name. (#5.1.1)\r\n\r\n"
            "--- Below this line is a copy of the message.\r\n\r\nMessage-ID: <reminder-0122-org@mailroom.test>\r\n"
            "Subject: reminder\r\n")
    raw = build([("Return-Path", "<>"), ("Date", D), ("From", "MAILER-DAEMON@mx.dg.gov.test"), ("To", "tswzzb3@126.com"),
                 ("Subject", "failure notice"), ("Message-ID", "<x10@mx.dg.gov.test>")],
                [("text/plain; charset=us-ascii", None, "7bit", body.encode())], n=10)
    add("x10-plain-mailer-daemon.eml", "org", "2018-01-22T09:05:00+08:00",
        "Plain-text qmail bounce from MAILER-DAEMON, null return path", raw, {"kind": "bounce"})

    # 11 English out-of-office, no Auto-Submitted
    raw = build(hdrs("Tom Li <tom.li@corp.test>", "2219564@163.com", "Out of Office: 关于提醒报送考核材料", D, "x11"),
                [text_part("I am out of the office until 29 Jan 2018 with limited access to email.")], n=11)
    add("x11-ooo-english.eml", "publicity", "2018-01-23T08:00:00+08:00",
        "English Out of Office reply without Auto-Submitted", raw, {"kind": "auto_reply"})

    # 12 mailing list (Precedence: list)
    raw = build(hdrs("志愿者联合会 <news@volunteer.test>", "2219564@163.com", w2047("志愿服务简报第12期"), D, "x12",
                     [("Precedence", "list"), ("List-Id", "<brief.volunteer.test>")]),
                [text_part("本期：i志愿系统升级、益苗计划大赛报名开始。")], n=12)
    add("x12-precedence-list.eml", "publicity", "2018-01-20T08:00:00+08:00",
        "Mailing list post (Precedence: list, List-Id) mentioning item keywords", raw, {"kind": "other"})

    # 13 question from a registered sender
    raw = build(hdrs("横沥镇团委 <dghenglitw@126.com>", "tswzzb3@126.com", w2047("关于智慧团建录入的问题"), D, "x13"),
                [text_part("莫老师好，请问智慧团建系统中已离团的团员还需要录入吗？谢谢！\r\n横沥镇团委")], n=13)
    add("x13-question.eml", "org", "2018-01-19T10:00:00+08:00",
        "A question from a registered sender, no material claimed", raw, {"kind": "other", "unit": "hengli"})

    # 14 forward: unit only in the inner (registered) From
    pdf = fake_pdf("wj")
    inner = build([("Date", "Wed, 24 Jan 2018 09:00:00 +0800"), ("From", "<dgwanjiangtw@126.com>"), ("To", "zhang@dg.gov.test"),
                   ("Subject", w2047("考核材料")), ("Message-ID", "<inner-x14@126.test>")],
                  [text_part("材料见附件"), named("application/pdf", "服务青年创新创业工作情况.pdf", pdf)], n=141)
    raw = build(hdrs("张三 <zhang@dg.gov.test>", "dgyouth@126.com", w2047("Fw: 考核材料"), D, "x14"),
                [text_part("转发，请查收。"), ("message/rfc822", "attachment", "7bit", inner)], n=14)
    add("x14-forward-inner-from.eml", "office", "2018-01-24T10:00:00+08:00",
        "Forward whose only unit evidence is the registered From of the attached original", raw,
        {"unit": "wanjiang", "projects": ["5"], "items": ["5.2"], "flags": ["unknown_sender"]},
        [("服务青年创新创业工作情况.pdf", pdf, None)])

    # 15 第三项, project only
    pdf = fake_pdf("qt")
    raw = build(hdrs("桥头镇团委 <qiaotoutw@163.com>", "2219564@163.com", w2047("桥头镇团委2017年度考核第三项材料"), D, "x15"),
                [text_part("附件是第三项的材料，请查收。"), named("application/pdf", "桥头镇考核材料.pdf", pdf)], n=15)
    add("x15-project-ordinal-di-san-xiang.eml", "publicity", "2018-01-24T10:00:00+08:00",
        "Project named as 第三项 without an item", raw,
        {"unit": "qiaotou", "projects": ["3"]}, [("桥头镇考核材料.pdf", pdf, None)])

    # 16 项目五 to office (5.2 is office's): not misrouted
    pdf = fake_pdf("dk")
    raw = build(hdrs("东坑镇团委 <dongkengtw@163.com>", "dgyouth@126.com", w2047("东坑镇团委考核材料（项目五）"), D, "x16"),
                [text_part("请查收"), named("application/pdf", "东坑镇重点工作项目材料.pdf", pdf)], n=16)
    add("x16-project-five.eml", "office", "2018-01-24T11:00:00+08:00",
        "项目五 without an item, sent to office (one of project 5's departments)", raw,
        {"unit": "dongkeng", "projects": ["5"]}, [("东坑镇重点工作项目材料.pdf", pdf, None)])

    # 17 item number 5.4 only in the filename
    pdf = fake_pdf("zmt")
    raw = build(hdrs("樟木头镇团委 <dgzhangmutoutw@126.com>", "tswzzb3@126.com", w2047("樟木头镇团委考核材料"), D, "x17"),
                [text_part("请查收"), named("application/pdf", "5.4 樟木头镇工作材料.pdf", pdf)], n=17)
    add("x17-item-number-filename.eml", "org", "2018-01-24T12:00:00+08:00",
        "Item only as the number 5.4 at the start of the filename", raw,
        {"unit": "zhangmutou", "projects": ["5"], "items": ["5.4"]}, [("5.4 樟木头镇工作材料.pdf", pdf, None)])

    # 18 Date header days before the arrival
    pdf = fake_pdf("ca")
    raw = build(hdrs("长安镇团委 <changantw@163.com>", "tswzzb3@126.com", w2047("长安镇团委智慧团建工作材料"),
                     "Thu, 25 Jan 2018 10:00:00 +0800", "x18"),
                [text_part("请查收"), named("application/pdf", "长安镇智慧团建.pdf", pdf)], n=18)
    add("x18-date-lies.eml", "org", "2018-01-27T09:00:00+08:00",
        "Date header two days before the arrival: late from INTERNALDATE", raw,
        {"unit": "changan", "projects": ["3"], "items": ["3.2"], "late": True}, [("长安镇智慧团建.pdf", pdf, None)])

    # 19 encrypted xlsx
    enc = encrypted_xlsx()
    raw = build(hdrs("hm <humen_tw@qq.test>", "tswzzb3@126.com", w2047("2017年度工作开展情况表"), D, "x19"),
                [text_part("附件是我镇工作开展情况表，密码humen2017，请查收。"), named("application/octet-stream", "虎门镇团委工作开展情况表.xlsx", enc)], n=19)
    add("x19-encrypted-xlsx.eml", "org", "2018-01-25T09:00:00+08:00",
        "Password-protected xlsx (agile encryption in CFB): unreadable, no projects", raw,
        {"unit": "humen", "flags": ["unknown_sender", "unreadable_attachment"]}, [("虎门镇团委工作开展情况表.xlsx", enc, None)])

    # 20/21 the deadline to the second
    for n, (t, late) in enumerate([("17:30:00", False), ("17:30:01", True)]):
        pdf = fake_pdf("gb%d" % n)
        raw = build(hdrs("高埗镇团委 <dggaobutw@126.com>", "tswzzb3@126.com", w2047("高埗镇团委发展团员工作材料"), D, "x2%d" % n),
                    [text_part("请查收"), named("application/pdf", "高埗镇发展团员情况.pdf", pdf)], n=20 + n)
        add("x2%d-deadline-%s.eml" % (n, t.replace(":", "")), "org", "2018-01-26T%s+08:00" % t,
            "Arrival exactly at %s on the deadline day" % t, raw,
            {"unit": "gaobu", "projects": ["2"], "items": ["2.1"], "late": late}, [("高埗镇发展团员情况.pdf", pdf, None)])

    # 22 mailroom's own receipt arriving in a watched mailbox
    raw = build(hdrs("团市委组织部 <tswzzb3@126.com>", "2219564@163.com", w2047("回执：已收到 石龙镇团委 智慧团建材料"), D, "x22",
                     [("X-Mailroom-Kind", "receipt"), ("Auto-Submitted", "auto-generated")]),
                [text_part("已收到：石龙镇团委 智慧团建工作情况.pdf")], n=22)
    add("x22-own-receipt.eml", "publicity", "2018-01-24T10:00:00+08:00",
        "mailroom's own receipt (X-Mailroom-Kind) in a watched mailbox", raw, {"kind": "other"})

    # 23 substring traps: 广东城市 in the body is not 东城; 大岭山 is not 大朗
    pdf = fake_pdf("dls")
    raw = build(hdrs("dls <dls_youth@qq.test>", "2219564@163.com", w2047("大岭山镇团委志愿服务工作材料"), D, "x23"),
                [text_part("您好，附件是我镇助力广东城市文明建设的志愿服务材料，请查收。"),
                 named("application/pdf", "志愿服务.pdf", pdf)], n=23)
    add("x23-substring-traps.eml", "publicity", "2018-01-24T10:30:00+08:00",
        "Body mentions 广东城市 (contains 东城) and the unit is 大岭山 (not 大朗)", raw,
        {"unit": "dalingshan", "projects": ["5"], "items": ["5.1"], "flags": ["unknown_sender"]}, [("志愿服务.pdf", pdf, None)])

    # 24 homophone typo 麻冲 for 麻涌
    pdf = fake_pdf("mc")
    raw = build(hdrs("mc <mc_2018@qq.test>", "dglxtgw@163.com", w2047("麻冲镇团委外来务工人员服务工作材料"), D, "x24"),
                [text_part("请查收"), named("application/pdf", "服务外来务工人员工作.pdf", pdf)], n=24)
    add("x24-homophone-typo.eml", "liangxin", "2018-01-24T10:40:00+08:00",
        "Unit written with the common typo 麻冲 (for 麻涌)", raw,
        {"unit": "machong", "projects": ["5"], "items": ["5.3"], "flags": ["unknown_sender"]}, [("服务外来务工人员工作.pdf", pdf, None)])

    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(CASES, f, ensure_ascii=False, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
