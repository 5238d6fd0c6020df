//! `activation::check`, rule by rule: a module that passes, and for every
//! rule a negative control that must be refused with that rule's name. The
//! DataCount cases are the bug of issue 17 (binaryen's `--enable-bulk-memory`
//! writes a DataCount section, which Nitro's activation parser refuses); the
//! committed `fixtures/datacount.wasm` is binaryen 132's own output of that
//! kind, kept so the bad case needs no tool to reproduce.

use stylus_runtime::{
    activation::{self, check, section_ids, ActivationError, Limit, DEFAULT_ARBOS},
    World,
};

/// A small program that passes: two hostios, one page, a data segment, a
/// `memory.copy` (bulk memory is on), a table with one element.
const GOOD: &str = include_str!("fixtures/good.wat");

fn wat(text: &str) -> Vec<u8> {
    wat::parse_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// A module around `body` (module fields), with memory and entrypoint
/// unless the body brings its own.
fn module(fields: &str) -> Vec<u8> {
    let mut text = String::from("(module\n");
    text.push_str(&fields.replace("NO_MEMORY", ""));
    if !fields.contains("(export \"memory\")") && !fields.contains("NO_MEMORY") {
        text.push_str("\n(memory (export \"memory\") 1)");
    }
    if !fields.contains("user_entrypoint") {
        text.push_str("\n(func (export \"user_entrypoint\") (param i32) (result i32) i32.const 0)");
    }
    text.push(')');
    wat(&text)
}

/// Inserts a raw section (`id`, `payload`) before the first section whose id
/// is `before` (or at the end).
fn inject(wasm: &[u8], id: u8, payload: &[u8], before: u8) -> Vec<u8> {
    let mut i = 8;
    let mut at = wasm.len();
    while i < wasm.len() {
        let (sid, start) = (wasm[i], i);
        i += 1;
        let (mut len, mut shift) = (0usize, 0);
        loop {
            let b = wasm[i];
            i += 1;
            len |= ((b & 0x7f) as usize) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        if sid == before {
            at = start;
            break;
        }
        i += len;
    }
    assert!(payload.len() < 128);
    let mut out = wasm[..at].to_vec();
    out.extend([id, payload.len() as u8]);
    out.extend_from_slice(payload);
    out.extend_from_slice(&wasm[at..]);
    out
}

/// Checks at the default ArbOS and returns the failed rule's name, after
/// checking that the message names it too.
fn refused(wasm: &[u8]) -> &'static str {
    refused_at(wasm, DEFAULT_ARBOS)
}

fn refused_at(wasm: &[u8], arbos: u64) -> &'static str {
    match check(wasm, arbos) {
        Ok(s) => panic!("accepted: {s}"),
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.starts_with(&format!("activation rule `{}`: ", e.rule())),
                "{text}"
            );
            println!("{text}");
            e.rule()
        }
    }
}

#[test]
fn a_plain_program_passes_and_runs() {
    let wasm = wat(GOOD);
    let s = check(&wasm, DEFAULT_ARBOS).expect("passes");
    assert_eq!(
        (s.imports, s.functions, s.exports, s.pages, s.globals),
        (2, 1, 2, 1, 1)
    );
    assert_eq!((s.data_segments, s.element_segments), (1, 1));
    assert_eq!(s.arbos, 61);
    assert!(!s.sections.contains(&"DataCount".to_string()));
    assert!(s.to_string().contains("2 imports"), "{s}");
    // and World::deploy (which runs the same check) runs it.
    let mut w = World::new();
    let a = stylus_runtime::Address::repeat_byte(1);
    w.deploy(a, &wasm).unwrap();
    let r = w.call(stylus_runtime::Address::repeat_byte(2), a, &[]);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output, b"hi");
}

// ------------------------------------------------------------- sections

#[test]
fn a_datacount_section_is_refused() {
    // Injected into a module that otherwise passes: valid WASM (bulk memory
    // is on, the count matches), refused only by the section rule.
    let good = wat(GOOD);
    let bad = inject(&good, 12, &[1], 10);
    assert!(section_ids(&bad).contains(&12));
    wasmparser::Validator::new_with_features(activation::nitro_features(61))
        .validate_all(&bad)
        .expect("valid WASM under Nitro's features");
    assert_eq!(refused(&bad), "section");
    assert_eq!(
        check(&bad, 61).unwrap_err(),
        ActivationError::UnsupportedSection {
            id: 12,
            name: "DataCount"
        }
    );
    assert!(check(&bad, 61)
        .unwrap_err()
        .to_string()
        .contains("unsupported section type"));
}

#[test]
fn a_module_using_data_drop_gets_a_datacount_section_and_is_refused() {
    // `data.drop`/`memory.init` need the data count up front: the text
    // format's encoder writes the section itself, as binaryen does under
    // --enable-bulk-memory.
    let wasm = module(
        r#"(memory (export "memory") 1)
           (data $d "x")
           (func (export "user_entrypoint") (param i32) (result i32) data.drop $d i32.const 0)"#,
    );
    assert!(section_ids(&wasm).contains(&12));
    assert_eq!(refused(&wasm), "section");
}

/// binaryen 132's own output (`wasm-opt -Oz --enable-bulk-memory` on `GOOD`,
/// see `fixtures/README.md`): a DataCount section, refused; the same input
/// through `--enable-bulk-memory-opt` (`fixtures/bulk-memory-opt.wasm`)
/// passes.
#[test]
fn binaryen_bulk_memory_output_is_refused_and_bulk_memory_opt_output_passes() {
    let bad = include_bytes!("fixtures/bulk-memory.wasm");
    assert!(section_ids(bad).contains(&12), "{:?}", section_ids(bad));
    assert_eq!(refused(bad), "section");
    let good = include_bytes!("fixtures/bulk-memory-opt.wasm");
    assert!(!section_ids(good).contains(&12), "{:?}", section_ids(good));
    check(good, DEFAULT_ARBOS).expect("passes");
}

#[test]
fn tag_and_unknown_sections_are_refused() {
    let good = wat(GOOD);
    // A tag section (id 13, exceptions) with one tag of type 0.
    assert_eq!(refused(&inject(&good, 13, &[1, 0, 0], 7)), "section");
    // An id no WASM version defines.
    assert_eq!(refused(&inject(&good, 20, &[0], 10)), "section");
    // Custom sections are fine anywhere.
    let custom = inject(&good, 0, b"\x04note", 10);
    check(&custom, DEFAULT_ARBOS).expect("custom sections pass");
}

#[test]
fn a_start_function_is_refused() {
    assert_eq!(refused(&module("(func $s) (start $s)")), "start");
}

// ------------------------------------------------------------- features

#[test]
fn multi_value_is_refused_from_arbos_60() {
    let mv = module("(func (result i32 i32) i32.const 1 i32.const 2)");
    assert_eq!(refused(&mv), "multi-value");
    assert_eq!(refused_at(&mv, 60), "multi-value");
    // Before ArbOS 60 activation accepted it.
    check(&mv, 59).expect("multi-value passes at ArbOS 59");
    // A type with two results is enough, even if no function uses it.
    assert_eq!(
        refused(&module("(type (func (result i64 i64)))")),
        "multi-value"
    );
}

#[test]
fn features_nitro_does_not_enable_are_refused() {
    for fields in [
        // SIMD
        "(func (drop (v128.const i64x2 0 0)))",
        // reference types
        "(func (drop (ref.null extern)))",
        // tail calls
        "(func $t (return_call $t))",
        // a second memory (multi-memory)
        "(memory 1)",
        // threads
        "(func (drop (i32.atomic.load (i32.const 0))))",
    ] {
        assert_eq!(refused(&module(fields)), "features", "{fields}");
    }
    // What Nitro does enable passes: sign extension, saturating
    // float-to-int, floats, bulk memory, mutable globals.
    check(
        &module(
            "(global (mut i64) (i64.const 0))
             (func (drop (i32.extend8_s (i32.const 1))))
             (func (drop (i32.trunc_sat_f64_s (f64.const 1.5))))
             (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 1)))",
        ),
        DEFAULT_ARBOS,
    )
    .expect("Nitro's features pass");
    assert_eq!(refused(b"not wasm"), "wasm-binary");
}

// ------------------------------------------------------------- imports

#[test]
fn imports_must_be_sdk_hostios_with_their_signatures() {
    assert_eq!(
        refused(&module(r#"(import "env" "abort" (func))"#)),
        "import-module"
    );
    assert_eq!(
        refused(&module(
            r#"(import "console" "log_i32" (func (param i32)))"#
        )),
        "import-module"
    );
    assert_eq!(
        refused(&module(r#"(import "vm_hooks" "no_such_hook" (func))"#)),
        "import-hostio"
    );
    assert_eq!(
        refused(&module(
            r#"(import "vm_hooks" "read_args" (func (param i64)))"#
        )),
        "import-signature"
    );
    assert_eq!(
        refused(&module(r#"(import "vm_hooks" "g" (global i32))"#)),
        "import-kind"
    );
    assert_eq!(
        refused(&module(
            r#"(import "vm_hooks" "memory" (memory 1)) NO_MEMORY"#
        )),
        "import-kind"
    );
    // Every SDK hostio with its signature passes (create1/create2 too,
    // though stylus-runtime cannot run them).
    for (name, params, results) in activation::VM_HOOKS {
        let sig = |kw: &str, v: &[wasmparser::ValType]| {
            v.iter().map(|t| format!(" ({kw} {t})")).collect::<String>()
        };
        let import = format!(
            r#"(import "vm_hooks" "{name}" (func{}{}))"#,
            sig("param", params),
            sig("result", results)
        );
        check(&module(&import), DEFAULT_ARBOS).unwrap_or_else(|e| panic!("{import}: {e}"));
    }
}

// ------------------------------------------------------------- exports

#[test]
fn memory_and_user_entrypoint_must_be_exported() {
    assert_eq!(
        refused(&wat(r#"(module (memory (export "memory") 1))"#)),
        "user-entrypoint"
    );
    assert_eq!(
        refused(&module(
            r#"(func (export "user_entrypoint") (param i64) (result i32) i32.const 0)"#
        )),
        "user-entrypoint"
    );
    assert_eq!(
        refused(&module(
            r#"(global (export "user_entrypoint") i32 (i32.const 0))"#
        )),
        "user-entrypoint"
    );
    assert_eq!(refused(&module("(memory 1) NO_MEMORY")), "memory-export");
    assert_eq!(
        refused(&module(r#"(memory (export "mem") 1) NO_MEMORY"#)),
        "memory-export"
    );
}

#[test]
fn stylus_export_names_are_reserved() {
    assert_eq!(
        refused(&module(
            r#"(global (export "stylus_ink_left") i64 (i64.const 0))"#
        )),
        "reserved-export"
    );
    assert_eq!(
        refused(&module(r#"(func (export "stylusX"))"#)),
        "reserved-export"
    );
}

// ------------------------------------------------------------- limits

/// `n` copies of `item` joined by newlines.
fn many(item: &str, n: usize) -> String {
    vec![item; n].join("\n")
}

/// Passes with `max` items and fails `rule` with one more.
fn boundary(rule: &str, make: impl Fn(usize) -> Vec<u8>, max: usize) {
    check(&make(max), DEFAULT_ARBOS).unwrap_or_else(|e| panic!("{rule}: {max} should pass: {e}"));
    assert_eq!(refused(&make(max + 1)), rule);
}

#[test]
fn memory_pages_are_at_most_128() {
    boundary(
        "pages",
        |n| module(&format!(r#"(memory (export "memory") {n})"#)),
        128,
    );
}

#[test]
fn data_and_element_segments_are_at_most_128() {
    boundary(
        "data-segments",
        |n| module(&many(r#"(data (i32.const 0) "x")"#, n)),
        128,
    );
    boundary(
        "element-segments",
        |n| {
            module(&format!(
                "(table 1 funcref) (func $f)\n{}",
                many("(elem (i32.const 0) $f)", n)
            ))
        },
        128,
    );
}

#[test]
fn exports_are_at_most_1024() {
    // user_entrypoint and memory are two of them.
    boundary(
        "exports",
        |n| {
            module(
                &(0..n - 2)
                    .map(|i| format!(r#"(export "e{i}" (func 0))"#))
                    .collect::<Vec<_>>()
                    .join("\n"),
            )
        },
        1024,
    );
}

#[test]
fn functions_and_globals_are_limited() {
    // user_entrypoint is one of the functions.
    boundary("functions", |n| module(&many("(func)", n - 1)), 4096);
    boundary(
        "globals",
        |n| module(&many("(global i32 (i32.const 0))", n)),
        32_768,
    );
}

#[test]
fn locals_and_opcodes_per_function_are_limited() {
    boundary(
        "locals",
        |n| module(&format!("(func {})", many("(local i32)", n))),
        348,
    );
    // The body's final `end` is an opcode too.
    boundary(
        "opcodes",
        |n| module(&format!("(func {})", many("nop", n - 1))),
        65_536,
    );
    let e = check(&module(&format!("(func {})", many("nop", 65_536))), 61).unwrap_err();
    assert!(matches!(
        e,
        ActivationError::Limit {
            limit: Limit::Opcodes,
            found: 65_537,
            ..
        }
    ));
    assert!(e.to_string().contains("65537 > 65536 (function 0)"), "{e}");
}

#[test]
fn imports_are_at_most_513_from_arbos_32() {
    let make = |n| {
        module(&many(
            r#"(import "vm_hooks" "read_args" (func (param i32)))"#,
            n,
        ))
    };
    boundary("imports", make, 513);
    check(&make(514), 31).expect("no import limit asserted before ArbOS 32");
}

#[test]
fn table_and_element_entries_are_at_most_4096() {
    boundary(
        "table-entries",
        |n| module(&format!("(table {n} funcref)")),
        4096,
    );
    boundary(
        "element-entries",
        |n| {
            module(&format!(
                "(table 1 funcref) (func $f) (elem func {})",
                many("$f", n)
            ))
        },
        4096,
    );
}

#[test]
fn names_are_at_most_512_bytes() {
    boundary(
        "name-length",
        |n| module(&format!(r#"(export "{}" (func 0))"#, "x".repeat(n))),
        512,
    );
    let import = |n: usize| {
        module(&format!(
            r#"(import "vm_hooks" "{}" (func))"#,
            "x".repeat(n)
        ))
    };
    // 512 bytes is within the limit (but no hostio); 513 is not.
    assert_eq!(refused(&import(512)), "import-hostio");
    assert_eq!(refused(&import(513)), "name-length");
}
