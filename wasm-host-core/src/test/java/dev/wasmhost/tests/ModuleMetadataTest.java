package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.IMPORTED_MEMORY;
import static dev.wasmhost.tests.TestModules.IMPORTS;
import static dev.wasmhost.tests.TestModules.MEMORY;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static dev.wasmhost.tests.TestModules.SHAPES;
import static dev.wasmhost.tests.TestModules.TRAPS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.ExternKind;
import dev.wasmhost.FunctionType;
import dev.wasmhost.Loader;
import dev.wasmhost.MemoryType;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.ModuleImport;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What a loaded module says about itself: digest, source, size, engine, exports, imports, memory. */
class ModuleMetadataTest {

  @TempDir Path dir;

  private static List<String> text(List<?> items) {
    return items.stream().map(Object::toString).collect(java.util.stream.Collectors.toList());
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void digestIsTheLowercaseSha256OfTheBytes(Engine engine) {
    Loader loader = TestModules.loader(engine);
    for (String name : List.of(NUMBERS, MEMORY, IMPORTS, TRAPS)) {
      byte[] bytes = TestModules.bytes(name);
      WasmModule module = loader.load(bytes);
      assertThat(module.digest())
          .as(name)
          .isEqualTo(TestModules.sha256(bytes))
          .matches("sha256:[0-9a-f]{64}");
      assertThat(module.sizeBytes()).as(name).isEqualTo(bytes.length);
      assertThat(module.engine()).as(name).isIn(TestModules.runningEngines(engine));
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void sourceIsWhereTheModuleWasFirstLoadedFrom(Engine engine) throws Exception {
    byte[] bytes = TestModules.bytes(NUMBERS);
    Path file = dir.resolve("numbers.wasm");
    Files.write(file, bytes);

    Loader fromBytes = TestModules.loader(engine);
    assertThat(fromBytes.load(bytes).source()).isEqualTo("bytes");
    // A later load from elsewhere returns the cached module, which keeps its first source.
    assertThat(fromBytes.load(file).source()).isEqualTo("bytes");

    Loader fromPath = TestModules.loader(engine);
    assertThat(fromPath.load(file).source()).isEqualTo(file.toUri().toString());

    Loader fromUri = TestModules.loader(engine);
    assertThat(fromUri.load(file.toUri()).source()).isEqualTo(file.toUri().toString());

    Loader fromClasspath = TestModules.loader(engine);
    assertThat(fromClasspath.load(TestModules.classpathUri(NUMBERS)).source())
        .isEqualTo("classpath:/wasm/numbers.wasm");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void numbersExportsWithExactSignatures(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.bytes(NUMBERS));
    assertThat(text(module.exports()))
        .containsExactly(
            "func add: (i32, i32) -> i32",
            "func add64: (i64, i64) -> i64",
            "func id_i32: (i32) -> i32",
            "func id_i64: (i64) -> i64",
            "func id_f32: (f32) -> f32",
            "func id_f64: (f64) -> f64",
            "func mul_f64: (f64, f64) -> f64",
            "func swap: (i32, i64) -> (i64, i32)",
            "func const42: () -> i32",
            "func const42_64: () -> i64",
            "func pi: () -> f64",
            "func noop: () -> ()",
            "func neg: (i32) -> i32",
            "func neg64: (i64) -> i64",
            "func sqrt: (f64) -> f64",
            "func widen: (i32) -> i64",
            "func narrow: (i64) -> i32",
            "func div_s: (i32, i32) -> i32",
            "func mix: (i32, i64, f32, f64) -> f64",
            "global answer");
    assertThat(module.exports().get(7))
        .isEqualTo(
            new ModuleExport(
                "swap",
                ExternKind.FUNCTION,
                FunctionType.accepting(ValueType.I32, ValueType.I64).returning(ValueType.I64, ValueType.I32)));
    assertThat(module.exports().get(19)).isEqualTo(new ModuleExport("answer", ExternKind.GLOBAL, null));
    assertThat(module.imports()).isEmpty();
    assertThat(module.memory()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void importsAreListedWithTheirExpectedSignatures(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.bytes(IMPORTS));
    assertThat(text(module.imports()))
        .containsExactly(
            "func env.add: (i32, i32) -> i32", "func env.log: (i32, i32) -> ()", "func env.now: () -> i64");
    assertThat(module.imports().get(0))
        .isEqualTo(
            new ModuleImport(
                "env",
                "add",
                ExternKind.FUNCTION,
                FunctionType.accepting(ValueType.I32, ValueType.I32).returning(ValueType.I32)));
    // An export of an imported function has the import's signature.
    assertThat(text(module.exports()))
        .containsExactly(
            "memory memory", "func call_add: (i32, i32) -> i32", "func log_hello: () -> ()", "func now: () -> i64");
    assertThat(module.memory()).contains(new MemoryType(1, OptionalInt.empty(), false));
    assertThat(module.memory().orElseThrow().toString()).isEqualTo("memory 1.. pages");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void memoryLimitsAreListed(Engine engine) {
    Loader loader = TestModules.loader(engine);
    WasmModule memory = loader.load(TestModules.bytes(MEMORY));
    assertThat(memory.memory()).contains(new MemoryType(1, OptionalInt.of(4), false));
    assertThat(memory.memory().orElseThrow().toString()).isEqualTo("memory 1..4 pages");
    assertThat(text(memory.exports()))
        .containsExactly(
            "memory memory",
            "func inc: () -> i32",
            "func load: (i32) -> i32",
            "func store: (i32, i32) -> ()",
            "func size: () -> i32",
            "func grow: (i32) -> i32",
            "func sum_bytes: (i32, i32) -> i32");

    // An unexported memory is still the module's memory.
    WasmModule traps = loader.load(TestModules.bytes(TRAPS));
    assertThat(traps.memory()).contains(new MemoryType(1, OptionalInt.of(1), false));
    assertThat(text(traps.exports())).doesNotContain("memory memory").contains("func recurse: (i32) -> i32");

    // An imported memory is listed as an import and as the module's memory.
    WasmModule imported = loader.load(TestModules.bytes(IMPORTED_MEMORY));
    assertThat(imported.memory()).contains(new MemoryType(2, OptionalInt.of(8), true));
    assertThat(imported.memory().orElseThrow().toString()).isEqualTo("memory 2..8 pages (imported)");
    assertThat(text(imported.imports())).containsExactly("memory env.mem", "func env.tick: (i64) -> ()");
    assertThat(imported.imports().get(0)).isEqualTo(new ModuleImport("env", "mem", ExternKind.MEMORY, null));
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void tablesAndReferenceTypesAreListed(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.bytes(SHAPES));
    assertThat(text(module.exports()))
        .containsExactly(
            "table table",
            "func set_i32: (i32) -> ()",
            "func get_i32: () -> i32",
            "func set_i64: (i64) -> ()",
            "func get_i64: () -> i64",
            "func is_null: (externref) -> i32");
    assertThat(module.memory()).isEmpty();
  }
}
