//! The checks every entry point shares: recipients, market state, intents, oracle prices, signatures, roles.

use super::*;
use crate::store::{get, put};

impl LendingPool {
    /// Someone tokens may go to or be booked for: not zero and not the pool
    /// itself (pUSDC, USDC or shares held by the pool for nobody would be
    /// stranded; on chain a transfer to itself would also re-enter).
    pub(crate) fn recipient(&self, to: Address) -> Res<()> {
        nonzero(to)?;
        if to == self.host().contract_address() {
            return Err(fail!(InvalidRecipient));
        }
        Ok(())
    }

    /// Open market and not frozen (collateral in, borrow).
    pub(crate) fn open_market(&self, token_id: U256) -> Res<()> {
        if self.is_frozen(token_id) {
            return Err(fail!(TokenFrozen));
        }
        if self.market_status(token_id) != status::OPEN {
            return Err(fail!(MarketResolved));
        }
        Ok(())
    }

    /// Withdrawals: never for frozen tokens; the relay path needs an open
    /// market, the direct (debt-free) path only that the shares are still held.
    pub(crate) fn open_for_withdraw(&self, token_id: U256, relay: bool) -> Res<()> {
        if self.is_frozen(token_id) {
            return Err(fail!(TokenFrozen));
        }
        let st = self.market_status(token_id);
        if st == status::REDEEMED || (relay && st != status::OPEN) {
            return Err(fail!(MarketResolved));
        }
        Ok(())
    }

    /// Deadline, nonce and the borrower's signature on an intent.
    #[inline(never)]
    pub(crate) fn check_intent(
        &self,
        borrower: Address,
        nonce: U256,
        deadline: U256,
        intent: B256,
        signature: &[u8],
    ) -> Res<()> {
        if U256::from(self.now()) > deadline {
            return Err(fail!(IntentExpired));
        }
        if nonce != U256::from(self.nonces(borrower)) {
            return Err(fail!(InvalidNonce));
        }
        self.check_sig(borrower, intent, signature, true)
    }

    /// Oracle signature and the price rules (`positions::check_price`);
    /// with `guarded` (borrows, withdrawals with debt) also the price-drop
    /// guard (`guard::Guard::drops_too_far` → `PriceDropGuard`). Returns
    /// the price as `u128`.
    #[inline(never)]
    pub(crate) fn check_oracle_price(
        &self,
        token_id: U256,
        price: U256,
        ts: U256,
        max_borrow: U256,
        signature: &[u8],
        guarded: bool,
    ) -> Res<u128> {
        let h = sig::price_data_hash(token_id, price, ts, max_borrow);
        self.check_sig(self.addr(s::ORACLE), h, signature, false)?;
        let p = crate::math::saturate(price);
        positions::check_price(
            self.now(),
            crate::math::saturate(ts),
            p,
            self.last_price_timestamp(token_id),
        )?;
        if guarded && Guard::unpack(self.map_word(m::GUARD, token_id)).drops_too_far(p, self.now())
        {
            return Err(fail!(PriceDropGuard));
        }
        Ok(p)
    }

    /// Records an accepted price in the token's meta word (one write): its
    /// time (no older price is accepted after it) and the price in the
    /// token's drop guard.
    #[inline(never)]
    pub(crate) fn record_price(&mut self, token_id: U256, ts: U256, price: u128) {
        let slot = map(m::PRICE_TS.slot, token_id);
        let meta = self.sload(slot).into();
        let g = Guard::unpack(get(meta, m::GUARD)).observe(price, self.now());
        let meta = put(put(meta, m::PRICE_TS, ts), m::GUARD, g.pack());
        self.save(slot, meta.into());
    }

    /// Consumes the borrower's nonce; with a price (`price != 0`: the
    /// position has debt and was just shown healthy at it) records the
    /// price and ends the position's auction, if one runs.
    pub(crate) fn consume(&mut self, borrower: Address, token_id: U256, ts: U256, price: u128) {
        let n = self.nonces(borrower);
        self.setm(m::NONCE, aw(borrower), n + 1);
        if price != 0 {
            self.record_price(token_id, ts, price);
            self.end_auction(borrower, token_id);
        }
    }

    /// Accepts `signature` on `struct_hash` from `signer`: ECDSA first; for a
    /// signer with code (`eip1271`), an EIP-1271 `isValidSignature` answer of
    /// exactly the magic value.
    #[inline(never)]
    pub(crate) fn check_sig(
        &self,
        signer: Address,
        struct_hash: B256,
        signature: &[u8],
        eip1271: bool,
    ) -> Res<()> {
        let digest = sig::digest(self.domain_separator(), struct_hash);
        if let Some(p) = sig::parse(signature) {
            let input = sig::ecrecover_input(digest, &p);
            if let Some(out) = self.host().static_call(Address::with_last_byte(1), &input) {
                if out.len() == 32 && !signer.is_zero() && Address::from_slice(&out[12..]) == signer
                {
                    return Ok(());
                }
            }
        }
        if eip1271 && self.has_code(signer) {
            let mut data = calldata(
                out::IS_VALID_SIGNATURE,
                &[U256::from_be_bytes(digest.0), U256::from(64)],
            );
            push_bytes(&mut data, signature);
            if let Some(ret) = self.host().static_call(signer, &data) {
                let mut magic = [0u8; 32];
                magic[..4].copy_from_slice(&out::IS_VALID_SIGNATURE);
                if ret.len() >= 32 && ret[..32] == magic {
                    return Ok(());
                }
            }
        }
        Err(fail!(InvalidSignature))
    }

    /// Whether `account` has code (its code hash is neither zero nor the empty hash).
    pub(crate) fn has_code(&self, account: Address) -> bool {
        let h = self.host().code_hash(account);
        !h.is_zero() && h != EMPTY_CODE_HASH
    }

    /// The caller must be the address in role `slot`.
    #[inline(never)]
    pub(crate) fn only(&self, role: Field) -> Res<()> {
        if self.host().msg_sender() != self.addr(role) {
            return Err(fail!(Unauthorized));
        }
        Ok(())
    }
}
