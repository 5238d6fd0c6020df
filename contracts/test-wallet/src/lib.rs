//! Test-only EIP-1271 smart-contract wallet for end-to-end tests of the pool's
//! release WASM under the embedded Stylus runtime. Mirrors `MockWallet` in
//! `tests/common/mod.rs`, plus `exec` so the wallet can act as a borrower
//! (approve USDC, push CTF shares to the pool, ...) and
//! `onERC1155BatchReceived`.
//!
//! ABI (Solidity):
//! ```solidity
//! function setOwner(address owner) external;                    // open to anyone (test wallet)
//! function owner() external view returns (address);
//! function setMode(uint8 mode) external;                        // 0 magic, 1 0xffffffff, 2 revert, 7 burn gas, 8 huge revert, 9 write
//! function isValidSignature(bytes32 hash, bytes signature) external returns (bytes4); // view except in mode 9
//! function writes() external view returns (uint256);            // times mode 9 wrote
//! function exec(address target, bytes data) external returns (bytes); // owner only
//! function onERC1155Received(address operator, address from, uint256 id, uint256 value, bytes data) external returns (bytes4);
//! function onERC1155BatchReceived(address operator, address from, uint256[] ids, uint256[] values, bytes data) external returns (bytes4);
//! function setHook(address target, bytes data) external;       // open to anyone (test wallet)
//! function hookResult() external view returns (uint8);          // 0 idle, 1 ok, 2 failed
//! ```
//! `setHook` arms a one-shot call (the mock's `Hook`): the next
//! `onERC1155Received` first disarms it, calls `target` with `data` (no value,
//! all gas; a failure is ignored) and records the outcome in `hookResult`
//! (1 if the call succeeded, 2 if it failed), then answers as usual. Models a
//! receiver that re-enters the pool sending it shares.
//! `isValidSignature` answers exactly like the mock (which uses alloy's
//! `PrimitiveSignature::try_from` + `recover_address_from_prehash`):
//! - mode 2: revert with data `"no"`; mode 1: `0xffffffff`;
//! - wallet-only modes (no `MockWallet` twin: motsu has no gas meter and runs
//!   static calls as normal calls): mode 7 loops until it runs out of gas;
//!   mode 8 reverts with a `HUGE_BLOB`-byte blob of `0xff`; mode 9 increments
//!   the `writes` slot, then answers like mode 0 (inside a STATICCALL the write
//!   fails the frame);
//! - mode 0: `signature` must be 65 bytes `r ‖ s ‖ v` with `v` in {0, 1, 27, 28, 35..=255}
//!   (else revert with empty data); a high-`s` signature is normalised (`s := n - s`,
//!   parity flipped) like alloy does, so it is accepted; the signer is recovered with
//!   the `ecrecover` precompile (0x01); `0x1626ba7e` if it is the owner, else
//!   `0x00000000` (also when recovery fails).
//!
//! Unlike SDK contracts, the wallet accepts re-entrant calls (hand-written
//! `user_entrypoint` without the SDK's `msg_reentrant` check), like a Solidity
//! wallet and like motsu: e.g. `exec(pool, liquidate(...))` receives the seized
//! ERC-1155 shares through `onERC1155Received` while `exec` is on the stack.
//!
//! `exec` (caller must be the owner, else revert with `"not owner"`) calls `target`
//! with `data` and no value, returns its return data as `bytes`, and on revert
//! re-reverts with the callee's revert data unchanged.
extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{uint, Address, FixedBytes, B256, U256, U8};
use stylus_sdk::{
    abi::Bytes,
    prelude::*,
    storage::{StorageAddress, StorageBytes, StorageU256, StorageU8},
    stylus_core::calls::context::Call,
};

/// `setMode` value: answer `isValidSignature` honestly.
pub const WALLET_MAGIC: u8 = 0;
/// `setMode` value: answer `0xffffffff`.
pub const WALLET_WRONG: u8 = 1;
/// `setMode` value: revert.
pub const WALLET_REVERT: u8 = 2;
/// `setMode` value: loop until out of gas.
pub const WALLET_BURN_GAS: u8 = 7;
/// `setMode` value: revert with `HUGE_BLOB` bytes of `0xff`.
pub const WALLET_HUGE_REVERT: u8 = 8;
/// `setMode` value: write storage (`writes += 1`), then answer honestly.
pub const WALLET_WRITE: u8 = 9;

/// Size of mode 8's revert data (512 KiB: 8 WASM pages).
pub const HUGE_BLOB: usize = 512 * 1024;

/// `hookResult` value: not fired since it was armed (or never armed).
pub const HOOK_IDLE: u8 = 0;
/// `hookResult` value: the hook's call succeeded.
pub const HOOK_OK: u8 = 1;
/// `hookResult` value: the hook's call failed.
pub const HOOK_FAILED: u8 = 2;

/// EIP-1271 magic value (`isValidSignature.selector`).
pub const EIP1271_MAGIC: [u8; 4] = [0x16, 0x26, 0xba, 0x7e];
/// `onERC1155Received.selector`.
pub const ERC1155_RECEIVED: [u8; 4] = [0xf2, 0x3a, 0x6e, 0x61];
/// `onERC1155BatchReceived.selector`.
pub const ERC1155_BATCH_RECEIVED: [u8; 4] = [0xbc, 0x19, 0x7c, 0x81];

/// secp256k1 group order.
const N: U256 = uint!(0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141_U256);

/// The parity a 65-byte signature's `v` byte stands for, as alloy's `normalize_v`
/// (`None`: invalid `v`).
pub fn parity(v: u8) -> Option<bool> {
    match v {
        0 | 1 => Some(v == 1),
        27 | 28 | 35.. => Some(v.is_multiple_of(2)),
        _ => None,
    }
}

/// The 128-byte `ecrecover` input for `hash` and a 65-byte signature, with `s`
/// normalised to the lower half; `Err(())` if the signature cannot parse (revert),
/// `Ok(None)` if no key can be recovered from it.
#[allow(clippy::result_unit_err)]
pub fn ecrecover_input(hash: B256, sig: &[u8]) -> Result<Option<[u8; 128]>, ()> {
    if sig.len() != 65 {
        return Err(());
    }
    let mut y = parity(sig[64]).ok_or(())?;
    let r = U256::from_be_slice(&sig[..32]);
    let mut s = U256::from_be_slice(&sig[32..64]);
    if r.is_zero() || r >= N || s.is_zero() || s >= N {
        return Ok(None);
    }
    if s > N >> 1 {
        s = N - s;
        y = !y;
    }
    let mut input = [0u8; 128];
    input[..32].copy_from_slice(hash.as_slice());
    input[63] = 27 + y as u8;
    input[64..96].copy_from_slice(&sig[..32]);
    input[96..].copy_from_slice(&s.to_be_bytes::<32>());
    Ok(Some(input))
}

/// The test wallet.
#[storage]
pub struct TestWallet {
    owner: StorageAddress,
    mode: StorageU8,
    hook_target: StorageAddress,
    hook_data: StorageBytes,
    hook_result: StorageU8,
    writes: StorageU256,
}

unsafe impl TopLevelStorage for TestWallet {}

impl TestWallet {
    /// Fires the armed hook once (disarming first, so it cannot loop).
    fn fire_hook(&mut self) {
        let target = self.hook_target.get();
        if target.is_zero() {
            return;
        }
        self.hook_target.set(Address::ZERO);
        let data = self.hook_data.get_bytes();
        let ok = self.vm().call(&Call::new(), target, &data).is_ok();
        self.hook_result
            .set(U8::from(if ok { HOOK_OK } else { HOOK_FAILED }));
    }
}

/// The SDK's `#[entrypoint]` code without its re-entrancy check (and without the
/// SDK's `reentrant` feature, which would leak into other builds): a smart wallet
/// must accept `onERC1155Received` while its own `exec` is on the call stack, e.g.
/// `exec(pool, liquidate(..))` where the pool sends the seized shares to the wallet.
#[cfg(target_arch = "wasm32")]
#[no_mangle]
pub extern "C" fn user_entrypoint(len: usize) -> usize {
    use stylus_sdk::stylus_core::host::{CalldataAccess, MemoryAccess, StorageAccess};
    let host = stylus_sdk::host::VM(stylus_sdk::host::WasmVM {});
    host.pay_for_memory_grow(0);
    let input = host.read_args(len);
    let (data, status) =
        match stylus_sdk::abi::router_entrypoint::<TestWallet, TestWallet>(input, host.clone()) {
            Ok(data) => (data, 0),
            Err(data) => (data, 1),
        };
    host.flush_cache(false);
    host.write_result(&data);
    status
}

#[public]
impl TestWallet {
    /// Sets the signing key's address (anyone may call: test wallet).
    pub fn set_owner(&mut self, owner: Address) {
        self.owner.set(owner);
    }

    /// The owner.
    pub fn owner(&self) -> Address {
        self.owner.get()
    }

    /// 0: honest; 1: answer `0xffffffff`; 2: revert.
    pub fn set_mode(&mut self, mode: u8) {
        self.mode.set(U8::from(mode));
    }

    /// Arms the one-shot hook fired by the next `onERC1155Received`.
    pub fn set_hook(&mut self, target: Address, data: Bytes) {
        self.hook_target.set(target);
        self.hook_data.set_bytes(&data);
        self.hook_result.set(U8::from(HOOK_IDLE));
    }

    /// What the hook did: 0 idle, 1 ok, 2 failed.
    pub fn hook_result(&self) -> u8 {
        self.hook_result.get().to()
    }

    /// How many times mode 9 wrote storage (outside a static call).
    pub fn writes(&self) -> U256 {
        self.writes.get()
    }

    /// EIP-1271: `0x1626ba7e` if the owner signed `hash`.
    pub fn is_valid_signature(
        &mut self,
        hash: B256,
        signature: Bytes,
    ) -> Result<FixedBytes<4>, Vec<u8>> {
        match self.mode.get().to::<u8>() {
            WALLET_REVERT => return Err(b"no".to_vec()),
            WALLET_WRONG => return Ok(FixedBytes([0xff; 4])),
            WALLET_BURN_GAS => loop {
                core::hint::black_box(());
            },
            WALLET_HUGE_REVERT => return Err(alloc::vec![0xff; HUGE_BLOB]),
            WALLET_WRITE => {
                let n = self.writes.get();
                self.writes.set(n + U256::from(1));
            }
            _ => {}
        }
        let Some(input) = ecrecover_input(hash, &signature).map_err(|_| Vec::new())? else {
            return Ok(FixedBytes([0; 4]));
        };
        let out = self
            .vm()
            .static_call(&Call::new(), Address::with_last_byte(1), &input)
            .unwrap_or_default();
        if out.len() == 32 && Address::from_slice(&out[12..]) == self.owner.get() {
            Ok(FixedBytes(EIP1271_MAGIC))
        } else {
            Ok(FixedBytes([0; 4]))
        }
    }

    /// Owner only: calls `target` with `data`; returns its return data, or
    /// reverts with its revert data.
    pub fn exec(&mut self, target: Address, data: Bytes) -> Result<Bytes, Vec<u8>> {
        if self.vm().msg_sender() != self.owner.get() {
            return Err(b"not owner".to_vec());
        }
        match self.vm().call(&Call::new(), target, &data) {
            Ok(out) => Ok(Bytes::from(out)),
            Err(stylus_sdk::stylus_core::calls::errors::Error::Revert(data)) => Err(data),
            Err(_) => Err(Vec::new()),
        }
    }

    /// Accepts ERC-1155 transfers (after firing the hook, if armed).
    #[selector(name = "onERC1155Received")]
    pub fn on_erc1155_received(
        &mut self,
        _operator: Address,
        _from: Address,
        _id: U256,
        _value: U256,
        _data: Bytes,
    ) -> FixedBytes<4> {
        self.fire_hook();
        FixedBytes(ERC1155_RECEIVED)
    }

    /// Accepts ERC-1155 batch transfers.
    #[selector(name = "onERC1155BatchReceived")]
    pub fn on_erc1155_batch_received(
        &mut self,
        _operator: Address,
        _from: Address,
        _ids: Vec<U256>,
        _values: Vec<U256>,
        _data: Bytes,
    ) -> FixedBytes<4> {
        FixedBytes(ERC1155_BATCH_RECEIVED)
    }
}
