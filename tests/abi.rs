//! The hand-written dispatcher against the published interface
//! (`abi/IPredMartPool.sol`): same functions, same errors, same events, same
//! encoding; strict decoding of bad calldata.

mod common;

use std::collections::BTreeSet;

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolEvent};
use common::*;
use motsu::prelude::*;
use predmart_pool::{dispatch, errors::Error, events, pool::out, LendingPool};

#[test]
fn dispatcher_answers_exactly_the_interface() {
    let interface: BTreeSet<[u8; 4]> = IPool::IPredMartPoolCalls::SELECTORS
        .iter()
        .copied()
        .collect();
    let ours: BTreeSet<[u8; 4]> = dispatch::SELECTORS
        .iter()
        .map(|s| s.to_be_bytes())
        .collect();
    assert_eq!(ours.len(), dispatch::SELECTORS.len(), "duplicate selectors");
    assert_eq!(interface, ours);
    assert_eq!(dispatch::FUNCTIONS.len(), 90);
}

#[test]
fn every_error_is_declared_in_the_interface() {
    let interface: BTreeSet<[u8; 4]> = IPool::IPredMartPoolErrors::SELECTORS
        .iter()
        .copied()
        .collect();
    let ours: BTreeSet<[u8; 4]> = Error::ALL.iter().map(|e| e.selector()).collect();
    assert_eq!(interface, ours);
    assert_eq!(Error::ExceedsLtv.selector(), IPool::ExceedsLtv::SELECTOR);
}

#[test]
fn events_match_the_interface() {
    macro_rules! same {
        ($($e:ident),*) => {$(
            assert_eq!(events::$e::SIGNATURE_HASH, IPool::$e::SIGNATURE_HASH, stringify!($e));
        )*};
    }
    same!(
        Transfer,
        Approval,
        Deposit,
        Withdraw,
        InterestAccrued,
        CollateralDeposited,
        CollateralWithdrawn,
        Borrowed,
        Repaid,
        Liquidated,
        BadDebtAbsorbed,
        ReservesAbsorbed,
        MarketResolution,
        WonCollateralRedeemed,
        RedemptionSettled,
        AdminTransferStarted,
        AdminTransferred,
        TimelockActivated,
        ChangeProposed,
        ChangeCancelled,
        AnchorsUpdated,
        OracleUpdated,
        RelayerUpdated,
        PoolCapUpdated,
        PauseSet,
        TokenFrozenSet,
        ReservesWithdrawn,
        Swept,
        MarketScheduled,
        AuctionStarted,
        AuctionCleared
    );
    assert_eq!(IPool::IPredMartPoolEvents::SELECTORS.len(), 31);
}

sol! {
    interface Outgoing {
        function transfer(address to, uint256 amount) external returns (bool);
        function transferFrom(address from, address to, uint256 amount) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
        function safeTransferFrom(address from, address to, uint256 id, uint256 amount, bytes data) external;
        function getCollectionId(bytes32 parentCollectionId, bytes32 conditionId, uint256 indexSet) external view returns (bytes32);
        function getPositionId(address collateralToken, bytes32 collectionId) external pure returns (uint256);
        function redeemPositions(address collateralToken, bytes32 parentCollectionId, bytes32 conditionId, uint256[] indexSets) external;
        function isValidSignature(bytes32 hash, bytes signature) external view returns (bytes4);
    }
}

#[test]
fn outgoing_call_selectors() {
    assert_eq!(out::TRANSFER, Outgoing::transferCall::SELECTOR);
    assert_eq!(out::TRANSFER_FROM, Outgoing::transferFromCall::SELECTOR);
    assert_eq!(out::BALANCE_OF, Outgoing::balanceOfCall::SELECTOR);
    assert_eq!(
        out::SAFE_TRANSFER_FROM,
        Outgoing::safeTransferFromCall::SELECTOR
    );
    assert_eq!(
        out::GET_COLLECTION_ID,
        Outgoing::getCollectionIdCall::SELECTOR
    );
    assert_eq!(out::GET_POSITION_ID, Outgoing::getPositionIdCall::SELECTOR);
    assert_eq!(
        out::REDEEM_POSITIONS,
        Outgoing::redeemPositionsCall::SELECTOR
    );
    assert_eq!(
        out::IS_VALID_SIGNATURE,
        Outgoing::isValidSignatureCall::SELECTOR
    );
    assert_eq!(out::IS_VALID_SIGNATURE, [0x16, 0x26, 0xba, 0x7e]);
}

#[motsu::test]
fn views_through_the_abi(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    assert_eq!(wd.abi(alice, IPool::adminCall {}).unwrap()._0, wd.admin);
    assert_eq!(
        wd.abi(alice, IPool::oracleCall {}).unwrap()._0,
        wd.oracle.address()
    );
    assert_eq!(wd.abi(alice, IPool::relayerCall {}).unwrap()._0, wd.relayer);
    assert_eq!(wd.abi(alice, IPool::ctfCall {}).unwrap()._0, ctf.address());
    assert_eq!(
        wd.abi(alice, IPool::pendingAdminCall {}).unwrap()._0,
        Address::ZERO
    );
    assert!(!wd.abi(alice, IPool::pausedCall {}).unwrap()._0);
    assert_eq!(
        wd.abi(alice, IPool::poolCapBpsCall {}).unwrap()._0,
        U256::from(500)
    );
    assert_eq!(
        wd.abi(alice, IPool::timelockDelayCall {}).unwrap()._0,
        U256::ZERO
    );
    let a = wd.abi(alice, IPool::anchorsCall {}).unwrap();
    assert_eq!(a.prices[3], w(cents(40)));
    assert_eq!(a.ltvs[3], w(cents(45)));
    assert_eq!(a.prices.len(), 7);
    let d = wd.abi(alice, IPool::eip712DomainCall {}).unwrap();
    assert_eq!(d.fields.0, [0x0f]);
    assert_eq!(d.name, "PredMart Lending Pool");
    assert_eq!(d.version, "1");
    assert_eq!(d.chainId, U256::from(42161));
    assert_eq!(d.verifyingContract, pool.address());
    assert_eq!(d.salt, B256::ZERO);
    assert!(d.extensions.is_empty());
    assert_eq!(
        wd.abi(alice, IPool::DOMAIN_SEPARATORCall {}).unwrap()._0,
        wd.domain()
    );
    assert_eq!(
        wd.abi(
            alice,
            IPool::getLtvCall {
                price: w(cents(50))
            }
        )
        .unwrap()
        ._0,
        w(525 * PCT / 10)
    );
    assert_eq!(
        wd.abi(
            alice,
            IPool::getLiquidationThresholdCall {
                price: w(cents(60))
            }
        )
        .unwrap()
        ._0,
        w(cents(70))
    );
    assert_eq!(
        wd.abi(alice, IPool::tokenBorrowCapCall {}).unwrap()._0,
        U256::ZERO
    );
    let p = wd.abi(alice, IPool::pendingAnchorsCall {}).unwrap();
    assert_eq!((p.prices.len(), p.eta), (7, U256::ZERO));
    let c = wd.abi(alice, IPool::pendingChangeCall { kind: 2 }).unwrap();
    assert_eq!((c.value, c.eta), (U256::ZERO, U256::ZERO));
    for (id, yes) in [
        ([0x01, 0xff, 0xc9, 0xa7], true),
        ([0x4e, 0x23, 0x12, 0xe0], true),
        ([0xff; 4], false),
    ] {
        let got = wd
            .abi(
                alice,
                IPool::supportsInterfaceCall {
                    interfaceId: id.into(),
                },
            )
            .unwrap()
            ._0;
        assert_eq!(got, yes);
    }
    assert_eq!(
        wd.abi(
            alice,
            IPool::getHealthFactorCall {
                borrower: alice,
                tokenId: token(),
                price: w(cents(50))
            }
        )
        .unwrap()
        ._0,
        U256::MAX
    );
    assert_eq!(
        wd.abi(
            alice,
            IPool::liquidationPriceCall {
                borrower: alice,
                tokenId: token()
            }
        )
        .unwrap()
        ._0,
        U256::ZERO
    );
}

#[motsu::test]
fn strict_decoding(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let bad = Error::InvalidCalldata.selector().to_vec();
    // Too short.
    let mut data = IPool::balanceOfCall { account: alice }.abi_encode();
    data.truncate(20);
    assert_eq!(wd.raw_call(alice, &data), Err(bad.clone()));
    // Dirty address bits.
    let mut data = IPool::balanceOfCall { account: alice }.abi_encode();
    data[4] = 1;
    assert_eq!(wd.raw_call(alice, &data), Err(bad.clone()));
    // A bool that is 2.
    let mut data = IPool::setTokenFrozenCall {
        tokenId: token(),
        frozen: true,
    }
    .abi_encode();
    data[4 + 63] = 2;
    assert_eq!(wd.raw_call(wd.admin, &data), Err(bad.clone()));
    // A `bytes` pointing outside the calldata.
    let mut data = IPool::resolveMarketCall {
        tokenId: token(),
        won: true,
        timestamp: U256::ZERO,
        signature: vec![1u8; 65].into(),
    }
    .abi_encode();
    data[4 + 3 * 32 + 30] = 0xff;
    assert_eq!(wd.raw_call(alice, &data), Err(bad.clone()));
    // Unknown selector: not ours (falls through to "no such function").
    let mut p = pool.sender(alice);
    assert!(dispatch::dispatch(&mut p, 0xdeadbeef, &[]).is_none());
    // Extra trailing bytes are fine (as in Solidity).
    let mut data = IPool::balanceOfCall { account: alice }.abi_encode();
    data.extend_from_slice(&[0u8; 7]);
    assert_eq!(wd.raw_call(alice, &data), Ok(vec![0u8; 32]));
}

#[motsu::test]
fn no_function_takes_eth(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
) {
    let _wd = World::new(&pool, &usdc, &ctf);
    alice.fund(U256::from(10));
    let data = IPool::totalAssetsCall {}.abi_encode();
    let mut p = pool.sender_and_value(alice, U256::from(1));
    let got = dispatch::dispatch(
        &mut p,
        u32::from_be_bytes(data[..4].try_into().unwrap()),
        &data[4..],
    )
    .unwrap();
    assert_eq!(got.motsu_res(), Err(Error::NotPayable.selector().to_vec()));
}

#[motsu::test]
fn errors_come_back_as_their_selector(
    pool: Contract<LendingPool>,
    usdc: Contract<MockUsdc>,
    ctf: Contract<MockCtf>,
    alice: Address,
) {
    let wd = World::new(&pool, &usdc, &ctf);
    let got = wd.abi(alice, IPool::pauseCall {});
    assert_eq!(got.err(), Some(IPool::Unauthorized::SELECTOR.to_vec()));
    let got = wd.abi(
        alice,
        IPool::depositCall {
            assets: U256::ZERO,
            receiver: alice,
        },
    );
    assert_eq!(got.err(), Some(IPool::ZeroAmount::SELECTOR.to_vec()));
}

/// `abi/eip712.json` (what integrators build typed data from) says exactly
/// what the contract hashes, and `scripts/typed_data.py` declares the same fields.
#[test]
fn eip712_artifact_matches_the_contract() {
    use predmart_pool::signatures as sig;
    let text = std::fs::read_to_string("abi/eip712.json").unwrap();
    for (key, value) in [
        ("EIP712Domain", sig::DOMAIN_TYPE),
        ("name", sig::NAME),
        ("BorrowIntent", sig::BORROW_INTENT_TYPE),
        ("WithdrawIntent", sig::WITHDRAW_INTENT_TYPE),
        ("PriceData", sig::PRICE_DATA_TYPE),
        ("Resolution", sig::RESOLUTION_TYPE),
        ("MarketSchedule", sig::MARKET_SCHEDULE_TYPE),
    ] {
        assert!(
            text.contains(&format!("\"{key}\": \"{value}\"")),
            "{key} differs from the contract's {value}"
        );
    }
    let py = std::fs::read_to_string("scripts/typed_data.py").unwrap();
    for t in [
        sig::BORROW_INTENT_TYPE,
        sig::WITHDRAW_INTENT_TYPE,
        sig::PRICE_DATA_TYPE,
        sig::RESOLUTION_TYPE,
        sig::MARKET_SCHEDULE_TYPE,
    ] {
        let (name, rest) = t.split_once('(').unwrap();
        let fields: Vec<String> = rest
            .trim_end_matches(')')
            .split(',')
            .map(|f| {
                let (ty, n) = f.split_once(' ').unwrap();
                format!("(\"{n}\", \"{ty}\")")
            })
            .collect();
        assert!(
            py.contains(&format!("\"{name}\": [{}]", fields.join(", "))),
            "typed_data.py disagrees on {name}"
        );
    }
}
