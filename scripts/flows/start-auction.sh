#!/usr/bin/env bash
# Starts the Dutch auction of a large position with a fresh oracle price (or ends it, healthy again).
#   scripts/flows/start-auction.sh BORROWER TOKEN_ID PRICE_WAD
# Env: POOL, PRIVATE_KEY_PATH (anyone, pays gas), ORACLE_KEY_PATH, RPC_URL.
# Positions with debt >= 50,000 USDC are liquidated by auction: the bonus rises from 0% to 10%
# over 30 minutes from the start; then run scripts/flows/liquidate.sh. A price showing the position
# healthy again ends a running auction. Read it: cast call $POOL "auctionStart(address,uint256)(uint256)" BORROWER TOKEN_ID

[ $# -ge 3 ] || { sed -n '2,7p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
BORROWER="$1"; ID="$2"; PRICE="$3"
OKEY="$(keyfile ORACLE_KEY_PATH)"
TS="$(now)"
PSIG="$(sign PriceData "$OKEY" tokenId="$ID" price="$PRICE" timestamp="$TS" maxBorrow=0)"
send "$POOL" "startAuction(address,uint256,uint256,uint256,uint256,bytes)" "$BORROWER" "$ID" "$PRICE" "$TS" 0 "$PSIG"
