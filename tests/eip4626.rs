//! EIP-4626 "MUST"s at the edges: every `max*` answer succeeds when used.
//!
//! For random pool states (lenders of very different sizes, a dust holder
//! with shares worth nothing, borrows, interest, a lost market written off
//! against lenders and reserves, a pause) and every holder:
//! `redeem(maxRedeem)`, `withdraw(maxWithdraw)`, `deposit(maxDeposit)` (or a
//! large bounded amount) and `mint(maxMint)` (likewise) never revert, pay
//! exactly what the matching preview said, and one unit more than a max is
//! refused. A `max*` of 0 means nothing can be done: the smallest non-zero
//! call is then refused too.

mod common;

use alloy_primitives::{Address, U256};
use common::*;
use motsu::prelude::*;
use predmart_pool::{errors::Error, math::Rounding, LendingPool};
use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};

type TestResult = Result<(), TestCaseError>;

fn holders() -> [Address; 4] {
    [
        Address::with_last_byte(0x11),
        Address::with_last_byte(0x12),
        Address::with_last_byte(0x13),
        // Holds a single share unit (worth 0 assets at any share price <= 1e6).
        Address::with_last_byte(0x14),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    deposits: [u128; 3],
    /// Fraction (bps) of the cash borrowed.
    borrow_bps: u128,
    wait: u64,
    lost: bool,
    paused: bool,
    /// Use the exact `maxDeposit`/`maxMint` (huge) instead of a bounded amount.
    exact_max_entry: bool,
}

fn case() -> impl Strategy<Value = Case> {
    (
        [
            1u128..=1_000,
            1u128..=1_000_000_000,
            1u128..=10_000_000_000_000,
        ],
        0u128..=10_000,
        prop_oneof![Just(0u64), 1u64..100, 1_000u64..40_000_000],
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(deposits, borrow_bps, wait, lost, paused, exact_max_entry)| Case {
                deposits,
                borrow_bps,
                wait,
                lost,
                paused,
                exact_max_entry,
            },
        )
}

fn run(c: &Case) -> TestResult {
    let pool = Contract::<LendingPool>::new();
    let usdc = Contract::<MockUsdc>::new();
    let ctf = Contract::<MockCtf>::new();
    let wd = World::new(&pool, &usdc, &ctf);
    wd.set_cap(0);
    let h = holders();
    for (i, d) in c.deposits.iter().enumerate() {
        wd.lend(h[i], *d);
    }
    // The dust holder gets one share unit from the first lender.
    pool.sender(h[0])
        .transfer(h[3], U256::from(1))
        .motsu_unwrap();
    let borrower = Account::from_seed("borrower");
    let id = token();
    let cash = pool.sender(h[0]).market().unwrap().cash;
    let amount = cash * c.borrow_bps / 10_000;
    if amount >= UNIT {
        wd.collateral(borrower.address(), id, amount * 10);
        wd.borrow(&borrower, id, amount, cents(50)).unwrap();
    }
    advance(c.wait);
    if c.lost && amount >= UNIT {
        let ts = wd.now();
        let rsig = wd.resolution_sig(id, false, ts);
        pool.sender(h[1])
            .resolve_market(id, false, U256::from(ts), &rsig)
            .motsu_unwrap();
    }
    if c.paused {
        pool.sender(wd.admin).set_paused(true).motsu_unwrap();
    }

    for who in h {
        // redeem(maxRedeem)
        let max = pool.sender(who).max_redeem(who).unwrap();
        let bal = pool.sender(who).balance_of(who);
        prop_assert!(max <= bal);
        if max == 0 {
            if bal != 0 {
                let r = pool.sender(who).redeem(1, who, who).motsu_res();
                prop_assert!(r.is_err(), "maxRedeem 0 but redeem(1) succeeded");
            }
        } else {
            let preview = pool.sender(who).exit_assets_for(max).unwrap();
            let got = pool.sender(who).redeem(max, who, who).motsu_res();
            prop_assert_eq!(got, Ok(preview), "redeem(maxRedeem {}) of {}", max, who);
        }
        // withdraw(maxWithdraw)
        let max = pool.sender(who).max_withdraw(who).unwrap();
        if max != 0 {
            let preview = pool.sender(who).exit_shares_for(max).unwrap();
            let got = pool.sender(who).withdraw(max, who, who).motsu_res();
            prop_assert_eq!(got, Ok(preview), "withdraw(maxWithdraw {}) of {}", max, who);
        }
        let over = pool.sender(who).max_withdraw(who).unwrap() + 1;
        prop_assert_eq!(
            pool.sender(who).withdraw(over, who, who).motsu_res(),
            Err(Error::ExceedsMaxWithdraw)
        );
    }

    // deposit(maxDeposit) and mint(maxMint), for a fresh depositor.
    let newcomer = Address::with_last_byte(0x15);
    let max = pool.sender(newcomer).max_deposit(newcomer).unwrap();
    if c.paused {
        prop_assert_eq!(max, 0);
        prop_assert_eq!(pool.sender(newcomer).max_mint(newcomer).unwrap(), 0);
        wd.fund(newcomer, usd(1));
        prop_assert_eq!(
            pool.sender(newcomer).deposit(usd(1), newcomer).motsu_res(),
            Err(Error::ProtocolPaused)
        );
        return Ok(());
    }
    // The pool itself and the zero address are never valid receivers.
    prop_assert_eq!(pool.sender(newcomer).max_deposit(pool.address()), Ok(0));
    prop_assert_eq!(pool.sender(newcomer).max_mint(Address::ZERO), Ok(0));
    let assets = if c.exact_max_entry {
        max
    } else {
        max.min(usd(1_000_000_000))
    };
    wd.fund(newcomer, assets);
    let preview = pool
        .sender(newcomer)
        .shares_for(assets, Rounding::Down)
        .unwrap();
    let got = pool.sender(newcomer).deposit(assets, newcomer).motsu_res();
    prop_assert_eq!(
        got,
        Ok(preview),
        "deposit({}) with maxDeposit {}",
        assets,
        max
    );
    let max = pool.sender(newcomer).max_mint(newcomer).unwrap();
    let shares = if c.exact_max_entry {
        max
    } else {
        max.min(usd(1_000_000_000) * 1_000_000)
    };
    if shares != 0 {
        let cost = pool
            .sender(newcomer)
            .assets_for(shares, Rounding::Up)
            .unwrap();
        wd.fund(newcomer, cost);
        let got = pool.sender(newcomer).mint(shares, newcomer).motsu_res();
        prop_assert_eq!(got, Ok(cost), "mint({}) with maxMint {}", shares, max);
    }
    if c.exact_max_entry {
        // Even with the books full, every view and exit still works.
        let p = pool.sender(newcomer);
        let m = p.market().unwrap();
        assert!(m.cash.saturating_add(m.borrowed) <= predmart_pool::MAX_BOOKS);
        let max = p.max_redeem(newcomer).unwrap();
        drop(p);
        if max != 0 {
            let got = pool
                .sender(newcomer)
                .redeem(max, newcomer, newcomer)
                .motsu_res();
            prop_assert!(got.is_ok(), "redeem after the books filled: {:?}", got);
        }
    }
    Ok(())
}

#[motsu::test]
fn every_max_answer_succeeds_when_used() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    runner.run(&case(), |c| run(&c)).unwrap();
}

/// The reviewer's case: a holder of shares worth 0 assets is told
/// `maxRedeem = 0` (it used to be told 1,000 units and `redeem` reverted).
#[motsu::test]
fn shares_worth_nothing_have_max_redeem_zero(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
    dusty: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    wd.lend(alice, usd(100));
    pool.sender(alice)
        .transfer(dusty, U256::from(1_000))
        .motsu_unwrap();
    assert_eq!(pool.sender(dusty).assets_for(1_000, Rounding::Down), Ok(0));
    assert_eq!(pool.sender(dusty).max_redeem(dusty), Ok(0));
    assert_eq!(pool.sender(dusty).max_withdraw(dusty), Ok(0));
    let id = token();
    assert_fails!(
        wd,
        [alice, dusty],
        id,
        pool.sender(dusty).redeem(1_000, dusty, dusty),
        Error::ExceedsMaxWithdraw
    );
    // Once its shares are worth a unit, it may redeem them.
    pool.sender(alice)
        .transfer(dusty, U256::from(1_000_000))
        .motsu_unwrap();
    let max = pool.sender(dusty).max_redeem(dusty).unwrap();
    assert_eq!(max, 1_001_000);
    assert_eq!(
        pool.sender(dusty).redeem(max, dusty, dusty).motsu_res(),
        Ok(1)
    );
}
