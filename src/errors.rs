//! Every way a call to the pool can fail, as Solidity custom errors.
//!
//! One error per distinct failure so integrators can decode exactly what went
//! wrong (`cast 4byte-decode`, viem's `decodeErrorResult`, a Solidity `catch`).
//! Errors carry no arguments: the revert data is exactly the 4-byte selector
//! of `Name()`. That keeps every `Result` one byte wide, which is most of what
//! makes the contract fit in 24 KiB.
//!
//! The Solidity declarations are in `abi/IPredMartPool.sol`; a test checks
//! that each selector here equals `keccak256("Name()")[..4]` and that the
//! interface declares every error.

use alloc::vec::Vec;

macro_rules! errors {
    ($($(#[doc = $doc:literal])+ $name:ident,)+) => {
        /// The pool's error: one variant per Solidity custom error.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u8)]
        pub enum Error {
            $($(#[doc = $doc])+ $name,)+
        }

        impl Error {
            /// Every error, in declaration order.
            pub const ALL: &'static [Error] = &[$(Error::$name,)+];

            /// Solidity signature, e.g. `"ExceedsLtv()"`.
            pub const fn signature(self) -> &'static str {
                match self {
                    $(Error::$name => concat!(stringify!($name), "()"),)+
                }
            }
        }

        const SELECTORS: &[[u8; 4]] = &[$(crate::abi::selector(concat!(stringify!($name), "()")),)+];
    };
}

errors! {
    /// The caller does not hold the role this function needs.
    Unauthorized,
    /// The pool is paused: deposits, collateral deposits and borrows are blocked.
    ProtocolPaused,
    /// The token is frozen by governance.
    TokenFrozen,
    /// The token's market is resolved (or its won collateral already redeemed).
    MarketResolved,
    /// The action needs a resolved market (lost for closing, won for redeeming).
    MarketNotResolved,
    /// The intent's deadline has passed.
    IntentExpired,
    /// The intent's nonce is not the borrower's next nonce.
    InvalidNonce,
    /// A signature is malformed, high-s, or not from the expected signer.
    InvalidSignature,
    /// The oracle price (or resolution) is older than allowed.
    StalePrice,
    /// The oracle timestamp is later than the block timestamp.
    PriceFromFuture,
    /// The price is not strictly between 0 and 1e18.
    PriceOutOfRange,
    /// The price is older than the newest price already accepted for the
    /// token, or than the block that resolved its market.
    PriceReplayed,
    /// A token id does not match the CTF's position id for the condition.
    TokenMismatch,
    /// There is no position (no collateral, or no debt to repay).
    NoPosition,
    /// The debt after the borrow would exceed collateral value times LTV.
    ExceedsLtv,
    /// The borrow is below the 1 USDC minimum.
    BorrowTooSmall,
    /// The token's total debt would exceed the pool cap.
    ExceedsTokenCap,
    /// The token's total debt would exceed the oracle's depth-gated maxBorrow.
    DepthCapExceeded,
    /// The pool does not hold enough idle USDC.
    InsufficientLiquidity,
    /// The position's health factor is not below 1: it cannot be liquidated.
    PositionHealthy,
    /// The withdrawal would leave the position with a health factor below 1.
    HealthFactorTooLow,
    /// More collateral requested than the position holds.
    InsufficientCollateral,
    /// Direct collateral withdrawal needs a position without debt.
    PositionHasDebt,
    /// The liquidation needs more USDC than the liquidator's repayAmount.
    InsufficientRepay,
    /// An amount is zero (or rounds to zero) where it must not.
    ZeroAmount,
    /// An address is zero where it must not be.
    ZeroAddress,
    /// Tokens would be sent to, or booked for, the pool itself (stranded).
    InvalidRecipient,
    /// A value is too large for the pool's arithmetic.
    MathOverflow,
    /// A token transfer or external call failed or returned false.
    TransferFailed,
    /// The collateral callback came from a contract other than the configured CTF.
    NotCtf,
    /// The collateral callback's data is neither empty nor one abi-encoded address.
    InvalidCollateralData,
    /// The pending change's delay has not passed yet.
    TimelockNotReady,
    /// There is no pending change to execute or cancel.
    NoPendingChange,
    /// The change needs the timelock (raising the pool cap).
    TimelockRequired,
    /// The timelock delay would decrease or exceed 10 days.
    InvalidDelay,
    /// The proposed LTV anchors break the curve's rules.
    InvalidAnchors,
    /// The pool cap is above 10,000 basis points.
    InvalidPoolCap,
    /// More reserves requested than have accrued.
    ExceedsReserves,
    /// The won collateral of this token has not been redeemed yet.
    NotRedeemed,
    /// ERC-4626: more than `maxWithdraw` / `maxRedeem` allows.
    ExceedsMaxWithdraw,
    /// ERC-20: the account holds too few pUSDC.
    InsufficientBalance,
    /// ERC-20: the spender's allowance is too small.
    InsufficientAllowance,
    /// The calldata does not decode as the function's parameters.
    InvalidCalldata,
    /// ETH was sent to a function that does not take it.
    NotPayable,
    /// The token's market ends within 7 days (its `MarketSchedule`): no new
    /// borrows.
    MarketClosing,
    /// The signed price is more than 35% and more than $0.08 below the
    /// highest price accepted for the token in the last 3 minutes: no
    /// borrow or withdrawal with debt.
    PriceDropGuard,
    /// The position's debt is at least `AUCTION_MIN_DEBT`: it is liquidated
    /// by Dutch auction, which must be started first (`startAuction`).
    AuctionRequired,
}

impl Error {
    /// The 4-byte selector of `Name()`.
    pub fn selector(self) -> [u8; 4] {
        SELECTORS[self as usize]
    }
}

impl From<Error> for Vec<u8> {
    /// ABI revert data: the selector alone.
    fn from(e: Error) -> Vec<u8> {
        e.selector().to_vec()
    }
}

/// Shorthand for results in the pool.
pub type Result<T> = core::result::Result<T, Error>;

/// The error for arithmetic that does not fit in 256 bits (or divides by zero).
pub fn overflow() -> Error {
    Error::MathOverflow
}

/// `fail!(Name)` is `Error::Name` (kept so call sites read as a failure).
#[macro_export]
macro_rules! fail {
    ($name:ident) => {
        $crate::errors::Error::$name
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn selectors_are_keccak_of_signature() {
        for e in Error::ALL {
            assert_eq!(e.selector(), keccak256(e.signature().as_bytes())[..4]);
            assert_eq!(Vec::<u8>::from(*e), e.selector().to_vec());
        }
        assert_eq!(Error::ExceedsLtv.signature(), "ExceedsLtv()");
    }

    #[test]
    fn selectors_are_distinct() {
        for (i, a) in Error::ALL.iter().enumerate() {
            for b in &Error::ALL[i + 1..] {
                assert_ne!(a.selector(), b.selector());
            }
        }
    }
}
