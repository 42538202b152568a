//! The `mailroom` binary: parse the command line, set up logging, hand over
//! to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // Everything mailroom creates is the campaign's mail: units' files, the
    // ledger, exports. Owner-only, whatever umask the shell or service
    // manager handed down (022 makes it world-readable): the database, its
    // WAL/SHM files, raw/, tmp/ and lock files are created by
    // SQLite and several modules, and the umask is the one setting that
    // covers them all, including files a later change adds.
    // SAFETY: umask(2) only swaps the process-wide file-creation mask and
    // cannot fail; no thread exists yet.
    unsafe {
        libc::umask(0o077);
    }
    let cli = mailroom::cli::Cli::parse();
    if matches!(cli.command, mailroom::cli::Command::InspectWorker) {
        // The inspection worker is single-threaded and needs neither the
        // runtime nor logging (see `intake::worker`).
        return mailroom::intake::worker::serve();
    }
    mailroom::telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("mailroom: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(mailroom::cli::run(cli))
}
