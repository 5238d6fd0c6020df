//! The `LendingPool` contract: the thin shell around the pure modules.
//!
//! Every public method loads state, asks the core (`vault`, `interest`,
//! `risk`, `positions`, `liquidation`, `resolution`, `governance`,
//! `signatures`) what to do, stores the result, then transfers and emits.
//! State is always written before any external call (checks-effects-
//! interactions); the host call flushes the storage cache before calling out.
//!
//! The methods here are the contract's functions with Rust names; `dispatch`
//! maps ABI selectors onto them. Tests call them directly under motsu.

use alloc::{vec, vec::Vec};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolCall, SolEvent};
use stylus_sdk::{prelude::*, stylus_core::calls::context::Call};

use crate::{
    abi::aw,
    clock,
    errors::Error,
    events::*,
    fail,
    governance::{self, change},
    interest::{self, Market},
    liquidation,
    math::{add, mul_div, sub, Rounding, WAD},
    positions::{self, Borrow},
    resolution::{self, status},
    risk::{Curve, ANCHORS, BORROW_HAIRCUT},
    signatures as sig,
    store::{m, map, map2, s},
    vault,
};

sol! {
    interface IERC20Min {
        function transfer(address to, uint256 amount) external returns (bool);
        function transferFrom(address from, address to, uint256 amount) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
    }
    interface ICtf {
        function safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data) external;
        function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet) external view returns (bytes32);
        function getPositionId(address collateralToken, bytes32 collectionId) external pure returns (uint256);
        function redeemPositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] indexSets) external;
    }
    interface IERC1271 {
        function isValidSignature(bytes32 hash, bytes signature) external view returns (bytes4);
    }
}

/// `onERC1155Received` selector, the callback's success answer.
pub const ON_ERC1155_RECEIVED: [u8; 4] = [0xf2, 0x3a, 0x6e, 0x61];
/// `onERC1155BatchReceived` selector.
pub const ON_ERC1155_BATCH_RECEIVED: [u8; 4] = [0xbc, 0x19, 0x7c, 0x81];
/// EIP-1271 magic value.
const EIP1271_MAGIC: [u8; 4] = [0x16, 0x26, 0xba, 0x7e];
/// `keccak256("")`: the code hash of an account without code.
const EMPTY_CODE_HASH: B256 =
    alloy_primitives::b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
/// Default pool cap: 5%.
pub const DEFAULT_POOL_CAP_BPS: u64 = 500;

/// Results of the pool's functions.
pub type Res<T> = core::result::Result<T, Error>;

/// The PredMart lending pool: an ERC-4626 USDC vault (pUSDC) lending against
/// Conditional Tokens collateral. State lives in raw slots (see `store`).
#[storage]
pub struct LendingPool {}

// SAFETY: the pool is the top-level contract storage (as `#[entrypoint]` would declare).
unsafe impl TopLevelStorage for LendingPool {}

fn nonzero(a: Address) -> Res<()> {
    if a.is_zero() {
        Err(fail!(ZeroAddress))
    } else {
        Ok(())
    }
}

fn kind_at_most(kind: u8, max: u8) -> Res<()> {
    if kind > max {
        return Err(fail!(InvalidCalldata));
    }
    Ok(())
}

fn word_addr(v: U256) -> Address {
    Address::from_word(v.into())
}

fn topic(a: Address) -> B256 {
    aw(a).into()
}

impl LendingPool {
    /// Sets the roles and tokens; the pool cap starts at 5% and the curve at
    /// the default anchors. Zero addresses are rejected.
    pub fn constructor(&mut self, admin: Address, usdc: Address, ctf: Address, oracle: Address, relayer: Address) -> Res<()> {
        let roles = [(s::ADMIN, admin), (s::USDC, usdc), (s::CTF, ctf), (s::ORACLE, oracle), (s::RELAYER, relayer)];
        for (slot, a) in roles {
            nonzero(a)?;
            self.put(slot, aw(a));
        }
        self.put(s::POOL_CAP, U256::from(DEFAULT_POOL_CAP_BPS));
        self.store_curve(&Curve::default(), s::ANCHORS);
        self.put(s::LAST_ACCRUAL, U256::from(self.now()));
        Ok(())
    }

    // ------------------------------------------------------------------
    // Storage primitives
    // ------------------------------------------------------------------

    fn sload(&self, slot: U256) -> U256 {
        self.vm().storage_load_bytes32(slot).into()
    }

    fn save(&mut self, slot: U256, v: U256) {
        // SAFETY: raw slots are laid out in `store` and never alias a storage field.
        unsafe { self.vm().storage_cache_bytes32(slot, v.into()) }
    }

    #[inline(never)]
    fn get(&self, slot: u64) -> U256 {
        self.sload(U256::from(slot))
    }

    #[inline(never)]
    fn put(&mut self, slot: u64, v: U256) {
        self.save(U256::from(slot), v)
    }

    #[inline(never)]
    fn addr(&self, slot: u64) -> Address {
        word_addr(self.get(slot))
    }

    #[inline(never)]
    fn getm(&self, base: u64, key: U256) -> U256 {
        self.sload(map(base, key))
    }

    #[inline(never)]
    fn putm(&mut self, base: u64, key: U256, v: U256) {
        self.save(map(base, key), v)
    }

    /// Emits a log: `topic0` then the indexed `topics`, data as words.
    #[inline(never)]
    fn emit(&self, topic0: B256, topics: &[B256], data: &[U256]) {
        let mut t = vec![topic0];
        t.extend_from_slice(topics);
        let _ = self.vm().raw_log(&t, &crate::abi::words(data));
    }

    // ------------------------------------------------------------------
    // ERC-20 (pUSDC)
    // ------------------------------------------------------------------

    /// pUSDC in existence.
    #[inline(never)]
    pub fn total_supply(&self) -> U256 {
        self.get(s::SUPPLY)
    }

    /// pUSDC held by `account`.
    #[inline(never)]
    pub fn balance_of(&self, account: Address) -> U256 {
        self.getm(m::BALANCE, aw(account))
    }

    /// pUSDC `spender` may move for `owner`.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.sload(map2(m::ALLOWANCE, aw(owner), aw(spender)))
    }

    /// Moves `value` pUSDC from the caller to `to` (allowed while paused).
    pub fn transfer(&mut self, to: Address, value: U256) -> Res<bool> {
        let from = self.vm().msg_sender();
        self.move_shares(from, to, value)?;
        Ok(true)
    }

    /// Moves `value` of `from`'s pUSDC to `to` using the caller's allowance.
    pub fn transfer_from(&mut self, from: Address, to: Address, value: U256) -> Res<bool> {
        let spender = self.vm().msg_sender();
        self.spend_allowance(from, spender, value)?;
        self.move_shares(from, to, value)?;
        Ok(true)
    }

    /// Sets `spender`'s allowance over the caller's pUSDC to `value`.
    pub fn approve(&mut self, spender: Address, value: U256) -> Res<bool> {
        nonzero(spender)?;
        let owner = self.vm().msg_sender();
        self.save(map2(m::ALLOWANCE, aw(owner), aw(spender)), value);
        self.emit(Approval::SIGNATURE_HASH, &[topic(owner), topic(spender)], &[value]);
        Ok(true)
    }

    /// Moves (`from`/`to` zero = mint/burn) `value` shares; emits `Transfer`.
    #[inline(never)]
    fn update_shares(&mut self, from: Address, to: Address, value: U256) -> Res<()> {
        if from.is_zero() {
            self.put(s::SUPPLY, add(self.total_supply(), value)?);
        } else {
            let b = self.balance_of(from);
            if b < value {
                return Err(fail!(InsufficientBalance));
            }
            self.putm(m::BALANCE, aw(from), b - value);
        }
        if to.is_zero() {
            self.put(s::SUPPLY, self.total_supply() - value);
        } else {
            // Cannot overflow: balances sum to the supply, which was checked.
            let b = self.balance_of(to);
            self.putm(m::BALANCE, aw(to), b + value);
        }
        self.emit(Transfer::SIGNATURE_HASH, &[topic(from), topic(to)], &[value]);
        Ok(())
    }

    fn move_shares(&mut self, from: Address, to: Address, value: U256) -> Res<()> {
        nonzero(to)?;
        self.update_shares(from, to, value)
    }

    fn spend_allowance(&mut self, owner: Address, spender: Address, value: U256) -> Res<()> {
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

    // ------------------------------------------------------------------
    // ERC-4626 vault
    // ------------------------------------------------------------------

    /// The underlying asset: USDC.
    pub fn asset(&self) -> Address {
        self.addr(s::USDC)
    }

    /// `cash + totalBorrowAssets - reserves`, interest included up to now.
    pub fn total_assets(&self) -> Res<U256> {
        Ok(self.market()?.total_assets())
    }

    /// Shares for `assets` as of now, rounded as asked.
    #[inline(never)]
    pub fn shares_for(&self, assets: U256, r: Rounding) -> Res<U256> {
        vault::to_shares(assets, self.total_supply(), self.market()?.total_assets(), r)
    }

    /// Assets for `shares` as of now, rounded as asked.
    #[inline(never)]
    pub fn assets_for(&self, shares: U256, r: Rounding) -> Res<U256> {
        vault::to_assets(shares, self.total_supply(), self.market()?.total_assets(), r)
    }

    /// `maxDeposit` / `maxMint`: unlimited, or 0 while paused.
    pub fn max_deposit(&self) -> U256 {
        if self.paused() {
            U256::ZERO
        } else {
            U256::MAX
        }
    }

    /// Deposits `assets` USDC (pulled from the caller) for `receiver`'s pUSDC,
    /// shares rounded down. Returns the shares.
    pub fn deposit(&mut self, assets: U256, receiver: Address) -> Res<U256> {
        let m = self.accrue()?;
        let shares = vault::to_shares(assets, self.total_supply(), m.total_assets(), Rounding::Down)?;
        self.enter(m, assets, shares, receiver)?;
        Ok(shares)
    }

    /// Mints exactly `shares` pUSDC to `receiver`, pulling the assets
    /// (rounded up). Returns the assets.
    pub fn mint(&mut self, shares: U256, receiver: Address) -> Res<U256> {
        let m = self.accrue()?;
        let assets = vault::to_assets(shares, self.total_supply(), m.total_assets(), Rounding::Up)?;
        self.enter(m, assets, shares, receiver)?;
        Ok(assets)
    }

    /// Assets `owner` can withdraw now: their claim, capped by idle cash.
    pub fn max_withdraw(&self, owner: Address) -> Res<U256> {
        let m = self.market()?;
        let claim = vault::to_assets(self.balance_of(owner), self.total_supply(), m.total_assets(), Rounding::Down)?;
        Ok(claim.min(m.cash))
    }

    /// Shares `owner` can redeem now: their balance, capped by idle cash.
    pub fn max_redeem(&self, owner: Address) -> Res<U256> {
        let m = self.market()?;
        let by_cash = vault::to_shares(m.cash, self.total_supply(), m.total_assets(), Rounding::Down)?;
        Ok(self.balance_of(owner).min(by_cash))
    }

    /// Withdraws exactly `assets` USDC to `receiver`, burning `owner`'s shares
    /// (rounded up; the caller needs allowance unless it is `owner`).
    pub fn withdraw(&mut self, assets: U256, receiver: Address, owner: Address) -> Res<U256> {
        let m = self.accrue()?;
        if assets > self.max_withdraw(owner)? {
            return Err(fail!(ExceedsMaxWithdraw));
        }
        let shares = vault::to_shares(assets, self.total_supply(), m.total_assets(), Rounding::Up)?;
        self.exit(m, assets, shares, receiver, owner)?;
        Ok(shares)
    }

    /// Burns `owner`'s `shares` and sends the assets (rounded down) to `receiver`.
    pub fn redeem(&mut self, shares: U256, receiver: Address, owner: Address) -> Res<U256> {
        let m = self.accrue()?;
        if shares > self.max_redeem(owner)? {
            return Err(fail!(ExceedsMaxWithdraw));
        }
        let assets = vault::to_assets(shares, self.total_supply(), m.total_assets(), Rounding::Down)?;
        self.exit(m, assets, shares, receiver, owner)?;
        Ok(assets)
    }

    fn enter(&mut self, mut m: Market, assets: U256, shares: U256, receiver: Address) -> Res<()> {
        if self.paused() {
            return Err(fail!(ProtocolPaused));
        }
        if assets.is_zero() || shares.is_zero() {
            return Err(fail!(ZeroAmount));
        }
        nonzero(receiver)?;
        self.update_shares(Address::ZERO, receiver, shares)?;
        m.cash = add(m.cash, assets)?;
        self.store_market(&m);
        let sender = self.vm().msg_sender();
        self.emit(Deposit::SIGNATURE_HASH, &[topic(sender), topic(receiver)], &[assets, shares]);
        self.pull_usdc(sender, assets)
    }

    fn exit(&mut self, mut m: Market, assets: U256, shares: U256, receiver: Address, owner: Address) -> Res<()> {
        if assets.is_zero() || shares.is_zero() {
            return Err(fail!(ZeroAmount));
        }
        nonzero(receiver)?;
        let sender = self.vm().msg_sender();
        if sender != owner {
            self.spend_allowance(owner, sender, shares)?;
        }
        self.update_shares(owner, Address::ZERO, shares)?;
        m.cash = sub(m.cash, assets)?;
        self.store_market(&m);
        self.emit(Withdraw::SIGNATURE_HASH, &[topic(sender), topic(receiver), topic(owner)], &[assets, shares]);
        self.pay_usdc(receiver, assets)
    }

    // ------------------------------------------------------------------
    // Interest
    // ------------------------------------------------------------------

    /// The pool's time (see `clock`): the one place time is read.
    pub fn now(&self) -> u64 {
        clock::now(self.vm().block_timestamp())
    }

    /// Totals as stored, with interest up to now applied (not stored).
    #[inline(never)]
    fn market_with_accrual(&self) -> Res<(Market, interest::Accrual)> {
        let stored = Market {
            cash: self.get(s::CASH),
            borrowed: self.get(s::BORROWED),
            borrow_shares: self.get(s::BORROW_SHARES),
            reserves: self.get(s::RESERVES),
        };
        let last = self.get(s::LAST_ACCRUAL).to::<u64>();
        stored.accrued(self.now().saturating_sub(last))
    }

    /// Totals as of now (views read "as of now" without writing).
    #[inline(never)]
    pub fn market(&self) -> Res<Market> {
        Ok(self.market_with_accrual()?.0)
    }

    /// Accrues interest into storage (anyone may call `accrueInterest`);
    /// returns the up-to-date totals.
    #[inline(never)]
    pub fn accrue(&mut self) -> Res<Market> {
        let (m, a) = self.market_with_accrual()?;
        self.put(s::LAST_ACCRUAL, U256::from(self.now()));
        if !a.interest.is_zero() {
            self.store_market(&m);
            self.emit(InterestAccrued::SIGNATURE_HASH, &[], &[a.interest, a.reserve_fee, m.borrowed]);
        }
        Ok(m)
    }

    #[inline(never)]
    fn store_market(&mut self, m: &Market) {
        self.put(s::CASH, m.cash);
        self.put(s::BORROWED, m.borrowed);
        self.put(s::BORROW_SHARES, m.borrow_shares);
        self.put(s::RESERVES, m.reserves);
    }

    // ------------------------------------------------------------------
    // Risk views
    // ------------------------------------------------------------------

    /// The active LTV curve.
    #[inline(never)]
    pub fn curve(&self) -> Curve {
        self.load_curve(s::ANCHORS)
    }

    /// The pending LTV curve and its eta (0 = none).
    pub fn pending_anchors(&self) -> (Curve, u64) {
        (self.load_curve(s::PENDING_ANCHORS), self.eta(change::ANCHORS))
    }

    #[inline(never)]
    fn load_curve(&self, base: u64) -> Curve {
        let mut c = Curve { prices: [U256::ZERO; ANCHORS], ltvs: [U256::ZERO; ANCHORS] };
        for i in 0..ANCHORS {
            c.prices[i] = self.get(base + i as u64);
            c.ltvs[i] = self.get(base + (ANCHORS + i) as u64);
        }
        c
    }

    #[inline(never)]
    fn store_curve(&mut self, c: &Curve, base: u64) {
        for i in 0..ANCHORS {
            self.put(base + i as u64, c.prices[i]);
            self.put(base + (ANCHORS + i) as u64, c.ltvs[i]);
        }
    }

    /// `(collateral, borrowShares, debt)` of a position, debt as of now.
    #[inline(never)]
    pub fn get_position(&self, borrower: Address, token_id: U256) -> Res<(U256, U256, U256)> {
        let base = map2(m::POSITION, aw(borrower), token_id);
        let shares = self.sload(base + U256::from(1));
        Ok((self.sload(base), shares, self.market()?.debt_of(shares)?))
    }

    #[inline(never)]
    fn set_position(&mut self, borrower: Address, token_id: U256, collateral: U256, shares: U256) {
        let base = map2(m::POSITION, aw(borrower), token_id);
        self.save(base, collateral);
        self.save(base + U256::from(1), shares);
    }

    /// Health factor (WAD) of a position at `price`; max uint without debt.
    pub fn get_health_factor(&self, borrower: Address, token_id: U256, price: U256) -> Res<U256> {
        let (c, _, d) = self.get_position(borrower, token_id)?;
        self.curve().health_factor(c, price, d)
    }

    /// What the position could borrow now at `price`: 99.5% of
    /// `collateral * price * ltv` minus its debt, within the token's remaining
    /// pool cap and the idle cash. (The oracle's depth gate is not known here.)
    pub fn max_borrow(&self, borrower: Address, token_id: U256, price: U256) -> Res<U256> {
        let (c, _, d) = self.get_position(borrower, token_id)?;
        let m = self.market()?;
        let gross = mul_div(self.curve().max_debt(c, price)?, BORROW_HAIRCUT, WAD, Rounding::Down)?;
        let room = self.token_borrow_cap()?.saturating_sub(self.token_debt(token_id)?);
        Ok(gross.saturating_sub(d).min(room).min(m.cash))
    }

    /// Price below which the position can be liquidated (0 without debt,
    /// max uint if no price makes it healthy).
    pub fn liquidation_price(&self, borrower: Address, token_id: U256) -> Res<U256> {
        let (c, _, d) = self.get_position(borrower, token_id)?;
        self.curve().liquidation_price(c, d)
    }

    /// Debt of every position on `token_id`, as of now.
    #[inline(never)]
    pub fn token_debt(&self, token_id: U256) -> Res<U256> {
        self.market()?.debt_of(self.getm(m::TOKEN_SHARES, token_id))
    }

    /// Largest debt one token may carry now (max uint when the cap is 0).
    #[inline(never)]
    pub fn token_borrow_cap(&self) -> Res<U256> {
        positions::token_cap(self.market()?.total_assets(), self.get(s::POOL_CAP))
    }

    /// Collateral held for all positions on `token_id`.
    pub fn token_collateral(&self, token_id: U256) -> U256 {
        self.getm(m::TOKEN_COLLATERAL, token_id)
    }

    // ------------------------------------------------------------------
    // Roles and state getters
    // ------------------------------------------------------------------

    /// The borrower's next intent nonce.
    pub fn nonces(&self, borrower: Address) -> U256 {
        self.getm(m::NONCE, aw(borrower))
    }

    /// EIP-712 domain separator for this chain and pool.
    pub fn domain_separator(&self) -> B256 {
        sig::domain_separator(self.vm().chain_id(), self.vm().contract_address())
    }

    /// Newest oracle price timestamp accepted for `token_id`.
    pub fn last_price_timestamp(&self, token_id: U256) -> u64 {
        self.getm(m::PRICE_TS, token_id).to()
    }

    /// A role or token address: `s::ADMIN`, `s::PENDING_ADMIN`, `s::ORACLE`,
    /// `s::RELAYER`, `s::CTF`, `s::USDC`.
    pub fn role(&self, slot: u64) -> Address {
        self.addr(slot)
    }

    /// Whether the pool is paused.
    #[inline(never)]
    pub fn paused(&self) -> bool {
        !self.get(s::PAUSED).is_zero()
    }

    /// Whether `token_id` is frozen.
    #[inline(never)]
    pub fn is_frozen(&self, token_id: U256) -> bool {
        !self.getm(m::FROZEN, token_id).is_zero()
    }

    /// Market status of `token_id` (`resolution::status`).
    #[inline(never)]
    pub fn market_status(&self, token_id: U256) -> u8 {
        self.getm(m::STATUS, token_id).to()
    }

    /// Unsettled redemption of `token_id`: `(usdcLeft, sharesLeft)`.
    pub fn redemption(&self, token_id: U256) -> (U256, U256) {
        (self.getm(m::REDEEMED_USDC, token_id), self.getm(m::REDEEMED_SHARES, token_id))
    }

    /// A scalar setting: `s::POOL_CAP`, `s::DELAY`, `s::CASH`, ...
    pub fn setting(&self, slot: u64) -> U256 {
        self.get(slot)
    }

    /// Pending change of `kind` (0 oracle, 1 relayer, 2 pool cap): `(value, eta)`.
    pub fn pending_change(&self, kind: u8) -> (U256, u64) {
        let k = (kind.min(change::POOL_CAP)) as u64;
        (self.get(s::PENDING_VALUE + k), self.eta(kind))
    }

    // ------------------------------------------------------------------
    // Collateral
    // ------------------------------------------------------------------

    /// ERC-1155 hook: books each `(id, value)` for the beneficiary (`from`,
    /// or the address abi-encoded in `data`). Only the configured CTF may call
    /// it; rejected while paused, when a token is frozen or its market
    /// resolved, or for a zero amount — the transfer then reverts.
    pub fn on_received(&mut self, from: Address, ids: &[U256], values: &[U256], data: &[u8]) -> Res<()> {
        if self.vm().msg_sender() != self.addr(s::CTF) {
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
        nonzero(to)?;
        if ids.len() != values.len() {
            return Err(fail!(InvalidCollateralData));
        }
        for (id, value) in ids.iter().zip(values) {
            self.open_market(*id)?;
            if value.is_zero() {
                return Err(fail!(ZeroAmount));
            }
            let (c, shares, _) = self.get_position(to, *id)?;
            self.putm(m::TOKEN_COLLATERAL, *id, add(self.token_collateral(*id), *value)?);
            self.set_position(to, *id, c + value, shares);
            self.emit(CollateralDeposited::SIGNATURE_HASH, &[topic(to), (*id).into()], &[*value]);
        }
        Ok(())
    }

    /// Direct withdrawal for a position **without debt**, so a borrower who
    /// has repaid can always exit without the relayer. Blocked for frozen
    /// tokens and once won collateral was redeemed (settle instead).
    pub fn withdraw_collateral(&mut self, token_id: U256, amount: U256, to: Address) -> Res<()> {
        let borrower = self.vm().msg_sender();
        self.open_for_withdraw(token_id, false)?;
        let (c, _, d) = self.get_position(borrower, token_id)?;
        if !d.is_zero() {
            return Err(fail!(PositionHasDebt));
        }
        positions::check_withdraw(&self.curve(), c, d, amount, U256::ZERO)?;
        self.send_collateral(borrower, token_id, amount, to)
    }

    // ------------------------------------------------------------------
    // Relayed borrow and withdraw
    // ------------------------------------------------------------------

    /// Borrows `amount` USDC for `borrower` against `token_id` (relayer only),
    /// with the borrower's `BorrowIntent` signature and the oracle's
    /// `PriceData`. USDC goes to the borrower.
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
        let intent = sig::borrow_intent_hash(borrower, token_id, amount, nonce, deadline);
        self.check_intent(borrower, nonce, deadline, intent, intent_signature)?;
        self.check_oracle_price(token_id, price, price_timestamp, max_borrow, price_signature)?;

        let (collateral, shares, debt) = self.get_position(borrower, token_id)?;
        let token_shares = self.getm(m::TOKEN_SHARES, token_id);
        let b = Borrow {
            collateral,
            debt,
            amount,
            price,
            token_debt: m.debt_of(token_shares)?,
            token_cap: positions::token_cap(m.total_assets(), self.get(s::POOL_CAP))?,
            depth_cap: max_borrow,
            cash: m.cash,
        };
        positions::check_borrow(&self.curve(), &b)?;
        let minted = m.add_debt(amount)?;
        m.cash -= amount;
        self.store_market(&m);
        self.putm(m::TOKEN_SHARES, token_id, token_shares + minted);
        self.set_position(borrower, token_id, collateral, shares + minted);
        self.consume(borrower, token_id, price_timestamp);
        self.emit(Borrowed::SIGNATURE_HASH, &[topic(borrower), token_id.into()], &[amount, minted, price]);
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
        self.accrue()?;
        self.open_for_withdraw(token_id, true)?;
        let intent = sig::withdraw_intent_hash(borrower, to, token_id, amount, nonce, deadline);
        self.check_intent(borrower, nonce, deadline, intent, intent_signature)?;
        let (c, _, d) = self.get_position(borrower, token_id)?;
        let mut ts = U256::from(self.last_price_timestamp(token_id));
        if !d.is_zero() {
            self.check_oracle_price(token_id, price, price_timestamp, U256::ZERO, price_signature)?;
            ts = price_timestamp;
        }
        positions::check_withdraw(&self.curve(), c, d, amount, price)?;
        self.consume(borrower, token_id, ts);
        self.send_collateral(borrower, token_id, amount, to)
    }

    // ------------------------------------------------------------------
    // Repay
    // ------------------------------------------------------------------

    /// Repays up to `amount` of `borrower`'s debt on `token_id`, pulling USDC
    /// from the caller (`repay` is this with `borrower = caller`). Amounts
    /// above the debt (e.g. max uint) repay exactly the debt, interest to the
    /// second. Works while paused and for frozen or resolved tokens. Returns
    /// the amount repaid.
    pub fn repay_for(&mut self, borrower: Address, token_id: U256, amount: U256) -> Res<U256> {
        let mut m = self.accrue()?;
        let (c, shares, debt) = self.get_position(borrower, token_id)?;
        if debt.is_zero() {
            return Err(fail!(NoPosition));
        }
        if amount.is_zero() {
            return Err(fail!(ZeroAmount));
        }
        let paid = amount.min(debt);
        // Repaying burns shares rounded down; the full debt burns them all.
        let burned = if paid == debt {
            shares
        } else {
            interest::to_borrow_shares(paid, m.borrowed, m.borrow_shares, Rounding::Down)?
        };
        if burned.is_zero() {
            return Err(fail!(ZeroAmount));
        }
        m.remove_debt(burned, paid);
        m.cash = add(m.cash, paid)?;
        self.store_market(&m);
        self.burn(borrower, token_id, c, shares, burned);
        let payer = self.vm().msg_sender();
        self.emit(Repaid::SIGNATURE_HASH, &[topic(payer), topic(borrower), token_id.into()], &[paid, burned]);
        self.pull_usdc(payer, paid)?;
        Ok(paid)
    }

    // ------------------------------------------------------------------
    // Liquidation
    // ------------------------------------------------------------------

    /// Liquidates an unhealthy position (anyone may call) at an oracle price.
    /// Pays at most `repay_amount` USDC; see `liquidation::liquidate` for the
    /// close factor, bonus, underwater and dust rules. Bad debt is written
    /// off against lenders and reported in `BadDebtAbsorbed`. Returns the
    /// collateral seized.
    pub fn liquidate(
        &mut self,
        borrower: Address,
        token_id: U256,
        repay_amount: U256,
        price: U256,
        price_timestamp: U256,
        max_borrow: U256,
        price_signature: &[u8],
    ) -> Res<U256> {
        let mut m = self.accrue()?;
        let st = self.market_status(token_id);
        if st == status::LOST || st == status::REDEEMED {
            return Err(fail!(MarketResolved));
        }
        self.check_oracle_price(token_id, price, price_timestamp, max_borrow, price_signature)?;
        let (c, shares, debt) = self.get_position(borrower, token_id)?;
        if c.is_zero() {
            return Err(fail!(NoPosition));
        }
        let o = liquidation::liquidate(&self.curve(), c, debt, price, repay_amount)?;
        let burned = if o.closes(debt) {
            shares
        } else {
            interest::to_borrow_shares(o.repaid, m.borrowed, m.borrow_shares, Rounding::Down)?
        };
        m.remove_debt(burned, o.repaid + o.bad_debt);
        m.cash = add(m.cash, o.repaid)?;
        self.store_market(&m);
        self.burn(borrower, token_id, c, shares, burned);
        self.remove_collateral(borrower, token_id, o.seized);
        self.putm(m::PRICE_TS, token_id, price_timestamp);
        let liquidator = self.vm().msg_sender();
        self.emit(
            Liquidated::SIGNATURE_HASH,
            &[topic(liquidator), topic(borrower), token_id.into()],
            &[o.repaid, o.seized, price],
        );
        self.bad_debt(borrower, token_id, o.bad_debt);
        self.pull_usdc(liquidator, o.repaid)?;
        self.ctf_transfer(liquidator, token_id, o.seized)?;
        Ok(o.seized)
    }

    // ------------------------------------------------------------------
    // Resolution
    // ------------------------------------------------------------------

    /// Records the oracle's signed resolution of `token_id` (anyone may
    /// submit; the signature must be at most one hour old).
    pub fn resolve_market(&mut self, token_id: U256, won: bool, timestamp: U256, signature: &[u8]) -> Res<()> {
        if self.market_status(token_id) != status::OPEN {
            return Err(fail!(MarketResolved));
        }
        resolution::check_resolution_time(self.now(), timestamp)?;
        self.check_sig(self.addr(s::ORACLE), sig::resolution_hash(token_id, won, timestamp), signature, false)?;
        self.putm(m::STATUS, token_id, U256::from(if won { status::WON } else { status::LOST }));
        self.emit(MarketResolution::SIGNATURE_HASH, &[token_id.into()], &[U256::from(won as u8)]);
        Ok(())
    }

    /// Lost market: writes the position's whole debt off as bad debt and
    /// clears it (anyone may call).
    pub fn close_lost_position(&mut self, borrower: Address, token_id: U256) -> Res<()> {
        if self.market_status(token_id) != status::LOST {
            return Err(fail!(MarketNotResolved));
        }
        let mut m = self.accrue()?;
        let (c, shares, debt) = self.get_position(borrower, token_id)?;
        if c.is_zero() && shares.is_zero() {
            return Err(fail!(NoPosition));
        }
        m.remove_debt(shares, debt);
        self.store_market(&m);
        self.burn(borrower, token_id, c, shares, shares);
        self.remove_collateral(borrower, token_id, c);
        self.bad_debt(borrower, token_id, debt);
        Ok(())
    }

    /// Won market: redeems every share of `token_id` the pool holds through
    /// the CTF, after checking with the CTF that `token_id` is the position of
    /// `(usdc, conditionId, indexSet)`. The USDC received is held for
    /// `settle_redemption`. Anyone may call. Returns the USDC received.
    pub fn redeem_won_collateral(&mut self, token_id: U256, condition_id: B256, index_set: U256) -> Res<U256> {
        if self.market_status(token_id) != status::WON {
            return Err(fail!(MarketNotResolved));
        }
        let (ctf, usdc) = (self.addr(s::CTF), self.addr(s::USDC));
        let collection = self.view_call(
            ctf,
            ICtf::getCollectionIdCall { parentCollectionId: B256::ZERO, conditionId: condition_id, indexSet: index_set }
                .abi_encode(),
        )?;
        let position =
            self.view_call(ctf, ICtf::getPositionIdCall { collateralToken: usdc, collectionId: collection.into() }.abi_encode())?;
        if position != token_id {
            return Err(fail!(TokenMismatch));
        }
        let shares = self.token_collateral(token_id);
        self.putm(m::STATUS, token_id, U256::from(status::REDEEMED));
        let before = self.usdc_balance()?;
        let call = ICtf::redeemPositionsCall {
            collateralToken: usdc,
            parentCollectionId: B256::ZERO,
            conditionId: condition_id,
            indexSets: vec![index_set],
        };
        self.call(ctf, call.abi_encode())?;
        let received = sub(self.usdc_balance()?, before)?;
        self.putm(m::REDEEMED_USDC, token_id, received);
        self.putm(m::REDEEMED_SHARES, token_id, shares);
        self.put(s::PENDING_REDEMPTIONS, add(self.get(s::PENDING_REDEMPTIONS), received)?);
        self.emit(WonCollateralRedeemed::SIGNATURE_HASH, &[token_id.into()], &[shares, received]);
        Ok(received)
    }

    /// Settles one position of a redeemed token: its pro-rata share of the
    /// proceeds repays its debt and the surplus goes to the borrower; a
    /// shortfall is bad debt. Anyone may call. Returns the surplus paid.
    pub fn settle_redemption(&mut self, borrower: Address, token_id: U256) -> Res<U256> {
        if self.market_status(token_id) != status::REDEEMED {
            return Err(fail!(NotRedeemed));
        }
        let mut m = self.accrue()?;
        let (c, shares, debt) = self.get_position(borrower, token_id)?;
        if c.is_zero() {
            return Err(fail!(NoPosition));
        }
        let (usdc_left, shares_left) = self.redemption(token_id);
        let st = resolution::settle(c, debt, usdc_left, shares_left)?;
        self.putm(m::REDEEMED_USDC, token_id, usdc_left - st.payout);
        self.putm(m::REDEEMED_SHARES, token_id, shares_left.saturating_sub(c));
        self.put(s::PENDING_REDEMPTIONS, self.get(s::PENDING_REDEMPTIONS) - st.payout);
        m.remove_debt(shares, debt);
        m.cash = add(m.cash, st.repaid)?;
        self.store_market(&m);
        self.burn(borrower, token_id, c, shares, shares);
        self.remove_collateral(borrower, token_id, c);
        self.emit(
            RedemptionSettled::SIGNATURE_HASH,
            &[topic(borrower), token_id.into()],
            &[st.payout, st.repaid, st.surplus],
        );
        self.bad_debt(borrower, token_id, st.bad_debt);
        if !st.surplus.is_zero() {
            self.pay_usdc(borrower, st.surplus)?;
        }
        Ok(st.surplus)
    }

    // ------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------

    /// Starts a two-step admin transfer (admin only).
    pub fn transfer_admin(&mut self, new_admin: Address) -> Res<()> {
        self.only(s::ADMIN)?;
        self.put(s::PENDING_ADMIN, aw(new_admin));
        self.emit(AdminTransferStarted::SIGNATURE_HASH, &[topic(self.addr(s::ADMIN)), topic(new_admin)], &[]);
        Ok(())
    }

    /// Completes the admin transfer (pending admin only).
    pub fn accept_admin(&mut self) -> Res<()> {
        self.only(s::PENDING_ADMIN)?;
        let (previous, sender) = (self.addr(s::ADMIN), self.vm().msg_sender());
        self.put(s::ADMIN, aw(sender));
        self.put(s::PENDING_ADMIN, U256::ZERO);
        self.emit(AdminTransferred::SIGNATURE_HASH, &[topic(previous), topic(sender)], &[]);
        Ok(())
    }

    /// Sets the timelock delay (admin only): it can only grow, to at most 10 days.
    pub fn activate_timelock(&mut self, delay: u64) -> Res<()> {
        self.only(s::ADMIN)?;
        governance::check_delay(self.get(s::DELAY).to(), delay)?;
        self.put(s::DELAY, U256::from(delay));
        self.emit(TimelockActivated::SIGNATURE_HASH, &[], &[U256::from(delay)]);
        Ok(())
    }

    /// Proposes a new LTV curve (admin only; replaces any pending proposal).
    pub fn propose_anchors(&mut self, prices: &[U256], ltvs: &[U256]) -> Res<()> {
        self.only(s::ADMIN)?;
        let c = Curve::new(prices, ltvs)?;
        self.store_curve(&c, s::PENDING_ANCHORS);
        self.propose(change::ANCHORS, U256::ZERO);
        Ok(())
    }

    /// Proposes a new oracle (kind 0), relayer (1) or higher pool cap (2),
    /// admin only. A cap of 0 ("no cap") counts as a raise.
    pub fn propose_change(&mut self, kind: u8, value: U256) -> Res<()> {
        self.only(s::ADMIN)?;
        kind_at_most(kind, change::POOL_CAP)?;
        if kind == change::POOL_CAP {
            governance::check_cap(value)?;
        } else if value.is_zero() {
            return Err(fail!(ZeroAddress));
        }
        self.put(s::PENDING_VALUE + kind as u64, value);
        self.propose(kind, value);
        Ok(())
    }

    /// Applies the pending change of `kind` once the delay has passed (admin only).
    pub fn execute_change(&mut self, kind: u8) -> Res<()> {
        self.only(s::ADMIN)?;
        kind_at_most(kind, change::ANCHORS)?;
        governance::check_ready(self.eta(kind), self.now())?;
        self.set_eta(kind, 0);
        if kind == change::ANCHORS {
            let c = self.load_curve(s::PENDING_ANCHORS);
            self.store_curve(&c, s::ANCHORS);
            let mut data = crate::abi::words(&[U256::from(64), U256::from(64 + 32 * (ANCHORS + 1))]);
            crate::abi::push_array(&mut data, &c.prices);
            crate::abi::push_array(&mut data, &c.ltvs);
            let _ = self.vm().raw_log(&[AnchorsUpdated::SIGNATURE_HASH], &data);
            return Ok(());
        }
        let v = self.get(s::PENDING_VALUE + kind as u64);
        match kind {
            change::ORACLE => {
                self.put(s::ORACLE, v);
                self.emit(OracleUpdated::SIGNATURE_HASH, &[v.into()], &[]);
            }
            change::RELAYER => {
                self.put(s::RELAYER, v);
                self.emit(RelayerUpdated::SIGNATURE_HASH, &[v.into()], &[]);
            }
            _ => self.set_cap(v),
        }
        Ok(())
    }

    /// Cancels the pending change of `kind` (admin only).
    pub fn cancel_change(&mut self, kind: u8) -> Res<()> {
        self.only(s::ADMIN)?;
        kind_at_most(kind, change::ANCHORS)?;
        if self.eta(kind) == 0 {
            return Err(fail!(NoPendingChange));
        }
        self.set_eta(kind, 0);
        self.emit(ChangeCancelled::SIGNATURE_HASH, &[U256::from(kind).into()], &[]);
        Ok(())
    }

    /// Lowers the pool cap at once (admin only); raising needs the timelock.
    pub fn set_pool_cap(&mut self, bps: U256) -> Res<()> {
        self.only(s::ADMIN)?;
        governance::check_cap(bps)?;
        if governance::is_raise(self.get(s::POOL_CAP), bps) {
            return Err(fail!(TimelockRequired));
        }
        self.set_cap(bps);
        Ok(())
    }

    /// Pauses (admin or relayer) or unpauses (admin only).
    pub fn set_paused(&mut self, paused: bool) -> Res<()> {
        let sender = self.vm().msg_sender();
        if sender != self.addr(s::ADMIN) && (!paused || sender != self.addr(s::RELAYER)) {
            return Err(fail!(Unauthorized));
        }
        self.put(s::PAUSED, U256::from(paused as u8));
        self.emit(PauseSet::SIGNATURE_HASH, &[topic(sender)], &[U256::from(paused as u8)]);
        Ok(())
    }

    /// Freezes or unfreezes a token (admin only).
    pub fn set_token_frozen(&mut self, token_id: U256, frozen: bool) -> Res<()> {
        self.only(s::ADMIN)?;
        self.putm(m::FROZEN, token_id, U256::from(frozen as u8));
        self.emit(TokenFrozenSet::SIGNATURE_HASH, &[token_id.into()], &[U256::from(frozen as u8)]);
        Ok(())
    }

    /// Pays out accrued reserves from idle cash (admin only). Lenders'
    /// `totalAssets` is unchanged: cash and reserves fall together.
    pub fn withdraw_reserves(&mut self, to: Address, amount: U256) -> Res<()> {
        self.only(s::ADMIN)?;
        nonzero(to)?;
        let mut m = self.accrue()?;
        if amount > m.reserves {
            return Err(fail!(ExceedsReserves));
        }
        if amount > m.cash {
            return Err(fail!(InsufficientLiquidity));
        }
        m.reserves -= amount;
        m.cash -= amount;
        self.store_market(&m);
        self.emit(ReservesWithdrawn::SIGNATURE_HASH, &[topic(to)], &[amount]);
        self.pay_usdc(to, amount)
    }

    /// Sends USDC the pool holds beyond its accounted cash and unsettled
    /// redemptions (donations, mistakes) to `to` (admin only).
    pub fn sweep(&mut self, to: Address) -> Res<U256> {
        self.only(s::ADMIN)?;
        nonzero(to)?;
        let tracked = add(self.get(s::CASH), self.get(s::PENDING_REDEMPTIONS))?;
        let excess = self.usdc_balance()?.saturating_sub(tracked);
        if excess.is_zero() {
            return Err(fail!(ZeroAmount));
        }
        self.emit(Swept::SIGNATURE_HASH, &[topic(to)], &[excess]);
        self.pay_usdc(to, excess)?;
        Ok(excess)
    }

    // ------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------

    fn set_cap(&mut self, bps: U256) {
        self.put(s::POOL_CAP, bps);
        self.emit(PoolCapUpdated::SIGNATURE_HASH, &[], &[bps]);
    }

    fn eta(&self, kind: u8) -> u64 {
        self.get(s::PENDING_ETA + (kind.min(change::ANCHORS)) as u64).to()
    }

    fn set_eta(&mut self, kind: u8, eta: u64) {
        self.put(s::PENDING_ETA + kind as u64, U256::from(eta));
    }

    fn propose(&mut self, kind: u8, value: U256) {
        let eta = self.now() + self.get(s::DELAY).to::<u64>();
        self.set_eta(kind, eta);
        self.emit(ChangeProposed::SIGNATURE_HASH, &[U256::from(kind).into()], &[value, U256::from(eta)]);
    }

    /// Burns `burned` of the position's `shares` (and of its token's shares).
    #[inline(never)]
    fn burn(&mut self, borrower: Address, token_id: U256, collateral: U256, shares: U256, burned: U256) {
        let t = self.getm(m::TOKEN_SHARES, token_id);
        self.putm(m::TOKEN_SHARES, token_id, t.saturating_sub(burned));
        self.set_position(borrower, token_id, collateral, shares - burned);
    }

    /// Removes `amount` from the position's and its token's collateral.
    #[inline(never)]
    fn remove_collateral(&mut self, borrower: Address, token_id: U256, amount: U256) {
        let t = self.token_collateral(token_id);
        self.putm(m::TOKEN_COLLATERAL, token_id, t.saturating_sub(amount));
        let base = map2(m::POSITION, aw(borrower), token_id);
        let c = self.sload(base);
        self.save(base, c - amount);
    }

    fn bad_debt(&self, borrower: Address, token_id: U256, amount: U256) {
        if !amount.is_zero() {
            self.emit(BadDebtAbsorbed::SIGNATURE_HASH, &[topic(borrower), token_id.into()], &[amount]);
        }
    }

    fn send_collateral(&mut self, borrower: Address, token_id: U256, amount: U256, to: Address) -> Res<()> {
        nonzero(to)?;
        self.remove_collateral(borrower, token_id, amount);
        self.emit(CollateralWithdrawn::SIGNATURE_HASH, &[topic(borrower), token_id.into()], &[aw(to), amount]);
        self.ctf_transfer(to, token_id, amount)
    }

    /// Open market and not frozen (collateral in, borrow).
    fn open_market(&self, token_id: U256) -> Res<()> {
        if self.market_status(token_id) != status::OPEN {
            return Err(fail!(MarketResolved));
        }
        if self.is_frozen(token_id) {
            return Err(fail!(TokenFrozen));
        }
        Ok(())
    }

    /// Withdrawals: never for frozen tokens; the relay path needs an open
    /// market, the direct (debt-free) path only that the shares are still held.
    fn open_for_withdraw(&self, token_id: U256, relay: bool) -> Res<()> {
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
    fn check_intent(&self, borrower: Address, nonce: U256, deadline: U256, intent: B256, signature: &[u8]) -> Res<()> {
        if U256::from(self.now()) > deadline {
            return Err(fail!(IntentExpired));
        }
        if nonce != self.nonces(borrower) {
            return Err(fail!(InvalidNonce));
        }
        self.check_sig(borrower, intent, signature, true)
    }

    /// Oracle signature and the price rules (`positions::check_price`).
    #[inline(never)]
    fn check_oracle_price(&self, token_id: U256, price: U256, ts: U256, max_borrow: U256, signature: &[u8]) -> Res<()> {
        let h = sig::price_data_hash(token_id, price, ts, max_borrow);
        self.check_sig(self.addr(s::ORACLE), h, signature, false)?;
        positions::check_price(self.now(), ts, price, self.last_price_timestamp(token_id))
    }

    /// Consumes the borrower's nonce and records the accepted price time.
    fn consume(&mut self, borrower: Address, token_id: U256, price_ts: U256) {
        let n = self.nonces(borrower);
        self.putm(m::NONCE, aw(borrower), n + U256::from(1));
        self.putm(m::PRICE_TS, token_id, price_ts);
    }

    /// Accepts `signature` on `struct_hash` from `signer`: ECDSA first; for a
    /// signer with code (`eip1271`), an EIP-1271 `isValidSignature` answer of
    /// exactly the magic value.
    #[inline(never)]
    fn check_sig(&self, signer: Address, struct_hash: B256, signature: &[u8], eip1271: bool) -> Res<()> {
        let digest = sig::digest(self.domain_separator(), struct_hash);
        if let Some(p) = sig::parse(signature) {
            let input = sig::ecrecover_input(digest, &p);
            if let Ok(out) = self.vm().static_call(&Call::new(), Address::with_last_byte(1), &input) {
                if out.len() == 32 && !signer.is_zero() && Address::from_slice(&out[12..]) == signer {
                    return Ok(());
                }
            }
        }
        if eip1271 && self.has_code(signer) {
            let call = IERC1271::isValidSignatureCall { hash: digest, signature: signature.to_vec().into() };
            if let Ok(out) = self.vm().static_call(&Call::new(), signer, &call.abi_encode()) {
                let mut magic = [0u8; 32];
                magic[..4].copy_from_slice(&EIP1271_MAGIC);
                if out.len() >= 32 && out[..32] == magic {
                    return Ok(());
                }
            }
        }
        Err(fail!(InvalidSignature))
    }

    /// Whether `account` has code (its code hash is neither zero nor the empty hash).
    fn has_code(&self, account: Address) -> bool {
        let h = self.vm().code_hash(account);
        !h.is_zero() && h != EMPTY_CODE_HASH
    }

    /// The caller must be the address in role `slot`.
    #[inline(never)]
    fn only(&self, slot: u64) -> Res<()> {
        if self.vm().msg_sender() != self.addr(slot) {
            return Err(fail!(Unauthorized));
        }
        Ok(())
    }

    /// A state-changing call; failure or revert is `TransferFailed`.
    #[inline(never)]
    fn call(&mut self, to: Address, data: Vec<u8>) -> Res<Vec<u8>> {
        self.vm().call(&Call::new(), to, &data).map_err(|_| fail!(TransferFailed))
    }

    /// A view call returning one 32-byte word.
    #[inline(never)]
    fn view_call(&self, to: Address, data: Vec<u8>) -> Res<U256> {
        let out = self.vm().static_call(&Call::new(), to, &data).map_err(|_| fail!(TransferFailed))?;
        if out.len() < 32 {
            return Err(fail!(TransferFailed));
        }
        Ok(U256::from_be_slice(&out[..32]))
    }

    /// An ERC-20 call to USDC that must succeed and return nothing or `true`.
    #[inline(never)]
    fn token_call(&mut self, data: Vec<u8>) -> Res<()> {
        let out = self.call(self.addr(s::USDC), data)?;
        if out.is_empty() || (out.len() == 32 && U256::from_be_slice(&out) == U256::from(1)) {
            Ok(())
        } else {
            Err(fail!(TransferFailed))
        }
    }

    fn pay_usdc(&mut self, to: Address, amount: U256) -> Res<()> {
        self.token_call(IERC20Min::transferCall { to, amount }.abi_encode())
    }

    fn pull_usdc(&mut self, from: Address, amount: U256) -> Res<()> {
        let to = self.vm().contract_address();
        self.token_call(IERC20Min::transferFromCall { from, to, amount }.abi_encode())
    }

    fn usdc_balance(&self) -> Res<U256> {
        let account = self.vm().contract_address();
        self.view_call(self.addr(s::USDC), IERC20Min::balanceOfCall { account }.abi_encode())
    }

    fn ctf_transfer(&mut self, to: Address, id: U256, amount: U256) -> Res<()> {
        if amount.is_zero() {
            return Ok(());
        }
        let from = self.vm().contract_address();
        let data = ICtf::safeTransferFromCall { from, to, id, amount, data: Default::default() }.abi_encode();
        self.call(self.addr(s::CTF), data).map(|_| ())
    }
}
