package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.InstancePool.Reset;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.LinkException;
import dev.wasmhost.PoolExhaustedException;
import dev.wasmhost.PoolStats;
import dev.wasmhost.TrapException;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Instance pools. State tells instances apart: memory.wasm's {@code inc} returns 1 on the first call
 * of a fresh instance and counts on from there, and {@code load} of an address past its 4 pages
 * traps.
 */
@Timeout(60)
class InstancePoolTest {
  private static final WasmModule MEMORY =
      WasmLoader.builder().engine(Engine.COMPILER).build().load(wasm("memory"));
  private static final int OUT_OF_BOUNDS = 10_000_000;

  private static InstancePool.Builder pool() {
    return InstancePool.builder(MEMORY);
  }

  @Test
  void minSizeInstancesAreCreatedWhenThePoolIsBuilt() {
    try (InstancePool pool = pool().minSize(3).maxSize(5).build()) {
      PoolStats stats = pool.stats();
      assertThat(stats.createdCount()).isEqualTo(3);
      assertThat(stats.idle()).isEqualTo(3);
      assertThat(stats.inUse()).isZero();
      assertThat(stats.maxSize()).isEqualTo(5);
      assertThat(stats.borrowCount()).isZero();
      try (Instance instance = pool.borrow()) {
        assertThat(instance.call("inc")).isEqualTo(1);
        assertThat(pool.stats().createdCount()).as("an idle one was handed out").isEqualTo(3);
        assertThat(pool.stats().idle()).isEqualTo(2);
        assertThat(pool.stats().inUse()).isEqualTo(1);
      }
    }
  }

  @Test
  void theDefaultsAreAsDocumented() {
    try (InstancePool pool = pool().build()) {
      PoolStats stats = pool.stats();
      assertThat(stats.maxSize()).isEqualTo(Runtime.getRuntime().availableProcessors());
      assertThat(stats.createdCount()).isZero();
      // FRESH by default: nothing passes from one borrower to the next.
      assertThat((Object) pool.apply(i -> i.call("inc"))).isEqualTo(1);
      assertThat((Object) pool.apply(i -> i.call("inc"))).isEqualTo(1);
    }
    int many = Runtime.getRuntime().availableProcessors() + 3;
    try (InstancePool pool = pool().minSize(many).build()) {
      assertThat(pool.stats().maxSize()).as("maxSize defaults to at least minSize").isEqualTo(many);
      assertThat(pool.stats().createdCount()).isEqualTo(many);
    }
  }

  @Test
  void maxSizeIsEnforcedAndABorrowGivesUpAfterTheBorrowTimeout() {
    try (InstancePool pool = pool().maxSize(2).borrowTimeout(Duration.ofMillis(300)).build()) {
      Instance a = pool.borrow();
      Instance b = pool.borrow();
      assertThat(pool.stats().inUse()).isEqualTo(2);

      long start = System.nanoTime();
      assertThatThrownBy(pool::borrow)
          .isInstanceOf(PoolExhaustedException.class)
          .hasMessageContaining("memory.wasm")
          .hasMessageContaining("all 2 pooled instances")
          .hasMessageContaining("300 ms");
      long waitedMs = (System.nanoTime() - start) / 1_000_000;
      assertThat(waitedMs).as("time the third borrow waited, ms").isBetween(290L, 5_000L);

      PoolStats stats = pool.stats();
      assertThat(stats.timeoutCount()).isEqualTo(1);
      assertThat(stats.createdCount()).isEqualTo(2);
      assertThat(stats.borrowCount()).isEqualTo(2);
      assertThat(stats.inUse()).isEqualTo(2);
      a.close();
      b.close();
      assertThat(pool.stats().inUse()).isZero();
      try (Instance c = pool.borrow()) {
        assertThat(c.call("inc")).isEqualTo(1);
      }
    }
  }

  @Test
  void aZeroBorrowTimeoutFailsAtOnceWhenAllAreInUse() {
    try (InstancePool pool = pool().maxSize(1).borrowTimeout(Duration.ZERO).build();
        Instance only = pool.borrow()) {
      long start = System.nanoTime();
      assertThatThrownBy(pool::borrow).isInstanceOf(PoolExhaustedException.class);
      assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
      assertThat(only.call("inc")).isEqualTo(1);
    }
  }

  @Test
  void aWaitingBorrowerIsWokenByAReturn() throws Exception {
    try (InstancePool pool = pool().maxSize(1).borrowTimeout(Duration.ofSeconds(30)).reset(Reset.REUSE).build()) {
      Instance mine = pool.borrow();
      assertThat(mine.call("inc")).isEqualTo(1);

      AtomicReference<Object> got = new AtomicReference<>();
      AtomicReference<Long> waitedMs = new AtomicReference<>();
      Thread waiter =
          new Thread(
              () -> {
                long start = System.nanoTime();
                try (Instance instance = pool.borrow()) {
                  waitedMs.set((System.nanoTime() - start) / 1_000_000);
                  got.set(instance.call("inc"));
                } catch (Throwable t) {
                  got.set(t);
                }
              },
              "pool-waiter");
      waiter.start();
      awaitWaiting(pool, 1);
      assertThat(waiter.isAlive()).isTrue();
      Thread.sleep(200);
      assertThat(got.get()).as("the waiter still waits").isNull();

      long returned = System.nanoTime();
      mine.close();
      waiter.join(10_000);
      assertThat(waiter.isAlive()).isFalse();
      assertThat(got.get()).as("the waiter got the returned instance, state and all").isEqualTo(2);
      assertThat(waitedMs.get()).isLessThan(20_000L);
      assertThat((System.nanoTime() - returned) / 1_000_000).as("ms from return to the waiter done")
          .isLessThan(5_000L);
      PoolStats stats = pool.stats();
      assertThat(stats.borrowCount()).isEqualTo(2);
      assertThat(stats.timeoutCount()).isZero();
      assertThat(stats.createdCount()).isEqualTo(1);
      assertThat(stats.waiting()).isZero();
      assertThat(stats.inUse()).isZero();
    }
  }

  @Test
  void applyReturnsTheInstanceEvenWhenTheWorkThrows() {
    try (InstancePool pool = pool().maxSize(1).borrowTimeout(Duration.ofMillis(200)).reset(Reset.REUSE).build()) {
      IllegalStateException boom = new IllegalStateException("boom");
      assertThatThrownBy(() -> pool.apply(instance -> {
        instance.call("inc");
        throw boom;
      })).isSameAs(boom);
      assertThat(pool.stats().inUse()).isZero();
      assertThat(pool.stats().idle()).isEqualTo(1);
      // Returned, not discarded: the work failed but the guest did not trap.
      assertThat((Object) pool.apply(instance -> instance.call("inc"))).isEqualTo(2);
      assertThat(pool.stats().discardedCount()).isZero();

      // Work that makes the guest trap: the instance is returned and discarded.
      assertThatThrownBy(() -> pool.apply(instance -> instance.call("load", OUT_OF_BOUNDS)))
          .isInstanceOf(TrapException.class);
      assertThat(pool.stats().inUse()).isZero();
      assertThat(pool.stats().discardedCount()).isEqualTo(1);
      assertThat((Object) pool.apply(instance -> instance.call("inc"))).isEqualTo(1);
      assertThat(pool.stats().borrowCount()).isEqualTo(4);
    }
  }

  @Test
  void aTrappedInstanceIsDiscardedAndTheNextBorrowerGetsAFreshOne() {
    try (InstancePool pool = pool().maxSize(1).reset(Reset.REUSE).build()) {
      try (Instance instance = pool.borrow()) {
        assertThat(instance.call("inc")).isEqualTo(1);
        assertThat(instance.call("inc")).isEqualTo(2);
        assertThatThrownBy(() -> instance.call("load", OUT_OF_BOUNDS))
            .isInstanceOf(TrapException.class)
            .hasMessageContaining("out of bounds");
      }
      PoolStats stats = pool.stats();
      assertThat(stats.discardedCount()).isEqualTo(1);
      assertThat(stats.idle()).isZero();
      assertThat(stats.inUse()).isZero();
      try (Instance next = pool.borrow()) {
        assertThat(next.call("inc")).as("a fresh instance").isEqualTo(1);
      }
      assertThat(pool.stats().createdCount()).isEqualTo(2);
      assertThat(pool.stats().discardedCount()).isEqualTo(1);

      // A trap through a typed handle counts the same.
      try (Instance instance = pool.borrow()) {
        assertThat(instance.call("inc")).as("the instance returned above, kept by REUSE").isEqualTo(2);
        IntUnaryOperator load = instance.function("load", IntUnaryOperator.class);
        assertThatThrownBy(() -> load.applyAsInt(OUT_OF_BOUNDS)).isInstanceOf(TrapException.class);
      }
      assertThat(pool.stats().discardedCount()).isEqualTo(2);
      try (Instance next = pool.borrow()) {
        assertThat(next.call("inc")).as("a fresh instance").isEqualTo(1);
      }
    }
  }

  @Test
  void anInstanceWhoseHostFunctionThrewIsDiscardedToo() {
    WasmModule module = WasmLoader.builder().engine(Engine.COMPILER).build().load(wasm("imports"));
    HostFunction add =
        HostFunction.of("env", "add", FunctionType.accepting(ValueType.I32, ValueType.I32).returning(ValueType.I32),
            (caller, args) -> {
              if (args[0] < 0) {
                throw new IllegalArgumentException("negative");
              }
              return new long[] {args[0] + args[1]};
            });
    HostFunction log = HostFunction.of("env", "log", FunctionType.accepting(ValueType.I32, ValueType.I32),
        (caller, args) -> new long[0]);
    HostFunction now = HostFunction.of("env", "now", FunctionType.accepting().returning(ValueType.I64),
        (caller, args) -> new long[] {1L});
    Imports imports = Imports.of(add, log, now);

    try (InstancePool pool = InstancePool.builder(module).maxSize(1).reset(Reset.REUSE).imports(imports).build()) {
      try (Instance instance = pool.borrow()) {
        assertThat(instance.call("call_add", 2, 3)).isEqualTo(5);
        instance.memory().writeInt(1024, 42);
      }
      try (Instance instance = pool.borrow()) {
        assertThat(instance.memory().readInt(1024)).as("REUSE keeps memory").isEqualTo(42);
        assertThatThrownBy(() -> instance.call("call_add", -1, 3))
            .isInstanceOf(TrapException.class)
            .hasMessageContaining("negative");
      }
      assertThat(pool.stats().discardedCount()).isEqualTo(1);
      try (Instance instance = pool.borrow()) {
        assertThat(instance.memory().readInt(1024)).as("a fresh instance's memory").isZero();
        assertThat(instance.call("call_add", 20, 22)).isEqualTo(42);
      }
    }
    // Without the imports, the pool cannot be built.
    assertThatThrownBy(() -> InstancePool.builder(module).minSize(1).build()).isInstanceOf(LinkException.class);
  }

  @Test
  void reuseKeepsStateAndFreshDoesNot() {
    try (InstancePool reuse = pool().maxSize(1).reset(Reset.REUSE).build()) {
      assertThat((Object) reuse.apply(i -> i.call("inc"))).isEqualTo(1);
      assertThat((Object) reuse.apply(i -> i.call("inc"))).isEqualTo(2);
      try (Instance instance = reuse.borrow()) {
        instance.memory().writeInt(64, 7);
      }
      assertThat((Object) reuse.apply(i -> i.call("load", 64))).isEqualTo(7);
      assertThat(reuse.stats().createdCount()).isEqualTo(1);
      assertThat(reuse.stats().discardedCount()).isZero();
    }
    try (InstancePool fresh = pool().maxSize(1).reset(Reset.FRESH).build()) {
      assertThat((Object) fresh.apply(i -> i.call("inc"))).isEqualTo(1);
      assertThat((Object) fresh.apply(i -> i.call("inc"))).isEqualTo(1);
      try (Instance instance = fresh.borrow()) {
        instance.memory().writeInt(64, 7);
      }
      assertThat((Object) fresh.apply(i -> i.call("load", 64))).isEqualTo(0);
      assertThat(fresh.stats().createdCount()).isEqualTo(4);
      assertThat(fresh.stats().discardedCount()).isEqualTo(4);
    }
    // FRESH with minSize keeps minSize fresh instances ready after returns.
    try (InstancePool fresh = pool().minSize(2).maxSize(3).reset(Reset.FRESH).build()) {
      assertThat((Object) fresh.apply(i -> i.call("inc"))).isEqualTo(1);
      assertThat((Object) fresh.apply(i -> i.call("inc"))).isEqualTo(1);
      PoolStats stats = fresh.stats();
      assertThat(stats.idle()).isEqualTo(2);
      assertThat(stats.discardedCount()).isEqualTo(2);
      assertThat(stats.createdCount()).isEqualTo(4);
    }
  }

  @Test
  void aReturnedInstanceCannotBeUsedAndClosingItTwiceReturnsItOnce() {
    try (InstancePool pool = pool().maxSize(1).reset(Reset.REUSE).build()) {
      Instance instance = pool.borrow();
      assertThat(instance.call("inc")).isEqualTo(1);
      instance.close();
      assertThatThrownBy(() -> instance.call("inc"))
          .isInstanceOf(InvalidCallException.class)
          .hasMessageContaining("memory.wasm")
          .hasMessageContaining("returned");
      assertThatThrownBy(() -> instance.function("inc")).isInstanceOf(InvalidCallException.class);
      assertThatThrownBy(() -> instance.function("inc", IntSupplier.class)).isInstanceOf(InvalidCallException.class);
      assertThatThrownBy(instance::memory).isInstanceOf(InvalidCallException.class);
      assertThat(instance.module()).isSameAs(MEMORY);

      instance.close(); // idempotent: no second return
      Instance next = pool.borrow();
      assertThat(pool.stats().inUse()).isEqualTo(1);
      instance.close();
      assertThat(pool.stats().inUse()).as("a stale close does not return someone else's instance").isEqualTo(1);
      assertThat(next.call("inc")).isEqualTo(2);
      next.close();
      assertThat(pool.stats().inUse()).isZero();
    }
  }

  @Test
  void aClosedPoolRefusesBorrowsAndDiscardsReturns() {
    InstancePool pool = pool().minSize(2).maxSize(3).reset(Reset.REUSE).build();
    Instance borrowed = pool.borrow();
    assertThat(borrowed.call("inc")).isEqualTo(1);
    pool.close();
    assertThat(pool.stats().idle()).isZero();
    assertThat(pool.stats().discardedCount()).as("the idle instance is dropped").isEqualTo(1);
    assertThatThrownBy(pool::borrow)
        .isInstanceOf(InvalidCallException.class)
        .hasMessageContaining("memory.wasm")
        .hasMessageContaining("closed");
    assertThatThrownBy(() -> pool.apply(i -> i.call("inc"))).isInstanceOf(InvalidCallException.class);

    // A borrowed instance keeps working until returned, and is then discarded.
    assertThat(borrowed.call("inc")).isEqualTo(2);
    borrowed.close();
    PoolStats stats = pool.stats();
    assertThat(stats.discardedCount()).isEqualTo(2);
    assertThat(stats.idle()).isZero();
    assertThat(stats.inUse()).isZero();
    assertThat(stats.createdCount()).isEqualTo(2);
    pool.close(); // idempotent
    assertThat(pool.stats().discardedCount()).isEqualTo(2);
  }

  @Test
  void aBorrowerWaitingWhenThePoolClosesGetsNoInstance() throws Exception {
    InstancePool pool = pool().maxSize(1).borrowTimeout(Duration.ofSeconds(20)).build();
    Instance only = pool.borrow();
    AtomicReference<Object> outcome = new AtomicReference<>();
    Thread waiter =
        new Thread(
            () -> {
              try {
                Instance instance = pool.borrow();
                outcome.set(instance);
                instance.close();
              } catch (Throwable t) {
                outcome.set(t);
              }
            },
            "pool-waiter-at-close");
    waiter.start();
    awaitWaiting(pool, 1);
    pool.close();
    only.close();
    waiter.join(30_000);
    assertThat(waiter.isAlive()).isFalse();
    // The pool is closed: the waiter must not be handed an instance created after the close.
    assertThat(outcome.get()).as("what the waiting borrow returned").isInstanceOf(InvalidCallException.class);
    assertThat(pool.stats().createdCount()).as("instances created, all before close").isEqualTo(1);
  }

  @Test
  void aBorrowTimeoutOfForeverWaitsWithoutLimit() throws Exception {
    try (InstancePool pool = pool().maxSize(1).reset(Reset.REUSE).borrowTimeout(ChronoUnit.FOREVER.getDuration())
        .build()) {
      assertThat((Object) pool.apply(i -> i.call("inc"))).as("a borrow with an idle instance at hand").isEqualTo(1);
      Instance mine = pool.borrow();
      AtomicReference<Object> got = new AtomicReference<>();
      Thread waiter = new Thread(() -> {
        try {
          got.set(pool.apply(i -> i.call("inc")));
        } catch (Throwable t) {
          got.set(t);
        }
      }, "pool-waiter-forever");
      waiter.start();
      Thread.sleep(300);
      mine.close();
      waiter.join(10_000);
      assertThat(got.get()).isEqualTo(2);
    }
  }

  @Test
  void pooledInstancesOfAnAutoModuleSwitchToCompiledCode() throws Exception {
    WasmModule module = WasmLoader.builder().build().load(GeneratedModules.switching(1_000, 62));
    try (InstancePool pool = InstancePool.builder(module).minSize(2).maxSize(2).reset(Reset.REUSE).build()) {
      assertThat(module.engine()).as("precondition: the pool was built before compilation finished")
          .isEqualTo(Engine.INTERPRETER);
      Instance a = pool.borrow();
      Instance b = pool.borrow();
      assertThat(a.call("inc")).isEqualTo(1);
      assertThat(b.call("inc")).isEqualTo(1);
      a.close();
      b.close();
      assertThat(module.awaitCompiled(Duration.ofSeconds(30))).isTrue();
      assertThat(pool.stats().createdCount()).isEqualTo(2);
      TestSupport.onThread(TestSupport.ONE_MIB, () -> {
        try (Instance first = pool.borrow(); Instance second = pool.borrow()) {
          for (Instance instance : List.of(first, second)) {
            assertThat(instance.call("inc")).as("state kept across the switch").isEqualTo(2);
            // Only compiled code reaches this depth on a 1 MiB stack.
            assertThat(instance.call("down", TestSupport.COMPILED_ONLY_DEPTH)).isEqualTo(TestSupport.COMPILED_ONLY_DEPTH);
          }
        }
      });
      assertThat(pool.stats().createdCount()).as("no instance was replaced").isEqualTo(2);
    }
  }

  @Test
  void theBuilderChecksEachSettingWhenSet() {
    assertThatThrownBy(() -> InstancePool.builder(null)).isInstanceOf(NullPointerException.class)
        .hasMessageContaining("module");
    assertThatThrownBy(() -> pool().minSize(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minSize must not be negative: -1");
    assertThatThrownBy(() -> pool().maxSize(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSize must be at least 1: 0");
    assertThatThrownBy(() -> pool().maxSize(-3)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxSize must be at least 1: -3");
    assertThatThrownBy(() -> pool().borrowTimeout(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("borrowTimeout must not be negative");
    assertThatThrownBy(() -> pool().borrowTimeout(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> pool().reset(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> pool().imports(null)).isInstanceOf(NullPointerException.class);

    assertThatThrownBy(() -> pool().minSize(1).minSize(2)).isInstanceOf(IllegalStateException.class)
        .hasMessage("minSize was already set to 1");
    assertThatThrownBy(() -> pool().maxSize(4).maxSize(4)).isInstanceOf(IllegalStateException.class)
        .hasMessage("maxSize was already set to 4");
    assertThatThrownBy(() -> pool().borrowTimeout(Duration.ofSeconds(1)).borrowTimeout(Duration.ofSeconds(2)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("borrowTimeout was already set to PT1S");
    assertThatThrownBy(() -> pool().reset(Reset.FRESH).reset(Reset.REUSE)).isInstanceOf(IllegalStateException.class)
        .hasMessage("reset was already set to FRESH");
    assertThatThrownBy(() -> pool().imports(Imports.empty()).imports(Imports.empty()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("imports was already set");

    assertThatThrownBy(() -> pool().minSize(3).maxSize(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minSize 3")
        .hasMessageContaining("maxSize 2");
    assertThatThrownBy(() -> new InstancePool.Config(0, 0, Duration.ZERO, Reset.FRESH, Imports.empty(), Duration.ZERO, 0, ""))
        .isInstanceOf(IllegalArgumentException.class);
    // Equal bounds are fine.
    try (InstancePool pool = pool().minSize(2).maxSize(2).build()) {
      assertThat(pool.stats().createdCount()).isEqualTo(2);
    }
  }

  @Test
  void eightThreadsHammeringAPoolOfTwo() throws Exception {
    WasmModule module =
        WasmLoader.builder().engine(Engine.COMPILER).build().load(GeneratedModules.switching(1, 61));
    int threads = 8;
    int perThread = 2_000;
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    try (InstancePool pool = InstancePool.builder(module).maxSize(2).borrowTimeout(Duration.ofSeconds(30))
        .reset(Reset.REUSE).build()) {
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService executor = Executors.newFixedThreadPool(threads);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int id = t;
          results.add(executor.submit(() -> {
            start.await();
            int right = 0;
            for (int k = 0; k < perThread; k++) {
              int n = (id * 7 + k) % 25;
              boolean typed = k % 2 == 0;
              long result = pool.apply(instance -> {
                int now = concurrent.incrementAndGet();
                maxConcurrent.accumulateAndGet(now, Math::max);
                try {
                  instance.call("inc"); // one per borrow: the counters add up to the borrows
                  return typed
                      ? instance.function("fib", LongUnaryOperator.class).applyAsLong(n)
                      : (Long) instance.call("fib", (long) n);
                } finally {
                  concurrent.decrementAndGet();
                }
              });
              if (result == GeneratedModules.fib(n)) {
                right++;
              } else {
                failures.add(new AssertionError("fib(" + n + ") = " + result));
              }
            }
            return right;
          }));
        }
        start.countDown();
        int right = 0;
        for (Future<Integer> result : results) {
          right += result.get(60, TimeUnit.SECONDS);
        }
        assertThat(failures).isEmpty();
        assertThat(right).isEqualTo(threads * perThread);
      } finally {
        executor.shutdownNow();
      }

      assertThat(maxConcurrent.get()).as("instances in use at once").isBetween(1, 2);
      PoolStats stats = pool.stats();
      assertThat(stats.borrowCount()).isEqualTo(16_000);
      assertThat(stats.inUse()).isZero();
      assertThat(stats.waiting()).isZero();
      assertThat(stats.timeoutCount()).isZero();
      assertThat(stats.discardedCount()).isZero();
      assertThat(stats.createdCount()).isBetween(1L, 2L);
      assertThat(stats.idle()).isEqualTo((int) stats.createdCount());

      // Every borrow ran inc once on one of the pooled instances: their counters sum to the borrows.
      List<Instance> all = new ArrayList<>();
      for (int i = 0; i < stats.createdCount(); i++) {
        all.add(pool.borrow());
      }
      long sum = 0;
      for (Instance instance : all) {
        sum += (Integer) instance.call("inc") - 1;
        instance.close();
      }
      assertThat(sum).isEqualTo(16_000);
    }
  }

  @Test
  void freshUnderContentionNeverLeaksStateBetweenBorrowers() throws Exception {
    int threads = 8;
    int perThread = 300;
    ConcurrentLinkedQueue<Object> wrong = new ConcurrentLinkedQueue<>();
    try (InstancePool pool = pool().minSize(1).maxSize(2).borrowTimeout(Duration.ofSeconds(30)).build()) {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        Thread worker = new Thread(() -> {
          for (int k = 0; k < perThread; k++) {
            Object first;
            Object second;
            try (Instance instance = pool.borrow()) {
              first = instance.call("inc");
              second = instance.call("inc");
            }
            if (!Integer.valueOf(1).equals(first) || !Integer.valueOf(2).equals(second)) {
              wrong.add(first + "," + second);
            }
          }
        });
        worker.start();
        workers.add(worker);
      }
      for (Thread worker : workers) {
        worker.join(60_000);
      }
      assertThat(wrong).as("borrows that saw another borrower's state").isEmpty();
      PoolStats stats = pool.stats();
      assertThat(stats.borrowCount()).isEqualTo(threads * perThread);
      assertThat(stats.discardedCount()).isEqualTo(threads * perThread);
      assertThat(stats.inUse()).isZero();
      assertThat(stats.createdCount() - stats.discardedCount()).as("instances alive").isEqualTo(stats.idle());
      assertThat(stats.idle()).isBetween(1, 2);
    }
  }

  /** Waits up to 10 s until at least {@code count} threads wait on {@code pool}. */
  private static void awaitWaiting(InstancePool pool, int count) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (pool.stats().waiting() < count) {
      assertThat(System.nanoTime()).as("a borrower waiting within 10 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
