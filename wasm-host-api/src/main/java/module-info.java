/**
 * The public API of wasm-host: load, cache, instantiate and call WebAssembly modules.
 *
 * <p>This module holds interfaces, records and final classes only; the implementation is found at
 * run time through {@link dev.wasmhost.LoaderProvider} (normally {@code dev.wasmhost.core}).
 */
module dev.wasmhost.api {
  exports dev.wasmhost;

  uses dev.wasmhost.LoaderProvider;
}
