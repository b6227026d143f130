//! The `scholargraph` binary: parses the command line, sets up logging and
//! the runtime, runs the command, and turns an error into a message and a
//! non-zero exit code.
use std::process::ExitCode;

use clap::Parser;
use scholargraph::cli::{self, Cli};
use scholargraph::telemetry;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let telemetry = telemetry::init(cli.log_format, cli.otlp_endpoint.as_deref());
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    let code = match runtime.block_on(cli::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            // `{:#}` prints the whole context chain on one line.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    };
    drop(runtime);
    telemetry.shutdown();
    code
}
