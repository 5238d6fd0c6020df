//! Two-stage liquidation: positions with debt below 50,000 USDC are
//! liquidated directly (5% bonus, 10% underwater discount, as in the
//! reference walk-throughs); larger ones by a Dutch auction whose bonus rises
//! from 0% to 10% over 30 minutes. Pure: the amounts are
//! `liquidation::liquidate_with`'s, with the terms chosen here.
//!
//! Per position the pool stores the auction's start time (0: none), 40 bits.
//! The contract's `startAuction` stores [`start`]'s result and emits
//! `AuctionStarted(borrower, tokenId)` when it changed; `liquidate` takes
//! [`terms`] (`None` reverts with the proposed `AuctionRequired()`); after a
//! liquidation, a repayment or a newer valid price it stores [`settle`]'s
//! result and emits `AuctionCleared(borrower, tokenId)` when it became 0.

use crate::{
    errors::Result,
    fail,
    liquidation::{BONUS, UNDERWATER_PAY},
    math::{mul_div, Rounding, WAD},
};

/// Debt from which a position is sold by auction: 50,000 USDC (6 decimals).
pub const AUCTION_MIN_DEBT: u128 = 50_000_000_000;
/// Time for the auction's bonus to reach [`MAX_BONUS`]: 30 minutes.
pub const AUCTION_DURATION: u64 = 1_800;
/// The auction's bonus after [`AUCTION_DURATION`]: 10% (WAD).
pub const MAX_BONUS: u128 = 100_000_000_000_000_000;

/// How long an auction lives: 2 hours from its start (four times the
/// bonus's 30-minute rise). A position left unhealthy that long at the full
/// 10% is re-auctioned from 0%; and an auction that outlived the position's
/// recovery (a repayment to health ends none: repayments carry no price)
/// cannot pay a later dip the full bonus at once.
pub const AUCTION_TTL: u64 = 7_200;

/// The auction stored as started at `start` as seen at `now`: `start`
/// while it lives (`now - start <= AUCTION_TTL`), else 0 (none).
pub fn live(start: u64, now: u64) -> u64 {
    if now.saturating_sub(start) <= AUCTION_TTL {
        start
    } else {
        0
    }
}

/// True when a position owing `debt` must be sold by auction.
pub fn needs_auction(debt: u128) -> bool {
    debt >= AUCTION_MIN_DEBT
}

/// The auction's bonus (WAD) at `now` for an auction started at `start`:
/// `10% * (now - start) / 30 minutes`, rounded **down** (a smaller bonus:
/// for lenders and the borrower), 0 before `start`, 10% from 30 minutes
/// on. Non-decreasing in `now`.
pub fn bonus(start: u64, now: u64) -> u128 {
    let t = now.saturating_sub(start).min(AUCTION_DURATION);
    // t <= 1,800: the quotient is at most MAX_BONUS, mul_div cannot fail.
    mul_div(
        MAX_BONUS,
        t as u128,
        AUCTION_DURATION as u128,
        Rounding::Down,
    )
    .unwrap_or(0)
}

/// `startAuction`: the start time to store for a position whose auction
/// started at `running` (0: none), with health factor `hf` (decayed, at a
/// valid price) and `debt`, at `now`.
///
/// * `hf >= 1`: a running auction ends (0: the position is healthy again
///   at a newer valid price, so anyone may clear it); with none running,
///   `PositionHealthy`.
/// * An auction already running is kept (`running`): restarting would reset
///   the bonus to 0, a free grief against liquidators.
/// * A debt below [`AUCTION_MIN_DEBT`] needs no auction: 0 (nothing
///   started; the position is liquidated directly).
/// * Else `now` (at least 1, since 0 means none).
///
/// The contract emits `AuctionStarted` (or `AuctionCleared`) only when the
/// result differs from `running`.
pub fn start(running: u64, hf: u128, debt: u128, now: u64) -> Result<u64> {
    if hf >= WAD {
        if running != 0 {
            return Ok(0);
        }
        return Err(fail!(PositionHealthy));
    }
    if running != 0 || !needs_auction(debt) {
        return Ok(running);
    }
    Ok(now.max(1))
}

/// The liquidation terms `(bonus, discount)` (WAD) for
/// `liquidation::liquidate_with` at `now`, for a position owing `debt` whose
/// auction started at `running` (0: none):
///
/// * auction running: the auction's [`bonus`] for both (repay `r`, receive
///   `r * (1 + bonus) / price` shares; underwater, all the collateral for
///   `(1 - bonus) * value`), even once bites took the debt below
///   [`AUCTION_MIN_DEBT`] (an auction, once started, runs to its end);
/// * no auction, debt below [`AUCTION_MIN_DEBT`]: the direct terms, 5% and
///   10%, exactly `liquidation::liquidate`'s;
/// * no auction, larger debt: `None`, the contract reverts with
///   `AuctionRequired()`.
pub fn terms(running: u64, debt: u128, now: u64) -> Option<(u128, u128)> {
    if running != 0 {
        let b = bonus(running, now);
        return Some((b, b));
    }
    if needs_auction(debt) {
        return None;
    }
    Some((BONUS - WAD, WAD - UNDERWATER_PAY))
}

/// The start time to keep after a liquidation, a repayment or a newer valid
/// price: 0 (the auction ends) when the position has no debt left or is
/// healthy again (`hf >= 1`, decayed), else `running`.
pub fn settle(running: u64, hf: u128, debt: u128) -> u64 {
    if debt == 0 || hf >= WAD {
        0
    } else {
        running
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        liquidation::{liquidate, liquidate_with, Outcome, MIN_DEBT},
        risk::{collateral_value, Curve},
    };
    use alloy_primitives::U256;
    use proptest::prelude::*;

    const PCT: u128 = 10_000_000_000_000_000;
    const T: u64 = 1_800_000_000;

    #[test]
    fn auctions_lapse_after_two_hours() {
        assert_eq!(live(0, T), 0);
        assert_eq!(live(T, T), T);
        assert_eq!(live(T, T + AUCTION_TTL), T);
        assert_eq!(live(T, T + AUCTION_TTL + 1), 0);
        assert_eq!(live(T, 0), T); // a clock behind the start: still live
                                   // A lapsed auction is none: a large position needs a new one.
        assert_eq!(
            terms(live(T, T + AUCTION_TTL + 1), AUCTION_MIN_DEBT, T),
            None
        );
        assert!(AUCTION_TTL >= 2 * AUCTION_DURATION);
    }

    #[test]
    fn bonus_at_its_edges() {
        assert_eq!(bonus(T, T), 0);
        assert_eq!(bonus(T, T - 1), 0); // before the start
        assert_eq!(bonus(T, 0), 0);
        assert_eq!(bonus(T, T + 1), 55_555_555_555_555); // 0.1 / 1800, down
        assert_eq!(bonus(T, T + 15 * 60), 5 * PCT);
        assert_eq!(bonus(T, T + 30 * 60 - 1), MAX_BONUS - 55_555_555_555_556);
        assert_eq!(bonus(T, T + 30 * 60), MAX_BONUS);
        assert_eq!(bonus(T, T + 31 * 60), MAX_BONUS);
        assert_eq!(bonus(T, u64::MAX), MAX_BONUS);
        assert_eq!(bonus(0, u64::MAX), MAX_BONUS);
    }

    #[test]
    fn start_terms_and_settle() {
        let big = AUCTION_MIN_DEBT;
        assert!(needs_auction(big) && !needs_auction(big - 1));
        assert_eq!(start(0, WAD, big, T), Err(fail!(PositionHealthy)));
        assert_eq!(start(0, WAD - 1, big, T), Ok(T));
        assert_eq!(start(0, 0, big, 0), Ok(1));
        assert_eq!(start(T - 5, 0, big, T), Ok(T - 5)); // never restarted
        assert_eq!(start(T - 5, WAD, big, T), Ok(0)); // healthy again: cleared
        assert_eq!(start(T - 5, WAD - 1, big, T), Ok(T - 5));
        assert_eq!(start(0, 0, big - 1, T), Ok(0)); // small: no auction
                                                    // Terms: small and direct, large needs an auction, running auction.
        let direct = Some((5 * PCT, 10 * PCT));
        assert_eq!(terms(0, big - 1, T), direct);
        assert_eq!(terms(0, 0, T), direct);
        assert_eq!(terms(0, big, T), None);
        assert_eq!(terms(T, big, T), Some((0, 0)));
        assert_eq!(terms(T, big, T + 900), Some((5 * PCT, 5 * PCT)));
        assert_eq!(terms(T, 1, T + 4_000), Some((MAX_BONUS, MAX_BONUS)));
        assert_eq!(settle(T, WAD - 1, 1), T);
        assert_eq!(settle(T, WAD, 1), 0);
        assert_eq!(settle(T, 0, 0), 0);
        assert_eq!(settle(0, 0, 5), 0);
    }

    #[test]
    fn direct_terms_are_the_fixed_rule() {
        // Alice's walk-through (below 50,000 USDC) through terms() is the
        // direct 5% liquidation, unchanged.
        let c = Curve::default();
        let (coll, debt, p) = (15_000_000_000, 5_520_000_000, 55 * PCT);
        let (b, d) = terms(0, debt, T).unwrap();
        let o = liquidate_with(c.liquidation_threshold(p), b, d, coll, debt, p, u128::MAX);
        assert_eq!(o, liquidate(&c, coll, debt, p, u128::MAX));
        assert_eq!(o.unwrap().seized, 5_269_090_909);
    }

    #[test]
    fn auction_walkthrough() {
        // 200,000 shares at $0.55 owing 73,600 USDC: HF 0.990, above water.
        let c = Curve::default();
        let (coll, debt, p) = (200_000_000_000u128, 73_600_000_000u128, 55 * PCT);
        let lt = c.liquidation_threshold(p);
        assert_eq!(terms(0, debt, T), None); // AuctionRequired
        let s = start(0, c.health_factor(coll, p, debt).unwrap(), debt, T).unwrap();
        // 15 minutes in: 5% bonus, 50% close factor, as the direct rule.
        let (b, d) = terms(s, debt, T + 900).unwrap();
        let o = liquidate_with(lt, b, d, coll, debt, p, u128::MAX).unwrap();
        assert_eq!(o.repaid, 36_800_000_000);
        assert_eq!(o.seized, 70_254_545_454); // 36,800 * 1.05 / 0.55
                                              // At the start: no bonus, the shares at the oracle price.
        let o = liquidate_with(lt, 0, 0, coll, debt, p, 1_100_000_000).unwrap();
        assert_eq!((o.repaid, o.seized), (1_100_000_000, 2_000_000_000));
        // Underwater at 30 minutes: all collateral for 90% of its value.
        let (b, d) = terms(s, debt, T + 1_800).unwrap();
        let o = liquidate_with(lt, b, d, coll, 120_000_000_000, p, u128::MAX).unwrap();
        assert_eq!(
            o,
            Outcome {
                repaid: 99_000_000_000,
                seized: coll,
                bad_debt: 21_000_000_000
            }
        );
        // At 10 minutes underwater: 96.67% of the value, rounded up.
        let (b, d) = terms(s, debt, T + 600).unwrap();
        let o = liquidate_with(lt, b, d, coll, 120_000_000_000, p, u128::MAX).unwrap();
        assert_eq!(o.repaid, 106_333_333_334);
    }

    /// A liquidator's sequence of `(seconds later, offer)` bites on one
    /// position at one price during one auction started at `T`; returns the
    /// totals (repaid, seized, bad debt) and the last bite's bonus, checking
    /// that every remainder is above water, no dust, and never without
    /// collateral.
    fn run_auction(
        lt: u128,
        fixed_bonus: Option<u128>,
        mut coll: u128,
        mut debt: u128,
        p: u128,
        bites: &[(u64, u128)],
    ) -> core::result::Result<(u128, u128, u128, u128), TestCaseError> {
        let above = collateral_value(coll, p).unwrap() >= debt;
        let (mut repaid, mut seized, mut bad, mut last) = (0, 0, 0, 0);
        let mut now = T;
        for (dt, offer) in bites {
            now += dt;
            let b = fixed_bonus.unwrap_or_else(|| bonus(T, now));
            let Ok(o) = liquidate_with(lt, b, b, coll, debt, p, *offer) else {
                continue;
            };
            last = b;
            repaid += o.repaid;
            seized += o.seized;
            bad += o.bad_debt;
            coll -= o.seized;
            debt -= o.repaid + o.bad_debt;
            if debt == 0 {
                break;
            }
            prop_assert!(debt >= MIN_DEBT && coll > 0);
            if above {
                // Still (1 + b)-covered, so above water at any later bonus.
                prop_assert!(
                    collateral_value(coll, p).unwrap()
                        >= mul_div(debt, WAD + b, WAD, Rounding::Down).unwrap()
                );
            }
        }
        Ok((repaid, seized, bad, last))
    }

    fn offers() -> impl Strategy<Value = Vec<(u64, u128)>> {
        proptest::collection::vec(
            (0u64..600, 0u8..4, any::<u64>()).prop_map(|(dt, mode, v)| {
                let offer = match mode {
                    0 => u128::MAX,
                    1 => (v % 10) as u128,
                    2 => (v % 10_000_000) as u128,
                    _ => (v % 100_000_000_000_000) as u128,
                };
                (dt, offer)
            }),
            1..12,
        )
    }

    proptest! {
        /// The bonus is non-decreasing in time, 0 at the start, capped at
        /// 10%, and exactly `floor(10% * elapsed / 1800)` while it rises.
        #[test]
        fn bonus_monotone_and_capped(s in any::<u64>(), a in any::<u64>(), b in any::<u64>()) {
            let (lo, hi) = (a.min(b), a.max(b));
            prop_assert!(bonus(s, lo) <= bonus(s, hi));
            prop_assert!(bonus(s, hi) <= MAX_BONUS);
            let e = hi.saturating_sub(s);
            if e < AUCTION_DURATION {
                prop_assert_eq!(bonus(s, hi), MAX_BONUS * e as u128 / 1_800);
            } else {
                prop_assert_eq!(bonus(s, hi), MAX_BONUS);
            }
        }

        /// Splitting never pays, at any bonus in [0, 10%] and any (decayed)
        /// threshold, at one time: on a position above water, any sequence
        /// of offers writes nothing off and the shares seized in total never
        /// exceed what one call repaying the same total would give
        /// (`floor(total * (1 + b) / price)`); on a position under water, the
        /// first bite takes everything, so the split is the one call.
        #[test]
        fn splitting_never_pays_at_any_bonus(
            coll in 1_000_000u64..10_000_000_000_000, ratio in 800u64..2_000,
            p in 10_000_000_000_000_000u64..990_000_000_000_000_000,
            b in 0u128..=MAX_BONUS, decay in 0u128..=WAD, bites in offers(),
        ) {
            let c = Curve::default();
            let (coll, p) = (coll as u128, p as u128);
            let lt = mul_div(c.liquidation_threshold(p), decay, WAD, Rounding::Down).unwrap();
            let value = collateral_value(coll, p).unwrap();
            let debt = mul_div(value, 1_000, ratio as u128, Rounding::Down).unwrap();
            prop_assume!(debt >= MIN_DEBT);
            prop_assume!(mul_div(value, lt, debt, Rounding::Down).unwrap() < WAD);
            let (repaid, seized, bad, _) = run_auction(lt, Some(b), coll, debt, p, &bites)?;
            if value >= debt {
                prop_assert_eq!(bad, 0);
                prop_assert!(seized <= mul_div(repaid, WAD + b, p, Rounding::Down).unwrap());
            } else if repaid != 0 || bad != 0 {
                let one = liquidate_with(lt, b, b, coll, debt, p, u128::MAX).unwrap();
                prop_assert_eq!((repaid, seized, bad), (one.repaid, one.seized, one.bad_debt));
            }
        }

        /// Across time in one auction (later bites at higher bonuses, one
        /// price): a position above water at the price is never written
        /// off however the bites are split and timed, and the liquidator
        /// never receives more shares than one call repaying the same total
        /// at the last bite's bonus would give. (Waiting can pay, by design:
        /// that is the auction; splitting cannot beat waiting.)
        #[test]
        fn splitting_across_time_never_pays(
            coll in 1_000_000u64..10_000_000_000_000, ratio in 800u64..2_000,
            p in 10_000_000_000_000_000u64..990_000_000_000_000_000,
            decay in 0u128..=WAD, bites in offers(),
        ) {
            let c = Curve::default();
            let (coll, p) = (coll as u128, p as u128);
            let lt = mul_div(c.liquidation_threshold(p), decay, WAD, Rounding::Down).unwrap();
            let value = collateral_value(coll, p).unwrap();
            let debt = mul_div(value, 1_000, ratio as u128, Rounding::Down).unwrap();
            prop_assume!(debt >= MIN_DEBT);
            prop_assume!(mul_div(value, lt, debt, Rounding::Down).unwrap() < WAD);
            let (repaid, seized, bad, last) = run_auction(lt, None, coll, debt, p, &bites)?;
            if value >= debt {
                prop_assert_eq!(bad, 0);
            }
            // seized * p <= repaid * (1 + last), exactly, in 256 bits.
            let lhs = U256::from(seized) * U256::from(p);
            let rhs = U256::from(repaid) * U256::from(WAD + last);
            prop_assert!(value < debt || lhs <= rhs);
            // Lenders never lose more than the one-call write-off.
            if value < debt && (repaid != 0 || bad != 0) {
                prop_assert!(bad <= debt - mul_div(value, WAD - MAX_BONUS, WAD, Rounding::Down).unwrap());
            }
        }
    }
}
