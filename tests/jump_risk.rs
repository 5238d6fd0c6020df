//! Jump-risk defences on the contract: the market schedule and the
//! threshold decay before the event, the price-drop guard, and the Dutch
//! auction of large positions. Every success path, and every new error
//! with nothing changed.

mod common;

use alloy_primitives::{Address, U256};
use common::*;
use motsu::prelude::*;
use predmart_pool::{
    auction::{AUCTION_DURATION, AUCTION_TTL},
    errors::Error,
    events,
    schedule::CLOSING_WINDOW,
    LendingPool,
};

const DAY: u64 = 86_400;

/// `$call` (a `World` helper, already reverted on error) fails with
/// exactly `$err` and leaves the snapshot unchanged.
macro_rules! refused {
    ($world:expr, $who:expr, $id:expr, $call:expr, $err:expr) => {{
        let before = $world.snapshot(&$who, $id);
        assert_eq!($call, Err($err));
        assert_eq!(
            $world.snapshot(&$who, $id),
            before,
            "state changed on {:?}",
            $err
        );
    }};
}

/// A pool with 10,000,000 USDC of lenders' money and no pool cap.
fn world<'a>(
    pool: &'a Contract<LendingPool>,
    usdc: &'a Contract<MockUsdc>,
    ctf: &'a Contract<MockCtf>,
    lender: Address,
) -> World<'a> {
    let wd = World::new(pool, usdc, ctf);
    wd.lend(lender, usd(10_000_000));
    wd.set_cap(0);
    wd
}

/// Bob (the reference's): 8,000 shares, $2,500 borrowed at $0.60: health
/// factor exactly 1.00 at $0.50.
fn bob<'a>(wd: &World<'a>) -> Account {
    let bob = Account::from_seed("bob");
    wd.collateral(bob.address(), token(), usd(8_000));
    wd.borrow(&bob, token(), usd(2_500), cents(60)).unwrap();
    bob
}

/// A whale: 200,000 shares, $80,000 borrowed at $0.65 (above the auction
/// threshold of $50,000).
fn whale<'a>(wd: &World<'a>) -> Account {
    let whale = Account::from_seed("whale");
    wd.collateral(whale.address(), token(), usd(200_000));
    wd.borrow(&whale, token(), usd(80_000), cents(65)).unwrap();
    whale
}

fn hf(pool: &Contract<LendingPool>, who: Address, price: u128) -> U256 {
    pool.sender(who)
        .get_health_factor(who, token(), price)
        .unwrap()
}

// ------------------------------------------------------------ schedule

#[motsu::test]
fn schedule_sets_moves_and_clears_the_end_time(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    assert_eq!(pool.sender(lender).market_end_time(id), 0);
    let end = wd.now() + 30 * DAY;
    wd.schedule(id, end).unwrap();
    assert_eq!(pool.sender(lender).market_end_time(id), end);
    pool.assert_emitted(&events::MarketScheduled {
        tokenId: id,
        endTime: U256::from(end),
    });
    // Through the ABI, as integrators read it.
    let got = wd
        .abi(lender, IPool::marketEndTimeCall { tokenId: id })
        .unwrap();
    assert_eq!(got.endTime, U256::from(end));
    // A newer message postpones the event; 0 clears it.
    advance(1);
    wd.schedule(id, end + DAY).unwrap();
    assert_eq!(pool.sender(lender).market_end_time(id), end + DAY);
    advance(1);
    wd.schedule(id, 0).unwrap();
    assert_eq!(pool.sender(lender).market_end_time(id), 0);
    // An end beyond 2^40 - 1 is stored as "never" (2^40 - 1).
    advance(1);
    wd.schedule(id, u64::MAX).unwrap();
    assert_eq!(
        pool.sender(lender).market_end_time(id),
        predmart_pool::schedule::END_TIME_MAX
    );
}

#[motsu::test]
fn schedule_refusals_change_nothing(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    anyone: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    advance(10_000);
    let now = wd.now();
    let end = now + 30 * DAY;
    let submit = |end: u64, ts: u64, s: &[u8]| {
        pool.sender(anyone)
            .schedule_market(id, U256::from(end), U256::from(ts), s)
    };
    // From the future.
    let s = wd.schedule_sig(id, end, now + 1);
    assert_fails!(
        wd,
        [anyone],
        id,
        submit(end, now + 1, &s),
        Error::PriceFromFuture
    );
    // More than an hour old.
    let s = wd.schedule_sig(id, end, now - 3_601);
    assert_fails!(
        wd,
        [anyone],
        id,
        submit(end, now - 3_601, &s),
        Error::StalePrice
    );
    // Exactly an hour old is fine.
    let s = wd.schedule_sig(id, end, now - 3_600);
    submit(end, now - 3_600, &s).motsu_unwrap();
    // The same or an older message is a replay.
    assert_fails!(
        wd,
        [anyone],
        id,
        submit(end, now - 3_600, &s),
        Error::PriceReplayed
    );
    let s = wd.schedule_sig(id, 0, now - 3_600);
    assert_fails!(
        wd,
        [anyone],
        id,
        submit(0, now - 3_600, &s),
        Error::PriceReplayed
    );
    // Not the oracle's signature, or a signature over other fields.
    let mallory = Account::from_seed("mallory");
    let h = predmart_pool::signatures::market_schedule_hash(id, U256::from(end), U256::from(now));
    let forged = sign(&mallory, predmart_pool::signatures::digest(wd.domain(), h));
    assert_fails!(
        wd,
        [anyone],
        id,
        submit(end, now, &forged),
        Error::InvalidSignature
    );
    let s = wd.schedule_sig(id, end, now);
    assert_fails!(
        wd,
        [anyone],
        id,
        submit(end + 1, now, &s),
        Error::InvalidSignature
    );
    assert_eq!(pool.sender(anyone).market_end_time(id), end);
}

#[motsu::test]
fn no_new_borrows_from_seven_days_before_the_end(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let b = Account::from_seed("borrower");
    wd.collateral(b.address(), id, usd(10_000));
    let end = wd.now() + 7 * DAY + 100;
    wd.schedule(id, end).unwrap();
    // 100 s before the window: borrowing works, and maxBorrow shows room.
    assert!(
        pool.sender(lender)
            .max_borrow(b.address(), id, cents(50))
            .unwrap()
            > 0
    );
    wd.borrow(&b, id, usd(100), cents(50)).unwrap();
    advance(99);
    wd.borrow(&b, id, usd(100), cents(50)).unwrap();
    // From end - 7 days: MarketClosing, and maxBorrow is 0.
    advance(1);
    assert_eq!(wd.now(), end - CLOSING_WINDOW);
    refused!(
        wd,
        [b.address()],
        id,
        wd.borrow(&b, id, usd(100), cents(50)),
        Error::MarketClosing
    );
    assert_eq!(
        pool.sender(lender)
            .max_borrow(b.address(), id, cents(50))
            .unwrap(),
        0
    );
    // Clearing the schedule reopens borrowing.
    wd.schedule(id, 0).unwrap();
    wd.borrow(&b, id, usd(100), cents(50)).unwrap();
}

#[motsu::test]
fn decay_pushes_bob_to_repay(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let bob = bob(&wd);
    let b = bob.address();
    let end = wd.now() + 7 * DAY;
    // Before the schedule Bob's health factor at $0.50 is exactly 1.
    assert_eq!(hf(&pool, b, cents(50)), U256::from(WAD));
    wd.schedule(id, end).unwrap();
    // At end - 7 days the threshold is still whole (no interest yet: same second).
    assert_eq!(hf(&pool, b, cents(50)), U256::from(WAD));
    let lp0 = pool.sender(b).liquidation_price(b, id).unwrap();
    // Half-way through the window: the threshold is half, so is the health factor.
    advance(CLOSING_WINDOW / 2);
    let h = hf(&pool, b, cents(50));
    assert!(h < U256::from(WAD / 2 + WAD / 1000) && h > U256::from(WAD / 2 - WAD / 100));
    assert!(pool.sender(b).liquidation_price(b, id).unwrap() > lp0);
    // Bob is liquidatable at the price he borrowed at, so he repays most of
    // his debt: $2,000 of $2,500 gives him health factor ~2 * 5/7... > 1.
    wd.fund(b, usd(2_100));
    pool.sender(b).repay_for(b, id, usd(2_000)).motsu_unwrap();
    assert!(hf(&pool, b, cents(50)) > U256::from(WAD));
    // A day before the end even $500 of debt is too much at $0.50 ...
    advance(CLOSING_WINDOW / 2 - DAY);
    assert!(hf(&pool, b, cents(50)) < U256::from(WAD));
    // ... and a keeper liquidates it with the ordinary 5% bonus.
    wd.fund(keeper, usd(1_000));
    let seized = wd.liquidate(keeper, b, id, u128::MAX, cents(50)).unwrap();
    assert!(seized > 0);
    // At the end every position with debt has health factor 0 and no
    // price makes it healthy.
    let carol = Account::from_seed("carol");
    wd.collateral(carol.address(), id, usd(1_000));
    advance(DAY);
    assert_eq!(wd.now(), end);
    assert_eq!(hf(&pool, carol.address(), cents(50)), U256::MAX); // no debt
}

#[motsu::test]
fn decay_blocks_withdrawals_with_debt(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let b = Account::from_seed("borrower");
    wd.collateral(b.address(), id, usd(10_000));
    wd.borrow(&b, id, usd(1_000), cents(50)).unwrap();
    // Without a schedule 1,000 shares may leave (HF stays above 1).
    wd.withdraw_collateral(&b, b.address(), id, usd(1_000), cents(50))
        .unwrap();
    wd.schedule(id, wd.now() + DAY).unwrap();
    // A day before the end the threshold is 1/7: the same withdrawal is refused.
    refused!(
        wd,
        [b.address()],
        id,
        wd.withdraw_collateral(&b, b.address(), id, usd(1_000), cents(50)),
        Error::HealthFactorTooLow
    );
    // At the end the position is liquidatable and its liquidation price is max.
    advance(DAY);
    assert_eq!(
        pool.sender(lender)
            .liquidation_price(b.address(), id)
            .unwrap(),
        U256::MAX
    );
    assert_eq!(hf(&pool, b.address(), cents(99)), U256::ZERO);
}

#[motsu::test]
fn a_resolved_market_no_longer_decays(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let bob = bob(&wd);
    let end = wd.now() + DAY;
    wd.schedule(id, end).unwrap();
    advance(DAY);
    assert_eq!(hf(&pool, bob.address(), cents(50)), U256::ZERO);
    let now = wd.now();
    let s = wd.resolution_sig(id, true, now);
    pool.sender(lender)
        .resolve_market(id, true, U256::from(now), &s)
        .motsu_unwrap();
    assert!(hf(&pool, bob.address(), cents(50)) > U256::from(WAD - WAD / 100));
}

// ------------------------------------------------------------ price-drop guard

#[motsu::test]
fn guard_refuses_a_crash_borrow_at_its_exact_boundaries(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let b = Account::from_seed("borrower");
    wd.collateral(b.address(), id, usd(100_000));
    // Accepted at $0.80: 35% of it is $0.28 (> $0.08).
    wd.borrow(&b, id, usd(100), cents(80)).unwrap();
    advance(60);
    // $0.52 - 1 wei is a drop of more than 35% and more than $0.08.
    refused!(
        wd,
        [b.address()],
        id,
        wd.borrow(&b, id, usd(100), cents(52) - 1),
        Error::PriceDropGuard
    );
    // Exactly 35% is allowed.
    wd.borrow(&b, id, usd(100), cents(52)).unwrap();
    // The high is remembered for 3 minutes at least, and forgotten by 6.
    advance(100);
    refused!(
        wd,
        [b.address()],
        id,
        wd.borrow(&b, id, usd(100), cents(40)),
        Error::PriceDropGuard
    );
    advance(200);
    wd.borrow(&b, id, usd(100), cents(40)).unwrap();
}

#[motsu::test]
fn guard_needs_both_the_relative_and_the_absolute_drop(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let b = Account::from_seed("borrower");
    wd.collateral(b.address(), id, usd(100_000));
    // High $0.20: 35% is $0.07, so the $0.08 rule binds.
    wd.borrow(&b, id, usd(100), cents(20)).unwrap();
    advance(1);
    refused!(
        wd,
        [b.address()],
        id,
        wd.borrow(&b, id, usd(10), cents(12) - 1),
        Error::PriceDropGuard
    );
    wd.borrow(&b, id, usd(10), cents(12)).unwrap();
    // A 40% drop of a $0.15 high is only $0.06: allowed.
    advance(400);
    wd.borrow(&b, id, usd(10), cents(15)).unwrap();
    advance(1);
    wd.borrow(&b, id, usd(10), cents(9)).unwrap();
}

#[motsu::test]
fn guard_blocks_withdrawals_with_debt_never_repay_or_liquidation(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let b = Account::from_seed("borrower");
    wd.collateral(b.address(), id, usd(10_000));
    wd.borrow(&b, id, usd(3_000), cents(70)).unwrap();
    advance(30);
    // The crash: $0.70 -> $0.40.
    refused!(
        wd,
        [b.address()],
        id,
        wd.withdraw_collateral(&b, b.address(), id, usd(1), cents(40)),
        Error::PriceDropGuard
    );
    // Repaying needs no price and is never blocked.
    wd.fund(b.address(), usd(100));
    pool.sender(b.address())
        .repay_for(b.address(), id, usd(100))
        .motsu_unwrap();
    // Liquidation at the crash price goes through.
    wd.fund(keeper, usd(10_000));
    assert!(
        wd.liquidate(keeper, b.address(), id, u128::MAX, cents(40))
            .unwrap()
            > 0
    );
    // A debt-free holder withdraws without any price.
    let c = Account::from_seed("carol");
    wd.collateral(c.address(), id, usd(10));
    wd.withdraw_collateral(&c, c.address(), id, usd(10), 0)
        .unwrap();
}

// ------------------------------------------------------------ Dutch auction

#[motsu::test]
fn a_large_position_needs_an_auction(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let whale = whale(&wd);
    let a = whale.address();
    wd.fund(keeper, usd(100_000));
    advance(400);
    // Healthy: no auction, no liquidation.
    refused!(
        wd,
        [a, keeper],
        id,
        wd.auction(keeper, a, id, cents(65)),
        Error::PositionHealthy
    );
    refused!(
        wd,
        [a, keeper],
        id,
        wd.liquidate(keeper, a, id, u128::MAX, cents(65)),
        Error::PositionHealthy
    );
    // Unhealthy at $0.55, but large: a direct liquidation is refused.
    refused!(
        wd,
        [a, keeper],
        id,
        wd.liquidate(keeper, a, id, u128::MAX, cents(55)),
        Error::AuctionRequired
    );
    // Anyone starts the auction.
    let start = wd.auction(keeper, a, id, cents(55)).unwrap();
    assert_eq!(start, wd.now());
    assert_eq!(pool.sender(keeper).auction_start(a, id), start);
    pool.assert_emitted(&events::AuctionStarted {
        borrower: a,
        tokenId: id,
    });
    let got = wd
        .abi(
            keeper,
            IPool::auctionStartCall {
                borrower: a,
                tokenId: id,
            },
        )
        .unwrap();
    assert_eq!(got.start, U256::from(start));
    // Starting again keeps the running auction (no restart of the bonus).
    advance(60);
    assert_eq!(wd.auction(keeper, a, id, cents(55)).unwrap(), start);
    // Half-way through the auction the bonus is 5%: the liquidator receives
    // repaid * 1.05 / price, as a direct liquidation would.
    advance(AUCTION_DURATION / 2 - 60);
    let before = wd.usdc_of(keeper);
    let seized = wd.liquidate(keeper, a, id, u128::MAX, cents(55)).unwrap();
    let repaid = before - wd.usdc_of(keeper);
    assert_eq!(seized, repaid * 105 / 55);
    // The whale's whole debt was due (HF < 0.95): closed, auction over.
    assert_eq!(pool.sender(keeper).get_position(a, id).unwrap().2, 0);
    assert_eq!(pool.sender(keeper).auction_start(a, id), 0);
    pool.assert_emitted(&events::AuctionCleared {
        borrower: a,
        tokenId: id,
    });
}

/// Starts the whale's auction at $0.55, waits `wait` seconds and
/// liquidates $10,000: `(repaid, seized)`.
fn auction_after(wd: &World, keeper: Address, wait: u64) -> (u128, u128) {
    let id = token();
    let a = whale(wd).address();
    wd.fund(keeper, usd(100_000));
    advance(400);
    wd.auction(keeper, a, id, cents(55)).unwrap();
    advance(wait);
    let before = wd.usdc_of(keeper);
    let seized = wd.liquidate(keeper, a, id, usd(10_000), cents(55)).unwrap();
    (before - wd.usdc_of(keeper), seized)
}

#[motsu::test]
fn the_auction_bonus_starts_at_zero(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let (repaid, seized) = auction_after(&world(&pool, &usdc, &ctf, lender), keeper, 0);
    assert_eq!(repaid, usd(10_000));
    assert_eq!(seized, repaid * 100 / 55);
}

#[motsu::test]
fn the_auction_bonus_reaches_ten_percent(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let (repaid, seized) =
        auction_after(&world(&pool, &usdc, &ctf, lender), keeper, AUCTION_DURATION);
    assert_eq!(seized, repaid * 110 / 55);
}

#[motsu::test]
fn the_auction_bonus_stays_at_ten_percent(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let (repaid, seized) = auction_after(&world(&pool, &usdc, &ctf, lender), keeper, AUCTION_TTL);
    assert_eq!(seized, repaid * 110 / 55);
}

#[motsu::test]
fn an_auction_lapses_after_two_hours(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let a = whale(&wd).address();
    wd.fund(keeper, usd(100_000));
    advance(400);
    let start = wd.auction(keeper, a, id, cents(55)).unwrap();
    advance(AUCTION_TTL + 1);
    assert_eq!(pool.sender(keeper).auction_start(a, id), 0);
    refused!(
        wd,
        [a, keeper],
        id,
        wd.liquidate(keeper, a, id, usd(10_000), cents(55)),
        Error::AuctionRequired
    );
    // A new auction starts from 0%.
    let again = wd.auction(keeper, a, id, cents(55)).unwrap();
    assert_eq!(again, start + AUCTION_TTL + 1);
    let before = wd.usdc_of(keeper);
    let seized = wd.liquidate(keeper, a, id, usd(10_000), cents(55)).unwrap();
    assert_eq!(seized, (before - wd.usdc_of(keeper)) * 100 / 55);
}

#[motsu::test]
fn an_auction_ends_when_the_position_is_healthy_again(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let whale = whale(&wd);
    let a = whale.address();
    advance(400);
    let start = wd.auction(keeper, a, id, cents(55)).unwrap();
    // Still unhealthy: a newer price keeps it running.
    advance(1);
    assert_eq!(wd.auction(keeper, a, id, cents(56)).unwrap(), start);
    // The price recovers: anyone ends it.
    advance(1);
    assert_eq!(wd.auction(keeper, a, id, cents(65)).unwrap(), 0);
    assert_eq!(pool.sender(keeper).auction_start(a, id), 0);
    pool.assert_emitted(&events::AuctionCleared {
        borrower: a,
        tokenId: id,
    });
    // With none running, a healthy price is refused.
    advance(1);
    refused!(
        wd,
        [a, keeper],
        id,
        wd.auction(keeper, a, id, cents(65)),
        Error::PositionHealthy
    );
    // A new dip needs a new auction, whose bonus starts again from 0.
    advance(1);
    refused!(
        wd,
        [a, keeper],
        id,
        wd.liquidate(keeper, a, id, u128::MAX, cents(55)),
        Error::AuctionRequired
    );
    wd.auction(keeper, a, id, cents(55)).unwrap();
    // Repaying in full ends it too.
    wd.fund(a, usd(100_000));
    pool.sender(a).repay_for(a, id, u128::MAX).motsu_unwrap();
    assert_eq!(pool.sender(keeper).auction_start(a, id), 0);
}

#[motsu::test]
fn small_positions_need_no_auction(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let bob = bob(&wd);
    let b = bob.address();
    advance(400);
    // Unhealthy at $0.45, debt $2,500: startAuction starts nothing ...
    assert_eq!(wd.auction(keeper, b, id, cents(45)).unwrap(), 0);
    assert_eq!(pool.sender(keeper).auction_start(b, id), 0);
    // ... and the direct liquidation pays the fixed 5% bonus.
    wd.fund(keeper, usd(10_000));
    let before = wd.usdc_of(keeper);
    let seized = wd.liquidate(keeper, b, id, usd(100), cents(45)).unwrap();
    assert_eq!(seized, (before - wd.usdc_of(keeper)) * 105 / 45);
}

#[motsu::test]
fn auctions_refuse_resolved_markets_and_empty_positions(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
    nobody: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let whale = whale(&wd);
    advance(400);
    refused!(
        wd,
        [nobody],
        id,
        wd.auction(keeper, nobody, id, cents(55)),
        Error::NoPosition
    );
    let now = wd.now();
    let s = wd.resolution_sig(id, false, now);
    pool.sender(lender)
        .resolve_market(id, false, U256::from(now), &s)
        .motsu_unwrap();
    advance(1);
    refused!(
        wd,
        [whale.address()],
        id,
        wd.auction(keeper, whale.address(), id, cents(55)),
        Error::MarketResolved
    );
}

#[motsu::test]
fn auction_price_rules(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let whale = whale(&wd);
    let a = whale.address();
    advance(400);
    let now = wd.now();
    // A price older than the newest accepted one cannot start (or clear) an
    // auction: a griefer cannot replay an old price.
    let old = now - 400;
    let s = wd.price_sig(id, cents(55), old, U256::ZERO);
    let call = |ts: u64, s: &[u8]| {
        pool.sender(keeper)
            .start_auction(a, id, w(cents(55)), U256::from(ts), U256::ZERO, s)
    };
    assert_fails!(wd, [a, keeper], id, call(old, &s), Error::StalePrice);
    let s = wd.price_sig(id, cents(55), now + 1, U256::ZERO);
    assert_fails!(
        wd,
        [a, keeper],
        id,
        call(now + 1, &s),
        Error::PriceFromFuture
    );
    let mallory = Account::from_seed("mallory");
    let h =
        predmart_pool::signatures::price_data_hash(id, w(cents(55)), U256::from(now), U256::ZERO);
    let forged = sign(&mallory, predmart_pool::signatures::digest(wd.domain(), h));
    assert_fails!(
        wd,
        [a, keeper],
        id,
        call(now, &forged),
        Error::InvalidSignature
    );
    // Accepted once, the same price time cannot be undercut.
    wd.auction(keeper, a, id, cents(55)).unwrap();
    let s = wd.price_sig(id, cents(55), now - 1, U256::ZERO);
    assert_fails!(wd, [a, keeper], id, call(now - 1, &s), Error::PriceReplayed);
}
