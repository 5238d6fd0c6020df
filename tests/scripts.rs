//! The shell scripts integrators use, tested offline: signatures made by
//! `scripts/sign.sh` (typed data from `scripts/typed_data.py`, signed by
//! `cast wallet sign`) are accepted by the contract; every flow script
//! explains itself and fails clearly without its inputs; the deploy dry run
//! prints what it would do. Needs cast and python3 (`scripts/test.sh`).

mod common;

use std::process::Command;

use alloy_primitives::{hex, Address, B256, U256};
use alloy_signer_local::PrivateKeySigner;
use common::*;
use motsu::prelude::*;
use predmart_pool::LendingPool;

const ORACLE_KEY: &str = "0x1111111111111111111111111111111111111111111111111111111111111111";
const BORROWER_KEY: &str = "0x2222222222222222222222222222222222222222222222222222222222222222";

fn account(key: &str) -> Account {
    Account::from(
        PrivateKeySigner::from_bytes(&B256::from_slice(&hex::decode(key).unwrap())).unwrap(),
    )
}

/// Runs `scripts/sign.sh` and returns the signature bytes.
fn sign_sh(kind: &str, pool: Address, key: &str, fields: &[String]) -> Vec<u8> {
    let out = Command::new("scripts/sign.sh")
        .arg(kind)
        .args([
            "--pool",
            &pool.to_string(),
            "--chain-id",
            "42161",
            "--private-key",
            key,
        ])
        .args(fields)
        .output()
        .expect("run scripts/sign.sh");
    assert!(
        out.status.success(),
        "sign.sh failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    hex::decode(String::from_utf8(out.stdout).unwrap().trim()).unwrap()
}

#[motsu::test]
#[ignore = "needs cast and python3: run scripts/test.sh"]
fn signatures_from_the_scripts_are_accepted(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = World::with_oracle(&pool, &usdc, &ctf, account(ORACLE_KEY));
    let borrower = account(BORROWER_KEY).address();
    let id = token();
    wd.lend(lender, usd(100_000));
    wd.collateral(borrower, id, usd(1_000));
    let now = wd.now();
    let f = |kv: &[(&str, String)]| {
        kv.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
    };

    // Borrow: BorrowIntent by the borrower, PriceData by the oracle.
    let intent = sign_sh(
        "BorrowIntent",
        pool.address(),
        BORROWER_KEY,
        &f(&[
            ("borrower", borrower.to_string()),
            ("tokenId", id.to_string()),
            ("amount", usd(100).to_string()),
            ("nonce", "0".into()),
            ("deadline", (now + 300).to_string()),
        ]),
    );
    let max = U256::MAX.to_string();
    let price = sign_sh(
        "PriceData",
        pool.address(),
        ORACLE_KEY,
        &f(&[
            ("tokenId", id.to_string()),
            ("price", cents(70).to_string()),
            ("timestamp", now.to_string()),
            ("maxBorrow", max.clone()),
        ]),
    );
    pool.sender(wd.relayer)
        .borrow_via_relay(
            borrower,
            id,
            w(usd(100)),
            U256::ZERO,
            U256::from(now + 300),
            &intent,
            w(cents(70)),
            U256::from(now),
            U256::MAX,
            &price,
        )
        .motsu_unwrap();
    assert_eq!(wd.usdc_of(borrower), usd(100));

    // Withdraw: WithdrawIntent, price with maxBorrow = 0.
    let to = Address::with_last_byte(0x77);
    let intent = sign_sh(
        "WithdrawIntent",
        pool.address(),
        BORROWER_KEY,
        &f(&[
            ("borrower", borrower.to_string()),
            ("to", to.to_string()),
            ("tokenId", id.to_string()),
            ("amount", usd(10).to_string()),
            ("nonce", "1".into()),
            ("deadline", (now + 300).to_string()),
        ]),
    );
    let price = sign_sh(
        "PriceData",
        pool.address(),
        ORACLE_KEY,
        &f(&[
            ("tokenId", id.to_string()),
            ("price", cents(70).to_string()),
            ("timestamp", now.to_string()),
            ("maxBorrow", "0".into()),
        ]),
    );
    pool.sender(wd.relayer)
        .withdraw_via_relay(
            borrower,
            to,
            id,
            w(usd(10)),
            U256::from(1),
            U256::from(now + 300),
            &intent,
            w(cents(70)),
            U256::from(now),
            &price,
        )
        .motsu_unwrap();
    assert_eq!(wd.ctf_of(to, id), usd(10));

    // Resolution.
    let sig = sign_sh(
        "Resolution",
        pool.address(),
        ORACLE_KEY,
        &f(&[
            ("tokenId", id.to_string()),
            ("won", "true".into()),
            ("timestamp", now.to_string()),
        ]),
    );
    pool.sender(lender)
        .resolve_market(id, true, U256::from(now), &sig)
        .motsu_unwrap();
    assert_eq!(pool.sender(lender).market_status(id), 1);
}

#[test]
#[ignore = "needs python3: run scripts/test.sh"]
fn typed_data_builder_rejects_bad_input() {
    for args in [
        vec!["Nope", "0xaa", "1"],
        vec!["PriceData", "0xaa", "1", "tokenId=1"],
        vec![
            "Resolution",
            "0xaa",
            "1",
            "tokenId=1",
            "won=yes",
            "timestamp=1",
        ],
    ] {
        let out = Command::new("python3")
            .arg("scripts/typed_data.py")
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?} accepted");
    }
}

#[test]
#[ignore = "needs the scripts' tools: run scripts/test.sh"]
fn flow_scripts_explain_and_refuse_missing_input() {
    let flows = [
        "lend",
        "redeem",
        "deposit-collateral",
        "borrow",
        "withdraw",
        "repay",
        "liquidate",
        "resolve",
        "schedule",
        "start-auction",
    ];
    for flow in flows {
        let path = format!("scripts/flows/{flow}.sh");
        // No arguments: usage text, exit 2.
        let out = Command::new(&path).env_remove("POOL").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{flow}");
        let usage = String::from_utf8_lossy(&out.stdout);
        assert!(
            usage.contains(&format!("scripts/flows/{flow}.sh")),
            "{flow} usage: {usage}"
        );
        // Arguments but no pool: a clear error, exit 2.
        let out = Command::new(&path)
            .args(["1", "2", "3", "4"])
            .env_remove("POOL")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flow}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("POOL is not set"),
            "{flow}"
        );
    }
    // sign.sh without a pool or key.
    let out = Command::new("scripts/sign.sh")
        .args(["PriceData", "--chain-id", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pool is required"));
}

#[test]
#[ignore = "builds the release contract: run scripts/test.sh"]
fn deploy_dry_run_prints_the_plan() {
    let out = Command::new("scripts/deploy.sh")
        .arg("--dry-run")
        .env("ADMIN", "0x00000000000000000000000000000000000000ad")
        .env_remove("USDC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("compressed contract:"), "{text}");
    // The code about to be deployed passed the activation check...
    assert!(
        text.contains("activation check (ArbOS 61): OK target/initcode.hex"),
        "{text}"
    );
    // ...and the default deploy sends exactly that build (no Docker rebuild).
    assert!(
        text.contains("cargo stylus deploy --endpoint https://sepolia-rollup.arbitrum.io/rpc"),
        "{text}"
    );
    assert!(text.contains(" --no-verify "), "{text}");
    assert!(
        text.contains("0x00000000000000000000000000000000000000ad <USDC>"),
        "{text}"
    );
    assert!(
        text.contains("to deploy, set: USDC CTF ORACLE RELAYER"),
        "{text}"
    );
    // --reproducible: cargo-stylus rebuilds in Docker (no --no-verify).
    let out = Command::new("scripts/deploy.sh")
        .args(["--dry-run", "--reproducible"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("build: reproducible"), "{text}");
    assert!(!text.contains("--no-verify"), "{text}");
    // Without a reachable endpoint a real deploy refuses clearly.
    let out = Command::new("scripts/deploy.sh")
        .envs([
            ("RPC_URL", "http://127.0.0.1:9"),
            ("ADMIN", "0x01"),
            ("USDC", "0x02"),
            ("CTF", "0x03"),
            ("ORACLE", "0x04"),
            ("RELAYER", "0x05"),
            ("PRIVATE_KEY_PATH", "Cargo.toml"),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot reach http://127.0.0.1:9"));
}

/// A brotli stream holding `data` as one uncompressed meta-block (RFC 7932:
/// WBITS 16, MNIBBLES 4, ISUNCOMPRESSED, then an empty last meta-block).
fn brotli_stored(data: &[u8]) -> Vec<u8> {
    assert!(!data.is_empty() && data.len() <= 1 << 16);
    let header = (((data.len() - 1) as u32) << 4) | (1 << 20);
    let mut out = header.to_le_bytes()[..3].to_vec();
    out.extend_from_slice(data);
    out.push(0b11);
    out
}

/// Initcode of the shape `cargo stylus get-initcode` writes, as far as the
/// check reads it: `PUSH32 <code length>`, then the code `EF F0 00 00` +
/// brotli(WASM) at the end.
fn initcode_hex(wasm: &[u8]) -> String {
    let mut code = vec![0xef, 0xf0, 0x00, 0x00];
    code.extend(brotli_stored(wasm));
    let mut init = vec![0x7f];
    init.extend(U256::from(code.len()).to_be_bytes::<32>());
    init.extend(code);
    hex::encode(init)
}

/// deploy.sh refuses code Stylus activation would reject, naming the rule,
/// before sending anything: here binaryen's output under the old wasm-opt
/// recipe (a DataCount section), given as a prebuilt initcode.
#[test]
#[ignore = "needs the scripts' tools: run scripts/test.sh"]
fn deploy_refuses_code_that_activation_would_reject() {
    let bad = include_bytes!("../runtime/tests/fixtures/bulk-memory.wasm");
    let good = include_bytes!("../runtime/tests/fixtures/bulk-memory-opt.wasm");
    let dir = std::env::temp_dir().join(format!("deploy-sh-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |wasm: &[u8], name: &str| {
        let hex = initcode_hex(wasm);
        // The stored stream really decompresses to the WASM.
        assert_eq!(
            stylus_runtime::wasm_from_initcode_hex(&hex).unwrap(),
            wasm,
            "brotli_stored round trip"
        );
        let path = dir.join(name);
        std::fs::write(&path, hex).unwrap();
        Command::new("scripts/deploy.sh")
            .args(["--dry-run", "--initcode"])
            .arg(&path)
            .output()
            .unwrap()
    };
    let out = run(bad, "bad.hex");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stderr.contains("activation rule `section`"), "{stderr}");
    assert!(stderr.contains("DataCount"), "{stderr}");
    assert!(stderr.contains("refusing to deploy"), "{stderr}");
    assert!(!stdout.contains("command:"), "{stdout}");
    // The same program without the section goes on to the plan.
    let out = run(good, "good.hex");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("activation check (ArbOS 61): OK"),
        "{stdout}"
    );
    assert!(stdout.contains("command: cargo stylus deploy"), "{stdout}");
    // A prebuilt artifact cannot be deployed for real (cargo-stylus builds).
    let out = Command::new("scripts/deploy.sh")
        .args(["--initcode", "x.hex"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
