#!/usr/bin/env bash
# The main job: set up, build the release contract, show its size and ABI,
# then run the whole lending lifecycle twice: on the in-process test VM (motsu)
# and on the release WASM in the embedded Stylus runtime (runtime/), with the
# gas of every transaction. One story (tests/support/story.rs), two backends.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

# Runs a build quietly but not silently: a first build on 2 cores takes
# minutes, so show how long it has run, how many crates are compiled and which
# one is being built (one updating line on a terminal, a line every 30 s
# otherwise); the build's own output is shown only if it fails.
build() {
  local label="$1" eta="$2"; shift 2
  local log; log="$(mktemp)"
  local start=${SECONDS} last_print=0 line n
  echo "   building ${label} (the first time on 2 cores takes ${eta}; afterwards seconds)"
  "$@" >"${log}" 2>&1 &
  local pid=$!
  while kill -0 "${pid}" 2>/dev/null; do
    sleep 2
    n="$(grep -cE '^\s*Compiling ' "${log}" || true)"
    line="$(grep -E '^\s*Compiling ' "${log}" | tail -1 | sed -E 's/^\s*Compiling //; s/ \(.*//' || true)"
    [ -n "${line}" ] || continue
    if [ -t 1 ]; then
      printf '\r   ... %4ds, %3d crates compiled, now %-40.40s' $((SECONDS - start)) "${n}" "${line}"
    elif [ $((SECONDS - last_print)) -ge 30 ]; then
      last_print=${SECONDS}
      printf '   ... %4ds, %3d crates compiled, now %s\n' $((SECONDS - start)) "${n}" "${line}"
    fi
  done
  if ! wait "${pid}"; then
    [ -t 1 ] && echo
    cat "${log}" >&2; rm -f "${log}"; return 1
  fi
  [ -t 1 ] && printf '\r%-90s\r' ''
  echo "   built ${label} in $((SECONDS - start)) s"
  rm -f "${log}"
}

echo "== building the release contract (cargo stylus get-initcode)"
mkdir -p target
build "the release WASM" "about 3 minutes" cargo stylus get-initcode --output target/initcode.hex
SIZE=$(python3 -c 'h=open("target/initcode.hex").read().strip().removeprefix("0x"); b=bytes.fromhex(h); print(int.from_bytes(b[1:33],"big"))')
echo "deployed code (brotli-compressed WASM with its 4-byte Stylus prefix): ${SIZE} bytes of 24,576"
echo "initcode: target/initcode.hex ($(( $(wc -c < target/initcode.hex) / 2 )) bytes)"

echo
echo "== ABI (abi/IPredMartPool.sol; JSON in abi/IPredMartPool.json)"
grep -E '^\s*function ' abi/IPredMartPool.sol | sed -E 's/^\s*function /  /; s/ external.*//'
echo "  + $(grep -cE '^\s*event ' abi/IPredMartPool.sol) events, $(grep -cE '^\s*error ' abi/IPredMartPool.sol) custom errors"

echo
echo "== the lifecycle, on the in-process test VM (every number read from the contract)"
build "the in-process test VM and the pool (examples/lifecycle.rs)" "about 8 minutes" cargo build --example lifecycle
cargo run --quiet --example lifecycle 2>/dev/null

echo
echo "== building the test USDC / CTF contracts (contracts/build.sh)"
build "five test contracts for wasm32 (std rebuilt for the MVP CPU)" "about 5 minutes" contracts/build.sh
build "the Solidity USDC (solcjs) and the real ConditionalTokens artifact" "seconds" contracts/build-sol.sh

echo
echo "== the same lifecycle on the release WASM (target/initcode.hex) in the embedded Stylus runtime"
build "the embedded Stylus runtime (wasmi, revm)" "about 4 minutes" cargo build --example lifecycle_wasm
cargo run --quiet --example lifecycle_wasm
