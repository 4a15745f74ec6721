package dev.wasmhost.bench;

import dev.wasmhost.Engine;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The price of {@code callStackSize}: {@code module.call("add", 1, 2)} on the caller's thread against
 * the same call handed to a 256 MiB-stack thread and back.
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar DeepStackBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Benchmark)
public class DeepStackBenchmark {
  WasmModule onCaller;
  WasmModule handedOff;
  int a = 1;
  int b = 2;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] numbers = TestModules.bytes("numbers.wasm");
    onCaller = WasmLoader.builder().engine(Engine.COMPILER).build().load(numbers);
    handedOff = WasmLoader.builder().engine(Engine.COMPILER).callStackSize(256L << 20).build().load(numbers);
    TestModules.check("add", 3, (Integer) onCaller.call("add", a, b));
    TestModules.check("add", 3, (Integer) handedOff.call("add", a, b));
  }

  @Benchmark
  public Object callerThread() {
    return onCaller.call("add", a, b);
  }

  @Benchmark
  public Object deepStackThread() {
    return handedOff.call("add", a, b);
  }
}
