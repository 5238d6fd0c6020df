//! Gas and ink prices.
//!
//! Stylus meters WASM in *ink*; `gas = ink / INK_PRICE` (ArbOS default ink
//! price: 10,000 ink per gas). Hostio prices are Nitro's
//! (`arbitrator/arbutil/src/pricing.rs`); EVM-side prices (SLOAD, SSTORE,
//! CALL, LOG) are the EIPs' (2929, 2200, 3529).

/// Ink per gas (ArbOS `initialInkPrice`).
pub const INK_PRICE: u64 = 10_000;

/// Ink of an `EVM_API_INK` round trip converted to gas (`ink_to_gas`,
/// rounded down): what an SLOAD cache miss adds from ArbOS 32.
pub const EVM_API_GAS: u64 = EVM_API_INK / INK_PRICE;
/// Gas `storage_load_bytes32` requires to be left before it runs.
pub const SLOAD_REQUIRED_GAS: u64 = 2_115;
/// Gas `storage_cache_bytes32` requires to be left before it runs.
pub const SCACHE_REQUIRED_GAS: u64 = 2_310;
/// Gas `account_balance`, `account_codehash` and the code lookups require to
/// be left before they run (a cold account access).
pub const ACCOUNT_REQUIRED_GAS: u64 = 2_600;
/// Extra gas of the first `account_code`/`account_code_size` lookup of an
/// address (`WasmAccountTouchCost` with code of `MaxCodeSize`).
pub const ACCOUNT_TOUCH_GAS: u64 = 700;

/// Base ink of every hostio (Nitro `HOSTIO_INK`).
pub const HOSTIO_INK: u64 = 8_400;
/// Extra ink per pointer argument (Nitro `PTR_INK` = 13440 - HOSTIO_INK).
pub const PTR_INK: u64 = 13_440 - HOSTIO_INK;
/// Extra ink for hostios that go through the EVM API (Nitro `EVM_API_INK`).
pub const EVM_API_INK: u64 = 59_673;

/// Ink to copy `bytes` from the host into WASM memory (Nitro `write_price`).
pub fn write_price(bytes: u64) -> u64 {
    5_040u64.saturating_add(30u64.saturating_mul(bytes.saturating_sub(32)))
}

/// Ink to copy `bytes` out of WASM memory into the host (Nitro `read_price`).
pub fn read_price(bytes: u64) -> u64 {
    16_381u64.saturating_add(55u64.saturating_mul(bytes.saturating_sub(32)))
}

/// Ink of `native_keccak256` over `bytes` (Nitro `keccak_price`; the EVM's
/// 30 + 6/word is *not* what Stylus charges).
pub fn keccak_price(bytes: u64) -> u64 {
    let words = bytes.div_ceil(32).saturating_sub(2);
    121_800u64.saturating_add(21_000u64.saturating_mul(words))
}

/// Gas `storage_flush_cache` requires to be left (EIP-2200 sentry, Nitro
/// `SSTORE_SENTRY_GAS`); `storage_cache_bytes32` requires
/// [`SCACHE_REQUIRED_GAS`].
pub const SSTORE_SENTRY_GAS: u64 = 2_300;
/// EIP-2929 cold SLOAD.
pub const COLD_SLOAD: u64 = 2_100;
/// EIP-2929 warm storage read.
pub const WARM_READ: u64 = 100;
/// EIP-2929 cold account access.
pub const COLD_ACCOUNT: u64 = 2_600;
/// SSTORE of a zero slot to non-zero (EIP-2200 `SSTORE_SET`).
pub const SSTORE_SET: u64 = 20_000;
/// SSTORE of a clean non-zero slot (5000 - cold 2100, EIP-2929).
pub const SSTORE_RESET: u64 = 2_900;
/// EIP-3529 refund for clearing a slot.
pub const SSTORE_CLEAR_REFUND: i64 = 4_800;
/// CALL with value (`CallValueTransferGas`).
pub const CALL_VALUE: u64 = 9_000;
/// CALL with value to an empty account (`CallNewAccountGas`).
pub const NEW_ACCOUNT: u64 = 25_000;
/// Free gas given to the callee of a value-carrying call.
pub const CALL_STIPEND: u64 = 2_300;
/// LOG base cost and cost per topic.
pub const LOG_GAS: u64 = 375;
/// LOG cost per data byte.
pub const LOG_DATA_GAS: u64 = 8;
/// ecrecover precompile.
pub const ECRECOVER_GAS: u64 = 3_000;
/// Intrinsic cost of a transaction.
pub const TX_GAS: u64 = 21_000;
/// Calldata: per zero byte / per non-zero byte.
pub const TX_DATA_ZERO: u64 = 4;
/// Calldata cost per non-zero byte.
pub const TX_DATA_NONZERO: u64 = 16;
/// Maximum call depth.
pub const MAX_DEPTH: usize = 1024;

/// Program entry, fixed part: ArbOS `MinInitGas` × `MinInitGasUnits`
/// (128). Stylus version 2 (ArbOS 40+, `UpgradeToVersion(2)` in Nitro's
/// `arbos/programs/params.go`) lowered `MinInitGas` from 72 to 69
/// (`v2MinInitGas`): 69 × 128 = 8,832.
pub const INIT_GAS: u64 = 69 * 128;
/// Program entry, fixed part of the cached cost: ArbOS `MinCachedInitGas`
/// (11) × `MinCachedGasUnits` (32) = 352.
pub const CACHED_GAS: u64 = 11 * 32;
/// `InitCostScalar` and `CachedCostScalar` (50, in 2% units: 100%).
pub const COST_SCALAR_PERCENT: u64 = 50 * 2;

/// The per-program costs Nitro measures at activation (`StylusData`
/// `init_cost` / `cached_init_cost`, stored in the program entry as
/// `initCost` / `cachedCost`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProgramCosts {
    /// `init_cost` (includes `cached_init_cost` only for Stylus version 1).
    pub init_cost: u16,
    /// `cached_init_cost`.
    pub cached_init_cost: u16,
}

impl ProgramCosts {
    /// Nitro's `Program.initGas`: `MinInitGas·128 + ⌈initCost·scalar/100⌉`.
    pub fn init_gas(&self) -> u64 {
        INIT_GAS + (self.init_cost as u64 * COST_SCALAR_PERCENT).div_ceil(100)
    }
    /// Nitro's `Program.cachedGas`: `MinCachedInitGas·32 +
    /// ⌈cachedCost·scalar/100⌉`.
    pub fn cached_gas(&self) -> u64 {
        CACHED_GAS + (self.cached_init_cost as u64 * COST_SCALAR_PERCENT).div_ceil(100)
    }
    /// Gas charged when a frame enters the program (Nitro `CallProgram`,
    /// Stylus version 2, program neither cached by the cache manager nor a
    /// recent-wasms hit): `cachedGas + initGas`.
    pub fn entry_gas(&self) -> u64 {
        self.cached_gas() + self.init_gas()
    }
    /// Entry gas under `nitro`'s parameters: `cachedGas`, plus `initGas`
    /// unless the program is `cached`.
    pub fn entry_gas_with(&self, nitro: &crate::Nitro, cached: bool) -> u64 {
        let scaled = |cost: u16, scalar: u64| (cost as u64 * scalar * 2).div_ceil(100);
        let cached_gas = nitro.min_cached_init_gas * 32
            + scaled(self.cached_init_cost, nitro.cached_cost_scalar);
        let init_gas = nitro.min_init_gas * 128 + scaled(self.init_cost, nitro.init_cost_scalar);
        if cached {
            cached_gas
        } else {
            cached_gas + init_gas
        }
    }
}

/// Globals Nitro's instrumentation adds before pricing a module: ink left
/// and ink status (`meter.rs`), a scratch global (`dynamic.rs`) and the
/// stack-depth counter (`depth.rs`).
pub const INSTRUMENTATION_GLOBALS: u64 = 4;

/// Counts of a module that Nitro's activation prices
/// (`WasmBinary::instrument` in `arbitrator/prover/src/binary.rs`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ModuleShape {
    /// Function bodies (local functions).
    pub funcs: u64,
    /// Sum over local functions of their type's params + results.
    pub type_len: u64,
    /// Length of the (decompressed) WASM in bytes.
    pub wasm_len: u64,
    /// Globals defined by the module (instrumentation globals excluded).
    pub globals: u64,
    /// Bytes of data segments plus bytes of element segments (whole
    /// segments, as wasmparser's `range`).
    pub data_len: u64,
    /// Initial memory pages.
    pub footprint: u64,
}

impl ModuleShape {
    /// Nitro's activation estimate of `init_cost` / `cached_init_cost` for
    /// Stylus version 2 (`init_cost` excludes `cached_init_cost`).
    pub fn costs(&self) -> ProgramCosts {
        self.costs_for(&crate::Nitro::default())
    }

    /// Nitro's activation estimate of `init_cost` / `cached_init_cost`
    /// (same coefficients and integer divisions as NITRO.md), saturated
    /// to u16 (Nitro would reject the module instead). `init_cost` includes
    /// `cached_init_cost` only for Stylus version 1.
    pub fn costs_for(&self, nitro: &crate::Nitro) -> ProgramCosts {
        let globals = self.globals + INSTRUMENTATION_GLOBALS;
        let mut cached: u64 = 0;
        cached += self.funcs * 13_420 / 100_000;
        cached += self.type_len * 89 / 100_000;
        cached += self.wasm_len * 122 / 100_000;
        cached += globals * 1_628 / 1_000;
        cached += self.data_len * 75_244 / 100_000;
        cached += self.footprint * 5;
        let mut init = if nitro.init_includes_cached() {
            cached
        } else {
            0
        };
        init += self.funcs * 8_252 / 1_000;
        init += self.type_len * 1_059 / 1_000;
        init += self.wasm_len * 1_286 / 10_000;
        ProgramCosts {
            init_cost: init.min(u16::MAX as u64) as u16,
            cached_init_cost: cached.min(u16::MAX as u64) as u16,
        }
    }
}

/// WASM pages free per transaction (ArbOS `FreePages`).
pub const FREE_PAGES: u64 = 2;
/// Gas per newly opened WASM page beyond the free ones (ArbOS `PageGas`),
/// the linear part of the memory model (see [`crate::Nitro::memory_gas`]).
pub const PAGE_GAS: u64 = 1_000;
/// Most pages a program may have (Nitro `PageLimit`).
pub const PAGE_LIMIT: u64 = 128;

/// Gas of a transaction's calldata plus the base cost.
pub fn intrinsic(data: &[u8]) -> u64 {
    let zeros = data.iter().filter(|b| **b == 0).count() as u64;
    TX_GAS + zeros * TX_DATA_ZERO + (data.len() as u64 - zeros) * TX_DATA_NONZERO
}
