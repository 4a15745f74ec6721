package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.module;
import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.InvalidCallException;
import dev.wasmhost.Registry;
import dev.wasmhost.SubsystemDefinition;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Registration checks at once what it can, and names the ids involved. */
class RegistrationErrorsTest {
  private final Registry registry = Registry.builder().loader(newLoader()).build();

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void anIdRegisteredTwiceIsRejectedByName() {
    registry.register("calc", module("calc_v1.wasm"));

    assertThatThrownBy(() -> registry.register("calc", module("calc_v2.wasm")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'calc'")
        .hasMessageContaining("already registered");
    assertThat(registry.ids()).containsExactly("calc");
    assertThat(registry.call("calc", "tag", 1)).as("the first definition stands").isEqualTo(11);
  }

  @Test
  void aBatchWithATakenIdRegistersNothing() {
    registry.register("calc", module("calc_v1.wasm"));
    Map<String, SubsystemDefinition> batch = new LinkedHashMap<>();
    batch.put("fresh", module("calc_v2.wasm"));
    batch.put("calc", module("calc_v2.wasm"));

    assertThatThrownBy(() -> registry.registerAll(batch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'calc'");
    assertThat(registry.ids()).containsExactly("calc");
  }

  @Test
  void anUnknownDependencyIsRejectedNamingBothIds() {
    assertThatThrownBy(() -> registry.register("pricing", module("pricing.wasm", "calc")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'pricing'")
        .hasMessageContaining("'calc'")
        .hasMessageContaining("not registered");
    assertThat(registry.ids()).isEmpty();
  }

  @Test
  void registerTakesDependenciesAlreadyRegisteredOnly() {
    // register() one at a time needs dependencies first; registerAll() takes them in any order.
    assertThatThrownBy(() -> registry.register("pricing", module("pricing.wasm", "calc")))
        .isInstanceOf(IllegalArgumentException.class);
    Map<String, SubsystemDefinition> batch = new LinkedHashMap<>();
    batch.put("pricing", module("pricing.wasm", "calc"));
    batch.put("calc", module("calc_v1.wasm"));
    registry.registerAll(batch);

    assertThat(registry.ids()).containsExactlyInAnyOrder("calc", "pricing");
    assertThat(registry.call("pricing", "price", 7)).isEqualTo(1071);
  }

  @Test
  void aBatchWithAnUnknownDependencyRegistersNothing() {
    Map<String, SubsystemDefinition> batch = new LinkedHashMap<>();
    batch.put("calc", module("calc_v1.wasm"));
    batch.put("pricing", module("pricing.wasm", "calc", "tax"));

    assertThatThrownBy(() -> registry.registerAll(batch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'pricing'")
        .hasMessageContaining("'tax'");
    assertThat(registry.ids()).isEmpty();
  }

  @Test
  void aSelfDependencyIsRejectedNamingTheId() {
    assertThatThrownBy(() -> registry.register("loopy", module("calc_v1.wasm", "loopy")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("loopy");
    assertThat(registry.ids()).isEmpty();
  }

  @Test
  void aTwoNodeCycleIsRejectedWithTheWholeCycle() {
    Map<String, SubsystemDefinition> batch = new LinkedHashMap<>();
    batch.put("a", module("calc_v1.wasm", "b"));
    batch.put("b", module("calc_v1.wasm", "a"));

    assertThatThrownBy(() -> registry.registerAll(batch))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dependency cycle")
        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("a -> b -> a", "b -> a -> b"));
    assertThat(registry.ids()).isEmpty();
  }

  @Test
  void anEmptyIdIsRejected() {
    assertThatThrownBy(() -> registry.register("", module("calc_v1.wasm")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(registry.ids()).isEmpty();
  }

  @Test
  void usingAnUnregisteredIdIsAnInvalidCallNamingIt() {
    registry.register("calc", module("calc_v1.wasm"));

    assertThatThrownBy(() -> registry.resolve("calx"))
        .isInstanceOf(InvalidCallException.class)
        .hasMessageContaining("'calx'")
        .hasMessageContaining("calc");
    assertThatThrownBy(() -> registry.call("calx", "tag", 1)).isInstanceOf(InvalidCallException.class);
  }
}
