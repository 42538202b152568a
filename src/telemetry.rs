//! Logging for administrators who tail it: `RUST_LOG`-style filtering, a
//! readable format by default, JSON (one object per line) for journald and
//! log shippers. Logs go to stderr; command output goes to stdout.

use clap::ValueEnum;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Default filter: our INFO lines, and only warnings from the libraries
/// (sqlx would otherwise log every slow statement at INFO).
const DEFAULT_FILTER: &str = "info,sqlx=warn,async_imap=warn,lettre=warn";

pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    // Colours only for a person at a terminal, never into journald or a file.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    // A second init (tests calling into the CLI twice) is harmless: ignore it.
    let _ = match format {
        LogFormat::Text => builder.with_target(false).try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
