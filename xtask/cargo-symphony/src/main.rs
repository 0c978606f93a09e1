//! `cargo symphony`: see the library's documentation and `cargo symphony help`.

use std::path::PathBuf;
use std::process::ExitCode;

use cargo_symphony::{check, migrate, new, run};

const USAGE: &str = "\
usage: cargo symphony <command>

  new <name> --kind instrument|operator|motif [--umbrella] [--sdk-path DIR]
                                    a new extension crate that builds and passes `cargo test`
  check [<dir>]                     validate symphony.toml and summarise what it asks for
  run [<dir>] [--grant G]… [--sandbox] [--requests FILE]
                                    build, spawn and drive the extension, printing the trace;
                                    G: manifest | fs:read,write:GLOB | net:HOST[:PORT] |
                                       env:NAME | process:NAME | model:invoke
  migrate <dir> --to split|unified [--dry-run]
                                    move between the umbrella and the focused crates";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `cargo symphony …` runs `cargo-symphony symphony …`.
    if args.first().map(String::as_str) == Some("symphony") {
        args.remove(0);
    }
    let Some((command, rest)) = args.split_first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            Ok(())
        }
        "new" => new::NewOptions::parse(rest).and_then(|options| {
            let dir = new::create(std::path::Path::new("."), &options)?;
            eprintln!("created {}", dir.display());
            Ok(())
        }),
        "check" => check_command(rest),
        "run" => run::RunOptions::parse(rest)
            .and_then(|options| run::run(&options, &mut std::io::stdout()))
            .map_err(|error| error.to_string()),
        "migrate" => migrate::parse_args(rest).and_then(|(dir, style, dry_run)| {
            migrate::run(&dir, style, dry_run).map_err(|error| error.to_string())
        }),
        other => {
            eprintln!("cargo symphony: unknown command {other:?}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("cargo symphony {command}: {message}");
            ExitCode::FAILURE
        }
    }
}

fn check_command(args: &[String]) -> Result<(), String> {
    let dir = match args {
        [] => PathBuf::from("."),
        [dir] if !dir.starts_with('-') => PathBuf::from(dir),
        _ => return Err("takes at most one crate directory".to_owned()),
    };
    let manifest = check::load(&dir)?;
    print!("{}", check::summary(&manifest)?);
    Ok(())
}
