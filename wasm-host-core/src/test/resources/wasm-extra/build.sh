#!/usr/bin/env bash
# Rebuilds every .wasm in this directory from its .wat source (wabt 1.0.32: apt-get install wabt).
# These modules are used only by wasm-host-core's tests; the shared ones live in testdata/wasm.
# The build does not run this: the .wasm files are committed.
set -euo pipefail
cd "$(dirname "$0")"
for wat in *.wat; do
  wasm="${wat%.wat}.wasm"
  wat2wasm "$wat" -o "$wasm"
  echo "built $wasm"
done
