package dev.wasmhost.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The price of the checked {@code br} the loader inserts into loops repeated by a conditional branch
 * (so that deadlines stop them in Chicory's interpreter): {@code sum(100_000)} of {@code
 * testdata/wasm/loop_sum.wat}, a loop repeated by {@code br_if}, as it is ({@code ORIGINAL}) and as
 * {@code InterruptibleLoops} rewrites it ({@code CHECKED}), on Chicory's interpreter and compiler
 * directly (no wasm-host call path). The ratio CHECKED/ORIGINAL per engine is the cost.
 *
 * <p>{@code InterruptibleLoops} is package-private in {@code dev.wasmhost.internal}; the set-up
 * reaches it by reflection (the benchmark jar runs on the class path).
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar LoopCheckBenchmark -f 2 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class LoopCheckBenchmark {
  @Param({"ORIGINAL", "CHECKED"})
  public String loop;

  @Param({"INTERPRETER", "COMPILER"})
  public String engine;

  private ExportFunction sum;

  @Setup(Level.Trial)
  public void setUp() throws ReflectiveOperationException {
    byte[] original = TestModules.bytes("loop_sum.wasm");
    byte[] bytes;
    if (loop.equals("CHECKED")) {
      bytes = rewrite(original);
      if (Arrays.equals(bytes, original)) {
        throw new IllegalStateException("InterruptibleLoops left loop_sum.wasm unchanged");
      }
    } else if (loop.equals("ORIGINAL")) {
      bytes = original;
    } else {
      throw new IllegalArgumentException("loop must be ORIGINAL or CHECKED: " + loop);
    }
    WasmModule module = Parser.parse(bytes);
    Instance.Builder builder = Instance.builder(module);
    if (engine.equals("COMPILER")) {
      builder.withMachineFactory(MachineFactoryCompiler.compile(module));
    } else if (!engine.equals("INTERPRETER")) {
      throw new IllegalArgumentException("engine must be INTERPRETER or COMPILER: " + engine);
    }
    sum = builder.build().export("sum");
    TestModules.check("sum(100_000)", 4_999_950_000L, sum100k());
  }

  private static byte[] rewrite(byte[] bytes) throws ReflectiveOperationException {
    Method rewrite =
        Class.forName("dev.wasmhost.internal.InterruptibleLoops").getDeclaredMethod("rewrite", byte[].class);
    rewrite.setAccessible(true);
    try {
      return (byte[]) rewrite.invoke(null, (Object) bytes);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("cannot rewrite loop_sum.wasm", e.getCause());
    }
  }

  @Benchmark
  public long sum100k() {
    return sum.apply(100_000)[0];
  }
}
