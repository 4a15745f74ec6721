package dev.wasmhost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.InstantiateException;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.InvalidModuleException;
import dev.wasmhost.LinkException;
import dev.wasmhost.LoadException;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The exit-code table of {@link Main}, and failures the test modules cannot provoke. */
class ErrorHandlerTest {

  @Test
  void exitCodePerException() {
    ErrorHandler handler = ErrorHandler.class.cast(new CommandLine(new Main()).getExitCodeExceptionMapper());
    assertThat(handler.getExitCode(new LoadException("x"))).isEqualTo(3);
    assertThat(handler.getExitCode(new InvalidModuleException("x"))).isEqualTo(4);
    assertThat(handler.getExitCode(new LinkException("x"))).isEqualTo(5);
    assertThat(handler.getExitCode(new InstantiateException("x"))).isEqualTo(5);
    assertThat(handler.getExitCode(new InvalidCallException("x"))).isEqualTo(6);
    assertThat(handler.getExitCode(new TrapException("x"))).isEqualTo(7);
    assertThat(handler.getExitCode(new UsageException("x", null))).isEqualTo(2);
    assertThat(handler.getExitCode(new WasmException("x"))).isEqualTo(1);
    assertThat(handler.getExitCode(new IllegalStateException("x"))).isEqualTo(1);
    assertThat(handler.getExitCode(new CommandLine.ParameterException(new CommandLine(new Main()), "x")))
        .isEqualTo(2);
  }

  /** Throws whatever it was given. */
  @Command(name = "throwing")
  static final class Throwing implements Callable<Integer> {
    private final Throwable failure;

    Throwing(Throwable failure) {
      this.failure = failure;
    }

    @Override
    public Integer call() throws Exception {
      if (failure instanceof Error) {
        throw (Error) failure;
      }
      throw (Exception) failure;
    }
  }

  private static String[] run(Throwable failure, int expectedExitCode, String... args) {
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new Throwing(failure));
    ErrorHandler.install(commandLine);
    commandLine.setErr(new PrintWriter(err, true));
    assertThat(commandLine.execute(args)).isEqualTo(expectedExitCode);
    return err.toString().split(System.lineSeparator());
  }

  @Test
  void errorsAreReportedLikeExceptions() {
    assertThat(run(new StackOverflowError(), 1)).containsExactly("wasm-host: java.lang.StackOverflowError");
  }

  @Test
  void failedStaticInitializerReportsItsCause() {
    ExceptionInInitializerError error =
        new ExceptionInInitializerError(new IllegalStateException("no wasm-host implementation found"));
    assertThat(run(error, 1))
        .containsExactly("wasm-host: java.lang.IllegalStateException: no wasm-host implementation found");
  }

  @Test
  void usageExceptionsAreOneLineWithoutTheirType() {
    assertThat(run(new UsageException("cannot mount /x: not a directory", null), 2))
        .containsExactly("wasm-host: cannot mount /x: not a directory");
  }

  @Test
  void unexpectedExceptionsNameTheirType() {
    assertThat(run(new NullPointerException(), 1)).containsExactly("wasm-host: java.lang.NullPointerException");
  }

  @Test
  void multiLineMessagesBecomeOneLine() {
    LinkException failure = new LinkException("cannot be linked (2 problems):\n  missing a\n  missing b\n");
    assertThat(run(failure, 5)).containsExactly("wasm-host: cannot be linked (2 problems): missing a; missing b");
  }
}
