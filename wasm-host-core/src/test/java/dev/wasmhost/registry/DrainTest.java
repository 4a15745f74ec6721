package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static dev.wasmhost.registry.RegistryFixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.SubsystemVersion;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Registry#replace} drains: a call in flight finishes on the old version, and replace waits for
 * it, at most the drain timeout. blocking_v1/v2.wat call the host function env.block, which holds the
 * calling thread {@link #blocked} on a latch; run() then answers with its version, 1 or 2.
 */
class DrainTest {
  private final CountDownLatch entered = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile Thread blocked;
  /** When set, env.block swaps job to blocking_v2 from inside the call instead of blocking. */
  private final AtomicReference<Registry> replaceFromInside = new AtomicReference<>();
  private final AtomicReference<SubsystemVersion> replacedFromInside = new AtomicReference<>();
  /** When set, env.block first calls this handle (a nested call on the same thread and version). */
  private final AtomicReference<IntSupplier> nestFromInside = new AtomicReference<>();
  private final AtomicInteger nestedResult = new AtomicInteger();
  private volatile boolean nesting;
  private final ExecutorService callerA = Executors.newSingleThreadExecutor(r -> new Thread(r, "caller-A"));
  private final ExecutorService replacerB = Executors.newSingleThreadExecutor(r -> new Thread(r, "replacer-B"));
  private final RegistryFixtures.Events events = new RegistryFixtures.Events();

  @AfterEach
  void stop() throws InterruptedException {
    release.countDown();
    callerA.shutdownNow();
    replacerB.shutdownNow();
    assertThat(callerA.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(replacerB.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private Registry registryWithJob(Duration drainTimeout) {
    HostFunction block =
        HostFunction.of(
            "env",
            "block",
            FunctionType.accepting(),
            (caller, args) -> {
              if (nesting) {
                return null; // the nested call itself returns at once
              }
              IntSupplier nested = nestFromInside.getAndSet(null);
              if (nested != null) {
                nesting = true;
                try {
                  nestedResult.set(nested.getAsInt());
                } finally {
                  nesting = false;
                }
              }
              Registry inside = replaceFromInside.getAndSet(null);
              if (inside != null) {
                replacedFromInside.set(inside.replace("job", uri("blocking_v2.wasm")));
              }
              if (Thread.currentThread() == blocked) {
                entered.countDown();
                if (!release.await(30, TimeUnit.SECONDS)) {
                  throw new IllegalStateException("never released");
                }
              }
              return null;
            });
    Registry registry = Registry.builder().loader(newLoader()).drainTimeout(drainTimeout).build();
    registry.addListener(events);
    registry.register(
        "job", SubsystemDefinition.builder(uri("blocking_v1.wasm")).imports(Imports.of(block)).build());
    assertThat(registry.call("job", "run")).isEqualTo(1);
    return registry;
  }

  /** Starts run() on thread A and returns once it is blocked inside the guest. */
  private Future<Object> callBlockingOnA(Registry registry) throws InterruptedException {
    return callBlockingOnA(() -> registry.call("job", "run"));
  }

  /** Starts {@code run} on thread A and returns once it is blocked inside the guest. */
  private <T> Future<T> callBlockingOnA(Callable<T> run) throws InterruptedException {
    Future<T> a =
        callerA.submit(
            () -> {
              blocked = Thread.currentThread();
              return run.call();
            });
    assertThat(entered.await(10, TimeUnit.SECONDS)).as("A is inside run()").isTrue();
    return a;
  }

  @Test
  void replaceWaitsForACallInFlightWhichFinishesOnTheOldVersion() throws Exception {
    try (Registry registry = registryWithJob(Duration.ofSeconds(10))) {
      Future<Object> a = callBlockingOnA(registry);

      Future<SubsystemVersion> b = replacerB.submit(() -> registry.replace("job", uri("blocking_v2.wasm")));

      // The swap itself is immediate: new calls run on version 2 while A is still on version 1.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (events.of(RegistryEvent.Type.SWAPPED).isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertThat(events.of(RegistryEvent.Type.SWAPPED)).hasSize(1);
      assertThat(registry.call("job", "run")).isEqualTo(2);
      assertThat(registry.version("job").orElseThrow().number()).isEqualTo(2);

      assertThatThrownBy(() -> b.get(200, TimeUnit.MILLISECONDS))
          .as("replace is still draining while A runs on version 1")
          .isInstanceOf(TimeoutException.class);
      assertThat(a.isDone()).isFalse();
      assertThat(events.of(RegistryEvent.Type.CLOSED)).as("version 1 is not retired yet").isEmpty();
      assertThat(b.isDone()).isFalse();

      release.countDown();

      assertThat(a.get(10, TimeUnit.SECONDS)).as("A's call finished on the old version").isEqualTo(1);
      assertThat(b.get(10, TimeUnit.SECONDS).number()).isEqualTo(2);
      assertThat(events.summary()).containsExactly("RESOLVED job", "SWAPPED job", "CLOSED job");
      assertThat(events.of(RegistryEvent.Type.CLOSED).get(0).version().number()).isEqualTo(1);
      assertThat(events.threads)
          .as("listeners run on the thread that caused the event")
          .containsExactly("RESOLVED job on " + Thread.currentThread().getName(), "SWAPPED job on replacer-B", "CLOSED job on replacer-B");
      assertThat(callerA.submit(() -> registry.call("job", "run")).get(10, TimeUnit.SECONDS))
          .as("A's next call runs on the new version")
          .isEqualTo(2);
    }
  }

  @Test
  void aNestedCallThatReturnsDoesNotEndTheOuterCallsHoldOnTheOldVersion() throws Exception {
    try (Registry registry = registryWithJob(Duration.ofSeconds(10))) {
      IntSupplier run = registry.function("job", "run", IntSupplier.class);
      nestFromInside.set(run);
      Future<Integer> a = callBlockingOnA(run::getAsInt);
      assertThat(nestedResult.get()).as("the nested call through the same handle ran and returned").isEqualTo(1);

      Future<SubsystemVersion> b = replacerB.submit(() -> registry.replace("job", uri("blocking_v2.wasm")));

      assertThatThrownBy(() -> b.get(300, TimeUnit.MILLISECONDS))
          .as("replace still drains: A's outer call is on version 1")
          .isInstanceOf(TimeoutException.class);
      assertThat(events.of(RegistryEvent.Type.CLOSED)).isEmpty();

      release.countDown();
      assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(b.get(10, TimeUnit.SECONDS).number()).isEqualTo(2);
      assertThat(events.summary()).containsExactly("RESOLVED job", "SWAPPED job", "CLOSED job");
      assertThat(callerA.submit(run::getAsInt).get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }
  }

  @Test
  void replaceWaitsForAHandleCallOnAThreadThatDoesNotOwnTheHandle() throws Exception {
    try (Registry registry = registryWithJob(Duration.ofSeconds(10))) {
      IntSupplier run = registry.function("job", "run", IntSupplier.class);
      assertThat(run.getAsInt()).as("this thread calls first, so it owns the handle").isEqualTo(1);
      Future<Integer> a = callBlockingOnA(run::getAsInt);

      Future<SubsystemVersion> b = replacerB.submit(() -> registry.replace("job", uri("blocking_v2.wasm")));

      assertThatThrownBy(() -> b.get(300, TimeUnit.MILLISECONDS))
          .as("replace still drains: A's call through the handle is on version 1")
          .isInstanceOf(TimeoutException.class);
      assertThat(run.getAsInt()).as("the owner's next call is on version 2").isEqualTo(2);
      assertThat(events.of(RegistryEvent.Type.CLOSED)).isEmpty();

      release.countDown();
      assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(1);
      assertThat(b.get(10, TimeUnit.SECONDS).number()).isEqualTo(2);
      assertThat(events.summary()).containsExactly("RESOLVED job", "SWAPPED job", "CLOSED job");
    }
  }

  @Test
  void aShortDrainTimeoutRetiresTheOldVersionWhileACallStillRunsOnIt() throws Exception {
    try (Registry registry = registryWithJob(Duration.ofMillis(100))) {
      Future<Object> a = callBlockingOnA(registry);
      long start = System.nanoTime();

      SubsystemVersion next =
          replacerB.submit(() -> registry.replace("job", uri("blocking_v2.wasm"))).get(10, TimeUnit.SECONDS);

      long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertThat(next.number()).isEqualTo(2);
      assertThat(waitedMillis).as("replace waited out the drain timeout").isGreaterThanOrEqualTo(100);
      assertThat(a.isDone()).as("A is still blocked on version 1").isFalse();
      assertThat(events.summary()).containsExactly("RESOLVED job", "SWAPPED job", "CLOSED job");
      assertThat(events.of(RegistryEvent.Type.CLOSED).get(0).version().number()).isEqualTo(1);
      assertThat(registry.call("job", "run")).isEqualTo(2);

      release.countDown();
      assertThat(a.get(10, TimeUnit.SECONDS)).as("a retired version still finishes its call").isEqualTo(1);
    }
  }

  @Test
  void threadsIdleOnTheOldVersionDoNotHoldUpReplace() throws Exception {
    try (Registry registry = registryWithJob(Duration.ofSeconds(10))) {
      // A has run on version 1 and is alive but not in a call.
      assertThat(callerA.submit(() -> registry.call("job", "run")).get(10, TimeUnit.SECONDS)).isEqualTo(1);
      long start = System.nanoTime();

      SubsystemVersion next =
          replacerB.submit(() -> registry.replace("job", uri("blocking_v2.wasm"))).get(10, TimeUnit.SECONDS);

      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
      assertThat(next.number()).isEqualTo(2);
      assertThat(callerA.submit(() -> registry.call("job", "run")).get(10, TimeUnit.SECONDS)).isEqualTo(2);
    }
  }

  @Test
  void aReplaceFromInsideACallDoesNotWaitForThatCall() throws Exception {
    try (Registry registry = registryWithJob(Duration.ofSeconds(10))) {
      replaceFromInside.set(registry);
      long start = System.nanoTime();

      Object result = callerA.submit(() -> registry.call("job", "run")).get(20, TimeUnit.SECONDS);

      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start))
          .as("replace did not wait out the 10 s drain timeout for its own call")
          .isLessThan(5_000);
      assertThat(result).as("the call that swapped finished on its version").isEqualTo(1);
      assertThat(replacedFromInside.get().number()).isEqualTo(2);
      assertThat(registry.call("job", "run")).isEqualTo(2);
      assertThat(events.summary()).containsExactly("RESOLVED job", "SWAPPED job", "CLOSED job");
    }
  }
}
