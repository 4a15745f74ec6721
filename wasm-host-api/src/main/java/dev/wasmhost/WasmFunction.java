package dev.wasmhost;

/**
 * A handle on one exported function of one {@link Instance}, bound once and called many times.
 *
 * <p>{@link #apply(long...)} passes values raw (see {@link ValueType}) straight to Chicory, with no
 * lookup and no conversion: it is the fastest general way in. For common shapes,
 * {@link Instance#function(String, Class)} gives a JDK functional interface instead, such as an
 * {@code IntBinaryOperator} for {@code (i32, i32) -> i32}, which adds no allocation of its own.
 *
 * <p>A handle belongs to its instance and is not thread-safe. Its argument count is not checked by
 * {@code apply}; pass exactly {@code type().params().size()} values.
 */
public interface WasmFunction {

  /** The export name. */
  String name();

  /** The function's signature. */
  FunctionType type();

  /**
   * Calls the function with raw arguments.
   *
   * @return the raw results, one per result type (an empty array or null for none)
   * @throws TrapException if the guest traps or a host function it calls throws
   */
  long[] apply(long... args);

  /**
   * Calls the function with boxed arguments and returns a boxed result, as
   * {@link Instance#call(String, Object...)} does.
   */
  Object call(Object... args);
}
