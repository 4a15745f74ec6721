package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.ONE_MIB;
import static dev.wasmhost.engines.TestSupport.onThread;
import static dev.wasmhost.engines.TestSupport.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * How deep a guest can recurse: depth.wasm's {@code down(n)} recurses n frames deep and returns n.
 * On a 1 MiB stack (the JVM default, given explicitly so the test thread's own -Xss never matters)
 * the interpreter reaches about 1,100 frames cold and 2,800 once the JIT has compiled it; compiled
 * code about 9,000 to 11,700 cold and 29,500 warm, so a cold call 10,000 deep may already fail. {@link Loader.Builder#callStackSize} runs {@link
 * WasmModule#call} on threads with a bigger stack.
 */
@Timeout(60)
class DeepRecursionTest {
  private static final long BIG_STACK = 256L << 20;
  private static final int[] PROBES = {1_000, 10_000, 100_000};

  private static WasmModule load(Engine engine) {
    return WasmLoader.builder().engine(engine).build().load(wasm("depth"));
  }

  private static WasmModule loadWithStack(Engine engine, long stack) {
    return WasmLoader.builder().engine(engine).callStackSize(stack).build().load(wasm("depth"));
  }

  /**
   * Tries n = 1,000, 10,000, 100,000 on a 1 MiB stack and returns the first n that fails; each
   * failure must be a TrapException for stack exhaustion, never a StackOverflowError.
   */
  private static int firstFailingDepthOnOneMiB(WasmModule module) throws Exception {
    AtomicReference<Integer> failing = new AtomicReference<>();
    onThread(ONE_MIB, () -> {
      for (int n : PROBES) {
        try {
          assertThat(module.call("down", n)).isEqualTo(n);
        } catch (TrapException e) {
          assertThat(e).hasMessageContaining("call stack exhausted");
          failing.set(n);
          return;
        }
      }
    });
    return failing.get() == null ? -1 : failing.get();
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"INTERPRETER", "COMPILER"})
  void aBigCallStackGoesWhereTheDefaultStackCannot(Engine engine) throws Exception {
    int failing = firstFailingDepthOnOneMiB(load(engine));
    System.out.println(engine + ": first failing depth of 1,000 / 10,000 / 100,000 on a 1 MiB stack: " + failing);
    assertThat(failing).as("%s fails at one of %s on a 1 MiB stack", engine, PROBES).isPositive();
    if (engine == Engine.INTERPRETER) {
      assertThat(failing).as("the interpreter's limit is near 1,000 to 3,000 frames").isLessThanOrEqualTo(10_000);
    }

    WasmModule deep = loadWithStack(engine, BIG_STACK);
    assertThat(deep.call("down", failing)).isEqualTo(failing);
    int required = engine == Engine.COMPILER ? 100_000 : 20_000;
    assertThat(deep.call("down", required)).isEqualTo(required);
    assertThat(deep.call("down", 100_000)).as("%s at 100,000 frames on 256 MiB", engine).isEqualTo(100_000);
    // Called from a thread that itself has only 1 MiB: the call runs on the loader's threads.
    onThread(ONE_MIB, () -> assertThat(deep.call("down", 100_000)).isEqualTo(100_000));
    assertThat(deep.engine()).isEqualTo(engine);
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"INTERPRETER", "COMPILER"})
  void stackExhaustionIsATrapAndTheSameThreadCallsOnAfterwards(Engine engine) throws Exception {
    WasmModule module = load(engine);
    onThread(ONE_MIB, () -> {
      assertThat(module.call("down", 100)).isEqualTo(100);
      for (int attempt = 0; attempt < 3; attempt++) {
        Throwable thrown = catchAnything(() -> module.call("down", 1_000_000));
        assertThat(thrown).as("down(1,000,000) on 1 MiB").isInstanceOf(TrapException.class)
            .isNotInstanceOf(StackOverflowError.class)
            .hasMessageContaining("down")
            .hasMessageContaining("call stack exhausted");
        assertThat(module.call("down", 500)).as("the thread's next call").isEqualTo(500);
      }
      // traps.wasm's recurse never ends; a different module, the same story.
      WasmModule traps = WasmLoader.builder().engine(engine).build().load(wasm("traps"));
      assertThatThrownBy(() -> traps.call("recurse", 0)).isInstanceOf(TrapException.class)
          .hasMessageContaining("call stack exhausted");
      assertThat(traps.call("ok")).isEqualTo(7);
    });
  }

  @Test
  void instancesAndTypedHandlesRunOnTheCallingThreadsStack() throws Exception {
    WasmModule module = WasmLoader.builder().engine(Engine.COMPILER).callStackSize(BIG_STACK).build()
        .load(wasm("depth"));
    // module.call hands off to the big stack...
    onThread(ONE_MIB, () -> assertThat(module.call("down", 100_000)).isEqualTo(100_000));
    // ...an instance does not: on 1 MiB it exhausts its stack, on a thread with 256 MiB it does not.
    onThread(ONE_MIB, () -> {
      try (Instance instance = module.instantiate()) {
        assertThatThrownBy(() -> instance.call("down", 100_000)).isInstanceOf(TrapException.class)
            .hasMessageContaining("call stack exhausted");
      }
    });
    onThread(BIG_STACK, () -> {
      try (Instance instance = module.instantiate()) {
        assertThat(instance.call("down", 100_000)).isEqualTo(100_000);
      }
    });
  }

  @Test
  void exhaustingTheBigStackIsATrapToo() throws Exception {
    // A stack just big enough to be quick to exhaust: 4 MiB, about 4 x 1,100-2,800 interpreted frames.
    WasmModule module = loadWithStack(Engine.INTERPRETER, 4L << 20);
    assertThatThrownBy(() -> module.call("down", 1_000_000)).isInstanceOf(TrapException.class)
        .hasMessageContaining("call stack exhausted");
    assertThat(module.call("down", 2_000)).isEqualTo(2_000);
    assertThat(module.call("down", 1_000)).isEqualTo(1_000);
  }

  @Test
  void callStackSizeIsChecked() {
    assertThatThrownBy(() -> WasmLoader.builder().callStackSize(1024)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 64 KiB");
    assertThatThrownBy(() -> WasmLoader.builder().callStackSize(1 << 20).callStackSize(2 << 20))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set");
    assertThat(WasmLoader.builder().callStackSize(BIG_STACK).toConfig().callStackSize()).isEqualTo(BIG_STACK);
    assertThat(WasmLoader.builder().toConfig().callStackSize()).isZero();
  }

  private interface Call {
    void run() throws Throwable;
  }

  private static Throwable catchAnything(Call call) {
    try {
      call.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
