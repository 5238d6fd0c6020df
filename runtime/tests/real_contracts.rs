//! The real Gnosis `ConditionalTokens` (npm
//! `@gnosis.pm/conditional-tokens-contracts@1.0.3`, solc 0.5.10) and our
//! Solidity `TestUSDC` (`contracts/TestUSDC.sol`) running in revm inside the
//! world, next to a Stylus ERC-1155 receiver (`receiver.wat`).
//!
//! Artifacts: `target/test-contracts/{ConditionalTokens,TestUSDC}.json`
//! (`contracts/build-sol.sh`, after `. scripts/setup.sh`). When they are
//! missing the tests print `SKIPPED` and pass, unless
//! `PREDMART_REQUIRE_SOL=1` (set by `scripts/test.sh`), which makes them fail.

use stylus_runtime::{selector, Address, World, B256, U256};

const CTF: Address = Address::repeat_byte(0x0c);
const USDC: Address = Address::repeat_byte(0x05);
const RECEIVER: Address = Address::repeat_byte(0x70);
const ORACLE: Address = Address::repeat_byte(0x0a);
const TRADER: Address = Address::repeat_byte(0x71);
const DEPLOYER: Address = Address::repeat_byte(0xde);

fn artifact(name: &str) -> Option<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let path = root
        .join("target/test-contracts")
        .join(format!("{name}.json"));
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            if std::env::var("PREDMART_REQUIRE_SOL").as_deref() == Ok("1") {
                panic!(
                    "{} missing ({e}): run contracts/build-sol.sh",
                    path.display()
                );
            }
            eprintln!(
                "SKIPPED: {} missing (run contracts/build-sol.sh)",
                path.display()
            );
            return None;
        }
    };
    // `"bytecode": "0x..."` (truffle and our build both write it so).
    let key = "\"bytecode\": \"0x";
    let start = text.find(key).or_else(|| text.find("\"bytecode\":\"0x"))?;
    let rest = &text[start..];
    let hex_start = rest.find("0x")? + 2;
    let hex_end = hex_start + rest[hex_start..].find('"')?;
    Some(alloy_primitives::hex::decode(&rest[hex_start..hex_end]).expect("hex bytecode"))
}

fn word(n: u64) -> [u8; 32] {
    U256::from(n).to_be_bytes()
}
fn addr_word(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a.as_slice());
    w
}
/// ABI calldata: selector ‖ static words ‖ one trailing dynamic `uint[]` if given
/// (its offset word must be among `words` as `OFFSET`).
fn abi(sig: &str, words: &[[u8; 32]], array: Option<&[u64]>) -> Vec<u8> {
    let mut v = selector(sig).to_vec();
    for w in words {
        v.extend_from_slice(w);
    }
    if let Some(xs) = array {
        v.extend_from_slice(&word(xs.len() as u64));
        for x in xs {
            v.extend_from_slice(&word(*x));
        }
    }
    v
}
fn u(out: &[u8]) -> U256 {
    U256::from_be_slice(&out[..32])
}

struct Chain {
    w: World,
    condition: B256,
    yes: U256,
    no: U256,
}

/// The real start of a market: the oracle prepares a condition, a trader
/// mints USDC and splits it into YES/NO with the CTF.
fn chain() -> Option<Chain> {
    let (ctf, usdc) = (artifact("ConditionalTokens")?, artifact("TestUSDC")?);
    let mut w = World::new();
    for (addr, code) in [(CTF, &ctf), (USDC, &usdc)] {
        let r = w.deploy_evm(DEPLOYER, addr, code);
        assert!(r.success, "{addr}: {:?}", r.error);
        assert_eq!(r.created, Some(addr));
    }
    let question = B256::repeat_byte(0x42);
    let r = w.call(
        ORACLE,
        CTF,
        &abi(
            "prepareCondition(address,bytes32,uint256)",
            &[addr_word(ORACLE), question.0, word(2)],
            None,
        ),
    );
    assert!(r.success, "prepareCondition: {:?}", r.error);
    let condition = B256::from_slice(
        &w.view(
            ORACLE,
            CTF,
            &abi(
                "getConditionId(address,bytes32,uint256)",
                &[addr_word(ORACLE), question.0, word(2)],
                None,
            ),
        )
        .output,
    );
    // getCollectionId: elliptic-curve hashing over revm's bn128 precompiles.
    let position = |w: &mut World, index_set: u64| {
        let r = w.view(
            ORACLE,
            CTF,
            &abi(
                "getCollectionId(bytes32,bytes32,uint256)",
                &[[0; 32], condition.0, word(index_set)],
                None,
            ),
        );
        assert!(r.success, "getCollectionId: {:?}", r.error);
        let r = w.view(
            ORACLE,
            CTF,
            &abi(
                "getPositionId(address,bytes32)",
                &[addr_word(USDC), r.output[..32].try_into().unwrap()],
                None,
            ),
        );
        u(&r.output)
    };
    let (yes, no) = (position(&mut w, 1), position(&mut w, 2));
    assert_ne!(yes, no);
    let ok = |w: &mut World, from, to, data: Vec<u8>| {
        let r = w.call(from, to, &data);
        assert!(r.success, "{:?} {:?}", r.error, r.output);
        r
    };
    ok(
        &mut w,
        TRADER,
        USDC,
        abi(
            "mint(address,uint256)",
            &[addr_word(TRADER), word(1_000_000_000)],
            None,
        ),
    );
    ok(
        &mut w,
        TRADER,
        USDC,
        abi(
            "approve(address,uint256)",
            &[addr_word(CTF), word(u64::MAX)],
            None,
        ),
    );
    let r = ok(
        &mut w,
        TRADER,
        CTF,
        abi(
            "splitPosition(address,bytes32,bytes32,uint256[],uint256)",
            &[
                addr_word(USDC),
                [0; 32],
                condition.0,
                word(32 * 5),
                word(400_000_000),
            ],
            Some(&[1, 2]),
        ),
    );
    assert!(r.logs.len() >= 3, "Transfer, TransferBatch, PositionSplit");
    Some(Chain {
        w,
        condition,
        yes,
        no,
    })
}

fn ctf_balance(w: &mut World, who: Address, id: U256) -> U256 {
    u(&w.view(
        who,
        CTF,
        &abi(
            "balanceOf(address,uint256)",
            &[addr_word(who), id.to_be_bytes()],
            None,
        ),
    )
    .output)
}
fn usdc_balance(w: &mut World, who: Address) -> U256 {
    u(&w.view(
        who,
        USDC,
        &abi("balanceOf(address)", &[addr_word(who)], None),
    )
    .output)
}

#[test]
fn split_report_and_redeem_through_the_real_ctf() {
    let Some(mut c) = chain() else { return };
    let w = &mut c.w;
    assert_eq!(ctf_balance(w, TRADER, c.yes), U256::from(400_000_000));
    assert_eq!(ctf_balance(w, TRADER, c.no), U256::from(400_000_000));
    assert_eq!(usdc_balance(w, TRADER), U256::from(600_000_000));
    assert_eq!(usdc_balance(w, CTF), U256::from(400_000_000));
    // The oracle reports YES; the trader redeems both sides.
    let question = B256::repeat_byte(0x42);
    let r = w.call(
        ORACLE,
        CTF,
        &abi(
            "reportPayouts(bytes32,uint256[])",
            &[question.0, word(64)],
            Some(&[1, 0]),
        ),
    );
    assert!(r.success, "{:?}", r.error);
    // Negative control: someone else reporting is refused (the condition
    // id binds the oracle).
    let r = w.call(
        TRADER,
        CTF,
        &abi(
            "reportPayouts(bytes32,uint256[])",
            &[question.0, word(64)],
            Some(&[0, 1]),
        ),
    );
    assert!(!r.success);
    let r = w.call(
        TRADER,
        CTF,
        &abi(
            "redeemPositions(address,bytes32,bytes32,uint256[])",
            &[addr_word(USDC), [0; 32], c.condition.0, word(128)],
            Some(&[1, 2]),
        ),
    );
    assert!(r.success, "{:?}", r.error);
    assert_eq!(
        usdc_balance(w, TRADER),
        U256::from(1_000_000_000),
        "YES paid 1:1, NO nothing"
    );
    assert_eq!(ctf_balance(w, TRADER, c.yes), U256::ZERO);
}

/// EVM -> Stylus inside `safeTransferFrom`: the CTF updates balances, emits,
/// then calls the Stylus receiver's `onERC1155Received`; a refusing
/// receiver rolls the whole transfer back (both worlds).
#[test]
fn ctf_calls_a_stylus_receiver_and_rolls_back_on_refusal() {
    let Some(mut c) = chain() else { return };
    let w = &mut c.w;
    let receiver = wat::parse_str(include_str!("receiver.wat")).unwrap();
    w.deploy(RECEIVER, &receiver).unwrap();
    let transfer = |data: &[u8]| {
        let mut v = abi(
            "safeTransferFrom(address,address,uint256,uint256,bytes)",
            &[
                addr_word(TRADER),
                addr_word(RECEIVER),
                c.yes.to_be_bytes(),
                word(5),
                word(160),
            ],
            None,
        );
        v.extend_from_slice(&word(data.len() as u64));
        let mut d = data.to_vec();
        d.resize(data.len().div_ceil(32) * 32, 0);
        v.extend_from_slice(&d);
        v
    };
    let r = w.call(TRADER, CTF, &transfer(b""));
    assert!(r.success, "{:?}", r.error);
    let t = w.last_trace();
    assert_eq!(t[1].to, RECEIVER);
    assert_eq!(t[1].depth, 1);
    assert_eq!(
        t[1].selector,
        Some(selector(
            "onERC1155Received(address,address,uint256,uint256,bytes)"
        ))
    );
    assert!(
        r.gas.evm > 0 && r.gas.init > 0,
        "EVM and Stylus gas in one receipt: {}",
        r.gas
    );
    assert_eq!(ctf_balance(w, RECEIVER, c.yes), U256::from(5));
    assert_eq!(
        w.storage(RECEIVER, U256::ZERO),
        B256::from(word(1)),
        "the callback ran once"
    );
    // Negative control: a receiver that refuses: the probe program put at
    // the receiver's address (the selector's first byte, 0xf2, is no probe
    // operation: it reverts).
    let probe = wat::parse_str(include_str!("probe.wat")).unwrap();
    w.deploy(RECEIVER, &probe).unwrap(); // 0xf2 is no probe op: reverts
    let r = w.call(TRADER, CTF, &transfer(b""));
    assert!(!r.success);
    assert_eq!(ctf_balance(w, RECEIVER, c.yes), U256::from(5), "unchanged");
    assert_eq!(ctf_balance(w, TRADER, c.yes), U256::from(399_999_995));
    assert_eq!(w.storage(RECEIVER, U256::ZERO), B256::from(word(1)));
}

/// Circle's blacklist in the Solidity USDC: a blacklisted account can
/// neither receive nor send; the control transfer goes through.
#[test]
fn usdc_blacklist_refuses_transfers() {
    let Some(mut c) = chain() else { return };
    let w = &mut c.w;
    let bob = Address::repeat_byte(0xb0);
    let pay = |w: &mut World, to: Address| {
        w.call(
            TRADER,
            USDC,
            &abi(
                "transfer(address,uint256)",
                &[addr_word(to), word(10)],
                None,
            ),
        )
    };
    assert!(pay(w, bob).success, "control");
    let r = w.call(
        DEPLOYER,
        USDC,
        &abi("blacklist(address)", &[addr_word(bob)], None),
    );
    assert!(r.success, "the deployer is the blacklister");
    let r = pay(w, bob);
    assert!(!r.success);
    assert!(String::from_utf8_lossy(&r.output).contains("Blacklistable: account is blacklisted"));
    let r = w.call(
        bob,
        USDC,
        &abi(
            "transfer(address,uint256)",
            &[addr_word(TRADER), word(1)],
            None,
        ),
    );
    assert!(!r.success, "nor send");
    assert_eq!(usdc_balance(w, bob), U256::from(10));
    // Only the blacklister may blacklist.
    assert!(
        !w.call(
            TRADER,
            USDC,
            &abi("blacklist(address)", &[addr_word(TRADER)], None)
        )
        .success
    );
    assert_eq!(
        u(&w.view(TRADER, USDC, &selector("decimals()")).output),
        U256::from(6)
    );
}
