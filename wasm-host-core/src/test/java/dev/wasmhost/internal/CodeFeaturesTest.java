package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.WasmLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The code walk behind the loader's decisions about tail calls and conditionally repeated loops
 * (which Chicory's interpreter runs without checking for interruption), and about calling GC-free
 * code directly.
 */
class CodeFeaturesTest {

  /** (module (func (result i32) i32.const 7 ref.i31 drop i32.const 7)) with an export "f". */
  private static final byte[] USES_REF_I31 = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, // type: () -> i32
    0x03, 0x02, 0x01, 0x00, // function 0 has type 0
    0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, // export "f" = func 0
    0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x07, (byte) 0xfb, 0x1c, 0x1a, 0x41, 0x07, 0x0b // code
  };

  @Test
  void plainCodeHasNeither() throws IOException {
    assertThat(CodeFeatures.of(Files.readAllBytes(Path.of("../testdata/wasm/fib.wasm"))))
        .isEqualTo(new CodeFeatures(false, false, false));
  }

  @Test
  void findsTailCalls() throws IOException {
    byte[] bytes = Files.readAllBytes(Path.of("../testdata/wasm/spin_recursive.wasm"));
    bytes[101] = 0x12; // return_call, as in TailCallDeadlineTest
    assertThat(CodeFeatures.of(bytes).tailCalls()).isTrue();
  }

  @Test
  void findsGcInstructionsSoThatCallsKeepChicorysSafePoint() {
    assertThat(CodeFeatures.of(USES_REF_I31)).isEqualTo(new CodeFeatures(false, false, true));
    ModuleHandle module = (ModuleHandle) WasmLoader.builder().build().load(USES_REF_I31);
    assertThat(module.core().directCalls()).isFalse();
    assertThat(module.call("f")).isEqualTo(7);
  }

  @Test
  void findsConditionalBranchesBackToALoop() throws IOException {
    byte[] bytes = Files.readAllBytes(Path.of("../testdata/wasm/fib.wasm"));
    bytes[89] ^= 1; // sum's br_if 1 (out of the loop) becomes br_if 0 (back to it)
    assertThat(CodeFeatures.of(bytes)).isEqualTo(new CodeFeatures(false, true, false));
  }

  @Test
  void codeItCannotWalkIsAssumedToUseGc() {
    byte[] truncated = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x05, 0x01, 0x03, 0x00, (byte) 0xff};
    assertThat(CodeFeatures.of(truncated).gcInstructions()).isTrue();
  }

  @Test
  void gcFreeModulesAreCalledDirectlyAndGiveTheSameResults() throws IOException {
    byte[] fib = Files.readAllBytes(Path.of("../testdata/wasm/fib.wasm"));
    ModuleHandle module = (ModuleHandle) WasmLoader.builder().build().load(fib);
    assertThat(module.core().directCalls()).isTrue();
    assertThat(module.call("fib", 20)).isEqualTo(6765L);
  }

  @Test
  void aWarmDiskCacheEntryRemembersWhetherCallsMayBeDirect(@org.junit.jupiter.api.io.TempDir Path cache)
      throws IOException {
    byte[] fib = Files.readAllBytes(Path.of("../testdata/wasm/fib.wasm"));
    for (byte[] bytes : new byte[][] {fib, USES_REF_I31}) {
      boolean direct = bytes == fib;
      ModuleHandle cold =
          (ModuleHandle) WasmLoader.builder().engine(dev.wasmhost.Engine.COMPILER).diskCache(cache).build().load(bytes);
      dev.wasmhost.Loader warmLoader = WasmLoader.builder().engine(dev.wasmhost.Engine.COMPILER).diskCache(cache).build();
      ModuleHandle warm = (ModuleHandle) warmLoader.load(bytes);
      assertThat(warmLoader.diskCacheStats().orElseThrow().hitCount()).as("served from the disk cache").isEqualTo(1);
      assertThat(cold.core().directCalls()).isEqualTo(direct);
      assertThat(warm.core().directCalls()).as("from the disk cache").isEqualTo(direct);
      assertThat(warm.call(direct ? "fib" : "f", direct ? new Object[] {20} : new Object[0]))
          .isEqualTo(direct ? (Object) 6765L : (Object) 7);
    }
  }
}
