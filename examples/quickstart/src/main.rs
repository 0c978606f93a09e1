//! Example: the Symphony extension SDK end to end, in one command.
//!
//! `cargo run -p quickstart` starts three extensions, each as its own process
//! speaking the Orchestra Kit protocol, and grants each only what it needs: an operator reads
//! and validates a CSV file, an instrument scores every row with an ONNX model (on the
//! built-in, pure-Rust tract), and a motif renders the results as an HTML page, which this
//! host writes to disk. Then it prints what each step took and was allowed. `--help` lists
//! the options.
//!
//! The extensions are this same binary, started with a hidden `__serve <kind>` argument (see
//! [`serve`]), so that building this package builds everything the run needs.

mod args;
mod error;
mod launch;
mod read;
mod render;
mod report;
mod run;
mod score;
mod serve;
mod summary;

use std::process::ExitCode;

use args::{Command, HELP, ORT_LIBRARY_VAR};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1).peekable();
    if args.next_if(|arg| arg == serve::SERVE_ARG).is_some() {
        return serve::serve(args.next().as_deref());
    }
    match args::parse(args, std::env::var_os(ORT_LIBRARY_VAR)) {
        Ok(Command::Help) => {
            print!("{HELP}");
            ExitCode::SUCCESS
        }
        Ok(Command::Run(options)) => match run::run(&options) {
            Ok(summary) if options.quiet => {
                println!("{}", summary.out.display());
                ExitCode::SUCCESS
            }
            Ok(summary) => {
                print!("{summary}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("quickstart: {error}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            eprintln!("quickstart: {error}");
            ExitCode::from(2)
        }
    }
}
