//! Password protection, told apart from damage: an encrypted file is
//! flagged `unreadable_attachment` like a corrupt one, but with the reason
//! [`PASSWORD_PROTECTED`], so the unit can be asked for an unprotected copy
//! rather than a re-export. Recognised here: a PDF whose trailer names an
//! `/Encrypt` dictionary, and a BIFF workbook (.xls, WPS .et) with a
//! FILEPASS record. Encrypted OOXML (an OLE file with `EncryptionInfo` and
//! `EncryptedPackage`) is recognised in `content` by its stream names, and
//! an encrypted .doc/.wps by its FIB in `doc`.
//!
//! Only structure is read, never decrypted, and every scan is linear in the
//! file with a bounded number of windows.

use memchr::memmem;

/// The start of the reason given for every password-protected file (the
/// receipt's wording keys on it).
pub const PASSWORD_PROTECTED: &str = "设置了密码";

/// The unreadable reason for a password-protected file of this kind.
pub(crate) fn reason(what: &str) -> String {
    format!("{PASSWORD_PROTECTED} ({what} with a password: cannot be opened)")
}

/// Trailer keywords or cross-reference streams looked at. Each incremental
/// save adds one; a real file has a handful, a hostile one may repeat the
/// word millions of times.
const MAX_TRAILERS: usize = 256;
/// Bytes of a trailer dictionary looked at. Trailers hold a few keys.
const TRAILER_WINDOW: usize = 4096;

/// A PDF with an encryption dictionary: the trailer (classic
/// cross-reference table) or the cross-reference stream's dictionary
/// (PDF 1.5+, where there is no `trailer` keyword) has an `/Encrypt` key.
/// Every trailer is looked at: a linearized file has one at the start, and
/// each incremental update one more.
pub(crate) fn pdf_encrypted(b: &[u8]) -> bool {
    let trailers = memmem::find_iter(b, b"trailer")
        .take(MAX_TRAILERS)
        .any(|at| {
            let from = at + b"trailer".len();
            let to = from.saturating_add(TRAILER_WINDOW).min(b.len());
            let dict = b.get(from..to).unwrap_or_default();
            let dict = match memmem::find(dict, b"startxref") {
                Some(end) => dict.get(..end).unwrap_or_default(),
                None => dict,
            };
            has_encrypt_key(dict)
        });
    trailers
        || memmem::find_iter(b, b"/XRef")
            .take(MAX_TRAILERS)
            .any(|at| has_encrypt_key(xref_stream_dict(b, at)))
}

/// The dictionary of the cross-reference stream around `at`: from its
/// `obj` keyword to its `stream` keyword, within a window either side.
fn xref_stream_dict(b: &[u8], at: usize) -> &[u8] {
    let lo = at.saturating_sub(TRAILER_WINDOW);
    let hi = at.saturating_add(TRAILER_WINDOW).min(b.len());
    let before = b.get(lo..at).unwrap_or_default();
    let start = memmem::rfind(before, b"obj").map_or(lo, |i| lo + i);
    let after = b.get(at..hi).unwrap_or_default();
    let end = memmem::find(after, b"stream").map_or(hi, |i| at + i);
    b.get(start..end).unwrap_or_default()
}

/// `/Encrypt` as a whole name: followed by white space or a delimiter, so
/// `/EncryptMetadata` (inside an encryption dictionary) does not count.
fn has_encrypt_key(dict: &[u8]) -> bool {
    memmem::find_iter(dict, b"/Encrypt").any(|i| {
        dict.get(i + b"/Encrypt".len()).is_some_and(|c| {
            c.is_ascii_whitespace()
                || matches!(
                    c,
                    b'\0' | b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
                )
        })
    })
}

/// BIFF record types (MS-XLS 2.3).
const FILEPASS: u16 = 0x002F;
const EOF: u16 = 0x000A;

/// A BIFF workbook stream whose globals carry a FILEPASS record: the rest of
/// the stream is encrypted (RC4 or XOR obfuscation alike). FILEPASS comes
/// right after the first BOF; the walk stops at the globals' EOF.
pub(crate) fn xls_encrypted(stream: &[u8]) -> bool {
    let mut pos = 0usize;
    while let Some(head) = stream.get(pos..pos + 4) {
        let typ = u16::from_le_bytes([head[0], head[1]]);
        let len = usize::from(u16::from_le_bytes([head[2], head[3]]));
        match typ {
            FILEPASS => return true,
            EOF => return false,
            _ => pos += 4 + len,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_trailer_with_encrypt_is_protected() {
        let classic = b"%PDF-1.4\n1 0 obj<<>>endobj\nxref\n0 1\ntrailer\n<< /Size 3 /Root 1 0 R /Encrypt 2 0 R /ID [<ab><ab>] >>\nstartxref\n9\n%%EOF\n";
        assert!(pdf_encrypted(classic));
        let xref_stream = b"%PDF-1.7\n9 0 obj\n<</Type/XRef/Size 10/Encrypt 8 0 R/W[1 2 1]/Length 3>>stream\nxyz\nendstream\nendobj\nstartxref\n9\n%%EOF";
        assert!(pdf_encrypted(xref_stream));
    }

    #[test]
    fn pdf_without_encrypt_key_is_not() {
        let plain =
            b"%PDF-1.4\n1 0 obj<</EncryptMetadata false>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";
        assert!(!pdf_encrypted(plain));
        // The word in page text, outside any trailer.
        assert!(!pdf_encrypted(b"%PDF-1.4\n(/Encrypt ) Tj\ntrailer<<>>\n"));
        assert!(!pdf_encrypted(b"%PDF-1.4\ntrailer<</Encrypt"));
    }

    #[test]
    fn xls_filepass_in_globals() {
        let rec = |t: u16, d: &[u8]| {
            let mut v = t.to_le_bytes().to_vec();
            v.extend((d.len() as u16).to_le_bytes());
            v.extend(d);
            v
        };
        let mut s = rec(0x0809, &[0; 16]);
        s.extend(rec(FILEPASS, &[1, 0, 1, 0]));
        assert!(xls_encrypted(&s));
        let mut s = rec(0x0809, &[0; 16]);
        s.extend(rec(EOF, &[]));
        s.extend(rec(FILEPASS, &[]));
        assert!(!xls_encrypted(&s), "only the globals count");
        assert!(!xls_encrypted(&[0x09, 0x08, 0xFF]));
    }
}
