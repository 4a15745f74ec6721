package dev.wasmhost.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Test modules, loaders and a stopwatch for the limits tests. Public API only. */
final class Fixtures {
  /** Slack allowed past a deadline, measured around a warm call. */
  static final long SLACK_MILLIS = 100;

  /** How long a test waits for background or up-front compilation. */
  static final Duration COMPILE_WAIT = Duration.ofSeconds(60);

  private Fixtures() {}

  /** {@code testdata/wasm/NAME.wasm}, seen from the module's directory (Maven's working directory). */
  static Path wasm(String name) {
    return Path.of("../testdata/wasm/" + name + ".wasm");
  }

  static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(wasm(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Loader.Builder builder(Engine engine) {
    return WasmLoader.builder().engine(engine);
  }

  /** Loads {@code name}; for COMPILER and AUTO, also waits until compiled code is in use. */
  static WasmModule loadReady(Loader loader, String name) {
    WasmModule module = loader.load(wasm(name));
    return ready(loader, module);
  }

  static WasmModule ready(Loader loader, WasmModule module) {
    if (loader.config().engine() != Engine.INTERPRETER) {
      assertThat(module.awaitCompiled(COMPILE_WAIT)).as("compiled in time").isTrue();
      assertThat(module.engine()).isEqualTo(Engine.COMPILER);
    } else {
      assertThat(module.engine()).isEqualTo(Engine.INTERPRETER);
    }
    return module;
  }

  /** What a timed action threw (or null) and how long it took. */
  record Timed(Object result, Throwable thrown, long nanos) {
    long millis() {
      return nanos / 1_000_000;
    }

    @Override
    public String toString() {
      return "Timed[" + (thrown != null ? thrown : "returned " + result) + " after " + millis() + " ms]";
    }
  }

  interface Action {
    Object run() throws Throwable;
  }

  /** Runs {@code action} on this thread and times it; nothing it throws escapes. */
  static Timed timed(Action action) {
    long start = System.nanoTime();
    Object result = null;
    Throwable thrown = null;
    try {
      result = action.run();
    } catch (Throwable t) {
      thrown = t;
    }
    return new Timed(result, thrown, System.nanoTime() - start);
  }
}
