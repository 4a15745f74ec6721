package dev.wasmhost;

/**
 * The guest asked to exit (WASI's {@code proc_exit}) from inside a call. {@link #exitCode()} is the
 * code it gave. A WASI command run through {@code dev.wasmhost.wasi.Wasi#run} never throws this: its
 * exit code is part of the result. A reactor whose export calls {@code proc_exit} does, and the
 * instance is not reused, as after a trap.
 */
public class ExitException extends WasmException {
  private static final long serialVersionUID = 1L;

  private final int exitCode;

  public ExitException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  /** The exit code the guest gave; 0 means success. */
  public int exitCode() {
    return exitCode;
  }
}
