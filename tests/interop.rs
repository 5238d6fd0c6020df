//! Interop: EIP-712 signatures made by an implementation we did not write.
//!
//! `cast wallet sign --data` (foundry) signs typed-data JSON built here the way
//! a wallet's `eth_signTypedData_v4` request looks. The pool must accept those
//! signatures for relayed borrows and withdrawals (borrower intents and oracle
//! prices) and for market resolutions, and must reject the same messages
//! signed for another chain. Our own Rust signing must produce byte-identical
//! signatures (RFC 6979 is deterministic), which ties `signatures.rs` to an
//! independent encoder.
//!
//! These tests need the `cast` binary (installed by `scripts/setup.sh`), so
//! they are `#[ignore]`d; `scripts/test.sh` runs them with `--include-ignored`.

mod common;

use std::{path::PathBuf, process::Command};

use alloy_primitives::{Address, B256, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;
use common::*;
use motsu::prelude::*;
use predmart_pool::{errors::Error, resolution::status, signatures as sig, LendingPool};

/// Motsu's chain id (Arbitrum One).
const CHAIN_ID: u64 = 42161;
/// Fixed keys: the borrower's and the oracle's (any scalars below the curve order).
const BORROWER_KEY: &str = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318";
const ORACLE_KEY: &str = "0x8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f";

// ---------------------------------------------------------------------------
// Typed data JSON, as a wallet builds it
// ---------------------------------------------------------------------------

/// One of the four messages the pool verifies, with its values.
#[derive(Clone, Debug)]
pub enum Typed {
    BorrowIntent {
        borrower: Address,
        token_id: U256,
        amount: U256,
        nonce: U256,
        deadline: U256,
    },
    WithdrawIntent {
        borrower: Address,
        to: Address,
        token_id: U256,
        amount: U256,
        nonce: U256,
        deadline: U256,
    },
    PriceData {
        token_id: U256,
        price: U256,
        timestamp: U256,
        max_borrow: U256,
    },
    Resolution {
        token_id: U256,
        won: bool,
        timestamp: U256,
    },
}

/// A JSON field value: uint256 as a decimal string, address as a checksummed
/// hex string, bool as a JSON bool.
enum Val {
    Uint(U256),
    Addr(Address),
    Bool(bool),
}

impl Val {
    fn ty(&self) -> &'static str {
        match self {
            Val::Uint(_) => "uint256",
            Val::Addr(_) => "address",
            Val::Bool(_) => "bool",
        }
    }

    fn json(&self) -> String {
        match self {
            Val::Uint(v) => format!("\"{v}\""),
            Val::Addr(a) => format!("\"{}\"", a.to_checksum(None)),
            Val::Bool(b) => b.to_string(),
        }
    }
}

impl Typed {
    /// Primary type name and the fields in declaration order. Written from the
    /// spec's table, not from `signatures.rs`, so a typo there shows up here.
    fn fields(&self) -> (&'static str, Vec<(&'static str, Val)>) {
        use Val::*;
        match self.clone() {
            Typed::BorrowIntent {
                borrower,
                token_id,
                amount,
                nonce,
                deadline,
            } => (
                "BorrowIntent",
                vec![
                    ("borrower", Addr(borrower)),
                    ("tokenId", Uint(token_id)),
                    ("amount", Uint(amount)),
                    ("nonce", Uint(nonce)),
                    ("deadline", Uint(deadline)),
                ],
            ),
            Typed::WithdrawIntent {
                borrower,
                to,
                token_id,
                amount,
                nonce,
                deadline,
            } => (
                "WithdrawIntent",
                vec![
                    ("borrower", Addr(borrower)),
                    ("to", Addr(to)),
                    ("tokenId", Uint(token_id)),
                    ("amount", Uint(amount)),
                    ("nonce", Uint(nonce)),
                    ("deadline", Uint(deadline)),
                ],
            ),
            Typed::PriceData {
                token_id,
                price,
                timestamp,
                max_borrow,
            } => (
                "PriceData",
                vec![
                    ("tokenId", Uint(token_id)),
                    ("price", Uint(price)),
                    ("timestamp", Uint(timestamp)),
                    ("maxBorrow", Uint(max_borrow)),
                ],
            ),
            Typed::Resolution {
                token_id,
                won,
                timestamp,
            } => (
                "Resolution",
                vec![
                    ("tokenId", Uint(token_id)),
                    ("won", Bool(won)),
                    ("timestamp", Uint(timestamp)),
                ],
            ),
        }
    }

    /// `hashStruct` of the message with our implementation.
    fn struct_hash(&self) -> B256 {
        match *self {
            Typed::BorrowIntent {
                borrower,
                token_id,
                amount,
                nonce,
                deadline,
            } => sig::borrow_intent_hash(borrower, token_id, amount, nonce, deadline),
            Typed::WithdrawIntent {
                borrower,
                to,
                token_id,
                amount,
                nonce,
                deadline,
            } => sig::withdraw_intent_hash(borrower, to, token_id, amount, nonce, deadline),
            Typed::PriceData {
                token_id,
                price,
                timestamp,
                max_borrow,
            } => sig::price_data_hash(token_id, price, timestamp, max_borrow),
            Typed::Resolution {
                token_id,
                won,
                timestamp,
            } => sig::resolution_hash(token_id, won, timestamp),
        }
    }
}

/// The EIP-712 typed-data JSON (`eth_signTypedData_v4` shape) for `msg` under
/// the pool's domain: `{types: {EIP712Domain, <Primary>}, primaryType, domain:
/// {name, version, chainId, verifyingContract}, message}`.
pub fn typed_data_json(chain_id: u64, verifying_contract: Address, msg: &Typed) -> String {
    let (primary, fields) = msg.fields();
    let types = fields
        .iter()
        .map(|(n, v)| format!("{{\"name\":\"{n}\",\"type\":\"{}\"}}", v.ty()))
        .collect::<Vec<_>>()
        .join(",");
    let message = fields
        .iter()
        .map(|(n, v)| format!("\"{n}\":{}", v.json()))
        .collect::<Vec<_>>()
        .join(",");
    format!(
        concat!(
            "{{\"types\":{{\"EIP712Domain\":[",
            "{{\"name\":\"name\",\"type\":\"string\"}},",
            "{{\"name\":\"version\",\"type\":\"string\"}},",
            "{{\"name\":\"chainId\",\"type\":\"uint256\"}},",
            "{{\"name\":\"verifyingContract\",\"type\":\"address\"}}],",
            "\"{primary}\":[{types}]}},",
            "\"primaryType\":\"{primary}\",",
            "\"domain\":{{\"name\":\"PredMart Lending Pool\",\"version\":\"1\",\"chainId\":{chain},",
            "\"verifyingContract\":\"{vc}\"}},",
            "\"message\":{{{message}}}}}"
        ),
        primary = primary,
        types = types,
        chain = chain_id,
        vc = verifying_contract.to_checksum(None),
        message = message,
    )
}

// ---------------------------------------------------------------------------
// cast
// ---------------------------------------------------------------------------

/// The `cast` binary: `$CAST`, the project's `.tools` install, or `PATH`.
fn cast_bin() -> PathBuf {
    let mut candidates = Vec::new();
    if let Some(c) = std::env::var_os("CAST").filter(|c| !c.is_empty()) {
        candidates.push(PathBuf::from(c));
    }
    candidates
        .push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/node_modules/.bin/cast"));
    candidates.push(PathBuf::from("cast"));
    for c in &candidates {
        if Command::new(c)
            .arg("--version")
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
        {
            return c.clone();
        }
    }
    panic!(
        "foundry `cast` not found (tried $CAST, .tools/node_modules/.bin/cast, PATH): \
         run scripts/setup.sh (or scripts/test.sh), or set CAST=/path/to/cast"
    );
}

fn cast(args: &[&str]) -> String {
    let out = Command::new(cast_bin())
        .args(args)
        .output()
        .expect("run cast");
    assert!(
        out.status.success(),
        "cast {:?} failed: {}",
        args.first(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

/// `cast wallet address --private-key key`.
fn cast_address(key: &str) -> Address {
    cast(&["wallet", "address", "--private-key", key])
        .parse()
        .expect("cast prints an address")
}

/// `cast wallet sign --private-key key --data json`: the 65-byte signature.
fn cast_sign(key: &str, json: &str) -> Vec<u8> {
    let hex = cast(&["wallet", "sign", "--private-key", key, "--data", json]);
    let bytes =
        alloy_primitives::hex::decode(&hex).unwrap_or_else(|e| panic!("cast printed {hex:?}: {e}"));
    assert_eq!(bytes.len(), 65, "cast signature is r || s || v");
    bytes
}

/// Signs `msg` for the pool at `pool` on `chain_id` with cast.
fn cast_sign_typed(key: &str, chain_id: u64, pool: Address, msg: &Typed) -> Vec<u8> {
    cast_sign(key, &typed_data_json(chain_id, pool, msg))
}

fn signer(key: &str) -> PrivateKeySigner {
    key.parse().expect("private key")
}

/// A world like `World::new`, but whose oracle is the cast-key oracle.
fn world<'a>(
    pool: &'a Contract<LendingPool>,
    usdc: &'a Contract<MockUsdc>,
    ctf: &'a Contract<MockCtf>,
) -> World<'a> {
    let oracle = Account::from(signer(ORACLE_KEY));
    assert_eq!(
        cast_address(ORACLE_KEY),
        oracle.address(),
        "cast and alloy derive the same oracle address"
    );
    World::with_oracle(pool, usdc, ctf, oracle)
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[motsu::test]
#[ignore = "needs cast: run scripts/test.sh"]
fn cast_signatures_equal_ours(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = world(&pool, &usdc, &ctf);
    let borrower = signer(BORROWER_KEY);
    assert_eq!(cast_address(BORROWER_KEY), borrower.address());
    // The pool's domain is the one a wallet builds for chain 42161 and this pool.
    assert_eq!(wd.domain(), sig::domain_separator(CHAIN_ID, pool.address()));

    let id = position_id(
        usdc.address(),
        collection_id(B256::ZERO, B256::repeat_byte(7), U256::from(1)),
    );
    let msgs = [
        Typed::BorrowIntent {
            borrower: borrower.address(),
            token_id: id,
            amount: U256::from(usd(4_000)),
            nonce: U256::from(3),
            deadline: U256::from(GENESIS + 300),
        },
        Typed::WithdrawIntent {
            borrower: borrower.address(),
            to: Address::with_last_byte(0x77),
            token_id: id,
            amount: U256::from(usd(2_000) + 1),
            nonce: U256::ZERO,
            deadline: U256::MAX,
        },
        Typed::PriceData {
            token_id: id,
            price: U256::from(cents(70) + 1),
            timestamp: U256::from(GENESIS),
            max_borrow: U256::MAX,
        },
        Typed::Resolution {
            token_id: id,
            won: true,
            timestamp: U256::from(GENESIS),
        },
        Typed::Resolution {
            token_id: id,
            won: false,
            timestamp: U256::from(GENESIS),
        },
    ];
    for (msg, key, who) in msgs
        .iter()
        .zip([
            BORROWER_KEY,
            BORROWER_KEY,
            ORACLE_KEY,
            ORACLE_KEY,
            ORACLE_KEY,
        ])
        .map(|(m, k)| (m, k, signer(k)))
    {
        let theirs = cast_sign_typed(key, CHAIN_ID, pool.address(), msg);
        let digest = sig::digest(wd.domain(), msg.struct_hash());
        let ours = who
            .sign_hash_sync(&digest)
            .expect("sign")
            .as_bytes()
            .to_vec();
        assert_eq!(
            theirs, ours,
            "cast and our EIP-712 encoding differ for {msg:?}"
        );
        // And the signature recovers to the signer under our digest.
        let parsed = alloy_primitives::PrimitiveSignature::try_from(&theirs[..]).unwrap();
        assert_eq!(
            parsed.recover_address_from_prehash(&digest).unwrap(),
            who.address()
        );
        assert!(
            sig::parse(&theirs).is_some(),
            "cast signatures are low-s with v = 27/28"
        );
        // Another chain id is another signature.
        assert_ne!(cast_sign_typed(key, 421614, pool.address(), msg), theirs);
    }
}

#[motsu::test]
#[ignore = "needs cast: run scripts/test.sh"]
fn cast_signed_borrow_and_withdraw_are_accepted(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = world(&pool, &usdc, &ctf);
    let borrower = cast_address(BORROWER_KEY);
    let id = token();
    wd.lend(lender, usd(1_000_000));
    wd.collateral(borrower, id, usd(10_000));

    // Borrow 4,000 at $0.70 (LTV 65%: limit 4,550), no depth cap (maxBorrow = 2^256 - 1).
    let now = wd.now();
    let (amount, deadline, price) = (
        U256::from(usd(4_000)),
        U256::from(now + 300),
        U256::from(cents(70)),
    );
    let intent = Typed::BorrowIntent {
        borrower,
        token_id: id,
        amount,
        nonce: U256::ZERO,
        deadline,
    };
    let psig_msg = Typed::PriceData {
        token_id: id,
        price,
        timestamp: U256::from(now),
        max_borrow: U256::MAX,
    };
    let isig = cast_sign_typed(BORROWER_KEY, CHAIN_ID, pool.address(), &intent);
    let psig = cast_sign_typed(ORACLE_KEY, CHAIN_ID, pool.address(), &psig_msg);
    pool.sender(wd.relayer)
        .borrow_via_relay(
            borrower,
            id,
            amount,
            U256::ZERO,
            deadline,
            &isig,
            price,
            U256::from(now),
            U256::MAX,
            &psig,
        )
        .motsu_unwrap();
    assert_eq!(wd.usdc_of(borrower), usd(4_000));
    assert_eq!(
        pool.sender(lender).get_position(borrower, id).unwrap().2,
        usd(4_000)
    );
    assert_eq!(pool.sender(lender).nonces(borrower), 1);
    assert_eq!(pool.sender(lender).last_price_timestamp(id), now);

    // Withdraw 1,000 shares to another address at $0.70 (HF 9,000 * 0.70 * 75% / 4,000 = 1.18 after), a little later.
    advance(3);
    let now = wd.now();
    let to = Address::with_last_byte(0x77);
    let (amount, deadline) = (U256::from(usd(1_000)), U256::from(now + 60));
    let intent = Typed::WithdrawIntent {
        borrower,
        to,
        token_id: id,
        amount,
        nonce: U256::from(1),
        deadline,
    };
    let price_msg = Typed::PriceData {
        token_id: id,
        price,
        timestamp: U256::from(now),
        max_borrow: U256::ZERO,
    };
    let isig = cast_sign_typed(BORROWER_KEY, CHAIN_ID, pool.address(), &intent);
    let psig = cast_sign_typed(ORACLE_KEY, CHAIN_ID, pool.address(), &price_msg);
    pool.sender(wd.relayer)
        .withdraw_via_relay(
            borrower,
            to,
            id,
            amount,
            U256::from(1),
            deadline,
            &isig,
            price,
            U256::from(now),
            &psig,
        )
        .motsu_unwrap();
    assert_eq!(wd.ctf_of(to, id), usd(1_000));
    assert_eq!(
        pool.sender(lender).get_position(borrower, id).unwrap().0,
        usd(9_000)
    );
    assert_eq!(pool.sender(lender).nonces(borrower), 2);
    assert!(
        pool.sender(lender)
            .get_health_factor(borrower, id, cents(70))
            .unwrap()
            >= w(WAD)
    );

    // A borrow through the ABI dispatcher (calldata as an integrator sends it),
    // with a finite depth cap: 4,050 (plus seconds of interest) of 9,000 * 0.70 * 65% = 4,095.
    advance(1);
    let now = wd.now();
    let deadline = U256::from(now + 60);
    let amount = U256::from(usd(50));
    let intent = Typed::BorrowIntent {
        borrower,
        token_id: id,
        amount,
        nonce: U256::from(2),
        deadline,
    };
    let price_msg = Typed::PriceData {
        token_id: id,
        price,
        timestamp: U256::from(now),
        max_borrow: U256::from(usd(5_000)),
    };
    let call = IPool::borrowViaRelayCall {
        borrower,
        tokenId: id,
        amount,
        nonce: U256::from(2),
        deadline,
        intentSignature: cast_sign_typed(BORROWER_KEY, CHAIN_ID, pool.address(), &intent).into(),
        price,
        priceTimestamp: U256::from(now),
        maxBorrow: U256::from(usd(5_000)),
        priceSignature: cast_sign_typed(ORACLE_KEY, CHAIN_ID, pool.address(), &price_msg).into(),
    };
    wd.abi(wd.relayer, call)
        .expect("ABI borrow with cast signatures");
    assert_eq!(wd.usdc_of(borrower), usd(4_050));
    assert_eq!(pool.sender(lender).nonces(borrower), 3);
}

#[motsu::test]
#[ignore = "needs cast: run scripts/test.sh"]
fn cast_signed_resolution_is_accepted(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    anyone: Address,
) {
    let wd = world(&pool, &usdc, &ctf);
    let (won_id, lost_id) = (token(), U256::from(43));
    advance(600);
    let ts = U256::from(wd.now() - 500);
    for (id, won) in [(won_id, true), (lost_id, false)] {
        let msg = Typed::Resolution {
            token_id: id,
            won,
            timestamp: ts,
        };
        // Signed for another chain: rejected, nothing recorded.
        let wrong = cast_sign_typed(ORACLE_KEY, 421614, pool.address(), &msg);
        assert_fails!(
            wd,
            [anyone],
            id,
            pool.sender(anyone).resolve_market(id, won, ts, &wrong),
            Error::InvalidSignature
        );
        // The outcome flipped: rejected.
        let rsig = cast_sign_typed(ORACLE_KEY, CHAIN_ID, pool.address(), &msg);
        assert_fails!(
            wd,
            [anyone],
            id,
            pool.sender(anyone).resolve_market(id, !won, ts, &rsig),
            Error::InvalidSignature
        );
        assert_eq!(pool.sender(anyone).market_status(id), status::OPEN);
        pool.sender(anyone)
            .resolve_market(id, won, ts, &rsig)
            .motsu_unwrap();
        assert_eq!(
            pool.sender(anyone).market_status(id),
            if won { status::WON } else { status::LOST }
        );
    }
}

#[motsu::test]
#[ignore = "needs cast: run scripts/test.sh"]
fn cast_signatures_for_another_domain_are_rejected(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = world(&pool, &usdc, &ctf);
    let borrower = cast_address(BORROWER_KEY);
    let to = Address::with_last_byte(0x77);
    let id = token();
    wd.lend(lender, usd(1_000_000));
    wd.collateral(borrower, id, usd(10_000));
    let now = wd.now();
    let (amount, deadline, price, ts) = (
        U256::from(usd(1_000)),
        U256::from(now + 300),
        U256::from(cents(70)),
        U256::from(now),
    );
    let intent = Typed::BorrowIntent {
        borrower,
        token_id: id,
        amount,
        nonce: U256::ZERO,
        deadline,
    };
    let price_msg = Typed::PriceData {
        token_id: id,
        price,
        timestamp: ts,
        max_borrow: U256::MAX,
    };
    let good_i = cast_sign_typed(BORROWER_KEY, CHAIN_ID, pool.address(), &intent);
    let good_p = cast_sign_typed(ORACLE_KEY, CHAIN_ID, pool.address(), &price_msg);
    let who = [borrower, lender, wd.relayer];
    for (chain, contract) in [
        (421614, pool.address()),
        (1, pool.address()),
        (CHAIN_ID, usdc.address()),
    ] {
        let bad_i = cast_sign_typed(BORROWER_KEY, chain, contract, &intent);
        let bad_p = cast_sign_typed(ORACLE_KEY, chain, contract, &price_msg);
        let borrow = |i: &[u8], p: &[u8]| {
            pool.sender(wd.relayer).borrow_via_relay(
                borrower,
                id,
                amount,
                U256::ZERO,
                deadline,
                i,
                price,
                ts,
                U256::MAX,
                p,
            )
        };
        assert_fails!(
            wd,
            who,
            id,
            borrow(&bad_i, &good_p),
            Error::InvalidSignature
        );
        assert_fails!(
            wd,
            who,
            id,
            borrow(&good_i, &bad_p),
            Error::InvalidSignature
        );
    }
    // The right domain works (so the failures above were the domain's doing).
    pool.sender(wd.relayer)
        .borrow_via_relay(
            borrower,
            id,
            amount,
            U256::ZERO,
            deadline,
            &good_i,
            price,
            ts,
            U256::MAX,
            &good_p,
        )
        .motsu_unwrap();

    // Withdraw intents and their prices, signed for chain 421614.
    let wamount = U256::from(usd(100));
    let wintent = Typed::WithdrawIntent {
        borrower,
        to,
        token_id: id,
        amount: wamount,
        nonce: U256::from(1),
        deadline,
    };
    let wprice = Typed::PriceData {
        token_id: id,
        price,
        timestamp: ts,
        max_borrow: U256::ZERO,
    };
    let good_wi = cast_sign_typed(BORROWER_KEY, CHAIN_ID, pool.address(), &wintent);
    let good_wp = cast_sign_typed(ORACLE_KEY, CHAIN_ID, pool.address(), &wprice);
    let bad_wi = cast_sign_typed(BORROWER_KEY, 421614, pool.address(), &wintent);
    let bad_wp = cast_sign_typed(ORACLE_KEY, 421614, pool.address(), &wprice);
    let withdraw = |i: &[u8], p: &[u8]| {
        pool.sender(wd.relayer).withdraw_via_relay(
            borrower,
            to,
            id,
            wamount,
            U256::from(1),
            deadline,
            i,
            price,
            ts,
            p,
        )
    };
    let who = [borrower, lender, to];
    assert_fails!(
        wd,
        who,
        id,
        withdraw(&bad_wi, &good_wp),
        Error::InvalidSignature
    );
    assert_fails!(
        wd,
        who,
        id,
        withdraw(&good_wi, &bad_wp),
        Error::InvalidSignature
    );
    withdraw(&good_wi, &good_wp).motsu_unwrap();
    assert_eq!(wd.ctf_of(to, id), usd(100));
}

/// The JSON builder itself (no cast needed): the shape later scripts rely on.
#[test]
fn typed_data_json_shape() {
    let msg = Typed::Resolution {
        token_id: U256::MAX,
        won: false,
        timestamp: U256::from(7),
    };
    let j = typed_data_json(CHAIN_ID, Address::with_last_byte(0xaa), &msg);
    assert_eq!(
        j,
        concat!(
            r#"{"types":{"EIP712Domain":[{"name":"name","type":"string"},{"name":"version","type":"string"},"#,
            r#"{"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],"#,
            r#""Resolution":[{"name":"tokenId","type":"uint256"},{"name":"won","type":"bool"},{"name":"timestamp","type":"uint256"}]},"#,
            r#""primaryType":"Resolution","domain":{"name":"PredMart Lending Pool","version":"1","chainId":42161,"#,
            r#""verifyingContract":"0x00000000000000000000000000000000000000AA"},"#,
            r#""message":{"tokenId":"115792089237316195423570985008687907853269984665640564039457584007913129639935","won":false,"timestamp":"7"}}"#
        )
    );
    // The types in the JSON are the contract's type strings.
    for (m, t) in [
        (
            Typed::BorrowIntent {
                borrower: Address::ZERO,
                token_id: U256::ZERO,
                amount: U256::ZERO,
                nonce: U256::ZERO,
                deadline: U256::ZERO,
            },
            sig::BORROW_INTENT_TYPE,
        ),
        (
            Typed::WithdrawIntent {
                borrower: Address::ZERO,
                to: Address::ZERO,
                token_id: U256::ZERO,
                amount: U256::ZERO,
                nonce: U256::ZERO,
                deadline: U256::ZERO,
            },
            sig::WITHDRAW_INTENT_TYPE,
        ),
        (
            Typed::PriceData {
                token_id: U256::ZERO,
                price: U256::ZERO,
                timestamp: U256::ZERO,
                max_borrow: U256::ZERO,
            },
            sig::PRICE_DATA_TYPE,
        ),
        (msg, sig::RESOLUTION_TYPE),
    ] {
        let (name, fields) = m.fields();
        let enc = fields
            .iter()
            .map(|(n, v)| format!("{} {n}", v.ty()))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(format!("{name}({enc})"), t);
    }
}
