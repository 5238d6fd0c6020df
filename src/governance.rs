//! Governance rules: the timelock ratchet, when a pending change is ready,
//! and which pool-cap changes are immediate. Pure.

use crate::{errors::Result, fail, positions::BPS};

/// Longest timelock delay: 10 days.
pub const MAX_DELAY: u64 = 10 * 24 * 3_600;

/// Kinds of timelocked address/number changes (storage slot index).
pub mod change {
    /// New oracle address.
    pub const ORACLE: u8 = 0;
    /// New relayer address.
    pub const RELAYER: u8 = 1;
    /// Higher pool cap (basis points).
    pub const POOL_CAP: u8 = 2;
    /// New LTV anchors (values in the anchors' own slot).
    pub const ANCHORS: u8 = 3;
}

/// The delay may only grow, and never past 10 days.
pub fn check_delay(current: u64, new: u64) -> Result<()> {
    if new < current || new > MAX_DELAY {
        return Err(fail!(InvalidDelay));
    }
    Ok(())
}

/// A pending change proposed with execution time `eta` (0 = none) can run at `now`.
pub fn check_ready(eta: u64, now: u64) -> Result<()> {
    if eta == 0 {
        return Err(fail!(NoPendingChange));
    }
    if now < eta {
        return Err(fail!(TimelockNotReady));
    }
    Ok(())
}

/// A pool cap must be at most 10,000 bps (0 means "no cap").
pub fn check_cap(bps: u128) -> Result<()> {
    if bps > BPS {
        return Err(fail!(InvalidPoolCap));
    }
    Ok(())
}

/// The cap as a comparable limit: 0 ("no cap") is the largest.
pub fn cap_limit(bps: u128) -> u128 {
    if bps == 0 {
        u128::MAX
    } else {
        bps
    }
}

/// Lowering (or keeping) the cap is immediate; raising it, including to 0
/// ("no cap"), needs the timelock.
pub fn is_raise(current: u128, new: u128) -> bool {
    cap_limit(new) > cap_limit(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_ratchet() {
        assert_eq!(check_delay(0, 0), Ok(()));
        assert_eq!(check_delay(0, MAX_DELAY), Ok(()));
        assert_eq!(check_delay(0, MAX_DELAY + 1), Err(fail!(InvalidDelay)));
        assert_eq!(check_delay(100, 99), Err(fail!(InvalidDelay)));
        assert_eq!(check_delay(100, 100), Ok(()));
    }

    #[test]
    fn readiness() {
        assert_eq!(check_ready(0, 5), Err(fail!(NoPendingChange)));
        assert_eq!(check_ready(10, 9), Err(fail!(TimelockNotReady)));
        assert_eq!(check_ready(10, 10), Ok(()));
    }

    #[test]
    fn cap_rules() {
        assert_eq!(check_cap(10_000), Ok(()));
        assert_eq!(check_cap(10_001), Err(fail!(InvalidPoolCap)));
        assert!(!is_raise(500, 400));
        assert!(!is_raise(500, 500));
        assert!(is_raise(500, 501));
        assert!(is_raise(500, 0));
        assert!(!is_raise(0, 10_000));
    }
}
