//! pUSDC share math (ERC-4626) as pure functions.
//!
//! `totalAssets = cash + totalBorrowAssets - reserves`. Shares use a virtual
//! offset of 6 decimals (OpenZeppelin's `_decimalsOffset() = 6`): the vault
//! behaves as if `10^6` extra shares and `1` extra asset always existed, which
//! makes the first-depositor inflation attack unprofitable.
//!
//! Rounding follows EIP-4626: whatever the user receives rounds down, whatever
//! the user must give rounds up.

use alloy_primitives::U256;

use crate::{
    errors::Result,
    math::{add, mul_div, u, Rounding},
};

/// Virtual shares: `10 ^ DECIMALS_OFFSET`.
pub const VIRTUAL_SHARES: U256 = u(1_000_000);
/// Virtual assets.
pub const VIRTUAL_ASSETS: U256 = u(1);
/// pUSDC decimals: USDC's 6 plus the offset 6.
pub const DECIMALS: u8 = 12;

/// Lenders' claim on the pool: `cash + borrowed - reserves`.
///
/// Saturates at zero: after bad debt larger than everything lenders had, the
/// protocol's reserves are a claim on nothing, not a negative lender balance.
pub fn total_assets(cash: U256, total_borrow_assets: U256, reserves: U256) -> U256 {
    cash.saturating_add(total_borrow_assets).saturating_sub(reserves)
}

/// Assets to shares: `assets * (supply + 10^6) / (totalAssets + 1)`.
pub fn to_shares(assets: U256, supply: U256, total_assets: U256, r: Rounding) -> Result<U256> {
    mul_div(
        assets,
        add(supply, VIRTUAL_SHARES)?,
        add(total_assets, VIRTUAL_ASSETS)?,
        r,
    )
}

/// Shares to assets: `shares * (totalAssets + 1) / (supply + 10^6)`.
pub fn to_assets(shares: U256, supply: U256, total_assets: U256, r: Rounding) -> Result<U256> {
    mul_div(
        shares,
        add(total_assets, VIRTUAL_ASSETS)?,
        add(supply, VIRTUAL_SHARES)?,
        r,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use Rounding::{Down, Up};

    #[test]
    fn first_deposit_mints_with_offset() {
        // Empty vault: 1 USDC (1e6 units) buys 1e12 share units (12 decimals).
        assert_eq!(to_shares(u(1_000_000), U256::ZERO, U256::ZERO, Down).unwrap(), u(1_000_000_000_000));
        // One unit of USDC still mints shares.
        assert_eq!(to_shares(u(1), U256::ZERO, U256::ZERO, Down).unwrap(), u(1_000_000));
    }

    #[test]
    fn total_assets_saturates() {
        assert_eq!(total_assets(u(10), u(5), u(3)), u(12));
        assert_eq!(total_assets(u(1), u(0), u(3)), U256::ZERO);
    }

    #[test]
    fn donation_attack_is_unprofitable() {
        // Attacker deposits 1 unit, then "donates" 1e12 by inflating assets.
        let supply = to_shares(u(1), U256::ZERO, U256::ZERO, Down).unwrap();
        let assets = u(1 + 1_000_000_000_000);
        // Victim deposits 1e9 and still gets shares.
        let victim = to_shares(u(1_000_000_000), supply, assets, Down).unwrap();
        assert!(victim > U256::ZERO);
    }

    proptest! {
        /// Deposit then redeem never returns more than was put in.
        #[test]
        fn deposit_redeem_round_trip(a in 0u64..u64::MAX, supply in 0u64..u64::MAX, ta in 0u64..u64::MAX) {
            let (a, s, t) = (U256::from(a), U256::from(supply), U256::from(ta));
            let shares = to_shares(a, s, t, Down).unwrap();
            let back = to_assets(shares, s + shares, t + a, Down).unwrap();
            prop_assert!(back <= a);
        }

        /// Mint then withdraw: the shares burned to take the assets back are
        /// never fewer than were minted for them.
        #[test]
        fn mint_withdraw_round_trip(sh in 0u64..u64::MAX, supply in 0u64..u64::MAX, ta in 0u64..u64::MAX) {
            let (sh, s, t) = (U256::from(sh), U256::from(supply), U256::from(ta));
            let paid = to_assets(sh, s, t, Up).unwrap();
            let burn = to_shares(paid, s + sh, t + paid, Up).unwrap();
            prop_assert!(burn >= sh);
        }

        /// Up is never below down, and never more than one above it.
        #[test]
        fn rounding_directions(a in any::<u64>(), supply in any::<u64>(), ta in any::<u64>()) {
            let (a, s, t) = (U256::from(a), U256::from(supply), U256::from(ta));
            let d = to_shares(a, s, t, Down).unwrap();
            let up = to_shares(a, s, t, Up).unwrap();
            prop_assert!(up == d || up == d + u(1));
        }
    }
}
