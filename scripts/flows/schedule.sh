#!/usr/bin/env bash
# Sets a market's expected end time with the oracle's MarketSchedule signature (0 clears it).
#   scripts/flows/schedule.sh TOKEN_ID END_TIME
# Env: POOL, PRIVATE_KEY_PATH (anyone, pays gas), ORACLE_KEY_PATH, RPC_URL.
# From END_TIME - 7 days the token takes no new borrows and its liquidation threshold
# falls linearly to 0 at END_TIME. Read it back: cast call $POOL "marketEndTime(uint256)(uint256)" TOKEN_ID

[ $# -ge 2 ] || { sed -n '2,6p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
ID="$1"; END_TIME="$2"
OKEY="$(keyfile ORACLE_KEY_PATH)"
TS="$(now)"
SIG="$(sign MarketSchedule "$OKEY" tokenId="$ID" endTime="$END_TIME" timestamp="$TS")"
send "$POOL" "scheduleMarket(uint256,uint256,uint256,bytes)" "$ID" "$END_TIME" "$TS" "$SIG"
