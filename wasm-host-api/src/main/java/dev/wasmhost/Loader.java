package dev.wasmhost;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Loads WebAssembly modules and keeps them compiled in a bounded in-memory cache keyed by the SHA-256
 * of their bytes. Thread-safe.
 *
 * <pre>{@code
 * Loader loader = WasmLoader.builder()
 *     .engine(Engine.INTERPRETER)
 *     .maxCacheBytes(64 << 20)
 *     .imports(imports)
 *     .build();
 * WasmModule module = loader.load(URI.create("classpath:/wasm/add.wasm"));
 * }</pre>
 *
 * <p>Supported URIs: {@code file:}, {@code classpath:} (resolved against the context class loader,
 * then this library's), {@code jar:}, {@code http:} and {@code https:}. Loads of equal bytes, from
 * any source and from any number of threads at once, decode and compile once; a load that fails
 * caches nothing.
 */
public interface Loader {

  /**
   * Loads the module at {@code uri}.
   *
   * @throws LoadException if the bytes cannot be read (bad URI, unknown scheme, missing file, HTTP
   *     error status)
   * @throws InvalidModuleException if the bytes are not a valid module
   */
  WasmModule load(URI uri);

  /**
   * Loads the module at {@code uri} only if its bytes have digest {@code expectedDigest} ({@code
   * sha256:<hex>} or the bare hex, any case): a mismatch is a {@link LoadException} and nothing is
   * compiled.
   */
  WasmModule load(URI uri, String expectedDigest);

  /** Loads the module in file {@code path}. */
  WasmModule load(Path path);

  /** Loads a module from its bytes (the array is not kept or changed). */
  WasmModule load(byte[] bytes);

  /**
   * Loads a module compiled at build time by Chicory's {@code chicory-compiler-maven-plugin}: {@code
   * generatedClass} is the class the plugin generated (the one named by its {@code name} setting),
   * which carries the module's metadata and its compiled code, so nothing is compiled at run time
   * whatever this loader's engine. The class must be public with a public no-argument constructor
   * (the plugin's are), and on the module path its package must be exported to {@code
   * dev.wasmhost.core}.
   *
   * <pre>{@code
   * WasmModule fib = loader.loadPrecompiled(FibModule.class);
   * fib.call("fib", 20L);
   * }</pre>
   *
   * <p>The module's digest is that of the stripped module the plugin keeps beside the class (the
   * original {@code .wasm} minus its code), not of the original {@code .wasm}.
   *
   * @throws LoadException if {@code generatedClass} is not such a class or cannot be instantiated
   */
  WasmModule loadPrecompiled(Class<?> generatedClass);

  /** Statistics of the in-memory module cache. */
  CacheStats cacheStats();

  /**
   * True if this loader's disk cache holds compiled code for {@code module} (so a new JVM with the
   * same cache skips compiling it); false without a disk cache.
   */
  boolean diskCacheHolds(WasmModule module);

  /** Statistics of the persistent compiled-code cache, if one was configured. */
  Optional<DiskCacheStats> diskCacheStats();

  /** The settings this loader was built with. */
  LoaderConfig config();

  /**
   * Settings for a new {@link Loader}. Each setting is checked when set and may be set once.
   * Obtain one from {@link WasmLoader#builder()}. Not thread-safe.
   */
  final class Builder {
    private Engine engine;
    private long maxCacheBytes = -1;
    private Imports imports;
    private Duration httpTimeout;
    private Path diskCacheDirectory;
    private long diskCacheMaxBytes = LoaderConfig.DEFAULT_DISK_CACHE_MAX_BYTES;
    private long callStackSize = -1;
    private Duration callTimeout;
    private int maxMemoryPages = -1;
    private Metrics metrics;
    private CallListener callListener;
    private Duration slowCallThreshold;
    private long fuelPerCall = -1;

    Builder() {}

    /** How guest code runs; {@link Engine#AUTO} unless set. */
    public Builder engine(Engine engine) {
      this.engine = Checks.once("engine", engine, this.engine);
      return this;
    }

    /**
     * The bound on the total size of module binaries kept compiled in memory; 256 MiB unless set.
     * Zero disables caching. Compiled code takes roughly one to three times the binary's size.
     */
    public Builder maxCacheBytes(long maxCacheBytes) {
      if (maxCacheBytes < 0) {
        throw new IllegalArgumentException("maxCacheBytes must not be negative: " + maxCacheBytes);
      }
      if (this.maxCacheBytes >= 0) {
        throw new IllegalStateException("maxCacheBytes was already set to " + this.maxCacheBytes);
      }
      this.maxCacheBytes = maxCacheBytes;
      return this;
    }

    /** Host functions offered to every module of this loader; none unless set. */
    public Builder imports(Imports imports) {
      this.imports = Checks.once("imports", imports, this.imports);
      return this;
    }

    /** Connect and read timeout for HTTP loads; 30 seconds unless set. */
    public Builder httpTimeout(Duration timeout) {
      this.httpTimeout = Checks.positiveOnce("httpTimeout", timeout, this.httpTimeout);
      return this;
    }

    /** {@link #diskCache(Path, long)} with a bound of 1 GiB. */
    public Builder diskCache(Path directory) {
      return diskCache(directory, LoaderConfig.DEFAULT_DISK_CACHE_MAX_BYTES);
    }

    /**
     * Keeps compiled code in {@code directory} across JVM restarts, at most {@code maxBytes} of it
     * (least recently used entries go first), so that a new process loading a module it has seen
     * skips compilation. Several JVMs may share the directory. A directory that cannot be created or
     * written is reported once in the log when the loader is built and then ignored: compilation
     * still works, in memory. Anyone who can write to the directory can make the JVM load classes
     * of their choosing, so it must not be writable by others.
     */
    public Builder diskCache(Path directory, long maxBytes) {
      Objects.requireNonNull(directory, "directory");
      if (maxBytes < 0) {
        throw new IllegalArgumentException("disk cache maxBytes must not be negative: " + maxBytes);
      }
      if (this.diskCacheDirectory != null) {
        throw new IllegalStateException("diskCache was already set to " + this.diskCacheDirectory);
      }
      this.diskCacheDirectory = directory;
      this.diskCacheMaxBytes = maxBytes;
      return this;
    }

    /**
     * Runs {@link WasmModule#call} on the loader's own threads, whose stacks are {@code bytes} large,
     * instead of on the caller's thread. Guest call depth is bounded by the Java stack: about 1,200
     * interpreted or 14,000 compiled wasm frames on a default 1 MB stack, roughly proportionally more
     * on a larger one. The hand-off costs some microseconds per call (see docs/benchmarks.md), so set
     * it only for guests that recurse deeply. Instances and their handles always run on the calling
     * thread: to give them a deep stack, call them from a thread created with {@link
     * Thread#Thread(ThreadGroup, Runnable, String, long)}.
     */
    public Builder callStackSize(long bytes) {
      if (bytes < 64 * 1024) {
        throw new IllegalArgumentException("callStackSize must be at least 64 KiB: " + bytes);
      }
      if (this.callStackSize >= 0) {
        throw new IllegalStateException("callStackSize was already set to " + this.callStackSize);
      }
      this.callStackSize = bytes;
      return this;
    }

    /**
     * The deadline of every call into this loader's modules (through {@code call}, handles and
     * pools): a call still running after {@code timeout} is stopped with a {@link
     * CallTimeoutException}. None unless set. Enforcing a deadline costs a watchdog registration per
     * call (well under a microsecond); without one, calls pay nothing.
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Checks.positiveOnce("callTimeout", timeout, this.callTimeout);
      return this;
    }

    /**
     * The most 64 KiB pages of linear memory one instance may have, whatever the module declares:
     * {@code memory.grow} beyond it returns -1, as the specification says, and a module whose
     * initial memory exceeds it fails to instantiate. 16,384 pages (1 GiB) unless set.
     */
    public Builder maxMemoryPages(int pages) {
      if (pages < 0 || pages > LoaderConfig.MAX_MEMORY_PAGES) {
        throw new IllegalArgumentException("maxMemoryPages must be in 0.." + LoaderConfig.MAX_MEMORY_PAGES + ": " + pages);
      }
      if (this.maxMemoryPages >= 0) {
        throw new IllegalStateException("maxMemoryPages was already set to " + this.maxMemoryPages);
      }
      this.maxMemoryPages = pages;
      return this;
    }

    /** Where measurements go; nowhere ({@link Metrics#NONE}) unless set. */
    public Builder metrics(Metrics metrics) {
      this.metrics = Checks.once("metrics", metrics, this.metrics);
      return this;
    }

    /** Hears every call into this loader's modules; none unless set. */
    public Builder callListener(CallListener listener) {
      this.callListener = Checks.once("callListener", listener, this.callListener);
      return this;
    }

    /**
     * Calls that take at least {@code threshold} are recorded as {@code dev.wasmhost.SlowCall} JDK
     * Flight Recorder events (when a recording is running). Not measured unless set, so calls pay
     * nothing. Loads, compilations, instantiations, traps, timeouts and swaps are always recorded
     * as events while a recording is running.
     */
    public Builder slowCallThreshold(Duration threshold) {
      this.slowCallThreshold = Checks.positiveOnce("slowCallThreshold", threshold, this.slowCallThreshold);
      return this;
    }

    /**
     * Meters every call into this loader's modules: each call may execute about {@code fuel}
     * WebAssembly instructions (the unit is one instruction; a branch not taken is still paid for), and
     * a call that would use more is stopped with a {@link FuelExhaustedException}. The count is
     * deterministic: the same module with the same input consumes the same fuel in every engine, and
     * {@link Instance#lastCallFuel()} tells how much. Modules are instrumented when loaded (a counter
     * charged at function entries and loop headers), which costs some speed; see docs/benchmarks.md.
     * A module's start function runs with the same budget. No metering unless set.
     */
    public Builder fuelPerCall(long fuel) {
      if (fuel < 1) {
        throw new IllegalArgumentException("fuelPerCall must be positive: " + fuel);
      }
      if (this.fuelPerCall >= 0) {
        throw new IllegalStateException("fuelPerCall was already set to " + this.fuelPerCall);
      }
      this.fuelPerCall = fuel;
      return this;
    }

    /** The settings as they stand, with defaults for those not set. */
    public LoaderConfig toConfig() {
      LoaderConfig defaults = LoaderConfig.defaults();
      return new LoaderConfig(
          engine != null ? engine : defaults.engine(),
          maxCacheBytes >= 0 ? maxCacheBytes : defaults.maxCacheBytes(),
          imports != null ? imports : defaults.imports(),
          httpTimeout != null ? httpTimeout : defaults.httpTimeout(),
          diskCacheDirectory,
          diskCacheMaxBytes,
          Math.max(0, callStackSize),
          callTimeout != null ? callTimeout : Duration.ZERO,
          maxMemoryPages >= 0 ? maxMemoryPages : defaults.maxMemoryPages(),
          metrics != null ? metrics : Metrics.NONE,
          callListener,
          slowCallThreshold != null ? slowCallThreshold : Duration.ZERO,
          Math.max(0, fuelPerCall));
    }

    /**
     * A new loader with these settings. Opens nothing; the builder can be used again.
     *
     * @throws IllegalStateException if no implementation ({@code wasm-host-core}) is present
     */
    public Loader build() {
      return WasmLoader.provider().create(toConfig());
    }
  }
}
