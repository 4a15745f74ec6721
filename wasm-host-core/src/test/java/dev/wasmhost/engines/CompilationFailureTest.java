package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.filesUnder;
import static dev.wasmhost.engines.TestSupport.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.DiskCacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module Chicory's compiler cannot compile stays on the interpreter and works. The trigger is
 * real: testdata/wasm/many_results.wasm is valid WebAssembly (wat2wasm validates it, and so does
 * Chicory's own decoder), but its function {@code many} returns 128 i64 values, which take 256 JVM
 * slots, and Chicory 1.7.5's compiler fails on it with {@code IllegalArgumentException: bad
 * parameter count 256} while building a method type. By contrast, a function too large for one JVM
 * method is not a failure: Chicory runs that one function in the interpreter, silently, and the
 * module counts as compiled.
 */
class CompilationFailureTest {
  private static final Long[] ZERO_TO_127 = LongStream.range(0, 128).boxed().toArray(Long[]::new);

  @TempDir Path work;

  @Test
  @Timeout(30)
  void withTheCompilerEngineTheLoadSucceedsAndTheModuleRunsInTheInterpreter() {
    WasmModule module = WasmLoader.builder().engine(Engine.COMPILER).build().load(wasm("many_results"));

    assertThat(module.engine()).isEqualTo(Engine.INTERPRETER);
    assertThat(module.awaitCompiled(Duration.ZERO)).isFalse();
    long start = System.nanoTime();
    assertThat(module.awaitCompiled(Duration.ofSeconds(30))).isFalse();
    assertThat(System.nanoTime() - start).as("awaitCompiled after a failure returns at once, in ns")
        .isLessThan(1_000_000_000L);

    assertThat(module.call("ok")).isEqualTo(7);
    assertThat((Object[]) module.call("many")).containsExactly((Object[]) ZERO_TO_127);
    try (Instance instance = module.instantiate()) {
      assertThat((Object[]) instance.call("many")).hasSize(128).endsWith(127L);
    }
  }

  @Test
  @Timeout(60)
  void withAutoTheModuleStaysOnTheInterpreterAndTheCompilerThreadSurvives() {
    Loader loader = WasmLoader.builder().build();
    WasmModule module = loader.load(wasm("many_results"));
    Instance early = module.instantiate();
    assertThat(module.call("ok")).isEqualTo(7);

    long start = System.nanoTime();
    assertThat(module.awaitCompiled(Duration.ofSeconds(30))).as("awaitCompiled after a failed compilation")
        .isFalse();
    assertThat(System.nanoTime() - start).as("the failure is reported, not waited out, in ns")
        .isLessThan(25_000_000_000L);
    assertThat(module.engine()).isEqualTo(Engine.INTERPRETER);

    // Instances from before and after the failure, and the threads' own, all work.
    assertThat((Object[]) early.call("many")).containsExactly((Object[]) ZERO_TO_127);
    early.close();
    try (Instance late = module.instantiate()) {
      assertThat(late.call("ok")).isEqualTo(7);
      assertThat((Object[]) late.call("many")).containsExactly((Object[]) ZERO_TO_127);
    }
    assertThat((Object[]) module.call("many")).hasSize(128);
    assertThat(module.engine()).isEqualTo(Engine.INTERPRETER);

    // The loader's background compiler still compiles other modules.
    WasmModule fib = loader.load(wasm("fib"));
    assertThat(fib.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(fib.call("fib", 20)).isEqualTo(6765L);
  }

  @Test
  @Timeout(30)
  void aFailedCompilationWritesNothingToTheDiskCache() throws Exception {
    Path cache = work.resolve("cache");
    for (Engine engine : new Engine[] {Engine.COMPILER, Engine.AUTO}) {
      Loader loader = WasmLoader.builder().engine(engine).diskCache(cache).build();
      WasmModule module = loader.load(wasm("many_results"));
      assertThat(module.awaitCompiled(Duration.ofSeconds(20))).isFalse();
      assertThat(module.call("ok")).isEqualTo(7);
      DiskCacheStats stats = loader.diskCacheStats().orElseThrow();
      assertThat(stats.writeCount()).as("%s: writes", engine).isZero();
      assertThat(stats.entryCount()).as("%s: entries", engine).isZero();
      assertThat(stats.corruptCount()).isZero();
    }
    assertThat(filesUnder(cache)).as("files in the cache directory").isEmpty();
  }

  @Test
  @Timeout(60)
  void aFunctionTooLargeForOneJvmMethodIsInterpretedSilentlyAndTheModuleStillCounts() {
    int terms = 30_000; // about 120 KB of JVM bytecode, against a limit of 64 KB per method
    byte[] bytes = GeneratedModules.hugeFunction(terms);
    long sum = (long) terms * (terms + 1) / 2;

    PrintStream originalErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    WasmModule module;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      module = WasmLoader.builder().engine(Engine.COMPILER).build().load(bytes);
    } finally {
      System.setErr(originalErr);
    }
    assertThat(err.toString(StandardCharsets.UTF_8))
        .as("Chicory's own warning on System.err")
        .doesNotContain("interpreted mode");

    assertThat(module.engine()).isEqualTo(Engine.COMPILER);
    assertThat(module.awaitCompiled(Duration.ZERO)).isTrue();
    assertThat(module.call("small", 41L)).isEqualTo(42L);
    assertThat(module.call("big", 5L)).isEqualTo(5L + sum);

    WasmModule auto = WasmLoader.builder().build().load(bytes);
    assertThat(auto.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(auto.call("big", -1L)).isEqualTo(sum - 1);
  }
}
