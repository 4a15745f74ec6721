package dev.wasmhost;

/** The imports given do not satisfy the module. The message lists every missing or mismatched import at once, each with the expected and the provided signature. */
public class LinkException extends WasmException {
  private static final long serialVersionUID = 1L;

  public LinkException(String message) {
    super(message);
  }

  public LinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
