package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.COMPILED_ONLY_DEPTH;
import static dev.wasmhost.engines.TestSupport.ONE_MIB;
import static dev.wasmhost.engines.TestSupport.onThread;
import static dev.wasmhost.engines.TestSupport.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.LoaderConfig;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The three engines as a caller sees them: what {@link WasmModule#engine()} reports, when {@link
 * WasmModule#awaitCompiled} returns, and that AUTO switches existing instances to compiled code
 * without losing their state. Each test uses a new loader, because a loader caches modules by
 * digest and a cached module has long been compiled.
 */
class AutoEngineTest {
  /** Fillers that make compilation take some hundreds of milliseconds (about 0.6 s on 2 cores). */
  private static final int SLOW_TO_COMPILE = 1_000;

  private static final Duration LONG = Duration.ofSeconds(30);

  @Test
  void autoIsTheDefaultEngine() {
    assertThat(LoaderConfig.defaults().engine()).isEqualTo(Engine.AUTO);
    assertThat(WasmLoader.builder().build().config().engine()).isEqualTo(Engine.AUTO);
    assertThat(WasmLoader.builder().toConfig().engine()).isEqualTo(Engine.AUTO);
  }

  @Test
  @Timeout(60)
  void autoStartsOnTheInterpreterAnswersRightAndThenReportsTheCompiler() {
    Loader loader = WasmLoader.builder().build();
    // A module slow to compile shows the interpreter at first; fib.wasm may compile before the
    // next statement on a quiet machine.
    WasmModule slow = loader.load(GeneratedModules.switching(2 * SLOW_TO_COMPILE, 14));
    assertThat(slow.engine()).as("engine right after load").isEqualTo(Engine.INTERPRETER);
    WasmModule fib = loader.load(wasm("fib"));
    assertThat(fib.call("fib", 20)).isEqualTo(6765L);
    assertThat(fib.call("sum", 1000)).isEqualTo(499_500L);

    assertThat(fib.awaitCompiled(LONG)).isTrue();
    assertThat(fib.engine()).isEqualTo(Engine.COMPILER);
    assertThat(fib.awaitCompiled(Duration.ZERO)).as("once compiled, at once").isTrue();
    assertThat(fib.call("fib", 20)).isEqualTo(6765L);
    assertThat(fib.call("fib", 30)).isEqualTo(832_040L);
    // The same bytes through the same loader: the same, compiled module.
    assertThat(loader.load(wasm("fib"))).isSameAs(fib);
  }

  @Test
  @Timeout(60)
  void awaitCompiledTimesOutWhileABigModuleIsStillCompiling() {
    // Twice the usual fillers: one to two seconds of compilation, against microseconds for inc().
    WasmModule module = WasmLoader.builder().build().load(GeneratedModules.switching(2 * SLOW_TO_COMPILE, 11));
    assertThat(module.call("inc")).isEqualTo(1);
    assertThat(module.engine()).as("the first call returned before compilation finished").isEqualTo(Engine.INTERPRETER);

    long start = System.nanoTime();
    assertThat(module.awaitCompiled(Duration.ofMillis(1))).as("compiled within 1 ms of load?").isFalse();
    assertThat(module.awaitCompiled(Duration.ZERO)).isFalse();
    assertThat(System.nanoTime() - start).as("short timeouts return promptly").isLessThan(2_000_000_000L);
    assertThat(module.engine()).isEqualTo(Engine.INTERPRETER);
    // The first call does not wait for the compiler.
    assertThat(module.call("fib", 15)).isEqualTo(610L);

    assertThat(module.awaitCompiled(LONG)).isTrue();
    assertThat(module.engine()).isEqualTo(Engine.COMPILER);
    assertThat(module.call("fib", 25)).isEqualTo(75_025L);
  }

  @Test
  @Timeout(60)
  void anInstanceCreatedBeforeCompilationKeepsItsStateAndRunsCompiledCodeAfterTheSwitch() throws Exception {
    byte[] bytes = GeneratedModules.switching(SLOW_TO_COMPILE, 12);
    WasmModule module = WasmLoader.builder().build().load(bytes);
    // Instantiated at once, before anything else can give the background compilation time to finish;
    // an instance may move between threads as long as one uses it at a time.
    Instance created = module.instantiate();
    Engine engineAtCreation = module.engine();
    // A module of the same bytes that is never compiled, to show the depth below is out of the
    // interpreter's reach on this machine.
    WasmModule interpreted = WasmLoader.builder().engine(Engine.INTERPRETER).build().load(bytes);

    onThread(ONE_MIB, () -> {
      try (Instance instance = created) {
        assertThat(engineAtCreation).as("precondition: the instance was created before compilation finished")
            .isEqualTo(Engine.INTERPRETER);
        IntSupplier inc = instance.function("inc", IntSupplier.class);
        IntUnaryOperator down = instance.function("down", IntUnaryOperator.class);
        LongUnaryOperator fib = instance.function("fib", LongUnaryOperator.class);
        assertThat(inc.getAsInt()).isEqualTo(1);
        assertThat(instance.call("inc")).isEqualTo(2);
        assertThat(fib.applyAsLong(20)).isEqualTo(6765L);
        assertThat(down.applyAsInt(100)).isEqualTo(100);

        assertThat(module.awaitCompiled(LONG)).isTrue();
        assertThat(module.engine()).isEqualTo(Engine.COMPILER);

        // The counter counts on: same globals, now driven by compiled code.
        assertThat(inc.getAsInt()).isEqualTo(3);
        assertThat(instance.call("inc")).isEqualTo(4);
        assertThat(fib.applyAsLong(20)).isEqualTo(6765L);
        // Only compiled code goes this deep on a 1 MiB stack: the old instance really switched.
        assertThat(down.applyAsInt(COMPILED_ONLY_DEPTH)).isEqualTo(COMPILED_ONLY_DEPTH);
        assertThat(instance.call("down", COMPILED_ONLY_DEPTH)).isEqualTo(COMPILED_ONLY_DEPTH);
        assertThat(inc.getAsInt()).isEqualTo(5);
      }
      assertThatThrownBy(() -> interpreted.call("down", COMPILED_ONLY_DEPTH))
          .as("the interpreter at this depth on a 1 MiB stack")
          .isInstanceOf(TrapException.class)
          .hasMessageContaining("call stack exhausted");
    });
  }

  @Test
  @Timeout(60)
  void theCallingThreadsOwnInstanceAlsoSwitchesAndKeepsItsState() throws Exception {
    WasmModule module = WasmLoader.builder().build().load(GeneratedModules.switching(SLOW_TO_COMPILE, 13));
    onThread(ONE_MIB, () -> {
      assertThat(module.call("inc")).isEqualTo(1);
      assertThat(module.engine()).as("precondition: the thread's instance predates compilation")
          .isEqualTo(Engine.INTERPRETER);
      assertThat(module.call("inc")).isEqualTo(2);
      assertThat(module.awaitCompiled(LONG)).isTrue();
      assertThat(module.call("inc")).isEqualTo(3);
      assertThat(module.call("down", COMPILED_ONLY_DEPTH)).isEqualTo(COMPILED_ONLY_DEPTH);
      assertThat(module.call("inc")).isEqualTo(4);
    });
  }

  @Test
  @Timeout(60)
  void anInstanceCreatedAfterCompilationStartsFromFreshState() {
    WasmModule module = WasmLoader.builder().build().load(GeneratedModules.switching(10, 14));
    try (Instance before = module.instantiate()) {
      assertThat(before.call("inc")).isEqualTo(1);
      assertThat(module.awaitCompiled(LONG)).isTrue();
      try (Instance after = module.instantiate()) {
        assertThat(after.call("inc")).isEqualTo(1);
        assertThat(after.call("inc")).isEqualTo(2);
      }
      assertThat(before.call("inc")).isEqualTo(2);
    }
  }

  @Test
  @Timeout(30)
  void theInterpreterEngineNeverCompilesAndAwaitCompiledSaysSoAtOnce() throws Exception {
    WasmModule fib = WasmLoader.builder().engine(Engine.INTERPRETER).build().load(wasm("fib"));
    assertThat(fib.engine()).isEqualTo(Engine.INTERPRETER);

    long start = System.nanoTime();
    assertThat(fib.awaitCompiled(LONG)).isFalse();
    assertThat(System.nanoTime() - start).as("awaitCompiled(30 s) on the interpreter engine, in ns")
        .isLessThan(1_000_000_000L);

    assertThat(fib.call("fib", 20)).isEqualTo(6765L);
    Thread.sleep(300); // time in which an (unwanted) background compilation of 112 bytes would finish
    assertThat(fib.engine()).isEqualTo(Engine.INTERPRETER);
    assertThat(fib.awaitCompiled(Duration.ZERO)).isFalse();
    assertThat(fib.call("fib", 21)).isEqualTo(10_946L);
    assertThat(fib.engine()).isEqualTo(Engine.INTERPRETER);
  }

  @Test
  @Timeout(30)
  void theCompilerEngineIsCompiledWhenLoadReturns() {
    WasmModule fib = WasmLoader.builder().engine(Engine.COMPILER).build().load(wasm("fib"));
    assertThat(fib.engine()).isEqualTo(Engine.COMPILER);
    assertThat(fib.awaitCompiled(Duration.ZERO)).isTrue();
    assertThat(fib.call("fib", 20)).isEqualTo(6765L);

    WasmModule generated = WasmLoader.builder().engine(Engine.COMPILER).build()
        .load(GeneratedModules.switching(SLOW_TO_COMPILE, 15));
    assertThat(generated.engine()).isEqualTo(Engine.COMPILER);
    assertThat(generated.awaitCompiled(Duration.ZERO)).isTrue();
    assertThat(generated.call("fib", 20)).isEqualTo(6765L);
  }

  @Test
  @Timeout(60)
  void awaitCompiledAcceptsTheLongestDurationsOnTheInterpreter() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    WasmModule interpreted = WasmLoader.builder().engine(Engine.INTERPRETER).build().load(wasm("numbers"));
    assertThat(interpreted.awaitCompiled(forever)).as("INTERPRETER, awaitCompiled(FOREVER)").isFalse();
    assertThat(interpreted.awaitCompiled(Duration.ofDays(365L * 1_000))).isFalse();
    assertThat(interpreted.awaitCompiled(Duration.ofSeconds(-1))).isFalse();
  }

  @Test
  @Timeout(60)
  void awaitCompiledForeverWaitsForTheCompiler() {
    Duration forever = ChronoUnit.FOREVER.getDuration();
    WasmModule auto = WasmLoader.builder().build().load(GeneratedModules.switching(100, 16));
    assertThat(auto.awaitCompiled(forever)).as("AUTO, awaitCompiled(FOREVER)").isTrue();
    assertThat(auto.awaitCompiled(Duration.ofSeconds(-1))).as("already compiled").isTrue();
  }

  @Test
  @Timeout(30)
  void toStringNamesTheCurrentEngine() {
    WasmModule fib = WasmLoader.builder().engine(Engine.COMPILER).build().load(wasm("fib"));
    assertThat(fib.toString()).contains("COMPILER");
    WasmModule interpreted = WasmLoader.builder().engine(Engine.INTERPRETER).build().load(wasm("fib"));
    assertThat(interpreted.toString()).contains("INTERPRETER");
  }
}
