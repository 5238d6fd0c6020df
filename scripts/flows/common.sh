# Shared by the flow scripts (sourced): endpoint, keys, the pool, cast on PATH.
# Environment:
#   RPC_URL            JSON-RPC endpoint (default: Arbitrum Sepolia)
#   POOL               the deployed pool's address
#   PRIVATE_KEY_PATH   file holding the key that sends the transaction
set -euo pipefail
FLOWS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$FLOWS/../.." && pwd)"
RPC_URL="${RPC_URL:-https://sepolia-rollup.arbitrum.io/rpc}"
command -v cast >/dev/null || export PATH="$ROOT/.tools/node_modules/.bin:$PATH"

die() { echo "$(basename "$0"): $*" >&2; exit 2; }
usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
need() { [ -n "${!1:-}" ] || die "$1 is not set: $2"; }
keyfile() { need "$1" "path to a file with the private key"; [ -r "${!1}" ] || die "$1=${!1} is not a readable file"; tr -d ' \n' < "${!1}"; }

command -v cast >/dev/null || die "cast not found: run scripts/setup.sh"
need POOL "the pool address"
KEY="$(keyfile PRIVATE_KEY_PATH)"
SENDER="$(cast wallet address --private-key "$KEY")"
CHAIN_ID="$(cast chain-id --rpc-url "$RPC_URL" 2>/dev/null || true)"
[ -n "$CHAIN_ID" ] || die "cannot reach $RPC_URL (set RPC_URL to a working endpoint)"

send() { cast send --rpc-url "$RPC_URL" --private-key "$KEY" "$@"; }
call() { cast call --rpc-url "$RPC_URL" "$@"; }
now() { cast block latest --field timestamp --rpc-url "$RPC_URL"; }
sign() { "$ROOT/scripts/sign.sh" "$1" --pool "$POOL" --chain-id "$CHAIN_ID" --private-key "$2" "${@:3}"; }
