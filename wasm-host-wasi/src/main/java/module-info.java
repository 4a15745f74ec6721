/**
 * WASI preview 1 for wasm-host: run programs compiled for {@code wasm32-wasi} and call modules that
 * import {@code wasi_snapshot_preview1}, sandboxed by default. Start at {@link dev.wasmhost.wasi.Wasi}.
 */
module dev.wasmhost.wasi {
  requires transitive dev.wasmhost.api;
  // The thread CPU-time clock (CLOCK_THREAD_CPUTIME_ID).
  requires java.management;

  exports dev.wasmhost.wasi;
}
