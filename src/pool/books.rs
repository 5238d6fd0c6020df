//! Book-keeping shared by repay, liquidation and resolution: burning borrow shares, removing collateral and debt, reporting write-offs.

use super::*;

impl LendingPool {
    /// Burns `burned` of the position's `shares` (and of its token's
    /// shares); a position left without debt has no auction either.
    #[inline(never)]
    pub(crate) fn burn(
        &mut self,
        borrower: Address,
        token_id: U256,
        collateral: u128,
        shares: u128,
        burned: u128,
    ) {
        let t = self.numm(m::TOKEN_SHARES, token_id);
        self.setm(m::TOKEN_SHARES, token_id, t.saturating_sub(burned));
        self.set_position(borrower, token_id, collateral, shares - burned);
        if shares == burned {
            self.end_auction(borrower, token_id);
        }
    }

    /// Removes `amount` from the position's and its token's collateral.
    #[inline(never)]
    pub(crate) fn remove_collateral(&mut self, borrower: Address, token_id: U256, amount: u128) {
        let t = self.token_collateral(token_id);
        self.setm(m::TOKEN_COLLATERAL, token_id, t.saturating_sub(amount));
        let (c, shares) = self.position(borrower, token_id);
        self.set_position(borrower, token_id, c - amount, shares);
    }

    /// Removes debt from the totals and writes off the virtual shares' dust
    /// that goes with the last borrow share (reserves first; reported as
    /// `BadDebtAbsorbed(0, 0, dust)`), so every fall in lenders' share price
    /// is announced.
    pub(crate) fn remove_debt(&self, m: &mut Market, shares: u128, assets: u128) {
        let dust = m.remove_debt(shares, assets);
        let absorbed = m.absorb(dust);
        self.bad_debt(Address::ZERO, U256::ZERO, dust, absorbed);
    }

    /// Reports a write-off of `amount` (`BadDebtAbsorbed`) of which the
    /// reserves took `absorbed` (`ReservesAbsorbed`, see `Market::absorb`);
    /// lenders bore `amount - absorbed`.
    pub(crate) fn bad_debt(&self, borrower: Address, token_id: U256, amount: u128, absorbed: u128) {
        if amount != 0 {
            self.emit(
                BadDebtAbsorbed::SIGNATURE_HASH,
                &[topic(borrower), token_id.into()],
                &[w(amount)],
            );
        }
        if absorbed != 0 {
            self.emit(
                ReservesAbsorbed::SIGNATURE_HASH,
                &[token_id.into()],
                &[w(absorbed)],
            );
        }
    }
}
