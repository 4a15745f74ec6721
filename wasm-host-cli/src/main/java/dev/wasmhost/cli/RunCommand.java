package dev.wasmhost.cli;

import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import dev.wasmhost.wasi.Wasi;
import dev.wasmhost.wasi.WasiResult;
import java.io.UncheckedIOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code wasm-host run [--mount HOST_DIR:GUEST_DIR[:ro]]... [--env NAME=VALUE]... [--inherit-env]
 * [--engine ENGINE] FILE [ARGS...]}: runs a WASI command (a module that exports {@code _start}) with
 * the process's standard streams and exits with the guest's exit code.
 *
 * <pre>
 * $ echo hello | wasm-host run testdata/wasm/wasi_echo.wasm
 * hello
 * $ wasm-host run --env GREETING=hi testdata/wasm/wasi_echo.wasm args env -n
 * testdata/wasm/wasi_echo.wasm
 * args
 * env
 * -n
 * GREETING=hi
 * $ wasm-host run --mount ./data:/data:ro prog.wasm /data/in.txt
 * $ wasm-host run testdata/wasm/wasi_echo.wasm exit=42; echo $?
 * 42
 * </pre>
 *
 * <p><b>Options go before {@code FILE}.</b> Everything after {@code FILE} is passed to the guest
 * unchanged, options such as {@code -n} or {@code --verbose} and {@code --} included.
 *
 * <p><b>What the guest gets.</b> {@code argv[0]} is {@code FILE} exactly as typed (as wasmtime does),
 * then {@code ARGS}. Standard input, output and error are the process's own. The environment is
 * empty unless {@code --inherit-env} copies the host's, and {@code --env} adds or overrides single
 * variables. The file system is empty unless {@code --mount} grants directories: {@code
 * HOST_DIR:GUEST_DIR} read-write, {@code HOST_DIR:GUEST_DIR:ro} read-only ({@code :rw} is accepted
 * too). A final {@code :ro} or {@code :rw} is always the mode, and the rest is split at its last
 * colon, so a host path may contain colons (a Windows drive) but a guest path may not. Mounts are preopened as descriptors 3, 4, ... in
 * the order given.
 *
 * <p><b>Exit code.</b> When the guest ran, the process exits with the guest's exit code: 0 when
 * {@code _start} returns, else the code given to {@code proc_exit}, reduced to 0..255 as a POSIX
 * shell does ({@code code & 0xFF}). When the CLI fails instead, before the guest ran or because it
 * trapped, it prints a {@code wasm-host: } line on standard error and exits with one of the codes of
 * {@link Main}: 2 for an unusable {@code --mount} or {@code --env}, 3 when the file cannot be read, 4
 * for an invalid module, 5 when it imports functions that WASI does not provide, 6 when it is not a
 * command (no {@code _start}), 7 when the guest traps. A guest can exit with those codes too; the
 * {@code wasm-host: } line tells them apart.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Runs a WASI command with this process's standard streams and exits with its exit code.",
    footerHeading = "%nExit code:%n",
    footer = {
      "  The guest's exit code (0-255). When wasm-host itself fails: a 'wasm-host:'",
      "  line on standard error and one of the codes listed by 'wasm-host --help'."
    })
public final class RunCommand implements Callable<Integer> {

  @ParentCommand private Main main;

  @Option(
      names = "--engine",
      paramLabel = "ENGINE",
      defaultValue = "compiler",
      converter = CallCommand.EngineConverter.class,
      completionCandidates = CallCommand.EngineNames.class,
      description = "How guest code runs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  private Engine engine;

  @Option(
      names = "--disk-cache",
      paramLabel = "DIR",
      description = "Keep compiled code in DIR across runs.")
  private Path diskCache;

  // Taken as text and read in call(), so that a malformed value is one 'wasm-host:' line, like every
  // other error before the guest runs, rather than picocli's message and the usage help.
  @Option(
      names = "--mount",
      paramLabel = "HOST_DIR:GUEST_DIR[:ro]",
      description = "Give the guest a host directory under GUEST_DIR; read-only with :ro. May be repeated.")
  private List<String> mounts = new ArrayList<>();

  @Option(
      names = "--env",
      paramLabel = "NAME=VALUE",
      description = "Set an environment variable for the guest. May be repeated.")
  private List<String> env = new ArrayList<>();

  @Option(
      names = "--inherit-env",
      description = "Give the guest this process's environment (--env overrides single variables).")
  private boolean inheritEnv;

  @Parameters(index = "0", paramLabel = "FILE", description = "The WASI command: a file path or a URI.")
  private String file;

  @Parameters(
      index = "1..*",
      paramLabel = "ARGS",
      description = "The guest's arguments (argv[1..]); argv[0] is FILE as given.")
  private List<String> args = new ArrayList<>();

  /** Creates the command; picocli fills in its options and parameters. */
  public RunCommand() {}

  /**
   * Loads the module and runs it.
   *
   * @return the guest's exit code, masked to 0..255; failures are thrown and mapped to exit codes by
   *     the top-level command
   */
  @Override
  public Integer call() {
    // The grants first: a bad --mount is reported without reading the module.
    Wasi.Builder wasi = Wasi.builder();
    List<String> argv = new ArrayList<>();
    argv.add(file);
    argv.addAll(args);
    try {
      wasi.args(argv);
      if (inheritEnv) {
        wasi.inheritEnv();
      }
      for (String spec : env) {
        EnvVar variable = read(new EnvConverter(), "--env", spec);
        wasi.env(variable.name(), variable.value());
      }
      for (String spec : mounts) {
        Mount mount = read(new MountConverter(), "--mount", spec);
        if (mount.readOnly()) {
          wasi.mountReadOnly(mount.hostDirectory(), mount.guestPath());
        } else {
          wasi.mount(mount.hostDirectory(), mount.guestPath());
        }
      }
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new UsageException(e.getMessage(), e);
    }
    Main streams = main != null ? main : new Main(); // null when run on its own, without Main
    wasi.stdin(streams.stdin).stdout(streams.stdout).stderr(streams.stderr);

    Loader.Builder loader = WasmLoader.builder().engine(engine);
    if (diskCache != null) {
      loader.diskCache(diskCache);
    }
    WasmModule module = ModuleFile.load(loader.build(), file);
    WasiResult result = wasi.build().run(module);
    return result.exitCode() & 0xFF;
  }

  private static <T> T read(ITypeConverter<T> converter, String option, String value) {
    try {
      return converter.convert(value);
    } catch (TypeConversionException e) {
      throw new UsageException("invalid value for " + option + ": " + e.getMessage(), e);
    } catch (Exception e) {
      throw new UsageException("invalid value for " + option + ": '" + value + "'", e);
    }
  }

  /** One {@code --mount}. */
  record Mount(Path hostDirectory, String guestPath, boolean readOnly) {}

  /** One {@code --env}. */
  record EnvVar(String name, String value) {}

  /**
   * Reads {@code HOST_DIR:GUEST_DIR}, {@code HOST_DIR:GUEST_DIR:ro} or {@code HOST_DIR:GUEST_DIR:rw}:
   * a final {@code :ro} or {@code :rw} is always the mode, and the rest splits at its last colon.
   * Whether the directory exists is checked when the command runs.
   */
  static final class MountConverter implements ITypeConverter<Mount> {
    @Override
    public Mount convert(String value) {
      String spec = value;
      boolean readOnly = false;
      // "dir:ro" lacks GUEST_DIR rather than mounting at "ro" (write "dir:ro:rw" for that).
      if (spec.endsWith(":ro") || spec.endsWith(":rw")) {
        readOnly = spec.endsWith(":ro");
        spec = spec.substring(0, spec.length() - 3);
      }
      int colon = spec.lastIndexOf(':');
      if (colon <= 0 || colon == spec.length() - 1) {
        throw new TypeConversionException(
            "expected HOST_DIR:GUEST_DIR or HOST_DIR:GUEST_DIR:ro but got '" + value + "'");
      }
      Path host;
      try {
        host = Path.of(spec.substring(0, colon));
      } catch (InvalidPathException e) {
        throw new TypeConversionException("invalid host directory in '" + value + "': " + e.getReason());
      }
      return new Mount(host, spec.substring(colon + 1), readOnly);
    }
  }

  /** Reads {@code NAME=VALUE}; the value may be empty and may contain {@code =}. */
  static final class EnvConverter implements ITypeConverter<EnvVar> {
    @Override
    public EnvVar convert(String value) {
      int eq = value.indexOf('=');
      if (eq <= 0) {
        throw new TypeConversionException("expected NAME=VALUE but got '" + value + "'");
      }
      return new EnvVar(value.substring(0, eq), value.substring(eq + 1));
    }
  }
}
