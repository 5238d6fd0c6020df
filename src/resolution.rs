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

/// A redeemed won market's books. At redemption the token's debt is frozen
/// (no more interest: the payout fixes what can be repaid) and lenders can
/// get back at most [`receivable`] of it; the rest is a certain loss,
/// written off in the same transaction. Each settlement then repays one
/// position from its pro-rata share of the proceeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Redeemed {
    /// Frozen debt of the positions not settled yet.
    pub debt: u128,
    /// Their borrow shares (the measure of each position's part of `debt`).
    pub borrow_shares: u128,
    /// Proceeds not paid out yet.
    pub usdc: u128,
    /// Collateral shares not settled yet (the measure of each payout).
    pub shares: u128,
}

impl Redeemed {
    /// Frozen debt of a position with `borrow_shares`: its pro-rata part,
    /// rounded **up** (against the borrower); the last position owes exactly
    /// what is left.
    pub fn debt_of(&self, borrow_shares: u128) -> Result<u128> {
        if borrow_shares >= self.borrow_shares {
            return Ok(self.debt);
        }
        Ok(mul_div(borrow_shares, self.debt, self.borrow_shares, Rounding::Up)?.min(self.debt))
    }
}

/// What lenders can still get back from a redeemed token: its frozen debt,
/// but never more than the proceeds left (`min(debt, usdc)`). Counted in
/// `totalAssets` until settled.
pub fn receivable(debt: u128, usdc: u128) -> u128 {
    debt.min(usdc)
}

/// One position's settlement out of the redeemed proceeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Settlement {
    /// The position's pro-rata share of the proceeds.
    pub payout: u128,
    /// The position's frozen debt.
    pub debt: u128,
    /// Part of `payout` that repays debt.
    pub repaid: u128,
    /// Part of `payout` sent to the borrower.
    pub surplus: u128,
    /// How much lenders' receivable on the token falls.
    pub receivable_drop: u128,
    /// Lenders' loss now: what the receivable loses beyond what is repaid
    /// (a debt the payout does not cover, beyond the part of it already
    /// written off at redemption). Never negative (see [`settle`]).
    pub bad_debt: u128,
}

/// Settles a position of `collateral` shares and `borrow_shares` out of the
/// token's redeemed books `r`. The payout is pro rata of the collateral,
/// rounded **down** (against the settling borrower); the debt pro rata of the
/// borrow shares, rounded **up** (against the borrower); the last position
/// gets exactly what is left of each, so nothing is stranded.
///
/// Lenders' receivable goes from `R = min(D, U)` to `R' = min(D - d, U - p)`
/// while `repaid = min(p, d)` arrives as cash: `repaid + R' <= R` always
/// (if `p >= d`: `d + (D - d) = D` and `d + (U - p) <= U`; if `p < d`:
/// `p + (U - p) = U` and `p + (D - d) < D`), so a settlement never gains
/// lenders anything and `bad_debt = R - R' - repaid` is what it costs them.
pub fn settle(collateral: u128, borrow_shares: u128, r: &Redeemed) -> Result<Settlement> {
    let payout = if collateral >= r.shares {
        r.usdc
    } else {
        mul_div(collateral, r.usdc, r.shares, Rounding::Down)?
    };
    let debt = r.debt_of(borrow_shares)?;
    let repaid = payout.min(debt);
    let before = receivable(r.debt, r.usdc);
    let after = receivable(r.debt - debt, r.usdc - payout);
    let receivable_drop = before - after;
    Ok(Settlement {
        payout,
        debt,
        repaid,
        surplus: payout - repaid,
        receivable_drop,
        bad_debt: receivable_drop.saturating_sub(repaid),
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

    fn books(debt: u128, borrow_shares: u128, usdc: u128, shares: u128) -> Redeemed {
        Redeemed {
            debt,
            borrow_shares,
            usdc,
            shares,
        }
    }

    #[test]
    fn pro_rata_settlement() {
        // 3 positions: 100 + 200 + 300 shares, 600 USDC proceeds; debts 30
        // (30 borrow shares) and 250 (250 shares): 280 of frozen debt.
        let r = books(280, 280, 600, 600);
        assert_eq!(receivable(r.debt, r.usdc), 280);
        let s = settle(100, 30, &r).unwrap();
        assert_eq!(
            s,
            Settlement {
                payout: 100,
                debt: 30,
                repaid: 30,
                surplus: 70,
                receivable_drop: 30,
                bad_debt: 0
            }
        );
        let r = books(250, 250, 500, 500);
        let s = settle(200, 250, &r).unwrap();
        // 200 paid for 250 of debt: 50 short, all of it a loss now (the
        // aggregate proceeds covered the aggregate debt at redemption).
        assert_eq!(
            s,
            Settlement {
                payout: 200,
                debt: 250,
                repaid: 200,
                surplus: 0,
                receivable_drop: 250,
                bad_debt: 50
            }
        );
        // Odd proceeds: rounding down, last one takes the rest.
        let a = settle(1, 0, &books(0, 0, 10, 3)).unwrap();
        assert_eq!(a.payout, 3);
        let b = settle(2, 0, &books(0, 0, 7, 2)).unwrap();
        assert_eq!(b.payout, 7);
    }

    /// The reviewer's won-market shortfall: 13,002 owed on 20,000 shares, the
    /// CTF pays $0.50 a share (10,000). The 3,002 that cannot come back is
    /// written off at redemption; settling then costs lenders nothing more.
    #[test]
    fn a_short_payout_is_a_loss_at_redemption_not_at_settlement() {
        let (debt, usdc) = (13_002_000_000u128, 10_000_000_000u128);
        let r = books(debt, 1_000, usdc, 20_000_000_000);
        assert_eq!(receivable(debt, usdc), usdc); // 3,002 lost at redemption
        let s = settle(20_000_000_000, 1_000, &r).unwrap();
        assert_eq!((s.repaid, s.surplus, s.bad_debt), (usdc, 0, 0));
        assert_eq!(s.receivable_drop, usdc);
    }

    proptest::proptest! {
        /// Settling every position, in any order, never gains lenders
        /// anything, repays exactly the receivable in total less the losses
        /// reported, and pays out every unit of the proceeds.
        #[test]
        fn settlements_add_up(
            positions in proptest::collection::vec((1u64..1_000_000_000, 0u64..1_000_000_000), 1..8),
            debt in 0u64..2_000_000_000, usdc in 0u64..2_000_000_000,
        ) {
            let shares: u128 = positions.iter().map(|p| p.0 as u128).sum();
            let bshares: u128 = positions.iter().map(|p| p.1 as u128).sum();
            let debt = if bshares == 0 { 0 } else { debt as u128 };
            let mut r = books(debt, bshares, usdc as u128, shares);
            let start = receivable(r.debt, r.usdc);
            let (mut repaid, mut lost, mut paid) = (0u128, 0u128, 0u128);
            for (c, b) in &positions {
                let (c, b) = (*c as u128, *b as u128);
                let s = settle(c, b, &r).unwrap();
                proptest::prop_assert!(s.repaid + s.bad_debt == s.receivable_drop);
                proptest::prop_assert!(s.repaid == s.payout.min(s.debt));
                repaid += s.repaid;
                lost += s.bad_debt;
                paid += s.payout;
                r = books(r.debt - s.debt, r.borrow_shares - b, r.usdc - s.payout, r.shares - c);
            }
            proptest::prop_assert_eq!((r.debt, r.usdc, r.shares, r.borrow_shares), (0, 0, 0, 0));
            proptest::prop_assert_eq!(repaid + lost, start);
            proptest::prop_assert_eq!(paid, usdc as u128);
        }
    }
}
