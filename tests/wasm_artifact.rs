//! Checks the release artifact the way Stylus activation would, offline.
//!
//! Needs the initcode written by `cargo stylus get-initcode` (scripts/test.sh
//! builds it and runs these with `--include-ignored`; set `PREDMART_INITCODE`
//! to point elsewhere).

use std::{fs, io::Read};

use wasmparser::{Parser, Payload, Validator, WasmFeatures};

/// The most a contract may be on every Stylus chain (EIP-170 size, compressed).
const MAX_CODE: usize = 24_576;
/// Uncompressed WASM limit.
const MAX_WASM: usize = 128 * 1024;

fn initcode() -> Vec<u8> {
    let path = std::env::var("PREDMART_INITCODE").unwrap_or_else(|_| "target/initcode.hex".into());
    let text = fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run scripts/test.sh, which builds it)"));
    let text = text.trim().trim_start_matches("0x");
    (0..text.len() / 2)
        .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// Splits the deploy prefix: `PUSH32 len ... RETURN 0x00` then the code.
fn code(init: &[u8]) -> &[u8] {
    assert_eq!(init[0], 0x7f, "initcode starts with PUSH32 <code length>");
    let len = u64::from_be_bytes(init[25..33].try_into().unwrap()) as usize;
    let code = &init[init.len() - len..];
    assert_eq!(&code[..3], &[0xef, 0xf0, 0x00], "Stylus code prefix");
    code
}

fn wasm() -> Vec<u8> {
    let init = initcode();
    let code = code(&init);
    assert_eq!(code[3], 0x00, "no dictionary");
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(&code[4..], 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
#[ignore = "needs the release initcode: run scripts/test.sh"]
fn fits_in_one_contract() {
    let init = initcode();
    let code = code(&init);
    println!("deployed code: {} bytes (limit {MAX_CODE})", code.len());
    assert!(
        code.len() <= MAX_CODE,
        "compressed code {} > {MAX_CODE}",
        code.len()
    );
    assert!(wasm().len() <= MAX_WASM);
}

#[test]
#[ignore = "needs the release initcode: run scripts/test.sh"]
fn validates_under_nitro_features() {
    let wasm = wasm();
    // What Nitro enables: mutable globals, sign extension, saturating
    // float-to-int, bulk memory, floats. Everything else off.
    let features = WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS;
    Validator::new_with_features(features)
        .validate_all(&wasm)
        .expect("valid under Nitro's feature set");

    let mut exports = Vec::new();
    for payload in Parser::new(0).parse_all(&wasm) {
        match payload.unwrap() {
            Payload::ImportSection(s) => {
                for i in s {
                    let i = i.unwrap();
                    assert_eq!(i.module, "vm_hooks", "import {} from {}", i.name, i.module);
                }
            }
            Payload::ExportSection(s) => {
                for e in s {
                    exports.push(e.unwrap().name.to_string());
                }
            }
            Payload::MemorySection(s) => {
                for m in s {
                    let m = m.unwrap();
                    assert!(m.initial <= 128, "{} initial pages", m.initial);
                }
            }
            Payload::StartSection { .. } => panic!("no start function allowed"),
            _ => {}
        }
    }
    assert!(
        exports.contains(&"user_entrypoint".to_string()),
        "exports: {exports:?}"
    );
}

#[test]
#[ignore = "needs the release initcode: run scripts/test.sh"]
fn has_no_test_seam() {
    let wasm = wasm();
    let marker = predmart_pool::clock::SEAM_MARKER.as_bytes();
    assert!(
        !wasm.windows(marker.len()).any(|w| w == marker),
        "the test clock leaked into the release WASM"
    );
}

/// Control for `has_no_test_seam`: the marker does survive into a build that
/// has the seam (this native test binary), so its absence from the WASM means
/// something.
#[test]
fn marker_is_present_where_the_seam_is() {
    predmart_pool::clock::advance(0);
    let exe = fs::read(std::env::current_exe().unwrap()).unwrap();
    let marker = predmart_pool::clock::SEAM_MARKER.as_bytes();
    assert!(exe.windows(marker.len()).any(|w| w == marker));
}
