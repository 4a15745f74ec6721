package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.module;
import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static dev.wasmhost.registry.RegistryFixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntUnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hammer: eight threads call a subsystem and its dependent, by name and through typed handles, while
 * another thread swaps the subsystem between two versions a hundred times.
 */
class RegistryHammerTest {
  private static final int CALLERS = 8;
  private static final int SWAPS = 100;
  /** After each swap the swapper waits for this many more checked calls, so every version is hit. */
  private static final int CALLS_PER_VERSION = 64;

  /** The ways a caller reaches calc's code. */
  private enum Path {
    CALL,
    HANDLE,
    DEPENDENT_CALL,
    DEPENDENT_HANDLE
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyCallDuringAHundredSwapsIsAnsweredByExactlyOneVersion() throws Exception {
    RegistryFixtures.Events events = new RegistryFixtures.Events();
    try (Registry registry =
        Registry.builder().loader(newLoader()).drainTimeout(Duration.ofSeconds(5)).build()) {
      registry.addListener(events);
      registry.register("calc", module("calc_v1.wasm"));
      registry.register("pricing", module("pricing.wasm", "calc"));
      IntUnaryOperator tag = registry.function("calc", "tag", IntUnaryOperator.class);
      IntUnaryOperator price = registry.function("pricing", "price", IntUnaryOperator.class);

      AtomicBoolean stop = new AtomicBoolean();
      LongAdder made = new LongAdder();
      LongAdder checked = new LongAdder();
      Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
      AtomicLongArray seen = new AtomicLongArray(Path.values().length * 2); // [path][version - 1]
      List<Long> swappedTo = new CopyOnWriteArrayList<>();
      CyclicBarrier start = new CyclicBarrier(CALLERS + 1);

      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < CALLERS; t++) {
        int seed = t;
        threads.add(
            new Thread(
                () -> {
                  try {
                    start.await(10, TimeUnit.SECONDS);
                    int x = seed;
                    for (int i = seed; !stop.get(); i++) {
                      x = (x * 31 + 7) & 0xFFFF;
                      Path path = Path.values()[i % Path.values().length];
                      made.increment();
                      int result;
                      switch (path) {
                        case CALL:
                          result = (Integer) registry.call("calc", "tag", x);
                          break;
                        case HANDLE:
                          result = tag.applyAsInt(x);
                          break;
                        case DEPENDENT_CALL:
                          result = (Integer) registry.call("pricing", "price", x);
                          break;
                        default:
                          result = price.applyAsInt(x);
                      }
                      int base = path.ordinal() >= Path.DEPENDENT_CALL.ordinal() ? 1000 + 10 * x : 10 * x;
                      int version = result - base;
                      if (version == 1 || version == 2) {
                        seen.incrementAndGet(path.ordinal() * 2 + version - 1);
                      } else {
                        failures.add(new AssertionError(path + " of " + x + " returned " + result));
                      }
                      checked.increment();
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                },
                "caller-" + t));
      }
      Thread swapper =
          new Thread(
              () -> {
                try {
                  start.await(10, TimeUnit.SECONDS);
                  for (int i = 1; i <= SWAPS; i++) {
                    SubsystemVersion version =
                        registry.replace("calc", uri(i % 2 == 1 ? "calc_v2.wasm" : "calc_v1.wasm"));
                    swappedTo.add(version.number());
                    long target = checked.sum() + CALLS_PER_VERSION;
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (checked.sum() < target && System.nanoTime() < deadline && failures.isEmpty()) {
                      Thread.onSpinWait();
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                } finally {
                  stop.set(true);
                }
              },
              "swapper");
      threads.forEach(Thread::start);
      swapper.start();
      swapper.join(TimeUnit.SECONDS.toMillis(40));
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      }

      assertThat(threads).noneMatch(Thread::isAlive);
      assertThat(swapper.isAlive()).isFalse();
      assertThat(failures).isEmpty();
      assertThat(made.sum()).isEqualTo(checked.sum()).isGreaterThanOrEqualTo((long) SWAPS * CALLS_PER_VERSION);
      for (Path path : Path.values()) {
        assertThat(seen.get(path.ordinal() * 2)).as("%s answered by version 1", path).isPositive();
        assertThat(seen.get(path.ordinal() * 2 + 1)).as("%s answered by version 2", path).isPositive();
      }

      assertThat(swappedTo).containsExactlyElementsOf(LongStream.rangeClosed(2, SWAPS + 1).boxed().collect(Collectors.toList()));
      assertThat(registry.version("calc")).get().extracting(SubsystemVersion::number).isEqualTo((long) SWAPS + 1);
      assertThat(registry.version("pricing")).get().extracting(SubsystemVersion::number).isEqualTo(1L);
      assertThat(registry.call("calc", "tag", 3)).isEqualTo(31); // the 100th swap went back to calc_v1
      assertThat(price.applyAsInt(3)).isEqualTo(1031);

      // Each swap is reported, then the version it retired once drained: SWAPPED 2, CLOSED 1, SWAPPED 3, ...
      List<String> expected = new ArrayList<>();
      for (int n = 2; n <= SWAPS + 1; n++) {
        expected.add("SWAPPED calc@" + n);
        expected.add("CLOSED calc@" + (n - 1));
      }
      assertThat(
              events.all.stream()
                  .filter(e -> e.type() == RegistryEvent.Type.SWAPPED || e.type() == RegistryEvent.Type.CLOSED)
                  .map(e -> e.type() + " " + e.id() + "@" + e.version().number()))
          .containsExactlyElementsOf(expected);
      assertThat(events.of(RegistryEvent.Type.SWAPPED, "calc")).hasSize(SWAPS);
      assertThat(events.of(RegistryEvent.Type.CLOSED, "calc")).hasSize(SWAPS);
      assertThat(events.summary()).containsOnlyOnce("RESOLVED calc", "RESOLVED pricing");
    }
  }
}
