//! The stateful invariant campaign: long random sequences of every user and
//! admin action against one pool, with the whole book checked after each.
//!
//! Actors: three lenders, a pUSDC operator (spends lenders' allowances), three
//! borrowers, a liquidator, a donor and the admin; three open markets at a
//! time, each a real CTF position id (`getPositionId(usdc,
//! getCollectionId(0, condition, 1))`), so a resolved market can be redeemed
//! through the CTF; a resolved market is replaced by a fresh one.
//!
//! Actions: lender deposit / mint / withdraw / redeem (own or through the
//! operator's allowance) / pUSDC transfer; collateral push (single and batch,
//! with and without a beneficiary in `data`); relayed borrow; repay and
//! repayFor; relayed and direct collateral withdrawal; liquidation; oracle
//! price moves (drifts, crashes, recoveries); time passing; pause / unpause;
//! freeze / unfreeze; market resolution (won or lost); close of a lost
//! position; redemption of a won market and settlement; USDC donations and
//! their sweep; reserve withdrawals. Jump-risk defences: the oracle's market
//! schedule (`scheduleMarket`: an end far off, within the 7-day closing
//! window, already past, cleared with 0, clamped; or a stale, future,
//! replayed or forged message, refused with its exact error); crashes that
//! trip the price-drop guard (a borrow or relayed withdrawal at a price more
//! than 35% and $0.08 below the 3-minute high); `startAuction` by anyone at a
//! fresh price (large unhealthy positions, healthy ones, small ones, resolved
//! markets). Lenders are large enough (and borrows reach far enough) that
//! positions of at least `AUCTION_MIN_DEBT` occur. Amounts are mostly
//! fractions of what the views say is possible, some beyond it, some dust, so
//! failures are exercised too.
//!
//! After every action:
//! 1. a failed action failed with an error its situation explains and changed
//!    nothing (balances, positions, nonces, totals, price timestamps, end
//!    times, schedule timestamps, drop guards, auctions); `MarketClosing`
//!    only inside a closing window (`schedule::is_closing`), `PriceDropGuard`
//!    only when the test's own model of the guard (`guard::Guard`, fed with
//!    every accepted price) says the price dropped too far, and then exactly
//!    those errors (after pause / freeze); liquidations and repayments are
//!    never refused by either;
//! 2. `totalAssets == cash + totalBorrowAssets - reserves`, and the pool's
//!    USDC balance is exactly `cash + Σ unsettled redemption USDC + unswept
//!    donations`: no USDC arrives or leaves unbooked;
//! 3. borrow shares add up exactly; the positions' debts add up to
//!    `totalBorrowAssets` within the virtual-share rounding bound; per
//!    token, the pool's CTF balance + redeemed-but-unsettled shares = the
//!    token's booked collateral = the sum of its positions' collateral
//!    (a lost market's worthless shares stay in the pool until swept by
//!    nobody: held >= booked there);
//! 4. pUSDC supply = the sum of all balances; the lenders' claims add up to
//!    at most `totalAssets`;
//! 5. the share price `(totalAssets + 1) / (supply + 1e6)` never decreases,
//!    except by the lenders' part of what the action wrote off:
//!    `BadDebtAbsorbed` less `ReservesAbsorbed` (reserves take losses first);
//! 6. rounding is against the actor: deposit/mint give shares worth at most
//!    what was paid, withdraw/redeem burn shares worth at least what was
//!    paid out, a borrow adds at least its amount to the debt, a repay
//!    removes at most what was paid, a liquidator gets at most the bonus
//!    (the direct 5%, or the running auction's, up to 10%);
//! 7. everyone can exit: each lender's `maxWithdraw` is its claim capped by
//!    cash, and any `withdraw` up to it succeeds (paused or not); a debt-free
//!    position on a market that is not frozen or redeemed can withdraw all of
//!    its collateral directly; any debt can be repaid in full; an unhealthy
//!    position can always be liquidated at a fresh price: directly, or (debt
//!    of at least `AUCTION_MIN_DEBT`, refused with `AuctionRequired`) after
//!    `startAuction` at that price;
//! 8. splitting never pays, with auctions too: the liquidator sometimes
//!    splits (2 to 5 calls in one second at one price, tiny, partial or whole
//!    amounts); no call writes anything off a position that was above water
//!    at that price, and a position left open by a bite is still above water
//!    there; every liquidation is exactly `liquidation::liquidate_with` with
//!    the token's decayed threshold at that second (`Curve::at(now,
//!    endTime)`, no decay once resolved) and `auction::terms`;
//! 9. a passing deposit (nine times the pool, by a lender who also
//!    borrows) lifts neither the cap nor what a borrow may take;
//! 10. a price signed before a resolution is refused after it; accrual in
//!     bursts of one second books what one accrual would, up to compounding;
//!     a lender may exit right after a redemption (3b keeps the receivable
//!     at what the proceeds can repay);
//! 11. jump risk: the pool's drop guard of every token equals the model's;
//!     `marketEndTime` is the last accepted schedule's (clamped) end, and a
//!     closing market's `maxBorrow` is 0; the health-factor view applies the
//!     decay at the current time; `startAuction` does exactly what
//!     `auction::start` says; an auction runs only on a position with debt
//!     on an open or won market, is never restarted, and ends once a
//!     liquidation, borrow or withdrawal leaves the position closed or
//!     healthy at its price.
//!
//! Each run ends with a wind-down (unpause, unfreeze, repay every debt,
//! settle or close every resolved position, withdraw all collateral, every
//! lender redeems) after which the pool holds only the reserves.
//!
//! `INVARIANT_ACTIONS` sets the total number of actions (default 10,000,
//! split into runs of `INVARIANT_RUN` actions, default 1,000, each on a fresh
//! pool with its own seed); `INVARIANT_SEED` replays one run. A failure
//! prints the seed, the action number and the last actions.

mod common;

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolEvent;
use common::*;
use motsu::prelude::*;
use predmart_pool::{
    auction,
    errors::Error,
    events::{BadDebtAbsorbed, ReservesAbsorbed},
    guard::{self, Guard},
    interest::Market,
    liquidation,
    math::Rounding,
    resolution::status,
    risk::Curve,
    schedule, signatures as sig,
    store::m as fields,
    LendingPool,
};
use stylus_sdk::abi::Bytes;

const N_LENDERS: usize = 3;
const N_BORROWERS: usize = 3;
const N_OPEN: usize = 3;
/// What may stay in the pool beyond the reserves once everyone has left
/// (base units): rounding remainders of the lenders' last redemptions.
const LEFTOVER_DUST: u128 = 10;

fn lender(i: usize) -> Address {
    Address::with_last_byte(0x10 + i as u8)
}
fn operator() -> Address {
    Address::with_last_byte(0x20)
}
fn liquidator() -> Address {
    Address::with_last_byte(0x30)
}
fn donor() -> Address {
    Address::with_last_byte(0x31)
}
fn sink() -> Address {
    Address::with_last_byte(0x44)
}

/// A small deterministic generator (SplitMix64): runs replay from a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    /// Mostly a fraction of `max` (sometimes all of it or beyond), else dust.
    fn amount(&mut self, max: u128) -> u128 {
        match self.below(20) {
            0..=11 => max * self.below(10_001) as u128 / 10_000,
            12..=14 => max,
            15..=16 => max + 1 + self.below(UNIT as u64) as u128,
            _ => self.below(3 * UNIT as u64) as u128,
        }
    }
    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len() as u64) as usize]
    }
}

/// A market: a CTF position whose condition the test can resolve.
#[derive(Clone, Copy, Debug)]
struct Mkt {
    id: U256,
    condition: B256,
    /// The oracle's current price (what it signs).
    price: u128,
}

struct Campaign<'a> {
    wd: World<'a>,
    rng: Rng,
    borrowers: &'a [Account],
    open: Vec<Mkt>,
    /// Resolved markets that still have positions or unsettled proceeds.
    resolved: Vec<Mkt>,
    next_condition: u64,
    /// USDC sent to the pool by transfer (not booked; sweepable).
    donated: u128,
    /// Unsettled redemption USDC of markets no longer tracked (rounding dust
    /// left after every position settled).
    retired_unsettled: u128,
    /// Share price after the previous action: (totalAssets + 1, supply + 1e6).
    price: (u128, u128),
    /// Known limitation (THREAT_MODEL, `last_lender_out_before_a_settlement_strands_the_receivable`):
    /// lender value with no lender to own it. The 10^6 virtual shares own
    /// `totalAssets * 1e6 / (supply + 1e6)` of the lenders' assets (cash,
    /// debt and receivable less reserves): nothing worth counting while
    /// lenders hold real amounts, all of it once the last lender left with
    /// a receivable still unsettled (exits exclude it). The largest such
    /// part after any action bounds what the wind-down may find unowned.
    orphaned: u128,
    events_seen: usize,
    trace: Vec<String>,
    /// (attempted, succeeded, skipped for want of a candidate) per kind.
    stats: BTreeMap<&'static str, (u32, u32, u32)>,
    /// Set by an action that found nothing to act on.
    skipped: bool,
    /// The test's model of each token's price-drop guard, fed with every
    /// price the pool accepted (borrow, withdrawal with debt, liquidation,
    /// startAuction) at the time it accepted it.
    guards: BTreeMap<U256, Guard>,
    /// Timestamp of each token's last accepted schedule.
    schedule_ts: BTreeMap<U256, u64>,
    /// Jump-risk events seen (large positions, refusals, auctions), for
    /// the statistics.
    seen: BTreeMap<&'static str, u32>,
}

/// What an action did, for the statistics.
type Outcome = Result<(), Error>;

impl<'a> Campaign<'a> {
    fn p(&self) -> ContractCall<'_, LendingPool> {
        self.wd.pool.sender(self.wd.admin)
    }

    fn everyone(&self) -> Vec<Address> {
        let mut v: Vec<Address> = (0..N_LENDERS).map(lender).collect();
        v.extend(self.borrowers.iter().map(|b| b.address()));
        v.extend([operator(), liquidator(), donor(), sink(), self.wd.admin]);
        v
    }

    fn markets(&self) -> Vec<Mkt> {
        self.open.iter().chain(&self.resolved).copied().collect()
    }

    fn new_market(&mut self) -> Mkt {
        self.next_condition += 1;
        let condition = B256::from(U256::from(self.next_condition));
        let id = position_id(
            self.wd.usdc.address(),
            collection_id(B256::ZERO, condition, U256::from(1)),
        );
        Mkt {
            id,
            condition,
            price: cents(30 + self.rng.below(50) as u128),
        }
    }

    fn fail(&self, msg: String) -> ! {
        let last = self.trace.iter().rev().take(25).rev().cloned();
        panic!(
            "{msg}\n  seed {} (replay: INVARIANT_SEED={} INVARIANT_ACTIONS=<n>)\n  last actions:\n    {}",
            self.trace.first().cloned().unwrap_or_default(),
            self.trace.first().cloned().unwrap_or_default(),
            last.collect::<Vec<_>>().join("\n    ")
        );
    }

    fn ensure(&self, ok: bool, msg: impl FnOnce() -> String) {
        if !ok {
            self.fail(msg());
        }
    }

    /// Everything a failed action must leave as it was: what
    /// `World::snapshot` compares, with each account's balances and nonce
    /// read once rather than once per market, and per market each token's
    /// drop guard and schedule timestamp too.
    #[allow(clippy::type_complexity)]
    fn snapshot(
        &self,
    ) -> (
        Snapshot,
        Vec<(Vec<((u128, u128, u128), u128, u64)>, [U256; 5])>,
    ) {
        let who = self.everyone();
        let p = self.p();
        let pool = self.wd.pool.address();
        let m = p.market().unwrap();
        let global = Snapshot {
            market: (m.cash, m.borrowed, m.borrow_shares, m.reserves),
            supply: p.total_supply(),
            per_account: who
                .iter()
                .map(|a| {
                    (
                        p.balance_of(*a),
                        p.nonces(*a),
                        (0, 0, 0),
                        self.wd.usdc_of(*a),
                        0,
                        0,
                    )
                })
                .collect(),
            pool_usdc: self.wd.usdc_of(pool),
            pool_ctf: 0,
            token: (0, 0, 0, 0),
        };
        let per_market = self
            .markets()
            .iter()
            .map(|k| {
                let accounts = who
                    .iter()
                    .map(|a| {
                        (
                            p.get_position(*a, k.id).unwrap(),
                            self.wd.ctf_of(*a, k.id),
                            p.auction_start(*a, k.id),
                        )
                    })
                    .collect();
                let token = [
                    U256::from(p.token_debt(k.id).unwrap()),
                    U256::from(p.token_collateral(k.id))
                        | U256::from(self.wd.ctf_of(pool, k.id)) << 128,
                    U256::from(p.last_price_timestamp(k.id))
                        | U256::from(p.market_end_time(k.id)) << 64,
                    p.map_word(fields::GUARD, k.id),
                    p.map_word(fields::SCHEDULE_TS, k.id),
                ];
                (accounts, token)
            })
            .collect();
        (global, per_market)
    }

    fn count(&mut self, what: &'static str) {
        *self.seen.entry(what).or_default() += 1;
    }

    /// The token's curve now: the active anchors with its schedule's decay
    /// while its market is open (a resolved market no longer decays).
    fn curve_now(&self, id: U256) -> Curve {
        let end = if self.status(id) == status::OPEN {
            self.p().market_end_time(id)
        } else {
            0
        };
        self.p().curve().at(self.wd.now(), end)
    }

    /// Whether the token takes no new borrows now (`MarketClosing`).
    fn closing(&self, id: U256) -> bool {
        schedule::is_closing(self.wd.now(), self.p().market_end_time(id))
    }

    /// The model's guard of `id`.
    fn guard(&self, id: U256) -> Guard {
        self.guards.get(&id).copied().unwrap_or_default()
    }

    /// Whether a guarded call at `price` now must be refused (`PriceDropGuard`).
    fn trips(&self, id: U256, price: u128) -> bool {
        self.guard(id).drops_too_far(price, self.wd.now())
    }

    /// The pool accepted `price` for `id` now: feed the model.
    fn accepted(&mut self, id: U256, price: u128) {
        let g = self.guard(id).observe(price, self.wd.now());
        self.guards.insert(id, g);
    }

    /// Runs `call`; a failure must be one of `allowed` and change nothing.
    fn attempt<T>(
        &self,
        what: &str,
        allowed: &[Error],
        call: impl FnOnce() -> Result<T, Error>,
    ) -> Result<T, Error> {
        let before = self.snapshot();
        let r = call();
        if let Err(e) = &r {
            self.ensure(allowed.contains(e), || {
                format!("{what} failed with {e:?}, not one of {allowed:?}")
            });
            self.ensure(self.snapshot() == before, || {
                format!("{what} failed with {e:?} but changed state")
            });
        }
        r
    }

    fn position(&self, b: Address, id: U256) -> (u128, u128, u128) {
        self.p().get_position(b, id).unwrap()
    }

    fn status(&self, id: U256) -> u8 {
        self.p().market_status(id)
    }

    /// The positions (borrower index, market) where `fits(c, shares, debt)`.
    fn positions_where(
        &self,
        markets: &[Mkt],
        fits: impl Fn(u128, u128, u128) -> bool,
    ) -> Vec<(usize, Mkt)> {
        let mut v = Vec::new();
        for (i, b) in self.borrowers.iter().enumerate() {
            for m in markets {
                let (c, s, d) = self.position(b.address(), m.id);
                if fits(c, s, d) {
                    v.push((i, *m));
                }
            }
        }
        v
    }

    // -----------------------------------------------------------------
    // Actions
    // -----------------------------------------------------------------

    fn step(&mut self, n: usize) {
        let kind = match self.rng.below(100) {
            0..=7 => "deposit",
            8..=9 => "mint",
            10..=15 => "withdraw",
            16..=18 => "redeem",
            19..=20 => "transfer",
            21..=28 => "collateral",
            29..=40 => "borrow",
            41..=47 => "repay",
            48..=52 => "withdraw relay",
            53..=55 => "withdraw direct",
            56..=62 => "liquidate",
            63..=64 => "start auction",
            65..=71 => "price",
            72..=73 => "crash",
            74..=78 => "wait",
            79 => "accrue burst",
            80..=81 => "cap attack",
            82..=83 => "pause",
            84..=85 => "freeze",
            86..=87 => "resolve",
            88..=89 => "schedule",
            90..=92 => "settle",
            93..=94 => "donate",
            95 => "sweep",
            96 => "reserves",
            _ => "exit",
        };
        let m0 = self.p().market().unwrap();
        let (ta0, supply0) = self.price;
        self.skipped = false;
        let outcome = self.act(kind, n);
        let e = self.stats.entry(kind).or_default();
        if self.skipped {
            e.2 += 1;
        } else {
            e.0 += 1;
            e.1 += outcome.is_ok() as u32;
        }
        self.check(kind, &m0, ta0, supply0);
    }

    fn act(&mut self, kind: &'static str, n: usize) -> Outcome {
        match kind {
            "deposit" | "mint" => self.enter(kind),
            "withdraw" | "redeem" => self.leave(kind),
            "transfer" => self.transfer(),
            "collateral" => self.collateral(),
            "borrow" => self.borrow(None),
            "repay" => self.repay(),
            "withdraw relay" => self.withdraw_relay(None),
            "start auction" => self.start_auction(),
            "crash" => self.crash(),
            "schedule" => self.schedule(),
            "withdraw direct" => self.withdraw_direct(),
            "liquidate" => self.liquidate(),
            "accrue burst" => self.accrue_burst(),
            "cap attack" => self.cap_attack(),
            "price" => {
                self.move_price();
                Ok(())
            }
            "wait" => {
                let secs = match self.rng.below(10) {
                    0..=5 => 1 + self.rng.below(600),
                    6..=8 => 600 + self.rng.below(86_400),
                    _ => 86_400 + self.rng.below(60 * 86_400),
                };
                advance(secs);
                self.trace.push(format!("#{n} wait {secs}s"));
                Ok(())
            }
            "pause" => self.pause(),
            "freeze" => self.freeze(),
            "resolve" => self.resolve(),
            "settle" => self.settle(),
            "donate" => {
                let x = 1 + self.rng.below(50 * UNIT as u64) as u128;
                self.wd.fund(donor(), x);
                let pool = self.wd.pool.address();
                self.wd
                    .usdc
                    .sender(donor())
                    .transfer(pool, w(x))
                    .motsu_unwrap();
                self.donated += x;
                self.trace.push(format!("donate {x}"));
                Ok(())
            }
            "sweep" => self.sweep(),
            "reserves" => self.withdraw_reserves(),
            _ => self.exit_everyone_check(),
        }
    }

    /// An action with no candidate (no position with debt, ...): not counted
    /// as run.
    fn skip(&mut self) -> Outcome {
        self.skipped = true;
        Ok(())
    }

    fn enter(&mut self, kind: &'static str) -> Outcome {
        let who = lender(self.rng.below(N_LENDERS as u64) as usize);
        let assets = match self.rng.below(6) {
            0 => self.rng.below(1_000) as u128,
            _ => UNIT + self.rng.below(200_000 * UNIT as u64) as u128,
        };
        // `amount` is assets for deposit, shares (about 1e6 per unit) for mint.
        let amount = if kind == "mint" {
            assets * 1_000_000
        } else {
            assets
        };
        let (ta, supply) = (self.p().total_assets().unwrap(), self.p().total_supply());
        let need = if kind == "mint" {
            self.p().assets_for(amount, Rounding::Up).unwrap()
        } else {
            assets
        };
        self.wd.fund(who, need);
        let (bal, usdc) = (self.p().balance_of(who), self.wd.usdc_of(who));
        self.trace.push(format!("{kind} {amount} by {who}"));
        let pool = self.wd.pool;
        let paused = self.p().paused();
        let allowed = [Error::ZeroAmount, Error::ProtocolPaused];
        let r = self.attempt(kind, &allowed, || {
            if kind == "deposit" {
                pool.sender(who)
                    .deposit(amount, who)
                    .motsu_res()
                    .map(|s| (s, amount))
            } else {
                pool.sender(who)
                    .mint(amount, who)
                    .motsu_res()
                    .map(|a| (amount, a))
            }
        });
        let (shares, paid) = match r {
            Err(e) => {
                self.ensure(paused || need == 0 || assets == 0, || {
                    format!("{kind} of {amount} failed: {e:?}")
                });
                return Err(e);
            }
            Ok(v) => v,
        };
        self.ensure(!paused, || format!("{kind} succeeded while paused"));
        self.ensure(self.p().balance_of(who) == bal + shares, || {
            format!("{kind}: balance did not grow by {shares}")
        });
        self.ensure(self.wd.usdc_of(who) == usdc - paid, || {
            format!("{kind}: paid other than {paid}")
        });
        // 6. The shares are worth at most what was paid, at the price before
        // (interest accrued): shares * (ta + 1) <= paid * (supply + 1e6).
        let ta_before = self.p().total_assets().unwrap() - paid;
        self.ensure(
            U256::from(shares) * U256::from(ta_before + 1)
                <= U256::from(paid) * U256::from(supply + 1_000_000),
            || format!("{kind}: {shares} shares for {paid} (ta {ta}, supply {supply})"),
        );
        Ok(())
    }

    fn leave(&mut self, kind: &'static str) -> Outcome {
        let owner = lender(self.rng.below(N_LENDERS as u64) as usize);
        let via_operator = self.rng.chance(25);
        let caller = if via_operator { operator() } else { owner };
        if via_operator && self.rng.chance(80) {
            let allowance = U256::from(self.rng.below(u64::MAX));
            self.wd
                .pool
                .sender(owner)
                .approve(operator(), allowance)
                .motsu_unwrap();
        }
        let max = if kind == "withdraw" {
            self.p().max_withdraw(owner).unwrap()
        } else {
            self.p().max_redeem(owner).unwrap()
        };
        let x = self.rng.amount(max);
        self.trace
            .push(format!("{kind} {x} of {owner} (max {max}) by {caller}"));
        let m = self.p().market().unwrap();
        let supply = self.p().total_supply();
        let (bal, got0) = (self.p().balance_of(owner), self.wd.usdc_of(sink()));
        let allowance = self.p().allowance(owner, operator());
        // Exits are priced without the redeemed markets' unsettled receivable.
        let preview = self.p().exit_assets_for(x).unwrap();
        let preview_shares = self.p().exit_shares_for(x).unwrap_or(u128::MAX);
        let pool = self.wd.pool;
        let r = self.attempt(
            kind,
            &[
                Error::ZeroAmount,
                Error::ExceedsMaxWithdraw,
                Error::InsufficientAllowance,
            ],
            || {
                if kind == "withdraw" {
                    pool.sender(caller).withdraw(x, sink(), owner).motsu_res()
                } else {
                    pool.sender(caller).redeem(x, sink(), owner).motsu_res()
                }
            },
        );
        // 7. Within the view (and the allowance) it must work, paused or not.
        let short_allowance = via_operator && {
            let need = if kind == "withdraw" {
                self.p().exit_shares_for(x).unwrap_or(u128::MAX)
            } else {
                x
            };
            allowance < U256::from(need)
        };
        let r = match r {
            Err(e) => {
                self.ensure(
                    x == 0 || x > max || short_allowance || (kind == "redeem" && preview == 0),
                    || format!("{kind} {x} <= max {max} failed: {e:?}"),
                );
                return Err(e);
            }
            Ok(v) => v,
        };
        let (shares, assets) = if kind == "withdraw" { (r, x) } else { (x, r) };
        // Exactly what the previews said (same second, so same interest):
        // neither over- nor underpaid.
        self.ensure(
            if kind == "withdraw" { shares == preview_shares } else { assets == preview },
            || format!("{kind} {x}: burned {shares} for {assets}, previews {preview_shares} / {preview}"),
        );
        self.ensure(self.wd.usdc_of(sink()) == got0 + assets, || {
            format!("{kind}: receiver did not get {assets}")
        });
        self.ensure(self.p().balance_of(owner) == bal - shares, || {
            format!("{kind}: owner did not lose {shares}")
        });
        // 6. The shares burned are worth at least the assets paid out, at the
        // price after interest (`m` has it): shares*(ta+1) >= assets*(supply+1e6).
        self.ensure(
            U256::from(shares) * U256::from(m.total_assets() + 1)
                >= U256::from(assets) * U256::from(supply + 1_000_000),
            || format!("{kind}: {shares} shares paid {assets}"),
        );
        Ok(())
    }

    fn transfer(&mut self) -> Outcome {
        let from = lender(self.rng.below(N_LENDERS as u64) as usize);
        let to = lender(self.rng.below(N_LENDERS as u64) as usize);
        let bal = self.p().balance_of(from);
        let x = self.rng.amount(bal);
        self.trace
            .push(format!("transfer {x} pUSDC {from} -> {to}"));
        let total = self.p().balance_of(from) + self.p().balance_of(to);
        let pool = self.wd.pool;
        self.attempt("transfer", &[Error::InsufficientBalance], || {
            pool.sender(from).transfer(to, w(x)).motsu_res()
        })
        .inspect_err(|_| self.ensure(x > bal, || format!("transfer {x} <= {bal} failed")))?;
        let after = self.p().balance_of(from) + self.p().balance_of(to);
        self.ensure(after == total, || {
            "a transfer changed the two balances' sum".into()
        });
        Ok(())
    }

    fn collateral(&mut self) -> Outcome {
        let b = self.rng.below(N_BORROWERS as u64) as usize;
        let who = self.borrowers[b].address();
        let markets = self.markets();
        let m = self.rng.pick(&markets);
        let amount = match self.rng.below(8) {
            0 => self.rng.below(UNIT as u64) as u128,
            _ => UNIT + self.rng.below(300_000 * UNIT as u64) as u128,
        };
        // Pushed by the holder itself, or by a friend crediting the borrower.
        let (holder, data) = if self.rng.chance(20) {
            let mut d = vec![0u8; 12];
            d.extend_from_slice(who.as_slice());
            (donor(), d)
        } else {
            (who, Vec::new())
        };
        self.wd
            .ctf
            .sender(holder)
            .mint(holder, m.id, w(amount))
            .motsu_unwrap();
        let c = self.position(who, m.id).0;
        self.trace.push(format!(
            "collateral {amount} of {} for borrower {b} by {holder}",
            m.id
        ));
        let (paused, frozen, st) = (
            self.p().paused(),
            self.p().is_frozen(m.id),
            self.status(m.id),
        );
        let (ctf, pool) = (self.wd.ctf, self.wd.pool.address());
        let batch = self.rng.chance(30);
        let before = self.snapshot();
        let r = if batch {
            ctf.sender(holder)
                .safe_batch_transfer_from(
                    holder,
                    pool,
                    vec![m.id],
                    vec![w(amount)],
                    Bytes::from(data),
                )
                .motsu_res()
        } else {
            ctf.sender(holder)
                .safe_transfer_from(holder, pool, m.id, w(amount), Bytes::from(data))
                .motsu_res()
        };
        // The CTF reverts with its own error wrapping the pool's: the
        // situation must explain it, and nothing may have moved.
        if let Err(e) = r {
            self.ensure(
                paused || frozen || st != status::OPEN || amount == 0,
                || format!("a collateral deposit to an open market failed: {e:?}"),
            );
            self.ensure(self.snapshot() == before, || {
                "a refused deposit changed state".into()
            });
            return Err(if paused {
                Error::ProtocolPaused
            } else if frozen {
                Error::TokenFrozen
            } else if st != status::OPEN {
                Error::MarketResolved
            } else {
                Error::ZeroAmount
            });
        }
        self.ensure(self.position(who, m.id).0 == c + amount, || {
            "collateral not credited to the beneficiary".into()
        });
        Ok(())
    }

    /// A relayed borrow (by a borrower with collateral, or `on` a given
    /// position at its market's price).
    fn borrow(&mut self, on: Option<(usize, Mkt)>) -> Outcome {
        let (b, m) = match on {
            Some(v) => v,
            None => {
                let open = self.open.clone();
                let with_c = self.positions_where(&open, |c, _, _| c != 0);
                if with_c.is_empty() {
                    return self.skip();
                }
                self.rng.pick(&with_c)
            }
        };
        let acct = &self.borrowers[b];
        let who = acct.address();
        let view = self.p().max_borrow(who, m.id, m.price).unwrap();
        let x = self.rng.amount(view);
        let d0 = self.position(who, m.id).2;
        let usdc = self.wd.usdc_of(who);
        let nonce = self.p().nonces(who);
        let (closing, trips) = (self.closing(m.id), self.trips(m.id, m.price));
        self.trace.push(format!(
            "borrow {x} (view {view}) borrower {b} on {} at {} (closing {closing}, guard high {})",
            m.id,
            m.price,
            self.guard(m.id).high(self.wd.now())
        ));
        // What must refuse it, in the pool's order: pause, freeze, the
        // closing window, the drop guard; then the borrow rule.
        let first = if self.p().paused() {
            Some(Error::ProtocolPaused)
        } else if self.p().is_frozen(m.id) {
            Some(Error::TokenFrozen)
        } else if closing {
            Some(Error::MarketClosing)
        } else if trips {
            Some(Error::PriceDropGuard)
        } else {
            None
        };
        let mut allowed = vec![
            Error::BorrowTooSmall,
            Error::ExceedsLtv,
            Error::ExceedsTokenCap,
            Error::InsufficientLiquidity,
            Error::PriceReplayed,
        ];
        allowed.extend(first);
        let (wd, price) = (&self.wd, m.price);
        let r = self.attempt("borrow", &allowed, || wd.borrow(acct, m.id, x, price));
        if let Err(e) = r {
            self.ensure(first.is_none() || first == Some(e), || {
                format!("borrow {x} failed with {e:?}, expected {first:?}")
            });
            self.ensure(first.is_some() || x < UNIT || x > view, || {
                format!("borrow {x} <= maxBorrow {view} failed: {e:?}")
            });
            match e {
                Error::MarketClosing => self.count("borrow refused: closing"),
                Error::PriceDropGuard => self.count("borrow refused: guard"),
                _ => {}
            }
            return Err(e);
        }
        self.ensure(first.is_none(), || {
            format!("borrow {x} worked, expected {first:?}")
        });
        self.accepted(m.id, m.price);
        let d1 = self.position(who, m.id).2;
        self.ensure(self.wd.usdc_of(who) == usdc + x, || {
            "borrower not paid".into()
        });
        self.ensure(self.p().nonces(who) == nonce + 1, || {
            "nonce not consumed".into()
        });
        // 6. The debt grows by at least the amount (shares round up).
        self.ensure(d1 >= d0 + x, || format!("borrowed {x}: debt {d0} -> {d1}"));
        let hf = self.p().get_health_factor(who, m.id, m.price).unwrap();
        self.ensure(hf >= w(WAD), || format!("borrow left health factor {hf}"));
        // 11. Healthy at its price: no auction runs.
        self.ensure(self.p().auction_start(who, m.id) == 0, || {
            "an auction survived a borrow".into()
        });
        if auction::needs_auction(d1) {
            self.count("borrow to a large position");
        }
        Ok(())
    }

    fn repay(&mut self) -> Outcome {
        let markets = self.markets();
        let with_debt = self.positions_where(&markets, |_, s, _| s != 0);
        if with_debt.is_empty() {
            return self.skip();
        }
        let (b, m) = self.rng.pick(&with_debt);
        let who = self.borrowers[b].address();
        let (_, _, debt) = self.position(who, m.id);
        let payer = if self.rng.chance(30) {
            liquidator()
        } else {
            who
        };
        let x = if self.rng.chance(25) {
            u128::MAX
        } else {
            self.rng.amount(debt)
        };
        let due = x.min(debt);
        // The expected refusal: nothing owed (a lost market), nothing paid,
        // or a partial payment too small to burn one borrow share.
        let mk = self.p().market().unwrap();
        let expected = if self.status(m.id) == status::REDEEMED {
            // Frozen at redemption: settled from the proceeds instead.
            Some(Error::MarketResolved)
        } else if debt == 0 {
            Some(Error::NoPosition)
        } else if x == 0
            || due < debt
                && predmart_pool::interest::to_borrow_shares(
                    due,
                    mk.borrowed,
                    mk.borrow_shares,
                    Rounding::Down,
                )
                .unwrap()
                    == 0
        {
            Some(Error::ZeroAmount)
        } else {
            None
        };
        self.wd.fund(payer, due);
        let before = self.wd.usdc_of(payer);
        self.trace.push(format!(
            "repay {x} of {debt} borrower {b} on {} by {payer}",
            m.id
        ));
        let pool = self.wd.pool;
        let r = self.attempt(
            "repay",
            &[Error::ZeroAmount, Error::NoPosition, Error::MarketResolved],
            || pool.sender(payer).repay_for(who, m.id, x).motsu_res(),
        );
        let paid = match r {
            Err(e) => {
                self.ensure(expected == Some(e), || {
                    format!("repay {x} of {debt} failed: {e:?}, expected {expected:?}")
                });
                return Err(e);
            }
            Ok(p) => p,
        };
        self.ensure(expected.is_none(), || {
            format!("repay {x} of {debt} worked, expected {expected:?}")
        });
        let d1 = self.position(who, m.id).2;
        self.ensure(
            paid == due && self.wd.usdc_of(payer) == before - paid,
            || format!("repay charged {paid}, due {due}"),
        );
        // 6. The debt falls by at most what was paid.
        self.ensure(d1 + paid >= debt, || {
            format!("paid {paid}: debt {debt} -> {d1}")
        });
        if paid == debt {
            self.ensure(d1 == 0, || "a full repay left debt".into());
        }
        Ok(())
    }

    /// A relayed collateral withdrawal (any position with collateral on an
    /// open market, or `on` a given one at its market's price).
    fn withdraw_relay(&mut self, on: Option<(usize, Mkt)>) -> Outcome {
        let (b, m) = match on {
            Some(v) => v,
            None => {
                let open = self.open.clone();
                let with_c = self.positions_where(&open, |c, _, _| c != 0);
                if with_c.is_empty() {
                    return self.skip();
                }
                self.rng.pick(&with_c)
            }
        };
        let acct = &self.borrowers[b];
        let who = acct.address();
        let (c, _, debt) = self.position(who, m.id);
        let x = self.rng.amount(c / 4 + 1);
        let trips = debt != 0 && self.trips(m.id, m.price);
        self.trace.push(format!(
            "withdraw relay {x} of {c} (debt {debt}) borrower {b} on {} at {} (guard high {})",
            m.id,
            m.price,
            self.guard(m.id).high(self.wd.now())
        ));
        let before = self.wd.ctf_of(sink(), m.id);
        // The expected outcome: frozen tokens first, then (with debt) the
        // drop guard, then the pure rule (`positions::check_withdraw` with
        // the token's decayed curve, the price ignored without debt).
        let expected = if self.p().is_frozen(m.id) {
            Err(Error::TokenFrozen)
        } else if trips {
            Err(Error::PriceDropGuard)
        } else {
            let price = if debt == 0 { 0 } else { m.price };
            predmart_pool::positions::check_withdraw(&self.curve_now(m.id), c, debt, x, price)
        };
        let mut allowed = vec![
            Error::TokenFrozen,
            Error::ZeroAmount,
            Error::InsufficientCollateral,
            Error::HealthFactorTooLow,
            Error::PriceReplayed,
        ];
        if trips {
            allowed.push(Error::PriceDropGuard);
        }
        let (wd, price) = (&self.wd, m.price);
        let r = self.attempt("withdraw relay", &allowed, || {
            wd.withdraw_collateral(acct, sink(), m.id, x, price)
        });
        self.ensure(
            r.is_ok() == expected.is_ok() && r.err() == expected.err(),
            || format!("withdraw relay {x} of {c} (debt {debt}): got {r:?}, expected {expected:?}"),
        );
        if r == Err(Error::PriceDropGuard) {
            self.count("withdrawal refused: guard");
        }
        r?;
        if debt != 0 {
            self.accepted(m.id, m.price);
            // 11. Shown healthy at its price: no auction runs.
            self.ensure(self.p().auction_start(who, m.id) == 0, || {
                "an auction survived a withdrawal".into()
            });
        }
        self.ensure(self.wd.ctf_of(sink(), m.id) == before + x, || {
            "shares not sent".into()
        });
        let hf = self.p().get_health_factor(who, m.id, m.price).unwrap();
        self.ensure(hf >= w(WAD), || {
            format!("withdrawal left health factor {hf}")
        });
        Ok(())
    }

    fn withdraw_direct(&mut self) -> Outcome {
        let markets = self.markets();
        let with_c = self.positions_where(&markets, |c, _, _| c != 0);
        if with_c.is_empty() {
            return self.skip();
        }
        let (b, m) = self.rng.pick(&with_c);
        let who = self.borrowers[b].address();
        let (c, shares, debt) = self.position(who, m.id);
        let x = self.rng.amount(c);
        self.trace.push(format!(
            "withdraw direct {x} of {c} (debt {debt}) borrower {b} on {}",
            m.id
        ));
        let before = self.wd.ctf_of(who, m.id);
        let (frozen, st) = (self.p().is_frozen(m.id), self.status(m.id));
        let pool = self.wd.pool;
        let r = self.attempt(
            "withdraw direct",
            &[
                Error::TokenFrozen,
                Error::MarketResolved,
                Error::PositionHasDebt,
                Error::ZeroAmount,
                Error::InsufficientCollateral,
            ],
            || {
                pool.sender(who)
                    .withdraw_collateral(m.id, x, who)
                    .motsu_res()
            },
        );
        if let Err(e) = r {
            // 7. Debt-free, not frozen, not redeemed, not written off on a
            // lost market: it must work.
            self.ensure(
                debt != 0
                    || frozen
                    || st == status::REDEEMED
                    || (st == status::LOST && shares != 0)
                    || x == 0
                    || x > c,
                || format!("debt-free withdrawal of {x} of {c} failed: {e:?}"),
            );
            return Err(e);
        }
        self.ensure(debt == 0, || format!("direct withdrawal with debt {debt}"));
        // Resolved means resolved: a written-off position never gets its
        // collateral back.
        self.ensure(st != status::LOST || shares == 0, || {
            "a lost market's written-off collateral went back".into()
        });
        self.ensure(self.wd.ctf_of(who, m.id) == before + x, || {
            "shares not sent".into()
        });
        Ok(())
    }

    fn liquidate(&mut self) -> Outcome {
        let markets = self.markets();
        let with_debt = self.positions_where(&markets, |c, s, _| s != 0 && c != 0);
        if with_debt.is_empty() {
            return self.skip();
        }
        // Mostly an unhealthy one, when there is one (else any: refusals).
        let unhealthy: Vec<(usize, Mkt)> = with_debt
            .iter()
            .copied()
            .filter(|(b, m)| {
                let who = self.borrowers[*b].address();
                self.p().get_health_factor(who, m.id, m.price).unwrap() < w(WAD)
            })
            .collect();
        let (b, mut m) = if !unhealthy.is_empty() && self.rng.chance(75) {
            self.rng.pick(&unhealthy)
        } else {
            self.rng.pick(&with_debt)
        };
        if unhealthy.is_empty() && self.rng.chance(50) {
            // The oracle's price falls below the position's liquidation
            // price (by 1% to 60%): a crash that makes it liquidatable.
            let who = self.borrowers[b].address();
            let lp: u128 = self
                .p()
                .liquidation_price(who, m.id)
                .unwrap()
                .saturating_to();
            m.price = (lp * (40 + self.rng.below(60) as u128) / 100).clamp(1, WAD - 1);
            for k in self.open.iter_mut().chain(self.resolved.iter_mut()) {
                if k.id == m.id {
                    k.price = m.price;
                }
            }
            self.trace.push(format!(
                "price of {} crashes to {} (liquidation price {lp})",
                m.id, m.price
            ));
        }
        let who = self.borrowers[b].address();
        if self.rng.chance(25) {
            // The oracle's price puts the collateral just above the debt
            // (100% to 105% of it): the band where a split liquidation used
            // to push the rest under water.
            let (c, _, debt) = self.position(who, m.id);
            if c != 0 {
                let cover = 10_000 + self.rng.below(500) as u128;
                let p = U256::from(debt) * U256::from(WAD) * U256::from(cover)
                    / U256::from(10_000u32)
                    / U256::from(c)
                    + U256::from(1u8);
                m.price = p.saturating_to::<u128>().clamp(1, WAD - 1);
                for k in self.open.iter_mut().chain(self.resolved.iter_mut()) {
                    if k.id == m.id {
                        k.price = m.price;
                    }
                }
                self.trace.push(format!(
                    "price of {} moves to {} (collateral {cover} bps of the debt)",
                    m.id, m.price
                ));
            }
        }
        // A liquidator who splits: several calls in the same second at the
        // same signed price, each with a random amount (tiny, partial, the
        // whole debt or the maximum), as one lacking the cash for a full
        // repay, or one hoping a bite pushes the rest under water, would.
        let calls = if self.rng.chance(35) {
            2 + self.rng.below(4)
        } else {
            1
        };
        let mut last = Ok(());
        for _ in 0..calls {
            let (c, _, debt) = self.position(who, m.id);
            if debt == 0 || c == 0 {
                break;
            }
            let repay = match self.rng.below(10) {
                0..=3 => u128::MAX,
                4..=5 => 1 + self.rng.below(1_000) as u128,
                6..=7 => self.rng.amount(debt / 2),
                _ => self.rng.amount(debt),
            };
            last = self.liquidate_once(b, m, repay);
            if last.is_err() && self.rng.chance(50) {
                break;
            }
        }
        last
    }

    /// One liquidation call of borrower `b` on `m` at `m.price`, checked
    /// against the pure rule; a position above water at that price must
    /// write nothing off (splitting never pays).
    fn liquidate_once(&mut self, b: usize, m: Mkt, repay: u128) -> Outcome {
        let who = self.borrowers[b].address();
        let (c, _, debt) = self.position(who, m.id);
        let price = m.price;
        let hf = self.p().get_health_factor(who, m.id, price).unwrap();
        let above_water = predmart_pool::risk::collateral_value(c, price).unwrap() >= debt;
        let events_before = self.wd.pool.all_events().len();
        self.wd.fund(liquidator(), debt);
        let (usdc, shares) = (
            self.wd.usdc_of(liquidator()),
            self.wd.ctf_of(liquidator(), m.id),
        );
        let st = self.status(m.id);
        // The expected outcome: resolved-lost/redeemed markets refuse, else
        // the pure rule decides exactly: `liquidation::liquidate_with` with
        // the token's threshold decayed to this second and the incentives
        // of `auction::terms` (none for a large position without an
        // auction: `AuctionRequired` if unhealthy).
        let curve = self.curve_now(m.id);
        let running = self.p().auction_start(who, m.id);
        let terms = auction::terms(running, debt, self.wd.now());
        let expected = if st == status::LOST || st == status::REDEEMED {
            Err(Error::MarketResolved)
        } else if terms.is_none() && curve.health_factor(c, price, debt).unwrap() < WAD {
            Err(Error::AuctionRequired)
        } else {
            let (bonus, discount) = terms.unwrap_or_default();
            liquidation::liquidate_with(
                curve.liquidation_threshold(price),
                bonus,
                discount,
                c,
                debt,
                price,
                repay,
            )
        };
        self.trace.push(format!(
            "liquidate borrower {b} on {} (c {c}, debt {debt}, hf {hf}, auction {running}, terms {terms:?}) at {price} repay {repay}",
            m.id
        ));
        let wd = &self.wd;
        let r = self.attempt(
            "liquidate",
            &[
                Error::PositionHealthy,
                Error::MarketResolved,
                Error::InsufficientRepay,
                Error::PriceReplayed,
                Error::NoPosition,
                Error::ZeroAmount,
                Error::AuctionRequired,
            ],
            || wd.liquidate(liquidator(), who, m.id, repay, price),
        );
        let seized = match r {
            Err(e) => {
                self.ensure(expected.as_ref().err() == Some(&e), || {
                    format!("liquidation at hf {hf} failed: {e:?}, expected {expected:?}")
                });
                if e == Error::AuctionRequired {
                    // 7. A large unhealthy position is liquidated after
                    // `startAuction` at the same price (bonus 0 now).
                    self.count("liquidation: auction required");
                    if repay == u128::MAX || self.rng.chance(60) {
                        self.start_auction_once(b, m, liquidator())?;
                        self.ensure(self.p().auction_start(who, m.id) != 0, || {
                            format!("no auction started for an unhealthy position owing {debt}")
                        });
                        return self.liquidate_once(b, m, repay);
                    }
                    return Err(e);
                }
                // 7. An unhealthy position on an open or won market can
                // always be liquidated in full (the rule never refuses
                // `u128::MAX` below HF 1).
                self.ensure(
                    hf >= w(WAD)
                        || st == status::LOST
                        || st == status::REDEEMED
                        || repay != u128::MAX,
                    || format!("a full liquidation at hf {hf} was refused: {e:?}"),
                );
                return Err(e);
            }
            Ok(s) => s,
        };
        self.ensure(hf < w(WAD), || format!("liquidated at health factor {hf}"));
        self.accepted(m.id, price);
        if running != 0 {
            self.count("liquidation in an auction");
        } else if curve.liquidation_threshold(price) < self.p().curve().liquidation_threshold(price)
        {
            self.count("liquidation at a decayed threshold");
        }
        let paid = usdc - self.wd.usdc_of(liquidator());
        let o = expected.unwrap_or_else(|e| self.fail(format!("liquidated, expected {e:?}")));
        self.ensure(seized == o.seized && paid == o.repaid, || {
            format!(
                "seized {seized} for {paid}, the rule says {} for {}",
                o.seized, o.repaid
            )
        });
        self.ensure(
            self.wd.ctf_of(liquidator(), m.id) == shares + seized,
            || "seized shares not sent".into(),
        );
        self.ensure(paid <= debt && seized <= c, || {
            format!("paid {paid} of {debt}, seized {seized} of {c}")
        });
        // 8. No bad debt from a position that was above water at the price.
        let written_off: u128 = self.wd.pool.all_events()[events_before..]
            .iter()
            .filter_map(|log| BadDebtAbsorbed::decode_log_data(log, true).ok())
            .filter(|e| e.borrower == who)
            .map(|e| e.amount.to::<u128>())
            .sum();
        self.ensure(!above_water || written_off == 0, || {
            format!("{written_off} written off a position above water (c {c}, debt {debt}, price {price}, repay {repay})")
        });
        // 6. At most the bonus (5% directly, the auction's up to 10%):
        // seized * price <= paid * (1 + bonus) (1e18 units), unless the
        // whole collateral went (underwater or capped).
        let bonus = terms.unwrap_or_default().0;
        let (c1, _, d1) = self.position(who, m.id);
        if c1 != 0 {
            self.ensure(
                bonus <= auction::MAX_BONUS
                    && U256::from(seized) * U256::from(price)
                        <= U256::from(paid) * U256::from(WAD + bonus),
                || format!("seized {seized} at {price} for {paid} (bonus {bonus})"),
            );
        }
        // 11. The auction ends when the bite leaves the position closed or
        // healthy at the price; else it runs on, unchanged.
        let ends = d1 == 0 || curve.health_factor(c1, price, d1).unwrap() >= WAD;
        let after = self.p().auction_start(who, m.id);
        self.ensure(after == if ends { 0 } else { running }, || {
            format!("auction {running} -> {after} after a liquidation leaving c {c1}, debt {d1}")
        });
        // 8. A position left open after a bite is still above water at the
        // same price: never dust collateral against real debt.
        if above_water && d1 != 0 {
            self.ensure(
                predmart_pool::risk::collateral_value(c1, price).unwrap() >= d1,
                || format!("a bite left {c1} shares against {d1} debt at {price} (was c {c}, debt {debt})"),
            );
        }
        Ok(())
    }

    /// `startAuction` by anyone at the oracle's price: mostly on a large
    /// unhealthy position, else on any position (healthy: a running auction
    /// is cleared, else refused; small: none needed), resolved markets too.
    fn start_auction(&mut self) -> Outcome {
        let markets = self.markets();
        let candidates = self.positions_where(&markets, |c, _, _| c != 0);
        if candidates.is_empty() {
            return self.skip();
        }
        let unhealthy: Vec<(usize, Mkt)> = candidates
            .iter()
            .copied()
            .filter(|(b, m)| {
                let who = self.borrowers[*b].address();
                self.p().get_health_factor(who, m.id, m.price).unwrap() < w(WAD)
            })
            .collect();
        let large: Vec<(usize, Mkt)> = unhealthy
            .iter()
            .copied()
            .filter(|(b, m)| {
                auction::needs_auction(self.position(self.borrowers[*b].address(), m.id).2)
            })
            .collect();
        let (b, m) = if !large.is_empty() && self.rng.chance(60) {
            self.rng.pick(&large)
        } else if !unhealthy.is_empty() && self.rng.chance(60) {
            self.rng.pick(&unhealthy)
        } else {
            self.rng.pick(&candidates)
        };
        let caller = self
            .rng
            .pick(&[liquidator(), donor(), lender(0), self.wd.admin]);
        self.start_auction_once(b, m, caller)
    }

    /// One `startAuction` of borrower `b` on `m` at `m.price` signed now,
    /// checked against `auction::start`.
    fn start_auction_once(&mut self, b: usize, m: Mkt, caller: Address) -> Outcome {
        let who = self.borrowers[b].address();
        let (c, _, debt) = self.position(who, m.id);
        let st = self.status(m.id);
        let running = self.p().auction_start(who, m.id);
        let now = self.wd.now();
        let hf = self
            .curve_now(m.id)
            .health_factor(c, m.price, debt)
            .unwrap();
        let expected = if st == status::LOST || st == status::REDEEMED {
            Err(Error::MarketResolved)
        } else if c == 0 {
            Err(Error::NoPosition)
        } else {
            // Only a price signed after the start ends an auction (the
            // campaign signs at `now`).
            auction::start(running, hf, debt, now).map(|n| {
                if n == 0 && running >= now {
                    running
                } else {
                    n
                }
            })
        };
        self.trace.push(format!(
            "start auction of borrower {b} on {} (c {c}, debt {debt}, hf {hf}, running {running}) at {} by {caller}",
            m.id, m.price
        ));
        let (wd, price) = (&self.wd, m.price);
        let r = self.attempt(
            "start auction",
            &[
                Error::MarketResolved,
                Error::NoPosition,
                Error::PositionHealthy,
                Error::PriceReplayed,
            ],
            || wd.auction(caller, who, m.id, price),
        );
        self.ensure(r == expected, || {
            format!("startAuction: got {r:?}, expected {expected:?}")
        });
        let next = r?;
        // A no-op (nothing starts or ends) records no price.
        if next != running {
            self.accepted(m.id, m.price);
        }
        self.ensure(self.p().auction_start(who, m.id) == next, || {
            format!(
                "startAuction returned {next}, stored {}",
                self.p().auction_start(who, m.id)
            )
        });
        if next != 0 && running == 0 {
            self.count("auction started");
        } else if next == 0 && running != 0 {
            self.count("auction cleared (healthy)");
        }
        Ok(())
    }

    /// A crash that trips the drop guard: the oracle's price of a token
    /// whose pool accepted a price in the last minutes falls more than 35%
    /// and $0.08 below that high (sometimes exactly to the edge, allowed),
    /// and a borrow or relayed withdrawal with debt is tried at it: refused
    /// with `PriceDropGuard` (after pause / freeze / closing), nothing
    /// changed. Liquidations stay open at that price (`liquidate`).
    fn crash(&mut self) -> Outcome {
        let now = self.wd.now();
        let live: Vec<(usize, u128)> = self
            .open
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let high = self.guard(k.id).high(now);
                // The highest price the guard still lets through.
                let edge = high - (guard::GUARD_ABS_DROP.max(high * 7 / 20)).min(high);
                (edge > 1).then_some((i, edge))
            })
            .collect();
        if live.is_empty() {
            return self.skip();
        }
        let (i, edge) = self.rng.pick(&live);
        let m0 = self.open[i];
        let price = if self.rng.chance(15) {
            edge
        } else {
            1 + self.rng.below(edge as u64 - 1) as u128
        };
        self.open[i].price = price;
        let m = self.open[i];
        self.trace.push(format!(
            "crash: price of {} {} -> {price} (guard high {}, edge {edge})",
            m.id,
            m0.price,
            self.guard(m.id).high(now)
        ));
        let with_debt = self.positions_where(&[m], |c, s, _| c != 0 && s != 0);
        let with_c = self.positions_where(&[m], |c, _, _| c != 0);
        let r = if !with_debt.is_empty() && self.rng.chance(50) {
            let on = self.rng.pick(&with_debt);
            self.withdraw_relay(Some(on))
        } else if !with_c.is_empty() {
            let on = self.rng.pick(&with_c);
            self.borrow(Some(on))
        } else {
            return self.skip();
        };
        if price < edge {
            self.ensure(r.is_err(), || {
                format!("a borrow or withdrawal passed at {price}, below the guard's edge {edge}")
            });
        }
        // The guard refusing is what a crash is for: a success here.
        match r {
            Err(Error::PriceDropGuard) => Ok(()),
            r => r,
        }
    }

    /// The oracle schedules an open (sometimes a resolved) market's end:
    /// far off, within 7 days, already past, cleared with 0 or clamped;
    /// or a stale, future, replayed or forged message, refused with its
    /// exact error (`schedule::check_schedule`, then the signature).
    fn schedule(&mut self) -> Outcome {
        let m = if !self.resolved.is_empty() && self.rng.chance(10) {
            self.rng.pick(&self.resolved.clone())
        } else {
            self.rng.pick(&self.open.clone())
        };
        let now = self.wd.now();
        const DAY: u64 = 86_400;
        let end = match self.rng.below(20) {
            0..=7 => now + schedule::CLOSING_WINDOW + 1 + self.rng.below(60 * DAY),
            8..=10 => now + 1 + self.rng.below(schedule::CLOSING_WINDOW),
            11 => now - self.rng.below(30 * DAY),
            12..=14 => 0,
            15 => u64::MAX,
            _ => now + self.rng.below(30 * DAY),
        };
        let stored = self.schedule_ts.get(&m.id).copied().unwrap_or(0);
        let (mut ts, mut forged) = (now, false);
        let how = match self.rng.below(10) {
            0 => {
                ts = now - schedule::SCHEDULE_MAX_AGE - 1 - self.rng.below(3_600);
                "stale"
            }
            1 => {
                ts = now + 1 + self.rng.below(600);
                "future"
            }
            2 => {
                ts = stored
                    .saturating_sub(self.rng.below(3))
                    .max(now - schedule::SCHEDULE_MAX_AGE);
                "replayed"
            }
            3 => {
                forged = true;
                "forged"
            }
            _ => "fresh",
        };
        let s = if forged {
            match self.rng.below(3) {
                // Signed by someone else.
                0 => {
                    let h = sig::market_schedule_hash(m.id, U256::from(end), U256::from(ts));
                    sign(
                        &Account::from_seed("forger"),
                        sig::digest(self.wd.domain(), h),
                    )
                }
                // The oracle's signature of another end time, or token.
                1 => self.wd.schedule_sig(m.id, end ^ 1, ts),
                _ => self.wd.schedule_sig(m.id + U256::from(1), end, ts),
            }
        } else {
            self.wd.schedule_sig(m.id, end, ts)
        };
        let expected = schedule::check_schedule(now, ts as u128, stored).and_then(|_| {
            if forged {
                Err(Error::InvalidSignature)
            } else {
                Ok(())
            }
        });
        self.trace.push(format!(
            "schedule {} to end {end} ({how}, ts {ts}, last {stored}, now {now}, status {})",
            m.id,
            self.status(m.id)
        ));
        let pool = self.wd.pool;
        let r = self.attempt(
            "schedule",
            &[
                Error::StalePrice,
                Error::PriceFromFuture,
                Error::PriceReplayed,
                Error::InvalidSignature,
            ],
            || {
                pool.sender(donor())
                    .schedule_market(m.id, U256::from(end), U256::from(ts), &s)
                    .motsu_res()
            },
        );
        self.ensure(r == expected, || {
            format!("schedule ({how}): got {r:?}, expected {expected:?}")
        });
        r?;
        self.schedule_ts.insert(m.id, ts);
        let stored_end = self.p().market_end_time(m.id);
        self.ensure(stored_end == schedule::end_time(end as u128), || {
            format!("scheduled {end}, stored {stored_end}")
        });
        // 11. The views apply the decay now; a closing market lends nothing.
        let closing = self.closing(m.id);
        if closing && self.status(m.id) == status::OPEN {
            self.count("market closing");
        }
        let curve = self.curve_now(m.id);
        for (i, acct) in self.borrowers.iter().enumerate() {
            let who = acct.address();
            let (c, _, d) = self.position(who, m.id);
            let hf = self.p().get_health_factor(who, m.id, m.price).unwrap();
            let want = match curve.health_factor(c, m.price, d).unwrap() {
                _ if d == 0 => U256::MAX,
                h => U256::from(h),
            };
            self.ensure(hf == want, || {
                format!("borrower {i}: health factor view {hf}, decayed rule {want}")
            });
            if closing {
                let mb = self.p().max_borrow(who, m.id, m.price).unwrap();
                self.ensure(mb == 0, || format!("maxBorrow {mb} while closing"));
            }
        }
        Ok(())
    }

    /// Accrual at a random frequency (every second for up to two minutes):
    /// the books match one accrual over the same time, up to compounding
    /// (no rounding is repeated per accrual).
    fn accrue_burst(&mut self) -> Outcome {
        let pool = self.wd.pool;
        pool.sender(liquidator()).accrue().unwrap();
        let m0 = self.p().market().unwrap();
        let n = 1 + self.rng.below(120);
        self.trace.push(format!("accrue every second for {n}s"));
        for _ in 0..n {
            advance(1);
            pool.sender(liquidator()).accrue().unwrap();
        }
        let m1 = self.p().market().unwrap();
        let once = m0.accrued(n).unwrap().0;
        let (i1, i2) = (once.borrowed - m0.borrowed, m1.borrowed - m0.borrowed);
        // Compounding (interest on interest, the rate rising with it): at
        // most 17 x the interest times the period's share of a year.
        let comp = i1 * 17 * n as u128 / 31_557_600 + 1;
        self.ensure(i2 + 1 >= i1 && i2 <= i1 + comp + 1, || {
            format!("{n} accruals booked {i2} of interest, one would book {i1}")
        });
        self.ensure(
            m1.reserves + 1 >= once.reserves && m1.reserves <= once.reserves + comp / 20 + 2,
            || {
                format!(
                    "{n} accruals: reserves {} vs {}",
                    m1.reserves, once.reserves
                )
            },
        );
        Ok(())
    }

    /// A lender who is also a borrower deposits nine times the pool, asks for
    /// a borrow at the cap that deposit would lift, then redeems: the
    /// deposit must not lift the cap (unless the pool has no previous day,
    /// a fresh pool's stated residual).
    fn cap_attack(&mut self) -> Outcome {
        let open = self.open.clone();
        let with_c = self.positions_where(&open, |c, _, _| c != 0);
        if with_c.is_empty() {
            return self.skip();
        }
        let (b, m) = self.rng.pick(&with_c);
        let attacker = lender(N_LENDERS - 1);
        let cap0 = self.p().token_borrow_cap().unwrap();
        let ta = self.p().total_assets().unwrap();
        let x = (ta * 9).clamp(1_000 * UNIT, 1_000_000_000 * UNIT);
        self.trace.push(format!(
            "cap attack: deposit {x} next to {ta} (cap {cap0}) on {}",
            m.id
        ));
        self.wd.fund(attacker, x);
        let pool = self.wd.pool;
        let shares = self.attempt("attacker's deposit", &[Error::ProtocolPaused], || {
            pool.sender(attacker).deposit(x, attacker).motsu_res()
        })?;
        let cap1 = self.p().token_borrow_cap().unwrap();
        let window = predmart_pool::positions::CapWindow::unpack(predmart_pool::store::halves(
            self.p().word(predmart_pool::store::s::CAP_CHECKPOINT),
        ));
        let exempt = window.yesterday == 0 && window.day == self.wd.now() / 86_400;
        self.ensure(exempt || cap1 == cap0, || {
            format!("a deposit of {x} lifted the cap from {cap0} to {cap1}")
        });
        let debt = self.p().token_debt(m.id).unwrap();
        let lifted = predmart_pool::positions::token_cap(
            ta + x,
            self.p().setting(predmart_pool::store::s::POOL_CAP),
        )
        .unwrap();
        let want = lifted.saturating_sub(debt);
        if !exempt && lifted > cap1 && want >= UNIT {
            let acct = &self.borrowers[b];
            let (wd, price) = (&self.wd, m.price);
            self.trace.push(format!(
                "cap attack: borrow {want} (cap {cap1}, debt {debt})"
            ));
            let mut allowed = vec![
                Error::ProtocolPaused,
                Error::TokenFrozen,
                Error::ExceedsLtv,
                Error::ExceedsTokenCap,
                Error::InsufficientLiquidity,
                Error::PriceReplayed,
            ];
            if self.closing(m.id) {
                allowed.push(Error::MarketClosing);
            }
            if self.trips(m.id, price) {
                allowed.push(Error::PriceDropGuard);
            }
            let r = self.attempt("borrow at a lifted cap", &allowed, || {
                wd.borrow(acct, m.id, want, price)
            });
            self.ensure(r.is_err(), || {
                format!("borrowed {want} above the cap {cap1}")
            });
        }
        let out = shares.min(self.p().max_redeem(attacker).unwrap());
        if out != 0 {
            pool.sender(attacker)
                .redeem(out, attacker, attacker)
                .motsu_unwrap();
        }
        // 9. Whatever happened, the token carries at most the cap it had.
        let after = self.p().token_debt(m.id).unwrap();
        self.ensure(exempt || after <= cap0.max(debt), || {
            format!("token debt {after} above the cap {cap0} after the attack")
        });
        Ok(())
    }

    fn move_price(&mut self) {
        let i = self.rng.below(self.open.len() as u64) as usize;
        let p = self.open[i].price;
        let next = match self.rng.below(10) {
            0 => p / 3,                                  // crash
            1 => (p * 3 / 2).min(95 * PCT),              // jump
            2 => PCT * (1 + self.rng.below(99) as u128), // anywhere
            _ => {
                let step = p / 20 * self.rng.below(3) as u128;
                if self.rng.chance(55) {
                    p.saturating_sub(step)
                } else {
                    p + step
                }
            }
        }
        .clamp(1, WAD - 1);
        self.open[i].price = next;
        self.trace
            .push(format!("price of {} {p} -> {next}", self.open[i].id));
    }

    fn pause(&mut self) -> Outcome {
        let paused = self.p().paused();
        // Mostly short pauses: unpause is likelier than pause.
        let to = !paused && self.rng.chance(30) || paused && self.rng.chance(30);
        self.trace.push(format!("paused {paused} -> {to}"));
        let who = if to && self.rng.chance(50) {
            self.wd.relayer
        } else {
            self.wd.admin
        };
        let r = if to {
            self.wd.pool.sender(who).set_paused(true).motsu_res()
        } else {
            self.wd.pool.sender(who).set_paused(false).motsu_res()
        };
        self.ensure(r.is_ok() && self.p().paused() == to, || {
            format!("pause -> {to} by {who}: {r:?}")
        });
        Ok(())
    }

    fn freeze(&mut self) -> Outcome {
        let markets = self.markets();
        let m = self.rng.pick(&markets);
        let to = !self.p().is_frozen(m.id) && self.rng.chance(40);
        self.trace.push(format!("frozen {} -> {to}", m.id));
        let r = self
            .wd
            .pool
            .sender(self.wd.admin)
            .set_token_frozen(m.id, to)
            .motsu_res();
        self.ensure(r.is_ok() && self.p().is_frozen(m.id) == to, || {
            format!("freeze: {r:?}")
        });
        Ok(())
    }

    fn resolve(&mut self) -> Outcome {
        let i = self.rng.below(self.open.len() as u64) as usize;
        let m = self.open[i];
        let won = self.rng.chance(50);
        // A liquidator holding a price signed before the resolution.
        let held = if self.rng.chance(40) {
            let ts = self.wd.now();
            let psig = self.wd.price_sig(m.id, m.price, ts, U256::ZERO);
            advance(1 + self.rng.below(5));
            Some((ts, psig))
        } else {
            None
        };
        let now = self.wd.now();
        let sig = self.wd.resolution_sig(m.id, won, now);
        self.trace.push(format!("resolve {} won {won}", m.id));
        if won {
            // The CTF pays winners from its own USDC: mostly in full,
            // sometimes a split payout (Polymarket's 50/50 and other
            // partial resolutions), which can leave debt uncovered.
            let bps = match self.rng.below(4) {
                0 => 5_000,
                1 => 1 + self.rng.below(10_000),
                _ => 10_000,
            };
            self.trace.push(format!("{} pays {bps} bps a share", m.id));
            self.wd.ctf.sender(self.wd.admin).set_payout(
                m.condition,
                U256::from(1),
                U256::from(bps),
            );
            let held = self.wd.ctf_of(self.wd.pool.address(), m.id);
            self.wd
                .usdc
                .sender(donor())
                .mint(self.wd.ctf.address(), w(held))
                .motsu_unwrap();
        }
        let r = self
            .wd
            .pool
            .sender(liquidator())
            .resolve_market(m.id, won, U256::from(now), &sig)
            .motsu_res();
        self.ensure(r.is_ok(), || format!("resolution failed: {r:?}"));
        let want = if won { status::WON } else { status::LOST };
        self.ensure(self.status(m.id) == want, || "status not recorded".into());
        if !won {
            let owed: u128 = (0..N_BORROWERS)
                .map(|b| self.position(self.borrowers[b].address(), m.id).2)
                .sum();
            self.ensure(owed == 0 && self.p().token_debt(m.id).unwrap() == 0, || {
                "a lost market still owes".into()
            });
        }
        if let Some((ts, psig)) = held {
            // 10. Resolved means resolved: the held price is refused.
            let with_debt = self.positions_where(&[m], |c, s, _| c != 0 && s != 0);
            if let Some(&(b, _)) = with_debt.first() {
                let who = self.borrowers[b].address();
                self.wd.fund(liquidator(), 1_000_000 * UNIT);
                let want = if won {
                    Error::PriceReplayed
                } else {
                    Error::MarketResolved
                };
                let pool = self.wd.pool;
                let price = m.price;
                let r = self.attempt("liquidate at a pre-resolution price", &[want], || {
                    pool.sender(liquidator())
                        .liquidate(
                            who,
                            m.id,
                            u128::MAX,
                            w(price),
                            U256::from(ts),
                            U256::ZERO,
                            &psig,
                        )
                        .motsu_res()
                });
                self.ensure(r.is_err(), || "liquidated at a pre-resolution price".into());
            }
        }
        self.open[i] = self.new_market();
        self.resolved.push(m);
        Ok(())
    }

    /// Redeems a won market, settles a redeemed position or closes a lost
    /// one; forgets resolved markets with nothing left.
    fn settle(&mut self) -> Outcome {
        if self.resolved.is_empty() {
            return self.skip();
        }
        let m = self.rng.pick(&self.resolved.clone());
        let st = self.status(m.id);
        let pool = self.wd.pool;
        let caller = liquidator();
        let r = match st {
            status::WON if self.rng.chance(70) => {
                self.trace.push(format!("redeem won {}", m.id));
                let held = self.wd.ctf_of(pool.address(), m.id);
                let booked = self.p().token_collateral(m.id);
                let got = self.attempt("redeem won", &[], || {
                    pool.sender(caller)
                        .redeem_won_collateral(m.id, m.condition, U256::from(1))
                        .motsu_res()
                })?;
                // At most $1 a share (less on a split payout).
                self.ensure(
                    got <= held && self.p().redemption(m.id) == (got, booked),
                    || format!("redeemed {got} for {held} held ({booked} booked)"),
                );
                // A lender leaves right after the redemption, before anyone
                // settles: the share price it gets already lacks what the
                // proceeds cannot repay (checked by 3b and 5 below).
                if self.rng.chance(50) {
                    let l = lender(self.rng.below(N_LENDERS as u64) as usize);
                    let max = self.p().max_redeem(l).unwrap();
                    if max != 0 {
                        self.trace
                            .push(format!("{l} exits right after the redemption"));
                        pool.sender(l).redeem(max, l, l).motsu_unwrap();
                    }
                }

                Ok(())
            }
            _ => {
                let with_c = self.positions_where(&[m], |c, s, _| c != 0 || s != 0);
                let Some(&(b, _)) = with_c.first() else {
                    return self.skip();
                };
                let who = self.borrowers[b].address();
                let (c, _, debt) = self.position(who, m.id);
                let usdc = self.wd.usdc_of(who);
                self.trace.push(format!(
                    "settle/close borrower {b} on {} (status {st}, c {c}, debt {debt})",
                    m.id
                ));
                match st {
                    status::LOST => {
                        self.attempt("close lost", &[], || {
                            pool.sender(caller)
                                .close_lost_position(who, m.id)
                                .motsu_res()
                        })?;
                        self.ensure(self.position(who, m.id) == (0, 0, 0), || {
                            "lost position not cleared".into()
                        });
                        Ok(())
                    }
                    status::REDEEMED => {
                        let (left, shares_left) = self.p().redemption(m.id);
                        let surplus = self.attempt("settle", &[], || {
                            pool.sender(caller).settle_redemption(who, m.id).motsu_res()
                        })?;
                        // Pro rata, rounded down: payout <= left * c / shares_left.
                        let payout = surplus + debt.min(left);
                        self.ensure(
                            U256::from(surplus) * U256::from(shares_left) <= U256::from(left) * U256::from(c),
                            || format!("settle paid {surplus} of {left} for {c}/{shares_left} (payout {payout})"),
                        );
                        self.ensure(self.wd.usdc_of(who) == usdc + surplus, || {
                            "surplus not paid".into()
                        });
                        self.ensure(self.position(who, m.id) == (0, 0, 0), || {
                            "settled position not cleared".into()
                        });
                        Ok(())
                    }
                    // Won, not yet redeemed: the settle must wait.
                    _ => match self.attempt("settle early", &[Error::NotRedeemed], || {
                        pool.sender(caller).settle_redemption(who, m.id).motsu_res()
                    }) {
                        Ok(_) => self.fail("settled before redemption".into()),
                        Err(e) => Err(e),
                    },
                }
            }
        };
        r
    }

    fn sweep(&mut self) -> Outcome {
        self.trace.push(format!("sweep (donated {})", self.donated));
        let before = self.wd.usdc_of(sink());
        let r = self.attempt("sweep", &[Error::ZeroAmount], || {
            self.wd.pool.sender(self.wd.admin).sweep(sink()).motsu_res()
        });
        match r {
            Err(e) => {
                self.ensure(self.donated == 0, || {
                    format!("sweep of {} failed: {e:?}", self.donated)
                });
                Err(e)
            }
            Ok(x) => {
                self.ensure(
                    x == self.donated && self.wd.usdc_of(sink()) == before + x,
                    || format!("swept {x}, donated {}", self.donated),
                );
                self.donated = 0;
                Ok(())
            }
        }
    }

    fn withdraw_reserves(&mut self) -> Outcome {
        let m = self.p().market().unwrap();
        let x = self.rng.amount(m.reserves.min(m.cash));
        self.trace
            .push(format!("withdraw reserves {x} of {}", m.reserves));
        let (wd, to) = (&self.wd, sink());
        let r = self.attempt(
            "reserves",
            &[
                Error::ZeroAmount,
                Error::ExceedsReserves,
                Error::InsufficientLiquidity,
            ],
            || {
                wd.pool
                    .sender(wd.admin)
                    .withdraw_reserves(to, x)
                    .motsu_res()
            },
        );
        if let Err(e) = r {
            let m = self.p().market().unwrap();
            self.ensure(x == 0 || x > m.reserves.min(m.cash), || {
                format!("reserve withdrawal {x} failed: {e:?}")
            });
            return Err(e);
        }
        Ok(())
    }

    /// 7. Every lender's exit view is its claim (at the exit price) capped
    /// by cash; one lender
    /// actually takes it (paused or not), and a debt-free position leaves.
    fn exit_everyone_check(&mut self) -> Outcome {
        let m = self.p().market().unwrap();
        for i in 0..N_LENDERS {
            let l = lender(i);
            // At the exit price: without the redeemed markets' unsettled
            // receivable (`Market::exit_assets`).
            let claim = self.p().exit_assets_for(self.p().balance_of(l)).unwrap();
            let max = self.p().max_withdraw(l).unwrap();
            self.ensure(max == claim.min(m.cash), || {
                format!(
                    "lender {i}: maxWithdraw {max}, claim {claim}, cash {}",
                    m.cash
                )
            });
        }
        let l = lender(self.rng.below(N_LENDERS as u64) as usize);
        let max = self.p().max_withdraw(l).unwrap();
        self.trace.push(format!("exit lender {l} with {max}"));
        if max != 0 {
            let r = self.wd.pool.sender(l).withdraw(max, l, l).motsu_res();
            self.ensure(r.is_ok(), || format!("lender exit of {max} failed: {r:?}"));
        }
        Ok(())
    }

    // -----------------------------------------------------------------
    // Invariants
    // -----------------------------------------------------------------

    fn check(&mut self, kind: &str, m0: &Market, ta0: u128, supply0: u128) {
        let p = self.p();
        let m = p.market().unwrap();
        let pool = self.wd.pool.address();
        let markets = self.markets();

        // 2. totalAssets and the USDC the pool holds.
        let ta = p.total_assets().unwrap();
        // The virtual shares' part of the lenders' assets (see `orphaned`).
        let virt = (U256::from(ta) * U256::from(1_000_000u64)
            / U256::from(p.total_supply() + 1_000_000))
        .to::<u128>();
        if virt > self.orphaned {
            drop(p);
            self.orphaned = virt;
            return self.check(kind, m0, ta0, supply0);
        }
        self.ensure(ta == m.cash + m.settling + m.borrowed - m.reserves, || {
            format!("after {kind}: totalAssets {ta} != {m:?}")
        });
        let unsettled = self.unsettled();
        let held = self.wd.usdc_of(pool);
        self.ensure(held == m.cash + unsettled + self.donated, || {
            format!("after {kind}: pool holds {held} USDC, books cash {} + unsettled {unsettled} + donated {}", m.cash, self.donated)
        });

        // 3. Debts and collateral add up.
        let (mut shares, mut debts, mut n) = (0u128, 0u128, 0u128);
        let mut receivable = 0u128;
        for k in &markets {
            let st = p.market_status(k.id);
            let (mut c_sum, mut t_shares) = (0u128, 0u128);
            let (mut frozen_sum, mut frozen_n) = (0u128, 0u128);
            for b in self.borrowers {
                let (c, s, d) = p.get_position(b.address(), k.id).unwrap();
                c_sum += c;
                if st == status::REDEEMED {
                    // Frozen at redemption: out of the interest-bearing totals.
                    frozen_sum += d;
                    frozen_n += (s != 0) as u128;
                } else if st != status::LOST {
                    t_shares += s;
                    debts += d;
                    n += (s != 0) as u128;
                } else {
                    self.ensure(d == 0, || "a lost market's position shows debt".into());
                }
            }
            if st == status::REDEEMED {
                // Each frozen debt rounds up, the last takes exactly the rest.
                let frozen = p.token_debt(k.id).unwrap();
                receivable += frozen.min(p.redemption(k.id).0);
                self.ensure(frozen_sum >= frozen && frozen_sum <= frozen + frozen_n, || {
                    format!("after {kind}: token {} frozen debt {frozen}, positions owe {frozen_sum}", k.id)
                });
            }
            shares += t_shares;
            let booked = p.token_collateral(k.id);
            let ctf_held = self.wd.ctf_of(pool, k.id);
            let shares_left = p.redemption(k.id).1;
            self.ensure(booked == c_sum, || {
                format!(
                    "after {kind}: token {} books {booked}, positions hold {c_sum}",
                    k.id
                )
            });
            let ok = match st {
                status::REDEEMED => ctf_held == 0 && shares_left == booked,
                status::LOST => ctf_held >= booked,
                _ => ctf_held == booked,
            };
            self.ensure(ok, || format!("after {kind}: token {} (status {st}) held {ctf_held}, booked {booked}, unsettled shares {shares_left}", k.id));
        }
        // 3b. A loss is in the share price from the moment it is certain:
        // lenders count no more for a redeemed token than its proceeds can
        // repay of its frozen debt.
        self.ensure(receivable == m.settling, || {
            format!(
                "after {kind}: receivable {} booked, redeemed tokens can repay {receivable}",
                m.settling
            )
        });
        self.ensure(shares == m.borrow_shares, || {
            format!(
                "after {kind}: positions' borrow shares {shares} != {}",
                m.borrow_shares
            )
        });
        self.ensure(debts_add_up(&m, debts, n), || {
            format!(
                "after {kind}: positions owe {debts}, pool books {} ({n} positions, {} shares)",
                m.borrowed, m.borrow_shares
            )
        });

        // 11. The pool's drop guards are the model's; auctions run only on
        // positions with debt of open or won markets.
        for k in &markets {
            let stored = Guard::unpack(p.map_word(fields::GUARD, k.id));
            let model = self.guards.get(&k.id).copied().unwrap_or_default();
            self.ensure(stored == model, || {
                format!(
                    "after {kind}: token {} guard {stored:?}, model {model:?}",
                    k.id
                )
            });
            let st = p.market_status(k.id);
            for b in self.borrowers {
                let start = p.auction_start(b.address(), k.id);
                if start == 0 {
                    continue;
                }
                let (_, s, _) = p.get_position(b.address(), k.id).unwrap();
                self.ensure(st == status::LOST || st == status::REDEEMED || s != 0, || {
                    format!("after {kind}: an auction (since {start}) runs on a position without debt on {}", k.id)
                });
            }
        }

        // 4. Supply and claims.
        let mut holders = self.everyone();
        holders.push(pool);
        let balances: u128 = holders.iter().map(|h| p.balance_of(*h)).sum();
        let supply = p.total_supply();
        self.ensure(balances == supply, || {
            format!("after {kind}: balances {balances} != supply {supply}")
        });
        let claims: u128 = holders
            .iter()
            .map(|h| p.assets_for(p.balance_of(*h), Rounding::Down).unwrap())
            .sum();
        self.ensure(claims <= ta, || {
            format!("after {kind}: claims {claims} > totalAssets {ta}")
        });
        drop(p);

        // 5. The share price only falls by the lenders' part of the reported
        // bad debt (reserves take it first).
        let reported = self.reported_bad_debt();
        let (ta1, supply1) = (ta + 1, supply + 1_000_000);
        self.ensure(
            U256::from(ta1 + reported) * U256::from(supply0) >= U256::from(ta0) * U256::from(supply1),
            || format!("after {kind}: share price fell {ta0}/{supply0} -> {ta1}/{supply1}, reported {reported} (market before {m0:?})"),
        );
        self.price = (ta1, supply1);
        self.retire_finished_markets();
    }

    /// Stops tracking lost or redeemed markets without positions: nothing
    /// can happen on them any more (keeps the per-action checks cheap).
    fn retire_finished_markets(&mut self) {
        let finished: Vec<Mkt> = self
            .resolved
            .iter()
            .copied()
            .filter(|k| {
                let st = self.status(k.id);
                (st == status::LOST || st == status::REDEEMED)
                    && self
                        .positions_where(&[*k], |c, s, _| c != 0 || s != 0)
                        .is_empty()
            })
            .collect();
        for k in finished {
            self.retired_unsettled += self.p().redemption(k.id).0;
            self.resolved.retain(|r| r.id != k.id);
        }
    }

    /// Redemption USDC the pool holds for positions not settled yet.
    fn unsettled(&self) -> u128 {
        let p = self.p();
        self.markets()
            .iter()
            .map(|k| p.redemption(k.id).0)
            .sum::<u128>()
            + self.retired_unsettled
    }

    /// Lenders' part of the write-offs emitted since the last call: the
    /// `BadDebtAbsorbed` amounts less the `ReservesAbsorbed` ones (reserves
    /// are first-loss capital). Each reserves' part is at most its write-off.
    fn reported_bad_debt(&mut self) -> u128 {
        let events = self.wd.pool.all_events();
        let new = &events[self.events_seen..];
        let bad: u128 = new
            .iter()
            .filter_map(|log| BadDebtAbsorbed::decode_log_data(log, true).ok())
            .map(|e| e.amount.to::<u128>())
            .sum();
        let reserves: u128 = new
            .iter()
            .filter_map(|log| ReservesAbsorbed::decode_log_data(log, true).ok())
            .map(|e| e.amount.to::<u128>())
            .sum();
        self.events_seen = events.len();
        self.ensure(reserves <= bad, || {
            format!("reserves absorbed {reserves} of {bad} written off")
        });
        bad - reserves
    }

    // -----------------------------------------------------------------
    // Wind-down
    // -----------------------------------------------------------------

    fn wind_down(&mut self) {
        self.trace.push("wind-down".into());
        let admin = self.wd.admin;
        let pool = self.wd.pool;
        pool.sender(admin).set_paused(false).motsu_unwrap();
        for m in self.markets() {
            pool.sender(admin)
                .set_token_frozen(m.id, false)
                .motsu_unwrap();
        }
        let (m0, (ta0, s0)) = (self.p().market().unwrap(), self.price);
        // Won markets are redeemed, then everything settled, closed, repaid.
        for m in self.resolved.clone() {
            if self.status(m.id) == status::WON {
                pool.sender(liquidator())
                    .redeem_won_collateral(m.id, m.condition, U256::from(1))
                    .motsu_unwrap();
            }
        }
        for m in self.markets() {
            for b in 0..N_BORROWERS {
                let who = self.borrowers[b].address();
                let (c, s, debt) = self.position(who, m.id);
                match self.status(m.id) {
                    status::REDEEMED if c != 0 => {
                        pool.sender(liquidator())
                            .settle_redemption(who, m.id)
                            .motsu_unwrap();
                    }
                    status::LOST if c != 0 || s != 0 => {
                        pool.sender(liquidator())
                            .close_lost_position(who, m.id)
                            .motsu_unwrap();
                    }
                    status::OPEN | status::WON => {
                        if s != 0 {
                            self.wd.fund(who, debt);
                            pool.sender(who)
                                .repay_for(who, m.id, u128::MAX)
                                .motsu_unwrap();
                        }
                        if c != 0 {
                            pool.sender(who)
                                .withdraw_collateral(m.id, c, who)
                                .motsu_unwrap();
                        }
                    }
                    _ => {}
                }
            }
        }
        self.check("wind-down", &m0, ta0, s0);
        // Every lender takes everything (twice: an exit can lift another's
        // dust to one unit).
        for _ in 0..2 {
            for i in 0..N_LENDERS {
                let l = lender(i);
                let max = self.p().max_redeem(l).unwrap();
                if max != 0 && self.p().assets_for(max, Rounding::Down).unwrap() != 0 {
                    pool.sender(l).redeem(max, l, l).motsu_unwrap();
                }
            }
        }
        let m = self.p().market().unwrap();
        self.ensure(
            m.borrowed == 0 && m.borrow_shares == 0 && m.settling == 0,
            || format!("debt left: {m:?}"),
        );
        for i in 0..N_LENDERS {
            let l = lender(i);
            let worth = self
                .p()
                .assets_for(self.p().balance_of(l), Rounding::Down)
                .unwrap();
            self.ensure(worth <= 1, || format!("lender {i} left {worth} behind"));
        }
        for k in self.markets() {
            self.ensure(self.p().token_collateral(k.id) == 0, || {
                "collateral left".into()
            });
        }
        // What is left is the reserves, plus rounding dust: each lender's
        // unredeemable remainder (worth < 1 unit) and the 10^6 virtual
        // shares' claim on it; plus, when the supply was ever 0 with lender
        // value left (the known limitation above), at most that value. All
        // USDC held is booked.
        self.ensure(
            m.cash >= m.reserves && m.cash - m.reserves <= LEFTOVER_DUST + self.orphaned,
            || {
                format!(
                    "after the wind-down cash {} vs reserves {} (market {m:?}, supply {}, balances {:?})",
                    m.cash, m.reserves, self.p().total_supply(),
                    self.everyone().iter().map(|a| self.p().balance_of(*a)).collect::<Vec<_>>()
                )
            },
        );
        let unsettled = self.unsettled();
        let held = self.wd.usdc_of(self.wd.pool.address());
        self.ensure(held == m.cash + unsettled + self.donated, || {
            format!(
                "after the wind-down the pool holds {held}, books {} + {unsettled} + {}",
                m.cash, self.donated
            )
        });
    }
}

/// Per kind of action (attempted, succeeded, skipped); jump-risk events seen.
type Stats = (
    BTreeMap<&'static str, (u32, u32, u32)>,
    BTreeMap<&'static str, u32>,
);

fn run(seed: u64, actions: usize, borrowers: &[Account]) -> Stats {
    let pool = Contract::<LendingPool>::new();
    let usdc = Contract::<MockUsdc>::new();
    let ctf = Contract::<MockCtf>::new();
    let wd = World::new(&pool, &usdc, &ctf);
    // Lower the per-token cap to 25% so it binds sometimes, not always.
    wd.set_cap(2_500);
    let mut c = Campaign {
        wd,
        rng: Rng(seed),
        borrowers,
        open: Vec::new(),
        resolved: Vec::new(),
        next_condition: seed * 1_000_000,
        donated: 0,
        retired_unsettled: 0,
        price: (1, 1_000_000),
        orphaned: 0,
        events_seen: 0,
        trace: vec![seed.to_string()],
        stats: BTreeMap::new(),
        skipped: false,
        guards: BTreeMap::new(),
        schedule_ts: BTreeMap::new(),
        seen: BTreeMap::new(),
    };
    for _ in 0..N_OPEN {
        let m = c.new_market();
        c.open.push(m);
    }
    // 600,000 USDC: with the 25% cap a token may carry 150,000, so borrows
    // reach `AUCTION_MIN_DEBT` (50,000) and large positions need auctions.
    for i in 0..N_LENDERS {
        c.wd.lend(lender(i), usd(100_000 * (i as u128 + 1)));
    }
    c.price = {
        let ta = c.p().total_assets().unwrap();
        (ta + 1, c.p().total_supply() + 1_000_000)
    };
    c.reported_bad_debt();
    for n in 0..actions {
        c.step(n);
    }
    c.wind_down();
    (c.stats, c.seen)
}

#[motsu::test]
fn ten_thousand_random_actions_keep_every_invariant() {
    let total: usize = std::env::var("INVARIANT_ACTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let per_run: usize = std::env::var("INVARIANT_RUN")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let borrowers: Vec<Account> = (0..N_BORROWERS)
        .map(|i| Account::from_seed(&format!("campaign-borrower-{i}")))
        .collect();
    let (seeds, total): (Vec<u64>, usize) = match std::env::var("INVARIANT_SEED") {
        // Replays one run of `INVARIANT_RUN` actions.
        Ok(s) => (
            vec![s.parse().expect("INVARIANT_SEED is a number")],
            per_run,
        ),
        Err(_) => ((1..=total.div_ceil(per_run) as u64).collect(), total),
    };
    let mut stats: BTreeMap<&'static str, (u32, u32, u32)> = BTreeMap::new();
    let mut seen: BTreeMap<&'static str, u32> = BTreeMap::new();
    let mut done = 0;
    for seed in seeds {
        let n = per_run.min(total - done.min(total)).max(1);
        let (st, sn) = run(seed, n, &borrowers);
        for (k, (ran, ok, skipped)) in st {
            let e = stats.entry(k).or_default();
            e.0 += ran;
            e.1 += ok;
            e.2 += skipped;
        }
        for (k, x) in sn {
            *seen.entry(k).or_default() += x;
        }
        done += n;
    }
    eprintln!("{done} actions: {stats:?}");
    eprintln!("jump risk: {seen:?}");
    assert!(done >= total, "ran {done} of {total} actions");
    // The generator keeps reaching every kind of action, and each succeeds;
    // and every jump-risk defence is met.
    if total >= 10_000 {
        assert_eq!(stats.len(), 26, "every kind of action ran: {stats:?}");
        for (kind, (ran, ok, _)) in &stats {
            assert!(*ok > 0, "no {kind} succeeded in {ran} attempts");
        }
        for what in [
            "borrow to a large position",
            "liquidation: auction required",
            "auction started",
            "liquidation in an auction",
            "borrow refused: closing",
            "borrow refused: guard",
            "withdrawal refused: guard",
            "liquidation at a decayed threshold",
        ] {
            assert!(
                seen.get(what).copied().unwrap_or(0) > 0,
                "never saw {what}: {seen:?}"
            );
        }
    }
}

/// Reproduction of what seed 2 of the campaign found (wind-down: 8.99 USDC
/// left with no pUSDC outstanding): the last lender out while a redeemed
/// market's receivable is unsettled exits at the exit price (without the
/// receivable, `Market::exit_assets`); the receivable then settles into
/// cash that no share claims but the virtual ones: nobody can ever take it
/// (not a donation, not reserves). Contract issue, not fixed here:
/// THREAT_MODEL known limitation 13. This test pins the limitation as it
/// is (the stranded amount is the receivable less what the lender's few
/// remaining share units own); when it is fixed it must flip to "nothing
/// beyond the reserves is left".
#[motsu::test]
fn last_lender_out_before_a_settlement_strands_the_receivable(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let l = lender(0);
    wd.lend(l, usd(100_000));
    let condition = B256::repeat_byte(7);
    let id = position_id(
        usdc.address(),
        collection_id(B256::ZERO, condition, U256::from(1)),
    );
    let b = Account::from_seed("stranded-borrower");
    wd.collateral(b.address(), id, usd(20_000));
    wd.borrow(&b, id, usd(5_000), cents(50)).unwrap();
    // Won, paid in full: 20,000 USDC for a frozen debt of ~5,000.
    ctf.sender(wd.admin)
        .set_payout(condition, U256::from(1), U256::from(10_000));
    usdc.sender(wd.admin)
        .mint(ctf.address(), w(usd(20_000)))
        .motsu_unwrap();
    let ts = wd.now();
    pool.sender(wd.admin)
        .resolve_market(id, true, U256::from(ts), &wd.resolution_sig(id, true, ts))
        .motsu_unwrap();
    pool.sender(wd.admin)
        .redeem_won_collateral(id, condition, U256::from(1))
        .motsu_unwrap();
    let settling = pool.sender(l).market().unwrap().settling;
    assert!(settling >= usd(5_000));
    // The only lender leaves before the settlement, at the exit price.
    let max = pool.sender(l).max_redeem(l).unwrap();
    pool.sender(l).redeem(max, l, l).motsu_unwrap();
    pool.sender(l)
        .settle_redemption(b.address(), id)
        .motsu_unwrap();
    let m = pool.sender(l).market().unwrap();
    let supply = pool.sender(l).total_supply();
    // Known limitation 13: beyond the reserves, what is left is owned by
    // the virtual shares (and the lender's unredeemable remainder), most of
    // the settled receivable: nobody can take it.
    let claim = pool
        .sender(l)
        .assets_for(pool.sender(l).balance_of(l), Rounding::Down)
        .unwrap();
    let stranded = m.cash - m.reserves - claim;
    assert!(
        stranded > usd(4_000) && stranded <= settling,
        "stranded: cash {} reserves {} supply {supply} claim {claim} settling {settling}",
        m.cash,
        m.reserves,
    );
}
