package dev.wasmhost.bench.large;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.IntUnaryOperator;

/**
 * A plain loop over {@code bench_query(rows)} that prints, for each window of a few seconds, the
 * wall-clock and the calling thread's CPU time per call. It complements {@link
 * LargeModuleBenchmark} on a shared, loaded machine: CPU time per call does not count the time the
 * thread waits for a core, nor the JIT compiler threads' work, and the per-window lines show when
 * HotSpot's compilations (or bail-outs) change the speed. Run it under different JVM flags:
 *
 * <pre>
 * java -cp wasm-host-bench/target/benchmarks.jar [-XX:-DontCompileHugeMethods] \
 *     dev.wasmhost.bench.large.LargeModuleProbe [seconds=60] [rows=1000] [engine=COMPILER] [window=5]
 * </pre>
 *
 * <p>{@code engine} is {@code COMPILER} or {@code INTERPRETER} (through wasm-host), or {@code
 * raw:MAX_FUNCTIONS_PER_CLASS[:INTERPRETED]} for Chicory's API directly, as in {@link
 * LargeModuleBenchmark#rawCompiler} (e.g. {@code raw:0}, {@code raw:64}, {@code raw:0:104}).
 */
public final class LargeModuleProbe {

  private LargeModuleProbe() {}

  public static void main(String[] args) {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    String engineName = args.length > 2 ? args[2] : "COMPILER";
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    IntUnaryOperator query;
    Instance instance = null;
    if (engineName.startsWith("raw:")) {
      String[] parts = engineName.split(":");
      LargeModuleBenchmark.RawState raw = new LargeModuleBenchmark.RawState();
      raw.rows = rows;
      raw.maxFunctionsPerClass = Integer.parseInt(parts[1]);
      raw.interpreted = parts.length > 2 ? parts[2] : "none";
      raw.setUp();
      query = n -> (int) raw.query.apply(n)[0];
    } else {
      WasmModule module = LargeModule.load(Engine.valueOf(engineName));
      instance = LargeModule.open(module);
      WasmFunction function = instance.function("bench_query");
      query = n -> (int) function.apply(n)[0];
    }
    try {
      LargeModule.check(rows, query.applyAsInt(rows));
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      double bestCpu = Double.MAX_VALUE;
      double lastCpu = 0;
      double lastWall = 0;
      System.out.printf("# %s rows=%d flags=%s%n", engineName, rows,
          ManagementFactory.getRuntimeMXBean().getInputArguments());
      while (System.nanoTime() < end) {
        long wall0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        int ops = 0;
        while (System.nanoTime() - wall0 < window * 1_000_000_000L) {
          LargeModule.check(rows, query.applyAsInt(rows));
          ops++;
        }
        lastWall = (System.nanoTime() - wall0) / 1e6 / ops;
        lastCpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6 / ops;
        bestCpu = Math.min(bestCpu, lastCpu);
        System.out.printf("t=%3ds ops=%4d wall %8.2f ms/op cpu %8.2f ms/op%n",
            (int) ((System.nanoTime() - end) / 1_000_000_000L + seconds), ops, lastWall, lastCpu);
      }
      System.out.printf("# last window: wall %.2f ms/op, cpu %.2f ms/op; best cpu %.2f ms/op%n", lastWall, lastCpu,
          bestCpu);
    } finally {
      if (instance != null) {
        instance.close();
      }
    }
  }
}
