package dev.wasmhost;

/**
 * A WebAssembly value type.
 *
 * <p>At the raw level ({@link WasmFunction#apply(long...)}, {@link HostFunction.Body}) every value
 * travels in a {@code long}: {@code i32} sign-extended, {@code i64} as is, {@code f32} as the raw bits
 * of {@link Float#floatToRawIntBits(float)} and {@code f64} as the raw bits of
 * {@link Double#doubleToRawLongBits(double)}, so NaN payloads and {@code -0.0} survive unchanged.
 * {@link #box(long)} and {@link #unbox(Object)} convert between that form and the boxed form used by
 * {@code call(...)}.
 */
public enum ValueType {
  I32("i32"),
  I64("i64"),
  F32("f32"),
  F64("f64"),
  V128("v128"),
  FUNCREF("funcref"),
  EXTERNREF("externref"),
  /** Any other reference type (from the GC and exception-handling proposals). */
  REF("ref");

  private final String text;

  ValueType(String text) {
    this.text = text;
  }

  /** True for the four number types that {@code call(...)} accepts and returns. */
  public boolean isNumber() {
    return this == I32 || this == I64 || this == F32 || this == F64;
  }

  /**
   * The boxed Java value of a raw value of this type: {@code Integer}, {@code Long}, {@code Float} or
   * {@code Double}.
   *
   * @throws IllegalStateException for a type that is not a number
   */
  public Object box(long raw) {
    switch (this) {
      case I32:
        return (int) raw;
      case I64:
        return raw;
      case F32:
        return Float.intBitsToFloat((int) raw);
      case F64:
        return Double.longBitsToDouble(raw);
      default:
        throw new IllegalStateException(text + " values have no boxed form");
    }
  }

  /**
   * The raw value of a boxed Java value, or throws {@link IllegalArgumentException} naming the Java
   * type that does not fit. An {@code Integer} is accepted for {@code i64}, widened with its sign.
   * Nothing else is converted: a {@code Long} is not narrowed to {@code i32} and integers are not
   * turned into floats.
   */
  public long unbox(Object value) {
    switch (this) {
      case I32:
        if (value instanceof Integer) {
          return (Integer) value;
        }
        break;
      case I64:
        if (value instanceof Long) {
          return (Long) value;
        }
        if (value instanceof Integer) {
          return (Integer) value;
        }
        break;
      case F32:
        if (value instanceof Float) {
          return Float.floatToRawIntBits((Float) value);
        }
        break;
      case F64:
        if (value instanceof Double) {
          return Double.doubleToRawLongBits((Double) value);
        }
        break;
      default:
        throw new IllegalArgumentException(text + " values cannot be passed from Java");
    }
    throw new IllegalArgumentException(
        "expected " + javaTypeName() + " for " + text + " but got "
            + (value == null ? "null" : value.getClass().getSimpleName()));
  }

  private String javaTypeName() {
    switch (this) {
      case I32:
        return "Integer";
      case I64:
        return "Long (or Integer)";
      case F32:
        return "Float";
      case F64:
        return "Double";
      default:
        return "nothing";
    }
  }

  /** The name used in the WebAssembly text format, e.g. {@code i32}. */
  @Override
  public String toString() {
    return text;
  }
}
