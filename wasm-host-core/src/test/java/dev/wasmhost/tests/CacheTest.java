package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.FIB;
import static dev.wasmhost.tests.TestModules.IMPORTS;
import static dev.wasmhost.tests.TestModules.MEMORY;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static dev.wasmhost.tests.TestModules.TRAPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.wasmhost.CacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.InvalidModuleException;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The module cache: failures cache nothing, concurrent loads of equal bytes compile once, and the byte bound holds. */
class CacheTest {

  private static final int THREADS = 8;

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aFailedLoadCachesNothingAndFailsAgainTheSameWay(Engine engine) {
    Loader loader = TestModules.loader(engine);
    WasmModule numbers = loader.load(TestModules.bytes(NUMBERS));
    CacheStats before = loader.cacheStats();
    assertThat(before.moduleCount()).isEqualTo(1);

    byte[] bad = TestModules.bytes(NUMBERS);
    bad[bad.length - 1] ^= (byte) 0xFF; // breaks the end of the last function body
    bad = java.util.Arrays.copyOf(bad, bad.length - 3);
    byte[] badBytes = bad;
    Throwable first = catchThrowable(() -> loader.load(badBytes));
    assertThat(first).isExactlyInstanceOf(InvalidModuleException.class);

    CacheStats after = loader.cacheStats();
    assertThat(after.loadFailureCount()).isEqualTo(before.loadFailureCount() + 1);
    assertThat(after.moduleCount()).isEqualTo(before.moduleCount());
    assertThat(after.weightBytes()).isEqualTo(before.weightBytes());

    Throwable second = catchThrowable(() -> loader.load(badBytes.clone()));
    assertThat(second).isExactlyInstanceOf(InvalidModuleException.class).hasMessage(first.getMessage());
    CacheStats again = loader.cacheStats();
    assertThat(again.loadFailureCount()).isEqualTo(before.loadFailureCount() + 2);
    assertThat(again.missCount()).isEqualTo(before.missCount() + 2);
    assertThat(again.hitCount()).isEqualTo(before.hitCount());
    assertThat(again.moduleCount()).isEqualTo(1);

    // The invalid module the same way, through a URI.
    for (int i = 1; i <= 2; i++) {
      assertThat(catchThrowable(() -> loader.load(TestModules.classpathUri(TestModules.INVALID))))
          .isExactlyInstanceOf(InvalidModuleException.class)
          .hasMessageStartingWith("module classpath:/wasm/invalid.wasm is invalid: ");
      assertThat(loader.cacheStats().loadFailureCount()).isEqualTo(before.loadFailureCount() + 2 + i);
      assertThat(loader.cacheStats().moduleCount()).isEqualTo(1);
    }

    assertThat(loader.load(TestModules.bytes(NUMBERS))).isSameAs(numbers);
    assertThat(numbers.call("add", 1, 2)).isEqualTo(3);
  }

  /** Runs {@code task} on {@link #THREADS} threads released together; returns each thread's result or exception. */
  private static AtomicReferenceArray<Object> together(java.util.function.IntFunction<Object> task) throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(THREADS);
    AtomicReferenceArray<Object> results = new AtomicReferenceArray<>(THREADS);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  barrier.await(30, TimeUnit.SECONDS);
                  results.set(id, task.apply(id));
                } catch (Throwable e) {
                  results.set(id, e);
                }
              },
              "loader-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(60_000);
      assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
    }
    return results;
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void concurrentLoadsOfEqualBytesCompileOnce(Engine engine) throws Exception {
    for (String name : List.of(NUMBERS, FIB, MEMORY)) {
      Loader loader = TestModules.loader(engine);
      byte[][] copies = new byte[THREADS][];
      for (int t = 0; t < THREADS; t++) {
        copies[t] = TestModules.bytes(name);
      }
      AtomicReferenceArray<Object> results = together(t -> loader.load(copies[t]));
      Object first = results.get(0);
      assertThat(first).as(name).isInstanceOf(WasmModule.class);
      for (int t = 0; t < THREADS; t++) {
        assertThat(results.get(t)).as("%s, thread %d", name, t).isSameAs(first);
      }
      CacheStats stats = loader.cacheStats();
      assertThat(stats.missCount()).as(name).isEqualTo(1);
      assertThat(stats.hitCount()).as(name).isEqualTo(THREADS - 1);
      assertThat(stats.loadFailureCount()).as(name).isZero();
      assertThat(stats.moduleCount()).as(name).isEqualTo(1);
      assertThat(((WasmModule) first).engine()).isIn(TestModules.runningEngines(engine));
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void concurrentLoadsOfEqualInvalidBytesAllFail(Engine engine) throws Exception {
    Loader loader = TestModules.loader(engine);
    byte[][] copies = new byte[THREADS][];
    for (int t = 0; t < THREADS; t++) {
      copies[t] = TestModules.bytes(TestModules.INVALID);
    }
    AtomicReferenceArray<Object> results = together(t -> loader.load(copies[t]));
    String label = TestModules.shortDigest(copies[0]);
    for (int t = 0; t < THREADS; t++) {
      assertThat(results.get(t))
          .as("thread %d", t)
          .isExactlyInstanceOf(InvalidModuleException.class)
          .satisfies(e -> assertThat(((Throwable) e)).hasMessageStartingWith("module " + label + " is invalid: "));
    }
    CacheStats stats = loader.cacheStats();
    assertThat(stats.moduleCount()).isZero();
    assertThat(stats.weightBytes()).isZero();
    assertThat(stats.loadFailureCount()).isBetween(1L, (long) THREADS);
    assertThat(stats.hitCount() + stats.missCount()).isEqualTo(THREADS);
    assertThat(stats.missCount()).isEqualTo(stats.loadFailureCount());

    // Nothing was cached: a later load fails again, and valid modules still load.
    assertThat(catchThrowable(() -> loader.load(copies[0]))).isExactlyInstanceOf(InvalidModuleException.class);
    assertThat(loader.load(TestModules.bytes(NUMBERS)).call("add", 2, 2)).isEqualTo(4);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void concurrentLoadsOfDifferentModulesEachCompileOnce(Engine engine) throws Exception {
    Loader loader = TestModules.loader(engine);
    List<String> names = List.of(NUMBERS, FIB, MEMORY, TRAPS);
    AtomicReferenceArray<Object> results = together(t -> loader.load(TestModules.bytes(names.get(t % names.size()))));
    for (int t = 0; t < THREADS; t++) {
      assertThat(results.get(t)).isInstanceOf(WasmModule.class).isSameAs(results.get(t % names.size()));
    }
    CacheStats stats = loader.cacheStats();
    assertThat(stats.missCount()).isEqualTo(names.size());
    assertThat(stats.hitCount()).isEqualTo(THREADS - names.size());
    assertThat(stats.moduleCount()).isEqualTo(names.size());
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aSmallCacheEvictsAndStaysWithinItsBound(Engine engine) {
    byte[] numbers = TestModules.bytes(NUMBERS);
    byte[] memory = TestModules.bytes(MEMORY);
    byte[] fib = TestModules.bytes(FIB);
    long max = numbers.length + memory.length - 1;
    Loader loader = WasmLoader.builder().engine(engine).maxCacheBytes(max).build();

    WasmModule n = loader.load(numbers);
    WasmModule m = loader.load(memory);
    WasmModule f = loader.load(fib);
    CacheStats stats = loader.cacheStats();
    assertThat(stats.evictionCount()).isGreaterThan(0);
    assertThat(stats.weightBytes()).isLessThanOrEqualTo(max);
    assertThat(stats.maxWeightBytes()).isEqualTo(max);
    assertThat(stats.moduleCount()).isLessThan(3);

    // Evicted modules go on working, and loading them again works.
    assertThat(n.call("add", 1, 2)).isEqualTo(3);
    assertThat(m.call("inc")).isEqualTo(1);
    assertThat(f.call("fib", 10L)).isEqualTo(55L);
    for (int round = 0; round < 5; round++) {
      assertThat(loader.load(numbers).call("add", round, 1)).isEqualTo(round + 1);
      assertThat(loader.load(memory).call("size")).isEqualTo(1);
      assertThat(loader.load(fib).call("fib", 12L)).isEqualTo(144L);
      assertThat(loader.cacheStats().weightBytes()).isLessThanOrEqualTo(max);
    }
    assertThat(loader.cacheStats().evictionCount()).isGreaterThan(stats.evictionCount());
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aModuleLargerThanTheBoundIsLoadedButNotKept(Engine engine) {
    byte[] numbers = TestModules.bytes(NUMBERS);
    Loader loader = WasmLoader.builder().engine(engine).maxCacheBytes(numbers.length - 1).build();
    WasmModule module = loader.load(numbers);
    assertThat(module.call("add", 3, 4)).isEqualTo(7);
    CacheStats stats = loader.cacheStats();
    assertThat(stats.weightBytes()).isLessThanOrEqualTo(numbers.length - 1);
    assertThat(stats.moduleCount()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void zeroMaxCacheBytesStillLoadsAndCalls(Engine engine) {
    Loader loader = WasmLoader.builder().engine(engine).maxCacheBytes(0).build();
    assertThat(loader.config().maxCacheBytes()).isZero();
    for (int i = 0; i < 3; i++) {
      WasmModule numbers = loader.load(TestModules.bytes(NUMBERS));
      assertThat(numbers.call("add", i, 40)).isEqualTo(i + 40);
      assertThat(numbers.instantiate().call("swap", 1, 2L)).isEqualTo(new Object[] {2L, 1});
      assertThat(numbers.engine()).isIn(TestModules.runningEngines(engine));
      WasmModule fib = loader.load(TestModules.classpathUri(FIB));
      assertThat(fib.call("fib", 20L)).isEqualTo(6765L);
    }
    assertThat(loader.load(TestModules.bytes(IMPORTS)).imports()).hasSize(3);
    CacheStats stats = loader.cacheStats();
    assertThat(stats.moduleCount()).isZero();
    assertThat(stats.weightBytes()).isZero();
    assertThat(stats.maxWeightBytes()).isZero();
    assertThat(stats.missCount()).isEqualTo(7);
    assertThat(stats.hitCount()).isZero();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void singleFlightHoldsWithZeroCacheBytesToo(Engine engine) throws Exception {
    // With caching disabled, concurrent loads of equal bytes must still all succeed with a working module.
    Loader loader = WasmLoader.builder().engine(engine).maxCacheBytes(0).build();
    AtomicReferenceArray<Object> results = together(t -> loader.load(TestModules.bytes(FIB)).call("fib", 15L));
    for (int t = 0; t < THREADS; t++) {
      assertThat(results.get(t)).as("thread %d", t).isEqualTo(610L);
    }
  }
}
