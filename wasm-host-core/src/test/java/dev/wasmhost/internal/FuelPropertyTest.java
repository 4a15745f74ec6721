package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.ValType;
import dev.wasmhost.internal.FuelInstrumenterTest.Engine;
import dev.wasmhost.internal.FuelInstrumenterTest.Loaded;
import dev.wasmhost.internal.FuelMeteringTest.Outcome;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Properties: a call succeeds exactly when its budget covers what it consumes; consumed fuel bounds
 * the instructions executed; and random structured programs keep their results and consume exactly
 * the fuel the cost model predicts, in both engines.
 */
class FuelPropertyTest {
  private static final FuelInstrumenter.Instrumented FIB = FuelInstrumenter.instrument(FuelInstrumenterTest.wasm("fib"));
  private static final Map<Engine, Loaded> FIB_LOADED = new EnumMap<>(Engine.class);

  private static synchronized Loaded fib(Engine engine) {
    return FIB_LOADED.computeIfAbsent(engine, e -> new Loaded(FIB.bytes(), e));
  }

  private static long consumed(int n) {
    return FuelMeteringTest.FIB_CALL * FuelMeteringTest.fibCalls(n);
  }

  @Property(tries = 300)
  void aCallSucceedsIffTheBudgetCoversIt(
      @ForAll @IntRange(min = 0, max = 15) int n,
      @ForAll @IntRange(min = -300, max = 300) int offset,
      @ForAll Engine engine) {
    long budget = Math.max(0, consumed(n) + offset);

    Outcome outcome = FuelMeteringTest.call(fib(engine).instance(), FIB.fuelGlobal(), budget, "fib", n);

    if (budget >= consumed(n)) {
      assertThat(outcome.result).containsExactly(FuelMeteringTest.fib(n));
      assertThat(outcome.after).isEqualTo(budget - consumed(n));
    } else {
      assertThat(outcome.exhausted()).isTrue();
      assertThat(outcome.consumed).isEqualTo(budget);
    }
  }

  @Property(tries = 200)
  void anyBudgetFromZeroToPlenty(
      @ForAll @IntRange(min = 0, max = 15) int n,
      @ForAll @LongRange(min = 0, max = 40_000) long budget,
      @ForAll Engine engine) {
    Outcome outcome = FuelMeteringTest.call(fib(engine).instance(), FIB.fuelGlobal(), budget, "fib", n);

    assertThat(outcome.trap == null).isEqualTo(budget >= consumed(n));
    assertThat(outcome.exhausted()).isEqualTo(budget < consumed(n));
  }

  @Property(tries = 30)
  void fuelBoundsTheInstructionsTheInterpreterExecutes(@ForAll @IntRange(min = 0, max = 12) int n) {
    AtomicLong executed = new AtomicLong();
    Instance original =
        Instance.builder(com.dylibso.chicory.wasm.Parser.parse(FuelInstrumenterTest.wasm("fib")))
            .withUnsafeExecutionListener((instruction, stack) -> executed.incrementAndGet())
            .build();
    original.export("fib").apply(n);
    long fibExecuted = executed.getAndSet(0);
    original.export("sum").apply(n);
    long sumExecuted = executed.get();

    Instance metered = fib(Engine.INTERPRETER).instance();
    assertThat(FuelMeteringTest.call(metered, FIB.fuelGlobal(), 1L << 40, "fib", n).consumed)
        .isGreaterThanOrEqualTo(fibExecuted);
    assertThat(FuelMeteringTest.call(metered, FIB.fuelGlobal(), 1L << 40, "sum", n).consumed)
        .isGreaterThanOrEqualTo(sumExecuted);
  }

  // -------------------------------------------------------------------------------------------
  // Random structured programs.

  @Property(tries = 200)
  void randomProgramsKeepTheirResultsAndConsumeWhatTheModelPredicts(
      @ForAll long seed, @ForAll @IntRange(min = -50, max = 50) int x) {
    Program program = Program.random(new Random(seed));
    byte[] original = program.module();
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(original);
    long[] fuel = {0};
    List<Long> expectedProbes = new ArrayList<>();
    int expected = program.run(x, fuel, expectedProbes);

    AtomicLong executed = new AtomicLong();
    Instance plain =
        Instance.builder(com.dylibso.chicory.wasm.Parser.parse(original))
            .withImportValues(probe(null, null))
            .withUnsafeExecutionListener((instruction, stack) -> executed.incrementAndGet())
            .build();
    assertThat(plain.export("run").apply(x)).containsExactly(expected);
    assertThat(fuel[0]).isGreaterThanOrEqualTo(executed.get());

    long budget = 1L << 40;
    for (Engine engine : Engine.values()) {
      Loaded loaded = new Loaded(instrumented.bytes(), engine);
      List<Long> probes = new ArrayList<>();
      ImportValues imports = probe(instrumented.fuelGlobal(), probes);
      Outcome ample = FuelMeteringTest.call(loaded.instance(imports), instrumented.fuelGlobal(), budget, "run", x);
      assertThat(ample.result).as(engine.name()).containsExactly(expected);
      assertThat(ample.consumed).as(engine.name()).isEqualTo(fuel[0]);
      // the host saw, at each probe, exactly the fuel consumed so far
      assertThat(probes.stream().map(p -> budget - p)).as(engine.name()).containsExactlyElementsOf(expectedProbes);

      Outcome exact = FuelMeteringTest.call(loaded.instance(imports), instrumented.fuelGlobal(), fuel[0], "run", x);
      assertThat(exact.result).containsExactly(expected);
      assertThat(exact.after).isZero();
      Outcome short1 = FuelMeteringTest.call(loaded.instance(imports), instrumented.fuelGlobal(), fuel[0] - 1, "run", x);
      assertThat(short1.exhausted()).isTrue();
    }
  }

  /** The import {@code env.probe(i32)}: records the fuel global, if there is one, into {@code probes}. */
  private static ImportValues probe(String fuelGlobal, List<Long> probes) {
    return ImportValues.builder()
        .addFunction(
            new HostFunction(
                "env",
                "probe",
                FunctionType.of(List.of(ValType.I32), List.of()),
                (instance, args) -> {
                  if (fuelGlobal != null) {
                    probes.add(FuelInstrumenter.fuel(instance, fuelGlobal));
                  }
                  return null;
                }))
        .build();
  }

  /**
   * {@code run(acc: i32) -> i32} built from statements over {@code acc}, with a mirror evaluator
   * that also adds up the fuel the cost model charges: each region's instruction count, at function
   * entry, at every loop body entry, and at every call of the helper {@code acc * 3 + 1}. The
   * statements include early exits by {@code return} and by {@code br_if} to the function's label, and
   * calls of the host's {@code env.probe}, which reads the fuel global: the evaluator records the fuel
   * consumed at each.
   */
  static final class Program {
    /** The helper: local.get, i32.const, i32.mul, i32.const, i32.add, end. */
    static final long HELPER_COST = 6;

    final List<Stmt> body;
    final int loops;
    long cost; // of the function's own region, known once emitted

    Program(List<Stmt> body, int loops) {
      this.body = body;
      this.loops = loops;
    }

    static Program random(Random random) {
      int[] loops = {0};
      List<Stmt> body = statements(random, 3, loops);
      return new Program(body, loops[0]);
    }

    private static List<Stmt> statements(Random random, int depth, int[] loops) {
      List<Stmt> list = new ArrayList<>();
      int count = random.nextInt(4) + (depth == 3 ? 1 : 0);
      for (int i = 0; i < count; i++) {
        int kind = depth == 0 ? new int[] {0, 1, 2, 7, 8}[random.nextInt(5)] : random.nextInt(9);
        switch (kind) {
          case 0:
            list.add(new Stmt(Kind.ADD, random.nextInt(2001) - 1000));
            break;
          case 1:
            list.add(new Stmt(Kind.CALL, 0));
            break;
          case 2:
            list.add(new Stmt(Kind.EARLY_RETURN, 0));
            break;
          case 3:
          case 4: {
            Stmt loop = new Stmt(Kind.LOOP, random.nextInt(4));
            loop.counter = 1 + loops[0]++;
            loop.first = statements(random, depth - 1, loops);
            list.add(loop);
            break;
          }
          case 7:
            list.add(new Stmt(Kind.EARLY_BR, 0));
            break;
          case 8:
            list.add(new Stmt(Kind.PROBE, 0));
            break;
          case 5: {
            Stmt branch = new Stmt(Kind.IF, 0);
            branch.first = statements(random, depth - 1, loops);
            branch.second = statements(random, depth - 1, loops);
            list.add(branch);
            break;
          }
          default: {
            Stmt block = new Stmt(Kind.BLOCK, 0);
            block.first = statements(random, depth - 1, loops);
            block.second = statements(random, depth - 1, loops);
            list.add(block);
          }
        }
      }
      return list;
    }

    /**
     * Runs the program in Java; adds the fuel it would consume to {@code fuel[0]}, and the fuel
     * consumed so far at each probe to {@code probes}.
     */
    int run(int x, long[] fuel, List<Long> probes) {
      int[] acc = {x};
      int[] counters = new int[loops + 1];
      fuel[0] += cost;
      try {
        run(body, acc, counters, fuel, probes);
      } catch (Returned r) {
        return acc[0];
      }
      return acc[0];
    }

    private static void run(List<Stmt> list, int[] acc, int[] counters, long[] fuel, List<Long> probes) {
      for (Stmt s : list) {
        switch (s.kind) {
          case ADD:
            acc[0] += s.value;
            break;
          case CALL:
            fuel[0] += HELPER_COST;
            acc[0] = acc[0] * 3 + 1;
            break;
          case EARLY_RETURN:
            if (Integer.remainderUnsigned(acc[0], 7) == 0) {
              throw new Returned();
            }
            break;
          case EARLY_BR:
            if (Integer.remainderUnsigned(acc[0], 5) == 0) {
              throw new Returned();
            }
            break;
          case PROBE:
            probes.add(fuel[0]);
            break;
          case LOOP:
            counters[s.counter] = s.value;
            while (true) {
              fuel[0] += s.cost;
              if (counters[s.counter] == 0) {
                break;
              }
              run(s.first, acc, counters, fuel, probes);
              counters[s.counter]--;
            }
            break;
          case IF:
            run((acc[0] & 1) != 0 ? s.first : s.second, acc, counters, fuel, probes);
            break;
          case BLOCK:
            run(s.first, acc, counters, fuel, probes);
            if ((acc[0] & 3) != 0) {
              run(s.second, acc, counters, fuel, probes);
            }
            break;
          default:
            throw new AssertionError(s.kind);
        }
      }
    }

    /** The module's bytes; also sets each region's cost. */
    byte[] module() {
      Code code = new Code();
      if (loops == 0) {
        code.bytes.write(0); // no locals
      } else {
        code.bytes.write(1); // one group of locals: the loop counters
        FuelInstrumenterTest.uleb(code.bytes, loops);
        code.bytes.write(0x7F);
      }
      long[] region = {0};
      emit(body, code, region, 0);
      code.op(region, 0x20, 0); // local.get acc
      code.op(region, 0x0B); // end
      cost = region[0];
      byte[] helper = FuelInstrumenterTest.bytesOf(0, 0x20, 0, 0x41, 3, 0x6C, 0x41, 1, 0x6A, 0x0B);

      ByteArrayOutputStream module = new ByteArrayOutputStream();
      module.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
      section(module, 1, FuelInstrumenterTest.bytesOf(2, 0x60, 1, 0x7F, 1, 0x7F, 0x60, 1, 0x7F, 0));
      byte[] env = "env".getBytes(StandardCharsets.UTF_8);
      byte[] probe = "probe".getBytes(StandardCharsets.UTF_8);
      section(module, 2, FuelInstrumenterTest.concat(FuelInstrumenterTest.bytesOf(1, env.length), env,
          FuelInstrumenterTest.bytesOf(probe.length), probe, FuelInstrumenterTest.bytesOf(0, 1)));
      section(module, 3, FuelInstrumenterTest.bytesOf(2, 0, 0));
      byte[] run = "run".getBytes(StandardCharsets.UTF_8);
      section(module, 7, FuelInstrumenterTest.concat(FuelInstrumenterTest.bytesOf(1, run.length), run,
          FuelInstrumenterTest.bytesOf(0, 1)));
      ByteArrayOutputStream bodies = new ByteArrayOutputStream();
      FuelInstrumenterTest.uleb(bodies, 2);
      byte[] main = code.bytes.toByteArray();
      FuelInstrumenterTest.uleb(bodies, main.length);
      bodies.writeBytes(main);
      FuelInstrumenterTest.uleb(bodies, helper.length);
      bodies.writeBytes(helper);
      section(module, 10, bodies.toByteArray());
      return module.toByteArray();
    }

    /** {@code depth}: the blocks, loops and ifs around {@code list}, so the function's label is depth. */
    private static void emit(List<Stmt> list, Code code, long[] region, int depth) {
      for (Stmt s : list) {
        switch (s.kind) {
          case ADD:
            code.op(region, 0x20, 0);
            code.op(region, 0x41);
            sleb(code.bytes, s.value);
            code.op(region, 0x6A); // i32.add
            code.op(region, 0x21, 0);
            break;
          case CALL:
            code.op(region, 0x20, 0);
            code.op(region, 0x10, 2); // the helper
            code.op(region, 0x21, 0);
            break;
          case EARLY_RETURN:
            code.op(region, 0x20, 0);
            code.op(region, 0x41, 7);
            code.op(region, 0x70); // i32.rem_u
            code.op(region, 0x45); // i32.eqz
            code.op(region, 0x04, 0x40);
            code.op(region, 0x20, 0);
            code.op(region, 0x0F); // return
            code.op(region, 0x0B);
            break;
          case EARLY_BR:
            code.op(region, 0x20, 0); // the result, if the branch is taken
            code.op(region, 0x20, 0);
            code.op(region, 0x41, 5);
            code.op(region, 0x70); // i32.rem_u
            code.op(region, 0x45); // i32.eqz
            code.op(region, 0x0D, depth); // br_if to the function's label
            code.op(region, 0x1A); // drop
            break;
          case PROBE:
            code.op(region, 0x20, 0);
            code.op(region, 0x10, 0); // env.probe
            break;
          case LOOP: {
            code.op(region, 0x41, s.value);
            code.op(region, 0x21, s.counter);
            code.op(region, 0x02, 0x40); // block
            code.op(region, 0x03, 0x40); // loop
            long[] inner = {0};
            code.op(inner, 0x20, s.counter);
            code.op(inner, 0x45); // i32.eqz
            code.op(inner, 0x0D, 1); // br_if to the block: done
            emit(s.first, code, inner, depth + 2);
            code.op(inner, 0x20, s.counter);
            code.op(inner, 0x41, 1);
            code.op(inner, 0x6B); // i32.sub
            code.op(inner, 0x21, s.counter);
            code.op(inner, 0x0C, 0); // br to the loop
            code.op(inner, 0x0B); // end of the loop
            s.cost = inner[0];
            code.op(region, 0x0B); // end of the block
            break;
          }
          case IF:
            code.op(region, 0x20, 0);
            code.op(region, 0x41, 1);
            code.op(region, 0x71); // i32.and
            code.op(region, 0x04, 0x40);
            emit(s.first, code, region, depth + 1);
            code.op(region, 0x05); // else
            emit(s.second, code, region, depth + 1);
            code.op(region, 0x0B);
            break;
          case BLOCK:
            code.op(region, 0x02, 0x40);
            emit(s.first, code, region, depth + 1);
            code.op(region, 0x20, 0);
            code.op(region, 0x41, 3);
            code.op(region, 0x71); // i32.and
            code.op(region, 0x45); // i32.eqz
            code.op(region, 0x0D, 0); // br_if out of the block
            emit(s.second, code, region, depth + 1);
            code.op(region, 0x0B);
            break;
          default:
            throw new AssertionError(s.kind);
        }
      }
    }

    @Override
    public String toString() {
      return body.toString();
    }
  }

  enum Kind {
    ADD,
    CALL,
    EARLY_RETURN,
    EARLY_BR,
    PROBE,
    LOOP,
    IF,
    BLOCK
  }

  static final class Stmt {
    final Kind kind;
    final int value;
    int counter;
    List<Stmt> first = List.of();
    List<Stmt> second = List.of();
    long cost;

    Stmt(Kind kind, int value) {
      this.kind = kind;
      this.value = value;
    }

    @Override
    public String toString() {
      return kind + "(" + value + ")" + (first.isEmpty() ? "" : first) + (second.isEmpty() ? "" : second);
    }
  }

  private static final class Returned extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Returned() {
      super(null, null, false, false);
    }
  }

  /** A function body being written, with one instruction counted per opcode. */
  private static final class Code {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    /** Writes an opcode and small (one-byte) immediates; counts one instruction in the region. */
    void op(long[] region, int opcode, int... immediates) {
      region[0]++;
      bytes.write(opcode);
      for (int immediate : immediates) {
        FuelInstrumenterTest.uleb(bytes, immediate);
      }
    }
  }

  private static void section(ByteArrayOutputStream module, int id, byte[] contents) {
    module.write(id);
    FuelInstrumenterTest.uleb(module, contents.length);
    module.writeBytes(contents);
  }

  private static void sleb(ByteArrayOutputStream out, long value) {
    long v = value;
    while (true) {
      int b = (int) (v & 0x7F);
      v >>= 7;
      boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
      out.write(done ? b : b | 0x80);
      if (done) {
        return;
      }
    }
  }
}
