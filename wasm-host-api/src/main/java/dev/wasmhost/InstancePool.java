package dev.wasmhost;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * A bounded pool of instances of one module, for callers that want control over how many instances
 * exist and what happens to their state between uses. Thread-safe.
 *
 * <pre>{@code
 * InstancePool pool = InstancePool.builder(module)
 *     .minSize(2).maxSize(8)
 *     .borrowTimeout(Duration.ofMillis(100))
 *     .reset(InstancePool.Reset.REUSE)          // the module keeps no state between calls
 *     .build();
 *
 * long r = pool.apply(instance -> (Long) instance.call("fib", 20));   // callback style
 *
 * try (Instance instance = pool.borrow()) {                            // borrow and return
 *   instance.call("fib", 20);
 * }                                                                    // close() returns it
 * }</pre>
 *
 * <p>{@link #borrow()} hands out an idle instance, or creates one while fewer than {@code maxSize}
 * exist, or waits up to the borrow timeout for one to be returned and then throws {@link
 * PoolExhaustedException}. Closing a borrowed instance returns it; it and every handle taken from it
 * must not be used afterwards. An instance whose call trapped (including a host function throwing)
 * never goes back into service: it is discarded on return and replaced when needed.
 */
public interface InstancePool extends AutoCloseable {

  /** How a returned instance is made ready for the next borrower. */
  enum Reset {
    /** Discard it and use a fresh instance: no state passes from one borrower to the next. */
    FRESH,
    /** Hand it out again as it is: for modules that keep no state between calls. */
    REUSE
  }

  /** A builder for a pool of instances of {@code module}. */
  static Builder builder(WasmModule module) {
    return new Builder(module);
  }

  /**
   * An instance for the calling thread's exclusive use until it is closed.
   *
   * @throws PoolExhaustedException if none became free within the borrow timeout
   * @throws InvalidCallException if the pool is closed
   */
  Instance borrow();

  /** Borrows an instance, applies {@code work} to it, and returns it, whatever happens. */
  default <R> R apply(Function<? super Instance, ? extends R> work) {
    try (Instance instance = borrow()) {
      return work.apply(instance);
    }
  }

  /** The pool's counters and current occupancy. */
  PoolStats stats();

  /**
   * Closes the pool: idle instances are dropped, borrowed ones are discarded when returned, and
   * {@link #borrow()} throws {@link InvalidCallException}. Idempotent.
   */
  @Override
  void close();

  /**
   * The settings of a pool.
   *
   * @param minSize instances created up front and kept ready
   * @param maxSize the most instances that exist at once
   * @param borrowTimeout how long {@link InstancePool#borrow()} waits when all are in use
   * @param reset what happens to a returned instance
   * @param imports host functions for the pool's instances (over the loader's)
   * @param callTimeout the deadline of each call on the pool's instances, or {@link Duration#ZERO}
   *     for the loader's
   * @param maxTotalMemoryPages the most memory pages all the pool's instances may hold together, or 0
   *     for no pool-wide bound (each instance still has the loader's)
   * @param initializer an export of no parameters and no results called once on every new instance
   *     before it is lent (e.g. a WASI reactor's {@code _initialize}), or the empty string for none
   */
  record Config(
      int minSize,
      int maxSize,
      Duration borrowTimeout,
      Reset reset,
      Imports imports,
      Duration callTimeout,
      int maxTotalMemoryPages,
      String initializer) {
    public Config {
      if (minSize < 0 || maxSize < 1 || minSize > maxSize) {
        throw new IllegalArgumentException(
            "need 0 <= minSize <= maxSize and maxSize >= 1, got minSize " + minSize + ", maxSize " + maxSize);
      }
      Objects.requireNonNull(borrowTimeout, "borrowTimeout");
      Objects.requireNonNull(reset, "reset");
      Objects.requireNonNull(imports, "imports");
      Objects.requireNonNull(callTimeout, "callTimeout");
      if (callTimeout.isNegative()) {
        throw new IllegalArgumentException("callTimeout must not be negative: " + callTimeout);
      }
      if (maxTotalMemoryPages < 0) {
        throw new IllegalArgumentException("maxTotalMemoryPages must not be negative: " + maxTotalMemoryPages);
      }
      Objects.requireNonNull(initializer, "initializer");
    }
  }

  /**
   * Settings for a pool: by default at most as many instances as processors, none made up front, a
   * borrow timeout of 1 second, and {@link Reset#FRESH}. Each setting is checked when set and may be
   * set once. Not thread-safe.
   */
  final class Builder {
    private final WasmModule module;
    private int minSize = -1;
    private int maxSize = -1;
    private Duration borrowTimeout;
    private Reset reset;
    private Imports imports;
    private Duration callTimeout;
    private int maxTotalMemoryPages = -1;
    private String initializer;

    Builder(WasmModule module) {
      this.module = Objects.requireNonNull(module, "module");
    }

    /** Instances created when the pool is built and kept ready; 0 unless set. */
    public Builder minSize(int minSize) {
      if (minSize < 0) {
        throw new IllegalArgumentException("minSize must not be negative: " + minSize);
      }
      if (this.minSize >= 0) {
        throw new IllegalStateException("minSize was already set to " + this.minSize);
      }
      this.minSize = minSize;
      return this;
    }

    /** The most instances that exist at once; the number of processors unless set. */
    public Builder maxSize(int maxSize) {
      if (maxSize < 1) {
        throw new IllegalArgumentException("maxSize must be at least 1: " + maxSize);
      }
      if (this.maxSize >= 0) {
        throw new IllegalStateException("maxSize was already set to " + this.maxSize);
      }
      this.maxSize = maxSize;
      return this;
    }

    /** How long a borrow waits when every instance is in use; 1 second unless set. */
    public Builder borrowTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("borrowTimeout must not be negative: " + timeout);
      }
      if (this.borrowTimeout != null) {
        throw new IllegalStateException("borrowTimeout was already set to " + this.borrowTimeout);
      }
      this.borrowTimeout = timeout;
      return this;
    }

    /** What happens to a returned instance; {@link Reset#FRESH} unless set. */
    public Builder reset(Reset reset) {
      this.reset = Checks.once("reset", reset, this.reset);
      return this;
    }

    /** Host functions for the pool's instances, over the loader's; none unless set. */
    public Builder imports(Imports imports) {
      this.imports = Checks.once("imports", imports, this.imports);
      return this;
    }

    /** The deadline of each call on the pool's instances; the loader's unless set. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = Checks.positiveOnce("callTimeout", timeout, this.callTimeout);
      return this;
    }

    /**
     * An export of no parameters and no results to call once on every new instance before it is
     * lent, e.g. a WASI reactor's {@code _initialize}. If it traps, the borrow fails with that
     * {@link TrapException} and the instance is dropped.
     */
    public Builder initializer(String export) {
      Objects.requireNonNull(export, "export");
      if (export.isEmpty()) {
        throw new IllegalArgumentException("the initializer must name an export");
      }
      if (this.initializer != null) {
        throw new IllegalStateException("initializer was already set to " + this.initializer);
      }
      this.initializer = export;
      return this;
    }

    /**
     * The most 64 KiB memory pages the pool's instances may hold together. Enforced by giving each of
     * the {@code maxSize} instances an equal share as its own limit (and never more than the
     * loader's), so the total can never be exceeded, at the price of one instance not using another's
     * unused share. No pool-wide bound unless set.
     */
    public Builder maxTotalMemoryPages(int pages) {
      if (pages < 1) {
        throw new IllegalArgumentException("maxTotalMemoryPages must be positive: " + pages);
      }
      if (this.maxTotalMemoryPages >= 0) {
        throw new IllegalStateException("maxTotalMemoryPages was already set to " + this.maxTotalMemoryPages);
      }
      this.maxTotalMemoryPages = pages;
      return this;
    }

    /**
     * The pool, with its {@code minSize} instances created.
     *
     * @throws IllegalArgumentException if minSize exceeds maxSize
     * @throws LinkException if the imports do not satisfy the module
     */
    public InstancePool build() {
      int max = maxSize >= 0 ? maxSize : Math.max(minSize, Runtime.getRuntime().availableProcessors());
      return module.newPool(
          new Config(
              Math.max(0, minSize),
              max,
              borrowTimeout != null ? borrowTimeout : Duration.ofSeconds(1),
              reset != null ? reset : Reset.FRESH,
              imports != null ? imports : Imports.empty(),
              callTimeout != null ? callTimeout : Duration.ZERO,
              Math.max(0, maxTotalMemoryPages),
              initializer != null ? initializer : ""));
    }
  }
}
