package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.missing;
import static dev.wasmhost.registry.RegistryFixtures.module;
import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.CacheStats;
import dev.wasmhost.Loader;
import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.SubsystemVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/** Nothing is loaded before it is resolved, and concurrent first resolves bring a subsystem up once. */
class LazyResolveTest {
  private static final int THREADS = 8;

  @Test
  void registeringLoadsNothingEvenAMissingFile() {
    Loader loader = newLoader();
    CacheStats before = loader.cacheStats();
    RegistryFixtures.Events events = new RegistryFixtures.Events();
    try (Registry registry = Registry.builder().loader(loader).build()) {
      registry.addListener(events);
      registry.register("ghost", SubsystemDefinition.builder(missing("ghost.wasm")).build());
      registry.register("calc", module("calc_v1.wasm"));
      registry.register("pricing", module("pricing.wasm", "calc"));

      assertThat(loader.cacheStats()).isEqualTo(before);
      assertThat(registry.version("ghost")).isEmpty();
      assertThat(registry.version("calc")).isEmpty();
      assertThat(registry.version("pricing")).isEmpty();
      assertThat(events.all).isEmpty();

      assertThat(registry.resolve("calc").number()).isEqualTo(1);
      assertThat(registry.version("calc")).get().extracting(SubsystemVersion::number).isEqualTo(1L);
      assertThat(registry.version("pricing")).as("a dependent is not brought up with it").isEmpty();
      assertThat(loader.cacheStats().missCount()).isEqualTo(1);

      assertThat(registry.call("pricing", "price", 2)).isEqualTo(1021);
      assertThat(registry.version("pricing")).isPresent();
      assertThat(loader.cacheStats().missCount()).isEqualTo(2);
      assertThat(registry.version("ghost")).as("the missing file was never touched").isEmpty();
      assertThat(events.summary()).containsExactly("RESOLVED calc", "RESOLVED pricing");
    }
  }

  @Test
  void resolvingADependentBringsUpItsDependenciesFirst() {
    Loader loader = newLoader();
    RegistryFixtures.Events events = new RegistryFixtures.Events();
    try (Registry registry = Registry.builder().loader(loader).build()) {
      registry.addListener(events);
      registry.register("calc", module("calc_v1.wasm"));
      registry.register("pricing", module("pricing.wasm", "calc"));

      SubsystemVersion pricing = registry.resolve("pricing");

      assertThat(pricing.id()).isEqualTo("pricing");
      assertThat(pricing.number()).isEqualTo(1);
      assertThat(pricing.fallback()).isFalse();
      assertThat(pricing.digest()).startsWith("sha256:").hasSize("sha256:".length() + 64);
      assertThat(registry.resolve("pricing")).as("resolving again changes nothing").isEqualTo(pricing);
      assertThat(events.summary()).containsExactly("RESOLVED calc", "RESOLVED pricing");
      assertThat(loader.cacheStats().missCount()).isEqualTo(2);
    }
  }

  @RepeatedTest(5)
  void concurrentFirstResolvesBringASubsystemUpOnce() throws Exception {
    Loader loader = newLoader();
    RegistryFixtures.Events events = new RegistryFixtures.Events();
    try (Registry registry = Registry.builder().loader(loader).build()) {
      registry.addListener(events);
      registry.register("calc", module("calc_v1.wasm"));
      Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
      Queue<SubsystemVersion> versions = new ConcurrentLinkedQueue<>();
      CyclicBarrier start = new CyclicBarrier(THREADS);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int way = t % 3;
        threads.add(
            new Thread(
                () -> {
                  try {
                    start.await(10, TimeUnit.SECONDS);
                    int result;
                    if (way == 0) {
                      versions.add(registry.resolve("calc"));
                      result = (Integer) registry.call("calc", "tag", 4);
                    } else if (way == 1) {
                      result = (Integer) registry.call("calc", "tag", 4);
                    } else {
                      result = registry.function("calc", "tag", IntUnaryOperator.class).applyAsInt(4);
                    }
                    if (result != 41) {
                      failures.add(new AssertionError("tag(4) returned " + result));
                    }
                    versions.add(registry.version("calc").orElseThrow());
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                },
                "resolver-" + t));
      }
      threads.forEach(Thread::start);
      for (Thread thread : threads) {
        thread.join(TimeUnit.SECONDS.toMillis(20));
      }

      assertThat(threads).noneMatch(Thread::isAlive);
      assertThat(failures).isEmpty();
      assertThat(events.of(RegistryEvent.Type.RESOLVED)).hasSize(1);
      assertThat(events.all).hasSize(1);
      CacheStats stats = loader.cacheStats();
      assertThat(stats.missCount()).isEqualTo(1);
      assertThat(stats.hitCount()).as("loaded once, not once per thread").isZero();
      assertThat(versions).hasSize(THREADS + (THREADS + 2) / 3).allSatisfy(v -> assertThat(v).isEqualTo(versions.peek()));
      assertThat(versions.peek().number()).isEqualTo(1);
    }
  }
}
