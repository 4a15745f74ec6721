package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.bytes;
import static dev.wasmhost.registry.RegistryFixtures.missing;
import static dev.wasmhost.registry.RegistryFixtures.module;
import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.TrapException;
import dev.wasmhost.ValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Calls through the registry: traps, per-thread state, listeners. */
class RegistryCallsTest {
  private final RegistryFixtures.Events events = new RegistryFixtures.Events();
  private Registry registry;

  @BeforeEach
  void open() {
    registry = Registry.builder().loader(newLoader()).build();
    registry.addListener(events);
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void aHandleFollowsItsThreadToAFreshInstanceAfterATrapElsewhere() {
    registry.register("counter", module("memory.wasm"));
    IntSupplier inc = registry.function("counter", "inc", IntSupplier.class);
    assertThat(inc.getAsInt()).isEqualTo(1);
    assertThat(inc.getAsInt()).isEqualTo(2);
    // A trap through another route retires this thread's instance; the handle must not keep it.
    assertThatThrownBy(() -> registry.call("counter", "load", 1 << 30)).isInstanceOf(TrapException.class);
    assertThat(inc.getAsInt()).as("a fresh instance counts from 1").isEqualTo(1);
    // Another thread has its own instance, whichever thread the handle favours.
    int[] other = new int[2];
    Thread thread = new Thread(() -> {
      other[0] = inc.getAsInt();
      other[1] = inc.getAsInt();
    });
    thread.start();
    try {
      thread.join();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertThat(other).containsExactly(1, 2);
    assertThat(inc.getAsInt()).isEqualTo(2);
  }

  @Test
  void aHandleWhoseOwnerThreadDiedIsTakenOverWithTheNewThreadsOwnInstance() throws Exception {
    registry.register("counter", module("memory.wasm"));
    IntSupplier inc = registry.function("counter", "inc", IntSupplier.class);
    int[] first = new int[3];
    Thread owner = new Thread(() -> {
      for (int i = 0; i < first.length; i++) {
        first[i] = inc.getAsInt(); // the first thread to call owns the handle
      }
    });
    owner.start();
    owner.join();
    assertThat(first).containsExactly(1, 2, 3);

    // The owner is dead; this thread takes the handle over, on its own instance (not the dead one's).
    assertThat(inc.getAsInt()).isEqualTo(1);
    assertThat(inc.getAsInt()).isEqualTo(2);
    // And it owns it now: a trap on this thread's instance moves the handle to a fresh instance.
    assertThatThrownBy(() -> registry.call("counter", "load", 1 << 30)).isInstanceOf(TrapException.class);
    assertThat(inc.getAsInt()).isEqualTo(1);
  }

  @Test
  void aTrapIsATrapExceptionAndTheNextCallWorks() {
    registry.register("traps", module("traps.wasm"));
    Runnable unreachable = registry.function("traps", "unreachable", Runnable.class);
    IntSupplier ok = registry.function("traps", "ok", IntSupplier.class);

    assertThatThrownBy(() -> registry.call("traps", "unreachable"))
        .isInstanceOf(TrapException.class)
        .hasMessageContaining("unreachable");
    assertThat(registry.call("traps", "ok")).isEqualTo(7);
    assertThatThrownBy(unreachable::run).isInstanceOf(TrapException.class);
    assertThat(ok.getAsInt()).isEqualTo(7);
    assertThatThrownBy(() -> registry.call("traps", "div_by_zero", 1))
        .isInstanceOf(TrapException.class)
        .hasMessageContaining("divide by zero");
    assertThat(ok.getAsInt()).isEqualTo(7);
    assertThat(registry.version("traps").orElseThrow().number()).as("a trap is not a new version").isEqualTo(1);
  }

  @Test
  void aTrapInADependencyReachesTheDependentsCallerAndBothKeepWorking() {
    IllegalStateException refused = new IllegalStateException("negative");
    Imports tag =
        Imports.of(
            HostFunction.of(
                "calc",
                "tag",
                FunctionType.accepting(ValueType.I32).returning(ValueType.I32),
                (caller, args) -> {
                  if ((int) args[0] < 0) {
                    throw refused;
                  }
                  return new long[] {args[0] * 10 + 5};
                }));
    registry.register(
        "calc", SubsystemDefinition.builder(missing("calc.wasm")).fallback(SubsystemDefinition.Source.java(tag)).build());
    registry.register("pricing", module("pricing.wasm", "calc"));
    IntUnaryOperator price = registry.function("pricing", "price", IntUnaryOperator.class);

    assertThat(price.applyAsInt(3)).isEqualTo(1035);
    assertThatThrownBy(() -> price.applyAsInt(-1)).isInstanceOf(TrapException.class).hasCause(refused);
    assertThat(price.applyAsInt(4)).isEqualTo(1045);
    assertThatThrownBy(() -> registry.call("pricing", "price", -1)).isInstanceOf(TrapException.class).hasCause(refused);
    assertThat(registry.call("pricing", "price", 5)).isEqualTo(1055);
  }

  @Test
  void stateIsPerThreadAndPerVersion() throws Exception {
    registry.register("counter", module("memory.wasm"));
    IntSupplier inc = registry.function("counter", "inc", IntSupplier.class);

    assertThat(registry.call("counter", "inc")).isEqualTo(1);
    assertThat(registry.call("counter", "inc")).isEqualTo(2);
    assertThat(inc.getAsInt()).as("a handle runs on the thread's same instance").isEqualTo(3);

    int threads = 8;
    int calls = 500;
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Thread> started = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      boolean byHandle = t % 2 == 0;
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await(10, TimeUnit.SECONDS);
                  for (int expected = 1; expected <= calls; expected++) {
                    int got = byHandle ? inc.getAsInt() : (Integer) registry.call("counter", "inc");
                    if (got != expected) {
                      throw new AssertionError(Thread.currentThread().getName() + ": call " + expected + " returned " + got);
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              },
              "counter-" + t);
      started.add(thread);
      thread.start();
    }
    for (Thread thread : started) {
      thread.join(TimeUnit.SECONDS.toMillis(20));
    }
    assertThat(started).noneMatch(Thread::isAlive);
    assertThat(failures).isEmpty();
    assertThat(inc.getAsInt()).as("other threads did not touch this thread's counter").isEqualTo(4);

    // A call rejected before the guest ran keeps the instance; a trap discards it.
    assertThatThrownBy(() -> registry.call("counter", "inc", 1)).isInstanceOf(InvalidCallException.class);
    assertThat(inc.getAsInt()).isEqualTo(5);
    assertThatThrownBy(() -> registry.call("counter", "load", 1 << 30)).isInstanceOf(TrapException.class);
    assertThat(inc.getAsInt()).as("a fresh instance after the trap").isEqualTo(1);
    assertThat(inc.getAsInt()).isEqualTo(2);

    // A new version starts from a fresh instance, even with the same bytes.
    assertThat(registry.replace("counter", bytes("memory.wasm")).number()).isEqualTo(2);
    assertThat(inc.getAsInt()).isEqualTo(1);
    assertThat(registry.call("counter", "inc")).isEqualTo(2);
  }

  @Test
  void aFailingListenerIsIgnoredAndTheOthersStillHearEverything() {
    List<RegistryEvent> heard = new ArrayList<>();
    registry.addListener(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    registry.addListener(heard::add);
    registry.register("calc", module("calc_v1.wasm"));

    assertThat(registry.call("calc", "tag", 1)).isEqualTo(11);
    assertThat(registry.replace("calc", bytes("calc_v2.wasm")).number()).isEqualTo(2);
    assertThat(registry.call("calc", "tag", 1)).isEqualTo(12);

    assertThat(heard).extracting(RegistryEvent::type)
        .containsExactly(RegistryEvent.Type.RESOLVED, RegistryEvent.Type.SWAPPED, RegistryEvent.Type.CLOSED);
    assertThat(events.all).hasSize(3);
  }

  @Test
  void anUnknownFunctionOrAWrongShapeIsAnInvalidCall() {
    registry.register("calc", module("calc_v1.wasm"));

    assertThatThrownBy(() -> registry.call("calc", "nope", 1))
        .isInstanceOf(InvalidCallException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> registry.function("calc", "nope", IntUnaryOperator.class))
        .isInstanceOf(InvalidCallException.class)
        .hasMessageContaining("nope");
    assertThatThrownBy(() -> registry.function("calc", "add", IntUnaryOperator.class))
        .isInstanceOf(InvalidCallException.class)
        .hasMessageContaining("add");
    // Handles that could not be taken hold calc to nothing: a module without "add" may replace it.
    assertThat(registry.replace("calc", RegistryFixtures.uri("calc_incompatible.wasm")).number()).isEqualTo(2);
  }
}
