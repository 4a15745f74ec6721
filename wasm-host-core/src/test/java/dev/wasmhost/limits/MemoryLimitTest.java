package dev.wasmhost.limits;

import static dev.wasmhost.limits.Fixtures.builder;
import static dev.wasmhost.limits.Fixtures.loadReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.InstantiateException;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmModule;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Memory page caps: {@code memory.grow} past the loader's cap returns -1 (as past a declared maximum),
 * in each engine and from the host; a module whose memory starts above the cap does not
 * instantiate; and a pool's total is split into equal per-instance shares.
 */
class MemoryLimitTest {

  @ParameterizedTest
  @EnumSource(Engine.class)
  void growBeyondTheCapReturnsMinusOne(Engine engine) {
    Loader loader = builder(engine).maxMemoryPages(2).build();
    WasmModule memory = loadReady(loader, "memory"); // declares (memory 1 4): the cap is the tighter bound
    try (Instance instance = memory.instantiate()) {
      assertThat(instance.call("size")).isEqualTo(1);
      assertThat(instance.call("grow", 1)).isEqualTo(1);
      assertThat(instance.call("size")).isEqualTo(2);
      assertThat(instance.call("grow", 1)).isEqualTo(-1);
      assertThat(instance.call("grow", 2)).isEqualTo(-1);
      assertThat(instance.call("grow", 0x7fffffff)).isEqualTo(-1);
      assertThat(instance.call("grow", -1)).isEqualTo(-1); // 0xffffffff pages
      assertThat(instance.call("size")).isEqualTo(2);
      assertThat(instance.call("grow", 0)).isEqualTo(2);
      assertThat(instance.memory().pages()).isEqualTo(2);
      assertThat(instance.memory().grow(1)).as("growing from the host").isEqualTo(-1);
      assertThat(instance.memory().pages()).isEqualTo(2);
      // The memory it has is all usable.
      instance.call("store", 2 * 65536 - 4, 0x12345678);
      assertThat(instance.call("load", 2 * 65536 - 4)).isEqualTo(0x12345678);
    }
    // module.call's per-thread instance has the same cap.
    assertThat(memory.call("grow", 1)).isEqualTo(1);
    assertThat(memory.call("grow", 1)).isEqualTo(-1);
    assertThat(memory.call("size")).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aMemoryWithoutDeclaredMaximumStopsAtTheCap(Engine engine) {
    Loader loader = builder(engine).maxMemoryPages(16).build();
    WasmModule unbounded = loadReady(loader, "memory_unbounded");
    try (Instance instance = unbounded.instantiate()) {
      assertThat(instance.call("grow_all")).isEqualTo(16);
      assertThat(instance.call("size")).isEqualTo(16);
      assertThat(instance.call("grow", 1)).isEqualTo(-1);
      assertThat(instance.call("touch_last")).isEqualTo(171);
      assertThat(instance.memory().pages()).isEqualTo(16);
    }
    try (Instance instance = unbounded.instantiate()) {
      assertThat(instance.call("grow", 15)).isEqualTo(1);
      assertThat(instance.call("size")).isEqualTo(16);
    }
    try (Instance instance = unbounded.instantiate()) {
      assertThat(instance.call("grow", 16)).as("one page too many at once").isEqualTo(-1);
      assertThat(instance.call("size")).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aCapOfOnePageAllowsNoGrowth(Engine engine) {
    Loader loader = builder(engine).maxMemoryPages(1).build();
    WasmModule unbounded = loadReady(loader, "memory_unbounded");
    try (Instance instance = unbounded.instantiate()) {
      assertThat(instance.call("grow_all")).isEqualTo(1);
      assertThat(instance.call("touch_last")).isEqualTo(171);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aModuleWhoseMemoryStartsAboveTheCapDoesNotInstantiate(Engine engine) {
    Loader loader = builder(engine).maxMemoryPages(16).build();
    WasmModule big = loadReady(loader, "big_memory"); // (memory 20)
    assertThatThrownBy(big::instantiate)
        .isInstanceOf(InstantiateException.class)
        .hasMessageContaining("big_memory.wasm")
        .hasMessageContaining("20")
        .hasMessageContaining("16");
    assertThatThrownBy(() -> big.call("size"))
        .isInstanceOf(InstantiateException.class)
        .hasMessageContaining("20")
        .hasMessageContaining("16");
    // It is the cap that fails it: with room for it, it runs.
    WasmModule roomy = loadReady(builder(engine).maxMemoryPages(20).build(), "big_memory");
    try (Instance instance = roomy.instantiate()) {
      assertThat(instance.call("size")).isEqualTo(20);
    }
  }

  @Test
  void aCapOfZeroPagesRejectsEveryMemoryButNotModulesWithout() {
    Loader loader = builder(Engine.INTERPRETER).maxMemoryPages(0).build();
    assertThatThrownBy(() -> loader.load(Fixtures.wasm("memory")).instantiate())
        .isInstanceOf(InstantiateException.class)
        .hasMessageContaining("1 page")
        .hasMessageContaining("0 pages");
    assertThat(loader.load(Fixtures.wasm("fib")).call("fib", 10L)).isEqualTo(55L);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aPoolsTotalIsSharedEquallyBetweenItsInstances(Engine engine) {
    WasmModule memory = loadReady(builder(engine).build(), "memory"); // (memory 1 4)
    WasmModule unbounded = loadReady(builder(engine).build(), "memory_unbounded");
    try (InstancePool pool = InstancePool.builder(memory).maxSize(4).maxTotalMemoryPages(8).build();
        InstancePool pool2 = InstancePool.builder(unbounded).maxSize(4).maxTotalMemoryPages(8).build()) {
      List<Instance> borrowed = new ArrayList<>();
      try {
        for (int i = 0; i < 4; i++) {
          Instance instance = pool.borrow();
          borrowed.add(instance);
          assertThat(instance.call("grow", 1)).as("instance %d grows to 2 pages", i).isEqualTo(1);
          assertThat(instance.call("grow", 1)).as("instance %d does not grow to 3 pages", i).isEqualTo(-1);
          assertThat(instance.call("size")).isEqualTo(2);
          Instance other = pool2.borrow();
          borrowed.add(other);
          assertThat(other.call("grow_all")).as("instance %d of a module without maximum", i).isEqualTo(2);
          assertThat(other.memory().grow(1)).isEqualTo(-1);
        }
      } finally {
        borrowed.forEach(Instance::close);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aPoolShareNeverExceedsTheLoadersCap(Engine engine) {
    WasmModule unbounded = loadReady(builder(engine).maxMemoryPages(3).build(), "memory_unbounded");
    try (InstancePool pool = InstancePool.builder(unbounded).maxSize(2).maxTotalMemoryPages(100).build()) {
      assertThat(pool.<Object>apply(instance -> instance.call("grow_all"))).isEqualTo(3);
    }
    try (InstancePool pool = InstancePool.builder(unbounded).maxSize(4).maxTotalMemoryPages(9).build()) {
      assertThat(pool.<Object>apply(instance -> instance.call("grow_all"))).as("9 / 4 pages each").isEqualTo(2);
    }
  }
}
