package dev.wasmhost;

import java.net.URI;
import java.nio.file.Path;
import java.util.ServiceLoader;

/**
 * The entry point: loads modules through a shared default loader, and builds configured ones.
 *
 * <pre>{@code
 * Object r = WasmLoader.load(URI.create("file:/path/fib.wasm")).call("fib", 20); // 6765L
 *
 * Loader loader = WasmLoader.builder().engine(Engine.INTERPRETER).build();
 * }</pre>
 *
 * <p>The default loader uses {@link LoaderConfig#defaults()}: the {@link Engine#AUTO} engine, a
 * 256 MiB cache and no imports. It lives as long as the class.
 */
public final class WasmLoader {

  private WasmLoader() {}

  private static final class DefaultHolder {
    static final Loader LOADER = provider().create(LoaderConfig.defaults());
  }

  private static final class ProviderHolder {
    // Null when no implementation is present; the error is raised at each use, never from this
    // initializer, so that it stays an IllegalStateException rather than an ExceptionInInitializerError.
    static final LoaderProvider PROVIDER =
        ServiceLoader.load(LoaderProvider.class, LoaderProvider.class.getClassLoader()).findFirst().orElse(null);
  }

  static LoaderProvider provider() {
    LoaderProvider provider = ProviderHolder.PROVIDER;
    if (provider == null) {
      throw new IllegalStateException(
          "no wasm-host implementation found: add dev.wasmhost:wasm-host-core to the class path");
    }
    return provider;
  }

  /** The shared default loader. */
  public static Loader defaultLoader() {
    provider(); // fails here, with a clear message, rather than in DefaultHolder's initializer
    return DefaultHolder.LOADER;
  }

  /** A builder for a configured loader. */
  public static Loader.Builder builder() {
    return new Loader.Builder();
  }

  /** {@link Loader#load(URI)} on the default loader. */
  public static WasmModule load(URI uri) {
    return defaultLoader().load(uri);
  }

  /** {@link Loader#load(Path)} on the default loader. */
  public static WasmModule load(Path path) {
    return defaultLoader().load(path);
  }

  /** {@link Loader#load(byte[])} on the default loader. */
  public static WasmModule load(byte[] bytes) {
    return defaultLoader().load(bytes);
  }
}
