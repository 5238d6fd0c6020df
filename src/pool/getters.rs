//! Roles, flags and the raw state getters.

use super::*;

impl LendingPool {
    /// The borrower's next intent nonce.
    pub fn nonces(&self, borrower: Address) -> u128 {
        self.numm(m::NONCE, aw(borrower))
    }

    /// EIP-712 domain separator for this chain and pool.
    pub fn domain_separator(&self) -> B256 {
        sig::domain_separator(self.host().chain_id(), self.host().contract_address())
    }

    /// Newest oracle price timestamp accepted for `token_id`.
    pub fn last_price_timestamp(&self, token_id: U256) -> u64 {
        self.numm(m::PRICE_TS, token_id) as u64
    }

    /// A role or token address: `s::ADMIN`, `s::PENDING_ADMIN`, `s::ORACLE`,
    /// `s::RELAYER`, `s::CTF`, `s::USDC`.
    pub fn role(&self, f: Field) -> Address {
        self.addr(f)
    }

    /// Whether the pool is paused.
    #[inline(never)]
    pub fn paused(&self) -> bool {
        self.num(s::PAUSED) != 0
    }

    /// Whether `token_id` is frozen.
    #[inline(never)]
    pub fn is_frozen(&self, token_id: U256) -> bool {
        self.numm(m::FROZEN, token_id) != 0
    }

    /// Market status of `token_id` (`resolution::status`).
    #[inline(never)]
    pub fn market_status(&self, token_id: U256) -> u8 {
        self.numm(m::STATUS, token_id) as u8
    }

    /// Unsettled redemption of `token_id`: `(usdcLeft, sharesLeft)`.
    pub fn redemption(&self, token_id: U256) -> (u128, u128) {
        let r = self.redeemed(token_id).0;
        (r.usdc, r.shares)
    }

    /// A redeemed token's books (`resolution::Redeemed`) and the
    /// receivable lenders count for it.
    #[inline(never)]
    pub(crate) fn redeemed(&self, token_id: U256) -> (resolution::Redeemed, u128) {
        let r = resolution::Redeemed {
            debt: self.numm(m::FROZEN_DEBT, token_id),
            borrow_shares: self.numm(m::TOKEN_SHARES, token_id),
            usdc: self.numm(m::REDEEMED_USDC, token_id),
            shares: self.numm(m::REDEEMED_SHARES, token_id),
        };
        (r, resolution::receivable(r.debt, r.usdc))
    }

    /// A scalar setting: `s::POOL_CAP`, `s::DELAY`, `s::CASH`, ... (`store::s`)
    pub fn setting(&self, f: Field) -> u128 {
        self.num(f)
    }

    /// Scalar field `f` as a word (getters answer it as is).
    pub fn word(&self, f: Field) -> U256 {
        self.load(U256::from(f.slot), f)
    }

    /// Mapping field `f` of `key` as a word.
    pub fn map_word(&self, f: Field, key: U256) -> U256 {
        self.load(map(f.slot, key), f)
    }

    /// Pending change of `kind` (0 oracle, 1 relayer, 2 pool cap): `(value, eta)`.
    pub fn pending_change(&self, kind: u8) -> Res<(U256, u64)> {
        kind_at_most(kind, change::POOL_CAP)?;
        Ok((
            self.sload(U256::from(s::PENDING_VALUE + kind as u64)),
            self.eta(kind),
        ))
    }
}
