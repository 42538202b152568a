//! The `mailroom` binary: parse the command line, set up logging, hand over
//! to the library.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    // Everything mailroom creates is the campaign's mail: units' files, the
    // ledger, exports. Owner-only, whatever umask the shell or service
    // manager handed down (022 makes it world-readable): the database, its
    // WAL/SHM files, raw/, attachments/, tmp/ and lock files are created by
    // SQLite and several modules, and the umask is the one setting that
    // covers them all, including files a later change adds.
    // SAFETY: umask(2) only swaps the process-wide file-creation mask and
    // cannot fail; no file has been created yet (the runtime's worker
    // threads exist, but run nothing before this body does).
    unsafe {
        libc::umask(0o077);
    }
    let cli = mailroom::cli::Cli::parse();
    mailroom::telemetry::init(cli.log_format);
    mailroom::cli::run(cli).await
}
