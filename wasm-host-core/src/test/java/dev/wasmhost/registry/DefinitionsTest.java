package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.bytes;
import static dev.wasmhost.registry.RegistryFixtures.missing;
import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static dev.wasmhost.registry.RegistryFixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.FunctionType;
import dev.wasmhost.Imports;
import dev.wasmhost.InstantiateException;
import dev.wasmhost.Registry;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.SubsystemException;
import dev.wasmhost.SubsystemVersion;
import dev.wasmhost.TrapException;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmFunction;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Definitions and builders: each setting checked when set; initializers; bytes; raw handles. */
class DefinitionsTest {
  private final RegistryFixtures.Events events = new RegistryFixtures.Events();
  private Registry registry;

  @BeforeEach
  void open() {
    registry = Registry.builder().loader(newLoader()).build();
    registry.addListener(events);
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void registryBuilderChecksEachSettingWhenSet() {
    Registry.Builder builder = Registry.builder().loader(newLoader()).drainTimeout(Duration.ZERO);

    assertThatThrownBy(() -> builder.loader(newLoader()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("loader was already set");
    assertThatThrownBy(() -> builder.drainTimeout(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("drainTimeout was already set");
    assertThatThrownBy(() -> Registry.builder().drainTimeout(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
    assertThatThrownBy(() -> Registry.builder().loader(null)).isInstanceOf(NullPointerException.class);
    try (Registry built = builder.build()) {
      built.register("calc", RegistryFixtures.module("calc_v1.wasm"));
      assertThat(built.replace("calc", uri("calc_v2.wasm")).number()).as("a zero drain timeout works").isEqualTo(2);
    }
  }

  @Test
  void aRegistryWithTheDefaultLoaderWorks() {
    try (Registry built = Registry.builder().build()) {
      built.register("calc", RegistryFixtures.module("calc_v1.wasm"));
      assertThat(built.call("calc", "tag", 6)).isEqualTo(61);
    }
  }

  @Test
  void definitionBuilderChecksEachSettingWhenSet() {
    SubsystemDefinition.Builder builder = SubsystemDefinition.builder(uri("calc_v1.wasm"));

    assertThatThrownBy(() -> builder.dependsOn("a", "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a'");
    assertThatThrownBy(() -> builder.dependsOn("")).isInstanceOf(IllegalArgumentException.class);
    builder.fallback(uri("calc_v2.wasm"));
    assertThatThrownBy(() -> builder.fallback(uri("calc_v1.wasm")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("fallback was already set");
    builder.initializer("x");
    assertThatThrownBy(() -> builder.initializer("y")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> SubsystemDefinition.Source.java(Imports.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new SubsystemDefinition.Source(null, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDefinitionKeepsItsOwnCopyOfTheBytes() {
    byte[] calc = bytes("calc_v1.wasm");
    SubsystemDefinition definition = SubsystemDefinition.builder(calc).build();
    Arrays.fill(calc, (byte) 0);
    registry.register("calc", definition);

    assertThat(registry.call("calc", "tag", 2)).isEqualTo(21);
  }

  @Test
  void theInitializerRunsOnEveryNewInstanceBeforeItsFirstCall() throws Exception {
    registry.register(
        "counter", SubsystemDefinition.builder(uri("memory.wasm")).initializer("inc").build());
    IntSupplier inc = registry.function("counter", "inc", IntSupplier.class);

    assertThat(registry.call("counter", "inc")).isEqualTo(2);
    assertThat(inc.getAsInt()).isEqualTo(3);
    ExecutorService other = Executors.newSingleThreadExecutor();
    try {
      assertThat(other.submit(inc::getAsInt).get(10, TimeUnit.SECONDS)).as("another thread's instance").isEqualTo(2);
    } finally {
      other.shutdownNow();
    }
    registry.replace("counter", bytes("memory.wasm"));
    assertThat(inc.getAsInt()).as("a new version's instance").isEqualTo(2);
  }

  @Test
  void anInitializerThatTrapsFailsTheResolve() {
    registry.register("broken", SubsystemDefinition.builder(uri("traps.wasm")).initializer("unreachable").build());

    assertThatThrownBy(() -> registry.call("broken", "ok"))
        .isInstanceOf(SubsystemException.class)
        .hasMessageContaining("'broken'")
        .cause()
        .isInstanceOfAny(TrapException.class, InstantiateException.class);
    assertThat(registry.version("broken")).isEmpty();
    assertThat(events.summary()).containsExactly("FAILED broken");
  }

  @Test
  void theInitializerRunsOnAModuleFallbackToo() {
    registry.register(
        "counter",
        SubsystemDefinition.builder(missing("counter.wasm")).initializer("inc").fallback(uri("memory.wasm")).build());

    assertThat(registry.call("counter", "inc")).isEqualTo(2);
    assertThat(registry.version("counter").orElseThrow().fallback()).isTrue();
  }

  @Test
  void replacingAFallbackRunsTheNewModuleAsARegularVersion() {
    registry.register(
        "calc", SubsystemDefinition.builder(missing("calc.wasm")).fallback(uri("calc_v1.wasm")).build());
    assertThat(registry.resolve("calc").fallback()).isTrue();

    SubsystemVersion next = registry.replace("calc", uri("calc_v2.wasm"));

    assertThat(next.number()).isEqualTo(2);
    assertThat(next.fallback()).isFalse();
    assertThat(registry.call("calc", "tag", 1)).isEqualTo(12);
  }

  @Test
  void aRawWasmFunctionHandleFollowsSwapsToo() {
    registry.register("calc", RegistryFixtures.module("calc_v1.wasm"));
    WasmFunction tag = registry.function("calc", "tag", WasmFunction.class);

    assertThat(tag.name()).isEqualTo("tag");
    assertThat(tag.type()).isEqualTo(FunctionType.accepting(ValueType.I32).returning(ValueType.I32));
    assertThat(tag.apply(3)).containsExactly(31);
    assertThat(tag.call(4)).isEqualTo(41);

    registry.replace("calc", uri("calc_v2.wasm"));
    assertThat(tag.apply(3)).containsExactly(32);
    assertThat(tag.call(4)).isEqualTo(42);
    assertThatThrownBy(() -> registry.replace("calc", uri("calc_incompatible.wasm")))
        .as("a raw handle holds its export to its signature too")
        .isInstanceOf(dev.wasmhost.LinkException.class);
  }
}
