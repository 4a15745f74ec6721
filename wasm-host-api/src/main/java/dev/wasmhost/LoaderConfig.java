package dev.wasmhost;

import java.time.Duration;
import java.util.Objects;

/**
 * The settings of a {@link Loader}, as built by {@link Loader.Builder} and reported by
 * {@link Loader#config()}.
 *
 * @param engine how guest code runs
 * @param maxCacheBytes the bound on the total size of module binaries held in the in-memory cache
 * @param imports host functions offered to every module this loader instantiates
 * @param httpTimeout the connect and read timeout for {@code http} and {@code https} loads
 */
public record LoaderConfig(Engine engine, long maxCacheBytes, Imports imports, Duration httpTimeout) {
  /** The default bound on cached module bytes: 256 MiB. */
  public static final long DEFAULT_MAX_CACHE_BYTES = 256L << 20;

  /** The default HTTP timeout: 30 seconds. */
  public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(30);

  public LoaderConfig {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(imports, "imports");
    Objects.requireNonNull(httpTimeout, "httpTimeout");
    if (maxCacheBytes < 0) {
      throw new IllegalArgumentException("maxCacheBytes must not be negative: " + maxCacheBytes);
    }
  }

  /** The settings of {@link WasmLoader#defaultLoader()}. */
  public static LoaderConfig defaults() {
    return new LoaderConfig(Engine.AUTO, DEFAULT_MAX_CACHE_BYTES, Imports.empty(), DEFAULT_HTTP_TIMEOUT);
  }
}
