package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.DATA_OOB;
import static dev.wasmhost.tests.TestModules.MEMORY;
import static dev.wasmhost.tests.TestModules.START_TRAP;
import static dev.wasmhost.tests.TestModules.TRAPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.InstantiateException;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.Loader;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmException;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Guest traps become {@link TrapException}s with the wasm reason, never raw JVM errors; a trapping
 * start function is an {@link InstantiateException}; and modules keep working afterwards.
 */
class TrapTest {

  private static final String TRAPS_LABEL = "classpath:/wasm/traps.wasm";

  private static WasmModule traps(Engine engine) {
    return TestModules.loader(engine).load(TestModules.classpathUri(TRAPS));
  }

  private static String prefix(String function) {
    return "module " + TRAPS_LABEL + ": function '" + function + "' trapped: ";
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void unreachable(Engine engine) {
    WasmModule module = traps(engine);
    assertThatThrownBy(() -> module.call("unreachable"))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageStartingWith(prefix("unreachable"))
        .hasMessageContainingAll("unreachable", "instruction");
    assertThat(module.call("ok")).isEqualTo(7);
    Instance instance = module.instantiate();
    assertThatThrownBy(() -> instance.function("unreachable", Runnable.class).run())
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageStartingWith(prefix("unreachable"));
    assertThat(module.instantiate().call("ok")).isEqualTo(7);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void integerDivideByZero(Engine engine) {
    WasmModule module = traps(engine);
    assertThatThrownBy(() -> module.call("div_by_zero", 10))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessage(prefix("div_by_zero") + "integer divide by zero");
    assertThat(module.call("ok")).isEqualTo(7);
    WasmFunction raw = module.instantiate().function("div_by_zero");
    assertThatThrownBy(() -> raw.apply(1))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessage(prefix("div_by_zero") + "integer divide by zero");
    IntUnaryOperator typed = module.instantiate().function("div_by_zero", IntUnaryOperator.class);
    assertThatThrownBy(() -> typed.applyAsInt(1))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessage(prefix("div_by_zero") + "integer divide by zero");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void outOfBoundsMemoryAccess(Engine engine) {
    WasmModule module = traps(engine);
    assertThatThrownBy(() -> module.call("oob_load"))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageStartingWith(prefix("oob_load"))
        .hasMessageContaining("out of bounds memory access");
    assertThat(module.call("ok")).isEqualTo(7);
    IntSupplier typed = module.instantiate().function("oob_load", IntSupplier.class);
    assertThatThrownBy(typed::getAsInt)
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageContaining("out of bounds memory access");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void stackExhaustionIsATrapNotAStackOverflowError(Engine engine) {
    WasmModule module = traps(engine);
    for (int i = 0; i < 3; i++) {
      Throwable thrown = catchThrowable(() -> module.call("recurse", 0));
      assertThat(thrown)
          .isExactlyInstanceOf(TrapException.class)
          .hasMessageStartingWith(prefix("recurse"))
          .hasMessageContaining("call stack exhausted");
      assertThat(module.call("ok")).isEqualTo(7);
    }
    Instance instance = module.instantiate();
    assertThat(catchThrowable(() -> instance.call("recurse", 0)))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageContaining("call stack exhausted");
    IntUnaryOperator typed = module.instantiate().function("recurse", IntUnaryOperator.class);
    assertThat(catchThrowable(() -> typed.applyAsInt(0)))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageContaining("call stack exhausted");
    assertThat(catchThrowable(() -> module.instantiate().function("recurse").apply(0)))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageContaining("call stack exhausted");
    assertThat(module.instantiate().call("ok")).isEqualTo(7);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void stackExhaustionOnASmallThreadStack(Engine engine) throws Exception {
    WasmModule module = traps(engine);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Object> after = new AtomicReference<>();
    Thread thread =
        new Thread(
            null,
            () -> {
              thrown.set(catchThrowable(() -> module.call("recurse", 0)));
              after.set(module.call("ok"));
            },
            "small-stack",
            256 * 1024);
    thread.start();
    thread.join(60_000);
    assertThat(thread.isAlive()).isFalse();
    assertThat(thrown.get()).isExactlyInstanceOf(TrapException.class).hasMessageContaining("call stack exhausted");
    assertThat(after.get()).isEqualTo(7);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anInterruptedGuestStops(Engine engine) throws Exception {
    WasmModule module = traps(engine);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicReference<Object> after = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              thrown.set(catchThrowable(() -> module.call("spin")));
              Thread.interrupted();
              after.set(module.call("ok"));
            });
    thread.start();
    Thread.sleep(200);
    thread.interrupt();
    thread.join(30_000);
    assertThat(thread.isAlive()).as("spin stopped after interrupt").isFalse();
    assertThat(thrown.get()).isInstanceOf(WasmException.class);
    assertThat(thrown.get().getMessage()).startsWith("module " + TRAPS_LABEL + ": function 'spin' ");
    assertThat(after.get()).isEqualTo(7);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void afterATrapModuleCallStartsOnAFreshInstance(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(MEMORY));
    assertThat(module.call("inc")).isEqualTo(1);
    assertThat(module.call("inc")).isEqualTo(2);
    module.call("store", 0, 99);
    assertThatThrownBy(() -> module.call("load", 65536))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageStartingWith("module classpath:/wasm/memory.wasm: function 'load' trapped: ")
        .hasMessageContaining("out of bounds memory access");
    // The trapped instance was discarded: globals and memory start over.
    assertThat(module.call("inc")).isEqualTo(1);
    assertThat(module.call("load", 0)).isEqualTo(0);
    assertThat(module.call("inc")).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anInvalidCallDoesNotDiscardTheThreadsInstance(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(MEMORY));
    assertThat(module.call("inc")).isEqualTo(1);
    assertThatThrownBy(() -> module.call("inc", 5)).isExactlyInstanceOf(InvalidCallException.class);
    assertThatThrownBy(() -> module.call("missing")).isExactlyInstanceOf(InvalidCallException.class);
    assertThat(module.call("inc")).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aTrapOnAnExplicitInstanceLeavesOtherInstancesAlone(Engine engine) {
    WasmModule module = TestModules.loader(engine).load(TestModules.classpathUri(MEMORY));
    Instance a = module.instantiate();
    Instance b = module.instantiate();
    a.call("inc");
    b.call("inc");
    assertThatThrownBy(() -> a.call("load", -1)).isExactlyInstanceOf(TrapException.class);
    assertThat(b.call("inc")).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aStartFunctionThatTrapsFailsInstantiation(Engine engine) {
    Loader loader = TestModules.loader(engine);
    WasmModule module = loader.load(TestModules.classpathUri(START_TRAP));
    assertThatThrownBy(module::instantiate)
        .isExactlyInstanceOf(InstantiateException.class)
        .hasMessageStartingWith("module classpath:/wasm/start_trap.wasm cannot be instantiated: ")
        .hasMessageContaining("unreachable");
    assertThatThrownBy(() -> module.call("never"))
        .isExactlyInstanceOf(InstantiateException.class)
        .hasMessageStartingWith("module classpath:/wasm/start_trap.wasm cannot be instantiated: ");
    // Again: nothing was left behind.
    assertThatThrownBy(() -> module.call("never")).isExactlyInstanceOf(InstantiateException.class);
    assertThat(loader.load(TestModules.classpathUri(TRAPS)).call("ok")).isEqualTo(7);
  }

  /**
   * The message says that it was the start function that failed, not only the trap reason. (Loaded
   * from bytes, so that the module's name, start_trap.wasm, cannot supply the word.)
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void aTrappingStartFunctionIsNamedInTheMessage(Engine engine) {
    byte[] bytes = TestModules.bytes(START_TRAP);
    WasmModule module = TestModules.loader(engine).load(bytes);
    assertThatThrownBy(module::instantiate)
        .isExactlyInstanceOf(InstantiateException.class)
        .hasMessageStartingWith("module " + TestModules.shortDigest(bytes) + " cannot be instantiated: ")
        .hasMessageContaining("start function")
        .hasMessageContaining("unreachable");
  }

  /**
   * A module with no start function whose memory (40000 pages, 2.6 GB: valid, but more than Chicory
   * can allocate) cannot be created. That is an InstantiateException, and its message must not
   * blame a start function the module does not have. (One engine: memory is allocated the same way
   * for both, and Chicory fills 2 GB before it gives up.)
   */
  @Test
  void aMemoryThatCannotBeAllocatedIsNotBlamedOnAStartFunction() {
    Engine engine = Engine.INTERPRETER;
    byte[] bytes = {0, 'a', 's', 'm', 1, 0, 0, 0, /* memory section */ 5, 5, /* one memory */ 1, /* no max */ 0,
        /* 40000 pages, LEB128 */ (byte) 0xC0, (byte) 0xB8, 0x02};
    WasmModule module = TestModules.loader(engine).load(bytes);
    assertThat(module.memory()).contains(new dev.wasmhost.MemoryType(40000, java.util.OptionalInt.empty(), false));
    Throwable thrown = catchThrowable(module::instantiate);
    assertThat(thrown)
        .isExactlyInstanceOf(InstantiateException.class)
        .hasMessageStartingWith("module " + TestModules.shortDigest(bytes) + " cannot be instantiated: ")
        .hasMessageNotContaining("start function")
        .hasMessageNotContaining("'start' trapped");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aDataSegmentThatDoesNotFitFailsInstantiation(Engine engine) {
    Loader loader = TestModules.loader(engine);
    byte[] bytes = TestModules.bytes(DATA_OOB);
    WasmModule module = loader.load(bytes);
    assertThatThrownBy(module::instantiate)
        .isExactlyInstanceOf(InstantiateException.class)
        .hasMessageStartingWith("module " + TestModules.shortDigest(bytes) + " cannot be instantiated: ")
        .hasMessageContaining("out of bounds memory access");
    assertThatThrownBy(() -> module.call("ok")).isExactlyInstanceOf(InstantiateException.class);
    assertThat(loader.load(TestModules.classpathUri(TRAPS)).call("ok")).isEqualTo(7);
  }
}
