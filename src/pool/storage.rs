//! Storage access: every read and write of a slot goes through here, by the
//! fields `crate::store` lays out; plus the log helper.

use super::*;
use crate::store::{get, put, Field};

const ANCHORS_2: usize = 2 * ANCHORS;

impl LendingPool {
    pub(crate) fn sload(&self, slot: U256) -> U256 {
        self.host().storage_load_bytes32(slot).into()
    }

    pub(crate) fn save(&mut self, slot: U256, v: U256) {
        // SAFETY: the pool has no SDK storage fields; every slot is laid out in `store`.
        unsafe { self.host().storage_cache_bytes32(slot, v.into()) }
    }

    /// The `(high, low)` halves of scalar slot `slot`.
    #[inline(never)]
    pub(crate) fn halves_at(&self, slot: u64) -> (u128, u128) {
        halves(self.sload(U256::from(slot)))
    }

    /// Field `f` of the word at `slot`.
    #[inline(never)]
    pub(crate) fn load(&self, slot: U256, f: Field) -> U256 {
        get(self.host().storage_load_bytes32(slot), f)
    }

    /// Writes field `f` of the word at `slot` (its other bytes are kept).
    #[inline(never)]
    pub(crate) fn store(&mut self, slot: U256, f: Field, v: U256) {
        let word = put(self.host().storage_load_bytes32(slot), f, v);
        // SAFETY: as in `save`.
        unsafe { self.host().storage_cache_bytes32(slot, word) }
    }

    /// Scalar field `f` as a number (fields hold at most `u128`).
    #[inline(never)]
    pub(crate) fn num(&self, f: Field) -> u128 {
        self.load(U256::from(f.slot), f).saturating_to()
    }

    /// Writes scalar field `f`.
    #[inline(never)]
    pub(crate) fn set(&mut self, f: Field, v: u128) {
        self.store(U256::from(f.slot), f, U256::from(v))
    }

    /// Scalar address field `f`.
    #[inline(never)]
    pub(crate) fn addr(&self, f: Field) -> Address {
        Address::from_word(self.load(U256::from(f.slot), f).into())
    }

    pub(crate) fn set_addr(&mut self, f: Field, a: Address) {
        self.store(U256::from(f.slot), f, aw(a))
    }

    /// Mapping field `f` of `key`.
    #[inline(never)]
    pub(crate) fn numm(&self, f: Field, key: U256) -> u128 {
        self.load(map(f.slot, key), f).saturating_to()
    }

    /// Writes mapping field `f` of `key`.
    #[inline(never)]
    pub(crate) fn setm(&mut self, f: Field, key: U256, v: u128) {
        self.store(map(f.slot, key), f, U256::from(v))
    }

    /// The slot of the position `(borrower, token_id)`.
    pub(crate) fn position_slot(&self, borrower: Address, token_id: U256) -> U256 {
        map2(m::POS_SHARES.slot, aw(borrower), token_id)
    }

    /// A position's `(collateral, borrow shares)` as stored.
    #[inline(never)]
    pub(crate) fn position(&self, borrower: Address, token_id: U256) -> (u128, u128) {
        let (shares, collateral) = halves(self.sload(self.position_slot(borrower, token_id)));
        (collateral, shares)
    }

    /// Writes a position (one slot).
    #[inline(never)]
    pub(crate) fn set_position(
        &mut self,
        borrower: Address,
        token_id: U256,
        collateral: u128,
        shares: u128,
    ) {
        let slot = self.position_slot(borrower, token_id);
        self.save(slot, join(shares, collateral));
    }

    /// The active (`s::ANCHORS`) or pending (`s::PENDING_ANCHORS`) curve:
    /// four slots of four `u64` (see `store::s::ANCHORS`).
    #[inline(never)]
    pub(crate) fn load_curve(&self, base: u64) -> Curve {
        let mut v = [0u128; 2 * ANCHORS];
        for (i, x) in v.iter_mut().enumerate() {
            *x = self.sload(U256::from(base + (i / 4) as u64)).as_limbs()[i % 4] as u128;
        }
        let mut c = Curve {
            prices: [0; ANCHORS],
            ltvs: [0; ANCHORS],
            end_time: 0,
            now: 0,
        };
        c.prices.copy_from_slice(&v[..ANCHORS]);
        c.ltvs.copy_from_slice(&v[ANCHORS..]);
        c
    }

    /// Stores a curve (anchors are at most 1e18 < 2^64: `Curve::validate`).
    #[inline(never)]
    pub(crate) fn store_curve(&mut self, c: &Curve, base: u64) {
        let at = |i: usize| match i {
            0..ANCHORS => c.prices[i] as u64,
            ANCHORS..ANCHORS_2 => c.ltvs[i - ANCHORS] as u64,
            _ => 0,
        };
        for j in 0..s::CURVE_SLOTS as usize {
            let word = U256::from_limbs([at(4 * j), at(4 * j + 1), at(4 * j + 2), at(4 * j + 3)]);
            self.save(U256::from(base + j as u64), word);
        }
    }

    /// Emits a log: `topic0` then the indexed `topics`, data as words.
    #[inline(never)]
    pub(crate) fn emit(&self, topic0: B256, topics: &[B256], data: &[U256]) {
        let mut bytes = topic0.to_vec();
        for t in topics {
            bytes.extend_from_slice(t.as_slice());
        }
        for d in data {
            bytes.extend_from_slice(&d.to_be_bytes::<32>());
        }
        self.host().emit_log(&bytes, 1 + topics.len());
    }
}
