// SPDX-License-Identifier: MIT
pragma solidity ^0.8.23;

/// @title PredMart lending pool (Arbitrum Stylus)
/// @notice USDC lending against prediction-market outcome shares (Conditional Tokens, ERC-1155).
/// Lenders hold pUSDC (ERC-4626, 12 decimals). Borrowers push CTF shares to the pool with
/// `ctf.safeTransferFrom(holder, pool, id, amount, data)` (`data` empty or `abi.encode(beneficiary)`)
/// and borrow through EIP-712 intents relayed with an oracle-signed price.
/// Units: USDC and shares 6 decimals; prices, LTVs, rates, health factor in WAD (1e18 = 1.0).
/// constructor(address admin, address usdc, address ctf, address oracle, address relayer)
interface IPredMartPool {
    // ---------------------------------------------------------------- errors
    error Unauthorized();
    error ProtocolPaused();
    error TokenFrozen();
    error MarketResolved();
    error MarketNotResolved();
    error IntentExpired();
    error InvalidNonce();
    error InvalidSignature();
    error StalePrice();
    error PriceFromFuture();
    error PriceOutOfRange();
    error PriceReplayed();
    error TokenMismatch();
    error NoPosition();
    error ExceedsLtv();
    error BorrowTooSmall();
    error ExceedsTokenCap();
    error DepthCapExceeded();
    error InsufficientLiquidity();
    error PositionHealthy();
    error HealthFactorTooLow();
    error InsufficientCollateral();
    error PositionHasDebt();
    error InsufficientRepay();
    error ZeroAmount();
    error ZeroAddress();
    error InvalidRecipient();
    error MathOverflow();
    error TransferFailed();
    error NotCtf();
    error InvalidCollateralData();
    error TimelockNotReady();
    error NoPendingChange();
    error TimelockRequired();
    error InvalidDelay();
    error InvalidAnchors();
    error InvalidPoolCap();
    error ExceedsReserves();
    error NotRedeemed();
    error ExceedsMaxWithdraw();
    error InsufficientBalance();
    error InsufficientAllowance();
    error InvalidCalldata();
    error NotPayable();
    error MarketClosing();
    error PriceDropGuard();
    error AuctionRequired();

    // ---------------------------------------------------------------- events
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event Deposit(address indexed sender, address indexed owner, uint256 assets, uint256 shares);
    event Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares);
    event InterestAccrued(uint256 interest, uint256 reserveFee, uint256 totalBorrowAssets);
    event CollateralDeposited(address indexed borrower, uint256 indexed tokenId, uint256 amount);
    event CollateralWithdrawn(address indexed borrower, uint256 indexed tokenId, address to, uint256 amount);
    event Borrowed(address indexed borrower, uint256 indexed tokenId, uint256 amount, uint256 borrowShares, uint256 price);
    event Repaid(address indexed payer, address indexed borrower, uint256 indexed tokenId, uint256 amount, uint256 borrowShares);
    event Liquidated(address indexed liquidator, address indexed borrower, uint256 indexed tokenId, uint256 repaid, uint256 seized, uint256 price);
    event BadDebtAbsorbed(address indexed borrower, uint256 indexed tokenId, uint256 amount);
    event ReservesAbsorbed(uint256 indexed tokenId, uint256 amount);
    event MarketResolution(uint256 indexed tokenId, bool won);
    event WonCollateralRedeemed(uint256 indexed tokenId, uint256 shares, uint256 usdc);
    event RedemptionSettled(address indexed borrower, uint256 indexed tokenId, uint256 payout, uint256 repaid, uint256 surplus);
    event AdminTransferStarted(address indexed admin, address indexed pendingAdmin);
    event AdminTransferred(address indexed previousAdmin, address indexed newAdmin);
    event TimelockActivated(uint256 delay);
    event ChangeProposed(uint8 indexed kind, uint256 value, uint256 eta);
    event ChangeCancelled(uint8 indexed kind);
    event AnchorsUpdated(uint256[] prices, uint256[] ltvs);
    event OracleUpdated(address indexed oracle);
    event RelayerUpdated(address indexed relayer);
    event PoolCapUpdated(uint256 bps);
    event PauseSet(address indexed account, bool paused);
    event TokenFrozenSet(uint256 indexed tokenId, bool frozen);
    event ReservesWithdrawn(address indexed to, uint256 amount);
    event Swept(address indexed to, uint256 amount);
    event MarketScheduled(uint256 indexed tokenId, uint256 endTime);
    event AuctionStarted(address indexed borrower, uint256 indexed tokenId);
    event AuctionCleared(address indexed borrower, uint256 indexed tokenId);

    // ---------------------------------------------------------------- ERC-20 (pUSDC)
    function name() external view returns (string memory);
    function symbol() external view returns (string memory);
    function decimals() external view returns (uint8);
    function totalSupply() external view returns (uint256);
    function balanceOf(address account) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
    function transferFrom(address from, address to, uint256 value) external returns (bool);
    function approve(address spender, uint256 value) external returns (bool);
    function allowance(address owner, address spender) external view returns (uint256);

    // ---------------------------------------------------------------- ERC-4626
    function asset() external view returns (address);
    function totalAssets() external view returns (uint256);
    function convertToShares(uint256 assets) external view returns (uint256);
    function convertToAssets(uint256 shares) external view returns (uint256);
    function maxDeposit(address receiver) external view returns (uint256);
    function previewDeposit(uint256 assets) external view returns (uint256);
    function deposit(uint256 assets, address receiver) external returns (uint256 shares);
    function maxMint(address receiver) external view returns (uint256);
    function previewMint(uint256 shares) external view returns (uint256);
    function mint(uint256 shares, address receiver) external returns (uint256 assets);
    function maxWithdraw(address owner) external view returns (uint256);
    function previewWithdraw(uint256 assets) external view returns (uint256);
    function withdraw(uint256 assets, address receiver, address owner) external returns (uint256 shares);
    function maxRedeem(address owner) external view returns (uint256);
    function previewRedeem(uint256 shares) external view returns (uint256);
    function redeem(uint256 shares, address receiver, address owner) external returns (uint256 assets);

    // ---------------------------------------------------------------- interest
    function accrueInterest() external;
    function getUtilization() external view returns (uint256);
    function getBorrowRate() external view returns (uint256);
    function getSupplyRate() external view returns (uint256);
    function totalBorrowAssets() external view returns (uint256);
    function totalBorrowShares() external view returns (uint256);
    function reserves() external view returns (uint256);
    function cash() external view returns (uint256);

    // ---------------------------------------------------------------- risk views
    function getLtv(uint256 price) external view returns (uint256);
    function getLiquidationThreshold(uint256 price) external view returns (uint256);
    function getHealthFactor(address borrower, uint256 tokenId, uint256 price) external view returns (uint256);
    function getPosition(address borrower, uint256 tokenId) external view returns (uint256 collateral, uint256 borrowShares, uint256 debt);
    function maxBorrow(address borrower, uint256 tokenId, uint256 price) external view returns (uint256);
    function liquidationPrice(address borrower, uint256 tokenId) external view returns (uint256);
    function tokenDebt(uint256 tokenId) external view returns (uint256);
    /// @notice Largest debt one token may carry now: totalAssets * poolCapBps / 10000;
    /// type(uint256).max when the cap is disabled (poolCapBps == 0).
    function tokenBorrowCap() external view returns (uint256);
    function tokenCollateral(uint256 tokenId) external view returns (uint256);
    function anchors() external view returns (uint256[] memory prices, uint256[] memory ltvs);

    // ---------------------------------------------------------------- signatures, roles, state
    function nonces(address borrower) external view returns (uint256);
    function DOMAIN_SEPARATOR() external view returns (bytes32);
    function eip712Domain() external view returns (bytes1 fields, string memory name, string memory version, uint256 chainId, address verifyingContract, bytes32 salt, uint256[] memory extensions);
    function lastPriceTimestamp(uint256 tokenId) external view returns (uint256);
    function admin() external view returns (address);
    function pendingAdmin() external view returns (address);
    function oracle() external view returns (address);
    function relayer() external view returns (address);
    function ctf() external view returns (address);
    function paused() external view returns (bool);
    function isFrozen(uint256 tokenId) external view returns (bool);
    /// @return 0 open, 1 won, 2 lost, 3 won and redeemed
    function marketStatus(uint256 tokenId) external view returns (uint256);
    function redemption(uint256 tokenId) external view returns (uint256 usdcLeft, uint256 sharesLeft);
    function poolCapBps() external view returns (uint256);
    function timelockDelay() external view returns (uint256);
    /// @param kind 0 oracle, 1 relayer, 2 pool cap; value is an address as uint256 for 0 and 1
    function pendingChange(uint8 kind) external view returns (uint256 value, uint256 eta);
    function pendingAnchors() external view returns (uint256[] memory prices, uint256[] memory ltvs, uint256 eta);
    function supportsInterface(bytes4 interfaceId) external view returns (bool);

    // ---------------------------------------------------------------- collateral
    function onERC1155Received(address operator, address from, uint256 id, uint256 value, bytes calldata data) external returns (bytes4);
    function onERC1155BatchReceived(address operator, address from, uint256[] calldata ids, uint256[] calldata values, bytes calldata data) external returns (bytes4);
    function withdrawCollateral(uint256 tokenId, uint256 amount, address to) external;

    // ---------------------------------------------------------------- borrowing (relayer) and repay
    function borrowViaRelay(address borrower, uint256 tokenId, uint256 amount, uint256 nonce, uint256 deadline, bytes calldata intentSignature, uint256 price, uint256 priceTimestamp, uint256 maxBorrow, bytes calldata priceSignature) external;
    function withdrawViaRelay(address borrower, address to, uint256 tokenId, uint256 amount, uint256 nonce, uint256 deadline, bytes calldata intentSignature, uint256 price, uint256 priceTimestamp, bytes calldata priceSignature) external;
    function repay(uint256 tokenId, uint256 amount) external returns (uint256 repaid);
    function repayFor(address borrower, uint256 tokenId, uint256 amount) external returns (uint256 repaid);

    // ---------------------------------------------------------------- liquidation and resolution
    function liquidate(address borrower, uint256 tokenId, uint256 repayAmount, uint256 price, uint256 priceTimestamp, uint256 maxBorrow, bytes calldata priceSignature) external returns (uint256 seized);
    function resolveMarket(uint256 tokenId, bool won, uint256 timestamp, bytes calldata signature) external;
    function closeLostPosition(address borrower, uint256 tokenId) external;
    function redeemWonCollateral(uint256 tokenId, bytes32 conditionId, uint256 indexSet) external returns (uint256 usdcReceived);
    function settleRedemption(address borrower, uint256 tokenId) external returns (uint256 surplus);

    // ---------------------------------------------------------------- jump-risk defences
    /// Oracle-signed MarketSchedule(tokenId, endTime, timestamp), at most 1 hour old and newer than
    /// the token's last; endTime 0 clears it. From endTime - 7 days: no new borrows (MarketClosing)
    /// and the liquidation threshold falls linearly to 0 at endTime.
    function scheduleMarket(uint256 tokenId, uint256 endTime, uint256 timestamp, bytes calldata signature) external;
    /// @return endTime 0 = none
    function marketEndTime(uint256 tokenId) external view returns (uint256 endTime);
    /// Starts the Dutch auction of an unhealthy position with debt >= 50,000 USDC (bonus 0% -> 10%
    /// over 30 minutes). A running auction is kept; a smaller position needs none (returns 0).
    /// A price showing the position healthy again ends its running auction (AuctionCleared);
    /// with none running it is refused (PositionHealthy).
    /// @return start the auction's start time after the call (0: none)
    function startAuction(address borrower, uint256 tokenId, uint256 price, uint256 priceTimestamp, uint256 maxBorrow, bytes calldata priceSignature) external returns (uint256 start);
    /// @return start 0 = no auction
    function auctionStart(address borrower, uint256 tokenId) external view returns (uint256 start);

    // ---------------------------------------------------------------- governance
    function transferAdmin(address newAdmin) external;
    function acceptAdmin() external;
    function activateTimelock(uint256 delay) external;
    function proposeAnchors(uint256[] calldata prices, uint256[] calldata ltvs) external;
    /// kind 0 = oracle (address as uint256), 1 = relayer (address as uint256),
    /// 2 = higher pool cap (bps, 0 = no cap); anchors are proposed with proposeAnchors.
    function propose(uint8 kind, uint256 value) external;
    /// kind 0 oracle, 1 relayer, 2 pool cap, 3 anchors.
    function execute(uint8 kind) external;
    function cancel(uint8 kind) external;
    function setPoolCap(uint256 bps) external;
    function pause() external;
    function unpause() external;
    function setTokenFrozen(uint256 tokenId, bool frozen) external;
    function withdrawReserves(address to, uint256 amount) external;
    function sweep(address to) external returns (uint256 amount);
}
