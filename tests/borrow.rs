//! The borrowers' side: push-based collateral, relayed borrow and withdraw
//! with EIP-712 intents and oracle prices, repay, the risk-curve views and the
//! reference worked examples.

mod common;

use alloy_primitives::{Address, U256};
use common::*;
use motsu::prelude::*;
use predmart_pool::{errors::Error, events, signatures as sig, LendingPool};
use stylus_sdk::abi::Bytes;

/// A world with 1,000,000 USDC of lenders' money and `shares` of collateral
/// deposited by `borrower`.
fn setup<'a>(
    pool: &'a Contract<LendingPool>,
    usdc: &'a Contract<MockUsdc>,
    ctf: &'a Contract<MockCtf>,
    lender: Address,
    borrower: &Account,
    shares: u128,
) -> World<'a> {
    let wd = World::new(pool, usdc, ctf);
    wd.lend(lender, usd(1_000_000));
    if shares > 0 {
        wd.collateral(borrower.address(), token(), shares);
    }
    wd
}

// ---------------------------------------------------------------------------
// Collateral in
// ---------------------------------------------------------------------------

#[motsu::test]
fn pushed_shares_are_booked(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    bob: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let id = token();
    wd.collateral(alice, id, usd(100));
    assert_eq!(
        pool.sender(alice).get_position(alice, id).unwrap(),
        (usd(100), 0, 0)
    );
    assert_eq!(pool.sender(alice).token_collateral(id), usd(100));
    assert_eq!(wd.ctf_of(pool.address(), id), usd(100));
    pool.assert_emitted(&events::CollateralDeposited {
        borrower: alice,
        tokenId: id,
        amount: w(usd(100)),
    });

    // `data = abi.encode(bob)` credits bob.
    ctf.sender(alice).mint(alice, id, w(usd(5))).motsu_unwrap();
    let mut data = vec![0u8; 12];
    data.extend_from_slice(bob.as_slice());
    ctf.sender(alice)
        .safe_transfer_from(alice, pool.address(), id, w(usd(5)), Bytes::from(data))
        .motsu_unwrap();
    assert_eq!(pool.sender(alice).get_position(bob, id).unwrap().0, usd(5));

    // A batch books every id.
    let ids = vec![U256::from(1), U256::from(2)];
    for i in &ids {
        ctf.sender(alice).mint(alice, *i, w(usd(3))).motsu_unwrap();
    }
    ctf.sender(alice)
        .safe_batch_transfer_from(
            alice,
            pool.address(),
            ids.clone(),
            vec![w(usd(3)), w(usd(1))],
            Bytes::from(vec![]),
        )
        .motsu_unwrap();
    assert_eq!(
        pool.sender(alice)
            .get_position(alice, U256::from(1))
            .unwrap()
            .0,
        usd(3)
    );
    assert_eq!(
        pool.sender(alice)
            .get_position(alice, U256::from(2))
            .unwrap()
            .0,
        usd(1)
    );
}

#[motsu::test]
fn rejected_collateral_reverts_the_transfer(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    other: Contract<MockCtf>,
    alice: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let id = token();
    ctf.sender(alice).mint(alice, id, w(usd(10))).motsu_unwrap();
    other
        .sender(alice)
        .mint(alice, id, w(usd(10)))
        .motsu_unwrap();
    let push = |c: &Contract<MockCtf>, amount: u128, data: Vec<u8>| {
        c.sender(alice)
            .safe_transfer_from(alice, pool.address(), id, w(amount), Bytes::from(data))
            .motsu_res()
    };
    let before = wd.snapshot(&[alice], id);
    // Another ERC-1155 contract cannot book collateral.
    assert!(push(&other, usd(1), vec![]).is_err());
    assert_eq!(other.sender(alice).balance_of(alice, id), w(usd(10)));
    // Zero amount; bad data lengths; dirty beneficiary; zero beneficiary.
    assert!(push(&ctf, 0, vec![]).is_err());
    assert!(push(&ctf, usd(1), vec![0u8; 31]).is_err());
    assert!(push(&ctf, usd(1), vec![0u8; 64]).is_err());
    assert!(push(&ctf, usd(1), vec![1u8; 32]).is_err());
    assert!(push(&ctf, usd(1), vec![0u8; 32]).is_err());
    // Paused, frozen, resolved.
    pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    assert!(push(&ctf, usd(1), vec![]).is_err());
    pool.sender(wd.admin).set_paused(false).motsu_unwrap();
    pool.sender(wd.admin)
        .set_token_frozen(id, true)
        .motsu_unwrap();
    assert!(push(&ctf, usd(1), vec![]).is_err());
    pool.sender(wd.admin)
        .set_token_frozen(id, false)
        .motsu_unwrap();
    let ts = wd.now();
    let rsig = wd.resolution_sig(id, true, ts);
    pool.sender(alice)
        .resolve_market(id, true, U256::from(ts), &rsig)
        .motsu_unwrap();
    assert!(push(&ctf, usd(1), vec![]).is_err());
    // (The resolution itself counts as the token's newest price time.)
    let mut before = before;
    before.token.2 = ts;
    assert_eq!(wd.snapshot(&[alice], id), before);

    // The exact reasons, asked directly.
    let p = |from: Address| pool.sender(from);
    let one = [w(usd(1))];
    assert_eq!(
        p(alice).on_received(alice, &[id], &one, &[]).motsu_res(),
        Err(Error::NotCtf)
    );
    assert_eq!(
        p(ctf.address())
            .on_received(alice, &[id], &one, &[])
            .motsu_res(),
        Err(Error::MarketResolved)
    );
    let open = U256::from(7);
    assert_eq!(
        p(ctf.address())
            .on_received(alice, &[open], &[U256::ZERO], &[])
            .motsu_res(),
        Err(Error::ZeroAmount)
    );
    assert_eq!(
        p(ctf.address())
            .on_received(alice, &[open], &one, &[0u8; 31])
            .motsu_res(),
        Err(Error::InvalidCollateralData)
    );
    assert_eq!(
        p(ctf.address())
            .on_received(alice, &[open], &one, &[0u8; 32])
            .motsu_res(),
        Err(Error::ZeroAddress)
    );
    assert_eq!(
        p(ctf.address())
            .on_received(alice, &[open, id], &one, &[])
            .motsu_res(),
        Err(Error::InvalidCollateralData)
    );
    pool.sender(wd.admin)
        .set_token_frozen(open, true)
        .motsu_unwrap();
    assert_eq!(
        p(ctf.address())
            .on_received(alice, &[open], &one, &[])
            .motsu_res(),
        Err(Error::TokenFrozen)
    );
    pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    assert_eq!(
        p(ctf.address())
            .on_received(alice, &[open], &one, &[])
            .motsu_res(),
        Err(Error::ProtocolPaused)
    );
}

// ---------------------------------------------------------------------------
// Borrow
// ---------------------------------------------------------------------------

#[motsu::test]
fn relayed_borrow_pays_the_borrower(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = setup(&pool, &usdc, &ctf, lender, &alice, usd(10_000));
    let id = token();
    wd.borrow(&alice, id, usd(4_000), cents(70)).unwrap();
    assert_eq!(wd.usdc_of(alice.address()), usd(4_000));
    assert_eq!(wd.usdc_of(wd.relayer), 0);
    let (c, shares, debt) = pool
        .sender(lender)
        .get_position(alice.address(), id)
        .unwrap();
    assert_eq!((c, debt), (usd(10_000), usd(4_000)));
    assert_eq!(pool.sender(lender).nonces(alice.address()), 1);
    assert_eq!(pool.sender(lender).token_debt(id).unwrap(), usd(4_000));
    assert_eq!(pool.sender(lender).last_price_timestamp(id), wd.now());
    assert_eq!(pool.sender(lender).market().unwrap().cash, usd(996_000));
    pool.assert_emitted(&events::Borrowed {
        borrower: alice.address(),
        tokenId: id,
        amount: w(usd(4_000)),
        borrowShares: w(shares),
        price: w(cents(70)),
    });
    // The reference health factor: 10,000 shares at $0.70 with $4,000 debt = 1.3125.
    assert_eq!(
        pool.sender(lender)
            .get_health_factor(alice.address(), id, cents(70))
            .unwrap(),
        w(13_125 * PCT / 100)
    );
    // Lenders' assets are unchanged by lending.
    assert_eq!(pool.sender(lender).total_assets().unwrap(), usd(1_000_000));
}

/// Borrow arguments, signed correctly, that a test then spoils one way.
struct Req {
    who: Address,
    id: U256,
    amount: U256,
    nonce: U256,
    deadline: U256,
    intent: Vec<u8>,
    price: U256,
    ts: U256,
    max_borrow: U256,
    psig: Vec<u8>,
}

impl Req {
    fn new(wd: &World, borrower: &Account, amount: u128, price: u128) -> Req {
        let now = wd.now();
        let id = token();
        Req {
            who: borrower.address(),
            id,
            amount: w(amount),
            nonce: U256::ZERO,
            deadline: U256::from(now + 300),
            intent: wd.borrow_sig(borrower, id, amount, 0, now + 300),
            price: w(price),
            ts: U256::from(now),
            max_borrow: U256::MAX,
            psig: wd.price_sig(id, price, now, U256::MAX),
        }
    }

    fn send(&self, wd: &World, from: Address) -> Result<(), Error> {
        wd.pool
            .sender(from)
            .borrow_via_relay(
                self.who,
                self.id,
                self.amount,
                self.nonce,
                self.deadline,
                &self.intent,
                self.price,
                self.ts,
                self.max_borrow,
                &self.psig,
            )
            .motsu_res()
    }
}

#[motsu::test]
fn each_borrow_check_fails_alone(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    mallory: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = setup(&pool, &usdc, &ctf, lender, &alice, usd(10_000));
    let id = token();
    let who = [alice.address(), lender, wd.relayer];
    let ok = Req::new(&wd, &alice, usd(100), cents(70));
    let check = |r: &Req, from: Address, e: Error| {
        let before = wd.snapshot(&who, id);
        assert_eq!(r.send(&wd, from), Err(e), "expected {e:?}");
        assert_eq!(wd.snapshot(&who, id), before, "{e:?} changed state");
    };

    check(&ok, mallory, Error::Unauthorized);
    check(&ok, alice.address(), Error::Unauthorized);

    pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    check(&ok, wd.relayer, Error::ProtocolPaused);
    pool.sender(wd.admin).set_paused(false).motsu_unwrap();

    pool.sender(wd.admin)
        .set_token_frozen(id, true)
        .motsu_unwrap();
    check(&ok, wd.relayer, Error::TokenFrozen);
    pool.sender(wd.admin)
        .set_token_frozen(id, false)
        .motsu_unwrap();

    // Deadline: valid at the deadline, expired one second later.
    advance(301);
    let stale_ok = Req {
        psig: wd.price_sig(id, cents(70), wd.now(), U256::MAX),
        ts: U256::from(wd.now()),
        ..Req::new(&wd, &alice, usd(100), cents(70))
    };
    let expired = Req {
        deadline: U256::from(wd.now() - 1),
        intent: wd.borrow_sig(&alice, id, usd(100), 0, wd.now() - 1),
        ..stale_ok
    };
    check(&expired, wd.relayer, Error::IntentExpired);

    let r = Req::new(&wd, &alice, usd(100), cents(70));
    check(
        &Req {
            nonce: U256::from(1),
            intent: wd.borrow_sig(&alice, id, usd(100), 1, wd.now() + 300),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidNonce,
    );
    // Intent signed by someone else, or for other terms.
    let eve = Account::from_seed("eve");
    check(
        &Req {
            intent: wd.borrow_sig(&eve, id, usd(100), 0, wd.now() + 300),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    check(
        &Req {
            amount: w(usd(101)),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    // Malformed signatures: high-s twin, truncated, padded, zero v.
    check(
        &Req {
            intent: high_s_twin(&r.intent),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    check(
        &Req {
            intent: r.intent[..64].to_vec(),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    let mut long = r.intent.clone();
    long.push(0);
    check(
        &Req {
            intent: long,
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    let mut v0 = r.intent.clone();
    v0[64] -= 27;
    check(
        &Req {
            intent: v0,
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    // Signed for another chain, or another pool.
    let h = sig::borrow_intent_hash(
        alice.address(),
        id,
        w(usd(100)),
        U256::ZERO,
        U256::from(wd.now() + 300),
    );
    let other_chain = sign(
        &alice,
        sig::digest(sig::domain_separator(1, pool.address()), h),
    );
    check(
        &Req {
            intent: other_chain,
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    let other_pool = sign(
        &alice,
        sig::digest(sig::domain_separator(42161, mallory), h),
    );
    check(
        &Req {
            intent: other_pool,
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );

    // Price signed by someone else, for another token, or with other terms.
    let now = wd.now();
    let forged = sign(
        &eve,
        sig::digest(
            wd.domain(),
            sig::price_data_hash(id, w(cents(70)), U256::from(now), U256::MAX),
        ),
    );
    check(
        &Req {
            psig: forged,
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    check(
        &Req {
            psig: wd.price_sig(U256::from(7), cents(70), now, U256::MAX),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    check(
        &Req {
            price: w(cents(90)),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    check(
        &Req {
            max_borrow: U256::from(1),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::InvalidSignature,
    );
    // Freshness: 11 s old is stale (10 s is fine, below), future is rejected.
    check(
        &Req {
            ts: U256::from(now - 11),
            psig: wd.price_sig(id, cents(70), now - 11, U256::MAX),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::StalePrice,
    );
    check(
        &Req {
            ts: U256::from(now + 1),
            psig: wd.price_sig(id, cents(70), now + 1, U256::MAX),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::PriceFromFuture,
    );
    // Range: 0 and 1e18 are out, exclusive.
    check(
        &Req {
            price: U256::ZERO,
            psig: wd.price_sig(id, 0, now, U256::MAX),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::PriceOutOfRange,
    );
    check(
        &Req {
            price: w(WAD),
            psig: wd.price_sig(id, WAD, now, U256::MAX),
            ..Req::new(&wd, &alice, usd(100), cents(70))
        },
        wd.relayer,
        Error::PriceOutOfRange,
    );

    // Position rules.
    let bob = Account::from_seed("bob");
    let nb = Req {
        who: bob.address(),
        intent: wd.borrow_sig(&bob, id, usd(100), 0, now + 300),
        ..Req::new(&wd, &alice, usd(100), cents(70))
    };
    check(&nb, wd.relayer, Error::NoPosition);
    // The position's debt after the borrow must be at least 1 USDC; a zero
    // amount is refused too.
    check(
        &Req::new(&wd, &alice, 999_999, cents(70)),
        wd.relayer,
        Error::BorrowTooSmall,
    );
    check(
        &Req::new(&wd, &alice, 0, cents(70)),
        wd.relayer,
        Error::BorrowTooSmall,
    );
    // 10,000 shares at $0.70: at most $4,550.
    check(
        &Req::new(&wd, &alice, usd(4_550) + 1, cents(70)),
        wd.relayer,
        Error::ExceedsLtv,
    );
    // Depth gate: the oracle's cap on the token's total debt.
    let mut depth = Req::new(&wd, &alice, usd(100), cents(70));
    depth.max_borrow = w(usd(100) - 1);
    depth.psig = wd.price_sig(id, cents(70), now, depth.max_borrow);
    check(&depth, wd.relayer, Error::DepthCapExceeded);
    // Pool cap: 5% of 1,000,000 = 50,000 per token; lower it to 1 bps = $100.
    pool.sender(wd.admin)
        .set_pool_cap(U256::from(1))
        .motsu_unwrap();
    check(
        &Req::new(&wd, &alice, usd(100) + 1, cents(70)),
        wd.relayer,
        Error::ExceedsTokenCap,
    );
    assert_eq!(
        pool.sender(wd.admin)
            .set_pool_cap(U256::from(0))
            .motsu_res(),
        Err(Error::TimelockRequired)
    );

    // And the same borrow, unspoiled, goes through at the cap boundary.
    let edge = Req::new(&wd, &alice, usd(100), cents(70));
    assert_eq!(edge.send(&wd, wd.relayer), Ok(()));
    wd.set_cap(500);
    let t0 = wd.now();
    let next = |nonce: u128, ts: u64| {
        let mut r = Req::new(&wd, &alice, usd(1), cents(70));
        r.nonce = w(nonce);
        r.intent = wd.borrow_sig(&alice, id, usd(1), nonce, wd.now() + 300);
        r.ts = U256::from(ts);
        r.psig = wd.price_sig(id, cents(70), ts, U256::MAX);
        r
    };
    // A 10-second-old price is still fresh (and as new as the newest accepted).
    advance(10);
    assert_eq!(next(1, t0).send(&wd, wd.relayer), Ok(()));
    advance(1);
    assert_eq!(next(2, t0 + 11).send(&wd, wd.relayer), Ok(()));
    assert_eq!(pool.sender(lender).last_price_timestamp(id), t0 + 11);
    // Replaying a fresh price older than the newest accepted one is refused.
    check(&next(3, t0 + 5), wd.relayer, Error::PriceReplayed);
    // The nonce is consumed only on success: replaying the first intent fails.
    check(&edge, wd.relayer, Error::InvalidNonce);
}

#[motsu::test]
fn borrow_needs_idle_cash(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender, usd(1_000));
    wd.collateral(alice.address(), token(), usd(10_000));
    wd.set_cap(0);
    let before = wd.snapshot(&[alice.address()], token());
    assert_eq!(
        wd.borrow(&alice, token(), usd(1_001), cents(70)),
        Err(Error::InsufficientLiquidity)
    );
    assert_eq!(wd.snapshot(&[alice.address()], token()), before);
    wd.borrow(&alice, token(), usd(1_000), cents(70)).unwrap();
    // All cash is lent: lenders can withdraw nothing right now, and are told so.
    assert_eq!(pool.sender(lender).max_withdraw(lender).unwrap(), 0);
    assert_eq!(pool.sender(lender).max_redeem(lender).unwrap(), 0);
    assert_eq!(
        pool.sender(lender).withdraw(1, lender, lender).motsu_res(),
        Err(Error::ExceedsMaxWithdraw)
    );
}

/// The reference's top-up: 23.81 shares at $0.835 with $14.02 of debt borrow
/// $0.065664 more (debt $14.02 → $14.09). The 1 USDC minimum is on the
/// position's debt after the borrow (as PredMart v0.8), not on each borrow.
#[motsu::test]
fn a_top_up_below_1_usdc_is_fine_on_a_larger_debt(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let (alice, bob) = (Account::from_seed("alice"), Account::from_seed("bob"));
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender, usd(10_000));
    let (a, id) = (alice.address(), token());
    let price = 835 * PCT / 10;
    wd.collateral(a, id, 23_810_000);
    wd.borrow(&alice, id, 14_020_000, price).unwrap();
    let top_up = 65_664;
    let s0 = pool.sender(a).get_position(a, id).unwrap().1;
    wd.borrow(&alice, id, top_up, price).unwrap();
    let (_, s1, debt) = pool.sender(a).get_position(a, id).unwrap();
    assert!(debt.abs_diff(14_085_664) <= 1, "debt {debt}");
    assert_eq!(debt / 10_000, 1_408); // "$14.09"
    pool.assert_emitted(&events::Borrowed {
        borrower: a,
        tokenId: id,
        amount: w(top_up),
        borrowShares: w(s1 - s0),
        price: w(price),
    });
    // A first borrow of the same size leaves a debt below 1 USDC: refused.
    wd.collateral(bob.address(), id, 23_810_000);
    let who = [bob.address(), a];
    assert_fails!(
        wd,
        who,
        id,
        wd.relay_borrow(wd.relayer, &wd.oracle, &bob, id, top_up, price),
        Error::BorrowTooSmall
    );
    // Exactly 1 USDC of debt after the borrow is enough.
    wd.borrow(&bob, id, usd(1), price).unwrap();
}

#[motsu::test]
fn smart_wallet_borrowers_sign_with_eip1271(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    wallet: Contract<MockWallet>,
    lender: Address,
) {
    let owner = Account::from_seed("owner");
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender, usd(1_000_000));
    wallet.sender(owner.address()).set_owner(owner.address());
    let id = token();
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
    let now = wd.now();
    let send = |nonce: u128, intent: &[u8]| {
        let psig = wd.price_sig(id, cents(70), now, U256::MAX);
        pool.sender(wd.relayer)
            .borrow_via_relay(
                wallet.address(),
                id,
                w(usd(10)),
                w(nonce),
                U256::from(now + 60),
                intent,
                w(cents(70)),
                U256::from(now),
                U256::MAX,
                &psig,
            )
            .motsu_res()
    };
    let digest = |nonce: u128| {
        sig::digest(
            wd.domain(),
            sig::borrow_intent_hash(
                wallet.address(),
                id,
                w(usd(10)),
                w(nonce),
                U256::from(now + 60),
            ),
        )
    };
    // The owner's signature is accepted through the wallet.
    send(0, &sign(&owner, digest(0))).unwrap();
    assert_eq!(wd.usdc_of(wallet.address()), usd(10));
    // A stranger's signature is not; nor a wrong magic value; nor a revert.
    let stranger = Account::from_seed("stranger");
    assert_eq!(
        send(1, &sign(&stranger, digest(1))),
        Err(Error::InvalidSignature)
    );
    wallet.sender(owner.address()).set_mode(WALLET_WRONG);
    assert_eq!(
        send(1, &sign(&owner, digest(1))),
        Err(Error::InvalidSignature)
    );
    wallet.sender(owner.address()).set_mode(WALLET_REVERT);
    assert_eq!(
        send(1, &sign(&owner, digest(1))),
        Err(Error::InvalidSignature)
    );
    assert_eq!(pool.sender(lender).nonces(wallet.address()), 1);
}

// ---------------------------------------------------------------------------
// Withdraw collateral
// ---------------------------------------------------------------------------

#[motsu::test]
fn relayed_withdraw_keeps_health(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    dest: Address,
) {
    let bob = Account::from_seed("bob");
    let wd = setup(&pool, &usdc, &ctf, lender, &bob, usd(8_000));
    let id = token();
    wd.borrow(&bob, id, usd(2_000), cents(60)).unwrap();
    let who = [bob.address(), dest];
    // At $0.50 with $2,000 debt, 1,600 shares can go (HF exactly 1) but not 1,601.
    let before = wd.snapshot(&who, id);
    assert_eq!(
        wd.withdraw_collateral(&bob, dest, id, usd(1_601), cents(50)),
        Err(Error::HealthFactorTooLow)
    );
    assert_eq!(wd.snapshot(&who, id), before);
    wd.withdraw_collateral(&bob, dest, id, usd(1_600), cents(50))
        .unwrap();
    assert_eq!(wd.ctf_of(dest, id), usd(1_600));
    assert_eq!(
        pool.sender(lender)
            .get_position(bob.address(), id)
            .unwrap()
            .0,
        usd(6_400)
    );
    assert_eq!(
        pool.sender(lender)
            .get_health_factor(bob.address(), id, cents(50))
            .unwrap(),
        w(WAD)
    );
    pool.assert_emitted(&events::CollateralWithdrawn {
        borrower: bob.address(),
        tokenId: id,
        to: dest,
        amount: w(usd(1_600)),
    });
    assert_eq!(pool.sender(lender).nonces(bob.address()), 2);

    let before = wd.snapshot(&who, id);
    assert_eq!(
        wd.withdraw_collateral(&bob, dest, id, usd(6_401), cents(90)),
        Err(Error::InsufficientCollateral)
    );
    assert_eq!(
        wd.withdraw_collateral(&bob, dest, id, 0, cents(90)),
        Err(Error::ZeroAmount)
    );
    assert_eq!(
        wd.withdraw_collateral(&bob, Address::ZERO, id, 1, cents(90)),
        Err(Error::ZeroAddress)
    );
    // A price signed with a non-zero maxBorrow cannot be used for a withdrawal.
    let now = wd.now();
    let intent = wd.withdraw_sig(&bob, dest, id, 1, 2, now + 60);
    let borrow_price = wd.price_sig(id, cents(90), now, U256::from(1));
    let got = pool
        .sender(wd.relayer)
        .withdraw_via_relay(
            bob.address(),
            dest,
            id,
            w(1),
            w(2),
            U256::from(now + 60),
            &intent,
            w(cents(90)),
            U256::from(now),
            &borrow_price,
        )
        .motsu_res();
    assert_eq!(got, Err(Error::InvalidSignature));
    // Not the relayer.
    let got = pool
        .sender(bob.address())
        .withdraw_via_relay(
            bob.address(),
            dest,
            id,
            w(1),
            w(2),
            U256::from(now + 60),
            &intent,
            w(cents(90)),
            U256::from(now),
            &borrow_price,
        )
        .motsu_res();
    assert_eq!(got, Err(Error::Unauthorized));
    // Frozen token: no withdrawal (but repay works, below).
    pool.sender(wd.admin)
        .set_token_frozen(id, true)
        .motsu_unwrap();
    assert_eq!(
        wd.withdraw_collateral(&bob, dest, id, 1, cents(90)),
        Err(Error::TokenFrozen)
    );
    assert_eq!(wd.snapshot(&who, id), before);
    // Paused: withdrawals still work (with the health check).
    pool.sender(wd.admin)
        .set_token_frozen(id, false)
        .motsu_unwrap();
    pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    wd.withdraw_collateral(&bob, dest, id, usd(1), cents(90))
        .unwrap();
}

/// The relayer submits `borrower`'s withdrawal of `amount` to `to`, signed
/// now, with no price (a debt-free position needs none).
fn relay_withdraw_without_price(
    pool: &Contract<LendingPool>,
    wd: &World,
    borrower: &Account,
    to: Address,
    id: U256,
    amount: u128,
) {
    let now = wd.now();
    let intent = wd.withdraw_sig(borrower, to, id, amount, 0, now + 60);
    pool.sender(wd.relayer)
        .withdraw_via_relay(
            borrower.address(),
            to,
            id,
            w(amount),
            U256::ZERO,
            U256::from(now + 60),
            &intent,
            U256::ZERO,
            U256::ZERO,
            &[],
        )
        .motsu_unwrap();
}

/// A debt-free relayed withdrawal neither accrues nor reads the market (gas:
/// layout v2), and the books come out the same: the next accrual books the
/// interest of the whole period. A withdrawal with debt still accrues first.
#[motsu::test]
fn debt_free_withdrawals_do_not_accrue(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    dest: Address,
) {
    let (bob, ann) = (Account::from_seed("bob"), Account::from_seed("ann"));
    let wd = setup(&pool, &usdc, &ctf, lender, &bob, usd(8_000));
    let id = token();
    wd.collateral(ann.address(), id, usd(100));
    wd.borrow(&bob, id, usd(2_000), cents(60)).unwrap();
    let clock = |p: &Contract<LendingPool>| {
        p.sender(lender).word(predmart_pool::store::s::LAST_ACCRUAL) & U256::from(u64::MAX)
    };
    let before = clock(&pool);
    let borrowed = pool.sender(lender).market().unwrap().borrowed;
    advance(86_400);
    relay_withdraw_without_price(&pool, &wd, &ann, dest, id, usd(10));
    assert_eq!(wd.ctf_of(dest, id), usd(10));
    assert_eq!(
        clock(&pool),
        before,
        "a debt-free withdrawal does not accrue"
    );
    // Views still price the day's interest in, and the next accrual books it.
    let pending = pool.sender(lender).market().unwrap().borrowed;
    assert!(pending > borrowed);
    pool.sender(lender).accrue().unwrap();
    assert_eq!(pool.sender(lender).market().unwrap().borrowed, pending);
    // With debt the withdrawal accrues first.
    advance(60);
    wd.withdraw_collateral(&bob, dest, id, usd(10), cents(60))
        .unwrap();
    assert_eq!(clock(&pool), U256::from(wd.now()));
}

#[motsu::test]
fn debt_free_withdrawals(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    dest: Address,
) {
    let bob = Account::from_seed("bob");
    let wd = setup(&pool, &usdc, &ctf, lender, &bob, usd(100));
    let id = token();
    // Without debt the relay ignores the price fields (the relayer may send none).
    relay_withdraw_without_price(&pool, &wd, &bob, dest, id, usd(10));
    assert_eq!(wd.ctf_of(dest, id), usd(10));
    // And the borrower can exit directly, relayer or not.
    pool.sender(bob.address())
        .withdraw_collateral(id, usd(40), bob.address())
        .motsu_unwrap();
    assert_eq!(wd.ctf_of(bob.address(), id), usd(40));
    let who = [bob.address(), dest];
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(bob.address())
            .withdraw_collateral(id, usd(51), dest),
        Error::InsufficientCollateral
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(bob.address()).withdraw_collateral(id, 0, dest),
        Error::ZeroAmount
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(bob.address())
            .withdraw_collateral(id, 1, Address::ZERO),
        Error::ZeroAddress
    );
    pool.sender(wd.admin)
        .set_token_frozen(id, true)
        .motsu_unwrap();
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(bob.address()).withdraw_collateral(id, 1, dest),
        Error::TokenFrozen
    );
    pool.sender(wd.admin)
        .set_token_frozen(id, false)
        .motsu_unwrap();
    // With debt the direct path is closed.
    wd.borrow(&bob, id, usd(1), cents(70)).unwrap();
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(bob.address()).withdraw_collateral(id, 1, dest),
        Error::PositionHasDebt
    );
}

// ---------------------------------------------------------------------------
// Repay
// ---------------------------------------------------------------------------

#[motsu::test]
fn repay_partial_full_and_for_others(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    friend: Address,
) {
    let bob = Account::from_seed("bob");
    let wd = setup(&pool, &usdc, &ctf, lender, &bob, usd(8_000));
    let (id, b) = (token(), bob.address());
    // Bob: 8,000 shares at $0.60 borrows $2,500; price falls to $0.50: HF exactly 1.00.
    wd.borrow(&bob, id, usd(2_500), cents(60)).unwrap();
    assert_eq!(
        pool.sender(b).get_health_factor(b, id, cents(50)).unwrap(),
        w(WAD)
    );
    assert_eq!(
        pool.sender(b).liquidation_price(b, id).unwrap(),
        w(cents(50))
    );
    // He repays $500: HF 1.25.
    wd.fund(b, usd(1_000));
    assert_eq!(
        pool.sender(b).repay_for(b, id, usd(500)).motsu_unwrap(),
        usd(500)
    );
    assert_eq!(pool.sender(b).get_position(b, id).unwrap().2, usd(2_000));
    assert_eq!(
        pool.sender(b).get_health_factor(b, id, cents(50)).unwrap(),
        w(cents(125))
    );
    assert_eq!(wd.usdc_of(b), usd(3_000));
    // Someone else repays $100 for him.
    wd.fund(friend, usd(100));
    pool.sender(friend)
        .repay_for(b, id, usd(100))
        .motsu_unwrap();
    pool.assert_emitted(&events::Repaid {
        payer: friend,
        borrower: b,
        tokenId: id,
        amount: w(usd(100)),
        borrowShares: w(usd(100) * 1_000_000),
    });
    // A year later, max uint repays exactly the debt with interest to the second.
    advance(31_557_600);
    let debt = pool.sender(b).get_position(b, id).unwrap().2;
    assert!(debt > usd(1_900));
    let before = wd.usdc_of(b);
    assert_eq!(
        pool.sender(b).repay_for(b, id, u128::MAX).motsu_unwrap(),
        debt
    );
    assert_eq!(wd.usdc_of(b), before - debt);
    assert_eq!(
        pool.sender(b).get_position(b, id).unwrap(),
        (usd(8_000), 0, 0)
    );
    assert_eq!(pool.sender(b).market().unwrap().borrowed, 0);
    assert_eq!(pool.sender(b).token_debt(id).unwrap(), 0);
    // Lenders earned the interest (minus 5% reserves).
    let reserves = pool.sender(b).market().unwrap().reserves;
    assert_eq!(
        pool.sender(b).total_assets().unwrap(),
        usd(1_000_000) + debt - usd(1_900) - reserves
    );
}

#[motsu::test]
fn repay_failures_and_modes(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    poor: Address,
) {
    let bob = Account::from_seed("bob");
    let wd = setup(&pool, &usdc, &ctf, lender, &bob, usd(1_000));
    let (id, b) = (token(), bob.address());
    let who = [b, poor];
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(b).repay_for(b, id, usd(1)),
        Error::NoPosition
    );
    wd.borrow(&bob, id, usd(100), cents(70)).unwrap();
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(b).repay_for(b, id, 0),
        Error::ZeroAmount
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(poor).repay_for(b, id, usd(1)),
        Error::TransferFailed
    );
    // Paused, frozen and resolved tokens can always be repaid.
    wd.fund(b, usd(10));
    pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    pool.sender(b).repay_for(b, id, usd(1)).motsu_unwrap();
    pool.sender(wd.admin)
        .set_token_frozen(id, true)
        .motsu_unwrap();
    pool.sender(b).repay_for(b, id, usd(1)).motsu_unwrap();
    let ts = wd.now();
    let rsig = wd.resolution_sig(id, true, ts);
    pool.sender(b)
        .resolve_market(id, true, U256::from(ts), &rsig)
        .motsu_unwrap();
    pool.sender(b).repay_for(b, id, usd(1)).motsu_unwrap();
    assert_eq!(pool.sender(b).get_position(b, id).unwrap().2, usd(97));
    // `repay(tokenId, amount)` through the ABI repays the caller's own position.
    let got = wd
        .abi(
            b,
            IPool::repayCall {
                tokenId: id,
                amount: w(usd(2)),
            },
        )
        .unwrap();
    assert_eq!(got.repaid, w(usd(2)));
}

// ---------------------------------------------------------------------------
// Views and reference examples
// ---------------------------------------------------------------------------

#[motsu::test]
fn reference_views(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = setup(&pool, &usdc, &ctf, lender, &alice, usd(10_000));
    let (id, a) = (token(), alice.address());
    assert_eq!(
        wd.abi(
            a,
            IPool::getLtvCall {
                price: w(cents(50))
            }
        )
        .unwrap()
        ._0,
        w(525 * PCT / 10)
    );
    assert_eq!(
        wd.abi(
            a,
            IPool::getLtvCall {
                price: w(cents(73))
            }
        )
        .unwrap()
        ._0,
        w(665 * PCT / 10)
    );
    // Max borrow of 10,000 shares at $0.70 with the 99.5% haircut: $4,527.25.
    assert_eq!(
        pool.sender(a).max_borrow(a, id, cents(70)).unwrap(),
        4_527_250_000
    );
    assert_eq!(
        wd.abi(
            a,
            IPool::maxBorrowCall {
                borrower: a,
                tokenId: id,
                price: w(cents(70))
            }
        )
        .unwrap()
        ._0,
        w(4_527_250_000)
    );
    // After borrowing, the view subtracts the debt; the on-chain bound is unhaircut.
    wd.borrow(&alice, id, usd(4_527), cents(70)).unwrap();
    assert_eq!(
        pool.sender(a).max_borrow(a, id, cents(70)).unwrap(),
        250_000
    );
    wd.borrow(&alice, id, usd(23), cents(70)).unwrap(); // up to exactly $4,550
    assert_eq!(pool.sender(a).max_borrow(a, id, cents(70)).unwrap(), 0);
    // Capped by the pool cap: 5% of total assets.
    assert_eq!(pool.sender(a).token_borrow_cap().unwrap(), usd(50_000));
    let pos = wd
        .abi(
            a,
            IPool::getPositionCall {
                borrower: a,
                tokenId: id,
            },
        )
        .unwrap();
    assert_eq!((pos.collateral, pos.debt), (w(usd(10_000)), w(usd(4_550))));
    assert_eq!(
        wd.abi(a, IPool::tokenDebtCall { tokenId: id }).unwrap()._0,
        w(usd(4_550))
    );
}

#[motsu::test]
fn interest_accrues_on_a_real_borrow(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    let shares = wd.lend(lender, usd(100_000));
    wd.collateral(alice.address(), token(), usd(100_000));
    wd.set_cap(5_000);
    wd.borrow(&alice, token(), usd(40_000), cents(80)).unwrap();
    // U = 40%: 15% APR; supply rate 15% * 0.4 * 0.95 = 5.7%.
    assert_eq!(
        pool.sender(lender).market().unwrap().utilization().unwrap(),
        cents(40)
    );
    assert_eq!(
        wd.abi(lender, IPool::getBorrowRateCall {}).unwrap()._0,
        w(cents(15))
    );
    assert_eq!(
        wd.abi(lender, IPool::getSupplyRateCall {}).unwrap()._0,
        w(57 * PCT / 10)
    );
    let price0 = pool
        .sender(lender)
        .assets_for(shares, predmart_pool::math::Rounding::Down)
        .unwrap();
    advance(86_400);
    // Views include pending interest without any write.
    let debt = pool
        .sender(lender)
        .get_position(alice.address(), token())
        .unwrap()
        .2;
    assert!(debt > usd(40_000));
    let price1 = pool
        .sender(lender)
        .assets_for(shares, predmart_pool::math::Rounding::Down)
        .unwrap();
    assert!(price1 > price0, "lenders' share price rises with interest");
    // accrueInterest stores it and says so.
    pool.sender(lender).accrue().motsu_unwrap();
    let m = pool.sender(lender).market().unwrap();
    assert_eq!(m.borrowed, debt);
    let interest = debt - usd(40_000);
    pool.assert_emitted(&events::InterestAccrued {
        interest: w(interest),
        reserveFee: w(interest * 5 / 100),
        totalBorrowAssets: w(debt),
    });
    assert_eq!(
        wd.abi(lender, IPool::reservesCall {}).unwrap()._0,
        w(interest * 5 / 100)
    );
    assert_eq!(
        wd.abi(lender, IPool::totalBorrowAssetsCall {}).unwrap()._0,
        w(debt)
    );
}
