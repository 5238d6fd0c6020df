//! Review 2 (adversarial) of the jump-risk defences: each test here failed
//! on the reviewed code and demonstrated one finding; they now pin the
//! fixes (third-party repayments cannot dodge the auction; auctions lapse
//! after `AUCTION_TTL`; only a newer price ends one).

mod common;

use alloy_primitives::{Address, U256};
use common::*;
use motsu::prelude::*;
use predmart_pool::{errors::Error, LendingPool};

const DAY: u64 = 86_400;

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

fn debt(pool: &Contract<LendingPool>, who: Address) -> u128 {
    pool.sender(who).get_position(who, token()).unwrap().2
}

/// Finding 1 (auction bypass by a third-party repayment).
///
/// A position just above `AUCTION_MIN_DEBT` (126,250 shares, 50,500 USDC
/// borrowed at $0.65) becomes unhealthy at $0.55 (HF ~0.91). A direct
/// liquidation is refused (`AuctionRequired`), so the liquidator should get
/// at most the auction's bonus, which starts at 0%. But `repayFor` is open
/// to anyone: the keeper gifts ~501 USDC of the borrower's debt, taking it
/// below 50,000, and liquidates directly at the fixed 5% bonus (whole debt,
/// HF < 0.95): ~2,500 USDC of bonus for a 501 USDC gift, all in one
/// transaction. The borrower loses ~2,000 USDC more than in the auction it
/// was promised.
#[motsu::test]
fn review2_repay_for_gift_dodges_the_auction(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let whale = Account::from_seed("whale");
    let a = whale.address();
    wd.collateral(a, id, usd(126_250));
    wd.borrow(&whale, id, usd(50_500), cents(65)).unwrap();
    wd.fund(keeper, usd(100_000));
    advance(400);
    // Large and unhealthy: the direct path is refused.
    assert_eq!(
        wd.liquidate(keeper, a, id, u128::MAX, cents(55)),
        Err(Error::AuctionRequired)
    );
    // The gift: just enough to take the debt below 50,000 USDC. Refused:
    // someone else's partial repayment may not cross the auction line.
    let gift = debt(&pool, a) - usd(49_999);
    let before = wd.snapshot(&[a, keeper], id);
    assert_eq!(
        pool.sender(keeper).repay_for(a, id, gift).motsu_res(),
        Err(Error::AuctionRequired)
    );
    assert_eq!(wd.snapshot(&[a, keeper], id), before);
    // A gift that keeps the position large, or repays it all, is fine; so
    // is the borrower's own repayment across the line.
    pool.sender(keeper)
        .repay_for(a, id, usd(100))
        .motsu_unwrap();
    wd.fund(a, usd(1_000));
    pool.sender(a).repay_for(a, id, gift).motsu_unwrap();
    assert!(debt(&pool, a) < usd(50_000));
    let d = debt(&pool, a);
    pool.sender(keeper)
        .repay_for(a, id, u128::MAX)
        .motsu_unwrap();
    assert_eq!(debt(&pool, a), 0);
    assert!(d > 0);
}

/// Finding 2 (stale auction: a repayment that makes the position healthy
/// does not end it; the next dip pays an immediate 10%).
///
/// The whale (200,000 shares, 80,000 USDC at $0.65) is put in auction at
/// $0.55 (HF ~0.91). Ten seconds later it repays 15,000 USDC: HF ~1.12 at
/// $0.55, healthy. `auction.rs` says "after a liquidation, a repayment or
/// a newer valid price it stores `settle`'s result", but `repay_for` never
/// settles (only a full repayment ends it, in `burn`). A day later the price
/// dips to $0.50 (HF ~0.96): the first liquidator is paid the auction's full
/// 10% at once, with no `startAuction` and no 30-minute descent, twice the
/// direct bonus and 10% more than a fresh auction's 0%.
#[motsu::test]
fn review2_repayment_to_health_leaves_a_stale_auction(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let whale = Account::from_seed("whale");
    let a = whale.address();
    wd.collateral(a, id, usd(200_000));
    wd.borrow(&whale, id, usd(80_000), cents(65)).unwrap();
    wd.fund(keeper, usd(200_000));
    advance(400);
    assert_ne!(wd.auction(keeper, a, id, cents(55)).unwrap(), 0);
    advance(10);
    wd.fund(a, usd(15_000));
    pool.sender(a).repay_for(a, id, usd(15_000)).motsu_unwrap();
    let hf = pool.sender(a).get_health_factor(a, id, cents(55)).unwrap();
    assert!(hf > U256::from(WAD), "healthy again after the repayment");
    // A day later, a dip.
    advance(DAY);
    let running = pool.sender(a).auction_start(a, id);
    let before = wd.usdc_of(keeper);
    let seized = wd.liquidate(keeper, a, id, usd(10_000), cents(50));
    let repaid = before - wd.usdc_of(keeper);
    // A position shown healthy since the auction started needs a new
    // auction (bonus from 0), as after a healthy price (`startAuction`).
    assert_eq!(
        seized.map(|s| s * 50 / repaid),
        Err(Error::AuctionRequired),
        "(Ok(x): liquidated at once, x/100 = 1 + bonus; the auction of a day ago (start {running}) still ran)"
    );
}

/// Finding 3 (an auction cleared by a price no newer than the one that
/// started it).
///
/// The spec ends an auction "when a newer valid price shows it healthy
/// again". `check_price` accepts a price whose time equals the newest
/// accepted one, so two prices the oracle signed in the same second ($0.55
/// and $0.65, e.g. a quote on each side of a jump) let the borrower clear
/// the auction the keeper just started, at once and as often as such pairs
/// exist: every clear resets the bonus to 0 on the next `startAuction`.
#[motsu::test]
fn review2_auction_cleared_by_a_price_of_the_same_second(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = world(&pool, &usdc, &ctf, lender);
    let id = token();
    let whale = Account::from_seed("whale");
    let a = whale.address();
    wd.collateral(a, id, usd(200_000));
    wd.borrow(&whale, id, usd(80_000), cents(65)).unwrap();
    advance(400);
    let now = wd.now();
    let start = wd.auction(keeper, a, id, cents(55)).unwrap();
    assert_ne!(start, 0);
    // The same second's other quote, submitted by the borrower.
    let s = wd.price_sig(id, cents(65), now, U256::ZERO);
    let got = pool
        .sender(a)
        .start_auction(a, id, w(cents(65)), U256::from(now), U256::ZERO, &s)
        .motsu_res();
    assert_eq!(
        pool.sender(a).auction_start(a, id),
        start,
        "a price no newer than the auction's own cleared it ({got:?})"
    );
}
