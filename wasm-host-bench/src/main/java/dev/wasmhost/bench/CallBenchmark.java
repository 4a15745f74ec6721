package dev.wasmhost.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.wasm.Parser;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
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
 * The cost of one call to {@code add(i32, i32) -> i32} from {@code testdata/wasm/numbers.wat}, made
 * four ways on each engine:
 *
 * <ul>
 *   <li>{@link #rawChicory}: the baseline, Chicory's own API with the {@code ExportFunction} cached
 *       and, for the compiler, one {@code MachineFactoryCompiler.compile(module)} factory;
 *   <li>{@link #typedHandle}: a wasm-host {@code IntBinaryOperator} from {@code
 *       Instance.function("add", IntBinaryOperator.class)}, the hot path the library promises;
 *   <li>{@link #instanceCall}: {@code Instance.call("add", a, b)}, looked up by name and boxed;
 *   <li>{@link #moduleCall}: {@code WasmModule.call("add", a, b)}, on the calling thread's instance.
 * </ul>
 *
 * <p>Targets on {@code COMPILER}: {@code typedHandle} within 1.2× of {@code rawChicory} and
 * allocating no more bytes per call; {@code instanceCall} and {@code moduleCall} within 3×. Results
 * are in {@code docs/benchmarks.md}.
 *
 * <p>Run, from the repository root after {@code mvn -pl wasm-host-bench -am package}:
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar CallBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CallBenchmark {

  /** Which engine runs the guest: a {@link Engine} name. */
  @Param({"COMPILER", "INTERPRETER"})
  public String engine;

  /* Arguments live in fields, not constants, so the JIT cannot fold the calls away. */
  private int a = 1;
  private int b = 2;

  private ExportFunction rawAdd;
  private Loader loader;
  private WasmModule module;
  private Instance instance;
  private IntBinaryOperator typedAdd;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] bytes = TestModules.bytes("numbers.wasm");
    Engine selected = Engine.valueOf(engine);

    com.dylibso.chicory.wasm.WasmModule parsed = Parser.parse(bytes);
    com.dylibso.chicory.runtime.Instance.Builder raw = com.dylibso.chicory.runtime.Instance.builder(parsed);
    if (selected == Engine.COMPILER) {
      raw.withMachineFactory(MachineFactoryCompiler.compile(parsed));
    }
    rawAdd = raw.build().export("add");

    loader = WasmLoader.builder().engine(selected).build();
    module = loader.load(bytes);
    instance = module.instantiate();
    typedAdd = instance.function("add", IntBinaryOperator.class);

    TestModules.check("rawChicory", 3, rawChicory());
    TestModules.check("typedHandle", 3, typedHandle());
    TestModules.check("instanceCall", 3, instanceCall());
    TestModules.check("moduleCall", 3, moduleCall());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    instance.close();
  }

  /** Baseline: Chicory's cached {@code ExportFunction}, raw {@code long} arguments and results. */
  @Benchmark
  public int rawChicory() {
    return (int) rawAdd.apply(a, b)[0];
  }

  /** wasm-host's typed handle: {@code IntBinaryOperator.applyAsInt}. */
  @Benchmark
  public int typedHandle() {
    return typedAdd.applyAsInt(a, b);
  }

  /** wasm-host's convenient call on an instance: lookup by name, boxed arguments and result. */
  @Benchmark
  public int instanceCall() {
    return (Integer) instance.call("add", a, b);
  }

  /** wasm-host's module-level call: the calling thread's instance, lookup by name, boxing. */
  @Benchmark
  public int moduleCall() {
    return (Integer) module.call("add", a, b);
  }
}
