package dev.wasmhost.limits;

import static dev.wasmhost.limits.DeadlineAssertions.assertStopped;
import static dev.wasmhost.limits.DeadlineAssertions.assertStoppedAtDeadline;
import static dev.wasmhost.limits.Fixtures.builder;
import static dev.wasmhost.limits.Fixtures.loadReady;
import static dev.wasmhost.limits.Fixtures.timed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.wasmhost.CallTimeoutException;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.Loader;
import dev.wasmhost.PoolStats;
import dev.wasmhost.Registry;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.WasmException;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Call deadlines in each engine: endless guests are stopped soon after their deadline, with a
 * {@link CallTimeoutException} that names module, function and deadline; the caller's interrupt
 * status is neither consumed nor invented; stopped instances are not reused; and the deadline of a
 * call, a pool and a subsystem each take precedence over the loader's.
 *
 * <p>Each timed call is measured after a warm-up call of the same function and after the thread's
 * instance exists, so class loading, the watchdog's start and instantiation are not counted. For
 * {@link Engine#AUTO} the module is compiled first; {@link AutoCompileDeadlineTest} covers calls
 * that start while it compiles.
 */
class CallDeadlineTest {
  private static final long DEADLINE = 150;

  @AfterEach
  void noStrayInterrupt() {
    assertThat(Thread.interrupted()).as("interrupt status left set by the test").isFalse();
  }

  private static Loader loader(Engine engine, long deadlineMillis) {
    return builder(engine).callTimeout(Duration.ofMillis(deadlineMillis)).build();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void endlessLoopIsStoppedAtTheDeadline(Engine engine) throws Throwable {
    WasmModule module = loadReady(loader(engine, DEADLINE), "traps");
    assertThat(timed(() -> module.call("spin")).thrown()).isInstanceOf(CallTimeoutException.class); // warm-up
    for (int i = 0; i < 3; i++) {
      assertStoppedAtDeadline(
          () -> assertThat(module.call("ok")).isEqualTo(7), // the thread's fresh instance, made untimed
          () -> module.call("spin"),
          DEADLINE,
          "traps.wasm",
          "spin");
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void endlessCallsThatNeverExhaustTheStackAreStoppedAtTheDeadline(Engine engine) throws Throwable {
    WasmModule module = loadReady(loader(engine, DEADLINE), "spin_recursive");
    for (String function : new String[] {"spin_recursive", "calls_forever"}) {
      assertThat(timed(() -> module.call(function)).thrown()).isInstanceOf(CallTimeoutException.class); // warm-up
      for (int i = 0; i < 2; i++) {
        assertStoppedAtDeadline(
            () -> assertThat(module.call("ok")).isEqualTo(7),
            () -> module.call(function),
            DEADLINE,
            "spin_recursive.wasm",
            function);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void endlessLoopOnAnInstanceAndThroughHandlesIsStopped(Engine engine) throws Throwable {
    WasmModule module = loadReady(loader(engine, DEADLINE), "traps");
    try (Instance warm = module.instantiate()) {
      assertThat(timed(() -> warm.call("spin")).thrown()).isInstanceOf(CallTimeoutException.class);
    }
    Instance[] instance = new Instance[1];
    try {
      assertStoppedAtDeadline(
          () -> instance[0] = fresh(module, instance[0]), () -> instance[0].call("spin"), DEADLINE, "traps.wasm", "spin");
      assertStoppedAtDeadline(
          () -> instance[0] = fresh(module, instance[0]),
          () -> {
            instance[0].function("spin", Runnable.class).run();
            return null;
          },
          DEADLINE,
          "traps.wasm",
          "spin");
      assertStoppedAtDeadline(
          () -> instance[0] = fresh(module, instance[0]),
          () -> instance[0].function("spin").apply(),
          DEADLINE,
          "traps.wasm",
          "spin");
    } finally {
      instance[0].close();
    }
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aCallerInterruptedBeforeTheCallStillRunsToTheDeadlineAndKeepsItsInterrupt(Engine engine) throws Throwable {
    WasmModule module = loadReady(loader(engine, DEADLINE), "traps");
    assertThat(timed(() -> module.call("spin")).thrown()).isInstanceOf(CallTimeoutException.class); // warm-up

    boolean[] interruptedAfter = new boolean[1];
    assertStoppedAtDeadline(
        () -> assertThat(module.call("ok")).isEqualTo(7),
        () -> {
          Thread.currentThread().interrupt();
          try {
            return module.call("spin");
          } finally {
            interruptedAfter[0] = Thread.interrupted();
          }
        },
        DEADLINE,
        "traps.wasm",
        "spin");
    assertThat(interruptedAfter[0]).as("the caller's own interrupt is restored").isTrue();

    // A call that finishes in time also keeps the caller's interrupt, and is not stopped by it.
    for (int i = 0; i < 100; i++) {
      Thread.currentThread().interrupt();
      Object ok = module.call("ok");
      boolean stillInterrupted = Thread.interrupted();
      assertThat(ok).isEqualTo(7);
      assertThat(stillInterrupted).isTrue();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void callsThatFinishInTimeLeaveNoStrayInterrupt(Engine engine) {
    WasmModule fib = loadReady(builder(engine).build(), "fib");
    fib.callWithTimeout(Duration.ofSeconds(10), "fib", 11L); // warm-up
    for (int i = 0; i < 1_000; i++) {
      long n = i % 12;
      int call = i;
      Fixtures.Timed timed = timed(() -> fib.callWithTimeout(Duration.ofMillis(50), "fib", n));
      assertThat(Thread.interrupted()).as("interrupt after call %d: %s", call, timed).isFalse();
      assertThat(timed.thrown()).as("call %d: %s", call, timed).isNull();
      assertThat(timed.result()).isEqualTo(fibonacci(n));
    }
  }

  /**
   * Calls whose running time straddles a 2 ms deadline, so that the watchdog fires around the moment
   * the guest returns: whichever way each call ends, its result is right or it is a {@link
   * CallTimeoutException}, and no interrupt is left behind.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void callsEndingRightAtTheDeadlineLeaveNoStrayInterrupt(Engine engine) {
    WasmModule fib = loadReady(builder(engine).build(), "fib");
    long deadlineNanos = 2_000_000;
    int n = 10;
    while (n < 40 && timeFib(fib, n) < deadlineNanos) {
      n++;
    }
    int finished = 0;
    int stopped = 0;
    for (int i = 0; i < 300; i++) {
      // Up to n + 6 (about 18 times fib(n)'s work), so that some calls still overrun the deadline
      // after the JIT has made fib faster than it was when n was chosen.
      long k = n - 3 + ThreadLocalRandom.current().nextInt(10);
      Fixtures.Timed call = timed(() -> fib.callWithTimeout(Duration.ofNanos(deadlineNanos), "fib", k));
      assertThat(Thread.interrupted()).as("interrupt after call %d: %s", i, call).isFalse();
      if (call.thrown() == null) {
        assertThat(call.result()).isEqualTo(fibonacci(k));
        finished++;
      } else {
        assertThat(call.thrown()).isInstanceOf(CallTimeoutException.class);
        stopped++;
      }
    }
    assertThat(finished).as("calls that finished (n = %d)", n).isPositive();
    assertThat(stopped).as("calls that were stopped (n = %d)", n).isPositive();
  }

  private static long timeFib(WasmModule fib, long n) {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      fib.call("fib", n);
      best = Math.min(best, System.nanoTime() - start);
    }
    return best;
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void moduleCallDiscardsTheInstanceStoppedAtItsDeadline(Engine engine) {
    WasmModule module = loadReady(loader(engine, DEADLINE), "counter_spin");
    assertThat(module.call("inc")).isEqualTo(1);
    assertThat(module.call("inc")).isEqualTo(2);
    assertThat(module.call("inc")).isEqualTo(3);
    assertThatThrownBy(() -> module.call("spin")).isInstanceOf(CallTimeoutException.class);
    assertThat(module.call("inc")).as("a fresh instance after the timeout").isEqualTo(1);
    assertThat(module.call("inc")).isEqualTo(2);
    assertThatThrownBy(() -> module.callWithTimeout(Duration.ofMillis(20), "spin"))
        .isInstanceOf(CallTimeoutException.class);
    assertThat(module.call("inc")).as("a fresh instance after the per-call timeout").isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aPerCallDeadlineOverridesTheLoaders(Engine engine) throws Throwable {
    WasmModule lenient = loadReady(loader(engine, 10_000), "traps");
    assertThat(timed(() -> lenient.callWithTimeout(Duration.ofMillis(100), "spin")).thrown())
        .isInstanceOf(CallTimeoutException.class); // warm-up
    assertStoppedAtDeadline(
        () -> lenient.call("ok"), () -> lenient.callWithTimeout(Duration.ofMillis(100), "spin"), 100, "traps.wasm", "spin");

    WasmModule strict = loadReady(loader(engine, 50), "traps");
    assertStoppedAtDeadline(
        () -> strict.call("ok"), () -> strict.callWithTimeout(Duration.ofMillis(300), "spin"), 300, "traps.wasm", "spin");

    WasmModule none = loadReady(builder(engine).build(), "traps");
    assertStoppedAtDeadline(
        () -> none.call("ok"), () -> none.callWithTimeout(Duration.ofMillis(100), "spin"), 100, "traps.wasm", "spin");

    try (Instance instance = lenient.instantiate()) {
      assertThat(instance.call("ok")).isEqualTo(7);
      assertStopped(timed(() -> instance.callWithTimeout(Duration.ofMillis(100), "spin")), 100, "traps.wasm", "spin");
    }
    try (Instance instance = strict.instantiate()) {
      assertThat(instance.call("ok")).isEqualTo(7);
      assertStopped(timed(() -> instance.callWithTimeout(Duration.ofMillis(300), "spin")), 300, "traps.wasm", "spin");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aPoolsDeadlineAppliesAndItsStoppedInstanceIsDiscarded(Engine engine) throws Throwable {
    WasmModule module = loadReady(loader(engine, 10_000), "counter_spin");
    try (InstancePool pool =
        InstancePool.builder(module)
            .maxSize(1)
            .reset(InstancePool.Reset.REUSE)
            .callTimeout(Duration.ofMillis(DEADLINE))
            .build()) {
      assertThat(incOn(pool)).isEqualTo(1);
      assertThat(incOn(pool)).isEqualTo(2);
      PoolStats before = pool.stats();
      assertThat(before.discardedCount()).isZero();
      assertThat(before.createdCount()).isEqualTo(1);

      assertThat(timed(() -> pool.apply(instance -> instance.call("spin"))).thrown())
          .isInstanceOf(CallTimeoutException.class); // warm-up
      assertThat(pool.stats().discardedCount()).isEqualTo(1);
      assertThat(incOn(pool)).as("a fresh instance").isEqualTo(1);
      assertThat(pool.stats().createdCount()).isEqualTo(2);

      assertStoppedAtDeadline(
          () -> incOn(pool), // the instance exists before the timed call
          () -> pool.apply(instance -> instance.call("spin")),
          DEADLINE,
          "counter_spin.wasm",
          "spin");
      PoolStats after = pool.stats();
      assertThat(after.discardedCount()).isGreaterThanOrEqualTo(2);
      assertThat(after.createdCount()).isEqualTo(after.discardedCount());
      assertThat(incOn(pool)).isEqualTo(1);
      assertThat(pool.stats().createdCount()).isEqualTo(after.createdCount() + 1);
      assertThat(pool.stats().discardedCount()).isEqualTo(after.discardedCount());
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aPoolWithoutItsOwnDeadlineUsesTheLoaders(Engine engine) throws Throwable {
    WasmModule module = loadReady(loader(engine, DEADLINE), "counter_spin");
    try (InstancePool pool = InstancePool.builder(module).maxSize(2).reset(InstancePool.Reset.REUSE).build()) {
      assertThat(timed(() -> pool.apply(instance -> instance.call("spin"))).thrown())
          .isInstanceOf(CallTimeoutException.class); // warm-up
      assertStoppedAtDeadline(
          () -> incOn(pool),
          () -> pool.apply(instance -> instance.call("spin")),
          DEADLINE,
          "counter_spin.wasm",
          "spin");
      assertThat(pool.stats().discardedCount()).isGreaterThanOrEqualTo(2);
      assertThat(incOn(pool)).as("a fresh instance").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aSubsystemsDeadlineAppliesAndItsStoppedInstanceIsReplaced(Engine engine) throws Throwable {
    Loader loader = loader(engine, 10_000);
    loadReady(loader, "counter_spin"); // compiled once; the registry finds it in the loader's cache
    try (Registry registry = Registry.builder().loader(loader).build()) {
      registry.register(
          "counter",
          SubsystemDefinition.builder(Fixtures.bytes("counter_spin")).callTimeout(Duration.ofMillis(DEADLINE)).build());
      assertThat(registry.call("counter", "inc")).isEqualTo(1);
      assertThat(registry.call("counter", "inc")).isEqualTo(2);
      assertThat(timed(() -> registry.call("counter", "spin")).thrown())
          .isInstanceOf(CallTimeoutException.class); // warm-up
      assertThat(registry.call("counter", "inc")).as("a fresh instance").isEqualTo(1);
      assertThat(registry.call("counter", "inc")).isEqualTo(2);
      assertStoppedAtDeadline(
          () -> registry.call("counter", "inc"),
          () -> registry.call("counter", "spin"),
          DEADLINE,
          "counter_spin.wasm",
          "spin");
      assertThat(registry.call("counter", "inc")).isEqualTo(1);

      Runnable spin = registry.function("counter", "spin", Runnable.class);
      assertStoppedAtDeadline(
          () -> registry.call("counter", "inc"),
          () -> {
            spin.run();
            return null;
          },
          DEADLINE,
          "counter_spin.wasm",
          "spin");
      assertThat(registry.call("counter", "inc")).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aSubsystemWithoutItsOwnDeadlineUsesTheLoaders(Engine engine) throws Throwable {
    Loader loader = loader(engine, DEADLINE);
    loadReady(loader, "counter_spin");
    try (Registry registry = Registry.builder().loader(loader).build()) {
      registry.register("counter", SubsystemDefinition.builder(Fixtures.bytes("counter_spin")).build());
      assertThat(timed(() -> registry.call("counter", "spin")).thrown())
          .isInstanceOf(CallTimeoutException.class); // warm-up
      assertStoppedAtDeadline(
          () -> registry.call("counter", "inc"),
          () -> registry.call("counter", "spin"),
          DEADLINE,
          "counter_spin.wasm",
          "spin");
    }
  }

  /**
   * With {@link Loader.Builder#callStackSize}, {@link WasmModule#call} runs on the loader's own
   * deep-stack threads: the deadline still stops it there, and the caller's thread is left without
   * an interrupt.
   */
  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"INTERPRETER", "COMPILER"})
  void callsOnDeepStackThreadsAreStoppedAtTheDeadline(Engine engine) throws Throwable {
    Loader loader = builder(engine).callStackSize(8L << 20).callTimeout(Duration.ofMillis(DEADLINE)).build();
    WasmModule traps = loadReady(loader, "traps");
    assertThat(timed(() -> traps.call("spin")).thrown()).isInstanceOf(CallTimeoutException.class); // warm-up
    assertStoppedAtDeadline(() -> traps.call("ok"), () -> traps.call("spin"), DEADLINE, "traps.wasm", "spin");
    assertStoppedAtDeadline(
        () -> traps.call("ok"), () -> traps.callWithTimeout(Duration.ofMillis(100), "spin"), 100, "traps.wasm", "spin");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  /**
   * A start function runs while the module is instantiated, before any export is called; one that
   * never ends must not hang the host: instantiation is bound by the loader's deadline too and fails
   * with a {@link WasmException}.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void anEndlessStartFunctionIsStoppedByTheLoadersDeadline(Engine engine) {
    WasmModule module = loadReady(loader(engine, DEADLINE), "start_spin");
    Fixtures.Timed instantiate =
        assertTimeoutPreemptively(
            Duration.ofSeconds(3),
            () -> timed(() -> {
              try (Instance instance = module.instantiate()) {
                return instance.call("ok");
              }
            }),
            "instantiating a module whose start function never ends, under a " + DEADLINE + " ms deadline");
    assertThat(instantiate.thrown()).as("%s", instantiate).isInstanceOf(WasmException.class);
    assertThat(instantiate.millis()).isLessThan(DEADLINE + DeadlineAssertions.HARD_SLACK_MILLIS);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }

  /** Closes {@code previous}, if any, and returns a new instance of {@code module}. */
  private static Instance fresh(WasmModule module, Instance previous) {
    if (previous != null) {
      previous.close();
    }
    return module.instantiate();
  }

  private static Object incOn(InstancePool pool) {
    return pool.apply(instance -> instance.call("inc"));
  }

  static long fibonacci(long n) {
    long a = 0;
    long b = 1;
    for (long i = 0; i < n; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return a;
  }
}
