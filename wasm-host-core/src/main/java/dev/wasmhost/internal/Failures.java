package dev.wasmhost.internal;

import com.dylibso.chicory.wasm.ChicoryException;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmException;

/** Turns what escapes a guest call into the API's exceptions. Only used off the hot path. */
final class Failures {
  private Failures() {}

  /**
   * Throws {@code cause}, the cause of a failure reported by another thread or by reflection, if it
   * is unchecked; otherwise returns it wrapped, for the caller to throw.
   */
  static IllegalStateException rethrowUnchecked(Throwable cause) {
    if (cause instanceof RuntimeException) {
      throw (RuntimeException) cause;
    }
    if (cause instanceof Error) {
      throw (Error) cause;
    }
    return new IllegalStateException(cause);
  }

  /**
   * The exception to throw for {@code failure}, raised by function {@code function} of module
   * {@code module}. A {@link WasmException} passes through unchanged (a host function may rethrow one
   * from a nested call); everything else becomes a {@link TrapException}.
   */
  static WasmException callFailure(String module, String function, Throwable failure) {
    if (failure instanceof WasmException) {
      return (WasmException) failure;
    }
    HostFunctionFailure host = findHostFailure(failure);
    if (host != null) {
      Throwable original = host.getCause();
      if (original instanceof WasmException) {
        return (WasmException) original;
      }
      return new TrapException(
          prefix(module, function) + "host function " + host.function + " threw "
              + original.getClass().getName() + (original.getMessage() == null ? "" : ": " + original.getMessage()),
          original);
    }
    return new TrapException(prefix(module, function) + trapReason(failure), failure);
  }

  private static String prefix(String module, String function) {
    return "module " + module + ": function '" + function + "' trapped: ";
  }

  /** The wasm trap reason for a failure raised inside the runtime. */
  static String trapReason(Throwable failure) {
    if (failure instanceof StackOverflowError) {
      return "call stack exhausted";
    }
    if (failure instanceof ChicoryException) {
      String message = failure.getMessage();
      return message == null ? failure.getClass().getSimpleName() : message;
    }
    // Compiled guest code can surface JVM exceptions directly.
    if (failure instanceof ArithmeticException) {
      String message = failure.getMessage();
      return message != null && message.contains("zero") ? "integer divide by zero" : "integer overflow";
    }
    if (failure instanceof IndexOutOfBoundsException) {
      return "out of bounds memory access";
    }
    return failure.getClass().getName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
  }

  private static HostFunctionFailure findHostFailure(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof HostFunctionFailure) {
        return (HostFunctionFailure) t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
