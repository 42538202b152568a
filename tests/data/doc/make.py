#!/usr/bin/python3
"""Regenerates the fixtures of this folder (committed: LibreOffice output is
not byte-stable, and CI has no office suite). Needs LibreOffice (7.4 tested) with
its Python bridge, olefile for the .wps (on Debian: libreoffice-writer-nogui
libreoffice-calc-nogui python3-uno python3-olefile), and the command
msoffcrypto-tool >= 5.1 (PyPI) on PATH to encrypt the OOXML files. Run with Debian's
python3 (the one uno is built for):

    /usr/bin/python3 tests/data/doc/make.py

Writes:
- form.doc: the overview form (工作开展情况表) as Word 97–2003, filled in for
  projects 1 and 3, "/" for 2, 4 and 5 left empty, a two-paragraph cell, and
  a paragraph after the table naming 青年之声 (an item keyword);
- form.docx: the same document as Word 2007+ (to compare readers);
- form.wps: form.doc's streams repacked with a WpsCustomData stream, as
  Kingsoft WPS Writer saves them;
- protected.doc, protected.xls, protected.docx, protected.xlsx,
  protected.pdf: one small document each, saved with the password "2018".
"""
import os
import struct
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = "2018"

ROWS = [
    ("序号", "考核项目", "工作开展情况"),
    ("（一）", "青少年思想引领及青年人才工作", "组织学习十九大精神宣讲12场。\n覆盖团员青年1500人次。"),
    ("（二）", "推进和落实共青团深化改革工作", "/"),
    ("（三）", "“网上共青团”建设工作", "智慧团建系统录入完成，团员信息完整率98%。"),
    ("（四）", "服务青少年成长发展工作", ""),
    ("（五）", "基层团组织建设工作", ""),
]


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect():
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    pipe = "mailroom_fixtures_%d" % os.getpid()
    proc = subprocess.Popen([
        "soffice", "--headless", "--invisible", "--norestore", "--nologo",
        "-env:UserInstallation=file://" + profile,
        "--accept=pipe,name=%s;urp;" % pipe])
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(60):
        try:
            ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
            break
        except Exception:
            time.sleep(1)
    else:
        proc.kill()
        sys.exit("soffice did not start")
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    return proc, desktop


def writer(desktop, with_form):
    doc = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0, (prop("Hidden", True),))
    text = doc.Text
    cur = text.createTextCursor()
    if not with_form:
        text.insertString(cur, "石排镇团委2017年度智慧团建工作总结", False)
        return doc
    text.insertString(cur, "2017年东莞共青团工作开展情况表", False)
    text.insertControlCharacter(cur, 0, False)  # PARAGRAPH_BREAK
    text.insertString(cur, "填表单位：石排镇团委　　填表时间：2018年1月20日", False)
    text.insertControlCharacter(cur, 0, False)
    table = doc.createInstance("com.sun.star.text.TextTable")
    table.initialize(len(ROWS), len(ROWS[0]))
    text.insertTextContent(cur, table, False)
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            cell = table.getCellByName("%s%d" % ("ABC"[c], r + 1))
            ccur = cell.createTextCursor()
            for i, para in enumerate(value.split("\n")):
                if i:
                    cell.insertControlCharacter(ccur, 0, False)
                cell.insertString(ccur, para, False)
    cur.gotoEnd(False)
    text.insertString(cur, "备注：我镇今年重点推进青年之声平台建设，详见附件。", False)
    return doc


def store(doc, path, filt, extra=()):
    url = uno.systemPathToFileUrl(path)
    doc.storeToURL(url, (prop("FilterName", filt),) + tuple(extra))


def calc(desktop):
    doc = desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0, (prop("Hidden", True),))
    sheet = doc.Sheets.getByIndex(0)
    sheet.getCellByPosition(0, 0).String = "填表单位：石排镇团委"
    sheet.getCellByPosition(0, 1).String = "智慧团建录入情况"
    return doc


def pdf_password():
    data = uno.Any("[]com.sun.star.beans.PropertyValue", (
        prop("EncryptFile", True), prop("DocumentOpenPassword", PASSWORD)))
    return (prop("FilterData", data),)


# ---------------------------------------------------------------- .wps


def cfb(streams):
    """A version-3 compound file holding `streams` (name, bytes), each padded
    to 4096 bytes so no mini stream is needed (as tests/data/hostile/make.py)."""
    SS = 512
    FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    data_sectors, chains, starts = bytearray(), [], []
    for name, data in streams:
        size = len(data)
        data = data + b"\0" * max(0, 4096 - len(data))
        data += b"\0" * (-len(data) % SS)
        first = len(data_sectors) // SS
        n = len(data) // SS
        starts.append((first, max(size, 4096)))
        chains.append(list(range(first, first + n)))
        data_sectors += data
    n_data = len(data_sectors) // SS
    n_dir = (len(streams) + 1 + 3) // 4
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

    def entry(name, typ, child, start, size, right=NOSTREAM):
        nm = (name + "\0").encode("utf-16-le")
        return (nm.ljust(64, b"\0") + struct.pack("<HBB", len(nm), typ, 1)
                + struct.pack("<III", NOSTREAM, right, child) + b"\0" * 36
                + struct.pack("<IQ", start, size))

    dirs = entry("Root Entry", 5, 1, END, 0)
    for i, (name, _) in enumerate(streams):
        start, size = starts[i]
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
    return header + bytes(data_sectors) + dirs + struct.pack("<%dI" % len(fat), *fat)


def wps_from(doc_path, wps_path):
    import olefile
    ole = olefile.OleFileIO(doc_path)
    streams = []
    for path in ole.listdir(streams=True, storages=False):
        if len(path) == 1:
            streams.append((path[0], ole.openstream(path).read()))
    ole.close()
    # What WPS Writer adds: a small stream of its own settings.
    streams.append(("WpsCustomData", "<wps version=\"10.1.0\"/>".encode("utf-16-le")))
    with open(wps_path, "wb") as f:
        f.write(cfb(streams))


def main():
    proc, desktop = connect()
    tmp = tempfile.mkdtemp(prefix="doc-fixtures-")
    try:
        form = writer(desktop, True)
        store(form, os.path.join(HERE, "form.doc"), "MS Word 97")
        store(form, os.path.join(HERE, "form.docx"), "MS Word 2007 XML")
        form.close(True)
        small = writer(desktop, False)
        store(small, os.path.join(HERE, "protected.doc"), "MS Word 97", (prop("Password", PASSWORD),))
        store(small, os.path.join(tmp, "plain.docx"), "MS Word 2007 XML")
        store(small, os.path.join(HERE, "protected.pdf"), "writer_pdf_Export", pdf_password())
        small.close(True)
        sheet = calc(desktop)
        store(sheet, os.path.join(HERE, "protected.xls"), "MS Excel 97", (prop("Password", PASSWORD),))
        store(sheet, os.path.join(tmp, "plain.xlsx"), "Calc MS Excel 2007 XML")
        sheet.close(True)
    finally:
        try:
            desktop.terminate()
        except Exception:
            pass
        proc.wait(timeout=60)
    wps_from(os.path.join(HERE, "form.doc"), os.path.join(HERE, "form.wps"))
    # LibreOffice 7.4 ignores a password when saving OOXML.
    for name in ("docx", "xlsx"):
        subprocess.run(["msoffcrypto-tool", "-e", "-p", PASSWORD, os.path.join(tmp, "plain." + name),
                        os.path.join(HERE, "protected." + name)], check=True)


if __name__ == "__main__":
    main()
