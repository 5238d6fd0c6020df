//! The pool's host layer: every host call the contract makes goes through
//! [`Host`], obtained with [`LendingPool::host`].
//!
//! On `wasm32` (the deployed contract) each method calls the raw Stylus
//! hostio import (`stylus_sdk::hostio`) directly, doing exactly what the
//! SDK's `WasmVM` wrappers do (`stylus-sdk` 0.9 `src/host/`, `src/call/raw.rs`,
//! `src/evm.rs`) without their generic plumbing, which is several hundred
//! bytes of code the 24 KiB limit cannot spare. On native targets (unit and
//! motsu tests) each method delegates to `self.vm()`, the test VM, as the
//! pool did before this layer existed.
//!
//! The user entry point is here too, as it is pure hostio.

use alloc::vec::Vec;

use alloy_primitives::{Address, B256, U256};
#[cfg(target_arch = "wasm32")]
use stylus_sdk::hostio as h;
#[cfg(not(target_arch = "wasm32"))]
use stylus_sdk::{prelude::*, stylus_core::calls::context::Call};

use crate::pool::LendingPool;

/// Access to the Stylus host: raw hostio on `wasm32`, the VM of `self.vm()`
/// on native targets.
pub struct Host<'a> {
    #[cfg(not(target_arch = "wasm32"))]
    vm: &'a dyn stylus_sdk::stylus_core::Host,
    #[cfg(target_arch = "wasm32")]
    vm: core::marker::PhantomData<&'a ()>,
}

impl LendingPool {
    /// The host the pool runs on (see [`Host`]).
    #[inline(always)]
    pub fn host(&self) -> Host<'_> {
        Host {
            #[cfg(not(target_arch = "wasm32"))]
            vm: self.vm(),
            #[cfg(target_arch = "wasm32")]
            vm: core::marker::PhantomData,
        }
    }
}

/// A 32-byte value a hostio writes into a buffer.
#[cfg(target_arch = "wasm32")]
fn word(f: unsafe extern "C" fn(*mut u8)) -> B256 {
    let mut w = B256::ZERO;
    // SAFETY: `f` writes exactly 32 bytes to the buffer.
    unsafe { f(w.as_mut_ptr()) };
    w
}

/// A 20-byte address a hostio writes into a buffer.
#[cfg(target_arch = "wasm32")]
fn address(f: unsafe extern "C" fn(*mut u8)) -> Address {
    let mut a = Address::ZERO;
    // SAFETY: `f` writes exactly 20 bytes to the buffer.
    unsafe { f(a.as_mut_ptr()) };
    a
}

/// All the return data of the last call (what the SDK's
/// `read_return_data(0, None)` reads; `len` is the size the call reported).
#[cfg(target_arch = "wasm32")]
fn return_data(len: usize) -> Vec<u8> {
    let mut data = Vec::with_capacity(len);
    if len > 0 {
        // SAFETY: the host writes at most `len` bytes and returns how many.
        unsafe {
            let n = h::read_return_data(data.as_mut_ptr(), 0, len);
            data.set_len(n);
        }
    }
    data
}

impl Host<'_> {
    /// The caller's address (`msg.sender`).
    pub fn msg_sender(&self) -> Address {
        #[cfg(target_arch = "wasm32")]
        return address(h::msg_sender);
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.msg_sender()
    }

    /// The call's value in wei (`msg.value`).
    pub fn msg_value(&self) -> U256 {
        #[cfg(target_arch = "wasm32")]
        return word(h::msg_value).into();
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.msg_value()
    }

    /// The pool's own address (`address(this)`).
    pub fn contract_address(&self) -> Address {
        #[cfg(target_arch = "wasm32")]
        return address(h::contract_address);
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.contract_address()
    }

    /// The chain id (`block.chainid`).
    pub fn chain_id(&self) -> u64 {
        #[cfg(target_arch = "wasm32")]
        // SAFETY: a plain hostio without arguments.
        return unsafe { h::chainid() };
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.chain_id()
    }

    /// The block timestamp (`block.timestamp`).
    pub fn block_timestamp(&self) -> u64 {
        #[cfg(target_arch = "wasm32")]
        // SAFETY: a plain hostio without arguments.
        return unsafe { h::block_timestamp() };
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.block_timestamp()
    }

    /// The code hash of `account` (`EXTCODEHASH`).
    pub fn code_hash(&self, account: Address) -> B256 {
        #[cfg(target_arch = "wasm32")]
        {
            let mut w = B256::ZERO;
            // SAFETY: reads 20 bytes, writes 32.
            unsafe { h::account_codehash(account.as_ptr(), w.as_mut_ptr()) };
            w
        }
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.code_hash(account)
    }

    /// The word at storage slot `key`, through the host's storage cache.
    pub fn storage_load_bytes32(&self, key: U256) -> B256 {
        #[cfg(target_arch = "wasm32")]
        {
            let mut w = B256::ZERO;
            // SAFETY: reads 32 bytes, writes 32.
            unsafe { h::storage_load_bytes32(B256::from(key).as_ptr(), w.as_mut_ptr()) };
            w
        }
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.storage_load_bytes32(key)
    }

    /// Writes `value` to slot `key` in the host's storage cache (persisted by
    /// the flush before a call out and at the end of the entry point).
    ///
    /// # Safety
    ///
    /// As the SDK's `storage_cache_bytes32`: may alias SDK storage fields
    /// (the pool has none; its slots are laid out in `store`).
    pub unsafe fn storage_cache_bytes32(&self, key: U256, value: B256) {
        #[cfg(target_arch = "wasm32")]
        h::storage_cache_bytes32(B256::from(key).as_ptr(), value.as_ptr());
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.storage_cache_bytes32(key, value)
    }

    /// Emits a log of `n` topics: `bytes` is the topics (32 bytes each)
    /// then the data. As the SDK's `raw_log`, more than 4 topics emits
    /// nothing.
    pub fn emit_log(&self, bytes: &[u8], n: usize) {
        if n > 4 {
            return;
        }
        #[cfg(target_arch = "wasm32")]
        // SAFETY: reads `bytes`.
        unsafe {
            h::emit_log(bytes.as_ptr(), bytes.len(), n)
        };
        #[cfg(not(target_arch = "wasm32"))]
        {
            let (t, data) = bytes.split_at(32 * n);
            let topics: Vec<B256> = t.chunks(32).map(B256::from_slice).collect();
            let _ = self.vm.raw_log(&topics, data);
        }
    }

    /// A state-changing call of `to` with `data`, no value and all gas;
    /// `Some(return data)` on success, `None` on failure or revert. As the
    /// SDK's `call`, the storage cache is flushed and cleared first.
    pub fn call(&self, to: Address, data: &[u8]) -> Option<Vec<u8>> {
        #[cfg(target_arch = "wasm32")]
        {
            let mut len = 0;
            // SAFETY: reads `to`, `data` and the zero value; writes `len`.
            let status = unsafe {
                h::storage_flush_cache(true);
                let value = B256::ZERO;
                h::call_contract(
                    to.as_ptr(),
                    data.as_ptr(),
                    data.len(),
                    value.as_ptr(),
                    u64::MAX,
                    &mut len,
                )
            };
            let out = return_data(len);
            (status == 0).then_some(out)
        }
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.call(&Call::new(), to, data).ok()
    }

    /// A static call of `to` with `data` and all gas; `Some(return data)`
    /// on success, `None` on failure or revert. As the SDK's `static_call`,
    /// the storage cache is flushed (not cleared) first.
    pub fn static_call(&self, to: Address, data: &[u8]) -> Option<Vec<u8>> {
        #[cfg(target_arch = "wasm32")]
        {
            let mut len = 0;
            // SAFETY: reads `to` and `data`; writes `len`.
            let status = unsafe {
                h::storage_flush_cache(false);
                h::static_call_contract(to.as_ptr(), data.as_ptr(), data.len(), u64::MAX, &mut len)
            };
            let out = return_data(len);
            (status == 0).then_some(out)
        }
        #[cfg(not(target_arch = "wasm32"))]
        self.vm.static_call(&Call::new(), to, data).ok()
    }
}

/// The Stylus entry point (what `#[entrypoint]` would generate): reject
/// re-entrant calls, route the calldata (`dispatch::entry`), flush the
/// storage cache, write the result; 0 for success, 1 for a revert.
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub extern "C" fn user_entrypoint(len: usize) -> usize {
    use stylus_sdk::storage::StorageType;
    // SAFETY: hostio calls with buffers of the sizes the host writes/reads.
    unsafe {
        if h::msg_reentrant() {
            return 1;
        }
        h::pay_for_memory_grow(0);
        let mut input = Vec::with_capacity(len);
        h::read_args(input.as_mut_ptr());
        input.set_len(len);
        let vm = stylus_sdk::host::VM(stylus_sdk::host::WasmVM {});
        let mut pool = LendingPool::new(U256::ZERO, 0, vm);
        let (data, status) = match crate::dispatch::entry(&mut pool, &input) {
            Ok(data) => (data, 0),
            Err(data) => (data, 1),
        };
        h::storage_flush_cache(false);
        h::write_result(data.as_ptr(), data.len());
        status
    }
}
