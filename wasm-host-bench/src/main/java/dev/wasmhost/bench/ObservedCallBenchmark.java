package dev.wasmhost.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.wasmhost.CallListener;
import dev.wasmhost.Engine;
import dev.wasmhost.InMemoryMetrics;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The typed-handle call path with no observer, with a {@link CallListener} and with {@link
 * InMemoryMetrics}, next to raw Chicory, COMPILER engine, {@code add(i32, i32)}: shows that an unset
 * observer leaves the call path as it is, and what a set one costs.
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar ObservedCallBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class ObservedCallBenchmark {
  @Param({"NONE", "LISTENER", "METRICS"})
  public String observer;

  ExportFunction raw;
  IntBinaryOperator handle;
  Instance instance;
  int a = 1;
  int b = 2;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] bytes = TestModules.bytes("numbers.wasm");
    WasmModule parsed = Parser.parse(bytes);
    raw =
        com.dylibso.chicory.runtime.Instance.builder(parsed)
            .withMachineFactory(MachineFactoryCompiler.compile(parsed))
            .build()
            .export("add");
    Loader.Builder builder = WasmLoader.builder().engine(Engine.COMPILER);
    if (observer.equals("LISTENER")) {
      builder.callListener(new CallListener() {});
    } else if (observer.equals("METRICS")) {
      builder.metrics(new InMemoryMetrics());
    }
    instance = builder.build().load(bytes).instantiate();
    handle = instance.function("add", IntBinaryOperator.class);
    TestModules.check("add", 3, handle.applyAsInt(a, b));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    instance.close();
  }

  @Benchmark
  public int rawChicory() {
    return (int) raw.apply(a, b)[0];
  }

  @Benchmark
  public int typedHandle() {
    return handle.applyAsInt(a, b);
  }
}
