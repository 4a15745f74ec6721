package dev.wasmhost;

/**
 * One instantiation of a {@link WasmModule}: its own memory, globals and tables.
 *
 * <pre>{@code
 * try (Instance instance = module.instantiate()) {
 *   IntBinaryOperator add = instance.function("add", IntBinaryOperator.class);
 *   int three = add.applyAsInt(1, 2);          // the hot path: no boxing, no lookup
 *   Object five = instance.call("add", 2, 3);  // convenient: boxed, looked up by name
 *   instance.memory().writeInt(0, 42);         // state persists across calls on this instance
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> An instance is not thread-safe: use it, its handles and its memory from one
 * thread at a time. For calls from many threads use {@link WasmModule#call}, or one instance per
 * thread.
 *
 * <p><b>Typed handles.</b> {@link #function(String, Class)} binds an export to a JDK functional
 * interface whose shape matches its signature:
 *
 * <table>
 *   <caption>Shapes</caption>
 *   <tr><th>interface</th><th>wasm signature</th></tr>
 *   <tr><td>{@code Runnable}</td><td>{@code () -> ()}</td></tr>
 *   <tr><td>{@code IntSupplier}</td><td>{@code () -> i32}</td></tr>
 *   <tr><td>{@code LongSupplier}</td><td>{@code () -> i64}</td></tr>
 *   <tr><td>{@code DoubleSupplier}</td><td>{@code () -> f64}</td></tr>
 *   <tr><td>{@code IntUnaryOperator}</td><td>{@code (i32) -> i32}</td></tr>
 *   <tr><td>{@code IntBinaryOperator}</td><td>{@code (i32, i32) -> i32}</td></tr>
 *   <tr><td>{@code LongUnaryOperator}</td><td>{@code (i64) -> i64}</td></tr>
 *   <tr><td>{@code LongBinaryOperator}</td><td>{@code (i64, i64) -> i64}</td></tr>
 *   <tr><td>{@code DoubleUnaryOperator}</td><td>{@code (f64) -> f64}</td></tr>
 *   <tr><td>{@code DoubleBinaryOperator}</td><td>{@code (f64, f64) -> f64}</td></tr>
 *   <tr><td>{@code IntConsumer}</td><td>{@code (i32) -> ()}</td></tr>
 *   <tr><td>{@code LongConsumer}</td><td>{@code (i64) -> ()}</td></tr>
 *   <tr><td>{@code IntToLongFunction}</td><td>{@code (i32) -> i64}</td></tr>
 *   <tr><td>{@code LongToIntFunction}</td><td>{@code (i64) -> i32}</td></tr>
 *   <tr><td>{@link WasmFunction}</td><td>any</td></tr>
 * </table>
 *
 * <p><b>Failure.</b> A call that traps throws {@link TrapException}; the instance's memory and
 * globals may then be half-updated, so discard it. {@link #close()} releases the instance; calling
 * {@link #call}, {@link #function} or {@link #memory} afterwards throws
 * {@link InvalidCallException}, and handles taken earlier must not be used.
 */
public interface Instance extends AutoCloseable {

  /** The module this is an instance of. */
  WasmModule module();

  /**
   * Calls export {@code function} with boxed arguments.
   *
   * @param args one per parameter: {@code Integer} for i32, {@code Long} or {@code Integer} for i64,
   *     {@code Float} for f32, {@code Double} for f64
   * @return {@code null} for no result, the boxed result for one, an {@code Object[]} for several
   * @throws InvalidCallException if there is no such function export or the arguments do not fit
   * @throws TrapException if the guest traps
   */
  Object call(String function, Object... args);

  /**
   * {@link #call} with its own deadline, instead of the loader's or pool's: if the call is still
   * running after {@code timeout}, it is stopped and a {@link CallTimeoutException} is thrown; discard
   * the instance then.
   */
  Object callWithTimeout(java.time.Duration timeout, String function, Object... args);

  /**
   * A raw handle on export {@code name}.
   *
   * @throws InvalidCallException if there is no such function export
   */
  WasmFunction function(String name);

  /**
   * A typed handle on export {@code name}, as one of the interfaces in the table above.
   *
   * @throws InvalidCallException if there is no such function export, {@code shape} is not
   *     supported, or the export's signature does not match {@code shape}
   */
  <T> T function(String name, Class<T> shape);

  /**
   * The instance's memory (memory 0, exported or not).
   *
   * @throws InvalidCallException if the module has no memory
   */
  Memory memory();

  /**
   * The fuel consumed by the last call on this instance that returned or ran out of fuel, or -1 if
   * the loader does not meter fuel (see {@link Loader.Builder#fuelPerCall(long)}) or no call was made.
   */
  long lastCallFuel();

  /** Releases the instance. Idempotent. */
  @Override
  void close();
}
