package dev.wasmhost.wasi;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The examples of the WASI section of docs/guide.md, as written there. */
class WasiGuideExamplesTest {
  private static final Path HOME = WasiCase.HOME;

  @Test
  void runACommand(@TempDir Path workDir, @TempDir Path dataDir) {
    Wasi wasi = Wasi.builder()
        .args("sha256", "-")
        .env("LANG", "C")
        .stdin("abc".getBytes(UTF_8))
        .mount(workDir, "/work")
        .mountReadOnly(dataDir, "/data")
        .build();

    WasiResult result = wasi.run(WasmLoader.load(HOME.resolve("sha256.wasm")));
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdoutText()).contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  }

  @Test
  void reactorsAndPools() {
    Wasi wasi = Wasi.builder().build();
    WasmModule module = WasmLoader.load(HOME.resolve("reactor.wasm"));
    try (Instance lib = wasi.instantiate(module)) {
      assertThat(lib.call("add", 1, 2)).isEqualTo(3);
    }
    try (InstancePool pool = InstancePool.builder(module)
        .imports(wasi.imports())
        .initializer("_initialize")
        .build()) {
      Object initialized = pool.apply(instance -> instance.call("initialized"));
      assertThat(initialized).isEqualTo(1);
    }
  }

  @Test
  void inMemoryFileSystem() throws IOException {
    WasmModule module = WasmLoader.load(HOME.resolve("fs_memory.wasm"));
    FileSystem memory = Jimfs.newFileSystem(Configuration.unix());
    Path root = Files.createDirectories(memory.getPath("/mem"));
    Files.writeString(root.resolve("in.txt"), "hello");
    Wasi.builder().mount(root, "/mem").build().run(module);
    assertThat(Files.readString(root.resolve("out.txt"))).isEqualTo("HELLO");
  }
}
