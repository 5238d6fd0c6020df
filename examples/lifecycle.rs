//! The whole life of a PredMart pool, as a story, on the in-process test VM
//! (motsu): lenders deposit, a borrower pushes shares and borrows through the
//! relayer with an oracle price, a year of interest accrues, the price drops,
//! a liquidator acts, the market resolves, positions settle, lenders redeem.
//!
//! Every number printed is read from the contract. Run: `scripts/demo.sh`
//! (or `cargo run --example lifecycle`).

#[path = "../tests/common/mod.rs"]
mod common;

use alloy_primitives::{Address, B256, U256};
use common::*;
use motsu::prelude::*;
use predmart_pool::{math::Rounding, LendingPool};

fn money(v: u128) -> String {
    let (whole, frac) = (v / UNIT, v % UNIT);
    let mut s = whole.to_string();
    let mut i = s.len() as isize - 3;
    while i > 0 {
        s.insert(i as usize, ',');
        i -= 3;
    }
    format!("${s}.{:02}", frac / 10_000)
}

fn pct(v: U256) -> String {
    if v == U256::MAX {
        return "max".into();
    }
    let v: u128 = v.to();
    format!("{}.{:02}%", v / PCT, (v % PCT) * 100 / PCT)
}

fn ratio(v: U256) -> String {
    if v == U256::MAX {
        return "inf".into();
    }
    let v: u128 = v.to();
    format!("{}.{:03}", v / WAD, (v % WAD) / (WAD / 1000))
}

fn shares(v: u128) -> String {
    format!("{}.{:02}", v / UNIT, (v % UNIT) / 10_000)
}

fn main() {
    // What `#[motsu::test]` does for tests: the ecrecover precompile at 0x01.
    let _precompiles = motsu::prelude::deploy_precompiles();
    let (pool, usdc, ctf) = (
        Contract::<LendingPool>::new(),
        Contract::<MockUsdc>::new(),
        Contract::<MockCtf>::new(),
    );
    let wd = World::new(&pool, &usdc, &ctf);
    let view = || pool.sender(Address::ZERO);
    let (ana, ben) = (Address::with_last_byte(0xa1), Address::with_last_byte(0xb1));
    let keeper = Address::with_last_byte(0x1c);
    let alice = Account::from_seed("alice");
    let condition = B256::repeat_byte(0x42);
    let yes = U256::from(1);
    let id = position_id(usdc.address(), collection_id(B256::ZERO, condition, yes));
    ctf.sender(ana).set_winner(condition, yes);
    usdc.sender(ana)
        .mint(ctf.address(), w(usd(1_000_000)))
        .motsu_unwrap();

    println!("PredMart lending pool: one Stylus contract, run here on the motsu test VM.");
    println!(
        "Pool {}  USDC {}  CTF {}",
        pool.address(),
        usdc.address(),
        ctf.address()
    );
    println!(
        "Roles: admin {}, oracle {}, relayer {}\n",
        wd.admin,
        wd.oracle.address(),
        wd.relayer
    );

    println!("1. Lenders deposit USDC and receive pUSDC (12 decimals).");
    let a_sh = wd.lend(ana, usd(150_000));
    let b_sh = wd.lend(ben, usd(50_000));
    println!(
        "   Ana deposits {} -> {} pUSDC units; Ben deposits {} -> {} pUSDC units",
        money(usd(150_000)),
        a_sh,
        money(usd(50_000)),
        b_sh
    );
    println!(
        "   totalAssets {}, pool cap per token {} (5%)\n",
        money(view().total_assets().unwrap()),
        money(view().token_borrow_cap().unwrap())
    );

    println!("2. Alice pushes 15,000 YES shares with ctf.safeTransferFrom(alice, pool, id, amount, \"\").");
    wd.collateral(alice.address(), id, usd(15_000));
    let (c, _, _) = view().get_position(alice.address(), id).unwrap();
    println!(
        "   position: {} shares of token {}..",
        shares(c),
        &id.to_string()[..12]
    );
    println!(
        "   at $0.65 the LTV is {}, liquidation threshold {}, max borrow (99.5% haircut) {}\n",
        pct(U256::from(view().curve().ltv(cents(65)))),
        pct(U256::from(view().curve().liquidation_threshold(cents(65)))),
        money(view().max_borrow(alice.address(), id, cents(65)).unwrap())
    );

    println!("3. Alice signs a BorrowIntent for $5,500; the oracle signs PriceData($0.65); the relayer submits.");
    wd.borrow(&alice, id, usd(5_500), cents(65)).unwrap();
    let (_, _, debt) = view().get_position(alice.address(), id).unwrap();
    println!(
        "   Alice received {} (the relayer {}); her debt {}; nonce now {}",
        money(wd.usdc_of(alice.address())),
        money(wd.usdc_of(wd.relayer)),
        money(debt),
        view().nonces(alice.address())
    );
    println!(
        "   health factor {} at $0.65, liquidation price ${}; utilization {}, borrow APR {}, supply APR {}\n",
        ratio(view().get_health_factor(alice.address(), id, cents(65)).unwrap()),
        ratio(view().liquidation_price(alice.address(), id).unwrap()),
        pct(U256::from(view().market().unwrap().utilization().unwrap())),
        pct(wd.abi(ana, IPool::getBorrowRateCall {}).unwrap()._0),
        pct(wd.abi(ana, IPool::getSupplyRateCall {}).unwrap()._0),
    );

    println!("4. A year passes.");
    advance(31_557_600);
    pool.sender(keeper).accrue().motsu_unwrap();
    let (_, _, debt) = view().get_position(alice.address(), id).unwrap();
    println!(
        "   Alice owes {}; reserves {}; Ana's pUSDC is worth {}\n",
        money(debt),
        money(view().market().unwrap().reserves),
        money(view().assets_for(a_sh, Rounding::Down).unwrap())
    );

    println!("5. The price drops to $0.57.");
    println!(
        "   health factor {}: liquidatable",
        ratio(
            view()
                .get_health_factor(alice.address(), id, cents(57))
                .unwrap()
        )
    );
    wd.fund(keeper, usd(20_000));
    let seized = wd
        .liquidate(keeper, alice.address(), id, u128::MAX, cents(57))
        .unwrap();
    let (c, _, debt) = view().get_position(alice.address(), id).unwrap();
    println!(
        "   a keeper repays {} and receives {} shares (5% bonus)",
        money(usd(20_000) - wd.usdc_of(keeper)),
        shares(seized)
    );
    println!(
        "   Alice keeps {} shares and owes {}; health factor {}\n",
        shares(c),
        money(debt),
        ratio(
            view()
                .get_health_factor(alice.address(), id, cents(57))
                .unwrap()
        )
    );

    println!("6. The market resolves YES (oracle-signed Resolution), and anyone redeems the pool's shares.");
    let ts = wd.now();
    pool.sender(keeper)
        .resolve_market(id, true, U256::from(ts), &wd.resolution_sig(id, true, ts))
        .motsu_unwrap();
    let got = pool
        .sender(keeper)
        .redeem_won_collateral(id, condition, yes)
        .motsu_unwrap();
    println!(
        "   the CTF paid {} for {} shares\n",
        money(got),
        shares(view().redemption(id).1)
    );

    println!("7. Alice's position settles from its share of the proceeds.");
    let before = wd.usdc_of(alice.address());
    let surplus = pool
        .sender(keeper)
        .settle_redemption(alice.address(), id)
        .motsu_unwrap();
    println!(
        "   debt repaid, surplus {} sent to Alice (she now holds {})\n",
        money(surplus),
        money(before + surplus)
    );

    println!("8. Lenders redeem.");
    let ana_out = pool.sender(ana).redeem(a_sh, ana, ana).motsu_unwrap();
    let ben_out = pool.sender(ben).redeem(b_sh, ben, ben).motsu_unwrap();
    println!(
        "   Ana gets {} for her {}, Ben {} for his {}",
        money(ana_out),
        money(usd(150_000)),
        money(ben_out),
        money(usd(50_000))
    );
    let m = view().market().unwrap();
    println!(
        "   left in the pool: cash {} = reserves {} (+ rounding dust), debt {}",
        money(m.cash),
        money(m.reserves),
        money(m.borrowed)
    );
}
