#!/usr/bin/env bash
# Compiles the Solidity test contracts (contracts/*.sol: TestUSDC) with the pinned
# solcjs (scripts/setup.sh puts it on PATH) into target/test-contracts/<Name>.json
# ({"abi": [...], "bytecode": "0x...", "deployedBytecode": "0x..."}), and copies
# the real Gnosis ConditionalTokens artifact (npm @gnosis.pm/conditional-tokens-contracts,
# installed into .tools/ by setup.sh, never committed) next to them.
# EVM version cancun (what Arbitrum runs today), optimizer 200 runs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${ROOT}/target/test-contracts"
mkdir -p "${OUT}"
CTF_JSON="${ROOT}/.tools/node_modules/@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json"
[ -f "${CTF_JSON}" ] || { echo "[sol] ${CTF_JSON} missing: run . scripts/setup.sh" >&2; exit 1; }
cp "${CTF_JSON}" "${OUT}/ConditionalTokens.json"
for src in "${ROOT}"/contracts/*.sol; do
  name="$(basename "${src}" .sol)"
  echo "[sol] compiling ${name}.sol with solcjs $(solcjs --version)" >&2
  python3 - "${src}" "${name}" <<'PY' | solcjs --standard-json > "${OUT}/${name}.out.json"
import json, sys
src, name = sys.argv[1], sys.argv[2]
print(json.dumps({
    "language": "Solidity",
    "sources": {name + ".sol": {"content": open(src).read()}},
    "settings": {
        "optimizer": {"enabled": True, "runs": 200},
        "evmVersion": "cancun",
        "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}},
    },
}))
PY
  python3 - "${OUT}/${name}.out.json" "${name}" "${OUT}/${name}.json" <<'PY'
import json, sys
out, name, dest = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(out).read()
j = json.loads(text[text.index("{"):])
errors = [e for e in j.get("errors", []) if e["severity"] == "error"]
if errors:
    sys.exit("\n".join(e["formattedMessage"] for e in errors))
c = j["contracts"][name + ".sol"][name]
json.dump({"abi": c["abi"], "bytecode": "0x" + c["evm"]["bytecode"]["object"],
           "deployedBytecode": "0x" + c["evm"]["deployedBytecode"]["object"]}, open(dest, "w"))
print(f"  {name}.json: {len(c['evm']['deployedBytecode']['object']) // 2} bytes of runtime code", file=sys.stderr)
PY
  rm -f "${OUT}/${name}.out.json"
done
