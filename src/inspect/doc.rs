//! Word 97–2003 binary documents (.doc) and Kingsoft WPS Writer files
//! (.wps: the same format in the same OLE container, sometimes with a
//! `WpsCustomData` stream): the main document's text as rows for the form
//! finder, like `docx` gives them (table rows as cells, each paragraph
//! outside a table as a one-cell row). As for docx, only the overview form
//! is taken from it: the free text of documents is never evidence for items.
//!
//! The text is found through the FIB (File Information Block) at the start
//! of the `WordDocument` stream and the piece table (the CLX) in the table
//! stream it names (`0Table` or `1Table`, MS-DOC 2.4.1): each piece maps a
//! run of character positions to bytes of `WordDocument`, as 8-bit cp1252
//! ("compressed") or UTF-16. Chinese text is always UTF-16. In the text,
//! `\r` ends a paragraph and `\x07` ends a table cell or, on a row's end
//! mark, the row; which of the two is told by the paragraph properties
//! (PAPX in the FKP pages, sprmPFTtp), and by "a mark right after a cell
//! mark" where those cannot be read.
//!
//! Mail is hostile: every offset and count comes from the file and is only
//! used through `get`, pieces must lie inside the stream and describe no
//! more text than it holds, and at most [`MAX_TEXT_CHARS`] characters are
//! read (the form is at the start of its document).

use super::budget::ReadError;
use super::cfb::Container;
use super::protect;

/// Characters of main text read. A 300-page report is about a million, and
/// a 工作开展情况表 a few thousand; the form, when there is one, comes first.
/// (Two million put a 3 MB crafted .doc 1 MiB over the memory budget.)
pub(crate) const MAX_TEXT_CHARS: usize = 1_000_000;
/// Rows kept, as for docx.
const MAX_ROWS: usize = 100_000;

/// `wIdent` of Word 97 and later; Word 6/95 files carry 0xA5DC.
const WORD97_IDENT: u16 = 0xA5EC;
const WORD95_IDENT: u16 = 0xA5DC;
/// FibBase flags (offset 0x0A).
const F_ENCRYPTED: u16 = 0x0100;
const F_WHICH_TBL_STM: u16 = 0x0200;
/// Size of FibBase; `csw` follows it.
const FIB_BASE: usize = 32;
/// Pairs of FibRgFcLcb97 (MS-DOC 2.5.6) read here.
const PLCF_BTE_PAPX: usize = 13;
const CLX: usize = 33;
/// `ccpText` is the fourth field of FibRgLw97.
const CCP_TEXT: usize = 3;
/// Set in a piece's `fc` when its text is 8-bit (MS-DOC 2.9.73).
const FC_COMPRESSED: u32 = 0x4000_0000;
/// FKP pages are 512 bytes (MS-DOC 2.9.175).
const PAGE: usize = 512;

/// Paragraph sprms that place a paragraph in a table (MS-DOC 2.6.2).
const SPRM_PF_IN_TABLE: u16 = 0x2416;
const SPRM_PF_TTP: u16 = 0x2417;
const SPRM_PF_INNER_TTP: u16 = 0x244C;
const SPRM_P_HUGE_PAPX: u16 = 0x6646;
const SPRM_T_DEF_TABLE: u16 = 0xD608;
const SPRM_P_CHG_TABS: u16 = 0xC615;

fn u16_at(b: &[u8], o: usize) -> Option<u16> {
    b.get(o..o.checked_add(2)?)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], o: usize) -> Option<u32> {
    b.get(o..o.checked_add(4)?)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn unreadable(why: &str) -> ReadError {
    ReadError::Unreadable(format!("corrupt Word document: {why}"))
}

/// What the FIB says about where things are.
struct Fib {
    table: &'static str,
    ccp_text: u32,
    clx: (u32, u32),
    bte_papx: (u32, u32),
}

fn fib(w: &[u8]) -> Result<Fib, ReadError> {
    let ident = u16_at(w, 0).ok_or_else(|| unreadable("no FIB"))?;
    let flags = u16_at(w, 0x0A).ok_or_else(|| unreadable("the FIB is cut short"))?;
    // The FIB itself is never encrypted, so the bit is read even where the
    // rest is ciphertext (RC4 or XOR obfuscation alike).
    if flags & F_ENCRYPTED != 0 {
        return Err(ReadError::Unreadable(protect::reason("Word document")));
    }
    if ident == WORD95_IDENT {
        return Err(ReadError::Unreadable(
            "a Word 6.0/95 document (an older format, not read)".into(),
        ));
    }
    if ident != WORD97_IDENT {
        return Err(unreadable("not a Word 97–2003 FIB"));
    }
    let cut = || unreadable("the FIB is cut short");
    let csw = usize::from(u16_at(w, FIB_BASE).ok_or_else(cut)?);
    let cslw_at = FIB_BASE + 2 + csw * 2;
    let cslw = usize::from(u16_at(w, cslw_at).ok_or_else(cut)?);
    let rg_lw = cslw_at + 2;
    let ccp_text = u32_at(w, rg_lw + CCP_TEXT * 4).ok_or_else(cut)?;
    let cb_at = rg_lw + cslw * 4;
    let pairs = usize::from(u16_at(w, cb_at).ok_or_else(cut)?);
    if pairs <= CLX {
        return Err(unreadable("the FIB has no piece table entry"));
    }
    let rg = cb_at + 2;
    let pair = |i: usize| -> Result<(u32, u32), ReadError> {
        Ok((
            u32_at(w, rg + i * 8).ok_or_else(cut)?,
            u32_at(w, rg + i * 8 + 4).ok_or_else(cut)?,
        ))
    };
    Ok(Fib {
        table: if flags & F_WHICH_TBL_STM != 0 {
            "1Table"
        } else {
            "0Table"
        },
        ccp_text,
        clx: pair(CLX)?,
        bte_papx: pair(PLCF_BTE_PAPX)?,
    })
}

/// `len` bytes at `fc` of a stream, if they are all there.
fn slice(b: &[u8], (fc, len): (u32, u32)) -> Option<&[u8]> {
    let fc = usize::try_from(fc).ok()?;
    let len = usize::try_from(len).ok()?;
    b.get(fc..fc.checked_add(len)?)
}

/// One run of text: characters `cp..cp + len` at byte `offset` of
/// `WordDocument`, one byte (compressed) or two per character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Piece {
    pub offset: usize,
    pub len: usize,
    pub compressed: bool,
}

/// The pieces of the main text (character positions `0..ccp_text`), checked
/// against the stream: each lies inside it, and together they describe no
/// more characters than it has bytes (real pieces never overlap). Only the
/// pieces of the first [`MAX_TEXT_CHARS`] characters are kept.
pub(crate) fn pieces(
    clx: &[u8],
    ccp_text: u32,
    stream_len: usize,
) -> Result<Vec<Piece>, ReadError> {
    // Prc entries (formatting) come first; each says its own size.
    let mut pos = 0usize;
    let plc = loop {
        match clx.get(pos) {
            Some(1) => {
                let cb = u16_at(clx, pos + 1).ok_or_else(|| unreadable("the CLX is cut short"))?;
                pos += 3 + usize::from(cb);
            }
            Some(2) => {
                let lcb = u32_at(clx, pos + 1).ok_or_else(|| unreadable("the CLX is cut short"))?;
                let lcb =
                    usize::try_from(lcb).map_err(|_| unreadable("the piece table is too large"))?;
                break clx
                    .get(pos + 5..(pos + 5).saturating_add(lcb))
                    .ok_or_else(|| unreadable("the piece table runs past the table stream"))?;
            }
            _ => return Err(unreadable("no piece table in the CLX")),
        }
    };
    if plc.len() < 4 || (plc.len() - 4) % 12 != 0 {
        return Err(unreadable("the piece table has a broken length"));
    }
    let n = (plc.len() - 4) / 12;
    let cp = |i: usize| u32_at(plc, i * 4).unwrap_or(0);
    let mut out = Vec::new();
    let mut total = 0usize;
    for i in 0..n {
        let (start, end) = (cp(i), cp(i + 1));
        if end < start {
            return Err(unreadable("the piece table is out of order"));
        }
        if start >= ccp_text {
            break;
        }
        let len = usize::try_from(end.min(ccp_text) - start).unwrap_or(usize::MAX);
        let fc = u32_at(plc, 4 * (n + 1) + 8 * i + 2).unwrap_or(0);
        let compressed = fc & FC_COMPRESSED != 0;
        let (offset, width) = if compressed {
            ((fc & !FC_COMPRESSED) as usize / 2, 1)
        } else {
            (fc as usize, 2)
        };
        let bytes = len.saturating_mul(width);
        if offset.saturating_add(bytes) > stream_len {
            return Err(unreadable("a piece points past the WordDocument stream"));
        }
        total = total.saturating_add(len);
        if total > stream_len {
            return Err(unreadable(
                "the piece table describes more text than the file holds",
            ));
        }
        if len > 0 {
            out.push(Piece {
                offset,
                len,
                compressed,
            });
        }
        // Text past this is not read: keep no pieces for it.
        if total >= MAX_TEXT_CHARS {
            break;
        }
    }
    Ok(out)
}

/// How a paragraph sits in a table, from its properties.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Para {
    in_table: bool,
    /// The row's end mark (TTP): its `\x07` ends the row, not a cell.
    row_end: bool,
}

/// The paragraph properties, looked up per paragraph mark (no table of
/// every paragraph is built: a hostile bin table may list millions).
struct Props<'a> {
    word: &'a [u8],
    /// PlcBtePapx: FCs then page numbers of the FKPs.
    plc: &'a [u8],
    n: usize,
    /// The Data stream, for properties too large for an FKP.
    data: &'a [u8],
}

impl<'a> Props<'a> {
    fn new(word: &'a [u8], table: &'a [u8], fib: &Fib, data: &'a [u8]) -> Props<'a> {
        let plc = slice(table, fib.bte_papx).unwrap_or_default();
        let n = plc.len().saturating_sub(4) / 8;
        Props { word, plc, n, data }
    }

    /// The properties of the paragraph whose mark is at byte `fc`, or `None`
    /// when the bin table or its page does not say.
    fn at(&self, fc: usize) -> Option<Para> {
        let fc = u32::try_from(fc).ok()?;
        // The last bin whose first FC is at or before `fc` (bins are in FC
        // order; a hostile order only gives a wrong answer, never a panic).
        let (mut lo, mut hi) = (0usize, self.n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if u32_at(self.plc, mid * 4)? <= fc {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let bin = lo.checked_sub(1)?;
        let pn = u32_at(self.plc, 4 * (self.n + 1) + 4 * bin)? & 0x003F_FFFF;
        let start = usize::try_from(pn).ok()?.checked_mul(PAGE)?;
        let page = self.word.get(start..start.checked_add(PAGE)?)?;
        let crun = usize::from(*page.get(PAGE - 1)?);
        let rgbx = 4 * (crun + 1);
        let run = (0..crun).find(|&i| {
            let (a, b) = (u32_at(page, 4 * i), u32_at(page, 4 * (i + 1)));
            matches!((a, b), (Some(a), Some(b)) if a <= fc && fc < b)
        })?;
        let b_offset = usize::from(*page.get(rgbx + 13 * run)?) * 2;
        if b_offset == 0 {
            return Some(Para::default());
        }
        // PapxInFkp: a count of 16-bit words, then istd and the sprms.
        let cb = usize::from(*page.get(b_offset)?);
        let (from, len) = if cb != 0 {
            (b_offset + 1, 2 * cb - 1)
        } else {
            (b_offset + 2, 2 * usize::from(*page.get(b_offset + 1)?))
        };
        let grpprl = page.get(from..from + len)?.get(2..)?;
        Some(self.sprms(grpprl, true))
    }

    fn sprms(&self, mut g: &[u8], follow_huge: bool) -> Para {
        let mut p = Para::default();
        while let Some(sprm) = u16_at(g, 0) {
            g = g.get(2..).unwrap_or_default();
            let len = match sprm >> 13 {
                0 | 1 => 1,
                2 | 4 | 5 => 2,
                3 => 4,
                7 => 3,
                _ if sprm == SPRM_T_DEF_TABLE => {
                    u16_at(g, 0).map_or(usize::MAX, |c| usize::from(c) + 1)
                }
                _ if sprm == SPRM_P_CHG_TABS && g.first() == Some(&255) => break,
                _ => g.first().map_or(usize::MAX, |&c| usize::from(c) + 1),
            };
            let Some(operand) = g.get(..len) else { break };
            let on = operand.first().is_some_and(|&v| v != 0);
            match sprm {
                SPRM_PF_IN_TABLE => p.in_table = on,
                SPRM_PF_TTP => p.row_end = on,
                // A nested table's row end is a paragraph mark, not `\x07`;
                // its rows stay lines of the outer cell.
                SPRM_PF_INNER_TTP => {}
                SPRM_P_HUGE_PAPX if follow_huge => {
                    if let Some(huge) = u32_at(operand, 0)
                        .and_then(|o| usize::try_from(o).ok())
                        .and_then(|o| {
                            let cb = usize::from(u16_at(self.data, o)?);
                            self.data.get(o + 2..o + 2 + cb)
                        })
                    {
                        let h = self.sprms(huge, false);
                        p.in_table |= h.in_table;
                        p.row_end |= h.row_end;
                    }
                }
                _ => {}
            }
            g = g.get(len..).unwrap_or_default();
        }
        p
    }
}

/// Windows-1252 for 0x80..=0x9F (MS-DOC 2.9.73: Word reads 8-bit pieces
/// as cp1252); the rest of the byte range is Latin-1.
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
];

fn cp1252(b: u8) -> u16 {
    match b {
        0x80..=0x9F => CP1252_HIGH
            .get(usize::from(b - 0x80))
            .copied()
            .unwrap_or(0xFFFD),
        _ => u16::from(b),
    }
}

/// Rows as the text is read, like `docx`'s state.
#[derive(Default)]
struct Rows {
    rows: Vec<Vec<String>>,
    row: Vec<String>,
    cell: String,
    para: String,
    /// Fields open (0x13 … 0x14 … 0x15): true once past the separator,
    /// where the shown result is; the code before it is not text.
    fields: Vec<bool>,
    /// Nothing but a cell mark since the last mark (for the fallback row
    /// rule: a row's end mark follows its last cell's mark directly; an
    /// empty cell does too, which is why the properties are asked first).
    after_cell: bool,
}

impl Rows {
    fn in_code(&self) -> bool {
        self.fields.iter().any(|result| !result)
    }

    fn push_char(&mut self, c: char) {
        if !self.in_code() {
            self.para.push(c);
        }
        self.after_cell = false;
    }

    /// A paragraph mark, `\r`.
    fn paragraph(&mut self, para: Option<Para>) {
        let text = std::mem::take(&mut self.para);
        let in_table = para.map_or(!self.row.is_empty() || !self.cell.is_empty(), |p| {
            p.in_table
        });
        if in_table {
            self.cell.push_str(&text);
            self.cell.push('\n');
        } else if !text.trim().is_empty() {
            self.rows.push(vec![text]);
        }
        self.after_cell = false;
    }

    /// A `\x07`: the end of a cell, or of a row.
    fn mark(&mut self, para: Option<Para>) {
        let row_end = para.map_or(self.after_cell, |p| p.row_end);
        let text = std::mem::take(&mut self.para);
        if row_end {
            if !self.row.is_empty() {
                self.rows.push(std::mem::take(&mut self.row));
            }
            self.cell.clear();
            self.after_cell = false;
        } else {
            self.cell.push_str(&text);
            let cell = std::mem::take(&mut self.cell);
            self.row.push(cell.trim_end_matches('\n').to_owned());
            self.after_cell = true;
        }
    }

    fn finish(mut self) -> Vec<Vec<String>> {
        if !self.para.trim().is_empty() {
            let text = std::mem::take(&mut self.para);
            if self.row.is_empty() {
                self.rows.push(vec![text]);
            } else {
                self.cell.push_str(&text);
            }
        }
        if !self.cell.is_empty() {
            self.row.push(std::mem::take(&mut self.cell));
        }
        if !self.row.is_empty() {
            self.rows.push(self.row);
        }
        self.rows
    }

    /// One UTF-16 code unit of text at byte `fc`; `None` once enough rows.
    fn unit(&mut self, c: char, fc: usize, props: &Props<'_>) -> Option<()> {
        match c {
            '\r' => self.paragraph(props.at(fc)),
            '\u{7}' => self.mark(props.at(fc)),
            // Page and section breaks end a paragraph outside any table.
            '\u{c}' => self.paragraph(Some(Para::default())),
            '\u{13}' => self.fields.push(false),
            '\u{14}' => {
                if let Some(top) = self.fields.last_mut() {
                    *top = true;
                }
            }
            '\u{15}' => {
                self.fields.pop();
            }
            '\t' => self.push_char(' '),
            '\u{b}' => self.push_char('\n'),
            '\u{1e}' => self.push_char('-'),
            // Anchors of pictures, drawings, notes and other marks.
            c if c < ' ' => {}
            c => self.push_char(c),
        }
        (self.rows.len() < MAX_ROWS).then_some(())
    }
}

/// The text of `pieces` as rows, at most [`MAX_TEXT_CHARS`] characters.
fn text_rows(word: &[u8], pieces: &[Piece], props: &Props<'_>) -> Vec<Vec<String>> {
    let mut r = Rows::default();
    let mut budget = MAX_TEXT_CHARS;
    'pieces: for p in pieces {
        let n = p.len.min(budget);
        budget -= n;
        if p.compressed {
            for i in 0..n {
                let Some(&b) = word.get(p.offset + i) else {
                    break;
                };
                let c = char::from_u32(u32::from(cp1252(b))).unwrap_or('\u{FFFD}');
                if r.unit(c, p.offset + i, props).is_none() {
                    break 'pieces;
                }
            }
        } else {
            let units = (0..n).filter_map(|i| u16_at(word, p.offset + 2 * i));
            let mut fc = p.offset;
            for c in char::decode_utf16(units) {
                let c = c.unwrap_or('\u{FFFD}');
                if r.unit(c, fc, props).is_none() {
                    break 'pieces;
                }
                fc += 2 * c.len_utf16();
            }
        }
        if budget == 0 {
            break;
        }
    }
    r.finish()
}

/// Rows for the form finder from a .doc or .wps file, or why there are none.
pub(crate) fn read(bytes: &[u8]) -> Result<Vec<Vec<String>>, ReadError> {
    let container = Container::parse(bytes)
        .map_err(|e| ReadError::Unreadable(format!("corrupt OLE container: {e}")))?;
    let word = container
        .stream("WordDocument")
        .map_err(|e| unreadable(&e))?;
    let fib = fib(&word)?;
    let table = container.stream(fib.table).map_err(|e| unreadable(&e))?;
    let clx = slice(&table, fib.clx)
        .ok_or_else(|| unreadable("the piece table lies outside the table stream"))?;
    let pieces = pieces(clx, fib.ccp_text, word.len())?;
    // Only needed for very large paragraph properties; its absence is fine.
    let data = container.stream("Data").unwrap_or_default();
    let props = Props::new(&word, &table, &fib, &data);
    Ok(text_rows(&word, &pieces, &props))
}

#[cfg(test)]
#[path = "doc_tests.rs"]
mod tests;
