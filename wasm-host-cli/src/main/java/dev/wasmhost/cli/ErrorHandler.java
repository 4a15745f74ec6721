package dev.wasmhost.cli;

import dev.wasmhost.InstantiateException;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.InvalidModuleException;
import dev.wasmhost.LinkException;
import dev.wasmhost.LoadException;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.ExecutionException;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExecutionStrategy;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;

/**
 * Turns an exception thrown by a command into one line on standard error and an exit code, as
 * tabulated in {@link Main}. Usage errors never get here: picocli's own parameter exception handler
 * reports them with exit code {@link #USAGE}.
 *
 * <p>Stateless; one instance serves any number of command lines.
 */
final class ErrorHandler implements IExecutionExceptionHandler, IExitCodeExceptionMapper {
  /** The command succeeded. */
  static final int OK = 0;
  /** An unexpected failure. */
  static final int OTHER = 1;
  /**
   * Picocli rejected the command line (picocli's default for invalid input, kept), or a {@link
   * UsageException}: a value that parsed but cannot be used, such as a missing {@code --mount}
   * directory.
   */
  static final int USAGE = 2;
  /** {@link LoadException}: the bytes could not be read. */
  static final int LOAD = 3;
  /** {@link InvalidModuleException}: the bytes are not a valid module. */
  static final int INVALID_MODULE = 4;
  /** {@link LinkException} or {@link InstantiateException}. */
  static final int LINK = 5;
  /** {@link InvalidCallException}, including an argument text that is not a number. */
  static final int INVALID_CALL = 6;
  /** {@link TrapException}. */
  static final int TRAP = 7;

  private static final ErrorHandler INSTANCE = new ErrorHandler();

  private ErrorHandler() {}

  /** Makes {@code commandLine} report errors and map them to exit codes as described above. */
  static void install(CommandLine commandLine) {
    commandLine.setExecutionExceptionHandler(INSTANCE);
    commandLine.setExitCodeExceptionMapper(INSTANCE);
    commandLine.setExecutionStrategy(new ReportingErrors(commandLine));
  }

  /**
   * Picocli's usual strategy (run the last subcommand given), except that an {@code Error} thrown by
   * a command, which picocli lets escape from {@code execute}, goes to the handler like any exception.
   */
  private static final class ReportingErrors implements IExecutionStrategy {
    private final CommandLine commandLine;
    private final IExecutionStrategy delegate = new RunLast();

    ReportingErrors(CommandLine commandLine) {
      this.commandLine = commandLine;
    }

    @Override
    public int execute(ParseResult parseResult) {
      try {
        return delegate.execute(parseResult);
      } catch (Error e) {
        throw new ExecutionException(commandLine, e.toString(), e);
      }
    }
  }

  @Override
  public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
    Throwable failure = unwrap(exception);
    PrintWriter err = commandLine.getErr();
    err.println("wasm-host: " + message(failure));
    if (verbose(parseResult)) {
      failure.printStackTrace(err);
    }
    err.flush();
    return getExitCode(failure);
  }

  @Override
  public int getExitCode(Throwable exception) {
    Throwable failure = unwrap(exception);
    if (failure instanceof ParameterException) {
      return USAGE; // picocli's parameter exception handler asks the mapper too
    }
    if (failure instanceof UsageException) {
      return USAGE;
    }
    if (failure instanceof LoadException) {
      return LOAD;
    }
    if (failure instanceof InvalidModuleException) {
      return INVALID_MODULE;
    }
    if (failure instanceof LinkException || failure instanceof InstantiateException) {
      return LINK;
    }
    if (failure instanceof InvalidCallException) {
      return INVALID_CALL;
    }
    if (failure instanceof TrapException) {
      return TRAP;
    }
    return OTHER;
  }

  /**
   * The failure to report: an {@code Error} thrown by a command reaches the handler wrapped in an
   * {@link ExecutionException}, and a failing static initializer (such as the API's search for its
   * implementation) in an {@link ExceptionInInitializerError}.
   */
  private static Throwable unwrap(Throwable exception) {
    Throwable failure = exception;
    while ((failure instanceof ExecutionException || failure instanceof ExceptionInInitializerError)
        && failure.getCause() != null) {
      failure = failure.getCause();
    }
    return failure;
  }

  /**
   * The library's message for its own exceptions and a {@link UsageException}'s; for anything else,
   * which is unexpected, the exception type too. Always a single line: line breaks in the message
   * become {@code "; "}.
   */
  private static String message(Throwable failure) {
    String message = failure.getMessage();
    String text =
        (failure instanceof WasmException || failure instanceof UsageException)
                && message != null && !message.isBlank()
            ? message
            : failure.toString();
    // A list such as a LinkException's ("... (3 problems):" then one problem per line) joins as
    // "...: a; b; c".
    return text.strip().replaceAll(":\\s*\\R\\s*", ": ").replaceAll("\\s*\\R\\s*", "; ");
  }

  /** True when {@code --verbose} was given on the top-level command or on any subcommand. */
  private static boolean verbose(ParseResult parseResult) {
    for (ParseResult result = parseResult; result != null; result = result.subcommand()) {
      if (result.hasMatchedOption("--verbose")) {
        return true;
      }
    }
    return false;
  }
}
