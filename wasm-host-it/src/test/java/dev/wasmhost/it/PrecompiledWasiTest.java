package dev.wasmhost.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import dev.wasmhost.wasi.Wasi;
import dev.wasmhost.wasi.WasiResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** A WASI command compiled at build time runs like one loaded from bytes, and matches it. */
class PrecompiledWasiTest {

  @Test
  void aBuildTimeCompiledWasiCommandRunsAndAgreesWithTheRuntimeEngines() {
    byte[] input = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
    Wasi wasi = Wasi.builder().stdin(input).build();
    String expected = "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592";

    WasiResult precompiled = wasi.run(WasmLoader.builder().build().loadPrecompiled(Sha256Module.class));
    assertThat(precompiled.exitCode()).isZero();
    assertThat(precompiled.stdoutText()).contains(expected);

    for (Engine engine : Engine.values()) {
      Loader loader = WasmLoader.builder().engine(engine).build();
      WasmModule module = loader.load(Path.of("../testdata/wasi/sha256.wasm"));
      assertThat(wasi.run(module)).as("engine %s", engine).isEqualTo(precompiled);
      // A second run is served from the loader's cache and gives the same result.
      assertThat(wasi.run(loader.load(Path.of("../testdata/wasi/sha256.wasm")))).isEqualTo(precompiled);
      assertThat(loader.cacheStats().hitCount()).isEqualTo(1);
    }
  }
}
