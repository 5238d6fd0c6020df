//! The one place the pool reads time.
//!
//! On chain the time is the block timestamp. Native builds (unit tests under
//! motsu, whose block timestamp is fixed at 2025-01-01) add a per-thread
//! offset that tests move with [`advance`]. The offset exists only when the
//! target is not `wasm32`, so the deployed contract cannot contain it
//! (`scripts/test.sh` also checks the release WASM for it).

#[cfg(not(target_arch = "wasm32"))]
std::thread_local! {
    static OFFSET: core::cell::Cell<u64> = const { core::cell::Cell::new(0) };
}

/// The pool's "now" given the host's block timestamp.
#[inline]
pub fn now(block_timestamp: u64) -> u64 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        core::hint::black_box(SEAM_MARKER);
        block_timestamp + OFFSET.with(|o| o.get())
    }
    #[cfg(target_arch = "wasm32")]
    {
        block_timestamp
    }
}

/// Marker string that exists only where the test seam is compiled in; the
/// artifact test checks that the release WASM does not contain it.
#[cfg(not(target_arch = "wasm32"))]
pub const SEAM_MARKER: &str = "predmart-test-clock-seam";

/// Test builds only: moves this thread's clock forward by `seconds`.
#[cfg(not(target_arch = "wasm32"))]
pub fn advance(seconds: u64) {
    core::hint::black_box(SEAM_MARKER);
    OFFSET.with(|o| o.set(o.get() + seconds));
}

/// Test builds only: puts this thread's clock back to the host's time.
#[cfg(not(target_arch = "wasm32"))]
pub fn reset() {
    OFFSET.with(|o| o.set(0));
}
