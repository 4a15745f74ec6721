#!/usr/bin/env bash
# Rebuilds every .wasm in this directory from its .wat source.
# Needs Debian's wabt (apt-get install wabt). CI uses the committed .wasm files and does not run this.
set -euo pipefail
cd "$(dirname "$0")"
for wat in *.wat; do
  wasm="${wat%.wat}.wasm"
  case "$wat" in
    invalid.wat) wat2wasm --no-check "$wat" -o "$wasm" ;;
    *) wat2wasm "$wat" -o "$wasm" ;;
  esac
  echo "built $wasm"
done
# The module wasm-host-core decodes to warm Chicory's decoder (see ChicoryLoader).
warmup=../../wasm-host-core/src/main/resources/dev/wasmhost/internal/decoder-warmup
wat2wasm "$warmup.wat" -o "$warmup.wasm"
echo "built $warmup.wasm"
