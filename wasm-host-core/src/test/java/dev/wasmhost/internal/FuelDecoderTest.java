package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.OpCode;
import com.dylibso.chicory.wasm.types.ValType;
import com.dylibso.chicory.wasm.types.WasmEncoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The instrumenter's decoder, checked against Chicory's: every opcode Chicory knows is skipped with
 * exactly its immediates, and the instrumented bodies Chicory decodes are the original instructions
 * with charges inserted where the design says, costing what the design says.
 */
class FuelDecoderTest {

  /**
   * Every opcode Chicory knows, exception handling and GC included: the walk that finds loops for
   * {@link CodeFeatures} and {@link InterruptibleLoops} must not stop at them. (Metering itself
   * rejects those two, in its own walk: see FuelInstrumenterTest.)
   */
  @Test
  void everyChicoryOpcodeIsSkippedWithExactlyItsImmediates() {
    int checked = 0;
    for (OpCode op : OpCode.values()) {
      for (byte[] encoded : encodings(op)) {
        byte[] withSentinel = Arrays.copyOf(encoded, encoded.length + 1);
        withSentinel[encoded.length] = 0x0B;
        assertThat(FuelInstrumenter.skipInstruction(withSentinel, 0, withSentinel.length))
            .as("%s encoded as %s", op, hex(encoded))
            .isEqualTo(encoded.length);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(490); // MVP, 0xFC, SIMD, threads, tail calls, typed references, EH, GC
  }

  @Test
  void legacyExceptionOpcodesAreRejectedToo() {
    for (int opcode : new int[] {0x06, 0x07, 0x09, 0x18, 0x19}) {
      byte[] code = {(byte) opcode, 0, 0, 0x0B};
      assertThatThrownBy(() -> FuelInstrumenter.skipInstruction(code, 0, code.length))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("fuel metering does not support exception handling (");
    }
  }

  @Test
  void unknownOpcodesAreRejectedNotSkipped() {
    for (byte[] code : List.of(bytes(0xC5), bytes(0xFC, 18), bytes(0xFE, 4), bytes(0xFD, 0x80, 0x04))) {
      assertThatThrownBy(() -> FuelInstrumenter.skipInstruction(code, 0, code.length))
          .as(hex(code))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("fuel metering does not support opcode");
    }
  }

  /** The opcode followed by immediates of every shape its signature allows. */
  private static List<byte[]> encodings(OpCode op) {
    List<byte[]> variants = new ArrayList<>();
    List<WasmEncoding> signature = OpCode.signature(op);
    int alternatives = 1;
    if (signature.contains(WasmEncoding.BLOCK_TYPE)) {
      alternatives = BLOCK_TYPES.size();
    } else if (signature.contains(WasmEncoding.MEMARG)) {
      alternatives = 2;
    } else if (op == OpCode.REF_NULL) {
      alternatives = 3;
    }
    for (int variant = 0; variant < alternatives; variant++) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int code = op.opcode();
      if (code > 0xFF) {
        out.write(code >> 8);
        FuelInstrumenterTest.uleb(out, code & 0xFF);
      } else {
        out.write(code);
      }
      boolean lane = code >= 0xFD54 && code <= 0xFD5B; // memarg, then a one-byte lane index
      for (WasmEncoding encoding : signature) {
        switch (encoding) {
          case VARUINT:
            FuelInstrumenterTest.uleb(out, lane ? 5 : 300);
            break;
          case VARSINT32:
            sleb(out, op == OpCode.REF_NULL ? new long[] {-16, -17, 300}[variant] : -300);
            break;
          case VARSINT64:
            sleb(out, Long.MIN_VALUE);
            break;
          case FLOAT32:
            out.writeBytes(new byte[] {1, 2, 3, 4});
            break;
          case FLOAT64:
            out.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            break;
          case V128:
            out.writeBytes(new byte[16]);
            break;
          case BYTE:
            out.write(op == OpCode.ATOMIC_FENCE ? 0 : 7);
            break;
          case VEC_VARUINT:
            FuelInstrumenterTest.uleb(out, 3);
            for (int i = 0; i < 3; i++) {
              FuelInstrumenterTest.uleb(out, 300 + i);
            }
            break;
          case VEC_VALUE_TYPE:
            FuelInstrumenterTest.uleb(out, 3);
            out.write(0x7F);
            out.write(0x64); // (ref $300)
            sleb(out, 300);
            out.write(0x63); // (ref null func)
            out.write(0x70);
            break;
          case BLOCK_TYPE:
            out.writeBytes(BLOCK_TYPES.get(variant));
            break;
          case MEMARG:
            if (variant == 0) {
              FuelInstrumenterTest.uleb(out, 2); // alignment
            } else {
              FuelInstrumenterTest.uleb(out, 0x42); // alignment 2 with a memory index (multi-memory)
              FuelInstrumenterTest.uleb(out, 300);
            }
            FuelInstrumenterTest.uleb(out, 70_000); // offset
            break;
          case VEC_CATCH: // one clause of each kind: catch and catch_ref name a tag, all four a label
            FuelInstrumenterTest.uleb(out, 4);
            for (int kind = 0; kind < 4; kind++) {
              out.write(kind);
              if (kind <= 1) {
                FuelInstrumenterTest.uleb(out, 300);
              }
              FuelInstrumenterTest.uleb(out, 301);
            }
            break;
          default:
            throw new AssertionError("no encoder for " + encoding);
        }
      }
      variants.add(out.toByteArray());
    }
    return variants;
  }

  private static final List<byte[]> BLOCK_TYPES =
      List.of(
          bytes(0x40), // []
          bytes(0x7F), // [i32]
          bytes(0x7B), // [v128]
          bytes(0x70), // [funcref]
          bytes(0xAC, 0x02), // type index 300, as s33
          bytes(0x63, 0x70), // (ref null func)
          bytes(0x64, 0xAC, 0x02)); // (ref $300)

  // -------------------------------------------------------------------------------------------
  // Chicory as the oracle for whole modules.

  static Stream<String> modules() throws IOException {
    List<String> names = new ArrayList<>();
    for (String dir : List.of("../testdata/wasm", "src/test/resources/fuel")) {
      try (Stream<Path> files = Files.list(Path.of(dir))) {
        files
            .map(Path::toString)
            .filter(n -> n.endsWith(".wasm") && !n.endsWith("invalid.wasm") && !n.endsWith("exceptions.wasm"))
            .sorted()
            .forEach(names::add);
      }
    }
    names.add("../testdata/large/sqlite_bench.wasm");
    return names.stream();
  }

  /**
   * For each function, Chicory's decoding of the instrumented body is its decoding of the original
   * with one i64 local appended, a charge at the start and after each {@code loop}, each charging its
   * region's instruction count (computed here from Chicory's instructions rather than from the
   * instrumenter's decoder), and saves and loads of the fuel between the local and the global; and
   * the fuel is where it must be wherever it is used (see {@link #checkFuelIsInPlace}).
   */
  @ParameterizedTest
  @MethodSource("modules")
  void chicoryDecodesTheOriginalInstructionsWithMeteringInserted(String path) throws IOException {
    byte[] original = Files.readAllBytes(Path.of(path));
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(original);
    WasmModule before = Parser.parse(original);
    WasmModule after = Parser.parse(instrumented.bytes());
    int g = instrumented.fuelGlobalIndex();

    int functions = before.codeSection().functionBodyCount();
    assertThat(after.codeSection().functionBodyCount()).isEqualTo(functions);
    int charges = 0;
    for (int f = 0; f < functions; f++) {
      List<AnnotatedInstruction> code = before.codeSection().getFunctionBody(f).instructions();
      List<ValType> locals = new ArrayList<>(before.codeSection().getFunctionBody(f).localTypes());
      int params = before.typeSection().getType(before.functionSection().getFunctionType(f)).params().size();
      int l = params + locals.size();
      locals.add(ValType.I64);
      assertThat(after.codeSection().getFunctionBody(f).localTypes()).isEqualTo(locals);

      List<Long> costs = costs(code);
      List<String> originalText = new ArrayList<>();
      for (AnnotatedInstruction instruction : code) {
        originalText.add(text(instruction));
      }
      List<String> actual = new ArrayList<>();
      for (AnnotatedInstruction instruction : after.codeSection().getFunctionBody(f).instructions()) {
        actual.add(text(instruction));
      }
      Stripped stripped = strip(actual, g, l);
      String where = "function " + f + " of " + path;
      assertThat(stripped.original).as(where).isEqualTo(originalText);
      assertThat(stripped.charges).as(where).isEqualTo(costs);
      checkFuelIsInPlace(actual, g, l, where);
      charges += costs.size();
    }
    assertThat(instrumented.chargePoints()).isEqualTo(charges);
  }

  /** The cost of each region of a body: the function's, then each loop's in order of appearance. */
  static List<Long> costs(List<AnnotatedInstruction> code) {
    List<Long> costs = new ArrayList<>(List.of(0L));
    List<Integer> open = new ArrayList<>(List.of(0)); // the region of each open block
    for (AnnotatedInstruction instruction : code) {
      int region = open.get(open.size() - 1);
      costs.set(region, costs.get(region) + 1);
      OpCode op = instruction.opcode();
      if (op == OpCode.LOOP) {
        costs.add(0L);
        open.add(costs.size() - 1);
      } else if (op == OpCode.BLOCK || op == OpCode.IF) {
        open.add(region);
      } else if (op == OpCode.END) {
        open.remove(open.size() - 1);
      }
    }
    assertThat(open).as("balanced").isEmpty();
    return costs;
  }

  /** A body with the metering taken out: the original instructions and the cost of each charge. */
  static final class Stripped {
    final List<String> original = new ArrayList<>();
    final List<Long> charges = new ArrayList<>();
  }

  /**
   * Takes the metering out of an instrumented body (instructions as {@link #text}); fails on any
   * use of the fuel global {@code g} or local {@code l} outside the four inserted sequences: the
   * charge at entry (from the global) and after each {@code loop} (from the local), the save and
   * the load.
   */
  static Stripped strip(List<String> code, int g, int l) {
    Stripped stripped = new Stripped();
    int i = 0;
    assertThat(chargeAt(code, 0, g, l, true)).as("a charge at entry").isNotNull();
    stripped.charges.add(chargeAt(code, 0, g, l, true));
    i += CHARGE_LENGTH;
    while (i < code.size()) {
      String instruction = code.get(i);
      if (isSave(code, i, g, l) || isLoad(code, i, g, l)) {
        i += 2;
        continue;
      }
      assertThat(instruction)
          .as("instruction %d uses the fuel global or local outside the inserted sequences", i)
          .isNotIn("GLOBAL_GET[" + g + "]", "GLOBAL_SET[" + g + "]", "LOCAL_GET[" + l + "]",
              "LOCAL_SET[" + l + "]", "LOCAL_TEE[" + l + "]");
      stripped.original.add(instruction);
      i++;
      if (instruction.startsWith("LOOP[")) {
        Long cost = chargeAt(code, i, g, l, false);
        assertThat(cost).as("a charge after the loop at %d", i - 1).isNotNull();
        stripped.charges.add(cost);
        i += CHARGE_LENGTH;
      }
    }
    return stripped;
  }

  private static final int CHARGE_LENGTH = 11;

  /** The cost of the charge at {@code code[i]}, or null if there is none. */
  private static Long chargeAt(List<String> code, int i, int g, int l, boolean entry) {
    if (i + CHARGE_LENGTH > code.size() || !code.get(i + 1).startsWith("I64_CONST[")) {
      return null;
    }
    String constant = code.get(i + 1);
    long cost = Long.parseLong(constant.substring("I64_CONST[".length(), constant.length() - 1));
    List<String> expected =
        List.of(
            entry ? "GLOBAL_GET[" + g + "]" : "LOCAL_GET[" + l + "]",
            "I64_CONST[" + cost + "]",
            "I64_SUB[]",
            "LOCAL_TEE[" + l + "]",
            "I64_CONST[0]",
            "I64_LT_S[]",
            "IF[64]",
            "LOCAL_GET[" + l + "]",
            "GLOBAL_SET[" + g + "]",
            "UNREACHABLE[]",
            "END[]");
    return code.subList(i, i + CHARGE_LENGTH).equals(expected) ? cost : null;
  }

  private static boolean isSave(List<String> code, int i, int g, int l) {
    return i + 1 < code.size()
        && code.get(i).equals("LOCAL_GET[" + l + "]")
        && code.get(i + 1).equals("GLOBAL_SET[" + g + "]");
  }

  private static boolean isLoad(List<String> code, int i, int g, int l) {
    return i + 1 < code.size()
        && code.get(i).equals("GLOBAL_GET[" + g + "]")
        && code.get(i + 1).equals("LOCAL_SET[" + l + "]");
  }

  // Where the current fuel can be, as a set: in both the local and the global, only in the local (the
  // global is stale), only in the global (the local is stale). An empty set: unreachable.
  private static final int BOTH = 1;
  private static final int LOCAL = 2;
  private static final int GLOBAL = 4;

  /**
   * An independent check of the analysis behind the saves and loads: follows every path through an
   * instrumented body (as {@link #text}), with the set of places the current fuel may be in, and
   * fails unless the global is current wherever other code can read it or the function is left (at
   * a call of any kind, a return, a branch to the function's label, the final {@code end}) and the
   * local is current wherever a charge or a save reads it (a loop's entry, a branch back to a loop).
   * Loops need no fixed point: every path into a loop body meets the charge, which leaves the fuel
   * in the local alone.
   */
  static void checkFuelIsInPlace(List<String> code, int g, int l, String where) {
    List<int[]> frames = new ArrayList<>(); // kind (0 function, 1 block, 2 if, 3 loop), exits, at if, else
    frames.add(new int[] {0, 0, 0, 0});
    int state = GLOBAL;
    int i = 0;
    while (i < code.size()) {
      String context = where + ", instruction " + i + " " + code.get(i);
      if (i == 0 || (i > 0 && code.get(i - 1).startsWith("LOOP["))) {
        boolean entry = i == 0;
        assertThat(chargeAt(code, i, g, l, entry)).as(context).isNotNull();
        assertThat(state & (entry ? LOCAL : GLOBAL)).as("fuel in place for the charge: " + context).isZero();
        state = state == 0 ? 0 : LOCAL;
        i += CHARGE_LENGTH;
        continue;
      }
      if (isSave(code, i, g, l)) {
        assertThat(state & GLOBAL).as("the local is current for a save: " + context).isZero();
        state = state == 0 ? 0 : BOTH;
        i += 2;
        continue;
      }
      if (isLoad(code, i, g, l)) {
        assertThat(state & LOCAL).as("the global is current for a load: " + context).isZero();
        state = state == 0 ? 0 : BOTH;
        i += 2;
        continue;
      }
      String instruction = code.get(i);
      String op = instruction.substring(0, instruction.indexOf('['));
      long[] operands = operands(instruction);
      int[] top = frames.get(frames.size() - 1);
      switch (op) {
        case "BLOCK":
          frames.add(new int[] {1, 0, 0, 0});
          break;
        case "IF":
          frames.add(new int[] {2, 0, state, 0});
          break;
        case "LOOP":
          frames.add(new int[] {3, 0, 0, 0});
          break;
        case "ELSE":
          top[1] |= state;
          top[3] = 1;
          state = top[2];
          break;
        case "END":
          if (top[0] == 0) {
            assertThat(state & LOCAL).as("the global is current at the final end: " + context).isZero();
          } else if (top[0] == 1) {
            state |= top[1];
          } else if (top[0] == 2) {
            state |= top[1] | (top[3] == 0 ? top[2] : 0);
          }
          frames.remove(frames.size() - 1);
          break;
        case "BR":
        case "BR_IF":
        case "BR_ON_NULL":
        case "BR_ON_NON_NULL":
          branch(frames, (int) operands[0], state, context);
          if (op.equals("BR")) {
            state = 0;
          }
          break;
        case "BR_TABLE":
          // Chicory's operands: the labels, then the default
          for (long label : operands) {
            branch(frames, (int) label, state, context);
          }
          state = 0;
          break;
        case "RETURN":
        case "RETURN_CALL":
        case "RETURN_CALL_INDIRECT":
        case "RETURN_CALL_REF":
          assertThat(state & LOCAL).as("the global is current when leaving: " + context).isZero();
          state = 0;
          break;
        case "CALL":
        case "CALL_INDIRECT":
        case "CALL_REF":
          assertThat(state & LOCAL).as("the global is current for the callee: " + context).isZero();
          state = state == 0 ? 0 : GLOBAL;
          break;
        case "UNREACHABLE":
          state = 0;
          break;
        default:
          break;
      }
      i++;
    }
    assertThat(frames).as(where + " is balanced").isEmpty();
  }

  private static void branch(List<int[]> frames, int label, int state, String context) {
    int[] target = frames.get(frames.size() - 1 - label);
    if (target[0] == 0) {
      assertThat(state & LOCAL).as("the global is current on a return: " + context).isZero();
    } else if (target[0] == 3) {
      assertThat(state & GLOBAL).as("the local is current on a branch back to a loop: " + context).isZero();
    } else {
      target[1] |= state;
    }
  }

  private static long[] operands(String text) {
    String inside = text.substring(text.indexOf('[') + 1, text.length() - 1);
    if (inside.isEmpty()) {
      return new long[0];
    }
    return Arrays.stream(inside.split(", ")).mapToLong(Long::parseLong).toArray();
  }

  private static String text(AnnotatedInstruction instruction) {
    return instruction.opcode().name() + Arrays.toString(instruction.operands());
  }

  // -------------------------------------------------------------------------------------------

  private static byte[] bytes(int... values) {
    return FuelInstrumenterTest.bytesOf(values);
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

  private static String hex(byte[] bytes) {
    StringBuilder text = new StringBuilder();
    for (byte b : bytes) {
      text.append(String.format("%02x ", b));
    }
    return text.toString().trim();
  }
}
