package dev.wasmhost.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * {@code wasm-host run}: real runs of testdata/wasm/wasi_echo.wasm (see its .wat for the arguments it
 * understands) through {@link Main}, with the guest's standard streams and the CLI's output captured
 * in the same buffers, in the order they were written.
 */
class RunCommandTest {
  private static final Path WASM = Path.of("..", "testdata", "wasm");
  private static final String ECHO = WASM.resolve("wasi_echo.wasm").toString();

  /** What one run wrote and returned; {@code err} with line separators normalized to {@code \n}. */
  record Run(int exitCode, byte[] outBytes, String err) {
    String out() {
      return new String(outBytes, UTF_8).replace(System.lineSeparator(), "\n");
    }

    List<String> outLines() {
      String out = out();
      return out.isEmpty() ? List.of() : List.of(out.split("\n"));
    }

    List<String> errLines() {
      return err.isEmpty() ? List.of() : List.of(err.split("\n"));
    }
  }

  static Run runWithStdin(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandLine commandLine = new CommandLine(new Main(new ByteArrayInputStream(stdin), out, err));
    commandLine.setOut(new PrintWriter(new OutputStreamWriter(out, UTF_8), true));
    commandLine.setErr(new PrintWriter(new OutputStreamWriter(err, UTF_8), true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toByteArray(), err.toString(UTF_8).replace(System.lineSeparator(), "\n"));
  }

  static Run run(String... args) {
    return runWithStdin(new byte[0], args);
  }

  /** Asserts a failure of the CLI: exactly one {@code wasm-host: } line, and returns that line. */
  private static String failure(Run run, int exitCode) {
    assertThat(run.exitCode()).as("exit code; stderr: %s", run.err()).isEqualTo(exitCode);
    assertThat(run.errLines()).hasSize(1);
    assertThat(run.err()).startsWith("wasm-host: ").endsWith("\n");
    return run.errLines().get(0);
  }

  /** Asserts a guest that ran to its end with this exit code, wrote nothing on stderr, and these lines. */
  private static void exited(Run run, int exitCode, String... lines) {
    assertThat(run.err()).isEmpty();
    assertThat(run.exitCode()).isEqualTo(exitCode);
    assertThat(run.outLines()).containsExactly(lines);
  }

  @Nested
  class Streams {
    @ParameterizedTest
    @ValueSource(strings = {"compiler", "interpreter", "auto"})
    void withoutArgumentsStdinIsEchoed(String engine) {
      Run run = runWithStdin("hello\nwasi\n".getBytes(UTF_8), "run", "--engine", engine, ECHO);
      exited(run, 0, "hello", "wasi");
    }

    @Test
    void bytesPassUnchanged() {
      // Not UTF-8, and larger than the guest's 4 KiB buffer.
      byte[] bytes = new byte[10_000];
      new Random(1).nextBytes(bytes);
      Run run = runWithStdin(bytes, "run", ECHO, "cat");
      assertThat(run.err()).isEmpty();
      assertThat(run.exitCode()).isZero();
      assertThat(run.outBytes()).isEqualTo(bytes);
    }

    @Test
    void emptyStdin() {
      exited(run("run", ECHO), 0);
    }
  }

  @Nested
  class Arguments {
    @Test
    void argv0IsTheFileAsTyped() {
      exited(run("run", ECHO, "args"), 0, ECHO, "args");
    }

    @Test
    void argumentsThatLookLikeOptionsBelongToTheGuest() {
      exited(
          run("run", ECHO, "args", "-n", "--verbose", "--engine=x", "--help", "--", "-"),
          0,
          ECHO, "args", "-n", "--verbose", "--engine=x", "--help", "--", "-");
    }

    @Test
    void optionsBeforeTheFileAreTheCli() {
      exited(run("run", "--verbose", "--engine", "interpreter", ECHO, "args", "x"), 0, ECHO, "args", "x");
    }

    @Test
    void emptyAndUnicodeArguments() {
      exited(run("run", ECHO, "args", "", "héllo wörld"), 0, ECHO, "args", "", "héllo wörld");
    }
  }

  @Nested
  class Environment {
    @Test
    void emptyByDefault() {
      exited(run("run", ECHO, "env"), 0);
    }

    @Test
    void envMayRepeat() {
      exited(
          run("run", "--env", "A=1", "--env", "B=x=y", "--env", "EMPTY=", "--env", "A=2", ECHO, "env"),
          0,
          "A=2", "B=x=y", "EMPTY=");
    }

    @Test
    void inheritEnv() {
      Map<String, String> host = System.getenv();
      assertThat(host).isNotEmpty();
      Map.Entry<String, String> some = host.entrySet().iterator().next();
      Run run = run("run", "--inherit-env", "--env", "WASM_HOST_TEST=yes", ECHO, "env");
      assertThat(run.exitCode()).isZero();
      assertThat(run.outLines()).contains(some.getKey() + "=" + some.getValue(), "WASM_HOST_TEST=yes");
    }

    @Test
    void envOverridesAnInheritedVariable() {
      String name = System.getenv().keySet().iterator().next();
      Run run = run("run", "--env", name + "=overridden", "--inherit-env", ECHO, "env");
      assertThat(run.outLines()).contains(name + "=overridden").doesNotContain(name + "=" + System.getenv(name));
    }
  }

  @Nested
  class ExitCodes {
    @Test
    void returningFromStartIsZero() {
      exited(run("run", ECHO, "args"), 0, ECHO, "args");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 7, 42, 255})
    void theGuestsExitCodeIsTheProcesss(int code) {
      // Even the codes the CLI uses for its own failures: no "wasm-host:" line tells them apart.
      exited(run("run", ECHO, "exit=" + code), code);
    }

    @Test
    void codesAreReducedTo8BitsLikeAShell() {
      exited(run("run", ECHO, "exit=256"), 0);
      exited(run("run", ECHO, "exit=300"), 44);
      exited(run("run", ECHO, "exit=4294967295"), 255);
    }

    @Test
    void outputBeforeTheExitIsKept() {
      exited(run("run", ECHO, "args", "exit=42", "never"), 42, ECHO, "args", "exit=42", "never");
    }

    @Test
    void aFailingWasiCallIsTheGuestsOwnError(@TempDir Path dir) {
      Run run = run("run", "--mount", dir + ":/data", ECHO, "cat=missing.txt");
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.err()).isEqualTo("wasi_echo: cat=missing.txt: errno 44\n"); // ENOENT
    }
  }

  @Nested
  class Mounts {
    @Test
    void readWriteMount(@TempDir Path dir) throws IOException {
      Files.writeString(dir.resolve("in.txt"), "from the host\n");
      exited(run("run", "--mount", dir + ":/data", ECHO, "mounts", "cat=in.txt"), 0, "/data", "from the host");

      Run write = runWithStdin("from the guest\n".getBytes(UTF_8), "run", "--mount", dir + ":/data", ECHO, "write=out.txt");
      exited(write, 0);
      assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("from the guest\n");
    }

    @Test
    void explicitReadWrite(@TempDir Path dir) throws IOException {
      exited(runWithStdin("x".getBytes(UTF_8), "run", "--mount", dir + ":/data:rw", ECHO, "mounts", "write=out.txt"), 0, "/data");
      assertThat(Files.readString(dir.resolve("out.txt"))).isEqualTo("x");
    }

    @Test
    void readOnlyMount(@TempDir Path dir) throws IOException {
      Files.writeString(dir.resolve("in.txt"), "read me\n");
      exited(run("run", "--mount", dir + ":/data:ro", ECHO, "cat=in.txt"), 0, "read me");

      Run write = runWithStdin("x".getBytes(UTF_8), "run", "--mount", dir + ":/data:ro", ECHO, "write=in.txt");
      assertThat(write.exitCode()).isEqualTo(1);
      assertThat(write.err()).isEqualTo("wasi_echo: write=in.txt: errno 69\n"); // EROFS
      assertThat(Files.readString(dir.resolve("in.txt"))).isEqualTo("read me\n");
      Run create = runWithStdin("x".getBytes(UTF_8), "run", "--mount", dir + ":/data:ro", ECHO, "write=new.txt");
      assertThat(create.exitCode()).isEqualTo(1);
      assertThat(Files.exists(dir.resolve("new.txt"))).isFalse();
    }

    @Test
    void mountsArePreopenedInOrder(@TempDir Path dir) throws IOException {
      Path a = Files.createDirectory(dir.resolve("a"));
      Path b = Files.createDirectory(dir.resolve("b"));
      Files.writeString(a.resolve("f"), "in a\n");
      exited(
          run("run", "--mount", a + ":/first", "--mount", b + ":/second:ro", "--mount", b + ":.", ECHO, "mounts", "cat=f"),
          0,
          "/first", "/second", ".", "in a");
    }

    @Test
    void theGuestCannotLeaveAMount(@TempDir Path dir) throws IOException {
      Path inside = Files.createDirectory(dir.resolve("inside"));
      Files.writeString(dir.resolve("secret.txt"), "secret\n");
      Run run = run("run", "--mount", inside + ":/data", ECHO, "cat=../secret.txt");
      assertThat(run.exitCode()).isEqualTo(1);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).startsWith("wasi_echo: cat=../secret.txt: errno ");
    }
  }

  @Nested
  class Errors {
    @Test
    void missingFile() {
      String line = failure(run("run", WASM.resolve("no-such.wasm").toString()), 3);
      assertThat(line).contains("no-such.wasm");
    }

    @Test
    void invalidModule() {
      failure(run("run", WASM.resolve("invalid.wasm").toString()), 4);
    }

    @Test
    void truncatedModule(@TempDir Path dir) throws IOException {
      byte[] bytes = Files.readAllBytes(Path.of(ECHO));
      Path truncated = dir.resolve("truncated.wasm");
      Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
      failure(run("run", truncated.toString()), 4);
    }

    @Test
    void moduleThatIsNotACommand() {
      String line = failure(run("run", WASM.resolve("fib.wasm").toString(), "x"), 6);
      assertThat(line).startsWith("wasm-host: module ").endsWith(" is not a WASI command: it does not export '_start'");
    }

    @Test
    void moduleNeedingOtherImports() {
      String line = failure(run("run", WASM.resolve("wasi_missing_import.wasm").toString()), 5);
      assertThat(line).contains("env.host_only");
    }

    @Test
    void trap() {
      Run run = run("run", ECHO, "args", "trap");
      assertThat(run.exitCode()).isEqualTo(7);
      assertThat(run.outLines()).containsExactly(ECHO, "args", "trap"); // written before the trap
      assertThat(run.errLines()).hasSize(1);
      assertThat(run.err()).startsWith("wasm-host: ");
    }

    @Test
    void trapWithVerbosePrintsTheStackTrace() {
      Run run = run("run", "--verbose", ECHO, "trap");
      assertThat(run.exitCode()).isEqualTo(7);
      assertThat(run.errLines().get(1)).startsWith("dev.wasmhost.TrapException");
    }

    @Test
    void mountDirectoryThatDoesNotExist(@TempDir Path dir) {
      Path missing = dir.resolve("missing");
      assertThat(failure(run("run", "--mount", missing + ":/data", ECHO), 2))
          .isEqualTo("wasm-host: cannot mount " + missing + ": not a directory");
    }

    @Test
    void mountOfAFile(@TempDir Path dir) throws IOException {
      Path file = Files.writeString(dir.resolve("file.txt"), "x");
      assertThat(failure(run("run", "--mount", file + ":/data", ECHO), 2))
          .isEqualTo("wasm-host: cannot mount " + file + ": not a directory");
    }

    @Test
    void mountsAreCheckedBeforeTheModuleIsRead(@TempDir Path dir) {
      failure(run("run", "--mount", dir.resolve("missing") + ":/data", WASM.resolve("no-such.wasm").toString()), 2);
    }

    @Test
    void sameGuestPathTwice(@TempDir Path dir) {
      assertThat(failure(run("run", "--mount", dir + ":/data", "--mount", dir + ":/data:ro", ECHO), 2))
          .isEqualTo("wasm-host: /data is already mounted (" + dir + ")");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nocolon", ":/data", "dir:", "dir:ro", ":ro", "dir::ro"})
    void malformedMountIsAUsageError(String spec) {
      Run run = run("run", "--mount", spec, ECHO);
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.outBytes()).isEmpty();
      assertThat(run.errLines())
          .containsExactly("wasm-host: invalid value for --mount: "
              + "expected HOST_DIR:GUEST_DIR or HOST_DIR:GUEST_DIR:ro but got '" + spec + "'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"NOVALUE", "=value"})
    void malformedEnvIsAUsageError(String spec) {
      Run run = run("run", "--env", spec, ECHO);
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.errLines())
          .containsExactly("wasm-host: invalid value for --env: expected NAME=VALUE but got '" + spec + "'");
    }

    @Test
    void usageErrors() {
      for (Run run : List.of(run("run"), run("run", "-n", ECHO), run("run", "--engine", "jit", ECHO))) {
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.outBytes()).isEmpty();
        assertThat(run.err()).contains("Usage: wasm-host run");
      }
    }
  }

  @Nested
  class Help {
    @Test
    void runHelp() {
      Run run = run("run", "--help");
      assertThat(run.exitCode()).isZero();
      assertThat(run.out()).contains("Usage: wasm-host run", "--mount=HOST_DIR:GUEST_DIR[:ro]", "--env=NAME=VALUE",
          "--inherit-env", "FILE", "ARGS");
    }

    @Test
    void mainHelpListsRunAndItsExitCodes() {
      Run run = run("--help");
      assertThat(run.out()).contains("run", "run exits with the guest's own exit code");
    }
  }

  @Test
  void mountSpecs() {
    RunCommand.MountConverter converter = new RunCommand.MountConverter();
    assertThat(converter.convert("dir:/data")).isEqualTo(new RunCommand.Mount(Path.of("dir"), "/data", false));
    assertThat(converter.convert("dir:/data:rw")).isEqualTo(new RunCommand.Mount(Path.of("dir"), "/data", false));
    assertThat(converter.convert("dir:/data:ro")).isEqualTo(new RunCommand.Mount(Path.of("dir"), "/data", true));
    assertThat(converter.convert("dir:.")).isEqualTo(new RunCommand.Mount(Path.of("dir"), ".", false));
    // A host path may contain colons (a Windows drive); the guest path is after the last one.
    assertThat(converter.convert("C:\\data:/data:ro")).isEqualTo(new RunCommand.Mount(Path.of("C:\\data"), "/data", true));
    assertThat(converter.convert("a:b:/data")).isEqualTo(new RunCommand.Mount(Path.of("a:b"), "/data", false));
    // To mount at a guest path named "ro", give the mode.
    assertThat(converter.convert("dir:ro:rw")).isEqualTo(new RunCommand.Mount(Path.of("dir"), "ro", false));
  }

  @Test
  void diskCache(@TempDir Path dir) {
    String cache = dir.resolve("cache").toString();
    for (int i = 0; i < 2; i++) {
      exited(run("run", "--engine", "compiler", "--disk-cache", cache, ECHO, "args"), 0, ECHO, "args");
    }
    assertThat(MainTest.run("inspect", "--disk-cache", cache, ECHO).outLines())
        .contains("disk cache: compiled code present in " + cache);
  }
}
