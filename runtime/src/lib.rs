//! An embedded Arbitrum Stylus host for tests and scripts.
//!
//! [`World`] holds accounts, balances, storage and deployed WASM programs, and
//! runs transactions through them: each call frame gets a fresh `wasmi`
//! instance, the program's `user_entrypoint(args_len)` is called and the
//! `vm_hooks` imports are served with Nitro's semantics (storage cache and
//! flush, re-entrancy flag, static calls, return data) and Nitro's prices.
//! See `runtime/README.md` for the design and what is exact or approximate in
//! gas.

#![warn(missing_docs)]

pub mod activation;
pub mod gas;
mod host;
pub mod meter;
pub mod nitro;

pub use nitro::Nitro;

use std::{cell::RefCell, collections::HashMap, fmt, io::Read, rc::Rc, sync::Arc};

use alloy_primitives::{keccak256, PrimitiveSignature};
pub use alloy_primitives::{Address, Bytes, B256, U256};
use revm::{
    db::{AccountState, CacheDB, DbAccount, EmptyDB},
    interpreter::{
        gas as evm_gas,
        opcode::{make_instruction_table, InstructionTable},
        CallInputs, CallOutcome, CallScheme, Contract, CreateInputs, CreateOutcome, Gas,
        InstructionResult, Interpreter, InterpreterAction, InterpreterResult, SharedMemory,
    },
    precompile::PrecompileSpecId,
    primitives::{Bytecode, Env as RevmEnv, LogData, PragueSpec, SpecId},
    ContextPrecompiles, DatabaseCommit, EvmContext, Frame as RevmFrame, FrameOrResult, FrameResult,
};
use wasmi::{Config, Engine, Linker, Module, ValType};

/// stylus-sdk's constructor selector: `keccak256("stylus_constructor()")[..4]`.
/// The SDK router calls the contract's constructor when the calldata starts
/// with it (once only: the SDK guards it with a storage slot).
pub const CONSTRUCTOR_SELECTOR: [u8; 4] = [0x55, 0x85, 0x25, 0x8d];

/// The 4-byte ABI selector of a Solidity signature, e.g. `selector("asset()")`.
pub fn selector(signature: &str) -> [u8; 4] {
    let h = keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// Default chain id (Arbitrum Sepolia).
pub const DEFAULT_CHAIN_ID: u64 = 421_614;
/// Default block timestamp (2025-01-01T00:00:00Z).
pub const DEFAULT_TIMESTAMP: u64 = 1_735_689_600;
/// Default transaction gas limit of [`World::call`] and friends.
pub const DEFAULT_GAS_LIMIT: u64 = 30_000_000;

/// Errors of deployment and artifact decoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeError {
    /// The bytes are not a WASM module valid under Nitro's feature set.
    InvalidWasm(String),
    /// The module imports something this host does not provide.
    UnsupportedImport {
        /// Import module (only `vm_hooks` is accepted).
        module: String,
        /// Import name.
        name: String,
        /// Why it is refused.
        reason: String,
    },
    /// Stylus activation would refuse the module ([`activation::check`]);
    /// the error names the rule.
    Activation(activation::ActivationError),
    /// The initcode/hex artifact could not be decoded.
    BadArtifact(String),
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuntimeError::InvalidWasm(e) => {
                write!(f, "invalid WASM under Nitro's feature set: {e}")
            }
            RuntimeError::UnsupportedImport {
                module,
                name,
                reason,
            } => write!(f, "unsupported import `{module}::{name}`: {reason}"),
            RuntimeError::Activation(e) => write!(f, "Stylus activation would refuse it: {e}"),
            RuntimeError::BadArtifact(e) => write!(f, "bad artifact: {e}"),
        }
    }
}

impl std::error::Error for RuntimeError {}

/// A transaction.
#[derive(Debug, Clone)]
pub struct Tx {
    /// Sender (an EOA: becomes `tx.origin` and the first `msg.sender`).
    pub from: Address,
    /// Called account.
    pub to: Address,
    /// Wei sent along.
    pub value: U256,
    /// Calldata.
    pub data: Vec<u8>,
    /// Gas limit (intrinsic gas included).
    pub gas_limit: u64,
}

/// An EVM log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// Emitting contract.
    pub address: Address,
    /// 0 to 4 topics.
    pub topics: Vec<B256>,
    /// Data bytes.
    pub data: Vec<u8>,
}

/// Where a transaction's gas went. All fields are gas; `gas_used ==
/// intrinsic + init + compute + storage + logs + calls + evm - refund`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GasBreakdown {
    /// 21,000 plus calldata (4 per zero byte, 16 per non-zero byte).
    pub intrinsic: u64,
    /// Program entry: init/cached cost and WASM memory pages.
    pub init: u64,
    /// WASM execution and hostio overheads (ink), plus the gas burnt by
    /// failed frames; whatever is not in another field.
    pub compute: u64,
    /// SLOAD (cache misses) and SSTORE (flushes) and the storage cache fees.
    pub storage: u64,
    /// LOG costs (375 + 375/topic + 8/byte).
    pub logs: u64,
    /// CALL costs (account access, value, new account), balance/code
    /// account-access costs and precompile gas.
    pub calls: u64,
    /// Gas used by EVM bytecode frames themselves (revm's interpreter:
    /// the Solidity tokens' opcodes, storage, logs, calls they make and
    /// precompiles they call), nested frames excluded.
    pub evm: u64,
    /// EIP-3529 refund granted (already capped at `used / 5`).
    pub refund: u64,
}

impl fmt::Display for GasBreakdown {
    /// One table row: `intrinsic init compute storage logs calls -refund`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "intrinsic {:>7} | init {:>6} | compute {:>7} | storage {:>7} | logs {:>6} | calls {:>7} | evm {:>7} | refund -{:>6}",
            self.intrinsic, self.init, self.compute, self.storage, self.logs, self.calls, self.evm, self.refund
        )
    }
}

/// The outcome of a transaction.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// Whether the top-level call succeeded (state committed).
    pub success: bool,
    /// Return data (the revert data on a revert; empty after a trap).
    pub output: Vec<u8>,
    /// Logs, in order (empty on failure).
    pub logs: Vec<Log>,
    /// Total gas used, refund deducted.
    pub gas_used: u64,
    /// Breakdown of `gas_used`.
    pub gas: GasBreakdown,
    /// Why the top-level frame failed, if it did and the reason is known
    /// (`"revert"`, `"out of gas"`, `"out of stack"`, a trap message, ...).
    pub error: Option<String>,
    /// The lowest `stylus_stack_left` (words) any program frame of the
    /// transaction reached (each frame starts with `Nitro::max_stack_depth`);
    /// `None` if no program ran.
    pub stack_left_min: Option<u32>,
    /// The account a creation ([`World::deploy_evm`]) made, if it succeeded.
    pub created: Option<Address>,
}

impl Receipt {
    /// The 4-byte error selector of revert data, if any.
    pub fn revert_selector(&self) -> Option<[u8; 4]> {
        (!self.success && self.output.len() >= 4).then(|| {
            let mut s = [0; 4];
            s.copy_from_slice(&self.output[..4]);
            s
        })
    }
}

/// Kind of a call frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    /// A transaction's top-level call or `call_contract`.
    Call,
    /// `static_call_contract` (or [`World::view`]).
    Static,
    /// `delegate_call_contract` (or an EVM `DELEGATECALL`).
    Delegate,
    /// An EVM `CALLCODE`.
    CallCode,
    /// A contract creation (EVM `CREATE`/`CREATE2`, [`World::deploy_evm`]).
    Create,
}

/// One call frame of the last transaction, in the order frames started.
#[derive(Debug, Clone)]
pub struct CallTrace {
    /// 0 for the top-level call.
    pub depth: usize,
    /// Call kind.
    pub kind: CallKind,
    /// `msg.sender` of the frame.
    pub from: Address,
    /// Called account (the code's address for delegate calls).
    pub to: Address,
    /// Value sent.
    pub value: U256,
    /// First four bytes of the calldata, if it has them.
    pub selector: Option<[u8; 4]>,
    /// The calldata.
    pub input: Vec<u8>,
    /// Return data (revert data on a revert; empty after a trap).
    pub output: Vec<u8>,
    /// Whether the frame succeeded.
    pub success: bool,
    /// Gas the frame used (excluding the caller-side call costs).
    pub gas_used: u64,
    /// Failure reason, if any.
    pub error: Option<String>,
    /// Whether the frame was entered re-entrantly: its (storage) address was
    /// already on the call stack, i.e. what `msg_reentrant` answers in it.
    pub reentrant: bool,
    /// The lowest `stylus_stack_left` (words) the frame's program reached,
    /// if a program ran; `Nitro::max_stack_depth` minus this is the stack the
    /// frame used.
    pub stack_left_min: Option<u32>,
}

/// An activated Stylus program (keyed by the code hash of its account).
#[derive(Clone)]
struct Program {
    /// Compiled module (shared by every account with the same WASM).
    module: Module,
    /// Initial memory pages.
    pages: u64,
    /// Entry costs measured at activation.
    costs: gas::ProgramCosts,
}

/// Block values a test controls.
#[derive(Debug, Clone)]
struct BlockEnv {
    chain_id: u64,
    timestamp: u64,
    number: u64,
    basefee: U256,
    coinbase: Address,
    gas_limit: u64,
    gas_price: U256,
}

/// The world's state database: revm's in-memory cache over an empty
/// database (accounts, balances, nonces, code, storage).
type Db = CacheDB<EmptyDB>;
/// revm's execution context over [`Db`]: the journal (state, warm sets,
/// logs, checkpoints), the block/tx environment and the precompiles.
type Ctx = revm::Context<(), Db>;

/// The EVM fork the EVM side runs: Prague (ArbOS 40+ follows Ethereum's
/// Prague; ArbOS 61 is past it).
pub const EVM_SPEC: SpecId = SpecId::PRAGUE;

/// revm's instruction table for [`EVM_SPEC`] over our context.
static EVM_TABLE: InstructionTable<Ctx> = make_instruction_table::<Ctx, PragueSpec>();

/// Stylus code prefix (`EF F0 00`): an account whose code starts with it
/// runs in the WASM host, any other code in revm's interpreter.
pub const STYLUS_PREFIX: [u8; 3] = [0xef, 0xf0, 0x00];

/// Transaction-wide execution state, shared by every frame of a transaction.
struct Env {
    /// revm's context: the one journal of both worlds.
    ctx: Ctx,
    programs: Arc<HashMap<B256, Program>>,
    /// Context addresses of the frames running, and whether each counts
    /// for `msg_reentrant` (CALL/STATICCALL frames do, DELEGATECALL and
    /// CALLCODE frames do not), EVM frames included.
    stack: Vec<(Address, bool)>,
    open_pages: u64,
    ever_pages: u64,
    nitro: Nitro,
    /// Code hashes of the block's most recent programs, newest last.
    recent: Vec<B256>,
    /// Code hashes of the programs in the cache manager's cache.
    cached: Vec<B256>,
    /// Ink spent per category (see [`GasBreakdown`]).
    spent: Spent,
    trace: Vec<CallTrace>,
    engine: Engine,
    linker: Rc<Linker<host::Frame>>,
}

#[derive(Default, Clone, Copy)]
struct Spent {
    init: u64,
    storage: u64,
    logs: u64,
    calls: u64,
    /// Gas (not ink) used by EVM frames themselves (nested frames excluded).
    evm: u64,
}

/// The in-memory database cannot fail.
fn infallible<T>(r: Result<T, revm::primitives::EVMError<std::convert::Infallible>>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => unreachable!("the in-memory database does not fail: {e:?}"),
    }
}

impl Env {
    /// Loads `a` into the journal (warming it); returns whether it was cold.
    fn warm_account(&mut self, a: Address) -> bool {
        infallible(self.ctx.evm.load_account(a)).is_cold
    }
    /// EIP-2929 account access cost.
    fn access_cost(&mut self, a: Address) -> u64 {
        if self.warm_account(a) {
            gas::COLD_ACCOUNT
        } else {
            gas::WARM_READ
        }
    }
    /// EIP-161 empty (no code, zero balance, nonce 0); `a` must be loaded.
    fn is_empty(&mut self, a: Address) -> bool {
        infallible(self.ctx.evm.load_account(a))
            .data
            .state_clear_aware_is_empty(EVM_SPEC)
    }
    fn balance(&mut self, a: Address) -> (U256, bool) {
        let l = infallible(self.ctx.evm.balance(a));
        (l.data, l.is_cold)
    }
    /// The code of `a` as `EXTCODECOPY` sees it, and whether `a` was cold.
    fn code(&mut self, a: Address) -> (Bytes, bool) {
        let l = infallible(self.ctx.evm.code(a));
        (l.data, l.is_cold)
    }
    /// `EXTCODEHASH` (0 for an empty account), and whether `a` was cold.
    fn codehash(&mut self, a: Address) -> (B256, bool) {
        let l = infallible(self.ctx.evm.code_hash(a));
        (l.data, l.is_cold)
    }
    /// SLOAD through the journal: value and whether the slot was cold.
    fn sload(&mut self, a: Address, k: U256) -> (B256, bool) {
        let l = infallible(self.ctx.evm.sload(a, k));
        (B256::from(l.data.to_be_bytes::<32>()), l.is_cold)
    }
    /// SSTORE through the journal, priced by revm (EIP-2200 + 2929 + 3529):
    /// returns the gas and the refund delta.
    fn sstore(&mut self, a: Address, k: U256, new: B256) -> (u64, i64) {
        let l = infallible(self.ctx.evm.sstore(a, k, U256::from_be_bytes(new.0)));
        let cost = evm_gas::sstore_cost(EVM_SPEC, &l.data, u64::MAX, l.is_cold)
            .expect("the sentry is checked by the hostio");
        (cost, evm_gas::sstore_refund(EVM_SPEC, &l.data))
    }
    fn log(&mut self, log: Log) {
        self.ctx.evm.journaled_state.log(revm::primitives::Log {
            address: log.address,
            data: LogData::new_unchecked(log.topics, log.data.into()),
        });
    }
    fn block(&self) -> &revm::primitives::BlockEnv {
        &self.ctx.evm.env.block
    }
    fn chain_id(&self) -> u64 {
        self.ctx.evm.env.cfg.chain_id
    }
    fn gas_price(&self) -> U256 {
        self.ctx.evm.env.tx.gas_price
    }
    fn origin(&self) -> Address {
        self.ctx.evm.env.tx.caller
    }
    /// Records a program call in the block's recent-wasms list; returns
    /// whether it was there.
    fn recent_wasm(&mut self, hash: B256) -> bool {
        let hit = match self.recent.iter().position(|h| *h == hash) {
            Some(i) => {
                self.recent.remove(i);
                true
            }
            None => false,
        };
        self.recent.push(hash);
        if self.recent.len() > nitro::RECENT_WASMS {
            self.recent.remove(0);
        }
        hit
    }
    /// Opens `pages` pages: returns their gas under Nitro's memory model
    /// ([`Nitro::memory_gas`]; `u64::MAX` when unpayable).
    fn open_pages(&mut self, pages: u64) -> u64 {
        let cost = self
            .nitro
            .memory_gas(pages, self.open_pages, self.ever_pages);
        self.open_pages = self.open_pages.saturating_add(pages);
        self.ever_pages = self.ever_pages.max(self.open_pages);
        cost
    }
}

/// A call about to run.
pub(crate) struct Msg {
    pub kind: CallKind,
    pub caller: Address,
    /// Storage/context address (`contract_address`).
    pub address: Address,
    /// Whose code runs.
    pub code_address: Address,
    pub value: U256,
    pub input: Vec<u8>,
    pub gas: u64,
    pub is_static: bool,
    pub depth: usize,
}

impl Msg {
    /// The call an EVM frame asks for (`CALL`, `STATICCALL`,
    /// `DELEGATECALL`, `CALLCODE`).
    fn from_evm(inputs: &CallInputs, depth: usize) -> Msg {
        let kind = match inputs.scheme {
            CallScheme::Call | CallScheme::ExtCall => CallKind::Call,
            CallScheme::StaticCall | CallScheme::ExtStaticCall => CallKind::Static,
            CallScheme::DelegateCall | CallScheme::ExtDelegateCall => CallKind::Delegate,
            CallScheme::CallCode => CallKind::CallCode,
        };
        Msg {
            kind,
            caller: inputs.caller,
            address: inputs.target_address,
            code_address: inputs.bytecode_address,
            value: inputs.value.get(),
            input: inputs.input.to_vec(),
            gas: inputs.gas_limit,
            is_static: inputs.is_static,
            depth,
        }
    }
    /// Whether the frame moves `value` from the caller to the context.
    fn transfers(&self) -> bool {
        matches!(self.kind, CallKind::Call | CallKind::CallCode) && !self.value.is_zero()
    }
}

/// A finished call.
pub(crate) struct Outcome {
    pub success: bool,
    pub output: Vec<u8>,
    pub gas_left: u64,
    pub error: Option<String>,
    /// Lowest `stylus_stack_left` of the program, if one ran.
    pub stack_left_min: Option<u32>,
    /// EIP-3529 refund the frame (and its committed children) earned;
    /// the caller takes it only when the frame succeeded.
    pub refund: i64,
}

impl Outcome {
    fn fail(gas_left: u64, error: impl Into<String>) -> Self {
        Outcome {
            success: false,
            output: Vec::new(),
            gas_left,
            error: Some(error.into()),
            stack_left_min: None,
            refund: 0,
        }
    }
    fn ok(gas_left: u64, output: Vec<u8>) -> Self {
        Outcome {
            success: true,
            output,
            gas_left,
            error: None,
            stack_left_min: None,
            refund: 0,
        }
    }
    /// The outcome as an EVM caller sees it: success returns the gas left
    /// and the refund; any failure is a revert with the gas left (zero
    /// after out of gas/stack, which burn everything).
    fn to_evm(&self, gas_limit: u64) -> InterpreterResult {
        let mut gas = Gas::new(gas_limit);
        let _ = gas.record_cost(gas_limit.saturating_sub(self.gas_left));
        if self.success {
            gas.record_refund(self.refund);
        }
        InterpreterResult {
            result: if self.success {
                InstructionResult::Return
            } else {
                InstructionResult::Revert
            },
            output: Bytes::from(self.output.clone()),
            gas,
        }
    }
    /// An EVM frame's result as an outcome: gas comes back on success and
    /// revert, an exceptional halt burns it.
    fn from_evm(r: &InterpreterResult) -> Outcome {
        let success = r.result.is_ok();
        let revert = r.result.is_revert();
        Outcome {
            success,
            output: r.output.to_vec(),
            gas_left: if success || revert {
                r.gas.remaining()
            } else {
                0
            },
            error: if success {
                None
            } else if revert {
                Some("revert".into())
            } else {
                Some(format!("evm: {:?}", r.result))
            },
            stack_left_min: None,
            refund: if success { r.gas.refunded() } else { 0 },
        }
    }
}

fn push_trace(env: &Rc<RefCell<Env>>, msg: &Msg) -> usize {
    let mut e = env.borrow_mut();
    e.trace.push(CallTrace {
        depth: msg.depth,
        kind: msg.kind,
        from: msg.caller,
        to: msg.code_address,
        value: msg.value,
        selector: msg.input.get(..4).map(|s| s.try_into().unwrap_or_default()),
        input: msg.input.clone(),
        output: Vec::new(),
        success: false,
        gas_used: 0,
        error: None,
        reentrant: false,
        stack_left_min: None,
    });
    e.trace.len() - 1
}

fn finish_trace(env: &Rc<RefCell<Env>>, i: usize, gas: u64, out: &Outcome) {
    let mut e = env.borrow_mut();
    let t = &mut e.trace[i];
    t.success = out.success;
    t.gas_used = gas.saturating_sub(out.gas_left);
    t.error = out.error.clone();
    t.output = out.output.clone();
    t.stack_left_min = out.stack_left_min;
}

/// Runs one call frame, EVM or Stylus, from either world: a journal
/// checkpoint (revm's), the value transfer, then a precompile (revm's),
/// the account's EVM bytecode (revm's interpreter) or its Stylus program
/// (the WASM host); the checkpoint is committed on success and reverted on
/// failure, for both worlds at once.
pub(crate) fn execute(env: &Rc<RefCell<Env>>, msg: Msg) -> Outcome {
    let trace_index = push_trace(env, &msg);
    let gas = msg.gas;
    let out = if msg.depth > gas::MAX_DEPTH {
        Outcome::fail(msg.gas, "call depth exceeded")
    } else {
        let checkpoint = env.borrow_mut().ctx.evm.journaled_state.checkpoint();
        let counted = !matches!(msg.kind, CallKind::Delegate | CallKind::CallCode);
        env.borrow_mut().stack.push((msg.address, counted));
        let out = execute_inner(env, &msg);
        let mut e = env.borrow_mut();
        e.stack.pop();
        if out.success {
            e.ctx.evm.journaled_state.checkpoint_commit();
        } else {
            e.ctx.evm.journaled_state.checkpoint_revert(checkpoint);
        }
        out
    };
    finish_trace(env, trace_index, gas, &out);
    out
}

fn execute_inner(env: &Rc<RefCell<Env>>, msg: &Msg) -> Outcome {
    let (code, hash) = {
        let mut e = env.borrow_mut();
        let e = &mut *e;
        if msg.transfers() {
            if msg.is_static {
                return Outcome::fail(0, "value transfer in a static context");
            }
            let inner = &mut e.ctx.evm.inner;
            let refused = infallible(inner.journaled_state.transfer(
                &msg.caller,
                &msg.address,
                msg.value,
                &mut inner.db,
            ));
            if refused.is_some() {
                return Outcome::fail(msg.gas, "insufficient balance for value transfer");
            }
        } else {
            e.warm_account(msg.address);
            e.ctx.evm.journaled_state.touch(&msg.address);
        }
        let evm = &mut e.ctx.evm;
        if evm.precompiles.contains(&msg.code_address) {
            let input = Bytes::from(msg.input.clone());
            let res = evm
                .precompiles
                .call(&msg.code_address, &input, msg.gas, &mut evm.inner);
            return match res {
                Some(Ok(out)) if out.gas_used <= msg.gas => {
                    e.spent.calls += out.gas_used * gas::INK_PRICE;
                    Outcome::ok(msg.gas - out.gas_used, out.bytes.to_vec())
                }
                Some(Ok(_)) => Outcome::fail(0, "out of gas (precompile)"),
                Some(Err(err)) => Outcome::fail(0, format!("precompile: {err:?}")),
                None => Outcome::fail(0, "precompile vanished"),
            };
        }
        let inner = &mut e.ctx.evm.inner;
        let acct = infallible(
            inner
                .journaled_state
                .load_code(msg.code_address, &mut inner.db),
        );
        (
            acct.data.info.code.clone().unwrap_or_default(),
            acct.data.info.code_hash,
        )
    };
    if code.is_empty() {
        return Outcome::ok(msg.gas, Vec::new());
    }
    if code.original_byte_slice().starts_with(&STYLUS_PREFIX) {
        let program = env.borrow().programs.get(&hash).cloned();
        match program {
            Some(p) => run_stylus(env, msg, &p, hash),
            None => Outcome::fail(0, "Stylus program not activated"),
        }
    } else {
        let contract = Contract::new(
            Bytes::from(msg.input.clone()),
            code,
            Some(hash),
            msg.address,
            Some(msg.code_address),
            msg.caller,
            msg.value,
        );
        let interp = Interpreter::new(contract, msg.gas, msg.is_static);
        Outcome::from_evm(&run_evm(env, interp, msg.gas, msg.depth))
    }
}

/// Runs an EVM frame in revm's interpreter; the calls and creates it asks
/// for run through [`execute`] (so they may be Stylus programs) and their
/// results go back into the interpreter.
fn run_evm(
    env: &Rc<RefCell<Env>>,
    mut interp: Interpreter,
    gas: u64,
    depth: usize,
) -> InterpreterResult {
    let mut memory = SharedMemory::new();
    memory.new_context();
    let mut children = 0u64;
    let result = loop {
        let action = {
            let mut e = env.borrow_mut();
            interp.run(memory, &EVM_TABLE, &mut e.ctx)
        };
        memory = interp.take_memory();
        match action {
            InterpreterAction::Call { inputs } => {
                let out = execute(env, Msg::from_evm(&inputs, depth + 1));
                children += inputs.gas_limit.saturating_sub(out.gas_left);
                interp.insert_call_outcome(
                    &mut memory,
                    CallOutcome::new(out.to_evm(inputs.gas_limit), inputs.return_memory_offset),
                );
            }
            InterpreterAction::Create { inputs } => {
                let outcome = execute_create(env, &inputs, depth + 1);
                children += inputs
                    .gas_limit
                    .saturating_sub(outcome.result.gas.remaining());
                interp.insert_create_outcome(outcome);
            }
            InterpreterAction::Return { result } => break result,
            InterpreterAction::EOFCreate { .. } | InterpreterAction::None => {
                break InterpreterResult {
                    result: InstructionResult::OpcodeNotFound,
                    output: Bytes::new(),
                    gas: Gas::new_spent(gas),
                }
            }
        }
    };
    let used = if result.result.is_ok() || result.result.is_revert() {
        gas - result.gas.remaining()
    } else {
        gas
    };
    env.borrow_mut().spent.evm += used.saturating_sub(children);
    result
}

/// `CREATE`/`CREATE2` from an EVM frame (revm's address derivation, nonce,
/// collision and code rules).
fn execute_create(env: &Rc<RefCell<Env>>, inputs: &CreateInputs, depth: usize) -> CreateOutcome {
    let msg = Msg {
        kind: CallKind::Create,
        caller: inputs.caller,
        address: Address::ZERO,
        code_address: Address::ZERO,
        value: inputs.value,
        input: inputs.init_code.to_vec(),
        gas: inputs.gas_limit,
        is_static: false,
        depth,
    };
    let index = push_trace(env, &msg);
    let frame = infallible(env.borrow_mut().ctx.evm.make_create_frame(EVM_SPEC, inputs));
    let outcome = match frame {
        FrameOrResult::Frame(RevmFrame::Create(f)) => {
            let f = *f;
            env.borrow_mut().trace[index].to = f.created_address;
            finish_create(
                env,
                f.frame_data.interpreter,
                f.created_address,
                f.frame_data.checkpoint,
                inputs.gas_limit,
                depth,
            )
        }
        FrameOrResult::Result(FrameResult::Create(o)) => o,
        _ => unreachable!("a create frame or result"),
    };
    finish_trace(
        env,
        index,
        inputs.gas_limit,
        &Outcome::from_evm(&outcome.result),
    );
    outcome
}

fn finish_create(
    env: &Rc<RefCell<Env>>,
    interp: Interpreter,
    address: Address,
    checkpoint: revm::JournalCheckpoint,
    gas: u64,
    depth: usize,
) -> CreateOutcome {
    env.borrow_mut().stack.push((address, true));
    let mut result = run_evm(env, interp, gas, depth);
    let mut e = env.borrow_mut();
    e.stack.pop();
    let code_gas_before = result.gas.remaining();
    e.ctx
        .evm
        .create_return::<PragueSpec>(&mut result, address, checkpoint);
    // The code deposit is EVM gas of this frame.
    e.spent.evm += code_gas_before.saturating_sub(result.gas.remaining());
    let ok = result.result.is_ok();
    CreateOutcome::new(result, ok.then_some(address))
}

/// Runs a Stylus program's frame: entry cost, re-entrancy flag, the WASM.
fn run_stylus(env: &Rc<RefCell<Env>>, msg: &Msg, code: &Program, hash: B256) -> Outcome {
    // Program entry (Nitro `CallProgram`, see NITRO.md "Program entry"):
    // memory footprint + `cachedGas` + `initGas` unless the program is
    // cached: by the cache manager (`World::cache_program`, the chain's
    // `cargo stylus cache bid`), or from ArbOS 60 as one of the block's 32
    // most recent programs (recent wasms).
    let (entry, reentrant, open_before, nitro) = {
        let mut e = env.borrow_mut();
        let nitro = e.nitro;
        let open_before = e.open_pages;
        let hit = e.recent_wasm(hash);
        let cached = (nitro.recent_wasms() && hit) || e.cached.contains(&hash);
        let entry = code
            .costs
            .entry_gas_with(&nitro, cached)
            .saturating_add(e.open_pages(code.pages));
        e.spent.init += entry.min(msg.gas) * gas::INK_PRICE;
        // Nitro counts the CALL/STATICCALL frames of the program's address
        // (this one included, pushed by `execute`); DELEGATECALL and
        // CALLCODE frames do not count.
        let count = e
            .stack
            .iter()
            .filter(|(a, c)| *a == msg.address && *c)
            .count();
        let reentrant = count > 1;
        if let Some(t) = e.trace.last_mut() {
            t.reentrant = reentrant;
        }
        (entry, reentrant, open_before, nitro)
    };
    let mut out = if msg.gas < entry {
        Outcome::fail(0, "out of gas (program entry)")
    } else {
        host::run_program(env, msg, &code.module, msg.gas - entry, reentrant)
    };
    // From ArbOS 31 a frame uses at least `evmMemoryCost(len(ret))`.
    if nitro.return_data_floor() {
        let floor = msg
            .gas
            .saturating_sub(nitro::evm_memory_cost(out.output.len() as u64));
        out.gas_left = out.gas_left.min(floor);
    }
    env.borrow_mut().open_pages = open_before;
    out
}

/// The ecrecover precompile: `hash ‖ v ‖ r ‖ s` (input right-padded to 128
/// bytes) → the 32-byte left-padded signer, or `None` (empty output).
/// (revm's precompile at `0x01` is what calls run; this is a helper for
/// tests.)
pub fn ecrecover(input: &[u8]) -> Option<Vec<u8>> {
    let mut buf = [0u8; 128];
    let n = input.len().min(128);
    buf[..n].copy_from_slice(&input[..n]);
    let hash = B256::from_slice(&buf[..32]);
    let v = U256::from_be_slice(&buf[32..64]);
    let parity = if v == U256::from(27) {
        false
    } else if v == U256::from(28) {
        true
    } else {
        return None;
    };
    let r = B256::from_slice(&buf[64..96]);
    let s = B256::from_slice(&buf[96..128]);
    if r.is_zero() || s.is_zero() {
        return None;
    }
    let sig = PrimitiveSignature::from_scalars_and_parity(r, s, parity);
    let addr = sig.recover_address_from_prehash(&hash).ok()?;
    let mut out = vec![0u8; 32];
    out[12..].copy_from_slice(addr.as_slice());
    Some(out)
}

/// The world: accounts, programs, block values.
pub struct World {
    /// revm's state database (accounts, balances, nonces, code, storage).
    db: Db,
    /// Activated Stylus programs by code hash.
    programs: Arc<HashMap<B256, Program>>,
    block: BlockEnv,
    engine: Engine,
    /// Compiled modules by keccak256 of the WASM and the parameters (ArbOS
    /// version included) they were checked and priced with.
    modules: HashMap<(B256, Nitro), (Module, u64, gas::ProgramCosts)>,
    last_trace: Vec<CallTrace>,
    /// The chain parameters, the one source of the ArbOS version: activation
    /// rules, prices and the stack budget all follow it.
    nitro: Nitro,
    /// The block's recent-wasms list (code hashes, newest last).
    recent: Vec<B256>,
    /// Code hashes the cache manager holds (`cache_program`).
    cached: Vec<B256>,
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// The engine configuration: Nitro's WASM feature set, no fuel (the
/// instrumentation meters ink), and a recursion limit above any depth
/// `MaxStackDepth` allows (every frame is at least 6 words), so the depth
/// checker, not wasmi, stops a recursion.
///
/// The engine does not depend on the ArbOS version, so that
/// [`World::set_arbos_version`] keeps the compiled modules runnable:
/// multi-value is on (whether a program may use it is decided by
/// [`activation::check`] at the world's version before anything is
/// compiled), and the recursion limit covers the largest budget (262,144
/// words, before ArbOS 50) as well as `nitro`'s.
fn engine(nitro: &Nitro) -> Engine {
    let max_stack_depth = nitro.max_stack_depth.max(Nitro::arbos(0).max_stack_depth);
    let mut c = Config::default();
    c.consume_fuel(false)
        .wasm_mutable_global(true)
        .wasm_sign_extension(true)
        .wasm_saturating_float_to_int(true)
        .wasm_bulk_memory(true)
        .floats(true)
        .wasm_multi_value(true)
        .wasm_multi_memory(false)
        .wasm_reference_types(false)
        .wasm_tail_call(false)
        .wasm_extended_const(false)
        .wasm_memory64(false)
        .wasm_custom_page_sizes(false)
        .wasm_wide_arithmetic(false)
        .set_max_recursion_depth((max_stack_depth as usize / 6).max(1_000) + 16)
        .set_max_stack_height(64 << 20)
        .compilation_mode(wasmi::CompilationMode::Eager);
    Engine::new(&c)
}

/// What a transaction does at the top.
enum Action {
    /// A call (or a static call for [`World::view`]).
    Call(Tx, bool),
    /// A contract creation at `address` (the constructor runs there).
    CreateAt(Tx, Address),
}

impl World {
    /// An empty world: chain id 421614, timestamp 1,735,689,600, block 1,
    /// basefee 0.01 gwei, block gas limit 32M, gas price = basefee, ArbOS 61
    /// (Stylus version 2).
    pub fn new() -> Self {
        Self::with_nitro(Nitro::default())
    }

    /// An empty world (as [`World::new`]) priced and checked with the
    /// parameters of `nitro` (e.g. `Nitro::arbos(51)` for Arbitrum One
    /// before 2026-08-20).
    pub fn with_nitro(nitro: Nitro) -> Self {
        let engine = engine(&nitro);
        World {
            db: Db::new(EmptyDB::default()),
            programs: Arc::new(HashMap::new()),
            block: BlockEnv {
                chain_id: DEFAULT_CHAIN_ID,
                timestamp: DEFAULT_TIMESTAMP,
                number: 1,
                basefee: U256::from(10_000_000u64),
                coinbase: Address::ZERO,
                gas_limit: 32_000_000,
                gas_price: U256::from(10_000_000u64),
            },
            engine,
            modules: HashMap::new(),
            last_trace: Vec::new(),
            nitro,
            recent: Vec::new(),
            cached: Vec::new(),
        }
    }

    /// Puts the program at `address` into the cache manager's cache (what
    /// `cargo stylus cache bid` buys on chain): from now on its calls pay
    /// `cachedGas` only, not `initGas` (NITRO.md, "Program entry"). Returns
    /// false when `address` holds no Stylus program.
    pub fn cache_program(&mut self, address: Address) -> bool {
        let Some(hash) = self
            .db
            .accounts
            .get(&address)
            .map(|a| a.info.code_hash)
            .filter(|h| self.programs.contains_key(h))
        else {
            return false;
        };
        if !self.cached.contains(&hash) {
            self.cached.push(hash);
        }
        true
    }

    /// The chain parameters this world prices and checks with.
    pub fn nitro(&self) -> Nitro {
        self.nitro
    }

    /// The ArbOS version of [`World::nitro`]: the version whose activation
    /// rules [`World::deploy`] applies and whose prices and stack budget
    /// calls pay (default [`activation::DEFAULT_ARBOS`], 61).
    pub fn arbos_version(&self) -> u64 {
        self.nitro.arbos_version
    }

    /// Switches the world to the parameters of ArbOS `arbos`
    /// (`Nitro::arbos(arbos)`): programs deployed from now on are checked
    /// and priced for it, and every call from now on runs under its rules
    /// (stack budget, recent wasms, return-data floor, SLOAD price).
    pub fn set_arbos_version(&mut self, arbos: u64) {
        self.nitro = Nitro::arbos(arbos);
    }

    /// Installs a WASM program at `address` (replacing any code there; storage
    /// and balance are kept). Refuses, naming the rule
    /// ([`RuntimeError::Activation`]), any module Stylus activation would
    /// refuse: this is [`activation::check`] at [`World::arbos_version`], the
    /// same check the release artifact and the test contracts pass. Also
    /// refuses what this host cannot run: hostios it does not implement
    /// ([`RuntimeError::UnsupportedImport`]).
    pub fn deploy(&mut self, address: Address, wasm: &[u8]) -> Result<(), RuntimeError> {
        let mut bytes = STYLUS_PREFIX.to_vec();
        bytes.push(0);
        bytes.extend_from_slice(wasm);
        self.install(address, wasm, bytes)
    }

    /// Installs the program of a `cargo stylus get-initcode` artifact (hex,
    /// with or without `0x`) at `address`; `account_code` then returns the
    /// exact on-chain code (compressed), so code size and hash are real.
    pub fn deploy_initcode_hex(&mut self, address: Address, hex: &str) -> Result<(), RuntimeError> {
        let init = decode_hex(hex)?;
        let code = split_initcode(&init)?.to_vec();
        let wasm = decompress_code(&code)?;
        self.install(address, &wasm, code)
    }

    fn install(
        &mut self,
        address: Address,
        wasm: &[u8],
        bytes: Vec<u8>,
    ) -> Result<(), RuntimeError> {
        let key = (keccak256(wasm), self.nitro);
        let (module, pages, costs) = match self.modules.get(&key) {
            Some(m) => m.clone(),
            None => {
                let m = compile(&self.engine, &self.nitro, wasm)?;
                self.modules.insert(key, m.clone());
                m
            }
        };
        let hash = self.set_code(address, bytes);
        Arc::make_mut(&mut self.programs).insert(
            hash,
            Program {
                module,
                pages,
                costs,
            },
        );
        Ok(())
    }

    /// Sets an account's code (no constructor); returns its hash.
    fn set_code(&mut self, address: Address, bytes: Vec<u8>) -> B256 {
        let code = Bytecode::new_raw(bytes.into());
        let hash = code.hash_slow();
        let acct = self.db_account(address);
        acct.info.code_hash = hash;
        acct.info.code = Some(code.clone());
        self.db.contracts.insert(hash, code);
        hash
    }

    /// Installs EVM runtime bytecode at `address` as is (no constructor
    /// runs; storage and balance are kept), like a genesis allocation.
    pub fn deploy_evm_code(&mut self, address: Address, runtime_code: &[u8]) {
        self.set_code(address, runtime_code.to_vec());
    }

    /// Runs EVM `initcode` (constructor arguments appended) from `from` as a
    /// contract creation whose account is `address` (a fixed address instead
    /// of the one `CREATE` derives, so tests can share addresses with other
    /// backends); the returned code is installed there. The receipt's
    /// `created` is `Some(address)` on success.
    pub fn deploy_evm(&mut self, from: Address, address: Address, initcode: &[u8]) -> Receipt {
        self.run(Action::CreateAt(
            Tx {
                from,
                to: address,
                value: U256::ZERO,
                data: initcode.to_vec(),
                gas_limit: DEFAULT_GAS_LIMIT,
            },
            address,
        ))
    }

    fn db_account(&mut self, a: Address) -> &mut DbAccount {
        let acct = self.db.accounts.entry(a).or_default();
        if matches!(acct.account_state, AccountState::NotExisting) {
            acct.account_state = AccountState::None;
        }
        acct
    }

    /// Whether `a` has code.
    pub fn has_code(&self, a: Address) -> bool {
        self.db
            .accounts
            .get(&a)
            .is_some_and(|x| !x.info.is_empty_code_hash())
    }

    /// An account's code (empty for an EOA).
    pub fn code(&self, a: Address) -> Vec<u8> {
        self.db
            .accounts
            .get(&a)
            .and_then(|x| x.info.code.as_ref())
            .map(|c| c.original_byte_slice().to_vec())
            .unwrap_or_default()
    }

    /// Sets an account's balance.
    pub fn set_balance(&mut self, a: Address, wei: U256) {
        self.db_account(a).info.balance = wei;
    }
    /// An account's balance.
    pub fn balance(&self, a: Address) -> U256 {
        self.db
            .accounts
            .get(&a)
            .map(|x| x.info.balance)
            .unwrap_or_default()
    }
    /// An account's nonce (transactions it sent; [`World::view`] does not
    /// count).
    pub fn nonce(&self, a: Address) -> u64 {
        self.db
            .accounts
            .get(&a)
            .map(|x| x.info.nonce)
            .unwrap_or_default()
    }
    /// Sets an account's nonce.
    pub fn set_nonce(&mut self, a: Address, nonce: u64) {
        self.db_account(a).info.nonce = nonce;
    }
    /// Sets the block timestamp.
    pub fn set_timestamp(&mut self, t: u64) {
        self.block.timestamp = t;
    }
    /// The block timestamp.
    pub fn timestamp(&self) -> u64 {
        self.block.timestamp
    }
    /// Moves the block timestamp forward.
    pub fn advance_time(&mut self, secs: u64) {
        self.block.timestamp = self.block.timestamp.saturating_add(secs);
    }
    /// Sets the block number.
    /// A new block number starts a new block: the recent-wasms cache
    /// (ArbOS ≥ 60) is emptied.
    pub fn set_block_number(&mut self, n: u64) {
        if n != self.block.number {
            self.recent.clear();
        }
        self.block.number = n;
    }
    /// The block number.
    pub fn block_number(&self) -> u64 {
        self.block.number
    }
    /// Sets the chain id.
    pub fn set_chain_id(&mut self, id: u64) {
        self.block.chain_id = id;
    }
    /// Sets the block basefee (also the gas price).
    pub fn set_basefee(&mut self, wei: U256) {
        self.block.basefee = wei;
        self.block.gas_price = wei;
    }
    /// Sets the transaction gas price (`tx_gas_price`). No fee is charged to
    /// balances: gas is only accounted.
    pub fn set_gas_price(&mut self, wei: U256) {
        self.block.gas_price = wei;
    }
    /// Sets the block coinbase.
    pub fn set_coinbase(&mut self, a: Address) {
        self.block.coinbase = a;
    }
    /// Sets the block gas limit (`block_gas_limit`).
    pub fn set_block_gas_limit(&mut self, g: u64) {
        self.block.gas_limit = g;
    }
    /// A storage slot.
    pub fn storage(&self, a: Address, slot: U256) -> B256 {
        self.db
            .accounts
            .get(&a)
            .and_then(|x| x.storage.get(&slot).copied())
            .map(|v| B256::from(v.to_be_bytes::<32>()))
            .unwrap_or_default()
    }
    /// Writes a storage slot directly.
    pub fn set_storage(&mut self, a: Address, slot: U256, v: B256) {
        self.db_account(a)
            .storage
            .insert(slot, U256::from_be_bytes(v.0));
    }
    /// The call frames of the last transaction, in start order.
    pub fn last_trace(&self) -> &[CallTrace] {
        &self.last_trace
    }

    /// Runs a transaction: commits on success, rolls back on failure.
    pub fn transact(&mut self, tx: Tx) -> Receipt {
        self.run(Action::Call(tx, false))
    }

    /// Calls `to` with value 0 and gas limit 30M.
    pub fn call(&mut self, from: Address, to: Address, data: &[u8]) -> Receipt {
        self.call_with_value(from, to, U256::ZERO, data)
    }

    /// Calls `to` with `value` wei and gas limit 30M.
    pub fn call_with_value(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
        data: &[u8],
    ) -> Receipt {
        self.transact(Tx {
            from,
            to,
            value,
            data: data.to_vec(),
            gas_limit: DEFAULT_GAS_LIMIT,
        })
    }

    /// A static call (writes, logs and value transfers fail); never commits.
    pub fn view(&mut self, from: Address, to: Address, data: &[u8]) -> Receipt {
        self.run(Action::Call(
            Tx {
                from,
                to,
                value: U256::ZERO,
                data: data.to_vec(),
                gas_limit: DEFAULT_GAS_LIMIT,
            },
            true,
        ))
    }

    fn run(&mut self, action: Action) -> Receipt {
        let (tx, is_static) = match &action {
            Action::Call(tx, s) => (tx, *s),
            Action::CreateAt(tx, _) => (tx, false),
        };
        let intrinsic = match action {
            Action::Call(..) => gas::intrinsic(&tx.data),
            // + CREATE (32,000) and EIP-3860's 2 per initcode word.
            Action::CreateAt(..) => {
                gas::intrinsic(&tx.data) + 32_000 + 2 * (tx.data.len() as u64).div_ceil(32)
            }
        };
        if tx.gas_limit < intrinsic {
            self.last_trace.clear();
            return Receipt {
                success: false,
                output: Vec::new(),
                logs: Vec::new(),
                gas_used: 0,
                gas: GasBreakdown::default(),
                error: Some(format!(
                    "intrinsic gas too low: {} < {intrinsic}",
                    tx.gas_limit
                )),
                stack_left_min: None,
                created: None,
            };
        }
        let _ = is_static;
        // Nested frames recurse on the native stack (host call -> wasmi ->
        // host call ...), so transactions run on a thread with a large,
        // lazily committed stack: 1024 nested frames must not overflow it.
        let engine = self.engine.clone();
        let nitro = self.nitro;
        let db = std::mem::take(&mut self.db);
        let recent = std::mem::take(&mut self.recent);
        let programs = self.programs.clone();
        let cached = self.cached.clone();
        let block = self.block.clone();
        let joined = std::thread::scope(|s| {
            std::thread::Builder::new()
                .name("stylus-runtime-tx".into())
                .stack_size(EXEC_STACK)
                .spawn_scoped(s, move || {
                    exec_tx(
                        engine,
                        nitro,
                        (db, recent),
                        programs,
                        cached,
                        block,
                        action,
                        intrinsic,
                    )
                })
                .expect("spawning the transaction thread")
                .join()
        });
        let ((db, recent), trace, receipt) = match joined {
            Ok(r) => r,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        self.db = db;
        self.recent = recent;
        self.last_trace = trace;
        receipt
    }
}

/// Stack of the thread a transaction runs on (virtual; pages are committed
/// only as deep call chains touch them).
const EXEC_STACK: usize = 256 << 20;

type State = (Db, Vec<B256>);
type TxResult = (State, Vec<CallTrace>, Receipt);

/// revm's environment for a transaction of `block`.
fn revm_env(block: &BlockEnv, origin: Address, gas_limit: u64) -> Box<RevmEnv> {
    let mut env = RevmEnv::default();
    env.cfg.chain_id = block.chain_id;
    env.block.number = U256::from(block.number);
    env.block.timestamp = U256::from(block.timestamp);
    env.block.basefee = block.basefee;
    env.block.coinbase = block.coinbase;
    env.block.gas_limit = U256::from(block.gas_limit);
    env.block.prevrandao = Some(B256::ZERO);
    env.tx.caller = origin;
    env.tx.gas_price = block.gas_price;
    env.tx.gas_limit = gas_limit;
    Box::new(env)
}

fn exec_tx(
    engine: Engine,
    nitro: Nitro,
    (db, recent): State,
    programs: Arc<HashMap<B256, Program>>,
    cached: Vec<B256>,
    block: BlockEnv,
    action: Action,
    intrinsic: u64,
) -> TxResult {
    let (tx, is_static, create_at) = match action {
        Action::Call(tx, s) => (tx, s, None),
        Action::CreateAt(tx, a) => (tx, false, Some(a)),
    };
    let mut evm = EvmContext::new_with_env(db, revm_env(&block, tx.from, tx.gas_limit));
    evm.journaled_state.set_spec_id(EVM_SPEC);
    // The precompiles of the fork (ecrecover, sha256, ..., the bn128 ones
    // the CTF's getCollectionId uses), warm from the start (EIP-2929).
    evm.set_precompiles(ContextPrecompiles::new(PrecompileSpecId::from_spec_id(
        EVM_SPEC,
    )));
    let linker = Rc::new(host::linker(&engine));
    let env = Rc::new(RefCell::new(Env {
        ctx: revm::Context::new(evm, ()),
        programs,
        stack: Vec::new(),
        open_pages: 0,
        ever_pages: 0,
        nitro,
        recent,
        cached,
        spent: Spent::default(),
        trace: Vec::new(),
        engine,
        linker,
    }));
    {
        let mut e = env.borrow_mut();
        // EIP-2929: the sender, the target and the coinbase start warm.
        for a in [tx.from, tx.to, block.coinbase] {
            e.warm_account(a);
        }
        // A transaction bumps its sender's nonce, whatever its outcome
        // (outside the top frame's checkpoint); a view does not.
        if !is_static && create_at.is_none() {
            e.ctx.evm.journaled_state.inc_nonce(tx.from);
        }
    }
    let exec_gas = tx.gas_limit - intrinsic;
    let mut created = None;
    let out = match create_at {
        None => execute(
            &env,
            Msg {
                kind: if is_static {
                    CallKind::Static
                } else {
                    CallKind::Call
                },
                caller: tx.from,
                address: tx.to,
                code_address: tx.to,
                value: tx.value,
                input: tx.data,
                gas: exec_gas,
                is_static,
                depth: 0,
            },
        ),
        Some(address) => {
            let outcome = create_at_address(&env, &tx, address, exec_gas);
            created = outcome.address;
            Outcome::from_evm(&outcome.result)
        }
    };
    let Ok(env) = Rc::try_unwrap(env) else {
        unreachable!("frames hold no reference after returning")
    };
    let mut env = env.into_inner();
    let used = intrinsic + exec_gas.saturating_sub(out.gas_left);
    let refund = if out.success {
        (out.refund.max(0) as u64).min(used / 5)
    } else {
        0
    };
    let (state, logs) = env.ctx.evm.journaled_state.finalize();
    if !is_static {
        env.ctx.evm.db.commit(state);
    }
    let ink = |i: u64| i / gas::INK_PRICE;
    let mut b = GasBreakdown {
        intrinsic,
        init: ink(env.spent.init),
        compute: 0,
        storage: ink(env.spent.storage),
        logs: ink(env.spent.logs),
        calls: ink(env.spent.calls),
        evm: env.spent.evm,
        refund,
    };
    b.compute = used.saturating_sub(b.intrinsic + b.init + b.storage + b.logs + b.calls + b.evm);
    let receipt = Receipt {
        success: out.success,
        output: out.output,
        logs: if out.success && !is_static {
            logs.into_iter()
                .map(|l| Log {
                    address: l.address,
                    topics: l.data.topics().to_vec(),
                    data: l.data.data.to_vec(),
                })
                .collect()
        } else {
            Vec::new()
        },
        gas_used: used - refund,
        gas: b,
        error: out.error,
        stack_left_min: env.trace.iter().filter_map(|t| t.stack_left_min).min(),
        created,
    };
    ((env.ctx.evm.inner.db, env.recent), env.trace, receipt)
}

/// A top-level creation at a chosen address: revm's account creation
/// checkpoint (nonce 1, value), the constructor in revm's interpreter, and
/// revm's code rules at return (EIP-170 size, EIP-3541, code deposit).
fn create_at_address(env: &Rc<RefCell<Env>>, tx: &Tx, address: Address, gas: u64) -> CreateOutcome {
    let msg = Msg {
        kind: CallKind::Create,
        caller: tx.from,
        address,
        code_address: address,
        value: tx.value,
        input: tx.data.clone(),
        gas,
        is_static: false,
        depth: 0,
    };
    let index = push_trace(env, &msg);
    let checkpoint = {
        let mut e = env.borrow_mut();
        e.ctx.evm.journaled_state.inc_nonce(tx.from);
        e.warm_account(address);
        e.ctx
            .evm
            .journaled_state
            .create_account_checkpoint(tx.from, address, tx.value, EVM_SPEC)
    };
    let outcome = match checkpoint {
        Ok(checkpoint) => {
            let contract = Contract::new(
                Bytes::new(),
                Bytecode::new_legacy(tx.data.clone().into()),
                None,
                address,
                None,
                tx.from,
                tx.value,
            );
            let interp = Interpreter::new(contract, gas, false);
            finish_create(env, interp, address, checkpoint, gas, 0)
        }
        Err(e) => CreateOutcome::new(
            InterpreterResult {
                result: e,
                output: Bytes::new(),
                gas: Gas::new(gas),
            },
            None,
        ),
    };
    finish_trace(env, index, gas, &Outcome::from_evm(&outcome.result));
    outcome
}

/// Names and signatures of the `vm_hooks` this host implements.
pub(crate) const HOOKS: &[(&str, &[ValType], &[ValType])] = {
    use ValType::{I32, I64};
    &[
        ("read_args", &[I32], &[]),
        ("write_result", &[I32, I32], &[]),
        ("storage_load_bytes32", &[I32, I32], &[]),
        ("storage_cache_bytes32", &[I32, I32], &[]),
        ("storage_flush_cache", &[I32], &[]),
        ("account_balance", &[I32, I32], &[]),
        ("account_code", &[I32, I32, I32, I32], &[I32]),
        ("account_code_size", &[I32], &[I32]),
        ("account_codehash", &[I32, I32], &[]),
        ("block_basefee", &[I32], &[]),
        ("block_coinbase", &[I32], &[]),
        ("block_gas_limit", &[], &[I64]),
        ("block_number", &[], &[I64]),
        ("block_timestamp", &[], &[I64]),
        ("chainid", &[], &[I64]),
        ("call_contract", &[I32, I32, I32, I32, I64, I32], &[I32]),
        ("delegate_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
        ("static_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
        ("contract_address", &[I32], &[]),
        ("emit_log", &[I32, I32, I32], &[]),
        ("evm_gas_left", &[], &[I64]),
        ("evm_ink_left", &[], &[I64]),
        ("pay_for_memory_grow", &[I32], &[]),
        ("msg_reentrant", &[], &[I32]),
        ("msg_sender", &[I32], &[]),
        ("msg_value", &[I32], &[]),
        ("native_keccak256", &[I32, I32, I32], &[]),
        ("read_return_data", &[I32, I32, I32], &[I32]),
        ("return_data_size", &[], &[I32]),
        ("tx_gas_price", &[I32], &[]),
        ("tx_ink_price", &[], &[I32]),
        ("tx_origin", &[I32], &[]),
    ]
};

/// Checks a program as activation would ([`activation::check`] at
/// `nitro.arbos_version`), instruments it as activation does
/// ([`meter::instrument`]) and compiles the result; returns the module, its
/// initial memory pages and its entry costs under `nitro`.
///
/// Beyond activation, only what this host cannot run is refused: `vm_hooks`
/// it does not implement (`create1`, `create2`: [`RuntimeError::UnsupportedImport`])
/// and what the instrumentation or `wasmi` cannot handle
/// ([`RuntimeError::InvalidWasm`]).
fn compile(
    engine: &Engine,
    nitro: &Nitro,
    wasm: &[u8],
) -> Result<(Module, u64, gas::ProgramCosts), RuntimeError> {
    let summary = activation::check(wasm, nitro.arbos_version).map_err(RuntimeError::Activation)?;
    let instrumented =
        meter::instrument(wasm).map_err(|e| RuntimeError::InvalidWasm(e.to_string()))?;
    let module = Module::new(engine, &instrumented.wasm[..])
        .map_err(|e| RuntimeError::InvalidWasm(e.to_string()))?;
    for import in module.imports() {
        // Activation has already refused anything but SDK hostios with the
        // SDK's signatures; HOOKS lists the ones this host links.
        if !HOOKS.iter().any(|h| h.0 == import.name()) {
            return Err(RuntimeError::UnsupportedImport {
                module: import.module().to_string(),
                name: import.name().to_string(),
                reason: "a Stylus hostio that stylus-runtime does not implement".into(),
            });
        }
    }
    let costs = module_shape(wasm)?.costs_for(nitro);
    Ok((module, summary.pages, costs))
}

/// The entry costs Nitro's activation would record for `wasm` (raw WASM):
/// see [`gas::ModuleShape::costs`] and [`gas::ProgramCosts::entry_gas`].
pub fn program_costs(wasm: &[u8]) -> Result<gas::ProgramCosts, RuntimeError> {
    Ok(module_shape(wasm)?.costs())
}

/// The counts Nitro's activation prices (see [`gas::ModuleShape`]).
fn module_shape(wasm: &[u8]) -> Result<gas::ModuleShape, RuntimeError> {
    use wasmparser::{Parser, Payload};
    let bad = |e: wasmparser::BinaryReaderError| RuntimeError::InvalidWasm(e.to_string());
    let mut shape = gas::ModuleShape {
        wasm_len: wasm.len() as u64,
        ..Default::default()
    };
    let mut types: Vec<u64> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(bad)? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let f = ty.map_err(bad)?;
                    types.push((f.params().len() + f.results().len()) as u64);
                }
            }
            Payload::FunctionSection(r) => {
                for idx in r {
                    let idx = idx.map_err(bad)? as usize;
                    shape.type_len += types.get(idx).copied().unwrap_or(0);
                    shape.funcs += 1;
                }
            }
            Payload::GlobalSection(r) => shape.globals += r.count() as u64,
            Payload::MemorySection(r) => {
                for m in r {
                    shape.footprint = m.map_err(bad)?.initial;
                }
            }
            Payload::DataSection(r) => {
                for d in r {
                    shape.data_len += d.map_err(bad)?.range.len() as u64;
                }
            }
            Payload::ElementSection(r) => {
                for el in r {
                    shape.data_len += el.map_err(bad)?.range.len() as u64;
                }
            }
            _ => {}
        }
    }
    Ok(shape)
}

fn decode_hex(hex: &str) -> Result<Vec<u8>, RuntimeError> {
    let t = hex.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    alloy_primitives::hex::decode(t).map_err(|e| RuntimeError::BadArtifact(format!("bad hex: {e}")))
}

/// Splits a cargo-stylus deploy prefix (`PUSH32 len ... RETURN`) off.
fn split_initcode(init: &[u8]) -> Result<&[u8], RuntimeError> {
    if init.starts_with(&[0xef, 0xf0, 0x00]) {
        return Ok(init);
    }
    if init.len() < 33 || init[0] != 0x7f {
        return Err(RuntimeError::BadArtifact(
            "initcode must start with PUSH32 <code length> (0x7f)".into(),
        ));
    }
    let len = U256::from_be_slice(&init[1..33]);
    let len: usize = len
        .try_into()
        .ok()
        .filter(|l| *l <= init.len() - 33)
        .ok_or_else(|| RuntimeError::BadArtifact("code length exceeds the initcode".into()))?;
    Ok(&init[init.len() - len..])
}

fn decompress_code(code: &[u8]) -> Result<Vec<u8>, RuntimeError> {
    if code.len() < 4 || code[..3] != [0xef, 0xf0, 0x00] {
        return Err(RuntimeError::BadArtifact(
            "code lacks the Stylus prefix EFF000".into(),
        ));
    }
    if code[3] != 0 {
        return Err(RuntimeError::BadArtifact(format!(
            "brotli dictionary {} not supported (only 0 = none)",
            code[3]
        )));
    }
    let mut out = Vec::new();
    brotli_decompressor::Decompressor::new(&code[4..], 4096)
        .take(16 << 20)
        .read_to_end(&mut out)
        .map_err(|e| RuntimeError::BadArtifact(format!("brotli: {e}")))?;
    Ok(out)
}

/// Decodes `cargo stylus get-initcode` output (hex) into the program's WASM:
/// strips the EVM deploy prefix and the `EFF000` header and dictionary byte,
/// then brotli-decompresses. Also accepts bare Stylus code (`EFF000...`).
pub fn wasm_from_initcode_hex(hex: &str) -> Result<Vec<u8>, RuntimeError> {
    let init = decode_hex(hex)?;
    decompress_code(split_initcode(&init)?)
}

/// Decodes a build artifact into the WASM it deploys, exactly as deployed:
/// raw WASM (`\0asm...`) is returned as is; Stylus code (`EF F0 00 00` +
/// brotli) and `cargo stylus get-initcode` initcode (the EVM deploy prefix,
/// then that code) are decompressed, whether given as bytes or as hex text
/// (with or without `0x`, surrounding whitespace ignored). Fragmented
/// programs (`EF F0 02`, ArbOS ≥ 60) and dictionaries other than 0 are
/// refused.
pub fn wasm_from_artifact(bytes: &[u8]) -> Result<Vec<u8>, RuntimeError> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.to_vec());
    }
    if bytes.starts_with(&[0xef, 0xf0]) && bytes.get(2) != Some(&0) {
        return Err(RuntimeError::BadArtifact(format!(
            "Stylus code EF F0 {:02X}: fragmented programs (ArbOS >= 60) are not supported",
            bytes.get(2).copied().unwrap_or(0)
        )));
    }
    if bytes.starts_with(&[0xef, 0xf0]) || bytes.first() == Some(&0x7f) {
        return decompress_code(split_initcode(bytes)?);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        RuntimeError::BadArtifact("neither WASM, Stylus code, initcode nor hex text".into())
    })?;
    wasm_from_initcode_hex(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every hostio this host links is one activation accepts, with the
    /// same signature (one table of signatures for the check, a subset for
    /// the host).
    #[test]
    fn host_hooks_are_activation_hooks() {
        let name = |t: &ValType| match t {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            _ => "other",
        };
        let pname = |t: &wasmparser::ValType| match t {
            wasmparser::ValType::I32 => "i32",
            wasmparser::ValType::I64 => "i64",
            _ => "other",
        };
        for (hook, params, results) in HOOKS {
            let (_, p, r) = activation::VM_HOOKS
                .iter()
                .find(|h| h.0 == *hook)
                .unwrap_or_else(|| panic!("{hook} is not an SDK hostio"));
            assert_eq!(
                params.iter().map(name).collect::<Vec<_>>(),
                p.iter().map(pname).collect::<Vec<_>>(),
                "{hook}"
            );
            assert_eq!(
                results.iter().map(name).collect::<Vec<_>>(),
                r.iter().map(pname).collect::<Vec<_>>(),
                "{hook}"
            );
        }
        assert_eq!(
            activation::VM_HOOKS.len(),
            HOOKS.len() + 2,
            "all but create1/create2"
        );
    }

    #[test]
    fn artifacts_decode_in_every_form() {
        let wasm = b"\0asm\x01\0\0\0".to_vec();
        assert_eq!(wasm_from_artifact(&wasm).unwrap(), wasm);
        assert!(wasm_from_artifact(b"0x1234").is_err());
        assert!(wasm_from_artifact(&[0xef, 0xf0, 0x02, 0x00]).is_err());
    }

    #[test]
    fn selector_of_signature() {
        assert_eq!(
            selector("transfer(address,uint256)"),
            [0xa9, 0x05, 0x9c, 0xbb]
        );
    }

    #[test]
    fn constructor_selector_matches_keccak() {
        assert_eq!(
            keccak256(b"stylus_constructor()")[..4],
            CONSTRUCTOR_SELECTOR
        );
    }
}

#[cfg(test)]
mod send_check {
    fn send<T: Send>() {}
    #[test]
    fn world_is_send() {
        send::<super::World>();
    }
}
