//! Negative control for the embedded Stylus runtime's storage cache: a raw
//! Stylus contract (no SDK, no entrypoint re-entrancy check, so it can be
//! re-entered) that writes slot 0 through the storage cache and reads it back
//! through a nested call, with or without flushing first.
//!
//! # ABI: one command byte, then fixed-size arguments (no ABI encoding)
//!
//! | cmd    | calldata (bytes)                                         | returns |
//! | ------ | -------------------------------------------------------- | ------- |
//! | `0x01` `store`     | `0x01 ‖ value (32) ‖ callee (20) ‖ flush (1)` = 54 bytes | the callee's return data |
//! | `0x02` `read_back` | `0x02 ‖ probe (20)` = 21 bytes                           | the probe's return data  |
//! | `0x03` `get`       | `0x03` = 1 byte                                          | storage slot 0 (32 bytes) |
//!
//! - `store`: `storage_cache_bytes32(slot 0, value)`; if `flush == 1`,
//!   `storage_flush_cache(false)`; then `call_contract(callee, 0x02 ‖ address(this))`
//!   (value 0, all gas); then `storage_flush_cache(false)` (so slot 0 ends up as
//!   `value` either way) and return the callee's return data.
//! - `read_back`: `call_contract(probe, 0x03)` and return its return data.
//! - `get`: `storage_load_bytes32(slot 0)`.
//!
//! Any other command or length reverts with empty data. A failed nested call
//! reverts with that call's revert data. Return data is capped at 256 bytes.
//!
//! One deployed instance plays every role: `A.store(v, A, flush)` calls
//! `A.read_back(A)`, which calls `A.get()`. Expected on Stylus (where the
//! `call_contract` hostio does not flush the caller's cache; the SDK flushes
//! before calls, this contract does not): with `flush == 0` `store` returns the
//! OLD slot-0 value (stale), with `flush == 1` it returns `v`; afterwards `get()`
//! returns `v` in both cases.
//!
//! Imports (module `vm_hooks`): `read_args`, `write_result`, `storage_load_bytes32`,
//! `storage_cache_bytes32`, `storage_flush_cache`, `call_contract`,
//! `read_return_data`, `contract_address`, `pay_for_memory_grow`.
//! Exports: `user_entrypoint(len: i32) -> i32`, `memory`.
#![cfg_attr(target_arch = "wasm32", no_std)]

/// Command: cache-write slot 0, optionally flush, call back, flush.
pub const CMD_STORE: u8 = 0x01;
/// Command: call a probe's `get`.
pub const CMD_READ_BACK: u8 = 0x02;
/// Command: return storage slot 0.
pub const CMD_GET: u8 = 0x03;

/// Calldata of `store(value, callee, flush)`.
pub fn store_calldata(value: [u8; 32], callee: [u8; 20], flush: bool) -> [u8; 54] {
    let mut c = [0u8; 54];
    c[0] = CMD_STORE;
    c[1..33].copy_from_slice(&value);
    c[33..53].copy_from_slice(&callee);
    c[53] = flush as u8;
    c
}

/// Calldata of `read_back(probe)`.
pub fn read_back_calldata(probe: [u8; 20]) -> [u8; 21] {
    let mut c = [0u8; 21];
    c[0] = CMD_READ_BACK;
    c[1..].copy_from_slice(&probe);
    c
}

/// Calldata of `get()`.
pub const GET_CALLDATA: [u8; 1] = [CMD_GET];

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::{CMD_GET, CMD_READ_BACK, CMD_STORE};

    #[link(wasm_import_module = "vm_hooks")]
    extern "C" {
        fn read_args(dest: *mut u8);
        fn write_result(data: *const u8, len: usize);
        fn storage_load_bytes32(key: *const u8, dest: *mut u8);
        fn storage_cache_bytes32(key: *const u8, value: *const u8);
        fn storage_flush_cache(clear: bool);
        fn call_contract(
            contract: *const u8,
            calldata: *const u8,
            calldata_len: usize,
            value: *const u8,
            gas: u64,
            return_data_len: *mut usize,
        ) -> u8;
        fn read_return_data(dest: *mut u8, offset: usize, size: usize) -> usize;
        fn contract_address(address: *mut u8);
        fn pay_for_memory_grow(pages: u16);
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }

    const SLOT0: [u8; 32] = [0; 32];
    const MAX_ARGS: usize = 64;
    const MAX_RET: usize = 256;

    /// Calls `to` with `data` (no value, all gas); copies up to `MAX_RET` bytes of
    /// its return data into `out`. Returns (status: 0 ok / 1 failed, length).
    unsafe fn call(to: &[u8], data: &[u8], out: &mut [u8; MAX_RET]) -> (usize, usize) {
        let value = [0u8; 32];
        let mut ret_len = 0usize;
        let status = call_contract(
            to.as_ptr(),
            data.as_ptr(),
            data.len(),
            value.as_ptr(),
            u64::MAX,
            &mut ret_len,
        );
        let want = if ret_len < MAX_RET { ret_len } else { MAX_RET };
        let n = read_return_data(out.as_mut_ptr(), 0, want);
        ((status != 0) as usize, n)
    }

    #[no_mangle]
    pub extern "C" fn user_entrypoint(len: usize) -> usize {
        unsafe {
            // Keeps the import Nitro needs when memory grows (as the SDK does).
            pay_for_memory_grow(0);
            if len == 0 || len > MAX_ARGS {
                return 1;
            }
            let mut buf = [0u8; MAX_ARGS];
            read_args(buf.as_mut_ptr());
            let args = &buf[..len];
            let mut out = [0u8; MAX_RET];
            let (status, n) = match (args[0], len) {
                (CMD_STORE, 54) => {
                    storage_cache_bytes32(SLOT0.as_ptr(), args[1..33].as_ptr());
                    if args[53] == 1 {
                        storage_flush_cache(false);
                    }
                    let mut data = [0u8; 21];
                    data[0] = CMD_READ_BACK;
                    contract_address(data[1..].as_mut_ptr());
                    let r = call(&args[33..53], &data, &mut out);
                    storage_flush_cache(false);
                    r
                }
                (CMD_READ_BACK, 21) => call(&args[1..21], &[CMD_GET], &mut out),
                (CMD_GET, 1) => {
                    storage_load_bytes32(SLOT0.as_ptr(), out.as_mut_ptr());
                    (0, 32)
                }
                _ => (1, 0),
            };
            write_result(out.as_ptr(), n);
            status
        }
    }
}
