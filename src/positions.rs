//! Position rules: oracle price validity, what a borrow must satisfy, what a
//! collateral withdrawal must satisfy, and the per-token pool cap. Pure.

use alloy_primitives::U256;

use crate::{
    errors::Result,
    fail,
    math::{add, mul_div, u, Rounding, WAD},
    risk::Curve,
};

/// Minimum borrow: 1 USDC.
pub const MIN_BORROW: U256 = u(1_000_000);
/// Oldest acceptable oracle price, in seconds.
pub const PRICE_MAX_AGE: u64 = 10;
/// Basis-point denominator for the pool cap.
pub const BPS: U256 = u(10_000);

/// An oracle price is usable at `now` only if `timestamp <= now`,
/// `now - timestamp <= 10 s`, `0 < price < 1e18`, and `timestamp` is not older
/// than the newest price already accepted for the token (`last_accepted`).
pub fn check_price(now: u64, timestamp: U256, price: U256, last_accepted: u64) -> Result<()> {
    if timestamp > U256::from(now) {
        return Err(fail!(PriceFromFuture));
    }
    let ts = timestamp.to::<u64>();
    if now - ts > PRICE_MAX_AGE {
        return Err(fail!(StalePrice));
    }
    if price.is_zero() || price >= WAD {
        return Err(fail!(PriceOutOfRange));
    }
    if ts < last_accepted {
        return Err(fail!(PriceReplayed));
    }
    Ok(())
}

/// Per-token debt cap: `totalAssets * bps / 10_000` rounded down;
/// `U256::MAX` (no cap) when `bps == 0`.
pub fn token_cap(total_assets: U256, cap_bps: U256) -> Result<U256> {
    if cap_bps.is_zero() {
        return Ok(U256::MAX);
    }
    mul_div(total_assets, cap_bps, BPS, Rounding::Down)
}

/// Everything a borrow is checked against.
#[derive(Clone, Copy, Debug, Default)]
pub struct Borrow {
    /// Position collateral (share units).
    pub collateral: U256,
    /// Position debt now (with interest).
    pub debt: U256,
    /// USDC requested.
    pub amount: U256,
    /// Oracle price (WAD).
    pub price: U256,
    /// Debt of every position on this token now.
    pub token_debt: U256,
    /// Pool cap for the token (from [`token_cap`]).
    pub token_cap: U256,
    /// The oracle's depth-gated cap on the token's debt.
    pub depth_cap: U256,
    /// Idle USDC in the pool.
    pub cash: U256,
}

/// Checks, in this order: the position has collateral (`NoPosition`),
/// `amount >= 1 USDC` (`BorrowTooSmall`), `debt + amount <= collateral *
/// price * ltv` (`ExceedsLtv`), token debt after within the pool cap
/// (`ExceedsTokenCap`) and the depth gate (`DepthCapExceeded`), and
/// `amount <= cash` (`InsufficientLiquidity`).
pub fn check_borrow(curve: &Curve, b: &Borrow) -> Result<()> {
    if b.collateral.is_zero() {
        return Err(fail!(NoPosition));
    }
    if b.amount < MIN_BORROW {
        return Err(fail!(BorrowTooSmall));
    }
    if add(b.debt, b.amount)? > curve.max_debt(b.collateral, b.price)? {
        return Err(fail!(ExceedsLtv));
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
pub fn check_withdraw(curve: &Curve, collateral: U256, debt: U256, amount: U256, price: U256) -> Result<()> {
    if amount.is_zero() {
        return Err(fail!(ZeroAmount));
    }
    if amount > collateral {
        return Err(fail!(InsufficientCollateral));
    }
    if !debt.is_zero() && curve.health_factor(collateral - amount, price, debt)? < WAD {
        return Err(fail!(HealthFactorTooLow));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_735_689_600;
    const PCT: u64 = 10_000_000_000_000_000;

    #[test]
    fn price_rules() {
        let p = u(50 * PCT);
        let t = |x: u64| U256::from(x);
        assert_eq!(check_price(NOW, t(NOW), p, 0), Ok(()));
        assert_eq!(check_price(NOW, t(NOW - 10), p, 0), Ok(()));
        assert_eq!(check_price(NOW, t(NOW - 11), p, 0), Err(fail!(StalePrice)));
        assert_eq!(check_price(NOW, t(NOW + 1), p, 0), Err(fail!(PriceFromFuture)));
        assert_eq!(check_price(NOW, U256::MAX, p, 0), Err(fail!(PriceFromFuture)));
        assert_eq!(check_price(NOW, t(NOW), U256::ZERO, 0), Err(fail!(PriceOutOfRange)));
        assert_eq!(check_price(NOW, t(NOW), WAD, 0), Err(fail!(PriceOutOfRange)));
        assert_eq!(check_price(NOW, t(NOW), WAD - u(1), 0), Ok(()));
        assert_eq!(check_price(NOW, t(NOW), u(1), 0), Ok(()));
        assert_eq!(check_price(NOW, t(NOW - 2), p, NOW - 1), Err(fail!(PriceReplayed)));
        assert_eq!(check_price(NOW, t(NOW - 1), p, NOW - 1), Ok(()));
    }

    #[test]
    fn cap_rules() {
        assert_eq!(token_cap(u(1_000_000), u(500)).unwrap(), u(50_000));
        assert_eq!(token_cap(u(1_000_000), U256::ZERO).unwrap(), U256::MAX);
    }

    fn ok_borrow() -> Borrow {
        Borrow {
            collateral: u(10_000_000_000),
            debt: U256::ZERO,
            amount: u(4_550_000_000),
            price: u(70 * PCT),
            token_debt: U256::ZERO,
            token_cap: U256::MAX,
            depth_cap: U256::MAX,
            cash: U256::MAX,
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
        assert_eq!(with(&|b| b.collateral = U256::ZERO), Err(fail!(NoPosition)));
        assert_eq!(with(&|b| b.amount = u(999_999)), Err(fail!(BorrowTooSmall)));
        assert_eq!(with(&|b| b.amount += u(1)), Err(fail!(ExceedsLtv)));
        assert_eq!(with(&|b| b.debt = u(1)), Err(fail!(ExceedsLtv)));
        assert_eq!(with(&|b| b.token_cap = u(4_549_999_999)), Err(fail!(ExceedsTokenCap)));
        assert_eq!(with(&|b| b.token_cap = u(4_550_000_000)), Ok(()));
        assert_eq!(with(&|b| b.depth_cap = u(4_549_999_999)), Err(fail!(DepthCapExceeded)));
        assert_eq!(with(&|b| b.cash = u(4_549_999_999)), Err(fail!(InsufficientLiquidity)));
    }

    #[test]
    fn withdraw_rules() {
        let c = Curve::default();
        let coll = u(8_000_000_000);
        let half = u(50 * PCT);
        assert_eq!(check_withdraw(&c, coll, U256::ZERO, coll, half), Ok(()));
        assert_eq!(check_withdraw(&c, coll, U256::ZERO, U256::ZERO, half), Err(fail!(ZeroAmount)));
        assert_eq!(check_withdraw(&c, coll, U256::ZERO, coll + u(1), half), Err(fail!(InsufficientCollateral)));
        // Bob's 2,000 debt at $0.50: 1,600 shares can go (HF 1.0), 1,601 cannot.
        let d = u(2_000_000_000);
        assert_eq!(check_withdraw(&c, coll, d, u(1_600_000_000), half), Ok(()));
        assert_eq!(check_withdraw(&c, coll, d, u(1_600_000_001), half), Err(fail!(HealthFactorTooLow)));
    }
}
