package dev.wasmhost.limits;

import static dev.wasmhost.limits.DeadlineAssertions.assertStopped;
import static dev.wasmhost.limits.DeadlineAssertions.assertStoppedAtDeadline;
import static dev.wasmhost.limits.Fixtures.timed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.CallTimeoutException;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A deadline shorter than the module's compile time under {@link Engine#AUTO}: the first calls run
 * in the interpreter while a loader thread compiles, and are stopped at their deadline there; once
 * compiled code is in use, calls are still stopped at the deadline, including calls on an instance
 * created before compilation finished.
 */
class AutoCompileDeadlineTest {
  private static final long DEADLINE = 50;
  /** 500 functions of 100 arithmetic steps: about 300 KB, which takes the compiler well over a second. */
  private static final int FUNCTIONS = 500;
  private static final int OPS = 100;
  private static final byte[] BIG = WasmBinary.generated(FUNCTIONS, OPS);

  @AfterEach
  void noStrayInterrupt() {
    assertThat(Thread.interrupted()).isFalse();
  }

  @Test
  void aCallStartedWhileCompilingIsStoppedInTheInterpreterAndCompiledCallsLater() throws Throwable {
    Loader loader = WasmLoader.builder().engine(Engine.AUTO).callTimeout(Duration.ofMillis(DEADLINE)).build();
    WasmModule module = loader.load(BIG);
    Fixtures.Timed first = timed(() -> module.call("spin"));
    Engine after = module.engine();
    assertStopped(first, DEADLINE, "sha256:", "spin");
    assertThat(after).as("the module was still compiling when the call was stopped").isEqualTo(Engine.INTERPRETER);

    // Still compiling: interpreted calls keep their deadline and their results.
    try (Instance early = module.instantiate()) {
      assertThat(early.call("f3", 11)).isEqualTo(WasmBinary.expected(3, OPS, 11));
      assertStopped(timed(() -> module.call("spin")), DEADLINE, "sha256:", "spin");

      assertThat(module.awaitCompiled(Fixtures.COMPILE_WAIT)).isTrue();
      assertThat(module.engine()).isEqualTo(Engine.COMPILER);

      // The instance made before compilation finished now runs compiled code, under the same deadline.
      assertThat(early.call("f3", 11)).isEqualTo(WasmBinary.expected(3, OPS, 11));
      assertStopped(timed(() -> early.call("spin")), DEADLINE, "sha256:", "spin");
    }
    assertThat(timed(() -> module.call("spin")).thrown()).isInstanceOf(CallTimeoutException.class); // warm-up
    assertStoppedAtDeadline(() -> module.call("ok"), () -> module.call("spin"), DEADLINE, "sha256:", "spin");
    assertThat(module.call("f499", 2)).isEqualTo(WasmBinary.expected(499, OPS, 2));
  }

  /**
   * A small module compiles in about the deadline's time, so the call and the compilation race; it
   * is stopped at its deadline whichever wins.
   */
  @Test
  void callsRacingASmallModulesCompilationAreStopped() {
    for (int i = 0; i < 10; i++) {
      Loader loader = WasmLoader.builder().engine(Engine.AUTO).callTimeout(Duration.ofMillis(DEADLINE)).build();
      WasmModule traps = loader.load(Fixtures.wasm("traps"));
      assertStopped(timed(() -> traps.call("spin")), DEADLINE, "traps.wasm", "spin");
      assertThat(traps.call("ok")).isEqualTo(7);
      assertStopped(timed(() -> traps.call("spin")), DEADLINE, "traps.wasm", "spin");
      assertThat(traps.awaitCompiled(Fixtures.COMPILE_WAIT)).isTrue();
      assertStopped(timed(() -> traps.call("spin")), DEADLINE, "traps.wasm", "spin");
    }
  }
}
