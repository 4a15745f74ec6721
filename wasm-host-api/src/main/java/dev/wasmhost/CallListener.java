package dev.wasmhost;

/**
 * Hears every call into a loader's modules, for tracing: before it, after it, and when it fails.
 * Set with {@link Loader.Builder#callListener(CallListener)}. When none is set, calls pay nothing.
 *
 * <p>Methods run on the calling thread, around the guest's code, and must not throw; {@code args}
 * and {@code results} are raw values (see {@link ValueType}) and must not be modified or kept.
 */
public interface CallListener {
  /** Before the guest runs. */
  default void beforeCall(String module, String function, long[] args) {}

  /** After the guest returned normally. */
  default void afterCall(String module, String function, long[] results, long nanos) {}

  /** After the guest failed: a trap, a host function's exception, a deadline, fuel. */
  default void onFailure(String module, String function, WasmException failure, long nanos) {}
}
