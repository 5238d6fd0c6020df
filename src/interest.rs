//! Interest: the kinked borrow-rate model, accrual, and borrow-share math.
//!
//! Pure functions of the pool's totals and elapsed time; the contract calls
//! [`accrue`] before every state change and views call it without storing.

use crate::{
    errors::Result,
    math::{add, mul_add_div_rem, mul_div, Rounding, WAD},
};

/// Seconds in a year (365.25 days).
pub const SECONDS_PER_YEAR: u128 = 31_557_600;
/// Borrow APR at zero utilization: 5%.
pub const BASE_RATE: u128 = 50_000_000_000_000_000;
/// Utilization at the kink: 80%.
pub const KINK: u128 = 800_000_000_000_000_000;
/// Borrow APR at the kink: 25%.
pub const RATE_AT_KINK: u128 = 250_000_000_000_000_000;
/// Borrow APR at 100% utilization: 300%.
pub const MAX_RATE: u128 = 3_000_000_000_000_000_000;
/// Share of interest kept as protocol reserves: 5%.
pub const RESERVE_FACTOR: u128 = 50_000_000_000_000_000;
/// Virtual borrow shares (as the vault's offset: debt cannot be inflated).
pub const VIRTUAL_BORROW_SHARES: u128 = 1_000_000;
/// Virtual borrow assets.
pub const VIRTUAL_BORROW_ASSETS: u128 = 1;

/// Utilization `borrowed / totalAssets` in WAD, rounded down, capped at 100%
/// (it can only exceed 100% transiently when reserves exceed cash).
/// Zero when `totalAssets == 0`.
pub fn utilization(total_borrow_assets: u128, total_assets: u128) -> Result<u128> {
    if total_assets == 0 {
        return Ok(0);
    }
    let u = mul_div(total_borrow_assets, WAD, total_assets, Rounding::Down)?;
    Ok(u.min(WAD))
}

/// Kinked borrow APR (WAD) at utilization `util` (WAD, at most 1e18).
/// Each segment rounds down (the rate is the borrower's cost).
pub fn borrow_rate(util: u128) -> Result<u128> {
    if util <= KINK {
        Ok(BASE_RATE + mul_div(util, RATE_AT_KINK - BASE_RATE, KINK, Rounding::Down)?)
    } else {
        Ok(RATE_AT_KINK
            + mul_div(
                util - KINK,
                MAX_RATE - RATE_AT_KINK,
                WAD - KINK,
                Rounding::Down,
            )?)
    }
}

/// Supply APR (WAD): `rate * U * (1 - RESERVE_FACTOR)`, rounded down.
pub fn supply_rate(util: u128) -> Result<u128> {
    let r = mul_div(borrow_rate(util)?, util, WAD, Rounding::Down)?;
    mul_div(r, WAD - RESERVE_FACTOR, WAD, Rounding::Down)
}

/// What one accrual adds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Accrual {
    /// Interest added to `totalBorrowAssets`.
    pub interest: u128,
    /// Part of `interest` added to reserves.
    pub reserve_fee: u128,
}

/// The fractions of a base unit that accruals have not booked yet, carried
/// to the next accrual so that how often interest is accrued does not change
/// the books: `interest` in units of `1 / (WAD * SECONDS_PER_YEAR)` of a base
/// unit of debt (always below `WAD * SECONDS_PER_YEAR`), `reserve` in units of
/// `1 / WAD` of a base unit of reserves (always below `WAD`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Carry {
    /// Interest not yet booked, in `1 / (WAD * SECONDS_PER_YEAR)` units.
    pub interest: u128,
    /// Reserve fee not yet booked, in `1 / WAD` units.
    pub reserve: u128,
}

/// Interest over `dt` seconds: `borrowed * rate * dt / SECONDS_PER_YEAR`;
/// the reserve fee is `interest * 5%`. Each division rounds **down** and
/// carries its remainder (`carry`, returned updated) to the next accrual, so
/// accruing every second or once over the same period books the same
/// interest and reserves (up to compounding, which only grows the debt):
/// no rounding is repeated per accrual, in anyone's favour.
pub fn accrue(
    cash: u128,
    total_borrow_assets: u128,
    reserves: u128,
    dt: u64,
    carry: Carry,
) -> Result<(Accrual, Carry)> {
    if dt == 0 || total_borrow_assets == 0 {
        return Ok((Accrual::default(), carry));
    }
    let ta = crate::vault::total_assets(cash, total_borrow_assets, reserves);
    let rate = borrow_rate(utilization(total_borrow_assets, ta)?)?;
    // rate * dt <= 3e18 * 2^64 and WAD * SECONDS_PER_YEAR ~ 3.2e25 fit in u128.
    let rate_dt = rate
        .checked_mul(dt as u128)
        .ok_or_else(crate::errors::overflow)?;
    let (interest, interest_carry) = mul_add_div_rem(
        total_borrow_assets,
        rate_dt,
        carry.interest,
        WAD * SECONDS_PER_YEAR,
    )?;
    let (reserve_fee, reserve_carry) =
        mul_add_div_rem(interest, RESERVE_FACTOR, carry.reserve, WAD)?;
    Ok((
        Accrual {
            interest,
            reserve_fee,
        },
        Carry {
            interest: interest_carry,
            reserve: reserve_carry,
        },
    ))
}

/// Borrow shares for `assets` of debt:
/// `assets * (totalShares + 1e6) / (totalAssets + 1)`.
/// Borrowing rounds **up** (more debt shares), repaying rounds **down**.
pub fn to_borrow_shares(
    assets: u128,
    total_assets: u128,
    total_shares: u128,
    r: Rounding,
) -> Result<u128> {
    mul_div(
        assets,
        add(total_shares, VIRTUAL_BORROW_SHARES)?,
        add(total_assets, VIRTUAL_BORROW_ASSETS)?,
        r,
    )
}

/// Debt of `shares`: `shares * (totalAssets + 1) / (totalShares + 1e6)`,
/// rounded **up** (a position never shows less debt than it owes).
pub fn to_debt(shares: u128, total_assets: u128, total_shares: u128) -> Result<u128> {
    mul_div(
        shares,
        add(total_assets, VIRTUAL_BORROW_ASSETS)?,
        add(total_shares, VIRTUAL_BORROW_SHARES)?,
        Rounding::Up,
    )
}

/// The pool's money totals, as of some moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Market {
    /// Idle USDC the pool accounts for.
    pub cash: u128,
    /// Total debt (`totalBorrowAssets`), interest included.
    pub borrowed: u128,
    /// Total borrow shares.
    pub borrow_shares: u128,
    /// Protocol reserves (part of `cash + settling + borrowed` owed to the
    /// protocol).
    pub reserves: u128,
    /// What lenders can still get back from redeemed won markets: the frozen
    /// debt of their unsettled positions, at most the proceeds
    /// (`resolution::receivable` summed over tokens).
    pub settling: u128,
    /// Accrual remainders not booked yet (see [`Carry`]).
    pub carry: Carry,
}

impl Market {
    /// Lenders' assets: `cash + settling + borrowed - reserves`.
    pub fn total_assets(&self) -> u128 {
        crate::vault::total_assets(self.idle(), self.borrowed, self.reserves)
    }

    /// Lenders' assets as exits price them: `totalAssets` without the
    /// redeemed markets' unsettled receivable. What each position's payout
    /// repays is fixed at redemption but only known position by position, so
    /// until its settlement a short position's loss may still hide in the
    /// receivable: a lender leaving before then never takes it with them
    /// (entries still pay the full price, so nobody buys the rest cheaply).
    pub fn exit_assets(&self) -> u128 {
        self.total_assets().saturating_sub(self.settling)
    }

    /// Assets not lent out: cash and the redeemed markets' receivable.
    fn idle(&self) -> u128 {
        self.cash.saturating_add(self.settling)
    }

    /// Utilization (WAD) of these totals.
    pub fn utilization(&self) -> Result<u128> {
        utilization(self.borrowed, self.total_assets())
    }

    /// These totals after `dt` seconds of interest, and what was added.
    pub fn accrued(mut self, dt: u64) -> Result<(Market, Accrual)> {
        let (a, carry) = accrue(self.idle(), self.borrowed, self.reserves, dt, self.carry)?;
        self.carry = carry;
        self.borrowed = add(self.borrowed, a.interest)?;
        self.reserves = add(self.reserves, a.reserve_fee)?;
        Ok((self, a))
    }

    /// Debt of `shares` borrow shares, rounded up.
    pub fn debt_of(&self, shares: u128) -> Result<u128> {
        if shares == 0 {
            return Ok(0);
        }
        to_debt(shares, self.borrowed, self.borrow_shares)
    }

    /// Debt of `shares` rounded **down**: what a write-off removes, so the
    /// borrowers who remain never end up owing less because of it.
    pub fn debt_down(&self, shares: u128) -> Result<u128> {
        mul_div(
            shares,
            add(self.borrowed, VIRTUAL_BORROW_ASSETS)?,
            add(self.borrow_shares, VIRTUAL_BORROW_SHARES)?,
            Rounding::Down,
        )
    }

    /// Books a new borrow of `assets`; returns the shares minted (rounded up).
    pub fn add_debt(&mut self, assets: u128) -> Result<u128> {
        let shares = to_borrow_shares(assets, self.borrowed, self.borrow_shares, Rounding::Up)?;
        self.borrowed = add(self.borrowed, assets)?;
        self.borrow_shares = add(self.borrow_shares, shares)?;
        Ok(shares)
    }

    /// Takes a loss of `loss` (debt already removed from `borrowed`) from
    /// the reserves first: reserves are first-loss capital, lenders bear only
    /// the rest through `totalAssets`. Returns the reserves' part.
    pub fn absorb(&mut self, loss: u128) -> u128 {
        let part = self.reserves.min(loss);
        self.reserves -= part;
        part
    }

    /// Removes `shares` borrow shares and `assets` of debt (repaid or written
    /// off). When the last share goes, the debt the virtual shares accrued
    /// goes with it, so `borrowed` never outlives every borrower; returns
    /// that dust (what lenders lose beyond `assets`).
    pub fn remove_debt(&mut self, shares: u128, assets: u128) -> u128 {
        self.borrow_shares = self.borrow_shares.saturating_sub(shares);
        let left = self.borrowed.saturating_sub(assets);
        if self.borrow_shares == 0 {
            self.borrowed = 0;
            left
        } else {
            self.borrowed = left;
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PCT: u128 = 10_000_000_000_000_000; // 1% in WAD

    #[test]
    fn rate_at_hand_computed_points() {
        // U = 0: base 5%.
        assert_eq!(borrow_rate(0).unwrap(), (5 * PCT));
        // U = 40%: 5% + 0.4 * 20% / 0.8 = 15%.
        assert_eq!(borrow_rate(40 * PCT).unwrap(), (15 * PCT));
        // U = 80%: 25% at the kink.
        assert_eq!(borrow_rate(80 * PCT).unwrap(), (25 * PCT));
        // U = 90%: 25% + 0.1 * 275% / 0.2 = 162.5%.
        assert_eq!(borrow_rate(90 * PCT).unwrap(), (1_625_000_000_000_000_000));
        // U = 100%: 300%.
        assert_eq!(borrow_rate(WAD).unwrap(), (300 * PCT));
    }

    #[test]
    fn utilization_edges() {
        assert_eq!(utilization(5, 0).unwrap(), 0);
        assert_eq!(utilization(40, 100).unwrap(), (40 * PCT));
        assert_eq!(utilization(200, 100).unwrap(), WAD);
    }

    #[test]
    fn supply_rate_is_rate_times_u_less_reserve() {
        // U = 40%: 15% * 0.4 * 0.95 = 5.7%.
        assert_eq!(supply_rate(40 * PCT).unwrap(), (57 * PCT / 10));
        assert_eq!(supply_rate(0).unwrap(), 0);
    }

    #[test]
    fn accrual_over_one_second_day_and_year() {
        // 1,000,000 USDC cash, 400,000 USDC borrowed: ta = 1.4M, U = 28.57..%.
        let cash = 1_000_000_000_000;
        let b = 400_000_000_000;
        let ta = cash + b;
        let rate = borrow_rate(utilization(b, ta).unwrap()).unwrap();
        let per_year = b * rate / WAD;
        // One year: interest = borrowed * rate (exact: divisible).
        let y = accrue(cash, b, 0, 31_557_600, Carry::default()).unwrap().0;
        assert!(y.interest == per_year || y.interest == per_year + (1));
        assert_eq!(y.reserve_fee, y.interest * RESERVE_FACTOR / WAD);
        // One day: 1/365.25 of it, rounded down (the rest is carried).
        let d = accrue(cash, b, 0, 86_400, Carry::default()).unwrap().0;
        let expect = (per_year * (86_400)) / SECONDS_PER_YEAR;
        assert!(d.interest + 1 >= expect && d.interest <= expect + (1));
        // One second: a day's worth over 86,400 seconds.
        let s = accrue(cash, b, 0, 1, Carry::default()).unwrap().0;
        assert!(s.interest * 86_400 <= d.interest && (s.interest + 1) * 86_400 >= d.interest);
        // Nothing borrowed or no time: nothing accrues.
        assert_eq!(
            accrue(cash, 0, 0, 100, Carry::default()).unwrap().0,
            Accrual::default()
        );
        assert_eq!(
            accrue(cash, b, 0, 0, Carry::default()).unwrap().0,
            Accrual::default()
        );
    }

    /// The reviewer's numbers: 1,000 USDC borrowed at 6.25% for an hour.
    /// Once: 7,129.8 units of interest (it was rounded up to 7,130), 356 of
    /// reserves. Every second: it used to be 7,200 and 0 (interest rounded up
    /// and the fee down 3,600 times). With the remainders carried, both come
    /// out the same.
    #[test]
    fn accrual_frequency_does_not_change_the_books() {
        // U = 5% → rate 6.25%: 1,000 borrowed of 20,000 total assets.
        let (cash, b) = (19_000_000_000, 1_000_000_000);
        assert_eq!(
            borrow_rate(utilization(b, cash + b).unwrap()).unwrap(),
            625 * PCT / 100
        );
        let once = Market {
            cash,
            borrowed: b,
            ..Market::default()
        }
        .accrued(3_600)
        .unwrap()
        .0;
        // 7,129.8 units: 7,129 booked now, the fraction carried.
        assert_eq!(once.borrowed - b, 7_129);
        assert_eq!(once.reserves, 356);
        let mut m = Market {
            cash,
            borrowed: b,
            ..Market::default()
        };
        for _ in 0..3_600 {
            m = m.accrued(1).unwrap().0;
        }
        // Compounding over an hour adds less than a unit here.
        assert!((m.borrowed - b).abs_diff(7_130) <= 1, "{}", m.borrowed - b);
        assert!(m.reserves.abs_diff(356) <= 1, "{}", m.reserves);
    }

    #[test]
    fn accrual_at_full_utilization_is_300_percent() {
        // All cash lent out: a year triples... adds 300% of the debt.
        let b = 1_000_000;
        let y = accrue(0, b, 0, 31_557_600, Carry::default()).unwrap().0;
        assert_eq!(y.interest, (3_000_000));
        assert_eq!(y.reserve_fee, (150_000));
    }

    #[test]
    fn last_share_takes_the_virtual_dust() {
        let mut m = Market::default();
        let minted = m.add_debt(1_000_000).unwrap();
        m.borrowed += 3; // interest, part of it owed by the virtual shares
        let debt = m.debt_of(minted).unwrap();
        assert_eq!(m.clone().remove_debt(minted / 2, debt / 2), 0);
        let dust = m.remove_debt(minted, debt);
        assert_eq!(dust, 1_000_003 - debt);
        assert_eq!((m.borrowed, m.borrow_shares), (0, 0));
    }

    proptest! {
        /// Splitting a period into random accruals books the same interest
        /// and reserves as one accrual, within a bound that does not grow
        /// with the number of accruals: compounding only (at most the
        /// interest on the interest, plus a unit for each division).
        #[test]
        fn split_accruals_book_the_same(
            b in 1_000_000u64..1_000_000_000_000, cash in 0u64..1_000_000_000_000,
            steps in proptest::collection::vec(1u64..5_000, 1..200),
        ) {
            let start = Market { cash: cash as u128, borrowed: b as u128, ..Market::default() };
            let total: u64 = steps.iter().sum();
            let once = start.accrued(total).unwrap().0;
            let mut m = start;
            for dt in &steps {
                m = m.accrued(*dt).unwrap().0;
            }
            let (i1, i2) = (once.borrowed - start.borrowed, m.borrowed - start.borrowed);
            // Split accruals compound: never less, and the excess is at most
            // the interest on the interest (at most 300% a year) plus 1.
            // (No remainder is rounded away per accrual: see `Carry`.)
            // The rate also rises with utilization as the debt grows: at most
            // 275%/20% per unit of utilization, so 17x the interest's share.
            let comp = mul_div(i1, 17 * WAD * total as u128, WAD * SECONDS_PER_YEAR, Rounding::Up).unwrap();
            prop_assert!(i2 + 1 >= i1, "split {} < once {}", i2, i1);
            prop_assert!(i2 <= i1 + comp + 1, "split {} > once {} + {}", i2, i1, comp);
            let r_bound = mul_div(comp, RESERVE_FACTOR, WAD, Rounding::Up).unwrap() + 1;
            prop_assert!(m.reserves + 1 >= once.reserves);
            prop_assert!(m.reserves <= once.reserves + r_bound);
        }

        /// Borrow then immediately repay the same assets: never burns all the
        /// shares minted (debt never rounds in the borrower's favour), and the
        /// debt shown for the minted shares is at least what was borrowed.
        #[test]
        fn borrow_shares_round_against_borrower(
            amount in 1u64..u64::MAX, ta in 0u64..u64::MAX / 2, extra in 0u64..1_000_000_000u64,
        ) {
            let ta = ta as u128;
            // Shares outstanding at any price between 1e6 and ~1 per asset.
            let ts = to_borrow_shares(ta, 0, 0, Rounding::Up).unwrap() / (1 + extra as u128 % 1000);
            let a = amount as u128;
            let minted = to_borrow_shares(a, ta, ts, Rounding::Up).unwrap();
            let (ta2, ts2) = (ta + a, ts + minted);
            let debt = to_debt(minted, ta2, ts2).unwrap();
            prop_assert!(debt >= a);
            let burned = to_borrow_shares(a, ta2, ts2, Rounding::Down).unwrap();
            prop_assert!(burned <= minted);
        }

        /// Interest is monotonic in time.
        #[test]
        fn accrual_monotonic(b in 1u64..u64::MAX / 4, cash in 0u64..u64::MAX / 4, dt in 1u64..10_000_000) {
            let (b, cash) = ((b as u128), (cash as u128));
            let a1 = accrue(cash, b, 0, dt, Carry::default()).unwrap().0;
            let a2 = accrue(cash, b, 0, dt + 1, Carry::default()).unwrap().0;
            prop_assert!(a2.interest >= a1.interest);
            prop_assert!(a1.reserve_fee <= a1.interest);
        }
    }
}
