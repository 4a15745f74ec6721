package dev.wasmhost;

import java.nio.file.Path;
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
 * @param diskCacheDirectory where compiled code is kept across JVM restarts, or null for none
 * @param diskCacheMaxBytes the bound on the disk cache's total size
 * @param callStackSize the stack size in bytes of the threads that run {@link WasmModule#call}, or 0
 *     to run it on the caller's thread
 * @param callTimeout the deadline of every call, or {@link Duration#ZERO} for none
 * @param maxMemoryPages the most 64 KiB pages of linear memory one instance may have
 * @param metrics where measurements go ({@link Metrics#NONE} for nowhere)
 * @param callListener hears every call, or null for none
 * @param slowCallThreshold calls at least this slow are recorded as JDK Flight Recorder events, or
 *     {@link Duration#ZERO} for none
 * @param fuelPerCall the fuel each call may consume, or 0 for no metering
 */
public record LoaderConfig(
    Engine engine,
    long maxCacheBytes,
    Imports imports,
    Duration httpTimeout,
    Path diskCacheDirectory,
    long diskCacheMaxBytes,
    long callStackSize,
    Duration callTimeout,
    int maxMemoryPages,
    Metrics metrics,
    CallListener callListener,
    Duration slowCallThreshold,
    long fuelPerCall) {
  /** The default bound on cached module bytes: 256 MiB. */
  public static final long DEFAULT_MAX_CACHE_BYTES = 256L << 20;

  /** The default HTTP timeout: 30 seconds. */
  public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(30);

  /** The most pages a 32-bit wasm memory can have: 4 GiB. */
  public static final int MAX_MEMORY_PAGES = 65536;

  /**
   * The default limit on one instance's memory: 16,384 pages (1 GiB), so that a guest growing its
   * memory without end gets {@code -1} from {@code memory.grow} long before the JVM's heap runs out.
   */
  public static final int DEFAULT_MAX_MEMORY_PAGES = 16384;

  /** The default bound on the disk cache: 1 GiB. */
  public static final long DEFAULT_DISK_CACHE_MAX_BYTES = 1L << 30;

  public LoaderConfig {
    Objects.requireNonNull(engine, "engine");
    Objects.requireNonNull(imports, "imports");
    Objects.requireNonNull(httpTimeout, "httpTimeout");
    if (maxCacheBytes < 0) {
      throw new IllegalArgumentException("maxCacheBytes must not be negative: " + maxCacheBytes);
    }
    Objects.requireNonNull(callTimeout, "callTimeout");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(slowCallThreshold, "slowCallThreshold");
    if (fuelPerCall < 0) {
      throw new IllegalArgumentException("fuelPerCall must not be negative: " + fuelPerCall);
    }
    if (callTimeout.isNegative()) {
      throw new IllegalArgumentException("callTimeout must not be negative: " + callTimeout);
    }
    if (maxMemoryPages < 0 || maxMemoryPages > MAX_MEMORY_PAGES) {
      throw new IllegalArgumentException("maxMemoryPages must be in 0.." + MAX_MEMORY_PAGES + ": " + maxMemoryPages);
    }
    if (callStackSize < 0) {
      throw new IllegalArgumentException("callStackSize must not be negative: " + callStackSize);
    }
    if (diskCacheMaxBytes < 0) {
      throw new IllegalArgumentException("diskCacheMaxBytes must not be negative: " + diskCacheMaxBytes);
    }
  }

  /** The settings of {@link WasmLoader#defaultLoader()}. */
  public static LoaderConfig defaults() {
    return new LoaderConfig(
        Engine.AUTO, DEFAULT_MAX_CACHE_BYTES, Imports.empty(), DEFAULT_HTTP_TIMEOUT,
        null,
        DEFAULT_DISK_CACHE_MAX_BYTES,
        0,
        Duration.ZERO,
        DEFAULT_MAX_MEMORY_PAGES,
        Metrics.NONE,
        null,
        Duration.ZERO,
        0);
  }
}
