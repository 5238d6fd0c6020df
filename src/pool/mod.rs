//! The `LendingPool` contract: the thin shell around the pure modules, one
//! file per concern (each an `impl LendingPool` block):
//!
//! | file | concern |
//! | --- | --- |
//! | `storage` | raw slot access (layout in [`crate::store`]) and logs |
//! | `erc20`, `erc4626` | pUSDC and the vault |
//! | `accrual` | interest accrual, market totals |
//! | `risk_views` | curve, positions, health views, caps |
//! | `getters` | roles, flags, raw state getters |
//! | `collateral` | shares in (ERC-1155 hooks) and out |
//! | `borrow` | what happens on a borrow: relayed borrow and withdrawal |
//! | `repay`, `liquidate`, `resolve` | repayment, liquidation, resolution |
//! | `admin` | governance |
//! | `books`, `checks`, `calls` | shared book-keeping, checks, external calls |
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
use stylus_sdk::prelude::*;

use crate::{
    abi::{aw, calldata, push_bytes},
    auction, clock,
    errors::Error,
    events::*,
    fail,
    governance::{self, change},
    guard::Guard,
    interest::{self, Market},
    liquidation,
    math::{add, mul_div, sub, Rounding, WAD},
    positions::{self, Borrow, CapWindow},
    resolution::{self, status},
    risk::{Curve, ANCHORS, BORROW_HAIRCUT},
    schedule, signatures as sig,
    store::{halves, join, m, map, map2, s, Field},
    vault,
};

mod accrual;
mod admin;
mod books;
mod borrow;
mod calls;
mod checks;
mod collateral;
mod erc20;
mod erc4626;
mod getters;
mod liquidate;
mod repay;
mod resolve;
mod risk_views;
mod storage;

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
            (s::ADMIN.slot, admin),
            (s::USDC.slot, usdc),
            (s::CTF.slot, ctf),
            (s::ORACLE.slot, oracle),
            (s::RELAYER.slot, relayer),
        ];
        for (f, a) in roles {
            nonzero(a)?;
            self.save(U256::from(f), aw(a));
        }
        self.set(s::POOL_CAP, DEFAULT_POOL_CAP_BPS);
        self.store_curve(&Curve::default(), s::ANCHORS);
        self.set(s::LAST_ACCRUAL, self.now() as u128);
        let (high, low) = CapWindow::fresh(self.now()).pack();
        self.save(U256::from(s::CAP_CHECKPOINT.slot), join(high, low));
        Ok(())
    }
}
