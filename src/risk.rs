//! The risk curve: price-dependent LTV, liquidation threshold, health factor,
//! borrowing power and liquidation price. Pure functions of a [`Curve`].

use crate::{
    errors::Result,
    fail,
    math::{mul_div, Rounding, WAD},
};

/// Number of (price, LTV) anchors.
pub const ANCHORS: usize = 7;
/// Liquidation buffer added to the LTV: 10%.
pub const LIQUIDATION_BUFFER: u128 = 100_000_000_000_000_000;
/// Highest LTV an anchor may have: the liquidation threshold `ltv + 10%`
/// must stay at or below `1 / 1.05`, so that at health factor 1 the
/// collateral covers the debt plus the 5% liquidation bonus (`value * lt >=
/// debt` implies `value >= 1.05 * debt`) and a liquidation can always be
/// split without leaving lenders a loss (see `liquidation`). `1e36 / 1.05e18
/// - 0.1e18`, rounded **down**: 0.852380952380952380.
pub const MAX_LTV: u128 = 852_380_952_380_952_380;
/// Backend haircut shown by the `maxBorrow` view: 99.5%.
pub const BORROW_HAIRCUT: u128 = 995_000_000_000_000_000;

const PCT: u128 = 10_000_000_000_000_000;

/// Seven anchors `(price, ltv)`, both WAD. Between anchors the LTV is linear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Curve {
    /// Anchor prices, strictly increasing from 0 to 1e18.
    pub prices: [u128; ANCHORS],
    /// Anchor LTVs, non-decreasing, each at most [`MAX_LTV`].
    pub ltvs: [u128; ANCHORS],
    /// The token's expected end (`schedule`; 0 = none) ...
    pub end_time: u64,
    /// ... and the time the curve is read at: together they decay
    /// [`Curve::liquidation_threshold`] (`schedule::threshold`).
    pub now: u64,
}

impl Default for Curve {
    /// `(0, 2%) (0.10, 8%) (0.20, 30%) (0.40, 45%) (0.60, 60%) (0.80, 70%) (1.00, 75%)`.
    fn default() -> Self {
        let p = |c: u128| c * PCT;
        Curve {
            prices: [p(0), p(10), p(20), p(40), p(60), p(80), p(100)],
            ltvs: [p(2), p(8), p(30), p(45), p(60), p(70), p(75)],
            end_time: 0,
            now: 0,
        }
    }
}

impl Curve {
    /// Builds a curve from two lists, or `InvalidAnchors` unless: 7 of each,
    /// prices strictly increase from exactly 0 to exactly 1e18, LTVs never
    /// decrease, and every `ltv <= MAX_LTV` (threshold at most `1 / 1.05`).
    pub fn new(prices: &[u128], ltvs: &[u128]) -> Result<Curve> {
        if prices.len() != ANCHORS || ltvs.len() != ANCHORS {
            return Err(fail!(InvalidAnchors));
        }
        let mut c = Curve {
            prices: [0; ANCHORS],
            ltvs: [0; ANCHORS],
            end_time: 0,
            now: 0,
        };
        c.prices.copy_from_slice(prices);
        c.ltvs.copy_from_slice(ltvs);
        let ok = c.prices[0] == 0
            && c.prices[ANCHORS - 1] == WAD
            && c.prices.windows(2).all(|w| w[0] < w[1])
            && c.ltvs.windows(2).all(|w| w[0] <= w[1])
            && c.ltvs[ANCHORS - 1] <= MAX_LTV;
        if ok {
            Ok(c)
        } else {
            Err(fail!(InvalidAnchors))
        }
    }

    /// LTV at `price` (WAD), linear between anchors, rounded **down**
    /// (less borrowing power). Prices at or above 1e18 take the last anchor.
    pub fn ltv(&self, price: u128) -> u128 {
        let (p, l) = (&self.prices, &self.ltvs);
        for i in 1..ANCHORS {
            if price < p[i] {
                // p[i-1] <= price < p[i]; l[i] >= l[i-1]; p[i] > p[i-1]:
                // the quotient is below l[i] - l[i-1], so it cannot fail.
                let step = mul_div(
                    price - p[i - 1],
                    l[i] - l[i - 1],
                    p[i] - p[i - 1],
                    Rounding::Down,
                );
                return l[i - 1] + step.unwrap_or(0);
            }
        }
        l[ANCHORS - 1]
    }

    /// Liquidation threshold: `ltv(price) + 10%`, decayed by the token's
    /// schedule at the curve's time (`schedule::threshold`; unchanged
    /// without a schedule or before its closing window).
    pub fn liquidation_threshold(&self, price: u128) -> u128 {
        crate::schedule::threshold(
            self.ltv(price) + LIQUIDATION_BUFFER,
            self.now,
            self.end_time,
        )
    }

    /// This curve read at `now` for a token expected to end at `end_time`
    /// (0 = no schedule): its threshold, health factor and liquidation
    /// price decay before the end (`schedule`).
    pub fn at(mut self, now: u64, end_time: u64) -> Curve {
        self.now = now;
        self.end_time = end_time;
        self
    }

    /// Largest total debt the LTV allows: `value(collateral, price) * ltv`,
    /// each step rounded **down**.
    pub fn max_debt(&self, collateral: u128, price: u128) -> Result<u128> {
        mul_div(
            collateral_value(collateral, price)?,
            self.ltv(price),
            WAD,
            Rounding::Down,
        )
    }

    /// Health factor (WAD): `value(collateral, price) * lt(price) / debt`,
    /// each step rounded **down** (against the borrower); `u128::MAX` without
    /// debt.
    pub fn health_factor(&self, collateral: u128, price: u128, debt: u128) -> Result<u128> {
        if debt == 0 {
            return Ok(u128::MAX);
        }
        mul_div(
            collateral_value(collateral, price)?,
            self.liquidation_threshold(price),
            debt,
            Rounding::Down,
        )
    }

    /// Lowest price (WAD) at which the position is still healthy (HF >= 1):
    /// below it the position can be liquidated. `0` without debt;
    /// `u128::MAX` if no price up to 1e18 makes it healthy. Found by bisection
    /// (HF is increasing in price because LTVs never decrease).
    pub fn liquidation_price(&self, collateral: u128, debt: u128) -> Result<u128> {
        if debt == 0 {
            return Ok(0);
        }
        if self.health_factor(collateral, WAD, debt)? < WAD {
            return Ok(u128::MAX);
        }
        let (mut lo, mut hi) = (0, WAD); // HF(lo) < 1 <= HF(hi)
        while hi - lo > (1) {
            let mid = (lo + hi) >> 1;
            if self.health_factor(collateral, mid, debt)? >= WAD {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        Ok(hi)
    }
}

/// Collateral value in USDC units: `shares * price / 1e18`, rounded down.
pub fn collateral_value(collateral: u128, price: u128) -> Result<u128> {
    mul_div(collateral, price, WAD, Rounding::Down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usdc(v: u128) -> u128 {
        v * 1_000_000
    }
    fn cents(c: u128) -> u128 {
        c * PCT
    }

    #[test]
    fn reference_ltv_examples() {
        let c = Curve::default();
        assert_eq!(c.ltv(cents(50)), (525 * PCT / 10)); // 52.5%
        assert_eq!(c.ltv(cents(73)), (665 * PCT / 10)); // 66.5%
        assert_eq!(c.ltv(cents(70)), cents(65));
        assert_eq!(c.ltv(cents(65)), (625 * PCT / 10)); // 62.5%
        assert_eq!(c.ltv(cents(55)), (5625 * PCT / 100)); // 56.25%
        assert_eq!(c.liquidation_threshold(cents(60)), cents(70));
        // Anchors themselves, and the ends.
        for (p, l) in c.prices.iter().zip(c.ltvs.iter()) {
            assert_eq!(c.ltv(*p), *l);
        }
        assert_eq!(c.ltv(WAD + (1)), cents(75));
    }

    #[test]
    fn reference_max_borrow_10000_shares_at_070() {
        let c = Curve::default();
        let m = c.max_debt(usdc(10_000), cents(70)).unwrap();
        assert_eq!(m, usdc(4_550));
        // With the 99.5% haircut: $4,527.25.
        assert_eq!(
            mul_div(m, BORROW_HAIRCUT, WAD, Rounding::Down).unwrap(),
            (4_527_250_000)
        );
    }

    #[test]
    fn reference_health_factors() {
        let c = Curve::default();
        // 10,000 shares at $0.70, $4,000 debt: 1.3125.
        assert_eq!(
            c.health_factor(usdc(10_000), cents(70), usdc(4_000))
                .unwrap(),
            (13_125 * PCT / 100)
        );
        // Bob: 8,000 at $0.50, $2,500 debt: exactly 1.00; after repaying $500: 1.25.
        assert_eq!(
            c.health_factor(usdc(8_000), cents(50), usdc(2_500))
                .unwrap(),
            WAD
        );
        assert_eq!(
            c.health_factor(usdc(8_000), cents(50), usdc(2_000))
                .unwrap(),
            cents(125)
        );
        // Alice: 5,000 at $0.80, $2,000 debt: 1.60.
        assert_eq!(
            c.health_factor(usdc(5_000), cents(80), usdc(2_000))
                .unwrap(),
            cents(160)
        );
        // Alice (risk page): 15,000 at $0.65 with $5,500: 1.285...
        let hf = c
            .health_factor(usdc(15_000), cents(65), usdc(5_500))
            .unwrap();
        assert_eq!(hf / (PCT / 10), (1285)); // 1.2852
                                             // Price $0.55 and ~$5,520 debt: 0.990.
        let hf = c
            .health_factor(usdc(15_000), cents(55), usdc(5_520))
            .unwrap();
        assert_eq!(hf / (PCT / 10), (990));
        // No debt: max.
        assert_eq!(c.health_factor(usdc(1), cents(50), 0).unwrap(), u128::MAX);
    }

    #[test]
    fn liquidation_price_is_where_hf_crosses_one() {
        let c = Curve::default();
        // Bob: 8,000 shares, $2,500 debt: HF is exactly 1 at $0.50.
        assert_eq!(
            c.liquidation_price(usdc(8_000), usdc(2_500)).unwrap(),
            cents(50)
        );
        assert_eq!(c.liquidation_price(usdc(8_000), 0).unwrap(), 0);
        assert_eq!(c.liquidation_price(usdc(1), usdc(1)).unwrap(), u128::MAX);
    }

    #[test]
    fn anchors_validation() {
        let d = Curve::default();
        assert_eq!(Curve::new(&d.prices, &d.ltvs).unwrap(), d);
        let bad = |f: &dyn Fn(&mut Curve)| {
            let mut c = d;
            f(&mut c);
            Curve::new(&c.prices, &c.ltvs)
        };
        let e = Err(fail!(InvalidAnchors));
        assert_eq!(bad(&|c| c.prices[0] = 1), e); // first price not 0
        assert_eq!(bad(&|c| c.prices[6] = WAD - (1)), e); // last not 1e18
        assert_eq!(bad(&|c| c.prices[3] = c.prices[2]), e); // not strictly increasing
        assert_eq!(bad(&|c| c.ltvs[3] = c.ltvs[2] - (1)), e); // LTV decreases
                                                              // Threshold above 1/1.05: at HF 1 the collateral could not pay the bonus.
        assert_eq!(bad(&|c| { c.ltvs[6] = MAX_LTV + 1 }), e);
        assert_eq!(bad(&|c| { c.ltvs[6] = cents(90) }), e); // the old 100% bound
        assert!(bad(&|c| { c.ltvs[6] = MAX_LTV }).is_ok()); // the boundary is allowed
                                                            // MAX_LTV is the largest LTV whose threshold times 1.05 is at most 1.
        let lt_bonus = |l: u128| mul_div(l + LIQUIDATION_BUFFER, 105, 100, Rounding::Up).unwrap();
        assert!(lt_bonus(MAX_LTV) <= WAD);
        assert!(lt_bonus(MAX_LTV + 1) > WAD);
        assert_eq!(Curve::new(&d.prices[..6], &d.ltvs[..6]), e);
        assert_eq!(Curve::new(&d.prices, &d.ltvs[..6]), e);
    }

    proptest! {
        /// LTV is non-decreasing in price and stays within the anchors' range.
        #[test]
        fn ltv_monotonic(a in 0u64..=1_000_000_000_000_000_000, b in 0u64..=1_000_000_000_000_000_000) {
            let c = Curve::default();
            let (lo, hi) = ((a.min(b) as u128), (a.max(b) as u128));
            prop_assert!(c.ltv(lo) <= c.ltv(hi));
            prop_assert!(c.ltv(hi) <= cents(75) && c.ltv(lo) >= cents(2));
        }

        /// Borrowing up to max_debt always leaves HF >= 1 (the 10% buffer).
        #[test]
        fn max_debt_is_healthy(coll in 1_000_000u64..1_000_000_000_000_000, p in 1u64..1_000_000_000_000_000_000) {
            let c = Curve::default();
            let (coll, p) = ((coll as u128), (p as u128));
            let m = c.max_debt(coll, p).unwrap();
            if m != 0 {
                prop_assert!(c.health_factor(coll, p, m).unwrap() >= WAD);
            }
        }
    }
}
