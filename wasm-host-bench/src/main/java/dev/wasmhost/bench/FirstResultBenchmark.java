package dev.wasmhost.bench;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.bench.large.LargeModule;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
 * Time to the first result in a fresh JVM: each fork is a new JVM, and the one measured invocation
 * builds a loader, loads a module from disk and computes a first result, so class loading, decoding,
 * compiling (or not) and instantiating are all inside the measurement; JVM boot is not.
 *
 * <ul>
 *   <li>{@code fib}: the 112-byte {@code fib.wasm}, first result {@code fib(20)};
 *   <li>{@code sqlite}: the 1.1 MB SQLite build of {@code testdata/large}, first result {@code
 *       bench_sqlite_version()} after {@code _initialize};
 *   <li>{@code sqlite-setup}: the same module, first result {@code bench_query(100)} after {@code
 *       _initialize} and {@code bench_setup} (10,000 rows inserted): real work on a cold JIT.
 * </ul>
 *
 * <ul>
 *   <li>{@code INTERPRETER}, {@code COMPILER}, {@code AUTO}: a loader of that engine, no disk cache;
 *   <li>{@code COMPILER_WARM_DISK}, {@code AUTO_WARM_DISK}: a disk cache filled beforehand by another
 *       JVM (in the set-up, outside the measurement), so compilation is replaced by loading classes.
 * </ul>
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar FirstResultBenchmark -f 10 -p module=fib
 * java -jar wasm-host-bench/target/benchmarks.jar FirstResultBenchmark -f 5 -p module=sqlite
 * java -jar wasm-host-bench/target/benchmarks.jar FirstResultBenchmark -f 3 -p module=sqlite-setup
 * </pre>
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(10)
@State(Scope.Benchmark)
public class FirstResultBenchmark {
  @Param({"INTERPRETER", "COMPILER", "COMPILER_WARM_DISK", "AUTO", "AUTO_WARM_DISK"})
  public String mode;

  @Param({"fib", "sqlite", "sqlite-setup"})
  public String module;

  Path file;
  Path cache;

  @Setup(Level.Trial)
  public void setUp() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("wasm-host-first-result");
    file = dir.resolve(module.replace("-setup", "") + ".wasm");
    Files.write(file, module.equals("fib") ? TestModules.bytes("fib.wasm") : LargeModule.bytes());
    if (mode.endsWith("_WARM_DISK")) {
      cache = dir.resolve("cache");
      // Another JVM fills the cache, so that this one's classes stay cold.
      Process fill =
          new ProcessBuilder(
                  List.of(
                      Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                      "-cp",
                      System.getProperty("java.class.path"),
                      FillDiskCache.class.getName(),
                      file.toString(),
                      cache.toString()))
              .inheritIO()
              .start();
      if (fill.waitFor() != 0) {
        throw new IllegalStateException("filling the disk cache failed");
      }
    }
  }

  @Benchmark
  public Object firstResult() {
    Engine engine = Engine.valueOf(mode.replace("_WARM_DISK", ""));
    Loader.Builder builder = WasmLoader.builder().engine(engine);
    if (cache != null) {
      builder.diskCache(cache);
    }
    if (module.equals("fib")) {
      WasmModule fib = builder.build().load(file);
      Object result = fib.call("fib", 20L);
      if (!Long.valueOf(6765).equals(result)) {
        throw new IllegalStateException("fib(20) returned " + result);
      }
      return result;
    }
    WasmModule sqlite = builder.imports(LargeModule.wasiImports()).build().load(file);
    if (module.equals("sqlite")) {
      try (Instance instance = sqlite.instantiate()) {
        instance.function("_initialize").apply();
        int version = (int) instance.function("bench_sqlite_version").apply()[0];
        if (version != LargeModule.SQLITE_VERSION) {
          throw new IllegalStateException("bench_sqlite_version returned " + version);
        }
        return version;
      }
    }
    try (Instance instance = LargeModule.open(sqlite)) {
      int result = (int) instance.function("bench_query").apply(100)[0];
      LargeModule.check(100, result);
      return result;
    }
  }

  /** Compiles a module into a disk cache, in its own JVM. */
  public static final class FillDiskCache {
    private FillDiskCache() {}

    public static void main(String[] args) {
      Loader loader = WasmLoader.builder().engine(Engine.COMPILER).diskCache(Path.of(args[1])).build();
      loader.load(Path.of(args[0]));
      if (loader.diskCacheStats().orElseThrow().writeCount() != 1) {
        throw new IllegalStateException("nothing was written to " + args[1]);
      }
    }
  }
}
