package dev.wasmhost.internal;

/**
 * Carries an exception thrown by a host function's body through Chicory's frames, so that the call
 * site can tell it from a trap of the guest's own and report the original as the cause.
 */
final class HostFunctionFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final String function;

  HostFunctionFailure(String function, Throwable cause) {
    super("host function " + function + " threw " + cause, cause, false, false);
    this.function = function;
  }
}
