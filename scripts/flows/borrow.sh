#!/usr/bin/env bash
# Relayed borrow, end to end: the borrower signs a BorrowIntent, the oracle signs
# the current price, the relayer (PRIVATE_KEY_PATH) submits borrowViaRelay.
#   scripts/flows/borrow.sh TOKEN_ID AMOUNT PRICE_WAD [MAX_BORROW]
# Env: POOL, PRIVATE_KEY_PATH (relayer), BORROWER_KEY_PATH, ORACLE_KEY_PATH, RPC_URL.

[ $# -ge 3 ] || { sed -n '2,6p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
ID="$1"; AMOUNT="$2"; PRICE="$3"; MAXB="${4:-115792089237316195423570985008687907853269984665640564039457584007913129639935}"
BKEY="$(keyfile BORROWER_KEY_PATH)"; OKEY="$(keyfile ORACLE_KEY_PATH)"
BORROWER="$(cast wallet address --private-key "$BKEY")"
NONCE="$(call "$POOL" "nonces(address)(uint256)" "$BORROWER" | awk '{print $1}')"
TS="$(now)"; DEADLINE=$((TS + 300))
INTENT="$(sign BorrowIntent "$BKEY" borrower="$BORROWER" tokenId="$ID" amount="$AMOUNT" nonce="$NONCE" deadline="$DEADLINE")"
PSIG="$(sign PriceData "$OKEY" tokenId="$ID" price="$PRICE" timestamp="$TS" maxBorrow="$MAXB")"
send "$POOL" "borrowViaRelay(address,uint256,uint256,uint256,uint256,bytes,uint256,uint256,uint256,bytes)" \
  "$BORROWER" "$ID" "$AMOUNT" "$NONCE" "$DEADLINE" "$INTENT" "$PRICE" "$TS" "$MAXB" "$PSIG"
echo "health factor at $PRICE: $(call "$POOL" "getHealthFactor(address,uint256,uint256)(uint256)" "$BORROWER" "$ID" "$PRICE")"
