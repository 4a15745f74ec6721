package dev.wasmhost.cli;

/**
 * A command-line value that is well formed but cannot be used, found only when the command runs: a
 * {@code --mount} directory that does not exist, say. Reported like any failure, as one {@code
 * wasm-host: } line (without the usage help), with the usage exit code {@link ErrorHandler#USAGE}.
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message, Throwable cause) {
    super(message, cause);
  }
}
