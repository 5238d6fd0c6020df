//! pUSDC as an ERC-20: balances, allowances, transfers.

use super::*;

impl LendingPool {
    /// pUSDC in existence.
    #[inline(never)]
    pub fn total_supply(&self) -> u128 {
        self.num(s::SUPPLY)
    }

    /// pUSDC held by `account`.
    #[inline(never)]
    pub fn balance_of(&self, account: Address) -> u128 {
        self.numm(m::BALANCE, aw(account))
    }

    /// pUSDC `spender` may move for `owner` (allowances are full words: max uint is "infinite").
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.sload(map2(m::ALLOWANCE, aw(owner), aw(spender)))
    }

    /// Moves `value` pUSDC from the caller to `to` (allowed while paused).
    pub fn transfer(&mut self, to: Address, value: U256) -> Res<bool> {
        let from = self.host().msg_sender();
        self.move_shares(from, to, value)?;
        Ok(true)
    }

    /// Moves `value` of `from`'s pUSDC to `to` using the caller's allowance.
    /// Neither may be the zero address (a transfer from 0 would read as a
    /// mint, to 0 as a burn): `ZeroAddress`, checked first.
    pub fn transfer_from(&mut self, from: Address, to: Address, value: U256) -> Res<bool> {
        nonzero(from)?;
        let spender = self.host().msg_sender();
        self.spend_allowance(from, spender, value)?;
        self.move_shares(from, to, value)?;
        Ok(true)
    }

    /// Sets `spender`'s allowance over the caller's pUSDC to `value`.
    pub fn approve(&mut self, spender: Address, value: U256) -> Res<bool> {
        nonzero(spender)?;
        let owner = self.host().msg_sender();
        self.save(map2(m::ALLOWANCE, aw(owner), aw(spender)), value);
        self.emit(
            Approval::SIGNATURE_HASH,
            &[topic(owner), topic(spender)],
            &[value],
        );
        Ok(true)
    }

    /// Moves (`from`/`to` zero = mint/burn) `value` shares; emits `Transfer`.
    #[inline(never)]
    pub(crate) fn update_shares(&mut self, from: Address, to: Address, value: U256) -> Res<()> {
        let v = crate::math::narrow(value).map_err(|_| fail!(InsufficientBalance))?;
        if from.is_zero() {
            self.set(s::SUPPLY, add(self.total_supply(), v)?);
        } else {
            let b = self.balance_of(from);
            if b < v {
                return Err(fail!(InsufficientBalance));
            }
            self.setm(m::BALANCE, aw(from), b - v);
        }
        if to.is_zero() {
            self.set(s::SUPPLY, self.total_supply() - v);
        } else {
            // Cannot overflow: balances sum to the supply, which was checked.
            let b = self.balance_of(to);
            self.setm(m::BALANCE, aw(to), b + v);
        }
        self.emit(
            Transfer::SIGNATURE_HASH,
            &[topic(from), topic(to)],
            &[value],
        );
        Ok(())
    }

    /// A transfer between two holders (`from` is never zero: the sender, or
    /// checked by `transfer_from`); to the zero address is refused.
    pub(crate) fn move_shares(&mut self, from: Address, to: Address, value: U256) -> Res<()> {
        nonzero(to)?;
        self.update_shares(from, to, value)
    }

    pub(crate) fn spend_allowance(
        &mut self,
        owner: Address,
        spender: Address,
        value: U256,
    ) -> Res<()> {
        let slot = map2(m::ALLOWANCE, aw(owner), aw(spender));
        let a = self.sload(slot);
        if a < value {
            return Err(fail!(InsufficientAllowance));
        }
        if a != U256::MAX {
            self.save(slot, a - value);
        }
        Ok(())
    }
}
