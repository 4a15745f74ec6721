package dev.wasmhost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.CacheStats;
import dev.wasmhost.LoadException;
import dev.wasmhost.Loader;
import dev.wasmhost.LoaderConfig;
import dev.wasmhost.WasmModule;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which texts {@link ModuleFile} takes for URIs and which for paths. */
class ModuleFileTest {

  /** Records which overload was called; returns no module. */
  static final class RecordingLoader implements Loader {
    Object loaded;

    @Override
    public WasmModule load(URI uri) {
      loaded = uri;
      return null;
    }

    @Override
    public WasmModule load(URI uri, String expectedDigest) {
      throw new UnsupportedOperationException();
    }

    @Override
    public WasmModule load(Path path) {
      loaded = path;
      return null;
    }

    @Override
    public WasmModule load(byte[] bytes) {
      throw new UnsupportedOperationException();
    }

    @Override
    public WasmModule loadPrecompiled(Class<?> generatedClass) {
      throw new UnsupportedOperationException();
    }

    @Override
    public CacheStats cacheStats() {
      throw new UnsupportedOperationException();
    }

    @Override
    public boolean diskCacheHolds(WasmModule module) {
      throw new UnsupportedOperationException();
    }

    @Override
    public java.util.Optional<dev.wasmhost.DiskCacheStats> diskCacheStats() {
      throw new UnsupportedOperationException();
    }

    @Override
    public LoaderConfig config() {
      return LoaderConfig.defaults();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "file:/tmp/a.wasm",
        "file:///tmp/a.wasm",
        "http://example.com/a.wasm",
        "https://example.com/a.wasm",
        "jar:file:/tmp/a.jar!/a.wasm",
        "classpath:/wasm/a.wasm",
        "CLASSPATH:wasm/a.wasm",
        "x-custom+v1.2:thing"
      })
  void textsWithASchemeAreUris(String text) {
    RecordingLoader loader = new RecordingLoader();
    ModuleFile.load(loader, text);
    assertThat(loader.loaded).isEqualTo(URI.create(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a.wasm",
        "../testdata/wasm/fib.wasm",
        "/tmp/a.wasm",
        "C:/mods/a.wasm",
        "c:a.wasm",
        "./file:a.wasm",
        "1ab:c.wasm"
      })
  void otherTextsArePaths(String text) {
    RecordingLoader loader = new RecordingLoader();
    ModuleFile.load(loader, text);
    assertThat(loader.loaded).isEqualTo(Path.of(text));
  }

  @Test
  void malformedUriIsALoadException() {
    assertThatThrownBy(() -> ModuleFile.load(new RecordingLoader(), "http://exa mple.com/a.wasm"))
        .isInstanceOf(LoadException.class)
        .hasMessage("cannot load http://exa mple.com/a.wasm: malformed URI (Illegal character in authority at index 7)");
  }

  @Test
  void invalidPathIsALoadException() {
    assertThatThrownBy(() -> ModuleFile.load(new RecordingLoader(), "a\u0000.wasm"))
        .isInstanceOf(LoadException.class)
        .hasMessageStartingWith("cannot load a\u0000.wasm: invalid path (");
  }
}
