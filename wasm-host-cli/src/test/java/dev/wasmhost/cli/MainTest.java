package dev.wasmhost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Runs the CLI in-process, exactly as {@code Main.main} does but with captured output, and pins its
 * output and exit codes. Surefire runs with the module as working directory, so test modules are
 * under {@code ../testdata/wasm}.
 */
class MainTest {
  private static final Path WASM = Path.of("..", "testdata", "wasm");

  private static String wasm(String name) {
    return WASM.resolve(name).toString();
  }

  /** What one run printed and returned; line separators normalized to {@code \n}. */
  record Run(int exitCode, String out, String err) {
    List<String> outLines() {
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\n"));
    }
  }

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    String nl = System.lineSeparator();
    return new Run(exitCode, out.toString().replace(nl, "\n"), err.toString().replace(nl, "\n"));
  }

  /** Asserts a failure reported as exactly one {@code wasm-host: } line, and returns that line. */
  private static String failure(Run run, int exitCode) {
    assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(exitCode);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).startsWith("wasm-host: ").endsWith("\n");
    return run.errLines().get(0);
  }

  private static void success(Run run, String... lines) {
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo(lines.length == 0 ? "" : String.join("\n", lines) + "\n");
  }

  static List<Arguments> usageErrors() {
    return List.of(
        Arguments.of((Object) new String[] {}),
        Arguments.of((Object) new String[] {"bogus"}),
        Arguments.of((Object) new String[] {"--bogus", "call"}),
        Arguments.of((Object) new String[] {"call"}),
        Arguments.of((Object) new String[] {"call", "fib.wasm"}),
        Arguments.of((Object) new String[] {"call", "--engine", "jit", "fib.wasm", "fib"}),
        Arguments.of((Object) new String[] {"inspect"}),
        Arguments.of((Object) new String[] {"inspect", "a.wasm", "b.wasm"}));
  }

  @Nested
  class Call {
    @ParameterizedTest
    @ValueSource(strings = {"compiler", "interpreter", "INTERPRETER"})
    void fib(String engine) {
      success(run("call", "--engine", engine, wasm("fib.wasm"), "fib", "20"), "6765");
    }

    @Test
    void fibWithDefaultEngine() {
      success(run("call", wasm("fib.wasm"), "fib", "20"), "6765");
    }

    @Test
    void fileUri() {
      String uri = WASM.resolve("fib.wasm").toAbsolutePath().toUri().toString();
      assertThat(uri).startsWith("file:");
      success(run("call", uri, "fib", "10"), "55");
    }

    @Test
    void add() {
      success(run("call", wasm("numbers.wasm"), "add", "2", "3"), "5");
    }

    @Test
    void negativeNumbersAreArgumentsNotOptions() {
      success(run("call", wasm("numbers.wasm"), "add", "-2", "-40"), "-42");
      success(run("call", wasm("numbers.wasm"), "neg64", "-9223372036854775807"), "9223372036854775807");
    }

    @Test
    void multipleResultsPrintOnePerLine() {
      success(run("call", wasm("numbers.wasm"), "swap", "1", "2"), "2", "1");
    }

    @Test
    void f64Argument() {
      success(run("call", wasm("numbers.wasm"), "id_f64", "2.5"), "2.5");
      success(run("call", wasm("numbers.wasm"), "mul_f64", "1.5", "-4"), "-6.0");
      success(run("call", wasm("numbers.wasm"), "mix", "1", "2", "3.5", "4.25"), "10.75");
    }

    @Test
    void floatNames() {
      success(run("call", wasm("numbers.wasm"), "id_f64", "nan"), "NaN");
      success(run("call", wasm("numbers.wasm"), "id_f64", "inf"), "Infinity");
      success(run("call", wasm("numbers.wasm"), "id_f64", "-inf"), "-Infinity");
      success(run("call", wasm("numbers.wasm"), "id_f32", "-INF"), "-Infinity");
      success(run("call", wasm("numbers.wasm"), "id_f32", "1.5"), "1.5");
      success(run("call", wasm("numbers.wasm"), "id_f32", "NaN"), "NaN");
    }

    @Test
    void noResultPrintsNothing() {
      success(run("call", wasm("numbers.wasm"), "noop"));
    }

    @Test
    void results() {
      success(run("call", wasm("numbers.wasm"), "const42_64"), "42");
      success(run("call", wasm("numbers.wasm"), "pi"), "3.141592653589793");
    }
  }

  @Nested
  class Inspect {
    @Test
    void moduleWithImports() {
      Run run = run("inspect", wasm("imports.wasm"));
      assertThat(run.err()).isEmpty();
      assertThat(run.exitCode()).isZero();
      List<String> lines = run.outLines();
      assertThat(lines.get(0)).matches("digest: sha256:[0-9a-f]{64}");
      assertThat(lines.get(1)).startsWith("source: ").endsWith("imports.wasm");
      assertThat(lines.subList(2, lines.size()))
          .containsExactly(
              "size: 153 bytes",
              "memory: memory 1.. pages",
              "imports:",
              "  func env.add: (i32, i32) -> i32",
              "  func env.log: (i32, i32) -> ()",
              "  func env.now: () -> i64",
              "exports:",
              "  memory memory",
              "  func call_add: (i32, i32) -> i32",
              "  func log_hello: () -> ()",
              "  func now: () -> i64");
    }

    @Test
    void moduleWithMemory() {
      Run run = run("inspect", wasm("memory.wasm"));
      assertThat(run.err()).isEmpty();
      assertThat(run.exitCode()).isZero();
      List<String> lines = run.outLines();
      assertThat(lines.get(0)).startsWith("digest: sha256:");
      assertThat(lines.subList(2, lines.size()))
          .containsExactly(
              "size: 223 bytes",
              "memory: memory 1..4 pages",
              "imports:",
              "exports:",
              "  memory memory",
              "  func inc: () -> i32",
              "  func load: (i32) -> i32",
              "  func store: (i32, i32) -> ()",
              "  func size: () -> i32",
              "  func grow: (i32) -> i32",
              "  func sum_bytes: (i32, i32) -> i32");
    }

    @Test
    void moduleWithoutMemory() {
      Run run = run("inspect", wasm("fib.wasm"));
      assertThat(run.exitCode()).isZero();
      assertThat(run.outLines()).contains("memory: none", "  func fib: (i64) -> i64");
    }

    @Test
    void invalidModule() {
      failure(run("inspect", wasm("invalid.wasm")), 4);
    }
  }

  @Nested
  class Errors {
    @Test
    void missingFile() {
      String line = failure(run("call", wasm("no-such.wasm"), "fib", "1"), 3);
      assertThat(line).contains("no-such.wasm");
      failure(run("inspect", wasm("no-such.wasm")), 3);
    }

    @Test
    void badUri() {
      assertThat(failure(run("call", "file:///bad%zz.wasm", "fib", "1"), 3))
          .isEqualTo("wasm-host: cannot load file:///bad%zz.wasm: malformed URI (Malformed escape pair at index 11)");
    }

    @Test
    void unknownScheme() {
      failure(run("call", "gopher://example.invalid/fib.wasm", "fib", "1"), 3);
    }

    @Test
    void invalidModule() {
      failure(run("call", wasm("invalid.wasm"), "bad"), 4);
    }

    @Test
    void truncatedModule(@TempDir Path dir) throws IOException {
      byte[] bytes = Files.readAllBytes(WASM.resolve("numbers.wasm"));
      Path truncated = dir.resolve("truncated.wasm");
      Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
      failure(run("call", truncated.toString(), "add", "1", "2"), 4);
    }

    @Test
    void emptyFile(@TempDir Path dir) throws IOException {
      Path empty = Files.createFile(dir.resolve("empty.wasm"));
      failure(run("inspect", empty.toString()), 4);
    }

    @Test
    void missingExport() {
      String line = failure(run("call", wasm("numbers.wasm"), "nope", "1"), 6);
      assertThat(line).contains("nope");
    }

    @Test
    void exportThatIsNotAFunction() {
      String line = failure(run("call", wasm("numbers.wasm"), "answer"), 6);
      assertThat(line).contains("answer");
    }

    @Test
    void badNumberText() {
      assertThat(failure(run("call", wasm("numbers.wasm"), "add", "1", "x"), 6))
          .isEqualTo("wasm-host: bad argument for parameter 1 of add: expected i32 but got \"x\"");
      assertThat(failure(run("call", wasm("numbers.wasm"), "id_i32", "4294967296"), 6))
          .isEqualTo("wasm-host: bad argument for parameter 0 of id_i32: expected i32 but got \"4294967296\"");
      assertThat(failure(run("call", wasm("numbers.wasm"), "id_i64", "1.5"), 6))
          .isEqualTo("wasm-host: bad argument for parameter 0 of id_i64: expected i64 but got \"1.5\"");
      assertThat(failure(run("call", wasm("numbers.wasm"), "id_f64", "one"), 6))
          .isEqualTo("wasm-host: bad argument for parameter 0 of id_f64: expected f64 but got \"one\"");
    }

    @Test
    void wrongArgumentCount() {
      failure(run("call", wasm("numbers.wasm"), "add", "1"), 6);
      failure(run("call", wasm("numbers.wasm"), "add", "1", "2", "3"), 6);
      failure(run("call", wasm("fib.wasm"), "fib"), 6);
    }

    @Test
    void trap() {
      failure(run("call", wasm("traps.wasm"), "unreachable"), 7);
      failure(run("call", wasm("traps.wasm"), "div_by_zero", "1"), 7);
    }

    @Test
    void moduleNeedingImports() {
      String line = failure(run("call", wasm("imports.wasm"), "call_add", "1", "2"), 5);
      // The library lists the problems one per line; the CLI joins them into its one line.
      assertThat(line)
          .contains("problems): missing func env.add: (i32, i32) -> i32; missing func env.log")
          .doesNotContain(":;");
    }

    @Test
    void startFunctionTraps() {
      failure(run("call", wasm("start_trap.wasm"), "never"), 5);
    }

    @Test
    void verbosePrintsTheStackTrace() {
      Run plain = run("call", wasm("traps.wasm"), "unreachable");
      assertThat(plain.errLines()).hasSize(1);
      assertThat(plain.err()).doesNotContain("\tat ");

      for (Run verbose :
          List.of(
              run("--verbose", "call", wasm("traps.wasm"), "unreachable"),
              run("call", "--verbose", wasm("traps.wasm"), "unreachable"))) {
        assertThat(verbose.exitCode()).isEqualTo(7);
        assertThat(verbose.errLines().get(0)).isEqualTo(plain.errLines().get(0));
        assertThat(verbose.errLines()).hasSizeGreaterThan(2);
        assertThat(verbose.errLines().get(1)).startsWith("dev.wasmhost.TrapException");
        assertThat(verbose.err()).contains("\tat ");
      }
    }
  }

  @Nested
  class Usage {
    @ParameterizedTest
    @MethodSource("dev.wasmhost.cli.MainTest#usageErrors")
    void usageErrorsExitWith2(String[] args) {
      Run run = run(args);
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).contains("Usage: wasm-host");
    }

    @Test
    void help() {
      Run run = run("--help");
      assertThat(run.exitCode()).isZero();
      assertThat(run.out()).contains("Usage: wasm-host", "call", "inspect", "Exit codes:");
      assertThat(run.err()).isEmpty();
    }

    @Test
    void subcommandHelp() {
      assertThat(run("call", "--help").out()).contains("Usage: wasm-host call", "--engine=ENGINE");
      assertThat(run("help", "inspect").out()).contains("Usage: wasm-host inspect");
    }

    @Test
    void version() {
      Run run = run("--version");
      assertThat(run.exitCode()).isZero();
      assertThat(run.outLines().get(0)).matches("wasm-host \\d+\\.\\d+\\.\\d+.*");
    }
  }
}
