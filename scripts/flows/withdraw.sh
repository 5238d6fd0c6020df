#!/usr/bin/env bash
# Relayed collateral withdrawal: the borrower signs a WithdrawIntent, the oracle
# signs the price with maxBorrow = 0, the relayer submits withdrawViaRelay.
#   scripts/flows/withdraw.sh TOKEN_ID AMOUNT PRICE_WAD [TO]
# Env: POOL, PRIVATE_KEY_PATH (relayer), BORROWER_KEY_PATH, ORACLE_KEY_PATH, RPC_URL.
# (Without debt a borrower can also call withdrawCollateral(tokenId, amount, to) directly.)

[ $# -ge 3 ] || { sed -n '2,7p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
ID="$1"; AMOUNT="$2"; PRICE="$3"
BKEY="$(keyfile BORROWER_KEY_PATH)"; OKEY="$(keyfile ORACLE_KEY_PATH)"
BORROWER="$(cast wallet address --private-key "$BKEY")"; TO="${4:-$BORROWER}"
NONCE="$(call "$POOL" "nonces(address)(uint256)" "$BORROWER" | awk '{print $1}')"
TS="$(now)"; DEADLINE=$((TS + 300))
INTENT="$(sign WithdrawIntent "$BKEY" borrower="$BORROWER" to="$TO" tokenId="$ID" amount="$AMOUNT" nonce="$NONCE" deadline="$DEADLINE")"
PSIG="$(sign PriceData "$OKEY" tokenId="$ID" price="$PRICE" timestamp="$TS" maxBorrow=0)"
send "$POOL" "withdrawViaRelay(address,address,uint256,uint256,uint256,uint256,bytes,uint256,uint256,bytes)" \
  "$BORROWER" "$TO" "$ID" "$AMOUNT" "$NONCE" "$DEADLINE" "$INTENT" "$PRICE" "$TS" "$PSIG"
