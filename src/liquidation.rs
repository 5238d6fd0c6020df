//! Liquidation amounts: close factor, bonus, the underwater path, bad debt
//! and the dust rules. Pure: the contract supplies the position and price.

use crate::{
    errors::Result,
    fail,
    math::{add, mul_div, Rounding, WAD},
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
///   (against the liquidator). Above water nothing is ever written off.
/// * **Splitting never pays**: a partial repayment is allowed only while the
///   collateral can pay the bonus on the whole debt (`value >= 1.05 * debt`,
///   the bonus rounded **up**); then `value - 1.05 * r >= 1.05 * (debt - r)`,
///   so the remainder stays at least 105% covered and every later call at the
///   same price is above water again. Below that coverage only a full close is
///   allowed: the whole debt for `debt * 1.05 / price` shares, or all the
///   collateral (a bonus below 5%, still no loss to lenders).
/// * Underwater (`value < debt`): all collateral for 90% of its value,
///   rounded **up**; the rest of the debt is bad debt.
/// * Dust: a remaining debt below 1 USDC is closed fully; with 105% coverage
///   a remainder of at least 1 USDC keeps collateral worth at least 1.05 USDC.
/// * If the rules need more than `max_repay` → `InsufficientRepay` (the
///   liquidator never pays more than they offered).
pub fn liquidate(
    curve: &Curve,
    collateral: u128,
    debt: u128,
    price: u128,
    max_repay: u128,
) -> Result<Outcome> {
    liquidate_with(
        curve.liquidation_threshold(price),
        BONUS - WAD,
        WAD - UNDERWATER_PAY,
        collateral,
        debt,
        price,
        max_repay,
    )
}

/// [`liquidate`] with the liquidation threshold and both incentives as
/// parameters: the one liquidation rule, for the direct path (the wrapper
/// above: `lt(price)`, 5%, 10%), the Dutch auction (`bonus == discount ==`
/// the auction's current bonus, see `auction`) and the threshold decay
/// before an event (`lt` decayed, see `schedule`).
///
/// * `lt`: the liquidation threshold (WAD) the health factor uses, `value *
///   lt / debt` rounded **down** (against the borrower); HF >= 1 →
///   `PositionHealthy`.
/// * `bonus` (WAD, e.g. 0.05e18): above water the liquidator receives
///   `repaid * (1 + bonus) / price` shares, rounded **down**; a partial
///   repayment only while `value >= (1 + bonus) * debt` (rounded **up**),
///   so the remainder stays `(1 + bonus)`-covered; else a full close only
///   (the whole debt for at most all the collateral). `1 + bonus` above
///   `u128::MAX` → `MathOverflow`.
/// * `discount` (WAD, e.g. 0.10e18): underwater the liquidator pays
///   `(1 - discount)` of the collateral's value (rounded **up**) for all of
///   it; a discount above 100% pays nothing.
///
/// Every other rule (close factor, dust, `InsufficientRepay`, `ZeroAmount`)
/// is [`liquidate`]'s, which returns exactly what this returns with
/// `(curve.liquidation_threshold(price), 5%, 10%)`.
pub fn liquidate_with(
    lt: u128,
    bonus: u128,
    discount: u128,
    collateral: u128,
    debt: u128,
    price: u128,
    max_repay: u128,
) -> Result<Outcome> {
    // As `Curve::health_factor`, with `lt` given.
    let hf = if debt == 0 {
        u128::MAX
    } else {
        mul_div(
            collateral_value(collateral, price)?,
            lt,
            debt,
            Rounding::Down,
        )?
    };
    if hf >= WAD {
        return Err(fail!(PositionHealthy));
    }
    let bonus = add(WAD, bonus)?;
    let value = collateral_value(collateral, price)?;
    let mut o = Outcome::default();
    if value < debt {
        o.seized = collateral;
        o.repaid = mul_div(
            mul_div(collateral, price, WAD, Rounding::Up)?,
            WAD.saturating_sub(discount),
            WAD,
            Rounding::Up,
        )?;
        if o.repaid > max_repay {
            return Err(fail!(InsufficientRepay));
        }
        o.bad_debt = debt - o.repaid.min(debt);
        return Ok(o);
    }
    // Can the collateral pay the bonus on the whole debt? Only then may the
    // liquidation be split (see above).
    let splittable = value >= mul_div(debt, bonus, WAD, Rounding::Up)?;
    let factor = if hf < FULL_CLOSE_HF || !splittable {
        WAD
    } else {
        CLOSE_FACTOR
    };
    let allowed = mul_div(debt, factor, WAD, Rounding::Down)?;
    o.repaid = max_repay.min(allowed);
    if o.repaid == 0 {
        return Err(fail!(ZeroAmount));
    }
    if !splittable || debt - o.repaid < MIN_DEBT {
        o.repaid = debt;
    }
    o.seized = mul_div(o.repaid, bonus, price, Rounding::Down)?;
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

    #[test]
    fn split_liquidation_cannot_push_an_above_water_position_under() {
        // 1,000 shares, 650 USDC borrowed at $0.90; the price falls to $0.651:
        // value 651 >= debt 650, HF ~0.727 < 0.95.
        let c = Curve::default();
        let (coll, debt, p) = (usdc(1_000), usdc(650), 651 * PCT / 10);
        // Whole: all the collateral for the whole debt, nothing written off.
        let whole = liquidate(&c, coll, debt, p, u128::MAX).unwrap();
        assert_eq!(
            whole,
            Outcome {
                repaid: debt,
                seized: coll,
                bad_debt: 0
            }
        );
        // Split: the collateral cannot pay the bonus on the whole debt
        // (651 < 1.05 * 650 = 682.5), so a 25 USDC first bite is refused
        // (before the fix it took 40.3 shares and left 959.7 shares worth
        // 624.75 against 625 of debt: underwater, 62.7 USDC of bad debt next).
        assert_eq!(
            liquidate(&c, coll, debt, p, usdc(25)),
            Err(fail!(InsufficientRepay))
        );
        assert_eq!(
            liquidate(&c, coll, debt, p, debt - 1),
            Err(fail!(InsufficientRepay))
        );
        // The zombie variant (a bite leaving dust collateral against real
        // debt) is refused the same way, at any offer below the debt.
        for offer in [1, usdc(1), usdc(620), usdc(649)] {
            assert_eq!(
                liquidate(&c, coll, debt, p, offer),
                Err(fail!(InsufficientRepay))
            );
        }
    }

    #[test]
    fn partial_allowed_only_with_105_percent_coverage() {
        let c = Curve::default();
        // Value exactly 1.05 * debt (1,050 vs 1,000), HF < 0.95: a bite is fine
        // and leaves the remainder 105% covered.
        let (coll, debt, p) = (usdc(2_100), usdc(1_000), cents(50));
        let o = liquidate(&c, coll, debt, p, usdc(100)).unwrap();
        assert_eq!(o.repaid, usdc(100));
        assert_eq!(o.seized, usdc(210));
        let (c2, d2) = (coll - o.seized, debt - o.repaid);
        assert!(collateral_value(c2, p).unwrap() >= mul_div(d2, BONUS, WAD, Rounding::Up).unwrap());
        // One unit less of collateral value: only a full close.
        let coll = usdc(2_100) - 2;
        assert_eq!(
            liquidate(&c, coll, debt, p, usdc(100)),
            Err(fail!(InsufficientRepay))
        );
        let o = liquidate(&c, coll, debt, p, u128::MAX).unwrap();
        assert_eq!((o.repaid, o.seized, o.bad_debt), (debt, coll, 0));
    }

    #[test]
    fn full_close_overrides_the_close_factor_below_105_percent() {
        // A curve at the edge (LTV at $1 = MAX_LTV): HF in [0.95, 1) with value
        // below 1.05 * debt. The 50% close factor would leave the rest under
        // 105% coverage, so only a full close is allowed.
        let mut c = Curve::default();
        c.ltvs[6] = crate::risk::MAX_LTV;
        c.ltvs[5] = crate::risk::MAX_LTV;
        let p = cents(99);
        let coll = usdc(1_000);
        // value 990; lt(0.99) ~0.952; debt 990 → HF ~0.9524 (>= 0.95), value/debt = 1.0.
        let debt = usdc(990);
        let hf = c.health_factor(coll, p, debt).unwrap();
        assert!((FULL_CLOSE_HF..WAD).contains(&hf), "hf {hf}");
        assert_eq!(
            liquidate(&c, coll, debt, p, usdc(495)),
            Err(fail!(InsufficientRepay))
        );
        let o = liquidate(&c, coll, debt, p, u128::MAX).unwrap();
        assert_eq!((o.repaid, o.seized, o.bad_debt), (debt, coll, 0));
    }

    /// Runs a liquidator's sequence of offers at one price; returns the
    /// total (repaid, seized, bad debt) and checks each step's remainder.
    fn run_split(
        c: &Curve,
        mut coll: u128,
        mut debt: u128,
        p: u128,
        offers: &[u128],
    ) -> core::result::Result<(u128, u128, u128), TestCaseError> {
        let (mut repaid, mut seized, mut bad) = (0, 0, 0);
        for offer in offers {
            let Ok(o) = liquidate(c, coll, debt, p, *offer) else {
                continue;
            };
            repaid += o.repaid;
            seized += o.seized;
            bad += o.bad_debt;
            coll -= o.seized;
            debt -= o.repaid + o.bad_debt;
            if debt != 0 {
                // Never dust and never under water after a bite.
                prop_assert!(debt >= MIN_DEBT);
                prop_assert!(
                    collateral_value(coll, p).unwrap()
                        >= mul_div(debt, BONUS, WAD, Rounding::Down).unwrap(),
                    "remainder under 105% coverage: coll {} debt {}",
                    coll,
                    debt
                );
            } else {
                break;
            }
        }
        Ok((repaid, seized, bad))
    }

    /// The fixed-5% rule as it was before `liquidate_with`, verbatim: the
    /// wrapper must return exactly what it returned.
    fn liquidate_v1(
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
        // Can the collateral pay the bonus on the whole debt? Only then may the
        // liquidation be split (see above).
        let splittable = value >= mul_div(debt, BONUS, WAD, Rounding::Up)?;
        let factor = if hf < FULL_CLOSE_HF || !splittable {
            WAD
        } else {
            CLOSE_FACTOR
        };
        let allowed = mul_div(debt, factor, WAD, Rounding::Down)?;
        o.repaid = max_repay.min(allowed);
        if o.repaid == 0 {
            return Err(fail!(ZeroAmount));
        }
        if !splittable || debt - o.repaid < MIN_DEBT {
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

    proptest! {
        /// Splitting never pays: on a position above water at the price, any
        /// sequence of offers (tiny, partial, repeated, the maximum) writes
        /// nothing off, and the liquidator never gets more than the 5% bonus
        /// on what it repaid.
        #[test]
        fn splitting_never_pays(
            coll in 1_000_000u64..10_000_000_000_000, ratio in 1_000u64..2_000,
            p in 10_000_000_000_000_000u64..990_000_000_000_000_000,
            offers in proptest::collection::vec((0u8..4, any::<u64>()), 1..12),
        ) {
            let c = Curve::default();
            let (coll, p) = (coll as u128, p as u128);
            // debt = value * 1000 / ratio: value/debt between 1.0 and 2.0.
            let value = collateral_value(coll, p).unwrap();
            let debt = mul_div(value, 1_000, ratio as u128, Rounding::Down).unwrap();
            prop_assume!(debt >= MIN_DEBT);
            prop_assume!(c.health_factor(coll, p, debt).unwrap() < WAD);
            // The maximum, tiny, partial or large offers.
            let offers: Vec<u128> = offers
                .iter()
                .map(|(mode, v)| match mode {
                    0 => u128::MAX,
                    1 => (*v % 10) as u128,
                    2 => (*v % 10_000_000) as u128,
                    _ => (*v % 10_000_000_000_000) as u128,
                })
                .collect();
            let (repaid, seized, bad) = run_split(&c, coll, debt, p, &offers)?;
            prop_assert_eq!(bad, 0);
            let got = collateral_value(seized, p).unwrap();
            prop_assert!(got <= mul_div(repaid, BONUS, WAD, Rounding::Up).unwrap());
        }

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

        /// `liquidate` (now a wrapper of `liquidate_with`) returns exactly
        /// what the fixed-5% rule returned, errors included, on any input.
        #[test]
        fn wrapper_matches_the_fixed_bonus_rule(
            coll in any::<u64>(), debt in any::<u64>(), p in any::<u64>(),
            offer in any::<u64>(), wide in any::<bool>(), near in 900u64..1_100,
            huge in any::<(u128, u128, u128)>(),
        ) {
            let c = Curve::default();
            let (coll, p, offer) = (coll as u128, p as u128, offer as u128);
            // Half the cases near HF 1 and near value == debt, where the
            // branches are decided.
            let debt = if wide {
                debt as u128
            } else {
                mul_div(collateral_value(coll, p).unwrap(), near as u128, 1_000, Rounding::Down).unwrap()
            };
            prop_assert_eq!(liquidate(&c, coll, debt, p, offer), liquidate_v1(&c, coll, debt, p, offer));
            prop_assert_eq!(
                liquidate(&c, coll, debt, p, u128::MAX),
                liquidate_v1(&c, coll, debt, p, u128::MAX)
            );
            // Any u128 inputs: the same overflow errors in the same order.
            let (a, b, q) = huge;
            prop_assert_eq!(liquidate(&c, a, b, q, offer), liquidate_v1(&c, a, b, q, offer));
        }
    }
}
