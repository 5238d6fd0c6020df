//! The same story as `examples/lifecycle.rs` (`tests/support/story.rs`), on
//! the pool's release WASM (`target/initcode.hex`) in the embedded Stylus
//! runtime (`runtime/`, a revm world) with the real Gnosis
//! `ConditionalTokens` (npm artifact) and the Solidity `TestUSDC`
//! (`target/test-contracts/*.json`): the oracle prepares the market, Alice
//! splits USDC into YES/NO and pushes YES to the pool, every step is a
//! transaction with ABI calldata, and its gas is printed with its breakdown.
//! Run: `scripts/demo.sh` (or, after `. scripts/setup.sh`,
//! `cargo stylus get-initcode --output target/initcode.hex`,
//! `contracts/build.sh` and `contracts/build-sol.sh`,
//! `cargo run --example lifecycle_wasm`).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let mut chain = support::Chain::new();
    // Every step is the first transaction of its block, as in the gas table
    // (no recent-wasms hit from an earlier step; ArbOS 61 pricing).
    chain.block_per_tx = true;
    support::story::lifecycle(
        &mut chain,
        "the release WASM in the embedded Stylus runtime (ArbOS 61)",
    );
}
