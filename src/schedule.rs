//! Liquidation-threshold decay before a market's event (Gondor's "linear
//! reduction"): the closing window, the decayed threshold and health factor,
//! and the acceptance rule for the oracle's signed `MarketSchedule`. Pure.
//!
//! A token's schedule is its `endTime` (0: none), set by an oracle-signed
//! `MarketSchedule(tokenId, endTime, timestamp)`. From `endTime - 7 days`
//! on the token is *closing*: no new borrows (the contract reverts with the
//! proposed `MarketClosing()`), and the liquidation threshold falls linearly
//! to 0 at `endTime`, so borrowers repay or deleverage before the news.
//! Per token the pool stores `endTime` and the accepted message's
//! `timestamp`.
//!
//! The decay reaches every health check through one place: a
//! [`Curve`](crate::risk::Curve) carries the token's `end_time` and the
//! time it is read at (`Curve::at`), and `Curve::liquidation_threshold` is
//! [`threshold`] of the undecayed one; so the health factor, the
//! liquidation price, withdrawals with debt and liquidation all decay
//! alike.

use crate::{
    errors::Result,
    fail,
    math::{mul_div, Rounding},
};

/// Length of the closing window before `endTime`: 7 days, in seconds.
pub const CLOSING_WINDOW: u64 = 7 * 86_400;
/// Oldest acceptable `MarketSchedule` message: 1 hour, as a `Resolution`.
pub const SCHEDULE_MAX_AGE: u64 = crate::resolution::RESOLUTION_MAX_AGE;

/// True when the token is closing at `now`: it has a schedule
/// (`end_time != 0`) and `now >= end_time - 7 days`, including every time
/// after `end_time` (until the market resolves). An `end_time` less than
/// 7 days after time 0 is closing from the start.
pub fn is_closing(now: u64, end_time: u64) -> bool {
    end_time != 0 && now.saturating_add(CLOSING_WINDOW) >= end_time
}

/// The liquidation threshold `lt` decayed at `now` for a token ending at
/// `end_time`: `lt` without a schedule or before the closing window,
/// `lt * (end_time - now) / 7 days` inside it, rounded **down** (a lower
/// threshold: against the borrower, safe for lenders), and 0 from
/// `end_time` on. Non-increasing in `now`, never above `lt`.
pub fn threshold(lt: u128, now: u64, end_time: u64) -> u128 {
    let left = end_time.saturating_sub(now);
    if end_time == 0 || left >= CLOSING_WINDOW {
        return lt;
    }
    // left < 7 days: the quotient is below lt, so mul_div cannot fail.
    mul_div(lt, left as u128, CLOSING_WINDOW as u128, Rounding::Down).unwrap_or(0)
}

/// Accepts a signed `MarketSchedule` message's `timestamp` at `now`, given
/// the `stored` timestamp of the token's current schedule (0: none), and
/// returns it as the new stored timestamp. Errors, in order (the existing
/// price errors, no new ones):
///
/// * `timestamp > now` → `PriceFromFuture`;
/// * `now - timestamp > 1 hour` → `StalePrice`;
/// * `timestamp <= stored` → `PriceReplayed`: only a strictly newer message
///   replaces the schedule, so a newer one may move `endTime` (a postponed
///   event) or clear it (`endTime` 0), and an older or the same one can
///   never be replayed to undo that.
///
/// `endTime` itself is not checked: any value the oracle signs is taken (one
/// in the past makes the token closing at once; 0 clears the schedule); a
/// value above `u64::MAX` is "never" ([`end_time`]).
pub fn check_schedule(now: u64, timestamp: u128, stored: u64) -> Result<u64> {
    // The age rule is the `Resolution`'s (same errors, same hour).
    crate::resolution::check_resolution_time(now, timestamp)?;
    let ts = timestamp as u64;
    if ts <= stored {
        return Err(fail!(PriceReplayed));
    }
    Ok(ts)
}

/// Largest stored `endTime`: 2^40 - 1 s (the year 36,812); a later one
/// is an end that never comes in practice.
pub const END_TIME_MAX: u64 = (1 << 40) - 1;

/// A signed `endTime` word as a stored time: values above
/// [`END_TIME_MAX`] saturate to it (an end that never comes).
pub fn end_time(signed: u128) -> u64 {
    signed.min(END_TIME_MAX as u128) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{math::WAD, risk::Curve};
    use proptest::prelude::*;

    fn health_factor(c: &Curve, coll: u128, p: u128, d: u128, now: u64, end: u64) -> Result<u128> {
        c.at(now, end).health_factor(coll, p, d)
    }
    fn is_unhealthy(c: &Curve, coll: u128, p: u128, d: u128, now: u64, end: u64) -> Result<bool> {
        Ok(health_factor(c, coll, p, d, now, end)? < WAD)
    }
    fn liquidation_price(c: &Curve, coll: u128, d: u128, now: u64, end: u64) -> Result<u128> {
        c.at(now, end).liquidation_price(coll, d)
    }

    const DAY: u64 = 86_400;
    const LT: u128 = 700_000_000_000_000_000; // 70%
    const END: u64 = 1_800_000_000;

    #[test]
    fn closing_window_edges() {
        assert!(!is_closing(0, 0));
        assert!(!is_closing(u64::MAX, 0)); // no schedule: never closing
        assert!(!is_closing(END - 7 * DAY - 1, END));
        assert!(is_closing(END - 7 * DAY, END));
        assert!(is_closing(END - 1, END));
        assert!(is_closing(END, END));
        assert!(is_closing(END + 1, END));
        assert!(is_closing(u64::MAX, END));
        assert!(is_closing(0, 5)); // end within 7 days of time 0
        assert!(is_closing(0, CLOSING_WINDOW));
        assert!(!is_closing(0, CLOSING_WINDOW + 1));
    }

    #[test]
    fn threshold_at_the_edges() {
        assert_eq!(threshold(LT, END, 0), LT);
        assert_eq!(threshold(LT, 0, END), LT);
        assert_eq!(threshold(LT, END - 7 * DAY - 1, END), LT);
        assert_eq!(threshold(LT, END - 7 * DAY, END), LT);
        assert_eq!(
            threshold(LT, END - 7 * DAY + 1, END),
            LT - 1_157_407_407_408
        );
        // 3.5 days before: half.
        assert_eq!(threshold(LT, END - 7 * DAY / 2, END), LT / 2);
        // 1 day before: 1/7, rounded down.
        assert_eq!(threshold(LT, END - DAY, END), LT / 7);
        // One second before: 0.7 / 604,800, rounded down.
        assert_eq!(threshold(LT, END - 1, END), 1_157_407_407_407);
        assert_eq!(threshold(LT, END, END), 0);
        assert_eq!(threshold(LT, END + 1, END), 0);
        assert_eq!(threshold(u128::MAX, END - 1, END), u128::MAX / 604_800);
        assert_eq!(threshold(u128::MAX, u64::MAX, END), 0);
    }

    #[test]
    fn reference_bob_is_pushed_to_repay() {
        // Bob: 8,000 shares at $0.50 with $2,500 debt has HF exactly 1.00.
        // Without a schedule he is healthy; one second into the closing
        // window he is liquidatable; at the end HF is 0.
        let c = Curve::default();
        let (coll, p, d) = (8_000_000_000u128, WAD / 2, 2_500_000_000u128);
        assert_eq!(health_factor(&c, coll, p, d, END, 0).unwrap(), WAD);
        assert_eq!(
            health_factor(&c, coll, p, d, END - 7 * DAY, END).unwrap(),
            WAD
        );
        assert!(is_unhealthy(&c, coll, p, d, END - 7 * DAY + 1, END).unwrap());
        assert!(!is_unhealthy(&c, coll, p, d, END - 7 * DAY, END).unwrap());
        // Repaying $2,000 of the $2,500 (HF 5.0) keeps him healthy until
        // 1.4 days before the end (5.0 * 1.4 / 7 = 1.0).
        let d = 500_000_000u128;
        let t = END - 7 * DAY / 5;
        assert_eq!(health_factor(&c, coll, p, d, t, END).unwrap(), WAD);
        assert!(is_unhealthy(&c, coll, p, d, t + 1, END).unwrap());
        assert_eq!(health_factor(&c, coll, p, d, END, END).unwrap(), 0);
        assert_eq!(health_factor(&c, coll, p, 0, END, END).unwrap(), u128::MAX);
    }

    #[test]
    fn schedule_acceptance() {
        let now = END;
        assert_eq!(check_schedule(now, now as u128, 0), Ok(now));
        assert_eq!(
            check_schedule(now, (now - 3_600) as u128, 0),
            Ok(now - 3_600)
        );
        assert_eq!(
            check_schedule(now, (now - 3_601) as u128, 0),
            Err(fail!(StalePrice))
        );
        assert_eq!(
            check_schedule(now, now as u128 + 1, 0),
            Err(fail!(PriceFromFuture))
        );
        assert_eq!(
            check_schedule(now, u128::MAX, 0),
            Err(fail!(PriceFromFuture))
        );
        // Strictly newer than the stored schedule's timestamp.
        assert_eq!(
            check_schedule(now, 100 + now as u128 - 200, now - 101),
            Ok(now - 100)
        );
        assert_eq!(
            check_schedule(now, (now - 100) as u128, now - 100),
            Err(fail!(PriceReplayed))
        );
        assert_eq!(
            check_schedule(now, (now - 100) as u128, now - 99),
            Err(fail!(PriceReplayed))
        );
        // Timestamp 0 at time 0 is not newer than "no schedule".
        assert_eq!(check_schedule(0, 0, 0), Err(fail!(PriceReplayed)));
        assert_eq!(end_time(0), 0);
        assert_eq!(end_time(END as u128), END);
        assert_eq!(end_time(u128::MAX), END_TIME_MAX);
        assert_eq!(end_time(END_TIME_MAX as u128 + 1), END_TIME_MAX);
        assert_eq!(end_time(END_TIME_MAX as u128), END_TIME_MAX);
    }

    proptest! {
        /// The decayed threshold is non-increasing in time, at most `lt`,
        /// `lt` before the window and 0 from the end on, and always the
        /// exact `floor(lt * left / 7 days)` inside it.
        #[test]
        fn decay_monotone_and_bounded(
            lt in any::<u128>(), a in any::<u64>(), b in any::<u64>(), end in any::<u64>(),
            small_lt in 0u128..2 * WAD, near in 0u64..2 * CLOSING_WINDOW,
        ) {
            for lt in [lt, small_lt] {
                // Times spread over all u64, and times near the window.
                for (t1, t2) in [(a, b), (end.saturating_sub(near), end.saturating_sub(a % (2 * CLOSING_WINDOW)))] {
                    let (lo, hi) = (t1.min(t2), t1.max(t2));
                    let (x, y) = (threshold(lt, lo, end), threshold(lt, hi, end));
                    prop_assert!(y <= x && x <= lt);
                    if end == 0 || end.saturating_sub(lo) >= CLOSING_WINDOW {
                        prop_assert_eq!(x, lt);
                    } else if lo >= end {
                        prop_assert_eq!(x, 0);
                    } else {
                        let want = alloy_primitives::U256::from(lt) * alloy_primitives::U256::from(end - lo)
                            / alloy_primitives::U256::from(CLOSING_WINDOW);
                        prop_assert_eq!(alloy_primitives::U256::from(x), want);
                    }
                    prop_assert_eq!(is_closing(lo, end), end != 0 && lo as u128 + CLOSING_WINDOW as u128 >= end as u128);
                }
            }
        }

        /// The decayed health factor is the undecayed one before the window,
        /// never above it, non-increasing in time, and under 1 from the end.
        #[test]
        fn decayed_health_factor(
            coll in 1u64..u64::MAX, p in 1u64..1_000_000_000_000_000_000, debt in 1u64..u64::MAX,
            t in 0u64..2 * CLOSING_WINDOW, dt in 0u64..CLOSING_WINDOW,
        ) {
            let c = Curve::default();
            let (coll, p, debt) = (coll as u128, p as u128, debt as u128);
            let full = c.health_factor(coll, p, debt).unwrap();
            let end = END;
            let now = end - CLOSING_WINDOW - CLOSING_WINDOW / 2 + t;
            let h1 = health_factor(&c, coll, p, debt, now, end).unwrap();
            let h2 = health_factor(&c, coll, p, debt, now + dt, end).unwrap();
            prop_assert!(h2 <= h1 && h1 <= full);
            prop_assert_eq!(health_factor(&c, coll, p, debt, end - CLOSING_WINDOW, end).unwrap(), full);
            prop_assert_eq!(health_factor(&c, coll, p, debt, now, 0).unwrap(), full);
            prop_assert_eq!(health_factor(&c, coll, p, debt, end + dt, end).unwrap(), 0);
        }

        /// The decayed liquidation price is the curve's without a schedule
        /// or before the window, never below it inside the window (the
        /// decay only raises it), and the lowest healthy price.
        #[test]
        fn decayed_liquidation_price(
            coll in 1_000_000u64..1_000_000_000_000, debt in 1_000_000u64..1_000_000_000_000,
            t in 0u64..CLOSING_WINDOW,
        ) {
            let c = Curve::default();
            let (coll, debt) = (coll as u128, debt as u128);
            let full = c.liquidation_price(coll, debt).unwrap();
            prop_assert_eq!(liquidation_price(&c, coll, debt, END, 0).unwrap(), full);
            prop_assert_eq!(liquidation_price(&c, coll, debt, END - CLOSING_WINDOW, END).unwrap(), full);
            let now = END - CLOSING_WINDOW + t;
            let lp = liquidation_price(&c, coll, debt, now, END).unwrap();
            prop_assert!(lp >= full);
            if lp <= WAD {
                prop_assert!(!is_unhealthy(&c, coll, lp, debt, now, END).unwrap());
                prop_assert!(is_unhealthy(&c, coll, lp - 1, debt, now, END).unwrap());
            }
            prop_assert_eq!(liquidation_price(&c, coll, debt, END, END).unwrap(), u128::MAX);
            prop_assert_eq!(liquidation_price(&c, coll, 0, END, END).unwrap(), 0);
        }

        /// A schedule is accepted exactly when it is at most an hour old,
        /// not from the future, and strictly newer than the stored one.
        #[test]
        fn schedule_rule(now in any::<u64>(), ts in any::<u64>(), stored in any::<u64>()) {
            let ok = ts <= now && now - ts <= SCHEDULE_MAX_AGE && ts > stored;
            prop_assert_eq!(check_schedule(now, ts as u128, stored).is_ok(), ok);
            if ok {
                prop_assert_eq!(check_schedule(now, ts as u128, stored), Ok(ts));
            }
        }
    }
}
