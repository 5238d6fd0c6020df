//! pUSDC share math (ERC-4626) as pure functions.
//!
//! `totalAssets = cash + totalBorrowAssets - reserves`. Shares use a virtual
//! offset of 6 decimals (OpenZeppelin's `_decimalsOffset() = 6`): the vault
//! behaves as if `10^6` extra shares and `1` extra asset always existed, which
//! makes the first-depositor inflation attack unprofitable.
//!
//! Rounding follows EIP-4626: whatever the user receives rounds down, whatever
//! the user must give rounds up.

use crate::{
    errors::Result,
    math::{add, mul_div, Rounding},
};

/// Virtual shares: `10 ^ DECIMALS_OFFSET`.
pub const VIRTUAL_SHARES: u128 = 1_000_000;
/// Virtual assets.
pub const VIRTUAL_ASSETS: u128 = 1;
/// pUSDC decimals: USDC's 6 plus the offset 6.
pub const DECIMALS: u8 = 12;

/// Lenders' claim on the pool: `cash + borrowed - reserves`.
///
/// Saturates at zero: after bad debt larger than everything lenders had, the
/// protocol's reserves are a claim on nothing, not a negative lender balance.
pub fn total_assets(cash: u128, total_borrow_assets: u128, reserves: u128) -> u128 {
    cash.saturating_add(total_borrow_assets)
        .saturating_sub(reserves)
}

/// Assets to shares: `assets * (supply + 10^6) / (totalAssets + 1)`.
pub fn to_shares(assets: u128, supply: u128, total_assets: u128, r: Rounding) -> Result<u128> {
    mul_div(
        assets,
        add(supply, VIRTUAL_SHARES)?,
        add(total_assets, VIRTUAL_ASSETS)?,
        r,
    )
}

/// Shares to assets: `shares * (totalAssets + 1) / (supply + 10^6)`.
pub fn to_assets(shares: u128, supply: u128, total_assets: u128, r: Rounding) -> Result<u128> {
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
        assert_eq!(
            to_shares(1_000_000, 0, 0, Down).unwrap(),
            (1_000_000_000_000)
        );
        // One unit of USDC still mints shares.
        assert_eq!(to_shares(1, 0, 0, Down).unwrap(), (1_000_000));
    }

    #[test]
    fn total_assets_saturates() {
        assert_eq!(total_assets(10, 5, 3), (12));
        assert_eq!(total_assets(1, 0, 3), 0);
    }

    #[test]
    fn donation_attack_is_unprofitable() {
        // Attacker deposits 1 unit, then "donates" 1e12 by inflating assets.
        let supply = to_shares(1, 0, 0, Down).unwrap();
        let assets = 1 + 1_000_000_000_000;
        // Victim deposits 1e9 and still gets shares.
        let victim = to_shares(1_000_000_000, supply, assets, Down).unwrap();
        assert!(victim > 0);
    }

    proptest! {
        /// Deposit then redeem never returns more than was put in.
        #[test]
        fn deposit_redeem_round_trip(a in 0u64..u64::MAX, supply in 0u64..u64::MAX, ta in 0u64..u64::MAX) {
            let (a, s, t) = ((a as u128), (supply as u128), (ta as u128));
            let shares = to_shares(a, s, t, Down).unwrap();
            let back = to_assets(shares, s + shares, t + a, Down).unwrap();
            prop_assert!(back <= a);
        }

        /// Mint then withdraw: the shares burned to take the assets back are
        /// never fewer than were minted for them.
        #[test]
        fn mint_withdraw_round_trip(sh in 0u64..u64::MAX, supply in 0u64..u64::MAX, ta in 0u64..u64::MAX) {
            let (sh, s, t) = ((sh as u128), (supply as u128), (ta as u128));
            let paid = to_assets(sh, s, t, Up).unwrap();
            let burn = to_shares(paid, s + sh, t + paid, Up).unwrap();
            prop_assert!(burn >= sh);
        }

        /// Up is never below down, and never more than one above it.
        #[test]
        fn rounding_directions(a in any::<u64>(), supply in any::<u64>(), ta in any::<u64>()) {
            let (a, s, t) = ((a as u128), (supply as u128), (ta as u128));
            let d = to_shares(a, s, t, Down).unwrap();
            let up = to_shares(a, s, t, Up).unwrap();
            prop_assert!(up == d || up == d + (1));
        }
    }
}
