//! The whole life of a PredMart pool as a story, written once over
//! [`Backend`]: `examples/lifecycle.rs` tells it on motsu,
//! `examples/lifecycle_wasm.rs` on the release WASM in the embedded Stylus
//! runtime next to the real Gnosis `ConditionalTokens` and the Solidity
//! `TestUSDC` (with the gas of every transaction). It starts where a real
//! user starts: the oracle prepares a market on the CTF, Alice splits USDC
//! into YES and NO and pushes her YES to the pool. Before the outcome the
//! oracle schedules the market's end: no new borrows in the last 7 days and
//! a liquidation threshold decaying to 0 push Alice to repay; on a second
//! market a crash meets the price-drop guard and a large position goes
//! through a Dutch auction. At the end the oracle reports the payout on the
//! CTF and the pool redeems through `redeemPositions`. Every number printed
//! is read from the contracts through their ABI.

use alloy_primitives::{Address, U256};
use alloy_sol_types::{SolError, SolEvent};
use motsu::prelude::Account;

use super::{Backend, Out};
use crate::common::{cents, usd, IPool, PCT, UNIT, WAD};

pub fn money(v: u128) -> String {
    let (whole, frac) = (v / UNIT, v % UNIT);
    let mut s = whole.to_string();
    let mut i = s.len() as isize - 3;
    while i > 0 {
        s.insert(i as usize, ',');
        i -= 3;
    }
    format!("${s}.{:02}", frac / 10_000)
}

pub fn pct(v: U256) -> String {
    if v == U256::MAX {
        return "max".into();
    }
    let v: u128 = v.to();
    format!("{}.{:02}%", v / PCT, (v % PCT) * 100 / PCT)
}

pub fn ratio(v: U256) -> String {
    if v == U256::MAX {
        return "inf".into();
    }
    let v: u128 = v.to();
    format!("{}.{:03}", v / WAD, (v % WAD) / (WAD / 1000))
}

pub fn shares(v: u128) -> String {
    format!("{}.{:02}", v / UNIT, (v % UNIT) / 10_000)
}

/// Thousands separators.
pub fn thousands(v: u64) -> String {
    let s = v.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Asserts success and, on the runtime, prints the transaction's gas.
#[track_caller]
fn step(what: &str, o: Out) -> Out {
    let o = o.expect(what);
    if let Some((used, parts)) = o.gas {
        println!("      [{what}: {} gas = {parts}]", thousands(used));
    }
    o
}

/// Tells the story on `b`; `vm` names the backend in the title.
pub fn lifecycle<B: Backend>(b: &mut B, vm: &str) {
    let (ana, ben) = (Address::with_last_byte(0xa1), Address::with_last_byte(0xb1));
    let keeper = Address::with_last_byte(0x1c);
    let alice = Account::from_seed("alice");
    let market = super::market(1);
    let (condition, id, yes) = (market.condition, market.yes, U256::from(1));

    println!("PredMart lending pool: one Stylus contract, run here on {vm}.");
    println!(
        "Pool {}  USDC {}  CTF {}",
        b.pool(),
        super::usdc_addr(),
        super::ctf_addr()
    );
    println!(
        "Roles: admin {}, oracle {}, relayer {}\n",
        b.admin(),
        super::oracle_account().address(),
        b.relayer()
    );

    println!("1. Lenders deposit USDC and receive pUSDC (12 decimals).");
    let a_sh: u128 = step("deposit", b.lend(ana, usd(150_000)))
        .ret::<IPool::depositCall>()
        .shares
        .to();
    let b_sh: u128 = step("deposit", b.lend(ben, usd(50_000)))
        .ret::<IPool::depositCall>()
        .shares
        .to();
    println!(
        "   Ana deposits {} -> {} pUSDC units; Ben deposits {} -> {} pUSDC units",
        money(usd(150_000)),
        a_sh,
        money(usd(50_000)),
        b_sh
    );
    println!(
        "   totalAssets {}, pool cap per token {} (5%)\n",
        money(b.get(IPool::totalAssetsCall {})._0.to()),
        money(b.get(IPool::tokenBorrowCapCall {})._0.to())
    );

    println!("2. The oracle prepares a YES/NO market on the CTF (prepareCondition(oracle, question, 2));");
    println!("   Alice splits 15,000 USDC into 15,000 YES + 15,000 NO (ctf.splitPosition) and pushes her YES");
    println!("   with ctf.safeTransferFrom(alice, pool, id, amount, \"\"): the CTF calls the pool's onERC1155Received.");
    let split = b.ctf_split(alice.address(), &market, usd(15_000));
    if let Some(g) = split {
        println!("      [ctf.splitPosition: {} gas]", thousands(g));
    }
    let pool = b.pool();
    step(
        "ctf.safeTransferFrom",
        b.ctf_push(alice.address(), pool, &[id], &[usd(15_000)], vec![], false),
    );
    println!(
        "   condition {}.., YES position id {}.. (getCollectionId, getPositionId); Alice keeps {} NO",
        &condition.to_string()[..12],
        &id.to_string()[..12],
        shares(b.ctf_of(alice.address(), market.no))
    );
    let (c, _, _) = b.position(alice.address(), id);
    println!(
        "   position: {} shares of token {}..",
        shares(c),
        &id.to_string()[..12]
    );
    let p65 = U256::from(cents(65));
    println!(
        "   at $0.65 the LTV is {}, liquidation threshold {}, max borrow (99.5% haircut) {}\n",
        pct(b.get(IPool::getLtvCall { price: p65 })._0),
        pct(b.get(IPool::getLiquidationThresholdCall { price: p65 })._0),
        money(
            b.get(IPool::maxBorrowCall {
                borrower: alice.address(),
                tokenId: id,
                price: p65
            })
            ._0
            .to()
        )
    );

    println!("3. Alice signs a BorrowIntent for $5,500; the oracle signs PriceData($0.65); the relayer submits.");
    step(
        "borrowViaRelay",
        b.borrow(&alice, id, usd(5_500), cents(65)),
    );
    let (_, _, debt) = b.position(alice.address(), id);
    let relayer = b.relayer();
    println!(
        "   Alice received {} (the relayer {}); her debt {}; nonce now {}",
        money(b.usdc_of(alice.address())),
        money(b.usdc_of(relayer)),
        money(debt),
        b.nonce(alice.address())
    );
    println!(
        "   health factor {} at $0.65, liquidation price ${}; utilization {}, borrow APR {}, supply APR {}\n",
        ratio(b.health(alice.address(), id, cents(65))),
        ratio(
            b.get(IPool::liquidationPriceCall {
                borrower: alice.address(),
                tokenId: id
            })
            ._0
        ),
        pct(b.get(IPool::getUtilizationCall {})._0),
        pct(b.get(IPool::getBorrowRateCall {})._0),
        pct(b.get(IPool::getSupplyRateCall {})._0),
    );

    println!("4. A year passes.");
    b.advance(31_557_600);
    step(
        "accrueInterest",
        b.call(keeper, IPool::accrueInterestCall {}),
    );
    let (_, _, debt) = b.position(alice.address(), id);
    println!(
        "   Alice owes {}; reserves {}; Ana's pUSDC is worth {}\n",
        money(debt),
        money(b.get(IPool::reservesCall {})._0.to()),
        money(
            b.get(IPool::convertToAssetsCall {
                shares: U256::from(a_sh)
            })
            ._0
            .to()
        )
    );

    println!("5. The price drops to $0.57.");
    println!(
        "   health factor {}: liquidatable",
        ratio(b.health(alice.address(), id, cents(57)))
    );
    b.fund(keeper, usd(20_000));
    let seized: u128 = step(
        "liquidate",
        b.liquidate(
            keeper,
            alice.address(),
            id,
            U256::from(u128::MAX),
            cents(57),
        ),
    )
    .ret::<IPool::liquidateCall>()
    .seized
    .to();
    let (c, _, debt) = b.position(alice.address(), id);
    println!(
        "   a keeper repays {} and receives {} shares (5% bonus)",
        money(usd(20_000) - b.usdc_of(keeper)),
        shares(seized)
    );
    println!(
        "   Alice keeps {} shares and owes {}; health factor {}\n",
        shares(c),
        money(debt),
        ratio(b.health(alice.address(), id, cents(57)))
    );

    end_date(b, &alice, id, keeper);
    crash_and_auction(b, keeper);

    println!("8. The market resolves YES: the oracle reports the payout on the CTF (reportPayouts(question, [1, 0]))");
    println!("   and signs a Resolution for the pool; anyone then redeems the pool's shares (ctf.redeemPositions).");
    b.ctf_set_winner(condition, yes);
    step("resolveMarket", b.resolve(keeper, id, true));
    let got: u128 = step(
        "redeemWonCollateral",
        b.call(
            keeper,
            IPool::redeemWonCollateralCall {
                tokenId: id,
                conditionId: condition,
                indexSet: yes,
            },
        ),
    )
    .ret::<IPool::redeemWonCollateralCall>()
    .usdcReceived
    .to();
    println!(
        "   the CTF paid {} for {} shares\n",
        money(got),
        shares(b.get(IPool::redemptionCall { tokenId: id }).sharesLeft.to())
    );

    println!("9. Alice's position settles from its share of the proceeds.");
    let before = b.usdc_of(alice.address());
    let surplus: u128 = step(
        "settleRedemption",
        b.call(
            keeper,
            IPool::settleRedemptionCall {
                borrower: alice.address(),
                tokenId: id,
            },
        ),
    )
    .ret::<IPool::settleRedemptionCall>()
    .surplus
    .to();
    println!(
        "   debt repaid, surplus {} sent to Alice (she now holds {})\n",
        money(surplus),
        money(before + surplus)
    );

    println!("10. Lenders redeem.");
    let redeem = |b: &mut B, who: Address, sh: u128| -> u128 {
        step(
            "redeem",
            b.call(
                who,
                IPool::redeemCall {
                    shares: U256::from(sh),
                    receiver: who,
                    owner: who,
                },
            ),
        )
        .ret::<IPool::redeemCall>()
        .assets
        .to()
    };
    let ana_out = redeem(b, ana, a_sh);
    let ben_out = redeem(b, ben, b_sh);
    println!(
        "   Ana gets {} for her {}, Ben {} for his {}",
        money(ana_out),
        money(usd(150_000)),
        money(ben_out),
        money(usd(50_000))
    );
    println!(
        "   left in the pool: cash {} = reserves {} (+ rounding dust), debt {}",
        money(b.get(IPool::cashCall {})._0.to()),
        money(b.get(IPool::reservesCall {})._0.to()),
        money(b.get(IPool::totalBorrowAssetsCall {})._0.to())
    );
}

const DAY: u64 = 86_400;

/// Chapter 6: the market's end date approaches; the liquidation threshold
/// decays over the last 7 days and pushes Alice to repay before the news.
fn end_date<B: Backend>(b: &mut B, alice: &Account, id: U256, keeper: Address) {
    let who = alice.address();
    let liq_price = |b: &mut B| {
        ratio(
            b.get(IPool::liquidationPriceCall {
                borrower: who,
                tokenId: id,
            })
            ._0,
        )
    };
    println!("6. The market's end date approaches. The oracle signs a MarketSchedule (the outcome is expected in");
    println!("   10 days) and a keeper submits it (scheduleMarket). From 7 days before the end the token takes no");
    println!("   new borrows and its liquidation threshold falls linearly to 0 at the end date.");
    let end = b.now() + 10 * DAY;
    step("scheduleMarket", b.schedule(keeper, id, end));
    let end: u64 = b.get(IPool::marketEndTimeCall { tokenId: id }).endTime.to();
    println!(
        "   marketEndTime {end} ({} days away); at $0.57 Alice's health factor is still {}, liquidation price ${}",
        (end - b.now()) / DAY,
        ratio(b.health(who, id, cents(57))),
        liq_price(b)
    );
    b.advance(end - 7 * DAY - b.now());
    let o = b.borrow(alice, id, usd(500), cents(57));
    assert_eq!(o.selector(), Some(IPool::MarketClosing::SELECTOR));
    println!(
        "   Three days later the window opens. Alice asks for $500 more: refused, MarketClosing(); maxBorrow {}",
        money(
            b.get(IPool::maxBorrowCall {
                borrower: who,
                tokenId: id,
                price: U256::from(cents(57)),
            })
            ._0
            .to()
        )
    );
    println!("   At the same price, $0.57, every day takes a seventh of her threshold away:");
    let pool = b.pool();
    b.usdc_approve(who, pool, U256::MAX);
    for left in (1..=7u64).rev() {
        b.advance(end - left * DAY - b.now());
        let (_, _, debt) = b.position(who, id);
        let hf = b.health(who, id, cents(57));
        assert!(debt == 0 || hf >= U256::from(WAD), "Alice stays healthy");
        println!(
            "   {left} day{} left: she owes {}, health factor {}, liquidation price ${}",
            if left == 1 { " " } else { "s" },
            money(debt),
            ratio(hf),
            liq_price(b)
        );
        // She repays half when the window opens, and the rest before the
        // last days would take her below 1.
        let repay = match left {
            7 => debt / 2,
            3 => u128::MAX,
            _ => continue,
        };
        let paid: u128 = step(
            "repay",
            b.call(
                who,
                IPool::repayCall {
                    tokenId: id,
                    amount: U256::from(repay),
                },
            ),
        )
        .ret::<IPool::repayCall>()
        .repaid
        .to();
        let (_, _, debt) = b.position(who, id);
        println!(
            "      Alice repays {} from the USDC she borrowed: she owes {}, health factor {}",
            money(paid),
            money(debt),
            ratio(b.health(who, id, cents(57)))
        );
        if debt == 0 {
            break;
        }
    }
    b.advance(end - b.now());
    let (c, _, debt) = b.position(who, id);
    println!(
        "   The end date: her threshold is now 0 (any debt is liquidatable); she owes {} and keeps her {} shares\n",
        money(debt),
        shares(c)
    );
}

/// Chapter 7: a large position on another market, a price crash in a
/// minute: the on-chain price-drop guard, then a Dutch auction.
fn crash_and_auction<B: Backend>(b: &mut B, keeper: Address) {
    let carol_acc = Account::from_seed("carol");
    let carol = carol_acc.address();
    let m = super::market(2);
    let yes = m.yes;
    println!("7. Another market, a large position and a crash.");
    let admin = b.admin();
    step(
        "propose",
        b.call(
            admin,
            IPool::proposeCall {
                kind: 2,
                value: U256::from(4_000),
            },
        ),
    );
    step("execute", b.call(admin, IPool::executeCall { kind: 2 }));
    println!(
        "   The admin raises the pool cap per token to 40% (propose + execute, timelock delay {} s here): {}",
        b.get(IPool::timelockDelayCall {})._0,
        money(b.get(IPool::tokenBorrowCapCall {})._0.to())
    );
    if let Some(g) = b.ctf_split(carol, &m, usd(200_000)) {
        println!("      [ctf.splitPosition: {} gas]", thousands(g));
    }
    let pool = b.pool();
    step(
        "ctf.safeTransferFrom",
        b.ctf_push(carol, pool, &[yes], &[usd(200_000)], vec![], false),
    );
    step(
        "borrowViaRelay",
        b.borrow(&carol_acc, yes, usd(60_000), cents(70)),
    );
    let (c, _, debt) = b.position(carol, yes);
    println!(
        "   Carol pushes {} YES of a second market and borrows {} at $0.70 (health factor {})",
        shares(c),
        money(debt),
        ratio(b.health(carol, yes, cents(70)))
    );
    b.advance(60);
    let o = b.borrow(&carol_acc, yes, usd(1_000), cents(45));
    assert_eq!(o.selector(), Some(IPool::PriceDropGuard::SELECTOR));
    println!("   A minute later news breaks and YES falls to $0.45. A borrow signed at that price is refused by the");
    println!("   pool itself: PriceDropGuard() (more than 35% and $0.08 below the $0.70 it accepted a minute ago).");
    b.fund(keeper, usd(60_000));
    let o = b.liquidate(keeper, carol, yes, U256::from(u128::MAX), cents(45));
    assert_eq!(o.selector(), Some(IPool::AuctionRequired::SELECTOR));
    println!(
        "   Carol's health factor at $0.45 is {}; she owes at least $50,000, so a direct liquidation is refused:",
        ratio(b.health(carol, yes, cents(45)))
    );
    println!("   AuctionRequired(). A keeper starts a Dutch auction (startAuction): the bonus rises from 0% to 10%");
    println!("   over 30 minutes, and the first liquidator who finds it worth it takes it.");
    let start = step(
        "startAuction",
        b.start_auction(keeper, carol, yes, cents(45)),
    )
    .ret::<IPool::startAuctionCall>()
    .start;
    assert_eq!(
        start,
        b.get(IPool::auctionStartCall {
            borrower: carol,
            tokenId: yes
        })
        .start
    );
    b.advance(900);
    let before = b.usdc_of(keeper);
    let o = step(
        "liquidate",
        b.liquidate(keeper, carol, yes, U256::from(u128::MAX), cents(45)),
    );
    let seized: u128 = o.ret::<IPool::liquidateCall>().seized.to();
    let cleared = o
        .event_ids()
        .contains(&IPool::AuctionCleared::SIGNATURE_HASH);
    let (c, _, debt) = b.position(carol, yes);
    println!(
        "   auctionStart {start}. 15 minutes later the bonus is 5%, and below 0.95 the whole debt may be repaid:"
    );
    println!(
        "   a keeper repays {} and receives {} shares; Carol keeps {} shares and owes {};",
        money(before - b.usdc_of(keeper)),
        shares(seized),
        shares(c),
        money(debt)
    );
    println!(
        "   the auction is over{}: auctionStart {}\n",
        if cleared { " (AuctionCleared)" } else { "" },
        b.get(IPool::auctionStartCall {
            borrower: carol,
            tokenId: yes
        })
        .start
    );
}
