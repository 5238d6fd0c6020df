//! Position rules: oracle price validity, what a borrow must satisfy, what a
//! collateral withdrawal must satisfy, and the per-token pool cap. Pure.

use crate::{
    errors::Result,
    fail,
    math::{add, mul_div, Rounding, WAD},
    risk::Curve,
};

/// Smallest debt a borrow may leave the position with: 1 USDC (a top-up
/// below 1 USDC is fine on a larger debt, as in PredMart v0.8).
pub const MIN_BORROW: u128 = 1_000_000;
/// Oldest acceptable oracle price, in seconds.
pub const PRICE_MAX_AGE: u64 = 10;
/// Basis-point denominator for the pool cap.
pub const BPS: u128 = 10_000;

/// An oracle price is usable at `now` only if `timestamp <= now`,
/// `now - timestamp <= 10 s`, `0 < price < 1e18`, and `timestamp` is not older
/// than the newest price already accepted for the token (`last_accepted`).
pub fn check_price(now: u64, timestamp: u128, price: u128, last_accepted: u64) -> Result<()> {
    if timestamp > (now as u128) {
        return Err(fail!(PriceFromFuture));
    }
    let ts = timestamp as u64;
    if now - ts > PRICE_MAX_AGE {
        return Err(fail!(StalePrice));
    }
    if price == 0 || price >= WAD {
        return Err(fail!(PriceOutOfRange));
    }
    if ts < last_accepted {
        return Err(fail!(PriceReplayed));
    }
    Ok(())
}

/// Per-token debt cap: `totalAssets * bps / 10_000` rounded down;
/// `u128::MAX` (no cap) when `bps == 0`.
pub fn token_cap(total_assets: u128, cap_bps: u128) -> Result<u128> {
    if cap_bps == 0 {
        return Ok(u128::MAX);
    }
    mul_div(total_assets, cap_bps, BPS, Rounding::Down)
}

/// Length of one pool-cap window day, in seconds.
pub const CAP_DAY: u64 = 86_400;
/// Largest `totalAssets` the window records (96 bits, 7.9e22 USDC: far above
/// all the USDC there is).
pub const CAP_MAX: u128 = (1 << 96) - 1;

/// The pool cap's memory of lenders' assets: the lowest `totalAssets` seen
/// before and after every state change of the current day (`today`) and of
/// the day before (`yesterday`), 0 meaning "nothing seen" (an empty pool has
/// no lenders to protect). The cap is measured on the lowest of these and
/// `totalAssets` now ([`CapWindow::base`]), so money must have stayed in the
/// pool since the start of the previous day to lift it: a deposit made to
/// lift the cap, a borrow at the lifted cap and a redemption right after
/// leave the token's debt within the cap of what the other lenders hold, and
/// borrowed USDC deposited back lifts nothing either. A pool without a
/// previous day (its first day, or after a whole day empty) measures on
/// `totalAssets` now, so a fresh pool lends at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CapWindow {
    /// Day number (`time / CAP_DAY`) of `today` (32 bits: 11 million years).
    pub day: u64,
    /// Lowest non-zero `totalAssets` seen today (0: none yet).
    pub today: u128,
    /// Lowest non-zero `totalAssets` seen the day before (0: none).
    pub yesterday: u128,
}

impl CapWindow {
    /// The window after seeing `total_assets` at time `now` (before the
    /// state change that is about to happen). A new day moves `today` to
    /// `yesterday`; after a day with no state change at all, `totalAssets`
    /// was what it is now throughout (interest aside), so both days see it.
    pub fn observe(self, now: u64, total_assets: u128) -> CapWindow {
        let (day, ta) = ((now / CAP_DAY) & u32::MAX as u64, total_assets.min(CAP_MAX));
        let low = |seen: u128| if seen == 0 { ta } else { seen.min(ta) };
        let (today, yesterday) = match day.saturating_sub(self.day) {
            0 => (self.today, self.yesterday),
            1 => (0, self.today),
            _ => (0, 0),
        };
        if ta == 0 {
            return CapWindow {
                day,
                today,
                yesterday,
            };
        }
        CapWindow {
            day,
            today: low(today),
            yesterday: if day > self.day + 1 { ta } else { yesterday },
        }
    }

    /// Lenders' assets the pool cap is measured on at `now`: the lowest of
    /// `total_assets` and what the window saw (zeros, "nothing seen", skipped);
    /// `total_assets` alone without a previous day.
    pub fn base(&self, now: u64, total_assets: u128) -> u128 {
        let w = self.observe(now, total_assets);
        if w.yesterday == 0 {
            return total_assets;
        }
        let mut base = total_assets;
        for seen in [w.today, w.yesterday] {
            if seen != 0 {
                base = base.min(seen);
            }
        }
        base
    }

    /// The window a new pool starts with: two days back and empty, which
    /// every later observation treats exactly as the all-zero window, but
    /// stored non-zero so the first deposit updates the slot instead of
    /// filling a fresh one (20,000 gas less, paid once by the deployer).
    pub fn fresh(now: u64) -> CapWindow {
        CapWindow {
            day: (now / CAP_DAY).saturating_sub(2) & u32::MAX as u64,
            ..CapWindow::default()
        }
    }

    /// The window as one storage word's `(high, low)` halves: day in bits
    /// 96..128 and `today` in 0..96 of the high half, `yesterday` the low.
    pub fn pack(&self) -> (u128, u128) {
        (((self.day as u128) << 96) | self.today, self.yesterday)
    }

    /// The window from its storage halves.
    pub fn unpack((high, low): (u128, u128)) -> CapWindow {
        CapWindow {
            day: (high >> 96) as u64,
            today: high & CAP_MAX,
            yesterday: low & CAP_MAX,
        }
    }
}

/// Everything a borrow is checked against.
#[derive(Clone, Copy, Debug, Default)]
pub struct Borrow {
    /// Position collateral (share units).
    pub collateral: u128,
    /// Position debt now (with interest).
    pub debt: u128,
    /// USDC requested.
    pub amount: u128,
    /// Oracle price (WAD).
    pub price: u128,
    /// Debt of every position on this token now.
    pub token_debt: u128,
    /// Pool cap for the token (from [`token_cap`]).
    pub token_cap: u128,
    /// The oracle's depth-gated cap on the token's debt.
    pub depth_cap: u128,
    /// Idle USDC in the pool.
    pub cash: u128,
}

/// Checks, in the spec's order: the position has collateral (`NoPosition`),
/// `debt + amount <= collateral * price * ltv` (`ExceedsLtv`),
/// `amount > 0` and `debt + amount >= 1 USDC` (`BorrowTooSmall`), token debt after within the pool cap
/// (`ExceedsTokenCap`) and the depth gate (`DepthCapExceeded`), and
/// `amount <= cash` (`InsufficientLiquidity`).
pub fn check_borrow(curve: &Curve, b: &Borrow) -> Result<()> {
    if b.collateral == 0 {
        return Err(fail!(NoPosition));
    }
    if add(b.debt, b.amount)? > curve.max_debt(b.collateral, b.price)? {
        return Err(fail!(ExceedsLtv));
    }
    if b.amount == 0 || add(b.debt, b.amount)? < MIN_BORROW {
        return Err(fail!(BorrowTooSmall));
    }
    let after = add(b.token_debt, b.amount)?;
    if after > b.token_cap {
        return Err(fail!(ExceedsTokenCap));
    }
    if after > b.depth_cap {
        return Err(fail!(DepthCapExceeded));
    }
    if b.amount > b.cash {
        return Err(fail!(InsufficientLiquidity));
    }
    Ok(())
}

/// A withdrawal of `amount` shares: non-zero (`ZeroAmount`), at most the
/// collateral (`InsufficientCollateral`), and with debt the position must
/// keep HF >= 1 at `price` (`HealthFactorTooLow`).
pub fn check_withdraw(
    curve: &Curve,
    collateral: u128,
    debt: u128,
    amount: u128,
    price: u128,
) -> Result<()> {
    if amount == 0 {
        return Err(fail!(ZeroAmount));
    }
    if amount > collateral {
        return Err(fail!(InsufficientCollateral));
    }
    if debt != 0 && curve.health_factor(collateral - amount, price, debt)? < WAD {
        return Err(fail!(HealthFactorTooLow));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_735_689_600;
    const PCT: u128 = 10_000_000_000_000_000;

    /// A new pool's stored window is non-zero yet, from its construction on,
    /// every sequence of observations gives what the all-zero window gives.
    #[test]
    fn a_fresh_window_is_the_empty_window() {
        let (d, m) = (CAP_DAY, 1_000_000_000_000u128);
        for born in [NOW, NOW + d - 1, 3 * d, 4 * d + 5] {
            let fresh = CapWindow::fresh(born);
            assert_ne!(fresh.pack(), (0, 0));
            for (dt, ta) in [(0, 0), (0, m), (1, m / 2), (d, m), (2 * d, 7), (9 * d, 0)] {
                let (a, b) = (CapWindow::default(), fresh);
                let (a, b) = (a.observe(born + dt, ta), b.observe(born + dt, ta));
                assert_eq!(a, b);
                assert_eq!(a.base(born + dt + 1, m), b.base(born + dt + 1, m));
                assert_eq!(
                    CapWindow::default().base(born + dt, ta),
                    fresh.base(born + dt, ta)
                );
            }
        }
    }

    #[test]
    fn cap_window_counts_only_money_that_stayed() {
        const D: u64 = CAP_DAY;
        let m = 1_000_000_000_000u128; // 1M USDC
        let w = CapWindow::default();
        // Day 0 of a fresh pool: no previous day, the cap counts what is there.
        let w = w.observe(100 * D, 0).observe(100 * D + 1, m);
        assert_eq!(w.base(100 * D + 2, 10 * m), 10 * m);
        // Day 1: a 9M deposit (seen before and after) lifts nothing.
        let w = w.observe(101 * D, m).observe(101 * D, 10 * m);
        assert_eq!(w.base(101 * D + 5, 10 * m), m);
        // Day 2: the 9M stayed all of day 1, but day 1 started at 1M.
        let w2 = w.observe(102 * D, 10 * m);
        assert_eq!(w2.base(102 * D + 5, 10 * m), m);
        // Day 3: it stayed since the start of the previous day: it counts.
        let w3 = w2.observe(103 * D, 10 * m);
        assert_eq!(w3.base(103 * D, 10 * m), 10 * m);
        // Untouched for a whole day: what is there now was there all along.
        assert_eq!(w.base(103 * D, 10 * m), 10 * m);
        // A fall counts at once.
        assert_eq!(
            w3.observe(103 * D + 9, m / 2).base(103 * D + 9, 10 * m),
            m / 2
        );
        // Round trip through storage, at the limits.
        let full = CapWindow {
            day: u32::MAX as u64,
            today: CAP_MAX,
            yesterday: CAP_MAX - 1,
        };
        assert_eq!(CapWindow::unpack(full.pack()), full);
        assert_eq!(CapWindow::unpack(w3.pack()), w3);
        // Above 96 bits the window saturates (far beyond all USDC).
        assert_eq!(w3.observe(103 * D, u128::MAX).today, 10 * m);
        assert_eq!(CapWindow::default().observe(0, u128::MAX).today, CAP_MAX);
    }

    #[test]
    fn price_rules() {
        let p = 50 * PCT;
        let t = |x: u64| x as u128;
        assert_eq!(check_price(NOW, t(NOW), p, 0), Ok(()));
        assert_eq!(check_price(NOW, t(NOW - 10), p, 0), Ok(()));
        assert_eq!(check_price(NOW, t(NOW - 11), p, 0), Err(fail!(StalePrice)));
        assert_eq!(
            check_price(NOW, t(NOW + 1), p, 0),
            Err(fail!(PriceFromFuture))
        );
        assert_eq!(
            check_price(NOW, u128::MAX, p, 0),
            Err(fail!(PriceFromFuture))
        );
        assert_eq!(check_price(NOW, t(NOW), 0, 0), Err(fail!(PriceOutOfRange)));
        assert_eq!(
            check_price(NOW, t(NOW), WAD, 0),
            Err(fail!(PriceOutOfRange))
        );
        assert_eq!(check_price(NOW, t(NOW), WAD - (1), 0), Ok(()));
        assert_eq!(check_price(NOW, t(NOW), 1, 0), Ok(()));
        assert_eq!(
            check_price(NOW, t(NOW - 2), p, NOW - 1),
            Err(fail!(PriceReplayed))
        );
        assert_eq!(check_price(NOW, t(NOW - 1), p, NOW - 1), Ok(()));
    }

    #[test]
    fn cap_rules() {
        assert_eq!(token_cap(1_000_000, 500).unwrap(), (50_000));
        assert_eq!(token_cap(1_000_000, 0).unwrap(), u128::MAX);
    }

    fn ok_borrow() -> Borrow {
        Borrow {
            collateral: (10_000_000_000),
            debt: 0,
            amount: (4_550_000_000),
            price: (70 * PCT),
            token_debt: 0,
            token_cap: u128::MAX,
            depth_cap: u128::MAX,
            cash: u128::MAX,
        }
    }

    #[test]
    fn each_borrow_check() {
        let c = Curve::default();
        assert_eq!(check_borrow(&c, &ok_borrow()), Ok(()));
        let with = |f: &dyn Fn(&mut Borrow)| {
            let mut b = ok_borrow();
            f(&mut b);
            check_borrow(&c, &b)
        };
        assert_eq!(with(&|b| b.collateral = 0), Err(fail!(NoPosition)));
        assert_eq!(with(&|b| b.amount = 999_999), Err(fail!(BorrowTooSmall)));
        assert_eq!(with(&|b| b.amount += 1), Err(fail!(ExceedsLtv)));
        assert_eq!(with(&|b| b.debt = 1), Err(fail!(ExceedsLtv)));
        assert_eq!(
            with(&|b| b.token_cap = 4_549_999_999),
            Err(fail!(ExceedsTokenCap))
        );
        assert_eq!(with(&|b| b.token_cap = 4_550_000_000), Ok(()));
        assert_eq!(
            with(&|b| b.depth_cap = 4_549_999_999),
            Err(fail!(DepthCapExceeded))
        );
        assert_eq!(
            with(&|b| b.cash = 4_549_999_999),
            Err(fail!(InsufficientLiquidity))
        );
    }

    #[test]
    fn withdraw_rules() {
        let c = Curve::default();
        let coll = 8_000_000_000;
        let half = 50 * PCT;
        assert_eq!(check_withdraw(&c, coll, 0, coll, half), Ok(()));
        assert_eq!(check_withdraw(&c, coll, 0, 0, half), Err(fail!(ZeroAmount)));
        assert_eq!(
            check_withdraw(&c, coll, 0, coll + (1), half),
            Err(fail!(InsufficientCollateral))
        );
        // Bob's 2,000 debt at $0.50: 1,600 shares can go (HF 1.0), 1,601 cannot.
        let d = 2_000_000_000;
        assert_eq!(check_withdraw(&c, coll, d, 1_600_000_000, half), Ok(()));
        assert_eq!(
            check_withdraw(&c, coll, d, 1_600_000_001, half),
            Err(fail!(HealthFactorTooLow))
        );
    }
}
