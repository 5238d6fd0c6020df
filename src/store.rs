//! Storage layout v2: the one place that knows where every value lives.
//!
//! Values read together live together (Morpho Blue is the model): the
//! market's totals in three slots of two `u128` halves, a position in one
//! slot, a token in two, the 14 curve anchors in four slots of four `u64`,
//! the flags and settings beside the USDC address every call reads.
//!
//! A [`Field`] names bytes `lo .. lo + len` of a slot, counted from the
//! word's least significant byte (byte 0 = bits 0..8), so a `u128` "low
//! half" is `(0, 16)` and the "high half" `(16, 16)`. Scalar fields name
//! their slot; mapping fields name the mapping's base, and the slot of
//! `mapping[key]` is `keccak256(key ‖ base)` (Solidity's rule; positions
//! nest: `keccak256(token ‖ keccak256(borrower ‖ base))`). Every field is
//! written by read-modify-write of its own bytes only (`LendingPool::put*`),
//! so neighbours never disturb each other; a value must fit its field, and
//! each field's doc says what bounds it.
//!
//! | slot | bytes 0.. | bytes .. 32 |
//! | --- | --- | --- |
//! | 0 | USDC (0..20) | paused (20), pool cap bps (21..23), timelock delay s (23..27) |
//! | 1..=5 | CTF, admin, admin-elect, oracle, relayer (0..20) | — |
//! | 6 | cash (0..16) | pUSDC supply (16..32) |
//! | 7 | `totalBorrowAssets` (0..16) | `totalBorrowShares` (16..32) |
//! | 8 | reserves (0..16) | redeemed markets' receivable, `settling` (16..32) |
//! | 9 | last accrual time (0..8), reserve carry (8..16) | interest carry (16..32) |
//! | 10 | pool-cap window (`positions::CapWindow::pack`), whole word | |
//! | 11 | redeemed USDC not yet settled, all tokens (0..16) | — |
//! | 12..16 | curve anchors: 14 `u64` (prices 0..7, LTVs 7..14), four per slot | |
//! | 16..20 | pending curve, same shape | |
//! | 20..23 | pending value by `governance::change` kind, whole word | |
//! | 23..27 | pending proposal time by kind, whole word | |
//!
//! | mapping (base) | key | bytes 0..16 | bytes 16..32 |
//! | --- | --- | --- | --- |
//! | balance (100) | holder | pUSDC balance | — |
//! | allowance (101) | owner, spender | whole word | |
//! | position (102) | borrower, token | collateral | borrow shares |
//! | token (103) | token | collateral of all positions | borrow shares of all positions |
//! | token meta (104) | token | newest price time (0..5), status (5), frozen (6), end time (7..12), drop guard (12..16) | drop guard (16..32) |
//! | nonce (105) | borrower | next intent nonce | — |
//! | redemption (106) | token | redeemed USDC left | collateral shares left |
//! | frozen debt (107) | token | frozen debt of unsettled positions | — |
//! | schedule (108) | token | newest accepted `MarketSchedule` time (0..8) | — |
//! | auction (109) | borrower, token | Dutch-auction start time (0..8) | — |

use alloy_primitives::{keccak256, B256, U256};

/// Bytes `lo .. lo + len` (little-endian order) of slot `slot`, or of each
/// slot of the mapping based at `slot`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// Scalar slot, or mapping base.
    pub slot: u64,
    /// First byte (0 = least significant).
    pub lo: u8,
    /// Length in bytes (1..=32).
    pub len: u8,
}

const fn f(slot: u64, lo: u8, len: u8) -> Field {
    Field { slot, lo, len }
}

/// The whole word of `slot`.
pub const fn word(slot: u64) -> Field {
    f(slot, 0, 32)
}

/// The low `u128` half of `slot`.
pub const fn low(slot: u64) -> Field {
    f(slot, 0, 16)
}

/// The high `u128` half of `slot`.
pub const fn high(slot: u64) -> Field {
    f(slot, 16, 16)
}

/// An address in the low 20 bytes of `slot`.
pub const fn address(slot: u64) -> Field {
    f(slot, 0, 20)
}

/// Scalar fields.
pub mod s {
    use super::*;

    /// USDC token (set once, by the constructor).
    pub const USDC: Field = address(0);
    /// Paused flag (0 or 1).
    pub const PAUSED: Field = f(0, 20, 1);
    /// Pool cap in bps (`governance::check_cap`: at most 10,000).
    pub const POOL_CAP: Field = f(0, 21, 2);
    /// Timelock delay in seconds (`governance::MAX_DELAY`: at most 10 days).
    pub const DELAY: Field = f(0, 23, 4);
    /// Conditional Tokens contract.
    pub const CTF: Field = address(1);
    /// Admin.
    pub const ADMIN: Field = address(2);
    /// Admin-elect.
    pub const PENDING_ADMIN: Field = address(3);
    /// Oracle.
    pub const ORACLE: Field = address(4);
    /// Relayer.
    pub const RELAYER: Field = address(5);
    /// Idle USDC accounted for (`Market::cash`; the books stay below
    /// `pool::MAX_BOOKS` = 2^120).
    pub const CASH: Field = low(6);
    /// pUSDC total supply (checked `u128`).
    pub const SUPPLY: Field = high(6);
    /// `totalBorrowAssets` (below 2^120 with the books).
    pub const BORROWED: Field = low(7);
    /// `totalBorrowShares` (`u128`, checked).
    pub const BORROW_SHARES: Field = high(7);
    /// The market's totals slot that holds `cash` and the supply.
    pub const BOOKS_CASH: u64 = 6;
    /// The market's totals slot that holds the borrow totals.
    pub const BOOKS_DEBT: u64 = 7;
    /// Reserves (low half) and the redeemed markets' receivable
    /// (`Market::settling`, high half), read and written together.
    pub const RESERVES: u64 = 8;
    /// Last accrual time (bits 0..64) and the accrual remainders carried to
    /// the next accrual (`interest::Carry`): the reserve carry (below 1e18 <
    /// 2^60) in bits 64..128, the interest carry (below 1e18 * 31,557,600 <
    /// 2^85) in the high half. Read and written together by every accrual.
    pub const LAST_ACCRUAL: Field = word(9);
    /// Pool-cap window (`positions::CapWindow::pack`): the day number and
    /// today's lowest `totalAssets` in the high half, yesterday's in the low.
    pub const CAP_CHECKPOINT: Field = word(10);
    /// Redeemed USDC not yet settled, all tokens (at most the USDC held).
    pub const PENDING_REDEMPTIONS: Field = low(11);
    /// Curve anchors: 14 `u64` (prices at 0..7, LTVs at 7..14; anchors are
    /// at most 1e18 < 2^64, `risk::Curve::validate`), value `i` in limb
    /// `i % 4` of slot `ANCHORS + i / 4`.
    pub const ANCHORS: u64 = 12;
    /// Pending curve (same shape as `ANCHORS`).
    pub const PENDING_ANCHORS: u64 = 16;
    /// Slots per curve.
    pub const CURVE_SLOTS: u64 = 4;
    /// Pending values by `governance::change` kind (3 whole words).
    pub const PENDING_VALUE: u64 = 20;
    /// Pending proposal times by kind (4 whole words).
    pub const PENDING_ETA: u64 = 23;
    /// First slot after the scalars.
    pub const END: u64 = 27;
}

// Pending values (one per `governance::change` kind below ANCHORS) end
// before the pending times begin; the scalars end before the mappings.
const _: () =
    assert!(s::PENDING_VALUE + crate::governance::change::ANCHORS as u64 <= s::PENDING_ETA);
const _: () = assert!(s::PENDING_ETA + crate::governance::change::ANCHORS as u64 + 1 <= s::END);

/// Mapping fields (`slot` is the mapping's base).
pub mod m {
    use super::*;

    /// pUSDC balance by holder (at most the supply).
    pub const BALANCE: Field = low(100);
    /// pUSDC allowance by owner, spender (whole word).
    pub const ALLOWANCE: u64 = 101;
    /// Position by borrower, token: its collateral (at most the token's).
    pub const POS_COLLATERAL: Field = low(102);
    /// Position by borrower, token: its borrow shares (at most the total).
    pub const POS_SHARES: Field = high(102);
    /// Collateral of all positions on a token (checked `u128`).
    pub const TOKEN_COLLATERAL: Field = low(103);
    /// Borrow shares of all positions on a token (at most the total).
    pub const TOKEN_SHARES: Field = high(103);
    /// Newest accepted price time by token (a past block time: below 2^40,
    /// i.e. before the year 36,000).
    pub const PRICE_TS: Field = f(104, 0, 5);
    /// Market status by token (`resolution::status`, below 256).
    pub const STATUS: Field = f(104, 5, 1);
    /// Frozen flag by token (0 or 1).
    pub const FROZEN: Field = f(104, 6, 1);
    /// Expected end of the market by token (`schedule::end_time`: clamped
    /// below 2^40), 0 = none. In the meta word every price check reads.
    pub const END_TIME: Field = f(104, 7, 5);
    /// Price-drop guard by token (`guard::Guard::pack`: bucket and the
    /// current bucket's high above bit 60, the previous high below; 152
    /// bits). Written with the price time it is observed with.
    pub const GUARD: Field = f(104, 12, 20);
    /// Intent nonce by borrower (counts up by one per intent).
    pub const NONCE: Field = low(105);
    /// Unsettled redeemed USDC by token (at most what was redeemed).
    pub const REDEEMED_USDC: Field = low(106);
    /// Unsettled collateral shares by token (at most the token's).
    pub const REDEEMED_SHARES: Field = high(106);
    /// Frozen debt of a redeemed token's unsettled positions (`u128`).
    pub const FROZEN_DEBT: Field = low(107);
    /// Newest accepted `MarketSchedule` timestamp by token (a past block
    /// time, `u64`).
    pub const SCHEDULE_TS: Field = f(108, 0, 8);
    /// Dutch-auction start by borrower, token (a block time, `u64`; 0 = none).
    pub const AUCTION: Field = f(109, 0, 8);
}

/// Field `f` of `word` (a slot's big-endian bytes), as a number.
#[inline(never)]
pub fn get(word: B256, f: Field) -> U256 {
    let (end, len) = (32 - f.lo as usize, f.len as usize);
    let mut out = [0u8; 32];
    out[32 - len..].copy_from_slice(&word[end - len..end]);
    U256::from_be_bytes(out)
}

/// `word` with field `f` set to `v` (its low `f.len` bytes; the caller
/// keeps `v` within the field, see each field's bound).
#[inline(never)]
pub fn put(mut word: B256, f: Field, v: U256) -> B256 {
    let (end, len) = (32 - f.lo as usize, f.len as usize);
    // Tests (and the invariant campaign) fail on a value wider than its
    // field; the release build has no such check (each field's bound is
    // enforced where the value is made).
    debug_assert!(len == 32 || v >> (8 * len) == U256::ZERO, "{f:?} overflows");
    word[end - len..end].copy_from_slice(&v.to_be_bytes::<32>()[32 - len..]);
    word
}

/// A slot holding two `u128` halves: `(high, low)` → word (the high half
/// in bits 128..256).
pub fn join(high: u128, low: u128) -> U256 {
    U256::from_limbs([
        low as u64,
        (low >> 64) as u64,
        high as u64,
        (high >> 64) as u64,
    ])
}

/// A word's `(high, low)` `u128` halves (the inverse of [`join`]).
pub fn halves(word: U256) -> (u128, u128) {
    let l = word.as_limbs();
    let half = |a: u64, b: u64| (a as u128) | ((b as u128) << 64);
    (half(l[2], l[3]), half(l[0], l[1]))
}

/// Slot of `mapping[key]` at `base`.
#[inline(never)]
pub fn map(base: u64, key: U256) -> U256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(&key.to_be_bytes::<32>());
    buf[32..].copy_from_slice(&U256::from(base).to_be_bytes::<32>());
    keccak256(buf).into()
}

/// Slot of `mapping[k1][k2]` at `base`.
#[inline(never)]
pub fn map2(base: u64, k1: U256, k2: U256) -> U256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(&k2.to_be_bytes::<32>());
    buf[32..].copy_from_slice(&map(base, k1).to_be_bytes::<32>());
    keccak256(buf).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalars() -> Vec<(&'static str, Field)> {
        vec![
            ("USDC", s::USDC),
            ("PAUSED", s::PAUSED),
            ("POOL_CAP", s::POOL_CAP),
            ("DELAY", s::DELAY),
            ("CTF", s::CTF),
            ("ADMIN", s::ADMIN),
            ("PENDING_ADMIN", s::PENDING_ADMIN),
            ("ORACLE", s::ORACLE),
            ("RELAYER", s::RELAYER),
            ("CASH", s::CASH),
            ("SUPPLY", s::SUPPLY),
            ("BORROWED", s::BORROWED),
            ("BORROW_SHARES", s::BORROW_SHARES),
            ("RESERVES", low(s::RESERVES)),
            ("SETTLING", high(s::RESERVES)),
            ("LAST_ACCRUAL", s::LAST_ACCRUAL),
            ("CAP_CHECKPOINT", s::CAP_CHECKPOINT),
            ("PENDING_REDEMPTIONS", s::PENDING_REDEMPTIONS),
        ]
        .into_iter()
        .chain((0..2 * s::CURVE_SLOTS).map(|i| ("ANCHORS", word(s::ANCHORS + i))))
        .chain((0..3).map(|i| ("PENDING_VALUE", word(s::PENDING_VALUE + i))))
        .chain((0..4).map(|i| ("PENDING_ETA", word(s::PENDING_ETA + i))))
        .collect()
    }

    fn mappings() -> Vec<(&'static str, Field)> {
        vec![
            ("BALANCE", m::BALANCE),
            ("ALLOWANCE", word(m::ALLOWANCE)),
            ("POS_COLLATERAL", m::POS_COLLATERAL),
            ("POS_SHARES", m::POS_SHARES),
            ("TOKEN_COLLATERAL", m::TOKEN_COLLATERAL),
            ("TOKEN_SHARES", m::TOKEN_SHARES),
            ("PRICE_TS", m::PRICE_TS),
            ("STATUS", m::STATUS),
            ("FROZEN", m::FROZEN),
            ("END_TIME", m::END_TIME),
            ("GUARD", m::GUARD),
            ("NONCE", m::NONCE),
            ("REDEEMED_USDC", m::REDEEMED_USDC),
            ("REDEEMED_SHARES", m::REDEEMED_SHARES),
            ("FROZEN_DEBT", m::FROZEN_DEBT),
            ("SCHEDULE_TS", m::SCHEDULE_TS),
            ("AUCTION", m::AUCTION),
        ]
    }

    /// No two fields share a byte of the same slot, and every field is
    /// inside its word.
    fn assert_disjoint(fields: &[(&str, Field)]) {
        for (i, (na, a)) in fields.iter().enumerate() {
            assert!(a.len >= 1 && a.lo as usize + a.len as usize <= 32, "{na}");
            for (nb, b) in &fields[i + 1..] {
                if a.slot == b.slot {
                    let apart = a.lo + a.len <= b.lo || b.lo + b.len <= a.lo;
                    assert!(apart, "{na} overlaps {nb}");
                }
            }
        }
    }

    #[test]
    fn no_two_fields_overlap() {
        assert_disjoint(&scalars());
        assert_disjoint(&mappings());
        assert!(scalars().iter().all(|(_, f)| f.slot < s::END));
        assert!(s::END <= m::BALANCE.slot);
        // The checker itself can fail (negative control).
        let bad = [("a", f(3, 0, 16)), ("b", f(3, 15, 2))];
        assert!(std::panic::catch_unwind(|| assert_disjoint(&bad)).is_err());
    }

    /// Every field round-trips at its maximum and at a pattern, and writing
    /// one never changes another (all other bytes set).
    #[test]
    fn every_field_round_trips_alone() {
        for (name, fld) in scalars().into_iter().chain(mappings()) {
            let max = if fld.len == 32 {
                U256::MAX
            } else {
                (U256::from(1) << (8 * fld.len as usize)) - U256::from(1)
            };
            for v in [max, U256::ZERO, U256::from(0x0123_4567_89ab_cdefu64) & max] {
                for background in [B256::ZERO, B256::repeat_byte(0xff)] {
                    let wd = put(background, fld, v);
                    assert_eq!(get(wd, fld), v, "{name}");
                    // The rest of the word is untouched.
                    let cleared = put(wd, fld, U256::ZERO);
                    assert_eq!(cleared, put(background, fld, U256::ZERO), "{name}");
                }
                // Little-endian byte positions: the field is `v << 8 * lo`.
                let alone = U256::from_be_bytes(put(B256::ZERO, fld, v).0);
                assert_eq!(alone, v << (8 * fld.lo as usize), "{name}");
            }
        }
        // A value wider than its field fails in tests (negative control).
        let wide = std::panic::catch_unwind(|| put(B256::ZERO, m::STATUS, U256::from(256)));
        assert!(wide.is_err());
        // Bounds the code relies on.
        assert!(u128::from(u16::MAX) >= crate::positions::BPS);
        assert!(u64::from(u32::MAX) >= crate::governance::MAX_DELAY);
        assert!(crate::math::WAD < 1 << 64);
        assert!(crate::schedule::END_TIME_MAX < 1 << 40);
        // The guard's packed form fits its 20 bytes.
        let g = crate::guard::Guard {
            bucket: u32::MAX as u64,
            current: crate::guard::GUARD_PRICE_MAX,
            previous: crate::guard::GUARD_PRICE_MAX,
        };
        assert!(g.pack() >> 160 == U256::ZERO);
        assert_eq!(crate::guard::Guard::unpack(g.pack()), g);
    }

    #[test]
    fn mapping_slots_follow_solidity() {
        let k = U256::from(7);
        let mut pre = k.to_be_bytes::<32>().to_vec();
        pre.extend_from_slice(&U256::from(m::NONCE.slot).to_be_bytes::<32>());
        assert_eq!(
            map(m::NONCE.slot, k),
            U256::from_be_bytes(keccak256(&pre).0)
        );
        assert_ne!(
            map2(m::POS_SHARES.slot, k, U256::from(1)),
            map2(m::POS_SHARES.slot, U256::from(1), k)
        );
        for (hi, lo) in [
            (u128::MAX, 0),
            (0, u128::MAX),
            (u128::MAX, u128::MAX),
            (7, 9),
        ] {
            assert_eq!(halves(join(hi, lo)), (hi, lo));
            let wd = B256::from(join(hi, lo));
            assert_eq!(get(wd, high(0)), U256::from(hi));
            assert_eq!(get(wd, low(0)), U256::from(lo));
        }
        assert_eq!(join(1, 2), (U256::from(1) << 128) | U256::from(2));
    }
}
