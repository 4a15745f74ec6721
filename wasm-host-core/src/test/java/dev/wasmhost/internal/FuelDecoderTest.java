package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.AnnotatedInstruction;
import com.dylibso.chicory.wasm.types.OpCode;
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

  /** Opcodes rejected on purpose: exception handling and GC. */
  private static boolean rejected(OpCode op) {
    int code = op.opcode();
    return code >> 8 == 0xFB || op == OpCode.TRY_TABLE || op == OpCode.THROW || op == OpCode.THROW_REF;
  }

  @Test
  void everyChicoryOpcodeIsSkippedWithExactlyItsImmediates() {
    int checked = 0;
    for (OpCode op : OpCode.values()) {
      for (byte[] encoded : encodings(op)) {
        byte[] withSentinel = Arrays.copyOf(encoded, encoded.length + 1);
        withSentinel[encoded.length] = 0x0B;
        if (rejected(op)) {
          assertThatThrownBy(() -> FuelInstrumenter.skipInstruction(withSentinel, 0, withSentinel.length))
              .as(op.name())
              .isInstanceOf(IllegalArgumentException.class)
              .hasMessageStartingWith("fuel metering does not support ");
        } else {
          assertThat(FuelInstrumenter.skipInstruction(withSentinel, 0, withSentinel.length))
              .as("%s encoded as %s", op, hex(encoded))
              .isEqualTo(encoded.length);
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(450); // MVP, 0xFC, SIMD, threads, tail calls, typed references
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
        uleb(out, code & 0xFF);
      } else {
        out.write(code);
      }
      boolean lane = code >= 0xFD54 && code <= 0xFD5B; // memarg, then a one-byte lane index
      for (WasmEncoding encoding : signature) {
        switch (encoding) {
          case VARUINT:
            uleb(out, lane ? 5 : 300);
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
            uleb(out, 3);
            for (int i = 0; i < 3; i++) {
              uleb(out, 300 + i);
            }
            break;
          case VEC_VALUE_TYPE:
            uleb(out, 3);
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
              uleb(out, 2); // alignment
            } else {
              uleb(out, 0x42); // alignment 2 with a memory index (multi-memory)
              uleb(out, 300);
            }
            uleb(out, 70_000); // offset
            break;
          case VEC_CATCH:
            uleb(out, 0);
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
   * with a charge at the start and after each {@code loop}, each charging its region's instruction
   * count, computed here from Chicory's instructions rather than from the instrumenter's decoder.
   */
  @ParameterizedTest
  @MethodSource("modules")
  void chicoryDecodesTheOriginalInstructionsWithChargesInserted(String path) throws IOException {
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
      assertThat(after.codeSection().getFunctionBody(f).localTypes())
          .isEqualTo(before.codeSection().getFunctionBody(f).localTypes());

      // The cost of each region: the function's, then each loop's in order of appearance.
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
      assertThat(open).as("function %d is balanced", f).isEmpty();

      List<String> expected = new ArrayList<>();
      int loops = 0;
      expected.addAll(charge(g, costs.get(0)));
      for (AnnotatedInstruction instruction : code) {
        expected.add(text(instruction));
        if (instruction.opcode() == OpCode.LOOP) {
          expected.addAll(charge(g, costs.get(++loops)));
        }
      }
      List<String> actual = new ArrayList<>();
      for (AnnotatedInstruction instruction : after.codeSection().getFunctionBody(f).instructions()) {
        actual.add(text(instruction));
      }
      assertThat(actual).as("function %d of %s", f, path).isEqualTo(expected);
      charges += costs.size();
    }
    assertThat(instrumented.chargePoints()).isEqualTo(charges);
  }

  private static List<String> charge(int global, long cost) {
    return List.of(
        "GLOBAL_GET[" + global + "]",
        "I64_CONST[" + cost + "]",
        "I64_SUB[]",
        "GLOBAL_SET[" + global + "]",
        "GLOBAL_GET[" + global + "]",
        "I64_CONST[0]",
        "I64_LT_S[]",
        "IF[64]",
        "UNREACHABLE[]",
        "END[]");
  }

  private static String text(AnnotatedInstruction instruction) {
    return instruction.opcode().name() + Arrays.toString(instruction.operands());
  }

  // -------------------------------------------------------------------------------------------

  private static byte[] bytes(int... values) {
    return FuelInstrumenterTest.bytesOf(values);
  }

  private static void uleb(ByteArrayOutputStream out, long value) {
    long v = value;
    do {
      int b = (int) (v & 0x7F);
      v >>>= 7;
      out.write(v != 0 ? b | 0x80 : b);
    } while (v != 0);
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
