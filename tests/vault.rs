//! The lenders' side: pUSDC (ERC-20 + ERC-4626), share math, rounding, cash
//! accounting and interest as seen by lenders.

mod common;

use alloy_primitives::{Address, U256};
use common::*;
use motsu::prelude::*;
use predmart_pool::{errors::Error, events, math::Rounding, LendingPool};

#[motsu::test]
fn metadata_through_the_abi(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    assert_eq!(
        wd.abi(alice, IPool::nameCall {}).unwrap()._0,
        "PredMart USDC"
    );
    assert_eq!(wd.abi(alice, IPool::symbolCall {}).unwrap()._0, "pUSDC");
    assert_eq!(wd.abi(alice, IPool::decimalsCall {}).unwrap()._0, 12);
    assert_eq!(
        wd.abi(alice, IPool::assetCall {}).unwrap()._0,
        usdc.address()
    );
    assert_eq!(
        wd.abi(alice, IPool::totalAssetsCall {}).unwrap()._0,
        U256::ZERO
    );
    // An empty pool: the books' headroom (2^120 base units of USDC; the
    // virtual offset mints 10^6 pUSDC units a unit, within u128).
    assert_eq!(
        wd.abi(alice, IPool::maxDepositCall { receiver: alice })
            .unwrap()
            ._0,
        U256::from((u128::MAX - 1_000_000) / 1_000_000)
    );
    assert_eq!(
        wd.abi(alice, IPool::maxMintCall { receiver: alice })
            .unwrap()
            ._0,
        U256::from(u128::MAX - 1_000_000)
    );
    // Never for a receiver the pool refuses.
    for receiver in [Address::ZERO, pool.address()] {
        assert_eq!(
            wd.abi(alice, IPool::maxDepositCall { receiver })
                .unwrap()
                ._0,
            U256::ZERO
        );
        assert_eq!(
            wd.abi(alice, IPool::maxMintCall { receiver }).unwrap()._0,
            U256::ZERO
        );
    }
}

#[motsu::test]
fn first_deposit_mints_with_the_virtual_offset(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.fund(alice, usd(1_000));
    let shares = pool.sender(alice).deposit(usd(1_000), alice).motsu_unwrap();
    assert_eq!(shares, usd(1_000) * 1_000_000);
    assert_eq!(pool.sender(alice).balance_of(alice), shares);
    assert_eq!(pool.sender(alice).total_supply(), shares);
    assert_eq!(pool.sender(alice).total_assets().unwrap(), usd(1_000));
    assert_eq!(wd.usdc_of(alice), 0);
    assert_eq!(wd.usdc_of(pool.address()), usd(1_000));
    pool.assert_emitted(&events::Deposit {
        sender: alice,
        owner: alice,
        assets: w(usd(1_000)),
        shares: w(shares),
    });
    pool.assert_emitted(&events::Transfer {
        from: Address::ZERO,
        to: alice,
        value: w(shares),
    });
    // Views agree with what happened.
    assert_eq!(
        pool.sender(alice)
            .shares_for(usd(1_000), Rounding::Down)
            .unwrap(),
        shares
    );
    assert_eq!(
        pool.sender(alice)
            .assets_for(shares, Rounding::Down)
            .unwrap(),
        usd(1_000)
    );
}

#[motsu::test]
fn deposit_failures_change_nothing(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    bob: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(bob, usd(10));
    let id = token();
    // Zero assets.
    wd.fund(alice, usd(5));
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).deposit(0, alice),
        Error::ZeroAmount
    );
    // Zero receiver.
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).deposit(usd(1), Address::ZERO),
        Error::ZeroAddress
    );
    // More than the caller has: the USDC pull fails.
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).deposit(usd(6), alice),
        Error::TransferFailed
    );
    // No allowance.
    usdc.sender(alice)
        .approve(pool.address(), U256::ZERO)
        .motsu_unwrap();
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).deposit(usd(1), alice),
        Error::TransferFailed
    );
    // Paused: maxDeposit/maxMint say 0 and deposit/mint revert.
    usdc.sender(alice)
        .approve(pool.address(), U256::MAX)
        .motsu_unwrap();
    pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    assert_eq!(pool.sender(alice).max_deposit(alice), Ok(0));
    assert_eq!(pool.sender(alice).max_mint(alice), Ok(0));
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).deposit(usd(1), alice),
        Error::ProtocolPaused
    );
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).mint(1_000_000, alice),
        Error::ProtocolPaused
    );
    // An amount too large for the arithmetic.
    pool.sender(wd.admin).set_paused(false).motsu_unwrap();
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).deposit(u128::MAX, alice),
        Error::MathOverflow
    );
}

#[motsu::test]
fn mint_pulls_assets_rounded_up(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    bob: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(bob, usd(100));
    wd.fund(alice, usd(3));
    // Exactly 2 USDC of shares.
    let assets = pool
        .sender(alice)
        .mint(usd(2) * 1_000_000, alice)
        .motsu_unwrap();
    assert_eq!(assets, usd(2));
    pool.assert_emitted(&events::Deposit {
        sender: alice,
        owner: alice,
        assets: w(usd(2)),
        shares: w(usd(2) * 1_000_000),
    });
    // One share unit is worth 1e-6 of a USDC unit: minting it costs 1 unit (rounded up).
    assert_eq!(pool.sender(alice).assets_for(1, Rounding::Up).unwrap(), 1);
    let assets = pool.sender(alice).mint(1, alice).motsu_unwrap();
    assert_eq!(assets, 1);
    assert_eq!(pool.sender(alice).balance_of(alice), usd(2) * 1_000_000 + 1);
    assert_fails!(
        wd,
        [alice, bob],
        token(),
        pool.sender(alice).mint(0, alice),
        Error::ZeroAmount
    );
    assert_fails!(
        wd,
        [alice, bob],
        token(),
        pool.sender(alice).mint(usd(10) * 1_000_000, alice),
        Error::TransferFailed
    );
}

#[motsu::test]
fn withdraw_and_redeem(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    bob: Address,
    carol: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let shares = wd.lend(alice, usd(100));
    wd.lend(bob, usd(50));
    assert_eq!(pool.sender(alice).max_withdraw(alice).unwrap(), usd(100));
    assert_eq!(pool.sender(alice).max_redeem(alice).unwrap(), shares);

    let burned = pool
        .sender(alice)
        .withdraw(usd(40), carol, alice)
        .motsu_unwrap();
    assert_eq!(burned, usd(40) * 1_000_000);
    assert_eq!(wd.usdc_of(carol), usd(40));
    pool.assert_emitted(&events::Withdraw {
        sender: alice,
        receiver: carol,
        owner: alice,
        assets: w(usd(40)),
        shares: w(burned),
    });
    let got = pool
        .sender(alice)
        .redeem(shares - burned, alice, alice)
        .motsu_unwrap();
    assert_eq!(got, usd(60));
    assert_eq!(pool.sender(alice).balance_of(alice), 0);
    assert_eq!(pool.sender(alice).total_assets().unwrap(), usd(50));

    let id = token();
    assert_fails!(
        wd,
        [alice, bob, carol],
        id,
        pool.sender(bob).withdraw(usd(51), bob, bob),
        Error::ExceedsMaxWithdraw
    );
    assert_fails!(
        wd,
        [alice, bob, carol],
        id,
        pool.sender(bob).withdraw(0, bob, bob),
        Error::ZeroAmount
    );
    assert_fails!(
        wd,
        [alice, bob, carol],
        id,
        pool.sender(bob).withdraw(usd(1), Address::ZERO, bob),
        Error::ZeroAddress
    );
    let bob_shares = pool.sender(bob).balance_of(bob);
    assert_fails!(
        wd,
        [alice, bob, carol],
        id,
        pool.sender(bob).redeem(bob_shares + 1, bob, bob),
        Error::ExceedsMaxWithdraw
    );
    assert_fails!(
        wd,
        [alice, bob, carol],
        id,
        pool.sender(bob).redeem(0, bob, bob),
        Error::ZeroAmount
    );
    // Redeeming dust worth zero assets is refused rather than burning shares for nothing.
    assert_fails!(
        wd,
        [alice, bob, carol],
        id,
        pool.sender(bob)
            .redeem(1, bob, bob)
            .map(|_| ())
            .and_then(|_| Ok(())),
        Error::ZeroAmount
    );
    // A third party needs allowance, and spends it.
    assert_fails!(
        wd,
        [alice, bob, carol],
        id,
        pool.sender(carol).withdraw(usd(1), carol, bob),
        Error::InsufficientAllowance
    );
    pool.sender(bob)
        .approve(carol, w(usd(2) * 1_000_000))
        .motsu_unwrap();
    pool.sender(carol)
        .withdraw(usd(1), carol, bob)
        .motsu_unwrap();
    assert_eq!(
        pool.sender(bob).allowance(bob, carol),
        w(usd(1) * 1_000_000)
    );
    pool.sender(carol)
        .redeem(usd(1) * 1_000_000, carol, bob)
        .motsu_unwrap();
    assert_eq!(pool.sender(bob).allowance(bob, carol), U256::ZERO);
    assert_eq!(wd.usdc_of(carol), usd(42));
}

#[motsu::test]
fn erc20_transfers(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    bob: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let shares = wd.lend(alice, usd(10));
    assert!(pool
        .sender(alice)
        .transfer(bob, w(shares / 2))
        .motsu_unwrap());
    assert_eq!(pool.sender(alice).balance_of(bob), shares / 2);
    pool.assert_emitted(&events::Transfer {
        from: alice,
        to: bob,
        value: w(shares / 2),
    });
    let id = token();
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).transfer(bob, w(shares)),
        Error::InsufficientBalance
    );
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).transfer(Address::ZERO, w(1)),
        Error::ZeroAddress
    );
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).transfer(bob, U256::MAX),
        Error::InsufficientBalance
    );
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(bob).transfer_from(alice, bob, w(1)),
        Error::InsufficientAllowance
    );
    assert_fails!(
        wd,
        [alice, bob],
        id,
        pool.sender(alice).approve(Address::ZERO, w(1)),
        Error::ZeroAddress
    );
    // From the zero address (which would read as a mint) or to it: refused,
    // whatever the amount and allowance, and nothing is logged.
    let logs = pool.all_events().len();
    for (from, to, v) in [
        (Address::ZERO, bob, w(0)),
        (Address::ZERO, bob, w(1)),
        (alice, Address::ZERO, w(0)),
    ] {
        assert_fails!(
            wd,
            [alice, bob],
            id,
            pool.sender(bob).transfer_from(from, to, v),
            Error::ZeroAddress
        );
    }
    assert_eq!(
        wd.abi(
            bob,
            IPool::transferFromCall {
                from: Address::ZERO,
                to: bob,
                value: U256::ZERO
            }
        )
        .err(),
        Some(Error::ZeroAddress.selector().to_vec())
    );
    assert_eq!(pool.all_events().len(), logs, "a refused transfer logged");
    assert!(pool.sender(alice).approve(bob, U256::MAX).motsu_unwrap());
    pool.assert_emitted(&events::Approval {
        owner: alice,
        spender: bob,
        value: U256::MAX,
    });
    assert!(pool
        .sender(bob)
        .transfer_from(alice, bob, w(1))
        .motsu_unwrap());
    // An infinite allowance is not spent.
    assert_eq!(pool.sender(alice).allowance(alice, bob), U256::MAX);
    // Transfers work while paused.
    pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    assert!(pool.sender(bob).transfer(alice, w(1)).motsu_unwrap());
    assert_eq!(pool.sender(alice).balance_of(bob), shares / 2);
}

#[motsu::test]
fn donations_do_not_move_the_share_price(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    bob: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(alice, 1);
    let before = pool
        .sender(bob)
        .assets_for(1_000_000, Rounding::Down)
        .unwrap();
    // A would-be attacker sends USDC straight to the pool.
    usdc.sender(bob)
        .mint(pool.address(), w(usd(1_000_000)))
        .motsu_unwrap();
    assert_eq!(
        pool.sender(bob)
            .assets_for(1_000_000, Rounding::Down)
            .unwrap(),
        before
    );
    assert_eq!(pool.sender(bob).total_assets().unwrap(), 1);
    // A later depositor gets the fair number of shares.
    assert_eq!(wd.lend(bob, usd(5)), usd(5) * 1_000_000);
    // The admin can sweep the untracked USDC.
    assert_eq!(
        pool.sender(wd.admin).sweep(wd.admin).motsu_unwrap(),
        usd(1_000_000)
    );
    pool.assert_emitted(&events::Swept {
        to: wd.admin,
        amount: w(usd(1_000_000)),
    });
    assert_eq!(wd.usdc_of(pool.address()), usd(5) + 1);
}

#[motsu::test]
fn round_trips_never_return_more(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    bob: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(alice, usd(1_000) + 7);
    for amount in [1u128, 2, 3, 999_999, 1_000_001, usd(12) + 5] {
        wd.fund(bob, amount);
        let before = wd.usdc_of(bob);
        let shares = pool.sender(bob).deposit(amount, bob).motsu_unwrap();
        let back = pool
            .sender(bob)
            .redeem(shares, bob, bob)
            .motsu_res()
            .unwrap_or(0);
        assert!(back <= amount);
        assert!(wd.usdc_of(bob) <= before);
    }
}

/// EIP-4626: previews equal what the action does, at a non-trivial exchange
/// rate (interest accrued, not yet stored), and the max* views are exact.
#[motsu::test]
fn previews_match_actions(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    bob: Address,
) {
    let borrower = Account::from_seed("borrower");
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(alice, usd(10_000));
    wd.collateral(borrower.address(), token(), usd(10_000));
    wd.set_cap(0);
    wd.borrow(&borrower, token(), usd(5_000), cents(80))
        .unwrap();
    advance(12_345_678);
    wd.fund(bob, usd(1_000));
    let amount = usd(333) + 7;
    let p = wd
        .abi(bob, IPool::previewDepositCall { assets: w(amount) })
        .unwrap()
        ._0;
    assert_eq!(w(pool.sender(bob).deposit(amount, bob).motsu_unwrap()), p);
    let p = wd
        .abi(
            bob,
            IPool::previewMintCall {
                shares: w(amount * 1_000),
            },
        )
        .unwrap()
        ._0;
    assert_eq!(
        w(pool.sender(bob).mint(amount * 1_000, bob).motsu_unwrap()),
        p
    );
    let p = wd
        .abi(
            bob,
            IPool::previewWithdrawCall {
                assets: w(usd(100)),
            },
        )
        .unwrap()
        ._0;
    assert_eq!(
        w(pool.sender(bob).withdraw(usd(100), bob, bob).motsu_unwrap()),
        p
    );
    let p = wd
        .abi(
            bob,
            IPool::previewRedeemCall {
                shares: w(usd(50) * 1_000_000),
            },
        )
        .unwrap()
        ._0;
    assert_eq!(
        w(pool
            .sender(bob)
            .redeem(usd(50) * 1_000_000, bob, bob)
            .motsu_unwrap()),
        p
    );
    // convertTo* round down and agree with each other within one unit.
    let s = wd
        .abi(bob, IPool::convertToSharesCall { assets: w(usd(1)) })
        .unwrap()
        ._0;
    let a = wd
        .abi(bob, IPool::convertToAssetsCall { shares: s })
        .unwrap()
        ._0;
    assert!(a <= w(usd(1)) && w(usd(1)) - a <= U256::from(1));
    // maxRedeem / maxWithdraw are exactly redeemable / withdrawable.
    let max = pool.sender(bob).max_redeem(bob).unwrap();
    assert_eq!(max, pool.sender(bob).balance_of(bob));
    let got = pool.sender(bob).redeem(max, bob, bob).motsu_unwrap();
    assert_eq!(pool.sender(bob).balance_of(bob), 0);
    assert!(got > 0);
    let maxw = pool.sender(alice).max_withdraw(alice).unwrap();
    let cash = pool.sender(alice).market().unwrap().cash;
    assert_eq!(maxw, cash, "alice's claim exceeds the idle cash");
    pool.sender(alice)
        .withdraw(maxw, alice, alice)
        .motsu_unwrap();
    assert_eq!(pool.sender(alice).market().unwrap().cash, 0);
    assert_eq!(pool.sender(alice).max_withdraw(alice).unwrap(), 0);
}
