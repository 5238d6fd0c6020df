//! The whole life of a PredMart pool, as a story, on the in-process test VM
//! (motsu): lenders deposit, a borrower pushes shares and borrows through the
//! relayer with an oracle price, a year of interest accrues, the price drops,
//! a liquidator acts, the market's scheduled end pushes the borrower to
//! repay, a crash on another market meets the price-drop guard and a Dutch
//! auction, the market resolves, positions settle, lenders redeem.
//!
//! The story is `tests/support/story.rs`, shared with
//! `examples/lifecycle_wasm.rs` (the same steps on the release WASM). Every
//! number printed is read from the contract through its ABI. Run:
//! `scripts/demo.sh` (or `cargo run --example lifecycle`).

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    support::story::lifecycle(&mut support::Motsu::new(), "the motsu test VM");
}
