//! Events for every state change, declared with `sol!` so their topic hashes
//! are compile-time constants and tests can decode the logs. The contract
//! emits them through one raw-log helper (see `pool`). ERC-20 and ERC-4626
//! events carry the standard signatures.

#![allow(missing_docs)]

use alloy_sol_types::sol;

sol! {
    /// ERC-20: `value` pUSDC moved (`from` zero = mint, `to` zero = burn).
    #[derive(Debug, PartialEq)]
    event Transfer(address indexed from, address indexed to, uint256 value);
    /// ERC-20: `owner` set `spender`'s allowance to `value`.
    #[derive(Debug, PartialEq)]
    event Approval(address indexed owner, address indexed spender, uint256 value);
    /// ERC-4626: `sender` paid `assets` USDC and `owner` received `shares` pUSDC.
    #[derive(Debug, PartialEq)]
    event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares);
    /// ERC-4626: `owner`'s `shares` were burned and `receiver` got `assets` USDC.
    #[derive(Debug, PartialEq)]
    event Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares);

    /// Interest was added to the borrowed total; `reserveFee` of it to reserves.
    #[derive(Debug, PartialEq)]
    event InterestAccrued(uint256 interest, uint256 reserveFee, uint256 totalBorrowAssets);
    /// CTF shares were booked as `borrower`'s collateral.
    #[derive(Debug, PartialEq)]
    event CollateralDeposited(address indexed borrower, uint256 indexed tokenId, uint256 amount);
    /// Collateral left the pool to `to`.
    #[derive(Debug, PartialEq)]
    event CollateralWithdrawn(address indexed borrower, uint256 indexed tokenId, address to, uint256 amount);
    /// `borrower` borrowed `amount` USDC against `tokenId` at `price`.
    #[derive(Debug, PartialEq)]
    event Borrowed(address indexed borrower, uint256 indexed tokenId, uint256 amount, uint256 borrowShares, uint256 price);
    /// `payer` repaid `amount` of `borrower`'s debt.
    #[derive(Debug, PartialEq)]
    event Repaid(address indexed payer, address indexed borrower, uint256 indexed tokenId, uint256 amount, uint256 borrowShares);
    /// `liquidator` repaid `repaid` and received `seized` shares at `price`.
    #[derive(Debug, PartialEq)]
    event Liquidated(address indexed liquidator, address indexed borrower, uint256 indexed tokenId, uint256 repaid, uint256 seized, uint256 price);
    /// Debt written off (the whole amount): reserves take it first
    /// (`ReservesAbsorbed`), lenders bear the rest through the share price.
    #[derive(Debug, PartialEq)]
    event BadDebtAbsorbed(address indexed borrower, uint256 indexed tokenId, uint256 amount);
    /// The part of a write-off on `tokenId` taken from the protocol's
    /// reserves (first-loss capital); lenders lost only the rest.
    #[derive(Debug, PartialEq)]
    event ReservesAbsorbed(uint256 indexed tokenId, uint256 amount);
    /// The oracle resolved `tokenId`'s market. (Named `MarketResolution`
    /// because Solidity cannot declare an event and the `MarketResolved`
    /// error under one name.)
    #[derive(Debug, PartialEq)]
    event MarketResolution(uint256 indexed tokenId, bool won);
    /// The pool redeemed `shares` won shares for `usdc`.
    #[derive(Debug, PartialEq)]
    event WonCollateralRedeemed(uint256 indexed tokenId, uint256 shares, uint256 usdc);
    /// A position was settled from redeemed proceeds.
    #[derive(Debug, PartialEq)]
    event RedemptionSettled(address indexed borrower, uint256 indexed tokenId, uint256 payout, uint256 repaid, uint256 surplus);

    /// Two-step admin transfer started.
    #[derive(Debug, PartialEq)]
    event AdminTransferStarted(address indexed admin, address indexed pendingAdmin);
    /// Admin changed.
    #[derive(Debug, PartialEq)]
    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);
    /// Timelock delay set (it can only grow).
    #[derive(Debug, PartialEq)]
    event TimelockActivated(uint256 delay);
    /// A timelocked change of `kind` (0 oracle, 1 relayer, 2 pool cap, 3 anchors) was proposed.
    #[derive(Debug, PartialEq)]
    event ChangeProposed(uint8 indexed kind, uint256 value, uint256 eta);
    /// A pending change was cancelled.
    #[derive(Debug, PartialEq)]
    event ChangeCancelled(uint8 indexed kind);
    /// The LTV curve changed.
    #[derive(Debug, PartialEq)]
    event AnchorsUpdated(uint256[] prices, uint256[] ltvs);
    /// The oracle changed.
    #[derive(Debug, PartialEq)]
    event OracleUpdated(address indexed oracle);
    /// The relayer changed.
    #[derive(Debug, PartialEq)]
    event RelayerUpdated(address indexed relayer);
    /// The pool cap changed.
    #[derive(Debug, PartialEq)]
    event PoolCapUpdated(uint256 bps);
    /// Pause state changed by `account`.
    #[derive(Debug, PartialEq)]
    event PauseSet(address indexed account, bool paused);
    /// A token was frozen or unfrozen.
    #[derive(Debug, PartialEq)]
    event TokenFrozenSet(uint256 indexed tokenId, bool frozen);
    /// Reserves paid out.
    #[derive(Debug, PartialEq)]
    event ReservesWithdrawn(address indexed to, uint256 amount);
    /// Untracked USDC swept out.
    #[derive(Debug, PartialEq)]
    event Swept(address indexed to, uint256 amount);

    /// A token's expected end time was set from an oracle-signed
    /// `MarketSchedule` (0 clears it).
    #[derive(Debug, PartialEq)]
    event MarketScheduled(uint256 indexed tokenId, uint256 endTime);
    /// A Dutch auction of a large unhealthy position started.
    #[derive(Debug, PartialEq)]
    event AuctionStarted(address indexed borrower, uint256 indexed tokenId);
    /// A position's Dutch auction ended: closed, or healthy again.
    #[derive(Debug, PartialEq)]
    event AuctionCleared(address indexed borrower, uint256 indexed tokenId);
}
