package dev.wasmhost.tests;

import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The one way tests get at test modules. The shared modules ({@code testdata/wasm}, built by its
 * {@code build.sh}) are class path resources {@code wasm/NAME.wasm}; the few only these tests need
 * are in {@code src/test/resources/wasm-extra} (built by the {@code build.sh} there).
 */
final class TestModules {
  private TestModules() {}

  /** Names of the shared modules in testdata/wasm. */
  static final String NUMBERS = "numbers";
  static final String FIB = "fib";
  static final String TRAPS = "traps";
  static final String MEMORY = "memory";
  static final String IMPORTS = "imports";
  static final String START_TRAP = "start_trap";
  static final String INVALID = "invalid";

  /** Names of the modules in wasm-extra. */
  static final String SHAPES = "extra/shapes";
  static final String IMPORTED_MEMORY = "extra/imported_memory";
  static final String DATA_OOB = "extra/data_oob";
  static final String START_IMPORT = "extra/start_import";

  /** The class path resource of module {@code name}. */
  static String resource(String name) {
    return name.startsWith("extra/") ? "wasm-extra/" + name.substring(6) + ".wasm" : "wasm/" + name + ".wasm";
  }

  /** A fresh copy of the bytes of module {@code name}. */
  static byte[] bytes(String name) {
    String resource = resource(name);
    try (InputStream in = TestModules.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test module not on the class path: " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code classpath:/wasm/NAME.wasm}. */
  static URI classpathUri(String name) {
    return URI.create("classpath:/" + resource(name));
  }

  /** A new loader with its own cache, running {@code engine}. */
  static Loader loader(Engine engine) {
    return WasmLoader.builder().engine(engine).build();
  }

  /** {@code sha256:} and the lowercase hex SHA-256 of {@code bytes}, computed independently. */
  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** How wasm-host names a module loaded from bytes in messages: the first 12 hex digits. */
  static String shortDigest(byte[] bytes) {
    return sha256(bytes).substring(0, "sha256:".length() + 12);
  }

  /**
   * The engines a module of a loader with {@code configured} may report as running new calls: AUTO
   * runs in the interpreter until its background compilation completes.
   */
  static java.util.List<Engine> runningEngines(Engine configured) {
    return configured == Engine.AUTO ? java.util.List.of(Engine.INTERPRETER, Engine.COMPILER) : java.util.List.of(configured);
  }
}
