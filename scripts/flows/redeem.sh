#!/usr/bin/env bash
# Lender exit: redeems pUSDC shares (or "max" = everything redeemable now) for USDC.
#   scripts/flows/redeem.sh SHARES|max [RECEIVER]
# Env: POOL, PRIVATE_KEY_PATH, RPC_URL.

[ $# -ge 1 ] || { sed -n '2,4p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
SHARES="$1"; RECEIVER="${2:-$SENDER}"
[ "$SHARES" = max ] && SHARES="$(call "$POOL" "maxRedeem(address)(uint256)" "$SENDER" | awk '{print $1}')"
send "$POOL" "redeem(uint256,address,address)" "$SHARES" "$RECEIVER" "$SENDER"
