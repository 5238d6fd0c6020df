#!/usr/bin/env python3
"""Builds the EIP-712 typed-data JSON of a PredMart message (what wallets sign).

usage: typed_data.py TYPE POOL CHAIN_ID field=value ...
The field list and order are the contract's (src/signatures.rs); a missing or
unknown field is an error.
"""
import json
import sys

TYPES = {
    "BorrowIntent": [("borrower", "address"), ("tokenId", "uint256"), ("amount", "uint256"), ("nonce", "uint256"), ("deadline", "uint256")],
    "WithdrawIntent": [("borrower", "address"), ("to", "address"), ("tokenId", "uint256"), ("amount", "uint256"), ("nonce", "uint256"), ("deadline", "uint256")],
    "PriceData": [("tokenId", "uint256"), ("price", "uint256"), ("timestamp", "uint256"), ("maxBorrow", "uint256")],
    "Resolution": [("tokenId", "uint256"), ("won", "bool"), ("timestamp", "uint256")],
    "MarketSchedule": [("tokenId", "uint256"), ("endTime", "uint256"), ("timestamp", "uint256")],
}


def main(argv):
    if len(argv) < 3 or argv[0] not in TYPES:
        sys.exit(f"usage: typed_data.py {{{'|'.join(TYPES)}}} POOL CHAIN_ID field=value ...")
    kind, pool, chain = argv[0], argv[1], int(argv[2], 0)
    given = dict(a.split("=", 1) for a in argv[3:])
    fields = TYPES[kind]
    unknown = set(given) - {f for f, _ in fields}
    missing = [f for f, _ in fields if f not in given]
    if unknown or missing:
        sys.exit(f"{kind}: missing {missing or '-'}, unknown {sorted(unknown) or '-'}")
    message = {}
    for name, ty in fields:
        v = given[name]
        if ty == "uint256":
            message[name] = str(int(v, 0))
        elif ty == "bool":
            if v not in ("true", "false"):
                sys.exit(f"{name} must be true or false")
            message[name] = v == "true"
        else:
            message[name] = v
    data = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            kind: [{"name": n, "type": t} for n, t in fields],
        },
        "primaryType": kind,
        "domain": {"name": "PredMart Lending Pool", "version": "1", "chainId": chain, "verifyingContract": pool},
        "message": message,
    }
    print(json.dumps(data, separators=(",", ":")))


if __name__ == "__main__":
    main(sys.argv[1:])
