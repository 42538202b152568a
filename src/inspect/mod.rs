//! Stage 1 of understanding a message: raw bytes → [`Inspection`], plain
//! data. Pure (no I/O, no config), never panics, never fails: every problem
//! met on the way (broken MIME, unreadable files, zip bombs, path tricks)
//! becomes a [`Problem`] in the result.
//!
//! Files by concern: `mime` walks the mail-parser tree and decides what is
//! material, `headers` decodes the envelope headers, `names` decodes header
//! and filename encodings, `content` looks inside each file (dispatching to
//! `archive`, `sheet`, `docx`, `doc`, `cfb`, `tnef`), `protect` tells a
//! password-protected file from a corrupt one, `form` finds the overview
//! form in table rows, `dsn` reads delivery reports, `links` finds download
//! links.

mod archive;
pub mod auth;
mod budget;
mod cfb;
mod content;
mod cte;
mod doc;
mod docx;
mod dsn;
mod form;
mod headers;
mod links;
mod mime;
pub mod names;
mod protect;
mod sheet;
mod tnef;

use serde::{Deserialize, Serialize};

pub use archive::MemberSink;
pub use links::LINK_PATTERNS;
pub use protect::PASSWORD_PROTECTED;

/// Resource bounds for looking inside attachments. Past any archive bound
/// nothing is extracted and the archive is reported `suspicious_archive`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Limits {
    /// Sum of the uncompressed sizes an archive may declare (and expand to).
    pub max_total_uncompressed: u64,
    /// Compression ratio above which a large entry is a bomb.
    pub max_entry_ratio: u64,
    /// Entries smaller than this are never judged by ratio (a page of blanks
    /// compresses 500:1 and harms nobody).
    pub ratio_min_size: u64,
    /// Entries in one archive.
    pub max_entries: usize,
    /// Levels of archive opened to check their sizes, the attached archive
    /// being level 1: with 2, a zip in a zip is opened, and a zip found in
    /// that one makes the attachment `suspicious_archive`.
    pub max_nesting: usize,
    /// Bytes read from one archive member to look inside it (forms).
    pub max_member_read: u64,
    /// Attachments larger than this are hashed but not opened.
    pub max_inspect_size: u64,
    /// Forwarded messages inside forwarded messages.
    pub max_message_depth: usize,
    /// MIME parts looked at in one message.
    pub max_parts: usize,
    /// Cells read from one spreadsheet when looking for the form.
    pub max_cells: usize,
    /// Cells a spreadsheet may declare or span (its dense grid, summed over
    /// sheets), and entries in its shared-string or format tables, before
    /// it is opened at all (see `budget`).
    pub max_grid_cells: u64,
    /// Characters of body text kept for the classifier. Units name
    /// themselves at the top or in the signature; scanning megabytes of text
    /// (a 30 MB message pasted into the body) would only cost time.
    pub max_body_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_uncompressed: 256 << 20,
            max_entry_ratio: 100,
            ratio_min_size: 1 << 20,
            max_entries: 5000,
            max_nesting: 2,
            max_member_read: 32 << 20,
            max_inspect_size: 64 << 20,
            max_message_depth: 8,
            max_parts: 1000,
            max_cells: 200_000,
            // calamine's cell is 32 bytes: 16 MB of grid per worker at most.
            max_grid_cells: 500_000,
            max_body_chars: 64 * 1024,
        }
    }
}

/// Everything mailroom learned from one raw message.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Inspection {
    pub headers: Headers,
    /// The message's own text (plain, else HTML converted), quotes included.
    pub body_text: String,
    /// Raw HTML of the body parts, for links that only live in `href`s.
    #[serde(skip)]
    pub body_html: String,
    /// Material files, in message order (TNEF and forwarded files included).
    pub attachments: Vec<Attachment>,
    /// Attached `message/rfc822` messages (forwards), outermost first.
    pub forwarded: Vec<Forwarded>,
    /// Download links to cloud storage (QQ/163 大附件, 百度网盘 …).
    pub links: Vec<ExternalLink>,
    pub problems: Vec<Problem>,
    /// Set when the message is a delivery status notification.
    pub dsn: Option<DeliveryReport>,
    /// Content types of parts that were deliberately not material
    /// (signatures, signature logos), for the decision log.
    pub skipped_parts: Vec<String>,
    /// The top level is `multipart/report` (DSN or read receipt).
    pub report_type: Option<String>,
    /// A calendar invitation (text/calendar) was among the parts.
    pub calendar: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Mailbox {
    /// Lower-cased address.
    pub address: String,
    pub name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Headers {
    pub message_id: Option<String>,
    pub subject: String,
    pub from: Option<Mailbox>,
    pub sender: Option<Mailbox>,
    pub reply_to: Vec<Mailbox>,
    pub to: Vec<Mailbox>,
    pub cc: Vec<Mailbox>,
    pub date: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub return_path: Option<String>,
    /// `Return-Path: <>`: the null reverse path of bounces and auto-replies.
    pub return_path_null: bool,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub auto_submitted: Option<String>,
    pub precedence: Option<String>,
    pub list_id: Option<String>,
    pub list_unsubscribe: Option<String>,
    /// X-Autoreply, X-Autorespond, X-Auto-Response-Suppress and similar: (name, value).
    pub auto_headers: Vec<(String, String)>,
    /// Every `X-Mailroom-*` header: mailroom's own outgoing mail.
    pub mailroom: Vec<(String, String)>,
    /// `Authentication-Results` headers, topmost first (see [`auth`]).
    #[serde(default)]
    pub auth_results: Vec<auth::AuthResults>,
}

/// How a material file reached us.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A MIME part of the message itself.
    Part,
    /// A file inside an Outlook `winmail.dat`.
    Tnef,
}

/// What a file is, from its magic bytes (the name only breaks ties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    Pdf,
    Image,
    Zip,
    Xlsx,
    Docx,
    Ods,
    Odt,
    /// BIFF .xls, and WPS .et (same container).
    Xls,
    /// Word 97–2003 .doc or WPS .wps (CFB; text read for the form).
    Doc,
    /// An Office file encrypted with a password (CFB with EncryptedPackage):
    /// a .docx or .xlsx that cannot be told apart without the password.
    EncryptedOffice,
    OtherArchive,
    Text,
    Media,
    Other,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    /// The name exactly as sent, decoded (path components kept).
    pub filename: String,
    /// Set when the part had no name: `filename` is then empty and
    /// `safe_filename` a made-up `partN.ext`.
    pub name_missing: bool,
    pub safe_filename: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    /// The decoded bytes; the caller stores them content-addressed.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub origin: Origin,
    /// Index into [`Inspection::forwarded`] when the file came in a forward.
    pub forwarded: Option<usize>,
    pub inline: bool,
    pub kind: FileKind,
    /// Why the file cannot be opened, when it cannot.
    pub unreadable: Option<String>,
    /// Why the file was not opened though it might be readable: its
    /// structure is beyond the inspection budget.
    #[serde(default)]
    pub unopened: Option<String>,
    /// Zip member paths (non-directory entries, archive order, decoded).
    pub members: Option<Vec<String>>,
    /// Why the archive was not expanded, when it looked abusive.
    pub suspicious: Option<String>,
    /// Overview forms found in the file or its members.
    pub forms: Vec<Form>,
    /// The name (or a member path) would escape a storage directory.
    pub unsafe_name: bool,
}

/// The overview form (工作开展情况表) as found in a spreadsheet or Word table.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Form {
    /// Zip member path when the form was inside an archive.
    pub member: Option<String>,
    /// The 填表单位 value, when filled in.
    pub unit: Option<String>,
    pub rows: Vec<FormRow>,
}

/// One project row of the form.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct FormRow {
    /// （一）..（五） as 1..5, when the row had an ordinal.
    pub ordinal: Option<u8>,
    /// The row's label text (ordinal and project title cells joined).
    pub label: String,
    /// The work-description cell holds something other than blanks or "/".
    pub filled: bool,
    /// What the unit wrote there (cells joined by line breaks, placeholders
    /// dropped), at most `form::MAX_ROW_CHARS` characters, for the
    /// collated forms (`report::forms`). Empty when not filled.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Forwarded {
    pub subject: String,
    pub from: Option<Mailbox>,
    pub date: Option<chrono::DateTime<chrono::FixedOffset>>,
    pub message_id: Option<String>,
    pub body_text: String,
    /// 1 for a forward attached to the message, 2 for one inside that, …
    pub depth: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExternalLink {
    pub provider: String,
    pub url: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    UnreadableAttachment,
    /// A file whose declared or actual structure (cells, shared strings,
    /// repeated rows) is beyond the inspection budget: kept, not opened.
    UnopenedAttachment,
    SuspiciousArchive,
    UnsafeFilename,
    Malformed,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub detail: String,
    /// Index into [`Inspection::attachments`], when about one file.
    pub attachment: Option<usize>,
}

/// A delivery status notification (bounce), for matching to sent receipts.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeliveryReport {
    /// `multipart/report; report-type=delivery-status` rather than plain text.
    pub structured: bool,
    pub original_message_id: Option<String>,
    pub recipients: Vec<DsnRecipient>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DsnRecipient {
    pub address: String,
    pub action: Option<String>,
    pub status: Option<String>,
    pub diagnostic: Option<String>,
}

impl Inspection {
    pub fn has_problem(&self, kind: ProblemKind) -> bool {
        self.problems.iter().any(|p| p.kind == kind)
    }

    pub(crate) fn problem(&mut self, kind: ProblemKind, detail: String, attachment: Option<usize>) {
        let p = Problem {
            kind,
            detail,
            attachment,
        };
        if !self.problems.contains(&p) {
            self.problems.push(p);
        }
    }
}

/// Inspects one raw message. Never panics, never fails: a message that cannot
/// be parsed at all gives an empty inspection with a `malformed` problem.
pub fn inspect(raw: &[u8], limits: &Limits) -> Inspection {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        mime::inspect_raw(raw, limits)
    })) {
        Ok(i) => i,
        Err(_) => {
            // A dependency panicked on hostile input; keep what the headers say.
            let mut i = Inspection::default();
            if let Some(h) = std::panic::catch_unwind(|| headers::headers_only(raw))
                .ok()
                .flatten()
            {
                i.headers = h;
            }
            i.problem(
                ProblemKind::Malformed,
                "the message could not be analysed (parser failure)".into(),
                None,
            );
            i
        }
    }
}

/// What the headers alone say, for a message whose full inspection failed
/// (see `intake::worker`): no part is decoded, no file opened.
pub fn inspect_headers(raw: &[u8]) -> Inspection {
    let mut i = Inspection::default();
    if let Some(h) = std::panic::catch_unwind(|| headers::headers_only(raw))
        .ok()
        .flatten()
    {
        i.headers = h;
    }
    i
}

/// The file members' paths of a zip (decoded, archive order), from its
/// central directory alone; `Err` when it cannot be read.
pub fn zip_member_names(bytes: &[u8], limits: &Limits) -> Result<Vec<String>, String> {
    archive::scan(bytes, limits, 0).map(|s| s.member_paths())
}

/// Hands each file member of a zip attachment (decoded name, bytes) to
/// `each`, read under `limits` exactly as inspection reads them, one in
/// memory at a time; `Err` says why the archive is not unpacked
/// (suspicious, encrypted, broken, or `each` refused).
pub fn zip_members_each(
    bytes: &[u8],
    limits: &Limits,
    each: &mut archive::MemberSink<'_>,
) -> Result<(), String> {
    archive::extract_each(bytes, limits, each)
}

/// Keeps the first and last part of a long text (the signature is at the
/// end), at character boundaries.
pub(crate) fn cap_text(text: String, max_chars: usize) -> String {
    let n = text.chars().count();
    if n <= max_chars {
        return text;
    }
    let head: String = text.chars().take(max_chars / 2).collect();
    let tail: String = text.chars().skip(n - max_chars / 2).collect();
    format!("{head}\n…\n{tail}")
}

#[cfg(test)]
mod cap_tests {
    #[test]
    fn long_text_keeps_its_head_and_tail() {
        let t: String = "甲".repeat(10) + &"x".repeat(1000) + "乙丙";
        let c = super::cap_text(t, 20);
        assert!(c.starts_with("甲甲甲甲甲甲甲甲甲甲"));
        assert!(c.ends_with("乙丙"));
        assert!(c.chars().count() <= 23);
        assert_eq!(super::cap_text("短".into(), 20), "短");
    }
}
