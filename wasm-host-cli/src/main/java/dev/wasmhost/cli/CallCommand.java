package dev.wasmhost.cli;

import dev.wasmhost.Engine;
import dev.wasmhost.InMemoryMetrics;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code wasm-host call [--engine interpreter|compiler] FILE FUNCTION [ARGS...]}: loads a module,
 * calls one of its exported functions and prints the result.
 *
 * <pre>
 * $ wasm-host call fib.wasm fib 20
 * 6765
 * $ wasm-host call numbers.wasm swap 1 2          # (i32, i64) -&gt; (i64, i32)
 * 2
 * 1
 * $ wasm-host call numbers.wasm id_f64 nan
 * NaN
 * $ wasm-host call numbers.wasm noop              # no result, no output
 * </pre>
 *
 * <p><b>Options go before {@code FILE}.</b> Everything after {@code FILE} is taken as a parameter, so
 * {@code call m.wasm f -inf} passes {@code -inf} to {@code f}, and {@code call m.wasm f --verbose}
 * passes the text {@code --verbose} as an argument.
 *
 * <p><b>Arguments.</b> Each {@code ARG} is read according to the type of the parameter it fills:
 * {@code i32} and {@code i64} as decimal integers ({@link Integer#parseInt}, {@link Long#parseLong}),
 * {@code f32} and {@code f64} as Java floating-point literals ({@link Float#parseFloat}, {@link
 * Double#parseDouble}) or one of {@code nan}, {@code inf}, {@code +inf}, {@code -inf} (in any case).
 * A text that does not parse is an invalid call (exit code 6) naming the parameter index
 * (from 0), the expected type and the text. A wrong number of arguments or a missing export is
 * reported with the library's own message, also with exit code 6.
 *
 * <p><b>Results.</b> One value per line on standard output: nothing for a function without results,
 * one line per value for several. Integers print in decimal, floats with {@link Float#toString} and
 * {@link Double#toString} (so {@code NaN}, {@code Infinity}, {@code 1.0E10}).
 *
 * <p><b>Imports.</b> The CLI offers no host functions: calling a module that imports any fails to
 * link (exit code 5).
 *
 * <p><b>Engine.</b> {@code --engine compiler} (the default) translates the module to JVM bytecode
 * before running it; {@code --engine interpreter} starts at once but runs guest code much slower;
 * {@code --engine auto} starts in the interpreter and switches once compiled in the background.
 * {@code --disk-cache DIR} keeps compiled code in DIR, so the next run skips compilation.
 */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    description = "Calls an exported function and prints its results, one per line.")
public final class CallCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      defaultValue = "compiler",
      converter = EngineConverter.class,
      completionCandidates = EngineNames.class,
      description = "How guest code runs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private Engine engine;

  @Option(
      names = "--stats",
      description = "After the call, print what was measured (loads, compilation, calls) on standard error.")
  private boolean stats;

  @Option(
      names = "--disk-cache",
      paramLabel = "DIR",
      description = "Keep compiled code in DIR across runs.")
  private java.nio.file.Path diskCache;

  @Parameters(index = "0", paramLabel = "FILE", description = "The module: a file path or a URI.")
  private String file;

  @Parameters(index = "1", paramLabel = "FUNCTION", description = "The name of the exported function.")
  private String function;

  @Parameters(
      index = "2..*",
      paramLabel = "ARGS",
      description = "The arguments, one per parameter: integers for i32/i64; numbers, nan, inf or -inf for f32/f64.")
  private List<String> args = new ArrayList<>();

  /** Creates the command; picocli fills in its options and parameters. */
  public CallCommand() {}

  /**
   * Loads the module, calls the function and prints the results.
   *
   * @return exit code 0; failures are thrown and mapped to exit codes by the top-level command
   */
  @Override
  public Integer call() {
    Loader.Builder builder = WasmLoader.builder().engine(engine);
    if (diskCache != null) {
      builder.diskCache(diskCache);
    }
    InMemoryMetrics metrics = stats ? new InMemoryMetrics() : null;
    if (metrics != null) {
      builder.metrics(metrics);
    }
    Loader loader = builder.build();
    Object result;
    try {
      WasmModule module = ModuleFile.load(loader, file);
      result = module.call(function, CallArguments.convert(module, function, args));
    } finally {
      if (metrics != null) {
        printStats(metrics.snapshot(), loader, spec.commandLine().getErr());
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (result instanceof Object[]) {
      for (Object value : (Object[]) result) {
        out.println(value);
      }
    } else if (result != null) {
      out.println(result);
    }
    out.flush();
    return 0;
  }

  /** Reads {@code interpreter} or {@code compiler}, in any case. */
  /** What {@code --stats} prints: one fact per line, on standard error so results stay clean. */
  static void printStats(InMemoryMetrics.Snapshot stats, Loader loader, PrintWriter err) {
    err.println("stats: loads " + stats.loads() + " (cache hits " + stats.cacheHits() + ", misses "
        + stats.cacheMisses() + ")");
    err.println("stats: compilations " + stats.compilations() + " (" + stats.compileNanos() / 1_000_000 + " ms)");
    loader.diskCacheStats().ifPresent(disk -> err.println("stats: disk cache hits " + disk.hitCount()
        + ", misses " + disk.missCount() + ", writes " + disk.writeCount() + ", corrupt " + disk.corruptCount()));
    err.println("stats: instantiations " + stats.instantiations());
    stats.functions().forEach((name, function) -> err.println("stats: call " + name.substring(name.lastIndexOf(' ') + 1)
        + ": " + function.calls() + " ok, " + function.traps() + " trapped, " + function.timeouts() + " timed out, "
        + "latency p50 " + micros(function.p50Nanos()) + ", max " + micros(function.maxNanos())));
    err.flush();
  }

  private static String micros(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f µs", nanos / 1000.0);
  }

  static final class EngineConverter implements ITypeConverter<Engine> {
    @Override
    public Engine convert(String value) {
      for (Engine candidate : Engine.values()) {
        if (candidate.name().equalsIgnoreCase(value)) {
          return candidate;
        }
      }
      throw new TypeConversionException(
          "expected one of " + String.join(", ", new EngineNames()) + " but got '" + value + "'");
    }
  }

  /** The engine names as written on the command line. */
  static final class EngineNames implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> names = new ArrayList<>();
      for (Engine engine : Engine.values()) {
        names.add(engine.name().toLowerCase(Locale.ROOT));
      }
      return names.iterator();
    }
  }
}
