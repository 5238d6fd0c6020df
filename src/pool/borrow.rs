//! What happens on a borrow: the relayed borrow and the relayed collateral withdrawal.

use super::*;

impl LendingPool {
    /// Borrows `amount` USDC for `borrower` against `token_id` (relayer only),
    /// with the borrower's `BorrowIntent` signature and the oracle's
    /// `PriceData`. USDC goes to the borrower. Word-sized inputs arrive as
    /// `U256` so the signed values are hashed exactly as signed.
    #[allow(clippy::too_many_arguments)]
    pub fn borrow_via_relay(
        &mut self,
        borrower: Address,
        token_id: U256,
        amount: U256,
        nonce: U256,
        deadline: U256,
        intent_signature: &[u8],
        price: U256,
        price_timestamp: U256,
        max_borrow: U256,
        price_signature: &[u8],
    ) -> Res<()> {
        self.only(s::RELAYER)?;
        let mut m = self.accrue()?;
        if self.paused() {
            return Err(fail!(ProtocolPaused));
        }
        self.open_market(token_id)?;
        if self.closing(token_id) {
            return Err(fail!(MarketClosing));
        }
        let intent = sig::borrow_intent_hash(borrower, token_id, amount, nonce, deadline);
        self.check_intent(borrower, nonce, deadline, intent, intent_signature)?;
        let price = self.check_oracle_price(
            token_id,
            price,
            price_timestamp,
            max_borrow,
            price_signature,
            true,
        )?;
        let amount = crate::math::narrow(amount)?;

        let (collateral, shares, debt) = self.get_position(borrower, token_id)?;
        let token_shares = self.numm(m::TOKEN_SHARES, token_id);
        let b = Borrow {
            collateral,
            debt,
            amount,
            price,
            token_debt: m.debt_of(token_shares)?,
            token_cap: self.cap_of(&m)?,
            depth_cap: crate::math::saturate(max_borrow),
            cash: m.cash,
        };
        positions::check_borrow(&self.curve(), &b)?;
        let minted = m.add_debt(amount)?;
        m.cash -= amount;
        self.store_market(&m);
        self.setm(m::TOKEN_SHARES, token_id, token_shares + minted);
        self.set_position(borrower, token_id, collateral, shares + minted);
        self.consume(borrower, token_id, price_timestamp, price);
        self.emit(
            Borrowed::SIGNATURE_HASH,
            &[topic(borrower), token_id.into()],
            &[w(amount), w(minted), w(price)],
        );
        self.pay_usdc(borrower, amount)
    }

    /// Withdraws `amount` collateral of `borrower` to `to` (relayer only),
    /// with the borrower's `WithdrawIntent` signature. With debt, the oracle's
    /// price (signed with `maxBorrow = 0`) must keep the health factor >= 1;
    /// without debt the price fields are ignored.
    #[allow(clippy::too_many_arguments)]
    pub fn withdraw_via_relay(
        &mut self,
        borrower: Address,
        to: Address,
        token_id: U256,
        amount: U256,
        nonce: U256,
        deadline: U256,
        intent_signature: &[u8],
        price: U256,
        price_timestamp: U256,
        price_signature: &[u8],
    ) -> Res<()> {
        self.only(s::RELAYER)?;
        // Without debt nothing here depends on the market's totals, so a
        // debt-free withdrawal neither accrues nor reads them (gas; the
        // books are the same whenever the next accrual runs: `Carry`).
        if self.position(borrower, token_id).1 != 0 {
            self.accrue()?;
        }
        self.open_for_withdraw(token_id, true)?;
        let intent = sig::withdraw_intent_hash(borrower, to, token_id, amount, nonce, deadline);
        self.check_intent(borrower, nonce, deadline, intent, intent_signature)?;
        let (c, _, d) = self.get_position(borrower, token_id)?;
        let mut p = 0;
        if d != 0 {
            p = self.check_oracle_price(
                token_id,
                price,
                price_timestamp,
                U256::ZERO,
                price_signature,
                true,
            )?;
        }
        let amount = crate::math::narrow(amount)?;
        positions::check_withdraw(&self.health_curve(token_id, d), c, d, amount, p)?;
        self.consume(borrower, token_id, price_timestamp, p);
        self.send_collateral(borrower, token_id, amount, to)
    }
}
