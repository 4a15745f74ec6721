package dev.wasmhost.engines;

import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.nio.file.Path;

/**
 * A child JVM of {@link CompilerThreadsTest}: starts background compilations (AUTO) and deep-stack
 * calls, prints the loader threads it sees, and returns from main without System.exit. The JVM must
 * then exit on its own, while the loader's idle threads (kept 30 s) are still alive.
 *
 * <p>Arguments: the directory of the test modules.
 */
public final class BackgroundThreadsChild {
  private BackgroundThreadsChild() {}

  public static void main(String[] args) {
    Path wasm = Path.of(args[0]);
    Loader loader = WasmLoader.builder().callStackSize(8L << 20).build();
    for (String name : new String[] {"fib", "numbers", "memory", "traps", "depth"}) {
      loader.load(wasm.resolve(name + ".wasm"));
    }
    WasmModule fib = loader.load(wasm.resolve("fib.wasm"));
    System.out.println("RESULT " + fib.call("fib", 20));
    // One more, left compiling in the background when main returns.
    loader.load(GeneratedModules.switching(2_000, 99));
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().startsWith("wasm-host-")) {
        System.out.println("THREAD " + thread.getName() + " daemon=" + thread.isDaemon());
      }
    }
    System.out.println("MAIN RETURNS " + System.currentTimeMillis());
  }
}
