package dev.wasmhost.wasi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every case of testdata/wasi (C programs built with wasi-libc) in both engines and compares
 * stdout and exit code with what the reference gave: Node 20's {@code node:wasi}, or the POSIX/WASI
 * specification where Node cannot run the case (read-only mounts). After each run the host side is
 * checked too: nothing outside the mounts changed.
 */
class WasiConformanceTest {
  private static final Map<Engine, Loader> LOADERS = new EnumMap<>(Engine.class);

  static synchronized Loader loader(Engine engine) {
    return LOADERS.computeIfAbsent(engine, e -> WasmLoader.builder().engine(e).build());
  }

  @AfterAll
  static void closeLoaders() {
    LOADERS.clear();
  }

  static Stream<Arguments> cases() throws IOException {
    List<Arguments> all = new ArrayList<>();
    for (WasiCase c : WasiCase.all()) {
      all.add(Arguments.of(c, Engine.INTERPRETER));
      all.add(Arguments.of(c, Engine.COMPILER));
    }
    return all.stream();
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("cases")
  void matchesTheReference(WasiCase c, Engine engine, @TempDir Path tmp) throws IOException {
    WasiResult result = run(c, loader(engine), tmp);

    assertThat(result.stdoutText())
        .as("stdout of %s (reference: %s); stderr: %s", c.name(), c.reference(), result.stderrText())
        .isEqualTo(new String(c.expectedStdout(), StandardCharsets.UTF_8));
    assertThat(result.exitCode()).as("exit code of %s", c.name()).isEqualTo(c.expectedExit());
    assertThat(Files.readString(tmp.resolve("outside/secret.txt"))).isEqualTo("secret\n");
    try (Stream<Path> outside = Files.list(tmp.resolve("outside"))) {
      assertThat(outside.map(p -> p.getFileName().toString())).containsExactly("secret.txt");
    }
  }

  /** Runs {@code c} as the README of testdata/wasi describes, with fixtures copied into {@code tmp}. */
  static WasiResult run(WasiCase c, Loader loader, Path tmp) throws IOException {
    Wasi.Builder wasi = Wasi.builder();
    List<String> argv = new ArrayList<>();
    argv.add(c.program().getFileName().toString());
    argv.addAll(c.args());
    wasi.args(argv);
    for (String kv : c.env()) {
      int eq = kv.indexOf('=');
      wasi.env(kv.substring(0, eq), kv.substring(eq + 1));
    }
    if (c.stdin() != null) {
      wasi.stdin(Files.readAllBytes(c.stdin()));
    }
    Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(tmp.resolve("outside/secret.txt"), "secret\n");
    for (String mount : c.mounts()) {
      String[] parts = mount.split(":");
      Path copy = tmp.resolve(parts[0]);
      copyTree(WasiCase.HOME.resolve("fixtures").resolve(parts[0]), copy);
      if (parts[2].equals("ro")) {
        wasi.mountReadOnly(copy, parts[1]);
      } else {
        wasi.mount(copy, parts[1]);
      }
    }
    return wasi.build().run(loader.load(c.program()));
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : paths.toList()) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }
  }
}
