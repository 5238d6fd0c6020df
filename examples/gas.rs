//! Gas per pool operation on the release WASM (`target/initcode.hex`) with
//! the Solidity TestUSDC and Gnosis's real ConditionalTokens (EVM bytecode,
//! `contracts/build-sol.sh`) and the EIP-1271 test wallet WASM, in the
//! embedded Stylus runtime on revm (`runtime/`). Prints Markdown tables.
//!
//! cold = the first time the operation touches its storage (first deposit
//! into a fresh pool, first borrow of a position, first push of a token id,
//! a receiver's first tokens, ...); warm = the same operation repeated at
//! once on the now-initialised storage. Every transaction starts with cold
//! EIP-2929 access sets, as on chain. The breakdown is of the cold run.
//!
//! Every scenario runs twice on fresh chains: with no program cached, and
//! with the pool in the cache manager's cache
//! (`cargo stylus cache bid`, README step 4: a call then pays `cachedGas`
//! only). A second table replays PredMart v0.8's gas scenarios (its
//! Solidity contract, measured by receipt `gasUsed`) and compares.
//!
//! Run: `scripts/gas.sh` (builds what it needs, rewrites `.gas-snapshot`),
//! or after `cargo stylus get-initcode --output target/initcode.hex`,
//! `contracts/build.sh` and `contracts/build-sol.sh`: `cargo run --example gas [-- --snapshot FILE |
//! --check FILE]`. `--check` compares every scenario with the snapshot and
//! fails on a difference above 1% (`scripts/test.sh` runs it).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

use alloy_primitives::{Address, U256};
use common::{cents, usd, IPool};
use motsu::prelude::Account;
use stylus_runtime::GasBreakdown;
use support::{story::thousands, Backend, Chain, Out};

type G = (u64, GasBreakdown);

#[track_caller]
fn g(what: &str, o: Out) -> G {
    o.expect(what).gas.expect("runtime gas")
}

struct Row {
    op: &'static str,
    cold: G,
    warm: Option<G>,
    note: &'static str,
}

/// A PredMart v0.8 scenario replayed here: its gas on the Solidity
/// contract, and ours.
struct Versus {
    key: &'static str,
    op: &'static str,
    predmart: u64,
    ours: G,
}

/// PredMart v0.8.0 (solc 0.8.27 via-IR, behind its ERC-1967 proxy, local
/// EVM node, receipt gasUsed), as issue 14 records them.
const PREDMART: [(&str, &str, u64); 12] = [
    (
        "deposit_first",
        "lender's first `deposit` into a fresh pool",
        159_449,
    ),
    (
        "collateral_in",
        "collateral in (PredMart: setApprovalForAll + depositCollateral; here: one push)",
        147_038,
    ),
    (
        "borrow_first",
        "`borrowViaRelay`, the position's first borrow",
        231_386,
    ),
    (
        "borrow_second",
        "`borrowViaRelay`, a second borrow on the same position",
        171_213,
    ),
    (
        "repay_half_30d",
        "`repay` half, 30 days after the borrow",
        91_337,
    ),
    ("repay_full", "`repay` in full (max)", 74_795),
    (
        "withdraw_relay_no_debt",
        "`withdrawViaRelay` of collateral, no debt",
        99_752,
    ),
    (
        "withdraw_relay_debt",
        "`withdrawViaRelay` of collateral, with debt",
        142_937,
    ),
    (
        "liquidate_partial",
        "`liquidate`, partial (50% close factor)",
        170_645,
    ),
    ("liquidate_underwater", "`liquidate`, underwater", 143_122),
    ("lender_redeem", "lender `redeem`", 81_580),
    ("lender_withdraw", "lender `withdraw`", 98_684),
];

/// One run's measurements.
struct Run {
    rows: Vec<Row>,
    versus: Vec<Versus>,
    chain: Chain,
}

fn addr(b: u8) -> Address {
    Address::with_last_byte(b)
}

fn run(cached: bool) -> Run {
    let mut c = Chain::new();
    if cached {
        // The tokens are Solidity (EVM) contracts: the pool is the only
        // program to cache (the EIP-1271 wallet stays uncached, as a
        // user's wallet would be).
        assert!(c.w.cache_program(support::pool_addr()), "cache the pool");
    }
    let mut ours: Vec<(&'static str, G)> = Vec::new();
    // Every transaction is the first of its block: no recent-wasms hits
    // between transactions (ArbOS 61 would price a repeat within the block
    // `initGas` cheaper per frame of an already-called program).
    c.block_per_tx = true;
    let mut rows = Vec::new();
    let mut row = |op, cold, warm, note| {
        rows.push(Row {
            op,
            cold,
            warm,
            note,
        })
    };
    let (ana, ben, carl, dave, erin) = (addr(0xa1), addr(0xb1), addr(0xc1), addr(0xd1), addr(0xe1));
    let pool = c.pool();
    let u = |v: u128| U256::from(v);

    // ---- lenders
    c.fund(ana, usd(1_000_000));
    let dep = IPool::depositCall {
        assets: u(usd(100_000)),
        receiver: ana,
    };
    let cold = g("deposit", c.call(ana, dep.clone()));
    let warm = g("deposit", c.call(ana, dep));
    ours.push(("deposit_first", cold));
    row(
        "deposit",
        cold,
        Some(warm),
        "cold: first deposit into the pool",
    );
    c.fund(ben, usd(1_000_000));
    let mint = IPool::mintCall {
        shares: u(usd(50_000)) * u(1_000_000),
        receiver: ben,
    };
    let cold = g("mint", c.call(ben, mint.clone()));
    let warm = g("mint", c.call(ben, mint));
    row("mint", cold, Some(warm), "cold: the receiver's first pUSDC");
    let tr = IPool::transferCall {
        to: carl,
        value: u(usd(1_000)) * u(1_000_000),
    };
    let cold = g("transfer", c.call(ana, tr.clone()));
    let warm = g("transfer", c.call(ana, tr));
    row(
        "transfer (pUSDC)",
        cold,
        Some(warm),
        "cold: the recipient's first pUSDC",
    );
    let wd = IPool::withdrawCall {
        assets: u(usd(1_000)),
        receiver: dave,
        owner: ana,
    };
    let cold = g("withdraw", c.call(ana, wd.clone()));
    let warm = g("withdraw", c.call(ana, wd));
    row(
        "withdraw",
        cold,
        Some(warm),
        "cold: the receiver's first USDC",
    );
    let rd = IPool::redeemCall {
        shares: u(usd(1_000)) * u(1_000_000),
        receiver: erin,
        owner: ben,
    };
    let cold = g("redeem", c.call(ben, rd.clone()));
    let warm = g("redeem", c.call(ben, rd));
    row(
        "redeem",
        cold,
        Some(warm),
        "cold: the receiver's first USDC",
    );

    // ---- collateral
    let alice = Account::from_seed("alice");
    let (id, id2, id3) = (
        support::market(42).yes,
        support::market(43).yes,
        support::market(44).yes,
    );
    let push = |c: &mut Chain, who: Address, ids: &[U256], batch: bool| {
        for id in ids {
            c.ctf_mint(who, *id, usd(10_000));
        }
        let amounts = vec![usd(10_000); ids.len()];
        g("push", c.ctf_push(who, pool, ids, &amounts, vec![], batch))
    };
    let cold = push(&mut c, alice.address(), &[id], false);
    let warm = push(&mut c, alice.address(), &[id], false);
    ours.push(("collateral_in", cold));
    row(
        "collateral push (ctf.safeTransferFrom + onERC1155Received)",
        cold,
        Some(warm),
        "cold: new position and token",
    );
    let cold = push(&mut c, alice.address(), &[id2, id3], true);
    let warm = push(&mut c, alice.address(), &[id2, id3], true);
    row(
        "collateral push, batch of 2 (safeBatchTransferFrom)",
        cold,
        Some(warm),
        "cold: two new positions",
    );

    // ---- borrowing
    let cold = g("borrow", c.borrow(&alice, id, usd(1_000), cents(60)));
    c.advance(60);
    let warm = g("borrow", c.borrow(&alice, id, usd(1_000), cents(60)));
    ours.extend([("borrow_first", cold), ("borrow_second", warm)]);
    row(
        "borrowViaRelay (EOA)",
        cold,
        Some(warm),
        "cold: the position's first debt, the borrower's first USDC",
    );
    let owner = Account::from_seed("owner");
    let wa = c.wallet_with_collateral(owner.address(), id, usd(10_000));
    c.advance(60);
    let cold = g("borrow", c.borrow_as(wa, &owner, id, usd(1_000), cents(60)));
    c.advance(60);
    let warm = g("borrow", c.borrow_as(wa, &owner, id, usd(1_000), cents(60)));
    row(
        "borrowViaRelay (EIP-1271 wallet)",
        cold,
        Some(warm),
        "+ isValidSignature -> ecrecover",
    );
    c.fund(alice.address(), usd(10_000));
    let rp = IPool::repayCall {
        tokenId: id,
        amount: u(usd(100)),
    };
    let cold = g("repay", c.call(alice.address(), rp.clone()));
    let warm = g("repay", c.call(alice.address(), rp));
    row(
        "repay (partial)",
        cold,
        Some(warm),
        "cold = warm: the borrow already initialised every slot a repayment writes",
    );
    let frank = addr(0xf1);
    c.advance(60);
    let cold = g(
        "withdrawViaRelay",
        c.withdraw_relay(alice.address(), &alice, frank, id, usd(100), cents(60)),
    );
    c.advance(60);
    let warm = g(
        "withdrawViaRelay",
        c.withdraw_relay(alice.address(), &alice, frank, id, usd(100), cents(60)),
    );
    ours.push(("withdraw_relay_debt", cold));
    row(
        "withdrawViaRelay",
        cold,
        Some(warm),
        "cold: the recipient's first shares",
    );
    let gina = addr(0x61);
    push(&mut c, gina, &[id], false);
    let wc = IPool::withdrawCollateralCall {
        tokenId: id,
        amount: u(usd(100)),
        to: gina,
    };
    let cold = g("withdrawCollateral", c.call(gina, wc.clone()));
    let warm = g("withdrawCollateral", c.call(gina, wc));
    row(
        "withdrawCollateral (no debt)",
        cold,
        Some(warm),
        "cold: the recipient's first shares",
    );

    // ---- liquidation
    let bob = Account::from_seed("bob");
    let liq = addr(0x30);
    push(&mut c, bob.address(), &[id2], false);
    g("borrow", c.borrow(&bob, id2, usd(3_500), cents(60)));
    c.fund(liq, usd(100_000));
    c.advance(60);
    let cold = g(
        "liquidate",
        c.liquidate(liq, bob.address(), id2, u(usd(200)), cents(50)),
    );
    c.advance(60);
    let warm = g(
        "liquidate",
        c.liquidate(liq, bob.address(), id2, u(usd(200)), cents(50)),
    );
    ours.push(("liquidate_partial", cold));
    row(
        "liquidate (partial)",
        cold,
        Some(warm),
        "cold: the liquidator's first shares",
    );

    // ---- the rest of PredMart's scenarios, each on its own position
    // Repay half 30 days after the borrow, then the rest with max.
    let rita = Account::from_seed("rita");
    push(&mut c, rita.address(), &[id3], false);
    g("borrow", c.borrow(&rita, id3, usd(1_000), cents(60)));
    c.advance(30 * 86_400);
    c.fund(rita.address(), usd(10_000));
    let debt = c.position(rita.address(), id3).2;
    let half = IPool::repayCall {
        tokenId: id3,
        amount: u(debt / 2),
    };
    ours.push(("repay_half_30d", g("repay", c.call(rita.address(), half))));
    c.advance(60);
    let full = IPool::repayCall {
        tokenId: id3,
        amount: U256::MAX,
    };
    ours.push(("repay_full", g("repay", c.call(rita.address(), full))));
    // A relayed withdrawal without debt, to the borrower.
    let walt = Account::from_seed("walt");
    push(&mut c, walt.address(), &[id3], false);
    c.advance(60);
    let o = c.withdraw_relay(
        walt.address(),
        &walt,
        walt.address(),
        id3,
        usd(5_000),
        cents(60),
    );
    ours.push(("withdraw_relay_no_debt", g("withdrawViaRelay", o)));
    // Underwater: 10,000 shares, 3,500 USDC borrowed at $0.60, price $0.30.
    let uma = Account::from_seed("uma");
    push(&mut c, uma.address(), &[id3], false);
    c.advance(60);
    g("borrow", c.borrow(&uma, id3, usd(3_500), cents(60)));
    c.advance(60);
    let o = c.liquidate(liq, uma.address(), id3, U256::MAX, cents(30));
    ours.push(("liquidate_underwater", g("liquidate", o)));
    // A lender redeems and withdraws to itself.
    let rd = IPool::redeemCall {
        shares: u(usd(1_000)) * u(1_000_000),
        receiver: ana,
        owner: ana,
    };
    ours.push(("lender_redeem", g("redeem", c.call(ana, rd))));
    let wd = IPool::withdrawCall {
        assets: u(usd(1_000)),
        receiver: ana,
        owner: ana,
    };
    ours.push(("lender_withdraw", g("withdraw", c.call(ana, wd))));

    // ---- resolution
    let m = support::market(45);
    let (cond, yes, no) = (m.condition, m.yes, m.no);
    c.ctf_set_winner(cond, u(1));
    let people: Vec<Account> = ["h", "i", "j", "k"]
        .iter()
        .map(|s| Account::from_seed(s))
        .collect();
    for (i, p) in people.iter().enumerate() {
        let t = if i < 2 { yes } else { no };
        push(&mut c, p.address(), &[t], false);
        c.advance(60);
        g("borrow", c.borrow(p, t, usd(1_000), cents(60)));
    }
    c.advance(3_600);
    let keeper = addr(0x1c);
    let cold = g("resolve", c.resolve(keeper, yes, true));
    row("resolveMarket (won)", cold, None, "once per token");
    let cold = g("resolve", c.resolve(keeper, no, false));
    row("resolveMarket (lost)", cold, None, "once per token");
    let cold = g(
        "redeemWonCollateral",
        c.call(
            keeper,
            IPool::redeemWonCollateralCall {
                tokenId: yes,
                conditionId: cond,
                indexSet: u(1),
            },
        ),
    );
    row(
        "redeemWonCollateral (CTF redeemPositions -> USDC)",
        cold,
        None,
        "once per token",
    );
    let settle = |c: &mut Chain, p: &Account| {
        g(
            "settle",
            c.call(
                keeper,
                IPool::settleRedemptionCall {
                    borrower: p.address(),
                    tokenId: yes,
                },
            ),
        )
    };
    let cold = settle(&mut c, &people[0]);
    let warm = settle(&mut c, &people[1]);
    row(
        "settleRedemption",
        cold,
        Some(warm),
        "once per position: warm = a second position of the token",
    );
    let close = |c: &mut Chain, p: &Account| {
        g(
            "close",
            c.call(
                keeper,
                IPool::closeLostPositionCall {
                    borrower: p.address(),
                    tokenId: no,
                },
            ),
        )
    };
    let cold = close(&mut c, &people[2]);
    let warm = close(&mut c, &people[3]);
    row(
        "closeLostPosition",
        cold,
        Some(warm),
        "once per position: warm = a second position of the token",
    );

    // ---- jump-risk defences
    let m = support::market(46);
    let t = m.yes;
    let end = c.now() + 30 * 86_400;
    let cold = g("scheduleMarket", c.schedule(keeper, t, end));
    c.advance(1);
    let warm = g("scheduleMarket", c.schedule(keeper, t, end + 86_400));
    row(
        "scheduleMarket",
        cold,
        Some(warm),
        "cold: the token's first schedule; warm: a newer one moves it",
    );
    // A whale (debt of at least 50,000 USDC) is sold by Dutch auction: the
    // pool cap is lifted for it, as a pool of this size would allow.
    let admin = c.admin();
    g(
        "propose",
        c.call(
            admin,
            IPool::proposeCall {
                kind: 2,
                value: U256::ZERO,
            },
        ),
    );
    g("execute", c.call(admin, IPool::executeCall { kind: 2 }));
    let whale = Account::from_seed("gas-whale");
    c.ctf_mint(whale.address(), t, usd(200_000));
    g(
        "push",
        c.ctf_push(whale.address(), pool, &[t], &[usd(200_000)], vec![], false),
    );
    g("borrow", c.borrow(&whale, t, usd(60_000), cents(60)));
    c.advance(60);
    let cold = g(
        "startAuction",
        c.start_auction(keeper, whale.address(), t, cents(40)),
    );
    row(
        "startAuction",
        cold,
        None,
        "once per auction: a large position at an unhealthy price",
    );
    c.advance(900);
    c.fund(keeper, usd(100_000));
    let cold = g(
        "liquidate",
        c.liquidate(keeper, whale.address(), t, u(usd(20_000)), cents(40)),
    );
    row(
        "liquidate (Dutch auction, half-way: 5% bonus)",
        cold,
        None,
        "the auction's first bite",
    );

    // ---- a view, as a transaction, for reference
    let v = IPool::totalAssetsCall {};
    let cold = g("totalAssets", c.call(keeper, v.clone()));
    let warm = g("totalAssets", c.call(keeper, v));
    row(
        "totalAssets (view, sent as a transaction)",
        cold,
        Some(warm),
        "reference",
    );

    let versus = PREDMART
        .iter()
        .map(|(key, op, predmart)| Versus {
            key,
            op,
            predmart: *predmart,
            ours: ours.iter().find(|(k, _)| k == key).expect(key).1,
        })
        .collect();
    Run {
        rows,
        versus,
        chain: c,
    }
}

/// `(name, gas)` of every scenario of both runs, in the Foundry
/// `.gas-snapshot` convention (`Contract:test() (gas: N)`).
fn snapshot(runs: &[(&str, &Run)]) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    for (mode, r) in runs {
        for row in &r.rows {
            let key: String = row
                .op
                .chars()
                .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
                .collect();
            let key = key
                .split('_')
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join("_");
            out.push((format!("PoolGas:{key}_cold_{mode}()"), row.cold.0));
            if let Some(w) = row.warm {
                out.push((format!("PoolGas:{key}_warm_{mode}()"), w.0));
            }
        }
        for v in &r.versus {
            out.push((format!("VsPredMart:{}_{mode}()", v.key), v.ours.0));
        }
    }
    out
}

fn parse_snapshot(text: &str) -> Vec<(String, u64)> {
    text.lines()
        .filter_map(|l| {
            let (name, rest) = l.split_once(" (gas: ")?;
            Some((name.to_string(), rest.trim_end_matches(')').parse().ok()?))
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let uncached = run(false);
    let cached = run(true);
    let snap = snapshot(&[("uncached", &uncached), ("cached", &cached)]);
    match args.get(1).map(String::as_str) {
        Some("--snapshot") => {
            let text: String = snap
                .iter()
                .map(|(n, g)| format!("{n} (gas: {g})\n"))
                .collect();
            std::fs::write(&args[2], text).expect("write the snapshot");
        }
        Some("--check") => {
            let want =
                parse_snapshot(&std::fs::read_to_string(&args[2]).expect("read the snapshot"));
            let mut bad = Vec::new();
            for (name, got) in &snap {
                match want.iter().find(|(n, _)| n == name) {
                    None => bad.push(format!("+ {name} (gas: {got})  (not in the snapshot)")),
                    Some((_, old)) => {
                        let diff = (*got as f64 - *old as f64) / *old as f64;
                        if diff.abs() > 0.01 {
                            bad.push(format!("~ {name}: {old} -> {got} ({:+.2}%)", 100.0 * diff));
                        }
                    }
                }
            }
            for (name, old) in &want {
                if !snap.iter().any(|(n, _)| n == name) {
                    bad.push(format!("- {name} (gas: {old})  (no longer measured)"));
                }
            }
            if !bad.is_empty() {
                eprintln!("gas differs from {} by more than 1%:", args[2]);
                for b in &bad {
                    eprintln!("  {b}");
                }
                eprintln!("If the change is intended, run scripts/gas.sh and commit .gas-snapshot with it.");
                std::process::exit(1);
            }
            println!(
                "gas snapshot: {} scenarios within 1% of {}",
                snap.len(),
                args[2]
            );
            return;
        }
        _ => {}
    }
    print_tables(&uncached, &cached);
}

fn split(b: &GasBreakdown) -> String {
    format!(
        "{} / {} / {} / {} / {} / {} / {} / -{}",
        thousands(b.intrinsic),
        thousands(b.init),
        thousands(b.compute),
        thousands(b.storage),
        thousands(b.logs),
        thousands(b.calls),
        thousands(b.evm),
        thousands(b.refund)
    )
}

fn print_tables(uncached: &Run, cached: &Run) {
    let c = &uncached.chain;
    println!("### Against PredMart v0.8 (its Solidity contract)\n");
    println!("PredMart figures: PredMart v0.8.0 (solc 0.8.27 via-IR, behind its ERC-1967 proxy, on a local EVM node, receipt gasUsed), as measured for issue 14. Ours: the same scenario on the release WASM, ArbOS {}; *cached* = the pool in the cache manager's cache (`cargo stylus cache bid`), *uncached* = every pool frame pays the program's `initGas` too. USDC (a 6-decimal Solidity ERC-20 with a Circle-like blacklist) and the CTF (Gnosis's ConditionalTokens bytecode) run as EVM code, like for like with PredMart's.\n", c.w.nitro().arbos_version);
    println!("| scenario | PredMart v0.8 | ours, cached | ratio | ours, uncached | ratio | cached: intrinsic / entry / compute / storage / logs / calls / EVM / refund |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for (v, u) in cached.versus.iter().zip(&uncached.versus) {
        println!(
            "| {} | {} | {} | {:.2} | {} | {:.2} | {} |",
            v.op,
            thousands(v.predmart),
            thousands(v.ours.0),
            v.ours.0 as f64 / v.predmart as f64,
            thousands(u.ours.0),
            u.ours.0 as f64 / u.predmart as f64,
            split(&v.ours.1),
        );
    }
    println!();
    println!(
        "### Every operation\n\nGas per pool operation: release WASM (target/initcode.hex) in the embedded Stylus runtime, no program cached."
    );
    println!(
        "cold = first touch of the operation's storage, warm = the same call repeated; breakdown of the cold run."
    );
    println!("Breakdown columns: intrinsic / entry (program init + memory) / compute (WASM + hostio ink, exact) / storage / logs / calls / EVM (the Solidity tokens' own execution: opcodes, storage, logs) / refund.");
    let nitro = c.w.nitro();
    let entry = |wasm: &[u8]| {
        let k = stylus_runtime::program_costs(wasm).expect("costs");
        format!(
            "{} gas, {} when cached (initCost {}, cachedCost {})",
            thousands(k.entry_gas_with(&nitro, false)),
            thousands(k.entry_gas_with(&nitro, true)),
            k.init_cost,
            k.cached_init_cost
        )
    };
    let pool_wasm = stylus_runtime::wasm_from_initcode_hex(&support::initcode_hex()).expect("wasm");
    println!(
        "Program entry per call frame (Nitro `CallProgram`, ArbOS {}, Stylus v{}, uncached and cached): pool {}, EIP-1271 test wallet {}. USDC and the CTF are Solidity contracts (no program entry).",
        nitro.arbos_version,
        nitro.stylus_version,
        entry(&pool_wasm),
        entry(&support::test_contract("test-wallet")),
    );
    let left = c.pool_stack_left_min.expect("the pool ran");
    println!(
        "Deepest pool frame: {} of {} stack words (MaxStackDepth), headroom {:.1}%.\n",
        nitro.max_stack_depth - left,
        nitro.max_stack_depth,
        100.0 * left as f64 / nitro.max_stack_depth as f64
    );
    println!("| operation | cold gas | warm gas | cold, cached | warm, cached | cold: intrinsic / entry / compute / storage / logs / calls / EVM / refund | note |");
    println!("| --- | ---: | ---: | ---: | ---: | --- | --- |");
    for (r, k) in uncached.rows.iter().zip(&cached.rows) {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.op,
            thousands(r.cold.0),
            r.warm.map_or("—".to_string(), |w| thousands(w.0)),
            thousands(k.cold.0),
            k.warm.map_or("—".to_string(), |w| thousands(w.0)),
            split(&r.cold.1),
            r.note
        );
    }
}
