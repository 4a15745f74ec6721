package dev.wasmhost.bench.large;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

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
 */
public final class LargeModuleProbe {

  private LargeModuleProbe() {}

  public static void main(String[] args) {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 60;
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    Engine engine = args.length > 2 ? Engine.valueOf(args[2]) : Engine.COMPILER;
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 5;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    WasmModule module = LargeModule.load(engine);
    try (Instance instance = LargeModule.open(module)) {
      WasmFunction query = instance.function("bench_query");
      LargeModule.check(rows, (int) query.apply(rows)[0]);
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      double bestCpu = Double.MAX_VALUE;
      double lastCpu = 0;
      double lastWall = 0;
      System.out.printf("# %s rows=%d flags=%s%n", engine, rows,
          ManagementFactory.getRuntimeMXBean().getInputArguments());
      while (System.nanoTime() < end) {
        long wall0 = System.nanoTime();
        long cpu0 = threads.getCurrentThreadCpuTime();
        int ops = 0;
        while (System.nanoTime() - wall0 < window * 1_000_000_000L) {
          LargeModule.check(rows, (int) query.apply(rows)[0]);
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
    }
  }
}
