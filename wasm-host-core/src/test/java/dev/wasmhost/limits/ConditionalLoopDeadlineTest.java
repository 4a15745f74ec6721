package dev.wasmhost.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.wasmhost.CallTimeoutException;
import dev.wasmhost.Engine;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Found by the 100,000-case run of the hostile-module property: one bit of fib.wasm flipped turns
 * {@code sum}'s {@code br_if 1} (leave the loop) into {@code br_if 0} (repeat it), and with {@code
 * sum(0)} the loop never ends. Chicory 1.7.5's interpreter checks for interruption on {@code br} but
 * not on {@code br_if}, so the deadline could not stop it. On a loader with a call deadline, such
 * modules now run compiled, where every backward jump checks.
 */
class ConditionalLoopDeadlineTest {

  private static byte[] conditionalLoop() throws IOException {
    byte[] bytes = Files.readAllBytes(Path.of("../testdata/wasm/fib.wasm"));
    bytes[89] ^= 1; // br_if 1 -> br_if 0 in sum
    return bytes;
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aLoopRepeatedByBrIfEndsAtItsDeadlineInEveryEngine(Engine engine) throws IOException {
    WasmModule module =
        WasmLoader.builder().engine(engine).callTimeout(Duration.ofMillis(100)).build().load(conditionalLoop());
    assertThat(module.engine()).as("runs compiled, whatever the loader's engine").isEqualTo(Engine.COMPILER);
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> assertThatThrownBy(() -> module.call("sum", 0)).isInstanceOf(CallTimeoutException.class));
    assertThat(module.call("fib", 10L)).isEqualTo(55L);
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"INTERPRETER", "AUTO"})
  void withoutADeadlineTheEngineIsKept(Engine engine) throws IOException {
    WasmModule module = WasmLoader.builder().engine(engine).build().load(conditionalLoop());
    assertThat(module.engine()).isEqualTo(Engine.INTERPRETER);
  }
}
