//! Storage layout: one 32-byte slot per scalar, `keccak256(key ‖ base)` for
//! mappings (the Solidity rule), `keccak256(k2 ‖ keccak256(k1 ‖ base))` for
//! nested mappings. Positions take two consecutive slots.
//!
//! The pool reads and writes raw slots through the host
//! (`storage_load_bytes32` / `storage_cache_bytes32`); the SDK flushes the
//! cache at the end of the call and before every external call.

use alloy_primitives::{keccak256, U256};

/// Scalar slots.
pub mod s {
    /// USDC token.
    pub const USDC: u64 = 0;
    /// Conditional Tokens contract.
    pub const CTF: u64 = 1;
    /// Admin.
    pub const ADMIN: u64 = 2;
    /// Admin-elect.
    pub const PENDING_ADMIN: u64 = 3;
    /// Oracle.
    pub const ORACLE: u64 = 4;
    /// Relayer.
    pub const RELAYER: u64 = 5;
    /// Paused flag.
    pub const PAUSED: u64 = 6;
    /// Idle USDC accounted for.
    pub const CASH: u64 = 7;
    /// `totalBorrowAssets`.
    pub const BORROWED: u64 = 8;
    /// `totalBorrowShares`.
    pub const BORROW_SHARES: u64 = 9;
    /// Reserves (bits 0..128) and the redeemed markets' receivable
    /// (`Market::settling`, bits 128..256), read and written together.
    pub const RESERVES: u64 = 10;
    /// Last accrual time (bits 0..64) and the accrual remainders carried to
    /// the next accrual (`interest::Carry`): the reserve carry (below 1e18)
    /// in bits 64..128, the interest carry (below 1e18 * 31,557,600) in
    /// bits 128..256. Read and written together by every accrual.
    pub const LAST_ACCRUAL: u64 = 11;
    /// Pool cap (bps).
    pub const POOL_CAP: u64 = 12;
    /// Timelock delay (s).
    pub const DELAY: u64 = 13;
    /// pUSDC total supply.
    pub const SUPPLY: u64 = 14;
    /// Redeemed USDC not yet settled, all tokens.
    pub const PENDING_REDEMPTIONS: u64 = 15;
    /// Anchors: prices at `ANCHORS + i`, LTVs at `ANCHORS + 7 + i`;
    /// the pending curve at `PENDING_ANCHORS + ...`.
    pub const ANCHORS: u64 = 16;
    /// Pending curve (same shape as `ANCHORS`).
    pub const PENDING_ANCHORS: u64 = 30;
    /// Pending values by `governance::change` kind (3 slots).
    pub const PENDING_VALUE: u64 = 44;
    /// Pending etas by kind (4 slots).
    pub const PENDING_ETA: u64 = 47;
    /// Pool-cap checkpoint (`positions::CapCheckpoint`): the day number in
    /// the high 128 bits, lenders' `totalAssets` at that day's first touch in
    /// the low 128.
    pub const CAP_CHECKPOINT: u64 = 51;
}

/// Mapping bases.
pub mod m {
    /// pUSDC balance by holder.
    pub const BALANCE: u64 = 100;
    /// pUSDC allowance by owner, spender.
    pub const ALLOWANCE: u64 = 101;
    /// Position by borrower, token id: collateral at +0, borrow shares at +1.
    pub const POSITION: u64 = 102;
    /// Borrow shares of all positions on a token.
    pub const TOKEN_SHARES: u64 = 103;
    /// Collateral of all positions on a token.
    pub const TOKEN_COLLATERAL: u64 = 104;
    /// Intent nonce by borrower.
    pub const NONCE: u64 = 105;
    /// Newest accepted price timestamp by token.
    pub const PRICE_TS: u64 = 106;
    /// Frozen flag by token.
    pub const FROZEN: u64 = 107;
    /// Market status by token (`resolution::status`).
    pub const STATUS: u64 = 108;
    /// Unsettled redeemed USDC by token.
    pub const REDEEMED_USDC: u64 = 109;
    /// Unsettled collateral shares by token.
    pub const REDEEMED_SHARES: u64 = 110;
    /// Frozen debt of a redeemed token's unsettled positions.
    pub const FROZEN_DEBT: u64 = 111;
}

/// Slot of `mapping[key]` at `base`.
#[inline(never)]
pub fn map(base: u64, key: U256) -> U256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(&key.to_be_bytes::<32>());
    buf[32..].copy_from_slice(&U256::from(base).to_be_bytes::<32>());
    keccak256(buf).into()
}

/// Slot of `mapping[k1][k2]` at `base`.
#[inline(never)]
pub fn map2(base: u64, k1: U256, k2: U256) -> U256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(&k2.to_be_bytes::<32>());
    buf[32..].copy_from_slice(&map(base, k1).to_be_bytes::<32>());
    keccak256(buf).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_slots_follow_solidity() {
        let k = U256::from(7);
        let mut pre = k.to_be_bytes::<32>().to_vec();
        pre.extend_from_slice(&U256::from(m::NONCE).to_be_bytes::<32>());
        assert_eq!(map(m::NONCE, k), U256::from_be_bytes(keccak256(&pre).0));
        assert_ne!(
            map2(m::POSITION, k, U256::from(1)),
            map2(m::POSITION, U256::from(1), k)
        );
        // Scalar regions do not overlap.
        assert!(s::ANCHORS + 14 <= s::PENDING_ANCHORS);
        assert!(s::PENDING_ANCHORS + 14 <= s::PENDING_VALUE);
        assert!(s::PENDING_VALUE + 3 <= s::PENDING_ETA);
        assert!(s::PENDING_ETA + 4 <= s::CAP_CHECKPOINT);
        assert!(s::CAP_CHECKPOINT < m::BALANCE);
    }
}
