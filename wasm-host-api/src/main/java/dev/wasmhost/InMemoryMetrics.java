package dev.wasmhost;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link Metrics} kept in memory: counters, and per function a call count and a latency histogram
 * with about 6% precision, read with {@link #snapshot()}. Thread-safe; recording allocates nothing
 * once a function has been seen.
 *
 * <pre>{@code
 * InMemoryMetrics metrics = new InMemoryMetrics();
 * Loader loader = WasmLoader.builder().metrics(metrics).build();
 * ...
 * metrics.snapshot().functions().get("file:/app/fib.wasm fib").p99Nanos();
 * }</pre>
 */
public final class InMemoryMetrics implements Metrics {

  /** Everything counted so far, per module and function ({@code "<module> <function>"} keys). */
  public record Snapshot(
      long loads,
      long cacheHits,
      long cacheMisses,
      long diskCacheHits,
      long diskCacheMisses,
      long compilations,
      long compileNanos,
      long instantiations,
      long poolExhaustions,
      long registryEvents,
      Map<String, FunctionStats> functions,
      Map<String, PoolState> pools,
      Map<String, SubsystemState> subsystems) {}

  /**
   * What pools of one module have done, and how many of their instances are borrowed now.
   *
   * @param borrows instances lent
   * @param discarded instances thrown away on return (trapped, or {@code FRESH} reset)
   * @param exhaustions borrows that gave up after the timeout
   * @param inUse instances borrowed at the last borrow or return
   */
  public record PoolState(long borrows, long discarded, long exhaustions, int inUse) {}

  /**
   * The last thing that happened to a registry subsystem.
   *
   * @param lastEvent what happened last
   * @param version the version it concerned (null after a failure)
   * @param events how many events the subsystem has had
   */
  public record SubsystemState(RegistryEvent.Type lastEvent, SubsystemVersion version, long events) {}

  /**
   * One function's calls.
   *
   * @param calls calls that returned normally
   * @param traps calls that trapped or ran out of fuel
   * @param timeouts calls stopped at their deadline
   * @param fuel total fuel consumed by metered calls
   * @param p50Nanos median latency of normal calls
   * @param p90Nanos 90th percentile
   * @param p99Nanos 99th percentile
   * @param maxNanos the slowest normal call
   */
  public record FunctionStats(
      long calls, long traps, long timeouts, long fuel, long p50Nanos, long p90Nanos, long p99Nanos, long maxNanos) {}

  private final LongAdder loads = new LongAdder();
  private final LongAdder cacheHits = new LongAdder();
  private final LongAdder diskHits = new LongAdder();
  private final LongAdder diskMisses = new LongAdder();
  private final LongAdder compilations = new LongAdder();
  private final LongAdder compileNanos = new LongAdder();
  private final LongAdder instantiations = new LongAdder();
  private final LongAdder poolExhaustions = new LongAdder();
  private final LongAdder registryEvents = new LongAdder();
  /** Per module, per function: two lookups on the strings the caller already has, no key to build. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Function>> functions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Pool> pools = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, SubsystemState> subsystems = new ConcurrentHashMap<>();

  private static final class Pool {
    final LongAdder borrows = new LongAdder();
    final LongAdder discarded = new LongAdder();
    final LongAdder exhaustions = new LongAdder();
    volatile int inUse;
  }

  private Pool pool(String module) {
    return pools.computeIfAbsent(module, key -> new Pool());
  }

  /** Empty metrics, to pass to {@link Loader.Builder#metrics(Metrics)}. */
  public InMemoryMetrics() {}

  private Function function(String module, String function) {
    ConcurrentHashMap<String, Function> ofModule = functions.get(module);
    if (ofModule == null) {
      ofModule = functions.computeIfAbsent(module, key -> new ConcurrentHashMap<>());
    }
    Function stats = ofModule.get(function);
    return stats != null ? stats : ofModule.computeIfAbsent(function, key -> new Function());
  }

  @Override
  public void moduleLoaded(String module, boolean cacheHit, long nanos) {
    loads.increment();
    if (cacheHit) {
      cacheHits.increment();
    }
  }

  @Override
  public void diskCacheLookup(String module, boolean hit) {
    (hit ? diskHits : diskMisses).increment();
  }

  @Override
  public void moduleCompiled(String module, long nanos) {
    compilations.increment();
    compileNanos.add(nanos);
  }

  @Override
  public void instantiated(String module, long nanos) {
    instantiations.increment();
  }

  @Override
  public void called(String module, String function, long nanos) {
    function(module, function).record(nanos);
  }

  @Override
  public void trapped(String module, String function, String reason) {
    function(module, function).traps.increment();
  }

  @Override
  public void timedOut(String module, String function) {
    function(module, function).timeouts.increment();
  }

  @Override
  public void fuelConsumed(String module, String function, long fuel) {
    function(module, function).fuel.add(fuel);
  }

  @Override
  public void poolExhausted(String module) {
    poolExhaustions.increment();
    pool(module).exhaustions.increment();
  }

  @Override
  public void poolBorrowed(String module, int inUse) {
    Pool pool = pool(module);
    pool.borrows.increment();
    pool.inUse = inUse;
  }

  @Override
  public void poolReturned(String module, int inUse, boolean discarded) {
    Pool pool = pool(module);
    if (discarded) {
      pool.discarded.increment();
    }
    pool.inUse = inUse;
  }

  @Override
  public void registryEvent(RegistryEvent event) {
    registryEvents.increment();
    subsystems.merge(
        event.id(),
        new SubsystemState(event.type(), event.version(), 1),
        (old, now) -> new SubsystemState(now.lastEvent(), now.version() != null ? now.version() : old.version(), old.events() + 1));
  }

  /** A consistent-enough copy of every counter (each is read once, not all at one instant). */
  public Snapshot snapshot() {
    Map<String, FunctionStats> stats = new TreeMap<>();
    functions.forEach(
        (module, ofModule) -> ofModule.forEach((name, function) -> stats.put(module + " " + name, function.stats())));
    long hits = cacheHits.sum();
    long total = loads.sum();
    return new Snapshot(
        total,
        hits,
        total - hits,
        diskHits.sum(),
        diskMisses.sum(),
        compilations.sum(),
        compileNanos.sum(),
        instantiations.sum(),
        poolExhaustions.sum(),
        registryEvents.sum(),
        Map.copyOf(stats),
        poolStates(),
        Map.copyOf(new TreeMap<>(subsystems)));
  }

  private Map<String, PoolState> poolStates() {
    Map<String, PoolState> states = new TreeMap<>();
    pools.forEach(
        (module, pool) ->
            states.put(module, new PoolState(pool.borrows.sum(), pool.discarded.sum(), pool.exhaustions.sum(), pool.inUse)));
    return Map.copyOf(states);
  }

  /**
   * Latencies in log-linear buckets: 16 sub-buckets per power of two, so a bucket's upper bound is
   * within 1/16 (about 6%) of any value in it.
   */
  private static final class Function {
    private static final int SUB_BITS = 4;
    private static final int SUBS = 1 << SUB_BITS;
    private final AtomicLongArray buckets = new AtomicLongArray(64 * SUBS);
    private final LongAdder calls = new LongAdder();
    private final LongAdder traps = new LongAdder();
    private final LongAdder timeouts = new LongAdder();
    private final LongAdder fuel = new LongAdder();
    private volatile long max;

    void record(long nanos) {
      long value = Math.max(0, nanos);
      calls.increment();
      buckets.incrementAndGet(index(value));
      if (value > max) {
        max = value; // racy maximum: good enough for a monitor, never lower than a recorded value by much
      }
    }

    private static int index(long value) {
      if (value < SUBS) {
        return (int) value;
      }
      int exponent = 63 - Long.numberOfLeadingZeros(value);
      int sub = (int) (value >>> (exponent - SUB_BITS)) & (SUBS - 1);
      return (exponent - SUB_BITS + 1) * SUBS + sub;
    }

    private static long upperBound(int index) {
      if (index < SUBS) {
        return index;
      }
      int exponent = index / SUBS + SUB_BITS - 1;
      long sub = index % SUBS;
      return ((SUBS + sub + 1) << (exponent - SUB_BITS)) - 1;
    }

    FunctionStats stats() {
      long[] counts = new long[buckets.length()];
      long total = 0;
      for (int i = 0; i < counts.length; i++) {
        counts[i] = buckets.get(i);
        total += counts[i];
      }
      return new FunctionStats(
          calls.sum(),
          traps.sum(),
          timeouts.sum(),
          fuel.sum(),
          percentile(counts, total, 0.50),
          percentile(counts, total, 0.90),
          percentile(counts, total, 0.99),
          max);
    }

    private static long percentile(long[] counts, long total, double q) {
      if (total == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(q * total);
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= rank) {
          return upperBound(i);
        }
      }
      return upperBound(counts.length - 1);
    }
  }
}
