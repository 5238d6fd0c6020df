//! Checks the release artifact the way Stylus activation would, offline.
//!
//! Needs the initcode written by `cargo stylus get-initcode` (scripts/test.sh
//! builds it and runs these with `--include-ignored`; set `PREDMART_INITCODE`
//! to point elsewhere) and the test contracts of `contracts/build.sh`
//! (`target/test-contracts/*.wasm`). The check is the runtime's
//! [`stylus_runtime::activation::check`], the same one `World::deploy`,
//! `scripts/test.sh` and `scripts/deploy.sh` apply.

use std::{fs, path::Path, process::Command};

use stylus_runtime::{
    activation::{self, section_ids, DEFAULT_ARBOS},
    wasm_from_artifact,
};

/// The most a contract may be on every Stylus chain (EIP-170 size, compressed).
const MAX_CODE: usize = 24_576;
/// Uncompressed WASM limit.
const MAX_WASM: usize = 128 * 1024;
/// The test contracts `contracts/build.sh` writes to `target/test-contracts`.
const TEST_CONTRACTS: [&str; 3] = ["test-wallet", "reentrant-puller", "cache-probe"];

fn initcode_path() -> String {
    std::env::var("PREDMART_INITCODE").unwrap_or_else(|_| "target/initcode.hex".into())
}

fn initcode() -> Vec<u8> {
    let path = initcode_path();
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

/// The WASM the chain activates: the deployed code (`EF F0 00 00` + brotli)
/// decompressed, exactly as deployed.
fn wasm() -> Vec<u8> {
    let init = initcode();
    let code = code(&init);
    assert_eq!(code[3], 0x00, "no dictionary");
    wasm_from_artifact(code).expect("the deployed code decompresses")
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
fn shipped_code_passes_the_activation_check() {
    let wasm = wasm();
    let summary = activation::check(&wasm, DEFAULT_ARBOS).unwrap_or_else(|e| {
        panic!(
            "{}: Stylus activation would refuse it: {e}",
            initcode_path()
        )
    });
    println!("{summary}");
    assert!(!section_ids(&wasm).contains(&12), "no DataCount section");
    // And under the rules of the chains still on ArbOS 51 (Arbitrum One
    // until ArbOS 61 is live there).
    activation::check(&wasm, 51).expect("passes at ArbOS 51");
}

#[test]
#[ignore = "needs the test contracts: run scripts/test.sh (contracts/build.sh)"]
fn every_test_contract_passes_the_activation_check() {
    for name in TEST_CONTRACTS {
        let path = format!("target/test-contracts/{name}.wasm");
        let wasm =
            fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (run contracts/build.sh)"));
        let summary = activation::check(&wasm, DEFAULT_ARBOS)
            .unwrap_or_else(|e| panic!("{path}: Stylus activation would refuse it: {e}"));
        println!("{path}: {summary}");
    }
}

/// The `[wasm-opt]` flags of `Stylus.toml`.
fn stylus_toml_flags() -> Vec<String> {
    let toml = fs::read_to_string("Stylus.toml").unwrap();
    let line = toml
        .lines()
        .find(|l| l.trim_start().starts_with("flags"))
        .expect("Stylus.toml has [wasm-opt] flags");
    let list = &line[line.find('[').unwrap() + 1..line.rfind(']').unwrap()];
    list.split(',')
        .map(|f| f.trim().trim_matches('"').to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

/// Issue 17: `--enable-bulk-memory` makes binaryen write a DataCount
/// section, which activation refuses; the pinned recipe enables only
/// `--enable-bulk-memory-opt` (memory.copy/fill).
#[test]
fn the_wasm_opt_recipe_does_not_enable_full_bulk_memory() {
    let flags = stylus_toml_flags();
    assert!(flags.contains(&"-Oz".to_string()), "{flags:?}");
    assert!(
        flags.contains(&"--enable-bulk-memory-opt".to_string()),
        "{flags:?}"
    );
    assert!(
        !flags.contains(&"--enable-bulk-memory".to_string()),
        "--enable-bulk-memory writes a DataCount section (id 12), which Stylus activation refuses: {flags:?}"
    );
}

/// Runs `wasm-opt` with `flags` on `input`; `None` when wasm-opt is not on
/// PATH.
fn wasm_opt(input: &Path, flags: &[&str], out: &Path) -> Option<Vec<u8>> {
    let status = Command::new("wasm-opt")
        .arg(input)
        .args(flags)
        .arg("-o")
        .arg(out)
        .status();
    match status {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("wasm-opt: {e}"),
        Ok(s) => {
            assert!(s.success(), "wasm-opt {flags:?} failed");
            Some(fs::read(out).unwrap())
        }
    }
}

/// The check can fail on the real artifact kind: the shipped WASM put
/// through the OLD recipe (`--enable-bulk-memory`) gets a DataCount section
/// and is refused by the `section` rule; through the current `Stylus.toml`
/// recipe it has none and passes.
#[test]
#[ignore = "needs the release initcode and wasm-opt: run scripts/test.sh"]
fn the_old_wasm_opt_flags_produce_a_refused_datacount_section() {
    let dir = std::env::temp_dir().join(format!("wasm-artifact-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let shipped = dir.join("shipped.wasm");
    fs::write(&shipped, wasm()).unwrap();

    let old = [
        "-Oz",
        "--enable-bulk-memory",
        "--enable-sign-ext",
        "--enable-mutable-globals",
        "--enable-nontrapping-float-to-int",
    ];
    let Some(bad) = wasm_opt(&shipped, &old, &dir.join("old.wasm")) else {
        println!("SKIPPED: wasm-opt is not on PATH (scripts/setup.sh installs binaryen 132 into .tools/); the self-contained DataCount controls are runtime/tests/activation.rs");
        return;
    };
    assert!(section_ids(&bad).contains(&12), "{:?}", section_ids(&bad));
    let e = activation::check(&bad, DEFAULT_ARBOS).expect_err("the old recipe's output is refused");
    assert_eq!(e.rule(), "section", "{e}");
    assert!(e.to_string().contains("DataCount"), "{e}");
    println!("old recipe: {e}");

    let flags = stylus_toml_flags();
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let good = wasm_opt(&shipped, &flags, &dir.join("new.wasm")).unwrap();
    assert!(
        !section_ids(&good).contains(&12),
        "{:?}",
        section_ids(&good)
    );
    activation::check(&good, DEFAULT_ARBOS).expect("the current recipe's output passes");
    fs::remove_dir_all(&dir).ok();
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

/// What `--low-memory-unused` (Stylus.toml) assumes of a module: no address
/// below 1024 is used. Holds when the shadow stack starts at or above 32 KiB
/// and grows down, with every data segment above it: only a stack overflow
/// would then reach low memory. Returns the stack's start, or why not.
fn low_memory_is_only_the_stack_end(wasm: &[u8]) -> Result<u64, String> {
    use wasmparser::{DataKind, Operator, Parser, Payload};
    let (mut stack, mut lowest_data) = (None, u64::MAX);
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            Payload::GlobalSection(globals) => {
                // The first mutable i32 global is the shadow stack pointer.
                for g in globals {
                    let g = g.map_err(|e| e.to_string())?;
                    if g.ty.mutable && stack.is_none() {
                        let mut ops = g.init_expr.get_operators_reader();
                        if let Ok(Operator::I32Const { value }) = ops.read() {
                            stack = Some(value as u32 as u64);
                        }
                    }
                }
            }
            Payload::DataSection(datas) => {
                for d in datas {
                    let d = d.map_err(|e| e.to_string())?;
                    if let DataKind::Active { offset_expr, .. } = d.kind {
                        let mut ops = offset_expr.get_operators_reader();
                        match ops.read() {
                            Ok(Operator::I32Const { value }) => {
                                lowest_data = lowest_data.min(value as u32 as u64)
                            }
                            _ => return Err("a data segment at a computed offset".into()),
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let stack = stack.ok_or("no stack pointer global")?;
    if stack < 32 * 1024 {
        return Err(format!("the stack starts at {stack}, below 32 KiB"));
    }
    if lowest_data < stack {
        return Err(format!(
            "data at {lowest_data}, below the stack start {stack}"
        ));
    }
    Ok(stack)
}

#[test]
#[ignore = "needs the release initcode: run scripts/test.sh"]
fn low_memory_is_only_the_far_end_of_the_shadow_stack() {
    let flags = stylus_toml_flags();
    assert!(flags.contains(&"--low-memory-unused".to_string()));
    let stack = low_memory_is_only_the_stack_end(&wasm()).unwrap();
    assert_eq!(stack, 32 * 1024);
}

/// Control: a module with data in low memory, or a small stack, is refused;
/// the shipped layout (stack from 32 KiB down, data above) passes.
#[test]
fn low_memory_check_refuses_data_or_stack_down_there() {
    fn leb(mut v: u32, out: &mut Vec<u8>) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }
    // (module (memory 1) (global (mut i32) (i32.const stack)) (data (i32.const data) "x"))
    let module = |stack: u32, data: u32| -> Vec<u8> {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend_from_slice(&[5, 3, 1, 0, 1]);
        let mut g = vec![1, 0x7f, 1, 0x41];
        leb(stack, &mut g);
        g.push(0x0b);
        m.push(6);
        leb(g.len() as u32, &mut m);
        m.extend_from_slice(&g);
        let mut d = vec![1, 0, 0x41];
        leb(data, &mut d);
        d.extend_from_slice(&[0x0b, 1, b'x']);
        m.push(11);
        leb(d.len() as u32, &mut m);
        m.extend_from_slice(&d);
        m
    };
    assert_eq!(
        low_memory_is_only_the_stack_end(&module(32_768, 32_768)),
        Ok(32_768)
    );
    let e = low_memory_is_only_the_stack_end(&module(32_768, 16)).unwrap_err();
    assert!(e.contains("data at 16"), "{e}");
    let e = low_memory_is_only_the_stack_end(&module(1_024, 2_048)).unwrap_err();
    assert!(e.contains("below 32 KiB"), "{e}");
}
