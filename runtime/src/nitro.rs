//! ArbOS / Stylus version parameters and Nitro's memory model.
//!
//! Every rule of `/work/shared/NITRO.md` that depends on the chain's ArbOS
//! version is decided here, from one [`Nitro`] value: the stack budget
//! `MaxStackDepth`, multi-value rejection, recent-wasm cache hits, the
//! return-data floor, and the Stylus version (which decides the entry cost).
//! [`activation`](crate::activation) takes its default version and its
//! multi-value rule from here; its import limit (ArbOS 32+) is an
//! activation-only rule kept there.

/// Default ArbOS version: 61, as on Arbitrum Sepolia (and Arbitrum One from
/// 2026-08-20).
pub const DEFAULT_ARBOS_VERSION: u64 = 61;

/// ArbOS version from which activation rejects WASM multi-value
/// (`ARBOS_VERSION_STYLUS_NO_MULTI_VALUE`).
pub const ARBOS_NO_MULTI_VALUE: u64 = 60;
/// ArbOS version from which a program among the 32 most recent programs of
/// the block is priced as cached ("recent wasms").
pub const ARBOS_RECENT_WASMS: u64 = 60;
/// ArbOS version from which `MaxStackDepth` is capped at 22,000 words.
pub const ARBOS_STACK_CAP: u64 = 50;
/// ArbOS version from which a frame's gas used is at least
/// `evmMemoryCost(len(ret))`.
pub const ARBOS_RETURN_DATA_FLOOR: u64 = 31;
/// ArbOS version from which an SLOAD miss pays `ink_to_gas(EVM_API_INK)`.
pub const ARBOS_SLOAD_API_GAS: u64 = 32;
/// Programs remembered per block by the recent-wasms cache.
pub const RECENT_WASMS: usize = 32;

/// Chain parameters the runtime prices and checks with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Nitro {
    /// ArbOS version.
    pub arbos_version: u64,
    /// Stylus version (2 since ArbOS 31 on every public chain).
    pub stylus_version: u16,
    /// Stack budget per call frame, in words (`MaxStackDepth`).
    pub max_stack_depth: u32,
    /// Ink per gas (`InkPrice`).
    pub ink_price: u64,
    /// Pages free per transaction (`FreePages`).
    pub free_pages: u64,
    /// Gas per page opened beyond the free ones (`PageGas`).
    pub page_gas: u64,
    /// Most pages a program may have (`PageLimit`).
    pub page_limit: u64,
    /// `MinInitGas` (× 128 gas).
    pub min_init_gas: u64,
    /// `MinCachedInitGas` (× 32 gas).
    pub min_cached_init_gas: u64,
    /// `InitCostScalar` (× 2 %).
    pub init_cost_scalar: u64,
    /// `CachedCostScalar` (× 2 %).
    pub cached_cost_scalar: u64,
}

impl Default for Nitro {
    fn default() -> Self {
        Nitro::arbos(DEFAULT_ARBOS_VERSION)
    }
}

impl Nitro {
    /// The parameters of ArbOS `version` (Stylus version 2 from ArbOS 31,
    /// as NITRO.md states; before that, 1).
    pub fn arbos(version: u64) -> Self {
        let stylus_version = if version >= 31 { 2 } else { 1 };
        Nitro {
            arbos_version: version,
            stylus_version,
            max_stack_depth: if version >= ARBOS_STACK_CAP {
                22_000
            } else {
                262_144
            },
            ink_price: 10_000,
            free_pages: 2,
            page_gas: 1_000,
            page_limit: 128,
            min_init_gas: if stylus_version >= 2 { 69 } else { 72 },
            min_cached_init_gas: 11,
            init_cost_scalar: 50,
            cached_cost_scalar: 50,
        }
    }
    /// Whether activation rejects multi-value: the one rule, applied by
    /// [`activation::check`](crate::activation::check) (through
    /// [`activation::nitro_features`](crate::activation::nitro_features)) when
    /// a program is deployed.
    pub fn rejects_multi_value(&self) -> bool {
        self.arbos_version >= ARBOS_NO_MULTI_VALUE
    }
    /// Whether a recent-wasms hit prices a call as cached.
    pub fn recent_wasms(&self) -> bool {
        self.arbos_version >= ARBOS_RECENT_WASMS
    }
    /// Whether a frame's gas used is floored at `evmMemoryCost(len(ret))`.
    pub fn return_data_floor(&self) -> bool {
        self.arbos_version >= ARBOS_RETURN_DATA_FLOOR
    }
    /// Whether `initCost` includes `cachedCost` (Stylus version 1 only).
    pub fn init_includes_cached(&self) -> bool {
        self.stylus_version < 2
    }
    /// Gas of `pages` newly opened pages given the pages `open` in the
    /// transaction and its peak `ever` (Nitro's memory model): 0 while the
    /// new peak stays at or below the free pages; otherwise
    /// [`page_gas`](Self::page_gas) per page opened beyond the free ones plus
    /// `exp(new peak) − exp(old peak)`. `u64::MAX` (unpayable) past
    /// [`MEMORY_EXPONENTS`]' 128 pages.
    pub fn memory_gas(&self, pages: u64, open: u64, ever: u64) -> u64 {
        let new_open = open.saturating_add(pages);
        let new_ever = ever.max(new_open);
        if new_ever <= self.free_pages {
            return 0;
        }
        let credit = |p: u64| p.saturating_sub(self.free_pages);
        let adding = credit(new_open).saturating_sub(credit(open));
        let linear = adding.saturating_mul(self.page_gas);
        let exp = |p: u64| {
            MEMORY_EXPONENTS
                .get(p as usize)
                .copied()
                .unwrap_or(u64::MAX)
        };
        let expand = exp(new_ever).saturating_sub(exp(ever));
        linear.saturating_add(expand)
    }
}

/// `exp(pages)` of Nitro's memory model, for 0 to 128 pages: `⌊r^pages⌋`
/// with `r ≈ 1.1445126526` (so that entry 128 is 31,873,999).
pub const MEMORY_EXPONENTS: [u64; 129] = [
    1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 22, 25, 29, 33, 38,
    43, 50, 57, 65, 75, 85, 98, 112, 128, 147, 168, 193, 221, 253, 289, 331, 379, 434, 497, 569,
    651, 745, 853, 976, 1117, 1279, 1463, 1675, 1917, 2194, 2511, 2874, 3290, 3765, 4309, 4932,
    5645, 6461, 7395, 8464, 9687, 11087, 12689, 14523, 16621, 19024, 21773, 24919, 28521, 32642,
    37359, 42758, 48938, 56010, 64104, 73368, 83971, 96106, 109994, 125890, 144082, 164904, 188735,
    216010, 247226, 282953, 323844, 370643, 424206, 485509, 555672, 635973, 727880, 833067, 953456,
    1091243, 1248941, 1429429, 1636000, 1872423, 2143012, 2452704, 2807151, 3212820, 3677113,
    4208502, 4816684, 5512756, 6309419, 7221210, 8264766, 9459129, 10826093, 12390601, 14181199,
    16230562, 18576084, 21260563, 24332984, 27849408, 31873999,
];

/// EVM memory cost of `len` bytes: `3·words + words²/512`.
pub fn evm_memory_cost(len: u64) -> u64 {
    let words = len.div_ceil(32);
    words
        .saturating_mul(3)
        .saturating_add(words.saturating_mul(words) / 512)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_are_a_floored_geometric_series() {
        assert_eq!(MEMORY_EXPONENTS[..7], [1, 1, 1, 1, 1, 1, 2]);
        assert_eq!(MEMORY_EXPONENTS[128], 31_873_999);
        let r: f64 = 1.144_512_652_645;
        for (i, e) in MEMORY_EXPONENTS.iter().enumerate() {
            assert_eq!(*e, r.powi(i as i32).floor() as u64, "entry {i}");
        }
    }

    #[test]
    fn memory_model() {
        let n = Nitro::default();
        assert_eq!(n.memory_gas(2, 0, 0), 0, "2 free pages");
        assert_eq!(n.memory_gas(1, 2, 2), 1_000, "exp(3) - exp(2) = 0");
        // 0 -> 10 pages: 8 paid pages + exp(10) - exp(0) = 3 - 1.
        assert_eq!(n.memory_gas(10, 0, 0), 8_000 + 2);
        // Re-opening below the peak pays only the linear part.
        assert_eq!(n.memory_gas(4, 0, 10), 2_000);
        assert_eq!(n.memory_gas(129, 0, 0), u64::MAX);
        assert_eq!(n.memory_gas(128, 0, 0), 126_000 + 31_873_998);
    }

    #[test]
    fn versions() {
        let n = Nitro::default();
        assert_eq!(
            (n.arbos_version, n.stylus_version, n.max_stack_depth),
            (61, 2, 22_000)
        );
        assert!(n.rejects_multi_value() && n.recent_wasms() && !n.init_includes_cached());
        let old = Nitro::arbos(32);
        assert_eq!(old.max_stack_depth, 262_144);
        assert!(!old.rejects_multi_value() && !old.recent_wasms());
        assert_eq!(evm_memory_cost(0), 0);
        assert_eq!(evm_memory_cost(33), 6);
        assert_eq!(evm_memory_cost(32 * 1024), 3 * 1024 + 2048);
    }
}
