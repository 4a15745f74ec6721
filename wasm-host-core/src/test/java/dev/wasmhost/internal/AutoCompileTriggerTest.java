package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AUTO holds its background compilation back until a call in the interpreter returns, or until a
 * maximum delay passes without one; either starts it, once.
 */
@Timeout(60)
class AutoCompileTriggerTest {
  private final ExecutorService executor = Executors.newSingleThreadExecutor();

  @AfterEach
  void stop() throws InterruptedException {
    executor.shutdown();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private static byte[] fib() throws IOException {
    try (InputStream in = AutoCompileTriggerTest.class.getResourceAsStream("/wasm/fib.wasm")) {
      return in.readAllBytes();
    }
  }

  private static LoadedModule module(Engine engine) throws IOException {
    ChicoryLoader loader = new ChicoryLoader(WasmLoader.builder().engine(engine).toConfig());
    return ((ModuleHandle) loader.load(fib())).core();
  }

  private void drain() throws Exception {
    executor.submit(() -> {}).get(10, TimeUnit.SECONDS);
  }

  @Test
  void theFirstReturnedCallStartsTheCompilationOnceAndLaterOnesDoNothing() throws Exception {
    LoadedModule module = module(Engine.INTERPRETER);
    AtomicInteger started = new AtomicInteger();
    module.compileAfterFirstCall(started::incrementAndGet, executor, TimeUnit.HOURS.toMillis(1));
    drain();
    assertThat(started).hasValue(0);

    module.interpretedCallReturned();
    drain();
    assertThat(started).hasValue(1);

    module.interpretedCallReturned();
    module.interpretedCallReturned();
    drain();
    assertThat(started).hasValue(1);
  }

  @Test
  void withoutACallTheDelayStartsItAndALaterCallDoesNotAgain() throws Exception {
    LoadedModule module = module(Engine.INTERPRETER);
    AtomicInteger started = new AtomicInteger();
    module.compileAfterFirstCall(started::incrementAndGet, executor, 50);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (started.get() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(started).hasValue(1);
    module.interpretedCallReturned();
    drain();
    assertThat(started).hasValue(1);
  }

  @Test
  void anAutoModuleThatIsNeverCalledStillCompiles() throws Exception {
    ChicoryLoader loader = new ChicoryLoader(WasmLoader.builder().engine(Engine.AUTO).toConfig());
    WasmModule module = loader.load(fib());
    assertThat(module.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(module.engine()).isEqualTo(Engine.COMPILER);
    assertThat(module.call("fib", 20)).isEqualTo(6765L);
  }

  @Test
  void anInterpretedCallOfAnAutoModuleStartsItsCompilation() throws Exception {
    ChicoryLoader loader = new ChicoryLoader(WasmLoader.builder().engine(Engine.AUTO).toConfig());
    WasmModule module = loader.load(fib());
    LoadedModule core = ((ModuleHandle) module).core();
    assertThat(core.compilePending()).as("held back for up to %d ms", ChicoryLoader.AUTO_COMPILE_MAX_DELAY_MILLIS).isTrue();
    assertThat(module.call("fib", 5)).isEqualTo(5L);
    assertThat(core.compilePending()).isFalse();
    assertThat(module.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(module.call("fib", 20)).isEqualTo(6765L);
  }
}
