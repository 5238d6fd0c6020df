//! One set of steps, two backends: the pool under motsu (the native crate,
//! `tests/common` mocks) and the pool's release WASM (`target/initcode.hex`)
//! in the embedded Stylus runtime (`runtime/`, crate `stylus-runtime`, a
//! revm world) next to the real contracts it meets on Arbitrum: Gnosis's
//! `ConditionalTokens` (npm artifact) and our Solidity `TestUSDC`
//! (`target/test-contracts/{ConditionalTokens,TestUSDC}.json`, built by
//! `contracts/build-sol.sh`), plus the Stylus smart wallet
//! (`target/test-contracts/test-wallet.wasm`).
//!
//! Token ids are real CTF position ids: [`market`]`(n)` names the binary
//! condition the oracle prepares for question `n`, and its `yes`/`no`
//! position ids (computed like the CTF, `common::collection_id`, and
//! checked against the CTF's own `getCollectionId`/`getPositionId` when the
//! runtime prepares it). On the runtime, `ctf_mint(who, id, amount)` is what a
//! real user does: mint USDC and `splitPosition` it into YES and NO of the
//! condition behind `id`; `ctf_set_winner` is the oracle's `reportPayouts`.
//!
//! A scenario is written once, generic over [`Backend`], with calldata
//! encoded from the exported ABI (`IPool` = `abi/IPredMartPool.sol`);
//! [`compare`] runs it on both backends and asserts that every recorded
//! number, error selector and emitted pool event is the same.
//!
//! Needs `crate::common` (`tests/common/mod.rs`) declared by the including
//! crate. Used by `tests/e2e.rs`, `examples/gas.rs`, `examples/lifecycle*.rs`.
#![allow(dead_code, missing_docs, clippy::too_many_arguments)]

pub mod story;

use std::{
    collections::{HashMap, HashSet},
    fmt::Debug,
    path::PathBuf,
    sync::{Mutex, OnceLock},
};

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolCall, SolInterface};
use motsu::prelude::*;
use predmart_pool::{signatures as sig, LendingPool};
use stylus_runtime as rt;

use crate::common::{self, IPool, MockCtf, MockUsdc, MockWallet};

sol! {
    /// `contracts/TestUSDC.sol`'s ERC-20 and test knobs (and `MockUsdc`).
    interface ITestUsdc {
        function mint(address to, uint256 amount) external;
        function approve(address spender, uint256 value) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
        function transfer(address to, uint256 value) external returns (bool);
        function setMode(uint8 mode) external;
        function setHook(address target, bytes data) external;
        function hookResult() external view returns (uint8);
    }
    /// The ERC-1155 side of the real `ConditionalTokens` (and `MockCtf`).
    interface ITestCtf {
        function balanceOf(address account, uint256 id) external view returns (uint256);
        function setApprovalForAll(address operator, bool approved) external;
        function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data) external;
        function safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] values, bytes data) external;
    }
    /// `contracts/test-wallet` (and `MockWallet`).
    interface ITestWallet {
        function setOwner(address owner) external;
        function setMode(uint8 mode) external;
        function exec(address target, bytes data) external returns (bytes);
        function setHook(address target, bytes data) external;
        function hookResult() external view returns (uint8);
        function writes() external view returns (uint256);
        function isValidSignature(bytes32 hash, bytes signature) external returns (bytes4);
    }
    /// Gnosis `ConditionalTokens` (npm `@gnosis.pm/conditional-tokens-contracts@1.0.3`).
    interface IConditionalTokens {
        function prepareCondition(address oracle, bytes32 questionId, uint256 outcomeSlotCount) external;
        function getConditionId(address oracle, bytes32 questionId, uint256 outcomeSlotCount) external pure returns (bytes32);
        function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet) external view returns (bytes32);
        function getPositionId(address collateralToken, bytes32 collectionId) external pure returns (uint256);
        function splitPosition(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] partition, uint256 amount) external;
        function reportPayouts(bytes32 questionId, uint256[] payouts) external;
        function redeemPositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] indexSets) external;
        function payoutDenominator(bytes32 conditionId) external view returns (uint256);
    }
    /// `contracts/TestUSDC.sol`: Circle's blacklist.
    interface IBlacklist {
        function blacklist(address account) external;
        function unBlacklist(address account) external;
        function isBlacklisted(address account) external view returns (bool);
    }
    /// `contracts/reentrant-puller`.
    interface IPuller {
        function pull(address ctf, address from, uint256 id, uint256 amount) external;
        function received() external view returns (uint256);
    }
}

/// Chain id of the runtime (Arbitrum Sepolia); motsu is set to the same.
pub const CHAIN_ID: u64 = 421_614;

/// Fixed addresses, the same on both backends, so token ids, EIP-712
/// domains, signatures and event topics are byte-identical.
pub fn pool_addr() -> Address {
    Address::repeat_byte(0x50)
}
pub fn usdc_addr() -> Address {
    Address::repeat_byte(0x05)
}
pub fn ctf_addr() -> Address {
    Address::repeat_byte(0x0c)
}
/// The `n`-th smart wallet.
pub fn wallet_addr(n: u8) -> Address {
    Address::repeat_byte(0x70 + n)
}
pub fn admin_addr() -> Address {
    Address::with_last_byte(0xad)
}
pub fn relayer_addr() -> Address {
    Address::with_last_byte(0xee)
}
pub fn oracle_account() -> Account {
    Account::from_seed("oracle")
}

// ---------------------------------------------------------------------------
// Markets (real CTF conditions and position ids)
// ---------------------------------------------------------------------------

/// A binary market: the condition the oracle prepares on the CTF for
/// question `n` (`prepareCondition(oracle, question, 2)`), and its outcomes'
/// position ids with USDC as collateral.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Market {
    pub n: u64,
    pub question: B256,
    pub condition: B256,
    pub yes: U256,
    pub no: U256,
}

impl Market {
    /// The position id of `index_set` (1 = YES, 2 = NO).
    pub fn outcome(&self, index_set: u8) -> U256 {
        if index_set == 1 {
            self.yes
        } else {
            self.no
        }
    }
}

/// The CTF's oracle: the pool's oracle key (it prepares and reports).
pub fn ctf_oracle() -> Address {
    oracle_account().address()
}

/// Ids already computed: position id -> (market, index set), condition ->
/// market (what `Chain::ctf_mint`/`ctf_set_winner` need to find the market
/// behind an id). Pure functions of `n`, so shared by every test thread.
fn registry() -> &'static Mutex<(HashMap<U256, (Market, u8)>, HashMap<B256, Market>)> {
    static R: OnceLock<Mutex<(HashMap<U256, (Market, u8)>, HashMap<B256, Market>)>> =
        OnceLock::new();
    R.get_or_init(Default::default)
}

/// The market of question `n`: `getConditionId(oracle, n, 2)` and the
/// position ids of YES (`indexSet` 1) and NO (2).
pub fn market(n: u64) -> Market {
    let question = B256::from(U256::from(n));
    let mut buf = Vec::new();
    buf.extend_from_slice(ctf_oracle().as_slice());
    buf.extend_from_slice(question.as_slice());
    buf.extend_from_slice(&U256::from(2).to_be_bytes::<32>());
    let condition = alloy_primitives::keccak256(buf);
    let pos = |i: u64| {
        common::position_id(
            usdc_addr(),
            common::collection_id(B256::ZERO, condition, U256::from(i)),
        )
    };
    let m = Market {
        n,
        question,
        condition,
        yes: pos(1),
        no: pos(2),
    };
    let mut r = registry().lock().unwrap();
    r.0.insert(m.yes, (m, 1));
    r.0.insert(m.no, (m, 2));
    r.1.insert(condition, m);
    m
}

/// The market and index set behind a position id made by [`market`].
#[track_caller]
pub fn market_of(id: U256) -> (Market, u8) {
    *registry().lock().unwrap().0.get(&id).unwrap_or_else(|| {
        panic!(
            "token id {id} is no outcome of a prepared market: on the real CTF \
             only split positions exist; use support::market(n).yes / .no"
        )
    })
}

/// The market behind a condition id made by [`market`].
#[track_caller]
pub fn market_of_condition(condition: B256) -> Market {
    *registry()
        .lock()
        .unwrap()
        .1
        .get(&condition)
        .unwrap_or_else(|| {
            panic!("condition {condition} is not support::market(n).condition for any n so far")
        })
}

// ---------------------------------------------------------------------------
// Artifacts
// ---------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The release initcode (hex): `$PREDMART_INITCODE` or `target/initcode.hex`.
/// Panics (never skips) when it is missing.
pub fn initcode_hex() -> String {
    let path = std::env::var("PREDMART_INITCODE")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target/initcode.hex"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "the pool's release artifact {} is missing ({e}): build it with \
             `. scripts/setup.sh && cargo stylus get-initcode --output target/initcode.hex` \
             (scripts/test.sh and scripts/gas.sh do this)",
            path.display()
        )
    })
}

/// A test contract's WASM, `target/test-contracts/<name>.wasm`. Panics
/// (never skips) when it is missing.
pub fn test_contract(name: &str) -> Vec<u8> {
    let path = root()
        .join("target/test-contracts")
        .join(format!("{name}.wasm"));
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "test contract {} is missing ({e}): build the test contracts with \
             `. scripts/setup.sh && contracts/build.sh` (scripts/test.sh does this)",
            path.display()
        )
    })
}

/// A Solidity artifact's creation bytecode,
/// `target/test-contracts/<name>.json` (`"bytecode": "0x..."`: the truffle
/// artifact of the npm CTF and `contracts/build-sol.sh`'s output both write
/// it so). Panics (never skips) when it is missing.
pub fn sol_artifact(name: &str) -> Vec<u8> {
    let path = root()
        .join("target/test-contracts")
        .join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "Solidity artifact {} is missing ({e}): run `. scripts/setup.sh && \
             contracts/build-sol.sh` (scripts/test.sh does this)",
            path.display()
        )
    });
    let start = text
        .find("\"bytecode\": \"0x")
        .or_else(|| text.find("\"bytecode\":\"0x"))
        .unwrap_or_else(|| panic!("{}: no \"bytecode\"", path.display()));
    let rest = &text[start..];
    let hex_start = rest.find("0x").unwrap() + 2;
    let hex_end = hex_start + rest[hex_start..].find('"').unwrap();
    alloy_primitives::hex::decode(&rest[hex_start..hex_end]).expect("hex bytecode")
}

// ---------------------------------------------------------------------------
// Outcome of a call
// ---------------------------------------------------------------------------

/// What a call did, on either backend.
#[derive(Clone, Debug, Default)]
pub struct Out {
    pub ok: bool,
    /// Return data on success, revert data on failure.
    pub data: Vec<u8>,
    /// The pool's events (topics, data), in order; empty on failure.
    pub logs: Vec<(Vec<B256>, Vec<u8>)>,
    /// Runtime only: gas used and its breakdown.
    pub gas: Option<(u64, rt::GasBreakdown)>,
}

impl Out {
    /// Asserts success, naming the pool error otherwise.
    #[track_caller]
    pub fn expect(self, what: &str) -> Self {
        assert!(self.ok, "{what} failed: {}", describe(&self.data));
        self
    }

    /// The decoded return values (asserts success).
    #[track_caller]
    pub fn ret<C: SolCall>(&self) -> C::Return {
        assert!(self.ok, "call failed: {}", describe(&self.data));
        C::abi_decode_returns(&self.data, true).expect("return data decodes as the ABI says")
    }

    /// The 4-byte error selector of a failure.
    pub fn selector(&self) -> Option<[u8; 4]> {
        (!self.ok && self.data.len() >= 4).then(|| self.data[..4].try_into().unwrap())
    }

    /// Topic 0 of each pool event.
    pub fn event_ids(&self) -> Vec<B256> {
        self.logs.iter().map(|(t, _)| t[0]).collect()
    }
}

/// A pool error's name (or the raw bytes).
pub fn describe(data: &[u8]) -> String {
    match IPool::IPredMartPoolErrors::abi_decode(data, true) {
        Ok(e) => format!("{e:?}"),
        Err(_) => format!("0x{}", alloy_primitives::hex::encode(data)),
    }
}

// ---------------------------------------------------------------------------
// The backends
// ---------------------------------------------------------------------------

/// What a scenario needs from a world that holds a pool, USDC, a CTF and
/// smart wallets. Everything above the primitive calls is a provided method,
/// so both backends run literally the same steps.
pub trait Backend {
    /// "motsu" or "wasm".
    fn name(&self) -> &'static str;
    fn is_wasm(&self) -> bool {
        self.name() == "wasm"
    }
    /// The pool's clock (block timestamp on chain).
    fn now(&self) -> u64;
    fn advance(&mut self, secs: u64);
    /// `from` calls the pool with ABI calldata.
    fn pool_call(&mut self, from: Address, data: &[u8]) -> Out;
    /// A read-only pool call (a static call on the runtime).
    fn pool_view(&mut self, data: &[u8]) -> Out;
    fn usdc_mint(&mut self, to: Address, amount: u128);
    fn usdc_approve(&mut self, owner: Address, spender: Address, amount: U256);
    fn usdc_of(&mut self, who: Address) -> u128;
    fn usdc_set_hook(&mut self, target: Address, data: Vec<u8>);
    fn usdc_hook_result(&mut self) -> u8;
    /// `to` gets `amount` shares of `id`, and the CTF `amount` USDC of
    /// collateral behind them. Runtime (real CTF): `to` mints `amount` USDC
    /// and `splitPosition`s it into YES and NO of the market behind `id`
    /// ([`market_of`]; so `to` also gets the other outcome). Motsu (and the
    /// stand-ins): the mock mints just `id` and USDC to the CTF.
    fn ctf_mint(&mut self, to: Address, id: U256, amount: u128);
    /// What a trader does: `who` splits `amount` fresh USDC into `amount` YES
    /// and `amount` NO of `m` (the oracle's `prepareCondition` first if
    /// nobody did yet). Returns the split's gas on the runtime.
    fn ctf_split(&mut self, who: Address, m: &Market, amount: u128) -> Option<u64>;
    fn ctf_of(&mut self, who: Address, id: U256) -> u128;
    /// `from` calls `ctf.safeTransferFrom` (one id) or
    /// `ctf.safeBatchTransferFrom` (`batch`) to `to`.
    fn ctf_push(
        &mut self,
        from: Address,
        to: Address,
        ids: &[U256],
        amounts: &[u128],
        data: Vec<u8>,
        batch: bool,
    ) -> Out;
    /// The outcome `index_set` of `condition` won: on the real CTF the
    /// oracle's `reportPayouts(question, [1,0] or [0,1])` (`condition` must be
    /// a [`market`]'s); on the mocks `setWinner`.
    fn ctf_set_winner(&mut self, condition: B256, index_set: U256);
    /// A new smart wallet (EIP-1271) owned by `owner`.
    fn wallet_new(&mut self, owner: Address) -> Address;
    /// `owner` makes `wallet` call `target` with `data`; `Out.data` is the
    /// callee's raw return (or revert) data.
    fn wallet_exec(
        &mut self,
        wallet: Address,
        owner: Address,
        target: Address,
        data: Vec<u8>,
    ) -> Out;
    fn wallet_set_hook(&mut self, wallet: Address, target: Address, data: Vec<u8>);
    fn wallet_hook_result(&mut self, wallet: Address) -> u8;

    // ----------------------------------------------------------- provided

    fn pool(&self) -> Address {
        pool_addr()
    }
    fn admin(&self) -> Address {
        admin_addr()
    }
    fn relayer(&self) -> Address {
        relayer_addr()
    }

    /// `from` calls the pool.
    fn call<C: SolCall>(&mut self, from: Address, c: C) -> Out {
        self.pool_call(from, &c.abi_encode())
    }

    /// A view's decoded return values.
    #[track_caller]
    fn get<C: SolCall>(&mut self, c: C) -> C::Return {
        self.pool_view(&c.abi_encode()).ret::<C>()
    }

    fn position(&mut self, who: Address, id: U256) -> (u128, u128, u128) {
        let p = self.get(IPool::getPositionCall {
            borrower: who,
            tokenId: id,
        });
        (p.collateral.to(), p.borrowShares.to(), p.debt.to())
    }

    fn health(&mut self, who: Address, id: U256, price: u128) -> U256 {
        self.get(IPool::getHealthFactorCall {
            borrower: who,
            tokenId: id,
            price: U256::from(price),
        })
        ._0
    }

    fn domain(&mut self) -> B256 {
        self.get(IPool::DOMAIN_SEPARATORCall {})._0
    }

    fn nonce(&mut self, who: Address) -> u128 {
        self.get(IPool::noncesCall { borrower: who })._0.to()
    }

    /// Mints `amount` USDC to `who` and approves the pool.
    fn fund(&mut self, who: Address, amount: u128) {
        self.usdc_mint(who, amount);
        let pool = self.pool();
        self.usdc_approve(who, pool, U256::MAX);
    }

    /// `who` deposits `amount` fresh USDC.
    fn lend(&mut self, who: Address, amount: u128) -> Out {
        self.fund(who, amount);
        self.call(
            who,
            IPool::depositCall {
                assets: U256::from(amount),
                receiver: who,
            },
        )
    }

    /// Mints `amount` shares of `id` to `who`, who pushes them to the pool
    /// with `ctf.safeTransferFrom(who, pool, id, amount, "")`.
    fn collateral(&mut self, who: Address, id: U256, amount: u128) -> Out {
        self.ctf_mint(who, id, amount);
        let pool = self.pool();
        self.ctf_push(who, pool, &[id], &[amount], vec![], false)
    }

    /// The oracle's `PriceData` signature.
    fn price_sig(&mut self, id: U256, price: u128, ts: u64, max_borrow: U256) -> Vec<u8> {
        let d = self.domain();
        let h = sig::price_data_hash(id, U256::from(price), U256::from(ts), max_borrow);
        common::sign(&oracle_account(), sig::digest(d, h))
    }

    /// The relayer submits `borrower`'s `BorrowIntent` (signed now by
    /// `signer`: the borrower's key, or a wallet owner's) with an oracle
    /// price signed now, no depth cap.
    fn borrow_as(
        &mut self,
        borrower: Address,
        signer: &Account,
        id: U256,
        amount: u128,
        price: u128,
    ) -> Out {
        let (now, nonce, d) = (self.now(), self.nonce(borrower), self.domain());
        let h = sig::borrow_intent_hash(
            borrower,
            id,
            U256::from(amount),
            U256::from(nonce),
            U256::from(now + 300),
        );
        let intent = common::sign(signer, sig::digest(d, h));
        let psig = self.price_sig(id, price, now, U256::MAX);
        let relayer = self.relayer();
        self.call(
            relayer,
            IPool::borrowViaRelayCall {
                borrower,
                tokenId: id,
                amount: U256::from(amount),
                nonce: U256::from(nonce),
                deadline: U256::from(now + 300),
                intentSignature: intent.into(),
                price: U256::from(price),
                priceTimestamp: U256::from(now),
                maxBorrow: U256::MAX,
                priceSignature: psig.into(),
            },
        )
    }

    /// An EOA borrower's relayed borrow.
    fn borrow(&mut self, borrower: &Account, id: U256, amount: u128, price: u128) -> Out {
        self.borrow_as(borrower.address(), borrower, id, amount, price)
    }

    /// The relayer submits `borrower`'s `WithdrawIntent` signed now.
    fn withdraw_relay(
        &mut self,
        borrower: Address,
        signer: &Account,
        to: Address,
        id: U256,
        amount: u128,
        price: u128,
    ) -> Out {
        let (now, nonce, d) = (self.now(), self.nonce(borrower), self.domain());
        let h = sig::withdraw_intent_hash(
            borrower,
            to,
            id,
            U256::from(amount),
            U256::from(nonce),
            U256::from(now + 300),
        );
        let intent = common::sign(signer, sig::digest(d, h));
        let psig = self.price_sig(id, price, now, U256::ZERO);
        let relayer = self.relayer();
        self.call(
            relayer,
            IPool::withdrawViaRelayCall {
                borrower,
                to,
                tokenId: id,
                amount: U256::from(amount),
                nonce: U256::from(nonce),
                deadline: U256::from(now + 300),
                intentSignature: intent.into(),
                price: U256::from(price),
                priceTimestamp: U256::from(now),
                priceSignature: psig.into(),
            },
        )
    }

    /// `liquidator` liquidates at `price` signed now.
    fn liquidate(
        &mut self,
        liquidator: Address,
        borrower: Address,
        id: U256,
        repay: U256,
        price: u128,
    ) -> Out {
        let now = self.now();
        let psig = self.price_sig(id, price, now, U256::ZERO);
        self.call(
            liquidator,
            IPool::liquidateCall {
                borrower,
                tokenId: id,
                repayAmount: repay,
                price: U256::from(price),
                priceTimestamp: U256::from(now),
                maxBorrow: U256::ZERO,
                priceSignature: psig.into(),
            },
        )
    }

    /// `keeper` submits the oracle's `MarketSchedule` for `id` signed now.
    fn schedule(&mut self, keeper: Address, id: U256, end_time: u64) -> Out {
        let (now, d) = (self.now(), self.domain());
        let h = sig::market_schedule_hash(id, U256::from(end_time), U256::from(now));
        let s = common::sign(&oracle_account(), sig::digest(d, h));
        self.call(
            keeper,
            IPool::scheduleMarketCall {
                tokenId: id,
                endTime: U256::from(end_time),
                timestamp: U256::from(now),
                signature: s.into(),
            },
        )
    }

    /// `keeper` calls `startAuction` for `borrower` at `price` signed now.
    fn start_auction(&mut self, keeper: Address, borrower: Address, id: U256, price: u128) -> Out {
        let now = self.now();
        let psig = self.price_sig(id, price, now, U256::ZERO);
        self.call(
            keeper,
            IPool::startAuctionCall {
                borrower,
                tokenId: id,
                price: U256::from(price),
                priceTimestamp: U256::from(now),
                maxBorrow: U256::ZERO,
                priceSignature: psig.into(),
            },
        )
    }

    /// `keeper` submits the oracle's `Resolution` signed now.
    fn resolve(&mut self, keeper: Address, id: U256, won: bool) -> Out {
        let (now, d) = (self.now(), self.domain());
        let h = sig::resolution_hash(id, won, U256::from(now));
        let s = common::sign(&oracle_account(), sig::digest(d, h));
        self.call(
            keeper,
            IPool::resolveMarketCall {
                tokenId: id,
                won,
                timestamp: U256::from(now),
                signature: s.into(),
            },
        )
    }

    /// A smart wallet owned by `owner` with `amount` shares of `id` pushed to
    /// the pool for it (`data = abi.encode(wallet)`).
    fn wallet_with_collateral(&mut self, owner: Address, id: U256, amount: u128) -> Address {
        let wallet = self.wallet_new(owner);
        self.ctf_mint(owner, id, amount);
        let pool = self.pool();
        let mut data = vec![0u8; 12];
        data.extend_from_slice(wallet.as_slice());
        self.ctf_push(owner, pool, &[id], &[amount], data, false)
            .expect("push for the wallet");
        wallet
    }
}

/// The motsu backend: the pool crate natively with `tests/common` mocks,
/// driven through the ABI dispatcher (`World::raw_call`).
pub struct Motsu {
    pub pool: Contract<LendingPool>,
    pub usdc: Contract<MockUsdc>,
    pub ctf: Contract<MockCtf>,
    pub wallets: Vec<Contract<MockWallet>>,
}

impl Motsu {
    /// A fresh pool (constructed like `tests/common::World::new`) at the
    /// same addresses and chain id as the runtime's.
    pub fn new() -> Self {
        // The ecrecover precompile at 0x01, as `#[motsu::test]` provides.
        std::mem::forget(deploy_precompiles());
        VM::context().set_chain_id(CHAIN_ID);
        let m = Motsu {
            pool: Contract::new_at(pool_addr()),
            usdc: Contract::new_at(usdc_addr()),
            ctf: Contract::new_at(ctf_addr()),
            wallets: Vec::new(),
        };
        let wd = common::World::new(&m.pool, &m.usdc, &m.ctf);
        assert_eq!(
            (wd.admin, wd.relayer, wd.oracle.address()),
            (admin_addr(), relayer_addr(), oracle_account().address())
        );
        m
    }

    /// The `tests/common` world over this backend's contracts.
    pub fn wd(&self) -> common::World<'_> {
        common::World {
            pool: &self.pool,
            usdc: &self.usdc,
            ctf: &self.ctf,
            admin: admin_addr(),
            oracle: oracle_account(),
            relayer: relayer_addr(),
        }
    }

    fn wallet(&self, a: Address) -> &Contract<MockWallet> {
        self.wallets
            .iter()
            .find(|w| w.address() == a)
            .expect("a wallet of this backend")
    }

    fn pool_logs_since(&self, n: usize) -> Vec<(Vec<B256>, Vec<u8>)> {
        self.pool.all_events()[n..]
            .iter()
            .map(|l| (l.topics().to_vec(), l.data.to_vec()))
            .collect()
    }
}

impl Default for Motsu {
    fn default() -> Self {
        Self::new()
    }
}

fn out_of(r: Result<Vec<u8>, Vec<u8>>) -> Out {
    match r {
        Ok(data) => Out {
            ok: true,
            data,
            ..Out::default()
        },
        Err(data) => Out {
            ok: false,
            data,
            ..Out::default()
        },
    }
}

impl Backend for Motsu {
    fn name(&self) -> &'static str {
        "motsu"
    }
    fn now(&self) -> u64 {
        self.wd().now()
    }
    fn advance(&mut self, secs: u64) {
        common::advance(secs);
    }
    fn pool_call(&mut self, from: Address, data: &[u8]) -> Out {
        let n = self.pool.all_events().len();
        let mut o = out_of(self.wd().raw_call(from, data));
        if o.ok {
            o.logs = self.pool_logs_since(n);
        }
        o
    }
    fn pool_view(&mut self, data: &[u8]) -> Out {
        out_of(self.wd().raw_call(admin_addr(), data))
    }
    fn usdc_mint(&mut self, to: Address, amount: u128) {
        self.usdc
            .sender(to)
            .mint(to, U256::from(amount))
            .motsu_unwrap();
    }
    fn usdc_approve(&mut self, owner: Address, spender: Address, amount: U256) {
        self.usdc
            .sender(owner)
            .approve(spender, amount)
            .motsu_unwrap();
    }
    fn usdc_of(&mut self, who: Address) -> u128 {
        self.wd().usdc_of(who)
    }
    fn usdc_set_hook(&mut self, target: Address, data: Vec<u8>) {
        self.usdc.sender(admin_addr()).set_hook(target, data.into());
    }
    fn usdc_hook_result(&mut self) -> u8 {
        self.usdc.sender(admin_addr()).hook_result()
    }
    fn ctf_mint(&mut self, to: Address, id: U256, amount: u128) {
        self.ctf
            .sender(to)
            .mint(to, id, U256::from(amount))
            .motsu_unwrap();
        // The collateral behind the shares (the mock pays winners from it).
        self.usdc
            .sender(to)
            .mint(ctf_addr(), U256::from(amount))
            .motsu_unwrap();
    }
    fn ctf_split(&mut self, who: Address, m: &Market, amount: u128) -> Option<u64> {
        self.ctf_mint(who, m.yes, amount);
        self.ctf
            .sender(who)
            .mint(who, m.no, U256::from(amount))
            .motsu_unwrap();
        None
    }
    fn ctf_of(&mut self, who: Address, id: U256) -> u128 {
        self.wd().ctf_of(who, id)
    }
    fn ctf_push(
        &mut self,
        from: Address,
        to: Address,
        ids: &[U256],
        amounts: &[u128],
        data: Vec<u8>,
        batch: bool,
    ) -> Out {
        let n = self.pool.all_events().len();
        let values: Vec<U256> = amounts.iter().map(|a| U256::from(*a)).collect();
        let r = if batch {
            self.ctf
                .sender(from)
                .safe_batch_transfer_from(from, to, ids.to_vec(), values, data.into())
                .motsu_res()
        } else {
            self.ctf
                .sender(from)
                .safe_transfer_from(from, to, ids[0], values[0], data.into())
                .motsu_res()
        };
        let mut o = out_of(r.map(|_| Vec::new()).map_err(Vec::<u8>::from));
        if o.ok {
            o.logs = self.pool_logs_since(n);
        }
        o
    }
    fn ctf_set_winner(&mut self, condition: B256, index_set: U256) {
        self.ctf
            .sender(admin_addr())
            .set_winner(condition, index_set);
    }
    fn wallet_new(&mut self, owner: Address) -> Address {
        let a = wallet_addr(self.wallets.len() as u8);
        let w = Contract::<MockWallet>::new_at(a);
        w.sender(owner).set_owner(owner);
        self.wallets.push(w);
        a
    }
    fn wallet_exec(
        &mut self,
        wallet: Address,
        owner: Address,
        target: Address,
        data: Vec<u8>,
    ) -> Out {
        let n = self.pool.all_events().len();
        let r = self
            .wallet(wallet)
            .sender(owner)
            .exec(target, data.into())
            .motsu_res();
        let mut o = out_of(r);
        if o.ok {
            o.logs = self.pool_logs_since(n);
        }
        o
    }
    fn wallet_set_hook(&mut self, wallet: Address, target: Address, data: Vec<u8>) {
        self.wallet(wallet)
            .sender(wallet)
            .set_hook(target, data.into());
    }
    fn wallet_hook_result(&mut self, wallet: Address) -> u8 {
        self.wallet(wallet).sender(wallet).hook_result()
    }
}

/// The runtime backend: the release WASM and the test contracts' WASM in the
/// embedded Stylus runtime, every call a transaction with ABI calldata.
pub struct Chain {
    pub w: rt::World,
    wallets: u8,
    /// Receipt of the last transaction (for gas and traces).
    pub last: Option<rt::Receipt>,
    /// Call frames of the last transaction sent with [`Chain::tx`] (views,
    /// which replace `w.last_trace()`, leave it alone).
    pub last_tx_trace: Vec<rt::CallTrace>,
    /// The lowest `stylus_stack_left` any pool frame reached so far, over
    /// every transaction and view (Nitro's stack budget, see
    /// `runtime/src/meter.rs`).
    pub pool_stack_left_min: Option<u32>,
    /// Start a new block before every transaction (so that no program is a
    /// recent-wasms hit from an earlier transaction: ArbOS ≥ 60 prices a
    /// program called again within a block as cached).
    pub block_per_tx: bool,
    /// Gas limit of the transactions sent with [`Chain::tx`] (default
    /// `stylus_runtime::DEFAULT_GAS_LIMIT`, 30M).
    pub gas_limit: u64,
    /// Conditions the oracle prepared on this chain.
    prepared: HashSet<B256>,
}

impl Chain {
    /// The pool from `target/initcode.hex` with the real contracts at the
    /// addresses its constructor gets: the Solidity `TestUSDC` at
    /// [`usdc_addr`] (blacklister: the admin) and Gnosis's `ConditionalTokens`
    /// at [`ctf_addr`], both deployed by their constructors in revm; the
    /// pool's constructor runs with the same roles as `tests/common::World`.
    pub fn new() -> Self {
        let mut w = rt::World::new();
        assert_eq!(w.timestamp(), common::GENESIS, "same clock as motsu");
        for (name, a) in [("TestUSDC", usdc_addr()), ("ConditionalTokens", ctf_addr())] {
            let r = w.deploy_evm(admin_addr(), a, &sol_artifact(name));
            assert!(r.success, "deploy {name}: {:?}", r.error);
        }
        Self::with_pool(w)
    }

    fn with_pool(mut w: rt::World) -> Self {
        w.deploy_initcode_hex(pool_addr(), &initcode_hex())
            .expect("the pool's release artifact deploys");
        let mut c = Chain {
            w,
            wallets: 0,
            last: None,
            last_tx_trace: Vec::new(),
            pool_stack_left_min: None,
            block_per_tx: false,
            gas_limit: rt::DEFAULT_GAS_LIMIT,
            prepared: HashSet::new(),
        };
        let mut ctor = rt::CONSTRUCTOR_SELECTOR.to_vec();
        for a in [
            admin_addr(),
            usdc_addr(),
            ctf_addr(),
            oracle_account().address(),
            relayer_addr(),
        ] {
            ctor.extend_from_slice(&[0u8; 12]);
            ctor.extend_from_slice(a.as_slice());
        }
        c.tx(admin_addr(), pool_addr(), ctor).expect("constructor");
        c
    }

    /// The oracle prepares `m`'s condition on the real CTF (once per
    /// chain), and the CTF is asked for the ids: its `getConditionId`,
    /// `getCollectionId` (elliptic-curve hashing) and `getPositionId` must
    /// give `m`'s, i.e. what `common::collection_id` computes.
    pub fn prepare(&mut self, m: &Market) {
        if !self.prepared.insert(m.condition) {
            return;
        }
        let oracle = ctf_oracle();
        self.tx(
            oracle,
            ctf_addr(),
            IConditionalTokens::prepareConditionCall {
                oracle,
                questionId: m.question,
                outcomeSlotCount: U256::from(2),
            }
            .abi_encode(),
        )
        .expect("ctf.prepareCondition");
        let cond = self
            .view_of(
                ctf_addr(),
                IConditionalTokens::getConditionIdCall {
                    oracle,
                    questionId: m.question,
                    outcomeSlotCount: U256::from(2),
                },
            )
            ._0;
        assert_eq!(cond, m.condition, "getConditionId");
        for i in [1u8, 2] {
            let collection = self
                .view_of(
                    ctf_addr(),
                    IConditionalTokens::getCollectionIdCall {
                        parentCollectionId: B256::ZERO,
                        conditionId: cond,
                        indexSet: U256::from(i),
                    },
                )
                ._0;
            let id = self
                .view_of(
                    ctf_addr(),
                    IConditionalTokens::getPositionIdCall {
                        collateralToken: usdc_addr(),
                        collectionId: collection,
                    },
                )
                ._0;
            assert_eq!(
                id,
                m.outcome(i),
                "the CTF's position id of index set {i} is common::position_id's"
            );
        }
    }

    /// The USDC blacklister (the admin, TestUSDC's deployer) blacklists
    /// `who` (or lifts it).
    pub fn usdc_blacklist(&mut self, who: Address, on: bool) {
        let data = if on {
            IBlacklist::blacklistCall { account: who }.abi_encode()
        } else {
            IBlacklist::unBlacklistCall { account: who }.abi_encode()
        };
        self.tx(admin_addr(), usdc_addr(), data)
            .expect("usdc.blacklist");
    }

    /// A transaction; pool events and gas in the `Out`.
    pub fn tx(&mut self, from: Address, to: Address, data: Vec<u8>) -> Out {
        if self.block_per_tx {
            let n = self.w.block_number();
            self.w.set_block_number(n + 1);
        }
        let r = self.w.transact(rt::Tx {
            from,
            to,
            value: U256::ZERO,
            data,
            gas_limit: self.gas_limit,
        });
        let o = Out {
            ok: r.success,
            data: r.output.clone(),
            logs: r
                .logs
                .iter()
                .filter(|l| l.address == pool_addr())
                .map(|l| (l.topics.clone(), l.data.clone()))
                .collect(),
            gas: Some((r.gas_used, r.gas)),
        };
        self.last = Some(r);
        self.last_tx_trace = self.w.last_trace().to_vec();
        self.note_stack();
        o
    }

    /// Folds the pool frames of the last transaction or view into
    /// [`Chain::pool_stack_left_min`].
    fn note_stack(&mut self) {
        let low = self
            .w
            .last_trace()
            .iter()
            .filter(|f| f.to == pool_addr())
            .filter_map(|f| f.stack_left_min)
            .min();
        self.pool_stack_left_min = match (self.pool_stack_left_min, low) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }

    /// A static call's decoded return.
    #[track_caller]
    pub fn view_of<C: SolCall>(&mut self, to: Address, c: C) -> C::Return {
        let r = self.w.view(admin_addr(), to, &c.abi_encode());
        self.note_stack();
        assert!(
            r.success,
            "view failed: {:?} {}",
            r.error,
            describe(&r.output)
        );
        C::abi_decode_returns(&r.output, true).expect("decodes")
    }
}

impl Default for Chain {
    fn default() -> Self {
        Self::new()
    }
}

impl Backend for Chain {
    fn name(&self) -> &'static str {
        "wasm"
    }
    fn now(&self) -> u64 {
        self.w.timestamp()
    }
    fn advance(&mut self, secs: u64) {
        self.w.advance_time(secs);
    }
    fn pool_call(&mut self, from: Address, data: &[u8]) -> Out {
        self.tx(from, pool_addr(), data.to_vec())
    }
    fn pool_view(&mut self, data: &[u8]) -> Out {
        let r = self.w.view(admin_addr(), pool_addr(), data);
        self.note_stack();
        Out {
            ok: r.success,
            data: r.output,
            logs: vec![],
            gas: Some((r.gas_used, r.gas)),
        }
    }
    fn usdc_mint(&mut self, to: Address, amount: u128) {
        let c = ITestUsdc::mintCall {
            to,
            amount: U256::from(amount),
        };
        self.tx(to, usdc_addr(), c.abi_encode()).expect("usdc.mint");
    }
    fn usdc_approve(&mut self, owner: Address, spender: Address, amount: U256) {
        let c = ITestUsdc::approveCall {
            spender,
            value: amount,
        };
        self.tx(owner, usdc_addr(), c.abi_encode())
            .expect("usdc.approve");
    }
    fn usdc_of(&mut self, who: Address) -> u128 {
        self.view_of(usdc_addr(), ITestUsdc::balanceOfCall { account: who })
            ._0
            .to()
    }
    fn usdc_set_hook(&mut self, target: Address, data: Vec<u8>) {
        let c = ITestUsdc::setHookCall {
            target,
            data: data.into(),
        };
        self.tx(admin_addr(), usdc_addr(), c.abi_encode())
            .expect("usdc.setHook");
    }
    fn usdc_hook_result(&mut self) -> u8 {
        self.view_of(usdc_addr(), ITestUsdc::hookResultCall {})._0
    }
    fn ctf_mint(&mut self, to: Address, id: U256, amount: u128) {
        let (m, _) = market_of(id);
        self.ctf_split(to, &m, amount);
    }
    fn ctf_split(&mut self, who: Address, m: &Market, amount: u128) -> Option<u64> {
        self.prepare(m);
        self.usdc_mint(who, amount);
        self.usdc_approve(who, ctf_addr(), U256::from(amount));
        let o = self
            .tx(
                who,
                ctf_addr(),
                IConditionalTokens::splitPositionCall {
                    collateralToken: usdc_addr(),
                    parentCollectionId: B256::ZERO,
                    conditionId: m.condition,
                    partition: vec![U256::from(1), U256::from(2)],
                    amount: U256::from(amount),
                }
                .abi_encode(),
            )
            .expect("ctf.splitPosition");
        o.gas.map(|g| g.0)
    }
    fn ctf_of(&mut self, who: Address, id: U256) -> u128 {
        self.view_of(ctf_addr(), ITestCtf::balanceOfCall { account: who, id })
            ._0
            .to()
    }
    fn ctf_push(
        &mut self,
        from: Address,
        to: Address,
        ids: &[U256],
        amounts: &[u128],
        data: Vec<u8>,
        batch: bool,
    ) -> Out {
        let values: Vec<U256> = amounts.iter().map(|a| U256::from(*a)).collect();
        let cd = if batch {
            ITestCtf::safeBatchTransferFromCall {
                from,
                to,
                ids: ids.to_vec(),
                values,
                data: data.into(),
            }
            .abi_encode()
        } else {
            ITestCtf::safeTransferFromCall {
                from,
                to,
                id: ids[0],
                value: values[0],
                data: data.into(),
            }
            .abi_encode()
        };
        let mut o = self.tx(from, ctf_addr(), cd);
        if o.ok {
            o.data.clear();
        }
        o
    }
    fn ctf_set_winner(&mut self, condition: B256, index_set: U256) {
        let m = market_of_condition(condition);
        self.prepare(&m);
        let payouts = if index_set == U256::from(1) {
            vec![U256::from(1), U256::ZERO]
        } else {
            assert_eq!(index_set, U256::from(2), "a binary market's outcome");
            vec![U256::ZERO, U256::from(1)]
        };
        self.tx(
            ctf_oracle(),
            ctf_addr(),
            IConditionalTokens::reportPayoutsCall {
                questionId: m.question,
                payouts,
            }
            .abi_encode(),
        )
        .expect("ctf.reportPayouts");
    }
    fn wallet_new(&mut self, owner: Address) -> Address {
        let a = wallet_addr(self.wallets);
        self.wallets += 1;
        self.w
            .deploy(a, &test_contract("test-wallet"))
            .expect("deploy test-wallet");
        self.tx(owner, a, ITestWallet::setOwnerCall { owner }.abi_encode())
            .expect("wallet.setOwner");
        a
    }
    fn wallet_exec(
        &mut self,
        wallet: Address,
        owner: Address,
        target: Address,
        data: Vec<u8>,
    ) -> Out {
        let c = ITestWallet::execCall {
            target,
            data: data.into(),
        };
        let mut o = self.tx(owner, wallet, c.abi_encode());
        if o.ok {
            o.data = ITestWallet::execCall::abi_decode_returns(&o.data, true)
                .expect("exec returns bytes")
                ._0
                .to_vec();
        }
        o
    }
    fn wallet_set_hook(&mut self, wallet: Address, target: Address, data: Vec<u8>) {
        let c = ITestWallet::setHookCall {
            target,
            data: data.into(),
        };
        self.tx(wallet, wallet, c.abi_encode())
            .expect("wallet.setHook");
    }
    fn wallet_hook_result(&mut self, wallet: Address) -> u8 {
        self.view_of(wallet, ITestWallet::hookResultCall {})._0
    }
}

// ---------------------------------------------------------------------------
// Comparing the two
// ---------------------------------------------------------------------------

/// What a scenario observed, in order: (label, value).
#[derive(Default, Debug)]
pub struct Rec(pub Vec<(String, String)>);

impl Rec {
    /// Records a value.
    pub fn put(&mut self, label: &str, v: impl Debug) {
        self.0.push((label.to_string(), format!("{v:?}")));
    }

    /// Records a call's outcome: success and return data (or the error's
    /// name), and its pool events (topics and data).
    pub fn out(&mut self, label: &str, o: &Out) {
        if o.ok {
            self.put(
                &format!("{label}: returns"),
                alloy_primitives::hex::encode(&o.data),
            );
        } else {
            self.put(&format!("{label}: reverts"), describe(&o.data));
        }
        self.put(&format!("{label}: events"), &o.logs);
    }
}

/// Runs a scenario on motsu and on the runtime and asserts that both
/// recorded exactly the same values; returns both backends for
/// backend-specific checks.
pub fn compare(
    on_motsu: fn(&mut Motsu, &mut Rec),
    on_wasm: fn(&mut Chain, &mut Rec),
) -> (Motsu, Chain, Rec) {
    let mut c = Chain::new();
    let mut rc = Rec::default();
    on_wasm(&mut c, &mut rc);
    let mut m = Motsu::new();
    let mut rm = Rec::default();
    on_motsu(&mut m, &mut rm);
    assert_eq!(
        rm.0.len(),
        rc.0.len(),
        "both backends record the same steps"
    );
    for ((lm, vm), (lc, vc)) in rm.0.iter().zip(&rc.0) {
        assert_eq!(lm, lc, "same step order");
        assert_eq!(vm, vc, "motsu and the release WASM disagree on `{lm}`");
    }
    assert!(!rc.0.is_empty());
    (m, c, rc)
}
