//! Calls out of the pool: USDC and Conditional Tokens transfers and views.

use super::*;

impl LendingPool {
    pub(crate) fn send_collateral(
        &mut self,
        borrower: Address,
        token_id: U256,
        amount: u128,
        to: Address,
    ) -> Res<()> {
        self.recipient(to)?;
        self.remove_collateral(borrower, token_id, amount);
        self.emit(
            CollateralWithdrawn::SIGNATURE_HASH,
            &[topic(borrower), token_id.into()],
            &[aw(to), w(amount)],
        );
        self.ctf_transfer(to, token_id, amount)
    }

    /// A state-changing call; failure or revert is `TransferFailed`.
    #[inline(never)]
    pub(crate) fn call(&mut self, to: Address, data: Vec<u8>) -> Res<Vec<u8>> {
        self.host().call(to, &data).ok_or(fail!(TransferFailed))
    }

    /// A view call returning one 32-byte word.
    #[inline(never)]
    pub(crate) fn view_call(&self, to: Address, data: Vec<u8>) -> Res<U256> {
        let out = self
            .host()
            .static_call(to, &data)
            .ok_or(fail!(TransferFailed))?;
        if out.len() < 32 {
            return Err(fail!(TransferFailed));
        }
        Ok(U256::from_be_slice(&out[..32]))
    }

    /// An ERC-20 call to USDC that must succeed and return nothing or `true`.
    #[inline(never)]
    pub(crate) fn token_call(&mut self, data: Vec<u8>) -> Res<()> {
        let out = self.call(self.addr(s::USDC), data)?;
        if out.is_empty() || (out.len() == 32 && U256::from_be_slice(&out) == U256::from(1)) {
            Ok(())
        } else {
            Err(fail!(TransferFailed))
        }
    }

    pub(crate) fn pay_usdc(&mut self, to: Address, amount: u128) -> Res<()> {
        self.token_call(calldata(out::TRANSFER, &[aw(to), w(amount)]))
    }

    pub(crate) fn pull_usdc(&mut self, from: Address, amount: u128) -> Res<()> {
        let this = aw(self.host().contract_address());
        self.token_call(calldata(out::TRANSFER_FROM, &[aw(from), this, w(amount)]))
    }

    pub(crate) fn usdc_balance(&self) -> Res<u128> {
        let this = aw(self.host().contract_address());
        let b = self.view_call(self.addr(s::USDC), calldata(out::BALANCE_OF, &[this]))?;
        Ok(crate::math::saturate(b))
    }

    pub(crate) fn ctf_transfer(&mut self, to: Address, id: U256, amount: u128) -> Res<()> {
        if amount == 0 {
            return Ok(());
        }
        // safeTransferFrom(this, to, id, amount, "")
        let args = [
            aw(self.host().contract_address()),
            aw(to),
            id,
            w(amount),
            U256::from(160),
            U256::ZERO,
        ];
        self.call(self.addr(s::CTF), calldata(out::SAFE_TRANSFER_FROM, &args))
            .map(|_| ())
    }
}
