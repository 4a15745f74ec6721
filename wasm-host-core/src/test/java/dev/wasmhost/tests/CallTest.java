package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.NUMBERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.FunctionType;
import dev.wasmhost.Instance;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Boxed calls through {@link WasmModule#call}, {@link Instance#call} and {@link WasmFunction#call}:
 * result boxes, argument conversion, and argument errors that name the function, the position and
 * the expected type.
 */
class CallTest {

  private static final String LABEL = "classpath:/wasm/numbers.wasm";

  private static WasmModule numbers(Engine engine) {
    return TestModules.loader(engine).load(TestModules.classpathUri(NUMBERS));
  }

  /** The three ways to make a boxed call, so that each behaviour is checked through all of them. */
  private static Iterable<Caller> callers(WasmModule module) {
    Instance instance = module.instantiate();
    return java.util.List.of(
        new Caller("module.call", module::call),
        new Caller("instance.call", instance::call),
        new Caller("function(name).call", (name, args) -> instance.function(name).call(args)));
  }

  private static final class Caller {
    final String description;
    final java.util.function.BiFunction<String, Object[], Object> call;

    Caller(String description, java.util.function.BiFunction<String, Object[], Object> call) {
      this.description = description;
      this.call = call;
    }

    Object call(String function, Object... args) {
      return call.apply(function, args);
    }

    @Override
    public String toString() {
      return description;
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void resultsAreBoxedByType(Engine engine) {
    for (Caller c : callers(numbers(engine))) {
      assertThat(c.call("add", 2, 3)).as("%s", c).isInstanceOf(Integer.class).isEqualTo(5);
      assertThat(c.call("add", Integer.MAX_VALUE, 1)).as("%s", c).isEqualTo(Integer.MIN_VALUE);
      assertThat(c.call("add64", 1L << 40, 5L)).as("%s", c).isInstanceOf(Long.class).isEqualTo((1L << 40) + 5);
      assertThat(c.call("id_f32", 1.5f)).as("%s", c).isInstanceOf(Float.class).isEqualTo(1.5f);
      assertThat(c.call("id_f64", -2.25)).as("%s", c).isInstanceOf(Double.class).isEqualTo(-2.25);
      assertThat(c.call("mul_f64", 1.5, 4.0)).as("%s", c).isEqualTo(6.0);
      assertThat(c.call("pi")).as("%s", c).isEqualTo(3.141592653589793);
      assertThat(c.call("const42")).as("%s", c).isEqualTo(42);
      assertThat(c.call("const42_64")).as("%s", c).isEqualTo(42L);
      assertThat(c.call("noop")).as("%s", c).isNull();
      assertThat(c.call("neg", 7)).as("%s", c).isEqualTo(-7);
      assertThat(c.call("widen", -1)).as("%s", c).isEqualTo(-1L);
      assertThat(c.call("narrow", 0x1_0000_0005L)).as("%s", c).isEqualTo(5);
      assertThat(c.call("mix", 1, 2L, 3.5f, 4.25)).as("%s", c).isEqualTo(10.75);
      assertThat(c.call("div_s", -7, 2)).as("%s", c).isEqualTo(-3);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void severalResultsComeBackAsAnObjectArray(Engine engine) {
    for (Caller c : callers(numbers(engine))) {
      Object result = c.call("swap", 7, 1L << 33);
      assertThat(result).as("%s", c).isInstanceOf(Object[].class);
      assertThat((Object[]) result).as("%s", c).containsExactly(1L << 33, 7);
      assertThat(((Object[]) result)[0]).isInstanceOf(Long.class);
      assertThat(((Object[]) result)[1]).isInstanceOf(Integer.class);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anIntegerIsAcceptedForAnI64(Engine engine) {
    for (Caller c : callers(numbers(engine))) {
      assertThat(c.call("id_i64", 5)).as("%s", c).isInstanceOf(Long.class).isEqualTo(5L);
      // Widened with its sign.
      assertThat(c.call("id_i64", -5)).as("%s", c).isEqualTo(-5L);
      assertThat(c.call("add64", Integer.MAX_VALUE, Integer.MAX_VALUE)).as("%s", c).isEqualTo(2L * Integer.MAX_VALUE);
      assertThat((Object[]) c.call("swap", 1, 2)).as("%s", c).containsExactly(2L, 1);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void floatSpecialValuesSurviveBoxedCalls(Engine engine) {
    for (Caller c : callers(numbers(engine))) {
      assertThat(Double.doubleToRawLongBits((Double) c.call("id_f64", -0.0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
      assertThat(Float.floatToRawIntBits((Float) c.call("id_f32", -0.0f))).isEqualTo(Float.floatToRawIntBits(-0.0f));
      assertThat((Double) c.call("id_f64", Double.POSITIVE_INFINITY)).isEqualTo(Double.POSITIVE_INFINITY);
      assertThat((Float) c.call("id_f32", Float.MIN_VALUE)).isEqualTo(Float.MIN_VALUE);
      assertThat((Double) c.call("sqrt", -1.0)).isNaN();
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void wrongArgumentCountNamesTheFunctionAndTheCounts(Engine engine) {
    for (Caller c : callers(numbers(engine))) {
      assertThatThrownBy(() -> c.call("add", 1))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": function 'add' (i32, i32) -> i32 takes 2 arguments, got 1");
      assertThatThrownBy(() -> c.call("add", 1, 2, 3))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": function 'add' (i32, i32) -> i32 takes 2 arguments, got 3");
      assertThatThrownBy(() -> c.call("id_i32"))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": function 'id_i32' (i32) -> i32 takes 1 argument, got 0");
      assertThatThrownBy(() -> c.call("noop", 1))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": function 'noop' () -> () takes 0 arguments, got 1");
      // A null varargs array is no arguments.
      assertThatThrownBy(() -> c.call("add", (Object[]) null))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": function 'add' (i32, i32) -> i32 takes 2 arguments, got 0");
      assertThat(c.call("noop", (Object[]) null)).isNull();
      // ... and the module still works.
      assertThat(c.call("add", 1, 2)).isEqualTo(3);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void wrongArgumentTypeNamesTheFunctionThePositionAndTheExpectedType(Engine engine) {
    for (Caller c : callers(numbers(engine))) {
      String add = "module " + LABEL + ": function 'add' (i32, i32) -> i32: ";
      assertThatThrownBy(() -> c.call("add", 1, 2L))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage(add + "argument 2: expected Integer for i32 but got Long");
      assertThatThrownBy(() -> c.call("add", "1", 2))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage(add + "argument 1: expected Integer for i32 but got String");
      assertThatThrownBy(() -> c.call("add", 1, null))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage(add + "argument 2: expected Integer for i32 but got null");
      assertThatThrownBy(() -> c.call("add", (short) 1, 2))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage(add + "argument 1: expected Integer for i32 but got Short");
      assertThatThrownBy(() -> c.call("id_f32", 1.0))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": function 'id_f32' (f32) -> f32: argument 1: expected Float for f32 but got Double");
      assertThatThrownBy(() -> c.call("id_f64", 1.0f))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": function 'id_f64' (f64) -> f64: argument 1: expected Double for f64 but got Float");
      assertThatThrownBy(() -> c.call("id_f64", 1))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": function 'id_f64' (f64) -> f64: argument 1: expected Double for f64 but got Integer");
      assertThatThrownBy(() -> c.call("id_i64", 1.0))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage(
              "module " + LABEL + ": function 'id_i64' (i64) -> i64: argument 1: expected Long (or Integer) for i64 but got Double");
      assertThatThrownBy(() -> c.call("mix", 1, 2L, 3.0f, 4.0f))
          .as("%s", c)
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage(
              "module " + LABEL + ": function 'mix' (i32, i64, f32, f64) -> f64: argument 4: expected Double for f64 but got Float");
      assertThat(c.call("add", 1, 2)).isEqualTo(3);
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void missingAndNonFunctionExportsAreInvalidCalls(Engine engine) {
    WasmModule module = numbers(engine);
    Instance instance = module.instantiate();
    String functions =
        "add, add64, const42, const42_64, div_s, id_f32, id_f64, id_i32, id_i64, mix, mul_f64, narrow, neg, neg64,"
            + " noop, pi, sqrt, swap, widen";
    for (Function<String, Object> call :
        java.util.List.<Function<String, Object>>of(
            name -> module.call(name),
            name -> instance.call(name),
            instance::function,
            name -> instance.function(name, Runnable.class))) {
      assertThatThrownBy(() -> call.apply("nope"))
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + " has no function export 'nope' (function exports: " + functions + ")");
      assertThatThrownBy(() -> call.apply("answer"))
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage("module " + LABEL + ": export 'answer' is not a function");
    }
    assertThat(module.call("const42")).isEqualTo(42);
    assertThat(instance.call("const42")).isEqualTo(42);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void modulesLoadedFromBytesAreNamedByShortDigest(Engine engine) {
    byte[] bytes = TestModules.bytes(NUMBERS);
    WasmModule module = TestModules.loader(engine).load(bytes);
    String label = TestModules.shortDigest(bytes);
    assertThat(label).hasSize("sha256:".length() + 12);
    assertThatThrownBy(() -> module.call("add", 1))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage("module " + label + ": function 'add' (i32, i32) -> i32 takes 2 arguments, got 1");
    assertThatThrownBy(() -> module.call("missing"))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessageStartingWith("module " + label + " has no function export 'missing'");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void rawHandlesPassValuesAsLongs(Engine engine) {
    Instance instance = numbers(engine).instantiate();
    WasmFunction add = instance.function("add");
    assertThat(add.name()).isEqualTo("add");
    assertThat(add.type()).isEqualTo(FunctionType.accepting(ValueType.I32, ValueType.I32).returning(ValueType.I32));
    assertThat(add.apply(2, 3)).containsExactly(5);
    // i32 results are sign-extended.
    assertThat(add.apply(Integer.MAX_VALUE, 1)).containsExactly(Integer.MIN_VALUE);
    assertThat(instance.function("add")).isSameAs(add);

    assertThat(instance.function("swap").apply(7, -1)).containsExactly(-1L, 7L);
    assertThat(instance.function("id_f64").apply(Double.doubleToRawLongBits(2.5)))
        .containsExactly(Double.doubleToRawLongBits(2.5));
    assertThat(instance.function("id_f32").apply(Float.floatToRawIntBits(2.5f))[0])
        .satisfies(raw -> assertThat(Float.intBitsToFloat((int) (long) raw)).isEqualTo(2.5f));
    long[] none = instance.function("noop").apply();
    assertThat(none == null || none.length == 0).as("noop result %s", java.util.Arrays.toString(none)).isTrue();
    assertThat(instance.function("mix").call(1, 2L, 3.5f, 4.25)).isEqualTo(10.75);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void typesWithNoBoxedFormAreRejectedByCall(Engine engine) {
    WasmModule shapes = TestModules.loader(engine).load(TestModules.bytes(TestModules.SHAPES));
    String label = TestModules.shortDigest(TestModules.bytes(TestModules.SHAPES));
    assertThatThrownBy(() -> shapes.call("is_null", (Object) null))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(
            "module " + label + ": function 'is_null' (externref) -> i32 uses types that have no boxed Java form;"
                + " call it through function(name).apply(...)");
    // The raw path takes any value; there is no way to pass a real reference, but the call is made.
    Instance instance = shapes.instantiate();
    assertThat(instance.function("is_null").type())
        .isEqualTo(FunctionType.accepting(ValueType.EXTERNREF).returning(ValueType.I32));
    assertThat(shapes.call("get_i32")).isEqualTo(0);
  }
}
