//! Content-Transfer-Encoding, redone from the raw part bytes: lenient
//! base64 and quoted-printable, and the check for a body declared 7bit/8bit
//! that is really base64 (PHPMailer OA system, sample 031).

use base64::Engine as _;

use super::names::{self, LENIENT_B64};

pub(crate) fn trim_crlf(b: &[u8]) -> &[u8] {
    let mut e = b.len();
    while e > 0 && matches!(b[e - 1], b'\r' | b'\n') {
        e -= 1;
    }
    &b[..e]
}

pub(crate) fn b64(raw: &[u8]) -> Option<Vec<u8>> {
    let clean: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let trimmed = {
        let mut e = clean.len();
        while e > 0 && clean[e - 1] == b'=' {
            e -= 1;
        }
        &clean[..e]
    };
    LENIENT_B64.decode(trimmed).ok().or_else(|| {
        // Some gateways append a signature line after the base64 block.
        let only: Vec<u8> = trimmed
            .iter()
            .copied()
            .filter(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
            .collect();
        LENIENT_B64.decode(only).ok()
    })
}

/// Whether a body declared 7bit/8bit is really base64 text (PHPMailer OA, 031).
pub(crate) fn looks_base64(b: &[u8]) -> bool {
    let mut letters = 0usize;
    for line in b.split(|&c| c == b'\n') {
        let line = trim_crlf(line);
        if line.len() > 200 {
            return false;
        }
        for (i, &c) in line.iter().enumerate() {
            let ok = c.is_ascii_alphanumeric()
                || c == b'+'
                || c == b'/'
                || (c == b'=' && line[i..].iter().all(|&x| x == b'='));
            if !ok {
                return false;
            }
            letters += 1;
        }
    }
    letters >= 16
}

pub(crate) fn qp(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        let c = raw[i];
        if c == b'=' {
            match (raw.get(i + 1), raw.get(i + 2)) {
                (Some(b'\r'), Some(b'\n')) => i += 3,
                (Some(b'\n'), _) => i += 2,
                (Some(&h), Some(&l)) => match (names::hex(h), names::hex(l)) {
                    (Some(h), Some(l)) => {
                        out.push(h << 4 | l);
                        i += 3;
                    }
                    _ => {
                        out.push(c);
                        i += 1;
                    }
                },
                _ => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    let trimmed = trim_crlf(&out).len();
    out.truncate(trimmed);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_declared_as_8bit_is_recognised() {
        let body = b"JVBERi0xLjMKJenr8b8KMSAwIG9iago8PAovQ291bnQgMQovS2lkcyBbMyAwIFJdCi9NZWRpYUJv\r\neCBbMCAwIDU5NS4yOCA4NDEuODldCi9UeXBlIC9QYWdlcwo+PgplbmRvYmoK";
        assert!(looks_base64(body));
        assert!(b64(body).is_some_and(|b| b.starts_with(b"%PDF")));
        assert!(!looks_base64("附件是材料".as_bytes()));
        assert!(!looks_base64(b"%PDF-1.4 binary"));
    }

    #[test]
    fn quoted_printable_soft_breaks_and_hex() {
        assert_eq!(qp(b"a=3Db=\r\nc\r\n"), b"a=bc");
        assert_eq!(qp(b"=E5=9B=A2"), "团".as_bytes());
        assert_eq!(qp(b"bad=ZZ"), b"bad=ZZ");
    }
}
