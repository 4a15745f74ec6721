package dev.wasmhost.internal;

import dev.wasmhost.ExternKind;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.Memory;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.PoolExhaustedException;
import dev.wasmhost.PoolStats;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The pool. A fair semaphore with {@code maxSize} permits bounds the instances in existence; idle
 * instances wait in a deque (last returned, first borrowed, for warm caches). A permit is taken for
 * every borrowed instance and given back on return, so a waiting borrower is woken by any return.
 * Trapped instances are discarded, never re-queued.
 */
final class ChicoryInstancePool implements InstancePool {
  private final LoadedModule module;
  private final WasmModule publicModule;
  private final Config config;
  private final InstanceLimits limits;
  private final Semaphore permits;
  private final ConcurrentLinkedDeque<LiveInstance> idle = new ConcurrentLinkedDeque<>();
  private final LongAdder borrows = new LongAdder();
  private final LongAdder created = new LongAdder();
  private final LongAdder discarded = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private volatile boolean closed;

  ChicoryInstancePool(LoadedModule module, WasmModule publicModule, Config config) {
    this.module = module;
    this.publicModule = publicModule;
    this.config = config;
    InstanceLimits loader = module.defaultLimits();
    long timeout = config.callTimeout().isZero() ? loader.callTimeoutNanos() : config.callTimeout().toNanos();
    int pages =
        config.maxTotalMemoryPages() == 0
            ? loader.maxMemoryPages()
            : Math.min(loader.maxMemoryPages(), config.maxTotalMemoryPages() / config.maxSize());
    this.limits = new InstanceLimits(timeout, pages);
    checkInitializer(module, config.initializer());
    this.permits = new Semaphore(config.maxSize(), true);
    for (int i = 0; i < config.minSize(); i++) {
      idle.add(create());
    }
  }

  private LiveInstance create() {
    LiveInstance instance = module.instantiate(config.imports(), limits, publicModule);
    created.increment();
    if (!config.initializer().isEmpty()) {
      try {
        instance.call(config.initializer());
      } catch (RuntimeException e) {
        instance.close();
        discarded.increment();
        throw e;
      }
    }
    return instance;
  }

  private static void checkInitializer(LoadedModule module, String name) {
    if (name.isEmpty()) {
      return;
    }
    for (ModuleExport export : module.exports()) {
      if (export.name().equals(name)) {
        if (export.kind() != ExternKind.FUNCTION
            || !export.functionType().params().isEmpty() || !export.functionType().results().isEmpty()) {
          throw new InvalidCallException(
              "module " + module.label() + ": pool initializer '" + name + "' must be a function of no "
                  + "parameters and no results, it is " + export);
        }
        return;
      }
    }
    throw new InvalidCallException(
        "module " + module.label() + ": pool initializer '" + name + "' is not exported");
  }

  @Override
  public Instance borrow() {
    if (closed) {
      throw closedError();
    }
    boolean acquired;
    try {
      acquired = permits.tryAcquire(LiveInstance.saturatedNanos(config.borrowTimeout()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PoolExhaustedException(
          "module " + module.label() + ": interrupted while waiting for a pooled instance", e);
    }
    if (!acquired) {
      timeouts.increment();
      module.observation().metrics.poolExhausted(module.label());
      throw new PoolExhaustedException(
          "module " + module.label() + ": all " + config.maxSize() + " pooled instances stayed in use for "
              + describe(config.borrowTimeout()));
    }
    if (closed) {
      // It closed while this borrower waited.
      permits.release();
      throw closedError();
    }
    LiveInstance instance = idle.pollFirst();
    if (instance == null) {
      try {
        instance = create();
      } catch (RuntimeException e) {
        permits.release();
        throw e;
      }
    }
    borrows.increment();
    module.observation().metrics.poolBorrowed(module.label(), config.maxSize() - permits.availablePermits());
    return new Borrowed(instance);
  }

  private void giveBack(LiveInstance instance) {
    boolean discard = closed || instance.trapped() || config.reset() == Reset.FRESH;
    try {
      if (discard) {
        instance.close();
        discarded.increment();
        if (!closed && idle.size() < config.minSize()) {
          idle.addFirst(create());
        }
      } else {
        idle.addFirst(instance);
        if (closed) {
          close(); // close() may have drained the deque just before this instance went in
        }
      }
    } finally {
      permits.release();
      module.observation().metrics.poolReturned(module.label(), config.maxSize() - permits.availablePermits(), discard);
    }
  }

  @Override
  public PoolStats stats() {
    int idleNow = idle.size();
    int inUse = config.maxSize() - permits.availablePermits();
    return new PoolStats(
        config.maxSize(),
        idleNow,
        Math.max(0, inUse),
        permits.getQueueLength(),
        borrows.sum(),
        created.sum(),
        discarded.sum(),
        timeouts.sum());
  }

  @Override
  public void close() {
    closed = true;
    LiveInstance instance;
    while ((instance = idle.pollFirst()) != null) {
      instance.close();
      discarded.increment();
    }
  }

  private static String describe(java.time.Duration timeout) {
    return LiveInstance.saturatedNanos(timeout) == Long.MAX_VALUE ? timeout.toString() : timeout.toMillis() + " ms";
  }

  private InvalidCallException closedError() {
    return new InvalidCallException("the pool of module " + module.label() + " is closed");
  }

  @Override
  public String toString() {
    return "InstancePool[" + module.label() + ", " + stats() + "]";
  }

  /** A borrowed instance: closing it returns it to the pool, once. Confined to the borrower's thread. */
  private final class Borrowed implements Instance {
    private LiveInstance instance;

    Borrowed(LiveInstance instance) {
      this.instance = instance;
    }

    private LiveInstance live() {
      LiveInstance live = instance;
      if (live == null) {
        throw new InvalidCallException("this pooled instance of module " + module.label() + " was returned");
      }
      return live;
    }

    @Override
    public WasmModule module() {
      return publicModule;
    }

    @Override
    public Object call(String function, Object... args) {
      return live().call(function, args);
    }

    @Override
    public Object callWithTimeout(java.time.Duration timeout, String function, Object... args) {
      return live().callWithTimeout(timeout, function, args);
    }

    @Override
    public WasmFunction function(String name) {
      return live().function(name);
    }

    @Override
    public <T> T function(String name, Class<T> shape) {
      return live().function(name, shape);
    }

    @Override
    public Memory memory() {
      return live().memory();
    }

    @Override
    public long lastCallFuel() {
      return live().lastCallFuel();
    }

    @Override
    public void close() {
      LiveInstance live = instance;
      if (live != null) {
        instance = null;
        giveBack(live);
      }
    }
  }
}
