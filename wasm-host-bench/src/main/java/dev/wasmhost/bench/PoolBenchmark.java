package dev.wasmhost.bench;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Instance pools: throughput of {@code fib(20)} through a pool of two compiled instances on one and
 * on two threads (the target is two threads ≥ 1.8× one), and the cost of a borrow and return alone.
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar PoolBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PoolBenchmark {

  /** One pool shared by every benchmark thread. */
  @State(Scope.Benchmark)
  public static class Pool {
    InstancePool pool;

    @Setup(Level.Trial)
    public void setUp() {
      WasmModule fib = WasmLoader.builder().engine(Engine.COMPILER).build().load(TestModules.bytes("fib.wasm"));
      pool =
          InstancePool.builder(fib)
              .minSize(2)
              .maxSize(2)
              .borrowTimeout(Duration.ofSeconds(10))
              .reset(InstancePool.Reset.REUSE)
              .build();
      TestModules.check("fib(20)", 6765, fib20(pool));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      pool.close();
    }
  }

  static long fib20(InstancePool pool) {
    try (Instance instance = pool.borrow()) {
      return instance.function("fib", LongUnaryOperator.class).applyAsLong(20);
    }
  }

  @Benchmark
  @Threads(1)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long fib20OneThread(Pool state) {
    return fib20(state.pool);
  }

  @Benchmark
  @Threads(2)
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  public long fib20TwoThreads(Pool state) {
    return fib20(state.pool);
  }

  @Benchmark
  @Threads(1)
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Instance borrowAndReturn(Pool state) {
    Instance instance = state.pool.borrow();
    instance.close();
    return instance;
  }
}
