//! The world on revm: EVM bytecode and Stylus programs in one journal, calls
//! both ways. Each cross-boundary rule has a test and a negative control:
//! re-entrancy across EVM → Stylus, static calls refusing writes in both
//! directions, the 63/64 rule both ways, and rollback of both worlds when a
//! frame of either kind reverts.
//!
//! The EVM contracts are a few hand-assembled opcodes ([`asm`]), so the
//! tests need no compiler; `probe.wat` is the Stylus side (first calldata
//! byte = operation, see `tests/hostio.rs`).

use stylus_runtime::{Address, CallKind, Tx, World, B256, U256};

const A: Address = Address::repeat_byte(0xaa);
const B: Address = Address::repeat_byte(0xbb);
/// EVM relay: CALL, STATICCALL, CALL-then-REVERT.
const RELAY: Address = Address::repeat_byte(0x11);
const RELAY_STATIC: Address = Address::repeat_byte(0x12);
const RELAY_REVERT: Address = Address::repeat_byte(0x13);
/// EVM writer: slot 0 := calldata word 0, LOG0 of it.
const WRITER: Address = Address::repeat_byte(0x14);
/// EVM burner: `INVALID` (an exceptional halt burns all its gas).
const BURNER: Address = Address::repeat_byte(0x15);
const USER: Address = Address::repeat_byte(0xee);

/// A tiny assembler: mnemonics and `PUSH1 n` / `PUSH0`.
fn asm(src: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut words = src.split_whitespace();
    while let Some(w) = words.next() {
        let op = match w {
            "STOP" => 0x00,
            "SUB" => 0x03,
            "SHR" => 0x1c,
            "CALLDATALOAD" => 0x35,
            "CALLDATASIZE" => 0x36,
            "CALLDATACOPY" => 0x37,
            "RETURNDATASIZE" => 0x3d,
            "RETURNDATACOPY" => 0x3e,
            "MSTORE" => 0x52,
            "SSTORE" => 0x55,
            "GAS" => 0x5a,
            "PUSH0" => 0x5f,
            "PUSH1" => {
                let n = words.next().expect("PUSH1 operand");
                out.push(0x60);
                out.push(n.parse::<u8>().expect("decimal byte"));
                continue;
            }
            "DUP1" => 0x80,
            "DUP3" => 0x82,
            "LOG0" => 0xa0,
            "CALL" => 0xf1,
            "RETURN" => 0xf3,
            "STATICCALL" => 0xfa,
            "INVALID" => 0xfe,
            "REVERT" => 0xfd,
            other => panic!("unknown mnemonic {other}"),
        };
        out.push(op);
    }
    out
}

/// Calldata `target(20) ‖ payload`: slot 0 := 1 (the relay ran), forwards
/// the payload to target with all its gas (`kind`), slot 1 := success, then
/// `end` (RETURN or REVERT) with the callee's return data.
fn relay(kind: &str, end: &str) -> Vec<u8> {
    let value = if kind == "CALL" { "PUSH1 0" } else { "" };
    asm(&format!(
        "PUSH1 1 PUSH1 0 SSTORE \
         PUSH1 20 CALLDATASIZE SUB \
         DUP1 PUSH1 20 PUSH1 0 CALLDATACOPY \
         PUSH1 0 PUSH1 0 DUP3 PUSH1 0 {value} \
         PUSH1 0 CALLDATALOAD PUSH1 96 SHR GAS {kind} \
         PUSH1 1 SSTORE \
         RETURNDATASIZE PUSH1 0 PUSH1 0 RETURNDATACOPY \
         RETURNDATASIZE PUSH1 0 {end}"
    ))
}

fn world() -> World {
    let mut w = World::new();
    let probe = wat::parse_str(include_str!("probe.wat")).expect("probe.wat parses");
    w.deploy(A, &probe).unwrap();
    w.deploy(B, &probe).unwrap();
    w.deploy_evm_code(RELAY, &relay("CALL", "RETURN"));
    w.deploy_evm_code(RELAY_STATIC, &relay("STATICCALL", "RETURN"));
    w.deploy_evm_code(RELAY_REVERT, &relay("CALL", "REVERT"));
    w.deploy_evm_code(
        WRITER,
        &asm("PUSH1 0 CALLDATALOAD DUP1 PUSH1 0 SSTORE PUSH1 0 MSTORE PUSH1 32 PUSH1 0 LOG0 STOP"),
    );
    w.deploy_evm_code(BURNER, &asm("INVALID"));
    w
}

fn word(n: u64) -> [u8; 32] {
    U256::from(n).to_be_bytes()
}
fn b256(n: u64) -> B256 {
    B256::from(word(n))
}
fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}
/// Probe op 9: call target with value and data.
fn probe_call(to: Address, data: &[u8]) -> Vec<u8> {
    cat(&[&[9], to.as_slice(), &word(0), data])
}
/// Probe op 7: store key = value, flush.
fn probe_store(key: u64, value: u64) -> Vec<u8> {
    cat(&[&[7], &word(key), &word(value)])
}
/// Relay calldata.
fn via(target: Address, payload: &[u8]) -> Vec<u8> {
    cat(&[target.as_slice(), payload])
}

#[test]
fn evm_code_runs_in_revm_and_stylus_code_in_the_wasm_host() {
    let mut w = world();
    let r = w.call(USER, WRITER, &word(42));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(w.storage(WRITER, U256::ZERO), b256(42));
    assert_eq!(r.logs.len(), 1);
    assert!(r.gas.evm > 20_000, "the SSTORE is EVM gas: {}", r.gas);
    assert_eq!(r.gas.init, 0, "no program entry");
    // The same store by the Stylus probe pays entry, no EVM gas.
    let r = w.call(USER, A, &probe_store(0, 42));
    assert!(r.success);
    assert_eq!(w.storage(A, U256::ZERO), b256(42));
    assert!(r.gas.init > 0);
    assert_eq!(r.gas.evm, 0);
}

#[test]
fn stylus_calls_evm_and_evm_calls_stylus() {
    let mut w = world();
    // Stylus A -> EVM writer.
    let r = w.call(USER, A, &probe_call(WRITER, &word(7)));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output[0], 0, "status ok");
    assert_eq!(w.storage(WRITER, U256::ZERO), b256(7));
    // EVM relay -> Stylus A (store), nested: A -> relay -> B.
    let r = w.call(USER, RELAY, &via(A, &probe_store(3, 9)));
    assert!(r.success);
    assert_eq!(w.storage(A, U256::from(3)), b256(9));
    assert_eq!(w.storage(RELAY, U256::from(1)), b256(1), "child succeeded");
    let t = w.last_trace();
    assert_eq!(t.len(), 2);
    assert_eq!((t[1].to, t[1].kind, t[1].depth), (A, CallKind::Call, 1));
    // The Stylus frame sees the relay as msg.sender (op 18 environment is
    // covered elsewhere; here the return data crosses back intact).
    let r = w.call(USER, RELAY, &via(A, &cat(&[&[0], b"echo"])));
    assert_eq!(r.output, b"echo");
}

/// Nitro's re-entrancy rule across the boundary: a program re-entered
/// through an EVM frame sees `msg_reentrant`; the same code at another
/// address, or the program entered once, does not.
#[test]
fn reentrancy_through_an_evm_frame_is_flagged() {
    let mut w = world();
    // A -> RELAY -> A (op 13 answers msg_reentrant as u32 LE).
    let r = w.call(USER, A, &probe_call(RELAY, &via(A, &[13])));
    assert!(r.success, "{:?}", r.error);
    assert_eq!(&r.output[1..], &[1, 0, 0, 0], "re-entered: flagged");
    let t = w.last_trace();
    assert_eq!(
        t.iter().map(|f| f.reentrant).collect::<Vec<_>>(),
        [false, false, true]
    );
    // Negative control: A -> RELAY -> B (same code, other address).
    let r = w.call(USER, A, &probe_call(RELAY, &via(B, &[13])));
    assert_eq!(
        &r.output[1..],
        &[0, 0, 0, 0],
        "another address: not re-entrant"
    );
    // Negative control: RELAY -> A alone.
    let r = w.call(USER, RELAY, &via(A, &[13]));
    assert_eq!(r.output, [0, 0, 0, 0]);
}

/// A static call forbids writes across the boundary, both ways.
#[test]
fn static_calls_refuse_writes_in_both_worlds() {
    let mut w = world();
    // Stylus STATICCALL (probe op 10) -> EVM SSTORE: the EVM frame fails.
    let r = w.call(USER, A, &cat(&[&[10], WRITER.as_slice(), &word(5)]));
    assert!(r.success);
    assert_eq!(r.output[0], 1, "the static callee failed");
    assert_eq!(w.storage(WRITER, U256::ZERO), B256::ZERO);
    let t = w.last_trace();
    assert_eq!(t[1].kind, CallKind::Static);
    assert!(
        t[1].error
            .as_deref()
            .unwrap_or("")
            .contains("StateChangeDuringStaticCall"),
        "{:?}",
        t[1].error
    );
    // Negative control: a CALL writes.
    let r = w.call(USER, A, &probe_call(WRITER, &word(5)));
    assert_eq!(r.output[0], 0);
    assert_eq!(w.storage(WRITER, U256::ZERO), b256(5));

    // EVM STATICCALL -> Stylus store: the program's flush fails.
    let r = w.call(USER, RELAY_STATIC, &via(A, &probe_store(1, 1)));
    assert!(r.success);
    assert_eq!(
        w.storage(RELAY_STATIC, U256::from(1)),
        B256::ZERO,
        "callee failed"
    );
    assert_eq!(w.storage(A, U256::from(1)), B256::ZERO);
    assert!(!w.last_trace()[1].success);
    assert_eq!(w.last_trace()[1].kind, CallKind::Static);
    // Negative control: the CALL relay.
    let r = w.call(USER, RELAY, &via(A, &probe_store(1, 1)));
    assert!(r.success);
    assert_eq!(w.storage(RELAY, U256::from(1)), b256(1));
    assert_eq!(w.storage(A, U256::from(1)), b256(1));
    // A static call through the relay into a read-only op succeeds.
    let r = w.call(USER, RELAY_STATIC, &via(A, &[13]));
    assert!(r.success);
    assert_eq!(w.storage(RELAY_STATIC, U256::from(1)), b256(1));
}

/// The 63/64 rule on both sides of the boundary: a callee that burns all
/// it is given (an EVM `INVALID`, a spinning program) gets at most 63/64 of
/// the caller's gas, and the caller finishes on the 1/64 it kept.
#[test]
fn sixty_three_sixty_fourths_across_the_boundary() {
    let mut w = world();
    let limit = 1_000_000;
    // Stylus -> EVM, asking for everything (probe op 32, gas = u64::MAX).
    let stylus_asks = |w: &mut World, gas: u64| {
        w.transact(Tx {
            from: USER,
            to: A,
            value: U256::ZERO,
            data: cat(&[&[32], BURNER.as_slice(), &word(0), &gas.to_le_bytes()]),
            gas_limit: limit,
        })
    };
    let r = stylus_asks(&mut w, u64::MAX);
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output[0], 1, "the burner failed");
    let t = w.last_trace();
    let granted = t[1].gas_used; // an exceptional halt burns all it got
    let kept = (limit - r.gas.intrinsic) - t[0].gas_used; // what A had left at the end
    assert!(granted > 900_000, "{granted}");
    assert!(
        kept > 0 && kept <= granted / 63 + 1,
        "kept {kept} of 1/64 = {}",
        granted / 63
    );
    // Negative control: a request below the cap is granted exactly.
    let r = stylus_asks(&mut w, 50_000);
    assert!(r.success);
    assert_eq!(w.last_trace()[1].gas_used, 50_000);

    // EVM -> Stylus: the relay forwards all its gas to a program that
    // spins until out of ink (op 12); the relay then writes slot 1 and
    // returns on its 1/64.
    let relay_to_spinner = |w: &mut World, gas_limit: u64| {
        w.transact(Tx {
            from: USER,
            to: RELAY,
            value: U256::ZERO,
            data: via(A, &[12]),
            gas_limit,
        })
    };
    let r = relay_to_spinner(&mut w, limit);
    assert!(r.success, "{:?}", r.error);
    let t = w.last_trace();
    assert!(!t[1].success);
    assert_eq!(t[1].error.as_deref(), Some("out of gas"));
    let granted = t[1].gas_used;
    let relay_own = t[0].gas_used - granted;
    assert!(
        relay_own >= granted / 63,
        "the relay kept 1/64: {relay_own} vs {granted}"
    );
    // Negative control: with 120k the relay's 1/64 (~1.5k) cannot pay its
    // cold SSTORE after the call: the transaction fails.
    let r = relay_to_spinner(&mut w, 120_000);
    assert!(!r.success);
}

/// A revert rolls back both worlds: EVM storage, Stylus storage and logs
/// written below the reverting frame, whichever kind it is.
#[test]
fn rollback_covers_both_worlds() {
    // EVM frame reverts after a Stylus callee that called an EVM writer.
    let mut w = world();
    // A op 11: flag=1, key=2, value=3, target=WRITER, data=word(8).
    let a_writes_and_calls = cat(&[&[11, 1], &word(2), &word(3), WRITER.as_slice(), &word(8)]);
    let r = w.call(USER, RELAY_REVERT, &via(A, &a_writes_and_calls));
    assert!(!r.success);
    assert!(r.logs.is_empty());
    for (acct, slot) in [(RELAY_REVERT, 0), (A, 2), (WRITER, 0)] {
        assert_eq!(
            w.storage(acct, U256::from(slot)),
            B256::ZERO,
            "{acct} rolled back"
        );
    }
    // Negative control: the relay returns -> everything stays.
    let r = w.call(USER, RELAY, &via(A, &a_writes_and_calls));
    assert!(r.success);
    assert_eq!(r.logs.len(), 1, "the writer's log");
    assert_eq!(w.storage(RELAY, U256::ZERO), b256(1));
    assert_eq!(w.storage(A, U256::from(2)), b256(3));
    assert_eq!(w.storage(WRITER, U256::ZERO), b256(8));

    // Stylus frame reverts (op 14) after an EVM relay that called a writer.
    let mut w = world();
    let call_then_revert = cat(&[&[14], RELAY.as_slice(), &word(0), &via(WRITER, &word(6))]);
    let r = w.call(USER, A, &call_then_revert);
    assert!(!r.success);
    assert!(r.logs.is_empty());
    assert_eq!(w.storage(RELAY, U256::ZERO), B256::ZERO);
    assert_eq!(w.storage(WRITER, U256::ZERO), B256::ZERO);
    // Negative control: op 9, same call, no revert.
    let r = w.call(USER, A, &probe_call(RELAY, &via(WRITER, &word(6))));
    assert!(r.success);
    assert_eq!(w.storage(WRITER, U256::ZERO), b256(6));

    // A failing child rolls back only itself: A writes, calls
    // RELAY_REVERT (-> WRITER), which reverts; A's write stays.
    let mut w = world();
    let r = w.call(
        USER,
        A,
        &cat(&[
            &[11, 1],
            &word(4),
            &word(5),
            RELAY_REVERT.as_slice(),
            &via(WRITER, &word(1)),
        ]),
    );
    assert!(r.success);
    assert_eq!(r.output[0], 1, "child failed");
    assert_eq!(w.storage(A, U256::from(4)), b256(5));
    assert_eq!(w.storage(WRITER, U256::ZERO), B256::ZERO);
    assert_eq!(w.storage(RELAY_REVERT, U256::ZERO), B256::ZERO);
}

/// Value moves through revm's journal on both sides and rolls back with it.
#[test]
fn value_transfers_cross_the_boundary() {
    let mut w = world();
    w.set_balance(USER, U256::from(1_000));
    // USER -> A (Stylus) with 100 wei, A forwards 40 to the EVM writer.
    let r = w.call_with_value(
        USER,
        A,
        U256::from(100),
        &cat(&[&[9], WRITER.as_slice(), &word(40), &word(1)]),
    );
    assert!(r.success, "{:?}", r.error);
    assert_eq!(w.balance(A), U256::from(60));
    assert_eq!(w.balance(WRITER), U256::from(40));
    assert_eq!(w.balance(USER), U256::from(900));
    // Negative control: the same, then A reverts (op 14): nothing moves.
    let r = w.call_with_value(
        USER,
        A,
        U256::from(100),
        &cat(&[&[14], WRITER.as_slice(), &word(40), &word(1)]),
    );
    assert!(!r.success);
    assert_eq!(w.balance(USER), U256::from(900));
    assert_eq!(w.balance(WRITER), U256::from(40));
}

/// revm's precompiles serve both worlds (sha256 at 0x02 was "not
/// supported" in the home-made world).
#[test]
fn precompiles_come_from_revm() {
    let mut w = world();
    let sha256 = Address::with_last_byte(2);
    let r = w.call(USER, A, &probe_call(sha256, b"abc"));
    assert!(r.success);
    assert_eq!(r.output[0], 0);
    assert_eq!(
        alloy_primitives::hex::encode(&r.output[1..]),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    assert_eq!(
        r.gas.calls,
        100 + 72,
        "warm precompile (100) + sha256 (60 + 12/word)"
    );
}
