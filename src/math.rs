//! The pool's one math library: fixed-point constants and `mul_div` with an
//! explicit rounding direction. Every division in the money paths goes through
//! here, so the rounding of each is visible at its call site (`Down` or `Up`).
//!
//! Products are checked in 256 bits; a product that does not fit, or a
//! division by zero, is a clean [`Error::MathOverflow`](crate::errors::Error),
//! never a panic.

use alloy_primitives::U256;

use crate::errors::{overflow, Result};

/// 1.0 in WAD fixed point (prices, LTVs, rates, health factor).
pub const WAD: U256 = U256::from_limbs([1_000_000_000_000_000_000, 0, 0, 0]);

/// Which way a division rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Towards zero.
    Down,
    /// Away from zero.
    Up,
}

/// `a * b / d`, rounded as asked. Errors when `d == 0` or `a * b` overflows.
pub fn mul_div(a: U256, b: U256, d: U256, r: Rounding) -> Result<U256> {
    if d.is_zero() {
        return Err(overflow());
    }
    let p = a.checked_mul(b).ok_or_else(overflow)?;
    let q = p / d;
    if r == Rounding::Up && !(p % d).is_zero() {
        Ok(q + U256::from(1))
    } else {
        Ok(q)
    }
}

/// `a + b`, or `MathOverflow`.
pub fn add(a: U256, b: U256) -> Result<U256> {
    a.checked_add(b).ok_or_else(overflow)
}

/// `a - b`, or `MathOverflow` when `b > a`.
pub fn sub(a: U256, b: U256) -> Result<U256> {
    a.checked_sub(b).ok_or_else(overflow)
}

/// A `u64`-sized constant as `U256`.
pub const fn u(v: u64) -> U256 {
    U256::from_limbs([v, 0, 0, 0])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounds_both_ways() {
        assert_eq!(mul_div(u(7), u(1), u(2), Rounding::Down).unwrap(), u(3));
        assert_eq!(mul_div(u(7), u(1), u(2), Rounding::Up).unwrap(), u(4));
        assert_eq!(mul_div(u(8), u(1), u(2), Rounding::Up).unwrap(), u(4));
        assert_eq!(WAD, U256::from(10u64).pow(U256::from(18)));
    }

    #[test]
    fn overflow_and_zero_divisor_are_errors() {
        assert_eq!(mul_div(U256::MAX, u(2), u(1), Rounding::Down), Err(overflow()));
        assert_eq!(mul_div(u(1), u(1), U256::ZERO, Rounding::Up), Err(overflow()));
        assert_eq!(add(U256::MAX, u(1)), Err(overflow()));
        assert_eq!(sub(u(1), u(2)), Err(overflow()));
    }

    proptest! {
        #[test]
        fn up_is_down_or_down_plus_one(a in any::<u128>(), b in any::<u128>(), d in 1u128..) {
            let (a, b, d) = (U256::from(a), U256::from(b), U256::from(d));
            let lo = mul_div(a, b, d, Rounding::Down).unwrap();
            let hi = mul_div(a, b, d, Rounding::Up).unwrap();
            prop_assert!(hi == lo || hi == lo + u(1));
            prop_assert!(lo * d <= a * b);
            prop_assert!(hi * d >= a * b);
        }
    }
}
