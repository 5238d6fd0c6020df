#!/usr/bin/env bash
# Line coverage of the contract's code (src/) by the native test suite:
# unit, property, motsu contract, invariant and adversarial tests. Installs
# what it needs (llvm-tools-preview for the pinned nightly, cargo-llvm-cov)
# and fails below the 95% line target. Not part of CI (an instrumented
# rebuild of every dependency takes about as long as CI itself); the number
# it prints is the one in the README.
#   scripts/coverage.sh            # summary table
#   HTML=1 scripts/coverage.sh     # also target/llvm-cov/html/index.html
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh
TOOLCHAIN=nightly-2025-08-01
LLVM_COV_VERSION=0.9.1
if ! rustup component list --toolchain "${TOOLCHAIN}" --installed | grep -q '^llvm-tools'; then
  rustup component add --toolchain "${TOOLCHAIN}" llvm-tools-preview
fi
if ! cargo llvm-cov --version 2>/dev/null | grep -q "${LLVM_COV_VERSION}"; then
  (cd / && cargo install --locked "cargo-llvm-cov@${LLVM_COV_VERSION}")
fi
# The artifact, interop and e2e tests (ignored by default) exercise the WASM
# and outside tools, not src/ natively, so they are not needed here. The
# invariant campaign runs at its full 10,000 actions.
cargo llvm-cov -p predmart-pool --all-targets \
  --ignore-filename-regex '(/tests/|/examples/|/runtime/|/contracts/|src/main\.rs)' \
  --fail-under-lines 95 --summary-only ${HTML:+--html} \
  -- --test-threads=1  # instrumented tests are slow; motsu's shared storage map dislikes that
