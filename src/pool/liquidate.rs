//! Liquidation: direct for positions with debt below `AUCTION_MIN_DEBT`,
//! by Dutch auction above it (`auction`).

use super::*;

impl LendingPool {
    /// Liquidates an unhealthy position (anyone may call) at an oracle price.
    /// Pays at most `repay_amount` USDC; see `liquidation::liquidate_with`
    /// for the close factor, bonus, underwater and dust rules, with the
    /// token's decayed threshold (`schedule`) and the incentives of
    /// `auction::terms`: 5% bonus / 10% underwater discount directly, the
    /// auction's current bonus for both when one runs; a position with debt
    /// of at least `AUCTION_MIN_DEBT` and no auction is refused
    /// (`AuctionRequired`). An auction ends when this leaves the position
    /// closed or healthy. Bad debt is written off (reserves first) and
    /// reported in `BadDebtAbsorbed`. Returns the collateral seized.
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
        let (curve, c, shares, debt, price) = self.priced_position(
            borrower,
            token_id,
            price,
            price_timestamp,
            max_borrow,
            price_signature,
        )?;
        let running = self.auction_start(borrower, token_id);
        let terms = auction::terms(running, debt, self.now());
        if terms.is_none() && curve.health_factor(c, price, debt)? < WAD {
            return Err(fail!(AuctionRequired));
        }
        // No terms here means healthy: `liquidate_with` refuses it.
        let (bonus, discount) = terms.unwrap_or_default();
        let o = liquidation::liquidate_with(
            curve.liquidation_threshold(price),
            bonus,
            discount,
            c,
            debt,
            price,
            repay_amount,
        )?;
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
        self.record_price(token_id, price_timestamp, price);
        // Healthy again after a partial liquidation: the auction is over
        // (a closed position's ended in `burn`).
        let left = debt.saturating_sub(o.repaid + o.bad_debt);
        if auction::settle(
            running,
            curve.health_factor(c - o.seized, price, left)?,
            left,
        ) == 0
        {
            self.end_auction(borrower, token_id);
        }
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

    /// Starts the Dutch auction of a position whose debt is at least
    /// `AUCTION_MIN_DEBT` (anyone may call) with an oracle price showing
    /// its health factor below 1; from then `liquidate` pays a bonus rising
    /// from 0% to 10% over 30 minutes (`auction::bonus`). Emits
    /// `AuctionStarted`. A running auction is kept (never restarted), and a
    /// smaller position needs none: both return without starting one. A
    /// price showing the position healthy again ends its running auction
    /// (`AuctionCleared`: anyone may clear it), or, with none running, is
    /// refused (`PositionHealthy`). The price is recorded. Returns the
    /// auction's start time after the call (0: none).
    pub fn start_auction(
        &mut self,
        borrower: Address,
        token_id: U256,
        price: U256,
        price_timestamp: U256,
        max_borrow: U256,
        price_signature: &[u8],
    ) -> Res<u64> {
        let (curve, c, _, debt, price) = self.priced_position(
            borrower,
            token_id,
            price,
            price_timestamp,
            max_borrow,
            price_signature,
        )?;
        let running = self.auction_start(borrower, token_id);
        let mut next = auction::start(
            running,
            curve.health_factor(c, price, debt)?,
            debt,
            self.now(),
        )?;
        // Only a price signed after the auction started may end it (the
        // spec's "newer" price: one of the start's own second may not).
        if next == 0 && U256::from(running) >= price_timestamp {
            next = running;
        }
        if next == running {
            // Nothing starts or ends: the price is not recorded either (a
            // no-op must not move the token's newest price time).
            return Ok(next);
        }
        if next == 0 {
            self.end_auction(borrower, token_id);
        } else {
            self.store(
                self.auction_slot(borrower, token_id),
                m::AUCTION,
                U256::from(next),
            );
            self.emit(
                AuctionStarted::SIGNATURE_HASH,
                &[topic(borrower), token_id.into()],
                &[],
            );
        }
        self.record_price(token_id, price_timestamp, price);
        Ok(next)
    }

    /// What liquidation and auctions share: a market not yet settled (lost
    /// or redeemed → `MarketResolved`), a valid oracle price (never
    /// blocked by the drop guard), and a position with collateral
    /// (`NoPosition`). Returns the token's curve now, the position
    /// `(collateral, shares, debt)` and the price.
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn priced_position(
        &self,
        borrower: Address,
        token_id: U256,
        price: U256,
        price_timestamp: U256,
        max_borrow: U256,
        price_signature: &[u8],
    ) -> Res<(Curve, u128, u128, u128, u128)> {
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
            false,
        )?;
        let (c, shares, debt) = self.get_position(borrower, token_id)?;
        if c == 0 {
            return Err(fail!(NoPosition));
        }
        Ok((self.token_curve(token_id), c, shares, debt, price))
    }

    /// The slot of the position's auction start.
    fn auction_slot(&self, borrower: Address, token_id: U256) -> U256 {
        map2(m::AUCTION.slot, aw(borrower), token_id)
    }

    /// When the position's Dutch auction started (0: none, or lapsed:
    /// `auction::live`).
    pub fn auction_start(&self, borrower: Address, token_id: U256) -> u64 {
        let start = self
            .load(self.auction_slot(borrower, token_id), m::AUCTION)
            .saturating_to();
        auction::live(start, self.now())
    }

    /// Ends the position's auction, if one runs (`AuctionCleared`).
    #[inline(never)]
    pub(crate) fn end_auction(&mut self, borrower: Address, token_id: U256) {
        if self.auction_start(borrower, token_id) != 0 {
            self.store(
                self.auction_slot(borrower, token_id),
                m::AUCTION,
                U256::ZERO,
            );
            self.emit(
                AuctionCleared::SIGNATURE_HASH,
                &[topic(borrower), token_id.into()],
                &[],
            );
        }
    }
}
