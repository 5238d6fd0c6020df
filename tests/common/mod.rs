//! Shared test fixtures: mock USDC (6 decimals), mock Conditional Tokens
//! (ERC-1155 with `getCollectionId`/`getPositionId`/`redeemPositions`), a mock
//! EIP-1271 smart-contract wallet, EIP-712 signing, the ABI of
//! `abi/IPredMartPool.sol`, and a `World` that wires them to a pool.
#![allow(dead_code, missing_docs, clippy::too_many_arguments)]

extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::SolCall;
use motsu::prelude::*;
use openzeppelin_stylus::token::{
    erc1155::{self, Erc1155, IErc1155},
    erc20::{self, Erc20, IErc20},
};
use predmart_pool::{clock, signatures as sig, LendingPool};
use stylus_sdk::{
    abi::Bytes,
    prelude::*,
    storage::{StorageAddress, StorageBytes, StorageMap, StorageU256, StorageU8},
    stylus_core::calls::context::Call,
};

alloy_sol_types::sol!(
    #[sol(all_derives)]
    "abi/IPredMartPool.sol"
);

pub use IPredMartPool as IPool;

/// 1 USDC (or 1 CTF share) in base units.
pub const UNIT: u128 = 1_000_000;
/// 1% in WAD.
pub const PCT: u128 = 10_000_000_000_000_000;
/// 1.0 in WAD.
pub const WAD: u128 = 1_000_000_000_000_000_000;
/// motsu's fixed block timestamp.
pub const GENESIS: u64 = 1_735_689_600;

pub fn usd(v: u128) -> u128 {
    v * UNIT
}

pub fn cents(c: u128) -> u128 {
    c * PCT
}

pub fn w(v: u128) -> U256 {
    U256::from(v)
}

// ---------------------------------------------------------------------------
// Re-entry hook (adversarial mocks)
// ---------------------------------------------------------------------------

/// What a hook did: not fired yet, its call succeeded, or it failed.
pub const HOOK_IDLE: u8 = 0;
pub const HOOK_OK: u8 = 1;
pub const HOOK_FAILED: u8 = 2;

/// A one-shot call a mock makes from inside a token callback: armed with a
/// target and calldata, it fires once (disarming first, so it cannot loop)
/// and records whether the call succeeded. Models a malicious token or
/// receiver that re-enters the pool mid-operation.
#[storage]
pub struct Hook {
    target: StorageAddress,
    data: StorageBytes,
    result: StorageU8,
    /// The revert data of a failed hook call.
    revert: StorageBytes,
}

impl Hook {
    fn arm(&mut self, target: Address, data: &[u8]) {
        self.target.set(target);
        self.data.set_bytes(data);
        self.result.set(alloy_primitives::U8::from(HOOK_IDLE));
    }

    /// Disarms and returns the armed call, if any.
    fn take(&mut self) -> Option<(Address, Vec<u8>)> {
        let target = self.target.get();
        if target.is_zero() {
            return None;
        }
        self.target.set(Address::ZERO);
        Some((target, self.data.get_bytes()))
    }

    fn record(&mut self, r: Result<Vec<u8>, Vec<u8>>) {
        self.result.set(alloy_primitives::U8::from(if r.is_ok() {
            HOOK_OK
        } else {
            HOOK_FAILED
        }));
        self.revert.set_bytes(r.err().unwrap_or_default());
    }
}

/// Fires `$self.hook` (if armed) from inside the mock `$self`.
macro_rules! fire_hook {
    ($self:ident) => {
        if let Some((target, data)) = $self.hook.take() {
            let r = $self
                .vm()
                .call(&Call::new(), target, &data)
                .map_err(Vec::<u8>::from);
            $self.hook.record(r);
        }
    };
}

// ---------------------------------------------------------------------------
// Mock USDC
// ---------------------------------------------------------------------------

/// What the mock USDC does on transfers (adversarial modes for tests).
pub const USDC_NORMAL: u8 = 0;
/// Return `false` instead of moving tokens.
pub const USDC_RETURN_FALSE: u8 = 1;

#[storage]
pub struct MockUsdc {
    erc20: Erc20,
    mode: StorageU8,
    hook: Hook,
}

unsafe impl TopLevelStorage for MockUsdc {}

#[public]
impl MockUsdc {
    pub fn mint(&mut self, to: Address, amount: U256) -> Result<(), erc20::Error> {
        self.erc20._mint(to, amount)
    }

    pub fn set_mode(&mut self, mode: u8) {
        self.mode.set(alloy_primitives::U8::from(mode));
    }

    /// Adversarial: the next `transfer`/`transferFrom` first calls `target`
    /// with `data` (a re-entrant call into the pool), then moves the tokens.
    pub fn set_hook(&mut self, target: Address, data: Bytes) {
        self.hook.arm(target, &data);
    }

    /// What the hook did (`HOOK_*`).
    pub fn hook_result(&self) -> u8 {
        self.hook.result.get().to()
    }

    /// The revert data of the hook's call, if it failed.
    pub fn hook_revert(&self) -> Vec<u8> {
        self.hook.revert.get_bytes()
    }

    pub fn decimals(&self) -> u8 {
        6
    }

    pub fn total_supply(&self) -> U256 {
        self.erc20.total_supply()
    }

    pub fn balance_of(&self, account: Address) -> U256 {
        self.erc20.balance_of(account)
    }

    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.erc20.allowance(owner, spender)
    }

    pub fn approve(&mut self, spender: Address, value: U256) -> Result<bool, erc20::Error> {
        self.erc20.approve(spender, value)
    }

    pub fn transfer(&mut self, to: Address, value: U256) -> Result<bool, erc20::Error> {
        if self.mode.get().to::<u8>() == USDC_RETURN_FALSE {
            return Ok(false);
        }
        fire_hook!(self);
        self.erc20.transfer(to, value)
    }

    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, erc20::Error> {
        if self.mode.get().to::<u8>() == USDC_RETURN_FALSE {
            return Ok(false);
        }
        fire_hook!(self);
        self.erc20.transfer_from(from, to, value)
    }
}

// ---------------------------------------------------------------------------
// Mock Conditional Tokens
// ---------------------------------------------------------------------------

#[storage]
pub struct MockCtf {
    erc1155: Erc1155,
    usdc: StorageAddress,
    /// What each position id pays per share on redemption, in basis points
    /// of 1 USDC (10,000 for a plain win, less for a split payout).
    payout_bps: StorageMap<U256, StorageU256>,
}

unsafe impl TopLevelStorage for MockCtf {}

/// `getCollectionId` of Gnosis's `ConditionalTokens` (`CTHelpers.sol`,
/// v1.0.3) for a root collection (`parent = 0`, the only one the pool and
/// Polymarket use): `x = keccak256(condition ‖ indexSet)`, `odd` = its top
/// bit; `x` is incremented mod `P` (the alt_bn128 field) until `x³ + 3` is a
/// square; the id is `x` with bit 254 set when `odd`. (The point's `y` only
/// matters when adding a parent collection, which this does not support.)
/// The mocks use it too, so token ids are those of the real CTF; the
/// runtime e2e backend checks it against the real contract's answer.
pub fn collection_id(parent: B256, condition: B256, index_set: U256) -> B256 {
    assert_eq!(
        parent,
        B256::ZERO,
        "collection_id: only root collections (parent 0) are modelled"
    );
    let p = U256::from_str_radix(
        "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47",
        16,
    )
    .unwrap();
    let mut buf = Vec::new();
    buf.extend_from_slice(condition.as_slice());
    buf.extend_from_slice(&index_set.to_be_bytes::<32>());
    let mut x = U256::from_be_bytes(keccak256(buf).0);
    let odd = x.bit(255);
    let half = (p - U256::from(1)) >> 1;
    loop {
        x = x.add_mod(U256::from(1), p);
        let yy = x.mul_mod(x, p).mul_mod(x, p).add_mod(U256::from(3), p);
        // Euler's criterion: yy is a square iff yy^((p-1)/2) is 0 or 1.
        if yy.is_zero() || yy.pow_mod(half, p) == U256::from(1) {
            break;
        }
    }
    if odd {
        x ^= U256::from(1) << 254;
    }
    B256::from(x)
}

/// `getPositionId` of the CTF (and the mock): `uint256(keccak256(collateral ‖ collection))`.
pub fn position_id(collateral: Address, collection: B256) -> U256 {
    let mut buf = Vec::new();
    buf.extend_from_slice(collateral.as_slice());
    buf.extend_from_slice(collection.as_slice());
    U256::from_be_bytes(keccak256(buf).0)
}

#[public]
impl MockCtf {
    pub fn set_usdc(&mut self, usdc: Address) {
        self.usdc.set(usdc);
    }

    pub fn mint(&mut self, to: Address, id: U256, amount: U256) -> Result<(), erc1155::Error> {
        self.erc1155._mint(to, id, amount, &Bytes::from(Vec::new()))
    }

    pub fn balance_of(&self, account: Address, id: U256) -> U256 {
        self.erc1155.balance_of(account, id)
    }

    pub fn set_approval_for_all(
        &mut self,
        operator: Address,
        approved: bool,
    ) -> Result<(), erc1155::Error> {
        self.erc1155.set_approval_for_all(operator, approved)
    }

    pub fn safe_transfer_from(
        &mut self,
        from: Address,
        to: Address,
        id: U256,
        value: U256,
        data: Bytes,
    ) -> Result<(), erc1155::Error> {
        self.erc1155.safe_transfer_from(from, to, id, value, data)
    }

    pub fn safe_batch_transfer_from(
        &mut self,
        from: Address,
        to: Address,
        ids: Vec<U256>,
        values: Vec<U256>,
        data: Bytes,
    ) -> Result<(), erc1155::Error> {
        self.erc1155
            .safe_batch_transfer_from(from, to, ids, values, data)
    }

    pub fn get_collection_id(&self, parent: B256, condition: B256, index_set: U256) -> B256 {
        collection_id(parent, condition, index_set)
    }

    pub fn get_position_id(&self, collateral: Address, collection: B256) -> U256 {
        position_id(collateral, collection)
    }

    /// Test setup: the outcome `indexSet` of `condition` won.
    pub fn set_winner(&mut self, condition: B256, index_set: U256) {
        self.set_payout(condition, index_set, U256::from(10_000));
    }

    /// Test setup: the outcome `indexSet` of `condition` pays `bps` / 10,000
    /// USDC per share (Polymarket's 50/50 resolutions pay 5,000).
    pub fn set_payout(&mut self, condition: B256, index_set: U256, bps: U256) {
        let id = position_id(
            self.usdc.get(),
            collection_id(B256::ZERO, condition, index_set),
        );
        self.payout_bps.setter(id).set(bps);
    }

    /// Burns the caller's shares of each position and pays its payout
    /// (1 USDC a share for a plain win, rounded down) from the mock's own USDC.
    pub fn redeem_positions(
        &mut self,
        collateral: Address,
        parent: B256,
        condition: B256,
        index_sets: Vec<U256>,
    ) -> Result<(), Vec<u8>> {
        let sender = self.vm().msg_sender();
        let mut payout = U256::ZERO;
        for index_set in index_sets {
            let id = position_id(collateral, collection_id(parent, condition, index_set));
            let bal = self.erc1155.balance_of(sender, id);
            self.erc1155._burn(sender, id, bal)?;
            payout += bal * self.payout_bps.get(id) / U256::from(10_000);
        }
        if !payout.is_zero() {
            let call = IPool::transferCall {
                to: sender,
                value: payout,
            };
            self.vm()
                .call(&Call::new(), self.usdc.get(), &call.abi_encode())
                .map_err(|_| Vec::<u8>::new())?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Mock smart-contract wallet (EIP-1271)
// ---------------------------------------------------------------------------

/// What the wallet answers to `isValidSignature`.
pub const WALLET_MAGIC: u8 = 0;
/// Answer `0xffffffff`.
pub const WALLET_WRONG: u8 = 1;
/// Revert.
pub const WALLET_REVERT: u8 = 2;
/// Return no data at all (a non-ABI wallet).
pub const WALLET_EMPTY: u8 = 3;
/// Return only the first 4 bytes of the honest answer (a bare `bytes4`,
/// not padded to a word).
pub const WALLET_SHORT4: u8 = 4;
/// Return the first 31 bytes of the honest answer (one byte short of a word).
pub const WALLET_SHORT31: u8 = 5;
/// Return 64 bytes: the honest answer's word followed by a word of `0xff`.
pub const WALLET_LONG64: u8 = 6;

/// `isValidSignature(bytes32,bytes)`.
pub const IS_VALID_SIGNATURE: [u8; 4] = [0x16, 0x26, 0xba, 0x7e];

#[storage]
pub struct MockWallet {
    owner: StorageAddress,
    mode: StorageU8,
    hook: Hook,
}

unsafe impl TopLevelStorage for MockWallet {}

#[public]
impl MockWallet {
    pub fn set_owner(&mut self, owner: Address) {
        self.owner.set(owner);
    }

    pub fn set_mode(&mut self, mode: u8) {
        self.mode.set(alloy_primitives::U8::from(mode));
    }

    /// Adversarial: the next `onERC1155Received` first calls `target` with
    /// `data` (e.g. re-enters the pool that is sending it shares).
    pub fn set_hook(&mut self, target: Address, data: Bytes) {
        self.hook.arm(target, &data);
    }

    /// What the hook did (`HOOK_*`).
    pub fn hook_result(&self) -> u8 {
        self.hook.result.get().to()
    }

    /// The revert data of the hook's call, if it failed.
    pub fn hook_revert(&self) -> Vec<u8> {
        self.hook.revert.get_bytes()
    }

    /// Calls `target` with `data` as this wallet (a contract borrower acting).
    pub fn exec(&mut self, target: Address, data: Bytes) -> Result<Vec<u8>, Vec<u8>> {
        self.vm()
            .call(&Call::new(), target, &data)
            .map_err(Vec::<u8>::from)
    }

    /// EIP-1271 `isValidSignature(bytes32 hash, bytes signature)`, routed
    /// through the fallback so the raw return data can be shaped by the mode.
    /// The honest answer is the word `0x1626ba7e ‖ 0…` if the owner's ECDSA
    /// signature of `hash` is given, else a zero word (revert with empty
    /// data if the signature cannot parse). Modes: `WALLET_MAGIC` that word
    /// (ABI `bytes4`), `WALLET_WRONG` `0xffffffff`, `WALLET_REVERT` revert
    /// `"no"`, `WALLET_EMPTY` no data, `WALLET_SHORT4` / `WALLET_SHORT31` its
    /// first 4 / 31 bytes, `WALLET_LONG64` the word then a word of `0xff`.
    #[fallback]
    fn fallback(&mut self, calldata: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
        if calldata.len() < 4 || calldata[..4] != IS_VALID_SIGNATURE {
            return Err(b"unknown selector".to_vec());
        }
        let (hash, signature) =
            <(B256, alloy_primitives::Bytes) as alloy_sol_types::SolValue>::abi_decode_params(
                &calldata[4..],
                true,
            )
            .map_err(|_| Vec::<u8>::new())?;
        let mode = self.mode.get().to::<u8>();
        let mut word = [0u8; 32];
        match mode {
            WALLET_REVERT => return Err(b"no".to_vec()),
            WALLET_WRONG => word[..4].copy_from_slice(&[0xff; 4]),
            _ => {
                let sig = alloy_primitives::PrimitiveSignature::try_from(&signature[..])
                    .map_err(|_| Vec::<u8>::new())?;
                if matches!(sig.recover_address_from_prehash(&hash), Ok(a) if a == self.owner.get())
                {
                    word[..4].copy_from_slice(&IS_VALID_SIGNATURE);
                }
            }
        }
        Ok(match mode {
            WALLET_EMPTY => Vec::new(),
            WALLET_SHORT4 => word[..4].to_vec(),
            WALLET_SHORT31 => word[..31].to_vec(),
            WALLET_LONG64 => [word, [0xff; 32]].concat(),
            _ => word.to_vec(),
        })
    }

    #[selector(name = "onERC1155Received")]
    pub fn on_erc1155_received(
        &mut self,
        _operator: Address,
        _from: Address,
        _id: U256,
        _value: U256,
        _data: Bytes,
    ) -> alloy_primitives::FixedBytes<4> {
        fire_hook!(self);
        alloy_primitives::FixedBytes([0xf2, 0x3a, 0x6e, 0x61])
    }
}

// ---------------------------------------------------------------------------
// Signing
// ---------------------------------------------------------------------------

/// Signs `digest` with `signer`, as `r ‖ s ‖ v` (v = 27/28).
pub fn sign(signer: &Account, digest: B256) -> Vec<u8> {
    signer
        .signer()
        .sign_hash_sync(&digest)
        .expect("sign")
        .as_bytes()
        .to_vec()
}

/// The same signature with `s` replaced by `n - s` and `v` flipped: the
/// malleable twin `ecrecover` also accepts.
pub fn high_s_twin(sig65: &[u8]) -> Vec<u8> {
    let n = U256::from_be_bytes(alloy_primitives::hex!(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141"
    ));
    let s = U256::from_be_slice(&sig65[32..64]);
    let mut out = sig65.to_vec();
    out[32..64].copy_from_slice(&(n - s).to_be_bytes::<32>());
    out[64] = if sig65[64] == 27 { 28 } else { 27 };
    out
}

// ---------------------------------------------------------------------------
// World
// ---------------------------------------------------------------------------

/// The token id used by most tests (any id works: the pool has no whitelist).
pub fn token() -> U256 {
    U256::from(42)
}

/// Everything a test needs: the pool, its tokens, and the role holders.
pub struct World<'a> {
    pub pool: &'a Contract<LendingPool>,
    pub usdc: &'a Contract<MockUsdc>,
    pub ctf: &'a Contract<MockCtf>,
    pub admin: Address,
    pub oracle: Account,
    pub relayer: Address,
}

impl<'a> World<'a> {
    /// Deploys (constructs) the pool with fresh roles; resets the clock.
    pub fn new(
        pool: &'a Contract<LendingPool>,
        usdc: &'a Contract<MockUsdc>,
        ctf: &'a Contract<MockCtf>,
    ) -> Self {
        Self::with_oracle(pool, usdc, ctf, Account::from_seed("oracle"))
    }

    /// As `new`, with a given oracle key.
    pub fn with_oracle(
        pool: &'a Contract<LendingPool>,
        usdc: &'a Contract<MockUsdc>,
        ctf: &'a Contract<MockCtf>,
        oracle: Account,
    ) -> Self {
        clock::reset();
        let admin = Address::with_last_byte(0xad);
        let relayer = Address::with_last_byte(0xee);
        ctf.sender(admin).set_usdc(usdc.address());
        pool.sender(admin)
            .constructor(
                admin,
                usdc.address(),
                ctf.address(),
                oracle.address(),
                relayer,
            )
            .motsu_unwrap();
        World {
            pool,
            usdc,
            ctf,
            admin,
            oracle,
            relayer,
        }
    }

    pub fn now(&self) -> u64 {
        self.pool.sender(self.admin).now()
    }

    /// Mints `amount` USDC to `who` and approves the pool.
    pub fn fund(&self, who: Address, amount: u128) {
        self.usdc.sender(who).mint(who, w(amount)).motsu_unwrap();
        self.usdc
            .sender(who)
            .approve(self.pool.address(), U256::MAX)
            .motsu_unwrap();
    }

    /// Sets the pool cap through the timelock (delay 0 in tests unless set).
    pub fn set_cap(&self, bps: u64) {
        self.pool
            .sender(self.admin)
            .propose_change(2, U256::from(bps))
            .motsu_unwrap();
        self.pool
            .sender(self.admin)
            .execute_change(2)
            .motsu_unwrap();
    }

    /// `who` deposits `amount` USDC as a lender.
    pub fn lend(&self, who: Address, amount: u128) -> u128 {
        self.fund(who, amount);
        self.pool.sender(who).deposit(amount, who).motsu_unwrap()
    }

    /// Mints `amount` shares of `id` to `who` and pushes them to the pool.
    pub fn collateral(&self, who: Address, id: U256, amount: u128) {
        self.ctf.sender(who).mint(who, id, w(amount)).motsu_unwrap();
        self.ctf
            .sender(who)
            .safe_transfer_from(
                who,
                self.pool.address(),
                id,
                w(amount),
                Bytes::from(Vec::new()),
            )
            .motsu_unwrap();
    }

    pub fn usdc_of(&self, who: Address) -> u128 {
        self.usdc.sender(who).balance_of(who).to()
    }

    pub fn ctf_of(&self, who: Address, id: U256) -> u128 {
        self.ctf.sender(who).balance_of(who, id).to()
    }

    pub fn domain(&self) -> B256 {
        self.pool.sender(self.admin).domain_separator()
    }

    /// The oracle's price signature (fresh `ts`), for `token_id`.
    pub fn price_sig(&self, token_id: U256, price: u128, ts: u64, max_borrow: U256) -> Vec<u8> {
        let h = sig::price_data_hash(token_id, w(price), U256::from(ts), max_borrow);
        sign(&self.oracle, sig::digest(self.domain(), h))
    }

    pub fn borrow_sig(
        &self,
        borrower: &Account,
        token_id: U256,
        amount: u128,
        nonce: u128,
        deadline: u64,
    ) -> Vec<u8> {
        let h = sig::borrow_intent_hash(
            borrower.address(),
            token_id,
            w(amount),
            w(nonce),
            U256::from(deadline),
        );
        sign(borrower, sig::digest(self.domain(), h))
    }

    pub fn withdraw_sig(
        &self,
        borrower: &Account,
        to: Address,
        token_id: U256,
        amount: u128,
        nonce: u128,
        deadline: u64,
    ) -> Vec<u8> {
        let h = sig::withdraw_intent_hash(
            borrower.address(),
            to,
            token_id,
            w(amount),
            w(nonce),
            U256::from(deadline),
        );
        sign(borrower, sig::digest(self.domain(), h))
    }

    pub fn resolution_sig(&self, token_id: U256, won: bool, ts: u64) -> Vec<u8> {
        let h = sig::resolution_hash(token_id, won, U256::from(ts));
        sign(&self.oracle, sig::digest(self.domain(), h))
    }

    /// The oracle's `MarketSchedule` signature.
    pub fn schedule_sig(&self, token_id: U256, end_time: u64, ts: u64) -> Vec<u8> {
        let h = sig::market_schedule_hash(token_id, U256::from(end_time), U256::from(ts));
        sign(&self.oracle, sig::digest(self.domain(), h))
    }

    /// Schedules `id` to end at `end_time`, signed now (anyone submits).
    pub fn schedule(&self, id: U256, end_time: u64) -> Result<(), predmart_pool::errors::Error> {
        let now = self.now();
        let s = self.schedule_sig(id, end_time, now);
        self.pool
            .sender(self.admin)
            .schedule_market(id, U256::from(end_time), U256::from(now), &s)
            .motsu_res()
    }

    /// `startAuction` for `borrower` at `price` signed now.
    pub fn auction(
        &self,
        caller: Address,
        borrower: Address,
        id: U256,
        price: u128,
    ) -> Result<u64, predmart_pool::errors::Error> {
        let now = self.now();
        let psig = self.price_sig(id, price, now, U256::ZERO);
        self.pool
            .sender(caller)
            .start_auction(borrower, id, w(price), U256::from(now), U256::ZERO, &psig)
            .motsu_res()
    }

    /// Relays a borrow signed now, at `price`, with no depth cap.
    pub fn borrow(
        &self,
        borrower: &Account,
        id: U256,
        amount: u128,
        price: u128,
    ) -> Result<(), predmart_pool::errors::Error> {
        self.relay_borrow(self.relayer, &self.oracle, borrower, id, amount, price)
            .motsu_res()
    }

    /// A borrow signed now, priced by `oracle`, submitted by `relayer`.
    /// Not reverted on error: wrap in `assert_fails!` or call `.motsu_res()`.
    pub fn relay_borrow(
        &self,
        relayer: Address,
        oracle: &Account,
        borrower: &Account,
        id: U256,
        amount: u128,
        price: u128,
    ) -> Result<(), predmart_pool::errors::Error> {
        let now = self.now();
        let nonce = self.pool.sender(self.admin).nonces(borrower.address());
        let intent = self.borrow_sig(borrower, id, amount, nonce, now + 300);
        let h = sig::price_data_hash(id, w(price), U256::from(now), U256::MAX);
        let psig = sign(oracle, sig::digest(self.domain(), h));
        self.pool.sender(relayer).borrow_via_relay(
            borrower.address(),
            id,
            w(amount),
            w(nonce),
            U256::from(now + 300),
            &intent,
            w(price),
            U256::from(now),
            U256::MAX,
            &psig,
        )
    }

    /// Relays a collateral withdrawal signed now, at `price`.
    pub fn withdraw_collateral(
        &self,
        borrower: &Account,
        to: Address,
        id: U256,
        amount: u128,
        price: u128,
    ) -> Result<(), predmart_pool::errors::Error> {
        let now = self.now();
        let nonce = self.pool.sender(self.admin).nonces(borrower.address());
        let intent = self.withdraw_sig(borrower, to, id, amount, nonce, now + 300);
        let psig = self.price_sig(id, price, now, U256::ZERO);
        self.pool
            .sender(self.relayer)
            .withdraw_via_relay(
                borrower.address(),
                to,
                id,
                w(amount),
                w(nonce),
                U256::from(now + 300),
                &intent,
                w(price),
                U256::from(now),
                &psig,
            )
            .motsu_res()
    }

    /// Liquidates at `price` signed now.
    pub fn liquidate(
        &self,
        liquidator: Address,
        borrower: Address,
        id: U256,
        repay: u128,
        price: u128,
    ) -> Result<u128, predmart_pool::errors::Error> {
        let now = self.now();
        let psig = self.price_sig(id, price, now, U256::ZERO);
        self.pool
            .sender(liquidator)
            .liquidate(
                borrower,
                id,
                repay,
                w(price),
                U256::from(now),
                U256::ZERO,
                &psig,
            )
            .motsu_res()
    }

    /// Calls the pool through its ABI dispatcher with `calldata`, as `from`.
    pub fn raw_call(&self, from: Address, calldata: &[u8]) -> Result<Vec<u8>, Vec<u8>> {
        let sel = u32::from_be_bytes(calldata[..4].try_into().unwrap());
        let mut p = self.pool.sender(from);
        predmart_pool::dispatch::dispatch(&mut *p, sel, &calldata[4..])
            .expect("known selector")
            .motsu_res()
    }

    /// An ABI call through the dispatcher, decoded with the interface.
    pub fn abi<C: SolCall>(&self, from: Address, call: C) -> Result<C::Return, Vec<u8>> {
        let out = self.raw_call(from, &call.abi_encode())?;
        Ok(C::abi_decode_returns(&out, true).expect("decodes as the interface says"))
    }

    /// A snapshot of everything a failed call must leave unchanged.
    pub fn snapshot(&self, who: &[Address], id: U256) -> Snapshot {
        let p = self.pool.sender(self.admin);
        let m = p.market().unwrap();
        Snapshot {
            market: (m.cash, m.borrowed, m.borrow_shares, m.reserves),
            supply: p.total_supply(),
            per_account: who
                .iter()
                .map(|a| {
                    (
                        p.balance_of(*a),
                        p.nonces(*a),
                        p.get_position(*a, id).unwrap(),
                        self.usdc_of(*a),
                        self.ctf_of(*a, id),
                        p.auction_start(*a, id),
                    )
                })
                .collect(),
            pool_usdc: self.usdc_of(self.pool.address()),
            pool_ctf: self.ctf_of(self.pool.address(), id),
            token: (
                p.token_debt(id).unwrap(),
                p.token_collateral(id),
                p.last_price_timestamp(id),
                p.market_end_time(id),
            ),
        }
    }
}

/// State compared before and after a call that must change nothing.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub market: (u128, u128, u128, u128),
    pub supply: u128,
    pub per_account: Vec<(u128, u128, (u128, u128, u128), u128, u128, u64)>,
    pub pool_usdc: u128,
    pub pool_ctf: u128,
    pub token: (u128, u128, u64, u64),
}

/// Whether the positions' debts (`sum` over `n` positions with borrow
/// shares) add up to the pool's `borrowed` within the virtual-share
/// rounding: each debt is `ceil(s_i (B + 1) / (S + 1e6))`, so with
/// `V = S + 1e6`, `S (B + 1) <= sum·V < S (B + 1) + n·V`; without borrow
/// shares nothing is owed or booked.
pub fn debts_add_up(m: &predmart_pool::interest::Market, sum: u128, n: u128) -> bool {
    if m.borrow_shares == 0 {
        return sum == 0 && n == 0 && m.borrowed == 0;
    }
    let v = U256::from(m.borrow_shares + 1_000_000);
    let exact = U256::from(m.borrow_shares) * U256::from(m.borrowed + 1);
    let s = U256::from(sum) * v;
    s >= exact && s < exact + U256::from(n) * v
}

/// Moves the pool's clock forward.
pub fn advance(seconds: u64) {
    clock::advance(seconds);
}

/// Asserts that `$call` (a `Result` from a pool method) fails with exactly
/// `$err` and leaves balances, positions, nonces and totals untouched.
#[macro_export]
macro_rules! assert_fails {
    ($world:expr, $who:expr, $id:expr, $call:expr, $err:expr) => {{
        let before = $world.snapshot(&$who, $id);
        let got = $call.motsu_res();
        assert_eq!(got.err(), Some($err), "expected {:?}", $err);
        assert_eq!(
            $world.snapshot(&$who, $id),
            before,
            "state changed on {:?}",
            $err
        );
    }};
}
