package dev.wasmhost.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.wasmhost.CallTimeoutException;
import dev.wasmhost.Engine;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Found by the hostile-module property: one byte of spin_recursive.wasm turned into {@code
 * return_call} makes {@code calls_forever} loop through tail calls, which Chicory's interpreter runs
 * without checking for interruption, so its deadline could not stop it. Such modules now run compiled,
 * where a tail call is an ordinary call: the loop exhausts the stack instead.
 */
class TailCallDeadlineTest {

  private static byte[] tailCallingLoop() throws IOException {
    byte[] bytes = Files.readAllBytes(Path.of("../testdata/wasm/spin_recursive.wasm"));
    bytes[101] = 0x12; // was i32.const (0x41) in calls_forever: now return_call $leaf
    return bytes;
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aLoopOfTailCallsEndsInEveryEngine(Engine engine) throws IOException {
    byte[] bytes = tailCallingLoop();
    WasmModule module =
        WasmLoader.builder().engine(engine).callTimeout(Duration.ofMillis(100)).build().load(bytes);
    assertThat(module.engine()).as("runs compiled, whatever the loader's engine").isEqualTo(Engine.COMPILER);
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          assertThatThrownBy(() -> module.call("calls_forever"))
              .isInstanceOf(TrapException.class)
              .hasMessageContaining("call stack exhausted");
          assertThatThrownBy(() -> module.call("spin_recursive")).isInstanceOf(CallTimeoutException.class);
        });
    assertThat(module.call("ok")).isEqualTo(7);
  }
}
