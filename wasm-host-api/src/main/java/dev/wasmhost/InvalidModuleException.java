package dev.wasmhost;

/** The bytes are not a valid WebAssembly module: malformed (bad magic, truncated, unknown section) or invalid (fails validation, e.g. a type mismatch in a function body). */
public class InvalidModuleException extends WasmException {
  private static final long serialVersionUID = 1L;

  public InvalidModuleException(String message) {
    super(message);
  }

  public InvalidModuleException(String message, Throwable cause) {
    super(message, cause);
  }
}
