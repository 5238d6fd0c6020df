#!/usr/bin/env bash
# Deploys (and activates) the pool with `cargo stylus deploy`, after checking
# offline that Stylus activation will accept the code.
#   scripts/deploy.sh [--dry-run] [--reproducible] [--initcode FILE]
# Env:
#   RPC_URL            endpoint (default https://sepolia-rollup.arbitrum.io/rpc)
#   EXPECTED_CHAIN_ID  refuse any other chain (default 421614, Arbitrum Sepolia)
#   PRIVATE_KEY_PATH   file with the deployer's key
#   ADMIN USDC CTF ORACLE RELAYER   constructor arguments (addresses)
#   ARBOS              ArbOS version whose activation rules are checked (default 61)
# Builds target/initcode.hex (cargo stylus get-initcode), runs the activation
# check (runtime/src/activation.rs, `activation-check`) on the code in it and
# refuses to go on if activation would fail. Then, by default, deploys with
# `cargo stylus deploy --no-verify`: cargo-stylus rebuilds locally through the
# same pipeline as get-initcode (same build, wasm-opt recipe and project hash),
# i.e. the bytes just checked; afterwards the deployed code is fetched and
# compared with them.
# --reproducible: deploy without --no-verify: cargo-stylus rebuilds inside its
#   reproducible Docker image (needs Docker) so the source can be verified on
#   Arbiscan, but those are not the bytes checked here (they are compared after
#   the deployment, and checked if they differ).
# --dry-run: works offline: builds (or takes --initcode FILE, an initcode hex
#   from CI), checks, prints the size, the constructor arguments and the exact
#   deploy command, and sends nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
DRY=0
REPRO=0
INITCODE=""
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --reproducible) REPRO=1 ;;
    --initcode) INITCODE="${2:?--initcode needs a file}"; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "deploy.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
RPC_URL="${RPC_URL:-https://sepolia-rollup.arbitrum.io/rpc}"
EXPECTED_CHAIN_ID="${EXPECTED_CHAIN_ID:-421614}"
ARBOS="${ARBOS:-61}"
if [ -n "$INITCODE" ] && [ "$DRY" = 0 ]; then
  echo "deploy.sh: --initcode is for --dry-run only (cargo stylus deploy builds the code it sends; a prebuilt file cannot be deployed with a constructor by cargo-stylus 0.10.10)" >&2
  exit 2
fi
. scripts/setup.sh

mkdir -p target
if [ -z "$INITCODE" ]; then
  INITCODE=target/initcode.hex
  cargo stylus get-initcode --output "$INITCODE" 2>&1 | grep -iE "^error" >&2 || true
fi
[ -s "$INITCODE" ] || { echo "deploy.sh: no initcode at $INITCODE" >&2; exit 1; }
SIZE=$(python3 -c 'import sys; h=open(sys.argv[1]).read().strip().removeprefix("0x"); b=bytes.fromhex(h); print(int.from_bytes(b[1:33],"big"))' "$INITCODE")
echo "compressed contract: ${SIZE} bytes (one-piece limit 24576)"
[ "$SIZE" -le 24576 ] || { echo "deploy.sh: the contract is over the single-contract limit" >&2; exit 1; }

# The code about to be deployed must pass Stylus activation's offline check.
check() { cargo run -q -p stylus-runtime --bin activation-check -- --arbos "$ARBOS" "$@"; }
if ! REPORT="$(check "$INITCODE")"; then
  echo "$REPORT" >&2
  echo "deploy.sh: refusing to deploy: Stylus activation would reject this code (see the rule above)" >&2
  exit 1
fi
echo "activation check (ArbOS ${ARBOS}): ${REPORT}"

ARGS=()
missing=()
for v in ADMIN USDC CTF ORACLE RELAYER; do
  val="${!v:-}"
  if [ -z "$val" ]; then missing+=("$v"); val="<$v>"; fi
  ARGS+=("$val")
done
CMD=(cargo stylus deploy --endpoint "$RPC_URL" --private-key-path "${PRIVATE_KEY_PATH:-<PRIVATE_KEY_PATH>}")
if [ "$REPRO" = 1 ]; then
  echo "build: reproducible (cargo-stylus rebuilds in Docker; verifiable on Arbiscan, not the bytes checked above)"
else
  CMD+=(--no-verify)
  echo "build: local (--no-verify: the pipeline that produced the code checked above)"
fi
CMD+=(--constructor-args "${ARGS[@]}")
echo "constructor(admin, usdc, ctf, oracle, relayer) = (${ARGS[*]})"
echo "command: ${CMD[*]}"
if [ "$DRY" = 1 ]; then
  [ -n "${PRIVATE_KEY_PATH:-}" ] || missing+=(PRIVATE_KEY_PATH)
  [ ${#missing[@]} -eq 0 ] || echo "(dry run; to deploy, set: ${missing[*]})"
  exit 0
fi

[ ${#missing[@]} -eq 0 ] || { echo "deploy.sh: set ${missing[*]} (constructor arguments)" >&2; exit 2; }
[ -n "${PRIVATE_KEY_PATH:-}" ] && [ -r "$PRIVATE_KEY_PATH" ] || { echo "deploy.sh: PRIVATE_KEY_PATH must name a readable key file" >&2; exit 2; }
CHAIN_ID="$(cast chain-id --rpc-url "$RPC_URL" 2>/dev/null || true)"
[ -n "$CHAIN_ID" ] || { echo "deploy.sh: cannot reach $RPC_URL (set RPC_URL to a working endpoint)" >&2; exit 1; }
[ "$CHAIN_ID" = "$EXPECTED_CHAIN_ID" ] || { echo "deploy.sh: $RPC_URL is chain $CHAIN_ID, expected $EXPECTED_CHAIN_ID (set EXPECTED_CHAIN_ID to deploy elsewhere)" >&2; exit 1; }
LOG=target/deploy.log
"${CMD[@]}" 2>&1 | tee "$LOG"

# What went on chain must be the code checked above.
ADDR="$(sed 's/\x1b\[[0-9;]*m//g' "$LOG" | grep -i 'deployed code at address' | grep -oE '0x[0-9a-fA-F]{40}' | tail -1 || true)"
if [ -z "$ADDR" ]; then
  echo "deploy.sh: could not find the deployed address in the output ($LOG); compare 'cast code <address>' with the code in $INITCODE by hand" >&2
  exit 1
fi
cast code "$ADDR" --rpc-url "$RPC_URL" > target/deployed-code.hex
if python3 - "$INITCODE" target/deployed-code.hex <<'PY'
import sys
init = bytes.fromhex(open(sys.argv[1]).read().strip().removeprefix("0x"))
code = init[len(init) - int.from_bytes(init[1:33], "big"):]
deployed = bytes.fromhex(open(sys.argv[2]).read().strip().removeprefix("0x"))
sys.exit(0 if deployed == code else 1)
PY
then
  echo "deployed code at ${ADDR} is byte for byte the code checked above"
else
  echo "deploy.sh: the code deployed at ${ADDR} is NOT the code checked above (target/deployed-code.hex); its activation check:" >&2
  check target/deployed-code.hex >&2 || true
  exit 1
fi
