#!/usr/bin/env bash
# Builds the three test-only Stylus contracts (test-wallet and the negative
# controls reentrant-puller and cache-probe), release wasm32, and copies them to
# <repo>/target/test-contracts/<name>.wasm, then prints their sizes.
#
# One cargo invocation per contract (never --workspace) so cargo features do not
# unify across packages. Like `cargo stylus` on the pinned nightly, std is rebuilt
# for the MVP CPU (-Z build-std ... panic_immediate_abort): the prebuilt std for
# wasm32-unknown-unknown is compiled with reference-types, whose padded
# `call_indirect` table index Nitro's validator (and wasmparser without
# reference-types) rejects.
#
# Usage: contracts/build.sh            (respects CARGO_TARGET_DIR)
#        CHECK=1 contracts/build.sh    (also validates with wasm-opt, if on PATH)
#
# Note: wasm-opt's validation does NOT catch the reference-types encoding of
# call_indirect (it accepts a plain, non-build-std build); wasmparser with Nitro's
# feature set does ("zero byte expected"). The check that counts is Stylus
# activation's, run on every build by scripts/test.sh:
#   cargo run -q -p stylus-runtime --bin activation-check -- target/test-contracts/*.wasm
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${ROOT}"
CONTRACTS=(test-wallet reentrant-puller cache-probe)
TARGET_DIR="${CARGO_TARGET_DIR:-${ROOT}/target}"
case "${TARGET_DIR}" in /*) ;; *) TARGET_DIR="${ROOT}/${TARGET_DIR}" ;; esac
OUT="${ROOT}/target/test-contracts"
mkdir -p "${OUT}"

for c in "${CONTRACTS[@]}"; do
  echo "[contracts] building ${c}" >&2
  cargo build --release --target wasm32-unknown-unknown -p "${c}" \
    -Z build-std=std,panic_abort -Z build-std-features=panic_immediate_abort
  cp "${TARGET_DIR}/wasm32-unknown-unknown/release/${c//-/_}.wasm" "${OUT}/${c}.wasm"
done

if [[ "${CHECK:-0}" == 1 ]] && command -v wasm-opt >/dev/null; then
  for c in "${CONTRACTS[@]}"; do
    # Validates with only the features Nitro enables (MVP + these).
    if ! msg="$(wasm-opt --mvp-features --enable-mutable-globals --enable-sign-ext \
      --enable-nontrapping-float-to-int --enable-bulk-memory \
      "${OUT}/${c}.wasm" -o /dev/null 2>&1)"; then
      echo "${msg}" >&2; echo "[contracts] ${c}: wasm-opt validation failed" >&2; exit 1
    fi
    if wasm-opt --print "${OUT}/${c}.wasm" 2>/dev/null | grep '(import "' | grep -v '(import "vm_hooks"' >&2; then
      echo "[contracts] ${c}: imports outside vm_hooks" >&2; exit 1
    fi
  done
  echo "[contracts] wasm-opt validation OK" >&2
fi

echo "[contracts] ${OUT}:"
for c in "${CONTRACTS[@]}"; do
  printf '  %-18s %7d bytes\n' "${c}.wasm" "$(wc -c <"${OUT}/${c}.wasm")"
done
