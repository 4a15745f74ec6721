package dev.wasmhost.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * From module bytes to the first result of {@code add(1, 2)} in an already warm JVM, on each engine:
 *
 * <ul>
 *   <li>{@link #wasmHostCached}: {@code loader.load(bytes)} (a cache hit: the digest of the bytes,
 *       then the module compiled on the first load), {@code instantiate()}, {@code call("add", 1,
 *       2)}, {@code close()};
 *   <li>{@link #rawChicory}: what a program using Chicory directly does with no cache of its own:
 *       {@code Parser.parse(bytes)}, then (on {@code COMPILER} only) {@code
 *       MachineFactoryCompiler.compile(module)}, then instantiate, {@code export("add")} and one call;
 *   <li>{@link #rawChicoryReused}: Chicory with the parsed module and compiled factory kept by the
 *       caller, so only instantiate and the first call remain: the floor under {@code
 *       wasmHostCached}.
 * </ul>
 *
 * <p>Run, from the repository root after {@code mvn -pl wasm-host-bench -am package}:
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar ColdStartBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ColdStartBenchmark {

  /** Which engine runs the guest: a {@link Engine} name. */
  @Param({"COMPILER", "INTERPRETER"})
  public String engine;

  private byte[] bytes;
  private boolean compiler;
  private Loader loader;
  private com.dylibso.chicory.wasm.WasmModule reusedModule;
  private Function<com.dylibso.chicory.runtime.Instance, Machine> reusedFactory;

  @Setup(Level.Trial)
  public void setUp() {
    bytes = TestModules.bytes("numbers.wasm");
    compiler = Engine.valueOf(engine) == Engine.COMPILER;
    loader = WasmLoader.builder().engine(Engine.valueOf(engine)).build();
    loader.load(bytes); // the miss: every measured load is a hit
    reusedModule = Parser.parse(bytes);
    reusedFactory = compiler ? MachineFactoryCompiler.compile(reusedModule) : null;

    TestModules.check("wasmHostCached", 3, wasmHostCached());
    TestModules.check("rawChicory", 3, rawChicory());
    TestModules.check("rawChicoryReused", 3, rawChicoryReused());
    TestModules.check("cache misses", 1, loader.cacheStats().missCount());
  }

  /** wasm-host: load (cache hit), instantiate, first call, close. */
  @Benchmark
  public int wasmHostCached() {
    try (Instance instance = loader.load(bytes).instantiate()) {
      return (Integer) instance.call("add", 1, 2);
    }
  }

  /** Chicory alone, nothing kept: parse, compile ({@code COMPILER} only), instantiate, first call. */
  @Benchmark
  public int rawChicory() {
    com.dylibso.chicory.wasm.WasmModule module = Parser.parse(bytes);
    com.dylibso.chicory.runtime.Instance.Builder builder =
        com.dylibso.chicory.runtime.Instance.builder(module);
    if (compiler) {
      builder.withMachineFactory(MachineFactoryCompiler.compile(module));
    }
    return (int) builder.build().export("add").apply(1, 2)[0];
  }

  /** Chicory with the parsed module and factory reused: instantiate and first call only. */
  @Benchmark
  public int rawChicoryReused() {
    com.dylibso.chicory.runtime.Instance.Builder builder =
        com.dylibso.chicory.runtime.Instance.builder(reusedModule);
    if (compiler) {
      builder.withMachineFactory(reusedFactory);
    }
    return (int) builder.build().export("add").apply(1, 2)[0];
  }
}
