package dev.wasmhost;

/** A call was rejected before the guest ran: no such export, an export that is not a function, a wrong number of arguments, an argument of the wrong type, or a typed handle whose Java shape does not fit the export's signature. The message names the module, the function, the parameter and the expected type. */
public class InvalidCallException extends WasmException {
  private static final long serialVersionUID = 1L;

  public InvalidCallException(String message) {
    super(message);
  }

  public InvalidCallException(String message, Throwable cause) {
    super(message, cause);
  }
}
