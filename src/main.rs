//! The `mailroom` binary: parse the command line, set up logging, hand over
//! to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
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
