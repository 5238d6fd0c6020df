//! ABI dispatch: selector → decode → call the pool → encode.
//!
//! Hand-written instead of the SDK's `#[public]` router so the contract fits
//! in 24 KiB. The Solidity interface it implements is `abi/IPredMartPool.sol`;
//! tests call every function through [`dispatch`] with calldata encoded from
//! that file, so the two cannot drift apart.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};
use stylus_sdk::{abi::Router, prelude::*, ArbResult};

use crate::{
    abi::{self, aw, push_array, words, Args},
    fail,
    governance::change,
    interest,
    math::Rounding,
    pool::{LendingPool, Res, ON_ERC1155_BATCH_RECEIVED, ON_ERC1155_RECEIVED},
    signatures as sig,
    store::s,
    vault,
};

const fn sel(sig: &str) -> u32 {
    let h = stylus_sdk::keccak_const::Keccak256::new().update(sig.as_bytes()).finalize();
    u32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

macro_rules! functions {
    ($($c:ident = $sig:literal;)*) => {
        $(const $c: u32 = sel($sig);)*
        /// Every function the contract answers, as Solidity signatures.
        pub const FUNCTIONS: &[&str] = &[$($sig),*];
        /// Their selectors, in the same order.
        pub const SELECTORS: &[u32] = &[$($c),*];
    };
}

functions! {
    NAME = "name()";
    SYMBOL = "symbol()";
    DECIMALS = "decimals()";
    TOTAL_SUPPLY = "totalSupply()";
    BALANCE_OF = "balanceOf(address)";
    TRANSFER = "transfer(address,uint256)";
    TRANSFER_FROM = "transferFrom(address,address,uint256)";
    APPROVE = "approve(address,uint256)";
    ALLOWANCE = "allowance(address,address)";
    ASSET = "asset()";
    TOTAL_ASSETS = "totalAssets()";
    CONVERT_TO_SHARES = "convertToShares(uint256)";
    CONVERT_TO_ASSETS = "convertToAssets(uint256)";
    MAX_DEPOSIT = "maxDeposit(address)";
    PREVIEW_DEPOSIT = "previewDeposit(uint256)";
    DEPOSIT = "deposit(uint256,address)";
    MAX_MINT = "maxMint(address)";
    PREVIEW_MINT = "previewMint(uint256)";
    MINT = "mint(uint256,address)";
    MAX_WITHDRAW = "maxWithdraw(address)";
    PREVIEW_WITHDRAW = "previewWithdraw(uint256)";
    WITHDRAW = "withdraw(uint256,address,address)";
    MAX_REDEEM = "maxRedeem(address)";
    PREVIEW_REDEEM = "previewRedeem(uint256)";
    REDEEM = "redeem(uint256,address,address)";
    ACCRUE_INTEREST = "accrueInterest()";
    GET_UTILIZATION = "getUtilization()";
    GET_BORROW_RATE = "getBorrowRate()";
    GET_SUPPLY_RATE = "getSupplyRate()";
    TOTAL_BORROW_ASSETS = "totalBorrowAssets()";
    TOTAL_BORROW_SHARES = "totalBorrowShares()";
    RESERVES = "reserves()";
    CASH = "cash()";
    GET_LTV = "getLtv(uint256)";
    GET_LIQUIDATION_THRESHOLD = "getLiquidationThreshold(uint256)";
    GET_HEALTH_FACTOR = "getHealthFactor(address,uint256,uint256)";
    GET_POSITION = "getPosition(address,uint256)";
    MAX_BORROW = "maxBorrow(address,uint256,uint256)";
    LIQUIDATION_PRICE = "liquidationPrice(address,uint256)";
    TOKEN_DEBT = "tokenDebt(uint256)";
    TOKEN_BORROW_CAP = "tokenBorrowCap()";
    TOKEN_COLLATERAL = "tokenCollateral(uint256)";
    ANCHORS = "anchors()";
    NONCES = "nonces(address)";
    DOMAIN_SEPARATOR = "DOMAIN_SEPARATOR()";
    EIP712_DOMAIN = "eip712Domain()";
    LAST_PRICE_TIMESTAMP = "lastPriceTimestamp(uint256)";
    ADMIN = "admin()";
    PENDING_ADMIN = "pendingAdmin()";
    ORACLE = "oracle()";
    RELAYER = "relayer()";
    CTF = "ctf()";
    PAUSED = "paused()";
    IS_FROZEN = "isFrozen(uint256)";
    MARKET_STATUS = "marketStatus(uint256)";
    REDEMPTION = "redemption(uint256)";
    POOL_CAP_BPS = "poolCapBps()";
    TIMELOCK_DELAY = "timelockDelay()";
    PENDING_CHANGE = "pendingChange(uint8)";
    PENDING_ANCHORS = "pendingAnchors()";
    SUPPORTS_INTERFACE = "supportsInterface(bytes4)";
    ON_RECEIVED = "onERC1155Received(address,address,uint256,uint256,bytes)";
    ON_BATCH_RECEIVED = "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)";
    WITHDRAW_COLLATERAL = "withdrawCollateral(uint256,uint256,address)";
    BORROW_VIA_RELAY = "borrowViaRelay(address,uint256,uint256,uint256,uint256,bytes,uint256,uint256,uint256,bytes)";
    WITHDRAW_VIA_RELAY = "withdrawViaRelay(address,address,uint256,uint256,uint256,uint256,bytes,uint256,uint256,bytes)";
    REPAY = "repay(uint256,uint256)";
    REPAY_FOR = "repayFor(address,uint256,uint256)";
    LIQUIDATE = "liquidate(address,uint256,uint256,uint256,uint256,uint256,bytes)";
    RESOLVE_MARKET = "resolveMarket(uint256,bool,uint256,bytes)";
    CLOSE_LOST_POSITION = "closeLostPosition(address,uint256)";
    REDEEM_WON_COLLATERAL = "redeemWonCollateral(uint256,bytes32,uint256)";
    SETTLE_REDEMPTION = "settleRedemption(address,uint256)";
    TRANSFER_ADMIN = "transferAdmin(address)";
    ACCEPT_ADMIN = "acceptAdmin()";
    ACTIVATE_TIMELOCK = "activateTimelock(uint256)";
    PROPOSE_ANCHORS = "proposeAnchors(uint256[],uint256[])";
    EXECUTE_ANCHORS = "executeAnchors()";
    CANCEL_ANCHORS = "cancelAnchors()";
    PROPOSE_ORACLE = "proposeOracle(address)";
    EXECUTE_ORACLE = "executeOracle()";
    CANCEL_ORACLE = "cancelOracle()";
    PROPOSE_RELAYER = "proposeRelayer(address)";
    EXECUTE_RELAYER = "executeRelayer()";
    CANCEL_RELAYER = "cancelRelayer()";
    PROPOSE_POOL_CAP = "proposePoolCap(uint256)";
    EXECUTE_POOL_CAP = "executePoolCap()";
    CANCEL_POOL_CAP = "cancelPoolCap()";
    SET_POOL_CAP = "setPoolCap(uint256)";
    PAUSE = "pause()";
    UNPAUSE = "unpause()";
    SET_TOKEN_FROZEN = "setTokenFrozen(uint256,bool)";
    WITHDRAW_RESERVES = "withdrawReserves(address,uint256)";
    SWEEP = "sweep(address)";
}

/// The constructor's Solidity signature (what `cargo stylus` deploys with).
pub const CONSTRUCTOR: &str =
    "constructor(address admin, address usdc, address ctf, address oracle, address relayer)";

/// ERC-165 interface ids the contract reports: ERC-165, ERC-1155 receiver,
/// ERC-20, ERC-5267.
pub const INTERFACES: [[u8; 4]; 4] =
    [[0x01, 0xff, 0xc9, 0xa7], [0x4e, 0x23, 0x12, 0xe0], [0x36, 0x37, 0x2b, 0x07], [0x84, 0xb0, 0x19, 0x6e]];

fn one(v: U256) -> Vec<u8> {
    words(&[v])
}

fn addr(a: Address) -> Vec<u8> {
    one(aw(a))
}

fn flag(b: bool) -> Vec<u8> {
    one(U256::from(b as u8))
}

fn unit(r: Res<()>) -> Res<Vec<u8>> {
    r.map(|_| Vec::new())
}

fn selector_word(s: [u8; 4]) -> Vec<u8> {
    let mut w = [0u8; 32];
    w[..4].copy_from_slice(&s);
    w.to_vec()
}

/// Two `uint256[]` (and optional trailing words) as ABI return data.
fn curve_data(prices: &[U256], ltvs: &[U256], tail: &[U256]) -> Vec<u8> {
    let head = 32 * (2 + tail.len());
    let mut out = words(&[U256::from(head), U256::from(head + 32 * (prices.len() + 1))]);
    out.extend_from_slice(&words(tail));
    push_array(&mut out, prices);
    push_array(&mut out, ltvs);
    out
}

/// Runs the function `selector` with ABI `input` (after the selector).
/// `None` for an unknown selector.
pub fn dispatch(p: &mut LendingPool, selector: u32, input: &[u8]) -> Option<ArbResult> {
    if !SELECTORS.contains(&selector) {
        return None;
    }
    Some(call(p, selector, &Args(input)).map_err(Vec::from))
}

fn call(p: &mut LendingPool, selector: u32, a: &Args) -> Res<Vec<u8>> {
    if !p.vm().msg_value().is_zero() {
        return Err(fail!(NotPayable));
    }
    let sender = p.vm().msg_sender();
    Ok(match selector {
        NAME => abi::string("PredMart USDC"),
        SYMBOL => abi::string("pUSDC"),
        DECIMALS => one(U256::from(vault::DECIMALS)),
        TOTAL_SUPPLY => one(p.total_supply()),
        BALANCE_OF => one(p.balance_of(a.addr(0)?)),
        TRANSFER => flag(p.transfer(a.addr(0)?, a.word(1)?)?),
        TRANSFER_FROM => flag(p.transfer_from(a.addr(0)?, a.addr(1)?, a.word(2)?)?),
        APPROVE => flag(p.approve(a.addr(0)?, a.word(1)?)?),
        ALLOWANCE => one(p.allowance(a.addr(0)?, a.addr(1)?)),
        ASSET => addr(p.asset()),
        TOTAL_ASSETS => one(p.total_assets()?),
        CONVERT_TO_SHARES | PREVIEW_DEPOSIT => one(p.shares_for(a.word(0)?, Rounding::Down)?),
        CONVERT_TO_ASSETS | PREVIEW_REDEEM => one(p.assets_for(a.word(0)?, Rounding::Down)?),
        PREVIEW_MINT => one(p.assets_for(a.word(0)?, Rounding::Up)?),
        PREVIEW_WITHDRAW => one(p.shares_for(a.word(0)?, Rounding::Up)?),
        MAX_DEPOSIT | MAX_MINT => {
            a.addr(0)?;
            one(p.max_deposit())
        }
        DEPOSIT => one(p.deposit(a.word(0)?, a.addr(1)?)?),
        MINT => one(p.mint(a.word(0)?, a.addr(1)?)?),
        MAX_WITHDRAW => one(p.max_withdraw(a.addr(0)?)?),
        WITHDRAW => one(p.withdraw(a.word(0)?, a.addr(1)?, a.addr(2)?)?),
        MAX_REDEEM => one(p.max_redeem(a.addr(0)?)?),
        REDEEM => one(p.redeem(a.word(0)?, a.addr(1)?, a.addr(2)?)?),
        ACCRUE_INTEREST => unit(p.accrue().map(|_| ()))?,
        GET_UTILIZATION => one(p.market()?.utilization()?),
        GET_BORROW_RATE => one(interest::borrow_rate(p.market()?.utilization()?)?),
        GET_SUPPLY_RATE => one(interest::supply_rate(p.market()?.utilization()?)?),
        TOTAL_BORROW_ASSETS => one(p.market()?.borrowed),
        TOTAL_BORROW_SHARES => one(p.setting(s::BORROW_SHARES)),
        RESERVES => one(p.market()?.reserves),
        CASH => one(p.setting(s::CASH)),
        GET_LTV => one(p.curve().ltv(a.word(0)?)),
        GET_LIQUIDATION_THRESHOLD => one(p.curve().liquidation_threshold(a.word(0)?)),
        GET_HEALTH_FACTOR => one(p.get_health_factor(a.addr(0)?, a.word(1)?, a.word(2)?)?),
        GET_POSITION => {
            let (c, sh, d) = p.get_position(a.addr(0)?, a.word(1)?)?;
            words(&[c, sh, d])
        }
        MAX_BORROW => one(p.max_borrow(a.addr(0)?, a.word(1)?, a.word(2)?)?),
        LIQUIDATION_PRICE => one(p.liquidation_price(a.addr(0)?, a.word(1)?)?),
        TOKEN_DEBT => one(p.token_debt(a.word(0)?)?),
        TOKEN_BORROW_CAP => one(p.token_borrow_cap()?),
        TOKEN_COLLATERAL => one(p.token_collateral(a.word(0)?)),
        ANCHORS => {
            let c = p.curve();
            curve_data(&c.prices, &c.ltvs, &[])
        }
        NONCES => one(p.nonces(a.addr(0)?)),
        DOMAIN_SEPARATOR => p.domain_separator().to_vec(),
        EIP712_DOMAIN => {
            // (bytes1 fields, string name, string version, uint256 chainId,
            //  address verifyingContract, bytes32 salt, uint256[] extensions)
            let mut fields = [0u8; 32];
            fields[0] = 0x0f;
            let mut out = fields.to_vec();
            let id = U256::from(p.vm().chain_id());
            let this = aw(p.vm().contract_address());
            out.extend_from_slice(&words(&[U256::from(224), U256::from(288), id, this, U256::ZERO, U256::from(352)]));
            abi::push_bytes(&mut out, sig::NAME.as_bytes());
            abi::push_bytes(&mut out, sig::VERSION.as_bytes());
            out.extend_from_slice(&[0u8; 32]);
            out
        }
        LAST_PRICE_TIMESTAMP => one(U256::from(p.last_price_timestamp(a.word(0)?))),
        ADMIN => addr(p.role(s::ADMIN)),
        PENDING_ADMIN => addr(p.role(s::PENDING_ADMIN)),
        ORACLE => addr(p.role(s::ORACLE)),
        RELAYER => addr(p.role(s::RELAYER)),
        CTF => addr(p.role(s::CTF)),
        PAUSED => flag(p.paused()),
        IS_FROZEN => flag(p.is_frozen(a.word(0)?)),
        MARKET_STATUS => one(U256::from(p.market_status(a.word(0)?))),
        REDEMPTION => {
            let (u, sh) = p.redemption(a.word(0)?);
            words(&[u, sh])
        }
        POOL_CAP_BPS => one(p.setting(s::POOL_CAP)),
        TIMELOCK_DELAY => one(p.setting(s::DELAY)),
        PENDING_CHANGE => {
            let (v, eta) = p.pending_change(a.byte(0)?);
            words(&[v, U256::from(eta)])
        }
        PENDING_ANCHORS => {
            let (c, eta) = p.pending_anchors();
            curve_data(&c.prices, &c.ltvs, &[U256::from(eta)])
        }
        SUPPORTS_INTERFACE => {
            let w = a.word(0)?.to_be_bytes::<32>();
            if w[4..].iter().any(|b| *b != 0) {
                return Err(fail!(InvalidCalldata));
            }
            flag(INTERFACES.contains(&[w[0], w[1], w[2], w[3]]))
        }
        ON_RECEIVED => {
            a.addr(0)?;
            let (id, v) = (a.word(2)?, a.word(3)?);
            p.on_received(a.addr(1)?, &[id], &[v], a.bytes(4)?)?;
            selector_word(ON_ERC1155_RECEIVED)
        }
        ON_BATCH_RECEIVED => {
            a.addr(0)?;
            p.on_received(a.addr(1)?, &a.words(2)?, &a.words(3)?, a.bytes(4)?)?;
            selector_word(ON_ERC1155_BATCH_RECEIVED)
        }
        WITHDRAW_COLLATERAL => unit(p.withdraw_collateral(a.word(0)?, a.word(1)?, a.addr(2)?))?,
        BORROW_VIA_RELAY => unit(p.borrow_via_relay(
            a.addr(0)?,
            a.word(1)?,
            a.word(2)?,
            a.word(3)?,
            a.word(4)?,
            a.bytes(5)?,
            a.word(6)?,
            a.word(7)?,
            a.word(8)?,
            a.bytes(9)?,
        ))?,
        WITHDRAW_VIA_RELAY => unit(p.withdraw_via_relay(
            a.addr(0)?,
            a.addr(1)?,
            a.word(2)?,
            a.word(3)?,
            a.word(4)?,
            a.word(5)?,
            a.bytes(6)?,
            a.word(7)?,
            a.word(8)?,
            a.bytes(9)?,
        ))?,
        REPAY => one(p.repay_for(sender, a.word(0)?, a.word(1)?)?),
        REPAY_FOR => one(p.repay_for(a.addr(0)?, a.word(1)?, a.word(2)?)?),
        LIQUIDATE => one(p.liquidate(
            a.addr(0)?,
            a.word(1)?,
            a.word(2)?,
            a.word(3)?,
            a.word(4)?,
            a.word(5)?,
            a.bytes(6)?,
        )?),
        RESOLVE_MARKET => unit(p.resolve_market(a.word(0)?, a.flag(1)?, a.word(2)?, a.bytes(3)?))?,
        CLOSE_LOST_POSITION => unit(p.close_lost_position(a.addr(0)?, a.word(1)?))?,
        REDEEM_WON_COLLATERAL => one(p.redeem_won_collateral(a.word(0)?, B256::from(a.word(1)?), a.word(2)?)?),
        SETTLE_REDEMPTION => one(p.settle_redemption(a.addr(0)?, a.word(1)?)?),
        TRANSFER_ADMIN => unit(p.transfer_admin(a.addr(0)?))?,
        ACCEPT_ADMIN => unit(p.accept_admin())?,
        ACTIVATE_TIMELOCK => {
            let d = a.word(0)?;
            unit(p.activate_timelock(if d.bit_len() > 64 { u64::MAX } else { d.to() }))?
        }
        PROPOSE_ANCHORS => unit(p.propose_anchors(&a.words(0)?, &a.words(1)?))?,
        EXECUTE_ANCHORS => unit(p.execute_change(change::ANCHORS))?,
        CANCEL_ANCHORS => unit(p.cancel_change(change::ANCHORS))?,
        PROPOSE_ORACLE => unit(p.propose_change(change::ORACLE, aw(a.addr(0)?)))?,
        EXECUTE_ORACLE => unit(p.execute_change(change::ORACLE))?,
        CANCEL_ORACLE => unit(p.cancel_change(change::ORACLE))?,
        PROPOSE_RELAYER => unit(p.propose_change(change::RELAYER, aw(a.addr(0)?)))?,
        EXECUTE_RELAYER => unit(p.execute_change(change::RELAYER))?,
        CANCEL_RELAYER => unit(p.cancel_change(change::RELAYER))?,
        PROPOSE_POOL_CAP => unit(p.propose_change(change::POOL_CAP, a.word(0)?))?,
        EXECUTE_POOL_CAP => unit(p.execute_change(change::POOL_CAP))?,
        CANCEL_POOL_CAP => unit(p.cancel_change(change::POOL_CAP))?,
        SET_POOL_CAP => unit(p.set_pool_cap(a.word(0)?))?,
        PAUSE => unit(p.set_paused(true))?,
        UNPAUSE => unit(p.set_paused(false))?,
        SET_TOKEN_FROZEN => unit(p.set_token_frozen(a.word(0)?, a.flag(1)?))?,
        WITHDRAW_RESERVES => unit(p.withdraw_reserves(a.addr(0)?, a.word(1)?))?,
        SWEEP => one(p.sweep(a.addr(0)?)?),
        _ => Vec::new(),
    })
}

/// Deploy-time constructor call: once only, no value, five addresses.
fn construct(p: &mut LendingPool, input: &[u8]) -> Res<Vec<u8>> {
    if !p.vm().msg_value().is_zero() {
        return Err(fail!(NotPayable));
    }
    let a = Args(input);
    unit(p.constructor(a.addr(0)?, a.addr(1)?, a.addr(2)?, a.addr(3)?, a.addr(4)?))
}

impl Router<LendingPool> for LendingPool {
    type Storage = LendingPool;

    fn route(storage: &mut LendingPool, selector: u32, input: &[u8]) -> Option<ArbResult> {
        dispatch(storage, selector, input)
    }

    fn receive(_storage: &mut LendingPool) -> Option<Result<(), Vec<u8>>> {
        None
    }

    fn fallback(_storage: &mut LendingPool, _calldata: &[u8]) -> Option<ArbResult> {
        None
    }

    fn constructor(storage: &mut LendingPool, input: &[u8]) -> Option<ArbResult> {
        if let Err(e) = storage.check_constructor_slot() {
            return Some(Err(e));
        }
        Some(construct(storage, input).map_err(Vec::from))
    }
}

/// The Stylus entry point (what `#[entrypoint]` would generate): reject
/// re-entrant calls, run the router, flush the storage cache, return.
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub extern "C" fn user_entrypoint(len: usize) -> usize {
    let host = stylus_sdk::host::VM(stylus_sdk::host::WasmVM {});
    if host.msg_reentrant() {
        return 1;
    }
    host.pay_for_memory_grow(0);
    let input = host.read_args(len);
    let (data, status) = match stylus_sdk::abi::router_entrypoint::<LendingPool, LendingPool>(input, host.clone()) {
        Ok(data) => (data, 0),
        Err(data) => (data, 1),
    };
    host.flush_cache(false);
    host.write_result(&data);
    status
}
