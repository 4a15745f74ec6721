package dev.wasmhost;

/** The module's bytes could not be obtained: a bad or unsupported URI, a missing or unreadable file, an HTTP error status, or a digest that does not match the pinned one. */
public class LoadException extends WasmException {
  private static final long serialVersionUID = 1L;

  public LoadException(String message) {
    super(message);
  }

  public LoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
