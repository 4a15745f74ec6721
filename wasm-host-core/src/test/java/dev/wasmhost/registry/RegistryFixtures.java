package dev.wasmhost.registry;

import dev.wasmhost.Loader;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.WasmLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Test modules of {@code testdata/wasm} and an event recorder, shared by the registry tests. */
final class RegistryFixtures {
  /** Surefire runs in the module directory; the test modules have one home, {@code testdata/wasm}. */
  static final Path WASM = Path.of("../testdata/wasm").toAbsolutePath().normalize();

  private RegistryFixtures() {}

  static Path path(String name) {
    return WASM.resolve(name);
  }

  static URI uri(String name) {
    return path(name).toUri();
  }

  static byte[] bytes(String name) {
    try {
      return Files.readAllBytes(path(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A URI of a file that does not exist. */
  static URI missing(String name) {
    URI uri = WASM.resolve("does-not-exist").resolve(name).toUri();
    if (Files.exists(Path.of(uri))) {
      throw new IllegalStateException(uri + " exists");
    }
    return uri;
  }

  /** A definition of module {@code name} depending on {@code dependencies}. */
  static SubsystemDefinition module(String name, String... dependencies) {
    return SubsystemDefinition.builder(uri(name)).dependsOn(dependencies).build();
  }

  /** A loader of its own, so that cache statistics and compilations belong to one test. */
  static Loader newLoader() {
    return WasmLoader.builder().build();
  }

  /** Records every event, in order, from any thread. */
  static final class Events implements Consumer<RegistryEvent> {
    final List<RegistryEvent> all = new CopyOnWriteArrayList<>();
    /** "TYPE id on thread-name" for each event, in order. */
    final List<String> threads = new CopyOnWriteArrayList<>();

    @Override
    public synchronized void accept(RegistryEvent event) {
      all.add(event);
      threads.add(event.type() + " " + event.id() + " on " + Thread.currentThread().getName());
    }

    List<RegistryEvent> of(RegistryEvent.Type type) {
      return all.stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }

    List<RegistryEvent> of(RegistryEvent.Type type, String id) {
      return all.stream().filter(e -> e.type() == type && e.id().equals(id)).collect(Collectors.toList());
    }

    /** The ids of events of {@code type}, in the order they were fired. */
    List<String> ids(RegistryEvent.Type type) {
      return of(type).stream().map(RegistryEvent::id).collect(Collectors.toList());
    }

    /** "TYPE id" for each event, in order, e.g. {@code [FAILED calc, RESOLVED calc]}. */
    List<String> summary() {
      return all.stream().map(e -> e.type() + " " + e.id()).collect(Collectors.toList());
    }
  }
}
