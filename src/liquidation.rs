//! Liquidation amounts: close factor, bonus, the underwater path, bad debt
//! and the dust rules. Pure: the contract supplies the position and price.

use crate::{
    errors::Result,
    fail,
    math::{mul_div, Rounding, WAD},
    risk::{collateral_value, Curve},
};

/// Health factor below which the whole debt may be repaid: 0.95.
pub const FULL_CLOSE_HF: u128 = 950_000_000_000_000_000;
/// Share of the debt repayable above `FULL_CLOSE_HF`: 50%.
pub const CLOSE_FACTOR: u128 = 500_000_000_000_000_000;
/// Collateral paid per USDC repaid, above water: 105%.
pub const BONUS: u128 = 1_050_000_000_000_000_000;
/// Share of collateral value the liquidator pays when underwater: 90%.
pub const UNDERWATER_PAY: u128 = 900_000_000_000_000_000;
/// Smallest debt worth keeping open: 1 USDC.
pub const MIN_DEBT: u128 = 1_000_000;

/// What one liquidation does to a position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// USDC the liquidator pays (repays debt).
    pub repaid: u128,
    /// Collateral shares the liquidator receives.
    pub seized: u128,
    /// Debt written off as bad debt (lenders bear it).
    pub bad_debt: u128,
}

impl Outcome {
    /// True when the position ends with no debt (repaid or written off).
    pub fn closes(&self, debt: u128) -> bool {
        self.repaid + self.bad_debt >= debt
    }
}

/// Computes a liquidation of `collateral` shares owing `debt` at `price`,
/// with the liquidator paying at most `max_repay`.
///
/// * Healthy (HF >= 1) → `PositionHealthy`.
/// * Above water (`value >= debt`): repay up to 50% of the debt (100% when
///   HF < 0.95), receive `repaid * 1.05 / price` shares rounded **down**
///   (against the liquidator). When that would exceed the collateral, the
///   liquidator repays the whole debt for all the collateral (a bonus below
///   5%); above water nothing is ever written off.
/// * Underwater (`value < debt`): all collateral for 90% of its value,
///   rounded **up**; the rest of the debt is bad debt.
/// * Dust: a remaining debt below 1 USDC with collateral left is closed
///   fully; a remaining debt with no collateral left is written off.
/// * If the rules need more than `max_repay` → `InsufficientRepay` (the
///   liquidator never pays more than they offered).
pub fn liquidate(
    curve: &Curve,
    collateral: u128,
    debt: u128,
    price: u128,
    max_repay: u128,
) -> Result<Outcome> {
    let hf = curve.health_factor(collateral, price, debt)?;
    if hf >= WAD {
        return Err(fail!(PositionHealthy));
    }
    let value = collateral_value(collateral, price)?;
    let mut o = Outcome::default();
    if value < debt {
        o.seized = collateral;
        o.repaid = mul_div(
            mul_div(collateral, price, WAD, Rounding::Up)?,
            UNDERWATER_PAY,
            WAD,
            Rounding::Up,
        )?;
        if o.repaid > max_repay {
            return Err(fail!(InsufficientRepay));
        }
        o.bad_debt = debt - o.repaid.min(debt);
        return Ok(o);
    }
    let factor = if hf < FULL_CLOSE_HF {
        WAD
    } else {
        CLOSE_FACTOR
    };
    let allowed = mul_div(debt, factor, WAD, Rounding::Down)?;
    o.repaid = max_repay.min(allowed);
    if o.repaid == 0 {
        return Err(fail!(ZeroAmount));
    }
    if debt - o.repaid < MIN_DEBT {
        o.repaid = debt;
    }
    o.seized = mul_div(o.repaid, BONUS, price, Rounding::Down)?;
    if o.seized >= collateral {
        // The bonus would take more than there is: the liquidator repays the
        // whole debt and takes all the collateral (worth at least the debt,
        // since the position is above water). Nothing is written off.
        o.seized = collateral;
        o.repaid = debt;
    }
    if o.repaid > max_repay {
        return Err(fail!(InsufficientRepay));
    }
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PCT: u128 = 10_000_000_000_000_000;
    fn usdc(v: u128) -> u128 {
        v * 1_000_000
    }
    fn cents(c: u128) -> u128 {
        c * PCT
    }

    #[test]
    fn reference_alice_walkthrough() {
        // 15,000 shares, ~$5,520 debt, price $0.55: HF 0.990, 50% close factor.
        let c = Curve::default();
        let o = liquidate(&c, usdc(15_000), usdc(5_520), cents(55), u128::MAX).unwrap();
        assert_eq!(o.repaid, usdc(2_760));
        // 2,760 * 1.05 / 0.55 = 5,269.0909.. shares, rounded down.
        assert_eq!(o.seized, (5_269_090_909));
        assert_eq!(o.bad_debt, 0);
        let left = usdc(15_000) - o.seized;
        assert_eq!(left / (1_000_000), (9_730)); // ~9,731 shares (9,730.909)
        let hf = c.health_factor(left, cents(55), usdc(2_760)).unwrap();
        assert_eq!(hf / (PCT / 10), (1284)); // 1.2846 ~ "1.285"
    }

    #[test]
    fn healthy_position_cannot_be_liquidated() {
        let c = Curve::default();
        assert_eq!(
            liquidate(&c, usdc(15_000), usdc(5_500), cents(65), u128::MAX),
            Err(fail!(PositionHealthy))
        );
    }

    #[test]
    fn full_close_below_095() {
        // 10,000 shares at $0.58 (lt ~66%) with $4,200 debt: HF ~0.946.
        let c = Curve::default();
        let o = liquidate(&c, usdc(10_000), usdc(4_200), cents(58), u128::MAX).unwrap();
        assert_eq!(o.repaid, usdc(4_200));
        assert_eq!(
            o.seized,
            mul_div(usdc(4_200), BONUS, cents(58), Rounding::Down).unwrap()
        );
        // Clamped to what the liquidator offers.
        let o = liquidate(&c, usdc(10_000), usdc(4_200), cents(58), usdc(1_000)).unwrap();
        assert_eq!(o.repaid, usdc(1_000));
    }

    #[test]
    fn bonus_capped_by_collateral() {
        // value 1,000; debt 980 => HF < 0.95, full close; 980 * 1.05 > 1,000.
        let c = Curve::default();
        let o = liquidate(&c, usdc(2_000), usdc(980), cents(50), u128::MAX).unwrap();
        // All the collateral for the whole debt: a 2.04% bonus, no bad debt.
        assert_eq!(
            o,
            Outcome {
                repaid: usdc(980),
                seized: usdc(2_000),
                bad_debt: 0
            }
        );
        assert_eq!(
            liquidate(&c, usdc(2_000), usdc(980), cents(50), usdc(979)),
            Err(fail!(InsufficientRepay))
        );
    }

    #[test]
    fn underwater_takes_everything_for_90_percent() {
        let c = Curve::default();
        let o = liquidate(&c, usdc(1_000), usdc(600), cents(50), u128::MAX).unwrap();
        assert_eq!(o.seized, usdc(1_000));
        assert_eq!(o.repaid, usdc(450));
        assert_eq!(o.bad_debt, usdc(150));
        assert_eq!(
            liquidate(&c, usdc(1_000), usdc(600), cents(50), usdc(449)),
            Err(fail!(InsufficientRepay))
        );
    }

    #[test]
    fn dust_is_closed_fully() {
        // HF in [0.95, 1): 50% would leave 0.5 USDC + ... debt of 1.9 USDC leaves 0.95.
        let c = Curve::default();
        let o = liquidate(&c, 5_000_000, 1_900_000, cents(50), u128::MAX).unwrap();
        // 5 shares at $0.50 = $2.50, lt 62.5% => 1.5625 / 1.9 = 0.82: full close anyway.
        assert_eq!(o.repaid, (1_900_000));
        // HF 0.97: 50% of 1.5 leaves 0.75 < 1 USDC: closed fully.
        let o = liquidate(&c, 4_656_000, 1_500_000, cents(50), u128::MAX).unwrap();
        assert_eq!(o.repaid, (1_500_000));
        // Closing fully needs the liquidator's consent.
        assert_eq!(
            liquidate(&c, 4_656_000, 1_500_000, cents(50), 750_000),
            Err(fail!(InsufficientRepay))
        );
        assert_eq!(
            liquidate(&c, 4_656_000, 1_500_000, cents(50), 0),
            Err(fail!(ZeroAmount))
        );
    }

    proptest! {
        /// A liquidation never seizes more than the collateral, never repays
        /// more than the debt or the offer, accounts for the whole debt when
        /// it closes, and never leaves debt without collateral or dust debt.
        #[test]
        fn outcome_is_consistent(
            coll in 1_000u64..1_000_000_000_000, debt in 1_000u64..1_000_000_000_000,
            p in 1u64..1_000_000_000_000_000_000, offer in 0u64..u64::MAX,
        ) {
            let c = Curve::default();
            let (coll, debt, p, offer) = ((coll as u128), (debt as u128), (p as u128), (offer as u128));
            if let Ok(o) = liquidate(&c, coll, debt, p, offer) {
                prop_assert!(o.seized <= coll);
                prop_assert!(o.repaid <= offer);
                prop_assert!(o.repaid + o.bad_debt <= debt);
                let left_debt = debt - o.repaid - o.bad_debt;
                let left_coll = coll - o.seized;
                prop_assert!(left_coll > 0 || left_debt == 0);
                prop_assert!(left_debt == 0 || left_debt >= MIN_DEBT);
                // Bad debt only when the collateral is worth less than the debt.
                prop_assert!(o.bad_debt == 0 || collateral_value(coll, p).unwrap() < debt);
                // The liquidator never receives more than 105% of what they pay.
                let got = collateral_value(o.seized, p).unwrap();
                prop_assert!(got <= mul_div(o.repaid, BONUS, WAD, Rounding::Up).unwrap().max(
                    mul_div(o.repaid, WAD, UNDERWATER_PAY, Rounding::Up).unwrap()));
            }
        }
    }
}
