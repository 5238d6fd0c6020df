#!/usr/bin/env bash
# Collateral deposit: pushes CTF shares to the pool with safeTransferFrom (the
# pool books them in onERC1155Received). With BENEFICIARY, data = abi.encode(BENEFICIARY).
#   scripts/flows/deposit-collateral.sh TOKEN_ID AMOUNT [BENEFICIARY]
# Env: POOL, PRIVATE_KEY_PATH (the share holder), RPC_URL.

[ $# -ge 2 ] || { sed -n '2,5p' "$0" | sed 's/^# //'; exit 2; }
. "$(dirname "$0")/common.sh"
ID="$1"; AMOUNT="$2"; DATA=0x
[ $# -ge 3 ] && DATA="$(cast abi-encode "f(address)" "$3")"
CTF="$(call "$POOL" "ctf()(address)")"
send "$CTF" "safeTransferFrom(address,address,uint256,uint256,bytes)" "$SENDER" "$POOL" "$ID" "$AMOUNT" "$DATA"
echo "position: $(call "$POOL" "getPosition(address,uint256)(uint256,uint256,uint256)" "${3:-$SENDER}" "$ID" | tr '\n' ' ')"
