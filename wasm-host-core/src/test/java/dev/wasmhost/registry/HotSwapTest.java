package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.bytes;
import static dev.wasmhost.registry.RegistryFixtures.missing;
import static dev.wasmhost.registry.RegistryFixtures.module;
import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static dev.wasmhost.registry.RegistryFixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wasmhost.InstantiateException;
import dev.wasmhost.InvalidModuleException;
import dev.wasmhost.LinkException;
import dev.wasmhost.LoadException;
import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemException;
import dev.wasmhost.SubsystemVersion;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Registry#replace}: compatibility checks, and dependents reaching the new code. */
class HotSwapTest {
  private final RegistryFixtures.Events events = new RegistryFixtures.Events();
  private Registry registry;

  @BeforeEach
  void open() {
    registry = Registry.builder().loader(newLoader()).build();
    registry.addListener(events);
    registry.register("calc", module("calc_v1.wasm"));
    registry.register("pricing", module("pricing.wasm", "calc"));
  }

  @AfterEach
  void close() {
    registry.close();
  }

  @Test
  void dependentsReachTheNewVersionWithoutBeingTouched() {
    IntUnaryOperator price = registry.function("pricing", "price", IntUnaryOperator.class);
    IntUnaryOperator tag = registry.function("calc", "tag", IntUnaryOperator.class);
    assertThat(registry.call("pricing", "price", 7)).isEqualTo(1071);
    assertThat(price.applyAsInt(7)).isEqualTo(1071);
    SubsystemVersion pricing = registry.version("pricing").orElseThrow();

    SubsystemVersion v2 = registry.replace("calc", uri("calc_v2.wasm"));

    assertThat(v2.number()).isEqualTo(2);
    assertThat(v2.fallback()).isFalse();
    assertThat(registry.version("calc")).contains(v2);
    assertThat(registry.call("pricing", "price", 7)).isEqualTo(1072);
    assertThat(price.applyAsInt(7)).isEqualTo(1072);
    assertThat(tag.applyAsInt(7)).as("a handle taken before the swap follows it").isEqualTo(72);
    assertThat(registry.version("pricing")).as("pricing was not swapped or relinked").contains(pricing);
    assertThat(pricing.number()).isEqualTo(1);

    SubsystemVersion v3 = registry.replace("calc", bytes("calc_v1.wasm"));
    assertThat(v3.number()).isEqualTo(3);
    assertThat(price.applyAsInt(7)).isEqualTo(1071);
    assertThat(registry.call("calc", "tag", 7)).isEqualTo(71);
    assertThat(events.summary())
        .containsExactly(
            "RESOLVED calc", "RESOLVED pricing", "SWAPPED calc", "CLOSED calc", "SWAPPED calc", "CLOSED calc");
    assertThat(events.of(RegistryEvent.Type.SWAPPED)).extracting(RegistryEvent::version).containsExactly(v2, v3);
    assertThat(events.of(RegistryEvent.Type.CLOSED))
        .extracting(e -> e.version().number())
        .containsExactly(1L, 2L);
  }

  @Test
  void anIncompatibleModuleIsRefusedListingEveryProblemAndNothingChanges() {
    IntBinaryOperator add = registry.function("calc", "add", IntBinaryOperator.class);
    assertThat(registry.call("pricing", "price", 5)).isEqualTo(1051); // pricing imports calc.tag
    SubsystemVersion before = registry.version("calc").orElseThrow();

    LinkException e = catchThrowableOfType(LinkException.class, () -> registry.replace("calc", uri("calc_incompatible.wasm")));

    assertThat(e).as("replace with calc_incompatible").isNotNull();
    assertThat(e.getMessage())
        .contains("'calc'")
        .contains("tag")
        .contains("(i32) -> i32")
        .contains("(i64) -> i64")
        .contains("pricing")
        .contains("add")
        .contains("(i32, i32) -> i32");
    String tagLine = lineWith(e.getMessage(), "tag");
    String addLine = lineWith(e.getMessage(), "add");
    assertThat(tagLine).as("the tag problem").contains("(i32) -> i32", "(i64) -> i64", "pricing");
    assertThat(addLine).as("the add problem").contains("missing", "handle");

    assertThat(registry.version("calc")).contains(before);
    assertThat(registry.call("calc", "tag", 5)).isEqualTo(51);
    assertThat(add.applyAsInt(2, 3)).isEqualTo(5);
    assertThat(registry.call("pricing", "price", 5)).isEqualTo(1051);
    assertThat(events.of(RegistryEvent.Type.SWAPPED)).isEmpty();
    assertThat(events.of(RegistryEvent.Type.CLOSED)).isEmpty();

    assertThat(registry.replace("calc", uri("calc_v2.wasm")).number())
        .as("a refused swap uses up no version number")
        .isEqualTo(2);
  }

  @Test
  void aHandleAloneProtectsItsExport() {
    registry.function("calc", "tag", IntUnaryOperator.class);

    assertThatThrownBy(() -> registry.replace("calc", uri("calc_incompatible.wasm")))
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("tag")
        .hasMessageContaining("(i64) -> i64")
        .hasMessageNotContaining("add");
    assertThat(registry.version("calc").orElseThrow().number()).isEqualTo(1);
  }

  @Test
  void exportsThatNothingUsesMayChange() {
    // Calls by name take no handle and pricing is not resolved: nothing holds calc to its exports.
    assertThat(registry.call("calc", "tag", 5)).isEqualTo(51);

    SubsystemVersion next = registry.replace("calc", uri("calc_incompatible.wasm"));

    assertThat(next.number()).isEqualTo(2);
    assertThat(registry.call("calc", "tag", 5L)).isEqualTo(5L);
    // pricing, brought up later, cannot link against the new calc and says why.
    SubsystemException e = catchThrowableOfType(SubsystemException.class, () -> registry.resolve("pricing"));
    assertThat(e).isNotNull();
    assertThat(e.subsystemId()).isEqualTo("pricing");
    assertThat(e).hasCauseInstanceOf(LinkException.class);
    assertThat(e.getCause()).hasMessageContaining("calc").hasMessageContaining("tag");
  }

  @Test
  void replacingAnUnresolvedSubsystemResolvesItFirst() {
    SubsystemVersion next = registry.replace("calc", uri("calc_v2.wasm"));

    assertThat(next.number()).isEqualTo(2);
    assertThat(registry.call("calc", "tag", 1)).isEqualTo(12);
    assertThat(events.summary()).containsExactly("RESOLVED calc", "SWAPPED calc", "CLOSED calc");
  }

  @Test
  void aModuleThatCannotBeBroughtUpChangesNothing() {
    SubsystemVersion before = registry.resolve("calc");

    assertThatThrownBy(() -> registry.replace("calc", missing("calc_v3.wasm"))).isInstanceOf(LoadException.class);
    assertThatThrownBy(() -> registry.replace("calc", bytes("invalid.wasm"))).isInstanceOf(InvalidModuleException.class);
    assertThatThrownBy(() -> registry.replace("calc", uri("imports.wasm")))
        .as("its imports cannot be satisfied")
        .isInstanceOf(LinkException.class)
        .hasMessageContaining("env.add");
    assertThatThrownBy(() -> registry.replace("calc", uri("start_trap.wasm")))
        .as("its start function traps")
        .isInstanceOf(InstantiateException.class);

    assertThat(registry.version("calc")).contains(before);
    assertThat(registry.call("calc", "tag", 1)).isEqualTo(11);
    assertThat(events.summary()).containsExactly("RESOLVED calc");
    assertThat(registry.replace("calc", uri("calc_v2.wasm")).number()).isEqualTo(2);
  }

  private static String lineWith(String message, String word) {
    return message
        .lines()
        .filter(line -> line.matches(".*\\b" + word + "\\b.*") && !line.contains("cannot replace"))
        .findFirst()
        .orElse("<no line about " + word + " in: " + message + ">");
  }
}
