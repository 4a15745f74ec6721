package dev.wasmhost.bench.large;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Steady-state cost of one {@code bench_query(n)} call on the large SQLite module ({@link
 * LargeModule}, 1.2 MB), to measure what HotSpot's huge-method limit costs Chicory's compiled code:
 *
 * <ul>
 *   <li>{@link #compiler}: wasm-host, {@code Engine.COMPILER}, default JVM flags;
 *   <li>{@link #compilerHugeMethodsJitted}: the same in a fork run with {@code
 *       -XX:-DontCompileHugeMethods}, so that HotSpot also JIT-compiles methods over 8000 bytes of
 *       bytecode;
 *   <li>{@link #compilerHugeMethodsJittedBigNodes}: the same with C2's node budget raised ({@code
 *       -XX:MaxNodeLimit=1000000 -XX:NodeLimitFudgeFactor=40000}): with the default budget C2 gives up
 *       on the hottest huge method ({@code sqlite3VdbeExec}, 61908 bytes of bytecode: "out of nodes
 *       during split") and C1 cannot compile it either ("out of virtual registers"), so the flag alone
 *       leaves it in HotSpot's bytecode interpreter. Even with the raised budget C2 needs about two
 *       minutes on a loaded 2-core machine to compile it: give this one a long warm-up
 *       ({@code MaxNodeLimit=240000 NodeLimitFudgeFactor=8000} is also enough);
 *   <li>{@link #rawCompiler}: Chicory's API directly, compiled with {@code
 *       withMaxFunctionsPerClass(maxFunctionsPerClass)} (0: Chicory's default, 12288), to see whether
 *       that option changes anything; the module's imports are Chicory host functions equivalent to
 *       {@link LargeModule#wasiImports()}; its parameter {@code interpreted} can also hand chosen
 *       functions to Chicory's interpreter ({@code withInterpretedFunctions});
 *   <li>{@link #interpreter}: wasm-host, {@code Engine.INTERPRETER}, for scale (about 0.5 s of
 *       CPU per call at rows=1000: use short iterations).
 * </ul>
 *
 * Each benchmark's set-up checks {@code bench_query(n)} against the native build's value ({@link
 * LargeModule#EXPECTED_QUERY}). Results and the huge-method analysis ({@link GeneratedCodeReport})
 * are in {@code testdata/large/README.md}.
 *
 * <p>Run, from the repository root after {@code mvn -o -q -f wasm-host-bench/pom.xml -DskipTests
 * package} (the module is read from {@code testdata/large/sqlite_bench.wasm}):
 *
 * <pre>
 * # the three compiler configurations; the warm-up must outlast C2's compile of sqlite3VdbeExec
 * java -jar wasm-host-bench/target/benchmarks.jar 'LargeModuleBenchmark\.compiler' \
 *     -f 1 -wi 12 -w 10s -i 3 -r 10s
 * java -jar wasm-host-bench/target/benchmarks.jar 'LargeModuleBenchmark\.rawCompiler' \
 *     -p maxFunctionsPerClass=0,64 -f 1 -wi 4 -w 5s -i 3 -r 5s
 * java -jar wasm-host-bench/target/benchmarks.jar 'LargeModuleBenchmark\.interpreter' \
 *     -f 1 -wi 1 -w 5s -i 2 -r 5s
 * </pre>
 *
 * <p>On a shared machine the wall-clock scores are noisy; {@link LargeModuleProbe} reports CPU time
 * per call, which is steadier.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class LargeModuleBenchmark {

  /** One instance of the module through wasm-host, with its database filled. */
  @State(Scope.Thread)
  public static class HostState {
    /** {@code n} of {@code bench_query(n)}: the query reads the rows with id <= n. */
    @Param({"1000"})
    public int rows;

    WasmModule module;
    Instance instance;
    WasmFunction query;

    void open(Engine engine) {
      module = LargeModule.load(engine);
      instance = LargeModule.open(module);
      query = instance.function("bench_query");
      LargeModule.check(rows, call());
    }

    int call() {
      return (int) query.apply(rows)[0];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      instance.close();
    }
  }

  /** {@link HostState} on {@code Engine.COMPILER}. */
  public static class CompilerState extends HostState {
    @Setup(Level.Trial)
    public void setUp() {
      open(Engine.COMPILER);
    }
  }

  /** {@link HostState} on {@code Engine.INTERPRETER}. */
  public static class InterpreterState extends HostState {
    @Setup(Level.Trial)
    public void setUp() {
      open(Engine.INTERPRETER);
    }
  }

  /** The module on Chicory's own API, compiled with a chosen {@code maxFunctionsPerClass}. */
  @State(Scope.Thread)
  public static class RawState {
    /** {@code n} of {@code bench_query(n)}. */
    @Param({"1000"})
    public int rows;

    /** Chicory's {@code withMaxFunctionsPerClass}; 0 leaves Chicory's default (12288). */
    @Param({"0", "64"})
    public int maxFunctionsPerClass;

    /**
     * Wasm function indexes, separated by commas, that Chicory's interpreter runs instead of compiled
     * code ({@code withInterpretedFunctions}), or "none". 104 is {@code sqlite3VdbeExec}, the hot
     * function whose 61908-byte JVM method HotSpot leaves in its bytecode interpreter.
     */
    @Param({"none"})
    public String interpreted;

    ExportFunction query;

    @Setup(Level.Trial)
    public void setUp() {
      com.dylibso.chicory.wasm.WasmModule module = Parser.parse(LargeModule.bytes());
      var compiler = MachineFactoryCompiler.builder(module);
      if (interpreted.equals("none")) {
        compiler.withInterpreterFallback(InterpreterFallback.SILENT);
      } else {
        Set<Integer> indexes = new HashSet<>();
        for (String index : interpreted.split(",")) {
          indexes.add(Integer.parseInt(index.trim()));
        }
        compiler.withInterpreterFallback(InterpreterFallback.FAIL).withInterpretedFunctions(indexes);
      }
      if (maxFunctionsPerClass > 0) {
        compiler.withMaxFunctionsPerClass(maxFunctionsPerClass);
      }
      var instance =
          com.dylibso.chicory.runtime.Instance.builder(module)
              .withImportValues(rawWasiImports(module))
              .withMachineFactory(compiler.compile())
              .withStart(false)
              .build();
      instance.export("_initialize").apply();
      long rc = instance.export("bench_setup").apply()[0];
      if (rc != 0) {
        throw new IllegalStateException("bench_setup returned SQLite error " + rc);
      }
      query = instance.export("bench_query");
      LargeModule.check(rows, (int) query.apply(rows)[0]);
    }
  }

  @Benchmark
  @Fork(1)
  public int compiler(CompilerState state) {
    return state.call();
  }

  @Benchmark
  @Fork(value = 1, jvmArgsAppend = "-XX:-DontCompileHugeMethods")
  public int compilerHugeMethodsJitted(CompilerState state) {
    return state.call();
  }

  @Benchmark
  @Fork(
      value = 1,
      jvmArgsAppend = {"-XX:-DontCompileHugeMethods", "-XX:MaxNodeLimit=1000000", "-XX:NodeLimitFudgeFactor=40000"})
  public int compilerHugeMethodsJittedBigNodes(CompilerState state) {
    return state.call();
  }

  @Benchmark
  @Fork(1)
  public int rawCompiler(RawState state) {
    return (int) state.query.apply(state.rows)[0];
  }

  @Benchmark
  @Fork(1)
  public int interpreter(InterpreterState state) {
    return state.call();
  }

  /**
   * The same trivial WASI functions as {@link LargeModule#wasiImports()}, as Chicory host functions
   * for every {@code wasi_snapshot_preview1} function the module imports: {@code fd_write} to
   * stdout/stderr reports the bytes written, the clock reads 0, the environment is empty, anything
   * else on a descriptor answers {@code EBADF}, {@code proc_exit} throws.
   */
  static ImportValues rawWasiImports(com.dylibso.chicory.wasm.WasmModule module) {
    List<HostFunction> functions = new ArrayList<>();
    var imports = module.importSection();
    for (int i = 0; i < imports.importCount(); i++) {
      var imp = imports.getImport(i);
      if (!(imp instanceof com.dylibso.chicory.wasm.types.FunctionImport)) {
        continue;
      }
      int typeIndex = ((com.dylibso.chicory.wasm.types.FunctionImport) imp).typeIndex();
      FunctionType type = module.typeSection().getType(typeIndex);
      String name = imp.name();
      functions.add(
          new HostFunction(
              imp.module(),
              name,
              type,
              (instance, args) -> {
                var memory = instance.memory();
                switch (name) {
                  case "environ_sizes_get":
                  case "args_sizes_get":
                    memory.writeI32((int) args[0], 0);
                    memory.writeI32((int) args[1], 0);
                    return new long[] {0};
                  case "environ_get":
                  case "args_get":
                    return new long[] {0};
                  case "clock_time_get":
                    memory.writeLong((int) args[2], 0L);
                    return new long[] {0};
                  case "fd_write":
                    {
                      int fd = (int) args[0];
                      if (fd != 1 && fd != 2) {
                        return new long[] {8};
                      }
                      int written = 0;
                      for (int k = 0; k < (int) args[2]; k++) {
                        written += memory.readInt((int) args[1] + 8 * k + 4);
                      }
                      memory.writeI32((int) args[3], written);
                      return new long[] {0};
                    }
                  case "proc_exit":
                    throw new IllegalStateException("guest called proc_exit(" + args[0] + ")");
                  case "poll_oneoff":
                    return new long[] {58};
                  default:
                    if (type.returns().equals(List.of(ValType.I32))) {
                      return new long[] {8}; // EBADF: no files, no preopened directories
                    }
                    throw new IllegalStateException("unexpected import " + imp.module() + "." + name);
                }
              }));
    }
    return ImportValues.builder().addFunction(functions.toArray(new HostFunction[0])).build();
  }
}
