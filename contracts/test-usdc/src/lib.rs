//! Test-only ERC-20 "USD Coin" (6 decimals) for end-to-end tests of the pool's
//! release WASM under the embedded Stylus runtime. Mirrors `MockUsdc` in
//! `tests/common/mod.rs` (same behaviour, same adversarial mode), plus
//! `name`/`symbol`.
//!
//! ABI (Solidity):
//! ```solidity
//! function name() external view returns (string);
//! function symbol() external view returns (string);
//! function decimals() external view returns (uint8);                 // 6
//! function totalSupply() external view returns (uint256);
//! function balanceOf(address account) external view returns (uint256);
//! function allowance(address owner, address spender) external view returns (uint256);
//! function approve(address spender, uint256 value) external returns (bool);
//! function transfer(address to, uint256 value) external returns (bool);
//! function transferFrom(address from, address to, uint256 value) external returns (bool);
//! function mint(address to, uint256 amount) external;               // open to anyone
//! function setMode(uint8 mode) external;                            // 0 normal, 1 return-false
//! function setHook(address target, bytes data) external;            // open to anyone
//! function hookResult() external view returns (uint8);              // 0 idle, 1 ok, 2 failed
//! ```
//! In mode 1 `transfer`/`transferFrom` return `false` and move nothing.
//! `setHook` arms a one-shot call (the mock's `Hook`): the next `transfer` or
//! `transferFrom` (in mode 0) first disarms it, calls `target` with `data` (no
//! value, all gas; a failure is ignored), records the outcome in `hookResult`
//! (1 ok, 2 failed), then moves the tokens. Models a token that re-enters the
//! pool mid-operation.
//! Errors are OpenZeppelin's `ERC20InsufficientBalance`, `ERC20InsufficientAllowance`,
//! `ERC20InvalidReceiver`, ... Events: `Transfer`, `Approval`.
extern crate alloc;

use alloc::string::String;

use alloy_primitives::{Address, U256, U8};
use openzeppelin_stylus::token::erc20::{self, Erc20, IErc20};
use stylus_sdk::{
    abi::Bytes,
    prelude::*,
    storage::{StorageAddress, StorageBytes, StorageU8},
    stylus_core::calls::context::Call,
};

/// `setMode` value: standard ERC-20.
pub const USDC_NORMAL: u8 = 0;
/// `setMode` value: `transfer`/`transferFrom` return `false` without moving tokens.
pub const USDC_RETURN_FALSE: u8 = 1;

/// `hookResult` value: not fired since it was armed (or never armed).
pub const HOOK_IDLE: u8 = 0;
/// `hookResult` value: the hook's call succeeded.
pub const HOOK_OK: u8 = 1;
/// `hookResult` value: the hook's call failed.
pub const HOOK_FAILED: u8 = 2;

/// The test USDC.
#[entrypoint]
#[storage]
pub struct TestUsdc {
    erc20: Erc20,
    mode: StorageU8,
    hook_target: StorageAddress,
    hook_data: StorageBytes,
    hook_result: StorageU8,
}

impl TestUsdc {
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

#[public]
impl TestUsdc {
    /// Mints `amount` to `to` (anyone may call: test token).
    pub fn mint(&mut self, to: Address, amount: U256) -> Result<(), erc20::Error> {
        self.erc20._mint(to, amount)
    }

    /// 0: normal; 1: `transfer`/`transferFrom` return `false`.
    pub fn set_mode(&mut self, mode: u8) {
        self.mode.set(U8::from(mode));
    }

    /// Arms the one-shot hook fired by the next `transfer`/`transferFrom`.
    pub fn set_hook(&mut self, target: Address, data: Bytes) {
        self.hook_target.set(target);
        self.hook_data.set_bytes(&data);
        self.hook_result.set(U8::from(HOOK_IDLE));
    }

    /// What the hook did: 0 idle, 1 ok, 2 failed.
    pub fn hook_result(&self) -> u8 {
        self.hook_result.get().to()
    }

    /// "USD Coin".
    pub fn name(&self) -> String {
        String::from("USD Coin")
    }

    /// "USDC".
    pub fn symbol(&self) -> String {
        String::from("USDC")
    }

    /// 6.
    pub fn decimals(&self) -> u8 {
        6
    }

    /// Total minted.
    pub fn total_supply(&self) -> U256 {
        self.erc20.total_supply()
    }

    /// Balance of `account`.
    pub fn balance_of(&self, account: Address) -> U256 {
        self.erc20.balance_of(account)
    }

    /// Allowance of `spender` over `owner`'s tokens.
    pub fn allowance(&self, owner: Address, spender: Address) -> U256 {
        self.erc20.allowance(owner, spender)
    }

    /// Standard `approve`.
    pub fn approve(&mut self, spender: Address, value: U256) -> Result<bool, erc20::Error> {
        self.erc20.approve(spender, value)
    }

    /// Standard `transfer`, or `false` in mode 1.
    pub fn transfer(&mut self, to: Address, value: U256) -> Result<bool, erc20::Error> {
        if self.mode.get().to::<u8>() == USDC_RETURN_FALSE {
            return Ok(false);
        }
        self.fire_hook();
        self.erc20.transfer(to, value)
    }

    /// Standard `transferFrom`, or `false` in mode 1.
    pub fn transfer_from(
        &mut self,
        from: Address,
        to: Address,
        value: U256,
    ) -> Result<bool, erc20::Error> {
        if self.mode.get().to::<u8>() == USDC_RETURN_FALSE {
            return Ok(false);
        }
        self.fire_hook();
        self.erc20.transfer_from(from, to, value)
    }
}
