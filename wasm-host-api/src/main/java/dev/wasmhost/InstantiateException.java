package dev.wasmhost;

/** The module linked but could not be instantiated: its start function trapped, a data or element segment did not fit, or memory could not be allocated. */
public class InstantiateException extends WasmException {
  private static final long serialVersionUID = 1L;

  public InstantiateException(String message) {
    super(message);
  }

  public InstantiateException(String message, Throwable cause) {
    super(message, cause);
  }
}
