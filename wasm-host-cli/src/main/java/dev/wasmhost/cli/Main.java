package dev.wasmhost.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code wasm-host} command line: calls an exported function of a WebAssembly module, runs a
 * WASI command, or describes a module, using only the public {@code dev.wasmhost} API (and {@code
 * dev.wasmhost.wasi}).
 *
 * <h2>Usage</h2>
 *
 * <pre>
 * java -jar wasm-host.jar call [--engine interpreter|compiler] FILE FUNCTION [ARGS...]
 * java -jar wasm-host.jar run [--mount HOST_DIR:GUEST_DIR[:ro]]... [--env NAME=VALUE]... FILE [ARGS...]
 * java -jar wasm-host.jar inspect FILE
 * java -jar wasm-host.jar [--verbose] [--help] [--version] COMMAND
 * </pre>
 *
 * <p>For example:
 *
 * <pre>
 * $ java -jar wasm-host.jar call testdata/wasm/fib.wasm fib 20
 * 6765
 * $ java -jar wasm-host.jar call testdata/wasm/numbers.wasm swap 1 2
 * 2
 * 1
 * $ java -jar wasm-host.jar call --engine interpreter testdata/wasm/numbers.wasm id_f64 -inf
 * -Infinity
 * $ echo hello | java -jar wasm-host.jar run testdata/wasm/wasi_echo.wasm
 * hello
 * $ java -jar wasm-host.jar inspect testdata/wasm/memory.wasm
 * digest: sha256:...
 * source: file:///.../testdata/wasm/memory.wasm
 * size: 223 bytes
 * memory: memory 1..4 pages
 * imports:
 * exports:
 *   memory memory
 *   func inc: () -&gt; i32
 *   ...
 * </pre>
 *
 * <p>{@code FILE} is a file path, or a URI when it starts with a scheme of two or more letters
 * ({@code file:}, {@code http:}, {@code https:}, {@code jar:}, {@code classpath:}). A single letter
 * followed by a colon, such as {@code C:\mods\fib.wasm}, is a Windows drive and so a path. Write
 * {@code ./name} for a relative file whose name contains a colon. See {@link CallCommand} for how
 * arguments are read and results printed, {@link RunCommand} for what a WASI command is given, and
 * {@link InspectCommand} for the description format.
 *
 * <h2>Errors and exit codes</h2>
 *
 * <p>An error prints one line, {@code wasm-host: <message>}, on standard error (followed by the stack
 * trace only with {@code --verbose}, which is accepted before or after the command name) and ends the
 * process with a code that depends only on the kind of failure:
 *
 * <table>
 *   <caption>Exit codes</caption>
 *   <tr><th>code</th><th>meaning</th><th>raised by</th></tr>
 *   <tr><td>0</td><td>success (also {@code --help} and {@code --version})</td><td></td></tr>
 *   <tr><td>1</td><td>any other failure (a bug, or no wasm-host implementation on the class path)</td><td>anything else</td></tr>
 *   <tr><td>2</td><td>usage error: unknown option or command, missing or surplus parameter, malformed
 *       value; picocli prints the message and the usage help. For {@code run}, a malformed {@code
 *       --mount} or {@code --env} or a {@code --mount} directory that does not exist, reported in one
 *       line</td><td>picocli, {@link UsageException}</td></tr>
 *   <tr><td>3</td><td>the module could not be read: missing or unreadable file, bad or unsupported
 *       URI, HTTP error</td><td>{@link dev.wasmhost.LoadException}</td></tr>
 *   <tr><td>4</td><td>the bytes are not a valid module: malformed, truncated or failing
 *       validation</td><td>{@link dev.wasmhost.InvalidModuleException}</td></tr>
 *   <tr><td>5</td><td>the module could not be linked (it needs imports the CLI does not provide) or
 *       instantiated (e.g. its start function trapped)</td><td>{@link dev.wasmhost.LinkException},
 *       {@link dev.wasmhost.InstantiateException}</td></tr>
 *   <tr><td>6</td><td>the call was rejected before the guest ran: no such function export, wrong
 *       number of arguments, or an argument text that is not a number of the parameter's
 *       type; for {@code run}, a module that is not a WASI command (no {@code _start})</td><td>{@link
 *       dev.wasmhost.InvalidCallException}</td></tr>
 *   <tr><td>7</td><td>the guest trapped: {@code unreachable}, division by zero, out-of-bounds access,
 *       stack exhausted</td><td>{@link dev.wasmhost.TrapException}</td></tr>
 * </table>
 *
 * <p>{@code run} exits with the guest's own exit code (0 to 255) when the guest ran to its end. A
 * guest may use any code, those above included; the CLI's own failures are the ones that print a
 * {@code wasm-host: } line on standard error.
 *
 * <h2>Embedding and testing</h2>
 *
 * <p>{@code new CommandLine(new Main())} is already configured exactly as {@link #main} runs it: a
 * model transformer installs the CLI's error handler and exit-code mapping when
 * picocli builds the command. So a test or another program can redirect output with {@code
 * setOut}/{@code setErr}, call {@code execute(args)} and get the exit code without the process ending.
 * Only {@link #main} calls {@link System#exit}.
 */
@Command(
    name = "wasm-host",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    modelTransformer = Main.Configurer.class,
    subcommands = {CallCommand.class, RunCommand.class, InspectCommand.class, HelpCommand.class},
    description = "Runs and inspects WebAssembly modules with wasm-host.",
    footerHeading = "%nExit codes:%n",
    footer = {
      "  0  success",
      "  1  any other failure",
      "  2  usage error",
      "  3  module could not be read (missing file, bad URI)",
      "  4  invalid module",
      "  5  module could not be linked or instantiated",
      "  6  invalid call (no such export, wrong argument count, bad number; run: no _start)",
      "  7  the guest trapped",
      "run exits with the guest's own exit code (0-255) when the guest ran to its end;",
      "the CLI's own failures print a 'wasm-host:' line (usage errors: the usage help)."
    })
public final class Main implements Runnable {

  @Spec private CommandSpec spec;

  // Inherited by the subcommands so it may follow the command name; ErrorHandler reads it from the
  // parse result rather than from this field.
  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "On error, print the full stack trace after the message.")
  private boolean verbose;

  // The standard streams of a guest run by `run`: bytes, unlike the PrintWriters of getOut/getErr.
  final InputStream stdin;
  final OutputStream stdout;
  final OutputStream stderr;

  /**
   * Creates the top-level command; picocli fills in its options when it parses arguments. A guest run
   * by {@code run} gets the process's standard streams.
   */
  public Main() {
    // Unbuffered streams on the file descriptors rather than System.out and System.err: a
    // PrintStream hides write errors (a closed pipe) from the guest.
    this(System.in, new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
  }

  /** As {@link #Main()}, but a guest run by {@code run} reads and writes these streams. */
  Main(InputStream stdin, OutputStream stdout, OutputStream stderr) {
    this.stdin = stdin;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Runs the command line and exits the JVM with the exit code listed in the class documentation.
   *
   * @param args the command line arguments
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  /** Without a command there is nothing to do: a usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "Missing required command: call, run or inspect");
  }

  /**
   * Configures every {@code CommandLine} built for Main: installs the error handling of {@link
   * ErrorHandler}, and makes {@code call} and {@code run} treat everything after their first
   * positional parameter as positional, so that arguments such as {@code -inf} or a guest's {@code
   * -n} are not taken for options.
   */
  static final class Configurer implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec commandSpec) {
      CommandLine commandLine = commandSpec.commandLine();
      if (commandLine != null) {
        ErrorHandler.install(commandLine);
        // Everything after FILE belongs to the guest, even "-inf" or "--verbose".
        commandLine.getSubcommands().get("call").setStopAtPositional(true);
        commandLine.getSubcommands().get("run").setStopAtPositional(true);
      }
      return commandSpec;
    }
  }
}
