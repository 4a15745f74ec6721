package dev.wasmhost.limits;

import static dev.wasmhost.limits.Fixtures.builder;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.CacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Leaks: 10,000 cycles of load, instantiate, call and close on one loader whose cache is too small
 * for both modules it alternates between, so that loads both hit and miss and evicted modules must
 * be collectable. The live threads stay those of before (plus wasm-host's own daemon threads: the
 * watchdog, compilers, deep-stack callers), and the heap after a GC does not grow between cycle 1,000
 * and cycle 10,000.
 */
class LoaderLeakTest {
  private static final int CYCLES = 10_000;
  private static final int WARM_CYCLES = 1_000;
  private static final long MAX_HEAP_GROWTH = 32L << 20;

  private final byte[] fib = Fixtures.bytes("fib");
  private final byte[] memory = Fixtures.bytes("memory"); // one 64 KiB page per instance: leaked instances show

  interface Cycle {
    void run(Loader loader, byte[] bytes, int i);
  }

  /** Room for the larger of the two modules only: each switch evicts the other. */
  private long oneModuleCache() {
    return Math.max(fib.length, memory.length) + 16;
  }

  private void assertNoLeak(Loader loader, Cycle cycle) {
    assertNoLeak(loader, cycle, loader);
  }

  /** Runs the cycles on {@code loader}; {@code evicting} is the loader whose cache must have both hit and evicted. */
  private void assertNoLeak(Loader loader, Cycle cycle, Loader evicting) {
    Set<Thread> threadsBefore = liveThreads();
    int activeBefore = Thread.activeCount();
    long heapAtWarm = 0;
    for (int i = 0; i < CYCLES; i++) {
      // two loads of one module, then two of the other: the second of each pair can hit the cache
      byte[] bytes = (i / 2) % 2 == 0 ? fib : memory;
      cycle.run(loader, bytes, i);
      if (i + 1 == WARM_CYCLES) {
        heapAtWarm = HostileModulePropertyTest.usedHeapAfterGc();
      }
    }
    long heapAtEnd = HostileModulePropertyTest.usedHeapAfterGc();
    assertThat(heapAtEnd - heapAtWarm)
        .as("heap growth from cycle %d to %d (%d MiB to %d MiB)", WARM_CYCLES, CYCLES, heapAtWarm >> 20, heapAtEnd >> 20)
        .isLessThan(MAX_HEAP_GROWTH);

    CacheStats stats = evicting.cacheStats();
    assertThat(stats.hitCount()).as("%s", stats).isPositive();
    assertThat(stats.evictionCount()).as("%s", stats).isPositive();
    assertThat(stats.moduleCount()).isLessThanOrEqualTo(2);

    Set<Thread> newThreads = liveThreads();
    newThreads.removeAll(threadsBefore);
    Set<String> unexpected =
        newThreads.stream().map(Thread::getName).filter(name -> !name.startsWith("wasm-host-")).collect(Collectors.toSet());
    assertThat(unexpected).as("threads started during the cycles").isEmpty();
    long ours = newThreads.stream().filter(t -> t.getName().startsWith("wasm-host-")).count();
    assertThat(ours).as("wasm-host threads started: %s", newThreads).isLessThanOrEqualTo(1 + Runtime.getRuntime().availableProcessors());
    assertThat(Thread.activeCount()).isLessThanOrEqualTo(activeBefore + (int) ours);
  }

  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
  }

  private static void instantiateCallClose(WasmModule module, int i) {
    try (Instance instance = module.instantiate()) {
      if (module.exports().stream().anyMatch(e -> e.name().equals("fib"))) {
        assertThat(instance.call("fib", 10L)).isEqualTo(55L);
      } else {
        assertThat(instance.call("grow", 1)).isEqualTo(1);
        instance.call("store", 65536, i);
        assertThat(instance.call("load", 65536)).isEqualTo(i);
      }
    }
  }

  @Test
  void loadInstantiateCallCloseWithTheInterpreter() {
    Loader loader =
        builder(Engine.INTERPRETER).maxCacheBytes(oneModuleCache()).callTimeout(Duration.ofSeconds(10)).build();
    assertNoLeak(loader, (l, bytes, i) -> instantiateCallClose(l.load(bytes), i));
  }

  /** With the compiler every miss compiles, so the cache holds both modules and most loads hit; instances still come and go. */
  @Test
  void loadInstantiateCallCloseWithTheCompiler() {
    Loader loader = builder(Engine.COMPILER).maxCacheBytes(fib.length + memory.length + 16).build();
    Loader evicting = builder(Engine.COMPILER).maxCacheBytes(oneModuleCache()).build();
    assertNoLeak(
        loader,
        (l, bytes, i) -> {
          instantiateCallClose(l.load(bytes), i);
          if (i % 500 < 4) { // fib twice, then memory twice
            instantiateCallClose(evicting.load(bytes), i); // now and then, compiles of evicted modules
          }
        },
        evicting);
  }

  /**
   * {@link WasmModule#call} keeps an instance per thread and module. Once a module is evicted and
   * unreachable, that instance must be collectable too, or a long-lived thread calling modules that
   * come and go keeps every instance it ever used (here one 64 KiB memory per reload).
   */
  @Test
  void moduleCallOnModulesThatAreEvictedDoesNotKeepTheirInstances() {
    Loader loader = builder(Engine.INTERPRETER).maxCacheBytes(oneModuleCache()).build();
    assertNoLeak(
        loader,
        (l, bytes, i) -> {
          WasmModule module = l.load(bytes);
          if (bytes == fib) {
            assertThat(module.call("fib", 10L)).isEqualTo(55L);
          } else {
            assertThat(module.call("size")).isEqualTo(1);
          }
        });
  }
}
