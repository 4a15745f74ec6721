package dev.wasmhost;

/**
 * A call ran past its deadline and was stopped. The message names the module, the function and the
 * deadline. The instance it ran on is discarded by wasm-host ({@link WasmModule#call}, pools, the
 * registry) and must not be used again by its owner: the guest stopped halfway.
 *
 * <p>Deadlines are enforced by a shared watchdog thread that interrupts the calling thread; Chicory
 * checks the interrupt flag on every call and backward branch, in the interpreter and in compiled
 * code, so a guest stops soon after its deadline even inside an endless loop. The caller's own
 * interrupt status is restored afterwards.
 */
public class CallTimeoutException extends WasmException {
  private static final long serialVersionUID = 1L;

  public CallTimeoutException(String message) {
    super(message);
  }

  public CallTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
