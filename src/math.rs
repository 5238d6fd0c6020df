//! The pool's one math library: fixed-point constants and `mul_div` with an
//! explicit rounding direction. Every division in the money paths goes through
//! here, so the rounding of each is visible at its call site (`Down` or `Up`).
//!
//! Money is `u128` (USDC and CTF shares have 6 decimals: `u128` holds 10^32
//! times all the USDC in existence); WAD values (prices, LTVs, rates) are
//! `u128` too. `mul_div` forms the product in 256 bits, so `a * b` never
//! overflows; a quotient above `u128::MAX`, or a division by zero, is a clean
//! [`Error::MathOverflow`](crate::errors::Error), never a panic. (Calldata and
//! storage words are `U256`; [`narrow`] and [`saturate`] convert at the edge.)

use alloy_primitives::U256;

use crate::errors::{overflow, Result};

/// 1.0 in WAD fixed point (prices, LTVs, rates, health factor).
pub const WAD: u128 = 1_000_000_000_000_000_000;

/// Which way a division rounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// Towards zero.
    Down,
    /// Away from zero.
    Up,
}

/// `a * b` as a 256-bit `(high, low)` pair.
fn mul_wide(a: u128, b: u128) -> (u128, u128) {
    const M: u128 = u64::MAX as u128;
    let (a1, a0, b1, b0) = (a >> 64, a & M, b >> 64, b & M);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 64) + (p01 & M) + (p10 & M);
    (
        (p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64)),
        (p00 & M) | (mid << 64),
    )
}

/// `a * b / d` with a 256-bit intermediate product, rounded as asked.
/// Errors when `d == 0` or the quotient exceeds `u128::MAX`.
#[inline(never)]
pub fn mul_div(a: u128, b: u128, d: u128, r: Rounding) -> Result<u128> {
    let (q, rem) = mul_add_div_rem(a, b, 0, d)?;
    if r == Rounding::Up && rem != 0 {
        return q.checked_add(1).ok_or_else(overflow);
    }
    Ok(q)
}

/// `(a * b + c) / d` rounded **down**, and its remainder: the quotient and
/// what was left over, for rules that carry a remainder to the next step
/// instead of rounding it away (interest accrual). Errors when `d == 0` or
/// the quotient exceeds `u128::MAX`.
///
/// Schoolbook binary long division of the 256-bit numerator: 128 steps of
/// shift-and-subtract, a few hundred WASM instructions (well under one gas)
/// and far smaller code than a general 256-bit division.
#[inline(never)]
pub fn mul_add_div_rem(a: u128, b: u128, c: u128, d: u128) -> Result<(u128, u128)> {
    let (mut hi, lo) = mul_wide(a, b);
    let (lo, carry) = lo.overflowing_add(c);
    hi += carry as u128; // hi < 2^128 - 1: a * b <= (2^128 - 1)^2
    if d == 0 || hi >= d {
        return Err(overflow());
    }
    let (mut rem, mut q) = (hi, 0u128);
    for i in (0..128).rev() {
        let carry = rem >> 127;
        rem = (rem << 1) | ((lo >> i) & 1);
        q <<= 1;
        if carry == 1 || rem >= d {
            rem = rem.wrapping_sub(d);
            q |= 1;
        }
    }
    Ok((q, rem))
}

/// `a + b`, or `MathOverflow`.
#[inline(never)]
pub fn add(a: u128, b: u128) -> Result<u128> {
    a.checked_add(b).ok_or_else(overflow)
}

/// `a - b`, or `MathOverflow` when `b > a`.
#[inline(never)]
pub fn sub(a: u128, b: u128) -> Result<u128> {
    a.checked_sub(b).ok_or_else(overflow)
}

/// A word from storage or calldata as money: `MathOverflow` above `u128::MAX`.
pub fn narrow(v: U256) -> Result<u128> {
    if v > U256::from(u128::MAX) {
        return Err(overflow());
    }
    Ok(v.to())
}

/// A word as a limit: values above `u128::MAX` mean "no limit" (`u128::MAX`).
pub fn saturate(v: U256) -> u128 {
    v.saturating_to()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rounds_both_ways() {
        assert_eq!(mul_div(7, 1, 2, Rounding::Down).unwrap(), 3);
        assert_eq!(mul_div(7, 1, 2, Rounding::Up).unwrap(), 4);
        assert_eq!(mul_div(8, 1, 2, Rounding::Up).unwrap(), 4);
        assert_eq!(WAD, 10u128.pow(18));
    }

    #[test]
    fn wide_products_do_not_overflow() {
        // (2^128 - 1)^2 / (2^128 - 1) fits.
        assert_eq!(
            mul_div(u128::MAX, u128::MAX, u128::MAX, Rounding::Down).unwrap(),
            u128::MAX
        );
        assert_eq!(
            mul_div(WAD * WAD, WAD * WAD, WAD * WAD * 10, Rounding::Up).unwrap(),
            WAD * WAD / 10
        );
    }

    #[test]
    fn overflow_and_zero_divisor_are_errors() {
        assert_eq!(mul_div(u128::MAX, 2, 1, Rounding::Down), Err(overflow()));
        assert_eq!(mul_div(1, 1, 0, Rounding::Up), Err(overflow()));
        assert_eq!(add(u128::MAX, 1), Err(overflow()));
        assert_eq!(sub(1, 2), Err(overflow()));
        assert_eq!(
            narrow(U256::from(u128::MAX) + U256::from(1)),
            Err(overflow())
        );
        assert_eq!(narrow(U256::from(5)), Ok(5));
        assert_eq!(saturate(U256::MAX), u128::MAX);
    }

    proptest! {
        /// Agrees with a 256-bit reference division, both roundings.
        #[test]
        fn matches_u256_reference(a in any::<u128>(), b in any::<u128>(), d in 1u128..) {
            let (ab, dd) = (U256::from(a) * U256::from(b), U256::from(d));
            let (q, rem) = ab.div_rem(dd);
            for (r, extra) in [(Rounding::Down, 0u8), (Rounding::Up, (!rem.is_zero()) as u8)] {
                let want = q + U256::from(extra);
                match mul_div(a, b, d, r) {
                    Ok(v) => prop_assert_eq!(U256::from(v), want),
                    Err(_) => prop_assert!(want > U256::from(u128::MAX)),
                }
            }
        }

        /// `(a * b + c) / d` and its remainder agree with a 256-bit reference.
        #[test]
        fn mul_add_div_rem_matches_u256(a in any::<u128>(), b in any::<u128>(), c in any::<u128>(), d in 1u128..) {
            let n = U256::from(a) * U256::from(b) + U256::from(c);
            let (q, rem) = n.div_rem(U256::from(d));
            match mul_add_div_rem(a, b, c, d) {
                Ok((got_q, got_r)) => {
                    prop_assert_eq!(U256::from(got_q), q);
                    prop_assert_eq!(U256::from(got_r), rem);
                }
                Err(_) => prop_assert!(q > U256::from(u128::MAX)),
            }
        }

        #[test]
        fn small_values_exact(a in any::<u64>(), b in any::<u64>(), d in 1u64..) {
            let (a, b, d) = (a as u128, b as u128, d as u128);
            prop_assert_eq!(mul_div(a, b, d, Rounding::Down).unwrap(), a * b / d);
            prop_assert_eq!(mul_div(a, b, d, Rounding::Up).unwrap(), (a * b).div_ceil(d));
        }

        #[test]
        fn up_is_down_or_down_plus_one(a in any::<u128>(), b in any::<u128>(), d in 1u128..) {
            if let (Ok(lo), Ok(hi)) = (mul_div(a, b, d, Rounding::Down), mul_div(a, b, d, Rounding::Up)) {
                prop_assert!(hi == lo || hi == lo + 1);
                let (ab, d) = (U256::from(a) * U256::from(b), U256::from(d));
                prop_assert!(U256::from(lo) * d <= ab);
                prop_assert!(U256::from(hi) * d >= ab);
            }
        }
    }
}
