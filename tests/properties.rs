//! Property tests: random sequences of lender, borrower and clock actions
//! against a fresh pool per case, with the books checked after every action.
//!
//! Actions: lender deposit / withdraw / redeem (2 lenders), a lender's deposit
//! immediately redeemed, collateral deposits, relayed borrows at a fixed or a
//! random oracle price, a borrow immediately repaid, partial and full repays
//! (own or a third party's), relayed and direct collateral withdrawals, and
//! time passing (seconds to months; up to a year in the high-utilization
//! run). Amounts are mostly fractions of what the pool's views say is
//! possible (`maxWithdraw`, `maxRedeem`, `maxBorrow`, the collateral that keeps
//! health factor >= 1), some above it, some raw dust. An action may fail only
//! with an error its inputs explain, a failed action must change nothing, and
//! nothing may panic. Each case ends with a wind-down: every debt repaid in
//! full, all collateral withdrawn, lenders redeem everything.
//!
//! After every action:
//! - (a) `market().borrowed` equals the positions' debts within rounding.
//!   Each debt is `ceil(s_i * (B + 1) / (S + 1e6))`, so with `V = S + 1e6` the
//!   sum satisfies `S * (B + 1) <= sum * V < S * (B + 1) + n * V` (n positions
//!   with debt): at most n units above `B`, and below `B` by less than the
//!   claim of the 1e6 virtual borrow shares, `1e6 * (B + 1) / V`. That claim
//!   exceeds one unit once the debt per share has more than doubled, so
//!   "sum >= borrowed" is NOT an invariant of the spec's virtual-share math.
//!   Borrow shares add up exactly; per-token debt matches its positions.
//! - (b) per token: the pool's CTF balance = `tokenCollateral` = the sum of
//!   positions' collateral.
//! - (c) the pool's USDC balance is exactly its tracked `cash` (no donations
//!   in these sequences): nothing leaves or arrives unbooked.
//! - (d) `totalAssets = cash + borrowed - reserves`; pUSDC supply = the
//!   lenders' balances; over a wait, reserves grow by 5% of the interest and
//!   interest stays within the 300% maximum rate.
//! - (e) a successful borrow or relayed withdrawal at price `p` leaves the
//!   position with health factor >= 1 at `p`.
//! - (f) the lenders' share price `(totalAssets + 1) / (supply + 1e6)`,
//!   compared exactly, never decreases, and neither does
//!   `assets_for(1e12 shares)`. Sole exception, by design of
//!   `Market::remove_debt`: burning the last borrow share zeroes `borrowed`,
//!   dropping the virtual shares' claim (interest nobody owes) from
//!   `totalAssets`; the drop must stay within that claim.
//! - (g) rounding never favours the actor: deposit-then-redeem returns at
//!   most the deposit; borrow-then-repay costs at least the loan.
//! - The views' promises: `withdraw(x <= maxWithdraw)`, `redeem(x <=
//!   maxRedeem)`, a borrow of 1 USDC..`maxBorrow`, and a withdrawal that keeps
//!   health factor >= 1 all succeed.
//!
//! Cases per test: `PROPTEST_CASES` (default 16; three tests, 48 cases).

mod common;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolEvent;
use common::*;
use motsu::prelude::*;
use predmart_pool::{errors::Error, interest::Market, math::Rounding, LendingPool};
use proptest::{
    prelude::*,
    test_runner::{Config, TestCaseError, TestRunner},
};

type TestResult<T = ()> = Result<T, TestCaseError>;

const N_BORROWERS: usize = 3;
const N_TOKENS: usize = 2;

fn lenders() -> [Address; 2] {
    [Address::with_last_byte(0x11), Address::with_last_byte(0x12)]
}

/// Pays others' debts.
fn payer() -> Address {
    Address::with_last_byte(0x33)
}

/// Receives withdrawn collateral and redeemed USDC.
fn sink() -> Address {
    Address::with_last_byte(0x44)
}

fn ids() -> [U256; N_TOKENS] {
    [U256::from(1), U256::from(2)]
}

fn borrower_accounts() -> Vec<Account> {
    (0..N_BORROWERS)
        .map(|i| Account::from_seed(&format!("borrower-{i}")))
        .collect()
}

// ---------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------

/// An amount relative to what the pool says is possible, or a raw one.
#[derive(Clone, Copy, Debug)]
enum Amt {
    /// Basis points of the relevant maximum (above 10,000 = too much).
    Frac(u16),
    /// Raw base units (mostly dust).
    Raw(u128),
}

impl Amt {
    fn of(self, max: u128) -> u128 {
        match self {
            Amt::Frac(bps) => {
                (U256::from(max) * U256::from(bps) / U256::from(10_000u32)).saturating_to()
            }
            Amt::Raw(x) => x,
        }
    }
}

/// Which position (borrower, token) an action is about: `sel` indexes the
/// positions where the action can make sense (with collateral, with debt,
/// ...) when `filtered`, else all of them (so failures are exercised too).
#[derive(Clone, Copy, Debug)]
struct Pick {
    sel: u8,
    filtered: bool,
}

fn pick() -> impl Strategy<Value = Pick> {
    (any::<u8>(), prop::bool::weighted(0.85)).prop_map(|(sel, filtered)| Pick { sel, filtered })
}

#[derive(Clone, Debug)]
enum Action {
    Deposit {
        lender: usize,
        assets: u128,
    },
    Withdraw {
        lender: usize,
        amt: Amt,
    },
    Redeem {
        lender: usize,
        amt: Amt,
    },
    DepositRedeem {
        lender: usize,
        assets: u128,
    },
    Collateral {
        pos: Pick,
        amount: u128,
    },
    Borrow {
        pos: Pick,
        amt: Amt,
        price: u128,
    },
    BorrowRepay {
        pos: Pick,
        amt: Amt,
        price: u128,
    },
    /// `Frac(>= 10_000)` repays with `u128::MAX` (everything).
    Repay {
        pos: Pick,
        amt: Amt,
        by_payer: bool,
    },
    WithdrawRelay {
        pos: Pick,
        amt: Amt,
        price: u128,
    },
    WithdrawDirect {
        pos: Pick,
        amt: Amt,
    },
    Wait {
        secs: u64,
    },
}

fn amt() -> impl Strategy<Value = Amt> {
    prop_oneof![
        8 => (0u16..=12_000).prop_map(Amt::Frac),
        1 => Just(Amt::Frac(10_000)),
        1 => (10_000u16..40_000).prop_map(Amt::Frac),
        2 => (0u128..5 * UNIT).prop_map(Amt::Raw),
    ]
}

fn assets() -> impl Strategy<Value = u128> {
    prop_oneof![1 => 0u128..1_000, 6 => UNIT..usd(200_000)]
}

fn collateral() -> impl Strategy<Value = u128> {
    prop_oneof![1 => 1u128..UNIT, 6 => UNIT..usd(300_000)]
}

fn action(price: BoxedStrategy<u128>, stress: bool) -> impl Strategy<Value = Action> {
    let longest = if stress { 365 * 86_400 } else { 90 * 86_400 };
    let wait_weight = if stress { 8 } else { 4 };
    let l = 0..2usize;
    prop_oneof![
        4 => (l.clone(), assets()).prop_map(|(lender, assets)| Action::Deposit { lender, assets }),
        2 => (l.clone(), amt()).prop_map(|(lender, amt)| Action::Withdraw { lender, amt }),
        2 => (l.clone(), amt()).prop_map(|(lender, amt)| Action::Redeem { lender, amt }),
        1 => (l, assets()).prop_map(|(lender, assets)| Action::DepositRedeem { lender, assets }),
        3 => (pick(), collateral()).prop_map(|(pos, amount)| Action::Collateral { pos, amount }),
        6 => (pick(), amt(), price.clone()).prop_map(|(pos, amt, price)| Action::Borrow { pos, amt, price }),
        1 => (pick(), amt(), price.clone()).prop_map(|(pos, amt, price)| Action::BorrowRepay { pos, amt, price }),
        4 => (pick(), amt(), any::<bool>()).prop_map(|(pos, amt, by_payer)| Action::Repay { pos, amt, by_payer }),
        3 => (pick(), amt(), price).prop_map(|(pos, amt, price)| Action::WithdrawRelay { pos, amt, price }),
        2 => (pick(), amt()).prop_map(|(pos, amt)| Action::WithdrawDirect { pos, amt }),
        wait_weight => prop_oneof![1u64..60, 60u64..86_400, 86_400u64..longest].prop_map(|secs| Action::Wait { secs }),
    ]
}

// ---------------------------------------------------------------------------
// Running a sequence
// ---------------------------------------------------------------------------

/// How often each kind of action ran and succeeded, over all cases.
#[derive(Default, Debug)]
struct Stats {
    ok: std::collections::BTreeMap<&'static str, (u32, u32)>,
    max_growth_bps: u128,
    max_util_pct: u128,
    /// Largest `borrowed - Σ debts` seen (the virtual borrow shares' part).
    max_shortfall: u128,
    /// Times the share price fell by the virtual shares' write-off, and the largest.
    write_offs: u32,
    max_write_off: u128,
    /// Relayed withdrawals that succeeded on a position with debt.
    withdrawals_with_debt: u32,
}

/// Debt owned by the 1e6 virtual borrow shares: `1e6 * (B + 1) / (S + 1e6)`,
/// rounded up (0 without borrow shares).
fn virtual_claim(m: &Market) -> u128 {
    if m.borrow_shares == 0 {
        return 0;
    }
    let v = U256::from(m.borrow_shares + 1_000_000);
    let num = U256::from(1_000_000u64) * U256::from(m.borrowed + 1);
    num.div_ceil(v).to()
}

impl Action {
    fn kind(&self) -> &'static str {
        match self {
            Action::Deposit { .. } => "deposit",
            Action::Withdraw { .. } => "withdraw",
            Action::Redeem { .. } => "redeem",
            Action::DepositRedeem { .. } => "deposit+redeem",
            Action::Collateral { .. } => "collateral",
            Action::Borrow { .. } => "borrow",
            Action::BorrowRepay { .. } => "borrow+repay",
            Action::Repay { .. } => "repay",
            Action::WithdrawRelay { .. } => "withdraw relay",
            Action::WithdrawDirect { .. } => "withdraw direct",
            Action::Wait { .. } => "wait",
        }
    }
}

struct Run<'a> {
    wd: World<'a>,
    stats: &'a std::cell::RefCell<Stats>,
    /// Whether the current action's state-changing call succeeded.
    succeeded: core::cell::Cell<bool>,
    borrowers: &'a [Account],
    /// Previous share price: `(totalAssets + 1, supply + 1e6)` and the probe.
    price: (u128, u128, u128),
    /// Previous totals.
    market: Market,
}

impl Run<'_> {
    /// Whether the pool's price-drop guard refuses `price` for `id` now
    /// (`guard::Guard::drops_too_far` on the stored guard).
    fn guard_refuses(&self, id: U256, price: u128) -> bool {
        let g = self.p().map_word(predmart_pool::store::m::GUARD, id);
        predmart_pool::guard::Guard::unpack(g).drops_too_far(price, self.wd.now())
    }
}

/// Fails the case unless `got` is one of the errors `allowed` names.
fn allowed(action: &Action, got: Error, allowed: &[Error]) -> TestResult {
    prop_assert!(
        allowed.contains(&got),
        "{action:?} failed with {got:?}, not one of {allowed:?}"
    );
    Ok(())
}

impl<'a> Run<'a> {
    fn p(&self) -> ContractCall<'_, LendingPool> {
        self.wd.pool.sender(self.wd.admin)
    }

    fn everyone(&self) -> Vec<Address> {
        let mut v = lenders().to_vec();
        v.extend(self.borrowers.iter().map(|b| b.address()));
        v.extend([payer(), sink()]);
        v
    }

    fn snapshot(&self) -> Vec<Snapshot> {
        let who = self.everyone();
        ids().iter().map(|id| self.wd.snapshot(&who, *id)).collect()
    }

    /// Runs `call`; on failure, checks that nothing changed.
    fn attempt<T, E: core::fmt::Debug>(
        &self,
        action: &Action,
        call: impl FnOnce() -> Result<T, E>,
    ) -> TestResult<Result<T, E>> {
        let before = self.snapshot();
        let r = call();
        self.succeeded.set(r.is_ok());
        if let Err(e) = &r {
            prop_assert_eq!(
                &self.snapshot(),
                &before,
                "{:?} failed with {:?} but changed state",
                action,
                e
            );
        }
        Ok(r)
    }

    fn share_price(&self) -> (u128, u128, u128) {
        let p = self.p();
        let ta = p.total_assets().unwrap();
        (
            ta + 1,
            p.total_supply() + 1_000_000,
            p.assets_for(1_000_000_000_000, Rounding::Down).unwrap(),
        )
    }

    fn health_at_least_one(
        &self,
        action: &Action,
        b: Address,
        id: U256,
        price: u128,
    ) -> TestResult {
        let hf = self.p().get_health_factor(b, id, price).unwrap();
        prop_assert!(
            hf >= w(WAD),
            "{action:?} succeeded but left health factor {hf} < 1 at {price}"
        );
        Ok(())
    }

    /// The position `pos` designates: among those where `fits(collateral,
    /// shares, debt)` when filtered and any fits, else among all.
    fn resolve(&self, pos: Pick, fits: impl Fn(u128, u128, u128) -> bool) -> (usize, U256) {
        let all = (0..N_BORROWERS)
            .flat_map(|b| ids().map(|id| (b, id)))
            .collect::<Vec<_>>();
        let fitting = all
            .iter()
            .copied()
            .filter(|(b, id)| {
                let (c, s, d) = self
                    .p()
                    .get_position(self.borrowers[*b].address(), *id)
                    .unwrap();
                fits(c, s, d)
            })
            .collect::<Vec<_>>();
        let from = if pos.filtered && !fitting.is_empty() {
            fitting
        } else {
            all
        };
        from[pos.sel as usize % from.len()]
    }

    /// The most collateral that can leave a position with `debt` while its
    /// health factor at `price` stays >= 1 (binary search on the risk curve).
    fn free_collateral(&self, c: u128, debt: u128, price: u128) -> u128 {
        let curve = self.p().curve();
        let healthy = |left: u128| {
            curve
                .health_factor(left, price, debt)
                .map(|hf| hf >= WAD)
                .unwrap_or(false)
        };
        if !healthy(c) {
            return 0;
        }
        // The smallest healthy collateral `hi`: with debt, 0 is never healthy.
        let (mut lo, mut hi) = (0u128, c);
        while lo + 1 < hi {
            let mid = lo + (hi - lo) / 2;
            if healthy(mid) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        c - hi
    }

    fn apply(&mut self, a: &Action) -> TestResult {
        let wd = &self.wd;
        let pool = wd.pool;
        match *a {
            Action::Deposit { lender, assets } => {
                let who = lenders()[lender];
                wd.fund(who, assets);
                let (bal, usdc) = (self.p().balance_of(who), wd.usdc_of(who));
                match self.attempt(a, || pool.sender(who).deposit(assets, who).motsu_res())? {
                    Ok(shares) => {
                        prop_assert_eq!(self.p().balance_of(who), bal + shares);
                        prop_assert_eq!(wd.usdc_of(who), usdc - assets);
                    }
                    Err(e) => allowed(a, e, &[Error::ZeroAmount])?,
                }
            }
            Action::Withdraw { lender, amt } => {
                let who = lenders()[lender];
                let max = self.p().max_withdraw(who).unwrap();
                let x = amt.of(max);
                let before = wd.usdc_of(sink());
                match self.attempt(a, || pool.sender(who).withdraw(x, sink(), who).motsu_res())? {
                    Ok(_) => prop_assert_eq!(wd.usdc_of(sink()), before + x),
                    Err(e) if x == 0 => allowed(a, e, &[Error::ZeroAmount])?,
                    Err(e) if x > max => allowed(a, e, &[Error::ExceedsMaxWithdraw])?,
                    Err(e) => {
                        prop_assert!(false, "withdraw({x}) <= maxWithdraw {max} failed: {e:?}")
                    }
                }
            }
            Action::Redeem { lender, amt } => {
                let who = lenders()[lender];
                let max = self.p().max_redeem(who).unwrap();
                let x = amt.of(max);
                let preview = self.p().assets_for(x, Rounding::Down).unwrap();
                match self.attempt(a, || pool.sender(who).redeem(x, sink(), who).motsu_res())? {
                    Ok(got) => prop_assert_eq!(got, preview, "redeem pays what previewRedeem said"),
                    Err(e) if x > max => allowed(a, e, &[Error::ExceedsMaxWithdraw])?,
                    // Shares worth less than one unit of USDC.
                    Err(e) if preview == 0 => allowed(a, e, &[Error::ZeroAmount])?,
                    Err(e) => prop_assert!(false, "redeem({x}) <= maxRedeem {max} failed: {e:?}"),
                }
            }
            Action::DepositRedeem { lender, assets } => {
                let who = lenders()[lender];
                wd.fund(who, assets);
                let shares =
                    match self.attempt(a, || pool.sender(who).deposit(assets, who).motsu_res())? {
                        Ok(s) => s,
                        Err(e) => return allowed(a, e, &[Error::ZeroAmount]),
                    };
                // (g) Redeeming exactly what was minted gives back at most the deposit.
                let back_preview = self.p().assets_for(shares, Rounding::Down).unwrap();
                prop_assert!(
                    back_preview <= assets,
                    "deposit {assets} is worth {back_preview} right after"
                );
                match self.attempt(a, || pool.sender(who).redeem(shares, who, who).motsu_res())? {
                    Ok(back) => prop_assert!(
                        back <= assets,
                        "deposit {} then redeem returned {}",
                        assets,
                        back
                    ),
                    Err(e) => allowed(a, e, &[Error::ExceedsMaxWithdraw, Error::ZeroAmount])?,
                }
            }
            Action::Collateral { pos, amount } => {
                let (b, id) = self.resolve(
                    Pick {
                        filtered: false,
                        ..pos
                    },
                    |_, _, _| true,
                );
                let who = self.borrowers[b].address();
                wd.ctf.sender(who).mint(who, id, w(amount)).motsu_unwrap();
                let c = self.p().get_position(who, id).unwrap().0;
                self.attempt(a, || {
                    wd.ctf
                        .sender(who)
                        .safe_transfer_from(
                            who,
                            pool.address(),
                            id,
                            w(amount),
                            stylus_sdk::abi::Bytes::from(vec![]),
                        )
                        .motsu_res()
                })?
                .map_err(|e| {
                    TestCaseError::fail(format!("{a:?}: collateral deposit failed: {e:?}"))
                })?;
                prop_assert_eq!(self.p().get_position(who, id).unwrap().0, c + amount);
            }
            Action::Borrow { pos, amt, price } => {
                let (b, id) = self.resolve(pos, |c, _, _| c != 0);
                self.borrow(a, b, id, amt, price)?;
            }
            Action::BorrowRepay { pos, amt, price } => {
                let (b, id) = self.resolve(pos, |c, s, _| c != 0 && s == 0);
                let acct = &self.borrowers[b];
                if self.p().get_position(acct.address(), id).unwrap().1 != 0 {
                    return Ok(()); // only for a position without debt
                }
                if let Some(amount) = self.borrow(a, b, id, amt, price)? {
                    let who = acct.address();
                    let debt = self.p().get_position(who, id).unwrap().2;
                    prop_assert!(debt >= amount, "borrowed {amount}, owes only {debt}");
                    wd.fund(who, debt);
                    let paid = self
                        .attempt(a, || {
                            pool.sender(who).repay_for(who, id, u128::MAX).motsu_res()
                        })?
                        .map_err(|e| {
                            TestCaseError::fail(format!("{a:?}: full repay failed: {e:?}"))
                        })?;
                    // (g) A loan repaid at once costs at least what was lent.
                    prop_assert!(paid >= amount, "borrowed {amount}, repaid only {paid}");
                    let (_, s, d) = self.p().get_position(who, id).unwrap();
                    prop_assert_eq!((s, d), (0, 0), "a full repay clears the debt");
                }
            }
            Action::Repay { pos, amt, by_payer } => {
                let (b, id) = self.resolve(pos, |_, s, _| s != 0);
                let who = self.borrowers[b].address();
                let from = if by_payer { payer() } else { who };
                let (c, _, debt) = self.p().get_position(who, id).unwrap();
                let x = match amt {
                    Amt::Frac(bps) if bps >= 10_000 => u128::MAX,
                    _ => amt.of(debt),
                };
                let due = x.min(debt);
                wd.fund(from, due);
                let before = wd.usdc_of(from);
                match self.attempt(a, || pool.sender(from).repay_for(who, id, x).motsu_res())? {
                    Ok(paid) => {
                        prop_assert_eq!(paid, due, "repaid {} of {} asked, debt {}", paid, x, debt);
                        prop_assert_eq!(wd.usdc_of(from), before - paid);
                        let (c2, s2, d2) = self.p().get_position(who, id).unwrap();
                        prop_assert_eq!(c2, c);
                        if paid == debt {
                            prop_assert_eq!(
                                (s2, d2),
                                (0, 0),
                                "full repay clears the position's debt"
                            );
                        } else {
                            prop_assert!(
                                d2 <= debt - paid + 1,
                                "debt {} - paid {} left {}",
                                debt,
                                paid,
                                d2
                            );
                            prop_assert!(
                                d2 + 1 >= debt - paid,
                                "debt {} - paid {} left only {}",
                                debt,
                                paid,
                                d2
                            );
                        }
                    }
                    Err(e) if debt == 0 => allowed(a, e, &[Error::NoPosition])?,
                    // Someone else's partial repayment may not take a
                    // position across the auction threshold.
                    Err(Error::AuctionRequired)
                        if by_payer
                            && due < debt
                            && predmart_pool::auction::needs_auction(debt)
                            && !predmart_pool::auction::needs_auction(debt - due) => {}
                    // Zero, or too little to burn one borrow share.
                    Err(e) => allowed(a, e, &[Error::ZeroAmount])?,
                }
            }
            Action::WithdrawRelay { pos, amt, price } => {
                // Mostly positions with debt (where the health check matters).
                let (b, id) = self.resolve(pos, |c, s, _| c != 0 && (s != 0 || pos.sel % 4 == 0));
                let acct = &self.borrowers[b];
                let who = acct.address();
                let (c, _, debt) = self.p().get_position(who, id).unwrap();
                // Amounts around what can leave with health factor >= 1.
                let free = if debt == 0 {
                    c
                } else {
                    self.free_collateral(c, debt, price)
                };
                let x = amt.of(free);
                let before = wd.ctf_of(sink(), id);
                match self.attempt(a, || wd.withdraw_collateral(acct, sink(), id, x, price))? {
                    Ok(()) => {
                        prop_assert_eq!(wd.ctf_of(sink(), id), before + x);
                        if debt != 0 {
                            self.health_at_least_one(a, who, id, price)?;
                            self.stats.borrow_mut().withdrawals_with_debt += 1;
                        }
                    }
                    // A crash from the token's 3-minute high refuses a
                    // withdrawal with debt, exactly when the guard says so.
                    Err(Error::PriceDropGuard) if debt != 0 && self.guard_refuses(id, price) => {}
                    Err(e) if x == 0 => allowed(a, e, &[Error::ZeroAmount])?,
                    Err(e) if x > c => allowed(a, e, &[Error::InsufficientCollateral])?,
                    Err(e) if x > free => allowed(a, e, &[Error::HealthFactorTooLow])?,
                    Err(e) => prop_assert!(
                        false,
                        "{:?}: withdrawal of {} of {} (free {}) failed: {:?}",
                        a,
                        x,
                        c,
                        free,
                        e
                    ),
                }
            }
            Action::WithdrawDirect { pos, amt } => {
                let (b, id) = self.resolve(pos, |c, s, _| c != 0 && s == 0);
                let who = self.borrowers[b].address();
                let (c, _, debt) = self.p().get_position(who, id).unwrap();
                let x = amt.of(c);
                let before = wd.ctf_of(who, id);
                match self.attempt(a, || {
                    pool.sender(who).withdraw_collateral(id, x, who).motsu_res()
                })? {
                    Ok(()) => {
                        prop_assert_eq!(debt, 0, "direct withdrawal with debt {}", debt);
                        prop_assert_eq!(wd.ctf_of(who, id), before + x);
                    }
                    Err(e) if debt != 0 => allowed(a, e, &[Error::PositionHasDebt])?,
                    Err(e) => allowed(a, e, &[Error::ZeroAmount, Error::InsufficientCollateral])?,
                }
            }
            Action::Wait { secs } => {
                // Only interest changes: reserves take 5% of it (each
                // accrual rounds the fee down once, so within one unit).
                let m0 = self.p().market().unwrap();
                advance(secs);
                let m1 = self.p().market().unwrap();
                prop_assert_eq!((m1.cash, m1.borrow_shares), (m0.cash, m0.borrow_shares));
                let (interest, fee) = (m1.borrowed - m0.borrowed, m1.reserves - m0.reserves);
                let expect = interest / 20;
                prop_assert!(
                    fee + 1 >= expect && fee <= expect + 1,
                    "{:?}: interest {}, reserve fee {} (5% = {})",
                    a,
                    interest,
                    fee,
                    expect
                );
                // And no more than the 300% maximum rate allows (the stored
                // debt the view accrues from is at most `m0.borrowed`).
                let cap = U256::from(3 * m0.borrowed + 1) * U256::from(secs)
                    / U256::from(31_557_600u64)
                    + U256::from(2);
                prop_assert!(
                    U256::from(interest) <= cap,
                    "{:?}: debt grew from {} to {}",
                    a,
                    m0.borrowed,
                    m1.borrowed
                );
            }
        }
        Ok(())
    }

    /// A relayed borrow of `amt` of the `maxBorrow` view at `price`; returns
    /// the amount if it succeeded.
    fn borrow(
        &self,
        a: &Action,
        b: usize,
        id: U256,
        amt: Amt,
        price: u128,
    ) -> TestResult<Option<u128>> {
        let acct = &self.borrowers[b];
        let who = acct.address();
        let view = self.p().max_borrow(who, id, price).unwrap();
        let x = amt.of(view);
        let usdc = self.wd.usdc_of(who);
        match self.attempt(a, || self.wd.borrow(acct, id, x, price))? {
            Ok(()) => {
                prop_assert_eq!(self.wd.usdc_of(who), usdc + x, "the borrower gets the USDC");
                self.health_at_least_one(a, who, id, price)?;
                Ok(Some(x))
            }
            // A crash from the token's 3-minute high refuses a borrow,
            // exactly when the guard says so.
            Err(Error::PriceDropGuard) if self.guard_refuses(id, price) => Ok(None),
            Err(e) => {
                // Within the view (haircut, cap, cash applied) and >= 1 USDC it must work.
                prop_assert!(
                    x < UNIT || x > view,
                    "{:?}: borrow of {} <= maxBorrow {} failed: {:?}",
                    a,
                    x,
                    view,
                    e
                );
                allowed(
                    a,
                    e,
                    &[
                        Error::NoPosition,
                        Error::BorrowTooSmall,
                        Error::ExceedsLtv,
                        Error::ExceedsTokenCap,
                        Error::InsufficientLiquidity,
                    ],
                )?;
                Ok(None)
            }
        }
    }

    /// The invariants (a)-(d) and (f), after `a` (`None`: at the start).
    fn check(&mut self, a: Option<&Action>) -> TestResult {
        let wd = &self.wd;
        let p = self.p();
        let m = p.market().unwrap();
        let who = self
            .borrowers
            .iter()
            .map(|b| b.address())
            .collect::<Vec<_>>();

        // (a) debts add up to `borrowed`, within rounding.
        let (mut sum_debt, mut sum_shares, mut n) = (0u128, 0u128, 0u128);
        for id in ids() {
            let (mut tshares, mut tdebt, mut tn) = (0u128, 0u128, 0u128);
            for b in &who {
                let (_, s, d) = p.get_position(*b, id).unwrap();
                tshares += s;
                tdebt += d;
                tn += (s != 0) as u128;
            }
            let token_debt = p.token_debt(id).unwrap();
            prop_assert!(
                token_debt <= tdebt && tdebt <= token_debt + tn,
                "after {:?}: token {} debt {} vs positions' {} ({} positions)",
                a,
                id,
                token_debt,
                tdebt,
                tn
            );
            sum_debt += tdebt;
            sum_shares += tshares;
            n += tn;
        }
        prop_assert_eq!(
            sum_shares,
            m.borrow_shares,
            "after {:?}: borrow shares do not add up",
            a
        );
        {
            let mut st = self.stats.borrow_mut();
            if m.borrow_shares != 0 {
                let g = (m.borrowed + 1) * 1_000_000 * 10_000 / (m.borrow_shares + 1_000_000);
                st.max_growth_bps = st.max_growth_bps.max(g);
            }
            st.max_util_pct = st
                .max_util_pct
                .max(m.borrowed * 100 / m.total_assets().max(1));
        }
        if m.borrow_shares == 0 {
            prop_assert_eq!(m.borrowed, 0, "after {:?}: debt without borrow shares", a);
        }
        // sum = Σ ceil(s_i * (B + 1) / (S + 1e6)): see `debts_add_up`.
        prop_assert!(
            debts_add_up(&m, sum_debt, n),
            "after {:?}: positions owe {} but the pool books {} ({} shares, {} positions)",
            a,
            sum_debt,
            m.borrowed,
            m.borrow_shares,
            n
        );
        // In words: at most one unit per position above `borrowed`, and below
        // it by less than the virtual borrow shares' claim (which exceeds one
        // unit once the debt per share has more than doubled).
        let claim = virtual_claim(&m);
        prop_assert!(
            sum_debt <= m.borrowed + n && sum_debt + claim >= m.borrowed,
            "after {:?}: positions owe {} but the pool books {} ({} positions, virtual claim {})",
            a,
            sum_debt,
            m.borrowed,
            n,
            claim
        );
        {
            let mut st = self.stats.borrow_mut();
            st.max_shortfall = st.max_shortfall.max(m.borrowed.saturating_sub(sum_debt));
        }

        // (b) collateral: CTF held = booked per token = sum of positions.
        for id in ids() {
            let held = wd.ctf_of(wd.pool.address(), id);
            let booked = p.token_collateral(id);
            let sum: u128 = who.iter().map(|b| p.get_position(*b, id).unwrap().0).sum();
            prop_assert!(
                held == booked && booked == sum,
                "after {a:?}: token {id}: held {held}, booked {booked}, positions {sum}"
            );
        }

        // (c) USDC held is exactly the tracked cash.
        let held = wd.usdc_of(wd.pool.address());
        prop_assert_eq!(
            held,
            m.cash,
            "after {:?}: pool holds {} USDC, books {} cash",
            a,
            held,
            m.cash
        );

        // (d) totalAssets and supply.
        prop_assert_eq!(
            p.total_assets().unwrap(),
            m.cash + m.borrowed - m.reserves,
            "after {:?}",
            a
        );
        let balances: u128 = lenders().iter().map(|l| p.balance_of(*l)).sum();
        prop_assert_eq!(
            p.total_supply(),
            balances,
            "after {:?}: supply vs balances",
            a
        );

        // (f) the share price never falls, compared exactly as the ratio
        // (totalAssets + 1) / (supply + 1e6). One exception: when the last
        // borrow share is burned, `borrowed` drops to 0 and the virtual
        // shares' claim (interest on debt nobody owes) leaves totalAssets
        // (`Market::remove_debt`); it may cost lenders at most that claim.
        drop(p);
        let (ta, supply, probe) = self.share_price();
        let (ta0, supply0, probe0) = self.price;
        let prev = self.market;
        let write_off = if prev.borrow_shares != 0 && m.borrow_shares == 0 {
            virtual_claim(&prev)
        } else {
            0
        };
        prop_assert!(
            U256::from(ta + write_off) * U256::from(supply0) >= U256::from(ta0) * U256::from(supply),
            "after {:?}: share price fell from {}/{} to {}/{} (virtual-share write-off allowed: {})",
            a,
            ta0,
            supply0,
            ta,
            supply,
            write_off
        );
        if write_off == 0 {
            prop_assert!(
                probe >= probe0,
                "after {a:?}: 1e12 pUSDC worth {probe}, was {probe0}"
            );
        } else if U256::from(ta) * U256::from(supply0) < U256::from(ta0) * U256::from(supply) {
            // The write-off is announced: BadDebtAbsorbed(0x0, 0, dust) with
            // the dust the pool dropped (within the virtual shares' claim).
            let announced = self.wd.pool.all_events().iter().rev().find_map(|log| {
                let e = predmart_pool::events::BadDebtAbsorbed::decode_log_data(log, true).ok()?;
                (e.borrower == Address::ZERO && e.tokenId == U256::ZERO)
                    .then(|| e.amount.to::<u128>())
            });
            prop_assert!(
                matches!(announced, Some(d) if d > 0 && d <= write_off),
                "after {:?}: virtual-share write-off not announced ({:?}, claim {})",
                a,
                announced,
                write_off
            );
            let mut st = self.stats.borrow_mut();
            st.write_offs += 1;
            st.max_write_off = st.max_write_off.max(write_off);
        }
        self.price = (ta, supply, probe);
        self.market = m;
        Ok(())
    }
}

/// One case: a fresh pool (pool cap 5%, or none), then `actions`.
fn run_case(
    borrowers: &[Account],
    stats: &std::cell::RefCell<Stats>,
    cap_off: bool,
    actions: &[Action],
) -> TestResult {
    let pool = Contract::<LendingPool>::new();
    let usdc = Contract::<MockUsdc>::new();
    let ctf = Contract::<MockCtf>::new();
    let wd = World::new(&pool, &usdc, &ctf);
    if cap_off {
        wd.set_cap(0);
    }
    let mut run = Run {
        wd,
        stats,
        succeeded: false.into(),
        borrowers,
        price: (0, 0, 0),
        market: Market::default(),
    };
    run.price = run.share_price();
    run.check(None)?;
    for a in actions {
        run.succeeded.set(matches!(a, Action::Wait { .. }));
        run.apply(a)?;
        let mut st = stats.borrow_mut();
        let e = st.ok.entry(a.kind()).or_default();
        e.0 += 1;
        e.1 += run.succeeded.get() as u32;
        drop(st);
        run.check(Some(a))?;
    }

    // Wind-down: every debt repaid in full (by a third party), all
    // collateral withdrawn directly, every lender redeems all it can. Each
    // step is checked like any action; then everyone must be out.
    let n = (N_BORROWERS * N_TOKENS) as u8;
    let mut wind_down = (0..n)
        .map(|sel| Action::Repay {
            pos: Pick {
                sel,
                filtered: false,
            },
            amt: Amt::Frac(10_000),
            by_payer: true,
        })
        .collect::<Vec<_>>();
    wind_down.extend((0..n).map(|sel| Action::WithdrawDirect {
        pos: Pick {
            sel,
            filtered: false,
        },
        amt: Amt::Frac(10_000),
    }));
    // Twice: one lender's exit rounds in the others' favour and can lift a
    // dust balance from worth 0 to worth 1 unit.
    wind_down.extend((0..4).map(|i| Action::Redeem {
        lender: i % 2,
        amt: Amt::Frac(10_000),
    }));
    for a in &wind_down {
        run.apply(a)?;
        run.check(Some(a))?;
    }
    let p = run.p();
    let m = p.market().unwrap();
    prop_assert_eq!(
        (m.borrowed, m.borrow_shares),
        (0, 0),
        "debt left after everyone repaid"
    );
    for id in ids() {
        prop_assert_eq!(
            p.token_collateral(id),
            0,
            "collateral left after everyone withdrew"
        );
        prop_assert_eq!(p.token_debt(id).unwrap(), 0);
    }
    for l in lenders() {
        let left = p.balance_of(l);
        let worth = p.assets_for(left, Rounding::Down).unwrap();
        prop_assert!(
            worth <= 1,
            "lender {} could not redeem {} pUSDC worth {}",
            l,
            left,
            worth
        );
    }
    // Lenders took at most their claim: the protocol's reserves are still there.
    prop_assert!(
        m.cash >= m.reserves,
        "cash {} below reserves {} after everyone left",
        m.cash,
        m.reserves
    );
    Ok(())
}

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(16);
    Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 1_000,
        ..Config::default()
    }
}

/// Runs random sequences; `stress`: little liquidity, much collateral, no
/// pool cap and long waits, so utilization and interest run high.
/// The three sequence tests run one at a time: each is long and busy, and
/// motsu's shared storage map gives up ("storage is locked") when a slow
/// (e.g. coverage-instrumented) neighbour holds its shard too long.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn check_sequences(price: BoxedStrategy<u128>, stress: bool) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let borrowers = borrower_accounts();
    // Most cases start with some liquidity and some collateral (checked like
    // any action), then up to 40 random actions.
    let (liquidity, collateral, cap_off) = if stress {
        (
            (usd(100)..usd(20_000)).prop_map(Some).boxed(),
            proptest::collection::vec(
                proptest::option::weighted(0.8, (usd(20_000)..usd(300_000)).boxed()),
                N_BORROWERS * N_TOKENS,
            ),
            Just(true).boxed(),
        )
    } else {
        (
            proptest::option::weighted(0.8, usd(1_000)..usd(300_000)).boxed(),
            proptest::collection::vec(
                proptest::option::weighted(0.6, collateral().boxed()),
                N_BORROWERS * N_TOKENS,
            ),
            any::<bool>().boxed(),
        )
    };
    let strategy = (
        liquidity,
        collateral,
        cap_off,
        proptest::collection::vec(action(price, stress), 1..=40),
    );
    let stats = std::cell::RefCell::new(Stats::default());
    let config = config();
    let mut runner = TestRunner::new(config.clone());
    let result = runner.run(&strategy, |(liquidity, collateral, cap_off, actions)| {
        let mut all = Vec::new();
        all.extend(liquidity.map(|assets| Action::Deposit { lender: 0, assets }));
        for (i, c) in collateral.into_iter().enumerate() {
            all.extend(c.map(|amount| Action::Collateral {
                pos: Pick {
                    sel: i as u8,
                    filtered: false,
                },
                amount,
            }));
        }
        all.extend(actions);
        if stress {
            // Two more years before the wind-down: debt per borrow share
            // grows well past 2x wherever utilization is still high.
            all.push(Action::Wait {
                secs: 2 * 31_557_600,
            });
        }
        run_case(&borrowers, &stats, cap_off, &all)
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let stats = stats.into_inner();
    eprintln!("{stats:?}");
    // The generators must keep reaching the interesting paths: every kind of
    // action succeeded at least once (with enough cases to expect it).
    if config.cases >= 16 {
        for (kind, (ran, ok)) in &stats.ok {
            assert!(
                *ok > 0,
                "no {kind} succeeded in {ran} attempts: the generators no longer reach it"
            );
        }
        assert_eq!(
            stats.ok.len(),
            11,
            "every kind of action was generated: {stats:?}"
        );
    }
}

/// Every borrow and withdrawal signed at $0.60.
#[motsu::test]
fn sequences_at_a_fixed_price_keep_the_books() {
    check_sequences(Just(cents(60)).boxed(), false);
}

/// Each borrow and withdrawal at its own oracle price in (0, 1).
#[motsu::test]
fn sequences_at_random_prices_keep_the_books() {
    check_sequences((PCT / 2..100 * PCT - 1).boxed(), false);
}

/// High utilization and months to a year between actions: debt per borrow
/// share grows several times, where rounding and the virtual shares matter.
#[motsu::test]
fn sequences_under_high_utilization_keep_the_books() {
    check_sequences((20 * PCT..95 * PCT).boxed(), true);
}
