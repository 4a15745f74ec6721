#!/usr/bin/env bash
# Rebuilds the fuel-metering test modules (FuelInstrumenter's tests) from their .wat sources.
# Needs Debian's wabt (apt-get install wabt; checked with 1.0.32). CI uses the committed .wasm files.
set -euo pipefail
cd "$(dirname "$0")"
for wat in *.wat; do
  wasm="${wat%.wat}.wasm"
  case "$wat" in
    tail_calls.wat) wat2wasm --enable-tail-call "$wat" -o "$wasm" ;;
    atomics.wat) wat2wasm --enable-threads "$wat" -o "$wasm" ;;
    exceptions.wat) wat2wasm --enable-exceptions "$wat" -o "$wasm" ;;
    *) wat2wasm "$wat" -o "$wasm" ;;
  esac
  echo "built $wasm"
done
