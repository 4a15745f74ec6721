package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.bytes;
import static dev.wasmhost.registry.RegistryFixtures.module;
import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static dev.wasmhost.registry.RegistryFixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.InvalidCallException;
import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** {@link Registry#close}: reverse dependency order, then every use is an invalid call. */
class RegistryCloseTest {

  @Test
  void closingRetiresDependentsBeforeTheirDependencies() {
    RegistryFixtures.Events events = new RegistryFixtures.Events();
    Registry registry = Registry.builder().loader(newLoader()).build();
    registry.addListener(events);
    // Registered in an order unrelated to the dependencies: shop -> pricing -> calc, tools -> calc.
    registry.register("numbers", module("numbers.wasm"));
    Map<String, SubsystemDefinition> batch = new LinkedHashMap<>();
    batch.put("shop", module("calc_v2.wasm", "pricing"));
    batch.put("tools", module("calc_v2.wasm", "calc", "numbers"));
    batch.put("pricing", module("pricing.wasm", "calc"));
    batch.put("calc", module("calc_v1.wasm"));
    registry.registerAll(batch);
    for (String id : List.of("numbers", "shop", "tools")) {
      registry.resolve(id);
    }

    registry.close();

    List<String> closed = events.ids(RegistryEvent.Type.CLOSED);
    assertThat(closed).containsExactlyInAnyOrder("numbers", "shop", "tools", "pricing", "calc");
    assertThat(closed.indexOf("shop")).isLessThan(closed.indexOf("pricing"));
    assertThat(closed.indexOf("pricing")).isLessThan(closed.indexOf("calc"));
    assertThat(closed.indexOf("tools")).isLessThan(closed.indexOf("calc"));
    assertThat(closed.indexOf("tools")).isLessThan(closed.indexOf("numbers"));
    assertThat(events.of(RegistryEvent.Type.CLOSED))
        .allSatisfy(e -> assertThat(e.version()).isNotNull().extracting(v -> v.number()).isEqualTo(1L));

    int fired = events.all.size();
    registry.close();
    assertThat(events.all).as("close is idempotent").hasSize(fired);
  }

  @Test
  void afterCloseResolvingCallingReplacingAndHandlesAreInvalidCalls() {
    Registry registry = Registry.builder().loader(newLoader()).build();
    registry.register("calc", module("calc_v1.wasm"));
    registry.register("pricing", module("pricing.wasm", "calc"));
    registry.register("idle", module("calc_v1.wasm"));
    IntUnaryOperator tag = registry.function("calc", "tag", IntUnaryOperator.class);
    IntBinaryOperator add = registry.function("calc", "add", IntBinaryOperator.class);
    IntUnaryOperator price = registry.function("pricing", "price", IntUnaryOperator.class);
    assertThat(price.applyAsInt(1)).isEqualTo(1011);

    registry.close();

    List<ThrowingCallable> uses =
        List.of(
            () -> registry.resolve("calc"),
            () -> registry.resolve("idle"),
            () -> registry.call("calc", "tag", 1),
            () -> registry.call("pricing", "price", 1),
            () -> registry.call("idle", "tag", 1),
            () -> registry.replace("calc", uri("calc_v2.wasm")),
            () -> registry.replace("calc", bytes("calc_v2.wasm")),
            () -> registry.replace("idle", uri("calc_v2.wasm")),
            () -> registry.function("calc", "tag", IntUnaryOperator.class),
            () -> registry.function("idle", "tag", IntUnaryOperator.class),
            () -> tag.applyAsInt(1),
            () -> add.applyAsInt(1, 2),
            () -> price.applyAsInt(1));
    for (int i = 0; i < uses.size(); i++) {
      assertThatThrownBy(uses.get(i)).as("use %s after close", i).isInstanceOf(InvalidCallException.class).hasMessageContaining("closed");
    }
  }

  @Test
  void handlesOnAnotherThreadAreClosedToo() throws Exception {
    Registry registry = Registry.builder().loader(newLoader()).build();
    registry.register("calc", module("calc_v1.wasm"));
    IntUnaryOperator tag = registry.function("calc", "tag", IntUnaryOperator.class);
    AtomicReference<Throwable> outcome = new AtomicReference<>();
    AtomicInteger before = new AtomicInteger();
    CountDownLatch called = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    Thread other =
        new Thread(
            () -> {
              before.set(tag.applyAsInt(2)); // binds this thread's instance before the close
              called.countDown();
              try {
                closed.await();
                tag.applyAsInt(2);
              } catch (Throwable e) {
                outcome.set(e);
              }
            });
    other.start();
    assertThat(called.await(10, TimeUnit.SECONDS)).isTrue();
    registry.close();
    closed.countDown();
    other.join(10_000);

    assertThat(other.isAlive()).isFalse();
    assertThat(before).hasValue(21);
    assertThat(outcome.get()).isInstanceOf(InvalidCallException.class).hasMessageContaining("closed");
  }
}
