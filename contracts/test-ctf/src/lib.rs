//! Test-only Conditional Tokens (ERC-1155) for end-to-end tests of the pool's
//! release WASM under the embedded Stylus runtime. Mirrors `MockCtf` in
//! `tests/common/mod.rs`: OpenZeppelin `Erc1155` plus the Gnosis CTF views the
//! pool uses and a simplified `redeemPositions`.
//!
//! ABI (Solidity):
//! ```solidity
//! function setUsdc(address usdc) external;
//! function mint(address to, uint256 id, uint256 amount) external;   // open to anyone
//! function balanceOf(address account, uint256 id) external view returns (uint256);
//! function balanceOfBatch(address[] accounts, uint256[] ids) external view returns (uint256[]);
//! function setApprovalForAll(address operator, bool approved) external;
//! function isApprovedForAll(address account, address operator) external view returns (bool);
//! function safeTransferFrom(address from, address to, uint256 id, uint256 value, bytes data) external;
//! function safeBatchTransferFrom(address from, address to, uint256[] ids, uint256[] values, bytes data) external;
//! function supportsInterface(bytes4 interfaceId) external view returns (bool);
//! function getCollectionId(bytes32 parent, bytes32 condition, uint256 indexSet) external view returns (bytes32);
//! function getPositionId(address collateral, bytes32 collection) external view returns (uint256);
//! function setWinner(bytes32 condition, uint256 indexSet) external;
//! function redeemPositions(address collateral, bytes32 parent, bytes32 condition, uint256[] indexSets) external;
//! ```
//! - `getCollectionId` = `keccak256(parent ‖ condition ‖ indexSet)` (96 bytes, packed).
//! - `getPositionId` = `uint256(keccak256(collateral (20 bytes) ‖ collection))`.
//! - `setWinner` marks `getPositionId(usdc, getCollectionId(0, condition, indexSet))`
//!   (with the address given to `setUsdc`) as paying 1 USDC unit per share.
//! - `redeemPositions` burns the caller's whole balance of each position
//!   `getPositionId(collateral, getCollectionId(parent, condition, indexSet))`
//!   and pays the winning ones 1:1 from this contract's own USDC with one
//!   `usdc.transfer(caller, payout)` call (to the `setUsdc` address); a reverted
//!   transfer reverts with empty data. Its return value is not checked (as in the mock).
//! - `mint`, `safeTransferFrom` and `safeBatchTransferFrom` call
//!   `onERC1155Received` / `onERC1155BatchReceived` on recipients that have code
//!   (OpenZeppelin), which is how the pool receives collateral.
#![allow(clippy::result_large_err)] // OpenZeppelin's error types
extern crate alloc;

use alloc::vec::Vec;

use alloy_primitives::{keccak256, Address, FixedBytes, B256, U256};
use alloy_sol_types::{sol, SolCall};
use openzeppelin_stylus::{
    token::erc1155::{self, Erc1155, IErc1155},
    utils::introspection::erc165::IErc165,
};
use stylus_sdk::{
    abi::Bytes,
    prelude::*,
    storage::{StorageAddress, StorageBool, StorageMap},
    stylus_core::calls::context::Call,
};

sol! {
    /// ERC-20 `transfer`, called on USDC by `redeemPositions`.
    function transfer(address to, uint256 value) external returns (bool);
}

/// `getCollectionId`: `keccak256(parent ‖ condition ‖ indexSet)`.
pub fn collection_id(parent: B256, condition: B256, index_set: U256) -> B256 {
    let mut buf = [0u8; 96];
    buf[..32].copy_from_slice(parent.as_slice());
    buf[32..64].copy_from_slice(condition.as_slice());
    buf[64..].copy_from_slice(&index_set.to_be_bytes::<32>());
    keccak256(buf)
}

/// `getPositionId`: `uint256(keccak256(collateral ‖ collection))`.
pub fn position_id(collateral: Address, collection: B256) -> U256 {
    let mut buf = [0u8; 52];
    buf[..20].copy_from_slice(collateral.as_slice());
    buf[20..].copy_from_slice(collection.as_slice());
    U256::from_be_bytes(keccak256(buf).0)
}

/// The test CTF.
#[entrypoint]
#[storage]
pub struct TestCtf {
    erc1155: Erc1155,
    usdc: StorageAddress,
    /// Position ids that pay 1 USDC per share on redemption.
    winning: StorageMap<U256, StorageBool>,
}

#[public]
impl TestCtf {
    /// Sets the collateral token paid out by `redeemPositions`.
    pub fn set_usdc(&mut self, usdc: Address) {
        self.usdc.set(usdc);
    }

    /// Mints `amount` of `id` to `to` (anyone may call: test token).
    pub fn mint(&mut self, to: Address, id: U256, amount: U256) -> Result<(), erc1155::Error> {
        self.erc1155._mint(to, id, amount, &Bytes::from(Vec::new()))
    }

    /// Balance of `account` in `id`.
    pub fn balance_of(&self, account: Address, id: U256) -> U256 {
        self.erc1155.balance_of(account, id)
    }

    /// Balances of `accounts[i]` in `ids[i]`.
    pub fn balance_of_batch(
        &self,
        accounts: Vec<Address>,
        ids: Vec<U256>,
    ) -> Result<Vec<U256>, erc1155::Error> {
        self.erc1155.balance_of_batch(accounts, ids)
    }

    /// Standard ERC-1155 operator approval.
    pub fn set_approval_for_all(
        &mut self,
        operator: Address,
        approved: bool,
    ) -> Result<(), erc1155::Error> {
        self.erc1155.set_approval_for_all(operator, approved)
    }

    /// Whether `operator` may move `account`'s tokens.
    pub fn is_approved_for_all(&self, account: Address, operator: Address) -> bool {
        self.erc1155.is_approved_for_all(account, operator)
    }

    /// Standard ERC-1155 transfer (calls `onERC1155Received` on contracts).
    pub fn safe_transfer_from(
        &mut self,
        from: Address,
        to: Address,
        id: U256,
        value: U256,
        data: Bytes,
    ) -> Result<(), erc1155::Error> {
        self.erc1155.safe_transfer_from(from, to, id, value, data)
    }

    /// Standard ERC-1155 batch transfer (calls `onERC1155BatchReceived` on contracts).
    pub fn safe_batch_transfer_from(
        &mut self,
        from: Address,
        to: Address,
        ids: Vec<U256>,
        values: Vec<U256>,
        data: Bytes,
    ) -> Result<(), erc1155::Error> {
        self.erc1155
            .safe_batch_transfer_from(from, to, ids, values, data)
    }

    /// ERC-165 (ERC-1155 and ERC-165 ids).
    pub fn supports_interface(&self, interface_id: FixedBytes<4>) -> bool {
        self.erc1155.supports_interface(interface_id)
    }

    /// `keccak256(parent ‖ condition ‖ indexSet)`.
    pub fn get_collection_id(&self, parent: B256, condition: B256, index_set: U256) -> B256 {
        collection_id(parent, condition, index_set)
    }

    /// `uint256(keccak256(collateral ‖ collection))`.
    pub fn get_position_id(&self, collateral: Address, collection: B256) -> U256 {
        position_id(collateral, collection)
    }

    /// Test setup: the outcome `indexSet` of `condition` won.
    pub fn set_winner(&mut self, condition: B256, index_set: U256) {
        let id = position_id(
            self.usdc.get(),
            collection_id(B256::ZERO, condition, index_set),
        );
        self.winning.setter(id).set(true);
    }

    /// Burns the caller's shares of each position and pays 1 USDC (unit for
    /// unit) for winning ones from this contract's own USDC.
    pub fn redeem_positions(
        &mut self,
        collateral: Address,
        parent: B256,
        condition: B256,
        index_sets: Vec<U256>,
    ) -> Result<(), Vec<u8>> {
        let sender = self.vm().msg_sender();
        let mut payout = U256::ZERO;
        for index_set in index_sets {
            let id = position_id(collateral, collection_id(parent, condition, index_set));
            let bal = self.erc1155.balance_of(sender, id);
            self.erc1155._burn(sender, id, bal)?;
            if self.winning.get(id) {
                payout += bal;
            }
        }
        if !payout.is_zero() {
            let call = transferCall {
                to: sender,
                value: payout,
            };
            self.vm()
                .call(&Call::new(), self.usdc.get(), &call.abi_encode())
                .map_err(|_| Vec::<u8>::new())?;
        }
        Ok(())
    }
}
