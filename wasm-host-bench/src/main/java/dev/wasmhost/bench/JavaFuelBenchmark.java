package dev.wasmhost.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a correct fuel meter costs recursive fib in plain Java, without Chicory: the floor under any
 * way of metering fib's compiled code through memory. Each call charges 17 fuel, as the metered
 * {@code fib.wasm} does, and the fuel must come back from each callee before its caller's next
 * charge. A Java method returns one value, which fib's {@code long} result takes, so the fuel comes
 * back through memory: a field of an object passed down ({@code field}, the shortest path), or a
 * static field ({@code staticField}). {@code plain} has no fuel. Compare with {@code FuelBenchmark}.
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar JavaFuelBenchmark -f 2 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
public class JavaFuelBenchmark {
  private static final long BUDGET = Long.MAX_VALUE / 2;
  private static final int COST = 17;

  /** The fuel, passed down to every call. */
  static final class Fuel {
    long remaining;
  }

  private static long staticFuel;

  private final Fuel fuel = new Fuel();

  @Setup
  public void check() {
    long consumed = (long) COST * (2 * 121_393 - 1); // 2 * fib(26) - 1 calls
    TestModules.check("fib(25)", 75_025, plain());
    TestModules.check("fib(25) with fuel in a field", 75_025, field());
    TestModules.check("fuel consumed by fib(25), field", consumed, BUDGET - fuel.remaining);
    TestModules.check("fib(25) with fuel in a static field", 75_025, staticField());
    TestModules.check("fuel consumed by fib(25), static field", consumed, BUDGET - staticFuel);
  }

  @Benchmark
  public long plain() {
    return fib(25);
  }

  @Benchmark
  public long field() {
    fuel.remaining = BUDGET;
    return fib(25, fuel);
  }

  @Benchmark
  public long staticField() {
    staticFuel = BUDGET;
    return fibStatic(25);
  }

  private static long fib(long n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
  }

  private static long fib(long n, Fuel fuel) {
    long left = fuel.remaining - COST;
    if (left < 0) {
      throw new IllegalStateException("out of fuel");
    }
    fuel.remaining = left;
    return n < 2 ? n : fib(n - 1, fuel) + fib(n - 2, fuel);
  }

  private static long fibStatic(long n) {
    long left = staticFuel - COST;
    if (left < 0) {
      throw new IllegalStateException("out of fuel");
    }
    staticFuel = left;
    return n < 2 ? n : fibStatic(n - 1) + fibStatic(n - 2);
  }
}
