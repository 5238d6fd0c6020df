#!/usr/bin/env bash
# Signs a PredMart EIP-712 message with cast, offline, and prints the 65-byte signature.
#
#   scripts/sign.sh TYPE --pool ADDRESS --chain-id ID (--private-key-path FILE | --private-key HEX) field=value ...
#
# TYPE and its fields (uint256 values in decimal, addresses 0x...):
#   BorrowIntent    borrower tokenId amount nonce deadline              (signed by the borrower)
#   WithdrawIntent  borrower to tokenId amount nonce deadline           (signed by the borrower)
#   PriceData       tokenId price timestamp maxBorrow                   (signed by the oracle)
#   Resolution      tokenId won(true|false) timestamp                   (signed by the oracle)
#   MarketSchedule  tokenId endTime timestamp                           (signed by the oracle)
# With --print-json the typed data is printed instead of signed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-2}"; }
[ $# -ge 1 ] || usage
TYPE="$1"; shift
POOL=""; CHAIN_ID=""; KEY_ARGS=(); PRINT=0; FIELDS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --pool) POOL="$2"; shift 2 ;;
    --chain-id) CHAIN_ID="$2"; shift 2 ;;
    --private-key-path) KEY_ARGS=(--private-key "$(tr -d ' \n' < "$2")"); shift 2 ;;
    --private-key) KEY_ARGS=(--private-key "$2"); shift 2 ;;
    --print-json) PRINT=1; shift ;;
    -h|--help) usage 0 ;;
    *=*) FIELDS+=("$1"); shift ;;
    *) echo "sign.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ -n "$POOL" ] || { echo "sign.sh: --pool is required (the pool address: it is in the EIP-712 domain)" >&2; exit 2; }
[ -n "$CHAIN_ID" ] || { echo "sign.sh: --chain-id is required (421614 for Arbitrum Sepolia)" >&2; exit 2; }
JSON=$(python3 "$here/typed_data.py" "$TYPE" "$POOL" "$CHAIN_ID" "${FIELDS[@]}")
if [ "$PRINT" = 1 ]; then echo "$JSON"; exit 0; fi
[ ${#KEY_ARGS[@]} -gt 0 ] || { echo "sign.sh: a key is required (--private-key-path FILE or --private-key HEX)" >&2; exit 2; }
command -v cast >/dev/null || export PATH="$here/../.tools/node_modules/.bin:$PATH"
command -v cast >/dev/null || { echo "sign.sh: cast not found (run scripts/setup.sh)" >&2; exit 1; }
cast wallet sign "${KEY_ARGS[@]}" --data "$JSON"
