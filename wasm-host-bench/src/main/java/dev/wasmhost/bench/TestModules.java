package dev.wasmhost.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Loads the shared test modules of {@code testdata/wasm}, which the build copies into the benchmark
 * jar as class-path resources {@code /wasm/NAME.wasm}.
 */
final class TestModules {

  private TestModules() {}

  /** The bytes of {@code /wasm/<name>}, e.g. {@code bytes("numbers.wasm")}. */
  static byte[] bytes(String name) {
    String resource = "/wasm/" + name;
    try (InputStream in = TestModules.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing class-path resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** Fails a benchmark's set-up when a variant computes the wrong answer. */
  static void check(String what, long expected, long actual) {
    if (expected != actual) {
      throw new IllegalStateException(what + " returned " + actual + ", expected " + expected);
    }
  }
}
