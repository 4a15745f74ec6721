package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.NUMBERS;
import static dev.wasmhost.tests.TestModules.SHAPES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmFunction;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleSupplier;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.LongToIntFunction;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Instance#function(String, Class)} for every shape in Instance's table, and its refusals. */
class TypedHandleTest {

  private static final String LABEL = "classpath:/wasm/numbers.wasm";

  private static Instance numbers(Engine engine) {
    return TestModules.loader(engine).load(TestModules.classpathUri(NUMBERS)).instantiate();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void everyNumberShapeCallsTheExport(Engine engine) {
    Instance instance = numbers(engine);

    IntBinaryOperator add = instance.function("add", IntBinaryOperator.class);
    assertThat(add.applyAsInt(2, 3)).isEqualTo(5);
    assertThat(add.applyAsInt(Integer.MAX_VALUE, 1)).isEqualTo(Integer.MIN_VALUE);

    IntUnaryOperator neg = instance.function("neg", IntUnaryOperator.class);
    assertThat(neg.applyAsInt(9)).isEqualTo(-9);
    assertThat(neg.applyAsInt(Integer.MIN_VALUE)).isEqualTo(Integer.MIN_VALUE);

    LongBinaryOperator add64 = instance.function("add64", LongBinaryOperator.class);
    assertThat(add64.applyAsLong(Long.MAX_VALUE, 1)).isEqualTo(Long.MIN_VALUE);
    assertThat(add64.applyAsLong(1L << 40, 1L << 41)).isEqualTo(3L << 40);

    LongUnaryOperator neg64 = instance.function("neg64", LongUnaryOperator.class);
    assertThat(neg64.applyAsLong(1L << 50)).isEqualTo(-(1L << 50));

    DoubleBinaryOperator mul = instance.function("mul_f64", DoubleBinaryOperator.class);
    assertThat(mul.applyAsDouble(1.5, -4.0)).isEqualTo(-6.0);

    DoubleUnaryOperator sqrt = instance.function("sqrt", DoubleUnaryOperator.class);
    assertThat(sqrt.applyAsDouble(2.25)).isEqualTo(1.5);
    assertThat(sqrt.applyAsDouble(-1)).isNaN();

    IntSupplier const42 = instance.function("const42", IntSupplier.class);
    assertThat(const42.getAsInt()).isEqualTo(42);

    LongSupplier const42x64 = instance.function("const42_64", LongSupplier.class);
    assertThat(const42x64.getAsLong()).isEqualTo(42L);

    DoubleSupplier pi = instance.function("pi", DoubleSupplier.class);
    assertThat(pi.getAsDouble()).isEqualTo(Math.PI);

    Runnable noop = instance.function("noop", Runnable.class);
    noop.run();

    IntToLongFunction widen = instance.function("widen", IntToLongFunction.class);
    assertThat(widen.applyAsLong(-2)).isEqualTo(-2L);
    assertThat(widen.applyAsLong(Integer.MIN_VALUE)).isEqualTo((long) Integer.MIN_VALUE);

    LongToIntFunction narrow = instance.function("narrow", LongToIntFunction.class);
    assertThat(narrow.applyAsInt(0xFFFF_FFFF_0000_0007L)).isEqualTo(7);
    assertThat(narrow.applyAsInt(0x0000_0000_FFFF_FFFFL)).isEqualTo(-1);

    WasmFunction swap = instance.function("swap", WasmFunction.class);
    assertThat(swap).isSameAs(instance.function("swap"));
    assertThat(swap.apply(1, 2)).containsExactly(2L, 1L);
    assertThat((Object[]) swap.call(1, 2L)).containsExactly(2L, 1);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void consumersReachTheGuestsState(Engine engine) {
    Instance instance = TestModules.loader(engine).load(TestModules.bytes(SHAPES)).instantiate();
    IntConsumer setI32 = instance.function("set_i32", IntConsumer.class);
    LongConsumer setI64 = instance.function("set_i64", LongConsumer.class);
    IntSupplier getI32 = instance.function("get_i32", IntSupplier.class);
    LongSupplier getI64 = instance.function("get_i64", LongSupplier.class);

    setI32.accept(-123);
    setI64.accept(Long.MIN_VALUE + 9);
    assertThat(getI32.getAsInt()).isEqualTo(-123);
    assertThat(getI64.getAsLong()).isEqualTo(Long.MIN_VALUE + 9);
    assertThat(instance.call("get_i32")).isEqualTo(-123);
    assertThat(instance.call("get_i64")).isEqualTo(Long.MIN_VALUE + 9);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void aShapeThatDoesNotFitTheSignatureNamesWhatItNeeds(Engine engine) {
    Instance instance = numbers(engine);
    String prefix = "module " + LABEL + ": function ";
    assertThatThrownBy(() -> instance.function("add", LongBinaryOperator.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'add' (i32, i32) -> i32 cannot be bound as LongBinaryOperator, which needs (i64, i64) -> i64");
    assertThatThrownBy(() -> instance.function("add", IntUnaryOperator.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'add' (i32, i32) -> i32 cannot be bound as IntUnaryOperator, which needs (i32) -> i32");
    assertThatThrownBy(() -> instance.function("id_f32", DoubleUnaryOperator.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'id_f32' (f32) -> f32 cannot be bound as DoubleUnaryOperator, which needs (f64) -> f64");
    assertThatThrownBy(() -> instance.function("noop", IntSupplier.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'noop' () -> () cannot be bound as IntSupplier, which needs () -> i32");
    assertThatThrownBy(() -> instance.function("const42", Runnable.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'const42' () -> i32 cannot be bound as Runnable, which needs () -> ()");
    assertThatThrownBy(() -> instance.function("neg", IntConsumer.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'neg' (i32) -> i32 cannot be bound as IntConsumer, which needs (i32) -> ()");
    assertThatThrownBy(() -> instance.function("narrow", IntToLongFunction.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'narrow' (i64) -> i32 cannot be bound as IntToLongFunction, which needs (i32) -> i64");
    assertThatThrownBy(() -> instance.function("widen", LongToIntFunction.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'widen' (i32) -> i64 cannot be bound as LongToIntFunction, which needs (i64) -> i32");
    assertThatThrownBy(() -> instance.function("swap", LongConsumer.class))
        .isExactlyInstanceOf(InvalidCallException.class)
        .hasMessage(prefix + "'swap' (i32, i64) -> (i64, i32) cannot be bound as LongConsumer, which needs (i64) -> ()");
    assertThat(instance.function("add", IntBinaryOperator.class).applyAsInt(1, 1)).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anUnsupportedShapeIsNamed(Engine engine) {
    Instance instance = numbers(engine);
    for (Class<?> shape : new Class<?>[] {BiFunction.class, Supplier.class, ToIntFunction.class, String.class, Object.class}) {
      assertThatThrownBy(() -> instance.function("add", shape))
          .as(shape.getName())
          .isExactlyInstanceOf(InvalidCallException.class)
          .hasMessage(
              "module " + LABEL + ": function 'add' (i32, i32) -> i32: " + shape.getName()
                  + " is not a supported handle type; see Instance's documentation for the supported interfaces,"
                  + " or use WasmFunction");
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void typedHandlesReportTrapsWithTheFunctionName(Engine engine) {
    Instance instance = numbers(engine);
    IntBinaryOperator div = instance.function("div_s", IntBinaryOperator.class);
    assertThat(div.applyAsInt(7, 2)).isEqualTo(3);
    assertThatThrownBy(() -> div.applyAsInt(1, 0))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageStartingWith("module " + LABEL + ": function 'div_s' trapped: ")
        .hasMessageContaining("integer divide by zero");
    IntBinaryOperator fresh = numbers(engine).function("div_s", IntBinaryOperator.class);
    assertThatThrownBy(() -> fresh.applyAsInt(Integer.MIN_VALUE, -1))
        .isExactlyInstanceOf(TrapException.class)
        .hasMessageStartingWith("module " + LABEL + ": function 'div_s' trapped: ")
        .hasMessageContaining("integer overflow");
  }
}
