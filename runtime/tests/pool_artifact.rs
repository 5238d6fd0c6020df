//! Loads the real release artifact of the lending pool (`target/initcode.hex`,
//! written by `cargo stylus get-initcode`; override with `PREDMART_INITCODE`)
//! and runs its constructor and a few views. Fails when `PREDMART_INITCODE`
//! is set but unreadable; skips with a message only when it is unset and the
//! default file is absent.

use stylus_runtime::{wasm_from_initcode_hex, Address, World, CONSTRUCTOR_SELECTOR, U256};

fn initcode() -> Option<String> {
    if let Ok(path) = std::env::var("PREDMART_INITCODE") {
        return Some(std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!("PREDMART_INITCODE={path}: {e} (build it with cargo stylus get-initcode)")
        }));
    }
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/initcode.hex");
    match std::fs::read_to_string(path) {
        Ok(s) => Some(s),
        Err(e) => {
            eprintln!(
                "SKIPPED: {path}: {e} (build it with scripts/test.sh or cargo stylus get-initcode)"
            );
            None
        }
    }
}

fn selector(sig: &str) -> [u8; 4] {
    alloy_primitives::keccak256(sig.as_bytes())[..4]
        .try_into()
        .unwrap()
}

fn addr_word(a: Address) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(a.as_slice());
    w
}

#[test]
fn pool_artifact_constructs_and_answers_views() {
    let Some(hex) = initcode() else { return };
    let wasm = wasm_from_initcode_hex(&hex).expect("decodes");
    assert!(wasm.starts_with(b"\0asm"));
    // Nitro's instrumentation of the pool: every frame within the 10,240
    // word activation limit.
    let m = stylus_runtime::meter::instrument(&wasm).expect("instruments");
    let biggest = m.functions.iter().map(|f| f.frame_size).max().unwrap();
    assert!(biggest <= stylus_runtime::meter::MAX_FRAME_SIZE);
    println!(
        "pool: {} functions, largest frame {biggest} words, instrumented {} -> {} bytes",
        m.functions.len(),
        wasm.len(),
        m.wasm.len()
    );

    let pool = Address::repeat_byte(0x50);
    let [admin, usdc, ctf, oracle, relayer] =
        [0xa1u8, 0xa2, 0xa3, 0xa4, 0xa5].map(Address::repeat_byte);
    let mut w = World::new();
    w.deploy_initcode_hex(pool, &hex)
        .expect("the pool deploys under Nitro's rules");

    let mut ctor = CONSTRUCTOR_SELECTOR.to_vec();
    for a in [admin, usdc, ctf, oracle, relayer] {
        ctor.extend_from_slice(&addr_word(a));
    }
    let r = w.call(admin, pool, &ctor);
    assert!(r.success, "constructor: {:?} {:?}", r.error, r.output);
    println!("constructor gas: {} {:?}", r.gas_used, r.gas);

    let r = w.view(admin, pool, &selector("asset()"));
    assert!(r.success, "asset(): {:?}", r.error);
    assert_eq!(r.output, addr_word(usdc));
    let r = w.view(admin, pool, &selector("admin()"));
    assert_eq!(r.output, addr_word(admin));
    let r = w.view(admin, pool, &selector("totalSupply()"));
    assert_eq!(r.output, U256::ZERO.to_be_bytes::<32>());

    // A second constructor call is refused.
    let r = w.call(admin, pool, &ctor);
    assert!(!r.success, "constructor runs once");
    // Unknown selector reverts.
    assert!(!w.call(admin, pool, &[0xde, 0xad, 0xbe, 0xef]).success);
    // Throughput: the pool's tests run hundreds of transactions.
    let t = std::time::Instant::now();
    for _ in 0..200 {
        assert!(w.view(admin, pool, &selector("totalAssets()")).success);
    }
    println!("200 views: {:?}", t.elapsed());
    // Code size is the real compressed code's.
    let code_len = (hex.trim().trim_start_matches("0x").len() / 2) as u64;
    assert!(code_len > 1000);
}
