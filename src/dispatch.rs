//! ABI dispatch: selector → decode → call the pool → encode.
//!
//! Hand-written instead of the SDK's `#[public]` router so the contract fits
//! in 24 KiB. The Solidity interface it implements is `abi/IPredMartPool.sol`;
//! tests call every function through [`dispatch`] with calldata encoded from
//! that file, so the two cannot drift apart.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};
use stylus_sdk::{abi::Router, ArbResult};

use crate::{
    abi::{self, aw, push_array, words, Args},
    fail, interest,
    math::Rounding,
    pool::{w, LendingPool, Res, ON_ERC1155_BATCH_RECEIVED, ON_ERC1155_RECEIVED},
    signatures as sig,
    store::{m, s, Field},
    vault,
};

const fn sel(sig: &str) -> u32 {
    u32::from_be_bytes(abi::selector(sig))
}

macro_rules! functions {
    ($($c:ident = $sig:literal;)*) => {
        $(const $c: u32 = sel($sig);)*
        /// Every function the contract answers, as Solidity signatures.
        pub const FUNCTIONS: &[&str] = &[$($sig),*];
        /// Their selectors, in the same order.
        pub const SELECTORS: &[u32] = &[$($c),*];
        /// Their parameter shapes, in the same order.
        const SHAPES: &[abi::Shape] = &[$(abi::shape($sig)),*];
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
    PROPOSE = "propose(uint8,uint256)";
    EXECUTE = "execute(uint8)";
    CANCEL = "cancel(uint8)";
    SET_POOL_CAP = "setPoolCap(uint256)";
    PAUSE = "pause()";
    UNPAUSE = "unpause()";
    SET_TOKEN_FROZEN = "setTokenFrozen(uint256,bool)";
    WITHDRAW_RESERVES = "withdrawReserves(address,uint256)";
    SWEEP = "sweep(address)";
    SCHEDULE_MARKET = "scheduleMarket(uint256,uint256,uint256,bytes)";
    MARKET_END_TIME = "marketEndTime(uint256)";
    START_AUCTION = "startAuction(address,uint256,uint256,uint256,uint256,bytes)";
    AUCTION_START = "auctionStart(address,uint256)";
}

/// The constructor's Solidity signature (what `cargo stylus` deploys with).
pub const CONSTRUCTOR: &str =
    "constructor(address admin, address usdc, address ctf, address oracle, address relayer)";

/// ERC-165 interface ids the contract reports: ERC-165, ERC-1155 receiver,
/// ERC-20, ERC-5267.
pub const INTERFACES: [[u8; 4]; 4] = [
    [0x01, 0xff, 0xc9, 0xa7],
    [0x4e, 0x23, 0x12, 0xe0],
    [0x36, 0x37, 0x2b, 0x07],
    [0x84, 0xb0, 0x19, 0x6e],
];

/// A function's result before ABI encoding (one encoder for all).
enum Out {
    /// No return value.
    Unit,
    /// One word.
    Word(U256),
    /// One money word.
    Num(u128),
    /// Pre-encoded return data.
    Raw(Vec<u8>),
}

impl From<u128> for Out {
    fn from(v: u128) -> Out {
        Out::Num(v)
    }
}

impl From<U256> for Out {
    fn from(v: U256) -> Out {
        Out::Word(v)
    }
}

impl From<bool> for Out {
    fn from(v: bool) -> Out {
        Out::Num(v as u128)
    }
}

impl From<Address> for Out {
    fn from(v: Address) -> Out {
        Out::Word(aw(v))
    }
}

impl From<()> for Out {
    fn from(_: ()) -> Out {
        Out::Unit
    }
}

impl From<Vec<u8>> for Out {
    fn from(v: Vec<u8>) -> Out {
        Out::Raw(v)
    }
}

/// A limit as a word: `u128::MAX` ("no limit") is max uint on the wire.
fn cap_word(v: u128) -> U256 {
    if v == u128::MAX {
        U256::MAX
    } else {
        w(v)
    }
}

fn selector_word(s: [u8; 4]) -> U256 {
    let mut w = [0u8; 32];
    w[..4].copy_from_slice(&s);
    U256::from_be_bytes(w)
}

/// Two `uint256[]` (and optional trailing words) as ABI return data.
fn curve_data(prices: &[u128], ltvs: &[u128], tail: &[U256]) -> Vec<u8> {
    let head = 32 * (2 + tail.len());
    let mut out = words(&[U256::from(head), U256::from(head + 32 * (prices.len() + 1))]);
    out.extend_from_slice(&words(tail));
    let ws = |v: &[u128]| v.iter().map(|x| w(*x)).collect::<Vec<U256>>();
    push_array(&mut out, &ws(prices));
    push_array(&mut out, &ws(ltvs));
    out
}

/// Runs the function `selector` with ABI `input` (after the selector).
/// `None` for an unknown selector.
pub fn dispatch(p: &mut LendingPool, selector: u32, input: &[u8]) -> Option<ArbResult> {
    let i = SELECTORS.iter().position(|s| *s == selector)?;
    let a = Args(input);
    let out = a.check(SHAPES[i]).and_then(|_| call(p, selector, &a));
    Some(match out {
        Ok(Out::Unit) => Ok(Vec::new()),
        Ok(Out::Word(v)) => Ok(words(&[v])),
        Ok(Out::Num(v)) => Ok(words(&[w(v)])),
        Ok(Out::Raw(v)) => Ok(v),
        Err(e) => Err(e.into()),
    })
}

/// Scalar getters: selector → storage field (`store::s`), answered as a word.
const SLOT_GETTERS: [(u32, Field); 11] = [
    (ASSET, s::USDC),
    (CTF, s::CTF),
    (ADMIN, s::ADMIN),
    (PENDING_ADMIN, s::PENDING_ADMIN),
    (ORACLE, s::ORACLE),
    (RELAYER, s::RELAYER),
    (PAUSED, s::PAUSED),
    (CASH, s::CASH),
    (TOTAL_BORROW_SHARES, s::BORROW_SHARES),
    (POOL_CAP_BPS, s::POOL_CAP),
    (TIMELOCK_DELAY, s::DELAY),
];

/// Mapping getters keyed by the first argument: selector → mapping field.
const MAP_GETTERS: [(u32, Field); 8] = [
    (TOTAL_SUPPLY, s::SUPPLY),
    (BALANCE_OF, m::BALANCE),
    (NONCES, m::NONCE),
    (IS_FROZEN, m::FROZEN),
    (MARKET_STATUS, m::STATUS),
    (TOKEN_COLLATERAL, m::TOKEN_COLLATERAL),
    (LAST_PRICE_TIMESTAMP, m::PRICE_TS),
    (MARKET_END_TIME, m::END_TIME),
];

fn call(p: &mut LendingPool, selector: u32, a: &Args) -> Res<Out> {
    if !p.host().msg_value().is_zero() {
        return Err(fail!(NotPayable));
    }
    if let Some((_, slot)) = SLOT_GETTERS.iter().find(|(s, _)| *s == selector) {
        return Ok(p.word(*slot).into());
    }
    if let Some((_, base)) = MAP_GETTERS.iter().find(|(s, _)| *s == selector) {
        // `totalSupply()` has no key: its field is a scalar.
        return Ok(if selector == TOTAL_SUPPLY {
            p.word(*base)
        } else {
            p.map_word(*base, a.w(0))
        }
        .into());
    }
    let sender = p.host().msg_sender();
    Ok(match selector {
        NAME => abi::string("PredMart USDC").into(),
        SYMBOL => abi::string("pUSDC").into(),
        DECIMALS => (vault::DECIMALS as u128).into(),
        TRANSFER => p.transfer(a.a(0), a.w(1))?.into(),
        TRANSFER_FROM => p.transfer_from(a.a(0), a.a(1), a.w(2))?.into(),
        APPROVE => p.approve(a.a(0), a.w(1))?.into(),
        ALLOWANCE => p.allowance(a.a(0), a.a(1)).into(),
        TOTAL_ASSETS => p.total_assets()?.into(),
        CONVERT_TO_SHARES | PREVIEW_DEPOSIT => p.shares_for(a.n(0), Rounding::Down)?.into(),
        CONVERT_TO_ASSETS => p.assets_for(a.n(0), Rounding::Down)?.into(),
        PREVIEW_REDEEM => p.exit_assets_for(a.n(0))?.into(),
        PREVIEW_MINT => p.assets_for(a.n(0), Rounding::Up)?.into(),
        PREVIEW_WITHDRAW => p.exit_shares_for(a.n(0))?.into(),
        MAX_DEPOSIT => p.max_deposit(a.a(0))?.into(),
        MAX_MINT => p.max_mint(a.a(0))?.into(),
        DEPOSIT => p.deposit(a.n(0), a.a(1))?.into(),
        MINT => p.mint(a.n(0), a.a(1))?.into(),
        MAX_WITHDRAW => p.max_withdraw(a.a(0))?.into(),
        WITHDRAW => p.withdraw(a.n(0), a.a(1), a.a(2))?.into(),
        MAX_REDEEM => p.max_redeem(a.a(0))?.into(),
        REDEEM => p.redeem(a.n(0), a.a(1), a.a(2))?.into(),
        ACCRUE_INTEREST => p.accrue().map(|_| ())?.into(),
        GET_UTILIZATION => p.market()?.utilization()?.into(),
        GET_BORROW_RATE => interest::borrow_rate(p.market()?.utilization()?)?.into(),
        GET_SUPPLY_RATE => interest::supply_rate(p.market()?.utilization()?)?.into(),
        TOTAL_BORROW_ASSETS => p.market()?.borrowed.into(),
        RESERVES => p.market()?.reserves.into(),
        GET_LTV => p.curve().ltv(a.n(0)).into(),
        GET_LIQUIDATION_THRESHOLD => p.curve().liquidation_threshold(a.n(0)).into(),
        GET_HEALTH_FACTOR => p.get_health_factor(a.a(0), a.w(1), a.n(2))?.into(),
        GET_POSITION => {
            let (c, sh, d) = p.get_position(a.a(0), a.w(1))?;
            words(&[w(c), w(sh), w(d)]).into()
        }
        MAX_BORROW => p.max_borrow(a.a(0), a.w(1), a.n(2))?.into(),
        LIQUIDATION_PRICE => p.liquidation_price(a.a(0), a.w(1))?.into(),
        TOKEN_DEBT => p.token_debt(a.w(0))?.into(),
        TOKEN_BORROW_CAP => cap_word(p.token_borrow_cap()?).into(),
        ANCHORS => {
            let c = p.curve();
            curve_data(&c.prices, &c.ltvs, &[]).into()
        }
        DOMAIN_SEPARATOR => U256::from_be_bytes(p.domain_separator().0).into(),
        EIP712_DOMAIN => {
            // (bytes1 fields, string name, string version, uint256 chainId,
            //  address verifyingContract, bytes32 salt, uint256[] extensions)
            let id = U256::from(p.host().chain_id());
            let this = aw(p.host().contract_address());
            let head = [
                U256::from(0x0f) << 248,
                U256::from(224),
                U256::from(288),
                id,
                this,
                U256::ZERO,
                U256::from(352),
            ];
            let mut out = words(&head);
            abi::push_bytes(&mut out, sig::NAME.as_bytes());
            abi::push_bytes(&mut out, sig::VERSION.as_bytes());
            out.extend_from_slice(&[0u8; 32]);
            out.into()
        }
        REDEMPTION => {
            let (u, sh) = p.redemption(a.w(0));
            words(&[w(u), w(sh)]).into()
        }
        PENDING_CHANGE => {
            let (v, eta) = p.pending_change(a.b(0))?;
            words(&[v, U256::from(eta)]).into()
        }
        PENDING_ANCHORS => {
            let (c, eta) = p.pending_anchors();
            curve_data(&c.prices, &c.ltvs, &[U256::from(eta)]).into()
        }
        SUPPORTS_INTERFACE => {
            let id = a.w(0).to_be_bytes::<32>();
            (id[4..].iter().all(|b| *b == 0) && INTERFACES.contains(&[id[0], id[1], id[2], id[3]]))
                .into()
        }
        ON_RECEIVED => {
            p.on_received(a.a(1), &[a.w(2)], &[a.w(3)], a.bytes(4)?)?;
            selector_word(ON_ERC1155_RECEIVED).into()
        }
        ON_BATCH_RECEIVED => {
            p.on_received(a.a(1), &a.words(2)?, &a.words(3)?, a.bytes(4)?)?;
            selector_word(ON_ERC1155_BATCH_RECEIVED).into()
        }
        WITHDRAW_COLLATERAL => p.withdraw_collateral(a.w(0), a.n(1), a.a(2))?.into(),
        BORROW_VIA_RELAY => {
            let (intent, price) = (a.bytes(5)?, a.bytes(9)?);
            p.borrow_via_relay(
                a.a(0),
                a.w(1),
                a.w(2),
                a.w(3),
                a.w(4),
                intent,
                a.w(6),
                a.w(7),
                a.w(8),
                price,
            )?
            .into()
        }
        WITHDRAW_VIA_RELAY => {
            let (intent, price) = (a.bytes(6)?, a.bytes(9)?);
            p.withdraw_via_relay(
                a.a(0),
                a.a(1),
                a.w(2),
                a.w(3),
                a.w(4),
                a.w(5),
                intent,
                a.w(7),
                a.w(8),
                price,
            )?
            .into()
        }
        REPAY => p.repay_for(sender, a.w(0), a.n(1))?.into(),
        REPAY_FOR => p.repay_for(a.a(0), a.w(1), a.n(2))?.into(),
        LIQUIDATE => {
            let price_sig = a.bytes(6)?;
            p.liquidate(a.a(0), a.w(1), a.n(2), a.w(3), a.w(4), a.w(5), price_sig)?
                .into()
        }
        RESOLVE_MARKET => p
            .resolve_market(a.w(0), a.b(1) == 1, a.w(2), a.bytes(3)?)?
            .into(),
        CLOSE_LOST_POSITION => p.close_lost_position(a.a(0), a.w(1))?.into(),
        REDEEM_WON_COLLATERAL => p
            .redeem_won_collateral(a.w(0), B256::from(a.w(1)), a.w(2))?
            .into(),
        SETTLE_REDEMPTION => p.settle_redemption(a.a(0), a.w(1))?.into(),
        TRANSFER_ADMIN => p.transfer_admin(a.a(0))?.into(),
        ACCEPT_ADMIN => p.accept_admin()?.into(),
        ACTIVATE_TIMELOCK => p
            .activate_timelock(a.n(0).min(u64::MAX as u128) as u64)?
            .into(),
        PROPOSE_ANCHORS => p.propose_anchors(&a.words(0)?, &a.words(1)?)?.into(),
        PROPOSE => p.propose_change(a.b(0), a.w(1))?.into(),
        EXECUTE => p.execute_change(a.b(0))?.into(),
        CANCEL => p.cancel_change(a.b(0))?.into(),
        SET_POOL_CAP => p.set_pool_cap(a.w(0))?.into(),
        PAUSE => p.set_paused(true)?.into(),
        UNPAUSE => p.set_paused(false)?.into(),
        SET_TOKEN_FROZEN => p.set_token_frozen(a.w(0), a.b(1) == 1)?.into(),
        WITHDRAW_RESERVES => p.withdraw_reserves(a.a(0), a.n(1))?.into(),
        SWEEP => p.sweep(a.a(0))?.into(),
        SCHEDULE_MARKET => p
            .schedule_market(a.w(0), a.w(1), a.w(2), a.bytes(3)?)?
            .into(),
        START_AUCTION => {
            (p.start_auction(a.a(0), a.w(1), a.w(2), a.w(3), a.w(4), a.bytes(5)?)? as u128).into()
        }
        AUCTION_START => (p.auction_start(a.a(0), a.w(1)) as u128).into(),
        _ => Out::Unit,
    })
}

/// Deploy-time constructor call: once only, no value, five addresses.
fn construct(p: &mut LendingPool, input: &[u8]) -> Res<Vec<u8>> {
    if !p.host().msg_value().is_zero() {
        return Err(fail!(NotPayable));
    }
    let a = Args(input);
    a.check(abi::shape(
        "constructor(address,address,address,address,address)",
    ))?;
    p.constructor(a.a(0), a.a(1), a.a(2), a.a(3), a.a(4))?;
    Ok(Vec::new())
}

/// Deploy-time entry: the constructor at most once (the SDK's
/// constructor-executed flag: the first byte of its slot), then [`construct`].
fn construct_once(p: &mut LendingPool, input: &[u8]) -> ArbResult {
    let slot = stylus_sdk::abi::internal::CONSTRUCTOR_EXECUTED_SLOT;
    let mut flag = p.host().storage_load_bytes32(slot);
    if flag[0] != 0 {
        return Err(Vec::new());
    }
    flag[0] = 1;
    // SAFETY: the SDK's own constructor flag slot, outside the pool's layout.
    unsafe { p.host().storage_cache_bytes32(slot, flag) };
    construct(p, input).map_err(Vec::from)
}

/// Routes a call's whole calldata as the SDK's `router_entrypoint` does for
/// this contract (no receive or fallback): the constructor selector to
/// [`construct_once`], any other to [`dispatch`]; calldata shorter than a
/// selector, or an unknown selector, reverts with empty data.
pub fn entry(p: &mut LendingPool, input: &[u8]) -> ArbResult {
    let Some(s) = input.get(..4) else {
        return Err(Vec::new());
    };
    let selector = u32::from_be_bytes([s[0], s[1], s[2], s[3]]);
    if selector == stylus_sdk::abi::CONSTRUCTOR_SELECTOR {
        return construct_once(p, &input[4..]);
    }
    dispatch(p, selector, &input[4..]).unwrap_or(Err(Vec::new()))
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
        Some(construct_once(storage, input))
    }
}
