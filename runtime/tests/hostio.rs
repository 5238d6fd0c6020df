//! Host functions, call semantics and gas, checked against hand-computed
//! values with the `probe.wat` program (first calldata byte = operation).

use stylus_runtime::{
    gas, program_costs, wasm_from_initcode_hex, Address, CallKind, RuntimeError, Tx, World, B256,
    U256,
};

const A: Address = Address::repeat_byte(0xaa);
const B: Address = Address::repeat_byte(0xbb);
const C: Address = Address::repeat_byte(0xcc);
const USER: Address = Address::repeat_byte(0xee);
const EOA: Address = Address::repeat_byte(0x77);

fn probe() -> Vec<u8> {
    wat::parse_str(include_str!("probe.wat")).expect("probe.wat parses")
}

/// A world with the probe deployed at A, B and C.
fn world() -> World {
    let mut w = World::new();
    let wasm = probe();
    for a in [A, B, C] {
        w.deploy(a, &wasm).expect("probe deploys");
    }
    w
}

fn word(n: u64) -> [u8; 32] {
    U256::from(n).to_be_bytes()
}

fn b256(n: u64) -> B256 {
    B256::from(word(n))
}

/// Calldata: `op ‖ parts...`.
fn op(o: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![o];
    for p in parts {
        v.extend_from_slice(p);
    }
    v
}

/// Calldata of a probe `call` (op 9): target, value, data.
fn call_op(to: Address, value: u64, data: &[u8]) -> Vec<u8> {
    op(9, &[to.as_slice(), &word(value), data])
}

/// Starts a new block (empties the recent-wasms cache).
fn new_block(w: &mut World) {
    let n = w.block_number();
    w.set_block_number(n + 1);
}

fn le_u64(b: &[u8]) -> u64 {
    u64::from_le_bytes(b.try_into().unwrap())
}

// ---------------------------------------------------------------- hostios

#[test]
fn environment_values() {
    let mut w = world();
    w.set_balance(USER, U256::from(100));
    w.advance_time(60);
    w.set_block_number(42);
    let r = w.call_with_value(USER, A, U256::from(7), &[18]);
    assert!(r.success, "{:?}", r.error);
    let o = &r.output;
    assert_eq!(o.len(), 216);
    assert_eq!(&o[0..20], USER.as_slice(), "msg_sender");
    assert_eq!(&o[20..40], A.as_slice(), "contract_address");
    assert_eq!(&o[40..72], &word(7), "msg_value");
    assert_eq!(&o[72..92], USER.as_slice(), "tx_origin");
    assert_eq!(le_u64(&o[92..100]), 1_735_689_660, "block_timestamp");
    assert_eq!(le_u64(&o[100..108]), 42, "block_number");
    assert_eq!(le_u64(&o[108..116]), 421_614, "chainid");
    assert_eq!(le_u64(&o[116..124]), 32_000_000, "block_gas_limit");
    assert_eq!(&o[124..156], &word(10_000_000), "block_basefee");
    assert_eq!(&o[156..176], &[0u8; 20], "block_coinbase");
    assert_eq!(&o[176..208], &word(10_000_000), "tx_gas_price");
    assert_eq!(
        u32::from_le_bytes(o[208..212].try_into().unwrap()),
        10_000,
        "tx_ink_price"
    );
    assert_eq!(
        u32::from_le_bytes(o[212..216].try_into().unwrap()),
        0,
        "msg_reentrant"
    );
    assert_eq!(w.balance(A), U256::from(7));
    assert_eq!(w.balance(USER), U256::from(93));

    w.set_chain_id(42_161);
    w.set_timestamp(5);
    w.set_coinbase(C);
    let o = w.call(USER, A, &[18]).output;
    assert_eq!(le_u64(&o[92..100]), 5);
    assert_eq!(le_u64(&o[108..116]), 42_161);
    assert_eq!(&o[156..176], C.as_slice());
    assert_eq!(w.timestamp(), 5);
}

#[test]
fn args_and_result_round_trip() {
    let mut w = world();
    let data: Vec<u8> = (0..=255u8).collect();
    let r = w.call(USER, A, &op(0, &[&data]));
    assert!(r.success);
    assert_eq!(r.output, data);
    assert_eq!(w.call(USER, A, &[0]).output, Vec::<u8>::new());
}

#[test]
fn keccak_of_known_inputs() {
    let mut w = world();
    let empty = w.call(USER, A, &[1]).output;
    assert_eq!(
        alloy_primitives_hex(&empty),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    let abc = w.call(USER, A, &op(1, &[b"abc"])).output;
    assert_eq!(
        alloy_primitives_hex(&abc),
        "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    );
}

fn alloy_primitives_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn balances_code_size_and_hash() {
    let mut w = world();
    w.set_balance(EOA, U256::from(12345));
    assert_eq!(
        w.call(USER, A, &op(2, &[EOA.as_slice()])).output,
        word(12345)
    );
    assert_eq!(w.call(USER, A, &op(2, &[C.as_slice()])).output, word(0));

    // EOA with balance: size 0, hash keccak("").
    let o = w.call(USER, A, &op(3, &[EOA.as_slice()])).output;
    assert_eq!(&o[..4], &[0, 0, 0, 0]);
    assert_eq!(
        alloy_primitives_hex(&o[4..]),
        "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    );
    // Empty account: size 0, hash 0.
    let o = w
        .call(USER, A, &op(3, &[Address::repeat_byte(0x55).as_slice()]))
        .output;
    assert_eq!(o, vec![0u8; 36]);
    // Contract: EFF000 00 ‖ wasm.
    let wasm = probe();
    let mut code = vec![0xef, 0xf0, 0, 0];
    code.extend_from_slice(&wasm);
    let o = w.call(USER, A, &op(3, &[B.as_slice()])).output;
    assert_eq!(
        u32::from_le_bytes(o[..4].try_into().unwrap()) as usize,
        code.len()
    );
    assert_eq!(&o[4..], alloy_primitives::keccak256(&code).as_slice());
    let o = w.call(USER, A, &op(20, &[B.as_slice()])).output;
    assert_eq!(o, code[..16]);
    assert!(w
        .call(USER, A, &op(20, &[EOA.as_slice()]))
        .output
        .is_empty());
}

#[test]
fn logs_with_zero_to_four_topics() {
    let mut w = world();
    for n in 0..=4u8 {
        let topics: Vec<u8> = (0..n).flat_map(|i| word(i as u64 + 1)).collect();
        let r = w.call(USER, A, &op(4, &[&[n], &topics, b"hello"]));
        assert!(r.success, "{n} topics: {:?}", r.error);
        assert_eq!(r.logs.len(), 1);
        let log = &r.logs[0];
        assert_eq!(log.address, A);
        assert_eq!(
            log.topics,
            (0..n).map(|i| b256(i as u64 + 1)).collect::<Vec<_>>()
        );
        assert_eq!(log.data, b"hello");
        assert_eq!(r.gas.logs, 375 * (1 + n as u64) + 8 * 5, "LOG{n} gas");
    }
    // Five topics fail the frame.
    let r = w.call(USER, A, &op(22, &[&[0u8; 160]]));
    assert!(!r.success);
    assert!(r.logs.is_empty());
}

#[test]
fn ecrecover_precompile() {
    use k256::ecdsa::SigningKey;
    let mut w = world();
    // Private key 1 ↔ address 0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf.
    let key = SigningKey::from_slice(&word(1)).unwrap();
    let hash = alloy_primitives::keccak256(b"stylus-runtime");
    let (sig, recid) = key.sign_prehash_recoverable(hash.as_slice()).unwrap();
    let sig = sig.to_bytes();
    let v = 27 + recid.to_byte() as u64;
    let input = [hash.as_slice(), &word(v), &sig[..32], &sig[32..]].concat();
    let ecrecover = Address::with_last_byte(1);

    let r = w.call(USER, A, &op(10, &[ecrecover.as_slice(), &input]));
    assert!(r.success);
    assert_eq!(r.output[0], 0, "precompile call succeeds");
    let mut expected = vec![0u8; 12];
    expected.extend_from_slice(&alloy_primitives_bytes(
        "7e5f4552091a69125d5dfcb7b8c2659029395bdf",
    ));
    assert_eq!(&r.output[1..], &expected[..]);
    // Precompiles are warm: 100 access + 3000.
    assert_eq!(r.gas.calls, 3_100);

    // v = 29: success with empty output.
    let bad = [hash.as_slice(), &word(29), &sig[..32], &sig[32..]].concat();
    let r = w.call(USER, A, &op(10, &[ecrecover.as_slice(), &bad]));
    assert_eq!(r.output, vec![0]);
    // Garbage signature: empty output.
    let r = w.call(USER, A, &op(10, &[ecrecover.as_slice(), &[0u8; 128]]));
    assert_eq!(r.output, vec![0]);
}

fn alloy_primitives_bytes(hex: &str) -> Vec<u8> {
    (0..hex.len() / 2)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

#[test]
fn return_data_of_nested_calls() {
    let mut w = world();
    // A calls B(echo 1,2,3): status 0 ‖ 1,2,3.
    let r = w.call(USER, A, &call_op(B, 0, &[0, 1, 2, 3]));
    assert!(r.success);
    assert_eq!(r.output, vec![0, 1, 2, 3]);
    // A calls B(revert with 9,9): status 1 ‖ 9,9.
    let r = w.call(USER, A, &call_op(B, 0, &[5, 9, 9]));
    assert!(r.success);
    assert_eq!(r.output, vec![1, 9, 9]);
    // A calls B(trap): status 1, no data.
    let r = w.call(USER, A, &call_op(B, 0, &[6]));
    assert_eq!(r.output, vec![1]);
    // A calls B which calls C(echo 7): B returns 0 ‖ 7, A returns 0 ‖ 0 ‖ 7.
    let r = w.call(USER, A, &call_op(B, 0, &call_op(C, 0, &[0, 7])));
    assert_eq!(r.output, vec![0, 0, 7]);
    // Trace.
    let t = w.last_trace();
    assert_eq!(t.len(), 3);
    assert_eq!((t[0].depth, t[0].from, t[0].to), (0, USER, A));
    assert_eq!((t[1].depth, t[1].from, t[1].to), (1, A, B));
    assert_eq!((t[2].depth, t[2].from, t[2].to), (2, B, C));
    assert_eq!(t[2].selector, None);
    assert_eq!(t[1].selector, Some([9, 0xcc, 0xcc, 0xcc]));
    assert!(t.iter().all(|f| f.success && f.kind == CallKind::Call));
}

#[test]
fn call_to_account_without_code_succeeds() {
    let mut w = world();
    w.set_balance(USER, U256::from(10));
    let r = w.call_with_value(USER, EOA, U256::from(4), &[1, 2, 3]);
    assert!(r.success);
    assert!(r.output.is_empty());
    assert_eq!(w.balance(EOA), U256::from(4));
    // From a contract, with value.
    w.set_balance(A, U256::from(10));
    let r = w.call(USER, A, &call_op(EOA, 3, &[]));
    assert_eq!(r.output, vec![0]);
    assert_eq!(w.balance(EOA), U256::from(7));
    assert_eq!(w.balance(A), U256::from(7));
}

#[test]
fn insufficient_balance_fails() {
    let mut w = world();
    let r = w.call_with_value(USER, A, U256::from(1), &[0]);
    assert!(!r.success);
    assert!(r.error.unwrap().contains("balance"));
    // A child call with too much value fails, the parent continues.
    let r = w.call(USER, A, &call_op(B, 1, &[0]));
    assert!(r.success);
    assert_eq!(r.output, vec![1]);
}

#[test]
fn evm_gas_and_ink_left() {
    let mut w = world();
    let r = w.call(USER, A, &[19]);
    let (gas_left, ink_left) = (le_u64(&r.output[..8]), le_u64(&r.output[8..16]));
    assert!(gas_left > 29_000_000 && gas_left < 30_000_000 - 21_000 - gas::INIT_GAS);
    assert!(ink_left / gas::INK_PRICE <= gas_left);
    assert!(ink_left / gas::INK_PRICE + 10 > gas_left);
}

// ------------------------------------------------------------ rollback

#[test]
fn child_revert_discards_its_storage_balance_and_logs() {
    let mut w = world();
    w.set_balance(A, U256::from(100));
    // A caches 1=5, calls B which stores 2=6, logs and reverts; A flushes.
    let r = w.call(
        USER,
        A,
        &op(
            11,
            &[
                &[0],
                &word(1),
                &word(5),
                B.as_slice(),
                &op(30, &[&word(2), &word(6)]),
            ],
        ),
    );
    assert!(r.success, "{:?}", r.error);
    assert_eq!(r.output, vec![1], "child reverted");
    assert!(r.logs.is_empty(), "child's log discarded");
    assert_eq!(w.storage(A, U256::from(1)), b256(5), "parent's write kept");
    assert_eq!(
        w.storage(B, U256::from(2)),
        B256::ZERO,
        "child's write discarded"
    );

    // Value sent to a reverting child comes back.
    let r = w.call(USER, A, &call_op(B, 5, &[5]));
    assert_eq!(r.output, vec![1]);
    assert_eq!(w.balance(A), U256::from(100));
    assert_eq!(w.balance(B), U256::ZERO);
}

#[test]
fn parent_revert_discards_successful_child() {
    let mut w = world();
    w.set_balance(USER, U256::from(10));
    w.set_balance(A, U256::from(10));
    // A calls B(store 3=4, value 2) then reverts.
    let r = w.call_with_value(
        USER,
        A,
        U256::from(1),
        &op(14, &[B.as_slice(), &word(2), &op(7, &[&word(3), &word(4)])]),
    );
    assert!(!r.success);
    assert_eq!(r.output, vec![0], "revert data: child status 0");
    assert_eq!(r.error.as_deref(), Some("revert"));
    assert_eq!(w.storage(B, U256::from(3)), B256::ZERO);
    assert_eq!(w.balance(B), U256::ZERO);
    assert_eq!(w.balance(A), U256::from(10));
    assert_eq!(w.balance(USER), U256::from(10));
    assert!(w.last_trace()[1].success && !w.last_trace()[0].success);

    // Middle frame reverts: A → B(call C store, revert) ; A succeeds.
    let inner = op(14, &[C.as_slice(), &word(0), &op(7, &[&word(3), &word(4)])]);
    let r = w.call(USER, A, &call_op(B, 0, &inner));
    assert!(r.success);
    assert_eq!(r.output, vec![1, 0]);
    assert_eq!(w.storage(C, U256::from(3)), B256::ZERO);
    // Without the revert C's write stays.
    let r = w.call(USER, A, &call_op(C, 0, &op(7, &[&word(3), &word(4)])));
    assert_eq!(r.output, vec![0]);
    assert_eq!(w.storage(C, U256::from(3)), b256(4));
}

/// Nitro: a trap is `userFailure` → `vm.ErrExecutionReverted` with no data,
/// and the ink left is returned (arbitrator/stylus/src/{run,lib}.rs,
/// arbos/programs/programs.go `toResult`); running out of ink is
/// `ErrOutOfGas` (all gas gone).
#[test]
fn trap_reverts_with_no_data_and_returns_the_gas_left() {
    let mut w = world();
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![6],
        gas_limit: 500_000,
    });
    assert!(!r.success);
    assert!(r.output.is_empty());
    assert!(
        r.gas_used < 50_000,
        "trap keeps the gas left: {}",
        r.gas_used
    );
    assert!(r.error.unwrap().contains("unreachable"));
    // Bad pointer: fails the frame, host does not panic, gas left returned.
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![21],
        gas_limit: 500_000,
    });
    assert!(!r.success);
    assert!(r.output.is_empty());
    assert!(r.gas_used < 50_000, "{}", r.gas_used);
    assert!(r.error.unwrap().contains("out of bounds"));
    // A child's trap hands its gas left back to the parent.
    let r = w.call(USER, A, &call_op(B, 0, &[6]));
    assert!(r.success);
    assert_eq!(r.output, vec![1]);
    let child = &w.last_trace()[1];
    assert!(!child.success && child.gas_used < 50_000, "{child:?}");
    // Running out of gas burns everything (first call of the block: the
    // full entry cost).
    new_block(&mut w);
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![6],
        gas_limit: 21_000 + 16 + 9_500,
    });
    assert!(!r.success);
    assert_eq!(r.gas_used, 21_000 + 16 + 9_500);
    // Revert keeps the remaining gas.
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![5],
        gas_limit: 500_000,
    });
    assert!(r.gas_used < 100_000);
}

// ------------------------------------------------------------- static

#[test]
fn static_context_rejects_writes_logs_and_value() {
    let mut w = world();
    w.set_balance(B, U256::from(10));
    // view of a store fails and commits nothing.
    let r = w.view(USER, A, &op(7, &[&word(1), &word(1)]));
    assert!(!r.success);
    assert!(r.error.unwrap().contains("static"));
    assert_eq!(w.storage(A, U256::from(1)), B256::ZERO);
    // Static call of a store, a log, a value call: the child fails.
    for child in [
        op(7, &[&word(1), &word(1)]),
        op(16, &[&word(1), &word(1)]),
        op(4, &[&[0], b"x"]),
        call_op(C, 1, &[0]),
    ] {
        let r = w.call(USER, A, &op(10, &[B.as_slice(), &child]));
        assert!(r.success);
        assert_eq!(r.output, vec![1], "child {:?} must fail", child[0]);
        assert!(w.last_trace()[1]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("static"));
    }
    assert_eq!(w.storage(B, U256::from(1)), B256::ZERO);
    assert_eq!(w.balance(C), U256::ZERO);
    // Reads are fine.
    w.set_storage(B, U256::from(1), b256(9));
    let r = w.call(USER, A, &op(10, &[B.as_slice(), &op(8, &[&word(1)])]));
    assert_eq!(r.output[0], 0);
    assert_eq!(&r.output[1..], &word(9));
    assert_eq!(w.last_trace()[1].kind, CallKind::Static);
    // view never commits even when it succeeds.
    let r = w.view(USER, A, &op(8, &[&word(1)]));
    assert!(r.success);
}

// ------------------------------------------------------- storage cache

#[test]
fn cache_is_invisible_to_reentrant_callee_until_flushed() {
    let mut w = world();
    let read_back = op(8, &[&word(1)]);
    // No flush before the call: the callee (A itself) sees the old value.
    let r = w.call(
        USER,
        A,
        &op(11, &[&[0], &word(1), &word(5), A.as_slice(), &read_back]),
    );
    assert!(r.success);
    assert_eq!(r.output[0], 0);
    assert_eq!(&r.output[1..], &word(0), "stale without flush");
    assert_eq!(w.storage(A, U256::from(1)), b256(5), "flushed at the end");
    // Flush before the call: the callee sees the new value.
    let r = w.call(
        USER,
        A,
        &op(11, &[&[1], &word(1), &word(6), A.as_slice(), &read_back]),
    );
    assert_eq!(&r.output[1..], &word(6), "fresh after flush");
}

#[test]
fn unflushed_cache_is_discarded_at_return() {
    let mut w = world();
    let r = w.call(USER, A, &op(16, &[&word(1), &word(5)]));
    assert!(r.success);
    assert_eq!(w.storage(A, U256::from(1)), B256::ZERO);
    assert_eq!(r.gas.storage, 0);
}

#[test]
fn trace_marks_exactly_the_reentered_frames() {
    let mut w = world();
    // USER → A → B → A → C → A (static) : frames 2 and 4 re-enter A.
    let inner = op(10, &[A.as_slice(), &[13]]);
    let data = call_op(B, 0, &call_op(A, 0, &call_op(C, 0, &inner)));
    let r = w.call(USER, A, &data);
    assert!(r.success, "{:?}", r.error);
    let t = w.last_trace();
    let got: Vec<(usize, Address, bool)> = t.iter().map(|f| (f.depth, f.to, f.reentrant)).collect();
    assert_eq!(
        got,
        vec![
            (0, A, false),
            (1, B, false),
            (2, A, true),
            (3, C, false),
            (4, A, true)
        ]
    );
    // The innermost frame answered msg_reentrant = 1.
    assert_eq!(r.output.last(), Some(&0));
    assert_eq!(r.output[r.output.len() - 5..], [0, 1, 0, 0, 0]);
    // A fresh transaction starts with an empty stack.
    let r = w.call(USER, B, &call_op(A, 0, &[13]));
    assert!(r.success);
    assert!(w.last_trace().iter().all(|f| !f.reentrant));
    // Delegate call: B's code runs in A's context. Nitro counts only
    // CALL/STATICCALL frames (deviation 10): the delegate frame is not
    // re-entrant, the CALL back into A is.
    w.call(USER, A, &op(31, &[B.as_slice(), &call_op(A, 0, &[0])]));
    let flags: Vec<bool> = w.last_trace().iter().map(|f| f.reentrant).collect();
    assert_eq!(flags, vec![false, false, true]);
    // The delegate frame answers msg_reentrant = 0.
    let r = w.call(USER, A, &op(31, &[B.as_slice(), &[13]]));
    assert_eq!(r.output, vec![0, 0, 0, 0, 0]);
}

#[test]
fn msg_reentrant_only_on_reentry() {
    let mut w = world();
    assert_eq!(w.call(USER, A, &[13]).output, vec![0, 0, 0, 0]);
    assert_eq!(
        w.call(USER, A, &call_op(B, 0, &[13])).output,
        vec![0, 0, 0, 0, 0]
    );
    assert_eq!(
        w.call(USER, A, &call_op(A, 0, &[13])).output,
        vec![0, 1, 0, 0, 0]
    );
    // A → B → A.
    let r = w.call(USER, A, &call_op(B, 0, &call_op(A, 0, &[13])));
    assert_eq!(r.output, vec![0, 0, 1, 0, 0, 0]);
}

#[test]
fn delegate_call_runs_callee_code_in_caller_context() {
    let mut w = world();
    let r = w.call(
        USER,
        A,
        &op(31, &[B.as_slice(), &op(7, &[&word(1), &word(2)])]),
    );
    assert_eq!(r.output, vec![0]);
    assert_eq!(w.storage(A, U256::from(1)), b256(2));
    assert_eq!(w.storage(B, U256::from(1)), B256::ZERO);
    let r = w.call(USER, A, &op(31, &[B.as_slice(), &[18]]));
    assert_eq!(&r.output[1..21], USER.as_slice(), "msg_sender preserved");
    assert_eq!(
        &r.output[21..41],
        A.as_slice(),
        "contract_address is the caller"
    );
    assert_eq!(w.last_trace()[1].kind, CallKind::Delegate);
}

// ---------------------------------------------------------------- gas

#[test]
fn intrinsic_and_init_gas() {
    let mut w = world();
    let data = op(8, &[&word(1)]); // 2 non-zero bytes, 31 zero bytes
    let r = w.call(USER, A, &data);
    assert_eq!(r.gas.intrinsic, 21_000 + 2 * 16 + 31 * 4);
    let entry = program_costs(&probe()).unwrap().entry_gas();
    assert!(entry > gas::INIT_GAS + gas::CACHED_GAS);
    assert_eq!(r.gas.init, entry, "1 page (free)");
    // ArbOS 61: in the same block A is a recent program (cached: no
    // initGas); B runs the same code (same code hash): cached too.
    let cached = program_costs(&probe())
        .unwrap()
        .entry_gas_with(&w.nitro(), true);
    assert_eq!(
        entry - cached,
        gas::INIT_GAS + program_costs(&probe()).unwrap().init_cost as u64
    );
    let r = w.call(USER, A, &call_op(B, 0, &[0]));
    assert_eq!(r.gas.init, 2 * cached);
    // In a new block the first frame pays the full entry.
    new_block(&mut w);
    let r = w.call(USER, A, &call_op(B, 0, &[0]));
    assert_eq!(r.gas.init, entry + cached);
    let g = r.gas;
    assert_eq!(
        r.gas_used,
        g.intrinsic + g.init + g.compute + g.storage + g.logs + g.calls - g.refund
    );
    assert!(g.compute > 0);
}

#[test]
fn sload_cold_then_warm() {
    let mut w = world();
    // A cache miss: cold SLOAD + ink_to_gas(EVM_API_INK) = 5 gas (deviation
    // 6: it used to charge 59,673 ink as compute).
    let r = w.call(USER, A, &op(8, &[&word(1)]));
    assert_eq!(r.gas.storage, gas::COLD_SLOAD + 5);
    // Parent loads (cold 2100), re-entrant child loads the same slot (warm 100).
    let r = w.call(
        USER,
        A,
        &op(26, &[&word(1), A.as_slice(), &op(8, &[&word(1)])]),
    );
    assert_eq!(r.output[0], 0);
    assert_eq!(r.gas.storage, 2_100 + 100 + 2 * 5);
    assert_eq!(r.gas.calls, 100, "A is warm (tx target)");
    // A child on another contract: cold account 2600, cold slot 2100.
    let r = w.call(
        USER,
        A,
        &op(26, &[&word(1), B.as_slice(), &op(8, &[&word(1)])]),
    );
    assert_eq!(r.gas.storage, 2_100 + 2_100 + 2 * 5);
    assert_eq!(r.gas.calls, 2_600);
}

fn refund_cap_ok(r: &stylus_runtime::Receipt, uncapped: u64) {
    let before = r.gas_used + r.gas.refund;
    assert_eq!(r.gas.refund, uncapped.min(before / 5));
}

#[test]
fn sstore_costs_and_refunds() {
    let mut w = world();
    let k = U256::from(1);
    // 0 → 1: cold 2100 + set 20000.
    let r = w.call(USER, A, &op(7, &[&word(1), &word(1)]));
    assert_eq!((r.gas.storage, r.gas.refund), (22_100, 0));
    assert_eq!(w.storage(A, k), b256(1));
    // 1 → 1: cold 2100 + 100.
    let r = w.call(USER, A, &op(7, &[&word(1), &word(1)]));
    assert_eq!((r.gas.storage, r.gas.refund), (2_200, 0));
    // 1 → 2: cold 2100 + reset 2900.
    let r = w.call(USER, A, &op(7, &[&word(1), &word(2)]));
    assert_eq!((r.gas.storage, r.gas.refund), (5_000, 0));
    // Load (miss: + 5) then write (warm): 2100 + 2900.
    let r = w.call(USER, A, &op(27, &[&word(1), &word(3)]));
    assert_eq!((r.gas.storage, r.gas.refund), (5_005, 0));
    // 3 → 0: 5000, refund 4800.
    let r = w.call(USER, A, &op(7, &[&word(1), &word(0)]));
    assert_eq!(r.gas.storage, 5_000);
    refund_cap_ok(&r, 4_800);
    assert_eq!(r.gas.refund, 4_800);
    assert_eq!(w.storage(A, k), B256::ZERO);
    // 0 → 1 → 0 in one tx: 22100 + 100, refund 19900 (capped at used/5).
    let r = w.call(USER, A, &op(28, &[&word(1), &word(1), &word(0)]));
    assert_eq!(r.gas.storage, 22_200);
    refund_cap_ok(&r, 19_900);
    assert!(r.gas.refund < 19_900, "cap applies");
    // 1 → 2 → 1: 5000 + 100, refund 2800.
    w.set_storage(A, k, b256(1));
    let r = w.call(USER, A, &op(28, &[&word(1), &word(2), &word(1)]));
    assert_eq!(r.gas.storage, 5_100);
    refund_cap_ok(&r, 2_800);
    assert_eq!(r.gas.refund, 2_800);
    // 1 → 0 → 1: 5000 (+4800 refund) then dirty 100 (−4800, +2800).
    let r = w.call(USER, A, &op(28, &[&word(1), &word(0), &word(1)]));
    assert_eq!(r.gas.storage, 5_100);
    assert_eq!(r.gas.refund, 2_800);
}

#[test]
fn call_value_costs() {
    let mut w = world();
    w.set_balance(A, U256::from(100));
    // Value to a fresh account: cold 2600 + 9000 + 25000.
    let r = w.call(USER, A, &call_op(EOA, 1, &[]));
    assert_eq!(r.output, vec![0]);
    assert_eq!(r.gas.calls, 36_600);
    // Value to an existing account: cold 2600 + 9000.
    let r = w.call(USER, A, &call_op(EOA, 1, &[]));
    assert_eq!(r.gas.calls, 11_600);
    // No value, warm (A itself is the tx target): 100.
    let r = w.call(USER, A, &call_op(A, 0, &[0]));
    assert_eq!(r.gas.calls, 100);
}

#[test]
fn out_of_gas() {
    let mut w = world();
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![12],
        gas_limit: 200_000,
    });
    assert!(!r.success);
    assert_eq!(r.gas_used, 200_000);
    assert_eq!(r.error.as_deref(), Some("out of gas"));
    // Too little for the intrinsic cost.
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![12],
        gas_limit: 20_000,
    });
    assert!(!r.success);
    // Too little for the program entry (first call of the block).
    new_block(&mut w);
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data: vec![0],
        gas_limit: 25_000,
    });
    assert!(!r.success);
    assert!(r.error.unwrap().contains("out of gas"));
    // A child running out of its gas fails; the parent goes on (op 32:
    // call with an explicit gas of 50,000).
    let r = w.call(
        USER,
        A,
        &op(
            32,
            &[B.as_slice(), &word(0), &50_000u64.to_le_bytes(), &[12]],
        ),
    );
    assert!(r.success);
    assert_eq!(r.output, vec![1]);
    let child = &w.last_trace()[1];
    assert_eq!(child.gas_used, 50_000);
    assert_eq!(child.error.as_deref(), Some("out of gas"));
}

// ------------------------------------------------------------- deploy

#[test]
fn deploy_rejects_unknown_imports_by_name() {
    let mut w = World::new();
    let module = |import: &str| {
        wat::parse_str(format!(
            r#"(module {import}
                 (memory (export "memory") 1)
                 (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#
        ))
        .unwrap()
    };
    let e = w
        .deploy(
            A,
            &module(r#"(import "vm_hooks" "create1" (func (param i32 i32 i32 i32 i32)))"#),
        )
        .unwrap_err();
    // An SDK hostio activation accepts, but this host does not implement.
    assert!(matches!(&e, RuntimeError::UnsupportedImport { name, .. } if name == "create1"));
    assert!(e.to_string().contains("vm_hooks::create1"), "{e}");
    let e = w
        .deploy(A, &module(r#"(import "env" "abort" (func))"#))
        .unwrap_err();
    assert!(e.to_string().contains("env::abort"), "{e}");
    let e = w
        .deploy(
            A,
            &module(r#"(import "console" "log_i32" (func (param i32)))"#),
        )
        .unwrap_err();
    assert!(e.to_string().contains("console::log_i32"), "{e}");
    let e = w
        .deploy(A, &module(r#"(import "vm_hooks" "no_such_hook" (func))"#))
        .unwrap_err();
    assert!(e.to_string().contains("no_such_hook"), "{e}");
    let e = w
        .deploy(
            A,
            &module(r#"(import "vm_hooks" "read_args" (func (param i64)))"#),
        )
        .unwrap_err();
    assert!(e.to_string().contains("signature"), "{e}");
    // A good module deploys.
    w.deploy(
        A,
        &module(r#"(import "vm_hooks" "read_args" (func (param i32)))"#),
    )
    .unwrap();
    assert!(w.call(USER, A, &[]).success);
}

/// `deploy` refuses what activation refuses, naming the rule (the rules
/// themselves are tested one by one in `tests/activation.rs`).
#[test]
fn deploy_refuses_what_activation_refuses() {
    let mut w = World::new();
    let rule = |r: Result<(), RuntimeError>| match r {
        Err(RuntimeError::Activation(e)) => {
            assert!(e.to_string().contains(e.rule()), "{e}");
            e.rule()
        }
        other => panic!("expected an activation error, got {other:?}"),
    };
    // multi-value is off (ArbOS 61 by default).
    let mv = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func $f (result i32 i32) i32.const 1 i32.const 2)
             (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
    )
    .unwrap();
    assert_eq!(rule(w.deploy(A, &mv)), "multi-value");
    // No entrypoint / no memory / start function.
    let no_entry = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    assert_eq!(rule(w.deploy(A, &no_entry)), "user-entrypoint");
    let no_mem = wat::parse_str(
        r#"(module (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
    )
    .unwrap();
    assert_eq!(rule(w.deploy(A, &no_mem)), "memory-export");
    let start = wat::parse_str(
        r#"(module (memory (export "memory") 1) (func $s) (start $s)
             (func (export "user_entrypoint") (param i32) (result i32) i32.const 0))"#,
    )
    .unwrap();
    assert_eq!(rule(w.deploy(A, &start)), "start");
    assert_eq!(rule(w.deploy(A, b"not wasm")), "wasm-binary");
    assert!(wasm_from_initcode_hex("0x1234").is_err());
    // Below ArbOS 60 activation accepts multi-value, and so does the host
    // (set_arbos_version switches the world's Nitro parameters).
    w.set_arbos_version(51);
    assert_eq!(w.arbos_version(), 51);
    assert_eq!(w.nitro(), stylus_runtime::Nitro::arbos(51));
    w.deploy(A, &mv).expect("ArbOS 51 accepts multi-value");
    w.set_arbos_version(61);
    assert_eq!(rule(w.deploy(A, &mv)), "multi-value");
}

#[test]
fn deep_recursion_is_bounded_by_gas_not_the_host_stack() {
    let mut w = world();
    // A → A → ... 400 levels deep (each level re-enters A via op 9).
    let mut data = vec![0u8, 1];
    for _ in 0..400 {
        data = call_op(A, 0, &data);
    }
    let r = w.call(USER, A, &data);
    assert!(r.success, "{:?}", r.error);
    assert!(w.last_trace().len() > 100);
    // 1100 levels with plenty of gas: the probe has one page, and pages of
    // active frames add up; the memory model cannot pay a 129th page, so the
    // frame at depth 128 runs out of gas at entry (Nitro: exp() is
    // unpayable past 128 pages) long before the 1024 depth limit.
    let mut data = vec![0u8, 1];
    for _ in 0..1100 {
        data = call_op(A, 0, &data);
    }
    let r = w.transact(Tx {
        from: USER,
        to: A,
        value: U256::ZERO,
        data,
        gas_limit: 1 << 50,
    });
    assert!(r.success, "{:?}", r.error);
    let t = w.last_trace();
    assert_eq!(t.last().unwrap().depth, 128);
    assert_eq!(
        t.last().unwrap().error.as_deref(),
        Some("out of gas (program entry)")
    );
}

#[test]
fn memory_growth_is_charged_per_page() {
    let mut w = World::new();
    let wasm = wat::parse_str(
        r#"(module (memory (export "memory") 1)
             (func (export "user_entrypoint") (param i32) (result i32)
               (drop (memory.grow (i32.const 3))) i32.const 0))"#,
    )
    .unwrap();
    w.deploy(A, &wasm).unwrap();
    let r = w.call(USER, A, &[]);
    assert!(r.success);
    // 4 pages open, 2 free: 2 × 1000 gas on top of the entry cost.
    assert_eq!(
        r.gas.init,
        program_costs(&wasm).unwrap().entry_gas() + 2 * gas::PAGE_GAS
    );
}
