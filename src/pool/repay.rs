//! Repayment.

use super::*;

impl LendingPool {
    /// Repays up to `amount` of `borrower`'s debt on `token_id`, pulling USDC
    /// from the caller (`repay` is this with `borrower = caller`). Amounts
    /// above the debt (e.g. max uint) repay exactly the debt, interest to the
    /// second. Works while paused and for frozen or resolved tokens. Returns
    /// the amount repaid.
    pub fn repay_for(&mut self, borrower: Address, token_id: U256, amount: u128) -> Res<u128> {
        if self.market_status(token_id) == status::REDEEMED {
            // The debt is frozen and settled from the proceeds (`settle_redemption`).
            return Err(fail!(MarketResolved));
        }
        let mut m = self.accrue()?;
        let (c, shares, debt) = self.get_position(borrower, token_id)?;
        if debt == 0 {
            return Err(fail!(NoPosition));
        }
        if amount == 0 {
            return Err(fail!(ZeroAmount));
        }
        let paid = amount.min(debt);
        let payer = self.host().msg_sender();
        // Someone else's partial repayment may not take a large position
        // below the auction threshold (it would turn the auction, whose
        // bonus starts at 0%, into a direct liquidation at 5%/10% for the
        // price of a small gift): `AuctionRequired`. The borrower may; a
        // full repayment always may.
        if payer != borrower
            && paid < debt
            && auction::needs_auction(debt)
            && !auction::needs_auction(debt - paid)
        {
            return Err(fail!(AuctionRequired));
        }
        // Repaying burns shares rounded down; the full debt burns them all.
        let burned = if paid == debt {
            shares
        } else {
            interest::to_borrow_shares(paid, m.borrowed, m.borrow_shares, Rounding::Down)?
        };
        if burned == 0 {
            return Err(fail!(ZeroAmount));
        }
        self.remove_debt(&mut m, burned, paid);
        m.cash = add(m.cash, paid)?;
        self.store_market(&m);
        self.burn(borrower, token_id, c, shares, burned);
        self.emit(
            Repaid::SIGNATURE_HASH,
            &[topic(payer), topic(borrower), token_id.into()],
            &[w(paid), w(burned)],
        );
        self.pull_usdc(payer, paid)?;
        Ok(paid)
    }
}
