//! Gas and ink prices.
//!
//! Stylus meters WASM in *ink*; `gas = ink / INK_PRICE` (ArbOS default ink
//! price: 10,000 ink per gas). Hostio prices are Nitro's
//! (`arbitrator/arbutil/src/pricing.rs`); EVM-side prices (SLOAD, SSTORE,
//! CALL, LOG) are the EIPs' (2929, 2200, 3529).

/// Ink per gas (ArbOS `initialInkPrice`).
pub const INK_PRICE: u64 = 10_000;

/// Ink charged per unit of wasmi fuel.
///
/// wasmi charges one unit of fuel per instruction of its register IR, which
/// fuses several WASM opcodes into one (`local.get a; local.get b; i32.add;
/// local.set c` is one IR instruction). Nitro prices each WASM opcode
/// (`pricing_v1` in `arbitrator/prover/src/programs/meter.rs`): e.g.
/// `i32.add` 70, `i64.add` 100, `local.get` 75, `local.set` 210, `i32.load`
/// 670, `i32.store` 825, `br_if` 765, `call` 3800, `i32.div_u` 1120. The fused
/// example above costs 430 ink in Nitro, a load with its operands ~950, a call
/// ~4000; 500 ink per IR instruction is our documented average. **Compute gas
/// is therefore an approximation** (expect ±50% on compute, which is usually a
/// small share of a transaction next to storage and calls). wasmi also charges
/// 1 fuel per 64 bytes of `memory.copy`/`memory.fill`.
pub const INK_PER_FUEL: u64 = 500;

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

/// Gas a `storage_cache_bytes32`/`storage_flush_cache` requires to be left
/// (EIP-2200 sentry, Nitro `SSTORE_SENTRY_GAS`).
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

/// Program entry: ArbOS `MinInitGas` (72) × 128, paid the first time a
/// program runs in a transaction (Nitro: when not in the recent-programs
/// cache). The per-program "dynamic" part measured at activation is not
/// modelled (approximation).
pub const INIT_GAS: u64 = 72 * 128;
/// Program entry: ArbOS `MinCachedGas` (11) × 32, paid on every call.
pub const CACHED_GAS: u64 = 11 * 32;
/// WASM pages free per transaction (ArbOS `FreePages`).
pub const FREE_PAGES: u64 = 2;
/// Gas per newly opened WASM page beyond the free ones (ArbOS `PageGas`).
/// The exponential ramp of Nitro's memory model is not modelled.
pub const PAGE_GAS: u64 = 1_000;
/// Most pages a program may have (Nitro `PageLimit`).
pub const PAGE_LIMIT: u64 = 128;

/// Gas of a transaction's calldata plus the base cost.
pub fn intrinsic(data: &[u8]) -> u64 {
    let zeros = data.iter().filter(|b| **b == 0).count() as u64;
    TX_GAS + zeros * TX_DATA_ZERO + (data.len() as u64 - zeros) * TX_DATA_NONZERO
}
