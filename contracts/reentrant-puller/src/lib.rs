//! Negative control for the embedded Stylus runtime: a contract that pulls
//! ERC-1155 tokens to itself, so the token's `onERC1155Received` callback
//! re-enters it.
//!
//! ABI (Solidity):
//! ```solidity
//! function pull(address ctf, address from, uint256 id, uint256 amount) external;
//! function received() external view returns (uint256);   // sum of `value`s accepted
//! function onERC1155Received(address operator, address from, uint256 id, uint256 value, bytes data) external returns (bytes4);
//! function onERC1155BatchReceived(address operator, address from, uint256[] ids, uint256[] values, bytes data) external returns (bytes4);
//! ```
//! `pull` calls `ctf.safeTransferFrom(from, address(this), id, amount, "")`
//! (`from` must have called `ctf.setApprovalForAll(puller, true)`) and re-reverts
//! with the CTF's revert data if that call fails.
//!
//! Expected: on a real Stylus chain (and a faithful runtime) the callback re-enters
//! the puller while `pull` is still on the call stack; the SDK entrypoint (built
//! without the `reentrant` feature) rejects a re-entrant call (empty revert data),
//! OpenZeppelin's ERC-1155 turns that into `ERC1155InvalidReceiver(puller)`, so
//! `pull` reverts with that error and nothing moves. Under motsu (which always
//! reports "not re-entrant") `pull` succeeds and `received()` grows.
//!
//! The type is usable in motsu tests (`Contract<ReentrantPuller>`), natively
//! built with stylus-sdk's `stylus-test` feature.
extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{Address, FixedBytes, U256};
use alloy_sol_types::{sol, SolCall};
use stylus_sdk::{abi::Bytes, prelude::*, storage::StorageU256, stylus_core::calls::context::Call};

sol! {
    /// ERC-1155 `safeTransferFrom`.
    function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data) external;
}

/// `onERC1155Received.selector`.
pub const ERC1155_RECEIVED: [u8; 4] = [0xf2, 0x3a, 0x6e, 0x61];
/// `onERC1155BatchReceived.selector`.
pub const ERC1155_BATCH_RECEIVED: [u8; 4] = [0xbc, 0x19, 0x7c, 0x81];

/// The puller.
#[entrypoint]
#[storage]
pub struct ReentrantPuller {
    received: StorageU256,
}

#[public]
impl ReentrantPuller {
    /// Pulls `amount` of `id` from `from` to this contract through `ctf`.
    pub fn pull(
        &mut self,
        ctf: Address,
        from: Address,
        id: U256,
        amount: U256,
    ) -> Result<(), Vec<u8>> {
        let call = safeTransferFromCall {
            from,
            to: self.vm().contract_address(),
            id,
            value: amount,
            data: Default::default(),
        };
        match self.vm().call(&Call::new(), ctf, &call.abi_encode()) {
            Ok(_) => Ok(()),
            Err(stylus_sdk::stylus_core::calls::errors::Error::Revert(data)) => Err(data),
            Err(_) => Err(Vec::new()),
        }
    }

    /// Sum of the `value`s accepted by the receiver hooks.
    pub fn received(&self) -> U256 {
        self.received.get()
    }

    /// Accepts ERC-1155 transfers (re-entrant when reached from `pull`).
    #[selector(name = "onERC1155Received")]
    pub fn on_erc1155_received(
        &mut self,
        _operator: Address,
        _from: Address,
        _id: U256,
        value: U256,
        _data: Bytes,
    ) -> FixedBytes<4> {
        let r = self.received.get();
        self.received.set(r.saturating_add(value));
        FixedBytes(ERC1155_RECEIVED)
    }

    /// Accepts ERC-1155 batch transfers.
    #[selector(name = "onERC1155BatchReceived")]
    pub fn on_erc1155_batch_received(
        &mut self,
        _operator: Address,
        _from: Address,
        _ids: Vec<U256>,
        values: Vec<U256>,
        _data: Bytes,
    ) -> FixedBytes<4> {
        let mut r = self.received.get();
        for v in values {
            r = r.saturating_add(v);
        }
        self.received.set(r);
        FixedBytes(ERC1155_BATCH_RECEIVED)
    }
}
