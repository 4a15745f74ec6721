#!/usr/bin/env bash
# Builds testdata/large/sqlite_bench.wasm: SQLite (the amalgamation shipped inside the npm package
# better-sqlite3) plus the driver sqlite_bench.c, compiled to a wasm32-wasi reactor with Debian's
# clang 14 and wasi-libc. See README.md for what the module exports and imports.
#
# Needs: npm (registry access), clang, lld (wasm-ld), wasi-libc, libclang-rt-14-dev-wasm32;
# optional: gcc (native cross-check), wasm-objdump (import listing).
#   apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32 gcc wabt
#
# Usage: testdata/large/build.sh            builds sqlite_bench.wasm, then the native check
#        testdata/large/build.sh --no-check builds sqlite_bench.wasm only
# The SQLite source is fetched into a temporary directory and deleted afterwards; only the .wasm
# is written here. Takes about a minute for the wasm and another for the native check (2 cores).
set -euo pipefail

PACKAGE=better-sqlite3
VERSION=13.2.0 # ships SQLite 3.54.1 in deps/sqlite3/sqlite3.c

HERE="$(cd -- "$(dirname -- "$0")" && pwd)"
OUT="$HERE/sqlite_bench.wasm"
CHECK=1
if [[ "${1:-}" == "--no-check" ]]; then
  CHECK=0
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

echo "fetching $PACKAGE@$VERSION ..."
(cd "$WORK" && npm pack --silent "$PACKAGE@$VERSION" >/dev/null && tar xzf "$PACKAGE-$VERSION.tgz")
SRC="$WORK/package/deps/sqlite3"
test -f "$SRC/sqlite3.c"
grep -m1 '^#define SQLITE_VERSION ' "$SRC/sqlite3.h"

# SQLite options, the same for the wasm and the native build.
SQLITE_DEFINES=(
  -DSQLITE_THREADSAFE=0
  -DSQLITE_OMIT_LOAD_EXTENSION
  -DSQLITE_OMIT_WAL
  -DSQLITE_OMIT_SHARED_CACHE
  -DSQLITE_TEMP_STORE=3          # temporary tables and indices always in memory
  -DSQLITE_DEFAULT_MEMSTATUS=0
)
# What wasi-libc needs for the parts of SQLite's unix VFS that remain compiled in.
WASI_DEFINES=(
  -D_WASI_EMULATED_SIGNAL
  -D_WASI_EMULATED_MMAN
  -D_WASI_EMULATED_GETPID
  -D_WASI_EMULATED_PROCESS_CLOCKS
)
WASI_LIBS=(
  -lwasi-emulated-signal
  -lwasi-emulated-mman
  -lwasi-emulated-getpid
  -lwasi-emulated-process-clocks
)

echo "compiling $OUT ..."
# -mexec-model=reactor: no main; the module exports _initialize (crt1-reactor.o), and the driver's
# functions are exported through __attribute__((export_name)). --strip-debug drops the DWARF
# sections that come with wasi-libc but keeps the "name" section (function names).
clang --target=wasm32-wasi -O2 -mexec-model=reactor \
  "${SQLITE_DEFINES[@]}" "${WASI_DEFINES[@]}" \
  -I"$SRC" "$HERE/sqlite_bench.c" "$SRC/sqlite3.c" \
  "${WASI_LIBS[@]}" -Wl,--strip-debug \
  -o "$WORK/sqlite_bench.wasm"
mv "$WORK/sqlite_bench.wasm" "$OUT"
chmod 644 "$OUT"
echo "wrote $OUT ($(stat -c %s "$OUT") bytes)"
sha256sum "$OUT"

if command -v wasm-objdump >/dev/null; then
  wasm-objdump -x -j Import "$OUT" | grep -- ' <- ' | sed 's/.*<- /  import /'
fi

if [[ $CHECK == 1 ]]; then
  echo "native cross-check (gcc -O2) ..."
  gcc -O2 -DSQLITE_BENCH_MAIN "${SQLITE_DEFINES[@]}" -I"$SRC" \
    "$HERE/sqlite_bench.c" "$SRC/sqlite3.c" -lm -o "$WORK/sqlite_bench_native"
  "$WORK/sqlite_bench_native"
fi
