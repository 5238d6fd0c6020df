//! End-to-end tests on the release artifact: the pool's WASM from
//! `target/initcode.hex` (or `$PREDMART_INITCODE`) in the embedded Stylus
//! runtime (`runtime/`, a revm world) with the real contracts it meets on
//! Arbitrum: Gnosis's `ConditionalTokens` (the npm artifact, solc 0.5.10)
//! and a Solidity USDC with Circle's blacklist (`contracts/TestUSDC.sol`),
//! deployed at the addresses the pool's constructor gets, plus the Stylus
//! EIP-1271 wallet (`contracts/test-wallet`). Every call is a transaction
//! with calldata encoded from the exported ABI (`abi/IPredMartPool.sol`).
//! Shares are real: the oracle `prepareCondition`s each market, users
//! `splitPosition` USDC into YES/NO and push them to the pool with
//! `safeTransferFrom` (the CTF, EVM, calls the pool's `onERC1155Received`,
//! Stylus), the oracle `reportPayouts`, and `redeemWonCollateral` goes
//! through the CTF's `redeemPositions`.
//!
//! Each scenario is written once over `support::Backend` and run twice: on
//! motsu (the pool crate natively, `tests/common` mocks) and on the runtime;
//! `support::compare` asserts that every recorded number, return value,
//! error and emitted pool event (topics and data) is identical. The
//! re-entrancy and storage-cache tests at the end are the negative controls
//! motsu cannot show: there the two backends are *expected* to differ.
//!
//! Needs the release artifact and the test contracts (`contracts/build.sh`,
//! `contracts/build-sol.sh`): `scripts/test.sh`
//! builds both and runs these with `--include-ignored`. A missing file is a
//! failure with instructions, never a skip.

mod common;
mod support;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{SolCall, SolError, SolEvent};
use common::{cents, usd, IPool, HOOK_FAILED, HOOK_OK};
use motsu::prelude::Account;
use predmart_pool::signatures as sig;
use support::{compare, Backend, Chain, ITestWallet, Motsu, Rec};

fn lender() -> Address {
    Address::with_last_byte(0x11)
}
fn ben() -> Address {
    Address::with_last_byte(0x12)
}
fn carl() -> Address {
    Address::with_last_byte(0x13)
}
fn liquidator() -> Address {
    Address::with_last_byte(0x30)
}
fn bob() -> Account {
    Account::from_seed("bob")
}
fn owner() -> Account {
    Account::from_seed("owner")
}
fn u(v: u128) -> U256 {
    U256::from(v)
}
/// The token most scenarios use: YES of market 1 (a real CTF position id).
fn token() -> U256 {
    support::market(1).yes
}

/// Records the pool's headline numbers.
fn books<B: Backend>(b: &mut B, r: &mut Rec, tag: &str) {
    r.put(
        &format!("{tag} totalAssets"),
        b.get(IPool::totalAssetsCall {})._0,
    );
    r.put(
        &format!("{tag} totalSupply"),
        b.get(IPool::totalSupplyCall {})._0,
    );
    r.put(&format!("{tag} cash"), b.get(IPool::cashCall {})._0);
    r.put(
        &format!("{tag} totalBorrowAssets"),
        b.get(IPool::totalBorrowAssetsCall {})._0,
    );
    r.put(
        &format!("{tag} totalBorrowShares"),
        b.get(IPool::totalBorrowSharesCall {})._0,
    );
    r.put(&format!("{tag} reserves"), b.get(IPool::reservesCall {})._0);
    let pool = b.pool();
    r.put(&format!("{tag} pool USDC"), b.usdc_of(pool));
}

fn position<B: Backend>(b: &mut B, r: &mut Rec, tag: &str, who: Address, id: U256) {
    r.put(&format!("{tag} position"), b.position(who, id));
}

/// Lender liquidity and `bob` with 10,000 shares of `token()` who borrowed
/// `debt` at $0.60.
fn with_loan<B: Backend>(b: &mut B, r: &mut Rec, debt: u128) {
    let o = b.lend(lender(), usd(100_000));
    r.out("setup deposit", &o);
    let o = b.collateral(bob().address(), token(), usd(10_000));
    r.out("setup collateral", &o);
    if debt != 0 {
        let o = b.borrow(&bob(), token(), debt, cents(60));
        r.out("setup borrow", &o.expect("setup borrow"));
        // Later price signatures must be newer than the borrow's.
        b.advance(60);
    }
}

// ---------------------------------------------------------------------------
// Lenders
// ---------------------------------------------------------------------------

fn s_vault<B: Backend>(b: &mut B, r: &mut Rec) {
    let o = b.lend(lender(), usd(1_000));
    assert!(o.ok);
    assert_eq!(
        o.event_ids(),
        [
            IPool::Transfer::SIGNATURE_HASH,
            IPool::Deposit::SIGNATURE_HASH
        ],
        "deposit emits Transfer (mint) and Deposit"
    );
    r.out("deposit", &o);
    b.fund(ben(), usd(1_000));
    let mint = U256::from(usd(500)) * U256::from(1_000_000u64);
    r.put(
        "previewMint",
        b.get(IPool::previewMintCall { shares: mint })._0,
    );
    let o = b.call(
        ben(),
        IPool::mintCall {
            shares: mint,
            receiver: ben(),
        },
    );
    r.out("mint", &o.expect("mint"));
    let o = b.call(
        lender(),
        IPool::transferCall {
            to: carl(),
            value: mint / U256::from(5u8),
        },
    );
    r.out("transfer pUSDC", &o.expect("transfer"));
    r.put(
        "previewWithdraw",
        b.get(IPool::previewWithdrawCall {
            assets: u(usd(200)),
        })
        ._0,
    );
    let o = b.call(
        lender(),
        IPool::withdrawCall {
            assets: u(usd(200)),
            receiver: lender(),
            owner: lender(),
        },
    );
    r.out("withdraw", &o.expect("withdraw"));
    let carl_shares = b.get(IPool::balanceOfCall { account: carl() })._0;
    r.put(
        "previewRedeem",
        b.get(IPool::previewRedeemCall {
            shares: carl_shares,
        })
        ._0,
    );
    let o = b.call(
        carl(),
        IPool::redeemCall {
            shares: carl_shares,
            receiver: carl(),
            owner: carl(),
        },
    );
    r.out("redeem", &o.expect("redeem"));
    // Someone else's shares without an allowance.
    let o = b.call(
        ben(),
        IPool::withdrawCall {
            assets: u(usd(1)),
            receiver: ben(),
            owner: lender(),
        },
    );
    assert_eq!(
        o.selector(),
        Some(IPool::InsufficientAllowance::SELECTOR),
        "{}",
        support::describe(&o.data)
    );
    r.out("withdraw without allowance", &o);
    for (n, a) in [("lender", lender()), ("ben", ben()), ("carl", carl())] {
        r.put(
            &format!("{n} pUSDC"),
            b.get(IPool::balanceOfCall { account: a })._0,
        );
        r.put(&format!("{n} USDC"), b.usdc_of(a));
        r.put(
            &format!("{n} maxWithdraw"),
            b.get(IPool::maxWithdrawCall { owner: a })._0,
        );
    }
    books(b, r, "end");
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn lenders_deposit_mint_transfer_withdraw_redeem() {
    let (_, mut c, rec) = compare(s_vault::<Motsu>, s_vault::<Chain>);
    assert!(rec.0.len() > 20);
    assert_eq!(c.usdc_of(carl()), usd(100));
}

// ---------------------------------------------------------------------------
// Collateral through the CTF (WASM ERC-1155 -> pool's onERC1155Received)
// ---------------------------------------------------------------------------

fn s_collateral<B: Backend>(b: &mut B, r: &mut Rec) {
    let (bob, pool) = (bob().address(), b.pool());
    let (id1, id2) = (token(), support::market(2).yes);
    b.ctf_mint(bob, id1, 1_000);
    b.ctf_mint(bob, id2, 700);
    let o = b.ctf_push(bob, pool, &[id1], &[600], vec![], false);
    assert_eq!(o.event_ids(), [IPool::CollateralDeposited::SIGNATURE_HASH]);
    r.out("safeTransferFrom", &o.expect("single push"));
    let o = b.ctf_push(bob, pool, &[id1, id2], &[400, 300], vec![], true);
    assert_eq!(o.logs.len(), 2, "one CollateralDeposited per id");
    r.out("safeBatchTransferFrom", &o.expect("batch push"));
    // `data = abi.encode(beneficiary)`: shares booked for carl.
    let mut data = vec![0u8; 12];
    data.extend_from_slice(carl().as_slice());
    let o = b.ctf_push(bob, pool, &[id2], &[100], data, false);
    r.out("push for a beneficiary", &o.expect("beneficiary push"));
    // Malformed data: the pool's hook reverts, so the transfer does.
    let o = b.ctf_push(bob, pool, &[id2], &[100], vec![1, 2, 3], false);
    assert!(!o.ok);
    // The real CTF (solc 0.5) bubbles the pool's error as is; motsu's
    // OpenZeppelin mock wraps it in `ERC1155InvalidReceiver`-style data, so
    // only the refusal is compared.
    if b.is_wasm() {
        assert_eq!(o.data, IPool::InvalidCollateralData {}.abi_encode());
    }
    r.put("push with bad data refused", !o.ok);
    // Only the CTF may call the hook.
    let o = b.call(
        bob,
        IPool::onERC1155ReceivedCall {
            operator: bob,
            from: bob,
            id: id1,
            value: u(5),
            data: Default::default(),
        },
    );
    assert_eq!(o.selector(), Some(IPool::NotCtf::SELECTOR));
    r.out("direct onERC1155Received", &o);
    for (n, id) in [("id1", id1), ("id2", id2)] {
        position(b, r, &format!("bob {n}"), bob, id);
        position(b, r, &format!("carl {n}"), carl(), id);
        r.put(
            &format!("tokenCollateral {n}"),
            b.get(IPool::tokenCollateralCall { tokenId: id })._0,
        );
        r.put(&format!("pool CTF {n}"), b.ctf_of(pool, id));
        r.put(&format!("bob CTF {n}"), b.ctf_of(bob, id));
    }
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn collateral_pushed_with_safe_transfer_from_single_and_batch() {
    let (_, mut c, _) = compare(s_collateral::<Motsu>, s_collateral::<Chain>);
    // A push on the runtime crosses the EVM -> Stylus boundary: the real CTF
    // (EVM bytecode) calls the pool's `onERC1155Received` (WASM) after
    // updating balances, in one transaction whose gas has both parts.
    assert!(
        !c.w.code(support::ctf_addr())
            .starts_with(&[0xef, 0xf0, 0x00]),
        "the CTF is EVM code"
    );
    assert!(c.w.code(c.pool()).starts_with(&[0xef, 0xf0, 0x00]));
    let (bob, id, pool) = (bob().address(), token(), c.pool());
    c.ctf_mint(bob, id, 5);
    for (batch, sig) in [
        (
            false,
            "onERC1155Received(address,address,uint256,uint256,bytes)",
        ),
        (
            true,
            "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)",
        ),
    ] {
        let amount = if batch { 2 } else { 3 };
        let o = c
            .ctf_push(bob, pool, &[id], &[amount], vec![], batch)
            .expect("push");
        let t = &c.last_tx_trace;
        assert_eq!((t[0].to, t[0].depth), (support::ctf_addr(), 0));
        assert!(
            t.iter().any(|f| f.to == pool
                && f.from == support::ctf_addr()
                && f.depth == 1
                && f.selector == Some(stylus_runtime::selector(sig))
                && f.success),
            "the CTF called the pool's {sig}: {t:#?}"
        );
        let (_, g) = o.gas.unwrap();
        assert!(
            g.evm > 0 && g.init > 0,
            "EVM and Stylus gas in one receipt: {g}"
        );
    }
    assert_eq!(
        c.ctf_of(pool, id),
        1_000 + 5,
        "1,000 pushed in the scenario, then 3 + 2"
    );
}

// ---------------------------------------------------------------------------
// Relayed borrows (EOA and EIP-1271 wallet)
// ---------------------------------------------------------------------------

fn s_borrow<B: Backend>(b: &mut B, r: &mut Rec) {
    let domain = b.domain();
    r.put("DOMAIN_SEPARATOR", domain);
    assert_eq!(
        domain,
        sig::domain_separator(support::CHAIN_ID, b.pool()),
        "the pool's domain is what predmart_pool::signatures computes"
    );
    with_loan(b, r, 0);
    let (bob, id) = (bob(), token());
    let o = b.borrow(&bob, id, usd(3_000), cents(60));
    assert_eq!(
        o.event_ids(),
        [IPool::Borrowed::SIGNATURE_HASH],
        "{}",
        support::describe(&o.data)
    );
    r.out("borrowViaRelay (EOA)", &o);
    position(b, r, "bob", bob.address(), id);
    r.put("bob nonce", b.nonce(bob.address()));
    r.put("bob USDC", b.usdc_of(bob.address()));
    r.put("bob HF at 0.60", b.health(bob.address(), id, cents(60)));
    r.put("bob HF at 0.45", b.health(bob.address(), id, cents(45)));
    r.put(
        "bob maxBorrow",
        b.get(IPool::maxBorrowCall {
            borrower: bob.address(),
            tokenId: id,
            price: u(cents(60)),
        })
        ._0,
    );
    r.put(
        "bob liquidationPrice",
        b.get(IPool::liquidationPriceCall {
            borrower: bob.address(),
            tokenId: id,
        })
        ._0,
    );
    // Over the LTV: refused with the pool's error, nothing changes.
    let o = b.borrow(&bob, id, usd(5_000), cents(60));
    r.out("borrow over LTV", &o);
    // Someone else's signature for bob's position.
    let o = b.borrow_as(bob.address(), &owner(), id, usd(10), cents(60));
    assert_eq!(o.selector(), Some(IPool::InvalidSignature::SELECTOR));
    r.out("borrow with a foreign signature", &o);

    // A smart-wallet borrower: EIP-1271 `isValidSignature` (ecrecover
    // precompile in the WASM wallet) checks the owner's signature.
    let wa = b.wallet_with_collateral(owner().address(), id, usd(5_000));
    position(b, r, "wallet before", wa, id);
    let o = b.borrow_as(wa, &owner(), id, usd(1_000), cents(60));
    r.out(
        "borrowViaRelay (EIP-1271 wallet)",
        &o.expect("wallet borrow"),
    );
    position(b, r, "wallet", wa, id);
    r.put("wallet USDC", b.usdc_of(wa));
    r.put("wallet nonce", b.nonce(wa));
    r.put("wallet HF", b.health(wa, id, cents(60)));
    let o = b.borrow_as(wa, &bob, id, usd(10), cents(60));
    assert_eq!(o.selector(), Some(IPool::InvalidSignature::SELECTOR));
    r.out("wallet borrow signed by a stranger", &o);
    r.put("tokenDebt", b.get(IPool::tokenDebtCall { tokenId: id })._0);
    r.put("utilization", b.get(IPool::getUtilizationCall {})._0);
    books(b, r, "end");
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn relayed_borrow_eoa_and_eip1271_wallet() {
    let (_, mut c, _) = compare(s_borrow::<Motsu>, s_borrow::<Chain>);
    // The WASM pool's DOMAIN_SEPARATOR() for chain 421614 and its address.
    let d = c.view_of(c.pool(), IPool::DOMAIN_SEPARATORCall {})._0;
    assert_eq!(d, sig::domain_separator(421_614, support::pool_addr()));
    // The wallet borrow went pool -> wallet.isValidSignature -> ecrecover.
    let wa = support::wallet_addr(0);
    c.advance(1);
    let o = c.borrow_as(wa, &owner(), token(), usd(10), cents(60));
    assert!(o.ok);
    let trace = c.w.last_trace();
    let sel = stylus_runtime::selector("isValidSignature(bytes32,bytes)");
    assert!(
        trace
            .iter()
            .any(|f| f.to == wa && f.selector == Some(sel) && f.success),
        "isValidSignature ran on the WASM wallet"
    );
    assert!(
        trace
            .iter()
            .any(|f| f.to == Address::with_last_byte(1) && f.success),
        "the wallet called the ecrecover precompile"
    );
}

// ---------------------------------------------------------------------------
// Repay
// ---------------------------------------------------------------------------

fn s_repay<B: Backend>(b: &mut B, r: &mut Rec) {
    with_loan(b, r, usd(3_000));
    let (bob, id) = (bob().address(), token());
    b.advance(30 * 86_400);
    position(b, r, "after 30 days", bob, id);
    b.fund(bob, usd(5_000));
    let o = b.call(
        bob,
        IPool::repayCall {
            tokenId: id,
            amount: u(usd(1_000)),
        },
    );
    r.out("repay", &o.expect("repay"));
    position(b, r, "after repay", bob, id);
    b.fund(carl(), usd(5_000));
    let o = b.call(
        carl(),
        IPool::repayForCall {
            borrower: bob,
            tokenId: id,
            amount: U256::from(u128::MAX),
        },
    );
    r.out("repayFor (all)", &o.expect("repayFor"));
    position(b, r, "after repayFor", bob, id);
    r.put("carl USDC", b.usdc_of(carl()));
    r.put("bob USDC", b.usdc_of(bob));
    let o = b.call(
        bob,
        IPool::repayCall {
            tokenId: id,
            amount: u(usd(1)),
        },
    );
    r.out("repay without debt", &o);
    books(b, r, "end");
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn repay_and_repay_for() {
    compare(s_repay::<Motsu>, s_repay::<Chain>);
}

// ---------------------------------------------------------------------------
// Withdrawals of collateral
// ---------------------------------------------------------------------------

fn s_withdraw<B: Backend>(b: &mut B, r: &mut Rec) {
    with_loan(b, r, usd(3_000));
    let (bob_a, id) = (bob(), token());
    let bob = bob_a.address();
    let o = b.call(
        bob,
        IPool::withdrawCollateralCall {
            tokenId: id,
            amount: u(usd(1)),
            to: bob,
        },
    );
    assert_eq!(o.selector(), Some(IPool::PositionHasDebt::SELECTOR));
    r.out("direct withdraw with debt", &o);
    let o = b.withdraw_relay(bob, &bob_a, carl(), id, usd(2_000), cents(60));
    r.out("withdrawViaRelay", &o.expect("relayed withdraw"));
    position(b, r, "after relayed", bob, id);
    r.put("carl CTF", b.ctf_of(carl(), id));
    r.put("bob HF", b.health(bob, id, cents(60)));
    b.advance(60);
    let o = b.withdraw_relay(bob, &bob_a, bob, id, usd(7_000), cents(60));
    assert!(!o.ok);
    r.out("withdrawViaRelay too much", &o);
    b.fund(bob, usd(1_000));
    let o = b.call(
        bob,
        IPool::repayCall {
            tokenId: id,
            amount: U256::from(u128::MAX),
        },
    );
    r.out("repay all", &o.expect("repay all"));
    let o = b.call(
        bob,
        IPool::withdrawCollateralCall {
            tokenId: id,
            amount: u(usd(1_000)),
            to: ben(),
        },
    );
    r.out("withdrawCollateral", &o.expect("direct withdraw"));
    position(b, r, "end", bob, id);
    r.put("ben CTF", b.ctf_of(ben(), id));
    r.put("nonce", b.nonce(bob));
    let pool = b.pool();
    r.put("pool CTF", b.ctf_of(pool, id));
    r.put(
        "tokenCollateral",
        b.get(IPool::tokenCollateralCall { tokenId: id })._0,
    );
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn direct_and_relayed_withdraw() {
    compare(s_withdraw::<Motsu>, s_withdraw::<Chain>);
}

// ---------------------------------------------------------------------------
// Liquidation
// ---------------------------------------------------------------------------

fn s_liquidate<B: Backend>(b: &mut B, r: &mut Rec) {
    with_loan(b, r, usd(3_500));
    let (bob, id) = (bob().address(), token());
    b.fund(liquidator(), usd(10_000));
    let o = b.liquidate(liquidator(), bob, id, u(usd(1_000)), cents(60));
    assert_eq!(o.selector(), Some(IPool::PositionHealthy::SELECTOR));
    r.out("liquidate a healthy position", &o);
    b.advance(60);
    r.put("HF at 0.50 before", b.health(bob, id, cents(50)));
    let o = b
        .liquidate(liquidator(), bob, id, u(usd(1_000)), cents(50))
        .expect("liquidate");
    r.out("liquidate", &o);
    r.put("seized", o.ret::<IPool::liquidateCall>().seized);
    r.put("HF at 0.50 after", b.health(bob, id, cents(50)));
    position(b, r, "bob", bob, id);
    r.put("liquidator CTF", b.ctf_of(liquidator(), id));
    r.put("liquidator USDC", b.usdc_of(liquidator()));
    b.advance(60);
    let o = b.liquidate(liquidator(), bob, id, U256::from(u128::MAX), cents(40));
    r.out("liquidate all at 0.40", &o);
    position(b, r, "bob end", bob, id);
    books(b, r, "end");
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn liquidation() {
    compare(s_liquidate::<Motsu>, s_liquidate::<Chain>);
}

// ---------------------------------------------------------------------------
// Jump-risk defences
// ---------------------------------------------------------------------------

/// The three defences on the release WASM, identical to motsu: a market
/// scheduled to end in 8 days; the price-drop guard refusing a crash-time
/// borrow (exact boundary) and withdrawal, never a repayment; the closing
/// window refusing a borrow; the decayed threshold making bob liquidatable
/// at the price he was healthy at; and a whale's position sold by Dutch
/// auction (direct liquidation refused, the auction started, half-way
/// through its bonus 5%, closed).
fn s_jump_risk<B: Backend>(b: &mut B, r: &mut Rec) {
    with_loan(b, r, usd(1_000));
    let (bob_acc, id) = (bob(), token());
    let bob = bob_acc.address();
    // More liquidity and no pool cap, for the whale below.
    b.lend(lender(), usd(1_000_000)).expect("deposit");
    let admin = b.admin();
    b.call(
        admin,
        IPool::proposeCall {
            kind: 2,
            value: U256::ZERO,
        },
    )
    .expect("propose no cap");
    b.call(admin, IPool::executeCall { kind: 2 })
        .expect("no cap");
    let end = b.now() + 8 * 86_400;
    let o = b.schedule(carl(), id, end).expect("schedule");
    r.out("scheduleMarket", &o);
    r.put(
        "marketEndTime",
        b.get(IPool::marketEndTimeCall { tokenId: id }).endTime,
    );
    // Guard: bob borrowed at $0.60 a minute ago; $0.39 - 1 wei is a drop of
    // more than 35% and more than $0.08.
    let o = b.borrow(&bob_acc, id, usd(10), cents(39) - 1);
    assert_eq!(o.selector(), Some(IPool::PriceDropGuard::SELECTOR));
    r.out("borrow at a crash price", &o);
    let o = b.withdraw_relay(bob, &bob_acc, bob, id, usd(1), cents(30));
    assert_eq!(o.selector(), Some(IPool::PriceDropGuard::SELECTOR));
    r.out("withdraw at a crash price", &o);
    let o = b
        .borrow(&bob_acc, id, usd(10), cents(39))
        .expect("35% drop");
    r.out("borrow at exactly 35% below", &o);
    b.fund(bob, usd(100));
    let o = b
        .call(
            bob,
            IPool::repayCall {
                tokenId: id,
                amount: U256::from(usd(10)),
            },
        )
        .expect("repay");
    r.out("repay", &o);
    // A day later the window opens: no new borrows.
    b.advance(86_400);
    let o = b.borrow(&bob_acc, id, usd(10), cents(60));
    assert_eq!(o.selector(), Some(IPool::MarketClosing::SELECTOR));
    r.out("borrow in the closing window", &o);
    // A day before the end the threshold is 1/7: bob, healthy at $0.50
    // (HF ~3) before the schedule, is not any more.
    r.put("HF at 0.50, 7 days before", b.health(bob, id, cents(50)));
    b.advance(6 * 86_400);
    r.put("HF at 0.50, 1 day before", b.health(bob, id, cents(50)));
    r.put(
        "liquidationPrice",
        b.get(IPool::liquidationPriceCall {
            borrower: bob,
            tokenId: id,
        })
        ._0,
    );
    b.fund(liquidator(), usd(100_000));
    let o = b
        .liquidate(liquidator(), bob, id, U256::from(u128::MAX), cents(50))
        .expect("liquidate");
    r.out("liquidate bob at 0.50", &o);
    position(b, r, "bob", bob, id);
    // A whale on another market: $60,000 owed needs an auction.
    let m = support::market(9);
    let whale = Account::from_seed("whale").address();
    let signer = Account::from_seed("whale");
    b.collateral(whale, m.yes, usd(200_000))
        .expect("whale collateral");
    let o = b
        .borrow(&signer, m.yes, usd(60_000), cents(60))
        .expect("whale borrow");
    r.out("whale borrow", &o);
    b.advance(60);
    let o = b.liquidate(liquidator(), whale, m.yes, U256::from(u128::MAX), cents(40));
    assert_eq!(o.selector(), Some(IPool::AuctionRequired::SELECTOR));
    r.out("direct liquidation of the whale", &o);
    let o = b
        .start_auction(carl(), whale, m.yes, cents(40))
        .expect("start");
    r.out("startAuction", &o);
    let start = o.ret::<IPool::startAuctionCall>().start;
    r.put(
        "auctionStart",
        b.get(IPool::auctionStartCall {
            borrower: whale,
            tokenId: m.yes,
        })
        .start,
    );
    assert_eq!(start, U256::from(b.now()));
    b.advance(900);
    let o = b
        .liquidate(liquidator(), whale, m.yes, U256::from(u128::MAX), cents(40))
        .expect("auction liquidation");
    r.out("liquidate the whale half-way through", &o);
    r.put("seized", o.ret::<IPool::liquidateCall>().seized);
    position(b, r, "whale", whale, m.yes);
    r.put(
        "auctionStart after",
        b.get(IPool::auctionStartCall {
            borrower: whale,
            tokenId: m.yes,
        })
        .start,
    );
    books(b, r, "end");
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn jump_risk_defences() {
    compare(s_jump_risk::<Motsu>, s_jump_risk::<Chain>);
}

// ---------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------

fn s_resolution<B: Backend>(b: &mut B, r: &mut Rec) {
    let m = support::market(4);
    let (cond, yes, no) = (m.condition, m.yes, m.no);
    b.lend(lender(), usd(100_000)).expect("deposit");
    let (bob, dan) = (bob(), Account::from_seed("dan"));
    b.collateral(bob.address(), yes, usd(10_000))
        .expect("yes collateral");
    b.collateral(carl(), yes, usd(2_000))
        .expect("carl collateral");
    b.collateral(dan.address(), no, usd(10_000))
        .expect("no collateral");
    r.out("bob borrows", &b.borrow(&bob, yes, usd(3_000), cents(60)));
    r.out("dan borrows", &b.borrow(&dan, no, usd(2_000), cents(60)));
    b.advance(86_400);
    // The CTF's oracle reports YES (`reportPayouts(question, [1, 0])`).
    b.ctf_set_winner(cond, u(1));
    let keeper = ben();
    r.out(
        "resolve YES won",
        &b.resolve(keeper, yes, true).expect("resolve yes"),
    );
    r.out(
        "resolve NO lost",
        &b.resolve(keeper, no, false).expect("resolve no"),
    );
    r.out("resolve again", &b.resolve(keeper, no, true));
    for (n, id) in [("yes", yes), ("no", no)] {
        r.put(
            &format!("marketStatus {n}"),
            b.get(IPool::marketStatusCall { tokenId: id })._0,
        );
    }
    r.out(
        "borrow after resolution",
        &b.borrow(&bob, yes, usd(10), cents(90)),
    );
    let o = b.call(
        keeper,
        IPool::settleRedemptionCall {
            borrower: bob.address(),
            tokenId: yes,
        },
    );
    assert_eq!(o.selector(), Some(IPool::NotRedeemed::SELECTOR));
    r.out("settle before redemption", &o);
    let o = b.call(
        keeper,
        IPool::redeemWonCollateralCall {
            tokenId: yes,
            conditionId: cond,
            indexSet: u(1),
        },
    );
    r.out("redeemWonCollateral", &o.expect("redeem won"));
    let rd = b.get(IPool::redemptionCall { tokenId: yes });
    r.put("redemption", (rd.usdcLeft, rd.sharesLeft));
    let pool = b.pool();
    r.put("pool CTF yes", b.ctf_of(pool, yes));
    for (n, who) in [("bob", bob.address()), ("carl", carl())] {
        let before = b.usdc_of(who);
        let o = b.call(
            keeper,
            IPool::settleRedemptionCall {
                borrower: who,
                tokenId: yes,
            },
        );
        r.out(&format!("settleRedemption {n}"), &o.expect("settle"));
        r.put(&format!("{n} USDC gained"), b.usdc_of(who) - before);
        position(b, r, &format!("{n} settled"), who, yes);
    }
    let o = b.call(
        keeper,
        IPool::closeLostPositionCall {
            borrower: dan.address(),
            tokenId: no,
        },
    );
    r.out("closeLostPosition", &o.expect("close lost"));
    position(b, r, "dan closed", dan.address(), no);
    r.put("dan USDC", b.usdc_of(dan.address()));
    books(b, r, "end");
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn resolution_won_redeemed_and_settled_lost_closed() {
    compare(s_resolution::<Motsu>, s_resolution::<Chain>);
}

// ---------------------------------------------------------------------------
// Pause
// ---------------------------------------------------------------------------

fn s_pause<B: Backend>(b: &mut B, r: &mut Rec) {
    with_loan(b, r, usd(1_000));
    let (bob, id) = (bob(), token());
    let admin = b.admin();
    r.out("pause", &b.call(admin, IPool::pauseCall {}).expect("pause"));
    r.put("paused", b.get(IPool::pausedCall {})._0);
    let o = b.lend(ben(), usd(100));
    assert_eq!(o.selector(), Some(IPool::ProtocolPaused::SELECTOR));
    r.out("deposit while paused", &o);
    b.advance(10);
    let o = b.borrow(&bob, id, usd(100), cents(60));
    assert_eq!(o.selector(), Some(IPool::ProtocolPaused::SELECTOR));
    r.out("borrow while paused", &o);
    let o = b.collateral(carl(), id, 10);
    assert!(!o.ok, "the pool's hook refuses collateral while paused");
    // The real CTF bubbles the pool's error (motsu's mock wraps it).
    if b.is_wasm() {
        assert_eq!(o.data, IPool::ProtocolPaused {}.abi_encode());
    }
    r.put("collateral while paused refused", !o.ok);
    b.fund(bob.address(), usd(500));
    let o = b.call(
        bob.address(),
        IPool::repayCall {
            tokenId: id,
            amount: u(usd(500)),
        },
    );
    r.out("repay while paused", &o.expect("repay works while paused"));
    position(b, r, "bob", bob.address(), id);
    let admin = b.admin();
    r.out(
        "unpause",
        &b.call(admin, IPool::unpauseCall {}).expect("unpause"),
    );
    r.out(
        "deposit after unpause",
        &b.lend(ben(), usd(100)).expect("deposit"),
    );
    books(b, r, "end");
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn pause_blocks_deposits_and_borrows_not_repay() {
    compare(s_pause::<Motsu>, s_pause::<Chain>);
}

// ---------------------------------------------------------------------------
// Re-entrancy and the storage cache on real WASM (negative controls: here
// motsu and the runtime are expected to differ)
// ---------------------------------------------------------------------------

/// The frames of the last transaction that called `target` while an outer
/// frame of `target` was still on the stack (ancestry from the depths).
fn reentered_frames(
    trace: &[stylus_runtime::CallTrace],
    target: Address,
) -> Vec<stylus_runtime::CallTrace> {
    let mut stack: Vec<&stylus_runtime::CallTrace> = Vec::new();
    let mut found = Vec::new();
    for f in trace {
        while stack.last().is_some_and(|p| p.depth >= f.depth) {
            stack.pop();
        }
        if f.to == target && f.depth >= 2 && stack.iter().any(|p| p.to == target) {
            found.push(f.clone());
        }
        stack.push(f);
    }
    found
}

/// The single re-entrant frame into `target` of the last transaction sent
/// with `Chain::tx`, shown
/// to be refused by the SDK's re-entrancy guard: `msg_reentrant` was true
/// there and the entrypoint returned 1 with no data (a revert with empty
/// output, not a trap, an out-of-gas or a decode error, which would carry a
/// different error or revert data).
#[track_caller]
fn refused_reentry(c: &Chain, target: Address) -> stylus_runtime::CallTrace {
    let frames = reentered_frames(&c.last_tx_trace, target);
    assert_eq!(frames.len(), 1, "exactly one re-entrant frame: {frames:#?}");
    let f = frames.into_iter().next().unwrap();
    assert!(f.reentrant, "msg_reentrant was true in the frame: {f:?}");
    assert!(!f.success, "the re-entrant frame failed: {f:?}");
    assert!(f.output.is_empty(), "no revert data (guard): {f:?}");
    assert_eq!(f.error.as_deref(), Some("revert"), "a plain revert: {f:?}");
    f
}

/// The test-contract suite's negative control: `reentrant-puller.pull` makes
/// the CTF call back into the puller while `pull` is on the stack; the SDK
/// entrypoint refuses the re-entrant call (an empty revert), the real CTF's
/// `safeTransferFrom` (solc 0.5) bubbles it up, and `pull` reverts with it.
/// (With the former OpenZeppelin stand-in the revert was
/// `ERC1155InvalidReceiver(puller)`.) (Under motsu the same `pull`
/// succeeds: `contracts/reentrant-puller/tests/motsu.rs`.)
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn reentrant_puller_reverts_on_wasm() {
    use support::{IPuller, ITestCtf};
    // ITestCtf: setApprovalForAll has the same selector on the real CTF.
    let mut c = Chain::new();
    let puller = Address::repeat_byte(0x91);
    c.w.deploy(puller, &support::test_contract("reentrant-puller"))
        .unwrap();
    let (alice, id) = (Address::with_last_byte(0xa1), support::market(7).yes);
    c.ctf_mint(alice, id, 100);
    c.tx(
        alice,
        support::ctf_addr(),
        ITestCtf::setApprovalForAllCall {
            operator: puller,
            approved: true,
        }
        .abi_encode(),
    )
    .expect("approve");
    let o = c.tx(
        alice,
        puller,
        IPuller::pullCall {
            ctf: support::ctf_addr(),
            from: alice,
            id,
            amount: u(60),
        }
        .abi_encode(),
    );
    assert!(!o.ok, "pull must revert on Stylus");
    assert_eq!(
        o.data,
        Vec::<u8>::new(),
        "the CTF (solc 0.5) bubbles the refused callback's empty revert"
    );
    let re_entry = refused_reentry(&c, puller);
    assert_eq!(re_entry.depth, 2);
    assert_eq!(re_entry.from, support::ctf_addr());
    assert_eq!(
        re_entry.selector,
        Some(stylus_runtime::selector(
            "onERC1155Received(address,address,uint256,uint256,bytes)"
        ))
    );
    assert_eq!(c.ctf_of(alice, id), 100, "nothing moved");
    assert_eq!(c.ctf_of(puller, id), 0);
    assert_eq!(c.view_of(puller, IPuller::receivedCall {})._0, U256::ZERO);
}

/// `cache-probe`: a cache write is invisible to a nested call (even into the
/// same contract) until flushed.
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn storage_cache_is_flushed_only_on_request() {
    let mut c = Chain::new();
    let a = Address::repeat_byte(0x92);
    c.w.deploy(a, &support::test_contract("cache-probe"))
        .unwrap();
    let store = |v: u8, flush: bool| {
        let mut d = vec![0x01];
        d.extend_from_slice(&[v; 32]);
        d.extend_from_slice(a.as_slice());
        d.push(flush as u8);
        d
    };
    let o = c.tx(a, a, store(0x11, false)).expect("store without flush");
    assert_eq!(
        o.data, [0u8; 32],
        "without a flush the callee sees the old value"
    );
    let o = c.tx(a, a, vec![0x03]).expect("get");
    assert_eq!(o.data, [0x11; 32], "the final flush stored it");
    let o = c.tx(a, a, store(0x22, false)).expect("store without flush");
    assert_eq!(o.data, [0x11; 32], "stale: the previous value");
    let o = c.tx(a, a, store(0x33, true)).expect("store with flush");
    assert_eq!(
        o.data, [0x33; 32],
        "with a flush the callee sees the new value"
    );
    assert_eq!(c.w.storage(a, U256::ZERO), B256::repeat_byte(0x33));
}

/// Steps shared by the two pool re-entry tests, returning what to compare.
fn withdraw_to_pool<B: Backend>(
    b: &mut B,
) -> (bool, Vec<u8>, (u128, u128, u128), u128, u128, U256) {
    let (bob, id, pool) = (bob().address(), token(), b.pool());
    b.collateral(bob, id, 100).expect("collateral");
    let o = b.call(
        bob,
        IPool::withdrawCollateralCall {
            tokenId: id,
            amount: u(60),
            to: pool,
        },
    );
    (
        o.ok,
        o.data,
        b.position(bob, id),
        b.ctf_of(pool, id),
        b.ctf_of(bob, id),
        b.get(IPool::tokenCollateralCall { tokenId: id })._0,
    )
}

/// `withdrawCollateral(to = pool)`: found by this suite. Without a check, on
/// Stylus the CTF's `onERC1155Received` call into the pool re-enters it and is
/// refused (the withdrawal reverted `TransferFailed()`), while motsu let the
/// callback through and booked the 60 shares as the pool's own position. The
/// pool now refuses itself as a recipient up front (`InvalidRecipient()`), so
/// both backends agree and nothing changes.
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn withdrawal_to_the_pool_itself_is_refused() {
    let mut c = Chain::new();
    let (ok, data, pos, pool_ctf, bob_ctf, tc) = withdraw_to_pool(&mut c);
    assert!(!ok, "reverts on WASM");
    assert_eq!(data, IPool::InvalidRecipient {}.abi_encode());
    assert_eq!(
        (pos, pool_ctf, bob_ctf, tc),
        ((100, 0, 0), 100, 0, U256::from(100)),
        "nothing changed"
    );
    let mut m = Motsu::new();
    let (ok, data_m, pos, pool_ctf, _, tc) = withdraw_to_pool(&mut m);
    assert!(!ok, "refused under motsu too");
    assert_eq!(data_m, data);
    assert_eq!((pos, pool_ctf, tc), ((100, 0, 0), 100, U256::from(100)));
    assert_eq!(m.position(support::pool_addr(), token()), (0, 0, 0));
}

/// Steps: a smart-wallet borrower with 100 shares whose
/// `onERC1155Received` hook re-enters `withdrawCollateral(40)` while its own
/// `withdrawCollateral(60)` sends it shares (the motsu test
/// `reentrant_receiver_takes_only_what_is_left`).
fn wallet_reentry<B: Backend>(b: &mut B) -> (bool, u8, (u128, u128, u128), u128, Address) {
    let (id, pool) = (token(), b.pool());
    let owner = owner().address();
    let wa = b.wallet_with_collateral(owner, id, 100);
    let call = |amount: u128| {
        IPool::withdrawCollateralCall {
            tokenId: id,
            amount: u(amount),
            to: wa,
        }
        .abi_encode()
    };
    b.wallet_set_hook(wa, pool, call(40));
    let o = b.wallet_exec(wa, owner, pool, call(60));
    (
        o.ok,
        b.wallet_hook_result(wa),
        b.position(wa, id),
        b.ctf_of(wa, id),
        wa,
    )
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn reentrant_wallet_hook_is_refused_on_wasm() {
    let mut c = Chain::new();
    let (ok, hook, pos, held, wa) = wallet_reentry(&mut c);
    assert!(ok, "the outer withdrawal succeeds");
    assert_eq!(
        hook, HOOK_FAILED,
        "the re-entrant call into the pool failed"
    );
    assert_eq!((pos.0, held), (40, 60), "only the outer 60 moved");
    // The hook's call into the pool was refused by the re-entrancy guard...
    let hook_frame = refused_reentry(&c, support::pool_addr());
    assert_eq!(hook_frame.from, wa);
    assert_eq!(
        hook_frame.selector,
        Some(IPool::withdrawCollateralCall::SELECTOR)
    );
    // ...and not by the call itself: the same calldata from the same sender,
    // not re-entrant, succeeds (its own callback's re-entry is refused again).
    let o = c.tx(wa, support::pool_addr(), hook_frame.input.clone());
    assert!(o.ok, "not re-entrant: {}", support::describe(&o.data));
    let direct = &c.w.last_trace()[0];
    assert!(!direct.reentrant && direct.success);
    assert_eq!(c.position(wa, token()).0, 0);
    assert_eq!(c.ctf_of(wa, token()), 100);
    let mut m = Motsu::new();
    let (ok, hook, pos, held, _) = wallet_reentry(&mut m);
    assert!(ok);
    assert_eq!(hook, HOOK_OK, "motsu lets the re-entrant call through");
    assert_eq!((pos.0, held), (0, 100));
}

/// A USDC whose `transferFrom` re-enters the pool (`redeem` of the
/// depositor's earlier shares) while the pool pulls a deposit (the motsu
/// test `reentrant_usdc_during_a_deposit_keeps_the_books`).
fn usdc_reentry<B: Backend>(b: &mut B) -> (bool, u8, U256, u128) {
    b.lend(ben(), usd(50_000)).expect("deposit");
    let o = b.lend(lender(), usd(1_000)).expect("deposit");
    let shares = o.ret::<IPool::depositCall>().shares;
    let usdc = support::usdc_addr();
    b.call(
        lender(),
        IPool::approveCall {
            spender: usdc,
            value: U256::MAX,
        },
    )
    .expect("approve");
    let pool = b.pool();
    b.usdc_set_hook(
        pool,
        IPool::redeemCall {
            shares,
            receiver: lender(),
            owner: lender(),
        }
        .abi_encode(),
    );
    let o = b.lend(lender(), usd(2_000));
    (
        o.ok,
        b.usdc_hook_result(),
        b.get(IPool::balanceOfCall { account: lender() })._0,
        b.usdc_of(lender()),
    )
}

#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn reentrant_usdc_hook_is_refused_on_wasm() {
    let mut c = Chain::new();
    let (ok, hook, shares, cash) = usdc_reentry(&mut c);
    assert!(ok);
    assert_eq!(
        hook, HOOK_FAILED,
        "USDC -> pool while the pool is on the stack"
    );
    assert_eq!(shares, U256::from(usd(3_000)) * U256::from(1_000_000u64));
    assert_eq!(cash, 0);
    // The USDC hook's `redeem` was refused by the re-entrancy guard...
    let hook_frame = refused_reentry(&c, support::pool_addr());
    assert_eq!(hook_frame.from, support::usdc_addr());
    assert_eq!(hook_frame.selector, Some(IPool::redeemCall::SELECTOR));
    // ...and not by the call itself: the same calldata from the same sender
    // (USDC, approved by the lender), not re-entrant, succeeds.
    let o = c.tx(
        support::usdc_addr(),
        support::pool_addr(),
        hook_frame.input.clone(),
    );
    assert!(o.ok, "not re-entrant: {}", support::describe(&o.data));
    assert!(!c.w.last_trace()[0].reentrant);
    assert_eq!(
        c.get(IPool::balanceOfCall { account: lender() })._0,
        U256::from(usd(2_000)) * U256::from(1_000_000u64)
    );
    assert_eq!(c.usdc_of(lender()), usd(1_000));
    let mut m = Motsu::new();
    let (ok, hook, shares, cash) = usdc_reentry(&mut m);
    assert!(ok);
    assert_eq!(hook, HOOK_OK, "motsu lets the re-entrant redeem through");
    assert_eq!(shares, U256::from(usd(2_000)) * U256::from(1_000_000u64));
    assert_eq!(cash, usd(1_000));
}

// ---------------------------------------------------------------------------
// Stack headroom (Nitro's MaxStackDepth)
// ---------------------------------------------------------------------------

/// Nitro gives every call frame `MaxStackDepth` = 22,000 words (ArbOS ≥ 50);
/// the instrumented pool traps (out of stack) if a frame's functions nest
/// deeper. Every scenario above drives every pool function, through its
/// deepest path, on the release WASM; the deepest pool frame must leave at
/// least 25% of the budget.
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn pool_stack_headroom_is_at_least_a_quarter() {
    type Scenario = fn(&mut Chain, &mut Rec);
    let scenarios: [(&str, Scenario); 8] = [
        ("vault", s_vault::<Chain>),
        ("collateral", s_collateral::<Chain>),
        ("borrow", s_borrow::<Chain>),
        ("repay", s_repay::<Chain>),
        ("withdraw", s_withdraw::<Chain>),
        ("liquidate", s_liquidate::<Chain>),
        ("resolution", s_resolution::<Chain>),
        ("pause", s_pause::<Chain>),
    ];
    let budget = stylus_runtime::Nitro::default().max_stack_depth;
    let mut deepest = 0;
    for (name, run) in scenarios {
        let mut c = Chain::new();
        run(&mut c, &mut Rec::default());
        let left = c.pool_stack_left_min.expect("the pool ran");
        let used = budget - left;
        println!("stack: {name:<10} {used:>6} of {budget} words");
        deepest = deepest.max(used);
    }
    let headroom = 100.0 * (budget - deepest) as f64 / budget as f64;
    println!("stack: deepest pool frame {deepest} of {budget} words, headroom {headroom:.1}%");
    assert!(
        deepest * 4 <= budget * 3,
        "the pool uses {deepest} of {budget} stack words: less than 25% headroom"
    );
}

// ---------------------------------------------------------------------------
// Hostile EIP-1271 wallets on real WASM (gas, static calls)
// ---------------------------------------------------------------------------

/// `contracts/test-wallet` modes that only WASM can show.
const WALLET_BURN_GAS: u8 = 7;
const WALLET_HUGE_REVERT: u8 = 8;
const WALLET_WRITE: u8 = 9;

/// A lender and a smart wallet (owned by `owner()`) with 1,000 shares of
/// `token()` pledged, in `mode`.
fn hostile_wallet(c: &mut Chain, mode: u8) -> Address {
    c.lend(lender(), usd(100_000)).expect("deposit");
    let wa = c.wallet_with_collateral(owner().address(), token(), usd(1_000));
    set_wallet_mode(c, wa, mode);
    wa
}

fn set_wallet_mode(c: &mut Chain, wa: Address, mode: u8) {
    c.tx(
        owner().address(),
        wa,
        ITestWallet::setModeCall { mode }.abi_encode(),
    )
    .expect("wallet.setMode");
}

/// What a refused borrow must leave unchanged: the wallet's position,
/// nonce and USDC, the pool's USDC, the token's debt and newest price time.
fn wallet_books(c: &mut Chain, wa: Address) -> ((u128, u128, u128), u128, u128, u128, U256, U256) {
    let (id, pool) = (token(), c.pool());
    (
        c.position(wa, id),
        c.nonce(wa),
        c.usdc_of(wa),
        c.usdc_of(pool),
        c.get(IPool::tokenDebtCall { tokenId: id })._0,
        c.get(IPool::lastPriceTimestampCall { tokenId: id })._0,
    )
}

/// The `isValidSignature` frame of the last transaction.
#[track_caller]
fn is_valid_signature_frame(c: &Chain, wa: Address) -> stylus_runtime::CallTrace {
    let sel = stylus_runtime::selector("isValidSignature(bytes32,bytes)");
    let frames: Vec<_> = c
        .last_tx_trace
        .iter()
        .filter(|f| f.to == wa && f.selector == Some(sel))
        .cloned()
        .collect();
    assert_eq!(frames.len(), 1, "one isValidSignature call: {frames:#?}");
    frames.into_iter().next().unwrap()
}

/// W6: a wallet that writes storage inside `isValidSignature` (mode 9). The
/// pool calls it with `static_call`, a STATICCALL on Stylus: the wallet's
/// write fails its frame, the pool counts the signature as invalid, and the
/// relayed borrow reverts `InvalidSignature()` with nothing changed (the
/// wallet's `writes` slot included). Controls: called directly (not static)
/// the same mode does write and answers the magic, and in mode 0 the same
/// borrow succeeds. (motsu runs `static_call` as a normal call, so there the
/// write would go through: this is a WASM-only property.)
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn wallet_writing_inside_is_valid_signature_is_refused_on_wasm() {
    let mut c = Chain::new();
    let wa = hostile_wallet(&mut c, WALLET_WRITE);
    let before = wallet_books(&mut c, wa);
    let o = c.borrow_as(wa, &owner(), token(), usd(10), cents(60));
    assert!(!o.ok, "refused");
    assert_eq!(o.data, IPool::InvalidSignature {}.abi_encode());
    let f = is_valid_signature_frame(&c, wa);
    assert_eq!(f.kind, stylus_runtime::CallKind::Static, "a STATICCALL");
    assert!(!f.success, "the wallet's write failed its frame: {f:?}");
    assert!(f.output.is_empty(), "no answer: {f:?}");
    assert_eq!(wallet_books(&mut c, wa), before, "nothing changed");
    assert_eq!(c.view_of(wa, ITestWallet::writesCall {})._0, U256::ZERO);
    // Control: outside a static call, mode 9 writes and answers the magic.
    let o = c.tx(
        lender(),
        wa,
        ITestWallet::isValidSignatureCall {
            hash: B256::repeat_byte(1),
            signature: common::sign(&owner(), B256::repeat_byte(1)).into(),
        }
        .abi_encode(),
    );
    assert_eq!(
        o.expect("direct isValidSignature").data[..4],
        [0x16, 0x26, 0xba, 0x7e]
    );
    assert_eq!(c.view_of(wa, ITestWallet::writesCall {})._0, U256::from(1));
    // Control: the honest mode, same borrow, succeeds.
    set_wallet_mode(&mut c, wa, 0);
    c.borrow_as(wa, &owner(), token(), usd(10), cents(60))
        .expect("mode 0 borrow");
    assert_eq!(c.usdc_of(wa), usd(10));
    assert_eq!(c.nonce(wa), 1);
}

/// W5 (a known limitation, measured): a wallet whose `isValidSignature`
/// loops until it runs out of gas (mode 7). `static_call` forwards all but
/// 1/64 of the pool's remaining gas (EIP-150), the wallet burns all of it,
/// and the pool finishes on the 1/64 it kept: the relayed borrow reverts
/// `InvalidSignature()` with nothing changed, but the transaction uses
/// nearly its whole gas limit. The relayer's exposure is therefore the gas
/// limit it sets, never more: at each limit tried the gas used is at most the
/// limit and at least 63/64 of it minus the gas the pool had spent before
/// the call. A wallet reverting with a 512 KiB blob (mode 8) is also refused
/// `InvalidSignature()`; copying the blob costs the relayer more than an
/// honest borrow, still bounded by the limit (the runtime's memory price is
/// approximate: Nitro's exponential page ramp is omitted). The honest borrow
/// is the control.
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn gas_burning_wallet_costs_the_relayer_at_most_its_gas_limit_on_wasm() {
    let mut c = Chain::new();
    let wa = hostile_wallet(&mut c, WALLET_BURN_GAS);
    let before = wallet_books(&mut c, wa);
    for limit in [1_000_000u64, 5_000_000, 30_000_000] {
        c.gas_limit = limit;
        let o = c.borrow_as(wa, &owner(), token(), usd(10), cents(60));
        let used = o.gas.unwrap().0;
        let f = is_valid_signature_frame(&c, wa);
        eprintln!(
            "burning wallet, gas limit {limit}: gas used {used}, wallet frame {} ({:?}), outcome {}",
            f.gas_used,
            f.error,
            support::describe(&o.data)
        );
        assert!(!o.ok);
        assert_eq!(o.data, IPool::InvalidSignature {}.abi_encode());
        assert_eq!(f.error.as_deref(), Some("out of gas"), "{f:?}");
        assert!(used <= limit, "never more than the limit: {used}");
        assert!(
            used >= limit - limit / 64 - 100_000,
            "the wallet burnt nearly all of it: {used} of {limit}"
        );
        assert_eq!(wallet_books(&mut c, wa), before, "nothing changed");
    }
    c.gas_limit = 30_000_000;
    set_wallet_mode(&mut c, wa, WALLET_HUGE_REVERT);
    let o = c.borrow_as(wa, &owner(), token(), usd(10), cents(60));
    let blob_gas = o.gas.unwrap().0;
    let f = is_valid_signature_frame(&c, wa);
    assert!(!o.ok);
    assert_eq!(o.data, IPool::InvalidSignature {}.abi_encode());
    assert_eq!(f.output.len(), 512 * 1024, "the pool received the blob");
    assert_eq!(wallet_books(&mut c, wa), before, "nothing changed");
    // The same refusal with a one-word wrong answer (mode 1): the blob's
    // extra cost is the copy (and the pages it needs) on both sides.
    set_wallet_mode(&mut c, wa, 1);
    let o = c.borrow_as(wa, &owner(), token(), usd(10), cents(60));
    assert_eq!(o.data, IPool::InvalidSignature {}.abi_encode());
    let wrong_gas = o.gas.unwrap().0;
    set_wallet_mode(&mut c, wa, 0);
    let o = c.borrow_as(wa, &owner(), token(), usd(10), cents(60));
    let honest_gas = o.expect("mode 0 borrow").gas.unwrap().0;
    eprintln!(
        "huge-revert wallet: gas used {blob_gas}; wrong answer: {wrong_gas}; honest borrow: {honest_gas}"
    );
    assert!(blob_gas > wrong_gas, "copying the blob costs gas");
    assert!(blob_gas < c.gas_limit);
}

// ---------------------------------------------------------------------------
// Dust spam (gas-DoS) on real WASM
// ---------------------------------------------------------------------------

/// Bob's operations on `token()` — his first borrow, a second borrow, a
/// partial repay and a partial liquidation — after `spam` in the same pool;
/// returns each operation's gas and outcome.
fn bob_ops_after(c: &mut Chain, spam: fn(&mut Chain)) -> Vec<(&'static str, u64, Vec<u8>)> {
    let (bob, id) = (bob(), token());
    c.lend(lender(), usd(100_000)).expect("deposit");
    c.collateral(bob.address(), id, usd(10_000))
        .expect("collateral");
    c.fund(bob.address(), usd(1_000));
    c.fund(liquidator(), usd(10_000));
    // Someone already borrowed on another token, so the pool-wide debt
    // totals are non-zero in both pools before the spam (otherwise the
    // spammers' 1-USDC borrows would pre-pay bob's zero-to-non-zero SSTOREs).
    let carl = Account::from_seed("carl");
    let other = support::market(3).yes;
    c.collateral(carl.address(), other, usd(1_000))
        .expect("carl's collateral");
    c.borrow(&carl, other, usd(100), cents(60))
        .expect("carl's borrow");
    spam(c);
    let mut ops = Vec::new();
    let mut rec = |name, o: support::Out| {
        let o = o.expect(name);
        ops.push((name, o.gas.unwrap().0, o.data));
    };
    c.advance(60);
    rec("borrow (first)", c.borrow(&bob, id, usd(3_000), cents(60)));
    c.advance(60);
    rec("borrow (second)", c.borrow(&bob, id, usd(100), cents(60)));
    rec(
        "repay",
        c.call(
            bob.address(),
            IPool::repayCall {
                tokenId: id,
                amount: u(usd(500)),
            },
        ),
    );
    c.advance(60);
    rec(
        "liquidate",
        c.liquidate(liquidator(), bob.address(), id, u(usd(500)), cents(30)),
    );
    ops
}

/// 50 dust positions around bob, each a new (owner, token) pair: 10
/// strangers with 1 unit of `token()` (bob's token), 10 with 1 unit of
/// another token, 10 strangers who borrowed 1 USDC on another token, and 20
/// strangers' pushes of 1 unit of other tokens credited to bob
/// (`data = abi.encode(bob)`).
fn dust_spam(c: &mut Chain) {
    let bob = bob().address();
    let for_bob = {
        let mut d = vec![0u8; 12];
        d.extend_from_slice(bob.as_slice());
        d
    };
    let pool = c.pool();
    for i in 0..50u64 {
        let spammer = Account::from_seed(&format!("dust {i}"));
        let who = spammer.address();
        let other = support::market(100 + i).yes;
        match i % 5 {
            0 => {
                c.collateral(who, token(), 1).expect("dust on bob's token");
            }
            1 => {
                c.collateral(who, other, 1).expect("dust on another token");
            }
            2 | 4 => {
                c.ctf_mint(who, other, 1);
                c.ctf_push(who, pool, &[other], &[1], for_bob.clone(), false)
                    .expect("dust credited to bob");
            }
            _ => {
                c.collateral(who, other, usd(10)).expect("collateral");
                c.borrow(&spammer, other, usd(1), cents(60))
                    .expect("a dust borrow");
            }
        }
    }
}

/// N6: nothing in the pool iterates over positions, so dust cannot make
/// anyone's operation more expensive. The same sequence of bob's operations
/// (first borrow, second borrow, repay, liquidation) runs in two pools with
/// the same history, except that in the second, 50 dust positions were
/// created first: strangers' dust on bob's token and on other tokens,
/// strangers' 1-USDC borrows, and dust collateral credited to bob on 20
/// other tokens. Each operation's gas is the same within 300 gas. Every
/// transaction starts with cold access sets, and the operations touch the
/// same slots in both pools with the same zero/non-zero history, so
/// EIP-2929/2200 charge the same; what can differ is WASM compute on
/// different numbers (the strangers' 10 USDC of debt shift the market's
/// totals and so bob's interest by a few units) and SSTORE of a value that is
/// non-zero in one pool and zero in the other (none here, which is why the
/// measured difference is 0 or a few gas).
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn dust_positions_do_not_change_anyones_gas_on_wasm() {
    let clean = bob_ops_after(&mut Chain::new(), |_| {});
    let mut c = Chain::new();
    let spammed = bob_ops_after(&mut c, dust_spam);
    // The spam really is there.
    let bob = bob().address();
    assert_eq!(c.position(bob, support::market(102).yes).0, 1);
    assert_eq!(c.position(bob, support::market(149).yes).0, 1);
    let bobs = c.position(bob, token()).0;
    assert_eq!(
        c.get(IPool::tokenCollateralCall { tokenId: token() })._0,
        u(bobs + 10),
        "bob's shares and the strangers' 10 dust units"
    );
    for ((name, g0, d0), (_, g1, d1)) in clean.iter().zip(&spammed) {
        eprintln!("{name}: {g0} gas clean, {g1} gas after 50 dust positions");
        assert!(
            g0.abs_diff(*g1) <= 300,
            "{name}: {g0} vs {g1} gas after the dust"
        );
        if *name != "liquidate" {
            assert_eq!(d0, d1, "{name}: same outcome");
        }
    }
}

// ---------------------------------------------------------------------------
// Circle's blacklist on the real contracts (WASM only: the motsu USDC mock
// has no blacklist)
// ---------------------------------------------------------------------------

/// What a refused settlement must leave unchanged: bob's position, the
/// token's redemption (USDC and shares left), the pool's USDC and books.
fn settle_books(c: &mut Chain, who: Address, id: U256) -> Vec<String> {
    let rd = c.get(IPool::redemptionCall { tokenId: id });
    let pool = c.pool();
    vec![
        format!("{:?}", c.position(who, id)),
        format!("{:?}", (rd.usdcLeft, rd.sharesLeft)),
        format!("{}", c.usdc_of(pool)),
        format!("{}", c.usdc_of(who)),
        format!("{}", c.get(IPool::totalAssetsCall {})._0),
        format!("{}", c.get(IPool::cashCall {})._0),
        format!("{}", c.get(IPool::reservesCall {})._0),
    ]
}

/// THREAT_MODEL Known limitation 1, proven end to end: a real user's
/// market (the oracle prepares it, bob and carl `splitPosition` USDC and
/// push YES to the pool, both borrow), then Circle blacklists bob
/// (`TestUSDC.blacklist`, the FiatToken rule: a blacklisted account can
/// neither send nor receive). His further borrow is refused
/// (`TransferFailed()`: the pool's USDC transfer to him reverts). The oracle
/// reports YES on the CTF and signs the resolution; `redeemWonCollateral`
/// redeems the pool's shares through the real `redeemPositions`. Bob's
/// `settleRedemption` must pay him a surplus, USDC refuses it, and the whole
/// settlement reverts `TransferFailed()` with nothing changed: his
/// pro-rata USDC stays in the redemption. Carl's position settles
/// independently. Control: once the blacklist is lifted, bob's settlement
/// goes through and pays him exactly the surplus the refused one would have.
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn blacklisted_borrower_cannot_settle_until_unblacklisted_on_real_usdc() {
    let mut c = Chain::new();
    let m = support::market(5);
    let (bob, carl, keeper, pool) = (bob(), Account::from_seed("carl"), ben(), c.pool());
    c.lend(lender(), usd(100_000)).expect("deposit");
    let split_gas = c.ctf_split(bob.address(), &m, usd(10_000));
    eprintln!("splitPosition (after prepareCondition, its own tx): {split_gas:?} gas");
    assert_eq!(c.ctf_of(bob.address(), m.yes), usd(10_000));
    assert_eq!(c.ctf_of(bob.address(), m.no), usd(10_000));
    assert_eq!(
        c.usdc_of(support::ctf_addr()),
        usd(10_000),
        "the CTF holds the collateral"
    );
    c.ctf_push(bob.address(), pool, &[m.yes], &[usd(10_000)], vec![], false)
        .expect("bob pushes YES");
    c.collateral(carl.address(), m.yes, usd(2_000))
        .expect("carl pushes YES");
    c.borrow(&bob, m.yes, usd(3_000), cents(60))
        .expect("bob borrows");
    c.borrow(&carl, m.yes, usd(500), cents(60))
        .expect("carl borrows");
    c.advance(60);

    c.usdc_blacklist(bob.address(), true);
    assert!(
        c.view_of(
            support::usdc_addr(),
            support::IBlacklist::isBlacklistedCall {
                account: bob.address()
            }
        )
        ._0
    );
    let o = c.borrow(&bob, m.yes, usd(10), cents(60));
    assert_eq!(
        o.selector(),
        Some(IPool::TransferFailed::SELECTOR),
        "{}",
        support::describe(&o.data)
    );

    c.advance(86_400);
    c.ctf_set_winner(m.condition, u(1));
    c.resolve(keeper, m.yes, true).expect("resolve YES");
    let got: u128 = c
        .call(
            keeper,
            IPool::redeemWonCollateralCall {
                tokenId: m.yes,
                conditionId: m.condition,
                indexSet: u(1),
            },
        )
        .expect("redeemWonCollateral")
        .ret::<IPool::redeemWonCollateralCall>()
        .usdcReceived
        .to();
    assert_eq!(got, usd(12_000), "the real CTF paid 1 USDC per YES share");
    assert!(
        c.last_tx_trace.iter().any(|f| f.to == support::ctf_addr()
            && f.selector
                == Some(stylus_runtime::selector(
                    "redeemPositions(address,bytes32,bytes32,uint256[])"
                ))
            && f.success),
        "through the CTF's redeemPositions"
    );
    assert_eq!(c.ctf_of(pool, m.yes), 0, "the CTF burnt the pool's YES");

    let settle = |c: &mut Chain, who: Address| {
        c.call(
            keeper,
            IPool::settleRedemptionCall {
                borrower: who,
                tokenId: m.yes,
            },
        )
    };
    let before = settle_books(&mut c, bob.address(), m.yes);
    let o = settle(&mut c, bob.address());
    assert!(!o.ok);
    assert_eq!(
        o.selector(),
        Some(IPool::TransferFailed::SELECTOR),
        "{}",
        support::describe(&o.data)
    );
    assert!(
        c.last_tx_trace.iter().any(|f| f.to == support::usdc_addr()
            && !f.success
            && String::from_utf8_lossy(&f.output)
                .contains("Blacklistable: account is blacklisted")),
        "USDC refused the surplus with Circle's message"
    );
    assert_eq!(
        settle_books(&mut c, bob.address(), m.yes),
        before,
        "nothing changed"
    );

    // Carl settles independently.
    let carl_before = c.usdc_of(carl.address());
    let surplus: u128 = settle(&mut c, carl.address())
        .expect("carl settles")
        .ret::<IPool::settleRedemptionCall>()
        .surplus
        .to();
    assert!(surplus > 0);
    assert_eq!(c.usdc_of(carl.address()), carl_before + surplus);
    assert_eq!(c.position(carl.address(), m.yes), (0, 0, 0));
    // Still refused for bob; then the blacklist is lifted and he settles.
    assert!(!settle(&mut c, bob.address()).ok);
    c.usdc_blacklist(bob.address(), false);
    let bob_before = c.usdc_of(bob.address());
    let o = settle(&mut c, bob.address()).expect("bob settles once unblacklisted");
    let surplus: u128 = o.ret::<IPool::settleRedemptionCall>().surplus.to();
    assert!(
        surplus > usd(6_000),
        "10,000 shares redeemed minus ~3,000 of debt: {surplus}"
    );
    assert_eq!(c.usdc_of(bob.address()), bob_before + surplus);
    assert_eq!(c.position(bob.address(), m.yes), (0, 0, 0));
    let rd = c.get(IPool::redemptionCall { tokenId: m.yes });
    assert_eq!(
        (rd.usdcLeft, rd.sharesLeft),
        (U256::ZERO, U256::ZERO),
        "all settled"
    );
}

/// B11 on the real contracts: a blacklisted borrower cannot block its own
/// liquidation (the pool pulls USDC from the liquidator and sends the
/// seized YES to the liquidator; the borrower is never paid or called).
/// Control: the same borrower's repay is refused by USDC (`TransferFailed()`),
/// so the blacklist really is in force.
#[test]
#[ignore = "needs the release artifact and test contracts: run scripts/test.sh"]
fn blacklisted_borrower_is_still_liquidated_on_real_usdc() {
    let mut c = Chain::new();
    let m = support::market(6);
    let dan = Account::from_seed("dan");
    c.lend(lender(), usd(100_000)).expect("deposit");
    c.collateral(dan.address(), m.yes, usd(10_000))
        .expect("dan's YES");
    c.borrow(&dan, m.yes, usd(3_500), cents(60))
        .expect("dan borrows");
    c.fund(dan.address(), usd(100));
    c.fund(liquidator(), usd(10_000));
    c.advance(60);
    c.usdc_blacklist(dan.address(), true);
    let o = c.call(
        dan.address(),
        IPool::repayCall {
            tokenId: m.yes,
            amount: u(usd(100)),
        },
    );
    assert_eq!(
        o.selector(),
        Some(IPool::TransferFailed::SELECTOR),
        "{}",
        support::describe(&o.data)
    );
    let (coll, _, debt) = c.position(dan.address(), m.yes);
    let o = c
        .liquidate(liquidator(), dan.address(), m.yes, u(usd(1_000)), cents(50))
        .expect("liquidation of a blacklisted borrower");
    let seized: u128 = o.ret::<IPool::liquidateCall>().seized.to();
    assert!(seized > 0);
    assert_eq!(
        c.ctf_of(liquidator(), m.yes),
        seized,
        "the real CTF moved the seized YES"
    );
    let (coll2, _, debt2) = c.position(dan.address(), m.yes);
    assert_eq!(coll2, coll - seized);
    assert!(debt2 < debt);
    assert_eq!(c.usdc_of(liquidator()), usd(9_000));
}
