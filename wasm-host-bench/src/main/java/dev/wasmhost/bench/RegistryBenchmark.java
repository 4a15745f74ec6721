package dev.wasmhost.bench;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.Registry;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.WasmLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * What a {@link Registry} handle adds to a call: {@code add(i32, i32) -> i32} of {@code
 * testdata/wasm/calc_v1.wat}, the same compiled module both ways, on each engine:
 *
 * <ul>
 *   <li>{@link #instanceHandle}: the baseline, an {@code IntBinaryOperator} from {@code
 *       Instance.function("add", IntBinaryOperator.class)} on one wasm-host instance;
 *   <li>{@link #registryHandle}: an {@code IntBinaryOperator} from {@code registry.function("calc",
 *       "add", IntBinaryOperator.class)}, which follows swaps and lets them drain: for the thread
 *       that owns it, a thread check, a volatile read and two opaque stores on top of the instance
 *       handle.
 * </ul>
 *
 * <p>Target on {@code COMPILER}: {@code registryHandle} within 1.2× of {@code instanceHandle}, and
 * allocating nothing per call.
 *
 * <p>The module is read from the file {@link #module} (relative to the working directory), or, if
 * there is no such file, from the class-path resource {@code /wasm/calc_v1.wasm}. Run, from the
 * repository root after {@code mvn -pl wasm-host-bench -am -DskipTests package}:
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar RegistryBenchmark -f 3 -wi 3 -w 2s -i 5 -r 2s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RegistryBenchmark {

  /** Which engine runs the guest: a {@link Engine} name. */
  @Param({"COMPILER", "INTERPRETER"})
  public String engine;

  /** The module file, a build of {@code calc_v1.wat}; relative paths are to the working directory. */
  @Param({"testdata/wasm/calc_v1.wasm"})
  public String module;

  /* Arguments live in fields, not constants, so the JIT cannot fold the calls away. */
  private int a = 1;
  private int b = 2;

  private Instance instance;
  private Registry registry;
  private IntBinaryOperator instanceAdd;
  private IntBinaryOperator registryAdd;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] bytes = moduleBytes(module);
    Loader loader = WasmLoader.builder().engine(Engine.valueOf(engine)).build();

    instance = loader.load(bytes).instantiate();
    instanceAdd = instance.function("add", IntBinaryOperator.class);

    registry = Registry.builder().loader(loader).build();
    registry.register("calc", SubsystemDefinition.builder(bytes).build());
    registryAdd = registry.function("calc", "add", IntBinaryOperator.class);

    check("instanceHandle", instanceHandle());
    check("registryHandle", registryHandle());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
    instance.close();
  }

  /** Baseline: a typed handle on one instance. */
  @Benchmark
  public int instanceHandle() {
    return instanceAdd.applyAsInt(a, b);
  }

  /** A registry's typed handle: the calling thread's instance of the current version. */
  @Benchmark
  public int registryHandle() {
    return registryAdd.applyAsInt(a, b);
  }

  private static byte[] moduleBytes(String file) {
    try {
      Path path = Path.of(file);
      if (Files.isRegularFile(path)) {
        return Files.readAllBytes(path);
      }
      try (InputStream in = RegistryBenchmark.class.getResourceAsStream("/wasm/calc_v1.wasm")) {
        if (in == null) {
          throw new IllegalStateException(
              "no module: neither the file " + path.toAbsolutePath() + " nor the resource /wasm/calc_v1.wasm exists");
        }
        return in.readAllBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void check(String variant, int result) {
    if (result != 3) {
      throw new IllegalStateException(variant + " returned " + result + ", expected add(1, 2) = 3");
    }
  }
}
