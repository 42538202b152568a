//! Zip archives: member names (GBK without the UTF-8 flag from WinRAR/360压缩,
//! UTF-8 without the flag from macOS), and the anti-bomb checks. Sizes
//! declared in the central directory are judged first; actual decompression
//! always goes through `Read::take`, so a lying header cannot blow up memory.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::names::{decode_8bit, is_unsafe_path};
use super::{FileKind, Limits};

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub index: usize,
    pub path: String,
    pub dir: bool,
    pub size: u64,
    #[allow(dead_code)] // kept for the decision log and debugging
    pub compressed: u64,
}

#[derive(Debug, Default)]
pub(crate) struct ZipScan {
    pub entries: Vec<Entry>,
    pub suspicious: Option<String>,
    pub unsafe_member: Option<String>,
    pub mimetype: Option<String>,
    /// Some member is password-protected (ZipCrypto or AES): names are
    /// visible, contents are not.
    pub encrypted: bool,
}

impl ZipScan {
    pub fn member_paths(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| !e.dir)
            .map(|e| e.path.clone())
            .collect()
    }

    fn has(&self, path: &str) -> bool {
        self.entries.iter().any(|e| e.path == path)
    }

    /// Office Open XML and OpenDocument files are zips with a known layout.
    pub fn office_kind(&self) -> FileKind {
        if self.has("[Content_Types].xml") {
            if self.entries.iter().any(|e| e.path.starts_with("xl/")) {
                return FileKind::Xlsx;
            }
            if self.has("word/document.xml") {
                return FileKind::Docx;
            }
        }
        match self.mimetype.as_deref() {
            Some("application/vnd.oasis.opendocument.spreadsheet") => FileKind::Ods,
            Some("application/vnd.oasis.opendocument.text") => FileKind::Odt,
            _ => FileKind::Zip,
        }
    }
}

/// Member names: UTF-8 when the bytes are valid UTF-8 (flag set, or macOS
/// Archive Utility which does not set it), else GBK/GB18030 (Windows tools).
pub(crate) fn member_name(raw: &[u8]) -> String {
    decode_8bit(raw).0
}

/// Reads the central directory and judges the declared sizes.
pub(crate) fn scan(bytes: &[u8], limits: &Limits, depth: usize) -> Result<ZipScan, String> {
    let mut za = ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut out = ZipScan::default();
    let n = za.len();
    if n > limits.max_entries {
        out.suspicious = Some(format!("{n} entries (more than {})", limits.max_entries));
    }
    let mut total: u64 = 0;
    for i in 0..n.min(limits.max_entries.saturating_add(1)) {
        let Ok(f) = za.by_index_raw(i) else {
            continue;
        };
        let path = member_name(f.name_raw());
        let dir = f.is_dir() || path.ends_with('/') || path.ends_with('\\');
        out.encrypted |= !dir && f.encrypted();
        let (size, compressed) = (f.size(), f.compressed_size());
        total = total.saturating_add(size);
        if out.suspicious.is_none()
            && size >= limits.ratio_min_size
            && size / compressed.max(1) > limits.max_entry_ratio
        {
            out.suspicious = Some(format!(
                "member {path:?} declares {size} bytes from {compressed} (ratio {}:1, limit {}:1)",
                size / compressed.max(1),
                limits.max_entry_ratio
            ));
        }
        if out.unsafe_member.is_none()
            && (is_unsafe_path(&path) || crate::clean::has_unsafe_chars(&path))
        {
            out.unsafe_member = Some(path.clone());
        }
        out.entries.push(Entry {
            index: i,
            path,
            dir,
            size,
            compressed,
        });
    }
    if out.suspicious.is_none() && total > limits.max_total_uncompressed {
        out.suspicious = Some(format!(
            "declares {total} bytes uncompressed (limit {})",
            limits.max_total_uncompressed
        ));
    }
    if let Some(e) = out.entries.iter().find(|e| e.path == "mimetype")
        && e.size < 200
        && let Ok(b) = read_entry(bytes, e.index, e.size, limits)
    {
        out.mimetype = Some(String::from_utf8_lossy(&b).trim().to_owned());
    }
    // Archives inside the archive count toward the total (42.zip style).
    // Archives are opened `max_nesting` levels deep (the attachment is
    // level 1): an archive in the last opened level is refused rather than
    // passed unseen (42.zip nests six levels of small zips).
    if out.suspicious.is_none()
        && depth + 1 >= limits.max_nesting
        && let Some(e) = out
            .entries
            .iter()
            .find(|e| !e.dir && is_archive_name(&e.path))
    {
        out.suspicious = Some(format!(
            "archive {:?} nested more than {} levels deep",
            e.path, limits.max_nesting
        ));
    }
    if out.suspicious.is_none() && depth + 1 < limits.max_nesting {
        let mut nested_total = total;
        for e in out.entries.clone().iter().filter(|e| !e.dir) {
            if !is_archive_name(&e.path) {
                continue;
            }
            let inner = match read_entry(bytes, e.index, e.size, limits) {
                Ok(b) => b,
                Err(ReadError::TooBig(why)) => {
                    out.suspicious = Some(why);
                    break;
                }
                Err(ReadError::Broken) => continue,
            };
            match scan(&inner, limits, depth + 1) {
                Ok(s) => {
                    if let Some(why) = s.suspicious {
                        out.suspicious = Some(format!("nested archive {:?}: {why}", e.path));
                        break;
                    }
                    nested_total =
                        nested_total.saturating_add(s.entries.iter().map(|x| x.size).sum::<u64>());
                    if nested_total > limits.max_total_uncompressed {
                        out.suspicious = Some(format!(
                            "nested archives expand to more than {} bytes",
                            limits.max_total_uncompressed
                        ));
                        break;
                    }
                }
                Err(_) => continue,
            }
        }
    }
    Ok(out)
}

/// Archives mailroom opens (zip); other archive formats are kept as files.
fn is_archive_name(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".zip")
}

#[derive(Debug)]
pub(crate) enum ReadError {
    /// The entry expands past its declared size or the read limit.
    TooBig(String),
    Broken,
}

/// Decompresses one entry, never past min(declared size, member read limit).
pub(crate) fn read_entry(
    bytes: &[u8],
    index: usize,
    declared: u64,
    limits: &Limits,
) -> Result<Vec<u8>, ReadError> {
    if declared > limits.max_member_read {
        return Err(ReadError::TooBig(format!(
            "member declares {declared} bytes, more than the read limit"
        )));
    }
    let mut za = ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::Broken)?;
    let f = za.by_index(index).map_err(|_| ReadError::Broken)?;
    let mut out = Vec::with_capacity(declared.min(1 << 20) as usize);
    f.take(declared.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| {
            if expands_too_far(&e) {
                ReadError::TooBig("a member expands beyond its declared size".into())
            } else {
                ReadError::Broken
            }
        })?;
    if out.len() as u64 > declared {
        return Err(ReadError::TooBig(
            "a member expands beyond its declared size".into(),
        ));
    }
    Ok(out)
}

/// zip 9 itself stops a member at its declared size with this error; our
/// own `take` is the second line of defence.
fn expands_too_far(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::InvalidData && e.to_string().contains("declared")
}

/// A reader over one member's decompressed bytes, never past its declared
/// size nor `max_member_read`: for parsers that stream (quick-xml), so a
/// large part is never held in memory whole.
pub(crate) fn stream_entry<'a>(
    za: &'a mut ZipArchive<Cursor<&[u8]>>,
    path: &str,
    limits: &Limits,
) -> Option<impl Read + 'a> {
    let index = za.index_for_name(path)?;
    let f = za.by_index(index).ok()?;
    let cap = f.size().min(limits.max_member_read);
    Some(f.take(cap))
}

/// Decompresses every entry into nothing, checking that none expands past
/// its declared size: done before handing an xlsx/docx to a library.
pub(crate) fn verify_actual(bytes: &[u8], limits: &Limits) -> Result<(), String> {
    let Ok(mut za) = ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(()); // the reader will report it as unreadable
    };
    let mut total: u64 = 0;
    for i in 0..za.len().min(limits.max_entries) {
        let Ok(f) = za.by_index(i) else {
            continue;
        };
        let declared = f.size();
        let mut sink = std::io::sink();
        let n = match std::io::copy(&mut f.take(declared.saturating_add(1)), &mut sink) {
            Ok(n) => n,
            Err(e) if expands_too_far(&e) => {
                return Err("a member expands beyond its declared size".into());
            }
            Err(_) => continue,
        };
        if n > declared {
            return Err("a member expands beyond its declared size".into());
        }
        total = total.saturating_add(n);
        if total > limits.max_total_uncompressed {
            return Err(format!(
                "expands to more than {} bytes",
                limits.max_total_uncompressed
            ));
        }
    }
    Ok(())
}

/// Receives each unpacked member (name, bytes); `Err` stops the unpacking.
pub type MemberSink<'a> = dyn FnMut(&str, &[u8]) -> Result<(), String> + 'a;

/// Hands every file member of a zip (decoded name, bytes) to `each`, one
/// at a time, for unpacking into the materials tree: under the same bounds
/// as inspection (the archive is scanned and judged first; each member
/// read through [`read_entry`]; the total capped), holding one member in
/// memory at most. Refused (with the reason) when the archive is
/// suspicious or encrypted, a member cannot be read, or `each` fails: the
/// caller then keeps the zip whole.
pub(crate) fn extract_each(
    bytes: &[u8],
    limits: &Limits,
    each: &mut MemberSink<'_>,
) -> Result<(), String> {
    let scan = scan(bytes, limits, 0)?;
    if let Some(why) = scan.suspicious {
        return Err(why);
    }
    if scan.encrypted {
        return Err("password-protected members".into());
    }
    let mut total: u64 = 0;
    for e in scan.entries.iter().filter(|e| !e.dir) {
        let data = read_entry(bytes, e.index, e.size, limits).map_err(|err| match err {
            ReadError::TooBig(why) => why,
            ReadError::Broken => format!("member {:?} cannot be read", e.path),
        })?;
        total = total.saturating_add(data.len() as u64);
        if total > limits.max_total_uncompressed {
            return Err("expands past the total limit".into());
        }
        each(&e.path, &data)?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "archive_tests.rs"]
mod tests;
