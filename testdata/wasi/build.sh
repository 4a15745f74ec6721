#!/usr/bin/env bash
# Rebuilds every .wasm in this directory from src/*.c (wasi-libc, WASI preview 1).
# Needs the Debian packages: clang-14 (clang), lld-14 (wasm-ld), wasi-libc, libclang-rt-14-dev-wasm32;
# wabt (wasm-objdump) only for inspecting. CI uses the committed .wasm files and does not run this.
# After rebuilding, run ./refresh-expected.sh (needs Node 20) to regenerate reference=node outputs.
set -euo pipefail
cd "$(dirname "$0")"
CC=${CC:-clang}
# printf without floating point (none of the programs prints floats): smaller binaries
CFLAGS=(--target=wasm32-wasi -O2 -Wall -Werror -D__wasilibc_printscan_no_floating_point -Wl,--strip-all)
LIBS=(-lc-printscan-no-floating-point)
for c in src/*.c; do
  name=$(basename "$c" .c)
  case "$name" in
    reactor) "$CC" "${CFLAGS[@]}" -mexec-model=reactor -o "$name.wasm" "$c" "${LIBS[@]}" ;;
    *) "$CC" "${CFLAGS[@]}" -o "$name.wasm" "$c" "${LIBS[@]}" ;;
  esac
  echo "built $name.wasm ($(wc -c < "$name.wasm") bytes)"
done
