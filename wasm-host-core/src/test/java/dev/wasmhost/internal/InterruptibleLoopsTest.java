package dev.wasmhost.internal;

import static dev.wasmhost.internal.FuelInstrumenterTest.bytesOf;
import static dev.wasmhost.internal.FuelInstrumenterTest.concat;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.runtime.ChicoryInterruptedException;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.Instruction;
import com.dylibso.chicory.wasm.types.OpCode;
import dev.wasmhost.internal.FuelInstrumenterTest.Engine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The loop rewrite: Chicory decodes every rewritten module as the original with {@code block br 0
 * end} after exactly the loops a conditional branch targets (found here from Chicory's own decoding),
 * modules without such loops come back as the same array, rewritten modules give the results and
 * consume the fuel of the originals, and their endless loops stop when the thread is interrupted in
 * Chicory's interpreter, where the originals' do not.
 */
class InterruptibleLoopsTest {

  /**
   * GC: a loop repeated by {@code br_on_cast}, with a local of a two-byte reference type. {@code
   * f(0)} returns 1; any other argument loops for ever.
   *
   * <pre>
   * (type $t (func (param (ref i31)) (result (ref i31))))
   * (func (export "f") (param i32) (result i32) (local (ref null i31))
   *   (ref.i31 (i32.const 0))
   *   (loop $l (type $t)
   *     drop
   *     (if (result anyref) (local.get 0) (then (ref.i31 (i32.const 7))) (else (ref.null any)))
   *     (br_on_cast $l anyref (ref i31))
   *     drop
   *     (ref.i31 (i32.const 1)))
   *   i31.get_s)</pre>
   */
  static final byte[] GC_LOOP =
      module(
          bytesOf(2, 0x60, 1, 0x64, 0x6C, 1, 0x64, 0x6C, 0x60, 1, 0x7F, 1, 0x7F),
          1,
          null,
          bytesOf(
              0x01, 0x01, 0x63, 0x6C, 0x41, 0x00, 0xFB, 0x1C, 0x03, 0x00, 0x1A, 0x20, 0x00, 0x04, 0x6E, 0x41, 0x07,
              0xFB, 0x1C, 0x05, 0xD0, 0x6E, 0x0B, 0xFB, 0x18, 0x01, 0x00, 0x6E, 0x6C, 0x1A, 0x41, 0x01, 0xFB,
              0x1C, 0x0B, 0xFB, 0x1D, 0x0B));

  /**
   * Exception handling: a loop repeated by a {@code try_table}'s catch clause. {@code f(0)} returns
   * 5; any other argument throws and catches for ever.
   *
   * <pre>
   * (tag $e)
   * (func (export "f") (param i32) (result i32)
   *   (loop $l
   *     (try_table (catch_all $l)
   *       (if (local.get 0) (then (throw $e)))))
   *   (i32.const 5))</pre>
   */
  static final byte[] TRY_TABLE_LOOP =
      module(
          bytesOf(2, 0x60, 1, 0x7F, 1, 0x7F, 0x60, 0, 0),
          0,
          bytesOf(1, 0, 1),
          bytesOf(
              0x00, 0x03, 0x40, 0x1F, 0x40, 0x01, 0x02, 0x00, 0x20, 0x00, 0x04, 0x40, 0x08, 0x00, 0x0B, 0x0B, 0x0B,
              0x41, 0x05, 0x0B));

  /** fib.wasm with one bit flipped: sum's br_if leaves its loop no more but repeats it (ConditionalLoopDeadlineTest). */
  static byte[] fibMutant() {
    byte[] bytes = FuelInstrumenterTest.wasm("fib");
    bytes[89] ^= 1;
    return bytes;
  }

  /**
   * loop_params.wasm with the end of {@code fib}'s loop overwritten by {@code unreachable}: a body
   * that ends with a block left open, which Chicory accepts (ConditionalLoopDeadlineTest).
   */
  static byte[] loopLeftOpen() {
    byte[] bytes = FuelInstrumenterTest.wasm("loop_params");
    bytes[104] = 0x00;
    return bytes;
  }

  /**
   * A function whose body goes on after its final end, which Chicory accepts and never runs: {@code
   * f()} returns 7.
   */
  static final byte[] CODE_AFTER_THE_END =
      module(bytesOf(1, 0x60, 0, 1, 0x7F), 0, null, bytesOf(0x00, 0x41, 0x07, 0x0B, 0x03, 0x40, 0x0C, 0x00, 0x0B));

  /** One function of type {@code functionType}, exported as "f", and a tag section if given. */
  private static byte[] module(byte[] types, int functionType, byte[] tags, byte[] body) {
    return concat(
        bytesOf(0, 'a', 's', 'm', 1, 0, 0, 0),
        FuelInstrumenterTest.section(1, types),
        FuelInstrumenterTest.section(3, bytesOf(1, functionType)),
        tags == null ? new byte[0] : FuelInstrumenterTest.section(13, tags),
        FuelInstrumenterTest.section(7, bytesOf(1, 1, 'f', 0, 0)),
        FuelInstrumenterTest.section(10, concat(bytesOf(1, body.length), body)));
  }

  /** Every valid module the tests have, by name: testdata, the fuel and extra modules, SQLite, the ones above. */
  static Map<String, byte[]> validModules() {
    Map<String, byte[]> modules = new LinkedHashMap<>();
    for (String dir : List.of("../testdata/wasm", "src/test/resources/fuel", "src/test/resources/wasm-extra")) {
      try (Stream<Path> files = Files.list(Path.of(dir))) {
        for (Path file : files.filter(p -> p.toString().endsWith(".wasm") && !p.endsWith("invalid.wasm")).sorted().toList()) {
          modules.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    try {
      modules.put("sqlite_bench.wasm", Files.readAllBytes(Path.of("../testdata/large/sqlite_bench.wasm")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    modules.put("fib mutant", fibMutant());
    modules.put("GC loop", GC_LOOP);
    modules.put("try_table loop", TRY_TABLE_LOOP);
    modules.put("loop left open", loopLeftOpen());
    modules.put("code after the end", CODE_AFTER_THE_END);
    return modules;
  }

  @Example
  void chicoryDecodesEveryRewriteAsTheOriginalWithChecksAfterTheConditionallyRepeatedLoops() {
    int rewritten = 0;
    for (Map.Entry<String, byte[]> entry : validModules().entrySet()) {
      checkRewrite(entry.getKey(), entry.getValue());
      byte[] metered;
      try {
        metered = FuelInstrumenter.instrument(entry.getValue()).bytes();
      } catch (IllegalArgumentException e) {
        continue; // exception handling and GC are not metered
      }
      rewritten += checkRewrite(entry.getKey() + ", metered", metered) > 0 ? 1 : 0;
    }
    assertThat(rewritten).as("metered modules with conditionally repeated loops").isGreaterThanOrEqualTo(4);
  }

  /**
   * Rewrites {@code original} and checks the result against Chicory's decoding of both; returns how
   * many checks were inserted.
   */
  private static int checkRewrite(String name, byte[] original) {
    byte[] rewritten = InterruptibleLoops.rewrite(original);
    WasmModule before = Parser.parse(original);
    WasmModule after = Parser.parse(rewritten); // validates every body
    int inserted = 0;
    FunctionBody[] bodies = before.codeSection().functionBodies();
    for (int f = 0; f < bodies.length; f++) {
      List<? extends Instruction> instructions = bodies[f].instructions();
      boolean[] targeted = conditionallyRepeatedLoops(instructions);
      List<String> expected = new ArrayList<>();
      int loop = 0;
      for (Instruction instruction : instructions) {
        expected.add(text(instruction));
        if (instruction.opcode() == OpCode.LOOP && targeted[loop++]) {
          expected.addAll(List.of("BLOCK [64]", "BR [0]", "END []"));
          inserted++;
        }
      }
      List<String> actual = after.codeSection().getFunctionBody(f).instructions().stream().map(InterruptibleLoopsTest::text).toList();
      assertThat(actual).as("%s, function %d", name, f).isEqualTo(expected);
      assertThat(after.codeSection().getFunctionBody(f).localTypes()).isEqualTo(bodies[f].localTypes());
    }
    if (inserted == 0) {
      assertThat(rewritten).as(name).isSameAs(original);
    } else {
      Map<Integer, List<byte[]>> sectionsBefore = FuelInstrumenterTest.sections(original);
      Map<Integer, List<byte[]>> sectionsAfter = FuelInstrumenterTest.sections(rewritten);
      assertThat(sectionsAfter.keySet()).as(name).containsExactlyElementsOf(sectionsBefore.keySet());
      for (int id : sectionsBefore.keySet()) {
        if (id != 10) {
          assertThat(sectionsAfter.get(id)).as("%s, section %d", name, id).usingElementComparator(Arrays::compare)
              .containsExactlyElementsOf(sectionsBefore.get(id));
        }
      }
    }
    assertThat(CodeFeatures.of(original).uncheckedLoops()).as(name).isEqualTo(inserted > 0);
    return inserted;
  }

  private static String text(Instruction instruction) {
    return instruction.opcode() + " " + Arrays.toString(instruction.operands());
  }

  /**
   * Which loops of a body (in order) a conditional branch targets, from Chicory's decoding: the
   * oracle for the rewrite's own walk.
   */
  static boolean[] conditionallyRepeatedLoops(List<? extends Instruction> instructions) {
    int loops = (int) instructions.stream().filter(i -> i.opcode() == OpCode.LOOP).count();
    boolean[] targeted = new boolean[loops];
    Deque<Integer> open = new ArrayDeque<>(); // innermost first: a loop's number, or -1
    open.push(-1); // the function
    int loop = 0;
    for (Instruction instruction : instructions) {
      long[] operands = instruction.operands();
      List<Long> labels = new ArrayList<>();
      switch (instruction.opcode()) {
        case BLOCK, IF -> open.push(-1);
        case LOOP -> open.push(loop++);
        case TRY_TABLE -> { // block type, count, then per clause: kind, a tag for kinds 0 and 1, label
          for (int i = 2; i < operands.length; i++) {
            if (operands[i] <= 1) {
              i++;
            }
            labels.add(operands[++i]);
          }
        }
        case END -> open.pop();
        case BR_IF, BR_ON_NULL, BR_ON_NON_NULL -> labels.add(operands[0]);
        case BR_TABLE -> Arrays.stream(operands).forEach(labels::add);
        case BR_ON_CAST, BR_ON_CAST_FAIL -> labels.add(operands[1]);
        default -> {}
      }
      for (long label : labels) {
        int target = open.stream().skip(label).findFirst().orElseThrow();
        if (target >= 0) {
          targeted[target] = true;
        }
      }
      if (instruction.opcode() == OpCode.TRY_TABLE) {
        open.push(-1);
      }
    }
    return targeted;
  }

  @Example
  void theEndlessLoopsOfRewrittenModulesStopWhenTheThreadIsInterrupted() throws Exception {
    record Endless(String name, byte[] module, String export, long... args) {}
    List<Endless> endless =
        List.of(
            new Endless("fib mutant", fibMutant(), "sum", 0),
            new Endless("br_table", FuelInstrumenterTest.wasm("loop_br_table"), "spin"),
            new Endless("loop with parameters", FuelInstrumenterTest.wasm("loop_params"), "spin", 1),
            new Endless("GC", GC_LOOP, "f", 1),
            new Endless("try_table", TRY_TABLE_LOOP, "f", 1),
            new Endless("a module with a loop left open", loopLeftOpen(), "spin", 1));
    for (Endless loop : endless) {
      Instance instance = Instance.builder(Parser.parse(InterruptibleLoops.rewrite(loop.module()))).build();
      AtomicReference<Throwable> ended = new AtomicReference<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  instance.export(loop.export()).apply(loop.args());
                  ended.set(new AssertionError("returned"));
                } catch (Throwable t) {
                  ended.set(t);
                }
              });
      thread.setDaemon(true); // if the interrupt is missed, it spins until the JVM exits
      thread.start();
      Thread.sleep(50);
      thread.interrupt();
      thread.join(10_000);
      assertThat(ended.get()).as(loop.name()).isInstanceOf(ChicoryInterruptedException.class);
    }
  }

  @Example
  void theHandBuiltModulesGiveTheirResults() {
    assertThat(run(InterruptibleLoops.rewrite(GC_LOOP), Engine.INTERPRETER, "f", 0)).isEqualTo(1);
    assertThat(run(InterruptibleLoops.rewrite(TRY_TABLE_LOOP), Engine.INTERPRETER, "f", 0)).isEqualTo(5);
    assertThat(run(InterruptibleLoops.rewrite(CODE_AFTER_THE_END), Engine.INTERPRETER, "f")).isEqualTo(7);
  }

  /** The testdata modules' exports give the same results (or traps) before and after the rewrite. */
  @Example
  void rewrittenTestdataModulesBehaveLikeTheOriginals() throws IOException {
    for (String name : List.of("loop_br_table", "loop_params", "fib", "traps", "numbers", "pricing")) {
      byte[] original = FuelInstrumenterTest.wasm(name);
      for (Engine engine : Engine.values()) {
        assertThat(FuelInstrumenterTest.exercise(name, InterruptibleLoops.rewrite(original), engine))
            .as("%s in the %s", name, engine)
            .isEqualTo(FuelInstrumenterTest.exercise(name, original, engine));
      }
    }
    assertThat(run(FuelInstrumenterTest.wasm("loop_params"), Engine.INTERPRETER, "fib", 50)).isEqualTo(12_586_269_025L);
    assertThat(run(FuelInstrumenterTest.wasm("loop_br_table"), Engine.INTERPRETER, "sum_to", 100)).isEqualTo(5050);
  }

  private static long run(byte[] module, Engine engine, String export, long... args) {
    return new FuelInstrumenterTest.Loaded(module, engine).instance().export(export).apply(args)[0];
  }

  /**
   * Damaged modules that Chicory still accepts, which includes some that are not valid WebAssembly
   * (such as {@link #loopLeftOpen}): whenever the rewrite succeeds, Chicory accepts its result too, so
   * making loops interruptible never makes a module that loaded fail to load.
   */
  @Property(tries = 5000)
  void whatChicoryAcceptsItAcceptsRewritten(@ForAll long seed) {
    Random random = new Random(seed);
    List<byte[]> seeds =
        List.of(FuelInstrumenterTest.wasm("loop_br_table"), FuelInstrumenterTest.wasm("loop_params"), fibMutant(),
            GC_LOOP, TRY_TABLE_LOOP);
    byte[] module = seeds.get(random.nextInt(seeds.size())).clone();
    int[] code = CodeBodies.codeSection(module);
    for (int i = 1 + random.nextInt(3); i > 0; i--) { // damage the code section, where the rewrite works
      module[code[1] + random.nextInt(code[2] - code[1])] = (byte) random.nextInt(256);
    }
    try {
      Parser.parse(module);
    } catch (RuntimeException | AssertionError e) {
      return; // rejected: the loader never rewrites it
    }
    byte[] rewritten;
    try {
      rewritten = InterruptibleLoops.rewrite(module);
    } catch (RuntimeException e) {
      return; // the loader keeps the module as it is
    }
    Parser.parse(rewritten);
  }

  // -------------------------------------------------------------------------------------------
  // Random programs.

  @Property(tries = 150)
  void randomProgramsKeepTheirResultsAndTheirFuel(@ForAll long seed, @ForAll @IntRange(min = -1000, max = 1000) int x) {
    Program program = new Program(new Random(seed));
    byte[] original = program.module();
    byte[] rewritten = InterruptibleLoops.rewrite(original);
    assertThat(checkRewrite("program " + seed, original)).isEqualTo(program.conditionalLoops);

    // As an int: Chicory's interpreter may hand back an i32 result without narrowing it.
    int expected = (int) run(original, Engine.INTERPRETER, "run", x);
    assertThat((int) run(rewritten, Engine.INTERPRETER, "run", x)).isEqualTo(expected);
    assertThat((int) run(rewritten, Engine.COMPILER, "run", x)).isEqualTo(expected);

    // Rewritten after metering, as the loader does: the inserted checks cost nothing.
    FuelInstrumenter.Instrumented metered = FuelInstrumenter.instrument(original);
    long budget = 1L << 40;
    FuelMeteringTest.Outcome plain =
        FuelMeteringTest.call(new FuelInstrumenterTest.Loaded(metered.bytes(), Engine.INTERPRETER).instance(),
            metered.fuelGlobal(), budget, "run", x);
    for (Engine engine : Engine.values()) {
      FuelMeteringTest.Outcome checked =
          FuelMeteringTest.call(new FuelInstrumenterTest.Loaded(InterruptibleLoops.rewrite(metered.bytes()), engine).instance(),
              metered.fuelGlobal(), budget, "run", x);
      assertThat((int) checked.result[0]).as("%s", engine).isEqualTo(expected);
      assertThat(checked.consumed).as("%s", engine).isEqualTo(plain.consumed).isPositive();
    }
  }

  /**
   * {@code run(acc: i32) -> i32}: random statements over {@code acc}, with loops that run one to four
   * times and repeat by {@code br_if}, by {@code br_table}, by {@code br_if} from a block nested in
   * the loop, or by {@code br} (which needs no check), some carrying {@code acc} as a parameter. Some
   * functions also declare locals of two-byte reference types, which the walk must skip whole.
   */
  static final class Program {
    private final Random random;
    private final ByteArrayOutputStream code = new ByteArrayOutputStream();
    private int counters;
    int conditionalLoops;

    Program(Random random) {
      this.random = random;
    }

    byte[] module() {
      statements(3);
      code.write(0x20); // local.get acc
      code.write(0);
      code.write(0x0B);
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      boolean references = random.nextBoolean();
      body.write((counters > 0 ? 1 : 0) + (references ? 2 : 0));
      if (counters > 0) {
        body.writeBytes(bytesOf(counters, 0x7F)); // the loop counters, i32
      }
      if (references) {
        body.writeBytes(bytesOf(1, 0x63, 0x70)); // (ref null func)
        body.writeBytes(bytesOf(2, 0x63, 0x00)); // (ref null $type0)
      }
      body.writeBytes(code.toByteArray());
      ByteArrayOutputStream bodies = new ByteArrayOutputStream();
      FuelInstrumenterTest.uleb(bodies, 1);
      FuelInstrumenterTest.uleb(bodies, body.size());
      bodies.writeBytes(body.toByteArray());
      ByteArrayOutputStream module = new ByteArrayOutputStream();
      module.writeBytes(bytesOf(0, 'a', 's', 'm', 1, 0, 0, 0));
      module.writeBytes(FuelInstrumenterTest.section(1, bytesOf(1, 0x60, 1, 0x7F, 1, 0x7F))); // (i32) -> i32
      module.writeBytes(FuelInstrumenterTest.section(3, bytesOf(1, 0)));
      module.writeBytes(FuelInstrumenterTest.section(7, concat(bytesOf(1, 3), "run".getBytes(), bytesOf(0, 0))));
      module.write(10);
      FuelInstrumenterTest.uleb(module, bodies.size());
      module.writeBytes(bodies.toByteArray());
      return module.toByteArray();
    }

    private void statements(int depth) {
      int count = 1 + random.nextInt(3);
      for (int i = 0; i < count; i++) {
        int kind = depth == 0 ? random.nextInt(3) : random.nextInt(7);
        switch (kind) {
          case 0 -> op(0x20, 0, 0x41, random.nextInt(64), 0x6A, 0x21, 0); // acc += k
          case 1 -> op(0x20, 0, 0x20, 0, 0x41, 7, 0x76, 0x73, 0x41, 31, 0x6C, 0x21, 0); // acc = (acc ^ acc >>> 7) * 31
          case 2 -> op(0x20, 0, 0x41, 7, 0x70, 0x45, 0x04, 0x40, 0x20, 0, 0x0F, 0x0B); // if acc % 7 == 0: return acc
          case 3 -> { // if acc & 1 ... else ... end
            op(0x20, 0, 0x41, 1, 0x71, 0x04, 0x40);
            statements(depth - 1);
            op(0x05);
            statements(depth - 1);
            op(0x0B);
          }
          case 4 -> { // block ... br_if 0 (acc & 3 == 0) ... end
            op(0x02, 0x40);
            statements(depth - 1);
            op(0x20, 0, 0x41, 3, 0x71, 0x45, 0x0D, 0);
            statements(depth - 1);
            op(0x0B);
          }
          default -> loop(depth);
        }
      }
    }

    /** {@code block (loop ... counter -= 1; repeat while counter >= 0) end}, run 1 to 4 times. */
    private void loop(int depth) {
      int counter = 1 + counters++;
      int repeat = random.nextInt(4); // 0: br_if, 1: br_table, 2: br_if from a nested block, 3: br
      boolean carries = repeat == 0 && random.nextBoolean(); // a loop (param i32) (result i32) with acc
      op(0x41, random.nextInt(4), 0x21, counter);
      op(0x02, 0x40);
      if (carries) {
        op(0x20, 0, 0x03, 0x00, 0x21, 0); // local.get acc, loop (type 0), local.set acc
      } else {
        op(0x03, 0x40);
      }
      statements(depth - 1);
      if (carries) {
        op(0x20, 0); // the loop's value
      }
      if (repeat == 2) {
        op(0x02, 0x40); // a block sees none of the values outside it: the condition is computed inside
      }
      op(0x20, counter, 0x41, 1, 0x6B, 0x22, counter, 0x41, 0, 0x4E); // counter - 1, tee, >= 0
      switch (repeat) {
        case 0 -> op(0x0D, 0);
        case 1 -> op(0x0E, 2, 1, 0, 1); // 0: leave (the block), 1: repeat, default: leave
        case 2 -> op(0x0D, 1, 0x0B);
        default -> op(0x04, 0x40, 0x0C, 1, 0x0B);
      }
      conditionalLoops += repeat < 3 ? 1 : 0;
      op(0x0B); // end of the loop
      if (carries) {
        op(0x21, 0); // its result is acc
      }
      op(0x0B); // end of the block
    }

    private void op(int... bytes) {
      code.writeBytes(bytesOf(bytes));
    }
  }
}
