package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.MEMORY;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.WasmModule;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Instances: their own state, their module, and what close() does. */
class InstanceTest {

  @ParameterizedTest
  @EnumSource(Engine.class)
  void stateLastsAcrossCallsAndIsSeparateBetweenInstances(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(MEMORY));
    try (Instance a = module.instantiate();
        Instance b = module.instantiate(Imports.empty())) {
      assertThat(a.module()).isSameAs(module);
      assertThat(b.module()).isSameAs(module);
      assertThat(a.call("inc")).isEqualTo(1);
      assertThat(a.call("inc")).isEqualTo(2);
      IntSupplier incA = a.function("inc", IntSupplier.class);
      assertThat(incA.getAsInt()).isEqualTo(3);
      assertThat(b.call("inc")).isEqualTo(1);
      assertThat(a.call("inc")).isEqualTo(4);
      assertThat(b.function("inc").apply()).containsExactly(2L);

      a.call("store", 8, 1234);
      assertThat(a.call("load", 8)).isEqualTo(1234);
      assertThat(b.call("load", 8)).isEqualTo(0);
      assertThat(a.memory().readInt(8)).isEqualTo(1234);
      assertThat(b.memory().readInt(8)).isEqualTo(0);

      // module.call runs on yet another instance, owned by this thread.
      assertThat(module.call("inc")).isEqualTo(1);
      assertThat(module.call("load", 8)).isEqualTo(0);
      assertThat(a.call("inc")).isEqualTo(5);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void moduleCallKeepsStatePerThread(Engine engine) throws Exception {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(MEMORY));
    assertThat(module.call("inc")).isEqualTo(1);
    assertThat(module.call("inc")).isEqualTo(2);
    module.call("store", 0, 77);

    Object[] seen = new Object[3];
    Thread other =
        new Thread(
            () -> {
              seen[0] = module.call("inc");
              seen[1] = module.call("inc");
              seen[2] = module.call("load", 0);
            });
    other.start();
    other.join(10_000);
    assertThat(other.isAlive()).isFalse();
    assertThat(seen).containsExactly(1, 2, 0);

    assertThat(module.call("inc")).isEqualTo(3);
    assertThat(module.call("load", 0)).isEqualTo(77);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aClosedInstanceRefusesEveryUse(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(MEMORY));
    Instance instance = module.instantiate();
    assertThat(instance.call("inc")).isEqualTo(1);
    instance.close();
    String closed = "instance of module classpath:/wasm/memory.wasm is closed";
    assertThatThrownBy(() -> instance.call("inc")).isExactlyInstanceOf(InvalidCallException.class).hasMessage(closed);
    assertThatThrownBy(() -> instance.function("inc")).isExactlyInstanceOf(InvalidCallException.class).hasMessage(closed);
    assertThatThrownBy(() -> instance.function("inc", IntSupplier.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(closed);
    assertThatThrownBy(instance::memory).isExactlyInstanceOf(InvalidCallException.class).hasMessage(closed);
    // Closing again is harmless and changes nothing.
    instance.close();
    assertThatThrownBy(() -> instance.call("inc")).isExactlyInstanceOf(InvalidCallException.class).hasMessage(closed);
    assertThat(instance.module()).isSameAs(module);

    // The module is unaffected.
    try (Instance other = module.instantiate()) {
      assertThat(other.call("inc")).isEqualTo(1);
    }
    assertThat(module.call("inc")).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void closeInTryWithResources(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(NUMBERS));
    Instance kept;
    try (Instance instance = module.instantiate()) {
      kept = instance;
      IntBinaryOperator add = instance.function("add", IntBinaryOperator.class);
      assertThat(add.applyAsInt(20, 22)).isEqualTo(42);
    }
    assertThatThrownBy(() -> kept.call("add", 1, 2))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage("instance of module classpath:/wasm/numbers.wasm is closed");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aModuleWithoutMemoryHasNoInstanceMemory(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(NUMBERS));
    try (Instance instance = module.instantiate()) {
      assertThatThrownBy(instance::memory)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module classpath:/wasm/numbers.wasm has no memory");
      assertThat(instance.call("const42")).isEqualTo(42);
    }
  }
}
