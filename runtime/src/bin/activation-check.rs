//! `activation-check`: runs Stylus activation's offline check
//! ([`stylus_runtime::activation::check`]) on build artifacts, for scripts.
//!
//! ```text
//! cargo run -q -p stylus-runtime --bin activation-check -- [--arbos N] FILE...
//! ```
//!
//! Each FILE is raw WASM (`.wasm`), `cargo stylus get-initcode` output (hex
//! text, e.g. `target/initcode.hex`) or Stylus code (`EF F0 00 00` + brotli,
//! bytes or hex); compressed code is decompressed exactly as deployed. Prints
//! one line per file, `OK <file>: <summary>` or
//! ``REJECTED <file>: activation rule `<rule>`: <details>``.
//!
//! Exit status: 0 when every file passes, 1 when any is rejected, 2 on a usage
//! error or an unreadable or undecodable file.

use std::process::ExitCode;

use stylus_runtime::{activation, wasm_from_artifact};

const USAGE: &str = "usage: activation-check [--arbos N] FILE...
  Checks each FILE (raw .wasm, initcode hex from `cargo stylus get-initcode`,
  or Stylus code EF F0 00 00 + brotli) as Stylus activation would at ArbOS N
  (default 61). Exit 0: all pass; 1: some rejected; 2: usage or read error.";

fn main() -> ExitCode {
    let mut arbos = activation::DEFAULT_ARBOS;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "--arbos" => match args.next().and_then(|v| v.parse().ok()) {
                Some(v) => arbos = v,
                None => {
                    eprintln!("activation-check: --arbos needs a number\n{USAGE}");
                    return ExitCode::from(2);
                }
            },
            _ if a.starts_with('-') => {
                eprintln!("activation-check: unknown option {a}\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => files.push(a),
        }
    }
    if files.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut status = ExitCode::SUCCESS;
    for file in &files {
        let wasm = match std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|b| wasm_from_artifact(&b).map_err(|e| e.to_string()))
        {
            Ok(w) => w,
            Err(e) => {
                eprintln!("ERROR {file}: {e}");
                return ExitCode::from(2);
            }
        };
        match activation::check(&wasm, arbos) {
            Ok(summary) => println!("OK {file}: {summary}"),
            Err(e) => {
                println!("REJECTED {file}: {e}");
                status = ExitCode::from(1);
            }
        }
    }
    status
}
