#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine; safe to re-run
# (each step is skipped when already done). Source it to get the tools on PATH:
#   . scripts/setup.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLCHAIN=nightly-2025-08-01
CARGO_STYLUS_VERSION=0.10.10
# anvil (local chain for the testnet kit's CI run) is pinned like cast; the real Gnosis
# ConditionalTokens artifact (LGPL-3.0, solc 0.5.10) is installed, never committed.
CTF_PACKAGE=@gnosis.pm/conditional-tokens-contracts@1.0.3
NPM_TOOLS=(binaryen@132 @foundry-rs/cast@1.7.1 @foundry-rs/anvil@1.7.1 solc@0.8.30 "${CTF_PACKAGE}")

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

command -v rustup >/dev/null || { echo "rustup is required (https://rustup.rs)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm (Node.js) is required for wasm-opt, cast and solc" >&2; exit 1; }

# 1. The pinned nightly with rust-src and the wasm32 target (RUSTUP_AUTO_INSTALL=0 here,
#    so rust-toolchain.toml alone installs nothing).
if ! rustup toolchain list | grep -q "^${TOOLCHAIN}"; then
  log "installing Rust ${TOOLCHAIN}"
  rustup toolchain install "${TOOLCHAIN}" --profile minimal --component rust-src,rustfmt,clippy --target wasm32-unknown-unknown
fi
for c in rust-src rustfmt clippy; do
  if ! rustup component list --toolchain "${TOOLCHAIN}" --installed 2>/dev/null | grep -q "^${c}"; then
    rustup component add --toolchain "${TOOLCHAIN}" "${c}"
  fi
done
if ! rustup target list --toolchain "${TOOLCHAIN}" --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown'; then
  rustup target add --toolchain "${TOOLCHAIN}" wasm32-unknown-unknown
fi

# 2. cargo-stylus (built with the machine's default toolchain, outside the project
#    so the project's nightly pin does not apply; ~11 minutes on 2 cores).
if ! cargo stylus --version 2>/dev/null | grep -q "${CARGO_STYLUS_VERSION}"; then
  log "installing cargo-stylus ${CARGO_STYLUS_VERSION} (takes a while)"
  (cd / && cargo install --locked "cargo-stylus@${CARGO_STYLUS_VERSION}")
fi

# 3. wasm-opt (binaryen 132), cast, anvil, solcjs and the ConditionalTokens artifact from the
#    npm registry, into a git-ignored folder.
TOOLS="${ROOT}/.tools"
mkdir -p "${TOOLS}"
need_npm=0
[ -x "${TOOLS}/node_modules/.bin/wasm-opt" ] && "${TOOLS}/node_modules/.bin/wasm-opt" --version | grep -q 'version 132' || need_npm=1
[ -x "${TOOLS}/node_modules/.bin/cast" ] && "${TOOLS}/node_modules/.bin/cast" --version | grep -q '1.7.1' || need_npm=1
[ -x "${TOOLS}/node_modules/.bin/anvil" ] && "${TOOLS}/node_modules/.bin/anvil" --version | grep -q '1.7.1' || need_npm=1
[ -x "${TOOLS}/node_modules/.bin/solcjs" ] && "${TOOLS}/node_modules/.bin/solcjs" --version | grep -q '^0.8.30' || need_npm=1
grep -qs '"version": "1.0.3"' "${TOOLS}/node_modules/@gnosis.pm/conditional-tokens-contracts/package.json" || need_npm=1
if [ "${need_npm}" = 1 ]; then
  log "installing ${NPM_TOOLS[*]} into .tools/"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "${TOOLS}" "${NPM_TOOLS[@]}" >&2
fi
export PATH="${TOOLS}/node_modules/.bin:${HOME}/.cargo/bin:${PATH}"
wasm-opt --version >/dev/null
cast --version >/dev/null
anvil --version >/dev/null
solcjs --version >/dev/null
export PREDMART_CTF_ARTIFACT="${TOOLS}/node_modules/@gnosis.pm/conditional-tokens-contracts/build/contracts/ConditionalTokens.json"
[ -f "${PREDMART_CTF_ARTIFACT}" ]
log "tools ready: $(cargo stylus --version 2>/dev/null | head -1), wasm-opt $(wasm-opt --version | awk '{print $3}'), cast $(cast --version | head -1 | awk '{print $3}'), solcjs $(solcjs --version)"
