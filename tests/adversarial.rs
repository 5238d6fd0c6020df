//! Adversarial tests: hostile tokens and receivers, a relayer that replays or
//! reorders intents, oracle prices at the exact edges of their range, and
//! arguments at the u128 / uint256 edges. Every case must end in a clean,
//! specific error that changes nothing, or in correct accounting.
//!
//! Re-entrancy: on Arbitrum the Stylus entrypoint refuses any call that
//! re-enters the pool (`src/dispatch.rs`, `msg_reentrant`), which motsu cannot
//! show (it reports "not re-entrant" always). The embedded runtime's
//! end-to-end tests (`tests/e2e.rs`) prove the refusal on the release WASM.
//! Here the re-entrant calls are *let through*, and the tests prove the
//! second line of defence: state is written before every external call, so a
//! re-entrant call sees consistent books and gains nothing.

mod common;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolCall;
use common::*;
use motsu::prelude::*;
use predmart_pool::{dispatch::FUNCTIONS, errors::Error, math::Rounding, LendingPool};
use stylus_sdk::abi::Bytes;

fn lender() -> Address {
    Address::with_last_byte(0x11)
}
fn liquidator() -> Address {
    Address::with_last_byte(0x30)
}
fn outsider() -> Address {
    Address::with_last_byte(0x77)
}

/// The pool's books: what must stay consistent whatever a hostile token does.
fn assert_books(wd: &World) {
    assert_books_with_donation(wd, 0);
}

/// The books when `donated` USDC was sent to the pool unbooked.
fn assert_books_with_donation(wd: &World, donated: u128) {
    let p = wd.pool.sender(wd.admin);
    let m = p.market().unwrap();
    assert_eq!(
        wd.usdc_of(wd.pool.address()),
        m.cash + donated,
        "USDC held = booked cash + donations"
    );
    assert_eq!(p.total_assets().unwrap(), m.cash + m.borrowed - m.reserves);
}

/// Like `assert_fails!` for helpers that already reverted (`motsu_res`).
fn fails_cleanly<T: core::fmt::Debug>(
    wd: &World,
    who: &[Address],
    id: U256,
    call: impl FnOnce() -> Result<T, Error>,
    err: Error,
) {
    let before = wd.snapshot(who, id);
    let got = call();
    assert_eq!(got.err(), Some(err), "expected {err:?}");
    assert_eq!(wd.snapshot(who, id), before, "state changed on {err:?}");
}

/// Lender liquidity, and a borrower with 10,000 shares of `token()` who
/// borrowed `debt` at $0.60.
fn with_loan<'a>(wd: &World<'a>, borrower: &Account, debt: u128) {
    wd.lend(lender(), usd(100_000));
    wd.collateral(borrower.address(), token(), usd(10_000));
    if debt != 0 {
        wd.borrow(borrower, token(), debt, cents(60)).unwrap();
    }
}

// ---------------------------------------------------------------------------
// ERC-20 returning false
// ---------------------------------------------------------------------------

/// A USDC that answers `false` instead of moving tokens fails every money
/// path with `TransferFailed`, and nothing changes.
#[motsu::test]
fn usdc_returning_false_fails_every_money_path(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(3_000));
    advance(30 * 86_400); // reserves accrue
    pool.sender(wd.admin).accrue().motsu_unwrap();
    usdc.sender(outsider())
        .mint(pool.address(), w(usd(5)))
        .motsu_unwrap(); // a donation
    let b = bob.address();
    wd.fund(b, usd(10_000));
    wd.fund(lender(), usd(1_000));
    wd.fund(liquidator(), usd(10_000));
    usdc.sender(wd.admin).set_mode(USDC_RETURN_FALSE);
    let who = [lender(), b, liquidator(), wd.admin];
    let id = token();
    let tf = Error::TransferFailed;
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(lender()).deposit(usd(10), lender()),
        tf
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(lender()).mint(1_000_000_000, lender()),
        tf
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(lender()).withdraw(usd(10), lender(), lender()),
        tf
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(lender())
            .redeem(1_000_000_000, lender(), lender()),
        tf
    );
    assert_fails!(wd, who, id, pool.sender(b).repay_for(b, id, usd(100)), tf);
    assert_fails!(
        wd,
        who,
        id,
        wd.relay_borrow(wd.relayer, &wd.oracle, &bob, id, usd(10), cents(60)),
        tf
    );
    let reserves = pool.sender(wd.admin).market().unwrap().reserves;
    assert!(reserves > 0);
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(wd.admin).withdraw_reserves(wd.admin, 1),
        tf
    );
    assert_fails!(wd, who, id, pool.sender(wd.admin).sweep(wd.admin), tf);
    usdc.sender(wd.admin).set_mode(USDC_NORMAL);
    assert_books_with_donation(&wd, usd(5));
}

/// The liquidation pull of a false-returning token fails cleanly too.
#[motsu::test]
fn usdc_returning_false_fails_a_liquidation(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(3_000));
    wd.fund(liquidator(), usd(10_000));
    usdc.sender(wd.admin).set_mode(USDC_RETURN_FALSE);
    let who = [bob.address(), liquidator()];
    assert_fails!(
        wd,
        who,
        token(),
        wd.pool.sender(liquidator()).liquidate(
            bob.address(),
            token(),
            u128::MAX,
            w(cents(30)),
            U256::from(wd.now()),
            U256::ZERO,
            &wd.price_sig(token(), cents(30), wd.now(), U256::ZERO),
        ),
        Error::TransferFailed
    );
}

// ---------------------------------------------------------------------------
// Re-entrant ERC-20
// ---------------------------------------------------------------------------

/// A token that re-enters `borrowViaRelay` with the same signed intent while
/// the pool pays the borrower (the token is made the relayer, so the replay
/// gets past the relayer check): the nonce is already spent, so the replay
/// fails with `InvalidNonce` and only one loan exists.
#[motsu::test]
fn reentrant_usdc_cannot_replay_a_borrow(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, 0);
    let relayer = usdc.address();
    pool.sender(wd.admin)
        .propose_change(1, U256::from_be_slice(relayer.as_slice()))
        .motsu_unwrap();
    pool.sender(wd.admin).execute_change(1).motsu_unwrap();
    let (id, now, amount) = (token(), wd.now(), usd(1_000));
    let intent = wd.borrow_sig(&bob, id, amount, 0, now + 300);
    let psig = wd.price_sig(id, cents(60), now, U256::MAX);
    let call = IPool::borrowViaRelayCall {
        borrower: bob.address(),
        tokenId: id,
        amount: w(amount),
        nonce: U256::ZERO,
        deadline: U256::from(now + 300),
        intentSignature: intent.clone().into(),
        price: w(cents(60)),
        priceTimestamp: U256::from(now),
        maxBorrow: U256::MAX,
        priceSignature: psig.clone().into(),
    };
    usdc.sender(wd.admin)
        .set_hook(pool.address(), Bytes::from(call.abi_encode()));
    pool.sender(relayer)
        .borrow_via_relay(
            bob.address(),
            id,
            w(amount),
            U256::ZERO,
            U256::from(now + 300),
            &intent,
            w(cents(60)),
            U256::from(now),
            U256::MAX,
            &psig,
        )
        .motsu_unwrap();
    assert_eq!(usdc.sender(wd.admin).hook_result(), HOOK_FAILED);
    assert_eq!(
        usdc.sender(wd.admin).hook_revert(),
        Error::InvalidNonce.selector().to_vec(),
        "the replay reached the nonce check"
    );
    assert_eq!(wd.usdc_of(bob.address()), amount, "one loan paid");
    let (_, _, debt) = pool
        .sender(wd.admin)
        .get_position(bob.address(), id)
        .unwrap();
    assert!(debt >= amount && debt <= amount + 1);
    assert_eq!(pool.sender(wd.admin).nonces(bob.address()), 1);
    assert_books(&wd);
}

/// A token that, while pulling a lender's deposit, redeems that lender's
/// earlier shares (the lender approved the token): the shares were minted and
/// the cash booked before the pull, so the books stay exact and the lender
/// gets nothing it did not pay for.
#[motsu::test]
fn reentrant_usdc_during_a_deposit_keeps_the_books(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(Address::with_last_byte(0x12), usd(50_000)); // another lender
    let shares = wd.lend(lender(), usd(1_000));
    pool.sender(lender())
        .approve(usdc.address(), U256::MAX)
        .motsu_unwrap();
    let redeem = IPool::redeemCall {
        shares: w(shares),
        receiver: lender(),
        owner: lender(),
    };
    usdc.sender(wd.admin)
        .set_hook(pool.address(), Bytes::from(redeem.abi_encode()));
    wd.fund(lender(), usd(2_000));
    let before = wd.usdc_of(lender());
    let minted = pool
        .sender(lender())
        .deposit(usd(2_000), lender())
        .motsu_unwrap();
    assert_eq!(usdc.sender(wd.admin).hook_result(), HOOK_OK);
    // Net: paid 2,000, got back the first 1,000; holds only the new shares.
    assert_eq!(wd.usdc_of(lender()), before - usd(2_000) + usd(1_000));
    assert_eq!(pool.sender(lender()).balance_of(lender()), minted);
    let claim = pool
        .sender(lender())
        .assets_for(minted, Rounding::Down)
        .unwrap();
    assert!(claim <= usd(2_000));
    assert_books(&wd);
}

/// A token that holds pUSDC itself and, while pulling a borrower's
/// repayment, redeems all of it: the repayment's cash was booked before the
/// pull, so the redemption is priced on consistent books, pays the token's
/// claim, and the USDC held still equals the cash booked.
#[motsu::test]
fn reentrant_usdc_during_a_repay_keeps_the_books(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(3_000));
    // The token contract is itself a lender.
    let evil = usdc.address();
    let shares = wd.lend(evil, usd(1_000));
    advance(86_400);
    let claim = pool
        .sender(evil)
        .assets_for(shares, Rounding::Down)
        .unwrap();
    let redeem = IPool::redeemCall {
        shares: w(shares),
        receiver: evil,
        owner: evil,
    };
    usdc.sender(wd.admin)
        .set_hook(pool.address(), Bytes::from(redeem.abi_encode()));
    wd.fund(bob.address(), usd(6_000));
    let before = wd.usdc_of(evil);
    let paid = pool
        .sender(bob.address())
        .repay_for(bob.address(), token(), usd(1_000))
        .motsu_unwrap();
    assert_eq!(paid, usd(1_000));
    assert_eq!(
        usdc.sender(wd.admin).hook_result(),
        HOOK_OK,
        "let through under motsu"
    );
    assert_eq!(pool.sender(evil).balance_of(evil), 0);
    let got = wd.usdc_of(evil) - before;
    assert!(
        got <= claim && got + 1 >= claim,
        "redeemed {got}, claim {claim}"
    );
    assert_books(&wd);
}

// ---------------------------------------------------------------------------
// Re-entrant ERC-1155 receivers
// ---------------------------------------------------------------------------

/// Sets up a contract wallet borrower holding `amount` shares of `token()`.
fn wallet_with_collateral(wd: &World, wallet: &Contract<MockWallet>, amount: u128) -> Address {
    let owner = Account::from_seed("owner");
    wallet.sender(owner.address()).set_owner(owner.address());
    wd.ctf
        .sender(owner.address())
        .mint(owner.address(), token(), w(amount))
        .motsu_unwrap();
    let mut data = vec![0u8; 12];
    data.extend_from_slice(wallet.address().as_slice());
    wd.ctf
        .sender(owner.address())
        .safe_transfer_from(
            owner.address(),
            wd.pool.address(),
            token(),
            w(amount),
            Bytes::from(data),
        )
        .motsu_unwrap();
    wallet.address()
}

/// A receiver that re-enters `withdrawCollateral` from `onERC1155Received`
/// cannot take more than its position: the first withdrawal is booked before
/// the shares move.
#[motsu::test]
fn reentrant_receiver_cannot_withdraw_twice(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    wallet: Contract<MockWallet>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let wa = wallet_with_collateral(&wd, &wallet, 100);
    let again = IPool::withdrawCollateralCall {
        tokenId: token(),
        amount: w(60),
        to: wa,
    };
    wallet
        .sender(wa)
        .set_hook(pool.address(), Bytes::from(again.abi_encode()));
    wallet
        .sender(wa)
        .exec(pool.address(), Bytes::from(again.abi_encode()))
        .motsu_unwrap();
    assert_eq!(
        wallet.sender(wa).hook_result(),
        HOOK_FAILED,
        "60 + 60 > 100"
    );
    assert_eq!(wd.ctf_of(wa, token()), 60);
    let p = pool.sender(wd.admin);
    assert_eq!(p.get_position(wa, token()).unwrap().0, 40);
    assert_eq!(p.token_collateral(token()), 40);
    assert_eq!(wd.ctf_of(pool.address(), token()), 40);
}

/// The same receiver re-entering for exactly what is left succeeds (it is
/// its own collateral), and the books still add up.
#[motsu::test]
fn reentrant_receiver_takes_only_what_is_left(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    wallet: Contract<MockWallet>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let wa = wallet_with_collateral(&wd, &wallet, 100);
    let call = |amount: u128| IPool::withdrawCollateralCall {
        tokenId: token(),
        amount: w(amount),
        to: wa,
    };
    wallet
        .sender(wa)
        .set_hook(pool.address(), Bytes::from(call(40).abi_encode()));
    wallet
        .sender(wa)
        .exec(pool.address(), Bytes::from(call(60).abi_encode()))
        .motsu_unwrap();
    assert_eq!(wallet.sender(wa).hook_result(), HOOK_OK);
    assert_eq!(wd.ctf_of(wa, token()), 100);
    assert_eq!(
        pool.sender(wd.admin).get_position(wa, token()).unwrap().0,
        0
    );
    assert_eq!(pool.sender(wd.admin).token_collateral(token()), 0);
}

/// A liquidator contract that re-enters `liquidate` from the seized shares'
/// callback: the first liquidation is fully booked before the shares move,
/// so the second is judged on the reduced position (here: healthy again or
/// closed) and cannot seize twice for one repayment.
#[motsu::test]
fn reentrant_liquidator_cannot_seize_twice(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    liq: Contract<MockWallet>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(3_500));
    let la = liq.address();
    wd.fund(la, usd(10_000));
    let (id, price, now) = (token(), cents(50), wd.now());
    let psig = wd.price_sig(id, price, now, U256::ZERO);
    let call = IPool::liquidateCall {
        borrower: bob.address(),
        tokenId: id,
        repayAmount: w(usd(1_000)),
        price: w(price),
        priceTimestamp: U256::from(now),
        maxBorrow: U256::ZERO,
        priceSignature: psig.into(),
    };
    let (c0, _, d0) = pool
        .sender(wd.admin)
        .get_position(bob.address(), id)
        .unwrap();
    liq.sender(la)
        .set_hook(pool.address(), Bytes::from(call.abi_encode()));
    liq.sender(la)
        .exec(pool.address(), Bytes::from(call.abi_encode()))
        .motsu_unwrap();
    let (c1, _, d1) = pool
        .sender(wd.admin)
        .get_position(bob.address(), id)
        .unwrap();
    // The re-entrant second liquidation ran on the books the first left:
    // still unhealthy after $1,000, so a second, legitimate liquidation of
    // the reduced position (judged below on the two together).
    assert_eq!(liq.sender(la).hook_result(), HOOK_OK);
    let paid = usd(10_000) - wd.usdc_of(la);
    let seized = wd.ctf_of(la, id);
    assert_eq!(seized, c0 - c1, "shares seized = collateral removed");
    assert!(
        d0 - d1 <= paid + 1,
        "debt removed {} > paid {paid}",
        d0 - d1
    );
    // Each repayment earns at most the 5% bonus.
    assert!(
        U256::from(seized) * w(price) * U256::from(100u8)
            <= U256::from(paid) * U256::from(105u8) * w(WAD)
    );
    assert_books(&wd);
}

// ---------------------------------------------------------------------------
// A relayer that replays or reorders
// ---------------------------------------------------------------------------

/// Intents run once each, in nonce order: a replay or an out-of-order intent
/// fails with `InvalidNonce` and changes nothing; once its turn comes, it works.
#[motsu::test]
fn relayer_cannot_replay_or_reorder_intents(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, 0);
    let (id, now, b) = (token(), wd.now(), bob.address());
    let deadline = U256::from(now + 300);
    let intent = |amount: u128, nonce: u128| wd.borrow_sig(&bob, id, amount, nonce, now + 300);
    let (i0, i1) = (intent(usd(100), 0), intent(usd(200), 1));
    let submit = |amount: u128, nonce: u128, sig: &[u8]| {
        let psig = wd.price_sig(id, cents(60), now, U256::MAX);
        pool.sender(wd.relayer).borrow_via_relay(
            b,
            id,
            w(amount),
            w(nonce),
            deadline,
            sig,
            w(cents(60)),
            U256::from(now),
            U256::MAX,
            &psig,
        )
    };
    let who = [b];
    assert_fails!(wd, who, id, submit(usd(200), 1, &i1), Error::InvalidNonce);
    submit(usd(100), 0, &i0).motsu_unwrap();
    assert_fails!(wd, who, id, submit(usd(100), 0, &i0), Error::InvalidNonce);
    // The same signature under the next nonce is not the borrower's.
    assert_fails!(
        wd,
        who,
        id,
        submit(usd(100), 1, &i0),
        Error::InvalidSignature
    );
    submit(usd(200), 1, &i1).motsu_unwrap();
    assert_eq!(wd.usdc_of(b), usd(300));
    assert_eq!(pool.sender(b).nonces(b), 2);
}

/// A borrow intent cannot be used as a withdrawal (different type hash), a
/// withdrawal cannot be redirected to another `to`, and the amount cannot be
/// raised: each fails with `InvalidSignature`.
#[motsu::test]
fn relayer_cannot_repurpose_or_alter_intents(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(100));
    let (id, now, b) = (token(), wd.now(), bob.address());
    let to = b;
    let deadline = now + 300;
    let withdraw = |sig: &[u8], to: Address, amount: u128| {
        let psig = wd.price_sig(id, cents(60), now, U256::ZERO);
        pool.sender(wd.relayer).withdraw_via_relay(
            b,
            to,
            id,
            w(amount),
            U256::from(1u8),
            U256::from(deadline),
            sig,
            w(cents(60)),
            U256::from(now),
            &psig,
        )
    };
    let who = [b, wd.relayer];
    let as_borrow = wd.borrow_sig(&bob, id, usd(10), 1, deadline);
    assert_fails!(
        wd,
        who,
        id,
        withdraw(&as_borrow, to, usd(10)),
        Error::InvalidSignature
    );
    let signed = wd.withdraw_sig(&bob, to, id, usd(10), 1, deadline);
    assert_fails!(
        wd,
        who,
        id,
        withdraw(&signed, wd.relayer, usd(10)),
        Error::InvalidSignature
    );
    assert_fails!(
        wd,
        who,
        id,
        withdraw(&signed, to, usd(11)),
        Error::InvalidSignature
    );
    withdraw(&signed, to, usd(10)).motsu_unwrap();
    assert_eq!(wd.ctf_of(b, id), usd(10));
}

/// A price older than one the pool already accepted for the token cannot be
/// used, even inside the freshness window; the newest keeps working.
#[motsu::test]
fn relayer_cannot_fall_back_to_an_older_price(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, 0);
    let t0 = wd.now();
    advance(5);
    let (id, b) = (token(), bob.address());
    let older = wd.price_sig(id, cents(90), t0, U256::MAX);
    let newer_ts = wd.now();
    wd.borrow(&bob, id, usd(100), cents(60)).unwrap(); // accepted at t0 + 5
    let nonce = pool.sender(b).nonces(b);
    let intent = wd.borrow_sig(&bob, id, usd(100), nonce, newer_ts + 300);
    assert_fails!(
        wd,
        [b],
        id,
        pool.sender(wd.relayer).borrow_via_relay(
            b,
            id,
            w(usd(100)),
            w(nonce),
            U256::from(newer_ts + 300),
            &intent,
            w(cents(90)),
            U256::from(t0),
            U256::MAX,
            &older,
        ),
        Error::PriceReplayed
    );
}

/// The relayer's race (N5): the relayer prepares bob's borrow with the
/// oracle price of second `t`; before it lands, a liquidation of carl on the
/// same token is accepted with the price of `t + 1`. The relayer's submission
/// — still inside the 10 s window — now fails `PriceReplayed` and changes
/// nothing (no nonce used, no USDC moved, the token's newest price stays
/// `t + 1`). The relayer attaches a newer oracle price to the *same* signed
/// intent and it succeeds: the attack costs a retry, not the intent.
#[motsu::test]
fn a_newer_price_landing_first_makes_the_relayer_retry_with_it(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let (bob, carl) = (Account::from_seed("bob"), Account::from_seed("carl"));
    with_loan(&wd, &carl, usd(3_500));
    wd.collateral(bob.address(), token(), usd(10_000));
    wd.fund(liquidator(), usd(10_000));
    advance(60);
    let (id, b, price) = (token(), bob.address(), cents(50));
    // The relayer prepares bob's borrow with the price of second t.
    let t = wd.now();
    let nonce = pool.sender(b).nonces(b);
    let intent = wd.borrow_sig(&bob, id, usd(500), nonce, t + 300);
    let submit = |ts: u64| {
        let psig = wd.price_sig(id, price, ts, U256::MAX);
        pool.sender(wd.relayer).borrow_via_relay(
            b,
            id,
            w(usd(500)),
            w(nonce),
            U256::from(t + 300),
            &intent,
            w(price),
            U256::from(ts),
            U256::MAX,
            &psig,
        )
    };
    // One second later a liquidation with the price of t + 1 lands first.
    advance(1);
    let seized = wd
        .liquidate(liquidator(), carl.address(), id, u128::MAX, price)
        .unwrap();
    assert!(seized > 0, "carl was liquidated at the newer price");
    assert_eq!(pool.sender(b).last_price_timestamp(id), t + 1);
    // The prepared borrow, one second old, is now a replay.
    let who = [b, carl.address(), liquidator(), wd.relayer];
    assert_fails!(wd, who, id, submit(t), Error::PriceReplayed);
    assert_eq!(
        pool.sender(b).nonces(b),
        nonce,
        "the intent is still usable"
    );
    // The relayer attaches the newer price to the same intent: it succeeds.
    submit(t + 1).motsu_unwrap();
    assert_eq!(wd.usdc_of(b), usd(500));
    assert_eq!(pool.sender(b).nonces(b), nonce + 1);
    assert_eq!(pool.sender(b).get_position(b, id).unwrap().2, usd(500));
    assert_books(&wd);
}

// ---------------------------------------------------------------------------
// Oracle prices at the edges
// ---------------------------------------------------------------------------

/// Prices 0 and 1e18 are refused everywhere a price is taken; 1 and
/// 1e18 - 1 are accepted and give the curve's end values.
#[motsu::test]
fn oracle_prices_at_each_boundary(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(1_000));
    let (id, b) = (token(), bob.address());
    let who = [b, liquidator()];
    wd.fund(liquidator(), usd(10_000));
    for p in [0, WAD] {
        assert_fails!(
            wd,
            who,
            id,
            wd.relay_borrow(wd.relayer, &wd.oracle, &bob, id, usd(1), p),
            Error::PriceOutOfRange
        );
        fails_cleanly(
            &wd,
            &who,
            id,
            || wd.withdraw_collateral(&bob, b, id, 1, p),
            Error::PriceOutOfRange,
        );
        assert_fails!(
            wd,
            who,
            id,
            pool.sender(liquidator()).liquidate(
                b,
                id,
                u128::MAX,
                w(p),
                U256::from(wd.now()),
                U256::ZERO,
                &wd.price_sig(id, p, wd.now(), U256::ZERO)
            ),
            Error::PriceOutOfRange
        );
    }
    let v = pool.sender(b);
    assert_eq!(v.curve().ltv(0), 2 * PCT, "ltv(0) = 2%");
    assert_eq!(v.curve().ltv(1), 2 * PCT, "ltv(1 wei) = 2% (rounded down)");
    assert!(v.curve().ltv(WAD - 1) < 75 * PCT && v.curve().ltv(WAD - 1) > 74 * PCT);
    assert_eq!(v.curve().ltv(WAD), 75 * PCT);
    drop(v);
    // At 1e18 - 1 the position is healthy: borrowing works, liquidation not.
    wd.borrow(&bob, id, usd(1_000), WAD - 1).unwrap();
    fails_cleanly(
        &wd,
        &who,
        id,
        || wd.liquidate(liquidator(), b, id, u128::MAX, WAD - 1),
        Error::PositionHealthy,
    );
    // Within 3 minutes of that price a 1-wei price is a crash the drop
    // guard refuses for a borrow or a withdrawal with debt (never for a
    // liquidation).
    assert_fails!(
        wd,
        who,
        id,
        wd.relay_borrow(wd.relayer, &wd.oracle, &bob, id, usd(1), 1),
        Error::PriceDropGuard
    );
    fails_cleanly(
        &wd,
        &who,
        id,
        || wd.withdraw_collateral(&bob, b, id, 1, 1),
        Error::PriceDropGuard,
    );
    // Once the high is forgotten (6 minutes), at 1 wei the 10,000 shares
    // are worth nothing: no borrow, no withdrawal, and the liquidation takes
    // everything and writes the debt off.
    advance(360);
    assert_fails!(
        wd,
        who,
        id,
        wd.relay_borrow(wd.relayer, &wd.oracle, &bob, id, usd(1), 1),
        Error::ExceedsLtv
    );
    fails_cleanly(
        &wd,
        &who,
        id,
        || wd.withdraw_collateral(&bob, b, id, 1, 1),
        Error::HealthFactorTooLow,
    );
    let seized = wd.liquidate(liquidator(), b, id, u128::MAX, 1).unwrap();
    assert_eq!(seized, usd(10_000));
    let m = pool.sender(b).market().unwrap();
    assert_eq!(
        (m.borrowed, m.borrow_shares),
        (0, 0),
        "the debt is written off"
    );
    assert_eq!(pool.sender(b).get_position(b, id).unwrap(), (0, 0, 0));
    assert_books(&wd);
}

/// A price signature's high-s twin, or garbage that ecrecover maps to no
/// signer, is refused.
#[motsu::test]
fn malleable_or_garbage_oracle_signatures_are_refused(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(3_500));
    wd.fund(liquidator(), usd(10_000));
    let (id, b, now) = (token(), bob.address(), wd.now());
    let good = wd.price_sig(id, cents(50), now, U256::ZERO);
    let liq = |sig: &[u8]| {
        pool.sender(liquidator()).liquidate(
            b,
            id,
            u128::MAX,
            w(cents(50)),
            U256::from(now),
            U256::ZERO,
            sig,
        )
    };
    let who = [b, liquidator()];
    assert_fails!(
        wd,
        who,
        id,
        liq(&high_s_twin(&good)),
        Error::InvalidSignature
    );
    let mut garbage = vec![0u8; 65];
    garbage[64] = 27;
    assert_fails!(wd, who, id, liq(&garbage), Error::InvalidSignature);
    assert_fails!(wd, who, id, liq(&good[..64]), Error::InvalidSignature);
    let resolution = wd.resolution_sig(id, false, now);
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(outsider()).resolve_market(
            id,
            false,
            U256::from(now),
            &high_s_twin(&resolution)
        ),
        Error::InvalidSignature
    );
    liq(&good).motsu_unwrap();
}

// ---------------------------------------------------------------------------
// u128 / uint256 edges
// ---------------------------------------------------------------------------

/// Builds calldata for `signature` with every `uint*` argument `v`, addresses
/// `a`, `bool` true, `bytes32` all ones, `bytes` a 65-byte blob and arrays
/// of two `v`s.
fn calldata(signature: &str, v: U256, a: Address) -> Vec<u8> {
    let open = signature.find('(').unwrap();
    let params = &signature[open + 1..signature.len() - 1];
    let types: Vec<&str> = if params.is_empty() {
        vec![]
    } else {
        params.split(',').collect()
    };
    let mut head = Vec::new();
    let mut tail = Vec::new();
    let word = |x: U256| x.to_be_bytes::<32>().to_vec();
    let head_len = 32 * types.len();
    for t in &types {
        match *t {
            "address" => head.extend(word(U256::from_be_slice(a.as_slice()))),
            "bool" => head.extend(word(U256::from(1u8))),
            "bytes32" => head.extend(word(U256::MAX)),
            "bytes4" => head.extend(word(U256::MAX << 224)),
            "bytes" => {
                head.extend(word(U256::from(head_len + tail.len())));
                tail.extend(word(U256::from(65u8)));
                tail.extend([0x5a; 65]);
                tail.extend([0u8; 31]);
            }
            "uint256[]" => {
                head.extend(word(U256::from(head_len + tail.len())));
                tail.extend(word(U256::from(2u8)));
                tail.extend(word(v));
                tail.extend(word(v));
            }
            t if t.starts_with("uint") => head.extend(word(v)),
            other => panic!("no encoder for {other} in {signature}"),
        }
    }
    let mut out = predmart_pool::abi::selector(signature).to_vec();
    out.extend(head);
    out.extend(tail);
    out
}

/// Every function, called by the admin, the relayer and an outsider with
/// every integer argument at 0, 1, 2^128 - 1, 2^128 and 2^256 - 1, on a pool
/// with a live loan: each call returns normally or reverts with one of the
/// pool's declared errors. Nothing panics, nothing reverts without a reason.
#[motsu::test]
fn every_function_survives_extreme_arguments(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(1_000));
    let known: Vec<[u8; 4]> = Error::ALL.iter().map(|e| e.selector()).collect();
    let two128 = U256::from(1u8) << 128;
    let values = [
        U256::ZERO,
        U256::from(1u8),
        two128 - U256::from(1u8),
        two128,
        U256::MAX,
    ];
    let mut calls = 0;
    for sig in FUNCTIONS {
        for v in values {
            for from in [wd.admin, wd.relayer, outsider()] {
                let data = calldata(sig, v, bob.address());
                match wd.raw_call(from, &data) {
                    Ok(_) => {}
                    Err(e) => assert!(
                        e.len() == 4 && known.contains(&e[..4].try_into().unwrap()),
                        "{sig} with {v} from {from}: undeclared revert {e:?}"
                    ),
                }
                calls += 1;
            }
        }
    }
    assert!(calls > 1_000, "{calls} calls");
}

/// Money at the u128 edge: a deposit of 2^128 - 1 USDC works and the next
/// unit overflows cleanly; collateral likewise; the views stay defined.
#[motsu::test]
fn amounts_at_the_u128_edge_overflow_cleanly(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let (l, b) = (lender(), Address::with_last_byte(0xb0));
    let max = u128::MAX;
    // u128::MAX USDC would mint more than u128::MAX shares (1e6 per unit).
    wd.fund(l, max);
    assert_fails!(
        wd,
        [l],
        token(),
        pool.sender(l).deposit(max, l),
        Error::MathOverflow
    );
    let big = max / 2_000_000;
    let shares = pool.sender(l).deposit(big, l).motsu_unwrap();
    assert_eq!(shares, big * 1_000_000);
    assert_eq!(pool.sender(l).total_assets().unwrap(), big);
    assert_eq!(pool.sender(l).max_withdraw(l).unwrap(), big);
    // Another deposit that would overflow the share supply fails cleanly.
    assert_fails!(
        wd,
        [l],
        token(),
        pool.sender(l).deposit(big * 3, l),
        Error::MathOverflow
    );
    assert_fails!(
        wd,
        [l],
        token(),
        pool.sender(l).mint(max, l),
        Error::MathOverflow
    );
    pool.sender(l).withdraw(big, l, l).motsu_unwrap();
    assert_eq!(pool.sender(l).balance_of(l), 0);
    // Collateral: u128::MAX shares are booked; one more cannot be.
    wd.collateral(b, token(), max);
    assert_eq!(pool.sender(b).get_position(b, token()).unwrap().0, max);
    ctf.sender(b).mint(b, token(), w(1)).motsu_unwrap();
    let before = wd.snapshot(&[b], token());
    let r = ctf
        .sender(b)
        .safe_transfer_from(b, pool.address(), token(), w(1), Bytes::from(vec![]))
        .motsu_res();
    assert!(r.is_err(), "the 2^128-th share is refused");
    assert_eq!(wd.snapshot(&[b], token()), before);
    // Views over extreme positions answer without panicking.
    let p = pool.sender(b);
    assert_eq!(
        p.max_borrow(b, token(), WAD - 1).unwrap(),
        0,
        "no cash left to lend"
    );
    assert!(p.liquidation_price(b, token()).is_ok());
    assert_eq!(p.get_health_factor(b, token(), WAD - 1).unwrap(), U256::MAX);
    assert!(p.assets_for(u128::MAX, Rounding::Up).is_ok());
    let _ = B256::ZERO;
}

// ---------------------------------------------------------------------------
// Signers, self-liquidation, redeemed markets
// ---------------------------------------------------------------------------

/// EIP-1271 return data (W2). The rule: `isValidSignature` counts only if
/// its return data is at least one word long and the first word is exactly
/// `0x1626ba7e ‖ 0…` (the ABI encoding of the `bytes4` magic); anything after
/// the first word is ignored, as Solidity's `abi.decode` would. A wallet that
/// answers the owner's valid signature with no data, with the bare 4 bytes
/// `0x1626ba7e`, or with the first 31 bytes of the magic word (each a prefix
/// of the valid answer) is refused `InvalidSignature` and nothing changes. A
/// 64-byte answer whose first word is the magic is accepted; the same
/// 64-byte shape for a stranger's signature (first word zero) is refused.
#[motsu::test]
fn eip1271_answers_count_only_with_the_magic_word_first(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    wallet: Contract<MockWallet>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender(), usd(100_000));
    let wa = wallet_with_collateral(&wd, &wallet, usd(1_000));
    let (owner, stranger) = (Account::from_seed("owner"), Account::from_seed("stranger"));
    let id = token();
    let send = |signer: &Account| {
        let now = wd.now();
        let nonce = pool.sender(wd.admin).nonces(wa);
        let digest = predmart_pool::signatures::digest(
            wd.domain(),
            predmart_pool::signatures::borrow_intent_hash(
                wa,
                id,
                w(usd(10)),
                w(nonce),
                U256::from(now + 60),
            ),
        );
        let psig = wd.price_sig(id, cents(70), now, U256::MAX);
        pool.sender(wd.relayer).borrow_via_relay(
            wa,
            id,
            w(usd(10)),
            w(nonce),
            U256::from(now + 60),
            &sign(signer, digest),
            w(cents(70)),
            U256::from(now),
            U256::MAX,
            &psig,
        )
    };
    let who = [wa, owner.address(), wd.relayer];
    for mode in [WALLET_EMPTY, WALLET_SHORT4, WALLET_SHORT31] {
        wallet.sender(owner.address()).set_mode(mode);
        assert_fails!(wd, who, id, send(&owner), Error::InvalidSignature);
    }
    wallet.sender(owner.address()).set_mode(WALLET_LONG64);
    assert_fails!(wd, who, id, send(&stranger), Error::InvalidSignature);
    send(&owner).motsu_unwrap();
    assert_eq!(wd.usdc_of(wa), usd(10));
    assert_eq!(pool.sender(wd.admin).nonces(wa), 1);
    // The honest one-word answer works too (the control for the short ones).
    wallet.sender(owner.address()).set_mode(WALLET_MAGIC);
    send(&owner).motsu_unwrap();
    assert_eq!(wd.usdc_of(wa), usd(20));
    assert_books(&wd);
}

/// One owner with two EIP-1271 wallets: an intent signed for wallet A cannot
/// be replayed for wallet B (the borrower is in the signed struct), though
/// the owner's key is valid for both.
#[motsu::test]
fn an_owner_signature_for_one_wallet_does_not_work_for_another(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    wallet_a: Contract<MockWallet>,
    wallet_b: Contract<MockWallet>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender(), usd(100_000));
    let owner = Account::from_seed("owner");
    let id = token();
    for wallet in [&wallet_a, &wallet_b] {
        wallet.sender(owner.address()).set_owner(owner.address());
        ctf.sender(owner.address())
            .mint(wallet.address(), id, w(usd(1_000)))
            .motsu_unwrap();
        ctf.sender(wallet.address())
            .safe_transfer_from(
                wallet.address(),
                pool.address(),
                id,
                w(usd(1_000)),
                Bytes::from(vec![]),
            )
            .motsu_unwrap();
    }
    let now = wd.now();
    let digest = |borrower: Address| {
        predmart_pool::signatures::digest(
            wd.domain(),
            predmart_pool::signatures::borrow_intent_hash(
                borrower,
                id,
                w(usd(10)),
                U256::ZERO,
                U256::from(now + 60),
            ),
        )
    };
    let signed_for_a = sign(&owner, digest(wallet_a.address()));
    let send = |borrower: Address, intent: &[u8]| {
        let psig = wd.price_sig(id, cents(70), now, U256::MAX);
        pool.sender(wd.relayer).borrow_via_relay(
            borrower,
            id,
            w(usd(10)),
            U256::ZERO,
            U256::from(now + 60),
            intent,
            w(cents(70)),
            U256::from(now),
            U256::MAX,
            &psig,
        )
    };
    let who = [wallet_a.address(), wallet_b.address()];
    assert_fails!(
        wd,
        who,
        id,
        send(wallet_b.address(), &signed_for_a),
        Error::InvalidSignature
    );
    send(wallet_a.address(), &signed_for_a).motsu_unwrap();
    assert_eq!(wd.usdc_of(wallet_a.address()), usd(10));
    assert_eq!(wd.usdc_of(wallet_b.address()), 0);
}

/// A borrower liquidating its own unhealthy position gains nothing over any
/// other liquidator: it pays the repayment and gets the bonus out of its own
/// collateral, so its net worth at the oracle price cannot rise by more
/// than the bonus it pays itself, and lenders are made whole first.
#[motsu::test]
fn self_liquidation_only_moves_the_borrowers_own_value(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(3_500));
    let (id, b, price) = (token(), bob.address(), cents(50));
    wd.fund(b, usd(5_000));
    let value = |wd: &World| {
        let (c, _, d) = wd.pool.sender(b).get_position(b, id).unwrap();
        // USDC + shares held and pledged at the price - debt.
        (wd.usdc_of(b) + (wd.ctf_of(b, id) + c) * price / WAD) as i128 - d as i128
    };
    let (ta0, before) = (pool.sender(b).total_assets().unwrap(), value(&wd));
    let seized = wd.liquidate(b, b, id, u128::MAX, price).unwrap();
    assert!(seized > 0);
    let after = value(&wd);
    // Collateral moved from pledged to held: worth the same at the price.
    // The borrower's net worth is unchanged up to rounding (it paid its own
    // bonus to itself); lenders lost nothing.
    assert!((after - before).abs() <= 1, "{before} -> {after}");
    assert!(pool.sender(b).total_assets().unwrap() >= ta0);
    assert_books(&wd);
}

/// After a won market's shares are redeemed, the collateral is USDC: a
/// direct withdrawal of the (no longer held) shares is refused, settlement
/// pays instead, and a second redemption or settlement is refused.
#[motsu::test]
fn redeemed_markets_settle_once_and_never_release_shares(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let condition = B256::from(U256::from(7u8));
    let id = position_id(
        usdc.address(),
        collection_id(B256::ZERO, condition, U256::from(1u8)),
    );
    let b = Address::with_last_byte(0xb0);
    wd.lend(lender(), usd(10_000));
    wd.collateral(b, id, usd(1_000));
    let now = wd.now();
    let sig = wd.resolution_sig(id, true, now);
    pool.sender(outsider())
        .resolve_market(id, true, U256::from(now), &sig)
        .motsu_unwrap();
    ctf.sender(wd.admin).set_winner(condition, U256::from(1u8));
    usdc.sender(outsider())
        .mint(ctf.address(), w(usd(1_000)))
        .motsu_unwrap();
    pool.sender(outsider())
        .redeem_won_collateral(id, condition, U256::from(1u8))
        .motsu_unwrap();
    let who = [b, outsider()];
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(b).withdraw_collateral(id, 1, b),
        Error::MarketResolved
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(outsider())
            .redeem_won_collateral(id, condition, U256::from(1u8)),
        Error::MarketNotResolved
    );
    let surplus = pool
        .sender(outsider())
        .settle_redemption(b, id)
        .motsu_unwrap();
    assert_eq!(surplus, usd(1_000), "no debt: the whole payout");
    assert_eq!(wd.usdc_of(b), usd(1_000));
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(outsider()).settle_redemption(b, id),
        Error::NoPosition
    );
    assert_books(&wd);
}

/// The pool never sends tokens to, or books them for, itself: pUSDC minted
/// to the pool, USDC paid to it, shares withdrawn to it or credited to it by
/// a push would be stranded (and on chain the share transfer re-enters).
#[motsu::test]
fn nothing_is_sent_to_or_booked_for_the_pool_itself(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, 0);
    let (id, b, me) = (token(), bob.address(), pool.address());
    let who = [lender(), b, me];
    let ir = Error::InvalidRecipient;
    wd.fund(lender(), usd(10));
    assert_fails!(wd, who, id, pool.sender(lender()).deposit(usd(10), me), ir);
    assert_fails!(wd, who, id, pool.sender(lender()).mint(1_000_000, me), ir);
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(lender()).withdraw(usd(10), me, lender()),
        ir
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(lender()).redeem(1_000_000, me, lender()),
        ir
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(b).withdraw_collateral(id, 60, me),
        ir
    );
    fails_cleanly(
        &wd,
        &who,
        id,
        || wd.withdraw_collateral(&bob, me, id, 60, cents(60)),
        ir,
    );
    // A push crediting the pool is refused by the callback, so the transfer reverts.
    ctf.sender(b).mint(b, id, w(5)).motsu_unwrap();
    let before = wd.snapshot(&who, id);
    let mut data = vec![0u8; 12];
    data.extend_from_slice(me.as_slice());
    let r = ctf
        .sender(b)
        .safe_transfer_from(b, me, id, w(5), Bytes::from(data))
        .motsu_res();
    assert!(r.is_err());
    assert_eq!(wd.snapshot(&who, id), before);
}

/// A borrower cannot block its own liquidation: the pool never calls the
/// borrower (it pulls USDC from the liquidator and sends the shares to the
/// liquidator), so a contract borrower armed to re-enter or refuse is not
/// even asked.
#[motsu::test]
fn a_borrower_cannot_block_its_own_liquidation(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    wallet: Contract<MockWallet>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender(), usd(100_000));
    let wa = wallet_with_collateral(&wd, &wallet, usd(10_000));
    let owner = Account::from_seed("owner");
    // The wallet borrows $3,500 at $0.60 (EIP-1271: the owner signs).
    let (id, now) = (token(), wd.now());
    let digest = predmart_pool::signatures::digest(
        wd.domain(),
        predmart_pool::signatures::borrow_intent_hash(
            wa,
            id,
            w(usd(3_500)),
            U256::ZERO,
            U256::from(now + 60),
        ),
    );
    let psig = wd.price_sig(id, cents(60), now, U256::MAX);
    pool.sender(wd.relayer)
        .borrow_via_relay(
            wa,
            id,
            w(usd(3_500)),
            U256::ZERO,
            U256::from(now + 60),
            &sign(&owner, digest),
            w(cents(60)),
            U256::from(now),
            U256::MAX,
            &psig,
        )
        .motsu_unwrap();
    // Armed to call back into the pool, and refusing signatures from now on.
    let again = IPool::repayCall {
        tokenId: id,
        amount: U256::ZERO,
    };
    wallet
        .sender(wa)
        .set_hook(pool.address(), Bytes::from(again.abi_encode()));
    wallet.sender(wa).set_mode(WALLET_REVERT);
    wd.fund(liquidator(), usd(10_000));
    let seized = wd
        .liquidate(liquidator(), wa, id, u128::MAX, cents(40))
        .unwrap();
    assert!(seized > 0);
    assert_eq!(
        wallet.sender(wa).hook_result(),
        HOOK_IDLE,
        "the borrower was never called"
    );
    assert_eq!(wd.ctf_of(liquidator(), id), seized);
    assert_books(&wd);
}

/// An underwater position liquidated by its own borrower costs lenders
/// exactly what any liquidator's would: the rule does not depend on the
/// caller. The liquidator pays 90% of the collateral's value, the rest of the
/// debt is reported as bad debt, and totalAssets falls by exactly that.
#[motsu::test]
fn underwater_self_liquidation_costs_lenders_only_the_reported_bad_debt(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(3_500));
    let (id, b, price) = (token(), bob.address(), cents(30));
    wd.fund(b, usd(5_000));
    let (c, _, debt) = pool.sender(b).get_position(b, id).unwrap();
    let value = c * price / WAD;
    assert!(value < debt, "underwater");
    let ta0 = pool.sender(b).total_assets().unwrap();
    let usdc0 = wd.usdc_of(b);
    let seized = wd.liquidate(b, b, id, u128::MAX, price).unwrap();
    assert_eq!(seized, c, "takes all the collateral");
    let paid = usdc0 - wd.usdc_of(b);
    assert_eq!(
        paid,
        (value * 9).div_ceil(10),
        "pays 90% of the value, rounded up"
    );
    let bad = debt - paid;
    let reported: u128 = pool
        .all_events()
        .iter()
        .filter_map(|l| {
            <predmart_pool::events::BadDebtAbsorbed as alloy_sol_types::SolEvent>::decode_log_data(
                l, true,
            )
            .ok()
        })
        .map(|e| e.amount.to::<u128>())
        .sum();
    assert_eq!(reported, bad, "the bad debt is reported");
    assert_eq!(pool.sender(b).total_assets().unwrap(), ta0 - bad);
    assert_eq!(pool.sender(b).get_position(b, id).unwrap(), (0, 0, 0));
    assert_books(&wd);
}

/// Signed requests (valid borrower and oracle signatures) carrying amounts,
/// prices and timestamps at 2^128 - 1, 2^128 and 2^256 - 1 reach the maths
/// and fail with a specific error, changing nothing.
#[motsu::test]
fn signed_requests_with_extreme_values_fail_cleanly(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    use predmart_pool::signatures as sig;
    let wd = World::new(&pool, &usdc, &ctf);
    let bob = Account::from_seed("bob");
    with_loan(&wd, &bob, usd(1_000));
    wd.fund(liquidator(), usd(100_000));
    let (id, b, now) = (token(), bob.address(), wd.now());
    let (ts, dl) = (U256::from(now), U256::from(now + 300));
    let two128 = U256::from(1u8) << 128;
    let sel = |e: &[Error]| e.iter().map(|e| e.selector().to_vec()).collect::<Vec<_>>();
    let expect = |call: &[u8], allowed: &[Error], what: &str| {
        let before = wd.snapshot(&[b, liquidator()], id);
        let r = wd.raw_call(wd.relayer, call);
        let e = r.expect_err(what);
        assert!(
            sel(allowed).contains(&e),
            "{what}: {e:?}, not one of {allowed:?}"
        );
        assert_eq!(
            wd.snapshot(&[b, liquidator()], id),
            before,
            "{what} changed state"
        );
    };
    let price_sig = |p: U256, max: U256| {
        sign(
            &wd.oracle,
            sig::digest(wd.domain(), sig::price_data_hash(id, p, ts, max)),
        )
    };
    for v in [two128 - U256::from(1u8), two128, U256::MAX] {
        let good_price = price_sig(w(cents(60)), U256::MAX);
        let nonce = w(pool.sender(b).nonces(b));
        let intent = sign(
            &bob,
            sig::digest(wd.domain(), sig::borrow_intent_hash(b, id, v, nonce, dl)),
        );
        let borrow = IPool::borrowViaRelayCall {
            borrower: b,
            tokenId: id,
            amount: v,
            nonce,
            deadline: dl,
            intentSignature: intent.into(),
            price: w(cents(60)),
            priceTimestamp: ts,
            maxBorrow: U256::MAX,
            priceSignature: good_price.clone().into(),
        };
        expect(
            &borrow.abi_encode(),
            &[Error::ExceedsLtv, Error::MathOverflow],
            "borrow of an extreme amount",
        );
        let wintent = sign(
            &bob,
            sig::digest(
                wd.domain(),
                sig::withdraw_intent_hash(b, b, id, v, nonce, dl),
            ),
        );
        let withdraw = IPool::withdrawViaRelayCall {
            borrower: b,
            to: b,
            tokenId: id,
            amount: v,
            nonce,
            deadline: dl,
            intentSignature: wintent.into(),
            price: w(cents(60)),
            priceTimestamp: ts,
            priceSignature: price_sig(w(cents(60)), U256::ZERO).into(),
        };
        expect(
            &withdraw.abi_encode(),
            &[Error::InsufficientCollateral, Error::MathOverflow],
            "withdrawal of an extreme amount",
        );
        // A signed price of v itself is out of range.
        let intent = sign(
            &bob,
            sig::digest(
                wd.domain(),
                sig::borrow_intent_hash(b, id, w(usd(10)), nonce, dl),
            ),
        );
        let at_v = IPool::borrowViaRelayCall {
            borrower: b,
            tokenId: id,
            amount: w(usd(10)),
            nonce,
            deadline: dl,
            intentSignature: intent.into(),
            price: v,
            priceTimestamp: ts,
            maxBorrow: U256::MAX,
            priceSignature: price_sig(v, U256::MAX).into(),
        };
        expect(
            &at_v.abi_encode(),
            &[Error::PriceOutOfRange],
            "a price of an extreme value",
        );
        // A healthy position with an extreme repay offer, at a valid price.
        let liq = IPool::liquidateCall {
            borrower: b,
            tokenId: id,
            repayAmount: v,
            price: w(cents(60)),
            priceTimestamp: ts,
            maxBorrow: U256::ZERO,
            priceSignature: price_sig(w(cents(60)), U256::ZERO).into(),
        };
        expect(
            &liq.abi_encode(),
            &[Error::PositionHealthy],
            "liquidation offering an extreme amount",
        );
        // A resolution signed for an extreme timestamp is from the future.
        let rsig = sign(
            &wd.oracle,
            sig::digest(wd.domain(), sig::resolution_hash(id, true, v)),
        );
        let resolve = IPool::resolveMarketCall {
            tokenId: id,
            won: true,
            timestamp: v,
            signature: rsig.into(),
        };
        expect(
            &resolve.abi_encode(),
            &[
                Error::PriceFromFuture,
                Error::StalePrice,
                Error::MathOverflow,
            ],
            "a resolution at an extreme time",
        );
    }
    // Repaying "everything" with 2^256 - 1 repays exactly the debt.
    let debt = pool.sender(b).get_position(b, id).unwrap().2;
    wd.fund(b, debt);
    let r = wd
        .abi(
            b,
            IPool::repayCall {
                tokenId: id,
                amount: U256::MAX,
            },
        )
        .unwrap();
    assert_eq!(r.repaid, w(debt));
}
