#!/usr/bin/env bash
# Prints the gas tables (PredMart v0.8's scenarios side by side; every pool
# operation cold and warm, uncached and with the programs cached, with the
# breakdown of the cold run), measured on the pool's release WASM in the
# embedded Stylus runtime (runtime/), and rewrites the committed snapshot
# `.gas-snapshot` (Foundry convention; `scripts/test.sh` fails when a scenario
# moves more than 1% from it). Works on a fresh clone: sets up the toolchain,
# builds the release artifact (cargo stylus get-initcode) and the test
# contracts (contracts/build.sh), then runs examples/gas.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

echo "[gas] release build (cargo stylus get-initcode)" >&2
mkdir -p target
cargo stylus get-initcode --output target/initcode.hex 2>&1 | grep -v "deployment hash" >&2
echo "[gas] test contracts (contracts/build.sh)" >&2
if ! out="$(contracts/build.sh 2>&1 && contracts/build-sol.sh 2>&1)"; then echo "${out}" >&2; exit 1; fi
echo "[gas] measuring" >&2
cargo run --quiet --example gas -- --snapshot .gas-snapshot
echo "[gas] wrote .gas-snapshot (commit it with the change that moved the gas)" >&2
