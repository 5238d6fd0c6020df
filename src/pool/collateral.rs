//! Collateral in (the ERC-1155 receiver hooks) and out (debt-free withdrawal).

use super::*;

impl LendingPool {
    /// ERC-1155 hook: books each `(id, value)` for the beneficiary (`from`,
    /// or the address abi-encoded in `data`). Only the configured CTF may call
    /// it; rejected while paused, when a token is frozen or its market
    /// resolved, or for a zero amount — the transfer then reverts.
    pub fn on_received(
        &mut self,
        from: Address,
        ids: &[U256],
        values: &[U256],
        data: &[u8],
    ) -> Res<()> {
        if self.host().msg_sender() != self.addr(s::CTF) {
            return Err(fail!(NotCtf));
        }
        if self.paused() {
            return Err(fail!(ProtocolPaused));
        }
        let to = match data.len() {
            0 => from,
            32 if data[..12].iter().all(|b| *b == 0) => Address::from_slice(&data[12..]),
            _ => return Err(fail!(InvalidCollateralData)),
        };
        self.recipient(to)?;
        if ids.len() != values.len() {
            return Err(fail!(InvalidCollateralData));
        }
        for (id, value) in ids.iter().zip(values) {
            let (id, value) = (*id, crate::math::narrow(*value)?);
            self.open_market(id)?;
            if value == 0 {
                return Err(fail!(ZeroAmount));
            }
            let (c, shares, _) = self.get_position(to, id)?;
            self.setm(
                m::TOKEN_COLLATERAL,
                id,
                add(self.token_collateral(id), value)?,
            );
            self.set_position(to, id, c + value, shares);
            self.emit(
                CollateralDeposited::SIGNATURE_HASH,
                &[topic(to), id.into()],
                &[w(value)],
            );
        }
        Ok(())
    }

    /// Direct withdrawal for a position **without debt**, so a borrower who
    /// has repaid can always exit without the relayer. Blocked for frozen
    /// tokens, once won collateral was redeemed (settle instead), and on a
    /// lost market for a position whose debt was written off (its shares stay
    /// with the pool: the borrower keeps the loan, not the collateral too).
    pub fn withdraw_collateral(&mut self, token_id: U256, amount: u128, to: Address) -> Res<()> {
        let borrower = self.host().msg_sender();
        self.open_for_withdraw(token_id, false)?;
        let (c, shares, d) = self.get_position(borrower, token_id)?;
        if shares != 0 && self.market_status(token_id) == status::LOST {
            return Err(fail!(MarketResolved));
        }
        if d != 0 {
            return Err(fail!(PositionHasDebt));
        }
        positions::check_withdraw(&self.health_curve(token_id, d), c, d, amount, 0)?;
        self.send_collateral(borrower, token_id, amount, to)
    }
}
