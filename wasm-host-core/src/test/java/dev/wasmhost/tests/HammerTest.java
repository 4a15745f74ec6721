package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.FIB;
import static dev.wasmhost.tests.TestModules.MEMORY;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static dev.wasmhost.tests.TestModules.TRAPS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many threads on one module at once. Each thread checks every result it gets and records any
 * difference or exception; the test fails if anything was recorded.
 */
class HammerTest {

  private static final int THREADS = 8;
  private static final int CALLS = 10_000;

  @FunctionalInterface
  private interface Work {
    void run(int thread) throws Exception;
  }

  /** Runs {@code work} on {@link #THREADS} threads released together by a barrier, and returns what failed. */
  private static Queue<String> hammer(Work work) throws Exception {
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await(30, TimeUnit.SECONDS);
                  work.run(id);
                } catch (Throwable e) {
                  failures.add("thread " + id + ": " + e);
                }
              },
              "hammer-" + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(60));
      if (thread.isAlive()) {
        failures.add(thread.getName() + " did not finish within 60 s");
        thread.interrupt();
      }
    }
    return failures;
  }

  private static void check(Queue<String> failures, boolean ok, String what) {
    if (!ok && failures.size() < 100) {
      failures.add(what);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void moduleCallFromManyThreads(Engine engine) throws Exception {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(NUMBERS));
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    failures.addAll(
        hammer(
            t -> {
              for (int i = 0; i < CALLS; i++) {
                int a = t * 1_000_003 + i;
                int b = i * 7919 - t;
                Object result = module.call("add", a, b);
                check(failures, Integer.valueOf(a + b).equals(result), "thread " + t + ": add(" + a + ", " + b + ") = " + result);
              }
            }));
    assertThat(failures).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void typedHandlesOnPerThreadInstances(Engine engine) throws Exception {
    WasmModule numbers = TestModules.loader(engine).load(TestModules.classpathUri(NUMBERS));
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    failures.addAll(
        hammer(
            t -> {
              try (Instance instance = numbers.instantiate()) {
                IntBinaryOperator add = instance.function("add", IntBinaryOperator.class);
                LongUnaryOperator neg64 = instance.function("neg64", LongUnaryOperator.class);
                for (int i = 0; i < CALLS; i++) {
                  int a = i ^ (t << 20);
                  int b = -i * 31 + t;
                  int sum = add.applyAsInt(a, b);
                  check(failures, sum == a + b, "thread " + t + ": add(" + a + ", " + b + ") = " + sum);
                  long x = ((long) t << 40) + i;
                  long negated = neg64.applyAsLong(x);
                  check(failures, negated == -x, "thread " + t + ": neg64(" + x + ") = " + negated);
                }
              }
            }));
    assertThat(failures).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void perThreadStateStaysPerThread(Engine engine) throws Exception {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(MEMORY));
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    failures.addAll(
        hammer(
            t -> {
              // Each thread's instance counts its own calls and keeps its own memory.
              for (int i = 1; i <= CALLS / 2; i++) {
                Object count = module.call("inc");
                check(failures, Integer.valueOf(i).equals(count), "thread " + t + ": inc #" + i + " = " + count);
                module.call("store", 64, t * CALLS + i);
                Object stored = module.call("load", 64);
                check(failures, Integer.valueOf(t * CALLS + i).equals(stored), "thread " + t + ": load = " + stored);
              }
              // And a separate instance per thread through typed handles.
              try (Instance own = module.instantiate()) {
                IntSupplier inc = own.function("inc", IntSupplier.class);
                for (int i = 1; i <= CALLS / 2; i++) {
                  int count = inc.getAsInt();
                  check(failures, count == i, "thread " + t + ": own inc #" + i + " = " + count);
                }
              }
            }));
    assertThat(failures).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void trapsOnSomeThreadsDoNotDisturbOthers(Engine engine) throws Exception {
    WasmModule traps = TestModules.loader(engine).load(TestModules.classpathUri(TRAPS));
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    failures.addAll(
        hammer(
            t -> {
              for (int i = 0; i < 500; i++) {
                if ((i + t) % 5 == 0) {
                  try {
                    traps.call("div_by_zero", i);
                    check(failures, false, "thread " + t + ": div_by_zero did not trap");
                  } catch (TrapException e) {
                    check(failures, e.getMessage().contains("integer divide by zero"), "thread " + t + ": " + e);
                  }
                } else {
                  Object ok = traps.call("ok");
                  check(failures, Integer.valueOf(7).equals(ok), "thread " + t + ": ok = " + ok);
                }
              }
            }));
    assertThat(failures).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void loadingAndCallingWhileTheCacheEvicts(Engine engine) throws Exception {
    List<byte[]> modules = List.of(TestModules.bytes(NUMBERS), TestModules.bytes(FIB), TestModules.bytes(MEMORY));
    // Room for about one module: loads keep evicting each other.
    Loader loader = WasmLoader.builder().engine(engine).maxCacheBytes(450).build();
    int rounds = engine == Engine.COMPILER ? 60 : 300;
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    failures.addAll(
        hammer(
            t -> {
              for (int i = 0; i < rounds; i++) {
                int which = (i + t) % 3;
                WasmModule module = loader.load(modules.get(which).clone());
                Object result;
                Object expected;
                switch (which) {
                  case 0:
                    result = module.call("add", i, t);
                    expected = i + t;
                    break;
                  case 1:
                    result = module.call("fib", 10L);
                    expected = 55L;
                    break;
                  default:
                    result = module.call("size");
                    expected = 1;
                    break;
                }
                check(failures, expected.equals(result), "thread " + t + ": module " + which + " gave " + result);
              }
            }));
    assertThat(failures).isEmpty();
    assertThat(loader.cacheStats().weightBytes()).isLessThanOrEqualTo(450);
    assertThat(loader.cacheStats().evictionCount()).isGreaterThan(0);
  }
}
