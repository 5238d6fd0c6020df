#!/usr/bin/env bash
# Lender deposit: approves USDC and deposits it for pUSDC.
#   scripts/flows/lend.sh AMOUNT [RECEIVER]     (AMOUNT in USDC base units, 6 decimals)
# Env: POOL, PRIVATE_KEY_PATH, RPC_URL (see common.sh).

[ $# -ge 1 ] || { sed -n '2,4p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
AMOUNT="$1"; RECEIVER="${2:-$SENDER}"
USDC="$(call "$POOL" "asset()(address)")"
send "$USDC" "approve(address,uint256)" "$POOL" "$AMOUNT"
send "$POOL" "deposit(uint256,address)" "$AMOUNT" "$RECEIVER"
echo "pUSDC balance of $RECEIVER: $(call "$POOL" "balanceOf(address)(uint256)" "$RECEIVER")"
