//! Market resolution: the oracle resolution's age rule and the pro-rata
//! settlement of redeemed won collateral. Pure.

use crate::{
    errors::Result,
    fail,
    math::{mul_div, Rounding},
};

/// Oldest acceptable `Resolution` signature: one hour.
pub const RESOLUTION_MAX_AGE: u64 = 3_600;

/// Market status of a token.
pub mod status {
    /// Trading: collateral and borrows allowed.
    pub const OPEN: u8 = 0;
    /// Resolved in favour of the token: redeemable at $1.
    pub const WON: u8 = 1;
    /// Resolved against the token: worthless.
    pub const LOST: u8 = 2;
    /// Won, and the pool has redeemed its shares for USDC.
    pub const REDEEMED: u8 = 3;
}

/// A resolution signed at `timestamp` is usable at `now` if it is not from
/// the future and at most one hour old.
pub fn check_resolution_time(now: u64, timestamp: u128) -> Result<()> {
    if timestamp > (now as u128) {
        return Err(fail!(PriceFromFuture));
    }
    if now - timestamp as u64 > RESOLUTION_MAX_AGE {
        return Err(fail!(StalePrice));
    }
    Ok(())
}

/// One position's settlement out of the redeemed proceeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settlement {
    /// The position's pro-rata share of the proceeds.
    pub payout: u128,
    /// Part of `payout` that repays debt.
    pub repaid: u128,
    /// Part of `payout` sent to the borrower.
    pub surplus: u128,
    /// Debt the payout does not cover (written off).
    pub bad_debt: u128,
}

/// Settles `collateral` shares owing `debt` out of `usdc_left` proceeds that
/// still back `shares_left` unsettled shares. The payout rounds **down**
/// (against the settling borrower); the last position gets exactly what is
/// left, so nothing is stranded.
pub fn settle(
    collateral: u128,
    debt: u128,
    usdc_left: u128,
    shares_left: u128,
) -> Result<Settlement> {
    let payout = if collateral >= shares_left {
        usdc_left
    } else {
        mul_div(collateral, usdc_left, shares_left, Rounding::Down)?
    };
    let repaid = payout.min(debt);
    Ok(Settlement {
        payout,
        repaid,
        surplus: payout - repaid,
        bad_debt: debt - repaid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_age() {
        let now = 1_735_689_600u64;
        assert_eq!(check_resolution_time(now, (now - 3_600) as u128), Ok(()));
        assert_eq!(
            check_resolution_time(now, (now - 3_601) as u128),
            Err(fail!(StalePrice))
        );
        assert_eq!(
            check_resolution_time(now, (now + 1) as u128),
            Err(fail!(PriceFromFuture))
        );
    }

    #[test]
    fn pro_rata_settlement() {
        // 3 positions: 100 + 200 + 300 shares, 600 USDC proceeds.
        let s = settle(100, 30, 600, 600).unwrap();
        assert_eq!(
            s,
            Settlement {
                payout: (100),
                repaid: (30),
                surplus: (70),
                bad_debt: 0
            }
        );
        let s = settle(200, 250, 500, 500).unwrap();
        assert_eq!(
            s,
            Settlement {
                payout: (200),
                repaid: (200),
                surplus: 0,
                bad_debt: (50)
            }
        );
        // Odd proceeds: rounding down, last one takes the rest.
        let a = settle(1, 0, 10, 3).unwrap();
        assert_eq!(a.payout, (3));
        let b = settle(2, 0, 7, 2).unwrap();
        assert_eq!(b.payout, (7));
    }
}
