package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.HostFunction;
import com.dylibso.chicory.runtime.ImportGlobal;
import com.dylibso.chicory.runtime.ImportMemory;
import com.dylibso.chicory.runtime.ImportTable;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.runtime.TableInstance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.FunctionType;
import com.dylibso.chicory.wasm.types.GlobalImport;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.dylibso.chicory.wasm.types.MutabilityType;
import com.dylibso.chicory.wasm.types.Table;
import com.dylibso.chicory.wasm.types.TableImport;
import com.dylibso.chicory.wasm.types.ValType;
import com.dylibso.chicory.wasm.types.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rewrite itself: instrumented modules validate, compute what the originals compute in both
 * engines, and differ from the originals only where the design says. Also holds the fixtures the
 * other {@code Fuel*Test} classes share.
 */
class FuelInstrumenterTest {

  // -------------------------------------------------------------------------------------------
  // Fixtures shared by the Fuel*Test classes.

  enum Engine {
    INTERPRETER,
    COMPILER
  }

  /** A module parsed once, with its machine factory for one engine. */
  static final class Loaded {
    final WasmModule module;
    final Function<Instance, Machine> factory;

    Loaded(byte[] bytes, Engine engine) {
      this.module = Parser.parse(bytes);
      this.factory = engine == Engine.COMPILER ? MachineFactoryCompiler.compile(module) : null;
    }

    Instance instance() {
      return instance(ImportValues.empty());
    }

    Instance instance(ImportValues imports) {
      Instance.Builder builder = Instance.builder(module).withImportValues(imports);
      if (factory != null) {
        builder.withMachineFactory(factory);
      }
      return builder.build();
    }
  }

  /** The bytes of testdata/wasm/NAME.wasm or, with a "fuel/" prefix, of a fuel test module. */
  static byte[] bytes(String name) {
    try (InputStream in = FuelInstrumenterTest.class.getResourceAsStream("/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("no test module " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] wasm(String name) {
    return bytes("wasm/" + name);
  }

  static byte[] fuel(String name) {
    return bytes("fuel/" + name);
  }

  /**
   * Imports for any module: each host function returns a deterministic mix of its arguments, each
   * global holds 5 (mutable ones start at 7), each memory and table is fresh.
   */
  static ImportValues genericImports(WasmModule module) {
    ImportValues.Builder imports = ImportValues.builder();
    for (int i = 0; i < module.importSection().importCount(); i++) {
      Import imported = module.importSection().getImport(i);
      if (imported instanceof FunctionImport) {
        FunctionType type = module.typeSection().getType(((FunctionImport) imported).typeIndex());
        imports.addFunction(
            new HostFunction(
                imported.module(),
                imported.name(),
                type,
                (instance, args) -> {
                  long mix = 17;
                  for (long arg : args) {
                    mix = mix * 31 + arg;
                  }
                  long[] results = new long[type.returns().size()];
                  for (int r = 0; r < results.length; r++) {
                    results[r] = type.returns().get(r).equals(ValType.I32) ? (int) (mix + r) : mix + r;
                  }
                  return results;
                }));
      } else if (imported instanceof GlobalImport) {
        GlobalImport global = (GlobalImport) imported;
        long value = global.mutabilityType() == MutabilityType.Var ? 7 : 5;
        imports.addGlobal(
            new ImportGlobal(
                imported.module(),
                imported.name(),
                new GlobalInstance(value, 0, global.type(), global.mutabilityType())));
      } else if (imported instanceof MemoryImport) {
        MemoryLimits limits = ((MemoryImport) imported).limits();
        imports.addMemory(new ImportMemory(imported.module(), imported.name(), new ByteArrayMemory(limits)));
      } else if (imported instanceof TableImport) {
        TableImport table = (TableImport) imported;
        imports.addTable(
            new ImportTable(
                imported.module(),
                imported.name(),
                new TableInstance(new Table(table.entryType(), table.limits()), Value.REF_NULL_VALUE)));
      }
    }
    return imports.build();
  }

  // -------------------------------------------------------------------------------------------
  // Round trips.

  /** Exports that never return without fuel metering, so the originals cannot be run. */
  private static final List<String> NON_TERMINATING =
      List.of(
          "traps.spin",
          "counter_spin.spin",
          "spin_recursive.spin_recursive",
          "spin_recursive.calls_forever",
          "loop_br_table.spin",
          "loop_params.spin");

  /**
   * Modules left out of the round trip: not valid, not compilable by Chicory, a start function that
   * never returns, or memories too large to instantiate twice per case in a test JVM.
   */
  private static final List<String> NOT_ROUND_TRIPPED =
      List.of("invalid.wasm", "many_results.wasm", "start_spin.wasm", "big_memory.wasm", "memory_unbounded.wasm");

  static Stream<Arguments> testdataModules() throws IOException {
    Path dir = Path.of("../testdata/wasm");
    List<Arguments> modules = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".wasm") && !NOT_ROUND_TRIPPED.contains(n))
          .sorted()
          .forEach(
              n -> {
                for (Engine engine : Engine.values()) {
                  modules.add(Arguments.of(n.substring(0, n.length() - 5), engine));
                }
              });
    }
    assertThat(modules).hasSizeGreaterThanOrEqualTo(2 * 9);
    return modules.stream();
  }

  @ParameterizedTest(name = "{0} in the {1}")
  @MethodSource("testdataModules")
  void instrumentedTestdataModulesBehaveLikeTheOriginals(String name, Engine engine) {
    byte[] original = wasm(name);
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(original);

    assertThat(exercise(name, original, engine)).isEqualTo(exercise(name, instrumented.bytes(), engine));
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void fibAndSumGiveTheKnownResults(Engine engine) {
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(wasm("fib"));
    Instance instance = new Loaded(instrumented.bytes(), engine).instance();

    assertThat(instance.export("fib").apply(20)[0]).isEqualTo(6765);
    assertThat(instance.export("sum").apply(1000)[0]).isEqualTo(499_500);
    assertThat(FuelInstrumenter.fuel(instance, instrumented.fuelGlobal())).isPositive();
  }

  /** The wide-range module, the tail-call module and the threads module. */
  @ParameterizedTest(name = "{0} in the {1}")
  @MethodSource("featureModules")
  void instrumentedFeatureModulesBehaveLikeTheOriginals(String name, Engine engine) {
    byte[] original = fuel(name);
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(original);

    List<String> before = exercise(name, original, engine);
    List<String> after = exercise(name, instrumented.bytes(), engine);

    assertThat(after).isEqualTo(before);
  }

  static Stream<Arguments> featureModules() {
    return Stream.of("wide", "tail_calls", "atomics", "many_globals")
        .flatMap(n -> Stream.of(Engine.values()).map(e -> Arguments.of(n, e)));
  }

  @Test
  void wideModuleResultsAreTheExpectedOnes() {
    Instance instance = new Loaded(FuelInstrumenter.instrument(fuel("wide")).bytes(), Engine.INTERPRETER).instance();

    // control(8): i%4 == 0 -> +1 (i = 0, 4), 1 -> +10 (1, 5), 2 -> +100 (2, 6: even, so never the
    // +1000 arm), 3 -> +0 (br_table straight to the end)
    assertThat(instance.export("control").apply(8)[0]).isEqualTo(222);
    assertThat(instance.export("indirect").apply(0, 5, 3)[0]).isEqualTo(8); // add, not 1, not 2
    assertThat(instance.export("indirect").apply(1, 5, 3)[0]).isEqualTo(7); // select picks 7
    assertThat(instance.export("indirect").apply(2, 5, 3)[0]).isEqualTo(-1); // typed select picks -1
    assertThat(instance.export("multi").apply(10)[0]).isEqualTo(55);
    assertThat(instance.export("mem").apply()[0]).isEqualTo(72623864102238318L);
    assertThat(instance.export("bulk").apply()[0]).isEqualTo((0x2A2A2A2A ^ 0x64636261) + 2); // fill ^ copied "abcd" + size 1 + grow(0) 1
    assertThat(instance.export("refs").apply(5)[0]).isEqualTo(1 + 25 + 2 + 3 + 1 + 4 + 2);
    assertThat(instance.export("numbers").apply()[0])
        .isEqualTo(-1L - 1 + 2147483647 + 0 + 0 - 128 - 32768 - 2147483648L - 5);
  }

  /** Runs each function export with a few argument vectors on one instance; one line per call. */
  static List<String> exercise(String name, byte[] bytes, Engine engine) {
    List<String> log = new ArrayList<>();
    Loaded loaded = new Loaded(bytes, engine);
    Instance instance;
    try {
      instance = loaded.instance(genericImports(loaded.module));
    } catch (RuntimeException e) {
      log.add("instantiate: " + e.getClass().getName() + ": " + e.getMessage());
      return log;
    }
    Map<String, Integer> functions = new LinkedHashMap<>();
    for (int i = 0; i < loaded.module.exportSection().exportCount(); i++) {
      Export export = loaded.module.exportSection().getExport(i);
      if (export.exportType() == ExternalType.FUNCTION) {
        functions.put(export.name(), export.index());
      }
    }
    for (Map.Entry<String, Integer> function : functions.entrySet()) {
      if (NON_TERMINATING.contains(name + "." + function.getKey())) {
        continue;
      }
      FunctionType type = instance.exportType(function.getKey());
      for (long v : new long[] {0, 1, 5, 20}) {
        long[] args = new long[type.params().size()];
        for (int p = 0; p < args.length; p++) {
          ValType param = type.params().get(p);
          if (param.equals(ValType.F32)) {
            args[p] = Float.floatToRawIntBits(v + 0.5f);
          } else if (param.equals(ValType.F64)) {
            args[p] = Double.doubleToRawLongBits(v + 0.25);
          } else {
            args[p] = v + p;
          }
        }
        String call = function.getKey() + Arrays.toString(args) + " = ";
        try {
          log.add(call + Arrays.toString(instance.export(function.getKey()).apply(args)));
        } catch (RuntimeException | StackOverflowError e) {
          log.add(call + e.getClass().getName() + ": " + e.getMessage());
        }
      }
    }
    assertThat(log).isNotEmpty();
    return log;
  }

  // -------------------------------------------------------------------------------------------
  // What the rewrite changes, and what it leaves alone.

  @Test
  void onlyTheGlobalExportAndCodeSectionsChange() {
    for (String name : List.of("wasm/fib", "wasm/memory", "wasm/imports", "fuel/wide", "fuel/imported_globals")) {
      byte[] original = bytes(name);
      byte[] instrumented = FuelInstrumenter.instrument(original).bytes();
      Map<Integer, List<byte[]>> before = sections(original);
      Map<Integer, List<byte[]>> after = sections(instrumented);

      assertThat(after.keySet()).as(name).containsAll(before.keySet()).contains(6, 7);
      for (int id : before.keySet()) {
        if (id != 6 && id != 7 && id != 10) {
          assertThat(after.get(id)).as(name + " section " + id).usingElementComparator(Arrays::compare)
              .containsExactlyElementsOf(before.get(id));
        }
      }
      assertThat(order(instrumented)).as(name).isSortedAccordingTo(Integer::compare);
    }
  }

  @Test
  void theLargeSqliteModuleInstrumentsAndValidates() throws IOException {
    byte[] original = Files.readAllBytes(Path.of("../testdata/large/sqlite_bench.wasm"));
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(original);

    WasmModule module = Parser.parse(instrumented.bytes()); // validates every function body
    assertThat(module.codeSection().functionBodyCount()).isEqualTo(Parser.parse(original).codeSection().functionBodyCount());
    assertThat(instrumented.chargePoints()).isGreaterThan(module.codeSection().functionBodyCount());
    assertThat(module.customSection("name").name()).isEqualTo("name"); // custom sections are kept
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aModuleWithoutGlobalOrExportSectionsGetsBoth(Engine engine) {
    byte[] original = fuel("no_sections");
    assertThat(sections(original)).doesNotContainKeys(6, 7);
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(original);

    assertThat(instrumented.fuelGlobal()).isEqualTo("__wasmhost_fuel");
    assertThat(instrumented.fuelGlobalIndex()).isZero();
    assertThat(order(instrumented.bytes())).isSortedAccordingTo(Integer::compare);
    List<Long> reported = new ArrayList<>();
    ImportValues imports =
        ImportValues.builder()
            .addFunction(
                new HostFunction(
                    "env",
                    "report",
                    FunctionType.of(List.of(ValType.I32), List.of()),
                    (inst, args) -> {
                      reported.add(args[0]);
                      return null;
                    }))
            .build();
    Instance instance = new Loaded(instrumented.bytes(), engine).instance(imports);

    assertThat(reported).containsExactly(10L); // the start function ran to the end
    // main: loop, local.get, call, end = 4; the loop body, 8 instructions with its end, ran 10 times
    assertThat(Long.MAX_VALUE - FuelInstrumenter.fuel(instance, "__wasmhost_fuel")).isEqualTo(4 + 10 * 8);
  }

  @Test
  void theStartFunctionIsBoundedByTheInitialFuel() {
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(fuel("no_sections"), 83);
    ImportValues imports =
        ImportValues.builder()
            .addFunction(
                new HostFunction(
                    "env", "report", FunctionType.of(List.of(ValType.I32), List.of()), (inst, args) -> null))
            .build();
    Loaded loaded = new Loaded(instrumented.bytes(), Engine.INTERPRETER);

    // Chicory reports a trap in the start function as uninstantiable; the global shows why.
    assertThatThrownBy(() -> loaded.instance(imports))
        .isInstanceOf(com.dylibso.chicory.wasm.UninstantiableException.class)
        .hasMessage("Trapped on unreachable instruction");
    assertThat(new Loaded(FuelInstrumenter.instrument(fuel("no_sections"), 84).bytes(), Engine.INTERPRETER)
            .instance(imports)
            .exports()
            .global("__wasmhost_fuel")
            .getValue())
        .isZero();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void theFuelGlobalComesAfterImportedAndDefinedGlobalsAndAvoidsTakenNames(Engine engine) {
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(fuel("imported_globals"));

    assertThat(instrumented.fuelGlobalIndex()).isEqualTo(2 + 3);
    assertThat(instrumented.fuelGlobal()).isEqualTo("__wasmhost_fuel_1");
    Loaded loaded = new Loaded(instrumented.bytes(), engine);
    assertThat(exportIndex(loaded.module, "__wasmhost_fuel_1")).isEqualTo(5);
    assertThat(exportIndex(loaded.module, "__wasmhost_fuel")).isEqualTo(2); // the module's own $a
    Instance instance = loaded.instance(genericImports(loaded.module));
    GlobalInstance fuel = FuelInstrumenter.fuelGlobal(instance, instrumented.fuelGlobal());
    assertThat(fuel.getType()).isEqualTo(ValType.I64);
    assertThat(fuel.getMutabilityType()).isEqualTo(MutabilityType.Var);

    // The module's own globals are untouched by the charges: base 5 * scale 7 + b 2 + twice(a = 1)
    long expected = 5 * 7 + 2 + (int) ((17 * 31 + 1));
    FuelInstrumenter.setFuel(fuel, 1_000);
    assertThat(instance.export("read").apply()[0]).isEqualTo(expected);
    instance.export("bump").apply();
    assertThat(instance.export("read").apply()[0]).isEqualTo(expected + 5);
    assertThat(instance.exports().global("__wasmhost_fuel").getValue()).isEqualTo(1); // $a
    // read: 11 instructions with its end, bump: 5, read again: 11
    assertThat(FuelInstrumenter.fuel(fuel)).isEqualTo(1_000 - 11 - 5 - 11);
  }

  @Test
  void aSecondTakenNameIsSkippedToo() {
    // (module (global (export "__wasmhost_fuel") i32 (i32.const 0))
    //         (global (export "__wasmhost_fuel_1") i32 (i32.const 0)))
    byte[] module =
        concat(
            new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0},
            section(6, bytesOf(2, 0x7F, 0, 0x41, 0, 0x0B, 0x7F, 0, 0x41, 0, 0x0B)),
            section(7, concat(bytesOf(2), export("__wasmhost_fuel", 3, 0), export("__wasmhost_fuel_1", 3, 1))));
    Parser.parse(module);

    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(module);

    assertThat(instrumented.fuelGlobal()).isEqualTo("__wasmhost_fuel_2");
    assertThat(exportIndex(Parser.parse(instrumented.bytes()), "__wasmhost_fuel_2")).isEqualTo(2);
  }

  @Test
  void anEmptyModuleGetsTheGlobalAndTheExport() {
    byte[] empty = {0, 'a', 's', 'm', 1, 0, 0, 0};
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(empty, 42);

    Instance instance = new Loaded(instrumented.bytes(), Engine.INTERPRETER).instance();
    assertThat(FuelInstrumenter.fuel(instance, instrumented.fuelGlobal())).isEqualTo(42);
    assertThat(instrumented.chargePoints()).isZero();
  }

  @Test
  void wideGlobalIndicesAndCostsStillValidate() {
    FuelInstrumenter.Instrumented instrumented = FuelInstrumenter.instrument(fuel("many_globals"));

    assertThat(instrumented.fuelGlobalIndex()).isEqualTo(130); // two bytes of LEB128
    Instance instance = new Loaded(instrumented.bytes(), Engine.INTERPRETER).instance();
    FuelInstrumenter.setFuel(instance, instrumented.fuelGlobal(), 1_000_000);
    instance.export("sum").apply(3);
    long consumed = FuelInstrumenter.consumed(1_000_000, FuelInstrumenter.fuel(instance, instrumented.fuelGlobal()));
    assertThat(consumed).isGreaterThan(3 * 130); // each round reads all 130 globals
  }

  // -------------------------------------------------------------------------------------------
  // What is rejected.

  @Test
  void exceptionHandlingIsRejectedClearly() {
    byte[] module = fuel("exceptions");

    assertThatThrownBy(() -> FuelInstrumenter.instrument(module))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("fuel metering does not support exception handling (throw at offset 0x")
        .hasMessageEndingWith("in function 0)");
  }

  @Test
  void gcInstructionsAreRejectedClearly() {
    // (func (result i32) i32.const 1 ref.i31 i31.get_s): opcodes 0xFB 28 and 0xFB 29
    byte[] module =
        concat(
            new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0},
            section(1, bytesOf(1, 0x60, 0, 1, 0x7F)),
            section(3, bytesOf(1, 0)),
            section(10, bytesOf(1, 8, 0, 0x41, 1, 0xFB, 28, 0xFB, 29, 0x0B)));

    assertThatThrownBy(() -> FuelInstrumenter.instrument(module))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("fuel metering does not support garbage collection (GC) (0xFB 28 at offset 0x1a in function 0)");
  }

  @Test
  void truncatedModulesFailWithIllegalArgumentException() {
    byte[] fib = wasm("fib");
    List<Integer> boundaries = sectionEnds(fib);
    for (int length = 0; length < fib.length; length++) {
      if (boundaries.contains(length)) {
        continue; // a prefix ending between sections is a valid module
      }
      byte[] truncated = Arrays.copyOf(fib, length);
      assertThatThrownBy(() -> FuelInstrumenter.instrument(truncated))
          .as("truncated to %d bytes", length)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("malformed module");
    }
  }

  @Test
  void negativeInitialFuelIsRejected() {
    assertThatThrownBy(() -> FuelInstrumenter.instrument(wasm("fib"), -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("initial fuel must not be negative: -1");
  }

  // -------------------------------------------------------------------------------------------
  // Binary helpers.

  /** The contents of each section by id (custom sections under 0), in order. */
  static Map<Integer, List<byte[]>> sections(byte[] module) {
    Map<Integer, List<byte[]>> sections = new LinkedHashMap<>();
    int[] pos = {8};
    while (pos[0] < module.length) {
      int id = module[pos[0]++];
      int size = (int) leb(module, pos);
      sections.computeIfAbsent(id, k -> new ArrayList<>()).add(Arrays.copyOfRange(module, pos[0], pos[0] + size));
      pos[0] += size;
    }
    return sections;
  }

  /** Where each section ends, and where the header does. */
  static List<Integer> sectionEnds(byte[] module) {
    List<Integer> ends = new ArrayList<>(List.of(8));
    int[] pos = {8};
    while (pos[0] < module.length) {
      pos[0]++;
      int size = (int) leb(module, pos);
      pos[0] += size;
      ends.add(pos[0]);
    }
    return ends;
  }

  /** The spec's order position of each non-custom section, in file order. */
  static List<Integer> order(byte[] module) {
    List<Integer> order = new ArrayList<>();
    List<Integer> spec = List.of(1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11);
    int[] pos = {8};
    while (pos[0] < module.length) {
      int id = module[pos[0]++];
      int size = (int) leb(module, pos);
      pos[0] += size;
      if (id != 0) {
        order.add(spec.indexOf(id));
      }
    }
    return order;
  }

  static long leb(byte[] bytes, int[] pos) {
    long value = 0;
    for (int shift = 0; ; shift += 7) {
      int b = bytes[pos[0]++] & 0xFF;
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
  }

  static int exportIndex(WasmModule module, String name) {
    for (int i = 0; i < module.exportSection().exportCount(); i++) {
      if (module.exportSection().getExport(i).name().equals(name)) {
        return module.exportSection().getExport(i).index();
      }
    }
    throw new AssertionError("no export " + name);
  }

  /** Writes {@code value} as an unsigned LEB128. */
  static void uleb(ByteArrayOutputStream out, long value) {
    long v = value;
    do {
      int b = (int) (v & 0x7F);
      v >>>= 7;
      out.write(v != 0 ? b | 0x80 : b);
    } while (v != 0);
  }

  static byte[] bytesOf(int... values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = (byte) values[i];
    }
    return bytes;
  }

  static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  static byte[] section(int id, byte[] contents) {
    assertThat(contents.length).isLessThan(128);
    return concat(bytesOf(id, contents.length), contents);
  }

  private static byte[] export(String name, int kind, int index) {
    byte[] utf8 = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    return concat(bytesOf(utf8.length), utf8, bytesOf(kind, index));
  }
}
