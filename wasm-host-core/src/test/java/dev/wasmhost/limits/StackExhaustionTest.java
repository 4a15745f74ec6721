package dev.wasmhost.limits;

import static dev.wasmhost.limits.Fixtures.builder;
import static dev.wasmhost.limits.Fixtures.loadReady;
import static dev.wasmhost.limits.Fixtures.timed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.Loader;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Unbounded recursion ends in a {@link TrapException} "call stack exhausted" in each engine, through
 * every way of calling, never in a {@link StackOverflowError}; and the thread stays usable for deep
 * but bounded calls afterwards.
 */
class StackExhaustionTest {

  private static void assertExhausted(Fixtures.Timed timed) {
    assertThat(timed.thrown()).as("%s", timed).isExactlyInstanceOf(TrapException.class);
    assertThat(timed.thrown().getMessage()).contains("call stack exhausted").contains("'recurse'");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void unboundedRecursionTrapsAndTheThreadStaysHealthy(Engine engine) {
    Loader loader = builder(engine).build();
    WasmModule traps = loadReady(loader, "traps");
    WasmModule depth = loadReady(loader, "depth");
    for (int i = 0; i < 50; i++) {
      assertExhausted(timed(() -> traps.call("recurse", 0)));
      assertThat(depth.call("down", 500)).isEqualTo(500);
      assertThat(traps.call("ok")).isEqualTo(7);
    }
    if (engine != Engine.INTERPRETER) {
      assertThat(depth.call("down", 5_000)).as("compiled frames are smaller").isEqualTo(5_000);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void unboundedRecursionTrapsThroughInstancesHandlesAndPools(Engine engine) {
    Loader loader = builder(engine).build();
    WasmModule traps = loadReady(loader, "traps");
    WasmModule depth = loadReady(loader, "depth");
    for (int i = 0; i < 10; i++) {
      try (Instance instance = traps.instantiate()) {
        assertExhausted(timed(() -> instance.call("recurse", 0)));
      }
      try (Instance instance = traps.instantiate()) {
        IntUnaryOperator recurse = instance.function("recurse", IntUnaryOperator.class);
        assertExhausted(timed(() -> recurse.applyAsInt(0)));
      }
      try (Instance instance = traps.instantiate()) {
        assertExhausted(timed(() -> instance.function("recurse").apply(0)));
      }
      try (InstancePool pool = InstancePool.builder(traps).maxSize(1).reset(InstancePool.Reset.REUSE).build()) {
        assertExhausted(timed(() -> pool.apply(instance -> instance.call("recurse", 0))));
        assertThat(pool.stats().discardedCount()).as("the trapped instance is discarded").isEqualTo(1);
      }
      try (Instance instance = depth.instantiate()) {
        assertThat(instance.function("down", IntUnaryOperator.class).applyAsInt(500)).isEqualTo(500);
      }
    }
  }

  /** With a deadline, calls go through the watchdog's wrapper, which must also turn a stack overflow into a trap. */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void unboundedRecursionUnderADeadlineTrapsAsStackExhaustionNotTimeout(Engine engine) {
    Loader loader = builder(engine).callTimeout(Duration.ofSeconds(10)).build();
    WasmModule traps = loadReady(loader, "traps");
    WasmModule depth = loadReady(loader, "depth");
    for (int i = 0; i < 50; i++) {
      assertExhausted(timed(() -> traps.call("recurse", 0)));
      assertExhausted(timed(() -> traps.callWithTimeout(Duration.ofSeconds(5), "recurse", 0)));
      assertThat(depth.call("down", 500)).isEqualTo(500);
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
  }

  /** On the loader's deep-stack threads the limit is further away, and still a trap. */
  @Test
  void aDeepStackLoaderReachesFurtherAndStillTraps() {
    Loader loader = builder(Engine.INTERPRETER).callStackSize(16L << 20).build();
    WasmModule traps = loader.load(Fixtures.wasm("traps"));
    WasmModule depth = loader.load(Fixtures.wasm("depth"));
    assertThat(depth.call("down", 5_000)).as("beyond a 1 MB stack's ~1,200 interpreted frames").isEqualTo(5_000);
    for (int i = 0; i < 5; i++) {
      assertExhausted(timed(() -> traps.call("recurse", 0)));
      assertThat(depth.call("down", 5_000)).isEqualTo(5_000);
    }
  }
}
