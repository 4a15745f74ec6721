package dev.wasmhost.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.LoaderConfig;
import dev.wasmhost.WasmLoader;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Provides;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Pins the module descriptors as compiled: the API exports only {@code dev.wasmhost} and uses the
 * provider service; the core exports nothing and provides it. Also boots both on a real module path,
 * in a layer of their own, and calls a module through the API found there.
 */
class ModuleDescriptorTest {

  private static Path locationOf(Class<?> type) throws Exception {
    return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  /** The API's jar (from the local repository). */
  private static Path apiLocation() throws Exception {
    return locationOf(LoaderConfig.class);
  }

  /** The core's compiled classes (target/classes), found through the loader the API created. */
  private static Path coreLocation() throws Exception {
    return locationOf(WasmLoader.defaultLoader().getClass());
  }

  private static ModuleDescriptor descriptor(Path location) {
    List<ModuleReference> found = new ArrayList<>(ModuleFinder.of(location).findAll());
    assertThat(found).as("modules at %s", location).hasSize(1);
    return found.get(0).descriptor();
  }

  @Test
  void apiExportsOnlyItsPackageAndUsesTheProvider() throws Exception {
    ModuleDescriptor api = descriptor(apiLocation());
    assertThat(api.name()).isEqualTo("dev.wasmhost.api");
    assertThat(api.isAutomatic()).isFalse();
    assertThat(api.isOpen()).isFalse();
    assertThat(api.exports()).hasSize(1);
    Exports exports = api.exports().iterator().next();
    assertThat(exports.source()).isEqualTo("dev.wasmhost");
    assertThat(exports.isQualified()).as("qualified exports: %s", exports.targets()).isFalse();
    assertThat(api.exports().stream().filter(Exports::isQualified)).isEmpty();
    assertThat(api.opens()).isEmpty();
    assertThat(api.uses()).containsExactly("dev.wasmhost.LoaderProvider");
    assertThat(api.provides()).isEmpty();
    assertThat(api.packages()).containsExactly("dev.wasmhost");
    assertThat(api.requires().stream().map(Requires::name).collect(Collectors.toSet())).containsExactly("java.base");
  }

  @Test
  void coreExportsNothingAndProvidesTheLoaderProvider() throws Exception {
    ModuleDescriptor core = descriptor(coreLocation());
    assertThat(core.name()).isEqualTo("dev.wasmhost.core");
    assertThat(core.isAutomatic()).isFalse();
    assertThat(core.isOpen()).isFalse();
    assertThat(core.exports().stream().filter(e -> !e.isQualified()).map(Exports::source))
        .as("unqualified exports")
        .isEmpty();
    assertThat(core.opens()).isEmpty();
    assertThat(core.packages()).containsExactly("dev.wasmhost.internal");
    assertThat(core.provides()).hasSize(1);
    Provides provides = core.provides().iterator().next();
    assertThat(provides.service()).isEqualTo("dev.wasmhost.LoaderProvider");
    assertThat(provides.providers()).containsExactly("dev.wasmhost.internal.ChicoryLoaderProvider");
    Requires api =
        core.requires().stream().filter(r -> r.name().equals("dev.wasmhost.api")).findFirst().orElseThrow();
    assertThat(api.modifiers()).contains(Requires.Modifier.TRANSITIVE);
  }

  /**
   * The API and core as named modules on a module path, with their dependencies: the API finds the
   * core through ServiceLoader, and a module loads and runs. This fails if the core's descriptor
   * misses a {@code requires} its code needs, or the service wiring is wrong.
   */
  @Test
  void apiAndCoreWorkOnTheModulePath() throws Exception {
    List<Path> path = new ArrayList<>();
    path.add(apiLocation());
    path.add(coreLocation());
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      String file = Paths.get(entry).getFileName().toString();
      if (file.startsWith("runtime-") || file.startsWith("wasm-") && !file.startsWith("wasm-host")
          || file.startsWith("compiler-") || file.startsWith("asm") || file.startsWith("caffeine-")
          || file.startsWith("slf4j-api-") || file.startsWith("slf4j-simple-")) {
        path.add(Paths.get(entry));
      }
    }
    ModuleFinder finder = ModuleFinder.of(path.toArray(new Path[0]));
    Configuration configuration =
        ModuleLayer.boot().configuration().resolveAndBind(finder, ModuleFinder.of(), Set.of("dev.wasmhost.api"));
    assertThat(configuration.findModule("dev.wasmhost.core")).as("bound as the provider").isPresent();
    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
    Module apiModule = layer.findModule("dev.wasmhost.api").orElseThrow();
    Module coreModule = layer.findModule("dev.wasmhost.core").orElseThrow();
    assertThat(coreModule.isExported("dev.wasmhost.internal")).isFalse();
    assertThat(apiModule.isExported("dev.wasmhost")).isTrue();

    ClassLoader loader = layer.findLoader("dev.wasmhost.api");
    Class<?> wasmLoader = Class.forName("dev.wasmhost.WasmLoader", true, loader);
    assertThat(wasmLoader).isNotSameAs(WasmLoader.class);
    assertThat(wasmLoader.getModule()).isSameAs(apiModule);
    Path file = Files.createTempFile("numbers", ".wasm");
    try {
      Files.write(file, TestModules.bytes(TestModules.NUMBERS));
      Object module = wasmLoader.getMethod("load", URI.class).invoke(null, file.toUri());
      Class<?> wasmModule = Class.forName("dev.wasmhost.WasmModule", true, loader);
      assertThat(module.getClass().getModule()).isSameAs(coreModule);
      Method call = wasmModule.getMethod("call", String.class, Object[].class);
      assertThat(call.invoke(module, "add", new Object[] {20, 22})).isEqualTo(42);
      assertThat(wasmModule.getMethod("digest").invoke(module)).isEqualTo(TestModules.sha256(TestModules.bytes(TestModules.NUMBERS)));
    } finally {
      Files.delete(file);
    }
  }
}
