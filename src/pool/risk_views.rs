//! The risk curve, positions and the views that price them (health factor, max borrow, liquidation price, caps).

use super::*;
use crate::store::get;

// `token_curve` reads "open" as a zero status byte.
const _: () = assert!(status::OPEN == 0);

impl LendingPool {
    /// The active LTV curve.
    #[inline(never)]
    pub fn curve(&self) -> Curve {
        self.load_curve(s::ANCHORS)
    }

    /// The pending LTV curve and its eta (0 = none).
    pub fn pending_anchors(&self) -> (Curve, u64) {
        (
            self.load_curve(s::PENDING_ANCHORS),
            self.eta(change::ANCHORS),
        )
    }

    /// The curve that prices `token_id`'s positions now: the active
    /// anchors, read at the current time with the token's schedule while
    /// its market is open (threshold decay, `schedule`; a resolved market
    /// no longer decays).
    #[inline(never)]
    pub(crate) fn token_curve(&self, token_id: U256) -> Curve {
        let meta: B256 = self.sload(map(m::STATUS.slot, token_id)).into();
        let end = if get(meta, m::STATUS).is_zero() {
            get(meta, m::END_TIME).saturating_to()
        } else {
            0
        };
        self.curve().at(self.now(), end)
    }

    /// The token's expected end time (`scheduleMarket`; 0 = none).
    pub fn market_end_time(&self, token_id: U256) -> u64 {
        self.numm(m::END_TIME, token_id) as u64
    }

    /// Whether `token_id`'s market ends within 7 days (or has ended):
    /// no new borrows (`schedule::is_closing`).
    pub(crate) fn closing(&self, token_id: U256) -> bool {
        schedule::is_closing(self.now(), self.market_end_time(token_id))
    }

    /// The curve a withdrawal's health check needs: the token's with
    /// `debt`; without debt no health is checked, so none is read (four
    /// cold slots less) and the default stands in.
    pub(crate) fn health_curve(&self, token_id: U256, debt: u128) -> Curve {
        if debt == 0 {
            Curve::default()
        } else {
            self.token_curve(token_id)
        }
    }

    /// `(collateral, borrowShares, debt)` of a position, debt as of now. On a
    /// lost market the debt was written off at resolution: it reads 0.
    #[inline(never)]
    pub fn get_position(&self, borrower: Address, token_id: U256) -> Res<(u128, u128, u128)> {
        let (collateral, shares) = self.position(borrower, token_id);
        let debt = match self.market_status(token_id) {
            _ if shares == 0 => 0,
            status::LOST => 0,
            status::REDEEMED => self.redeemed(token_id).0.debt_of(shares)?,
            _ => self.market()?.debt_of(shares)?,
        };
        Ok((collateral, shares, debt))
    }

    /// Health factor (WAD) of a position at `price`; max uint without debt.
    pub fn get_health_factor(&self, borrower: Address, token_id: U256, price: u128) -> Res<U256> {
        let (c, _, d) = self.get_position(borrower, token_id)?;
        if d == 0 {
            return Ok(U256::MAX);
        }
        Ok(w(self.token_curve(token_id).health_factor(c, price, d)?))
    }

    /// What the position could borrow now at `price`: 99.5% of
    /// `collateral * price * ltv` minus its debt, within the token's remaining
    /// pool cap and the idle cash. (The oracle's depth gate is not known here.)
    /// 0 while the market is closing (no new borrows, `MarketClosing`).
    pub fn max_borrow(&self, borrower: Address, token_id: U256, price: u128) -> Res<u128> {
        if self.closing(token_id) {
            return Ok(0);
        }
        let (c, _, d) = self.get_position(borrower, token_id)?;
        let m = self.market()?;
        let gross = mul_div(
            self.curve().max_debt(c, price)?,
            BORROW_HAIRCUT,
            WAD,
            Rounding::Down,
        )?;
        let room = self
            .token_borrow_cap()?
            .saturating_sub(self.token_debt(token_id)?);
        Ok(gross.saturating_sub(d).min(room).min(m.cash))
    }

    /// Price below which the position can be liquidated (0 without debt,
    /// max uint if no price makes it healthy), with the token's threshold
    /// decay at the current time.
    pub fn liquidation_price(&self, borrower: Address, token_id: U256) -> Res<U256> {
        let (c, _, d) = self.get_position(borrower, token_id)?;
        let p = self.token_curve(token_id).liquidation_price(c, d)?;
        Ok(if p == u128::MAX { U256::MAX } else { w(p) })
    }

    /// Debt of every position on `token_id`, as of now (frozen once its
    /// won market was redeemed).
    #[inline(never)]
    pub fn token_debt(&self, token_id: U256) -> Res<u128> {
        if self.market_status(token_id) == status::REDEEMED {
            return Ok(self.redeemed(token_id).0.debt);
        }
        self.market()?.debt_of(self.numm(m::TOKEN_SHARES, token_id))
    }

    /// Largest debt one token may carry now (`u128::MAX` when the cap is
    /// 0): the pool cap of the lenders' assets as the cap's window measures
    /// them ([`CapWindow::base`]: a deposit must have stayed since the start
    /// of the previous day to lift it).
    #[inline(never)]
    pub fn token_borrow_cap(&self) -> Res<u128> {
        let m = self.market()?;
        self.cap_of(&m)
    }

    /// The pool cap's window as stored (`CapWindow`).
    pub(crate) fn cap_window(&self) -> (u128, u128) {
        self.halves_at(s::CAP_CHECKPOINT.slot)
    }

    /// Records lenders' assets in the pool cap's window (`CapWindow`).
    #[inline(never)]
    pub(crate) fn observe_cap(&mut self, m: &Market) {
        let before = self.cap_window();
        let after = CapWindow::unpack(before)
            .observe(self.now(), m.total_assets())
            .pack();
        if after != before {
            self.save(U256::from(s::CAP_CHECKPOINT.slot), join(after.0, after.1));
        }
    }

    /// The pool cap for these totals (see `token_borrow_cap`).
    #[inline(never)]
    pub(crate) fn cap_of(&self, m: &Market) -> Res<u128> {
        let base = CapWindow::unpack(self.cap_window()).base(self.now(), m.total_assets());
        positions::token_cap(base, self.num(s::POOL_CAP))
    }

    /// Collateral held for all positions on `token_id`.
    pub fn token_collateral(&self, token_id: U256) -> u128 {
        self.numm(m::TOKEN_COLLATERAL, token_id)
    }
}
