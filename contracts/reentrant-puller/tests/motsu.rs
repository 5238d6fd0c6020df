//! The test contracts' Rust types under motsu: the behaviour the e2e tests
//! compare against (and the puller's "succeeds under motsu" half).
use alloy_primitives::{Address, FixedBytes, B256, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::SolCall;
use motsu::prelude::*;
use reentrant_puller::ReentrantPuller;
use stylus_sdk::abi::Bytes;
use test_ctf::{collection_id, position_id, TestCtf};
use test_usdc::TestUsdc;
use test_wallet::TestWallet;

fn sign(a: &Account, h: B256) -> Vec<u8> {
    a.signer().sign_hash_sync(&h).unwrap().as_bytes().to_vec()
}

#[motsu::test]
fn pull_succeeds_under_motsu(
    ctf: Contract<TestCtf>,
    puller: Contract<ReentrantPuller>,
    alice: Address,
) {
    let id = U256::from(7);
    ctf.sender(alice)
        .mint(alice, id, U256::from(100))
        .motsu_unwrap();
    ctf.sender(alice)
        .set_approval_for_all(puller.address(), true)
        .motsu_unwrap();
    puller
        .sender(alice)
        .pull(ctf.address(), alice, id, U256::from(60))
        .motsu_unwrap();
    assert_eq!(
        ctf.sender(alice).balance_of(puller.address(), id),
        U256::from(60)
    );
    assert_eq!(ctf.sender(alice).balance_of(alice, id), U256::from(40));
    assert_eq!(puller.sender(alice).received(), U256::from(60));
}

#[motsu::test]
fn usdc_modes(usdc: Contract<TestUsdc>, alice: Address, bob: Address) {
    usdc.sender(alice)
        .mint(alice, U256::from(10))
        .motsu_unwrap();
    assert_eq!(usdc.sender(alice).decimals(), 6);
    assert_eq!(usdc.sender(alice).symbol(), "USDC");
    usdc.sender(alice).set_mode(1);
    assert!(!usdc
        .sender(alice)
        .transfer(bob, U256::from(3))
        .motsu_unwrap());
    assert_eq!(usdc.sender(alice).balance_of(bob), U256::ZERO);
    usdc.sender(alice).set_mode(0);
    assert!(usdc
        .sender(alice)
        .transfer(bob, U256::from(3))
        .motsu_unwrap());
    assert_eq!(usdc.sender(alice).balance_of(bob), U256::from(3));
    assert!(usdc
        .sender(alice)
        .transfer(bob, U256::from(30))
        .motsu_res()
        .is_err());
}

#[motsu::test]
fn ctf_redeems_winners(ctf: Contract<TestCtf>, usdc: Contract<TestUsdc>, alice: Address) {
    let cond = B256::repeat_byte(3);
    ctf.sender(alice).set_usdc(usdc.address());
    let yes = position_id(
        usdc.address(),
        collection_id(B256::ZERO, cond, U256::from(1)),
    );
    let no = position_id(
        usdc.address(),
        collection_id(B256::ZERO, cond, U256::from(2)),
    );
    assert_eq!(
        ctf.sender(alice).get_position_id(
            usdc.address(),
            ctf.sender(alice)
                .get_collection_id(B256::ZERO, cond, U256::from(1))
        ),
        yes
    );
    ctf.sender(alice)
        .mint(alice, yes, U256::from(5))
        .motsu_unwrap();
    ctf.sender(alice)
        .mint(alice, no, U256::from(7))
        .motsu_unwrap();
    usdc.sender(alice)
        .mint(ctf.address(), U256::from(100))
        .motsu_unwrap();
    ctf.sender(alice).set_winner(cond, U256::from(1));
    ctf.sender(alice)
        .redeem_positions(
            usdc.address(),
            B256::ZERO,
            cond,
            vec![U256::from(1), U256::from(2)],
        )
        .motsu_unwrap();
    assert_eq!(usdc.sender(alice).balance_of(alice), U256::from(5));
    assert_eq!(ctf.sender(alice).balance_of(alice, yes), U256::ZERO);
    assert_eq!(ctf.sender(alice).balance_of(alice, no), U256::ZERO);
}

#[motsu::test]
fn wallet_signatures_match_the_mock(wallet: Contract<TestWallet>, alice: Address) {
    let owner = Account::from_seed("owner");
    let other = Account::from_seed("other");
    wallet.sender(alice).set_owner(owner.address());
    let h = B256::repeat_byte(0x42);
    let magic = FixedBytes([0x16, 0x26, 0xba, 0x7e]);
    let zero = FixedBytes([0; 4]);
    let good = sign(&owner, h);
    let check = |s: &[u8]| {
        wallet
            .sender(alice)
            .is_valid_signature(h, Bytes::from(s.to_vec()))
            .motsu_res()
    };
    assert_eq!(check(&good), Ok(magic));
    // v as 0/1.
    let mut raw = good.clone();
    raw[64] -= 27;
    assert_eq!(check(&raw), Ok(magic));
    // High-s twin (accepted, like alloy's recover).
    let n = U256::from_be_bytes(alloy_primitives::hex!(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
    ));
    let mut twin = good.clone();
    let s = U256::from_be_slice(&good[32..64]);
    twin[32..64].copy_from_slice(&(n - s).to_be_bytes::<32>());
    twin[64] = if good[64] == 27 { 28 } else { 27 };
    assert_eq!(check(&twin), Ok(magic));
    // Someone else, a different hash, r = 0.
    assert_eq!(check(&sign(&other, h)), Ok(zero));
    let mut r0 = good.clone();
    r0[..32].fill(0);
    assert_eq!(check(&r0), Ok(zero));
    // Unparseable: wrong length, bad v.
    assert!(check(&good[..64]).is_err());
    let mut bad_v = good.clone();
    bad_v[64] = 5;
    assert!(check(&bad_v).is_err());
    // Modes.
    wallet.sender(alice).set_mode(1);
    assert_eq!(check(&good), Ok(FixedBytes([0xff; 4])));
    wallet.sender(alice).set_mode(2);
    assert!(check(&good).is_err());
}

#[motsu::test]
fn wallet_exec_is_owner_only(
    wallet: Contract<TestWallet>,
    usdc: Contract<TestUsdc>,
    alice: Address,
    pool: Address,
) {
    wallet.sender(alice).set_owner(alice);
    let data = test_usdc_approve(pool, U256::from(9));
    let out = wallet
        .sender(alice)
        .exec(usdc.address(), Bytes::from(data.clone()))
        .motsu_unwrap();
    assert_eq!(U256::from_be_slice(&out), U256::from(1));
    assert_eq!(
        usdc.sender(alice).allowance(wallet.address(), pool),
        U256::from(9)
    );
    assert!(wallet
        .sender(pool)
        .exec(usdc.address(), Bytes::from(data))
        .motsu_res()
        .is_err());
}

alloy_sol_types::sol! {
    function approve(address spender, uint256 value) external returns (bool);
}

fn test_usdc_approve(spender: Address, value: U256) -> Vec<u8> {
    approveCall { spender, value }.abi_encode()
}
