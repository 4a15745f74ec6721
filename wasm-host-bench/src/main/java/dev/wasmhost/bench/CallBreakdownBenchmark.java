package dev.wasmhost.bench;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmLoader;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Diagnostic companion to {@link CallBenchmark}: splits {@code Instance.call("add", a, b)} into its
 * parts, so a gap between {@code instanceCall} and {@code rawChicory} can be pinned on one of them.
 *
 * <ul>
 *   <li>{@link #handleApply}: {@code WasmFunction.apply(long...)}, raw values, no lookup;
 *   <li>{@link #handleCall}: {@code WasmFunction.call(Object...)}, boxing and argument checks, no
 *       lookup;
 *   <li>{@link #lookup}: {@code Instance.function("add")} alone, the by-name lookup of a handle
 *       that already exists.
 * </ul>
 *
 * <p>Roughly, {@code instanceCall ≈ lookup + handleCall} and {@code moduleCall ≈ instanceCall +}
 * a thread-local read. Only the compiler is measured by default, because the interpreter's own
 * cost (over 100 ns) hides these parts.
 *
 * <p>Run, from the repository root after {@code mvn -pl wasm-host-bench -am package}:
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar CallBreakdownBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallBreakdownBenchmark {

  /** Which engine runs the guest: a {@link Engine} name. */
  @Param({"COMPILER"})
  public String engine;

  /* Arguments live in fields, not constants, so the JIT cannot fold the calls away. */
  private int a = 1;
  private int b = 2;

  private Loader loader;
  private Instance instance;
  private WasmFunction add;

  @Setup(Level.Trial)
  public void setUp() {
    loader = WasmLoader.builder().engine(Engine.valueOf(engine)).build();
    instance = loader.load(TestModules.bytes("numbers.wasm")).instantiate();
    add = instance.function("add");

    TestModules.check("handleApply", 3, handleApply());
    TestModules.check("handleCall", 3, handleCall());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    instance.close();
  }

  /** The raw handle: {@code long} in, {@code long[]} out, no lookup, no boxing. */
  @Benchmark
  public int handleApply() {
    return (int) add.apply(a, b)[0];
  }

  /** The raw handle called with boxed values: argument count and type checks, unboxing, boxing. */
  @Benchmark
  public int handleCall() {
    return (Integer) add.call(a, b);
  }

  /** The by-name lookup that {@code Instance.call} does before calling. */
  @Benchmark
  public WasmFunction lookup() {
    return instance.function("add");
  }
}
