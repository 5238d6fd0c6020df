#!/usr/bin/env bash
# Runs every check of the project on a fresh or prepared machine:
#   set-up (toolchain, cargo-stylus, wasm-opt, cast, solcjs) -> release build
#   (cargo stylus get-initcode) -> size limit -> test contracts
#   (contracts/build.sh) -> Stylus activation check of every build (the
#   release code, decompressed as deployed, and each test contract:
#   runtime/src/activation.rs via `activation-check`) -> root package tests (unit, property, contract,
#   artifact, interop, and end-to-end on the release WASM) -> the embedded
#   runtime's tests -> the test contracts' motsu tests (negative control) ->
#   exported ABI compiles with solcjs. Each package is tested in its own cargo
#   invocation (never --workspace, so features do not unify).
# Exit status is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/setup.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "release build (cargo stylus get-initcode)"
mkdir -p target
cargo stylus get-initcode --output target/initcode.hex 2>&1 | grep -v "deployment hash" >&2
SIZE=$(python3 - <<'PY'
h = open("target/initcode.hex").read().strip().removeprefix("0x")
b = bytes.fromhex(h)
print(int.from_bytes(b[1:33], "big"))
PY
)
echo "deployed code size: ${SIZE} bytes (limit 24576)"
if [ "${SIZE}" -gt 24576 ]; then
  echo "FAIL: compressed contract is ${SIZE} bytes, over the 24,576-byte limit" >&2
  exit 1
fi

step "test contracts (contracts/build.sh -> target/test-contracts/*.wasm; contracts/build-sol.sh -> TestUSDC.json, ConditionalTokens.json)"
contracts/build.sh
contracts/build-sol.sh

step "Stylus activation check of every build (activation-check: release code + test contracts)"
cargo run -q -p stylus-runtime --bin activation-check -- target/initcode.hex target/test-contracts/*.wasm

step "tests (unit, property, motsu contract tests, artifact, interop and end-to-end on the release WASM)"
PREDMART_INITCODE="$PWD/target/initcode.hex" cargo test -p predmart-pool --all-targets -- --include-ignored

step "embedded Stylus runtime tests (cargo test -p stylus-runtime)"
PREDMART_INITCODE="$PWD/target/initcode.hex" PREDMART_REQUIRE_SOL=1 cargo test -p stylus-runtime

step "test contracts under motsu (cargo test -p reentrant-puller: the re-entrancy negative control)"
cargo test -p reentrant-puller

step "testnet kit against a local anvil (scripts/testnet-kit.sh, checked with cast call)"
ANVIL_PORT=$((20000 + RANDOM % 20000))
anvil --port "${ANVIL_PORT}" --host 127.0.0.1 --silent >target/anvil.log 2>&1 &
ANVIL_PID=$!
trap 'kill "${ANVIL_PID}" 2>/dev/null || true' EXIT
RPC="http://127.0.0.1:${ANVIL_PORT}"
for _ in $(seq 50); do cast chain-id --rpc-url "${RPC}" >/dev/null 2>&1 && break; sleep 0.2; done
# anvil's first account deploys and is the oracle; a fresh key is the borrower.
DEPLOYER_KEY=0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80
KIT_BORROWER_KEY="$(cast keccak predmart-kit-borrower)"
RPC_URL="${RPC}" PRIVATE_KEY="${DEPLOYER_KEY}" BORROWER_KEY="${KIT_BORROWER_KEY}" SPLIT_AMOUNT=100000000 \
  scripts/testnet-kit.sh >/dev/null
. target/testnet-kit.env
check() { [ "$1" = "$2" ] || { echo "FAIL: testnet kit: $3 = $1, expected $2" >&2; exit 1; }; }
check "$(cast call --rpc-url "${RPC}" "${CTF}" 'balanceOf(address,uint256)(uint256)' "${BORROWER}" "${YES_ID}" | awk '{print $1}')" 100000000 "borrower YES"
check "$(cast call --rpc-url "${RPC}" "${CTF}" 'balanceOf(address,uint256)(uint256)' "${BORROWER}" "${NO_ID}" | awk '{print $1}')" 100000000 "borrower NO"
check "$(cast call --rpc-url "${RPC}" "${USDC}" 'balanceOf(address)(uint256)' "${CTF}" | awk '{print $1}')" 100000000 "USDC held by the CTF"
check "$(cast call --rpc-url "${RPC}" "${USDC}" 'decimals()(uint8)')" 6 "USDC decimals"
check "$(cast call --rpc-url "${RPC}" "${CTF}" 'getOutcomeSlotCount(bytes32)(uint256)' "${CONDITION_ID}")" 2 "outcome slots"
kill "${ANVIL_PID}" 2>/dev/null || true
echo "testnet kit OK: CTF ${CTF}, USDC ${USDC}, YES ${YES_ID}"

step "gas snapshot (examples/gas.rs --check .gas-snapshot: every scenario within 1%)"
cargo run --quiet --example gas -- --check .gas-snapshot
# Negative control: the check must fail on a snapshot 2% off in one scenario.
python3 - <<'PY'
import re
lines = open(".gas-snapshot").read().splitlines()
n = int(re.search(r"gas: (\d+)", lines[0]).group(1))
lines[0] = lines[0].replace(f"gas: {n}", f"gas: {n * 102 // 100}")
open("target/gas-snapshot.control", "w").write("\n".join(lines) + "\n")
PY
if cargo run --quiet --example gas -- --check target/gas-snapshot.control 2>/dev/null; then
  echo "FAIL: the gas check accepted a snapshot 2% off (negative control)" >&2
  exit 1
fi
echo "negative control: a scenario 2% off is refused"

step "exported ABI matches abi/ and compiles with solcjs"
cargo stylus export-abi --output target/IPredMartPool.sol >&2
diff -u abi/IPredMartPool.sol target/IPredMartPool.sol
rm -rf target/solc && mkdir -p target/solc
solcjs --abi --base-path . target/IPredMartPool.sol -o target/solc >&2
python3 - <<'PY'
import json, glob
built = json.load(open(glob.glob("target/solc/*IPredMartPool.abi")[0]))
committed = json.load(open("abi/IPredMartPool.json"))
assert built == committed, "abi/IPredMartPool.json is out of date: regenerate it with solcjs (see README)"
print(f"solcjs: {sum(1 for e in built if e['type'] == 'function')} functions, "
      f"{sum(1 for e in built if e['type'] == 'event')} events, "
      f"{sum(1 for e in built if e['type'] == 'error')} errors")
PY

step "done"
echo "compressed contract: ${SIZE} / 24576 bytes"
