package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.NUMBERS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Values cross the boundary bit for bit, in both engines and through every way of calling:
 * {@code call()}, typed handles, and {@link WasmFunction#apply}. Floats are generated as raw bits, so
 * NaNs with every payload, both zeros, infinities and subnormals all occur.
 */
class ValuePropertiesTest {

  private static final Map<Engine, WasmModule> MODULES = new EnumMap<>(Engine.class);
  private static final Map<Engine, Instance> INSTANCES = new EnumMap<>(Engine.class);

  @BeforeContainer
  static void load() {
    for (Engine engine : Engine.values()) {
      WasmModule module = TestModules.loader(engine).load(TestModules.bytes(NUMBERS));
      MODULES.put(engine, module);
      INSTANCES.put(engine, module.instantiate());
    }
  }

  @AfterContainer
  static void close() {
    INSTANCES.values().forEach(Instance::close);
  }

  @Provide
  Arbitrary<Integer> intBits() {
    return Arbitraries.oneOf(
        Arbitraries.integers(),
        // NaNs: exponent all ones, any non-zero payload, either sign.
        Arbitraries.integers().between(1, 0x7F_FFFF).flatMap(payload -> Arbitraries.of(0x7F80_0000 | payload, 0xFF80_0000 | payload)),
        Arbitraries.of(0, 0x8000_0000, 0x7F80_0000, 0xFF80_0000, 0x7FC0_0000, 0x7F80_0001, 1, 0x807F_FFFF));
  }

  @Provide
  Arbitrary<Long> longBits() {
    return Arbitraries.oneOf(
        Arbitraries.longs(),
        Arbitraries.longs()
            .between(1, 0xF_FFFF_FFFF_FFFFL)
            .flatMap(payload -> Arbitraries.of(0x7FF0_0000_0000_0000L | payload, 0xFFF0_0000_0000_0000L | payload)),
        Arbitraries.of(0L, 0x8000_0000_0000_0000L, 0x7FF0_0000_0000_0000L, 0x7FF8_0000_0000_0000L, 0x7FF0_0000_0000_0001L, 1L));
  }

  @Property(tries = 300)
  void idI32IsExact(@ForAll int value) {
    for (Engine engine : Engine.values()) {
      Instance instance = INSTANCES.get(engine);
      assertThat(MODULES.get(engine).call("id_i32", value)).as("%s", engine).isEqualTo(value);
      assertThat(instance.call("id_i32", value)).as("%s", engine).isEqualTo(value);
      assertThat(instance.function("id_i32", IntUnaryOperator.class).applyAsInt(value)).as("%s", engine).isEqualTo(value);
      assertThat(instance.function("id_i32").apply(value)).as("%s", engine).containsExactly((long) value);
      assertThat(instance.function("id_i32").call(value)).as("%s", engine).isEqualTo(value);
    }
  }

  @Property(tries = 300)
  void idI64IsExact(@ForAll long value) {
    for (Engine engine : Engine.values()) {
      Instance instance = INSTANCES.get(engine);
      assertThat(MODULES.get(engine).call("id_i64", value)).as("%s", engine).isEqualTo(value);
      assertThat(instance.call("id_i64", value)).as("%s", engine).isEqualTo(value);
      assertThat(instance.function("id_i64", LongUnaryOperator.class).applyAsLong(value)).as("%s", engine).isEqualTo(value);
      assertThat(instance.function("id_i64").apply(value)).as("%s", engine).containsExactly(value);
      assertThat(instance.function("id_i64").call(value)).as("%s", engine).isEqualTo(value);
    }
  }

  @Property(tries = 300)
  void idF32KeepsEveryBit(@ForAll("intBits") int bits) {
    float value = Float.intBitsToFloat(bits);
    for (Engine engine : Engine.values()) {
      Instance instance = INSTANCES.get(engine);
      Object viaModule = MODULES.get(engine).call("id_f32", value);
      assertThat(Float.floatToRawIntBits((Float) viaModule)).as("%s module.call", engine).isEqualTo(bits);
      Object viaInstance = instance.call("id_f32", value);
      assertThat(Float.floatToRawIntBits((Float) viaInstance)).as("%s instance.call", engine).isEqualTo(bits);
      long[] raw = instance.function("id_f32").apply(Integer.toUnsignedLong(bits));
      assertThat((int) raw[0]).as("%s apply", engine).isEqualTo(bits);
      Object viaHandle = instance.function("id_f32", WasmFunction.class).call(value);
      assertThat(Float.floatToRawIntBits((Float) viaHandle)).as("%s WasmFunction.call", engine).isEqualTo(bits);
    }
  }

  @Property(tries = 300)
  void idF64KeepsEveryBit(@ForAll("longBits") long bits) {
    double value = Double.longBitsToDouble(bits);
    for (Engine engine : Engine.values()) {
      Instance instance = INSTANCES.get(engine);
      Object viaModule = MODULES.get(engine).call("id_f64", value);
      assertThat(Double.doubleToRawLongBits((Double) viaModule)).as("%s module.call", engine).isEqualTo(bits);
      Object viaInstance = instance.call("id_f64", value);
      assertThat(Double.doubleToRawLongBits((Double) viaInstance)).as("%s instance.call", engine).isEqualTo(bits);
      double viaTyped = instance.function("id_f64", DoubleUnaryOperator.class).applyAsDouble(value);
      assertThat(Double.doubleToRawLongBits(viaTyped)).as("%s DoubleUnaryOperator", engine).isEqualTo(bits);
      assertThat(instance.function("id_f64").apply(bits)).as("%s apply", engine).containsExactly(bits);
    }
  }

  @Property(tries = 300)
  void addIsJavaIntAddition(@ForAll int a, @ForAll int b) {
    for (Engine engine : Engine.values()) {
      Instance instance = INSTANCES.get(engine);
      assertThat(MODULES.get(engine).call("add", a, b)).as("%s", engine).isEqualTo(a + b);
      assertThat(instance.function("add", IntBinaryOperator.class).applyAsInt(a, b)).as("%s", engine).isEqualTo(a + b);
      assertThat(instance.function("add").apply(a, b)).as("%s", engine).containsExactly((long) (a + b));
    }
  }

  @Property(tries = 300)
  void add64IsJavaLongAddition(@ForAll long a, @ForAll long b) {
    for (Engine engine : Engine.values()) {
      Instance instance = INSTANCES.get(engine);
      assertThat(MODULES.get(engine).call("add64", a, b)).as("%s", engine).isEqualTo(a + b);
      assertThat(instance.function("add64", LongBinaryOperator.class).applyAsLong(a, b)).as("%s", engine).isEqualTo(a + b);
    }
  }

  @Property(tries = 300)
  void swapReturnsBothValues(@ForAll int a, @ForAll long b) {
    for (Engine engine : Engine.values()) {
      assertThat((Object[]) MODULES.get(engine).call("swap", a, b)).as("%s", engine).containsExactly(b, a);
      assertThat(INSTANCES.get(engine).function("swap").apply(a, b)).as("%s", engine).containsExactly(b, (long) a);
    }
  }

  @Property(tries = 300)
  void mixMatchesJava(@ForAll int a, @ForAll long b, @ForAll("intBits") int cBits, @ForAll("longBits") long dBits) {
    float c = Float.intBitsToFloat(cBits);
    double d = Double.longBitsToDouble(dBits);
    double expected = (double) a + (double) b + (double) c + d;
    for (Engine engine : Engine.values()) {
      Double result = (Double) MODULES.get(engine).call("mix", a, b, c, d);
      if (Double.isNaN(expected)) {
        assertThat(result).as("%s", engine).isNaN();
      } else {
        assertThat(result).as("%s", engine).isEqualTo(expected);
      }
    }
  }
}
