//! Nitro's pricing rules, each checked on a hand-written WAT program against
//! a hand-computed number (NITRO.md: ink per basic block, memory.copy/fill
//! per byte, stack depth, the memory model, program entry, and the fixed
//! deviations).

use stylus_runtime::{meter, Address, Nitro, Tx, World, B256, U256};

const A: Address = Address::repeat_byte(0xaa);
const USER: Address = Address::repeat_byte(0xee);

/// Hostio base (`HOSTIO_INK`) and block header, in ink.
const HOSTIO: u64 = 8_400;
const HEADER: u64 = 2_450;

/// A program that measures the ink of `body`: it reads `evm_ink_left`,
/// runs `body`, reads it again and returns the difference (8 bytes, LE).
/// Around `body`, the measured span contains: `local.set $t` (210) before
/// it and `i32.const 0` (1), `local.get $t` (75), `call $ink` (3,800)
/// after it, the headers of the blocks run, and the second hostio's 8,400.
fn ink_program(body: &str, extra: &str) -> String {
    format!(
        r#"(module
  (import "vm_hooks" "evm_ink_left" (func $ink (result i64)))
  (import "vm_hooks" "write_result" (func $out (param i32 i32)))
  (import "vm_hooks" "native_keccak256" (func $keccak (param i32 i32 i32)))
  (import "vm_hooks" "account_code_size" (func $code_size (param i32) (result i32)))
  (import "vm_hooks" "account_code" (func $code (param i32 i32 i32 i32) (result i32)))
  (import "vm_hooks" "read_return_data" (func $rrd (param i32 i32 i32) (result i32)))
  (import "vm_hooks" "call_contract"
    (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 1 1)
  {extra}
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (local $t i64) (local $i i32)
    call $ink
    local.set $t
    {body}
    i32.const 0
    local.get $t
    call $ink
    i64.sub
    i64.store
    i32.const 0
    i32.const 8
    call $out
    i32.const 0))"#
    )
}

/// Ink measured around `body` (see [`ink_program`]).
fn ink_of(body: &str, extra: &str) -> u64 {
    ink_in(&mut World::new(), body, extra)
}

/// [`ink_of`] in a given world.
fn ink_in(w: &mut World, body: &str, extra: &str) -> u64 {
    let wasm = wat::parse_str(ink_program(body, extra)).expect("WAT parses");
    w.deploy(A, &wasm).expect("deploys");
    let r = w.call(USER, A, &[]);
    assert!(r.success, "{body}: {:?}", r.error);
    u64::from_le_bytes(r.output[..8].try_into().unwrap())
}

/// The span around an empty body: one block (local.set 210 + i32.const 1 +
/// local.get 75 + call 3,800 + header) and the second hostio.
const EMPTY: u64 = 210 + 1 + 75 + 3_800 + HEADER + HOSTIO;

#[test]
fn straight_line_code_costs_its_opcodes() {
    assert_eq!(ink_of("", ""), 14_936);
    assert_eq!(EMPTY, 14_936);
    // i32.const ×2 (1 each), i32.div_u 1,120, drop 9.
    assert_eq!(
        ink_of("i32.const 7 i32.const 3 i32.div_u drop", ""),
        EMPTY + 1 + 1 + 1_120 + 9
    );
    // i64.mul 160, i64.popcnt 6,000.
    assert_eq!(
        ink_of("i64.const 1 i64.const 2 i64.mul i64.popcnt drop", ""),
        EMPTY + 2 + 160 + 6_000 + 9
    );
    // i32.load 670; i64.store 950; i32 compare 170; i64 compare 225;
    // select 1,250; global.get / set 225 / 575; local.tee 75; clz 210;
    // wrap/extend 100; memory.size 3,000.
    assert_eq!(ink_of("i32.const 5 i32.load drop", ""), EMPTY + 1 + 670 + 9);
    assert_eq!(
        ink_of("i32.const 0 i64.const 9 i64.store", ""),
        EMPTY + 1 + 1 + 950
    );
    assert_eq!(
        ink_of(
            "i32.const 1 i32.const 2 i32.lt_u i64.const 1 i64.eqz drop drop",
            ""
        ),
        EMPTY + 2 + 170 + 1 + 225 + 18
    );
    assert_eq!(
        ink_of("i32.const 1 i32.const 2 i32.const 0 select drop", ""),
        EMPTY + 3 + 1_250 + 9
    );
    assert_eq!(
        ink_of(
            "global.get $g global.set $g",
            "(global $g (mut i32) (i32.const 0))"
        ),
        EMPTY + 225 + 575
    );
    assert_eq!(
        ink_of(
            "i32.const 1 local.tee $i i32.clz i64.extend_i32_u i32.wrap_i64 drop memory.size drop",
            ""
        ),
        EMPTY + 1 + 75 + 210 + 100 + 100 + 9 + 3_000 + 9
    );
}

#[test]
fn each_basic_block_pays_the_header() {
    // `block nop end`: the `end` closes a basic block, so the span has two
    // blocks: [local.set, block, nop, end] and [i32.const, local.get, call].
    assert_eq!(ink_of("block nop end", ""), EMPTY + 3 + HEADER);
    // if/else: [local.set, i32.const, if] + then-arm [nop, nop, else] (taken)
    // or else-arm [nop, end] (not taken), + the block after.
    let taken = ink_of("(if (i32.const 1) (then nop nop) (else nop))", "");
    assert_eq!(
        taken,
        210 + 1 + 765 + HEADER + 3 + HEADER + 3_876 + HEADER + HOSTIO
    );
    assert_eq!(taken, 20_605);
    let not_taken = ink_of("(if (i32.const 0) (then nop nop) (else nop))", "");
    assert_eq!(not_taken, 20_604);
    // A loop of 3 iterations: [local.set $t, i32.const 3, local.set $i,
    // loop] then 3 × [local.get, i32.const, i32.sub, local.tee, br_if]
    // (75 + 1 + 70 + 75 + 765), then [end], then the closing block.
    let looped = ink_of(
        "i32.const 3 local.set $i
         loop local.get $i i32.const 1 i32.sub local.tee $i br_if 0 end",
        "",
    );
    assert_eq!(
        looped,
        (210 + 1 + 210 + 1 + HEADER)
            + 3 * (986 + HEADER)
            + (1 + HEADER)
            + (3_876 + HEADER)
            + HOSTIO
    );
    // br_table with 2 targets + default: 2,400 + 325 × 2. Branch to label
    // 1 skips `end` of the inner two blocks: [local.set, block ×3,
    // i32.const, br_table], then [end] of the outer block, then the rest.
    let table = ink_of(
        "block block block i32.const 1 br_table 0 1 2 end end end",
        "",
    );
    assert_eq!(
        table,
        (210 + 3 + 1 + 3_050 + HEADER) + (1 + HEADER) + (3_876 + HEADER) + HOSTIO
    );
}

#[test]
fn calls_pay_at_the_call_site_and_in_the_callee() {
    // call 3,800 ends the block; the callee's body [end] is one block.
    let direct = ink_of("call $f", "(func $f)");
    assert_eq!(
        direct,
        (210 + 3_800 + HEADER) + (1 + HEADER) + (3_876 + HEADER) + HOSTIO
    );
    // call_indirect: 13,610 + 650 per parameter.
    let indirect = ink_of(
        "i32.const 5 i32.const 0 call_indirect (type $p)",
        "(type $p (func (param i32))) (table 1 funcref) (elem (i32.const 0) $g)
         (func $g (param i32))",
    );
    assert_eq!(
        indirect,
        (210 + 2 + 13_610 + 650 + HEADER) + (1 + HEADER) + (3_876 + HEADER) + HOSTIO
    );
}

#[test]
fn memory_copy_and_fill_pay_per_byte() {
    // 950 + 100 per byte, in the same block.
    assert_eq!(
        ink_of("i32.const 0 i32.const 100 i32.const 1000 memory.copy", ""),
        EMPTY + 3 + 950 + 100 * 1_000
    );
    assert_eq!(
        ink_of("i32.const 0 i32.const 7 i32.const 0 memory.fill", ""),
        EMPTY + 3 + 950
    );
    assert_eq!(
        ink_of("i32.const 0 i32.const 7 i32.const 65536 memory.fill", ""),
        EMPTY + 3 + 950 + 6_553_600
    );
    // Not enough ink for the bytes: out of ink (all gas burnt).
    let wasm = wat::parse_str(ink_program(
        "i32.const 0 i32.const 7 i32.const 65536 memory.fill",
        "",
    ))
    .unwrap();
    let mut w = World::new();
    w.deploy(A, &wasm).unwrap();
    let entry = stylus_runtime::program_costs(&wasm).unwrap().entry_gas();
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![],
        gas_limit: 21_000 + entry + 300,
    });
    assert!(!r.success);
    assert_eq!(r.error.as_deref(), Some("out of gas"));
    assert_eq!(r.gas_used, 21_000 + entry + 300);
}

#[test]
fn floats_are_unpayable() {
    let wasm = wat::parse_str(ink_program("f32.const 1 drop", "")).unwrap();
    let mut w = World::new();
    w.deploy(A, &wasm).expect("floats validate");
    let r = w.call(USER, A, &[]);
    assert!(!r.success);
    assert_eq!(r.error.as_deref(), Some("out of gas"));
    assert_eq!(r.gas_used, 30_000_000, "out of ink burns everything");
}

const RECURSE: &str = r#"(module
  (import "vm_hooks" "read_args" (func $args (param i32)))
  (memory (export "memory") 1 1)
  (func $r (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (call $r (i32.sub (local.get $n) (i32.const 1))))
      (else (i32.const 0))))
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $args (i32.const 0))
    (drop (call $r (i32.load (i32.const 0))))
    (i32.const 0)))"#;

#[test]
fn frame_sizes_are_hand_computed() {
    let wasm = wat::parse_str(RECURSE).unwrap();
    let m = meter::instrument(&wasm).unwrap();
    // $r: the metered body peaks at 3 values (the block charge on top of
    // the call's result); 1 local; + 4.
    // [Charge(+2), local.get, if] [Charge(+2), local.get, i32.const,
    // i32.sub, call] [Charge at height 1 (+2): 3] [else] ...
    assert_eq!(m.functions[0].index, 1);
    assert_eq!(
        (
            m.functions[0].max_height,
            m.functions[0].locals,
            m.functions[0].frame_size
        ),
        (3, 1, 8)
    );
    // user_entrypoint: the charge after `call $r` sits on its result: 3.
    assert_eq!(
        (
            m.functions[1].max_height,
            m.functions[1].locals,
            m.functions[1].frame_size
        ),
        (3, 1, 8)
    );
}

#[test]
fn deep_recursion_runs_out_of_stack_where_nitro_does() {
    let wasm = wat::parse_str(RECURSE).unwrap();
    let mut w = World::new();
    w.deploy(A, &wasm).unwrap();
    let run = |w: &mut World, n: u32| w.call(USER, A, &n.to_le_bytes());
    // Entry frame 8 words: 21,992 left. The k-th nested $r needs
    // 21,992 − 8(k − 1) > 8, so k ≤ 2,748: n = 2,747 (2,748 calls) fits.
    let r = run(&mut w, 10);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.stack_left_min, Some(22_000 - 8 - 11 * 8));
    let r = run(&mut w, 2_747);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.stack_left_min, Some(8));
    assert_eq!(w.last_trace()[0].stack_left_min, Some(8));
    let r = run(&mut w, 2_748);
    assert!(!r.success);
    assert_eq!(r.error.as_deref(), Some("out of stack"));
    assert_eq!(r.gas_used, 30_000_000, "out of stack burns everything");
    // Before ArbOS 50 the budget was 262,144 words.
    let mut old = World::with_nitro(Nitro::arbos(32));
    old.deploy(A, &wasm).unwrap();
    assert!(run(&mut old, 2_748).success);
}

const GROW: &str = r#"(module
  (import "vm_hooks" "read_args" (func $args (param i32)))
  (memory (export "memory") 1)
  (func (export "user_entrypoint") (param $len i32) (result i32)
    (call $args (i32.const 0))
    (drop (memory.grow (i32.load (i32.const 0))))
    (i32.const 0)))"#;

#[test]
fn memory_grow_pays_the_ramp_at_the_opcode() {
    let wasm = wat::parse_str(GROW).unwrap();
    let m = meter::instrument(&wasm).unwrap();
    assert!(m.heap_bound && m.added_grow_import);
    let entry = stylus_runtime::program_costs(&wasm).unwrap().entry_gas();
    let mut w = World::new();
    w.deploy(A, &wasm).unwrap();
    // 1 page at entry (free); +20: 19 pages beyond the 2 free ones, plus
    // exp(21) − exp(1) = 17 − 1.
    let r = w.call(USER, A, &20u32.to_le_bytes());
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.gas.init, entry + 19_000 + 16);
    // +100: 99,000 + exp(101) − exp(1) = 833,067 − 1 (in a new block, so
    // that the entry is the full one again).
    w.set_block_number(2);
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: 100u32.to_le_bytes().to_vec(),
        gas_limit: 2_000_000,
    });
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.gas.init, entry + 99_000 + 833_066);
    // 129 pages are unpayable, whatever the gas.
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: 128u32.to_le_bytes().to_vec(),
        gas_limit: 1 << 40,
    });
    assert!(!r.success);
    assert_eq!(r.error.as_deref(), Some("out of gas"));
    // Memory with maximum = minimum cannot grow: no pay_for_memory_grow.
    let fixed = GROW.replace(
        "(memory (export \"memory\") 1)",
        "(memory (export \"memory\") 1 1)",
    );
    let m = meter::instrument(&wat::parse_str(fixed).unwrap()).unwrap();
    assert!(!m.heap_bound && !m.added_grow_import);
}

/// Deviation 1: Stylus v2's initCost does not include cachedCost.
#[test]
fn program_entry_uses_the_stylus_v2_init_cost() {
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
    )
    .unwrap();
    assert_eq!(wasm.len(), 63);
    // funcs 1, type_len 2, wasm_len 63, globals 0 + 4, ranges 0, footprint 1:
    // cachedCost = 0 + 0 + 0 + 4·1628/1000 (6) + 0 + 5 = 11;
    // initCost = 1·8252/1000 (8) + 2·1059/1000 (2) + 63·1286/10000 (8) = 18
    // (Stylus v1 added cachedCost: 29).
    let c = stylus_runtime::program_costs(&wasm).unwrap();
    assert_eq!((c.init_cost, c.cached_init_cost), (18, 11));
    // cachedGas 352 + 11, initGas 8,832 + 18.
    assert_eq!(c.entry_gas(), 9_213);
    let mut w = World::new();
    w.deploy(A, &wasm).unwrap();
    let r = w.call(USER, A, &[]);
    assert!(r.success);
    assert_eq!(r.gas.init, 9_213);
    // [i32.const 0, end] = 2 + 2,450 ink: the frame returns one gas less.
    assert_eq!(r.gas_used, 21_000 + 9_213 + 1);
    // Stylus version 1 (before ArbOS 31) pays cachedCost in initCost too.
    let mut v1 = World::with_nitro(Nitro::arbos(30));
    v1.deploy(A, &wasm).unwrap();
    assert_eq!(v1.call(USER, A, &[]).gas.init, 363 + 72 * 128 + 29);
}

/// Deviation 2: write_result pays read_price twice.
#[test]
fn write_result_pays_read_price_twice() {
    // [local.set, i32.const ×2, call 3,800] + hostio + 2 × read_price(100)
    // (16,381 + 55 × 68) + the closing block + hostio.
    let ink = ink_of("i32.const 0 i32.const 100 call $out", "");
    assert_eq!(
        ink,
        (210 + 2 + 3_800 + HEADER) + HOSTIO + 2 * 20_121 + (3_876 + HEADER) + HOSTIO
    );
}

/// Deviation 4: native_keccak256 pays the keccak formula only.
#[test]
fn keccak_pays_no_hostio_ink() {
    let ink = ink_of("i32.const 0 i32.const 64 i32.const 0 call $keccak", "");
    assert_eq!(
        ink,
        (210 + 3 + 3_800 + HEADER) + 121_800 + (3_876 + HEADER) + HOSTIO
    );
}

/// Deviation 12: a frame uses at least evmMemoryCost(len(ret)).
#[test]
fn return_data_floor() {
    let wasm = wat::parse_str(
        r#"(module
             (import "vm_hooks" "write_result" (func $out (param i32 i32)))
             (memory (export "memory") 3 3)
             (func (export "user_entrypoint") (param i32) (result i32)
               (call $out (i32.const 0) (i32.const 196608)) i32.const 0))"#,
    )
    .unwrap();
    let mut w = World::new();
    w.deploy(A, &wasm).unwrap();
    let r = w.call(USER, A, &[]);
    assert!(r.success);
    assert_eq!(r.output.len(), 196_608);
    // 6,144 words: 3 × 6,144 + 6,144² / 512 = 92,160 > what the frame paid.
    assert_eq!(r.gas_used, 21_000 + 92_160);
    // Before ArbOS 31 there is no floor.
    let mut old = World::with_nitro(Nitro::arbos(30));
    old.deploy(A, &wasm).unwrap();
    assert!(old.call(USER, A, &[]).gas_used < 21_000 + 30_000);
}

const B: Address = Address::repeat_byte(0xbb);
const EOA: Address = Address::repeat_byte(0x77);

fn probe() -> Vec<u8> {
    wat::parse_str(include_str!("probe.wat")).expect("probe.wat parses")
}

fn word(n: u64) -> [u8; 32] {
    U256::from(n).to_be_bytes()
}

/// Probe calldata: `op ‖ parts...`.
fn op(o: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![o];
    for p in parts {
        v.extend_from_slice(p);
    }
    v
}

fn probe_world() -> World {
    let mut w = World::new();
    for a in [A, B] {
        w.deploy(a, &probe()).unwrap();
    }
    w
}

/// Deviation 3: a value call pays base + (gas incl. stipend − gas returned):
/// the caller no longer gains the unused stipend.
#[test]
fn value_calls_do_not_gain_the_stipend() {
    let mut w = probe_world();
    w.set_balance(A, U256::from(100));
    w.set_balance(EOA, U256::from(1));
    let call = |w: &mut World, value: u64| {
        // Each in a new block: both pay the full entry.
        let n = w.block_number();
        w.set_block_number(n + 1);
        let r = w.call(USER, A, &op(9, &[EOA.as_slice(), &word(value)]));
        assert_eq!(r.output, vec![0]);
        r
    };
    let plain = call(&mut w, 0);
    let valued = call(&mut w, 1);
    assert_eq!(valued.gas.calls - plain.gas.calls, 9_000);
    // + 12: one calldata byte is non-zero.
    assert_eq!(valued.gas_used - plain.gas_used, 9_000 + 12);
}

/// Deviation 3: when the base cost cannot be paid, the hostio returns
/// status 2 and costs the gas left; the program goes on.
#[test]
fn unpayable_call_base_returns_status_2() {
    let wasm = wat::parse_str(
        r#"(module
          (import "vm_hooks" "read_args" (func $args (param i32)))
          (import "vm_hooks" "call_contract"
            (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 32) "\01")
          (func (export "user_entrypoint") (param $len i32) (result i32)
            (call $args (i32.const 0))
            ;; value 1 to a fresh account: base 2,600 + 9,000 + 25,000.
            (call $call (i32.const 0) (i32.const 0) (i32.const 0)
                        (i32.const 0) (i64.const -1) (i32.const 100))))"#,
    )
    .unwrap();
    let mut w = World::new();
    w.deploy(A, &wasm).unwrap();
    w.set_balance(A, U256::from(10));
    // The "value" word at 0..32 is the address' bytes + 0x01 at 32: the
    // value is read from 0 (the address, non-zero as a number).
    let entry = stylus_runtime::program_costs(&wasm).unwrap().entry_gas();
    let data = EOA.as_slice().to_vec();
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: data.clone(),
        gas_limit: stylus_runtime::gas::intrinsic(&data) + entry + 20_000,
    });
    // The program returns the status (2): a revert, not an out-of-gas.
    assert_eq!(r.error.as_deref(), Some("revert"), "{r:?}");
    assert_eq!(w.last_trace().len(), 1, "no call was made");
    assert_eq!(w.balance(EOA), U256::ZERO);
}

/// Deviation 5: account_code_size pays access + 700 (touch), once per
/// address while it is the last one looked up; account_code pays
/// write_price on the whole code.
#[test]
fn account_code_touch_cost_and_last_code_cache() {
    let data =
        r#"(data (i32.const 64) "\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb")"#;
    let api = HOSTIO + 59_673;
    let mut w = probe_world();
    let twice = ink_in(
        &mut w,
        "i32.const 64 call $code_size drop i32.const 64 call $code_size drop",
        data,
    );
    // [local.set, i32.const, call] + hostio + cold 2,600 + touch 700 gas;
    // [drop, i32.const, call] + hostio (last-code cache: no gas);
    // [drop, i32.const, local.get, call] + hostio.
    assert_eq!(
        twice,
        (4_011 + HEADER)
            + api
            + 3_300 * 10_000
            + (3_810 + HEADER)
            + api
            + (3_885 + HEADER)
            + HOSTIO
    );
    // account_code of 1 byte pays write_price of the probe's whole code.
    let code_len = 4 + probe().len() as u64;
    let mut w = probe_world();
    let one = ink_in(
        &mut w,
        "i32.const 64 i32.const 0 i32.const 1 i32.const 512 call $code drop",
        data,
    );
    assert_eq!(
        one,
        (210 + 4 + 3_800 + HEADER)
            + api
            + 3_300 * 10_000
            + (5_040 + 30 * (code_len - 32))
            + (3_885 + HEADER)
            + HOSTIO
    );
    // Through the probe: code size then code hash of B: 3,300 + warm 100.
    let r = probe_world().call(USER, A, &op(3, &[B.as_slice()]));
    assert_eq!(r.gas.calls, 2_600 + 700 + 100);
}

/// Deviation 7: read_return_data pays write_price of what it copies and,
/// with nothing to copy, returns at once without touching memory.
#[test]
fn read_return_data_prices_what_it_copies() {
    let api = HOSTIO + 59_673;
    // No return data, size 100, dest out of bounds: 0 bytes, write_price(0).
    let ink = ink_of("i32.const -1 i32.const 0 i32.const 100 call $rrd drop", "");
    assert_eq!(
        ink,
        (210 + 3 + 3_800 + HEADER) + api + 5_040 + (3_885 + HEADER) + HOSTIO
    );
}

/// Deviation 9: a log in a static context fails after paying for it.
#[test]
fn static_log_fails_after_paying() {
    let mut w = probe_world();
    let r = w.call(USER, A, &op(10, &[B.as_slice(), &op(4, &[&[0], b"hello"])]));
    assert!(r.success);
    assert_eq!(r.output, vec![1], "the static child fails");
    assert!(r.logs.is_empty());
    assert_eq!(r.gas.logs, 375 + 8 * 5, "LOG0 of 5 bytes was paid");
}

/// Deviation 13: nonces. An EOA that sent a transaction is not empty: its
/// code hash is keccak("") and value sent to it pays no new-account cost.
#[test]
fn nonces_make_accounts_non_empty() {
    let mut w = probe_world();
    let r = w.call(USER, A, &op(3, &[EOA.as_slice()]));
    assert_eq!(&r.output[4..], B256::ZERO.as_slice(), "empty account");
    assert!(w.call(EOA, A, &[0]).success);
    assert_eq!(w.nonce(EOA), 1);
    let r = w.view(USER, A, &op(3, &[EOA.as_slice()]));
    assert_eq!(w.nonce(USER), 1, "views do not count");
    assert_eq!(&r.output[4..], alloy_primitives::keccak256([]).as_slice());
    w.set_balance(A, U256::from(100));
    let r = w.call(USER, A, &op(9, &[EOA.as_slice(), &word(1)]));
    assert_eq!(r.output, vec![0]);
    assert_eq!(r.gas.calls, 2_600 + 9_000, "no 25,000 new-account cost");
}

/// Deviation 11: multi-value is refused from ArbOS 60 only.
#[test]
fn multi_value_follows_the_arbos_version() {
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func $two (result i32 i32) i32.const 0 i32.const 0)
             (func (export "user_entrypoint") (param i32) (result i32)
               call $two drop))"#,
    )
    .unwrap();
    assert!(World::new().deploy(A, &wasm).is_err());
    let mut old = World::with_nitro(Nitro::arbos(51));
    old.deploy(A, &wasm).expect("ArbOS 51 accepts multi-value");
    assert!(old.call(USER, A, &[]).success);
}

/// One source of the ArbOS version: the World's Nitro parameters.
/// `activation::DEFAULT_ARBOS` is Nitro's default, `set_arbos_version`
/// switches the parameters (activation rules and prices alike), and a
/// program deployed under one version keeps running under another (the
/// engine does not depend on the version).
#[test]
fn the_arbos_version_is_the_nitro_parameters() {
    use stylus_runtime::activation;
    assert_eq!(activation::DEFAULT_ARBOS, Nitro::default().arbos_version);
    assert_eq!(
        activation::NO_MULTI_VALUE_ARBOS,
        stylus_runtime::nitro::ARBOS_NO_MULTI_VALUE
    );
    for v in [30, 51, 59, 60, 61] {
        assert_eq!(
            activation::nitro_features(v).multi_value(),
            !Nitro::arbos(v).rejects_multi_value(),
            "ArbOS {v}"
        );
    }
    let mut w = World::new();
    assert_eq!(w.arbos_version(), 61);
    assert_eq!(w.nitro(), Nitro::default());
    let wasm = wat::parse_str(RECURSE).unwrap();
    w.deploy(A, &wasm).unwrap();
    let run = |w: &mut World, n: u32| w.call(USER, A, &n.to_le_bytes());
    assert_eq!(run(&mut w, 2_748).error.as_deref(), Some("out of stack"));
    w.set_arbos_version(32);
    assert_eq!(w.arbos_version(), 32);
    assert_eq!(w.nitro(), Nitro::arbos(32));
    assert!(run(&mut w, 2_748).success, "ArbOS 32's 262,144-word budget");
    w.set_arbos_version(61);
    assert_eq!(run(&mut w, 2_748).error.as_deref(), Some("out of stack"));
}

/// ArbOS 60+: a program among the block's 32 most recent programs is
/// priced as cached (no initGas); a new block starts afresh; ArbOS 51 has
/// no such hits.
#[test]
fn recent_wasms_are_cached_within_a_block() {
    let wasm = probe();
    let costs = stylus_runtime::program_costs(&wasm).unwrap();
    let nitro = Nitro::default();
    let (full, cached) = (
        costs.entry_gas_with(&nitro, false),
        costs.entry_gas_with(&nitro, true),
    );
    assert_eq!(full - cached, 8_832 + costs.init_cost as u64);
    let mut w = probe_world();
    assert_eq!(w.call(USER, A, &[0]).gas.init, full);
    assert_eq!(w.call(USER, A, &[0]).gas.init, cached);
    w.set_block_number(2);
    assert_eq!(w.call(USER, A, &[0]).gas.init, full);
    // 32 other programs push it out of the list.
    let others: Vec<Address> = (0..32u8)
        .map(|i| Address::with_last_byte(0x80 + i))
        .collect();
    for (i, a) in others.iter().enumerate() {
        // Distinct code: a distinct custom section per program.
        let mut code = wasm.clone();
        code.extend_from_slice(&[0, 3, 1, b'x', i as u8]);
        w.deploy(*a, &code).unwrap();
        assert!(w.call(USER, *a, &[0]).success);
    }
    assert_eq!(w.call(USER, A, &[0]).gas.init, full);
    let mut old = World::with_nitro(Nitro::arbos(51));
    old.deploy(A, &wasm).unwrap();
    assert_eq!(old.call(USER, A, &[0]).gas.init, full);
    assert_eq!(old.call(USER, A, &[0]).gas.init, full);
}

/// Runs a one-hostio program with `gas` left after its entry; returns
/// whether it succeeded. The hostio is called in the first block
/// ([i32.const, i32.const, call] = 3,802 + 2,450 ink) with two pointer
/// arguments.
fn one_hostio(import: &str, call: &str, gas: u64) -> stylus_runtime::Receipt {
    let wasm = wat::parse_str(format!(
        r#"(module {import}
             (memory (export "memory") 1 1)
             (func (export "user_entrypoint") (param i32) (result i32)
               {call} i32.const 0))"#
    ))
    .unwrap();
    let entry = stylus_runtime::program_costs(&wasm).unwrap().entry_gas();
    let mut w = World::new();
    w.deploy(A, &wasm).unwrap();
    w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![],
        gas_limit: 21_000 + entry + gas,
    })
}

/// Deviation 6: storage_load_bytes32 first requires 2,115 gas left (after
/// its 18,480-ink base and the 6,252-ink block: 2,117.47 gas needed);
/// storage_cache_bytes32 requires 2,310 (2,312.47 needed); account_balance
/// 2,600 (base 18,480 + 59,673: 2,608.44 needed).
#[test]
fn hostio_gas_pre_checks() {
    let load = (
        r#"(import "vm_hooks" "storage_load_bytes32" (func $h (param i32 i32)))"#,
        "(call $h (i32.const 0) (i32.const 32))",
    );
    assert!(one_hostio(load.0, load.1, 2_118).success);
    let r = one_hostio(load.0, load.1, 2_117);
    assert_eq!(r.error.as_deref(), Some("out of gas"), "2,115 required");
    let cache = (
        r#"(import "vm_hooks" "storage_cache_bytes32" (func $h (param i32 i32)))"#,
        "(call $h (i32.const 0) (i32.const 32))",
    );
    assert!(one_hostio(cache.0, cache.1, 2_313).success);
    let r = one_hostio(cache.0, cache.1, 2_312);
    assert_eq!(r.error.as_deref(), Some("out of gas"), "2,310 required");
    let balance = (
        r#"(import "vm_hooks" "account_balance" (func $h (param i32 i32)))"#,
        "(call $h (i32.const 0) (i32.const 32))",
    );
    assert!(one_hostio(balance.0, balance.1, 2_609).success);
    let r = one_hostio(balance.0, balance.1, 2_608);
    assert_eq!(r.error.as_deref(), Some("out of gas"), "2,600 required");
}

/// Deviation 2: call data forwarded by call_contract pays read_price twice.
#[test]
fn forwarded_call_data_pays_read_price_twice() {
    // A call with 100 bytes of data and no value to a cold EOA (no code:
    // it returns all the gas it got, so the net cost is the base).
    let data =
        r#"(data (i32.const 64) "\77\77\77\77\77\77\77\77\77\77\77\77\77\77\77\77\77\77\77\77")"#;
    let ink = ink_of(
        "i32.const 64 i32.const 0 i32.const 100 i32.const 200 i64.const -1 i32.const 300
         call $call drop",
        data,
    );
    // [local.set, 6 consts, call] + HOSTIO + 3 PTR + EVM_API + 2 ×
    // read_price(100) + cold access 2,600 gas; then [drop, i32.const,
    // local.get, call] + hostio.
    assert_eq!(
        ink,
        (210 + 6 + 3_800 + HEADER)
            + (HOSTIO + 3 * 5_040 + 59_673)
            + 2 * 20_121
            + 2_600 * 10_000
            + (3_885 + HEADER)
            + HOSTIO
    );
}

/// Deviation 3: the callee gets (gas left − base) · 63/64, rounded down.
#[test]
fn callee_gets_63_64_of_what_is_left_after_the_base() {
    let parent = wat::parse_str(
        r#"(module
          (import "vm_hooks" "evm_ink_left" (func $ink (result i64)))
          (import "vm_hooks" "write_result" (func $out (param i32 i32)))
          (import "vm_hooks" "call_contract"
            (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
          (memory (export "memory") 1 1)
          (data (i32.const 64) "\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb\bb")
          (func (export "user_entrypoint") (param i32) (result i32)
            (i64.store (i32.const 0) (call $ink))
            (drop (call $call (i32.const 64) (i32.const 0) (i32.const 0) (i32.const 200)
                              (i64.const -1) (i32.const 300)))
            (call $out (i32.const 0) (i32.const 8))
            i32.const 0))"#,
    )
    .unwrap();
    let spin = wat::parse_str(
        r#"(module (memory (export "memory") 1 1)
             (func (export "user_entrypoint") (param i32) (result i32)
               (loop br 0) i32.const 0))"#,
    )
    .unwrap();
    for limit in [300_000u64, 1_000_000, 1_234_567] {
        let mut w = World::new();
        w.deploy(A, &parent).unwrap();
        w.deploy(B, &spin).unwrap();
        let r = w.transact(Tx {
            from: USER,
            to: A,
            value: U256::ZERO,
            data: vec![],
            gas_limit: limit,
        });
        assert!(r.success, "{:?}", r.error);
        let i0 = u64::from_le_bytes(r.output[..8].try_into().unwrap());
        // [i64.store, 6 consts, call] + header; base ink of the call
        // hostio; read_price(0) twice.
        let ink = i0 - (950 + 6 + 3_800 + HEADER) - (HOSTIO + 3 * 5_040 + 59_673) - 2 * 16_381;
        let left = ink / 10_000;
        let child = &w.last_trace()[1];
        assert_eq!(child.error.as_deref(), Some("out of gas"));
        assert_eq!(child.gas_used, (left - 2_600) * 63 / 64, "limit {limit}");
    }
}

/// The added `pay_for_memory_grow` import shifts local function indices:
/// calls, table elements and exports still reach the right functions.
#[test]
fn added_grow_import_keeps_calls_and_tables_right() {
    let wasm = wat::parse_str(
        r#"(module
          (import "vm_hooks" "read_args" (func $args (param i32)))
          (import "vm_hooks" "write_result" (func $out (param i32 i32)))
          (type $grow_t (func (param i32) (result i32)))
          (memory (export "memory") 1)
          (table 2 funcref)
          (elem (i32.const 0) $seven $grow)
          (func $seven (param i32) (result i32) i32.const 7)
          (func $grow (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "user_entrypoint") (param $len i32) (result i32)
            (i32.store (i32.const 0) (call $seven (i32.const 0)))
            (i32.store (i32.const 4)
              (call_indirect (type $grow_t) (i32.const 10) (i32.const 1)))
            (i32.store (i32.const 8) (memory.size))
            (call $out (i32.const 0) (i32.const 12))
            i32.const 0))"#,
    )
    .unwrap();
    let m = meter::instrument(&wasm).unwrap();
    assert!(m.added_grow_import);
    let mut w = World::new();
    w.deploy(A, &wasm).unwrap();
    let r = w.call(USER, A, &[]);
    assert!(r.success, "{:?}", r.error);
    let word = |i: usize| u32::from_le_bytes(r.output[4 * i..4 * i + 4].try_into().unwrap());
    assert_eq!((word(0), word(1), word(2)), (7, 1, 11));
    let entry = stylus_runtime::program_costs(&wasm).unwrap().entry_gas();
    // 1 → 11 pages: 9 pages beyond the free 2, exp(11) − exp(1) = 3.
    assert_eq!(r.gas.init, entry + 9_000 + 3);
}
