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
      Map<String, FunctionStats> functions) {}

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
  private final ConcurrentHashMap<String, Function> functions = new ConcurrentHashMap<>();

  /** Empty metrics, to pass to {@link Loader.Builder#metrics(Metrics)}. */
  public InMemoryMetrics() {}

  private Function function(String module, String function) {
    return functions.computeIfAbsent(module + " " + function, key -> new Function());
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
  }

  @Override
  public void registryEvent(RegistryEvent event) {
    registryEvents.increment();
  }

  /** A consistent-enough copy of every counter (each is read once, not all at one instant). */
  public Snapshot snapshot() {
    Map<String, FunctionStats> stats = new TreeMap<>();
    functions.forEach((key, function) -> stats.put(key, function.stats()));
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
        Map.copyOf(stats));
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
