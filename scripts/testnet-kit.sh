#!/usr/bin/env bash
# Testnet kit: stands up what the pool needs on a chain that has no Polymarket
# (Arbitrum Sepolia, a local anvil): the real Gnosis ConditionalTokens (bytecode
# from the npm artifact that scripts/setup.sh installs into .tools/) and our test
# USDC (contracts/TestUSDC.sol: 6 decimals, open mint, Circle-like blacklist,
# compiled by contracts/build-sol.sh with the pinned solcjs); then the oracle
# prepares a binary condition, the borrower gets USDC and splits it into YES/NO.
# Prints the addresses and token ids that scripts/deploy.sh and scripts/flows need.
#
#   RPC_URL=...  PRIVATE_KEY=0x...  [BORROWER_KEY=0x...]  [ORACLE_KEY=0x...]  \
#   [QUESTION_ID=0x..32 bytes] [SPLIT_AMOUNT=100000000 (100 USDC)] scripts/testnet-kit.sh
#
# PRIVATE_KEY deploys (and is the USDC blacklister); ORACLE_KEY (default
# PRIVATE_KEY) prepares the condition and later reports payouts; BORROWER_KEY
# (default PRIVATE_KEY) receives USDC and the YES/NO shares. The last lines are
# `KEY=value` pairs (also written to target/testnet-kit.env) for `source`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"
: "${RPC_URL:?set RPC_URL}" "${PRIVATE_KEY:?set PRIVATE_KEY (deployer)}"
ORACLE_KEY="${ORACLE_KEY:-${PRIVATE_KEY}}"
BORROWER_KEY="${BORROWER_KEY:-${PRIVATE_KEY}}"
QUESTION_ID="${QUESTION_ID:-$(cast keccak "predmart testnet kit $(date +%s)")}"
SPLIT_AMOUNT="${SPLIT_AMOUNT:-100000000}"
command -v cast >/dev/null || . scripts/setup.sh >/dev/null
log() { printf '[kit] %s\n' "$*" >&2; }

OUT="target/test-contracts"
[ -f "${OUT}/TestUSDC.json" ] && [ -f "${OUT}/ConditionalTokens.json" ] || contracts/build-sol.sh
bytecode() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytecode"])' "$1"; }
deploy() {
  local json addr
  json="$(cast send --rpc-url "${RPC_URL}" --private-key "${PRIVATE_KEY}" --json --create "$(bytecode "$1")")"
  addr="$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["status"] in ("0x1",1), r; print(r["contractAddress"])' "${json}")"
  echo "${addr}"
}
send() { # key to sig args...
  local key="$1"; shift
  cast send --rpc-url "${RPC_URL}" --private-key "${key}" --json "$@" \
    | python3 -c 'import json,sys; r=json.load(sys.stdin); assert r["status"] in ("0x1",1), r' >/dev/null
}
call() { cast call --rpc-url "${RPC_URL}" "$@"; }

DEPLOYER="$(cast wallet address --private-key "${PRIVATE_KEY}")"
ORACLE="$(cast wallet address --private-key "${ORACLE_KEY}")"
BORROWER="$(cast wallet address --private-key "${BORROWER_KEY}")"
log "chain $(cast chain-id --rpc-url "${RPC_URL}"), deployer ${DEPLOYER}"

CTF="$(deploy "${OUT}/ConditionalTokens.json")"
log "ConditionalTokens (npm @gnosis.pm/conditional-tokens-contracts@1.0.3): ${CTF}"
USDC="$(deploy "${OUT}/TestUSDC.json")"
log "TestUSDC (contracts/TestUSDC.sol): ${USDC}"

send "${ORACLE_KEY}" "${CTF}" "prepareCondition(address,bytes32,uint256)" "${ORACLE}" "${QUESTION_ID}" 2
CONDITION_ID="$(call "${CTF}" "getConditionId(address,bytes32,uint256)(bytes32)" "${ORACLE}" "${QUESTION_ID}" 2)"
ZERO=0x0000000000000000000000000000000000000000000000000000000000000000
position() {
  local collection
  collection="$(call "${CTF}" "getCollectionId(bytes32,bytes32,uint256)(bytes32)" "${ZERO}" "${CONDITION_ID}" "$1")"
  call "${CTF}" "getPositionId(address,bytes32)(uint256)" "${USDC}" "${collection}" | awk '{print $1}'
}
YES_ID="$(position 1)"
NO_ID="$(position 2)"
log "condition ${CONDITION_ID}: YES ${YES_ID}, NO ${NO_ID}"

# The borrower pays its own gas: the deployer funds it when it has none.
if [ "${BORROWER}" != "${DEPLOYER}" ] && [ "$(cast balance --rpc-url "${RPC_URL}" "${BORROWER}")" = 0 ]; then
  send "${PRIVATE_KEY}" --value "${BORROWER_FUNDING:-0.01ether}" "${BORROWER}"
  log "funded the borrower with ${BORROWER_FUNDING:-0.01ether}"
fi
send "${PRIVATE_KEY}" "${USDC}" "mint(address,uint256)" "${BORROWER}" "$((SPLIT_AMOUNT * 2))"
send "${BORROWER_KEY}" "${USDC}" "approve(address,uint256)" "${CTF}" "${SPLIT_AMOUNT}"
send "${BORROWER_KEY}" "${CTF}" "splitPosition(address,bytes32,bytes32,uint256[],uint256)" \
  "${USDC}" "${ZERO}" "${CONDITION_ID}" "[1,2]" "${SPLIT_AMOUNT}"
log "borrower ${BORROWER}: ${SPLIT_AMOUNT} YES + ${SPLIT_AMOUNT} NO shares, ${SPLIT_AMOUNT} USDC left"

mkdir -p target
{
  echo "USDC=${USDC}"
  echo "CTF=${CTF}"
  echo "ORACLE=${ORACLE}"
  echo "QUESTION_ID=${QUESTION_ID}"
  echo "CONDITION_ID=${CONDITION_ID}"
  echo "YES_ID=${YES_ID}"
  echo "NO_ID=${NO_ID}"
  echo "BORROWER=${BORROWER}"
} | tee target/testnet-kit.env
