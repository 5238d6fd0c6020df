//! Governance: roles and the two-step admin transfer, the timelock (oracle,
//! relayer, pool cap, anchors), the LTV anchors' rules and effect, the pool
//! cap, what pause / freeze / resolution allow, reserves and sweep.

mod common;

use alloy_primitives::{Address, U256};
use alloy_sol_types::SolCall;
use common::*;
use motsu::prelude::*;
use predmart_pool::{
    errors::Error,
    events,
    math::Rounding,
    risk::{Curve, MAX_LTV},
    signatures as sig,
    store::s,
    LendingPool,
};
use stylus_sdk::abi::Bytes;

const DAY: u64 = 86_400;
const MAX_DELAY: u64 = 864_000;
const YEAR: u64 = 31_557_600;

const ORACLE: u8 = 0;
const RELAYER: u8 = 1;
const POOL_CAP: u8 = 2;
const ANCHORS: u8 = 3;

/// An address as the `uint256` the timelock stores.
fn aw(a: Address) -> U256 {
    U256::from_be_slice(a.as_slice())
}

/// The default prices with these LTVs (in percent).
fn curve_with(ltvs: [u128; 7]) -> Curve {
    Curve {
        ltvs: ltvs.map(cents),
        ..Curve::default()
    }
}

/// A more generous curve: LTV 75% at $0.70 (default 65%).
fn generous() -> Curve {
    curve_with([10, 20, 40, 55, 70, 80, 85])
}

/// A stricter curve: LTV 32.5% at $0.70.
fn strict() -> Curve {
    curve_with([1, 2, 10, 20, 30, 35, 40])
}

fn words(v: &[u128]) -> Vec<U256> {
    v.iter().map(|x| w(*x)).collect()
}

fn curve_args(c: &Curve) -> (Vec<U256>, Vec<U256>) {
    (words(&c.prices), words(&c.ltvs))
}

/// Everything governance can change; a rejected call must leave it as is.
#[derive(Debug, PartialEq)]
struct Gov {
    admin: Address,
    pending_admin: Address,
    oracle: Address,
    relayer: Address,
    pool_cap: u128,
    delay: u128,
    paused: bool,
    frozen: bool,
    pending: Vec<(U256, u64)>,
    pending_anchors: (Curve, u64),
    curve: Curve,
}

fn gov(wd: &World) -> Gov {
    let p = wd.pool.sender(wd.admin);
    Gov {
        admin: p.role(s::ADMIN),
        pending_admin: p.role(s::PENDING_ADMIN),
        oracle: p.role(s::ORACLE),
        relayer: p.role(s::RELAYER),
        pool_cap: p.setting(s::POOL_CAP),
        delay: p.setting(s::DELAY),
        paused: p.paused(),
        frozen: p.is_frozen(token()),
        pending: (0..3).map(|k| p.pending_change(k).unwrap()).collect(),
        pending_anchors: p.pending_anchors(),
        curve: p.curve(),
    }
}

/// `$call` fails with `Unauthorized`, changing no balance, position, total
/// or governance setting.
macro_rules! denied {
    ($wd:expr, $who:expr, $call:expr) => {{
        let g = gov(&$wd);
        assert_fails!(
            $wd,
            [$wd.admin, $wd.relayer, $who],
            token(),
            $call,
            Error::Unauthorized
        );
        assert_eq!(gov(&$wd), g, "governance state changed by a denied call");
    }};
}

/// `$call` fails with exactly `$err`, changing nothing (balances or governance).
macro_rules! rejected {
    ($wd:expr, $call:expr, $err:expr) => {{
        let g = gov(&$wd);
        assert_fails!($wd, [$wd.admin, $wd.relayer], token(), $call, $err);
        assert_eq!(gov(&$wd), g, "governance state changed by a rejected call");
    }};
}

fn resolve(wd: &World, id: U256, won: bool) {
    let ts = wd.now();
    let rsig = wd.resolution_sig(id, won, ts);
    wd.pool
        .sender(wd.admin)
        .resolve_market(id, won, U256::from(ts), &rsig)
        .motsu_unwrap();
}

// ---------------------------------------------------------------------------
// 1. Restricted functions
// ---------------------------------------------------------------------------

#[motsu::test]
fn restricted_functions_reject_everyone_but_the_admin(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    mallory: Address,
    candidate: Address,
    donor: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    let id = token();
    let admin = wd.admin;
    wd.lend(lender, usd(1_000_000));
    wd.collateral(alice.address(), id, usd(10_000));
    wd.borrow(&alice, id, usd(4_000), cents(70)).unwrap();
    // Reserves accrue, a donation waits to be swept: every function below
    // would succeed for the admin.
    advance(30 * DAY);
    pool.sender(lender).accrue().motsu_unwrap();
    assert!(pool.sender(lender).market().unwrap().reserves > 0);
    usdc.sender(donor)
        .mint(pool.address(), w(usd(5)))
        .motsu_unwrap();
    // Pending changes of every kind, all executable now (delay 0).
    let (gp, gl) = curve_args(&generous());
    pool.sender(admin).transfer_admin(candidate).motsu_unwrap();
    pool.sender(admin)
        .propose_change(ORACLE, aw(Address::with_last_byte(0x71)))
        .motsu_unwrap();
    pool.sender(admin)
        .propose_change(RELAYER, aw(Address::with_last_byte(0x72)))
        .motsu_unwrap();
    pool.sender(admin)
        .propose_change(POOL_CAP, U256::from(700))
        .motsu_unwrap();
    pool.sender(admin).propose_anchors(&gp, &gl).motsu_unwrap();
    let before = gov(&wd);
    assert_eq!(before.pending_admin, candidate);
    assert!(before.pending.iter().all(|(_, eta)| *eta == wd.now()));
    assert_eq!(before.pending_anchors, (generous(), wd.now()));

    let outsiders = [mallory, wd.relayer, wd.oracle.address(), candidate];
    for who in outsiders {
        denied!(wd, who, pool.sender(who).transfer_admin(who));
        denied!(wd, who, pool.sender(who).activate_timelock(100));
        denied!(wd, who, pool.sender(who).propose_anchors(&gp, &gl));
        denied!(wd, who, pool.sender(who).propose_change(ORACLE, aw(who)));
        denied!(wd, who, pool.sender(who).propose_change(RELAYER, aw(who)));
        denied!(
            wd,
            who,
            pool.sender(who).propose_change(POOL_CAP, U256::from(9_000))
        );
        for kind in [ORACLE, RELAYER, POOL_CAP, ANCHORS] {
            denied!(wd, who, pool.sender(who).execute_change(kind));
            denied!(wd, who, pool.sender(who).cancel_change(kind));
        }
        denied!(wd, who, pool.sender(who).set_pool_cap(U256::from(100)));
        denied!(wd, who, pool.sender(who).set_token_frozen(id, true));
        denied!(wd, who, pool.sender(who).withdraw_reserves(who, 1));
        denied!(wd, who, pool.sender(who).sweep(who));
        if who != wd.relayer {
            denied!(wd, who, pool.sender(who).set_paused(true));
        }
    }
    // Only the admin unpauses: not even the relayer, who may pause.
    pool.sender(admin).set_paused(true).motsu_unwrap();
    for who in outsiders {
        denied!(wd, who, pool.sender(who).set_paused(false));
    }
    pool.sender(admin).set_paused(false).motsu_unwrap();
    // Only the pending admin accepts (not the admin itself).
    for who in [mallory, wd.relayer, wd.oracle.address(), admin] {
        denied!(wd, who, pool.sender(who).accept_admin());
    }
    assert_eq!(gov(&wd), before);

    // The same through the ABI: the revert data is exactly `Unauthorized()`.
    let unauth = Some(Error::Unauthorized.selector().to_vec());
    let g = gov(&wd);
    let m = mallory;
    assert_eq!(
        wd.abi(m, IPool::transferAdminCall { newAdmin: m }).err(),
        unauth
    );
    assert_eq!(wd.abi(m, IPool::acceptAdminCall {}).err(), unauth);
    assert_eq!(
        wd.abi(
            m,
            IPool::activateTimelockCall {
                delay: U256::from(100)
            }
        )
        .err(),
        unauth
    );
    assert_eq!(
        wd.abi(
            m,
            IPool::proposeAnchorsCall {
                prices: gp.clone(),
                ltvs: gl.clone()
            }
        )
        .err(),
        unauth
    );
    assert_eq!(wd.abi(m, IPool::executeCall { kind: 3 }).err(), unauth);
    assert_eq!(wd.abi(m, IPool::cancelCall { kind: 3 }).err(), unauth);
    assert_eq!(
        wd.abi(
            m,
            IPool::proposeCall {
                kind: 0,
                value: aw(m)
            }
        )
        .err(),
        unauth
    );
    assert_eq!(wd.abi(m, IPool::executeCall { kind: 0 }).err(), unauth);
    assert_eq!(wd.abi(m, IPool::cancelCall { kind: 0 }).err(), unauth);
    assert_eq!(
        wd.abi(
            m,
            IPool::proposeCall {
                kind: 1,
                value: aw(m)
            }
        )
        .err(),
        unauth
    );
    assert_eq!(wd.abi(m, IPool::executeCall { kind: 1 }).err(), unauth);
    assert_eq!(wd.abi(m, IPool::cancelCall { kind: 1 }).err(), unauth);
    assert_eq!(
        wd.abi(
            m,
            IPool::proposeCall {
                kind: 2,
                value: U256::from(9_000)
            }
        )
        .err(),
        unauth
    );
    assert_eq!(wd.abi(m, IPool::executeCall { kind: 2 }).err(), unauth);
    assert_eq!(wd.abi(m, IPool::cancelCall { kind: 2 }).err(), unauth);
    assert_eq!(
        wd.abi(
            m,
            IPool::setPoolCapCall {
                bps: U256::from(100)
            }
        )
        .err(),
        unauth
    );
    assert_eq!(wd.abi(m, IPool::pauseCall {}).err(), unauth);
    assert_eq!(
        wd.abi(
            m,
            IPool::setTokenFrozenCall {
                tokenId: id,
                frozen: true
            }
        )
        .err(),
        unauth
    );
    assert_eq!(
        wd.abi(
            m,
            IPool::withdrawReservesCall {
                to: m,
                amount: U256::from(1)
            }
        )
        .err(),
        unauth
    );
    assert_eq!(wd.abi(m, IPool::sweepCall { to: m }).err(), unauth);
    assert_eq!(
        wd.abi(candidate, IPool::executeCall { kind: 0 }).err(),
        unauth
    );
    assert_eq!(gov(&wd), g);
    // Relayer: pause yes, unpause no.
    wd.abi(wd.relayer, IPool::pauseCall {}).unwrap();
    pool.assert_emitted(&events::PauseSet {
        account: wd.relayer,
        paused: true,
    });
    assert!(pool.sender(m).paused());
    assert_eq!(wd.abi(wd.relayer, IPool::unpauseCall {}).err(), unauth);
    assert_eq!(wd.abi(m, IPool::unpauseCall {}).err(), unauth);
    assert!(pool.sender(m).paused());
    wd.abi(admin, IPool::unpauseCall {}).unwrap();
    pool.assert_emitted(&events::PauseSet {
        account: admin,
        paused: false,
    });
    assert!(!pool.sender(m).paused());

    // Controls: each of these works for the admin, so the denials above
    // were about the caller.
    let reserves = pool.sender(m).market().unwrap().reserves;
    pool.sender(admin)
        .withdraw_reserves(admin, reserves)
        .motsu_unwrap();
    assert_eq!(pool.sender(admin).sweep(admin).motsu_unwrap(), usd(5));
    pool.sender(admin).set_token_frozen(id, true).motsu_unwrap();
    pool.assert_emitted(&events::TokenFrozenSet {
        tokenId: id,
        frozen: true,
    });
    for kind in [ORACLE, RELAYER, POOL_CAP, ANCHORS] {
        pool.sender(admin).execute_change(kind).motsu_unwrap();
    }
    assert_eq!(pool.sender(m).curve(), generous());
    assert_eq!(pool.sender(m).setting(s::POOL_CAP), 700);
    pool.sender(candidate).accept_admin().motsu_unwrap();
    assert_eq!(pool.sender(m).role(s::ADMIN), candidate);
}

// ---------------------------------------------------------------------------
// 2. Admin transfer
// ---------------------------------------------------------------------------

#[motsu::test]
fn admin_transfer_takes_two_steps(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    first: Address,
    second: Address,
    third: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let old = wd.admin;
    let p = |a: Address| pool.sender(a);
    assert_eq!(p(old).role(s::PENDING_ADMIN), Address::ZERO);

    p(old).transfer_admin(first).motsu_unwrap();
    pool.assert_emitted(&events::AdminTransferStarted {
        admin: old,
        pendingAdmin: first,
    });
    assert_eq!(p(old).role(s::PENDING_ADMIN), first);
    assert_eq!(p(old).role(s::ADMIN), old);
    // Until accepted, the old admin still governs and the candidate does not.
    rejected!(
        wd,
        p(first).set_token_frozen(token(), true),
        Error::Unauthorized
    );
    p(old).set_token_frozen(token(), true).motsu_unwrap();
    assert!(p(old).is_frozen(token()));

    // A second transfer replaces the candidate.
    p(old).transfer_admin(second).motsu_unwrap();
    pool.assert_emitted(&events::AdminTransferStarted {
        admin: old,
        pendingAdmin: second,
    });
    assert_eq!(p(old).role(s::PENDING_ADMIN), second);
    rejected!(wd, p(first).accept_admin(), Error::Unauthorized);

    p(second).accept_admin().motsu_unwrap();
    pool.assert_emitted(&events::AdminTransferred {
        previousAdmin: old,
        newAdmin: second,
    });
    assert_eq!(p(old).role(s::ADMIN), second);
    assert_eq!(p(old).role(s::PENDING_ADMIN), Address::ZERO);
    // The pending slot is cleared: no second accept.
    rejected!(wd, p(second).accept_admin(), Error::Unauthorized);
    // The old admin lost every right; the new one has them.
    rejected!(
        wd,
        p(old).set_token_frozen(token(), false),
        Error::Unauthorized
    );
    rejected!(wd, p(old).transfer_admin(old), Error::Unauthorized);
    rejected!(wd, p(old).set_paused(false), Error::Unauthorized);
    p(second).set_token_frozen(token(), false).motsu_unwrap();
    assert!(!p(old).is_frozen(token()));

    // The same through the ABI, with the role views.
    wd.abi(second, IPool::transferAdminCall { newAdmin: third })
        .unwrap();
    assert_eq!(wd.abi(old, IPool::pendingAdminCall {}).unwrap()._0, third);
    assert_eq!(wd.abi(old, IPool::adminCall {}).unwrap()._0, second);
    assert_eq!(
        wd.abi(first, IPool::acceptAdminCall {}).err(),
        Some(Error::Unauthorized.selector().to_vec())
    );
    wd.abi(third, IPool::acceptAdminCall {}).unwrap();
    pool.assert_emitted(&events::AdminTransferred {
        previousAdmin: second,
        newAdmin: third,
    });
    assert_eq!(wd.abi(old, IPool::adminCall {}).unwrap()._0, third);
    assert_eq!(
        wd.abi(old, IPool::pendingAdminCall {}).unwrap()._0,
        Address::ZERO
    );
}

// ---------------------------------------------------------------------------
// 3. Timelock
// ---------------------------------------------------------------------------

#[motsu::test]
fn timelock_delay_only_grows_up_to_ten_days(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let admin = wd.admin;
    assert_eq!(pool.sender(admin).setting(s::DELAY), 0);
    rejected!(
        wd,
        pool.sender(admin).activate_timelock(MAX_DELAY + 1),
        Error::InvalidDelay
    );
    pool.sender(admin).activate_timelock(DAY).motsu_unwrap();
    pool.assert_emitted(&events::TimelockActivated {
        delay: U256::from(DAY),
    });
    assert_eq!(pool.sender(admin).setting(s::DELAY), DAY as u128);
    rejected!(
        wd,
        pool.sender(admin).activate_timelock(DAY - 1),
        Error::InvalidDelay
    );
    rejected!(
        wd,
        pool.sender(admin).activate_timelock(0),
        Error::InvalidDelay
    );
    rejected!(
        wd,
        pool.sender(admin).activate_timelock(MAX_DELAY + 1),
        Error::InvalidDelay
    );
    pool.sender(admin)
        .activate_timelock(MAX_DELAY)
        .motsu_unwrap();
    pool.assert_emitted(&events::TimelockActivated {
        delay: U256::from(MAX_DELAY),
    });
    assert_eq!(pool.sender(admin).setting(s::DELAY), MAX_DELAY as u128);
    rejected!(
        wd,
        pool.sender(admin).activate_timelock(MAX_DELAY - 1),
        Error::InvalidDelay
    );
    rejected!(
        wd,
        pool.sender(admin).activate_timelock(MAX_DELAY + 1),
        Error::InvalidDelay
    );
    // Through the ABI: a word above u64 does not wrap into a small delay.
    let invalid = Some(Error::InvalidDelay.selector().to_vec());
    let huge = (U256::from(1) << 64) + U256::from(5);
    assert_eq!(
        wd.abi(admin, IPool::activateTimelockCall { delay: huge })
            .err(),
        invalid
    );
    assert_eq!(
        wd.abi(admin, IPool::activateTimelockCall { delay: U256::MAX })
            .err(),
        invalid
    );
    assert_eq!(
        wd.abi(
            admin,
            IPool::activateTimelockCall {
                delay: U256::from(MAX_DELAY + 1)
            }
        )
        .err(),
        invalid
    );
    assert_eq!(
        wd.abi(admin, IPool::timelockDelayCall {}).unwrap()._0,
        U256::from(MAX_DELAY)
    );
}

#[motsu::test]
fn timelocked_changes_wait_for_the_delay(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let admin = wd.admin;
    let p = |a: Address| pool.sender(a);
    p(admin).activate_timelock(DAY).motsu_unwrap();
    pool.assert_emitted(&events::TimelockActivated {
        delay: U256::from(DAY),
    });

    let a = |b: u8| aw(Address::with_last_byte(b));
    // (kind, first proposal, replacement, cancelled proposal)
    let cases = [
        (ORACLE, a(0x41), a(0x42), a(0x43)),
        (RELAYER, a(0x51), a(0x52), a(0x53)),
        (
            POOL_CAP,
            U256::from(1_000),
            U256::from(2_000),
            U256::from(3_000),
        ),
    ];
    let current = |kind: u8| -> U256 {
        match kind {
            ORACLE => aw(p(admin).role(s::ORACLE)),
            RELAYER => aw(p(admin).role(s::RELAYER)),
            _ => U256::from(p(admin).setting(s::POOL_CAP)),
        }
    };
    for (kind, first, second, third) in cases {
        let initial = current(kind);
        let t0 = wd.now();
        p(admin).propose_change(kind, first).motsu_unwrap();
        pool.assert_emitted(&events::ChangeProposed {
            kind,
            value: first,
            eta: U256::from(t0 + DAY),
        });
        assert_eq!(p(admin).pending_change(kind).unwrap(), (first, t0 + DAY));
        rejected!(wd, p(admin).execute_change(kind), Error::TimelockNotReady);
        advance(DAY - 1);
        rejected!(wd, p(admin).execute_change(kind), Error::TimelockNotReady);
        assert_eq!(current(kind), initial);

        // A second proposal replaces the first: new value, new eta.
        let t1 = wd.now();
        p(admin).propose_change(kind, second).motsu_unwrap();
        pool.assert_emitted(&events::ChangeProposed {
            kind,
            value: second,
            eta: U256::from(t1 + DAY),
        });
        assert_eq!(p(admin).pending_change(kind).unwrap(), (second, t1 + DAY));
        advance(1); // the first proposal's eta
        rejected!(wd, p(admin).execute_change(kind), Error::TimelockNotReady);
        advance(DAY - 2);
        rejected!(wd, p(admin).execute_change(kind), Error::TimelockNotReady);
        advance(1); // exactly t1 + DAY
        assert_eq!(wd.now(), t1 + DAY);
        p(admin).execute_change(kind).motsu_unwrap();
        assert_eq!(current(kind), second);
        assert_eq!(p(admin).pending_change(kind).unwrap().1, 0);
        match kind {
            ORACLE => pool.assert_emitted(&events::OracleUpdated {
                oracle: Address::with_last_byte(0x42),
            }),
            RELAYER => pool.assert_emitted(&events::RelayerUpdated {
                relayer: Address::with_last_byte(0x52),
            }),
            _ => pool.assert_emitted(&events::PoolCapUpdated { bps: second }),
        }
        rejected!(wd, p(admin).execute_change(kind), Error::NoPendingChange);

        // Cancel clears the proposal.
        let t2 = wd.now();
        p(admin).propose_change(kind, third).motsu_unwrap();
        assert_eq!(p(admin).pending_change(kind).unwrap(), (third, t2 + DAY));
        p(admin).cancel_change(kind).motsu_unwrap();
        pool.assert_emitted(&events::ChangeCancelled { kind });
        assert_eq!(p(admin).pending_change(kind).unwrap().1, 0);
        advance(DAY);
        rejected!(wd, p(admin).execute_change(kind), Error::NoPendingChange);
        rejected!(wd, p(admin).cancel_change(kind), Error::NoPendingChange);
        assert_eq!(current(kind), second);
    }

    // Through the ABI: propose, the pending view, early execute, execute.
    let t = wd.now();
    let new_oracle = Address::with_last_byte(0x44);
    wd.abi(
        admin,
        IPool::proposeCall {
            kind: 0,
            value: aw(new_oracle),
        },
    )
    .unwrap();
    let pc = wd
        .abi(admin, IPool::pendingChangeCall { kind: ORACLE })
        .unwrap();
    assert_eq!((pc.value, pc.eta), (aw(new_oracle), U256::from(t + DAY)));
    assert_eq!(
        wd.abi(admin, IPool::executeCall { kind: 0 }).err(),
        Some(Error::TimelockNotReady.selector().to_vec())
    );
    advance(DAY);
    wd.abi(admin, IPool::executeCall { kind: 0 }).unwrap();
    assert_eq!(wd.abi(admin, IPool::oracleCall {}).unwrap()._0, new_oracle);
    assert_eq!(
        wd.abi(admin, IPool::executeCall { kind: 0 }).err(),
        Some(Error::NoPendingChange.selector().to_vec())
    );
}

/// The one `propose(kind, value)` / `execute(kind)` / `cancel(kind)` triple:
/// anchors (kind 3) are proposed only with `proposeAnchors`, kinds above 3
/// do not exist, a `uint8` with dirty high bits is refused; nothing changes.
#[motsu::test]
fn governance_triple_refuses_unknown_kinds(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let admin = wd.admin;
    let bad = Some(Error::InvalidCalldata.selector().to_vec());
    let before = wd.snapshot(&[admin], token());
    let pending = |k: u8| pool.sender(admin).pending_change(k).unwrap();
    assert_eq!(
        wd.abi(
            admin,
            IPool::proposeCall {
                kind: 3,
                value: U256::from(1)
            }
        )
        .err(),
        bad
    );
    for kind in [4u8, 255] {
        assert_eq!(
            wd.abi(
                admin,
                IPool::proposeCall {
                    kind,
                    value: U256::from(1)
                }
            )
            .err(),
            bad
        );
        assert_eq!(wd.abi(admin, IPool::executeCall { kind }).err(), bad);
        assert_eq!(wd.abi(admin, IPool::cancelCall { kind }).err(), bad);
    }
    // An address passed as uint256 must fit 160 bits: 2^160 (which the
    // role slot would cut to address 0) and dirty high bits are refused.
    let addr = U256::from_be_slice(Address::with_last_byte(0x77).as_slice());
    for (kind, value) in [
        (0u8, U256::from(1) << 160),
        (1, addr | (U256::from(1) << 200)),
    ] {
        assert_eq!(wd.abi(admin, IPool::proposeCall { kind, value }).err(), bad);
    }
    // kind = 256 on the wire: not a uint8.
    let mut data = IPool::executeCall { kind: 0 }.abi_encode();
    data[4 + 30] = 1;
    assert_eq!(wd.raw_call(admin, &data).err(), bad);
    for k in 0..3 {
        assert_eq!(pending(k).1, 0);
    }
    assert_eq!(wd.snapshot(&[admin], token()), before);
    // Kind 2 through the triple: propose, cancel, propose, execute.
    wd.abi(
        admin,
        IPool::proposeCall {
            kind: 2,
            value: U256::from(9_000),
        },
    )
    .unwrap();
    assert_eq!(pending(POOL_CAP).0, U256::from(9_000));
    wd.abi(admin, IPool::cancelCall { kind: 2 }).unwrap();
    assert_eq!(pending(POOL_CAP).1, 0);
    wd.abi(
        admin,
        IPool::proposeCall {
            kind: 1,
            value: aw(Address::with_last_byte(9)),
        },
    )
    .unwrap();
    wd.abi(admin, IPool::executeCall { kind: 1 }).unwrap();
    assert_eq!(
        wd.abi(admin, IPool::relayerCall {}).unwrap()._0,
        Address::with_last_byte(9)
    );
}

#[motsu::test]
fn anchors_are_timelocked(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let admin = wd.admin;
    let p = |a: Address| pool.sender(a);
    p(admin).activate_timelock(2 * DAY).motsu_unwrap();
    let (gp, gl) = curve_args(&generous());
    let (sp, sl) = curve_args(&strict());

    let t0 = wd.now();
    p(admin).propose_anchors(&gp, &gl).motsu_unwrap();
    pool.assert_emitted(&events::ChangeProposed {
        kind: ANCHORS,
        value: U256::ZERO,
        eta: U256::from(t0 + 2 * DAY),
    });
    assert_eq!(p(admin).pending_anchors(), (generous(), t0 + 2 * DAY));
    rejected!(
        wd,
        p(admin).execute_change(ANCHORS),
        Error::TimelockNotReady
    );
    advance(2 * DAY - 1);
    rejected!(
        wd,
        p(admin).execute_change(ANCHORS),
        Error::TimelockNotReady
    );
    assert_eq!(p(admin).curve(), Curve::default());

    // Replaced by another proposal.
    let t1 = wd.now();
    p(admin).propose_anchors(&sp, &sl).motsu_unwrap();
    assert_eq!(p(admin).pending_anchors(), (strict(), t1 + 2 * DAY));
    advance(1);
    rejected!(
        wd,
        p(admin).execute_change(ANCHORS),
        Error::TimelockNotReady
    );
    advance(2 * DAY - 1);
    p(admin).execute_change(ANCHORS).motsu_unwrap();
    assert_eq!(p(admin).curve(), strict());
    assert_eq!(p(admin).pending_anchors().1, 0);
    pool.assert_emitted(&events::AnchorsUpdated {
        prices: sp.clone(),
        ltvs: sl.clone(),
    });
    let got = wd.abi(admin, IPool::anchorsCall {}).unwrap();
    assert_eq!((got.prices, got.ltvs), (sp.clone(), sl.clone()));
    rejected!(wd, p(admin).execute_change(ANCHORS), Error::NoPendingChange);

    // Cancelled.
    p(admin).propose_anchors(&gp, &gl).motsu_unwrap();
    p(admin).cancel_change(ANCHORS).motsu_unwrap();
    pool.assert_emitted(&events::ChangeCancelled { kind: ANCHORS });
    assert_eq!(p(admin).pending_anchors().1, 0);
    advance(2 * DAY);
    rejected!(wd, p(admin).execute_change(ANCHORS), Error::NoPendingChange);
    rejected!(wd, p(admin).cancel_change(ANCHORS), Error::NoPendingChange);
    assert_eq!(p(admin).curve(), strict());

    // Through the ABI.
    let t2 = wd.now();
    wd.abi(
        admin,
        IPool::proposeAnchorsCall {
            prices: gp.clone(),
            ltvs: gl.clone(),
        },
    )
    .unwrap();
    let pa = wd.abi(admin, IPool::pendingAnchorsCall {}).unwrap();
    assert_eq!(
        (pa.prices, pa.ltvs, pa.eta),
        (gp.clone(), gl.clone(), U256::from(t2 + 2 * DAY))
    );
    assert_eq!(
        wd.abi(admin, IPool::executeCall { kind: 3 }).err(),
        Some(Error::TimelockNotReady.selector().to_vec())
    );
    wd.abi(admin, IPool::cancelCall { kind: 3 }).unwrap();
    assert_eq!(
        wd.abi(admin, IPool::executeCall { kind: 3 }).err(),
        Some(Error::NoPendingChange.selector().to_vec())
    );
    assert_eq!(p(admin).curve(), strict());
}

#[motsu::test]
fn without_a_delay_changes_apply_in_the_same_block(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let admin = wd.admin;
    let p = |a: Address| pool.sender(a);
    let t = wd.now();
    let (oracle, relayer) = (Address::with_last_byte(0x61), Address::with_last_byte(0x62));
    p(admin).propose_change(ORACLE, aw(oracle)).motsu_unwrap();
    p(admin).execute_change(ORACLE).motsu_unwrap();
    p(admin).propose_change(RELAYER, aw(relayer)).motsu_unwrap();
    p(admin).execute_change(RELAYER).motsu_unwrap();
    p(admin)
        .propose_change(POOL_CAP, U256::from(2_500))
        .motsu_unwrap();
    p(admin).execute_change(POOL_CAP).motsu_unwrap();
    let (gp, gl) = curve_args(&generous());
    p(admin).propose_anchors(&gp, &gl).motsu_unwrap();
    p(admin).execute_change(ANCHORS).motsu_unwrap();
    assert_eq!(wd.now(), t);
    assert_eq!(p(admin).role(s::ORACLE), oracle);
    assert_eq!(p(admin).role(s::RELAYER), relayer);
    assert_eq!(p(admin).setting(s::POOL_CAP), 2_500);
    assert_eq!(p(admin).curve(), generous());
    pool.assert_emitted(&events::OracleUpdated { oracle });
    pool.assert_emitted(&events::RelayerUpdated { relayer });
    pool.assert_emitted(&events::PoolCapUpdated {
        bps: U256::from(2_500),
    });
    pool.assert_emitted(&events::AnchorsUpdated {
        prices: gp,
        ltvs: gl,
    });
    for kind in [ORACLE, RELAYER, POOL_CAP] {
        pool.assert_emitted(&events::ChangeProposed {
            kind,
            value: p(admin).pending_change(kind).unwrap().0,
            eta: U256::from(t),
        });
    }
}

#[motsu::test]
fn raising_the_delay_also_delays_pending_changes(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let admin = wd.admin;
    let p = |a: Address| pool.sender(a);
    let t = wd.now();
    // Proposed under delay 0 (ready at once), then the timelock goes to a day:
    // the pending changes now wait a day from their proposal too.
    let oracle = Address::with_last_byte(0x81);
    p(admin).propose_change(ORACLE, aw(oracle)).motsu_unwrap();
    let (gp, gl) = curve_args(&generous());
    p(admin).propose_anchors(&gp, &gl).motsu_unwrap();
    assert_eq!(p(admin).pending_change(ORACLE).unwrap(), (aw(oracle), t));
    p(admin).activate_timelock(DAY).motsu_unwrap();
    assert_eq!(
        p(admin).pending_change(ORACLE).unwrap(),
        (aw(oracle), t + DAY)
    );
    assert_eq!(p(admin).pending_anchors(), (generous(), t + DAY));
    rejected!(wd, p(admin).execute_change(ORACLE), Error::TimelockNotReady);
    rejected!(
        wd,
        p(admin).execute_change(ANCHORS),
        Error::TimelockNotReady
    );
    advance(DAY - 1);
    // Raised again half-way: the longer delay counts.
    p(admin).activate_timelock(2 * DAY).motsu_unwrap();
    advance(1);
    rejected!(wd, p(admin).execute_change(ORACLE), Error::TimelockNotReady);
    rejected!(
        wd,
        p(admin).execute_change(ANCHORS),
        Error::TimelockNotReady
    );
    advance(DAY);
    assert_eq!(wd.now(), t + 2 * DAY);
    p(admin).execute_change(ORACLE).motsu_unwrap();
    p(admin).execute_change(ANCHORS).motsu_unwrap();
    assert_eq!(p(admin).role(s::ORACLE), oracle);
    assert_eq!(p(admin).curve(), generous());
}

#[motsu::test]
fn proposals_are_validated(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let admin = wd.admin;
    rejected!(
        wd,
        pool.sender(admin).propose_change(ORACLE, U256::ZERO),
        Error::ZeroAddress
    );
    rejected!(
        wd,
        pool.sender(admin).propose_change(RELAYER, U256::ZERO),
        Error::ZeroAddress
    );
    rejected!(
        wd,
        pool.sender(admin)
            .propose_change(POOL_CAP, U256::from(10_001)),
        Error::InvalidPoolCap
    );
    rejected!(
        wd,
        pool.sender(admin).propose_change(POOL_CAP, U256::MAX),
        Error::InvalidPoolCap
    );
    // Anchors only go through `propose_anchors`; kinds above 3 do not exist.
    rejected!(
        wd,
        pool.sender(admin).propose_change(ANCHORS, U256::from(1)),
        Error::InvalidCalldata
    );
    rejected!(
        wd,
        pool.sender(admin).execute_change(4),
        Error::InvalidCalldata
    );
    rejected!(
        wd,
        pool.sender(admin).cancel_change(4),
        Error::InvalidCalldata
    );
    rejected!(
        wd,
        pool.sender(admin).execute_change(ANCHORS),
        Error::NoPendingChange
    );
    let zero = Some(Error::ZeroAddress.selector().to_vec());
    assert_eq!(
        wd.abi(
            admin,
            IPool::proposeCall {
                kind: 0,
                value: aw(Address::ZERO)
            }
        )
        .err(),
        zero
    );
    assert_eq!(
        wd.abi(
            admin,
            IPool::proposeCall {
                kind: 1,
                value: aw(Address::ZERO)
            }
        )
        .err(),
        zero
    );
}

#[motsu::test]
fn a_new_oracle_replaces_the_old_one(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    liquidator: Address,
) {
    let alice = Account::from_seed("alice");
    let new = Account::from_seed("oracle2");
    let wd = World::new(&pool, &usdc, &ctf);
    let (admin, id, a) = (wd.admin, token(), alice.address());
    wd.lend(lender, usd(1_000_000));
    wd.collateral(a, id, usd(10_000));
    pool.sender(admin).activate_timelock(DAY).motsu_unwrap();
    pool.sender(admin)
        .propose_change(ORACLE, aw(new.address()))
        .motsu_unwrap();

    // While pending, the old oracle is the one trusted.
    assert_fails!(
        wd,
        [a],
        id,
        wd.relay_borrow(wd.relayer, &new, &alice, id, usd(100), cents(70)),
        Error::InvalidSignature
    );
    wd.relay_borrow(wd.relayer, &wd.oracle, &alice, id, usd(100), cents(70))
        .motsu_unwrap();

    advance(DAY);
    pool.sender(admin).execute_change(ORACLE).motsu_unwrap();
    pool.assert_emitted(&events::OracleUpdated {
        oracle: new.address(),
    });
    assert_eq!(pool.sender(admin).role(s::ORACLE), new.address());

    // Prices from the old oracle are refused everywhere; the new one's accepted.
    assert_fails!(
        wd,
        [a],
        id,
        wd.relay_borrow(wd.relayer, &wd.oracle, &alice, id, usd(100), cents(70)),
        Error::InvalidSignature
    );
    let before = wd.snapshot(&[a, liquidator], id);
    assert_eq!(
        wd.liquidate(liquidator, a, id, usd(100), cents(70)),
        Err(Error::InvalidSignature)
    );
    assert_eq!(
        wd.withdraw_collateral(&alice, a, id, usd(1), cents(70)),
        Err(Error::InvalidSignature)
    );
    assert_eq!(wd.snapshot(&[a, liquidator], id), before);
    wd.relay_borrow(wd.relayer, &new, &alice, id, usd(100), cents(70))
        .motsu_unwrap();
    assert_eq!(wd.usdc_of(a), usd(200));

    // Resolutions too.
    let ts = wd.now();
    let old_sig = wd.resolution_sig(id, true, ts);
    rejected!(
        wd,
        pool.sender(liquidator)
            .resolve_market(id, true, U256::from(ts), &old_sig),
        Error::InvalidSignature
    );
    assert_eq!(pool.sender(admin).market_status(id), 0);
    let new_sig = sign(
        &new,
        sig::digest(wd.domain(), sig::resolution_hash(id, true, U256::from(ts))),
    );
    pool.sender(liquidator)
        .resolve_market(id, true, U256::from(ts), &new_sig)
        .motsu_unwrap();
    assert_eq!(pool.sender(admin).market_status(id), 1);
}

#[motsu::test]
fn a_new_relayer_replaces_the_old_one(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    dest: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    let (admin, id, a, old) = (wd.admin, token(), alice.address(), wd.relayer);
    let new = Address::with_last_byte(0xef);
    wd.lend(lender, usd(1_000_000));
    wd.collateral(a, id, usd(10_000));
    pool.sender(admin).activate_timelock(DAY).motsu_unwrap();
    pool.sender(admin)
        .propose_change(RELAYER, aw(new))
        .motsu_unwrap();
    // Pending is not enough.
    assert_fails!(
        wd,
        [a, new],
        id,
        wd.relay_borrow(new, &wd.oracle, &alice, id, usd(100), cents(70)),
        Error::Unauthorized
    );
    rejected!(wd, pool.sender(new).set_paused(true), Error::Unauthorized);
    advance(DAY);
    pool.sender(admin).execute_change(RELAYER).motsu_unwrap();
    pool.assert_emitted(&events::RelayerUpdated { relayer: new });
    assert_eq!(pool.sender(admin).role(s::RELAYER), new);

    // The old relayer can neither borrow, withdraw nor pause.
    assert_fails!(
        wd,
        [a, old, new],
        id,
        wd.relay_borrow(old, &wd.oracle, &alice, id, usd(100), cents(70)),
        Error::Unauthorized
    );
    let before = wd.snapshot(&[a, dest], id);
    assert_eq!(
        wd.withdraw_collateral(&alice, dest, id, usd(1), cents(70)),
        Err(Error::Unauthorized)
    );
    assert_eq!(wd.snapshot(&[a, dest], id), before);
    rejected!(wd, pool.sender(old).set_paused(true), Error::Unauthorized);
    // The new one can, and the USDC still goes to the borrower.
    wd.relay_borrow(new, &wd.oracle, &alice, id, usd(100), cents(70))
        .motsu_unwrap();
    assert_eq!(wd.usdc_of(a), usd(100));
    assert_eq!(wd.usdc_of(new), 0);
    pool.sender(new).set_paused(true).motsu_unwrap();
    pool.assert_emitted(&events::PauseSet {
        account: new,
        paused: true,
    });
    rejected!(wd, pool.sender(new).set_paused(false), Error::Unauthorized);
}

// ---------------------------------------------------------------------------
// 4. Anchors
// ---------------------------------------------------------------------------

#[motsu::test]
fn invalid_anchors_are_rejected(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let admin = wd.admin;
    let d = Curve::default();
    let bad = |f: &dyn Fn(&mut Vec<U256>, &mut Vec<U256>)| {
        let (mut p, mut l) = curve_args(&d);
        f(&mut p, &mut l);
        (p, l)
    };
    let cases: Vec<(&str, (Vec<U256>, Vec<U256>))> = vec![
        ("first price not 0", bad(&|p, _| p[0] = w(1))),
        ("last price below 1e18", bad(&|p, _| p[6] = w(WAD - 1))),
        ("last price above 1e18", bad(&|p, _| p[6] = w(WAD + 1))),
        ("last price above u128", bad(&|p, _| p[6] = U256::MAX)),
        ("equal prices", bad(&|p, _| p[3] = p[2])),
        ("decreasing prices", bad(&|p, _| p[3] = p[2] - w(1))),
        ("decreasing LTV", bad(&|_, l| l[3] = l[2] - w(1))),
        (
            "first LTV above the second",
            bad(&|_, l| l[0] = l[1] + w(1)),
        ),
        (
            "threshold above 1/1.05 (no room for the bonus at HF 1)",
            bad(&|_, l| l[6] = w(MAX_LTV + 1)),
        ),
        ("ltv + 10% = 100%", bad(&|_, l| l[6] = w(cents(90)))),
        ("ltv far above 100%", bad(&|_, l| l[6] = U256::MAX)),
        (
            "6 anchors",
            bad(&|p, l| {
                p.truncate(6);
                l.truncate(6)
            }),
        ),
        ("6 LTVs", bad(&|_, l| l.truncate(6))),
        ("6 prices", bad(&|p, _| p.truncate(6))),
        (
            "8 anchors",
            bad(&|p, l| {
                p.push(w(WAD));
                l.push(w(cents(80)))
            }),
        ),
        ("no anchors", (vec![], vec![])),
    ];
    for (what, (p, l)) in &cases {
        let g = gov(&wd);
        assert_eq!(
            pool.sender(admin).propose_anchors(p, l).motsu_res(),
            Err(Error::InvalidAnchors),
            "{what}"
        );
        assert_eq!(gov(&wd), g, "{what}");
        assert_eq!(
            pool.sender(admin).pending_anchors().1,
            0,
            "{what}: nothing pending"
        );
        rejected!(
            wd,
            pool.sender(admin).propose_anchors(p, l),
            Error::InvalidAnchors
        );
    }
    // Through the ABI.
    let (p, l) = &cases[0].1;
    assert_eq!(
        wd.abi(
            admin,
            IPool::proposeAnchorsCall {
                prices: p.clone(),
                ltvs: l.clone()
            }
        )
        .err(),
        Some(Error::InvalidAnchors.selector().to_vec())
    );
    // An invalid proposal does not replace a valid pending one.
    pool.sender(admin).activate_timelock(DAY).motsu_unwrap();
    let (gp, gl) = curve_args(&generous());
    pool.sender(admin).propose_anchors(&gp, &gl).motsu_unwrap();
    let pending = pool.sender(admin).pending_anchors();
    assert_eq!(pending.0, generous());
    advance(10);
    for (what, (p, l)) in &cases {
        assert_eq!(
            pool.sender(admin).propose_anchors(p, l).motsu_res(),
            Err(Error::InvalidAnchors),
            "{what}"
        );
        assert_eq!(pool.sender(admin).pending_anchors(), pending, "{what}");
    }
    // The boundary is valid: last LTV exactly MAX_LTV (threshold 1/1.05).
    let mut edge = curve_with([2, 8, 30, 45, 60, 70, 70]);
    edge.ltvs[6] = MAX_LTV;
    let (ep, el) = curve_args(&edge);
    pool.sender(admin).propose_anchors(&ep, &el).motsu_unwrap();
    assert_eq!(pool.sender(admin).pending_anchors().0, edge);
    // Flat LTVs are fine (never decreasing is enough).
    let flat = curve_with([50, 50, 50, 50, 50, 50, 50]);
    let (fp, fl) = curve_args(&flat);
    pool.sender(admin).propose_anchors(&fp, &fl).motsu_unwrap();
    assert_eq!(pool.sender(admin).pending_anchors().0, flat);
    assert_eq!(pool.sender(admin).curve(), Curve::default());
}

#[motsu::test]
fn new_anchors_drive_ltv_health_and_borrow_limits(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    let (admin, id, a) = (wd.admin, token(), alice.address());
    let p = |x: Address| pool.sender(x);
    wd.lend(lender, usd(1_000_000));
    wd.collateral(a, id, usd(10_000));
    wd.borrow(&alice, id, usd(4_000), cents(70)).unwrap();
    // Default curve: LTV 65% at $0.70, HF 1.3125, at most $4,550.
    assert_eq!(p(a).curve().ltv(cents(70)), cents(65));
    assert_eq!(
        p(a).get_health_factor(a, id, cents(70)).unwrap(),
        w(13_125 * PCT / 100)
    );
    let before = wd.snapshot(&[a], id);
    assert_eq!(
        wd.borrow(&alice, id, usd(1_000), cents(70)),
        Err(Error::ExceedsLtv)
    );
    assert_eq!(wd.snapshot(&[a], id), before);

    // The generous curve: 75% at $0.70 → HF 7,000 * 85% / 4,000 = 1.4875, up to $5,250.
    let (gp, gl) = curve_args(&generous());
    p(admin).propose_anchors(&gp, &gl).motsu_unwrap();
    // Pending anchors change nothing yet.
    assert_eq!(p(a).curve(), Curve::default());
    assert_eq!(
        wd.borrow(&alice, id, usd(1_000), cents(70)),
        Err(Error::ExceedsLtv)
    );
    p(admin).execute_change(ANCHORS).motsu_unwrap();
    pool.assert_emitted(&events::AnchorsUpdated {
        prices: gp,
        ltvs: gl,
    });
    assert_eq!(p(a).curve().ltv(cents(70)), cents(75));
    assert_eq!(p(a).curve().liquidation_threshold(cents(70)), cents(85));
    assert_eq!(
        wd.abi(
            a,
            IPool::getLtvCall {
                price: w(cents(70))
            }
        )
        .unwrap()
        ._0,
        w(cents(75))
    );
    assert_eq!(
        p(a).get_health_factor(a, id, cents(70)).unwrap(),
        w(14_875 * PCT / 100)
    );
    wd.borrow(&alice, id, usd(1_000), cents(70)).unwrap();
    assert_eq!(p(a).get_position(a, id).unwrap().2, usd(5_000));
    let before = wd.snapshot(&[a], id);
    assert_eq!(
        wd.borrow(&alice, id, usd(250) + 1, cents(70)),
        Err(Error::ExceedsLtv)
    );
    assert_eq!(wd.snapshot(&[a], id), before);

    // The strict curve: 32.5% at $0.70 → at most $2,275, so no more borrowing,
    // and the same position becomes liquidatable (HF 7,000 * 42.5% / 5,000 = 0.595).
    let (sp, sl) = curve_args(&strict());
    p(admin).propose_anchors(&sp, &sl).motsu_unwrap();
    p(admin).execute_change(ANCHORS).motsu_unwrap();
    assert_eq!(p(a).curve().ltv(cents(70)), 325 * PCT / 10);
    assert_eq!(
        p(a).get_health_factor(a, id, cents(70)).unwrap(),
        w(595 * PCT / 10)
    );
    assert_eq!(p(a).max_borrow(a, id, cents(70)).unwrap(), 0);
    let before = wd.snapshot(&[a], id);
    assert_eq!(
        wd.borrow(&alice, id, usd(1), cents(70)),
        Err(Error::ExceedsLtv)
    );
    assert_eq!(wd.snapshot(&[a], id), before);
}

// ---------------------------------------------------------------------------
// 5. Pool cap
// ---------------------------------------------------------------------------

#[motsu::test]
fn pool_cap_lowers_at_once_and_rises_through_the_timelock(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    let (admin, id, a) = (wd.admin, token(), alice.address());
    let p = |x: Address| pool.sender(x);
    wd.lend(lender, usd(100_000));
    wd.collateral(a, id, usd(100_000));
    assert_eq!(p(a).setting(s::POOL_CAP), 500);
    assert_eq!(p(a).token_borrow_cap().unwrap(), usd(5_000));

    // Lowering: immediate.
    p(admin).set_pool_cap(U256::from(100)).motsu_unwrap();
    pool.assert_emitted(&events::PoolCapUpdated {
        bps: U256::from(100),
    });
    assert_eq!(p(a).setting(s::POOL_CAP), 100);
    assert_eq!(p(a).token_borrow_cap().unwrap(), usd(1_000));
    let before = wd.snapshot(&[a], id);
    assert_eq!(
        wd.borrow(&alice, id, usd(1_000) + 1, cents(80)),
        Err(Error::ExceedsTokenCap)
    );
    assert_eq!(wd.snapshot(&[a], id), before);

    // Raising (also to 0, "no cap"): timelock only. Above 100%: never.
    rejected!(
        wd,
        p(admin).set_pool_cap(U256::from(101)),
        Error::TimelockRequired
    );
    rejected!(
        wd,
        p(admin).set_pool_cap(U256::from(500)),
        Error::TimelockRequired
    );
    rejected!(
        wd,
        p(admin).set_pool_cap(U256::ZERO),
        Error::TimelockRequired
    );
    rejected!(
        wd,
        p(admin).set_pool_cap(U256::from(10_001)),
        Error::InvalidPoolCap
    );
    rejected!(wd, p(admin).set_pool_cap(U256::MAX), Error::InvalidPoolCap);
    rejected!(
        wd,
        p(admin).propose_change(POOL_CAP, U256::from(10_001)),
        Error::InvalidPoolCap
    );
    assert_eq!(
        wd.abi(
            admin,
            IPool::setPoolCapCall {
                bps: U256::from(200)
            }
        )
        .err(),
        Some(Error::TimelockRequired.selector().to_vec())
    );
    assert_eq!(
        wd.abi(
            admin,
            IPool::setPoolCapCall {
                bps: U256::from(10_001)
            }
        )
        .err(),
        Some(Error::InvalidPoolCap.selector().to_vec())
    );
    assert_eq!(
        wd.abi(
            admin,
            IPool::proposeCall {
                kind: 2,
                value: U256::from(10_001)
            }
        )
        .err(),
        Some(Error::InvalidPoolCap.selector().to_vec())
    );

    // 0 through the timelock disables the cap.
    p(admin).activate_timelock(DAY).motsu_unwrap();
    p(admin).propose_change(POOL_CAP, U256::ZERO).motsu_unwrap();
    rejected!(
        wd,
        p(admin).execute_change(POOL_CAP),
        Error::TimelockNotReady
    );
    advance(DAY);
    p(admin).execute_change(POOL_CAP).motsu_unwrap();
    pool.assert_emitted(&events::PoolCapUpdated { bps: U256::ZERO });
    assert_eq!(p(a).setting(s::POOL_CAP), 0);
    assert_eq!(p(a).token_borrow_cap().unwrap(), u128::MAX);
    assert_eq!(
        wd.abi(a, IPool::tokenBorrowCapCall {}).unwrap()._0,
        U256::MAX
    );
    assert_eq!(wd.abi(a, IPool::poolCapBpsCall {}).unwrap()._0, U256::ZERO);
    // Now one token may take more than 5% of the pool.
    wd.borrow(&alice, id, usd(20_000), cents(80)).unwrap();
    assert_eq!(p(a).token_debt(id).unwrap(), usd(20_000));

    // From "no cap", any cap is a lowering: immediate. Back to 0 is a raise.
    p(admin).set_pool_cap(U256::from(10_000)).motsu_unwrap();
    pool.assert_emitted(&events::PoolCapUpdated {
        bps: U256::from(10_000),
    });
    assert_eq!(p(a).setting(s::POOL_CAP), 10_000);
    rejected!(
        wd,
        p(admin).set_pool_cap(U256::ZERO),
        Error::TimelockRequired
    );
    // A lowering below the current debt is allowed; it only blocks new borrows.
    wd.abi(
        admin,
        IPool::setPoolCapCall {
            bps: U256::from(1_000),
        },
    )
    .unwrap();
    assert_eq!(p(a).setting(s::POOL_CAP), 1_000);
    let before = wd.snapshot(&[a], id);
    assert_eq!(
        wd.borrow(&alice, id, usd(1), cents(80)),
        Err(Error::ExceedsTokenCap)
    );
    assert_eq!(wd.snapshot(&[a], id), before);
}

// ---------------------------------------------------------------------------
// 6. Pause / freeze / resolution matrix
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq)]
enum Cond {
    Paused,
    Frozen,
    Won,
    Lost,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Act {
    Deposit,
    Mint,
    Withdraw,
    Redeem,
    TransferShares,
    CollateralIn,
    Borrow,
    RelayWithdraw,
    DirectWithdraw,
    Repay,
    Liquidate,
    Resolve,
}

const CONDS: [Cond; 4] = [Cond::Paused, Cond::Frozen, Cond::Won, Cond::Lost];

/// The SPEC table: per action, the result under [paused, frozen, won, lost].
fn expected(act: Act) -> [Result<(), Error>; 4] {
    use Error::*;
    match act {
        Act::Deposit | Act::Mint => [Err(ProtocolPaused), Ok(()), Ok(()), Ok(())],
        Act::Withdraw | Act::Redeem | Act::TransferShares => [Ok(()); 4],
        Act::CollateralIn | Act::Borrow => [
            Err(ProtocolPaused),
            Err(TokenFrozen),
            Err(MarketResolved),
            Err(MarketResolved),
        ],
        Act::RelayWithdraw => [
            Ok(()),
            Err(TokenFrozen),
            Err(MarketResolved),
            Err(MarketResolved),
        ],
        Act::DirectWithdraw => [Ok(()), Err(TokenFrozen), Ok(()), Ok(())],
        // Repay works paused, frozen and won. A lost market's debt is written
        // off at resolution (not at `closeLostPosition` as the SPEC has it), so
        // there is nothing left to repay: `NoPosition` (checked in `run_case`).
        Act::Repay => [Ok(()), Ok(()), Ok(()), Err(NoPosition)],
        Act::Liquidate => [Ok(()), Ok(()), Ok(()), Err(MarketResolved)],
        // Resolution works while paused or frozen; a resolved market cannot be resolved again.
        Act::Resolve => [Ok(()), Ok(()), Err(MarketResolved), Err(MarketResolved)],
    }
}

/// A fresh pool: a lender, Alice (10,000 shares, $4,000 debt at $0.70, so
/// liquidatable at $0.40), Bob (100 shares, no debt), a newcomer with USDC and
/// shares; then `cond` applied and `act` run. Asserts that a failure changes
/// nothing and a success changes something.
fn run_case(cond: Cond, act: Act) -> Result<(), Error> {
    let pool = Contract::<LendingPool>::new();
    let usdc = Contract::<MockUsdc>::new();
    let ctf = Contract::<MockCtf>::new();
    let wd = World::new(&pool, &usdc, &ctf);
    let alice = Account::from_seed("alice");
    let bob = Account::from_seed("bob");
    let (a, b) = (alice.address(), bob.address());
    let lender = Address::with_last_byte(0x11);
    let newcomer = Address::with_last_byte(0x12);
    let liquidator = Address::with_last_byte(0x13);
    let dest = Address::with_last_byte(0x14);
    let id = token();
    let shares = wd.lend(lender, usd(1_000_000));
    wd.collateral(a, id, usd(10_000));
    wd.collateral(b, id, usd(100));
    wd.borrow(&alice, id, usd(4_000), cents(70)).unwrap();
    wd.fund(newcomer, usd(1_000));
    wd.fund(a, usd(1_000));
    wd.fund(liquidator, usd(10_000));
    ctf.sender(newcomer)
        .mint(newcomer, id, w(usd(10)))
        .motsu_unwrap();

    match cond {
        Cond::Paused => pool.sender(wd.admin).set_paused(true).motsu_unwrap(),
        Cond::Frozen => pool
            .sender(wd.admin)
            .set_token_frozen(id, true)
            .motsu_unwrap(),
        Cond::Won => resolve(&wd, id, true),
        Cond::Lost => resolve(&wd, id, false),
    }
    if cond == Cond::Lost {
        // The whole token debt was written off when the market was resolved lost.
        let (collateral, _, debt) = pool.sender(newcomer).get_position(a, id).unwrap();
        assert_eq!((collateral, debt), (usd(10_000), 0));
        assert_eq!(pool.sender(newcomer).token_debt(id).unwrap(), 0);
        assert_eq!(pool.sender(newcomer).market().unwrap().borrowed, 0);
    }
    let max_deposit = pool.sender(newcomer).max_deposit(newcomer).unwrap();
    assert_eq!(
        max_deposit == 0,
        cond == Cond::Paused,
        "{cond:?}: maxDeposit is 0 exactly while paused"
    );
    if cond != Cond::Paused {
        // Bounded only by the u128 books.
        assert!(max_deposit > u128::MAX / 2_000_000, "{cond:?}: maxDeposit");
    }
    let max_mint = wd
        .abi(newcomer, IPool::maxMintCall { receiver: newcomer })
        .unwrap()
        ._0;
    assert_eq!(
        max_mint == U256::ZERO,
        cond == Cond::Paused,
        "{cond:?}: maxMint is 0 exactly while paused"
    );

    let who = [a, b, lender, newcomer, liquidator, dest];
    let before = wd.snapshot(&who, id);
    let got = match act {
        Act::Deposit => pool
            .sender(newcomer)
            .deposit(usd(100), newcomer)
            .motsu_res()
            .map(|_| ()),
        Act::Mint => pool
            .sender(newcomer)
            .mint(usd(1) * 1_000_000, newcomer)
            .motsu_res()
            .map(|_| ()),
        Act::Withdraw => pool
            .sender(lender)
            .withdraw(usd(100), lender, lender)
            .motsu_res()
            .map(|_| ()),
        Act::Redeem => pool
            .sender(lender)
            .redeem(shares / 1_000, lender, lender)
            .motsu_res()
            .map(|_| ()),
        Act::TransferShares => pool
            .sender(lender)
            .transfer(newcomer, w(1_000_000))
            .motsu_res()
            .map(|_| ()),
        Act::CollateralIn => {
            // The real push reverts whenever the callback does.
            let pushed = ctf
                .sender(newcomer)
                .safe_transfer_from(newcomer, pool.address(), id, w(usd(1)), Bytes::from(vec![]))
                .motsu_res();
            let amounts = [w(usd(1))];
            let exact = pool
                .sender(ctf.address())
                .on_received(newcomer, &[id], &amounts, &[])
                .motsu_res();
            assert_eq!(
                pushed.is_err(),
                exact.is_err(),
                "{cond:?}: push vs callback"
            );
            exact
        }
        Act::Borrow => wd.borrow(&alice, id, usd(100), cents(70)),
        Act::RelayWithdraw => wd.withdraw_collateral(&alice, dest, id, usd(100), cents(70)),
        Act::DirectWithdraw => pool
            .sender(b)
            .withdraw_collateral(id, usd(50), dest)
            .motsu_res(),
        Act::Repay => pool
            .sender(a)
            .repay_for(a, id, usd(100))
            .motsu_res()
            .map(|_| ()),
        Act::Liquidate => wd
            .liquidate(liquidator, a, id, usd(10_000), cents(40))
            .map(|_| ()),
        Act::Resolve => {
            let ts = wd.now();
            let rsig = wd.resolution_sig(id, true, ts);
            pool.sender(newcomer)
                .resolve_market(id, true, U256::from(ts), &rsig)
                .motsu_res()
        }
    };
    let after = wd.snapshot(&who, id);
    match (&got, act) {
        (Err(_), _) => assert_eq!(
            after, before,
            "{act:?} under {cond:?} failed but changed state"
        ),
        (Ok(()), Act::Resolve) => assert_ne!(pool.sender(newcomer).market_status(id), 0),
        (Ok(()), _) => assert_ne!(
            after, before,
            "{act:?} under {cond:?} succeeded without effect"
        ),
    }
    got
}

#[motsu::test]
fn pause_freeze_and_resolution_matrix(alice: Address) {
    let _ = alice;
    let acts = [
        Act::Deposit,
        Act::Mint,
        Act::Withdraw,
        Act::Redeem,
        Act::TransferShares,
        Act::CollateralIn,
        Act::Borrow,
        Act::RelayWithdraw,
        Act::DirectWithdraw,
        Act::Repay,
        Act::Liquidate,
        Act::Resolve,
    ];
    let mut wrong = Vec::new();
    for act in acts {
        let want = expected(act);
        for (i, cond) in CONDS.iter().enumerate() {
            let got = run_case(*cond, act);
            if got != want[i] {
                wrong.push(format!(
                    "{act:?} under {cond:?}: expected {:?}, got {got:?}",
                    want[i]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "matrix mismatches:\n{}", wrong.join("\n"));
}

// ---------------------------------------------------------------------------
// 7. Reserves
// ---------------------------------------------------------------------------

#[motsu::test]
fn reserves_go_to_the_admin_without_touching_lenders(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    treasury: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    let (admin, id, a) = (wd.admin, token(), alice.address());
    let p = |x: Address| pool.sender(x);
    let shares = wd.lend(lender, usd(1_000_000));
    wd.collateral(a, id, usd(100_000));
    wd.borrow(&alice, id, usd(40_000), cents(80)).unwrap();
    advance(YEAR);
    wd.fund(a, usd(10_000));
    p(a).repay_for(a, id, u128::MAX).motsu_unwrap();
    p(lender).accrue().motsu_unwrap();
    let m = p(a).market().unwrap();
    assert_eq!(m.borrowed, 0);
    // U = 4%: 6% APR on $40,000 for a year = $2,400 of interest, 5% of it reserves.
    let reserves = m.reserves;
    assert_eq!(reserves, usd(120));
    let total = p(a).total_assets().unwrap();
    let price = p(a).assets_for(shares, Rounding::Down).unwrap();
    assert_eq!(total, m.cash - reserves);

    let who = [lender, treasury, admin];
    assert_fails!(
        wd,
        who,
        id,
        p(admin).withdraw_reserves(treasury, reserves + 1),
        Error::ExceedsReserves
    );
    assert_fails!(
        wd,
        who,
        id,
        p(admin).withdraw_reserves(Address::ZERO, reserves),
        Error::ZeroAddress
    );
    assert_eq!(
        wd.abi(
            admin,
            IPool::withdrawReservesCall {
                to: treasury,
                amount: U256::MAX
            }
        )
        .err(),
        Some(Error::ExceedsReserves.selector().to_vec())
    );

    p(admin)
        .withdraw_reserves(treasury, reserves)
        .motsu_unwrap();
    pool.assert_emitted(&events::ReservesWithdrawn {
        to: treasury,
        amount: w(reserves),
    });
    assert_eq!(wd.usdc_of(treasury), reserves);
    let after = p(a).market().unwrap();
    assert_eq!((after.reserves, after.cash), (0, m.cash - reserves));
    assert_eq!(p(a).total_assets().unwrap(), total);
    assert_eq!(p(a).assets_for(shares, Rounding::Down).unwrap(), price);
    assert_eq!(wd.usdc_of(pool.address()), after.cash);
    assert_fails!(
        wd,
        who,
        id,
        p(admin).withdraw_reserves(treasury, 1),
        Error::ExceedsReserves
    );
    // Lenders still get their whole claim.
    assert_eq!(p(lender).max_withdraw(lender).unwrap(), price);
    assert_eq!(
        p(lender).redeem(shares, lender, lender).motsu_unwrap(),
        price
    );
    assert_eq!(wd.usdc_of(lender), price);
}

#[motsu::test]
fn reserves_only_come_out_of_idle_cash(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    treasury: Address,
) {
    let alice = Account::from_seed("alice");
    let wd = World::new(&pool, &usdc, &ctf);
    let (admin, id, a) = (wd.admin, token(), alice.address());
    let p = |x: Address| pool.sender(x);
    wd.lend(lender, usd(1_000));
    wd.collateral(a, id, usd(10_000));
    wd.set_cap(0);
    wd.borrow(&alice, id, usd(1_000), cents(70)).unwrap();
    advance(YEAR);
    p(lender).accrue().motsu_unwrap();
    let m = p(a).market().unwrap();
    assert_eq!(m.cash, 0);
    assert!(m.reserves > usd(100), "reserves {}", m.reserves);
    let who = [lender, treasury, a];
    assert_fails!(
        wd,
        who,
        id,
        p(admin).withdraw_reserves(treasury, 1),
        Error::InsufficientLiquidity
    );
    assert_fails!(
        wd,
        who,
        id,
        p(admin).withdraw_reserves(treasury, m.reserves),
        Error::InsufficientLiquidity
    );
    assert_fails!(
        wd,
        who,
        id,
        p(admin).withdraw_reserves(treasury, m.reserves + 1),
        Error::ExceedsReserves
    );
    // $100 comes back: exactly that much can go.
    wd.fund(a, usd(100));
    p(a).repay_for(a, id, usd(100)).motsu_unwrap();
    assert_eq!(p(a).market().unwrap().cash, usd(100));
    assert_fails!(
        wd,
        who,
        id,
        p(admin).withdraw_reserves(treasury, usd(100) + 1),
        Error::InsufficientLiquidity
    );
    let total = p(a).total_assets().unwrap();
    p(admin)
        .withdraw_reserves(treasury, usd(100))
        .motsu_unwrap();
    assert_eq!(wd.usdc_of(treasury), usd(100));
    assert_eq!(p(a).market().unwrap().cash, 0);
    assert_eq!(p(a).market().unwrap().reserves, m.reserves - usd(100));
    assert_eq!(p(a).total_assets().unwrap(), total);
}

// ---------------------------------------------------------------------------
// 8. Sweep
// ---------------------------------------------------------------------------

#[motsu::test]
fn sweep_takes_only_untracked_usdc(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    lender: Address,
    donor: Address,
    to: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let (admin, id) = (wd.admin, token());
    let p = |x: Address| pool.sender(x);
    let shares = wd.lend(lender, usd(1_000));
    let who = [lender, to, donor];
    // Nothing to sweep: all the pool holds is lenders' cash.
    assert_fails!(wd, who, id, p(admin).sweep(to), Error::ZeroAmount);
    // A donation does not move the share price and can be swept.
    usdc.sender(donor).mint(donor, w(usd(7))).motsu_unwrap();
    usdc.sender(donor)
        .transfer(pool.address(), w(usd(7)))
        .motsu_unwrap();
    let total = p(lender).total_assets().unwrap();
    let price = p(lender).assets_for(shares, Rounding::Down).unwrap();
    assert_eq!(total, usd(1_000));
    assert_fails!(
        wd,
        who,
        id,
        p(admin).sweep(Address::ZERO),
        Error::ZeroAddress
    );
    assert_eq!(p(admin).sweep(to).motsu_unwrap(), usd(7));
    pool.assert_emitted(&events::Swept {
        to,
        amount: w(usd(7)),
    });
    assert_eq!(wd.usdc_of(to), usd(7));
    assert_eq!(wd.usdc_of(pool.address()), usd(1_000));
    assert_eq!(p(lender).total_assets().unwrap(), total);
    assert_eq!(p(lender).assets_for(shares, Rounding::Down).unwrap(), price);
    assert_fails!(wd, who, id, p(admin).sweep(to), Error::ZeroAmount);
    // Through the ABI, the amount is returned.
    usdc.sender(donor).mint(pool.address(), w(3)).motsu_unwrap();
    assert_eq!(wd.abi(admin, IPool::sweepCall { to }).unwrap().amount, w(3));
    assert_eq!(
        wd.abi(admin, IPool::sweepCall { to }).err(),
        Some(Error::ZeroAmount.selector().to_vec())
    );
    assert_eq!(wd.usdc_of(to), usd(7) + 3);
}
