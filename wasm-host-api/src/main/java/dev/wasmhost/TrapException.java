package dev.wasmhost;

/** The guest stopped abnormally while running: {@code unreachable}, integer divide by zero or overflow, out-of-bounds memory or table access, an indirect call type mismatch, call stack exhaustion, or an exception thrown by a host function (which is then the cause). The message carries the wasm trap reason. The instance that trapped is not reused by wasm-host. */
public class TrapException extends WasmException {
  private static final long serialVersionUID = 1L;

  public TrapException(String message) {
    super(message);
  }

  public TrapException(String message, Throwable cause) {
    super(message, cause);
  }
}
