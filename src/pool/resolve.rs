//! Market resolution: resolve, close lost positions, redeem won collateral, settle.

use super::*;

impl LendingPool {
    /// Records the oracle's signed resolution of `token_id` (anyone may
    /// submit; the signature must be at most one hour old). A lost market's
    /// whole debt is written off at once (`BadDebtAbsorbed` with borrower 0),
    /// so no lender can exit at a price that still counts it.
    pub fn resolve_market(
        &mut self,
        token_id: U256,
        won: bool,
        timestamp: U256,
        signature: &[u8],
    ) -> Res<()> {
        if self.market_status(token_id) != status::OPEN {
            return Err(fail!(MarketResolved));
        }
        resolution::check_resolution_time(self.now(), crate::math::saturate(timestamp))?;
        self.check_sig(
            self.addr(s::ORACLE),
            sig::resolution_hash(token_id, won, timestamp),
            signature,
            false,
        )?;
        if !won {
            let mut m = self.accrue()?;
            let shares = self.numm(m::TOKEN_SHARES, token_id);
            let debt = m.debt_down(shares)?;
            self.remove_debt(&mut m, shares, debt);
            let absorbed = m.absorb(debt);
            self.store_market(&m);
            self.setm(m::TOKEN_SHARES, token_id, 0);
            self.bad_debt(Address::ZERO, token_id, debt, absorbed);
        }
        self.setm(
            m::STATUS,
            token_id,
            if won { status::WON } else { status::LOST } as u128,
        );
        // Resolved means resolved: no later call may use a price signed
        // before this block (a liquidator must not buy won shares at a
        // pre-outcome price): the resolution counts as the newest price.
        let last = self.last_price_timestamp(token_id).max(self.now());
        self.setm(m::PRICE_TS, token_id, last as u128);
        self.emit(
            MarketResolution::SIGNATURE_HASH,
            &[token_id.into()],
            &[w(won as u128)],
        );
        Ok(())
    }

    /// Sets `token_id`'s expected end time from the oracle's signed
    /// `MarketSchedule` (anyone may submit it; at most one hour old and newer
    /// than the token's last accepted schedule, `schedule::check_schedule`).
    /// From `endTime - 7 days` the token takes no new borrows and its
    /// liquidation threshold decays to 0 at `endTime` (`schedule`);
    /// `endTime` 0 clears the schedule. Emits `MarketScheduled`.
    pub fn schedule_market(
        &mut self,
        token_id: U256,
        end_time: U256,
        timestamp: U256,
        signature: &[u8],
    ) -> Res<()> {
        let ts = schedule::check_schedule(
            self.now(),
            crate::math::saturate(timestamp),
            self.numm(m::SCHEDULE_TS, token_id) as u64,
        )?;
        self.check_sig(
            self.addr(s::ORACLE),
            sig::market_schedule_hash(token_id, end_time, timestamp),
            signature,
            false,
        )?;
        self.setm(m::SCHEDULE_TS, token_id, ts as u128);
        let end = schedule::end_time(crate::math::saturate(end_time));
        self.setm(m::END_TIME, token_id, end as u128);
        self.emit(
            MarketScheduled::SIGNATURE_HASH,
            &[token_id.into()],
            &[w(end as u128)],
        );
        Ok(())
    }

    /// Lost market: clears a position whose debt was written off at
    /// resolution; the worthless shares stay in the pool (anyone may call).
    pub fn close_lost_position(&mut self, borrower: Address, token_id: U256) -> Res<()> {
        if self.market_status(token_id) != status::LOST {
            return Err(fail!(MarketNotResolved));
        }
        let (c, shares, _) = self.get_position(borrower, token_id)?;
        if c == 0 && shares == 0 {
            return Err(fail!(NoPosition));
        }
        self.set_position(borrower, token_id, 0, 0);
        self.setm(
            m::TOKEN_COLLATERAL,
            token_id,
            self.token_collateral(token_id).saturating_sub(c),
        );
        self.emit(
            CollateralWithdrawn::SIGNATURE_HASH,
            &[topic(borrower), token_id.into()],
            &[U256::ZERO, w(c)],
        );
        Ok(())
    }

    /// Won market: redeems every share of `token_id` the pool holds through
    /// the CTF, after checking with the CTF that `token_id` is the position of
    /// `(usdc, conditionId, indexSet)`. The USDC received is held for
    /// `settle_redemption`. Anyone may call. Returns the USDC received.
    pub fn redeem_won_collateral(
        &mut self,
        token_id: U256,
        condition_id: B256,
        index_set: U256,
    ) -> Res<u128> {
        if self.market_status(token_id) != status::WON {
            return Err(fail!(MarketNotResolved));
        }
        let (ctf, usdc) = (self.addr(s::CTF), self.addr(s::USDC));
        let cond = U256::from_be_bytes(condition_id.0);
        let collection = self.view_call(
            ctf,
            calldata(out::GET_COLLECTION_ID, &[U256::ZERO, cond, index_set]),
        )?;
        if self.view_call(ctf, calldata(out::GET_POSITION_ID, &[aw(usdc), collection]))? != token_id
        {
            return Err(fail!(TokenMismatch));
        }
        let shares = self.token_collateral(token_id);
        // The status flips before the call (no second redemption); the
        // proceeds can only be booked after it, from the balance difference.
        // That is safe because the entrypoint rejects re-entrant calls, so no
        // `settleRedemption` can run while `REDEEMED_USDC` is still unset.
        self.setm(m::STATUS, token_id, status::REDEEMED as u128);
        let before = self.usdc_balance()?;
        // redeemPositions(usdc, 0x0, conditionId, [indexSet])
        let args = [
            aw(usdc),
            U256::ZERO,
            cond,
            U256::from(128),
            U256::from(1),
            index_set,
        ];
        self.call(ctf, calldata(out::REDEEM_POSITIONS, &args))?;
        let received = sub(self.usdc_balance()?, before)?;
        self.setm(m::REDEEMED_USDC, token_id, received);
        self.setm(m::REDEEMED_SHARES, token_id, shares);
        self.set(
            s::PENDING_REDEMPTIONS,
            add(self.num(s::PENDING_REDEMPTIONS), received)?,
        );
        // The payout is known: the token's debt leaves the interest-bearing
        // totals at its value now (rounded down, so the borrowers who remain
        // never owe less), frozen; lenders count what the proceeds can repay
        // of it, and the rest is a loss now (reserves first).
        let mut mk = self.accrue()?;
        let token_shares = self.numm(m::TOKEN_SHARES, token_id);
        let debt = mk.debt_down(token_shares)?;
        self.remove_debt(&mut mk, token_shares, debt);
        self.setm(m::FROZEN_DEBT, token_id, debt);
        let keep = resolution::receivable(debt, received);
        mk.settling = add(mk.settling, keep)?;
        let absorbed = mk.absorb(debt - keep);
        self.store_market(&mk);
        self.emit(
            WonCollateralRedeemed::SIGNATURE_HASH,
            &[token_id.into()],
            &[w(shares), w(received)],
        );
        self.bad_debt(Address::ZERO, token_id, debt - keep, absorbed);
        Ok(received)
    }

    /// Settles one position of a redeemed token: its pro-rata share of the
    /// proceeds repays its frozen debt and the surplus goes to the borrower;
    /// what lenders' receivable loses beyond the repayment is written off
    /// (reserves first; see `resolution::settle`). Anyone may call. Returns
    /// the surplus paid.
    pub fn settle_redemption(&mut self, borrower: Address, token_id: U256) -> Res<u128> {
        if self.market_status(token_id) != status::REDEEMED {
            return Err(fail!(NotRedeemed));
        }
        let mut m = self.accrue()?;
        let (c, shares, _) = self.get_position(borrower, token_id)?;
        if c == 0 {
            return Err(fail!(NoPosition));
        }
        let (r, _) = self.redeemed(token_id);
        let st = resolution::settle(c, shares, &r)?;
        self.setm(m::REDEEMED_USDC, token_id, r.usdc - st.payout);
        self.setm(m::REDEEMED_SHARES, token_id, r.shares.saturating_sub(c));
        self.setm(m::FROZEN_DEBT, token_id, r.debt - st.debt);
        self.set(
            s::PENDING_REDEMPTIONS,
            self.num(s::PENDING_REDEMPTIONS) - st.payout,
        );
        m.settling = m.settling.saturating_sub(st.receivable_drop);
        m.cash = add(m.cash, st.repaid)?;
        let absorbed = m.absorb(st.bad_debt);
        self.store_market(&m);
        self.burn(borrower, token_id, c, shares, shares);
        self.remove_collateral(borrower, token_id, c);
        self.emit(
            RedemptionSettled::SIGNATURE_HASH,
            &[topic(borrower), token_id.into()],
            &[w(st.payout), w(st.repaid), w(st.surplus)],
        );
        // A loss the settling position's own shortfall explains is reported
        // with its borrower; one its surplus makes certain for the others
        // (the proceeds left no longer cover their debt) is token-level.
        let whose = if st.repaid < st.debt {
            borrower
        } else {
            Address::ZERO
        };
        self.bad_debt(whose, token_id, st.bad_debt, absorbed);
        if st.surplus != 0 {
            self.pay_usdc(borrower, st.surplus)?;
        }
        Ok(st.surplus)
    }
}
