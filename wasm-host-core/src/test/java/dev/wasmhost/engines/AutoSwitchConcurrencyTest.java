package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.COMPILED_ONLY_DEPTH;
import static dev.wasmhost.engines.TestSupport.ONE_MIB;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AUTO switching from the interpreter to compiled code while four threads call the module without
 * pause, from the moment it is loaded until well after the switch: two through {@link
 * WasmModule#call} (each on its thread's own instance), two through typed handles on instances they
 * created before compilation finished.
 */
class AutoSwitchConcurrencyTest {
  private static final int THREADS = 4;

  /** What one caller thread did. */
  private static final class Caller {
    final AtomicLong issued = new AtomicLong();
    final AtomicLong verified = new AtomicLong();
    final AtomicLong beforeSwitch = new AtomicLong();
    final AtomicLong afterSwitch = new AtomicLong();
    volatile int lastCounter;
  }

  @Test
  @Timeout(90)
  void fourThreadsCallingThroughTheSwitchAllGetRightResults() throws Exception {
    AtomicReference<WasmModule> loaded = new AtomicReference<>();
    CountDownLatch go = new CountDownLatch(1);
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    List<Caller> callers = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();

    for (int t = 0; t < THREADS; t++) {
      Caller caller = new Caller();
      callers.add(caller);
      boolean typed = t >= 2;
      int id = t;
      Runnable work =
          () -> {
            try {
              go.await();
              WasmModule module = loaded.get();
              if (typed) {
                runTyped(module, caller, stop);
              } else {
                runModuleCall(module, caller, stop, id);
              }
            } catch (Throwable e) {
              failures.add(e);
            }
          };
      Thread thread = new Thread(null, work, "auto-switch-caller-" + t, ONE_MIB);
      thread.start();
      threads.add(thread);
    }

    WasmModule module = WasmLoader.builder().build().load(GeneratedModules.switching(1_000, 21));
    loaded.set(module);
    go.countDown();
    long loadedAt = System.nanoTime();
    assertThat(module.awaitCompiled(Duration.ofSeconds(60))).isTrue();
    long compiledAfterMs = (System.nanoTime() - loadedAt) / 1_000_000;
    Thread.sleep(750); // keep calling well after the switch
    stop.set(true);
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
    }

    assertThat(failures).as("exceptions in caller threads").isEmpty();
    long total = 0;
    for (int t = 0; t < THREADS; t++) {
      Caller caller = callers.get(t);
      System.out.printf(
          "caller %d: %d calls, %d on the interpreter, %d compiled (compiled %d ms after load)%n",
          t, caller.issued.get(), caller.beforeSwitch.get(), caller.afterSwitch.get(), compiledAfterMs);
      assertThat(caller.verified.get()).as("caller %d: every call answered and right", t)
          .isEqualTo(caller.issued.get());
      assertThat(caller.beforeSwitch.get()).as("caller %d: calls made before the switch", t).isPositive();
      assertThat(caller.afterSwitch.get()).as("caller %d: calls made after the switch", t).isPositive();
      total += caller.issued.get();
    }
    assertThat(total).isGreaterThan(4 * 2);
  }

  /** Calls through {@link WasmModule#call}: this thread's own instance, created by its first call. */
  private static void runModuleCall(WasmModule module, Caller caller, AtomicBoolean stop, int id) {
    int counter = 0;
    for (int i = 0; !stop.get(); i++) {
      boolean compiled = module.engine() == Engine.COMPILER;
      int n = (i + id) % 21;
      caller.issued.incrementAndGet();
      Object fib = module.call("fib", (long) n);
      Object inc = module.call("inc");
      counter++;
      assertThat(fib).as("fib(%d)", n).isEqualTo(GeneratedModules.fib(n));
      assertThat(inc).as("the thread's counter").isEqualTo(counter);
      caller.verified.incrementAndGet();
      (compiled ? caller.afterSwitch : caller.beforeSwitch).incrementAndGet();
    }
    // The thread's instance was created before the switch; it now runs compiled code.
    assertThat(module.call("down", COMPILED_ONLY_DEPTH)).isEqualTo(COMPILED_ONLY_DEPTH);
    assertThat(module.call("inc")).isEqualTo(counter + 1);
    caller.lastCounter = counter + 1;
  }

  /** Calls through typed handles on an instance this thread created right after the load. */
  private static void runTyped(WasmModule module, Caller caller, AtomicBoolean stop) {
    try (Instance instance = module.instantiate()) {
      LongUnaryOperator fib = instance.function("fib", LongUnaryOperator.class);
      IntSupplier inc = instance.function("inc", IntSupplier.class);
      IntUnaryOperator down = instance.function("down", IntUnaryOperator.class);
      int counter = 0;
      for (int i = 0; !stop.get(); i++) {
        boolean compiled = module.engine() == Engine.COMPILER;
        int n = i % 21;
        caller.issued.incrementAndGet();
        long result = fib.applyAsLong(n);
        int count = inc.getAsInt();
        counter++;
        assertThat(result).as("fib(%d)", n).isEqualTo(GeneratedModules.fib(n));
        assertThat(count).as("the instance's counter").isEqualTo(counter);
        assertThat(down.applyAsInt(i % 50)).isEqualTo(i % 50);
        caller.verified.incrementAndGet();
        (compiled ? caller.afterSwitch : caller.beforeSwitch).incrementAndGet();
      }
      assertThat(down.applyAsInt(COMPILED_ONLY_DEPTH)).isEqualTo(COMPILED_ONLY_DEPTH);
      assertThat(inc.getAsInt()).isEqualTo(counter + 1);
      caller.lastCounter = counter + 1;
    }
  }
}
