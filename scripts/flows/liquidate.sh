#!/usr/bin/env bash
# Liquidation with a fresh oracle price: pays at most REPAY (default: what the rules allow).
#   scripts/flows/liquidate.sh BORROWER TOKEN_ID PRICE_WAD [REPAY]
# Env: POOL, PRIVATE_KEY_PATH (liquidator), ORACLE_KEY_PATH, RPC_URL.

[ $# -ge 3 ] || { sed -n '2,4p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
BORROWER="$1"; ID="$2"; PRICE="$3"
REPAY="${4:-115792089237316195423570985008687907853269984665640564039457584007913129639935}"
OKEY="$(keyfile ORACLE_KEY_PATH)"
TS="$(now)"
PSIG="$(sign PriceData "$OKEY" tokenId="$ID" price="$PRICE" timestamp="$TS" maxBorrow=0)"
USDC="$(call "$POOL" "asset()(address)")"
send "$USDC" "approve(address,uint256)" "$POOL" "$REPAY"
send "$POOL" "liquidate(address,uint256,uint256,uint256,uint256,uint256,bytes)" "$BORROWER" "$ID" "$REPAY" "$PRICE" "$TS" 0 "$PSIG"
