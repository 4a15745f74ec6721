package dev.wasmhost.bench.large;

import static dev.wasmhost.ValueType.I32;
import static dev.wasmhost.ValueType.I64;

import dev.wasmhost.Engine;
import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.Memory;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The large test module {@code testdata/large/sqlite_bench.wasm} (SQLite 3.54.1 plus the driver
 * {@code testdata/large/sqlite_bench.c}, 1.2 MB; see {@code testdata/large/README.md}) and what a
 * host needs to run it through wasm-host.
 *
 * <p>wasm-host provides no WASI yet, so {@link #wasiImports()} supplies the {@code
 * wasi_snapshot_preview1} functions the module imports as trivial host functions: no files (every
 * descriptor is {@code EBADF}, there are no preopened directories), an empty environment, a clock
 * stuck at 0, zeros for random bytes, writes to stdout/stderr that go nowhere, and {@code
 * proc_exit} that throws. The module only ever uses an in-memory database, so this is enough.
 *
 * <p>The module's file is {@code testdata/large/sqlite_bench.wasm} under the working directory
 * (run from the repository root), or the path in the system property {@value #PATH_PROPERTY}.
 *
 * <p>Run {@code java -cp wasm-host-bench/target/benchmarks.jar dev.wasmhost.bench.large.LargeModule}
 * to check the module on both engines against the values of the native build.
 */
public final class LargeModule {

  /** System property naming the module's file, if not {@link #DEFAULT_PATH}. */
  public static final String PATH_PROPERTY = "wasmhost.large.wasm";

  /** Where the module is, relative to the repository root. */
  public static final String DEFAULT_PATH = "testdata/large/sqlite_bench.wasm";

  /** Rows that {@code bench_setup} inserts. */
  public static final int ROWS = 10_000;

  /** SQLite's version number, from {@code bench_sqlite_version()}. */
  public static final int SQLITE_VERSION = 3_054_001;

  /**
   * {@code bench_query(n)} as printed by the same driver compiled natively ({@code gcc -O2
   * -DSQLITE_BENCH_MAIN sqlite_bench.c sqlite3.c}), for n = 100, 1000 and 10000.
   */
  public static final Map<Integer, Integer> EXPECTED_QUERY =
      Map.of(100, 253_934_764, 1000, 1_565_751_877, 10_000, 1_847_443_193);

  /* WASI preview 1 errno values. */
  private static final long ESUCCESS = 0;
  private static final long EBADF = 8;
  private static final long ENOTSUP = 58;

  private static final String WASI = "wasi_snapshot_preview1";

  private LargeModule() {}

  /** The module's file: the system property {@value #PATH_PROPERTY}, else {@link #DEFAULT_PATH}. */
  public static Path path() {
    Path path = Paths.get(System.getProperty(PATH_PROPERTY, DEFAULT_PATH));
    if (!Files.isRegularFile(path)) {
      throw new IllegalStateException(
          "large test module not found at " + path.toAbsolutePath() + ": run from the repository root, set -D"
              + PATH_PROPERTY + "=..., or build it with testdata/large/build.sh");
    }
    return path;
  }

  /** The module's bytes. */
  public static byte[] bytes() {
    try {
      return Files.readAllBytes(path());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The module loaded through wasm-host on {@code engine}, with {@link #wasiImports()}. */
  public static WasmModule load(Engine engine) {
    return WasmLoader.builder().engine(engine).imports(wasiImports()).build().load(bytes());
  }

  /**
   * A ready instance of {@code module}: instantiated, {@code _initialize} called (the module is a
   * WASI reactor), and {@code bench_setup} run, which fills a fresh in-memory database.
   */
  public static Instance open(WasmModule module) {
    Instance instance = module.instantiate();
    try {
      if (module.exports().stream().map(ModuleExport::name).anyMatch("_initialize"::equals)) {
        instance.function("_initialize").apply();
      }
      int rc = (int) instance.function("bench_setup").apply()[0];
      if (rc != 0) {
        throw new IllegalStateException("bench_setup returned SQLite error " + rc);
      }
      return instance;
    } catch (RuntimeException e) {
      instance.close();
      throw e;
    }
  }

  /**
   * Fails unless {@code bench_query(n)} gave the native build's value, for the n of {@link
   * #EXPECTED_QUERY}; other n are not checked.
   */
  public static void check(int n, int actual) {
    Integer expected = EXPECTED_QUERY.get(n);
    if (expected != null && expected != actual) {
      throw new IllegalStateException("bench_query(" + n + ") returned " + actual + ", expected " + expected);
    }
  }

  /**
   * Trivial {@code wasi_snapshot_preview1} host functions: every function the module imports, and a
   * few more that similar wasi-libc builds import.
   */
  public static Imports wasiImports() {
    Map<String, HostFunction> functions = new LinkedHashMap<>();
    // Arguments and environment: none.
    add(functions, "args_get", fn(I32, I32), (caller, args) -> ok());
    add(functions, "args_sizes_get", fn(I32, I32), LargeModule::twoZeros);
    add(functions, "environ_get", fn(I32, I32), (caller, args) -> ok());
    add(functions, "environ_sizes_get", fn(I32, I32), LargeModule::twoZeros);
    // Clocks: always 0 ns, resolution 1 ns.
    add(functions, "clock_res_get", fn(I32, I32), (caller, args) -> {
      caller.memory().writeLong((int) args[1], 1L);
      return ok();
    });
    add(functions, "clock_time_get", fn(I32, I64, I32), (caller, args) -> {
      caller.memory().writeLong((int) args[2], 0L);
      return ok();
    });
    add(functions, "random_get", fn(I32, I32), (caller, args) -> {
      caller.memory().write((int) args[0], new byte[(int) args[1]]);
      return ok();
    });
    add(functions, "sched_yield", fn(), (caller, args) -> ok());
    add(functions, "poll_oneoff", fn(I32, I32, I32, I32), (caller, args) -> errno(ENOTSUP));
    // Writes to stdout and stderr are accepted and dropped; any other descriptor does not exist.
    add(functions, "fd_write", fn(I32, I32, I32, I32), LargeModule::fdWrite);
    // No files and no preopened directories: every descriptor is bad.
    add(functions, "fd_close", fn(I32), LargeModule::badf);
    add(functions, "fd_sync", fn(I32), LargeModule::badf);
    add(functions, "fd_datasync", fn(I32), LargeModule::badf);
    add(functions, "fd_fdstat_get", fn(I32, I32), LargeModule::badf);
    add(functions, "fd_fdstat_set_flags", fn(I32, I32), LargeModule::badf);
    add(functions, "fd_filestat_get", fn(I32, I32), LargeModule::badf);
    add(functions, "fd_filestat_set_size", fn(I32, I64), LargeModule::badf);
    add(functions, "fd_prestat_get", fn(I32, I32), LargeModule::badf);
    add(functions, "fd_prestat_dir_name", fn(I32, I32, I32), LargeModule::badf);
    add(functions, "fd_read", fn(I32, I32, I32, I32), LargeModule::badf);
    add(functions, "fd_pread", fn(I32, I32, I32, I64, I32), LargeModule::badf);
    add(functions, "fd_pwrite", fn(I32, I32, I32, I64, I32), LargeModule::badf);
    add(functions, "fd_seek", fn(I32, I64, I32, I32), LargeModule::badf);
    add(functions, "fd_readdir", fn(I32, I32, I32, I64, I32), LargeModule::badf);
    add(functions, "path_create_directory", fn(I32, I32, I32), LargeModule::badf);
    add(functions, "path_filestat_get", fn(I32, I32, I32, I32, I32), LargeModule::badf);
    add(functions, "path_filestat_set_times", fn(I32, I32, I32, I32, I64, I64, I32), LargeModule::badf);
    add(functions, "path_open", fn(I32, I32, I32, I32, I32, I64, I64, I32, I32), LargeModule::badf);
    add(functions, "path_readlink", fn(I32, I32, I32, I32, I32, I32), LargeModule::badf);
    add(functions, "path_remove_directory", fn(I32, I32, I32), LargeModule::badf);
    add(functions, "path_unlink_file", fn(I32, I32, I32), LargeModule::badf);
    add(functions, "path_rename", fn(I32, I32, I32, I32, I32, I32), LargeModule::badf);
    add(functions, "path_symlink", fn(I32, I32, I32, I32, I32), LargeModule::badf);
    add(
        functions,
        "proc_exit",
        FunctionType.accepting(I32),
        (caller, args) -> {
          throw new IllegalStateException("guest called proc_exit(" + (int) args[0] + ")");
        });
    Imports.Builder builder = Imports.builder();
    functions.values().forEach(builder::add);
    return builder.build();
  }

  private static FunctionType fn(dev.wasmhost.ValueType... params) {
    return FunctionType.accepting(params).returning(I32);
  }

  private static void add(Map<String, HostFunction> to, String name, FunctionType type, HostFunction.Body body) {
    to.put(name, HostFunction.of(WASI, name, type, body));
  }

  private static long[] ok() {
    return new long[] {ESUCCESS};
  }

  private static long[] errno(long errno) {
    return new long[] {errno};
  }

  private static long[] badf(Instance caller, long[] args) {
    return errno(EBADF);
  }

  /** {@code (i32 countOut, i32 sizeOut)}: writes 0 and 0. */
  private static long[] twoZeros(Instance caller, long[] args) {
    Memory memory = caller.memory();
    memory.writeInt((int) args[0], 0);
    memory.writeInt((int) args[1], 0);
    return ok();
  }

  /** {@code fd_write(fd, iovs, iovsLen, nwrittenOut)}: drops the bytes, reports them all written. */
  private static long[] fdWrite(Instance caller, long[] args) {
    int fd = (int) args[0];
    if (fd != 1 && fd != 2) {
      return errno(EBADF);
    }
    Memory memory = caller.memory();
    int iovs = (int) args[1];
    int count = (int) args[2];
    int written = 0;
    for (int i = 0; i < count; i++) {
      written += memory.readInt(iovs + 8 * i + 4);
    }
    memory.writeInt((int) args[3], written);
    return ok();
  }

  /**
   * Checks the module on both engines: loads it, runs {@code bench_setup}, then {@code
   * bench_query(n)} for the n of {@link #EXPECTED_QUERY}, against the native build's values, and
   * prints the times. Arguments: engine names (default both).
   */
  public static void main(String[] args) {
    String[] engines = args.length > 0 ? args : new String[] {"COMPILER", "INTERPRETER"};
    System.out.println("module " + path() + " (" + bytes().length + " bytes)");
    for (String name : engines) {
      Engine engine = Engine.valueOf(name);
      long start = System.nanoTime();
      WasmModule module = load(engine);
      long loaded = System.nanoTime();
      try (Instance instance = open(module)) {
        long ready = System.nanoTime();
        System.out.printf(
            "%s: load %d ms, instantiate + _initialize + bench_setup %d ms%n",
            engine, (loaded - start) / 1_000_000, (ready - loaded) / 1_000_000);
        WasmFunction version = instance.function("bench_sqlite_version");
        WasmFunction rows = instance.function("bench_rows");
        WasmFunction query = instance.function("bench_query");
        check("bench_sqlite_version", SQLITE_VERSION, (int) version.apply()[0]);
        check("bench_rows", ROWS, (int) rows.apply()[0]);
        for (int n : new int[] {100, 1000, 10_000}) {
          long t = System.nanoTime();
          int result = (int) query.apply(n)[0];
          System.out.printf(
              "%s: bench_query(%d) = %d in %.1f ms%n", engine, n, result, (System.nanoTime() - t) / 1e6);
          check(n, result);
        }
      }
    }
    System.out.println("OK: results match the native build");
  }

  private static void check(String what, int expected, int actual) {
    if (expected != actual) {
      throw new IllegalStateException(what + " returned " + actual + ", expected " + expected);
    }
  }
}
