//! Looks inside one file: what it is (magic bytes first, the name only when
//! the bytes say nothing), whether it opens, zip members, and the overview
//! form in spreadsheets and Word tables.

use super::names::extension;
use super::{FileKind, Form, Limits, archive, cfb, doc, docx, form, protect, sheet};

#[derive(Debug, Default)]
pub(crate) struct Found {
    pub kind: Option<FileKind>,
    pub unreadable: Option<String>,
    pub unopened: Option<String>,
    pub members: Option<Vec<String>>,
    pub suspicious: Option<String>,
    pub forms: Vec<Form>,
    pub unsafe_member: Option<String>,
}

pub(crate) struct Analysis {
    pub kind: FileKind,
    pub unreadable: Option<String>,
    pub unopened: Option<String>,
    pub members: Option<Vec<String>>,
    pub suspicious: Option<String>,
    pub forms: Vec<Form>,
    pub unsafe_member: Option<String>,
}

const CFB_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

pub(crate) fn is_zip(b: &[u8]) -> bool {
    b.starts_with(b"PK\x03\x04") || b.starts_with(b"PK\x05\x06") || b.starts_with(b"PK\x07\x08")
}

fn kind_by_ext(ext: &str) -> FileKind {
    match ext {
        "pdf" => FileKind::Pdf,
        "jpg" | "jpeg" | "png" | "gif" | "bmp" | "tif" | "tiff" | "webp" | "heic" => {
            FileKind::Image
        }
        "zip" => FileKind::Zip,
        "xlsx" | "xlsm" => FileKind::Xlsx,
        "docx" | "docm" => FileKind::Docx,
        "ods" => FileKind::Ods,
        "odt" => FileKind::Odt,
        "xls" | "et" => FileKind::Xls,
        "doc" | "wps" => FileKind::Doc,
        "rar" | "7z" | "gz" | "tgz" | "bz2" | "xz" | "tar" => FileKind::OtherArchive,
        "txt" | "csv" | "htm" | "html" => FileKind::Text,
        "mp4" | "mov" | "avi" | "mp3" | "wav" | "wmv" | "flv" | "m4a" | "amr" => FileKind::Media,
        _ => FileKind::Other,
    }
}

fn kind_by_magic(b: &[u8]) -> Option<FileKind> {
    let k = if b.starts_with(b"%PDF") {
        FileKind::Pdf
    } else if b.starts_with(&[0xFF, 0xD8, 0xFF])
        || b.starts_with(b"\x89PNG")
        || b.starts_with(b"GIF8")
        || b.starts_with(b"BM")
        || b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
        || (b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP"))
    {
        FileKind::Image
    } else if b.starts_with(b"Rar!\x1a\x07")
        || b.starts_with(&[b'7', b'z', 0xBC, 0xAF, 0x27, 0x1C])
        || b.starts_with(&[0x1F, 0x8B])
    {
        FileKind::OtherArchive
    } else if b.get(4..8) == Some(b"ftyp") {
        if b.get(8..12).is_some_and(|t| t == b"heic" || t == b"mif1") {
            FileKind::Image
        } else {
            FileKind::Media
        }
    } else {
        return None;
    };
    Some(k)
}

pub(crate) fn analyse(name: &str, bytes: &[u8], limits: &Limits) -> Analysis {
    let f = analyse_inner(name, bytes, limits, true);
    let ext = extension(name);
    Analysis {
        kind: f.kind.unwrap_or_else(|| kind_by_ext(&ext)),
        unreadable: f.unreadable,
        unopened: f.unopened,
        members: f.members,
        suspicious: f.suspicious,
        forms: f.forms,
        unsafe_member: f.unsafe_member,
    }
}

/// `top` is false for zip members: those are opened for forms only.
pub(crate) fn analyse_inner(name: &str, bytes: &[u8], limits: &Limits, top: bool) -> Found {
    let ext = extension(name);
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut f = Found::default();
    if bytes.is_empty() {
        f.unreadable = Some("the file is empty (0 bytes)".into());
        return f;
    }
    if base.starts_with("~$") && bytes.len() < 4096 && !is_zip(bytes) {
        f.unreadable = Some("an Office lock file (~$…), not the document".into());
        f.kind = Some(FileKind::Other);
        return f;
    }
    if let Some(k) = kind_by_magic(bytes) {
        f.kind = Some(k);
        if k == FileKind::Pdf
            && bytes.len() as u64 <= limits.max_inspect_size
            && protect::pdf_encrypted(bytes)
        {
            f.unreadable = Some(protect::reason("PDF"));
        }
        return f;
    }
    if bytes.len() as u64 > limits.max_inspect_size {
        return f;
    }
    if is_zip(bytes) {
        zip_container(&mut f, &ext, bytes, limits, top);
    } else if bytes.starts_with(CFB_MAGIC) {
        cfb_container(&mut f, &ext, bytes, limits);
    } else if matches!(
        ext.as_str(),
        "xlsx" | "docx" | "xls" | "doc" | "ods" | "et" | "wps" | "zip" | "xlsm" | "docm" | "pdf"
    ) {
        f.unreadable = Some(format!("not a valid .{ext} file (unrecognised content)"));
    }
    f
}

fn zip_container(f: &mut Found, ext: &str, bytes: &[u8], limits: &Limits, top: bool) {
    let scan = match archive::scan(bytes, limits, 0) {
        Ok(s) => s,
        Err(e) => {
            f.kind = Some(match ext {
                "xlsx" | "xlsm" => FileKind::Xlsx,
                "docx" | "docm" => FileKind::Docx,
                "ods" => FileKind::Ods,
                _ => FileKind::Zip,
            });
            f.unreadable = Some(format!("corrupt or truncated zip container: {e}"));
            return;
        }
    };
    let kind = scan.office_kind();
    f.kind = Some(kind);
    if let Some(why) = scan.suspicious.clone() {
        f.suspicious = Some(why);
    }
    if kind == FileKind::Zip {
        f.members = Some(scan.member_paths());
        f.unsafe_member = scan.unsafe_member.clone();
        if scan.encrypted {
            f.unreadable = Some(protect::reason("zip archive"));
            return;
        }
        // Headers can lie about sizes: what a person would unpack must
        // expand no further than declared, at the top level as inside.
        if f.suspicious.is_none()
            && top
            && let Err(why) = archive::verify_actual(bytes, limits)
        {
            f.suspicious = Some(why);
        }
        if f.suspicious.is_none() && top {
            members_forms(f, &scan, bytes, limits);
        }
        return;
    }
    if f.suspicious.is_some() {
        return;
    }
    // calamine and our docx reader decompress on their own: make sure the
    // container does not expand beyond what it declares first.
    if let Err(why) = archive::verify_actual(bytes, limits) {
        f.suspicious = Some(why);
        return;
    }
    match kind {
        FileKind::Xlsx | FileKind::Ods => sheets(f, bytes, kind, limits),
        FileKind::Docx | FileKind::Odt => match docx::read(bytes, kind, limits) {
            Ok(rows) => f.forms.extend(form::find(&rows, None)),
            Err(sheet::Error::Unreadable(e)) => f.unreadable = Some(e),
            Err(sheet::Error::OverBudget(e)) => f.unopened = Some(e),
        },
        _ => {}
    }
}

/// The forms in a spreadsheet, or why it was not read.
fn sheets(f: &mut Found, bytes: &[u8], kind: FileKind, limits: &Limits) {
    match sheet::read(bytes, kind, limits) {
        Ok(sheets) => f
            .forms
            .extend(sheets.iter().filter_map(|s| form::find(s, None))),
        Err(sheet::Error::Unreadable(e)) => f.unreadable = Some(e),
        Err(sheet::Error::OverBudget(e)) => f.unopened = Some(e),
    }
}

fn members_forms(f: &mut Found, scan: &archive::ZipScan, bytes: &[u8], limits: &Limits) {
    for e in scan.entries.iter().filter(|e| !e.dir) {
        let ext = extension(&e.path);
        if !matches!(
            ext.as_str(),
            "xlsx" | "xls" | "et" | "docx" | "ods" | "doc" | "wps"
        ) {
            continue;
        }
        let Ok(data) = archive::read_entry(bytes, e.index, e.size, limits) else {
            continue;
        };
        let inner = analyse_inner(&e.path, &data, limits, false);
        if f.unopened.is_none()
            && let Some(why) = inner.unopened
        {
            f.unopened = Some(format!("member {:?}: {why}", e.path));
        }
        for mut form in inner.forms {
            form.member = Some(e.path.clone());
            f.forms.push(form);
        }
    }
}

fn cfb_container(f: &mut Found, ext: &str, bytes: &[u8], limits: &Limits) {
    let streams = match cfb::stream_names(bytes) {
        Ok(s) => s,
        Err(e) => {
            f.kind = Some(kind_by_ext(ext));
            f.unreadable = Some(format!("corrupt OLE container: {e}"));
            return;
        }
    };
    let has = |n: &str| streams.iter().any(|s| s.eq_ignore_ascii_case(n));
    if has("EncryptedPackage") || has("EncryptionInfo") {
        f.kind = Some(FileKind::EncryptedOffice);
        f.unreadable = Some(protect::reason("Office file (encrypted package)"));
        return;
    }
    if has("Workbook") || has("Book") || matches!(ext, "xls" | "et") {
        f.kind = Some(FileKind::Xls);
        sheets(f, bytes, FileKind::Xls, limits);
        return;
    }
    if has("WordDocument") || matches!(ext, "doc" | "wps") {
        f.kind = Some(FileKind::Doc);
        match doc::read(bytes) {
            Ok(rows) => f.forms.extend(form::find(&rows, None)),
            Err(sheet::Error::Unreadable(e)) => f.unreadable = Some(e),
            Err(sheet::Error::OverBudget(e)) => f.unopened = Some(e),
        }
        return;
    }
    f.kind = Some(FileKind::Other);
}
