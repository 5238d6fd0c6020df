//! PredMart lending pool: lend USDC against prediction-market outcome shares,
//! as one Arbitrum Stylus contract.
//!
//! Lenders deposit USDC into an ERC-4626 vault (pUSDC). Holders of
//! Conditional Tokens (ERC-1155) push them to the pool as collateral and
//! borrow USDC through EIP-712 intents that a relayer submits with an
//! oracle-signed price. Unhealthy positions are liquidated by anyone;
//! resolved markets are closed or redeemed and settled.
//!
//! The money rules live in pure modules with no host calls, each the one
//! place for its concern:
//!
//! | module | rules |
//! | --- | --- |
//! | [`math`] | `mul_div` with explicit rounding, WAD |
//! | [`vault`] | pUSDC share math, `totalAssets` |
//! | [`interest`] | kinked rate, accrual, borrow shares, [`interest::Market`] totals |
//! | [`risk`] | LTV curve, liquidation threshold, health factor, liquidation price |
//! | [`positions`] | oracle price validity, borrow and withdraw checks, pool cap |
//! | [`signatures`] | EIP-712 domain and struct hashes, signature parsing |
//! | [`liquidation`] | close factor, bonus (fixed or given), underwater path, bad debt, dust |
//! | [`schedule`] | closing window, threshold decay before the event, `MarketSchedule` acceptance |
//! | [`guard`] | price-drop guard: 3-minute high, 35% and $0.08 refusal |
//! | [`auction`] | two-stage liquidation: auction threshold, rising bonus, terms |
//! | [`resolution`] | resolution age, pro-rata settlement |
//! | [`governance`] | timelock ratchet, readiness, pool-cap raises |
//! | [`errors`], [`events`] | the ABI's custom errors and events |
//! | [`clock`] | the one place time is read |
//! | [`host`] | the one place the host is called (raw hostio on `wasm32`) |
//!
//! The shell: [`pool`] is the contract (load, call the core, store,
//! transfer, emit), [`store`] its storage layout, [`dispatch`] and [`abi`]
//! the hand-written ABI router for `abi/IPredMartPool.sol`.

#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]
#![warn(missing_docs)]
extern crate alloc;

pub mod abi;
pub mod auction;
pub mod clock;
pub mod dispatch;
pub mod errors;
pub mod events;
pub mod governance;
pub mod guard;
pub mod host;
pub mod interest;
pub mod liquidation;
pub mod math;
pub mod pool;
pub mod positions;
pub mod resolution;
pub mod risk;
pub mod schedule;
pub mod signatures;
pub mod store;
pub mod vault;

pub use pool::*;

/// The Solidity interface the contract implements (`abi/IPredMartPool.sol`).
pub const INTERFACE: &str = include_str!("../abi/IPredMartPool.sol");
