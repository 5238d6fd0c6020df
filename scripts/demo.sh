#!/usr/bin/env bash
# The main job: set up, build the release contract, show its size and ABI,
# then run the whole lending lifecycle twice: on the in-process test VM (motsu)
# and on the release WASM in the embedded Stylus runtime (runtime/), with the
# gas of every transaction. One story (tests/support/story.rs), two backends.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

echo "== building the release contract (cargo stylus get-initcode)"
mkdir -p target
cargo stylus get-initcode --output target/initcode.hex 2>&1 | grep -iE "error|warning: unused" >&2 || true
SIZE=$(python3 -c 'h=open("target/initcode.hex").read().strip().removeprefix("0x"); b=bytes.fromhex(h); print(int.from_bytes(b[1:33],"big"))')
echo "deployed code (brotli-compressed WASM with its 4-byte Stylus prefix): ${SIZE} bytes of 24,576"
echo "initcode: target/initcode.hex ($(( $(wc -c < target/initcode.hex) / 2 )) bytes)"

echo
echo "== ABI (abi/IPredMartPool.sol; JSON in abi/IPredMartPool.json)"
grep -E '^\s*function ' abi/IPredMartPool.sol | sed -E 's/^\s*function /  /; s/ external.*//'
echo "  + $(grep -cE '^\s*event ' abi/IPredMartPool.sol) events, $(grep -cE '^\s*error ' abi/IPredMartPool.sol) custom errors"

echo
echo "== the lifecycle, on the in-process test VM (every number read from the contract)"
cargo run --quiet --example lifecycle 2>/dev/null

echo
echo "== building the test USDC / CTF contracts (contracts/build.sh)"
if ! out="$(contracts/build.sh 2>&1)"; then echo "${out}" >&2; exit 1; fi
echo "${out}" | grep -E '\.wasm'

echo
echo "== the same lifecycle on the release WASM (target/initcode.hex) in the embedded Stylus runtime"
cargo run --quiet --example lifecycle_wasm
