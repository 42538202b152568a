//! The `mailroom` binary: parse the command line, set up logging, hand over
//! to the library.

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = mailroom::cli::Cli::parse();
    mailroom::telemetry::init(cli.log_format);
    mailroom::cli::run(cli).await
}
