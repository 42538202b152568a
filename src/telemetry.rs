//! Logging for administrators who tail it: `RUST_LOG`-style filtering, a
//! readable format by default, JSON (one object per line) for journald and
//! log shippers. Logs go to stderr; command output goes to stdout.
//!
//! No password or authorisation code reaches the log, at any level, from
//! any crate. Two independent layers, because either alone has a gap:
//! - the protocol transcripts are capped whatever `RUST_LOG` says:
//!   async-imap writes every command, `LOGIN "user" "password"` included,
//!   at TRACE (target `async_imap::imap_stream`), and lettre writes every
//!   line it sends, `AUTH PLAIN <base64>` included, at DEBUG (target
//!   `lettre::transport::smtp::client`). So `async_imap` and `imap_proto`
//!   stop at DEBUG and `lettre` at INFO: those lines are never formatted;
//! - every line is written through [`RedactingMakeWriter`], which replaces
//!   each registered secret, in every form a log line can carry it, with
//!   `***`. Secrets are registered the moment they are read
//!   ([`crate::config::PasswordSource::resolve`], at start-up, on SIGHUP
//!   reload and before each login) together with the login name where one
//!   is known (for the AUTH PLAIN form). This catches what the cap cannot
//!   foresee: a future crate's transcript, an error message quoting a
//!   server's echo, a `{:?}` of the wrong struct.

use std::borrow::Cow;
use std::io::Write;
use std::sync::{LazyLock, RwLock};

use base64::Engine as _;
use clap::ValueEnum;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{FilterExt, LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Layer as _, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Default filter: our INFO lines, and only warnings from the libraries
/// (sqlx would otherwise log every slow statement at INFO). lettre only
/// at ERROR: its connection pool warns about every dropped connection of
/// an outage, once per mail, and the outbox already says it once per
/// account (`outbox::accounts`).
const DEFAULT_FILTER: &str = "info,sqlx=warn,async_imap=warn,lettre=error";

/// What replaces a secret in a log line.
const MASK: &str = "***";

/// The most any `RUST_LOG` can get from the crates that log protocol
/// transcripts (see the module comment for the lines this keeps out).
fn transcript_caps() -> Targets {
    Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_target("async_imap", LevelFilter::DEBUG)
        .with_target("imap_proto", LevelFilter::DEBUG)
        .with_target("lettre", LevelFilter::INFO)
}

pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let filter = filter.and(transcript_caps());
    // Colours only for a person at a terminal, never into journald or a file.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let base = tracing_subscriber::fmt::layer()
        .with_ansi(ansi)
        .with_writer(RedactingMakeWriter);
    // A second init (tests calling into the CLI twice) is harmless: ignore it.
    // try_init also routes the `log` records of async-imap through here.
    let _ = match format {
        LogFormat::Text => tracing_subscriber::registry()
            .with(base.with_target(false).with_filter(filter))
            .try_init(),
        LogFormat::Json => tracing_subscriber::registry()
            .with(
                base.json()
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_filter(filter),
            )
            .try_init(),
    };
}

/// Every form of every registered secret, longest first (so a longer form
/// is masked whole before a shorter one inside it).
static SECRETS: LazyLock<RwLock<Vec<String>>> = LazyLock::new(|| RwLock::new(Vec::new()));

/// Registers a secret (and, with the login name, its AUTH PLAIN form) for
/// redaction from every later log line. Idempotent; cheap to repeat.
pub fn register_secret(login: Option<&str>, secret: &str) {
    if secret.is_empty() {
        return;
    }
    let forms = secret_forms(login, secret);
    let mut all = match SECRETS.write() {
        Ok(g) => g,
        // A panic while holding the lock cannot leave the list half-built
        // in a way that leaks more than before: keep using it.
        Err(poisoned) => poisoned.into_inner(),
    };
    for f in forms {
        if !f.is_empty() && !all.contains(&f) {
            all.push(f);
        }
    }
    all.sort_by_key(|f| std::cmp::Reverse(f.len()));
}

/// The ways a secret appears in bytes that reach a log line:
/// - raw, and as an IMAP quoted string (`\` and `"` escaped, RFC 3501), the
///   way `LOGIN` sends it;
/// - base64 of the password (AUTH LOGIN's second answer) and of
///   `\0login\0password` (AUTH PLAIN, RFC 4616, as lettre builds it);
/// - each text form escaped once or twice more, by JSON (the json log
///   format) or by Rust's `{:?}` (async-imap logs its commands as
///   `{:?}` of the line).
fn secret_forms(login: Option<&str>, secret: &str) -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
    let imap_quoted = secret.replace('\\', "\\\\").replace('"', "\\\"");
    let mut text = vec![secret.to_owned(), imap_quoted];
    for _ in 0..2 {
        let mut more = Vec::new();
        for f in &text {
            more.push(json_escaped(f));
            more.push(f.escape_debug().to_string());
        }
        text.extend(more);
    }
    let mut forms = text;
    forms.push(b64(secret));
    if let Some(user) = login {
        forms.push(b64(&format!("\0{user}\0{secret}")));
        forms.push(b64(&format!("{user}\0{user}\0{secret}")));
    }
    forms.sort();
    forms.dedup();
    forms
}

fn json_escaped(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_owned()
}

/// `line` with every registered secret replaced by `***`.
pub fn redact(line: &str) -> Cow<'_, str> {
    let secrets = match SECRETS.read() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let mut out = Cow::Borrowed(line);
    for s in secrets.iter() {
        if out.contains(s.as_str()) {
            out = Cow::Owned(out.replace(s.as_str(), MASK));
        }
    }
    out
}

/// A `MakeWriter` for stderr that redacts secrets: each event is collected
/// whole and redacted as one string when the event's writer is dropped, so
/// a secret can never straddle two `write` calls.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactingMakeWriter;

impl<'a> MakeWriter<'a> for RedactingMakeWriter {
    type Writer = RedactingWriter;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter { buf: Vec::new() }
    }
}

pub struct RedactingWriter {
    buf: Vec<u8>,
}

impl Write for RedactingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    /// Nothing leaves before the whole event is in: see [`Drop`].
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingWriter {
    fn drop(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let text = String::from_utf8_lossy(&self.buf);
        let clean = redact(&text);
        // Nowhere to report a failed write to stderr; the event is lost.
        let _ = std::io::stderr().lock().write_all(clean.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_encoding_of_a_secret_is_masked() {
        let pw = "Zq\"7\\x-授权码-unit-test";
        let user = "tswzzb3@126.com";
        register_secret(Some(user), pw);
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s.as_bytes());
        let quoted = "Zq\\\"7\\\\x-授权码-unit-test";
        let plain = b64(&format!("\0{user}\0{pw}"));
        let login = b64(pw);
        let lines = [
            format!("password {pw} in clear"),
            format!("A0001 LOGIN \"{user}\" \"{quoted}\""),
            // async-imap's trace line: `{:?}` of the command.
            format!(
                "encode: input: {:?}",
                format!("LOGIN \"{user}\" \"{quoted}\"")
            ),
            format!("Wrote: AUTH PLAIN {plain}\\r\\n"),
            format!("Wrote: {login}\\r\\n"),
            // The json format escapes the message once more.
            serde_json::to_string(&format!("LOGIN \"{user}\" \"{quoted}\"")).expect("json"),
            serde_json::to_string(&format!(
                "encode: input: {:?}",
                format!("LOGIN \"{user}\" \"{quoted}\"")
            ))
            .expect("json"),
        ];
        for l in &lines {
            let r = redact(l);
            assert!(r.contains(MASK), "nothing masked in {l}");
            for leak in ["Zq", "unit-test", &plain, &login] {
                assert!(!r.contains(leak), "{leak} left in {r} (from {l})");
            }
        }
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn the_writer_redacts_whole_events() {
        register_secret(None, "writer-secret-42");
        let mut w = RedactingMakeWriter.make_writer();
        w.write_all(b"half writer-sec").expect("write");
        w.write_all(b"ret-42 half\n").expect("write");
        let text = String::from_utf8_lossy(&w.buf).into_owned();
        assert_eq!(redact(&text), "half *** half\n");
        w.buf.clear();
    }

    #[test]
    fn transcripts_are_capped_whatever_rust_log_says() {
        let caps = transcript_caps();
        assert!(caps.would_enable("async_imap::imap_stream", &tracing::Level::DEBUG));
        assert!(!caps.would_enable("async_imap::imap_stream", &tracing::Level::TRACE));
        assert!(!caps.would_enable("imap_proto::parser", &tracing::Level::TRACE));
        assert!(!caps.would_enable(
            "lettre::transport::smtp::client::async_connection",
            &tracing::Level::DEBUG
        ));
        assert!(caps.would_enable("mailroom::imap", &tracing::Level::TRACE));
    }
}
