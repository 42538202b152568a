//! Outlook's winmail.dat (application/ms-tnef), sent when Outlook is in RTF
//! mode (sample 036): the real files travel inside it. Each attachment starts
//! with attAttachRendData; its bytes are attAttachData, its name the MAPI
//! long filename (Unicode) from attAttachment, else attAttachTitle (8-bit,
//! the sender's code page: GBK on Chinese Windows).

use super::names::decode_8bit;

const SIGNATURE: u32 = 0x223E_9F78;
const LVL_ATTACHMENT: u8 = 2;
const ATT_ATTACH_REND_DATA: u16 = 0x9002;
const ATT_ATTACH_TITLE: u16 = 0x8010;
const ATT_ATTACH_DATA: u16 = 0x800F;
const ATT_ATTACHMENT: u16 = 0x9005;

const PR_ATTACH_DATA_BIN: u16 = 0x3701;
const PR_ATTACH_LONG_FILENAME: u16 = 0x3707;
const PR_ATTACH_FILENAME: u16 = 0x3704;
const PR_DISPLAY_NAME: u16 = 0x3001;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TnefFile {
    pub name: String,
    pub data: Vec<u8>,
}

#[derive(Default)]
struct Pending {
    title: Option<String>,
    long_name: Option<String>,
    short_name: Option<String>,
    display: Option<String>,
    data: Option<Vec<u8>>,
}

impl Pending {
    fn finish(self, n: usize) -> Option<TnefFile> {
        let data = self.data?;
        let name = self
            .long_name
            .or(self.title)
            .or(self.short_name)
            .or(self.display)
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| format!("attachment{n}.bin"));
        Some(TnefFile { name, data })
    }
}

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    b.get(o..o.checked_add(2)?)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    b.get(o..o.checked_add(4)?)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    decode_8bit(&b[..end]).0
}

fn utf16(b: &[u8]) -> String {
    let units: Vec<u16> = b
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16_lossy(&units)
}

/// Files taken from one winmail.dat at most: Outlook puts a handful in;
/// thousands are a way to make mailroom look inside thousands of files.
const MAX_FILES: usize = 200;

/// The files inside a TNEF stream (empty when it is not TNEF or holds
/// none), and why the stream was not read to its end, when it was not.
pub(crate) fn parse(b: &[u8]) -> (Vec<TnefFile>, Option<String>) {
    if u32_at(b, 0) != Some(SIGNATURE) {
        return (Vec::new(), None);
    }
    let mut broken = None;
    let mut out = Vec::new();
    let mut cur: Option<Pending> = None;
    let mut off = 6;
    while off + 9 <= b.len() {
        let level = b[off];
        let (Some(id), Some(len)) = (u32_at(b, off + 1), u32_at(b, off + 5)) else {
            break;
        };
        let start = off + 9;
        let Some(end) = start.checked_add(len as usize).filter(|&e| e <= b.len()) else {
            // Keep what came before; say the rest is unreadable.
            broken = Some(format!(
                "an attribute declares {len} bytes past the end of the file"
            ));
            break;
        };
        let data = &b[start..end];
        let attr = (id & 0xFFFF) as u16;
        if level == LVL_ATTACHMENT {
            match attr {
                ATT_ATTACH_REND_DATA => {
                    if let Some(p) = cur.take().and_then(|p| p.finish(out.len() + 1)) {
                        out.push(p);
                    }
                    if out.len() >= MAX_FILES {
                        broken = Some(format!("more than {MAX_FILES} files inside"));
                        return (out, broken);
                    }
                    cur = Some(Pending::default());
                }
                ATT_ATTACH_TITLE => {
                    cur.get_or_insert_with(Pending::default).title = Some(cstr(data));
                }
                ATT_ATTACH_DATA => {
                    cur.get_or_insert_with(Pending::default).data = Some(data.to_vec());
                }
                ATT_ATTACHMENT => mapi_props(data, cur.get_or_insert_with(Pending::default)),
                _ => {}
            }
        }
        off = end + 2; // checksum
    }
    if let Some(p) = cur.and_then(|p| p.finish(out.len() + 1)) {
        out.push(p);
    }
    (out, broken)
}

/// Reads the MAPI property list of attAttachment for names (and the data
/// when attAttachData is absent).
fn mapi_props(b: &[u8], p: &mut Pending) {
    let Some(count) = u32_at(b, 0) else { return };
    let mut o = 4usize;
    for _ in 0..count.min(4096) {
        let (Some(ptype), Some(pid)) = (u16_at(b, o), u16_at(b, o + 2)) else {
            return;
        };
        o += 4;
        if pid >= 0x8000 {
            // Named property: GUID, kind, then an id or a name.
            o += 16;
            let Some(kind) = u32_at(b, o) else { return };
            o += 4;
            if kind == 0 {
                o += 4;
            } else {
                let Some(n) = u32_at(b, o) else { return };
                o = o.saturating_add(4 + pad4(n as usize));
            }
        }
        let multi = ptype & 0x1000 != 0;
        let base = ptype & !0x1000;
        let values = if multi || is_variable(base) {
            let Some(n) = u32_at(b, o) else { return };
            o += 4;
            n.min(4096)
        } else {
            1
        };
        for _ in 0..values {
            if is_variable(base) {
                let Some(n) = u32_at(b, o) else { return };
                let n = n as usize;
                let Some(v) = b.get(o + 4..(o + 4).saturating_add(n)) else {
                    return;
                };
                match (pid, base) {
                    (PR_ATTACH_LONG_FILENAME, 0x1F) => p.long_name = Some(utf16(v)),
                    (PR_ATTACH_LONG_FILENAME, 0x1E) => p.long_name = Some(cstr(v)),
                    (PR_ATTACH_FILENAME, 0x1F) => p.short_name = Some(utf16(v)),
                    (PR_ATTACH_FILENAME, 0x1E) => p.short_name = Some(cstr(v)),
                    (PR_DISPLAY_NAME, 0x1F) => p.display = Some(utf16(v)),
                    (PR_DISPLAY_NAME, 0x1E) => p.display = Some(cstr(v)),
                    (PR_ATTACH_DATA_BIN, 0x102) if p.data.is_none() => p.data = Some(v.to_vec()),
                    _ => {}
                }
                o = o.saturating_add(4 + pad4(n));
            } else {
                let Some(sz) = fixed_size(base) else { return };
                o = o.saturating_add(sz);
            }
        }
    }
}

fn pad4(n: usize) -> usize {
    n.saturating_add(3) & !3
}

fn is_variable(t: u16) -> bool {
    matches!(t, 0x1E | 0x1F | 0x102 | 0x0D)
}

fn fixed_size(t: u16) -> Option<usize> {
    Some(match t {
        0x02 | 0x03 | 0x04 | 0x0A | 0x0B | 0x01 => 4,
        0x05 | 0x06 | 0x07 | 0x14 | 0x40 => 8,
        0x48 => 16,
        _ => return None,
    })
}

#[cfg(test)]
#[path = "tnef_tests.rs"]
mod tests;
