package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.FIB;
import static dev.wasmhost.tests.TestModules.MEMORY;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.CacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A module is its bytes: loading equal bytes through one loader, from any sources in any order, gives
 * one digest, one module object and one miss.
 */
class IdentityPropertiesTest {

  enum Source {
    BYTES,
    PATH,
    FILE_URI,
    CLASSPATH,
    JAR_URI
  }

  private static Path dir;

  @BeforeContainer
  static void writeFiles() throws IOException {
    dir = Files.createTempDirectory("wasm-host-identity");
    for (String name : List.of(NUMBERS, FIB, MEMORY)) {
      Files.write(dir.resolve(name + ".wasm"), TestModules.bytes(name));
    }
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(dir.resolve("modules.jar")))) {
      for (String name : List.of(NUMBERS, FIB, MEMORY)) {
        out.putNextEntry(new JarEntry("m/" + name + ".wasm"));
        out.write(TestModules.bytes(name));
        out.closeEntry();
      }
    }
  }

  @AfterContainer
  static void deleteFiles() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  private static WasmModule load(Loader loader, Source source, String name) {
    switch (source) {
      case BYTES:
        return loader.load(TestModules.bytes(name));
      case PATH:
        return loader.load(dir.resolve(name + ".wasm"));
      case FILE_URI:
        return loader.load(dir.resolve(name + ".wasm").toUri());
      case CLASSPATH:
        return loader.load(TestModules.classpathUri(name));
      case JAR_URI:
        return loader.load(URI.create("jar:" + dir.resolve("modules.jar").toUri() + "!/m/" + name + ".wasm"));
      default:
        throw new AssertionError(source);
    }
  }

  @Provide
  Arbitrary<String> modules() {
    return Arbitraries.of(NUMBERS, FIB, MEMORY);
  }

  @Provide
  Arbitrary<List<String>> moduleSequences() {
    return modules().list().ofMinSize(1).ofMaxSize(12);
  }

  @Property(tries = 150)
  void equalBytesFromAnySourcesAreOneModule(
      @ForAll("modules") String name, @ForAll @Size(min = 1, max = 8) List<Source> sources, @ForAll Engine engine) {
    Loader loader = TestModules.loader(engine);
    String digest = TestModules.sha256(TestModules.bytes(name));
    List<WasmModule> loaded = new ArrayList<>();
    for (Source source : sources) {
      loaded.add(load(loader, source, name));
    }
    WasmModule first = loaded.get(0);
    for (WasmModule module : loaded) {
      assertThat(module).isSameAs(first);
      assertThat(module.digest()).isEqualTo(digest);
    }
    CacheStats stats = loader.cacheStats();
    assertThat(stats.missCount()).isEqualTo(1);
    assertThat(stats.hitCount()).isEqualTo(sources.size() - 1);
    assertThat(stats.moduleCount()).isEqualTo(1);
    assertThat(first.engine()).isIn(TestModules.runningEngines(engine));
  }

  @Property(tries = 150)
  void interleavedModulesKeepTheirIdentity(@ForAll("moduleSequences") List<String> names, @ForAll Source source) {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    java.util.Map<String, WasmModule> seen = new java.util.HashMap<>();
    for (String name : names) {
      WasmModule module = load(loader, source, name);
      WasmModule before = seen.putIfAbsent(name, module);
      if (before != null) {
        assertThat(module).isSameAs(before);
      }
      assertThat(module.digest()).isEqualTo(TestModules.sha256(TestModules.bytes(name)));
    }
    assertThat(seen.values().stream().distinct().count()).isEqualTo(seen.size());
    CacheStats stats = loader.cacheStats();
    assertThat(stats.missCount()).isEqualTo(seen.size());
    assertThat(stats.hitCount()).isEqualTo(names.size() - seen.size());
  }
}
