package dev.wasmhost;

/**
 * No instance of an {@link InstancePool} became free within its borrow timeout (or the waiting
 * thread was interrupted). The message names the module, the pool size and the time waited.
 */
public class PoolExhaustedException extends WasmException {
  private static final long serialVersionUID = 1L;

  public PoolExhaustedException(String message) {
    super(message);
  }

  public PoolExhaustedException(String message, Throwable cause) {
    super(message, cause);
  }
}
