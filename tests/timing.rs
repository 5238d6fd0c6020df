//! No loss hidden in timing (SPEC § "No loss hidden in timing"): each of the
//! second review's sequences replayed with its numbers, passing only with the
//! rule in place.
//!
//! 1. The pool cap measures lenders' money, not a passing deposit.
//! 2. A won market's short payout is in the share price from the redemption:
//!    the first lender out does not leave the loss to the others, and no
//!    interest accrues on debt the payout has fixed.
//! 3. A lost market's written-off collateral never goes back to its borrower.
//! 4. A won market is not liquidated at a pre-resolution price.
//! 5. Accrual frequency does not change the books.

mod common;

use alloy_primitives::{Address, B256, U256};
use common::*;
use motsu::prelude::*;
use predmart_pool::{errors::Error, events, math::Rounding, LendingPool};

const DAY: u64 = 86_400;

// ---------------------------------------------------------------------------
// 1. Pool cap
// ---------------------------------------------------------------------------

/// Lenders hold 1M, so a token may carry 50k. An attacker who is lender and
/// borrower deposits 9M, asks the relayer for a 500k borrow, then redeems
/// its 9M: that used to leave 500k of debt on one token against 1M of the
/// others' money (50%). Re-depositing 50k of borrowed USDC lifted the cap to
/// 52.5k. Now a deposit lifts the cap only once it has stayed in the pool
/// since the start of the previous day.
#[motsu::test]
fn a_passing_deposit_does_not_lift_the_pool_cap(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    attacker: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender, usd(1_000_000));
    advance(DAY);
    let mallory = Account::from_seed("mallory");
    let (b, id) = (mallory.address(), token());
    wd.collateral(b, id, usd(2_000_000));
    assert_eq!(pool.sender(b).token_borrow_cap(), Ok(usd(50_000)));
    let shares = wd.lend(attacker, usd(9_000_000));
    // totalAssets is 10M, but the cap still measures the 1M that was there.
    assert_eq!(pool.sender(b).total_assets(), Ok(usd(10_000_000)));
    assert_eq!(pool.sender(b).token_borrow_cap(), Ok(usd(50_000)));
    let who = [b, attacker, lender];
    assert_fails!(
        wd,
        who,
        id,
        wd.relay_borrow(
            wd.relayer,
            &wd.oracle,
            &mallory,
            id,
            usd(500_000),
            cents(90)
        ),
        Error::ExceedsTokenCap
    );
    assert_fails!(
        wd,
        who,
        id,
        wd.relay_borrow(
            wd.relayer,
            &wd.oracle,
            &mallory,
            id,
            usd(50_000) + 1,
            cents(90)
        ),
        Error::ExceedsTokenCap
    );
    wd.borrow(&mallory, id, usd(50_000), cents(90)).unwrap();
    // The attacker leaves: the token carries 5% of what the lender holds.
    pool.sender(attacker)
        .redeem(shares, attacker, attacker)
        .motsu_unwrap();
    let ta = pool.sender(b).total_assets().unwrap();
    assert!(ta >= usd(1_000_000));
    assert!(pool.sender(b).token_debt(id).unwrap() * 20 <= ta + 20);
    // Re-depositing the borrowed 50k does not lift the cap either.
    wd.fund(b, usd(50_000));
    pool.sender(b).deposit(usd(50_000), b).motsu_unwrap();
    assert_eq!(pool.sender(b).token_borrow_cap(), Ok(usd(50_000)));
    assert_fails!(
        wd,
        who,
        id,
        wd.relay_borrow(wd.relayer, &wd.oracle, &mallory, id, usd(1), cents(90)),
        Error::ExceedsTokenCap
    );
    // Money that stays counts: a day later the 50k has been there since the
    // start of the previous day only once a full day has passed.
    advance(DAY);
    let cap = pool.sender(b).token_borrow_cap().unwrap();
    assert!(cap < usd(50_000) + usd(2_500), "cap {cap}");
    advance(DAY);
    let ta = pool.sender(b).total_assets().unwrap();
    assert_eq!(pool.sender(b).token_borrow_cap(), Ok(ta / 20));
}

/// A fresh pool still lends at once: the reference walk-throughs deposit and
/// borrow in the same hour.
#[motsu::test]
fn a_fresh_pool_lends_at_once(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender, usd(1_000_000));
    let alice = Account::from_seed("alice");
    wd.collateral(alice.address(), token(), usd(100_000));
    assert_eq!(pool.sender(lender).token_borrow_cap(), Ok(usd(50_000)));
    wd.borrow(&alice, token(), usd(50_000), cents(90)).unwrap();
}

// ---------------------------------------------------------------------------
// 2. Won market, short payout
// ---------------------------------------------------------------------------

/// A market's condition and YES token id (`indexSet` 1), as the mock CTF
/// computes it.
fn market_of(wd: &World, byte: u8) -> (B256, U256) {
    let condition = B256::repeat_byte(byte);
    let id = position_id(
        wd.usdc.address(),
        collection_id(B256::ZERO, condition, U256::from(1)),
    );
    (condition, id)
}

/// Resolves `id` won and redeems the pool's shares through the mock CTF,
/// which pays `bps` / 10,000 USDC a share out of `funds`; returns the USDC
/// the pool received.
fn win_and_redeem(wd: &World, condition: B256, id: U256, bps: u64, funds: u128) -> u128 {
    let admin = wd.admin;
    wd.ctf
        .sender(admin)
        .set_payout(condition, U256::from(1), U256::from(bps));
    wd.usdc
        .sender(admin)
        .mint(wd.ctf.address(), w(funds))
        .motsu_unwrap();
    let ts = wd.now();
    wd.pool
        .sender(admin)
        .resolve_market(id, true, U256::from(ts), &wd.resolution_sig(id, true, ts))
        .motsu_unwrap();
    wd.pool
        .sender(admin)
        .redeem_won_collateral(id, condition, U256::from(1))
        .motsu_unwrap()
}

/// 2 lenders × 150k; a borrower owes ~13,002 on 20,000 shares; the market
/// resolves won but the CTF pays $0.50 a share, so redemption returns 10,000
/// and ~3,002 is short. The first lender out used to take 150,001 and leave
/// the whole shortfall to the other (146,998.9); interest kept accruing on
/// debt the payout had fixed. Now the shortfall is in the share price from
/// the redemption on: both lenders get the same, whenever they leave.
#[motsu::test]
fn a_short_payout_is_shared_whoever_exits_first(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    l1: Address,
    l2: Address,
    anyone: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let (condition, id) = market_of(&wd, 9);
    let s1 = wd.lend(l1, usd(150_000));
    let s2 = wd.lend(l2, usd(150_000));
    assert_eq!(s1, s2);
    let bob = Account::from_seed("bob");
    let b = bob.address();
    wd.collateral(b, id, usd(20_000));
    wd.borrow(&bob, id, usd(13_000), cents(90)).unwrap();
    // About 2 USDC of interest: the debt reaches ~13,002.
    advance(95_000);
    let debt = pool.sender(b).get_position(b, id).unwrap().2;
    assert!(debt > usd(13_001) && debt < usd(13_003), "debt {debt}");
    // Won, at $0.50 a share.
    let ta0 = pool.sender(l1).total_assets().unwrap();
    let m0 = pool.sender(l1).market().unwrap();
    let got = win_and_redeem(&wd, condition, id, 5_000, usd(10_000));
    assert_eq!(got, usd(10_000));
    // The shortfall is written off now: reserves first, lenders the rest.
    let m1 = pool.sender(l1).market().unwrap();
    let frozen = pool.sender(l1).token_debt(id).unwrap();
    assert!(frozen.abs_diff(debt) <= 1);
    let short = frozen - got;
    assert_eq!(m1.settling, got);
    pool.assert_emitted(&events::BadDebtAbsorbed {
        borrower: Address::ZERO,
        tokenId: id,
        amount: w(short),
    });
    // (With the last borrow share the virtual shares' dust, a unit or so,
    // is written off too, also reserves first.)
    let absorbed = m0.reserves - m1.reserves;
    assert!(absorbed >= m0.reserves.min(short));
    let ta1 = pool.sender(l1).total_assets().unwrap();
    let written_off = ta0 - ta1 + absorbed;
    assert!(
        written_off >= short && written_off - short <= 1,
        "{written_off} vs {short}"
    );
    // No interest accrues on the frozen debt: a month later nothing moved.
    advance(30 * DAY);
    assert_eq!(pool.sender(l1).total_assets(), Ok(ta1));
    assert_eq!(pool.sender(l1).token_debt(id), Ok(frozen));
    assert_eq!(pool.sender(b).get_position(b, id).unwrap().2, frozen);
    // Before anyone settles, exits are priced without the receivable: a
    // lender leaving now cannot take the part of it that may be short.
    let early = pool.sender(l1).exit_assets_for(s1).unwrap();
    assert!(early < usd(145_000), "early exit {early}");
    // Settling is permissionless: the position is settled (the payout
    // repays what it can, nothing more is lost)...
    let surplus = pool.sender(anyone).settle_redemption(b, id).motsu_unwrap();
    assert_eq!(surplus, 0);
    assert!(!pool.all_events().iter().any(|l| {
        <events::BadDebtAbsorbed as alloy_sol_types::SolEvent>::decode_log_data(l, true)
            .is_ok_and(|e| e.borrower == b)
    }));
    assert_eq!(pool.sender(l1).total_assets(), Ok(ta1));
    // ...and both lenders get the same (to a unit), whoever leaves first.
    let first = pool.sender(l1).redeem(s1, l1, l1).motsu_unwrap();
    // (All it can: the pool's last unit of cash rounds to the virtual shares.)
    let max = pool.sender(l2).max_redeem(l2).unwrap();
    assert!(s2 - max < 1_000_000, "{max} of {s2}");
    let second = pool.sender(l2).redeem(max, l2, l2).motsu_unwrap();
    assert!(first.abs_diff(second) <= 1, "{first} vs {second}");
    // Each bears half of what the reserves could not take.
    let each = (short - absorbed) / 2;
    assert!(first < usd(150_000) && usd(150_000) - first <= each + usd(1));
    let m = pool.sender(l1).market().unwrap();
    assert_eq!((m.settling, m.borrowed), (0, 0));
}

/// The adversarial review's case: two positions on a won market paying $0.50
/// a share. Alice (20,000 shares, owes 1,000) is covered; Bob (20,000 shares,
/// owes 13,000) is 3,000 short, certain from the redemption, but the token's
/// proceeds (20,000) cover its debt (14,000) in aggregate, so nothing is
/// written off then. A lender leaving before the settlements used to take
/// 150,000 and leave the 3,000 to the other; exits now ignore the unsettled
/// receivable, so the early leaver gets no more than the one who waits.
#[motsu::test]
fn a_hidden_per_position_shortfall_cannot_be_left_to_others(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    l1: Address,
    l2: Address,
    anyone: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let (condition, id) = market_of(&wd, 4);
    let s1 = wd.lend(l1, usd(150_000));
    let s2 = wd.lend(l2, usd(150_000));
    let (alice, bob) = (Account::from_seed("alice"), Account::from_seed("bob"));
    wd.set_cap(0);
    for (who, debt) in [(&alice, usd(1_000)), (&bob, usd(13_000))] {
        wd.collateral(who.address(), id, usd(20_000));
        wd.borrow(who, id, debt, cents(90)).unwrap();
    }
    win_and_redeem(&wd, condition, id, 5_000, usd(20_000));
    // l1 leaves before anyone settles.
    let max1 = pool.sender(l1).max_redeem(l1).unwrap();
    assert_eq!(max1, s1);
    let first = pool.sender(l1).redeem(s1, l1, l1).motsu_unwrap();
    assert!(
        first <= usd(150_000) - usd(1_500),
        "the early leaver took {first}"
    );
    for who in [&alice, &bob] {
        pool.sender(anyone)
            .settle_redemption(who.address(), id)
            .motsu_unwrap();
    }
    let max2 = pool.sender(l2).max_redeem(l2).unwrap();
    assert!(s2 - max2 < 1_000_000);
    let second = pool.sender(l2).redeem(max2, l2, l2).motsu_unwrap();
    // The one who waited gets at least as much: the 3,000 was not left to it.
    assert!(second >= first, "{second} < {first}");
    assert!(second >= usd(150_000) - usd(1_500) - usd(1), "{second}");
}

/// Repaying a redeemed market's frozen debt in cash is refused: settlement
/// repays it from the proceeds, and the surplus goes to the borrower.
#[motsu::test]
fn a_redeemed_debt_is_settled_not_repaid(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    anyone: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let (condition, id) = market_of(&wd, 3);
    wd.lend(lender, usd(100_000));
    let bob = Account::from_seed("bob");
    let b = bob.address();
    wd.collateral(b, id, usd(1_000));
    wd.borrow(&bob, id, usd(500), cents(90)).unwrap();
    win_and_redeem(&wd, condition, id, 10_000, usd(1_000));
    wd.fund(b, usd(1_000));
    assert_fails!(
        wd,
        [b, anyone],
        id,
        pool.sender(b).repay_for(b, id, u128::MAX),
        Error::MarketResolved
    );
    let debt = pool.sender(b).get_position(b, id).unwrap().2;
    let surplus = pool.sender(anyone).settle_redemption(b, id).motsu_unwrap();
    assert_eq!(surplus, usd(1_000) - debt);
}

// ---------------------------------------------------------------------------
// 3. Lost market
// ---------------------------------------------------------------------------

/// After `resolveMarket(lost)` wrote the debt off, the position read debt 0
/// and `withdrawCollateral` gave the borrower its shares back (worth money
/// on a split payout): loan and collateral both. Now refused; the shares
/// stay with the pool when the position is closed. A depositor who never
/// borrowed still takes its own shares back.
#[motsu::test]
fn a_written_off_borrower_does_not_get_the_collateral_back(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    anyone: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender, usd(100_000));
    let (bob, carol) = (Account::from_seed("bob"), Account::from_seed("carol"));
    let (b, c, id) = (bob.address(), carol.address(), token());
    wd.collateral(b, id, usd(1_000));
    wd.borrow(&bob, id, usd(500), cents(90)).unwrap();
    wd.collateral(c, id, usd(300));
    let ts = wd.now();
    pool.sender(anyone)
        .resolve_market(id, false, U256::from(ts), &wd.resolution_sig(id, false, ts))
        .motsu_unwrap();
    assert_eq!(pool.sender(b).get_position(b, id).unwrap().2, 0);
    for amount in [1, usd(1_000)] {
        assert_fails!(
            wd,
            [b, c, anyone],
            id,
            pool.sender(b).withdraw_collateral(id, amount, b),
            Error::MarketResolved
        );
    }
    // The debt-free depositor takes its own shares back.
    pool.sender(c)
        .withdraw_collateral(id, usd(300), c)
        .motsu_unwrap();
    assert_eq!(wd.ctf_of(c, id), usd(300));
    // Closing clears the position; the shares stay with the pool.
    pool.sender(anyone)
        .close_lost_position(b, id)
        .motsu_unwrap();
    assert_eq!(pool.sender(b).get_position(b, id).unwrap(), (0, 0, 0));
    assert_eq!(wd.ctf_of(b, id), 0);
    assert_eq!(wd.ctf_of(pool.address(), id), usd(1_000));
}

// ---------------------------------------------------------------------------
// 4. Won market, pre-resolution price
// ---------------------------------------------------------------------------

/// A price signed 5 s before a won resolution was still fresh and not older
/// than the last accepted one: a liquidator paid 4,050 for 10,000 won shares
/// (redeemable for 10,000), lenders took 500 of bad debt and the borrower
/// lost 5,450. Now the resolution counts as the token's newest price.
#[motsu::test]
fn a_won_market_is_not_liquidated_at_a_pre_resolution_price(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    keeper: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(lender, usd(1_000_000));
    let alice = Account::from_seed("alice");
    let (a, id) = (alice.address(), token());
    wd.collateral(a, id, usd(10_000));
    wd.borrow(&alice, id, usd(4_550), cents(70)).unwrap();
    advance(10);
    let t_price = wd.now();
    let psig = wd.price_sig(id, cents(45), t_price, U256::ZERO);
    advance(5);
    let ts = wd.now();
    pool.sender(keeper)
        .resolve_market(id, true, U256::from(ts), &wd.resolution_sig(id, true, ts))
        .motsu_unwrap();
    assert_eq!(pool.sender(a).last_price_timestamp(id), ts);
    wd.fund(keeper, usd(10_000));
    assert_fails!(
        wd,
        [a, keeper],
        id,
        pool.sender(keeper).liquidate(
            a,
            id,
            u128::MAX,
            w(cents(45)),
            U256::from(t_price),
            U256::ZERO,
            &psig
        ),
        Error::PriceReplayed
    );
    // A price signed after the resolution (the oracle knows the outcome)
    // shows the position healthy.
    advance(1);
    assert_eq!(
        wd.liquidate(keeper, a, id, u128::MAX, cents(99)),
        Err(Error::PositionHealthy)
    );
}

// ---------------------------------------------------------------------------
// 5. Accrual frequency
// ---------------------------------------------------------------------------

/// Interest and reserves after an hour on 1,000 USDC at 6.25%: accrued once
/// or every second, the same (they used to be 7,130 / 356 once and
/// 7,200 / 0 every second: interest rounded up and the fee down each time).
#[motsu::test]
fn accrual_frequency_does_not_change_the_books() {
    let run = |every_second: bool| {
        let pool = Contract::<LendingPool>::new();
        let usdc = Contract::<MockUsdc>::new();
        let ctf = Contract::<MockCtf>::new();
        let wd = World::new(&pool, &usdc, &ctf);
        let lender = Address::with_last_byte(0x11);
        wd.lend(lender, usd(20_000));
        let bob = Account::from_seed("bob");
        wd.collateral(bob.address(), token(), usd(10_000));
        wd.set_cap(0);
        wd.borrow(&bob, token(), usd(1_000), cents(90)).unwrap();
        let m0 = pool.sender(lender).market().unwrap();
        assert_eq!(
            predmart_pool::interest::borrow_rate(m0.utilization().unwrap()).unwrap(),
            625 * PCT / 100
        );
        if every_second {
            for _ in 0..3_600 {
                advance(1);
                pool.sender(lender).accrue().unwrap();
            }
        } else {
            advance(3_600);
            pool.sender(lender).accrue().unwrap();
        }
        let m = pool.sender(lender).market().unwrap();
        let price = pool
            .sender(lender)
            .assets_for(usd(1) * 1_000_000, Rounding::Down)
            .unwrap();
        (m.borrowed - m0.borrowed, m.reserves, price)
    };
    let (i1, r1, p1) = run(false);
    let (i2, r2, p2) = run(true);
    // 7,129.8 units of interest: 7,129 booked, the fraction carried.
    assert_eq!((i1, r1), (7_129, 356));
    assert!(i2.abs_diff(i1) <= 1, "every second: interest {i2} vs {i1}");
    assert!(r2.abs_diff(r1) <= 1, "every second: reserves {r2} vs {r1}");
    assert!(p1.abs_diff(p2) <= 1, "share price {p1} vs {p2}");
}
