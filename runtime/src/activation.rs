//! The offline twin of Stylus activation: does a WASM module pass the checks
//! Nitro's activation parser applies before a program can run?
//!
//! Written from the facts in `NITRO.md` (§ "Sections the activation parser
//! accepts" and § "Activation limits"), not from Nitro's (BSL) source. Every
//! WASM the project builds passes through [`check`]: the deployed pool
//! (decompressed from `target/initcode.hex` exactly as deployed), every test
//! contract, and every program [`crate::World::deploy`] installs. The
//! `activation-check` binary runs it on files for scripts
//! (`scripts/test.sh`, `scripts/deploy.sh`).
//!
//! The rules (each failure names its rule, see [`ActivationError::rule`]);
//! they are applied in this order except that the section kinds (3) are
//! looked at first, by a plain walk of the section headers, so that e.g. a
//! tag section is reported as `section` rather than as a `features` failure:
//!
//! 1. `wasm-binary`: the bytes are a WASM module (magic and version), not a
//!    component.
//! 2. `features` / `multi-value`: the module validates with `wasmparser` under
//!    Nitro's feature set ([`nitro_features`]): mutable globals, saturating
//!    float-to-int, sign extension, bulk memory and floats on; reference
//!    types, SIMD, threads, tail calls, multi-memory, exceptions, memory64,
//!    extended const and GC off; multi-value off from ArbOS 60
//!    ([`NO_MULTI_VALUE_ARBOS`]). A module that is valid except for
//!    multi-value fails `multi-value`, anything else `features`.
//! 3. `section`: only the type, import, function, table, memory, global,
//!    export, start, element, data, code and custom sections are accepted;
//!    any other (DataCount, id 12, which binaryen writes under
//!    `--enable-bulk-memory`; tag, id 13; unknown ids) fails activation with
//!    "unsupported section type".
//! 4. `start`: a start section is parsed, then refused.
//! 5. `import-kind`, `import-module`, `import-hostio`, `import-signature`:
//!    only function imports, only from `vm_hooks`, only hostios stylus-sdk
//!    0.9 declares ([`VM_HOOKS`]) and with the SDK's signatures.
//! 6. Exports: `memory-export` (a memory exported as `memory`),
//!    `user-entrypoint` (a function `user_entrypoint: (i32) -> i32`),
//!    `reserved-export` (no export name starting `stylus`: instrumentation adds
//!    `stylus_ink_left` and friends).
//! 7. The anti-DoS limits ([`Limit`]): one memory of at most 128 pages;
//!    ≤ 128 data and ≤ 128 element segments; ≤ 1,024 exports; ≤ 4,096
//!    functions; ≤ 32,768 globals; per function ≤ 348 locals and ≤ 65,536
//!    opcodes; ≤ 513 imports (ArbOS ≥ 32); ≤ 4,096 table entries and
//!    element entries; import and export names ≤ 512 bytes.
//!
//! How a limit is counted where `NITRO.md` leaves room (chosen to be at
//! least as strict as the plain reading): functions are the module's own
//! (function section), locals are a body's declared locals (parameters not
//! included), opcodes are every operator of a body including its final
//! `end`, table entries are each table's initial size, element entries are
//! summed over all element segments, and names are import module and field
//! names and export names.
//!
//! Not checked here (only activation on chain shows them): the stack-frame
//! limits of instrumentation (a frame over 10 × 1,024 words, more than 4,096
//! live values), hostios newer than stylus-sdk 0.9 (refused here, accepted
//! on chain), fragmented programs (ArbOS ≥ 60), and anything that depends on
//! chain state (the activation fee, the program's Stylus version).

use std::fmt;

use crate::nitro;
use wasmparser::{
    Encoding, ExternalKind, FuncType, Parser, Payload, TypeRef, ValType, Validator, WasmFeatures,
};

/// The ArbOS version [`check`] assumes by default: 61, what Arbitrum Sepolia
/// runs and what Arbitrum One is scheduled to run (see `NITRO.md`). The same
/// constant as [`nitro::DEFAULT_ARBOS_VERSION`], the default of
/// [`Nitro`](crate::Nitro).
pub const DEFAULT_ARBOS: u64 = nitro::DEFAULT_ARBOS_VERSION;

/// From this ArbOS version on, activation refuses WASM multi-value
/// (`ARBOS_VERSION_STYLUS_NO_MULTI_VALUE`). The same constant as
/// [`nitro::ARBOS_NO_MULTI_VALUE`]: the rule is
/// [`Nitro::rejects_multi_value`](crate::Nitro::rejects_multi_value), which
/// [`nitro_features`] (and so [`check`]) applies.
pub const NO_MULTI_VALUE_ARBOS: u64 = nitro::ARBOS_NO_MULTI_VALUE;

/// From this ArbOS version on, activation limits imports to
/// [`Limit::Imports`]'s maximum. Below it this check does not limit imports.
pub const IMPORT_LIMIT_ARBOS: u64 = 32;

/// The `vm_hooks` host functions stylus-sdk 0.9.0 declares
/// (`stylus-sdk/src/hostio.rs`), with their WASM signatures
/// `(name, params, results)` on wasm32 (`usize`, pointers, `bool`, `u16` and
/// `u32` are `i32`; `u64` is `i64`). An import must be one of these, with
/// exactly this signature.
pub const VM_HOOKS: &[(&str, &[ValType], &[ValType])] = {
    use ValType::{I32, I64};
    &[
        ("read_args", &[I32], &[]),
        ("write_result", &[I32, I32], &[]),
        ("storage_load_bytes32", &[I32, I32], &[]),
        ("storage_cache_bytes32", &[I32, I32], &[]),
        ("storage_flush_cache", &[I32], &[]),
        ("account_balance", &[I32, I32], &[]),
        ("account_code", &[I32, I32, I32, I32], &[I32]),
        ("account_code_size", &[I32], &[I32]),
        ("account_codehash", &[I32, I32], &[]),
        ("block_basefee", &[I32], &[]),
        ("block_coinbase", &[I32], &[]),
        ("block_gas_limit", &[], &[I64]),
        ("block_number", &[], &[I64]),
        ("block_timestamp", &[], &[I64]),
        ("chainid", &[], &[I64]),
        ("call_contract", &[I32, I32, I32, I32, I64, I32], &[I32]),
        ("delegate_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
        ("static_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
        ("contract_address", &[I32], &[]),
        ("create1", &[I32, I32, I32, I32, I32], &[]),
        ("create2", &[I32, I32, I32, I32, I32, I32], &[]),
        ("emit_log", &[I32, I32, I32], &[]),
        ("evm_gas_left", &[], &[I64]),
        ("evm_ink_left", &[], &[I64]),
        ("pay_for_memory_grow", &[I32], &[]),
        ("msg_reentrant", &[], &[I32]),
        ("msg_sender", &[I32], &[]),
        ("msg_value", &[I32], &[]),
        ("native_keccak256", &[I32, I32, I32], &[]),
        ("read_return_data", &[I32, I32, I32], &[I32]),
        ("return_data_size", &[], &[I32]),
        ("tx_gas_price", &[I32], &[]),
        ("tx_ink_price", &[], &[I32]),
        ("tx_origin", &[I32], &[]),
    ]
};

/// The WASM features Nitro's activation validates with at `arbos`: mutable
/// globals, saturating float-to-int, sign extension, bulk memory and floats;
/// multi-value only below ArbOS [`NO_MULTI_VALUE_ARBOS`]. (`GC_TYPES` is
/// `wasmparser`'s own gate for reference-typed values, part of its MVP set;
/// with reference types and GC off it admits nothing more.)
pub fn nitro_features(arbos: u64) -> WasmFeatures {
    let mut f = WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::FLOATS
        | WasmFeatures::GC_TYPES;
    if !nitro::Nitro::arbos(arbos).rejects_multi_value() {
        f |= WasmFeatures::MULTI_VALUE;
    }
    f
}

/// An anti-DoS limit of activation (`NITRO.md` § "Activation limits").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// At most one memory.
    Memories,
    /// At most 128 initial memory pages (64 KiB each).
    Pages,
    /// At most 128 data segments.
    DataSegments,
    /// At most 128 element segments.
    ElementSegments,
    /// At most 1,024 exports.
    Exports,
    /// At most 4,096 functions defined by the module.
    Functions,
    /// At most 32,768 globals.
    Globals,
    /// At most 348 declared locals in one function body.
    Locals,
    /// At most 65,536 opcodes in one function body.
    Opcodes,
    /// At most 513 imports (ArbOS ≥ [`IMPORT_LIMIT_ARBOS`]).
    Imports,
    /// At most 4,096 entries (initial size) in a table.
    TableEntries,
    /// At most 4,096 element entries over all element segments.
    ElementEntries,
    /// Import module/field names and export names of at most 512 bytes.
    NameLength,
}

impl Limit {
    /// The largest value activation accepts.
    pub const fn max(self) -> u64 {
        match self {
            Limit::Memories => 1,
            Limit::Pages => 128,
            Limit::DataSegments | Limit::ElementSegments => 128,
            Limit::Exports => 1_024,
            Limit::Functions => 4_096,
            Limit::Globals => 32_768,
            Limit::Locals => 348,
            Limit::Opcodes => 65_536,
            Limit::Imports => 513,
            Limit::TableEntries | Limit::ElementEntries => 4_096,
            Limit::NameLength => 512,
        }
    }

    /// The rule's name, as [`ActivationError::rule`] reports it.
    pub const fn rule(self) -> &'static str {
        match self {
            Limit::Memories => "memories",
            Limit::Pages => "pages",
            Limit::DataSegments => "data-segments",
            Limit::ElementSegments => "element-segments",
            Limit::Exports => "exports",
            Limit::Functions => "functions",
            Limit::Globals => "globals",
            Limit::Locals => "locals",
            Limit::Opcodes => "opcodes",
            Limit::Imports => "imports",
            Limit::TableEntries => "table-entries",
            Limit::ElementEntries => "element-entries",
            Limit::NameLength => "name-length",
        }
    }
}

/// Why activation would refuse a module. [`ActivationError::rule`] names the
/// rule; `Display` says ``activation rule `<rule>`: <details>``.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActivationError {
    /// Not a WASM module (bad magic or version, a component, undecodable).
    NotWasm(String),
    /// Invalid under Nitro's feature set (`wasmparser`'s message).
    Features(String),
    /// Valid except that it uses multi-value, which ArbOS ≥ 60 refuses.
    MultiValue {
        /// The ArbOS version checked against.
        arbos: u64,
        /// `wasmparser`'s message.
        message: String,
    },
    /// A section kind the activation parser does not accept.
    UnsupportedSection {
        /// The section id (e.g. 12 for DataCount).
        id: u8,
        /// The section's name.
        name: &'static str,
    },
    /// A start function (activation parses it, then refuses it).
    StartFunction,
    /// An import that is not a function.
    ImportKind {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A function imported from a module other than `vm_hooks`.
    ImportModule {
        /// Import module.
        module: String,
        /// Import name.
        name: String,
    },
    /// A `vm_hooks` import that is not a hostio of the SDK ([`VM_HOOKS`]).
    ImportHostio {
        /// Import name.
        name: String,
    },
    /// A `vm_hooks` import whose signature is not the hostio's.
    ImportSignature {
        /// Import name.
        name: String,
        /// The signature imported, e.g. `(i64) -> ()`.
        found: String,
        /// The hostio's signature.
        expected: String,
    },
    /// No memory exported as `memory`.
    MemoryExport,
    /// No function `user_entrypoint: (i32) -> i32` exported (missing, not a
    /// function, or another signature; the text says which).
    UserEntrypoint(String),
    /// An export whose name starts with `stylus` (reserved for
    /// instrumentation).
    ReservedExport(String),
    /// An anti-DoS limit exceeded.
    Limit {
        /// Which limit.
        limit: Limit,
        /// The value found (a count, pages or bytes).
        found: u64,
        /// Where, when it is per item (e.g. `function 12`, `export "x"`).
        at: Option<String>,
    },
}

impl ActivationError {
    /// The name of the rule that failed: `wasm-binary`, `features`,
    /// `multi-value`, `section`, `start`, `import-kind`, `import-module`,
    /// `import-hostio`, `import-signature`, `memory-export`,
    /// `user-entrypoint`, `reserved-export`, or a [`Limit::rule`].
    pub fn rule(&self) -> &'static str {
        match self {
            ActivationError::NotWasm(_) => "wasm-binary",
            ActivationError::Features(_) => "features",
            ActivationError::MultiValue { .. } => "multi-value",
            ActivationError::UnsupportedSection { .. } => "section",
            ActivationError::StartFunction => "start",
            ActivationError::ImportKind { .. } => "import-kind",
            ActivationError::ImportModule { .. } => "import-module",
            ActivationError::ImportHostio { .. } => "import-hostio",
            ActivationError::ImportSignature { .. } => "import-signature",
            ActivationError::MemoryExport => "memory-export",
            ActivationError::UserEntrypoint(_) => "user-entrypoint",
            ActivationError::ReservedExport(_) => "reserved-export",
            ActivationError::Limit { limit, .. } => limit.rule(),
        }
    }
}

impl fmt::Display for ActivationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "activation rule `{}`: ", self.rule())?;
        match self {
            ActivationError::NotWasm(e) => write!(f, "not a WASM module: {e}"),
            ActivationError::Features(e) => {
                write!(f, "invalid under Nitro's WASM feature set: {e}")
            }
            ActivationError::MultiValue { arbos, message } => write!(
                f,
                "multi-value is refused from ArbOS {NO_MULTI_VALUE_ARBOS} (checked for ArbOS {arbos}): {message}"
            ),
            ActivationError::UnsupportedSection { id, name } => write!(
                f,
                "unsupported section type: {name} (id {id}) is not accepted by the activation parser"
            ),
            ActivationError::StartFunction => write!(f, "start functions are not allowed"),
            ActivationError::ImportKind { module, name } => write!(
                f,
                "import `{module}::{name}` is not a function (only functions may be imported)"
            ),
            ActivationError::ImportModule { module, name } => write!(
                f,
                "import `{module}::{name}`: programs may only import from `vm_hooks`"
            ),
            ActivationError::ImportHostio { name } => {
                write!(f, "import `vm_hooks::{name}` is not a Stylus hostio")
            }
            ActivationError::ImportSignature {
                name,
                found,
                expected,
            } => write!(
                f,
                "import `vm_hooks::{name}` has signature {found}, the hostio's is {expected}"
            ),
            ActivationError::MemoryExport => write!(f, "no memory exported as `memory`"),
            ActivationError::UserEntrypoint(e) => write!(f, "{e}"),
            ActivationError::ReservedExport(name) => write!(
                f,
                "export `{name}`: names starting with `stylus` are reserved"
            ),
            ActivationError::Limit { limit, found, at } => {
                write!(f, "{found} > {}", limit.max())?;
                if let Some(at) = at {
                    write!(f, " ({at})")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ActivationError {}

/// What [`check`] saw in a module that passed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The ArbOS version checked against.
    pub arbos: u64,
    /// Length of the WASM in bytes (uncompressed).
    pub wasm_len: usize,
    /// The sections in order, by name (custom sections as `custom:<name>`).
    pub sections: Vec<String>,
    /// Number of imports (all `vm_hooks` functions).
    pub imports: u64,
    /// Functions defined by the module.
    pub functions: u64,
    /// Number of exports.
    pub exports: u64,
    /// Number of globals.
    pub globals: u64,
    /// Initial pages of the memory.
    pub pages: u64,
    /// Number of data segments.
    pub data_segments: u64,
    /// Number of element segments.
    pub element_segments: u64,
    /// The most declared locals of any function body.
    pub max_locals: u64,
    /// The most opcodes of any function body.
    pub max_opcodes: u64,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bytes of WASM, ArbOS {}: {} imports, {} functions, {} exports, {} globals, \
             {} pages, {} data / {} element segments, max {} locals / {} opcodes per function; \
             sections: {}",
            self.wasm_len,
            self.arbos,
            self.imports,
            self.functions,
            self.exports,
            self.globals,
            self.pages,
            self.data_segments,
            self.element_segments,
            self.max_locals,
            self.max_opcodes,
            self.sections.join(", ")
        )
    }
}

fn signature(params: &[ValType], results: &[ValType]) -> String {
    let list = |v: &[ValType]| {
        v.iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("({}) -> ({})", list(params), list(results))
}

fn limit(
    limit: Limit,
    found: u64,
    at: impl FnOnce() -> Option<String>,
) -> Result<(), ActivationError> {
    if found > limit.max() {
        Err(ActivationError::Limit {
            limit,
            found,
            at: at(),
        })
    } else {
        Ok(())
    }
}

/// Checks `wasm` (raw, uncompressed WASM) as Stylus activation at ArbOS
/// version `arbos` would (see the module documentation for the rules), and
/// returns what it saw, or the first rule it breaks.
pub fn check(wasm: &[u8], arbos: u64) -> Result<Summary, ActivationError> {
    if !wasm.starts_with(b"\0asm") {
        return Err(ActivationError::NotWasm(
            "missing the \\0asm magic (pass raw WASM, not initcode or compressed code)".into(),
        ));
    }
    // 3 (first). A plain walk of the section ids: an unsupported kind is
    // named as such even when the module would also fail validation (a tag
    // section needs exceptions; an unknown id is malformed). Either way the
    // module is refused; this only picks the most telling rule name.
    if let Some(&id) = section_ids(wasm).iter().find(|&&id| !accepted_section(id)) {
        return Err(ActivationError::UnsupportedSection {
            id,
            name: section_name(id),
        });
    }
    // 1-2. Validation under Nitro's features.
    if let Err(e) = Validator::new_with_features(nitro_features(arbos)).validate_all(wasm) {
        let message = e.to_string();
        let with_mv = nitro_features(arbos) | WasmFeatures::MULTI_VALUE;
        if nitro::Nitro::arbos(arbos).rejects_multi_value()
            && Validator::new_with_features(with_mv)
                .validate_all(wasm)
                .is_ok()
        {
            return Err(ActivationError::MultiValue { arbos, message });
        }
        return Err(ActivationError::Features(message));
    }

    let bad = |e: wasmparser::BinaryReaderError| ActivationError::NotWasm(e.to_string());
    let mut s = Summary {
        arbos,
        wasm_len: wasm.len(),
        ..Default::default()
    };
    let mut types: Vec<FuncType> = Vec::new();
    // Type index of every function in the function index space.
    let mut func_types: Vec<u32> = Vec::new();
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    let mut memories = 0u64;
    let mut element_entries = 0u64;
    let mut has_start = false;
    let mut body_index = 0u64;

    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(bad)?;
        let name = match &payload {
            Payload::Version { encoding, .. } => {
                if *encoding != Encoding::Module {
                    return Err(ActivationError::NotWasm(
                        "a component, not a core module".into(),
                    ));
                }
                continue;
            }
            Payload::End(_) | Payload::CodeSectionEntry(_) => None,
            Payload::TypeSection(_) => Some("type".to_string()),
            Payload::ImportSection(_) => Some("import".into()),
            Payload::FunctionSection(_) => Some("function".into()),
            Payload::TableSection(_) => Some("table".into()),
            Payload::MemorySection(_) => Some("memory".into()),
            Payload::GlobalSection(_) => Some("global".into()),
            Payload::ExportSection(_) => Some("export".into()),
            Payload::StartSection { .. } => Some("start".into()),
            Payload::ElementSection(_) => Some("element".into()),
            Payload::DataSection(_) => Some("data".into()),
            Payload::CodeSectionStart { .. } => Some("code".into()),
            Payload::CustomSection(c) => Some(format!("custom:{}", c.name())),
            // 3. Every other section kind fails activation.
            other => {
                let id = other.as_section().map(|(id, _)| id).unwrap_or(0xff);
                return Err(ActivationError::UnsupportedSection {
                    id,
                    name: section_name(id),
                });
            }
        };
        if let Some(name) = name {
            s.sections.push(name);
        }
        match payload {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    types.push(ty.map_err(bad)?);
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let import = import.map_err(bad)?;
                    s.imports += 1;
                    let (module, name) = (import.module, import.name);
                    for n in [module, name] {
                        limit(Limit::NameLength, n.len() as u64, || {
                            Some(format!("import `{module}::{name}`"))
                        })?;
                    }
                    let TypeRef::Func(ty) = import.ty else {
                        return Err(ActivationError::ImportKind {
                            module: module.into(),
                            name: name.into(),
                        });
                    };
                    if module != "vm_hooks" {
                        return Err(ActivationError::ImportModule {
                            module: module.into(),
                            name: name.into(),
                        });
                    }
                    let Some((_, params, results)) = VM_HOOKS.iter().find(|h| h.0 == name) else {
                        return Err(ActivationError::ImportHostio { name: name.into() });
                    };
                    let f = &types[ty as usize];
                    if f.params() != *params || f.results() != *results {
                        return Err(ActivationError::ImportSignature {
                            name: name.into(),
                            found: signature(f.params(), f.results()),
                            expected: signature(params, results),
                        });
                    }
                    func_types.push(ty);
                }
                if arbos >= IMPORT_LIMIT_ARBOS {
                    limit(Limit::Imports, s.imports, || None)?;
                }
            }
            Payload::FunctionSection(r) => {
                for ty in r {
                    func_types.push(ty.map_err(bad)?);
                    s.functions += 1;
                }
                limit(Limit::Functions, s.functions, || None)?;
            }
            Payload::TableSection(r) => {
                for (i, t) in r.into_iter().enumerate() {
                    let t = t.map_err(bad)?;
                    limit(Limit::TableEntries, t.ty.initial, || {
                        Some(format!("table {i}"))
                    })?;
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.map_err(bad)?;
                    memories += 1;
                    limit(Limit::Memories, memories, || None)?;
                    limit(Limit::Pages, m.initial, || None)?;
                    s.pages = m.initial;
                }
            }
            Payload::GlobalSection(r) => {
                s.globals = r.count() as u64;
                limit(Limit::Globals, s.globals, || None)?;
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(bad)?;
                    s.exports += 1;
                    limit(Limit::NameLength, e.name.len() as u64, || {
                        Some(format!("export `{}`", e.name))
                    })?;
                    if e.name.starts_with("stylus") {
                        return Err(ActivationError::ReservedExport(e.name.into()));
                    }
                    exports.push((e.name.into(), e.kind, e.index));
                }
                limit(Limit::Exports, s.exports, || None)?;
            }
            // 4. Parsed, then refused (after the walk, so a later unsupported
            // section is reported first, as a parser walking on would).
            Payload::StartSection { .. } => has_start = true,
            Payload::ElementSection(r) => {
                for el in r {
                    let el = el.map_err(bad)?;
                    s.element_segments += 1;
                    element_entries += match el.items {
                        wasmparser::ElementItems::Functions(f) => f.count() as u64,
                        wasmparser::ElementItems::Expressions(_, e) => e.count() as u64,
                    };
                }
                limit(Limit::ElementSegments, s.element_segments, || None)?;
                limit(Limit::ElementEntries, element_entries, || None)?;
            }
            Payload::DataSection(r) => {
                s.data_segments = r.count() as u64;
                limit(Limit::DataSegments, s.data_segments, || None)?;
            }
            Payload::CodeSectionEntry(body) => {
                let index = s.imports + body_index;
                body_index += 1;
                let mut locals = 0u64;
                for l in body.get_locals_reader().map_err(bad)? {
                    locals += u64::from(l.map_err(bad)?.0);
                }
                limit(Limit::Locals, locals, || Some(format!("function {index}")))?;
                let mut ops = body.get_operators_reader().map_err(bad)?;
                let mut opcodes = 0u64;
                while !ops.eof() {
                    ops.read().map_err(bad)?;
                    opcodes += 1;
                }
                limit(Limit::Opcodes, opcodes, || {
                    Some(format!("function {index}"))
                })?;
                s.max_locals = s.max_locals.max(locals);
                s.max_opcodes = s.max_opcodes.max(opcodes);
            }
            _ => {}
        }
    }

    if has_start {
        return Err(ActivationError::StartFunction);
    }
    if !exports
        .iter()
        .any(|(n, k, _)| n == "memory" && *k == ExternalKind::Memory)
    {
        return Err(ActivationError::MemoryExport);
    }
    let Some((_, kind, index)) = exports.iter().find(|(n, ..)| n == "user_entrypoint") else {
        return Err(ActivationError::UserEntrypoint(
            "no export named `user_entrypoint`".into(),
        ));
    };
    if *kind != ExternalKind::Func {
        return Err(ActivationError::UserEntrypoint(format!(
            "`user_entrypoint` is a {kind:?} export, not a function"
        )));
    }
    let f = &types[func_types[*index as usize] as usize];
    if f.params() != [ValType::I32] || f.results() != [ValType::I32] {
        return Err(ActivationError::UserEntrypoint(format!(
            "`user_entrypoint` has signature {}, it must be (i32) -> (i32)",
            signature(f.params(), f.results())
        )));
    }
    Ok(s)
}

/// Whether activation accepts a section of this id: custom (0) and type (1)
/// through data (11). DataCount (12), tag (13) and anything else are refused.
pub fn accepted_section(id: u8) -> bool {
    id <= 11
}

/// The name of a section id (as the spec names it; `unknown` beyond 13).
pub fn section_name(id: u8) -> &'static str {
    match id {
        0 => "custom",
        1 => "type",
        2 => "import",
        3 => "function",
        4 => "table",
        5 => "memory",
        6 => "global",
        7 => "export",
        8 => "start",
        9 => "element",
        10 => "code",
        11 => "data",
        12 => "DataCount",
        13 => "tag",
        _ => "unknown",
    }
}

/// The ids of the module's top-level sections, in order (a plain walk of the
/// binary, no validation; stops at the first malformed section header).
/// Useful to show that a build did or did not write, e.g., a DataCount
/// section (id 12).
pub fn section_ids(wasm: &[u8]) -> Vec<u8> {
    let mut ids = Vec::new();
    if !wasm.starts_with(b"\0asm") || wasm.len() < 8 {
        return ids;
    }
    let mut i = 8;
    while i < wasm.len() {
        let id = wasm[i];
        i += 1;
        let mut len: usize = 0;
        let mut shift = 0;
        loop {
            let Some(b) = wasm.get(i) else { return ids };
            i += 1;
            len |= ((b & 0x7f) as usize) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
            if shift > 28 {
                return ids;
            }
        }
        ids.push(id);
        i = i.saturating_add(len);
    }
    ids
}
