package dev.wasmhost.engines;

import dev.wasmhost.DiskCacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import java.nio.file.Path;

/**
 * A child JVM of {@link DiskCacheTwoProcessesTest}: builds a COMPILER loader on the shared cache
 * directory, warms up the compiler on another module (without the cache, so that the race is not
 * decided by class loading), waits for the agreed instant, then loads the module, calls fib(20) and
 * prints the result and its disk cache statistics.
 *
 * <p>Arguments: cache directory, module file, start instant in epoch milliseconds, warm-up module.
 */
public final class DiskCacheRaceChild {
  private DiskCacheRaceChild() {}

  public static void main(String[] args) throws Exception {
    Path cache = Path.of(args[0]);
    Path module = Path.of(args[1]);
    long startAt = Long.parseLong(args[2]);
    Path warmUp = Path.of(args[3]);

    Loader loader = WasmLoader.builder().engine(Engine.COMPILER).diskCache(cache).build();
    WasmLoader.builder().engine(Engine.COMPILER).build().load(warmUp).call("inc");

    long wait = startAt - System.currentTimeMillis();
    System.out.println("WAIT " + wait);
    if (wait > 0) {
      Thread.sleep(wait);
    }
    long start = System.currentTimeMillis();
    Object result = loader.load(module).call("fib", 20);
    long end = System.currentTimeMillis();
    DiskCacheStats stats = loader.diskCacheStats().orElseThrow();
    System.out.println("LOADED " + start + " " + end);
    System.out.println("STATS " + stats.hitCount() + " " + stats.missCount() + " " + stats.writeCount() + " "
        + stats.corruptCount());
    System.out.println("RESULT " + result);
  }
}
