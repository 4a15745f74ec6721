package dev.wasmhost.wasi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.LoaderConfig;
import dev.wasmhost.WasmLoader;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleDescriptor.Exports;
import java.lang.module.ModuleDescriptor.Requires;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Pins the WASI module's descriptor (one exported package, the implementation hidden, the API
 * required transitively) and boots it with the API and the core on a real module path.
 */
class WasiModuleDescriptorTest {

  private static Path locationOf(Class<?> type) throws Exception {
    return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI());
  }

  @Test
  void exportsOnlyItsPublicPackage() throws Exception {
    ModuleDescriptor wasi = ModuleFinder.of(locationOf(Wasi.class)).findAll().iterator().next().descriptor();
    assertThat(wasi.name()).isEqualTo("dev.wasmhost.wasi");
    assertThat(wasi.isAutomatic()).isFalse();
    assertThat(wasi.exports()).extracting(Exports::source).containsExactly("dev.wasmhost.wasi");
    assertThat(wasi.exports()).noneMatch(Exports::isQualified);
    assertThat(wasi.opens()).isEmpty();
    assertThat(wasi.packages()).containsExactlyInAnyOrder("dev.wasmhost.wasi", "dev.wasmhost.wasi.internal");
    Requires api = wasi.requires().stream().filter(r -> r.name().equals("dev.wasmhost.api")).findFirst().orElseThrow();
    assertThat(api.modifiers()).contains(Requires.Modifier.TRANSITIVE);
    assertThat(wasi.requires()).extracting(Requires::name).doesNotContain("dev.wasmhost.core");
  }

  @Test
  void runsACommandOnTheModulePath() throws Exception {
    List<Path> path = new ArrayList<>();
    path.add(locationOf(Wasi.class));
    path.add(locationOf(LoaderConfig.class));
    path.add(locationOf(WasmLoader.defaultLoader().getClass()));
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      String file = Paths.get(entry).getFileName().toString();
      if (file.startsWith("runtime-") || file.startsWith("wasm-") && !file.startsWith("wasm-host")
          || file.startsWith("compiler-") || file.startsWith("asm") || file.startsWith("caffeine-")
          || file.startsWith("slf4j-api-") || file.startsWith("slf4j-simple-")) {
        path.add(Paths.get(entry));
      }
    }
    Configuration configuration =
        ModuleLayer.boot().configuration().resolveAndBind(
            ModuleFinder.of(path.toArray(new Path[0])), ModuleFinder.of(), Set.of("dev.wasmhost.wasi"));
    ModuleLayer layer = ModuleLayer.boot().defineModulesWithOneLoader(configuration, ClassLoader.getPlatformClassLoader());
    Module wasiModule = layer.findModule("dev.wasmhost.wasi").orElseThrow();
    assertThat(wasiModule.isExported("dev.wasmhost.wasi.internal")).isFalse();

    ClassLoader loader = layer.findLoader("dev.wasmhost.wasi");
    Class<?> wasmLoader = Class.forName("dev.wasmhost.WasmLoader", true, loader);
    Object module = wasmLoader.getMethod("load", Path.class).invoke(null, WasiCase.HOME.resolve("exit_codes.wasm"));
    Class<?> wasi = Class.forName("dev.wasmhost.wasi.Wasi", true, loader);
    assertThat(wasi.getModule()).isSameAs(wasiModule);
    Object builder = wasi.getMethod("builder").invoke(null);
    builder.getClass().getMethod("args", String[].class).invoke(builder, (Object) new String[] {"exit_codes.wasm", "exit:42"});
    Object configured = builder.getClass().getMethod("build").invoke(builder);
    Class<?> wasmModule = Class.forName("dev.wasmhost.WasmModule", true, loader);
    Object result = wasi.getMethod("run", wasmModule).invoke(configured, module);
    assertThat(result.getClass().getMethod("exitCode").invoke(result)).isEqualTo(42);
  }
}
