package dev.wasmhost.fuel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.FuelExhaustedException;
import dev.wasmhost.InMemoryMetrics;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.nio.file.Path;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Fuel through the public API: budgets, exhaustion, determinism across engines, visibility. */
class FuelApiTest {
  private static final Path WASM = Path.of("../testdata/wasm");

  private static WasmModule fib(Engine engine, long fuel) {
    Loader loader = WasmLoader.builder().engine(engine).fuelPerCall(fuel).build();
    WasmModule module = loader.load(WASM.resolve("fib.wasm"));
    module.awaitCompiled(java.time.Duration.ofSeconds(30));
    return module;
  }

  /** fib(n) calls itself 2·fib(n+1) − 1 times, and each call's region costs 17 instructions. */
  private static long expectedFib(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n + 1; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return 17 * (2 * a - 1);
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"INTERPRETER", "COMPILER"})
  void fuelConsumedIsExactAndTheSameInEveryEngine(Engine engine) {
    WasmModule module = fib(engine, 1_000_000_000L);
    try (Instance instance = module.instantiate()) {
      assertThat(instance.lastCallFuel()).isEqualTo(-1);
      for (int n = 0; n <= 20; n++) {
        assertThat(instance.call("fib", (long) n)).isNotNull();
        assertThat(instance.lastCallFuel()).as("fib(%d)", n).isEqualTo(expectedFib(n));
      }
      LongUnaryOperator handle = instance.function("fib", LongUnaryOperator.class);
      assertThat(handle.applyAsLong(15)).isEqualTo(610);
      assertThat(instance.lastCallFuel()).isEqualTo(expectedFib(15));
    }
    assertThat(module.call("fib", 10L)).isEqualTo(55L);
    assertThat(module.lastCallFuel()).isEqualTo(expectedFib(10));
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"INTERPRETER", "COMPILER"})
  void aCallWithExactlyEnoughFuelSucceedsAndOneLessRunsOut(Engine engine) {
    long needed = expectedFib(12);
    assertThat(fib(engine, needed).call("fib", 12L)).isEqualTo(144L);
    WasmModule starved = fib(engine, needed - 1);
    assertThatThrownBy(() -> starved.call("fib", 12L))
        .isInstanceOf(FuelExhaustedException.class)
        .isInstanceOf(TrapException.class)
        .hasMessageContaining("function 'fib' ran out of fuel (" + (needed - 1) + " per call)");
    assertThat(starved.lastCallFuel()).isEqualTo(-1); // the thread's instance was discarded
    assertThat(starved.call("fib", 5L)).isEqualTo(5L);
  }

  @Test
  void anEndlessLoopRunsOutOfFuelInsteadOfHanging() {
    WasmModule traps =
        WasmLoader.builder().engine(Engine.COMPILER).fuelPerCall(10_000_000).build().load(WASM.resolve("traps.wasm"));
    assertThatThrownBy(() -> traps.call("spin")).isInstanceOf(FuelExhaustedException.class);
    assertThatThrownBy(() -> traps.call("unreachable"))
        .isInstanceOf(TrapException.class)
        .isNotInstanceOf(FuelExhaustedException.class);
    assertThat(traps.call("ok")).isEqualTo(7);
  }

  @Test
  void theFuelCounterIsInvisibleAndMetricsSeeTheFuel() {
    InMemoryMetrics metrics = new InMemoryMetrics();
    WasmModule module =
        WasmLoader.builder().engine(Engine.INTERPRETER).fuelPerCall(1_000_000).metrics(metrics).build()
            .load(WASM.resolve("fib.wasm"));
    assertThat(module.exports()).hasToString("[func fib: (i64) -> i64, func sum: (i32) -> i64]");
    module.call("fib", 10L);
    module.call("fib", 10L);
    assertThat(metrics.snapshot().functions().get(module.source() + " fib").fuel()).isEqualTo(2 * expectedFib(10));
  }

  @Test
  void withoutMeteringThereIsNoFuel() {
    WasmModule module = WasmLoader.builder().engine(Engine.INTERPRETER).build().load(WASM.resolve("fib.wasm"));
    module.call("fib", 10L);
    assertThat(module.lastCallFuel()).isEqualTo(-1);
    assertThatThrownBy(() -> WasmLoader.builder().fuelPerCall(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
