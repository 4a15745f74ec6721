package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.TrapException;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.wasmhost.internal.FuelInstrumenterTest.Engine;
import dev.wasmhost.internal.FuelInstrumenterTest.Loaded;
import dev.wasmhost.internal.FuelMeteringTest.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The fuel lives in a local of each function and reaches the global only before calls and exits:
 * every way out of a function (the final end, return, br, br_if and br_table to the function's label,
 * from inside nested blocks and loops, with several results, tail calls) leaves the global exact, and
 * every call (direct, indirect, recursive, to the host) finds it exact and sees what the callee
 * consumed. Uses {@code fuel/sync.wat}. The expected costs are each region's instruction count,
 * counted here from Chicory's decoding of the original module.
 */
class FuelSyncTest {
  private static final long BUDGET = 1_000_000;

  private static final byte[] ORIGINAL = FuelInstrumenterTest.fuel("sync");
  private static final FuelInstrumenter.Instrumented SYNC = FuelInstrumenter.instrument(ORIGINAL);
  private static final WasmModule MODULE = Parser.parse(ORIGINAL);

  /** The cost of each region of an exported function: its body's, then each loop's. */
  private static long[] cost(String export) {
    int imported = MODULE.importSection().count(com.dylibso.chicory.wasm.types.ExternalType.FUNCTION);
    for (int i = 0; i < MODULE.exportSection().exportCount(); i++) {
      Export e = MODULE.exportSection().getExport(i);
      if (e.name().equals(export)) {
        List<Long> costs =
            FuelDecoderTest.costs(MODULE.codeSection().getFunctionBody(e.index() - imported).instructions());
        return costs.stream().mapToLong(Long::longValue).toArray();
      }
    }
    throw new AssertionError("no export " + export);
  }

  /** One probe: its tag and the fuel global the host read while the guest called it. */
  static final class Probe {
    final long tag;
    final long fuel;

    Probe(long tag, long fuel) {
      this.tag = tag;
      this.fuel = fuel;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Probe && ((Probe) o).tag == tag && ((Probe) o).fuel == fuel;
    }

    @Override
    public int hashCode() {
      return Long.hashCode(tag) * 31 + Long.hashCode(fuel);
    }

    @Override
    public String toString() {
      return "probe " + tag + " saw " + fuel;
    }
  }

  /** An instance whose probe records what it reads and then sets the global to {@code refuel(read)}. */
  private static Instance instance(Engine engine, List<Probe> probes, LongUnaryOperator refuel) {
    ImportValues imports =
        ImportValues.builder()
            .addFunction(
                new HostFunction(
                    "env",
                    "probe",
                    FunctionType.of(List.of(ValType.I32), List.of()),
                    (instance, args) -> {
                      var global = FuelInstrumenter.fuelGlobal(instance, SYNC.fuelGlobal());
                      long fuel = FuelInstrumenter.fuel(global);
                      probes.add(new Probe(args[0], fuel));
                      global.setValue(refuel.applyAsLong(fuel));
                      return null;
                    }))
            .build();
    return new Loaded(SYNC.bytes(), engine).instance(imports);
  }

  private static Instance instance(Engine engine, List<Probe> probes) {
    return instance(engine, probes, LongUnaryOperator.identity());
  }

  /**
   * Calls {@code export} with the budget it needs, one less, and plenty: exact needs leave the
   * global at zero, one less traps with a negative global, plenty leaves exactly the rest.
   */
  private static Outcome exactly(Engine engine, long needed, String export, long... args) {
    Outcome exact = FuelMeteringTest.call(instance(engine, new ArrayList<>()), SYNC.fuelGlobal(), needed, export, args);
    assertThat(exact.trap).as("%s with exactly %d", export, needed).isNull();
    assertThat(exact.after).as("%s with exactly %d", export, needed).isZero();

    Outcome short1 =
        FuelMeteringTest.call(instance(engine, new ArrayList<>()), SYNC.fuelGlobal(), needed - 1, export, args);
    assertThat(short1.trap).as("%s with %d", export, needed - 1).isInstanceOf(TrapException.class);
    assertThat(short1.exhausted()).as("%s with %d", export, needed - 1).isTrue();

    Outcome ample = FuelMeteringTest.call(instance(engine, new ArrayList<>()), SYNC.fuelGlobal(), BUDGET, export, args);
    assertThat(ample.trap).isNull();
    assertThat(ample.consumed).as("%s consumed", export).isEqualTo(needed);
    assertThat(ample.result).isEqualTo(exact.result);
    return ample;
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aHostFunctionReadsTheCurrentFuelAtEveryCall(Engine engine) {
    long[] c = cost("probes");
    for (int n : new int[] {0, 1, 3}) {
      List<Probe> probes = new ArrayList<>();
      Outcome outcome = FuelMeteringTest.call(instance(engine, probes), SYNC.fuelGlobal(), BUDGET, "probes", n);

      List<Probe> expected = new ArrayList<>();
      expected.add(new Probe(0, BUDGET - c[0]));
      for (int j = 1; j <= n; j++) {
        expected.add(new Probe(1, BUDGET - c[0] - j * c[1]));
      }
      expected.add(new Probe(2, BUDGET - c[0] - (n + 1) * c[1]));
      assertThat(probes).as("probes(%d)", n).isEqualTo(expected);
      assertThat(outcome.consumed).isEqualTo(c[0] + (n + 1) * c[1]);
      exactly(engine, c[0] + (n + 1) * c[1], "probes", n);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void fuelTheHostAddsDuringACallIsUsedByTheCaller(Engine engine) {
    long[] c = cost("probes");
    List<Probe> probes = new ArrayList<>();
    Instance instance = instance(engine, probes, fuel -> fuel + 1_000);

    Outcome outcome = FuelMeteringTest.call(instance, SYNC.fuelGlobal(), BUDGET, "probes", 4);

    // six probes, each adding 1000; the loop charges after each probe start from the refuelled global
    assertThat(probes).hasSize(6);
    for (int j = 1; j <= 4; j++) {
      assertThat(probes.get(j).fuel).isEqualTo(BUDGET - c[0] - j * c[1] + 1_000L * j);
    }
    assertThat(outcome.after).isEqualTo(BUDGET - c[0] - 5 * c[1] + 6_000);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void callsInsideLoopsAreSeenByTheCaller(Engine engine) {
    long[] c = cost("calls_in_loop");
    long leaf = cost("leaf")[0];
    for (int n : new int[] {0, 1, 7, 100}) {
      Outcome outcome = exactly(engine, c[0] + (n + 1) * c[1] + n * leaf, "calls_in_loop", n);
      assertThat(outcome.result).containsExactly(n);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void callIndirectToTheGuestAndToTheHost(Engine engine) {
    long[] c = cost("indirect");
    long leaf = cost("leaf")[0];
    for (int n : new int[] {0, 1, 4, 9}) {
      List<Probe> probes = new ArrayList<>();
      Outcome outcome = FuelMeteringTest.call(instance(engine, probes), SYNC.fuelGlobal(), BUDGET, "indirect", n);

      assertThat(outcome.result).containsExactly(n);
      List<Probe> expected = new ArrayList<>();
      for (int j = 1; j <= n; j++) {
        long current = n - j + 1; // n at the j-th iteration
        if (current % 2 == 1) {
          expected.add(new Probe(current, BUDGET - c[0] - j * c[1] - j * leaf));
        }
      }
      assertThat(probes).as("indirect(%d)", n).isEqualTo(expected);
      exactly(engine, c[0] + (n + 1) * c[1] + n * leaf, "indirect", n);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void recursion(Engine engine) {
    long rec = cost("rec")[0];
    for (int n : new int[] {0, 1, 10, 200}) {
      List<Probe> probes = new ArrayList<>();
      Outcome outcome = FuelMeteringTest.call(instance(engine, probes), SYNC.fuelGlobal(), BUDGET, "rec", n);

      assertThat(outcome.result).containsExactly(n);
      // the innermost call probes after all n + 1 calls have charged
      assertThat(probes).containsExactly(new Probe(4, BUDGET - (n + 1) * rec));
      exactly(engine, (n + 1) * rec, "rec", n);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void returnAndBrToTheFunctionFromInsideNestedBlocksAndLoops(Engine engine) {
    for (String export : List.of("nested_return", "nested_br")) {
      long[] c = cost(export);
      for (int n : new int[] {0, 1, 5}) {
        Outcome outcome = exactly(engine, c[0] + (n + 1) * c[1], export, n);
        assertThat(outcome.result).as(export).containsExactly(100 + n);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void brIfToTheFunctionFromALoop(Engine engine) {
    long[] c = cost("br_if_func");
    for (int n : new int[] {0, 1, 6}) {
      Outcome outcome = exactly(engine, c[0] + (n + 1) * c[1], "br_if_func", n);
      assertThat(outcome.result).containsExactly(n);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void brTableToTheFunctionToABlockAndToALoop(Engine engine) {
    long[] c = cost("br_table_func");
    for (int k : new int[] {0, 1, 2, 5}) {
      long iterations = Math.max(k, 1);
      long needed = c[0] + iterations * c[1];
      List<Probe> probes = new ArrayList<>();
      Outcome outcome = FuelMeteringTest.call(instance(engine, probes), SYNC.fuelGlobal(), BUDGET, "br_table_func", k);

      assertThat(outcome.consumed).as("br_table_func(%d)", k).isEqualTo(needed);
      // k = 0 returns through the table; otherwise the block is left and the probe sees all of it
      assertThat(probes).isEqualTo(k == 0 ? List.of() : List.of(new Probe(5, BUDGET - needed)));
      exactly(engine, needed, "br_table_func", k);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void multiValueResults(Engine engine) {
    long[] pair = cost("pair");
    long multi = cost("multi")[0];
    for (int n : new int[] {0, 2, 3, 6}) {
      long needed = pair[0] + (n + 1) * pair[1];
      long tenth = 10L * n + (n <= 2 ? 1 : 0); // returned by the end, by br_if or by return
      Outcome outcome = exactly(engine, needed, "pair", n);
      assertThat(outcome.result).containsExactly(n, tenth);

      Outcome swapped = exactly(engine, multi + needed, "multi", n);
      assertThat(swapped.result).containsExactly(tenth, n);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void pathsThatMeetWithTheFuelInDifferentPlaces(Engine engine) {
    long[] inLoop = cost("merge_in_loop");
    long[] thenLoop = cost("merge_then_loop");
    long leaf = cost("leaf")[0];
    for (int n : new int[] {0, 1, 2, 5, 8}) {
      long calls = (n + 1) / 2; // the odd values among n, n - 1, ..., 0
      Outcome outcome = exactly(engine, inLoop[0] + (n + 1) * inLoop[1] + calls * leaf, "merge_in_loop", n);
      assertThat(outcome.result).containsExactly(calls);

      long odd = n % 2;
      outcome = exactly(engine, thenLoop[0] + (n + 1) * thenLoop[1] + odd * leaf, "merge_then_loop", n);
      assertThat(outcome.result).containsExactly(odd + 2L * n);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aFunctionWithManyLocals(Engine engine) {
    int imported = MODULE.importSection().count(com.dylibso.chicory.wasm.types.ExternalType.FUNCTION);
    int index = FuelInstrumenterTest.exportIndex(MODULE, "many_locals") - imported;
    List<ValType> before = MODULE.codeSection().getFunctionBody(index).localTypes();
    assertThat(before).hasSize(127); // in 127 groups: they alternate i32 and i64
    for (int i = 1; i < before.size(); i++) {
      assertThat(before.get(i)).isNotEqualTo(before.get(i - 1));
    }
    List<ValType> after = Parser.parse(SYNC.bytes()).codeSection().getFunctionBody(index).localTypes();
    assertThat(after).hasSize(128).endsWith(ValType.I64); // the fuel local is local 128, after the parameter

    long[] c = cost("many_locals");
    long leaf = cost("leaf")[0];
    for (int n : new int[] {0, 1, 50}) {
      Outcome outcome = exactly(engine, c[0] + (n + 1) * c[1] + n * leaf, "many_locals", n);
      assertThat(outcome.result).containsExactly((long) n * (n - 1) / 2);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void tailCallsLeaveTheGlobalExact(Engine engine) {
    FuelInstrumenter.Instrumented tail = FuelInstrumenter.instrument(FuelInstrumenterTest.fuel("tail_calls"));
    WasmModule original = Parser.parse(FuelInstrumenterTest.fuel("tail_calls"));
    long step = FuelDecoderTest.costs(original.codeSection().getFunctionBody(0).instructions()).get(0);
    long bounce = FuelDecoderTest.costs(original.codeSection().getFunctionBody(1).instructions()).get(0);
    long sum = FuelDecoderTest.costs(original.codeSection().getFunctionBody(2).instructions()).get(0);
    Loaded loaded = new Loaded(tail.bytes(), engine);
    for (int n : new int[] {0, 1, 10}) {
      long needed = sum + (n + 1) * step + n * bounce;

      Outcome exact = FuelMeteringTest.call(loaded.instance(), tail.fuelGlobal(), needed, "sum", n);
      assertThat(exact.result).containsExactly((long) n * (n + 1) / 2);
      assertThat(exact.after).isZero();
      Outcome short1 = FuelMeteringTest.call(loaded.instance(), tail.fuelGlobal(), needed - 1, "sum", n);
      assertThat(short1.exhausted()).isTrue();
    }
  }

  @Test
  void theModuleIsCoveredByTheDecoderCheck() {
    // FuelDecoderTest checks every module under src/test/resources/fuel, this one included, with its
    // independent check of where the fuel is; run it here too so that this class stands alone.
    WasmModule after = Parser.parse(SYNC.bytes());
    int g = SYNC.fuelGlobalIndex();
    for (int f = 0; f < after.codeSection().functionBodyCount(); f++) {
      List<String> code = new ArrayList<>();
      after.codeSection().getFunctionBody(f).instructions().forEach(
          i -> code.add(i.opcode().name() + java.util.Arrays.toString(i.operands())));
      int params = after.typeSection().getType(after.functionSection().getFunctionType(f)).params().size();
      int l = params + after.codeSection().getFunctionBody(f).localTypes().size() - 1;
      FuelDecoderTest.checkFuelIsInPlace(code, g, l, "sync function " + f);
    }
  }
}
