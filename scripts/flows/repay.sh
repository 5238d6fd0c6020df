#!/usr/bin/env bash
# Repay: approves USDC and repays up to AMOUNT ("max" = the whole debt, interest to the second).
#   scripts/flows/repay.sh TOKEN_ID AMOUNT|max [BORROWER]
# Env: POOL, PRIVATE_KEY_PATH (the payer), RPC_URL.

[ $# -ge 2 ] || { sed -n '2,4p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
ID="$1"; AMOUNT="$2"; BORROWER="${3:-$SENDER}"
MAX=115792089237316195423570985008687907853269984665640564039457584007913129639935
[ "$AMOUNT" = max ] && AMOUNT=$MAX
USDC="$(call "$POOL" "asset()(address)")"
send "$USDC" "approve(address,uint256)" "$POOL" "$AMOUNT"
send "$POOL" "repayFor(address,uint256,uint256)" "$BORROWER" "$ID" "$AMOUNT"
echo "position: $(call "$POOL" "getPosition(address,uint256)(uint256,uint256,uint256)" "$BORROWER" "$ID" | tr '\n' ' ')"
