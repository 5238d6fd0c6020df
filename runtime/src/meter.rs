//! Nitro's activation instrumentation, as our own module transform.
//!
//! [`instrument`] parses a program with `wasmparser` and re-encodes it with
//! `wasm-encoder`, adding what Nitro's activation adds (see
//! `/work/shared/NITRO.md`, "Ink", "Stack depth", "Memory"):
//!
//! 1. **Ink meter**: the body of every function is cut into basic blocks (a
//!    block ends at `end`, `else`, `return`, `loop`, `br`, `br_if`,
//!    `br_table`, `if`, `call`, `call_indirect`); before a block runs, the
//!    sum of its opcode costs ([`opcode_ink`]) plus [`BLOCK_HEADER_INK`] is
//!    taken from the `stylus_ink_left` global. If the global holds less, the
//!    code sets `stylus_ink_status` to 1 and traps (out of ink). Unpayable
//!    opcodes (floats, SIMD, reference types, ...) make their block cost
//!    `u64::MAX`: the block runs out of ink.
//! 2. **Dynamic meter**: `memory.copy` and `memory.fill` also pay
//!    [`BULK_INK_PER_BYTE`] per byte, checked and charged just before the
//!    opcode (through `stylus_scratch_global`).
//! 3. **Depth checker**: each function's frame size is its worst-case
//!    operand-stack height plus its locals (parameters included) plus 4
//!    ([`FRAME_OVERHEAD`]). On entry the function traps, setting
//!    `stylus_stack_left` to 0, if `stylus_stack_left <= size`; otherwise it
//!    subtracts `size`, and adds it back before every `return` and at its
//!    final `end`. The worst-case height is computed over the body *after*
//!    steps 1 and 2 (the depth checker runs after the meters, so their
//!    transient stack use counts; see [`FunctionReport`]).
//! 4. **Heap bound**: every `memory.grow` is preceded by a call of
//!    `vm_hooks::pay_for_memory_grow` with the same page count (the import
//!    is added if the module lacks it), unless the memory's maximum equals
//!    its minimum.
//!
//! The instrumentation's own instructions are free. The four `stylus_*`
//! globals are appended and exported under Nitro's names; a fifth,
//! [`STACK_MIN`], is ours (not Nitro's): the depth prologue records the
//! lowest `stylus_stack_left` seen, so a test can measure stack headroom.
//! It is not counted in the entry cost (the program's costs are computed from
//! the original module) and adds no frame size.

use wasm_encoder::{
    reencode::Reencode, BlockType as EncBlockType, CodeSection, ConstExpr, ElementSection,
    EntityType, ExportKind, ExportSection, GlobalSection, GlobalType, ImportSection,
    Instruction as I, Module, RawSection, TypeSection, ValType as EncValType,
};
use wasmparser::{
    BlockType, FrameKind, FuncType, ModuleArity, Operator, Parser, Payload, SubType, TypeRef,
};

/// Ink of the code Nitro's meter runs at the start of each basic block.
pub const BLOCK_HEADER_INK: u64 = 2_450;
/// Ink per byte of `memory.copy` / `memory.fill`, charged at run time.
pub const BULK_INK_PER_BYTE: u64 = 100;
/// Words added to every frame's size by the depth checker.
pub const FRAME_OVERHEAD: u32 = 4;
/// Largest frame size (words) activation accepts.
pub const MAX_FRAME_SIZE: u32 = 10 * 1_024;

/// Export name of the ink-left global (i64).
pub const INK_LEFT: &str = "stylus_ink_left";
/// Export name of the ink-status global (i32; 1 once out of ink).
pub const INK_STATUS: &str = "stylus_ink_status";
/// Export name of the scratch global (i32).
pub const SCRATCH: &str = "stylus_scratch_global";
/// Export name of the stack-left global (i32, words).
pub const STACK_LEFT: &str = "stylus_stack_left";
/// Export name of the lowest `stylus_stack_left` seen (i32; ours, not
/// Nitro's: it only observes the depth checker).
pub const STACK_MIN: &str = "stylus_runtime_stack_min";

/// Ink of one opcode (Stylus versions 1 and 2), or `None` if Nitro cannot pay
/// for it (floats, SIMD, reference types, `memory.init`, ...). `memory.copy`
/// and `memory.fill` return their fixed part; the per-byte part is dynamic.
/// `params_of_type` gives the parameter count of a type index (for
/// `call_indirect`). `br_table` counts its explicit targets, not the
/// default one (our reading of "325 per target").
pub fn opcode_ink(op: &Operator, params_of_type: impl Fn(u32) -> u32) -> Option<u64> {
    use Operator as O;
    Some(match op {
        O::Unreachable
        | O::Return
        | O::Nop
        | O::I32Const { .. }
        | O::I64Const { .. }
        | O::Block { .. }
        | O::Loop { .. }
        | O::Else
        | O::End => 1,
        O::Drop => 9,
        O::Br { .. } | O::BrIf { .. } | O::If { .. } => 765,
        O::Select => 1_250,
        O::Call { .. } => 3_800,
        O::CallIndirect { type_index, .. } => 13_610 + 650 * params_of_type(*type_index) as u64,
        O::BrTable { targets } => 2_400 + 325 * targets.len() as u64,
        O::LocalGet { .. } | O::LocalTee { .. } => 75,
        O::LocalSet { .. } => 210,
        O::GlobalGet { .. } => 225,
        O::GlobalSet { .. } => 575,
        O::I32Load { .. }
        | O::I32Load8S { .. }
        | O::I32Load8U { .. }
        | O::I32Load16S { .. }
        | O::I32Load16U { .. } => 670,
        O::I64Load { .. }
        | O::I64Load8S { .. }
        | O::I64Load8U { .. }
        | O::I64Load16S { .. }
        | O::I64Load16U { .. }
        | O::I64Load32S { .. }
        | O::I64Load32U { .. } => 680,
        O::I32Store { .. } | O::I32Store8 { .. } | O::I32Store16 { .. } => 825,
        O::I64Store { .. } | O::I64Store8 { .. } | O::I64Store16 { .. } | O::I64Store32 { .. } => {
            950
        }
        O::MemorySize { .. } => 3_000,
        O::MemoryGrow { .. } => 8_050,
        O::I32Eqz
        | O::I32Eq
        | O::I32Ne
        | O::I32LtS
        | O::I32LtU
        | O::I32GtS
        | O::I32GtU
        | O::I32LeS
        | O::I32LeU
        | O::I32GeS
        | O::I32GeU => 170,
        O::I64Eqz
        | O::I64Eq
        | O::I64Ne
        | O::I64LtS
        | O::I64LtU
        | O::I64GtS
        | O::I64GtU
        | O::I64LeS
        | O::I64LeU
        | O::I64GeS
        | O::I64GeU => 225,
        O::I32Clz | O::I32Ctz | O::I64Clz | O::I64Ctz => 210,
        O::I32Add
        | O::I32Sub
        | O::I32And
        | O::I32Or
        | O::I32Xor
        | O::I32Shl
        | O::I32ShrS
        | O::I32ShrU
        | O::I32Rotl
        | O::I32Rotr => 70,
        O::I64Add
        | O::I64Sub
        | O::I64And
        | O::I64Or
        | O::I64Xor
        | O::I64Shl
        | O::I64ShrS
        | O::I64ShrU
        | O::I64Rotl
        | O::I64Rotr => 100,
        O::I32Mul | O::I64Mul => 160,
        O::I32DivS | O::I32DivU | O::I32RemS | O::I32RemU => 1_120,
        O::I64DivS | O::I64DivU | O::I64RemS | O::I64RemU => 1_270,
        O::I32Popcnt => 2_650,
        O::I64Popcnt => 6_000,
        O::I32WrapI64
        | O::I64ExtendI32S
        | O::I64ExtendI32U
        | O::I32Extend8S
        | O::I32Extend16S
        | O::I64Extend8S
        | O::I64Extend16S
        | O::I64Extend32S => 100,
        O::MemoryCopy { .. } | O::MemoryFill { .. } => 950,
        _ => return None,
    })
}

/// Whether an opcode ends a basic block of the meter.
pub fn ends_block(op: &Operator) -> bool {
    use Operator as O;
    matches!(
        op,
        O::End
            | O::Else
            | O::Return
            | O::Loop { .. }
            | O::Br { .. }
            | O::BrIf { .. }
            | O::BrTable { .. }
            | O::If { .. }
            | O::Call { .. }
            | O::CallIndirect { .. }
    )
}

/// What the transform measured of one local function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionReport {
    /// Function index (imports included).
    pub index: u32,
    /// Worst-case operand-stack height of the metered body.
    pub max_height: u32,
    /// Locals, parameters included.
    pub locals: u32,
    /// Frame size charged against `stylus_stack_left`:
    /// `max_height + locals + FRAME_OVERHEAD`.
    pub frame_size: u32,
}

/// An instrumented program.
#[derive(Debug, Clone)]
pub struct Instrumented {
    /// The instrumented WASM.
    pub wasm: Vec<u8>,
    /// One entry per local function, in order.
    pub functions: Vec<FunctionReport>,
    /// Whether `pay_for_memory_grow` calls were inserted (memory growable).
    pub heap_bound: bool,
    /// Whether the `vm_hooks::pay_for_memory_grow` import had to be added
    /// (function indices of local functions then shift by one).
    pub added_grow_import: bool,
}

/// Why a module cannot be instrumented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentError(pub String);

impl std::fmt::Display for InstrumentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InstrumentError {}

fn bad(e: impl std::fmt::Display) -> InstrumentError {
    InstrumentError(e.to_string())
}

/// Module facts the transform needs (first pass).
#[derive(Default)]
struct Info {
    sub_types: Vec<SubType>,
    /// Type index of every function (imports first).
    func_types: Vec<u32>,
    func_imports: u32,
    globals: u32,
    grow_import: Option<u32>,
    growable: bool,
}

impl Info {
    fn func_type(&self, ty: u32) -> Option<&FuncType> {
        self.sub_types.get(ty as usize).map(|s| s.unwrap_func())
    }
    fn params_of(&self, ty: u32) -> u32 {
        self.func_type(ty).map_or(0, |f| f.params().len() as u32)
    }
}

/// Function-index shift applied when the grow import is added.
struct Shift {
    from: u32,
    by: u32,
}

impl Reencode for Shift {
    type Error = std::convert::Infallible;
    fn function_index(&mut self, f: u32) -> Result<u32, wasm_encoder::reencode::Error> {
        Ok(if f >= self.from { f + self.by } else { f })
    }
}

/// Indices of the instrumentation globals.
#[derive(Clone, Copy)]
struct Globals {
    ink: u32,
    status: u32,
    scratch: u32,
    stack: u32,
    stack_min: u32,
}

/// Instruments `wasm` (a module valid under Nitro's feature set).
pub fn instrument(wasm: &[u8]) -> Result<Instrumented, InstrumentError> {
    let info = scan(wasm)?;
    let add_import = info.growable && info.grow_import.is_none();
    let mut shift = Shift {
        from: info.func_imports,
        by: add_import as u32,
    };
    let grow_fn = if add_import {
        Some(info.func_imports)
    } else {
        info.grow_import
    };
    let g = Globals {
        ink: info.globals,
        status: info.globals + 1,
        scratch: info.globals + 2,
        stack: info.globals + 3,
        stack_min: info.globals + 4,
    };
    // Type index of (i32) -> (), for an added import.
    let grow_type = info
        .sub_types
        .iter()
        .position(|s| {
            let f = s.unwrap_func();
            f.params() == [wasmparser::ValType::I32] && f.results().is_empty()
        })
        .map(|i| i as u32);
    let mut extra_type = None;
    if add_import && grow_type.is_none() {
        extra_type = Some(info.sub_types.len() as u32);
    }
    let grow_type = grow_type.or(extra_type).unwrap_or(0);

    let mut module = Module::new();
    let mut functions = Vec::new();
    let mut code = CodeSection::new();
    let mut remaining = 0u32;
    let mut done_types = false;
    let mut done_imports = false;
    let mut done_globals = false;
    let mut done_exports = false;
    let mut local_index = 0u32;
    // Sections in module order: type 1, import 2, function 3, table 4,
    // memory 5, global 6, export 7, start 8, element 9, datacount 12,
    // code 10, data 11.
    let order = |id: u8| match id {
        12 => 95, // DataCount sits between element (9) and code (10)
        id => id as u32 * 10,
    };
    let emit_missing = |module: &mut Module,
                        upto: u32,
                        done_types: &mut bool,
                        done_imports: &mut bool,
                        done_globals: &mut bool,
                        done_exports: &mut bool| {
        if !*done_types && upto > 10 && extra_type.is_some() {
            let mut t = TypeSection::new();
            t.ty().function([EncValType::I32], []);
            module.section(&t);
            *done_types = true;
        }
        if !*done_imports && upto > 20 && add_import {
            let mut s = ImportSection::new();
            s.import(
                "vm_hooks",
                "pay_for_memory_grow",
                EntityType::Function(grow_type),
            );
            module.section(&s);
            *done_imports = true;
        }
        if !*done_globals && upto > 60 {
            let mut s = GlobalSection::new();
            add_globals(&mut s);
            module.section(&s);
            *done_globals = true;
        }
        if !*done_exports && upto > 70 {
            let mut s = ExportSection::new();
            add_exports(&mut s, g);
            module.section(&s);
            *done_exports = true;
        }
    };
    for payload in Parser::new(0).parse_all(wasm) {
        let payload = payload.map_err(bad)?;
        if let Some((id, _)) = payload.as_section() {
            if id != 0 {
                emit_missing(
                    &mut module,
                    order(id),
                    &mut done_types,
                    &mut done_imports,
                    &mut done_globals,
                    &mut done_exports,
                );
            }
        }
        match payload {
            Payload::TypeSection(r) => {
                let mut s = TypeSection::new();
                shift.parse_type_section(&mut s, r).map_err(bad)?;
                if extra_type.is_some() {
                    s.ty().function([EncValType::I32], []);
                }
                module.section(&s);
                done_types = true;
            }
            Payload::ImportSection(r) => {
                let mut s = ImportSection::new();
                shift.parse_import_section(&mut s, r).map_err(bad)?;
                if add_import {
                    s.import(
                        "vm_hooks",
                        "pay_for_memory_grow",
                        EntityType::Function(grow_type),
                    );
                }
                module.section(&s);
                done_imports = true;
            }
            Payload::GlobalSection(r) => {
                let mut s = GlobalSection::new();
                shift.parse_global_section(&mut s, r).map_err(bad)?;
                add_globals(&mut s);
                module.section(&s);
                done_globals = true;
            }
            Payload::ExportSection(r) => {
                let mut s = ExportSection::new();
                shift.parse_export_section(&mut s, r).map_err(bad)?;
                add_exports(&mut s, g);
                module.section(&s);
                done_exports = true;
            }
            Payload::StartSection { func, .. } => {
                module.section(&wasm_encoder::StartSection {
                    function_index: shift.function_index(func).map_err(bad)?,
                });
            }
            Payload::ElementSection(r) => {
                let mut s = ElementSection::new();
                shift.parse_element_section(&mut s, r).map_err(bad)?;
                module.section(&s);
            }
            Payload::CodeSectionStart { count, .. } => {
                remaining = count;
                if count == 0 {
                    module.section(&CodeSection::new());
                }
            }
            Payload::CodeSectionEntry(body) => {
                let index = info.func_imports + local_index;
                local_index += 1;
                let ty = info
                    .func_types
                    .get(index as usize)
                    .and_then(|t| info.func_type(*t))
                    .ok_or_else(|| bad(format!("function {index} has no type")))?;
                let (f, report) = instrument_body(&info, &mut shift, g, grow_fn, index, ty, body)?;
                functions.push(report);
                code.function(&f);
                remaining -= 1;
                if remaining == 0 {
                    module.section(&code);
                }
            }
            Payload::CustomSection(c) => {
                if !(add_import && c.name() == "name") {
                    module.section(&RawSection {
                        id: 0,
                        data: &wasm[c.range()],
                    });
                }
            }
            Payload::End(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    if id == 10 {
                        continue;
                    }
                    module.section(&RawSection {
                        id,
                        data: &wasm[range],
                    });
                }
            }
        }
    }
    emit_missing(
        &mut module,
        u32::MAX,
        &mut done_types,
        &mut done_imports,
        &mut done_globals,
        &mut done_exports,
    );
    Ok(Instrumented {
        wasm: module.finish(),
        functions,
        heap_bound: info.growable,
        added_grow_import: add_import,
    })
}

fn add_globals(s: &mut GlobalSection) {
    let g = |s: &mut GlobalSection, t: EncValType| {
        let init = match t {
            EncValType::I64 => ConstExpr::i64_const(0),
            _ => ConstExpr::i32_const(0),
        };
        s.global(
            GlobalType {
                val_type: t,
                mutable: true,
                shared: false,
            },
            &init,
        );
    };
    g(s, EncValType::I64); // ink left
    g(s, EncValType::I32); // ink status
    g(s, EncValType::I32); // scratch
    g(s, EncValType::I32); // stack left
    g(s, EncValType::I32); // lowest stack left (ours)
}

fn add_exports(s: &mut ExportSection, g: Globals) {
    s.export(INK_LEFT, ExportKind::Global, g.ink);
    s.export(INK_STATUS, ExportKind::Global, g.status);
    s.export(SCRATCH, ExportKind::Global, g.scratch);
    s.export(STACK_LEFT, ExportKind::Global, g.stack);
    s.export(STACK_MIN, ExportKind::Global, g.stack_min);
}

fn scan(wasm: &[u8]) -> Result<Info, InstrumentError> {
    let mut info = Info::default();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(bad)? {
            Payload::TypeSection(r) => {
                for rg in r {
                    info.sub_types.extend(rg.map_err(bad)?.into_types());
                }
            }
            Payload::ImportSection(r) => {
                for imp in r.into_imports() {
                    let imp = imp.map_err(bad)?;
                    match imp.ty {
                        TypeRef::Func(t) => {
                            if imp.module == "vm_hooks" && imp.name == "pay_for_memory_grow" {
                                info.grow_import = Some(info.func_imports);
                            }
                            info.func_types.push(t);
                            info.func_imports += 1;
                        }
                        TypeRef::Global(_) => info.globals += 1,
                        _ => {}
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    info.func_types.push(t.map_err(bad)?);
                }
            }
            Payload::GlobalSection(r) => info.globals += r.count(),
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.map_err(bad)?;
                    info.growable = m.maximum != Some(m.initial);
                }
            }
            _ => {}
        }
    }
    for s in &info.sub_types {
        if !matches!(
            s.composite_type.inner,
            wasmparser::CompositeInnerType::Func(_)
        ) {
            return Err(bad("only function types are supported"));
        }
    }
    Ok(info)
}

/// A metered body element, before the depth checker.
enum Item<'a> {
    Op(Operator<'a>),
    /// Basic-block charge (ink).
    Charge(u64),
    /// Per-byte charge of the `memory.copy`/`memory.fill` that follows.
    Dynamic,
}

/// One control frame of the stack-height walk.
struct Ctl {
    height: u32,
    ty: BlockType,
    kind: FrameKind,
    unreachable: bool,
}

struct Walk<'i> {
    info: &'i Info,
    ctl: Vec<Ctl>,
}

impl ModuleArity for Walk<'_> {
    fn sub_type_at(&self, type_idx: u32) -> Option<&SubType> {
        self.info.sub_types.get(type_idx as usize)
    }
    fn tag_type_arity(&self, _: u32) -> Option<(u32, u32)> {
        None
    }
    fn type_index_of_function(&self, f: u32) -> Option<u32> {
        self.info.func_types.get(f as usize).copied()
    }
    fn func_type_of_cont_type(&self, _: &wasmparser::ContType) -> Option<&FuncType> {
        None
    }
    fn sub_type_of_ref_type(&self, _: &wasmparser::RefType) -> Option<&SubType> {
        None
    }
    fn control_stack_height(&self) -> u32 {
        self.ctl.len() as u32
    }
    fn label_block(&self, depth: u32) -> Option<(BlockType, FrameKind)> {
        let i = self.ctl.len().checked_sub(1 + depth as usize)?;
        let c = &self.ctl[i];
        Some((c.ty, c.kind))
    }
}

/// Worst-case operand-stack height of the metered body.
fn max_height(info: &Info, items: &[Item], results: u32) -> Result<u32, InstrumentError> {
    use Operator as O;
    let mut w = Walk {
        info,
        ctl: vec![Ctl {
            height: 0,
            ty: BlockType::Empty,
            kind: FrameKind::Block,
            unreachable: false,
        }],
    };
    let (mut h, mut max) = (0u32, 0u32);
    let block_results =
        |w: &Walk, ty: BlockType| -> u32 { w.block_type_arity(ty).map_or(0, |(_, r)| r) };
    let pop = |w: &Walk, h: &mut u32, n: u32| {
        let c = w.ctl.last().expect("frame");
        let floor = c.height;
        *h = h
            .saturating_sub(n)
            .max(if c.unreachable { floor } else { 0 });
    };
    for item in items {
        let op = match item {
            Item::Charge(_) => {
                // global.get ink; i64.const cost: two values on top.
                max = max.max(h + 2);
                continue;
            }
            Item::Dynamic => {
                // On top of [.., dest, src|value, n]: n moves to the scratch
                // global, then ink and the i64 cost (two values) are pushed.
                max = max.max(h + 2);
                continue;
            }
            Item::Op(op) => op,
        };
        match op {
            O::Block { blockty } | O::Loop { blockty } => {
                let kind = if matches!(op, O::Loop { .. }) {
                    FrameKind::Loop
                } else {
                    FrameKind::Block
                };
                w.ctl.push(Ctl {
                    height: h,
                    ty: *blockty,
                    kind,
                    unreachable: false,
                });
            }
            O::If { blockty } => {
                pop(&w, &mut h, 1);
                w.ctl.push(Ctl {
                    height: h,
                    ty: *blockty,
                    kind: FrameKind::If,
                    unreachable: false,
                });
            }
            O::Else => {
                let c = w.ctl.last_mut().expect("if frame");
                h = c.height;
                c.unreachable = false;
                c.kind = FrameKind::Else;
            }
            O::End => {
                let c = w.ctl.pop().ok_or_else(|| bad("unbalanced end"))?;
                let r = if w.ctl.is_empty() {
                    results
                } else {
                    block_results(&w, c.ty)
                };
                h = c.height + r;
                max = max.max(h);
            }
            O::Br { .. } | O::Return | O::Unreachable => {
                let c = w.ctl.last_mut().expect("frame");
                h = c.height;
                c.unreachable = true;
            }
            O::BrTable { .. } => {
                pop(&w, &mut h, 1);
                let c = w.ctl.last_mut().expect("frame");
                h = c.height;
                c.unreachable = true;
            }
            O::Call { function_index } => {
                let f = info
                    .func_types
                    .get(*function_index as usize)
                    .and_then(|t| info.func_type(*t))
                    .ok_or_else(|| bad("call of an unknown function"))?;
                pop(&w, &mut h, f.params().len() as u32);
                h += f.results().len() as u32;
            }
            O::CallIndirect { type_index, .. } => {
                let f = info
                    .func_type(*type_index)
                    .ok_or_else(|| bad("call_indirect of an unknown type"))?;
                pop(&w, &mut h, f.params().len() as u32 + 1);
                h += f.results().len() as u32;
            }
            op => {
                let (p, r) = op
                    .operator_arity(&w)
                    .ok_or_else(|| bad(format!("no arity for {op:?}")))?;
                pop(&w, &mut h, p);
                h += r;
            }
        }
        max = max.max(h);
    }
    Ok(max)
}

#[allow(clippy::too_many_arguments)]
fn instrument_body(
    info: &Info,
    shift: &mut Shift,
    g: Globals,
    grow_fn: Option<u32>,
    index: u32,
    ty: &FuncType,
    body: wasmparser::FunctionBody<'_>,
) -> Result<(wasm_encoder::Function, FunctionReport), InstrumentError> {
    // Locals.
    let mut locals = ty.params().len() as u32;
    for l in body.get_locals_reader().map_err(bad)? {
        locals += l.map_err(bad)?.0;
    }
    let mut f = shift.new_function_with_parsed_locals(&body).map_err(bad)?;

    // 1 + 2: meter and dynamic meter.
    let mut items: Vec<Item> = Vec::new();
    let mut block: Vec<Item> = Vec::new();
    let mut cost: u64 = 0;
    let reader = body.get_operators_reader().map_err(bad)?;
    for op in reader.into_iter() {
        let op = op.map_err(bad)?;
        let ink = opcode_ink(&op, |t| info.params_of(t)).unwrap_or(u64::MAX);
        cost = cost.saturating_add(ink);
        if matches!(
            op,
            Operator::MemoryCopy { .. } | Operator::MemoryFill { .. }
        ) {
            block.push(Item::Dynamic);
        }
        let end = ends_block(&op);
        block.push(Item::Op(op));
        if end {
            items.push(Item::Charge(cost.saturating_add(BLOCK_HEADER_INK)));
            items.append(&mut block);
            cost = 0;
        }
    }
    if !block.is_empty() {
        return Err(bad("function body does not end with `end`"));
    }

    // 3: depth checker.
    let max_height = max_height(info, &items, ty.results().len() as u32)?;
    let frame_size = max_height + locals + FRAME_OVERHEAD;
    if frame_size > MAX_FRAME_SIZE {
        return Err(bad(format!(
            "function {index} has a frame of {frame_size} words (limit {MAX_FRAME_SIZE})"
        )));
    }
    let size = frame_size as i32;
    // Prologue: trap if stack_left <= size, else subtract; record the low.
    for i in [
        I::GlobalGet(g.stack),
        I::I32Const(size),
        I::I32LeU,
        I::If(EncBlockType::Empty),
        I::I32Const(0),
        I::GlobalSet(g.stack),
        I::Unreachable,
        I::End,
        I::GlobalGet(g.stack),
        I::I32Const(size),
        I::I32Sub,
        I::GlobalSet(g.stack),
        I::GlobalGet(g.stack),
        I::GlobalGet(g.stack_min),
        I::I32LtU,
        I::If(EncBlockType::Empty),
        I::GlobalGet(g.stack),
        I::GlobalSet(g.stack_min),
        I::End,
    ] {
        f.instruction(&i);
    }
    let restore = |f: &mut wasm_encoder::Function| {
        for i in [
            I::GlobalGet(g.stack),
            I::I32Const(size),
            I::I32Add,
            I::GlobalSet(g.stack),
        ] {
            f.instruction(&i);
        }
    };
    let charge = |f: &mut wasm_encoder::Function, cost: I<'static>| {
        for i in [
            I::GlobalGet(g.ink),
            cost.clone(),
            I::I64LtU,
            I::If(EncBlockType::Empty),
            I::I32Const(1),
            I::GlobalSet(g.status),
            I::Unreachable,
            I::End,
            I::GlobalGet(g.ink),
            cost,
            I::I64Sub,
            I::GlobalSet(g.ink),
        ] {
            f.instruction(&i);
        }
    };
    let mut depth = 0usize;
    let n = items.len();
    for (k, item) in items.into_iter().enumerate() {
        match item {
            Item::Charge(c) => charge(&mut f, I::I64Const(c as i64)),
            Item::Dynamic => {
                f.instruction(&I::GlobalSet(g.scratch));
                let dynamic = |f: &mut wasm_encoder::Function| {
                    f.instruction(&I::GlobalGet(g.scratch));
                    f.instruction(&I::I64ExtendI32U);
                    f.instruction(&I::I64Const(BULK_INK_PER_BYTE as i64));
                    f.instruction(&I::I64Mul);
                };
                f.instruction(&I::GlobalGet(g.ink));
                dynamic(&mut f);
                for i in [
                    I::I64LtU,
                    I::If(EncBlockType::Empty),
                    I::I32Const(1),
                    I::GlobalSet(g.status),
                    I::Unreachable,
                    I::End,
                    I::GlobalGet(g.ink),
                ] {
                    f.instruction(&i);
                }
                dynamic(&mut f);
                f.instruction(&I::I64Sub);
                f.instruction(&I::GlobalSet(g.ink));
                f.instruction(&I::GlobalGet(g.scratch));
            }
            Item::Op(op) => {
                match &op {
                    Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                        depth += 1
                    }
                    Operator::End => {
                        if depth == 0 {
                            debug_assert_eq!(k, n - 1);
                            restore(&mut f);
                        } else {
                            depth -= 1;
                        }
                    }
                    Operator::Return => restore(&mut f),
                    Operator::MemoryGrow { .. } => {
                        if let Some(pay) = grow_fn.filter(|_| info.growable) {
                            for i in [
                                I::GlobalSet(g.scratch),
                                I::GlobalGet(g.scratch),
                                I::Call(pay),
                                I::GlobalGet(g.scratch),
                            ] {
                                f.instruction(&i);
                            }
                        }
                    }
                    _ => {}
                }
                let ins = shift.instruction(op).map_err(bad)?;
                f.instruction(&ins);
            }
        }
    }
    Ok((
        f,
        FunctionReport {
            index,
            max_height,
            locals,
            frame_size,
        },
    ))
}
