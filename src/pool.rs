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
use alloy_sol_types::SolEvent;
use stylus_sdk::{prelude::*, stylus_core::calls::context::Call};

use crate::{
    abi::{aw, calldata, push_bytes},
    clock,
    errors::Error,
    events::*,
    fail,
    governance::{self, change},
    interest::{self, Market},
    liquidation,
    math::{add, mul_div, sub, Rounding, WAD},
    positions::{self, Borrow, CapWindow},
    resolution::{self, status},
    risk::{Curve, ANCHORS, BORROW_HAIRCUT},
    signatures as sig,
    store::{halves, join, m, map, map2, s},
    vault,
};

/// Selectors of the calls the pool makes (tests check them against `sol!`).
pub mod out {
    use crate::abi::selector;
    /// ERC-20 `transfer(address,uint256)`.
    pub const TRANSFER: [u8; 4] = selector("transfer(address,uint256)");
    /// ERC-20 `transferFrom(address,address,uint256)`.
    pub const TRANSFER_FROM: [u8; 4] = selector("transferFrom(address,address,uint256)");
    /// ERC-20 `balanceOf(address)`.
    pub const BALANCE_OF: [u8; 4] = selector("balanceOf(address)");
    /// ERC-1155 `safeTransferFrom(address,address,uint256,uint256,bytes)`.
    pub const SAFE_TRANSFER_FROM: [u8; 4] =
        selector("safeTransferFrom(address,address,uint256,uint256,bytes)");
    /// CTF `getCollectionId(bytes32,bytes32,uint256)`.
    pub const GET_COLLECTION_ID: [u8; 4] = selector("getCollectionId(bytes32,bytes32,uint256)");
    /// CTF `getPositionId(address,bytes32)`.
    pub const GET_POSITION_ID: [u8; 4] = selector("getPositionId(address,bytes32)");
    /// CTF `redeemPositions(address,bytes32,bytes32,uint256[])`.
    pub const REDEEM_POSITIONS: [u8; 4] =
        selector("redeemPositions(address,bytes32,bytes32,uint256[])");
    /// EIP-1271 `isValidSignature(bytes32,bytes)`, also its magic value.
    pub const IS_VALID_SIGNATURE: [u8; 4] = selector("isValidSignature(bytes32,bytes)");
}

/// `onERC1155Received` selector, the callback's success answer.
pub const ON_ERC1155_RECEIVED: [u8; 4] = [0xf2, 0x3a, 0x6e, 0x61];
/// `onERC1155BatchReceived` selector.
pub const ON_ERC1155_BATCH_RECEIVED: [u8; 4] = [0xbc, 0x19, 0x7c, 0x81];
/// `keccak256("")`: the code hash of an account without code.
const EMPTY_CODE_HASH: B256 =
    alloy_primitives::b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
/// Headroom of the asset books that `maxDeposit` / `maxMint` promise: 2^120
/// base units (10^30 USDC), so `u128` totals keep room for interest.
pub const MAX_BOOKS: u128 = 1 << 120;
/// Default pool cap: 5%.
pub const DEFAULT_POOL_CAP_BPS: u128 = 500;

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

fn topic(a: Address) -> B256 {
    aw(a).into()
}

/// A money value as an event/return word.
pub fn w(x: u128) -> U256 {
    U256::from(x)
}

impl LendingPool {
    /// Sets the roles and tokens; the pool cap starts at 5% and the curve at
    /// the default anchors. Zero addresses are rejected.
    pub fn constructor(
        &mut self,
        admin: Address,
        usdc: Address,
        ctf: Address,
        oracle: Address,
        relayer: Address,
    ) -> Res<()> {
        let roles = [
            (s::ADMIN, admin),
            (s::USDC, usdc),
            (s::CTF, ctf),
            (s::ORACLE, oracle),
            (s::RELAYER, relayer),
        ];
        for (slot, a) in roles {
            nonzero(a)?;
            self.set_addr(slot, a);
        }
        self.set(s::POOL_CAP, DEFAULT_POOL_CAP_BPS);
        self.store_curve(&Curve::default(), s::ANCHORS);
        self.set(s::LAST_ACCRUAL, self.now() as u128);
        Ok(())
    }

    // ------------------------------------------------------------------
    // Storage primitives (layout in `store`)
    // ------------------------------------------------------------------

    fn sload(&self, slot: U256) -> U256 {
        self.vm().storage_load_bytes32(slot).into()
    }

    fn save(&mut self, slot: U256, v: U256) {
        // SAFETY: the pool has no SDK storage fields; every slot is laid out in `store`.
        unsafe { self.vm().storage_cache_bytes32(slot, v.into()) }
    }

    /// Scalar `slot` as money (slots only ever hold values written as `u128`).
    #[inline(never)]
    fn num(&self, slot: u64) -> u128 {
        self.sload(U256::from(slot)).saturating_to()
    }

    #[inline(never)]
    fn set(&mut self, slot: u64, v: u128) {
        self.save(U256::from(slot), U256::from(v))
    }

    #[inline(never)]
    fn addr(&self, slot: u64) -> Address {
        Address::from_word(self.sload(U256::from(slot)).into())
    }

    fn set_addr(&mut self, slot: u64, a: Address) {
        self.save(U256::from(slot), aw(a))
    }

    #[inline(never)]
    fn numm(&self, base: u64, key: U256) -> u128 {
        self.sload(map(base, key)).saturating_to()
    }

    #[inline(never)]
    fn setm(&mut self, base: u64, key: U256, v: u128) {
        self.save(map(base, key), U256::from(v))
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
        let from = self.vm().msg_sender();
        self.move_shares(from, to, value)?;
        Ok(true)
    }

    /// Moves `value` of `from`'s pUSDC to `to` using the caller's allowance.
    /// Neither may be the zero address (a transfer from 0 would read as a
    /// mint, to 0 as a burn): `ZeroAddress`, checked first.
    pub fn transfer_from(&mut self, from: Address, to: Address, value: U256) -> Res<bool> {
        nonzero(from)?;
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
        self.emit(
            Approval::SIGNATURE_HASH,
            &[topic(owner), topic(spender)],
            &[value],
        );
        Ok(true)
    }

    /// Moves (`from`/`to` zero = mint/burn) `value` shares; emits `Transfer`.
    #[inline(never)]
    fn update_shares(&mut self, from: Address, to: Address, value: U256) -> Res<()> {
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
    pub fn total_assets(&self) -> Res<u128> {
        Ok(self.market()?.total_assets())
    }

    /// Shares for `assets` as of now, rounded as asked.
    #[inline(never)]
    pub fn shares_for(&self, assets: u128, r: Rounding) -> Res<u128> {
        vault::to_shares(
            assets,
            self.total_supply(),
            self.market()?.total_assets(),
            r,
        )
    }

    /// Assets for `shares` as of now, rounded as asked.
    #[inline(never)]
    pub fn assets_for(&self, shares: u128, r: Rounding) -> Res<u128> {
        vault::to_assets(
            shares,
            self.total_supply(),
            self.market()?.total_assets(),
            r,
        )
    }

    /// `maxDeposit(receiver)`: the most USDC a `deposit` for `receiver` can
    /// take now without reverting (EIP-4626): 0 while paused or for a receiver
    /// the pool refuses (zero, the pool itself); otherwise bounded only by the
    /// books' headroom ([`MAX_BOOKS`] of assets, `u128` pUSDC with the virtual
    /// shares), far above all the USDC there is.
    pub fn max_deposit(&self, receiver: Address) -> Res<u128> {
        if self.paused() || self.recipient(receiver).is_err() {
            return Ok(0);
        }
        let m = self.market()?;
        let held = m.cash.saturating_add(m.settling).saturating_add(m.borrowed);
        // Shares minted for `assets` round down, so the assets of the
        // supply's headroom in shares (rounded down) mint at most that.
        let supply_room = (u128::MAX - vault::VIRTUAL_SHARES).saturating_sub(self.total_supply());
        let by_supply = vault::to_assets(
            supply_room,
            self.total_supply(),
            m.total_assets(),
            Rounding::Down,
        )
        .unwrap_or(u128::MAX);
        Ok(MAX_BOOKS.saturating_sub(held).min(by_supply))
    }

    /// `maxMint(receiver)`: the most pUSDC a `mint` for `receiver` can create
    /// now without reverting: the shares of `maxDeposit` (rounded down, so
    /// they cost at most `maxDeposit`); 0 when `max_deposit` is.
    pub fn max_mint(&self, receiver: Address) -> Res<u128> {
        self.shares_for(self.max_deposit(receiver)?, Rounding::Down)
    }

    /// Deposits `assets` USDC (pulled from the caller) for `receiver`'s pUSDC,
    /// shares rounded down. Returns the shares.
    pub fn deposit(&mut self, assets: u128, receiver: Address) -> Res<u128> {
        let m = self.accrue()?;
        let shares = vault::to_shares(
            assets,
            self.total_supply(),
            m.total_assets(),
            Rounding::Down,
        )?;
        self.enter(m, assets, shares, receiver)?;
        Ok(shares)
    }

    /// Mints exactly `shares` pUSDC to `receiver`, pulling the assets
    /// (rounded up). Returns the assets.
    pub fn mint(&mut self, shares: u128, receiver: Address) -> Res<u128> {
        let m = self.accrue()?;
        let assets = vault::to_assets(shares, self.total_supply(), m.total_assets(), Rounding::Up)?;
        self.enter(m, assets, shares, receiver)?;
        Ok(assets)
    }

    /// Assets `owner` can withdraw now: their claim at the exit price
    /// (`Market::exit_assets`), capped by idle cash.
    pub fn max_withdraw(&self, owner: Address) -> Res<u128> {
        let claim = self.exit_assets_for(self.balance_of(owner))?;
        Ok(claim.min(self.market()?.cash))
    }

    /// `previewRedeem`: assets for `shares` at the exit price, rounded down.
    #[inline(never)]
    pub fn exit_assets_for(&self, shares: u128) -> Res<u128> {
        let m = self.market()?;
        vault::to_assets(shares, self.total_supply(), m.exit_assets(), Rounding::Down)
    }

    /// `previewWithdraw`: shares for `assets` at the exit price, rounded up.
    #[inline(never)]
    pub fn exit_shares_for(&self, assets: u128) -> Res<u128> {
        let m = self.market()?;
        vault::to_shares(assets, self.total_supply(), m.exit_assets(), Rounding::Up)
    }

    /// Shares `owner` can redeem now: their balance, capped by idle cash;
    /// 0 when those shares are worth 0 assets (a redeem of them would pay
    /// nothing and revert `ZeroAmount`), so `redeem(maxRedeem)` never reverts.
    pub fn max_redeem(&self, owner: Address) -> Res<u128> {
        let m = self.market()?;
        let by_cash =
            vault::to_shares(m.cash, self.total_supply(), m.exit_assets(), Rounding::Down)?;
        let max = self.balance_of(owner).min(by_cash);
        if self.exit_assets_for(max)? == 0 {
            return Ok(0);
        }
        Ok(max)
    }

    /// Withdraws exactly `assets` USDC to `receiver`, burning `owner`'s shares
    /// at the exit price (rounded up; the caller needs allowance unless it is
    /// `owner`).
    pub fn withdraw(&mut self, assets: u128, receiver: Address, owner: Address) -> Res<u128> {
        let m = self.accrue()?;
        if assets > self.max_withdraw(owner)? {
            return Err(fail!(ExceedsMaxWithdraw));
        }
        let shares = self.exit_shares_for(assets)?;
        self.exit(m, assets, shares, receiver, owner)?;
        Ok(shares)
    }

    /// Burns `owner`'s `shares` and sends the assets at the exit price
    /// (rounded down) to `receiver`.
    pub fn redeem(&mut self, shares: u128, receiver: Address, owner: Address) -> Res<u128> {
        let m = self.accrue()?;
        if shares > self.max_redeem(owner)? {
            return Err(fail!(ExceedsMaxWithdraw));
        }
        let assets = self.exit_assets_for(shares)?;
        self.exit(m, assets, shares, receiver, owner)?;
        Ok(assets)
    }

    fn enter(&mut self, mut m: Market, assets: u128, shares: u128, receiver: Address) -> Res<()> {
        if self.paused() {
            return Err(fail!(ProtocolPaused));
        }
        if assets == 0 || shares == 0 {
            return Err(fail!(ZeroAmount));
        }
        self.recipient(receiver)?;
        self.update_shares(Address::ZERO, receiver, w(shares))?;
        m.cash = add(m.cash, assets)?;
        self.store_market(&m);
        let sender = self.vm().msg_sender();
        self.emit(
            Deposit::SIGNATURE_HASH,
            &[topic(sender), topic(receiver)],
            &[w(assets), w(shares)],
        );
        self.pull_usdc(sender, assets)
    }

    fn exit(
        &mut self,
        mut m: Market,
        assets: u128,
        shares: u128,
        receiver: Address,
        owner: Address,
    ) -> Res<()> {
        if assets == 0 || shares == 0 {
            return Err(fail!(ZeroAmount));
        }
        self.recipient(receiver)?;
        let sender = self.vm().msg_sender();
        if sender != owner {
            self.spend_allowance(owner, sender, w(shares))?;
        }
        self.update_shares(owner, Address::ZERO, w(shares))?;
        m.cash = sub(m.cash, assets)?;
        self.store_market(&m);
        self.emit(
            Withdraw::SIGNATURE_HASH,
            &[topic(sender), topic(receiver), topic(owner)],
            &[w(assets), w(shares)],
        );
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
        // LAST_ACCRUAL: time in bits 0..64, reserve carry in 64..128,
        // interest carry in 128..256 (see `store::s::LAST_ACCRUAL`).
        let (interest_carry, low) = halves(self.sload(U256::from(s::LAST_ACCRUAL)));
        let (settling, reserves) = halves(self.sload(U256::from(s::RESERVES)));
        let stored = Market {
            cash: self.num(s::CASH),
            borrowed: self.num(s::BORROWED),
            borrow_shares: self.num(s::BORROW_SHARES),
            reserves,
            settling,
            carry: interest::Carry {
                interest: interest_carry,
                reserve: low >> 64,
            },
        };
        let last = low as u64;
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
        // The time and the remainders carried to the next accrual.
        let c = m.carry;
        let low = (c.reserve << 64) | self.now() as u128;
        self.save(U256::from(s::LAST_ACCRUAL), join(c.interest, low));
        // The pool cap's window sees lenders' assets before every change
        // (and after it: `store_market`).
        self.observe_cap(&m);
        if a.interest != 0 {
            self.store_market(&m);
            self.emit(
                InterestAccrued::SIGNATURE_HASH,
                &[],
                &[w(a.interest), w(a.reserve_fee), w(m.borrowed)],
            );
        }
        Ok(m)
    }

    /// Stores the totals. Reserves take every write-off first
    /// (`Market::absorb`); as a last guard they are also capped at `cash +
    /// borrowed`, so the protocol's claim never exceeds what the pool has.
    #[inline(never)]
    fn store_market(&mut self, m: &Market) {
        self.observe_cap(m);
        self.set(s::CASH, m.cash);
        self.set(s::BORROWED, m.borrowed);
        self.set(s::BORROW_SHARES, m.borrow_shares);
        let reserves = m
            .reserves
            .min(m.cash.saturating_add(m.settling).saturating_add(m.borrowed));
        self.save(U256::from(s::RESERVES), join(m.settling, reserves));
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
        (
            self.load_curve(s::PENDING_ANCHORS),
            self.eta(change::ANCHORS),
        )
    }

    #[inline(never)]
    fn load_curve(&self, base: u64) -> Curve {
        let mut c = Curve {
            prices: [0; ANCHORS],
            ltvs: [0; ANCHORS],
        };
        for i in 0..ANCHORS {
            c.prices[i] = self.num(base + i as u64);
            c.ltvs[i] = self.num(base + (ANCHORS + i) as u64);
        }
        c
    }

    #[inline(never)]
    fn store_curve(&mut self, c: &Curve, base: u64) {
        for i in 0..ANCHORS {
            self.set(base + i as u64, c.prices[i]);
            self.set(base + (ANCHORS + i) as u64, c.ltvs[i]);
        }
    }

    /// `(collateral, borrowShares, debt)` of a position, debt as of now. On a
    /// lost market the debt was written off at resolution: it reads 0.
    #[inline(never)]
    pub fn get_position(&self, borrower: Address, token_id: U256) -> Res<(u128, u128, u128)> {
        let base = map2(m::POSITION, aw(borrower), token_id);
        let shares = self.sload(base + U256::from(1)).saturating_to();
        let debt = match self.market_status(token_id) {
            status::LOST => 0,
            status::REDEEMED => self.redeemed(token_id).0.debt_of(shares)?,
            _ => self.market()?.debt_of(shares)?,
        };
        Ok((self.sload(base).saturating_to(), shares, debt))
    }

    #[inline(never)]
    fn set_position(&mut self, borrower: Address, token_id: U256, collateral: u128, shares: u128) {
        let base = map2(m::POSITION, aw(borrower), token_id);
        self.save(base, U256::from(collateral));
        self.save(base + U256::from(1), U256::from(shares));
    }

    /// Health factor (WAD) of a position at `price`; max uint without debt.
    pub fn get_health_factor(&self, borrower: Address, token_id: U256, price: u128) -> Res<U256> {
        let (c, _, d) = self.get_position(borrower, token_id)?;
        if d == 0 {
            return Ok(U256::MAX);
        }
        Ok(w(self.curve().health_factor(c, price, d)?))
    }

    /// What the position could borrow now at `price`: 99.5% of
    /// `collateral * price * ltv` minus its debt, within the token's remaining
    /// pool cap and the idle cash. (The oracle's depth gate is not known here.)
    pub fn max_borrow(&self, borrower: Address, token_id: U256, price: u128) -> Res<u128> {
        let (c, _, d) = self.get_position(borrower, token_id)?;
        let m = self.market()?;
        let gross = mul_div(
            self.curve().max_debt(c, price)?,
            BORROW_HAIRCUT,
            WAD,
            Rounding::Down,
        )?;
        let room = self
            .token_borrow_cap()?
            .saturating_sub(self.token_debt(token_id)?);
        Ok(gross.saturating_sub(d).min(room).min(m.cash))
    }

    /// Price below which the position can be liquidated (0 without debt,
    /// max uint if no price makes it healthy).
    pub fn liquidation_price(&self, borrower: Address, token_id: U256) -> Res<U256> {
        let (c, _, d) = self.get_position(borrower, token_id)?;
        let p = self.curve().liquidation_price(c, d)?;
        Ok(if p == u128::MAX { U256::MAX } else { w(p) })
    }

    /// Debt of every position on `token_id`, as of now (frozen once its
    /// won market was redeemed).
    #[inline(never)]
    pub fn token_debt(&self, token_id: U256) -> Res<u128> {
        if self.market_status(token_id) == status::REDEEMED {
            return Ok(self.redeemed(token_id).0.debt);
        }
        self.market()?.debt_of(self.numm(m::TOKEN_SHARES, token_id))
    }

    /// Largest debt one token may carry now (`u128::MAX` when the cap is
    /// 0): the pool cap of the lenders' assets as the cap's window measures
    /// them ([`CapWindow::base`]: a deposit must have stayed since the start
    /// of the previous day to lift it).
    #[inline(never)]
    pub fn token_borrow_cap(&self) -> Res<u128> {
        let m = self.market()?;
        self.cap_of(&m)
    }

    /// The pool cap's window as stored (`CapWindow`).
    fn cap_window(&self) -> (u128, u128) {
        halves(self.sload(U256::from(s::CAP_CHECKPOINT)))
    }

    /// Records lenders' assets in the pool cap's window (`CapWindow`).
    #[inline(never)]
    fn observe_cap(&mut self, m: &Market) {
        let before = self.cap_window();
        let after = CapWindow::unpack(before)
            .observe(self.now(), m.total_assets())
            .pack();
        if after != before {
            self.save(U256::from(s::CAP_CHECKPOINT), join(after.0, after.1));
        }
    }

    /// The pool cap for these totals (see `token_borrow_cap`).
    #[inline(never)]
    fn cap_of(&self, m: &Market) -> Res<u128> {
        let base = CapWindow::unpack(self.cap_window()).base(self.now(), m.total_assets());
        positions::token_cap(base, self.num(s::POOL_CAP))
    }

    /// Collateral held for all positions on `token_id`.
    pub fn token_collateral(&self, token_id: U256) -> u128 {
        self.numm(m::TOKEN_COLLATERAL, token_id)
    }

    // ------------------------------------------------------------------
    // Roles and state getters
    // ------------------------------------------------------------------

    /// The borrower's next intent nonce.
    pub fn nonces(&self, borrower: Address) -> u128 {
        self.numm(m::NONCE, aw(borrower))
    }

    /// EIP-712 domain separator for this chain and pool.
    pub fn domain_separator(&self) -> B256 {
        sig::domain_separator(self.vm().chain_id(), self.vm().contract_address())
    }

    /// Newest oracle price timestamp accepted for `token_id`.
    pub fn last_price_timestamp(&self, token_id: U256) -> u64 {
        self.numm(m::PRICE_TS, token_id) as u64
    }

    /// A role or token address: `s::ADMIN`, `s::PENDING_ADMIN`, `s::ORACLE`,
    /// `s::RELAYER`, `s::CTF`, `s::USDC`.
    pub fn role(&self, slot: u64) -> Address {
        self.addr(slot)
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
    fn redeemed(&self, token_id: U256) -> (resolution::Redeemed, u128) {
        let r = resolution::Redeemed {
            debt: self.numm(m::FROZEN_DEBT, token_id),
            borrow_shares: self.numm(m::TOKEN_SHARES, token_id),
            usdc: self.numm(m::REDEEMED_USDC, token_id),
            shares: self.numm(m::REDEEMED_SHARES, token_id),
        };
        (r, resolution::receivable(r.debt, r.usdc))
    }

    /// A scalar setting: `s::POOL_CAP`, `s::DELAY`, `s::CASH`, ...
    pub fn setting(&self, slot: u64) -> u128 {
        self.num(slot)
    }

    /// The raw word in scalar `slot` (getters answer it as is).
    pub fn word(&self, slot: u64) -> U256 {
        self.sload(U256::from(slot))
    }

    /// The raw word of `mapping[key]` at `base`.
    pub fn map_word(&self, base: u64, key: U256) -> U256 {
        self.sload(map(base, key))
    }

    /// Pending change of `kind` (0 oracle, 1 relayer, 2 pool cap): `(value, eta)`.
    pub fn pending_change(&self, kind: u8) -> Res<(U256, u64)> {
        kind_at_most(kind, change::POOL_CAP)?;
        Ok((
            self.sload(U256::from(s::PENDING_VALUE + kind as u64)),
            self.eta(kind),
        ))
    }

    // ------------------------------------------------------------------
    // Collateral
    // ------------------------------------------------------------------

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
        let borrower = self.vm().msg_sender();
        self.open_for_withdraw(token_id, false)?;
        let (c, shares, d) = self.get_position(borrower, token_id)?;
        if shares != 0 && self.market_status(token_id) == status::LOST {
            return Err(fail!(MarketResolved));
        }
        if d != 0 {
            return Err(fail!(PositionHasDebt));
        }
        positions::check_withdraw(&self.curve(), c, d, amount, 0)?;
        self.send_collateral(borrower, token_id, amount, to)
    }

    // ------------------------------------------------------------------
    // Relayed borrow and withdraw
    // ------------------------------------------------------------------

    /// Borrows `amount` USDC for `borrower` against `token_id` (relayer only),
    /// with the borrower's `BorrowIntent` signature and the oracle's
    /// `PriceData`. USDC goes to the borrower. Word-sized inputs arrive as
    /// `U256` so the signed values are hashed exactly as signed.
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
        let price = self.check_oracle_price(
            token_id,
            price,
            price_timestamp,
            max_borrow,
            price_signature,
        )?;
        let amount = crate::math::narrow(amount)?;

        let (collateral, shares, debt) = self.get_position(borrower, token_id)?;
        let token_shares = self.numm(m::TOKEN_SHARES, token_id);
        let b = Borrow {
            collateral,
            debt,
            amount,
            price,
            token_debt: m.debt_of(token_shares)?,
            token_cap: self.cap_of(&m)?,
            depth_cap: crate::math::saturate(max_borrow),
            cash: m.cash,
        };
        positions::check_borrow(&self.curve(), &b)?;
        let minted = m.add_debt(amount)?;
        m.cash -= amount;
        self.store_market(&m);
        self.setm(m::TOKEN_SHARES, token_id, token_shares + minted);
        self.set_position(borrower, token_id, collateral, shares + minted);
        self.consume(borrower, token_id, price_timestamp);
        self.emit(
            Borrowed::SIGNATURE_HASH,
            &[topic(borrower), token_id.into()],
            &[w(amount), w(minted), w(price)],
        );
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
        let mut p = 0;
        if d != 0 {
            p = self.check_oracle_price(
                token_id,
                price,
                price_timestamp,
                U256::ZERO,
                price_signature,
            )?;
            ts = price_timestamp;
        }
        let amount = crate::math::narrow(amount)?;
        positions::check_withdraw(&self.curve(), c, d, amount, p)?;
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
        let payer = self.vm().msg_sender();
        self.emit(
            Repaid::SIGNATURE_HASH,
            &[topic(payer), topic(borrower), token_id.into()],
            &[w(paid), w(burned)],
        );
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
        )?;
        let (c, shares, debt) = self.get_position(borrower, token_id)?;
        if c == 0 {
            return Err(fail!(NoPosition));
        }
        let o = liquidation::liquidate(&self.curve(), c, debt, price, repay_amount)?;
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
        self.setm(m::PRICE_TS, token_id, price_timestamp.saturating_to());
        let liquidator = self.vm().msg_sender();
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

    // ------------------------------------------------------------------
    // Resolution
    // ------------------------------------------------------------------

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

    // ------------------------------------------------------------------
    // Governance
    // ------------------------------------------------------------------

    /// Starts a two-step admin transfer (admin only).
    pub fn transfer_admin(&mut self, new_admin: Address) -> Res<()> {
        self.only(s::ADMIN)?;
        self.set_addr(s::PENDING_ADMIN, new_admin);
        self.emit(
            AdminTransferStarted::SIGNATURE_HASH,
            &[topic(self.addr(s::ADMIN)), topic(new_admin)],
            &[],
        );
        Ok(())
    }

    /// Completes the admin transfer (pending admin only).
    pub fn accept_admin(&mut self) -> Res<()> {
        self.only(s::PENDING_ADMIN)?;
        let (previous, sender) = (self.addr(s::ADMIN), self.vm().msg_sender());
        self.set_addr(s::ADMIN, sender);
        self.set_addr(s::PENDING_ADMIN, Address::ZERO);
        self.emit(
            AdminTransferred::SIGNATURE_HASH,
            &[topic(previous), topic(sender)],
            &[],
        );
        Ok(())
    }

    /// Sets the timelock delay (admin only): it can only grow, to at most 10 days.
    pub fn activate_timelock(&mut self, delay: u64) -> Res<()> {
        self.only(s::ADMIN)?;
        governance::check_delay(self.num(s::DELAY) as u64, delay)?;
        self.set(s::DELAY, delay as u128);
        self.emit(TimelockActivated::SIGNATURE_HASH, &[], &[w(delay as u128)]);
        Ok(())
    }

    /// Proposes a new LTV curve (admin only; replaces any pending proposal).
    pub fn propose_anchors(&mut self, prices: &[U256], ltvs: &[U256]) -> Res<()> {
        self.only(s::ADMIN)?;
        let narrow = |v: &[U256]| {
            v.iter()
                .map(|x| crate::math::saturate(*x))
                .collect::<Vec<u128>>()
        };
        let c = Curve::new(&narrow(prices), &narrow(ltvs))?;
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
            governance::check_cap(crate::math::saturate(value))?;
        } else if value.is_zero() {
            return Err(fail!(ZeroAddress));
        }
        self.save(U256::from(s::PENDING_VALUE + kind as u64), value);
        self.propose(kind, value);
        Ok(())
    }

    /// Applies the pending change of `kind` once the delay has passed (admin only).
    pub fn execute_change(&mut self, kind: u8) -> Res<()> {
        self.only(s::ADMIN)?;
        kind_at_most(kind, change::ANCHORS)?;
        governance::check_ready(self.eta(kind), self.now())?;
        self.set_proposed(kind, 0);
        if kind == change::ANCHORS {
            let c = self.load_curve(s::PENDING_ANCHORS);
            self.store_curve(&c, s::ANCHORS);
            let words = |v: &[u128; ANCHORS]| v.iter().map(|x| w(*x)).collect::<Vec<U256>>();
            let mut data = crate::abi::words(&[w(64), w(64 + 32 * (ANCHORS as u128 + 1))]);
            crate::abi::push_array(&mut data, &words(&c.prices));
            crate::abi::push_array(&mut data, &words(&c.ltvs));
            let _ = self.vm().raw_log(&[AnchorsUpdated::SIGNATURE_HASH], &data);
            return Ok(());
        }
        let v = self.sload(U256::from(s::PENDING_VALUE + kind as u64));
        match kind {
            change::ORACLE => {
                self.save(U256::from(s::ORACLE), v);
                self.emit(OracleUpdated::SIGNATURE_HASH, &[v.into()], &[]);
            }
            change::RELAYER => {
                self.save(U256::from(s::RELAYER), v);
                self.emit(RelayerUpdated::SIGNATURE_HASH, &[v.into()], &[]);
            }
            _ => self.set_cap(v.saturating_to()),
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
        self.set_proposed(kind, 0);
        self.emit(
            ChangeCancelled::SIGNATURE_HASH,
            &[U256::from(kind).into()],
            &[],
        );
        Ok(())
    }

    /// Lowers the pool cap at once (admin only); raising needs the timelock.
    pub fn set_pool_cap(&mut self, bps: U256) -> Res<()> {
        self.only(s::ADMIN)?;
        let bps = crate::math::saturate(bps);
        governance::check_cap(bps)?;
        if governance::is_raise(self.num(s::POOL_CAP), bps) {
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
        self.set(s::PAUSED, paused as u128);
        self.emit(
            PauseSet::SIGNATURE_HASH,
            &[topic(sender)],
            &[w(paused as u128)],
        );
        Ok(())
    }

    /// Freezes or unfreezes a token (admin only).
    pub fn set_token_frozen(&mut self, token_id: U256, frozen: bool) -> Res<()> {
        self.only(s::ADMIN)?;
        self.setm(m::FROZEN, token_id, frozen as u128);
        self.emit(
            TokenFrozenSet::SIGNATURE_HASH,
            &[token_id.into()],
            &[w(frozen as u128)],
        );
        Ok(())
    }

    /// Pays out accrued reserves from idle cash (admin only). Lenders'
    /// `totalAssets` is unchanged: cash and reserves fall together.
    pub fn withdraw_reserves(&mut self, to: Address, amount: u128) -> Res<()> {
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
        self.emit(
            ReservesWithdrawn::SIGNATURE_HASH,
            &[topic(to)],
            &[w(amount)],
        );
        self.pay_usdc(to, amount)
    }

    /// Sends USDC the pool holds beyond its accounted cash and unsettled
    /// redemptions (donations, mistakes) to `to` (admin only).
    pub fn sweep(&mut self, to: Address) -> Res<u128> {
        self.only(s::ADMIN)?;
        nonzero(to)?;
        let tracked = add(self.num(s::CASH), self.num(s::PENDING_REDEMPTIONS))?;
        let excess = self.usdc_balance()?.saturating_sub(tracked);
        if excess == 0 {
            return Err(fail!(ZeroAmount));
        }
        self.emit(Swept::SIGNATURE_HASH, &[topic(to)], &[w(excess)]);
        self.pay_usdc(to, excess)?;
        Ok(excess)
    }

    // ------------------------------------------------------------------
    // Internals
    // ------------------------------------------------------------------

    fn set_cap(&mut self, bps: u128) {
        self.set(s::POOL_CAP, bps);
        self.emit(PoolCapUpdated::SIGNATURE_HASH, &[], &[w(bps)]);
    }

    /// When the pending change of `kind` may run (0 = none): its proposal
    /// time plus the delay in force **now**, so raising the delay also delays
    /// changes already proposed (no proposing under a short delay and
    /// executing after users were promised a long one).
    #[inline(never)]
    fn eta(&self, kind: u8) -> u64 {
        let proposed = self.num(s::PENDING_ETA + kind.min(change::ANCHORS) as u64) as u64;
        if proposed == 0 {
            0
        } else {
            proposed + self.num(s::DELAY) as u64
        }
    }

    fn set_proposed(&mut self, kind: u8, at: u64) {
        self.set(s::PENDING_ETA + kind as u64, at as u128);
    }

    fn propose(&mut self, kind: u8, value: U256) {
        self.set_proposed(kind, self.now());
        let eta = self.eta(kind);
        self.emit(
            ChangeProposed::SIGNATURE_HASH,
            &[U256::from(kind).into()],
            &[value, w(eta as u128)],
        );
    }

    /// Burns `burned` of the position's `shares` (and of its token's shares).
    #[inline(never)]
    fn burn(
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
    }

    /// Removes `amount` from the position's and its token's collateral.
    #[inline(never)]
    fn remove_collateral(&mut self, borrower: Address, token_id: U256, amount: u128) {
        let t = self.token_collateral(token_id);
        self.setm(m::TOKEN_COLLATERAL, token_id, t.saturating_sub(amount));
        let base = map2(m::POSITION, aw(borrower), token_id);
        let c = self.sload(base);
        self.save(base, c - U256::from(amount));
    }

    /// Removes debt from the totals and writes off the virtual shares' dust
    /// that goes with the last borrow share (reserves first; reported as
    /// `BadDebtAbsorbed(0, 0, dust)`), so every fall in lenders' share price
    /// is announced.
    fn remove_debt(&self, m: &mut Market, shares: u128, assets: u128) {
        let dust = m.remove_debt(shares, assets);
        let absorbed = m.absorb(dust);
        self.bad_debt(Address::ZERO, U256::ZERO, dust, absorbed);
    }

    /// Reports a write-off of `amount` (`BadDebtAbsorbed`) of which the
    /// reserves took `absorbed` (`ReservesAbsorbed`, see `Market::absorb`);
    /// lenders bore `amount - absorbed`.
    fn bad_debt(&self, borrower: Address, token_id: U256, amount: u128, absorbed: u128) {
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

    fn send_collateral(
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

    /// Someone tokens may go to or be booked for: not zero and not the pool
    /// itself (pUSDC, USDC or shares held by the pool for nobody would be
    /// stranded; on chain a transfer to itself would also re-enter).
    fn recipient(&self, to: Address) -> Res<()> {
        nonzero(to)?;
        if to == self.vm().contract_address() {
            return Err(fail!(InvalidRecipient));
        }
        Ok(())
    }

    /// Open market and not frozen (collateral in, borrow).
    fn open_market(&self, token_id: U256) -> Res<()> {
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
    fn check_intent(
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
    /// returns the price as `u128`.
    #[inline(never)]
    fn check_oracle_price(
        &self,
        token_id: U256,
        price: U256,
        ts: U256,
        max_borrow: U256,
        signature: &[u8],
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
        Ok(p)
    }

    /// Consumes the borrower's nonce and records the accepted price time.
    fn consume(&mut self, borrower: Address, token_id: U256, price_ts: U256) {
        let n = self.nonces(borrower);
        self.setm(m::NONCE, aw(borrower), n + 1);
        self.setm(m::PRICE_TS, token_id, price_ts.saturating_to());
    }

    /// Accepts `signature` on `struct_hash` from `signer`: ECDSA first; for a
    /// signer with code (`eip1271`), an EIP-1271 `isValidSignature` answer of
    /// exactly the magic value.
    #[inline(never)]
    fn check_sig(
        &self,
        signer: Address,
        struct_hash: B256,
        signature: &[u8],
        eip1271: bool,
    ) -> Res<()> {
        let digest = sig::digest(self.domain_separator(), struct_hash);
        if let Some(p) = sig::parse(signature) {
            let input = sig::ecrecover_input(digest, &p);
            if let Ok(out) = self
                .vm()
                .static_call(&Call::new(), Address::with_last_byte(1), &input)
            {
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
            if let Ok(ret) = self.vm().static_call(&Call::new(), signer, &data) {
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
        self.vm()
            .call(&Call::new(), to, &data)
            .map_err(|_| fail!(TransferFailed))
    }

    /// A view call returning one 32-byte word.
    #[inline(never)]
    fn view_call(&self, to: Address, data: Vec<u8>) -> Res<U256> {
        let out = self
            .vm()
            .static_call(&Call::new(), to, &data)
            .map_err(|_| fail!(TransferFailed))?;
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

    fn pay_usdc(&mut self, to: Address, amount: u128) -> Res<()> {
        self.token_call(calldata(out::TRANSFER, &[aw(to), w(amount)]))
    }

    fn pull_usdc(&mut self, from: Address, amount: u128) -> Res<()> {
        let this = aw(self.vm().contract_address());
        self.token_call(calldata(out::TRANSFER_FROM, &[aw(from), this, w(amount)]))
    }

    fn usdc_balance(&self) -> Res<u128> {
        let this = aw(self.vm().contract_address());
        let b = self.view_call(self.addr(s::USDC), calldata(out::BALANCE_OF, &[this]))?;
        Ok(crate::math::saturate(b))
    }

    fn ctf_transfer(&mut self, to: Address, id: U256, amount: u128) -> Res<()> {
        if amount == 0 {
            return Ok(());
        }
        // safeTransferFrom(this, to, id, amount, "")
        let args = [
            aw(self.vm().contract_address()),
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
