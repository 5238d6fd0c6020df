#!/usr/bin/env bash
# Deploys (and activates) the pool with `cargo stylus deploy`.
#   scripts/deploy.sh [--dry-run]
# Env:
#   RPC_URL            endpoint (default https://sepolia-rollup.arbitrum.io/rpc)
#   EXPECTED_CHAIN_ID  refuse any other chain (default 421614, Arbitrum Sepolia)
#   PRIVATE_KEY_PATH   file with the deployer's key
#   ADMIN USDC CTF ORACLE RELAYER   constructor arguments (addresses)
# --dry-run works offline: builds the initcode, prints its size, the constructor
# arguments and the exact deploy command, and sends nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
DRY=0
case "${1:-}" in --dry-run) DRY=1 ;; "") ;; -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; *) echo "deploy.sh: unknown argument $1" >&2; exit 2 ;; esac
RPC_URL="${RPC_URL:-https://sepolia-rollup.arbitrum.io/rpc}"
EXPECTED_CHAIN_ID="${EXPECTED_CHAIN_ID:-421614}"
. scripts/setup.sh

mkdir -p target
cargo stylus get-initcode --output target/initcode.hex 2>&1 | grep -iE "^error" >&2 || true
SIZE=$(python3 -c 'h=open("target/initcode.hex").read().strip().removeprefix("0x"); b=bytes.fromhex(h); print(int.from_bytes(b[1:33],"big"))')
echo "compressed contract: ${SIZE} bytes (one-piece limit 24576)"
[ "$SIZE" -le 24576 ] || { echo "deploy.sh: the contract is over the single-contract limit" >&2; exit 1; }

ARGS=()
missing=()
for v in ADMIN USDC CTF ORACLE RELAYER; do
  val="${!v:-}"
  if [ -z "$val" ]; then missing+=("$v"); val="<$v>"; fi
  ARGS+=("$val")
done
CMD=(cargo stylus deploy --endpoint "$RPC_URL" --private-key-path "${PRIVATE_KEY_PATH:-<PRIVATE_KEY_PATH>}" --constructor-args "${ARGS[@]}")
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
"${CMD[@]}"
