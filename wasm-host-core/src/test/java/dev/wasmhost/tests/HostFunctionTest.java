package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.IMPORTED_MEMORY;
import static dev.wasmhost.tests.TestModules.IMPORTS;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.wasmhost.Engine;
import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.LinkException;
import dev.wasmhost.Loader;
import dev.wasmhost.TrapException;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntBinaryOperator;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Imports: linking (all problems at once), host function calls, and host function failures. */
class HostFunctionTest {

  private static final String LABEL = "classpath:/wasm/imports.wasm";
  private static final FunctionType I32_I32_TO_I32 =
      FunctionType.accepting(ValueType.I32, ValueType.I32).returning(ValueType.I32);
  private static final FunctionType I32_I32 = FunctionType.accepting(ValueType.I32, ValueType.I32);
  private static final FunctionType TO_I64 = FunctionType.accepting().returning(ValueType.I64);

  private static HostFunction add(HostFunction.Body body) {
    return HostFunction.of("env", "add", I32_I32_TO_I32, body);
  }

  private static final HostFunction ADD = add((caller, args) -> new long[] {(int) args[0] + (int) args[1]});
  private static final HostFunction LOG = HostFunction.of("env", "log", I32_I32, (caller, args) -> null);
  private static final HostFunction NOW = HostFunction.of("env", "now", TO_I64, (caller, args) -> new long[] {123456789012L});

  private static WasmModule imports(Engine engine) {
    return TestModules.loader(engine).load(TestModules.classpathUri(IMPORTS));
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void hostFunctionsAreCalledWithRawValuesAndTheCallingInstance(Engine engine) {
    List<String> logged = new ArrayList<>();
    AtomicReference<Instance> logCaller = new AtomicReference<>();
    HostFunction log =
        HostFunction.of(
            "env",
            "log",
            I32_I32,
            (caller, args) -> {
              logCaller.set(caller);
              logged.add(caller.memory().readString((int) args[0], (int) args[1]));
              return new long[0];
            });
    Instance instance = imports(engine).instantiate(Imports.of(ADD, log, NOW));
    assertThat(instance.call("call_add", 2, 3)).isEqualTo(5);
    assertThat(instance.call("call_add", -7, 3)).isEqualTo(-4);
    assertThat(instance.function("call_add", IntBinaryOperator.class).applyAsInt(Integer.MAX_VALUE, 1))
        .isEqualTo(Integer.MIN_VALUE);
    assertThat(instance.call("log_hello")).isNull();
    assertThat(logged).containsExactly("hello");
    assertThat(logCaller.get()).isSameAs(instance);
    assertThat(instance.call("now")).isEqualTo(123456789012L);
    assertThat(instance.function("now", LongSupplier.class).getAsLong()).isEqualTo(123456789012L);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void negativeI32ArgumentsArriveSignExtended(Engine engine) {
    List<Long> seen = new ArrayList<>();
    HostFunction add =
        add(
            (caller, args) -> {
              seen.add(args[0]);
              seen.add(args[1]);
              return new long[] {args[0] + args[1]};
            });
    Instance instance = imports(engine).instantiate(Imports.of(add, LOG, NOW));
    assertThat(instance.call("call_add", -1, -2)).isEqualTo(-3);
    assertThat(seen).containsExactly(-1L, -2L);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void missingImportsAreListedTogether(Engine engine) {
    WasmModule module = imports(engine);
    assertThatThrownBy(module::instantiate)
        .isExactlyInstanceOf(LinkException.class)
        .hasMessage(
            "module " + LABEL + " cannot be linked (3 problems):\n"
                + "  missing func env.add: (i32, i32) -> i32\n"
                + "  missing func env.log: (i32, i32) -> ()\n"
                + "  missing func env.now: () -> i64");
    assertThatThrownBy(() -> module.instantiate(Imports.of(NOW)))
        .isExactlyInstanceOf(LinkException.class)
        .hasMessage(
            "module " + LABEL + " cannot be linked (2 problems):\n"
                + "  missing func env.add: (i32, i32) -> i32\n"
                + "  missing func env.log: (i32, i32) -> ()");
    assertThat(module.instantiate(Imports.of(ADD, LOG, NOW)).call("call_add", 1, 2)).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void mismatchedAndMissingImportsAreListedWithBothSignatures(Engine engine) {
    WasmModule module = imports(engine);
    HostFunction wideAdd =
        HostFunction.of(
            "env",
            "add",
            FunctionType.accepting(ValueType.I64, ValueType.I64).returning(ValueType.I64),
            (caller, args) -> new long[] {args[0] + args[1]});
    HostFunction nowI32 =
        HostFunction.of("env", "now", FunctionType.accepting().returning(ValueType.I32), (caller, args) -> new long[] {1});
    HostFunction unrelated =
        HostFunction.of("other", "thing", FunctionType.accepting(), (caller, args) -> null);
    assertThatThrownBy(() -> module.instantiate(Imports.of(wideAdd, nowI32, unrelated)))
        .isExactlyInstanceOf(LinkException.class)
        .hasMessage(
            "module " + LABEL + " cannot be linked (3 problems):\n"
                + "  mismatched func env.add: expected (i32, i32) -> i32, provided (i64, i64) -> i64\n"
                + "  missing func env.log: (i32, i32) -> ()\n"
                + "  mismatched func env.now: expected () -> i64, provided () -> i32");
    HostFunction logWithResult =
        HostFunction.of("env", "log", I32_I32_TO_I32, (caller, args) -> new long[] {0});
    assertThatThrownBy(() -> module.instantiate(Imports.of(ADD, logWithResult, NOW)))
        .isExactlyInstanceOf(LinkException.class)
        .hasMessage(
            "module " + LABEL + " cannot be linked (1 problem):\n"
                + "  mismatched func env.log: expected (i32, i32) -> (), provided (i32, i32) -> i32");
    assertThat(module.instantiate(Imports.of(ADD, LOG, NOW, unrelated)).call("call_add", 4, 4)).isEqualTo(8);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void importsOtherThanFunctionsAreReportedAsUnsupported(Engine engine) {
    byte[] bytes = TestModules.bytes(IMPORTED_MEMORY);
    WasmModule module = TestModules.loader(engine).load(bytes);
    HostFunction tick = HostFunction.of("env", "tick", FunctionType.accepting(ValueType.I64), (caller, args) -> null);
    assertThatThrownBy(() -> module.instantiate(Imports.of(tick)))
        .isExactlyInstanceOf(LinkException.class)
        .hasMessage(
            "module " + TestModules.shortDigest(bytes) + " cannot be linked (1 problem):\n"
                + "  unsupported memory env.mem: wasm-host provides function imports only");
    assertThatThrownBy(module::instantiate)
        .isExactlyInstanceOf(LinkException.class)
        .hasMessageContaining("(2 problems)")
        .hasMessageContaining("unsupported memory env.mem")
        .hasMessageContaining("missing func env.tick: (i64) -> ()");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void loaderImportsServeModuleCallAndInstancesCanOverrideThem(Engine engine) {
    Loader loader = WasmLoader.builder().engine(engine).imports(Imports.of(ADD, LOG, NOW)).build();
    WasmModule module = loader.load(TestModules.classpathUri(IMPORTS));
    assertThat(module.call("call_add", 20, 22)).isEqualTo(42);
    assertThat(module.call("now")).isEqualTo(123456789012L);
    assertThat(module.instantiate().call("call_add", 1, 1)).isEqualTo(2);

    HostFunction times = add((caller, args) -> new long[] {(int) args[0] * (int) args[1]});
    Instance overridden = module.instantiate(Imports.of(times));
    assertThat(overridden.call("call_add", 6, 7)).isEqualTo(42);
    assertThat(overridden.call("now")).isEqualTo(123456789012L);
    // The loader's imports are unchanged.
    assertThat(module.call("call_add", 6, 7)).isEqualTo(13);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void moduleCallWithoutTheImportsIsALinkExceptionEveryTime(Engine engine) {
    Loader loader = TestModules.loader(engine);
    WasmModule module = loader.load(TestModules.classpathUri(IMPORTS));
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> module.call("call_add", 1, 2))
          .isExactlyInstanceOf(LinkException.class)
          .hasMessageStartingWith("module " + LABEL + " cannot be linked (3 problems):");
    }
    assertThat(loader.load(TestModules.classpathUri(NUMBERS)).call("add", 1, 2)).isEqualTo(3);
    assertThat(module.instantiate(Imports.of(ADD, LOG, NOW)).call("call_add", 1, 2)).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aHostFunctionThatThrowsIsATrapCausedByTheOriginal(Engine engine) {
    IOException failure = new IOException("disk on fire");
    HostFunction add =
        add(
            (caller, args) -> {
              if (args[0] < 0) {
                throw failure;
              }
              return new long[] {args[0] + args[1]};
            });
    Instance instance = imports(engine).instantiate(Imports.of(add, LOG, NOW));
    assertThat(instance.call("call_add", 1, 2)).isEqualTo(3);
    Throwable thrown = catchThrowable(() -> instance.call("call_add", -1, 2));
    assertThat(thrown)
        .isExactlyInstanceOf(TrapException.class)
        .hasMessage(
            "module " + LABEL + ": function 'call_add' trapped: host function env.add threw java.io.IOException: disk on fire");
    assertThat(thrown.getCause()).isSameAs(failure);

    IntBinaryOperator typed = imports(engine).instantiate(Imports.of(add, LOG, NOW)).function("call_add", IntBinaryOperator.class);
    assertThat(catchThrowable(() -> typed.applyAsInt(-5, 0))).isExactlyInstanceOf(TrapException.class).hasCause(failure);

    // Through module.call with loader imports: the next call, on a fresh instance, works.
    Loader loader = WasmLoader.builder().engine(engine).imports(Imports.of(add, LOG, NOW)).build();
    WasmModule module = loader.load(TestModules.classpathUri(IMPORTS));
    assertThat(catchThrowable(() -> module.call("call_add", -1, 0))).isExactlyInstanceOf(TrapException.class).hasCause(failure);
    assertThat(module.call("call_add", 1, 1)).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aRuntimeExceptionFromAHostFunctionIsTheCause(Engine engine) {
    IllegalStateException failure = new IllegalStateException("no");
    Instance instance = imports(engine).instantiate(Imports.of(add((caller, args) -> {
      throw failure;
    }), LOG, NOW));
    assertThat(catchThrowable(() -> instance.call("call_add", 1, 2)))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessage("module " + LABEL + ": function 'call_add' trapped: host function env.add threw java.lang.IllegalStateException: no")
        .hasCause(failure);
  }

  /** HostFunction's documentation: whatever the body throws reaches the caller as a TrapException caused by it. */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void anErrorFromAHostFunctionIsATrapCausedByTheOriginal(Engine engine) {
    AssertionError failure = new AssertionError("host invariant broken");
    Instance instance = imports(engine).instantiate(Imports.of(add((caller, args) -> {
      throw failure;
    }), LOG, NOW));
    Throwable thrown = catchThrowable(() -> instance.call("call_add", 1, 2));
    assertThat(thrown).as("call_add threw %s", thrown).isExactlyInstanceOf(TrapException.class);
    assertThat(thrown.getCause()).isSameAs(failure);
    assertThat(thrown).hasMessageContaining("'call_add'").hasMessageContaining("env.add");
  }

  /**
   * A call whose host function fails is a trap, so module.call discards the thread's instance: here
   * the host function scribbles over the guest's memory before failing with an Error, and the next
   * call must see the module's initial memory again.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void anErrorFromAHostFunctionDiscardsTheThreadsInstance(Engine engine) {
    List<String> seen = new ArrayList<>();
    HostFunction log =
        HostFunction.of(
            "env",
            "log",
            I32_I32,
            (caller, args) -> {
              seen.add(caller.memory().readString((int) args[0], (int) args[1]));
              if (seen.size() == 1) {
                caller.memory().writeString(0, "HELLO");
                throw new AssertionError("first call fails");
              }
              return null;
            });
    WasmModule module =
        WasmLoader.builder().engine(engine).imports(Imports.of(ADD, log, NOW)).build().load(TestModules.classpathUri(IMPORTS));
    Throwable thrown = catchThrowable(() -> module.call("log_hello"));
    module.call("log_hello");
    assertThat(seen).as("the second call saw a fresh instance's memory").containsExactly("hello", "hello");
    assertThat(thrown).as("log_hello threw %s", thrown).isExactlyInstanceOf(TrapException.class);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aWasmExceptionFromAHostFunctionPassesThroughUnchanged(Engine engine) {
    InvalidCallException nested = new InvalidCallException("nested call refused");
    Instance instance = imports(engine).instantiate(Imports.of(add((caller, args) -> {
      throw nested;
    }), LOG, NOW));
    assertThat(catchThrowable(() -> instance.call("call_add", 1, 2))).isSameAs(nested);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aHostFunctionReturningTheWrongNumberOfResultsIsATrap(Engine engine) {
    for (HostFunction.Body body :
        List.<HostFunction.Body>of(
            (caller, args) -> null, (caller, args) -> new long[0], (caller, args) -> new long[] {1, 2})) {
      Instance instance = imports(engine).instantiate(Imports.of(add(body), LOG, NOW));
      Throwable thrown = catchThrowable(() -> instance.call("call_add", 1, 2));
      assertThat(thrown)
          .isExactlyInstanceOf(TrapException.class)
          .hasMessageStartingWith("module " + LABEL + ": function 'call_add' trapped: host function env.add threw ")
          .hasMessageContaining("declares 1")
          .hasRootCauseInstanceOf(IllegalStateException.class);
    }
    HostFunction logReturning = HostFunction.of("env", "log", I32_I32, (caller, args) -> new long[] {5});
    Instance instance = imports(engine).instantiate(Imports.of(ADD, logReturning, NOW));
    assertThat(catchThrowable(() -> instance.call("log_hello")))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageContaining("host function env.log returned 1 results, its type (i32, i32) -> () declares 0");
    assertThat(imports(engine).instantiate(Imports.of(ADD, LOG, NOW)).call("call_add", 2, 2)).isEqualTo(4);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aHostFunctionCanCallBackIntoTheGuest(Engine engine) {
    // env.add computes a+b by calling the guest's own call_add on another instance with plain addition.
    Instance helper = imports(engine).instantiate(Imports.of(ADD, LOG, NOW));
    HostFunction reentrant = add((caller, args) -> new long[] {(Integer) helper.call("call_add", (int) args[0], (int) args[1]) * 10});
    Instance instance = imports(engine).instantiate(Imports.of(reentrant, LOG, NOW));
    assertThat(instance.call("call_add", 1, 2)).isEqualTo(30);
  }

  /**
   * Guest and host calling each other without end exhaust the Java stack: the caller gets a
   * TrapException, never a StackOverflowError, and the module still works.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void unboundedRecursionThroughAHostFunctionIsATrap(Engine engine) {
    AtomicReference<Instance> self = new AtomicReference<>();
    HostFunction add = add((caller, args) -> new long[] {(Integer) self.get().call("call_add", (int) args[0] + 1, 0)});
    WasmModule module = imports(engine);
    Instance instance = module.instantiate(Imports.of(add, LOG, NOW));
    self.set(instance);
    Throwable thrown = catchThrowable(() -> instance.call("call_add", 0, 0));
    assertThat(thrown)
        .as("call_add threw %s", thrown)
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageStartingWith("module " + LABEL + ": function 'call_add' trapped: ")
        .hasMessageContaining("call stack exhausted");
    assertThat(module.instantiate(Imports.of(ADD, LOG, NOW)).call("call_add", 2, 3)).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aStartFunctionCanCallAHostFunctionThatReadsMemory(Engine engine) {
    List<String> seen = new ArrayList<>();
    AtomicReference<Instance> initCaller = new AtomicReference<>();
    HostFunction init =
        HostFunction.of(
            "env",
            "init",
            I32_I32,
            (caller, args) -> {
              initCaller.set(caller);
              seen.add(caller.memory().readString((int) args[0], (int) args[1]));
              return null;
            });
    WasmModule module = TestModules.loader(engine).load(TestModules.bytes(TestModules.START_IMPORT));
    Instance instance = module.instantiate(Imports.of(init));
    assertThat(seen).containsExactly("boot");
    assertThat(initCaller.get()).isSameAs(instance);
    assertThat(instance.call("started")).isEqualTo(1);
    assertThat(instance.memory().readString(0, 4)).isEqualTo("boot");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aHostFunctionThatThrowsInTheStartFunctionFailsInstantiation(Engine engine) {
    IOException failure = new IOException("no config");
    HostFunction init = HostFunction.of("env", "init", I32_I32, (caller, args) -> {
      throw failure;
    });
    byte[] bytes = TestModules.bytes(TestModules.START_IMPORT);
    WasmModule module = TestModules.loader(engine).load(bytes);
    Throwable thrown = catchThrowable(() -> module.instantiate(Imports.of(init)));
    assertThat(thrown)
        .isExactlyInstanceOf(dev.wasmhost.InstantiateException.class)
        .hasMessageStartingWith("module " + TestModules.shortDigest(bytes) + " cannot be instantiated: ")
        .hasMessageContaining("env.init")
        .hasMessageContaining("no config")
        .hasRootCauseMessage("no config");
    HostFunction ok = HostFunction.of("env", "init", I32_I32, (caller, args) -> null);
    assertThat(module.instantiate(Imports.of(ok)).call("started")).isEqualTo(1);
  }

  // ---- Imports and HostFunction themselves ------------------------------------------------------

  @Test
  void importsRefuseDuplicatesAndNulls() {
    assertThatThrownBy(() -> Imports.of(ADD, add((caller, args) -> null)))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("import env.add was already defined as func env.add: (i32, i32) -> i32");
    assertThatThrownBy(() -> Imports.builder().add(null)).isInstanceOf(NullPointerException.class).hasMessage("function");
    assertThatThrownBy(() -> HostFunction.of(null, "x", TO_I64, (c, a) -> null)).isInstanceOf(NullPointerException.class).hasMessage("module");
    assertThatThrownBy(() -> HostFunction.of("m", null, TO_I64, (c, a) -> null)).isInstanceOf(NullPointerException.class).hasMessage("name");
    assertThatThrownBy(() -> HostFunction.of("m", "x", null, (c, a) -> null)).isInstanceOf(NullPointerException.class).hasMessage("type");
    assertThatThrownBy(() -> HostFunction.of("m", "x", TO_I64, null)).isInstanceOf(NullPointerException.class).hasMessage("body");
  }

  @Test
  void importsLookUpMergeAndDescribeThemselves() {
    Imports imports = Imports.builder().add(ADD).addAll(Imports.of(LOG)).build();
    assertThat(imports.function("env", "add")).isSameAs(ADD);
    assertThat(imports.function("env", "now")).isNull();
    assertThat(imports.functions()).containsExactly(ADD, LOG);
    assertThat(imports.isEmpty()).isFalse();
    assertThat(Imports.empty().isEmpty()).isTrue();
    assertThat(Imports.builder().build()).isSameAs(Imports.empty());
    assertThat(imports.toString())
        .isEqualTo("Imports[func env.add: (i32, i32) -> i32, func env.log: (i32, i32) -> ()]");

    HostFunction otherAdd = add((caller, args) -> new long[] {0});
    Imports merged = imports.overriddenBy(Imports.of(otherAdd, NOW));
    assertThat(merged.function("env", "add")).isSameAs(otherAdd);
    assertThat(merged.function("env", "log")).isSameAs(LOG);
    assertThat(merged.function("env", "now")).isSameAs(NOW);
    assertThat(imports.function("env", "add")).isSameAs(ADD);
    assertThat(imports.overriddenBy(Imports.empty())).isSameAs(imports);
    assertThat(Imports.empty().overriddenBy(imports)).isSameAs(imports);
  }
}
