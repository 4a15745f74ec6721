package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.ChicoryException;
import dev.wasmhost.internal.FuelInstrumenterTest.Engine;
import dev.wasmhost.internal.FuelInstrumenterTest.Loaded;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Metering at run time: determinism, the exact cost model, exhaustion and its boundary. */
class FuelMeteringTest {
  private static final long AMPLE = 1L << 40;

  private static final FuelInstrumenter.Instrumented FIB = FuelInstrumenter.instrument(FuelInstrumenterTest.wasm("fib"));
  private static final FuelInstrumenter.Instrumented TRAPS =
      FuelInstrumenter.instrument(FuelInstrumenterTest.wasm("traps"));

  /** fib's body has 17 instructions, its final end included, and no loop: 17 fuel per call. */
  static final long FIB_CALL = 17;

  static long fib(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return a;
  }

  /** Calls made by the recursive fib(n), the first included. */
  static long fibCalls(int n) {
    return 2 * fib(n + 1) - 1;
  }

  /** One call with a budget: what it returned or threw, and what it consumed. */
  static final class Outcome {
    final long[] result;
    final RuntimeException trap;
    final long after;
    final long consumed;

    Outcome(long[] result, RuntimeException trap, long before, long after) {
      this.result = result;
      this.trap = trap;
      this.after = after;
      this.consumed = FuelInstrumenter.consumed(before, after);
    }

    boolean exhausted() {
      return trap != null && FuelInstrumenter.exhausted(after);
    }
  }

  static Outcome call(Instance instance, String fuelGlobal, long budget, String export, long... args) {
    GlobalInstance fuel = FuelInstrumenter.fuelGlobal(instance, fuelGlobal);
    FuelInstrumenter.setFuel(fuel, budget);
    ExportFunction function = instance.export(export);
    try {
      long[] result = function.apply(args);
      return new Outcome(result, null, budget, FuelInstrumenter.fuel(fuel));
    } catch (ChicoryException e) {
      return new Outcome(null, e, budget, FuelInstrumenter.fuel(fuel));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Determinism and the cost model.

  @ParameterizedTest
  @EnumSource(Engine.class)
  void fibConsumesExactlySeventeenPerCall(Engine engine) {
    Instance instance = new Loaded(FIB.bytes(), engine).instance();
    for (int n = 0; n <= 20; n++) {
      Outcome outcome = call(instance, FIB.fuelGlobal(), AMPLE, "fib", n);

      assertThat(outcome.result).containsExactly(fib(n));
      assertThat(outcome.consumed).as("fib(%d)", n).isEqualTo(FIB_CALL * fibCalls(n));
    }
  }

  @Test
  void fibConsumptionIsTheSameAcrossRunsInstancesAndEngines() {
    Map<Engine, Loaded> engines = new EnumMap<>(Engine.class);
    for (Engine engine : Engine.values()) {
      engines.put(engine, new Loaded(FIB.bytes(), engine));
    }
    List<Long> previous = null;
    for (int round = 0; round < 3; round++) {
      for (Loaded loaded : engines.values()) {
        Instance shared = loaded.instance();
        List<Long> consumed = new ArrayList<>();
        for (int n = 0; n <= 20; n++) {
          long onShared = call(shared, FIB.fuelGlobal(), AMPLE, "fib", n).consumed;
          long onFresh = call(loaded.instance(), FIB.fuelGlobal(), AMPLE, "fib", n).consumed;
          assertThat(onFresh).isEqualTo(onShared);
          consumed.add(onShared);
        }
        if (previous != null) {
          assertThat(consumed).isEqualTo(previous);
        }
        previous = consumed;
      }
    }
    // grows with n: fib(0) and fib(1) both make one call, then every step makes more
    assertThat(previous).isSorted();
    for (int n = 2; n <= 20; n++) {
      assertThat(previous.get(n)).isGreaterThan(previous.get(n - 1));
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aLoopChargesItsBodyOnEveryIteration(Engine engine) {
    Instance instance = new Loaded(FIB.bytes(), engine).instance();
    for (int n : new int[] {0, 1, 10, 1000}) {
      Outcome outcome = call(instance, FIB.fuelGlobal(), AMPLE, "sum", n);

      assertThat(outcome.result).containsExactly((long) n * (n - 1) / 2);
      // sum: block, loop, end, local.get, end = 5; the loop body, 15 with its end, runs n + 1 times
      assertThat(outcome.consumed).isEqualTo(5 + 15L * (n + 1));
    }
  }

  // -------------------------------------------------------------------------------------------
  // Exhaustion.

  @ParameterizedTest
  @EnumSource(Engine.class)
  void fibRunsOutOfFuelAndSucceedsWithExactlyEnough(Engine engine) {
    Loaded loaded = new Loaded(FIB.bytes(), engine);
    long needed = FIB_CALL * fibCalls(25);

    Outcome tooLittle = call(loaded.instance(), FIB.fuelGlobal(), needed - 1, "fib", 25);
    assertThat(tooLittle.trap).isInstanceOf(TrapException.class).hasMessageContaining("unreachable");
    assertThat(tooLittle.after).isNegative();
    assertThat(tooLittle.exhausted()).isTrue();
    assertThat(tooLittle.consumed).isEqualTo(needed - 1);

    Outcome exact = call(loaded.instance(), FIB.fuelGlobal(), needed, "fib", 25);
    assertThat(exact.result).containsExactly(75_025L);
    assertThat(exact.after).isZero();
    assertThat(exact.consumed).isEqualTo(needed);

    Outcome tiny = call(loaded.instance(), FIB.fuelGlobal(), 1_000, "fib", 25);
    assertThat(tiny.exhausted()).isTrue();
    assertThat(tiny.consumed).isEqualTo(1_000);
    // the overdraft is at most one charge: the one that trapped
    assertThat(tiny.after).isBetween(-FIB_CALL, -1L);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anInfiniteLoopRunsOutOfFuel(Engine engine) {
    Instance instance = new Loaded(TRAPS.bytes(), engine).instance();
    for (long budget : new long[] {0, 1, 2, 3, 1_000, 10_000_000}) {
      Outcome outcome = call(instance, TRAPS.fuelGlobal(), budget, "spin");

      assertThat(outcome.exhausted()).as("budget %d", budget).isTrue();
      assertThat(outcome.after).isNegative();
      assertThat(outcome.consumed).isEqualTo(budget);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void otherTrapsAreNotExhaustion(Engine engine) {
    Instance instance = new Loaded(TRAPS.bytes(), engine).instance();
    for (String export : new String[] {"unreachable", "div_by_zero", "oob_load"}) {
      Outcome outcome = call(instance, TRAPS.fuelGlobal(), 100, export, 0);

      assertThat(outcome.trap).as(export).isNotNull();
      assertThat(outcome.exhausted()).as(export).isFalse();
      // The fuel lives in a local until a call or an exit writes it back, so a trap other than
      // exhaustion may leave the global stale: here the budget itself, never below the truth.
      assertThat(outcome.after).isBetween(0L, 100L);
    }
    Outcome deep = call(instance, TRAPS.fuelGlobal(), AMPLE, "recurse", 0);
    assertThat(deep.trap).hasMessageContaining("call stack exhausted");
    assertThat(deep.exhausted()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anInstanceStillWorksAfterRunningOutOfFuel(Engine engine) {
    Instance instance = new Loaded(FIB.bytes(), engine).instance();
    assertThat(call(instance, FIB.fuelGlobal(), 10, "fib", 20).exhausted()).isTrue();

    Outcome again = call(instance, FIB.fuelGlobal(), AMPLE, "fib", 20);

    assertThat(again.result).containsExactly(6765L);
    assertThat(again.consumed).isEqualTo(FIB_CALL * fibCalls(20));
  }

  @Test
  void eachInstanceHasItsOwnFuel() {
    Loaded loaded = new Loaded(FIB.bytes(), Engine.COMPILER);
    Instance a = loaded.instance();
    Instance b = loaded.instance();
    FuelInstrumenter.setFuel(a, FIB.fuelGlobal(), 1_000);
    FuelInstrumenter.setFuel(b, FIB.fuelGlobal(), 2_000);

    a.export("fib").apply(5);

    assertThat(FuelInstrumenter.fuel(a, FIB.fuelGlobal())).isEqualTo(1_000 - FIB_CALL * fibCalls(5));
    assertThat(FuelInstrumenter.fuel(b, FIB.fuelGlobal())).isEqualTo(2_000);
  }

  // -------------------------------------------------------------------------------------------
  // Helpers.

  @Test
  void consumedIsClampedToTheBudget() {
    assertThat(FuelInstrumenter.consumed(100, 40)).isEqualTo(60);
    assertThat(FuelInstrumenter.consumed(100, 100)).isZero();
    assertThat(FuelInstrumenter.consumed(100, 0)).isEqualTo(100);
    assertThat(FuelInstrumenter.consumed(100, -3)).isEqualTo(100);
    assertThat(FuelInstrumenter.consumed(Long.MAX_VALUE, Long.MIN_VALUE)).isEqualTo(Long.MAX_VALUE);
    assertThat(FuelInstrumenter.exhausted(-1)).isTrue();
    assertThat(FuelInstrumenter.exhausted(0)).isFalse();
  }

  @Test
  void negativeFuelCannotBeSet() {
    Instance instance = new Loaded(FIB.bytes(), Engine.INTERPRETER).instance();

    assertThatThrownBy(() -> FuelInstrumenter.setFuel(instance, FIB.fuelGlobal(), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fuel must not be negative: -1");
  }

  @Test
  void theGlobalStartsUnlimited() {
    Instance instance = new Loaded(FIB.bytes(), Engine.INTERPRETER).instance();

    assertThat(FuelInstrumenter.fuel(instance, FIB.fuelGlobal())).isEqualTo(Long.MAX_VALUE);
    assertThat(instance.export("fib").apply(10)).containsExactly(55L);
  }
}
