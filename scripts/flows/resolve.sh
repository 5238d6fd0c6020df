#!/usr/bin/env bash
# Market resolution with the oracle's signature; for a won market also redeem the pool's shares.
#   scripts/flows/resolve.sh TOKEN_ID won|lost [CONDITION_ID INDEX_SET]
# Env: POOL, PRIVATE_KEY_PATH (anyone, pays gas), ORACLE_KEY_PATH, RPC_URL.
# Then settle positions: cast send $POOL "settleRedemption(address,uint256)" BORROWER TOKEN_ID
# (won) or "closeLostPosition(address,uint256)" (lost).

[ $# -ge 2 ] || { sed -n '2,7p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
ID="$1"; case "$2" in won) WON=true ;; lost) WON=false ;; *) die "second argument must be won or lost" ;; esac
OKEY="$(keyfile ORACLE_KEY_PATH)"
TS="$(now)"
SIG="$(sign Resolution "$OKEY" tokenId="$ID" won="$WON" timestamp="$TS")"
send "$POOL" "resolveMarket(uint256,bool,uint256,bytes)" "$ID" "$WON" "$TS" "$SIG"
if [ "$WON" = true ] && [ $# -ge 4 ]; then
  send "$POOL" "redeemWonCollateral(uint256,bytes32,uint256)" "$ID" "$3" "$4"
fi
