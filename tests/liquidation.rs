//! Liquidation (close factor, bonus, underwater, bad debt, dust) and market
//! resolution (lost: write-off; won: redeem through the CTF and settle).

mod common;

use alloy_primitives::{Address, B256, U256};
use common::*;
use motsu::prelude::*;
use predmart_pool::{errors::Error, events, math::Rounding, resolution::status, LendingPool};

/// 1,000,000 USDC of lenders' money, `shares` of collateral for `borrower`
/// who borrows `debt` at `price`.
fn position<'a>(
    pool: &'a Contract<LendingPool>,
    usdc: &'a Contract<MockUsdc>,
    ctf: &'a Contract<MockCtf>,
    lender: Address,
    borrower: &Account,
    shares: u128,
    debt: u128,
    price: u128,
) -> World<'a> {
    let wd = World::new(pool, usdc, ctf);
    wd.lend(lender, usd(1_000_000));
    wd.collateral(borrower.address(), token(), shares);
    wd.borrow(borrower, token(), debt, price).unwrap();
    wd
}

#[motsu::test]
fn reference_alice_walkthrough(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    // Alice deposits 15,000 shares at $0.65 and borrows $5,500: HF 1.285.
    let alice = Account::from_seed("alice");
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(15_000),
        usd(5_500),
        cents(65),
    );
    let (a, id) = (alice.address(), token());
    let hf = pool.sender(a).get_health_factor(a, id, cents(65)).unwrap();
    assert_eq!(hf / U256::from(PCT / 10), U256::from(1285));
    // Some interest: the debt reaches ~$5,520.
    advance(2_240_000);
    let debt = pool.sender(a).get_position(a, id).unwrap().2;
    assert!(debt > usd(5_519) && debt < usd(5_521), "debt {debt}");
    // The price drops to $0.55: HF 0.990, liquidatable with a 50% close factor.
    let hf = pool.sender(a).get_health_factor(a, id, cents(55)).unwrap();
    assert_eq!(hf / U256::from(PCT / 10), U256::from(990));
    wd.fund(keeper, usd(10_000));
    let seized = wd.liquidate(keeper, a, id, u128::MAX, cents(55)).unwrap();
    let repaid = usd(10_000) - wd.usdc_of(keeper);
    assert_eq!(repaid, debt / 2);
    // ~$2,760 repaid, ~5,269 shares seized (2,760 * 1.05 / 0.55), rounded down.
    assert!(repaid > usd(2_759) && repaid < usd(2_761));
    assert_eq!(seized, repaid * 105 * 100 / 55 / 100);
    assert_eq!(seized / UNIT, 5_269);
    assert_eq!(wd.ctf_of(keeper, id), seized);
    let (c, _, left) = pool.sender(a).get_position(a, id).unwrap();
    assert_eq!(c, usd(15_000) - seized);
    assert_eq!(c / UNIT, 9_730); // "9,731 shares" in the walkthrough (9,730.9)
    assert!(left >= debt - repaid && left <= debt - repaid + 1);
    // Healthy again: ~1.285.
    let hf = pool.sender(a).get_health_factor(a, id, cents(55)).unwrap();
    assert_eq!(hf / U256::from(PCT / 10), U256::from(1284));
    pool.assert_emitted(&events::Liquidated {
        liquidator: keeper,
        borrower: a,
        tokenId: id,
        repaid: w(repaid),
        seized: w(seized),
        price: w(cents(55)),
    });
    // Lenders lost nothing: the liquidation moved debt into cash.
    assert!(!pool.emitted(&events::BadDebtAbsorbed {
        borrower: a,
        tokenId: id,
        amount: U256::ZERO
    }));
}

#[motsu::test]
fn healthy_positions_cannot_be_liquidated(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(15_000),
        usd(5_500),
        cents(65),
    );
    wd.fund(keeper, usd(10_000));
    let (a, id) = (alice.address(), token());
    let who = [a, keeper];
    let now = wd.now();
    let psig = wd.price_sig(id, cents(65), now, U256::ZERO);
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(keeper).liquidate(
            a,
            id,
            u128::MAX,
            w(cents(65)),
            U256::from(now),
            U256::ZERO,
            &psig
        ),
        Error::PositionHealthy
    );
    // Bad prices are refused before anything else.
    let forged = sign(
        &Account::from_seed("eve"),
        predmart_pool::signatures::digest(
            wd.domain(),
            predmart_pool::signatures::price_data_hash(
                id,
                w(cents(30)),
                U256::from(now),
                U256::ZERO,
            ),
        ),
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(keeper).liquidate(
            a,
            id,
            u128::MAX,
            w(cents(30)),
            U256::from(now),
            U256::ZERO,
            &forged
        ),
        Error::InvalidSignature
    );
    let old = wd.price_sig(id, cents(30), now - 11, U256::ZERO);
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(keeper).liquidate(
            a,
            id,
            u128::MAX,
            w(cents(30)),
            U256::from(now - 11),
            U256::ZERO,
            &old
        ),
        Error::StalePrice
    );
    // The borrow accepted a price at `now`; an older one (fresh but older) is a replay.
    advance(5);
    let replay = wd.price_sig(id, cents(30), now - 1, U256::ZERO);
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(keeper).liquidate(
            a,
            id,
            u128::MAX,
            w(cents(30)),
            U256::from(now - 1),
            U256::ZERO,
            &replay
        ),
        Error::PriceReplayed
    );
    // No position.
    let nobody = Address::with_last_byte(9);
    let fresh = wd.price_sig(id, cents(30), wd.now(), U256::ZERO);
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(keeper).liquidate(
            nobody,
            id,
            u128::MAX,
            w(cents(30)),
            U256::from(wd.now()),
            U256::ZERO,
            &fresh
        ),
        Error::NoPosition
    );
    // A liquidator without USDC: nothing moves.
    let broke = Address::with_last_byte(8);
    assert_fails!(
        wd,
        [a, broke],
        id,
        pool.sender(broke).liquidate(
            a,
            id,
            u128::MAX,
            w(cents(30)),
            U256::from(wd.now()),
            U256::ZERO,
            &fresh
        ),
        Error::TransferFailed
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(keeper).liquidate(
            a,
            id,
            0,
            w(cents(50)),
            U256::from(wd.now()),
            U256::ZERO,
            &wd.price_sig(id, cents(50), wd.now(), U256::ZERO)
        ),
        Error::ZeroAmount
    );
}

#[motsu::test]
fn close_factor_by_health(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    // 10,000 shares, $4,200 debt (borrowed at $0.80).
    let alice = Account::from_seed("alice");
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(10_000),
        usd(4_200),
        cents(80),
    );
    let (a, id) = (alice.address(), token());
    wd.fund(keeper, usd(100_000));
    // At $0.60: HF = 6,000 * 0.70 / 4,200 = 1.0 exactly: not liquidatable.
    assert_eq!(
        wd.liquidate(keeper, a, id, u128::MAX, cents(60)),
        Err(Error::PositionHealthy)
    );
    // At $0.59: HF ~0.98 -> 50%, and a larger repayAmount is clamped.
    let hf = pool.sender(a).get_health_factor(a, id, cents(59)).unwrap();
    assert!(hf < w(WAD) && hf >= w(95 * PCT));
    wd.liquidate(keeper, a, id, usd(4_000), cents(59)).unwrap();
    assert_eq!(pool.sender(a).get_position(a, id).unwrap().2, usd(2_100));
    // A smaller offer is respected.
    let alice2 = Account::from_seed("alice2");
    let id2 = U256::from(43);
    wd.collateral(alice2.address(), id2, usd(10_000));
    wd.borrow(&alice2, id2, usd(4_200), cents(80)).unwrap();
    wd.liquidate(keeper, alice2.address(), id2, usd(1_000), cents(59))
        .unwrap();
    assert_eq!(
        pool.sender(a)
            .get_position(alice2.address(), id2)
            .unwrap()
            .2,
        usd(3_200)
    );
    // Below 0.95 the whole debt can go at once: at $0.58, HF ~0.946.
    let alice3 = Account::from_seed("alice3");
    let id3 = U256::from(44);
    wd.collateral(alice3.address(), id3, usd(10_000));
    wd.borrow(&alice3, id3, usd(4_200), cents(80)).unwrap();
    let hf = pool
        .sender(a)
        .get_health_factor(alice3.address(), id3, cents(58))
        .unwrap();
    assert!(hf < w(95 * PCT));
    let seized = wd
        .liquidate(keeper, alice3.address(), id3, u128::MAX, cents(58))
        .unwrap();
    assert_eq!(
        pool.sender(a).get_position(alice3.address(), id3).unwrap(),
        (usd(10_000) - seized, 0, 0)
    );
    assert_eq!(
        seized,
        predmart_pool::math::mul_div(usd(4_200), 105 * PCT, cents(58), Rounding::Down).unwrap()
    );
}

#[motsu::test]
fn bonus_capped_by_collateral_takes_all_for_the_debt(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    // 2,000 shares, $980 debt; at $0.50 the value ($1,000) covers the debt but not the 5% bonus.
    let alice = Account::from_seed("alice");
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(2_000),
        usd(980),
        cents(80),
    );
    let (a, id) = (alice.address(), token());
    wd.fund(keeper, usd(10_000));
    let before = pool.sender(a).total_assets().unwrap();
    assert_eq!(
        wd.liquidate(keeper, a, id, usd(979), cents(50)),
        Err(Error::InsufficientRepay)
    );
    let seized = wd.liquidate(keeper, a, id, u128::MAX, cents(50)).unwrap();
    assert_eq!(seized, usd(2_000));
    assert_eq!(usd(10_000) - wd.usdc_of(keeper), usd(980));
    // Nothing is written off above water, and nothing is left behind.
    assert_eq!(pool.sender(a).get_position(a, id).unwrap(), (0, 0, 0));
    assert_eq!(pool.sender(a).total_assets().unwrap(), before);
    assert_eq!(pool.sender(a).token_debt(id).unwrap(), 0);
}

#[motsu::test]
fn underwater_bad_debt_is_borne_pro_rata(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    l1: Address,
    l2: Address,
    keeper: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    let s1 = wd.lend(l1, usd(30_000));
    let s2 = wd.lend(l2, usd(10_000));
    wd.collateral(alice.address(), token(), usd(1_000));
    wd.borrow(&alice, token(), usd(600), cents(90)).unwrap();
    let (a, id) = (alice.address(), token());
    wd.fund(keeper, usd(1_000));
    let ta = pool.sender(a).total_assets().unwrap();
    let v1 = pool.sender(a).assets_for(s1, Rounding::Down).unwrap();
    let v2 = pool.sender(a).assets_for(s2, Rounding::Down).unwrap();
    // At $0.50 the collateral is worth $500 < $600 debt: all of it for 90% of its value.
    assert_eq!(
        wd.liquidate(keeper, a, id, usd(449), cents(50)),
        Err(Error::InsufficientRepay)
    );
    assert_eq!(
        wd.liquidate(keeper, a, id, u128::MAX, cents(50)),
        Ok(usd(1_000))
    );
    assert_eq!(usd(1_000) - wd.usdc_of(keeper), usd(450));
    pool.assert_emitted(&events::BadDebtAbsorbed {
        borrower: a,
        tokenId: id,
        amount: w(usd(150)),
    });
    // totalAssets drops by exactly the bad debt; each lender loses pro rata (3:1).
    assert_eq!(pool.sender(a).total_assets().unwrap(), ta - usd(150));
    let d1 = v1 - pool.sender(a).assets_for(s1, Rounding::Down).unwrap();
    let d2 = v2 - pool.sender(a).assets_for(s2, Rounding::Down).unwrap();
    assert!(d1.abs_diff(usd(112_500) / 1_000) <= 1, "l1 lost {d1}");
    assert!(d2.abs_diff(usd(37_500) / 1_000) <= 1, "l2 lost {d2}");
    // Reserves are not used to hide it.
    assert_eq!(pool.sender(a).market().unwrap().reserves, 0);
    assert_eq!(pool.sender(a).get_position(a, id).unwrap(), (0, 0, 0));
}

#[motsu::test]
fn dust_is_closed_not_left(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    // 5 shares and $1.90 of debt: 50% would leave $0.95 < $1 with collateral left.
    let alice = Account::from_seed("alice");
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        4_656_000,
        1_500_000,
        cents(80),
    );
    let (a, id) = (alice.address(), token());
    wd.fund(keeper, usd(10));
    // HF at $0.50 is ~0.97 (50% close factor) but the remainder would be dust.
    assert_eq!(
        wd.liquidate(keeper, a, id, 750_000, cents(50)),
        Err(Error::InsufficientRepay)
    );
    wd.liquidate(keeper, a, id, u128::MAX, cents(50)).unwrap();
    let (c, shares, debt) = pool.sender(a).get_position(a, id).unwrap();
    assert_eq!((shares, debt), (0, 0));
    assert!(c > 0);
}

#[motsu::test]
fn liquidation_while_paused_frozen_or_won(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(10_000),
        usd(4_000),
        cents(70),
    );
    let (a, id) = (alice.address(), token());
    wd.fund(keeper, usd(10_000));
    pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    pool.sender(wd.admin)
        .set_token_frozen(id, true)
        .motsu_unwrap();
    // At $0.45 the collateral (4,500) covers the debt plus the bonus: a
    // partial liquidation is allowed, paused and frozen.
    wd.liquidate(keeper, a, id, usd(100), cents(45)).unwrap();
    advance(1);
    let ts = wd.now();
    pool.sender(keeper)
        .resolve_market(id, true, U256::from(ts), &wd.resolution_sig(id, true, ts))
        .motsu_unwrap();
    // At $0.40 it is still (just) above water but below 105% coverage: only a
    // full close is allowed, on a won market too.
    assert_eq!(
        wd.liquidate(keeper, a, id, usd(100), cents(40)),
        Err(Error::InsufficientRepay)
    );
    wd.liquidate(keeper, a, id, u128::MAX, cents(40)).unwrap();
    assert_eq!(pool.sender(a).get_position(a, id).unwrap(), (0, 0, 0));
}

// ---------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------

#[motsu::test]
fn resolution_needs_a_fresh_oracle_signature(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    anyone: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let id = token();
    advance(4_000);
    let now = wd.now();
    let resolve = |won: bool, ts: u64, sig: &[u8]| {
        pool.sender(anyone)
            .resolve_market(id, won, U256::from(ts), sig)
            .motsu_res()
    };
    assert_eq!(
        resolve(true, now - 3_601, &wd.resolution_sig(id, true, now - 3_601)),
        Err(Error::StalePrice)
    );
    assert_eq!(
        resolve(true, now + 1, &wd.resolution_sig(id, true, now + 1)),
        Err(Error::PriceFromFuture)
    );
    assert_eq!(
        resolve(false, now, &wd.resolution_sig(id, true, now)),
        Err(Error::InvalidSignature)
    );
    let eve = Account::from_seed("eve");
    let forged = sign(
        &eve,
        predmart_pool::signatures::digest(
            wd.domain(),
            predmart_pool::signatures::resolution_hash(id, true, U256::from(now)),
        ),
    );
    assert_eq!(resolve(true, now, &forged), Err(Error::InvalidSignature));
    assert_eq!(pool.sender(anyone).market_status(id), status::OPEN);
    // At most one hour old is fine; anyone can submit it.
    resolve(true, now - 3_600, &wd.resolution_sig(id, true, now - 3_600)).unwrap();
    assert_eq!(pool.sender(anyone).market_status(id), status::WON);
    pool.assert_emitted(&events::MarketResolution {
        tokenId: id,
        won: true,
    });
    // Once resolved, it cannot be resolved again (not even the other way).
    assert_eq!(
        resolve(false, now, &wd.resolution_sig(id, false, now)),
        Err(Error::MarketResolved)
    );
}

#[motsu::test]
fn lost_market_debt_is_written_off_at_resolution(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    anyone: Address,
) {
    let (alice, bob) = (Account::from_seed("alice"), Account::from_seed("bob"));
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(1_000),
        usd(300),
        cents(70),
    );
    wd.collateral(bob.address(), token(), usd(500));
    wd.borrow(&bob, token(), usd(100), cents(70)).unwrap();
    // Another token's borrower is untouched by this market.
    let carol = Account::from_seed("carol");
    let other = U256::from(77);
    wd.collateral(carol.address(), other, usd(1_000));
    wd.borrow(&carol, other, usd(200), cents(70)).unwrap();
    let (a, id) = (alice.address(), token());
    let who = [a, anyone];
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(anyone).close_lost_position(a, id),
        Error::MarketNotResolved
    );
    advance(3_600);
    let ta = pool.sender(a).total_assets().unwrap();
    let token_debt = pool.sender(a).token_debt(id).unwrap(); // rounded up; the write-off rounds down
    let carol_debt = pool
        .sender(a)
        .get_position(carol.address(), other)
        .unwrap()
        .2;
    let m0 = pool.sender(a).market().unwrap();
    let ts = wd.now();
    pool.sender(anyone)
        .resolve_market(id, false, U256::from(ts), &wd.resolution_sig(id, false, ts))
        .motsu_unwrap();
    // The whole token's debt is gone at once: the reserves take it first,
    // lenders bear the rest now, together.
    let m1 = pool.sender(a).market().unwrap();
    let written_off = m0.borrowed - m1.borrowed;
    let absorbed = m0.reserves - m1.reserves;
    assert!(absorbed > 0 && absorbed < written_off);
    pool.assert_emitted(&events::ReservesAbsorbed {
        tokenId: id,
        amount: w(absorbed),
    });
    let lenders_lost = ta - pool.sender(a).total_assets().unwrap();
    assert_eq!(lenders_lost, written_off - absorbed);
    assert!(
        written_off == token_debt || written_off + 1 == token_debt,
        "{written_off} vs {token_debt}"
    );
    pool.assert_emitted(&events::BadDebtAbsorbed {
        borrower: Address::ZERO,
        tokenId: id,
        amount: w(written_off),
    });
    assert_eq!(pool.sender(a).token_debt(id).unwrap(), 0);
    assert_eq!(pool.sender(a).get_position(a, id).unwrap().2, 0);
    // (never less than before: the write-off rounds in the protocol's favour)
    let now_debt = pool
        .sender(a)
        .get_position(carol.address(), other)
        .unwrap()
        .2;
    assert!(
        now_debt == carol_debt || now_debt == carol_debt + 1,
        "{now_debt} vs {carol_debt}"
    );
    // Nothing left to repay or liquidate.
    wd.fund(anyone, usd(1_000));
    assert_eq!(
        wd.liquidate(anyone, a, id, u128::MAX, cents(1)),
        Err(Error::MarketResolved)
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(anyone).repay_for(a, id, usd(1)),
        Error::NoPosition
    );
    // Positions are cleared by anyone.
    pool.sender(anyone)
        .close_lost_position(a, id)
        .motsu_unwrap();
    assert_eq!(pool.sender(a).get_position(a, id).unwrap(), (0, 0, 0));
    assert_eq!(pool.sender(a).total_assets().unwrap(), ta - lenders_lost);
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(anyone).close_lost_position(a, id),
        Error::NoPosition
    );
    pool.sender(anyone)
        .close_lost_position(bob.address(), id)
        .motsu_unwrap();
    assert_eq!(pool.sender(a).token_collateral(id), 0);
}

#[motsu::test]
fn won_market_redeemed_and_settled(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    anyone: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let condition = B256::repeat_byte(7);
    let index_set = U256::from(1);
    let id = position_id(
        usdc.address(),
        collection_id(B256::ZERO, condition, index_set),
    );
    ctf.sender(anyone).set_winner(condition, index_set);
    // The mock CTF holds the USDC that backs winning shares.
    usdc.sender(anyone)
        .mint(ctf.address(), w(usd(1_000_000)))
        .motsu_unwrap();
    wd.set_cap(0);
    // A small pool, heavily used: a year at ~92% utilization nearly triples debts.
    wd.lend(lender, usd(200));
    let (a, b, c) = (
        Account::from_seed("a"),
        Account::from_seed("b"),
        Account::from_seed("c"),
    );
    for (who, shares, debt) in [
        (&a, usd(1_000), usd(10)),
        (&b, usd(1_000), usd(100)),
        (&c, usd(100), usd(74)),
    ] {
        wd.collateral(who.address(), id, shares);
        wd.borrow(who, id, debt, cents(99)).unwrap();
    }
    advance(31_557_600);
    let debts: Vec<u128> = [&a, &b, &c]
        .iter()
        .map(|x| pool.sender(lender).get_position(x.address(), id).unwrap().2)
        .collect();
    assert!(
        debts[2] > usd(100),
        "c is underwater at $1 per share: {}",
        debts[2]
    );
    // Settling before anything is redeemed is refused.
    assert_eq!(
        pool.sender(anyone)
            .settle_redemption(a.address(), id)
            .motsu_res(),
        Err(Error::NotRedeemed)
    );
    let ts = wd.now();
    pool.sender(anyone)
        .resolve_market(id, true, U256::from(ts), &wd.resolution_sig(id, true, ts))
        .motsu_unwrap();
    // The token id must be the CTF's position for (usdc, condition, indexSet).
    let who = [a.address(), anyone];
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(anyone)
            .redeem_won_collateral(id, condition, U256::from(2)),
        Error::TokenMismatch
    );
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(anyone)
            .redeem_won_collateral(U256::from(5), condition, index_set),
        Error::MarketNotResolved
    );
    let got = pool
        .sender(anyone)
        .redeem_won_collateral(id, condition, index_set)
        .motsu_unwrap();
    assert_eq!(got, usd(2_100));
    pool.assert_emitted(&events::WonCollateralRedeemed {
        tokenId: id,
        shares: w(usd(2_100)),
        usdc: w(usd(2_100)),
    });
    assert_eq!(wd.ctf_of(pool.address(), id), 0);
    assert_eq!(pool.sender(anyone).redemption(id), (usd(2_100), usd(2_100)));
    assert_fails!(
        wd,
        who,
        id,
        pool.sender(anyone)
            .redeem_won_collateral(id, condition, index_set),
        Error::MarketNotResolved
    );
    wd.fund(anyone, usd(1_000));
    assert_eq!(
        wd.liquidate(anyone, c.address(), id, u128::MAX, cents(99)),
        Err(Error::MarketResolved)
    );
    // The redeemed USDC is held for the positions, not swept as a donation.
    assert_eq!(
        pool.sender(wd.admin).sweep(wd.admin).motsu_res(),
        Err(Error::ZeroAmount)
    );

    // The proceeds (2,100) cover the token's debt in aggregate: nothing is
    // written off at redemption, and interest stopped on the frozen debts.
    let ta = pool.sender(anyone).total_assets().unwrap();
    let shortfall = debts[2] - usd(100); // c's $100 covers only part of its debt
    for (i, (who, payout, debt)) in [(&a, usd(1_000), debts[0]), (&b, usd(1_000), debts[1])]
        .into_iter()
        .enumerate()
    {
        let before = wd.usdc_of(who.address());
        let r0 = pool.sender(anyone).market().unwrap().reserves;
        let surplus = pool
            .sender(anyone)
            .settle_redemption(who.address(), id)
            .motsu_unwrap();
        // Frozen debts are pro rata of the borrow shares, rounded up.
        assert!((payout - surplus).abs_diff(debt) <= 1, "{surplus} vs {debt}");
        let repaid = payout - surplus;
        assert_eq!(wd.usdc_of(who.address()), before + surplus);
        pool.assert_emitted(&events::RedemptionSettled {
            borrower: who.address(),
            tokenId: id,
            payout: w(payout),
            repaid: w(repaid),
            surplus: w(surplus),
        });
        assert_eq!(
            pool.sender(anyone).get_position(who.address(), id).unwrap(),
            (0, 0, 0)
        );
        let lost = ta - pool.sender(anyone).total_assets().unwrap();
        if i == 0 {
            assert_eq!(lost, 0, "a covered debt costs lenders nothing");
        } else {
            // Once b takes its surplus, only $100 is left for c's debt: c's
            // shortfall is certain now and leaves the share price now, as a
            // token-level write-off (b's own debt was covered), reserves first.
            let absorbed = r0 - pool.sender(anyone).market().unwrap().reserves;
            assert!((lost + absorbed).abs_diff(shortfall) <= 2, "{lost} + {absorbed} vs {shortfall}");
            pool.assert_emitted(&events::BadDebtAbsorbed {
                borrower: Address::ZERO,
                tokenId: id,
                amount: w(lost + absorbed),
            });
        }
    }
    // c's settlement repays what its $100 can; nothing more is lost.
    let ta = pool.sender(anyone).total_assets().unwrap();
    let surplus = pool
        .sender(anyone)
        .settle_redemption(c.address(), id)
        .motsu_unwrap();
    assert_eq!(surplus, 0);
    assert_eq!(pool.sender(anyone).total_assets().unwrap(), ta);
    assert_eq!(pool.sender(anyone).redemption(id), (0, 0));
    assert_eq!(pool.sender(anyone).market().unwrap().borrowed, 0);
    // Every USDC the pool holds is accounted cash again.
    assert_eq!(
        wd.usdc_of(pool.address()),
        pool.sender(anyone).market().unwrap().cash
    );
    assert_eq!(
        pool.sender(anyone)
            .settle_redemption(c.address(), id)
            .motsu_res(),
        Err(Error::NoPosition)
    );
}

/// Random price paths with liquidations of every unhealthy position: what
/// lenders can claim never exceeds the pool's USDC plus the debt of healthy
/// positions, and no liquidation leaves collateral-less debt.
#[motsu::test]
fn price_paths_keep_lenders_covered() {
    use proptest::{
        collection::vec,
        prelude::*,
        test_runner::{Config, TestRunner},
    };
    let mut runner = TestRunner::new(Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        vec(1u128..=99, 1..10),
        vec((100u128..20_000, 10u128..=100), 1..5),
    );
    runner
        .run(&strategy, |(path, borrowers)| {
            let (pool, usdc, ctf) = (
                Contract::<LendingPool>::new(),
                Contract::<MockUsdc>::new(),
                Contract::<MockCtf>::new(),
            );
            let wd = World::new(&pool, &usdc, &ctf);
            let (lender, keeper) = (Address::with_last_byte(1), Address::with_last_byte(2));
            let shares = wd.lend(lender, usd(100_000));
            wd.set_cap(0);
            wd.fund(keeper, usd(10_000_000));
            let accounts: Vec<Account> = (0..borrowers.len())
                .map(|i| Account::from_seed(&format!("b{i}")))
                .collect();
            for (acc, (coll, pct)) in accounts.iter().zip(&borrowers) {
                wd.collateral(acc.address(), token(), usd(*coll));
                let max = pool
                    .sender(lender)
                    .curve()
                    .max_debt(usd(*coll), cents(80))
                    .unwrap();
                let amount = max * pct / 100;
                if amount >= usd(1) {
                    wd.borrow(acc, token(), amount, cents(80)).unwrap();
                }
            }
            for p in path {
                advance(86_400);
                let price = cents(p);
                for acc in &accounts {
                    for _ in 0..4 {
                        let (c, _, d) = pool
                            .sender(lender)
                            .get_position(acc.address(), token())
                            .unwrap();
                        if d == 0
                            || pool
                                .sender(lender)
                                .get_health_factor(acc.address(), token(), price)
                                .unwrap()
                                >= w(WAD)
                        {
                            break;
                        }
                        prop_assert!(c > 0, "debt without collateral");
                        wd.liquidate(keeper, acc.address(), token(), u128::MAX, price)
                            .unwrap();
                        let (c, _, d) = pool
                            .sender(lender)
                            .get_position(acc.address(), token())
                            .unwrap();
                        prop_assert!(c > 0 || d == 0, "liquidation left debt without collateral");
                        prop_assert!(d == 0 || d >= usd(1), "liquidation left dust debt {}", d);
                    }
                }
                let healthy_debt: u128 = accounts
                    .iter()
                    .map(|a| {
                        pool.sender(lender)
                            .get_position(a.address(), token())
                            .unwrap()
                            .2
                    })
                    .sum();
                let claims = pool
                    .sender(lender)
                    .assets_for(shares, Rounding::Down)
                    .unwrap();
                let held = wd.usdc_of(pool.address());
                prop_assert!(
                    claims <= held + healthy_debt,
                    "claims {} > usdc {} + debt {}",
                    claims,
                    held,
                    healthy_debt
                );
                prop_assert_eq!(held, pool.sender(lender).market().unwrap().cash);
            }
            Ok(())
        })
        .unwrap();
}

// ---------------------------------------------------------------------------
// Splitting never pays; reserves are first-loss capital
// ---------------------------------------------------------------------------

/// The reviewer's numbers: 1,000 shares, 650 USDC borrowed at $0.90, the
/// price falls to $0.651 (value 651 >= debt 650, HF ~0.73). Repaying 25 first
/// used to take 105% of it in shares and leave the rest under water, so a
/// second call in the same second took all the collateral for 90% of its
/// value and wrote ~62.7 USDC off. Now only a full close is allowed there.
#[motsu::test]
fn split_liquidation_of_an_above_water_position_costs_lenders_nothing(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(1_000),
        usd(650),
        cents(90),
    );
    let (a, id) = (alice.address(), token());
    let price = 651 * PCT / 10;
    wd.fund(keeper, usd(1_000));
    let ta = pool.sender(a).total_assets().unwrap();
    let who = [a, keeper];
    // Every bite smaller than the whole debt is refused, changing nothing.
    for bite in [1, usd(1), usd(25), usd(325), usd(650) - 1] {
        let now = wd.now();
        let psig = wd.price_sig(id, price, now, U256::ZERO);
        assert_fails!(
            wd,
            who,
            id,
            pool.sender(keeper).liquidate(
                a,
                id,
                bite,
                w(price),
                U256::from(now),
                U256::ZERO,
                &psig
            ),
            Error::InsufficientRepay
        );
    }
    // The whole: all 1,000 shares (worth 651) for the 650 of debt.
    assert_eq!(wd.liquidate(keeper, a, id, u128::MAX, price), Ok(usd(1_000)));
    assert_eq!(usd(1_000) - wd.usdc_of(keeper), usd(650));
    assert_eq!(pool.sender(a).get_position(a, id).unwrap(), (0, 0, 0));
    // Lenders lost nothing, and nothing was written off.
    assert_eq!(pool.sender(a).total_assets().unwrap(), ta);
    assert!(!pool.all_events().iter().any(|l| {
        <events::BadDebtAbsorbed as alloy_sol_types::SolEvent>::decode_log_data(l, true).is_ok()
    }));
}

/// Above 105% coverage a bite is allowed, and any sequence of bites at one
/// price leaves the rest covered: the liquidator cannot farm bad debt.
#[motsu::test]
fn repeated_bites_keep_the_remainder_covered(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let alice = Account::from_seed("alice");
    // 2,000 shares, 900 borrowed at $0.80; at $0.50: value 1,000 >= 1.05 * 900.
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(2_000),
        usd(900),
        cents(80),
    );
    let (a, id) = (alice.address(), token());
    wd.fund(keeper, usd(10_000));
    let ta = pool.sender(a).total_assets().unwrap();
    let mut bites = 0;
    for bite in [1, usd(25), 7, usd(100), usd(3), usd(200), u128::MAX] {
        let (c, _, d) = pool.sender(a).get_position(a, id).unwrap();
        if d == 0 {
            break;
        }
        match wd.liquidate(keeper, a, id, bite, cents(50)) {
            Ok(_) => bites += 1,
            Err(e) => {
                // Only a healthy-again position or a dust rule stops a bite.
                assert!(
                    matches!(e, Error::PositionHealthy | Error::InsufficientRepay),
                    "{e:?}"
                );
                continue;
            }
        }
        let (c1, _, d1) = pool.sender(a).get_position(a, id).unwrap();
        assert!(c1 < c);
        if d1 != 0 {
            // Still at least 105% covered at the same price.
            assert!(c1 * 50 / 100 * 100 >= d1 * 105, "c {c1} d {d1}");
        }
    }
    assert!(bites >= 3, "bites {bites}");
    // The liquidator took its bonus from the borrower, never from lenders.
    assert!(pool.sender(a).total_assets().unwrap() >= ta);
    assert!(!pool.all_events().iter().any(|l| {
        <events::BadDebtAbsorbed as alloy_sol_types::SolEvent>::decode_log_data(l, true).is_ok()
    }));
}

/// Builds up reserves on a second, healthy borrower for a year, then writes
/// `alice`'s position off; returns (reserves before, totalAssets before).
fn with_reserves(wd: &World, bob: &Account) {
    wd.collateral(bob.address(), U256::from(99), usd(100_000));
    wd.borrow(bob, U256::from(99), usd(40_000), cents(90)).unwrap();
    advance(365 * 86_400);
    wd.pool.sender(wd.admin).accrue().unwrap();
}

#[motsu::test]
fn reserves_take_an_underwater_liquidations_loss_first(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let (alice, bob) = (Account::from_seed("alice"), Account::from_seed("bob"));
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(1_000),
        usd(600),
        cents(90),
    );
    with_reserves(&wd, &bob);
    let (a, id) = (alice.address(), token());
    let m0 = pool.sender(a).market().unwrap();
    assert!(m0.reserves > usd(100), "reserves {}", m0.reserves);
    let ta0 = pool.sender(a).total_assets().unwrap();
    let debt = pool.sender(a).get_position(a, id).unwrap().2;
    wd.fund(keeper, usd(1_000));
    // $0.62: collateral worth 620 < debt: all of it for 558; the rest is bad debt.
    wd.liquidate(keeper, a, id, u128::MAX, cents(62)).unwrap();
    let bad = debt - usd(558);
    let m1 = pool.sender(a).market().unwrap();
    // Reserves (larger than the loss here) took all of it ...
    assert!(m0.reserves > bad);
    assert_eq!(m1.reserves, m0.reserves - bad);
    pool.assert_emitted(&events::BadDebtAbsorbed {
        borrower: a,
        tokenId: id,
        amount: w(bad),
    });
    pool.assert_emitted(&events::ReservesAbsorbed {
        tokenId: id,
        amount: w(bad),
    });
    // ... so lenders lost nothing.
    assert_eq!(pool.sender(a).total_assets().unwrap(), ta0);
    // The interest booked as reserves on the written-off debt cannot be
    // withdrawn from lenders' cash any more.
    let rsv = m0.reserves;
    assert_fails!(
        wd,
        [wd.admin, lender],
        id,
        pool.sender(wd.admin).withdraw_reserves(wd.admin, rsv),
        Error::ExceedsReserves
    );
}

#[motsu::test]
fn lenders_bear_only_what_reserves_cannot(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    anyone: Address,
) {
    let (alice, bob) = (Account::from_seed("alice"), Account::from_seed("bob"));
    let wd = position(
        &pool,
        &usdc,
        &ctf,
        lender,
        &alice,
        usd(10_000),
        usd(6_000),
        cents(90),
    );
    // A little interest: reserves far below alice's debt.
    wd.collateral(bob.address(), U256::from(99), usd(1_000));
    wd.borrow(&bob, U256::from(99), usd(500), cents(90)).unwrap();
    advance(30 * 86_400);
    let (a, id) = (alice.address(), token());
    let m0 = pool.sender(a).market().unwrap();
    assert!(m0.reserves > 0);
    let ta0 = pool.sender(a).total_assets().unwrap();
    // A lost market writes alice's whole debt off at resolution.
    let ts = wd.now();
    pool.sender(anyone)
        .resolve_market(id, false, U256::from(ts), &wd.resolution_sig(id, false, ts))
        .motsu_unwrap();
    let m1 = pool.sender(a).market().unwrap();
    assert_eq!(m1.reserves, 0, "reserves went first, all of them");
    pool.assert_emitted(&events::ReservesAbsorbed {
        tokenId: id,
        amount: w(m0.reserves),
    });
    let written_off = m0.borrowed - m1.borrowed;
    pool.assert_emitted(&events::BadDebtAbsorbed {
        borrower: Address::ZERO,
        tokenId: id,
        amount: w(written_off),
    });
    // Lenders' loss is the write-off less what the reserves took.
    let lenders_lost = ta0 - pool.sender(a).total_assets().unwrap();
    assert_eq!(lenders_lost, written_off - m0.reserves);
    // Nothing left to pay the protocol.
    assert_fails!(
        wd,
        [wd.admin, lender],
        id,
        pool.sender(wd.admin).withdraw_reserves(wd.admin, 1),
        Error::ExceedsReserves
    );
}

#[motsu::test]
fn reserves_take_the_virtual_share_dust(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    // The only borrower repays in full after a year: the virtual borrow
    // shares' dust (what the last share's debt does not cover) goes with
    // the last share, and the reserves take it, not lenders.
    // All the cash lent at 300% for a year: the debt per borrow share
    // quadruples, so the virtual shares' part of it is a few units.
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender, usd(1_000));
    wd.set_cap(0);
    let (a, id) = (alice.address(), token());
    wd.collateral(a, id, usd(10_000));
    wd.borrow(&alice, id, usd(1_000), cents(90)).unwrap();
    advance(365 * 86_400);
    let m0 = pool.sender(a).market().unwrap();
    let ta0 = pool.sender(a).total_assets().unwrap();
    let debt = pool.sender(a).get_position(a, id).unwrap().2;
    let dust = m0.borrowed - debt;
    assert!(dust > 0 && dust < m0.reserves, "dust {dust}, reserves {}", m0.reserves);
    wd.fund(a, usd(10_000));
    pool.sender(a).repay_for(a, id, u128::MAX).motsu_unwrap();
    let m1 = pool.sender(a).market().unwrap();
    assert_eq!((m1.borrowed, m1.borrow_shares), (0, 0));
    pool.assert_emitted(&events::BadDebtAbsorbed {
        borrower: Address::ZERO,
        tokenId: U256::ZERO,
        amount: w(dust),
    });
    pool.assert_emitted(&events::ReservesAbsorbed {
        tokenId: U256::ZERO,
        amount: w(dust),
    });
    assert_eq!(m1.reserves, m0.reserves - dust);
    // Lenders' assets did not move.
    assert_eq!(pool.sender(a).total_assets().unwrap(), ta0);
}
