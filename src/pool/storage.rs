//! Storage primitives: raw slot reads and writes (layout in `crate::store`) and the log helper.

use super::*;

impl LendingPool {
    pub(crate) fn sload(&self, slot: U256) -> U256 {
        self.vm().storage_load_bytes32(slot).into()
    }

    pub(crate) fn save(&mut self, slot: U256, v: U256) {
        // SAFETY: the pool has no SDK storage fields; every slot is laid out in `store`.
        unsafe { self.vm().storage_cache_bytes32(slot, v.into()) }
    }

    /// Scalar `slot` as money (slots only ever hold values written as `u128`).
    #[inline(never)]
    pub(crate) fn num(&self, slot: u64) -> u128 {
        self.sload(U256::from(slot)).saturating_to()
    }

    #[inline(never)]
    pub(crate) fn set(&mut self, slot: u64, v: u128) {
        self.save(U256::from(slot), U256::from(v))
    }

    #[inline(never)]
    pub(crate) fn addr(&self, slot: u64) -> Address {
        Address::from_word(self.sload(U256::from(slot)).into())
    }

    pub(crate) fn set_addr(&mut self, slot: u64, a: Address) {
        self.save(U256::from(slot), aw(a))
    }

    #[inline(never)]
    pub(crate) fn numm(&self, base: u64, key: U256) -> u128 {
        self.sload(map(base, key)).saturating_to()
    }

    #[inline(never)]
    pub(crate) fn setm(&mut self, base: u64, key: U256, v: u128) {
        self.save(map(base, key), U256::from(v))
    }

    /// Emits a log: `topic0` then the indexed `topics`, data as words.
    #[inline(never)]
    pub(crate) fn emit(&self, topic0: B256, topics: &[B256], data: &[U256]) {
        let mut t = vec![topic0];
        t.extend_from_slice(topics);
        let _ = self.vm().raw_log(&t, &crate::abi::words(data));
    }
}
