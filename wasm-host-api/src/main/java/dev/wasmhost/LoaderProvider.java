package dev.wasmhost;

/**
 * The service interface through which this API finds its implementation with
 * {@link java.util.ServiceLoader}. {@code wasm-host-core} provides it; applications never call or
 * implement it.
 */
public interface LoaderProvider {
  /** A new loader with these settings. */
  Loader create(LoaderConfig config);

  /** A new, empty registry loading through {@code loader}. */
  Registry createRegistry(Loader loader, java.time.Duration drainTimeout);
}
