//! Liquidation.

use super::*;

impl LendingPool {
    /// Liquidates an unhealthy position (anyone may call) at an oracle price.
    /// Pays at most `repay_amount` USDC; see `liquidation::liquidate` for the
    /// close factor, bonus, underwater and dust rules. Bad debt is written
    /// off against lenders and reported in `BadDebtAbsorbed`. Returns the
    /// collateral seized.
    #[allow(clippy::too_many_arguments)]
    pub fn liquidate(
        &mut self,
        borrower: Address,
        token_id: U256,
        repay_amount: u128,
        price: U256,
        price_timestamp: U256,
        max_borrow: U256,
        price_signature: &[u8],
    ) -> Res<u128> {
        let mut m = self.accrue()?;
        let st = self.market_status(token_id);
        if st == status::LOST || st == status::REDEEMED {
            return Err(fail!(MarketResolved));
        }
        let price = self.check_oracle_price(
            token_id,
            price,
            price_timestamp,
            max_borrow,
            price_signature,
        )?;
        let (c, shares, debt) = self.get_position(borrower, token_id)?;
        if c == 0 {
            return Err(fail!(NoPosition));
        }
        let o = liquidation::liquidate(&self.curve(), c, debt, price, repay_amount)?;
        let burned = if o.closes(debt) {
            shares
        } else {
            interest::to_borrow_shares(o.repaid, m.borrowed, m.borrow_shares, Rounding::Down)?
        };
        self.remove_debt(&mut m, burned, o.repaid + o.bad_debt);
        let absorbed = m.absorb(o.bad_debt);
        m.cash = add(m.cash, o.repaid)?;
        self.store_market(&m);
        self.burn(borrower, token_id, c, shares, burned);
        self.remove_collateral(borrower, token_id, o.seized);
        self.setm(m::PRICE_TS, token_id, price_timestamp.saturating_to());
        let liquidator = self.host().msg_sender();
        self.emit(
            Liquidated::SIGNATURE_HASH,
            &[topic(liquidator), topic(borrower), token_id.into()],
            &[w(o.repaid), w(o.seized), w(price)],
        );
        self.bad_debt(borrower, token_id, o.bad_debt, absorbed);
        self.pull_usdc(liquidator, o.repaid)?;
        self.ctf_transfer(liquidator, token_id, o.seized)?;
        Ok(o.seized)
    }
}
