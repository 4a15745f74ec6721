package dev.wasmhost.core;

import dev.wasmhost.CacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.FunctionType;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.LinkException;
import dev.wasmhost.LoadException;
import dev.wasmhost.Loader;
import dev.wasmhost.Memory;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/** The examples of docs/guide.md, run as written there, so that the guide cannot rot. */
class GuideExamplesTest {
  private static final Path WASM = Path.of("../testdata/wasm");

  @Test
  void quickStart() {
    WasmModule fib = WasmLoader.load(WASM.resolve("fib.wasm"));
    Object result = fib.call("fib", 20);
    assertThat(result).isEqualTo(6765L);
  }

  @Test
  void pinnedDigest() {
    Loader loader = WasmLoader.builder().build();
    URI uri = WASM.resolve("fib.wasm").toUri();
    WasmModule m = loader.load(uri, "sha256:894ac5c4231719417d19fc1d66cbe93a83b5b38baed1e4c3442d2b53942905d6");
    assertThat(m.exports().get(0)).hasToString("func fib: (i64) -> i64");
    assertThatThrownBy(() -> loader.load(uri, "sha256:" + "0".repeat(64)))
        .isInstanceOf(LoadException.class)
        .hasMessageContaining("digest mismatch");
  }

  @Test
  void describingModules() {
    WasmModule imports = WasmLoader.load(WASM.resolve("imports.wasm"));
    WasmModule memory = WasmLoader.load(WASM.resolve("memory.wasm"));
    assertThat(imports.imports().get(1)).hasToString("func env.log: (i32, i32) -> ()");
    assertThat(memory.memory().orElseThrow()).hasToString("memory 1..4 pages");
  }

  @Test
  void threeWaysToCall() {
    WasmModule module = WasmLoader.load(WASM.resolve("numbers.wasm"));
    try (Instance instance = module.instantiate()) {
      assertThat(module.call("add", 1, 2)).isEqualTo(3);
      assertThat(instance.call("add", 1, 2)).isEqualTo(3);
      assertThat(instance.function("add", IntBinaryOperator.class).applyAsInt(1, 2)).isEqualTo(3);
    }
  }

  @Test
  void stateOnAnInstance() {
    WasmModule module = WasmLoader.load(WASM.resolve("memory.wasm"));
    try (Instance counter = module.instantiate()) {
      assertThat(counter.call("inc")).isEqualTo(1);
      assertThat(counter.call("inc")).isEqualTo(2);
    }
  }

  @Test
  void memory() {
    try (Instance instance = WasmLoader.load(WASM.resolve("memory.wasm")).instantiate()) {
      Memory memory = instance.memory();
      int length = memory.writeString(1024, "héllo");
      String text = memory.readString(1024, length);
      memory.writeInt(0, 42);
      long pages = memory.pages();
      assertThat(length).isEqualTo(6);
      assertThat(text).isEqualTo("héllo");
      assertThat(instance.call("load", 0)).isEqualTo(42);
      assertThat(pages).isEqualTo(1);
    }
  }

  @Test
  void hostFunctions() {
    List<String> printed = new ArrayList<>();
    Imports imports = Imports.builder()
        .function("env", "add", FunctionType.accepting(ValueType.I32, ValueType.I32).returning(ValueType.I32),
            (caller, args) -> new long[] {(int) args[0] + (int) args[1]})
        .function("env", "log", FunctionType.accepting(ValueType.I32, ValueType.I32),
            (caller, args) -> {
              printed.add(caller.memory().readString((int) args[0], (int) args[1]));
              return null;
            })
        .function("env", "now", FunctionType.accepting().returning(ValueType.I64),
            (caller, args) -> new long[] {123L})
        .build();
    WasmModule module = WasmLoader.load(WASM.resolve("imports.wasm"));
    try (Instance instance = module.instantiate(imports)) {
      assertThat(instance.call("call_add", 40, 2)).isEqualTo(42);
      instance.call("log_hello");
      assertThat(printed).containsExactly("hello");
    }
    Loader loader = WasmLoader.builder().imports(imports).build();
    assertThat(loader.load(WASM.resolve("imports.wasm")).call("now")).isEqualTo(123L);
  }

  @Test
  void linkErrorListsEveryProblem() {
    Imports wrong = Imports.builder()
        .function("env", "add", FunctionType.accepting(ValueType.I32, ValueType.I32).returning(ValueType.I32),
            (caller, args) -> new long[] {0})
        .function("env", "now", FunctionType.accepting().returning(ValueType.I32), (caller, args) -> new long[] {0})
        .build();
    WasmModule module = WasmLoader.load(WASM.resolve("imports.wasm"));
    assertThatThrownBy(() -> module.instantiate(wrong))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("cannot be linked (2 problems)")
        .hasMessageContaining("missing func env.log: (i32, i32) -> ()")
        .hasMessageContaining("mismatched func env.now: expected () -> i64, provided () -> i32");
  }

  @Test
  void configuration() {
    Loader loader = WasmLoader.builder()
        .engine(Engine.INTERPRETER)
        .maxCacheBytes(64L << 20)
        .imports(Imports.empty())
        .httpTimeout(Duration.ofSeconds(5))
        .build();
    assertThat(loader.load(WASM.resolve("fib.wasm")).engine()).isEqualTo(Engine.INTERPRETER);
    CacheStats stats = loader.cacheStats();
    assertThat(stats.missCount()).isEqualTo(1);
    assertThat(stats.maxWeightBytes()).isEqualTo(64L << 20);
    assertThatThrownBy(() -> WasmLoader.builder().engine(Engine.COMPILER).engine(Engine.INTERPRETER))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("engine was already set to COMPILER");
  }
}
