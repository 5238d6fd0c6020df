//! The `vm_hooks` host functions and the per-frame program runner.
//!
//! Ink bookkeeping: programs run instrumented (see [`crate::meter`]) with
//! wasmi's fuel off; the ink left lives in the program's `stylus_ink_left`
//! global. Every hostio reads it into `Frame::ink`, charges its price, and
//! writes it back (setting `stylus_ink_status` when it runs out).

use std::{cell::RefCell, collections::BTreeMap, fmt, rc::Rc};

use alloy_primitives::{keccak256, Address, B256, U256};
use wasmi::{Caller, Engine, Global, Linker, Memory, Store, TrapCode, Val};

use crate::{
    execute,
    gas::{self, EVM_API_INK, HOSTIO_INK, INK_PRICE, PTR_INK},
    meter, CallKind, Env, Log, Msg, Outcome,
};

/// Why a frame failed inside a hostio.
#[derive(Debug, Clone)]
pub(crate) enum Fail {
    OutOfGas,
    /// Bad pointer, write in a static context, bad log, ...
    Error(String),
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fail::OutOfGas => f.write_str("out of gas"),
            Fail::Error(e) => f.write_str(e),
        }
    }
}

fn err(msg: impl Into<String>) -> Fail {
    Fail::Error(msg.into())
}

/// One entry of a frame's storage cache (Nitro's `StorageWord`).
#[derive(Clone, Copy)]
struct Word {
    value: B256,
    /// The value in the world, if known (read, or flushed).
    known: Option<B256>,
}

/// Which [`crate::GasBreakdown`] field a charge goes to.
#[derive(Clone, Copy)]
enum Cat {
    Compute,
    Init,
    Storage,
    Logs,
    Calls,
}

/// Per-frame host state (the wasmi store's data).
pub(crate) struct Frame {
    env: Rc<RefCell<Env>>,
    address: Address,
    sender: Address,
    value: U256,
    is_static: bool,
    depth: usize,
    reentrant: bool,
    args: Vec<u8>,
    outs: Vec<u8>,
    cache: BTreeMap<U256, Word>,
    reads: usize,
    writes: usize,
    return_data: Vec<u8>,
    /// Nitro's last-code cache of `account_code*`.
    last_code: Option<(Address, alloy_primitives::Bytes)>,
    /// EIP-3529 refund earned by this frame and its committed children.
    refund: i64,
    /// Ink left; authoritative only inside a hostio (the program's
    /// `stylus_ink_left` global otherwise).
    ink: u64,
    memory: Option<Memory>,
    globals: Option<Globals>,
    fail: Option<Fail>,
}

/// The instrumentation globals of an instance.
#[derive(Clone, Copy)]
struct Globals {
    ink: Global,
    status: Global,
}

impl Frame {
    fn buy_ink(&mut self, ink: u64) -> Result<(), Fail> {
        if ink > self.ink {
            self.ink = 0;
            return Err(Fail::OutOfGas);
        }
        self.ink -= ink;
        Ok(())
    }
    fn buy_gas(&mut self, gas: u64, cat: Cat) -> Result<(), Fail> {
        let ink = gas.saturating_mul(INK_PRICE);
        {
            let mut e = self.env.borrow_mut();
            let s = &mut e.spent;
            match cat {
                Cat::Compute => {}
                Cat::Init => s.init += ink.min(self.ink),
                Cat::Storage => s.storage += ink.min(self.ink),
                Cat::Logs => s.logs += ink.min(self.ink),
                Cat::Calls => s.calls += ink.min(self.ink),
            }
        }
        self.buy_ink(ink)
    }
    fn require_gas(&self, gas: u64) -> Result<(), Fail> {
        if self.ink < gas.saturating_mul(INK_PRICE) {
            return Err(Fail::OutOfGas);
        }
        Ok(())
    }
    /// The code of `a` for `account_code*`: the EVM access cost plus
    /// [`gas::ACCOUNT_TOUCH_GAS`], unless `a` is the last address looked up
    /// in this frame (Nitro's last-code cache: free).
    fn code_lookup(&mut self, a: Address) -> Result<alloy_primitives::Bytes, Fail> {
        if let Some((last, code)) = &self.last_code {
            if *last == a {
                return Ok(code.clone());
            }
        }
        let (cost, code) = {
            let mut e = self.env.borrow_mut();
            let (code, cold) = e.code(a);
            let access = if cold {
                gas::COLD_ACCOUNT
            } else {
                gas::WARM_READ
            };
            (access + gas::ACCOUNT_TOUCH_GAS, code)
        };
        self.buy_gas(cost, Cat::Calls)?;
        self.last_code = Some((a, code.clone()));
        Ok(code)
    }
    fn gas_left(&self) -> u64 {
        self.ink / INK_PRICE
    }
}

// ---- guest memory access (bad pointers fail the frame, never panic) ----

fn slice(mem: &[u8], ptr: i32, len: u64) -> Result<&[u8], Fail> {
    let start = ptr as u32 as u64;
    let end = start
        .checked_add(len)
        .ok_or_else(|| err("pointer overflow"))?;
    if end > mem.len() as u64 {
        return Err(err(format!(
            "out of bounds memory access: {start}..{end} (memory is {} bytes)",
            mem.len()
        )));
    }
    Ok(&mem[start as usize..end as usize])
}

fn write(mem: &mut [u8], ptr: i32, bytes: &[u8]) -> Result<(), Fail> {
    let start = ptr as u32 as usize;
    let end = start
        .checked_add(bytes.len())
        .filter(|e| *e <= mem.len())
        .ok_or_else(|| err(format!("out of bounds memory write at {start}")))?;
    mem[start..end].copy_from_slice(bytes);
    Ok(())
}

fn read_addr(mem: &[u8], ptr: i32) -> Result<Address, Fail> {
    Ok(Address::from_slice(slice(mem, ptr, 20)?))
}
fn read_b256(mem: &[u8], ptr: i32) -> Result<B256, Fail> {
    Ok(B256::from_slice(slice(mem, ptr, 32)?))
}

/// Runs a hostio: read the ink global, charge `base` ink, run `f`, write the
/// ink back (and the ink status when it ran out).
fn hostio<R>(
    caller: &mut Caller<'_, Frame>,
    base: u64,
    f: impl FnOnce(&mut [u8], &mut Frame) -> Result<R, Fail>,
) -> Result<R, wasmi::Error> {
    let (Some(memory), Some(g)) = (caller.data().memory, caller.data().globals) else {
        return Err(wasmi::Error::new("program has no memory"));
    };
    let ink = g.ink.get(&*caller).i64().unwrap_or(0) as u64;
    let (mem, frame) = memory.data_and_store_mut(&mut *caller);
    frame.ink = ink;
    let res = frame.buy_ink(base).and_then(|_| f(mem, frame));
    let ink = frame.ink;
    let res = match res {
        Ok(v) => Ok(v),
        Err(fail) => {
            let msg = fail.to_string();
            let out_of_ink = matches!(fail, Fail::OutOfGas);
            frame.fail = Some(fail);
            Err((msg, out_of_ink))
        }
    };
    let _ = g.ink.set(&mut *caller, Val::I64(ink as i64));
    match res {
        Ok(v) => Ok(v),
        Err((msg, out_of_ink)) => {
            if out_of_ink {
                let _ = g.status.set(&mut *caller, Val::I32(1));
            }
            Err(wasmi::Error::new(msg))
        }
    }
}

/// Registers every hostio of [`crate::HOOKS`].
pub(crate) fn linker(engine: &Engine) -> Linker<Frame> {
    let mut l = Linker::<Frame>::new(engine);
    macro_rules! hook {
        ($name:literal, |$c:ident $(, $a:ident: $t:ty)*| $body:expr) => {
            l.func_wrap("vm_hooks", $name, |mut $c: Caller<'_, Frame> $(, $a: $t)*| $body)
                .expect("hostio registered once");
        };
    }
    const P1: u64 = HOSTIO_INK + PTR_INK;
    const P2: u64 = HOSTIO_INK + 2 * PTR_INK;

    hook!("read_args", |c, ptr: i32| hostio(
        &mut c,
        HOSTIO_INK,
        |m, f| {
            f.buy_ink(gas::write_price(f.args.len() as u64))?;
            write(m, ptr, &f.args)
        }
    ));
    hook!("write_result", |c, ptr: i32, len: i32| hostio(
        &mut c,
        HOSTIO_INK,
        |m, f| {
            let len = len as u32 as u64;
            // Paid twice: read from the program, then read by geth.
            f.buy_ink(gas::read_price(len))?;
            f.buy_ink(gas::read_price(len))?;
            f.outs = slice(m, ptr, len)?.to_vec();
            Ok(())
        }
    ));
    hook!("storage_load_bytes32", |c, key: i32, dest: i32| hostio(
        &mut c,
        P2,
        |m, f| {
            f.require_gas(gas::SLOAD_REQUIRED_GAS)?;
            let key = U256::from_be_bytes(read_b256(m, key)?.0);
            f.reads += 1;
            let mut cost = match f.reads {
                0..=32 => 0,
                33..=128 => 2,
                _ => 10,
            };
            let value = match f.cache.get(&key) {
                Some(w) => w.value,
                None => {
                    let mut e = f.env.borrow_mut();
                    let (v, cold) = e.sload(f.address, key);
                    cost += if cold {
                        gas::COLD_SLOAD
                    } else {
                        gas::WARM_READ
                    };
                    // A miss asks the EVM: `ink_to_gas(EVM_API_INK)` gas
                    // (ArbOS >= 32).
                    if e.nitro.arbos_version >= crate::nitro::ARBOS_SLOAD_API_GAS {
                        cost += gas::EVM_API_GAS;
                    }
                    drop(e);
                    f.cache.insert(
                        key,
                        Word {
                            value: v,
                            known: Some(v),
                        },
                    );
                    v
                }
            };
            f.buy_gas(cost, Cat::Storage)?;
            write(m, dest, value.as_slice())
        }
    ));
    hook!("storage_cache_bytes32", |c, key: i32, value: i32| hostio(
        &mut c,
        P2,
        |m, f| {
            if f.is_static {
                return Err(err("storage write in a static context"));
            }
            f.require_gas(gas::SCACHE_REQUIRED_GAS)?;
            let key = U256::from_be_bytes(read_b256(m, key)?.0);
            let value = read_b256(m, value)?;
            f.writes += 1;
            let cost = match f.writes {
                0..=8 => 0,
                9..=64 => 7,
                _ => 10,
            };
            f.cache
                .entry(key)
                .and_modify(|w| w.value = value)
                .or_insert(Word { value, known: None });
            f.buy_gas(cost, Cat::Storage)
        }
    ));
    hook!("storage_flush_cache", |c, clear: i32| hostio(
        &mut c,
        HOSTIO_INK + EVM_API_INK,
        |_, f| {
            f.require_gas(gas::SSTORE_SENTRY_GAS)?;
            let mut dirty = Vec::new();
            for (k, w) in f.cache.iter_mut() {
                if w.known != Some(w.value) {
                    dirty.push((*k, w.value));
                    w.known = Some(w.value);
                }
            }
            if clear != 0 {
                f.cache.clear();
            }
            if dirty.is_empty() {
                return Ok(());
            }
            if f.is_static {
                return Err(err("storage write in a static context"));
            }
            let mut cost = 0u64;
            {
                let mut e = f.env.borrow_mut();
                for (k, v) in dirty {
                    let (gas, refund) = e.sstore(f.address, k, v);
                    cost += gas;
                    f.refund += refund;
                }
            }
            f.buy_gas(cost, Cat::Storage)
        }
    ));
    // BALANCE / EXTCODEHASH / EXTCODE*: 2,600 gas must be left first.
    hook!("account_balance", |c, addr: i32, dest: i32| hostio(
        &mut c,
        P2 + EVM_API_INK,
        |m, f| {
            f.require_gas(gas::ACCOUNT_REQUIRED_GAS)?;
            let a = read_addr(m, addr)?;
            let (cost, bal) = {
                let (bal, cold) = f.env.borrow_mut().balance(a);
                let cost = if cold {
                    gas::COLD_ACCOUNT
                } else {
                    gas::WARM_READ
                };
                (cost, bal)
            };
            f.buy_gas(cost, Cat::Calls)?;
            write(m, dest, &bal.to_be_bytes::<32>())
        }
    ));
    hook!("account_code", |c,
                           addr: i32,
                           offset: i32,
                           size: i32,
                           dest: i32| {
        hostio(&mut c, HOSTIO_INK + EVM_API_INK, |m, f| {
            f.require_gas(gas::ACCOUNT_REQUIRED_GAS)?;
            let a = read_addr(m, addr)?;
            let code = f.code_lookup(a)?;
            // write_price on the whole code, whatever is copied.
            f.buy_ink(gas::write_price(code.len() as u64))?;
            let size = size as u32 as usize;
            let start = (offset as u32 as usize).min(code.len());
            let end = start.saturating_add(size).min(code.len());
            write(m, dest, &code[start..end])?;
            Ok((end - start) as i32)
        })
    });
    hook!("account_code_size", |c, addr: i32| hostio(
        &mut c,
        HOSTIO_INK + EVM_API_INK,
        |m, f| {
            f.require_gas(gas::ACCOUNT_REQUIRED_GAS)?;
            let a = read_addr(m, addr)?;
            Ok(f.code_lookup(a)?.len() as i32)
        }
    ));
    hook!("account_codehash", |c, addr: i32, dest: i32| hostio(
        &mut c,
        P2 + EVM_API_INK,
        |m, f| {
            f.require_gas(gas::ACCOUNT_REQUIRED_GAS)?;
            let a = read_addr(m, addr)?;
            let (cost, hash) = {
                // EXTCODEHASH (revm's): 0 only for an empty account (no
                // code, no balance, nonce 0).
                let (hash, cold) = f.env.borrow_mut().codehash(a);
                let cost = if cold {
                    gas::COLD_ACCOUNT
                } else {
                    gas::WARM_READ
                };
                (cost, hash)
            };
            f.buy_gas(cost, Cat::Calls)?;
            write(m, dest, hash.as_slice())
        }
    ));
    hook!("block_basefee", |c, ptr: i32| hostio(&mut c, P1, |m, f| {
        let v = f.env.borrow().block().basefee;
        write(m, ptr, &v.to_be_bytes::<32>())
    }));
    hook!("block_coinbase", |c, ptr: i32| hostio(
        &mut c,
        P1,
        |m, f| {
            let v = f.env.borrow().block().coinbase;
            write(m, ptr, v.as_slice())
        }
    ));
    hook!("block_gas_limit", |c| hostio(&mut c, HOSTIO_INK, |_, f| {
        Ok(f.env.borrow().block().gas_limit.saturating_to::<u64>() as i64)
    }));
    hook!("block_number", |c| hostio(&mut c, HOSTIO_INK, |_, f| {
        Ok(f.env.borrow().block().number.saturating_to::<u64>() as i64)
    }));
    hook!("block_timestamp", |c| hostio(&mut c, HOSTIO_INK, |_, f| {
        Ok(f.env.borrow().block().timestamp.saturating_to::<u64>() as i64)
    }));
    hook!("chainid", |c| hostio(&mut c, HOSTIO_INK, |_, f| {
        Ok(f.env.borrow().chain_id() as i64)
    }));
    hook!("call_contract", |c,
                            to: i32,
                            data: i32,
                            len: i32,
                            value: i32,
                            gas: i64,
                            ret: i32| {
        do_call(
            &mut c,
            CallKind::Call,
            to,
            data,
            len,
            Some(value),
            gas as u64,
            ret,
        )
    });
    hook!(
        "delegate_call_contract",
        |c, to: i32, data: i32, len: i32, gas: i64, ret: i32| {
            do_call(
                &mut c,
                CallKind::Delegate,
                to,
                data,
                len,
                None,
                gas as u64,
                ret,
            )
        }
    );
    hook!(
        "static_call_contract",
        |c, to: i32, data: i32, len: i32, gas: i64, ret: i32| {
            do_call(
                &mut c,
                CallKind::Static,
                to,
                data,
                len,
                None,
                gas as u64,
                ret,
            )
        }
    );
    hook!("contract_address", |c, ptr: i32| hostio(
        &mut c,
        P1,
        |m, f| { write(m, ptr, f.address.as_slice()) }
    ));
    hook!("emit_log", |c, data: i32, len: i32, topics: i32| {
        hostio(&mut c, HOSTIO_INK + EVM_API_INK, |m, f| {
            let (len, topics) = (len as u32 as u64, topics as u32 as u64);
            if topics > 4 || len < topics * 32 {
                return Err(err("bad topic data"));
            }
            f.buy_ink(gas::read_price(len))?;
            let cost = gas::LOG_GAS * (1 + topics) + gas::LOG_DATA_GAS * (len - topics * 32);
            f.buy_gas(cost, Cat::Logs)?;
            // Only now does the EVM refuse a log in a static context.
            if f.is_static {
                return Err(err("log in a static context"));
            }
            let bytes = slice(m, data, len)?;
            let (t, d) = bytes.split_at(topics as usize * 32);
            let log = Log {
                address: f.address,
                topics: t.chunks(32).map(B256::from_slice).collect(),
                data: d.to_vec(),
            };
            f.env.borrow_mut().log(log);
            Ok(())
        })
    });
    hook!("evm_gas_left", |c| hostio(&mut c, HOSTIO_INK, |_, f| Ok(
        f.gas_left() as i64
    )));
    hook!("evm_ink_left", |c| hostio(&mut c, HOSTIO_INK, |_, f| Ok(
        f.ink as i64
    )));
    // Called by the instrumentation before every `memory.grow` (and by the
    // SDK with 0 pages): 0 pages pays a hostio; otherwise the memory model
    // (exponential ramp included; unpayable past 128 pages), no hostio ink.
    hook!("pay_for_memory_grow", |c, pages: i32| hostio(
        &mut c,
        0,
        |_, f| {
            let pages = pages as u32 as u64;
            if pages == 0 {
                return f.buy_ink(HOSTIO_INK);
            }
            let cost = f.env.borrow_mut().open_pages(pages);
            f.buy_gas(cost, Cat::Init)
        }
    ));
    hook!("msg_reentrant", |c| hostio(&mut c, HOSTIO_INK, |_, f| Ok(
        f.reentrant as i32
    )));
    hook!("msg_sender", |c, ptr: i32| hostio(
        &mut c,
        P1,
        |m, f| write(m, ptr, f.sender.as_slice())
    ));
    hook!("msg_value", |c, ptr: i32| hostio(&mut c, P1, |m, f| {
        write(m, ptr, &f.value.to_be_bytes::<32>())
    }));
    // Pays the keccak formula only (no hostio ink).
    hook!("native_keccak256", |c, data: i32, len: i32, out: i32| {
        hostio(&mut c, 0, |m, f| {
            let len = len as u32 as u64;
            f.buy_ink(gas::keccak_price(len))?;
            let h = keccak256(slice(m, data, len)?);
            write(m, out, h.as_slice())
        })
    });
    hook!(
        "read_return_data",
        |c, dest: i32, offset: i32, size: i32| {
            hostio(&mut c, HOSTIO_INK + EVM_API_INK, |m, f| {
                // write_price of what is copied; nothing to copy: return
                // at once, writing nothing.
                let size = size as u32 as usize;
                let rd = &f.return_data;
                let start = (offset as u32 as usize).min(rd.len());
                let n = size.min(rd.len() - start);
                f.buy_ink(gas::write_price(n as u64))?;
                if n == 0 {
                    return Ok(0);
                }
                let rd = &f.return_data;
                write(m, dest, &rd[start..start + n])?;
                Ok(n as i32)
            })
        }
    );
    hook!("return_data_size", |c| hostio(
        &mut c,
        HOSTIO_INK,
        |_, f| Ok(f.return_data.len() as i32)
    ));
    hook!("tx_gas_price", |c, ptr: i32| hostio(&mut c, P1, |m, f| {
        let v = f.env.borrow().gas_price();
        write(m, ptr, &v.to_be_bytes::<32>())
    }));
    hook!("tx_ink_price", |c| hostio(&mut c, HOSTIO_INK, |_, _| Ok(
        INK_PRICE as i32
    )));
    hook!("tx_origin", |c, ptr: i32| hostio(&mut c, P1, |m, f| {
        let v = f.env.borrow().origin();
        write(m, ptr, v.as_slice())
    }));
    l
}

/// `call_contract` / `delegate_call_contract` / `static_call_contract`.
#[allow(clippy::too_many_arguments)]
fn do_call(
    c: &mut Caller<'_, Frame>,
    kind: CallKind,
    to: i32,
    data: i32,
    len: i32,
    value: Option<i32>,
    gas_req: u64,
    ret: i32,
) -> Result<i32, wasmi::Error> {
    hostio(c, HOSTIO_INK + 3 * PTR_INK + EVM_API_INK, |m, f| {
        let len = len as u32 as u64;
        // Call data is paid twice: read from the program, then by geth.
        f.buy_ink(gas::read_price(len))?;
        f.buy_ink(gas::read_price(len))?;
        let contract = read_addr(m, to)?;
        let input = slice(m, data, len)?.to_vec();
        let value = match value {
            Some(p) => U256::from_be_bytes(read_b256(m, p)?.0),
            None => U256::ZERO,
        };
        if f.is_static && !value.is_zero() {
            return Err(err("value transfer in a static context"));
        }
        // EVM-side call cost: access, value, new account.
        let base = {
            let mut e = f.env.borrow_mut();
            let mut base = e.access_cost(contract);
            if !value.is_zero() {
                base += gas::CALL_VALUE;
                if e.is_empty(contract) {
                    base += gas::NEW_ACCOUNT;
                }
            }
            base
        };
        let left = f.gas_left();
        if left < base {
            // Nitro: status 2, cost = all the gas left; the program goes on.
            f.buy_gas(left, Cat::Calls)?;
            f.return_data = Vec::new();
            write(m, ret, &0u32.to_le_bytes())?;
            return Ok(2);
        }
        f.buy_gas(base, Cat::Calls)?;
        // The callee gets (gas left − base) · 63/64, rounded down, at most
        // what was asked, plus the stipend with value; the caller pays
        // base + (that gas − the gas returned).
        let child = gas_req.min((left - base) * 63 / 64);
        f.buy_gas(child, Cat::Compute)?;
        let stipend = if value.is_zero() {
            0
        } else {
            gas::CALL_STIPEND
        };
        let msg = Msg {
            kind,
            caller: if kind == CallKind::Delegate {
                f.sender
            } else {
                f.address
            },
            address: if kind == CallKind::Delegate {
                f.address
            } else {
                contract
            },
            code_address: contract,
            value: if kind == CallKind::Delegate {
                f.value
            } else {
                value
            },
            input,
            gas: child + stipend,
            is_static: f.is_static || kind == CallKind::Static,
            depth: f.depth + 1,
        };
        let out = execute(&f.env, msg);
        f.ink = f.ink.saturating_add(out.gas_left.saturating_mul(INK_PRICE));
        if out.success {
            f.refund += out.refund;
        }
        f.buy_gas(stipend, Cat::Compute)?;
        f.return_data = out.output;
        write(m, ret, &(f.return_data.len() as u32).to_le_bytes())?;
        Ok(if out.success { 0 } else { 1 })
    })
}

/// Runs a program in a fresh instance with `gas` (entry cost already paid).
pub(crate) fn run_program(
    env: &Rc<RefCell<Env>>,
    msg: &Msg,
    module: &wasmi::Module,
    gas: u64,
    reentrant: bool,
) -> Outcome {
    let (engine, linker, max_stack) = {
        let e = env.borrow();
        (e.engine.clone(), e.linker.clone(), e.nitro.max_stack_depth)
    };
    let ink = gas.saturating_mul(INK_PRICE);
    let frame = Frame {
        env: env.clone(),
        address: msg.address,
        sender: msg.caller,
        value: msg.value,
        is_static: msg.is_static,
        depth: msg.depth,
        reentrant,
        args: msg.input.clone(),
        outs: Vec::new(),
        cache: BTreeMap::new(),
        reads: 0,
        writes: 0,
        return_data: Vec::new(),
        last_code: None,
        refund: 0,
        ink,
        memory: None,
        globals: None,
        fail: None,
    };
    let mut store = Store::new(&engine, frame);
    let instance = match linker.instantiate_and_start(&mut store, module) {
        Ok(i) => i,
        Err(e) => return Outcome::fail(0, format!("instantiation failed: {e}")),
    };
    let memory = instance.get_memory(&store, "memory");
    let global = |name| instance.get_global(&store, name);
    let (Some(g_ink), Some(status), Some(stack), Some(stack_min)) = (
        global(meter::INK_LEFT),
        global(meter::INK_STATUS),
        global(meter::STACK_LEFT),
        global(meter::STACK_MIN),
    ) else {
        return Outcome::fail(0, "program is not instrumented");
    };
    let globals = Globals { ink: g_ink, status };
    let set = |store: &mut Store<Frame>, g: Global, v: Val| {
        g.set(store, v)
            .expect("instrumentation globals are mutable")
    };
    set(&mut store, g_ink, Val::I64(ink as i64));
    set(&mut store, stack, Val::I32(max_stack as i32));
    set(&mut store, stack_min, Val::I32(max_stack as i32));
    store.data_mut().memory = memory;
    store.data_mut().globals = Some(globals);
    let entry = match instance.get_typed_func::<i32, i32>(&store, "user_entrypoint") {
        Ok(f) => f,
        Err(e) => return Outcome::fail(0, format!("no user_entrypoint: {e}")),
    };
    let res = entry.call(&mut store, msg.input.len() as i32);
    let read = |g: Global| g.get(&store);
    let ink_left = read(g_ink).i64().unwrap_or(0) as u64;
    let out_of_ink = read(status).i32().unwrap_or(0) != 0;
    let stack_left = read(stack).i32().unwrap_or(0) as u32;
    let stack_left_min = Some(read(stack_min).i32().unwrap_or(0) as u32);
    let frame = store.data_mut();
    frame.ink = ink_left;
    // How a failed frame ends, as in Nitro (NITRO.md; `run_main`): a trap
    // is out of stack when the stack budget is gone, out of ink when the ink
    // is (the meter or a hostio set the ink status), else a failure.
    // Out-of-stack and out-of-ink burn all the frame's gas; a failure
    // reverts with no data and returns the gas left.
    let failure = |frame: &mut Frame, fail: Fail| match fail {
        Fail::OutOfGas => Outcome::fail(0, "out of gas"),
        Fail::Error(e) => Outcome::fail(frame.gas_left(), e),
    };
    let mut out = match res {
        Ok(status) if frame.fail.is_none() => {
            let success = status == 0;
            Outcome {
                success,
                output: std::mem::take(&mut frame.outs),
                gas_left: frame.gas_left(),
                error: (!success).then(|| "revert".to_string()),
                stack_left_min: None,
                refund: if success { frame.refund } else { 0 },
            }
        }
        Ok(_) => {
            let fail = frame.fail.take().unwrap_or(Fail::OutOfGas);
            failure(frame, fail)
        }
        Err(e) => match frame.fail.take() {
            Some(fail) => failure(frame, fail),
            None if stack_left == 0 => Outcome::fail(0, "out of stack"),
            None if out_of_ink => Outcome::fail(0, "out of gas"),
            None => match e.as_trap_code() {
                Some(TrapCode::StackOverflow) => Outcome::fail(0, "trap: stack overflow"),
                _ => Outcome::fail(frame.gas_left(), format!("trap: {e}")),
            },
        },
    };
    out.stack_left_min = stack_left_min;
    out
}
