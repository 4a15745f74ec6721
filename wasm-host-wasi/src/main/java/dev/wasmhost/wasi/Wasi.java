package dev.wasmhost.wasi;

import dev.wasmhost.ExitException;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.WasmModule;
import dev.wasmhost.wasi.internal.WasiContext;
import dev.wasmhost.wasi.internal.WasiInstance;
import dev.wasmhost.wasi.internal.WasiSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * WASI preview 1 for a guest: what it is granted (arguments, environment, standard streams,
 * directories, clocks, randomness) and the ways to run it. Nothing is granted unless asked: by
 * default a guest has no arguments but its name, an empty environment, an empty standard input, its
 * output captured, and no file system at all.
 *
 * <p>Run a command module (one that exports {@code _start}) to its exit code:
 *
 * <pre>{@code
 * Wasi wasi = Wasi.builder()
 *     .args("grep", "-c", "wasm")
 *     .stdin("hello wasm\n".getBytes(UTF_8))
 *     .mountReadOnly(Path.of("/srv/data"), "/data")
 *     .build();
 * WasiResult result = wasi.run(WasmLoader.load(Path.of("grep.wasm")));
 * result.exitCode();     // 0, 1 or what the guest passed to exit()
 * result.stdoutText();   // "1\n"
 * }</pre>
 *
 * <p>Instantiate a reactor module (one that exports {@code _initialize}) and call its exports through
 * the normal API:
 *
 * <pre>{@code
 * try (Instance lib = wasi.instantiate(module)) {   // _initialize has run
 *   lib.call("add", 1, 2);
 * }
 * }</pre>
 *
 * <p>Or take the host functions with {@link #imports()} and use them wherever wasm-host accepts
 * {@link Imports}: on a loader, a pool or a single instantiation.
 *
 * <h2>The sandbox</h2>
 * The guest sees only the directories mounted for it, under the names given. No path leaves a mount:
 * absolute paths, {@code ..} above the mount and symbolic links leading outside it are refused with
 * {@code ENOTCAPABLE}; a read-only mount refuses every change with {@code EROFS}. Sockets are not
 * offered ({@code ENOTSOCK} or {@code EBADF}). Any {@link java.nio.file.Path} can be mounted, so an
 * in-memory file system such as Jimfs works as well as the host's own.
 *
 * <p>A {@code Wasi} is immutable and thread-safe. {@link #run} and {@link #instantiate} give each
 * guest its own descriptor table and captured output; the functions from one {@link #imports()} call
 * share one table between every instance linked with them.
 */
public final class Wasi {
  private final WasiSettings settings;

  private Wasi(WasiSettings settings) {
    this.settings = settings;
  }

  /** A builder that grants nothing yet. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Runs a command module: instantiates it with these WASI functions (over the loader's imports),
   * calls {@code _start} and returns how it ended. A non-zero exit code is a result, not an
   * exception.
   *
   * @throws InvalidCallException if the module does not export {@code _start}
   * @throws dev.wasmhost.LinkException if it imports functions neither WASI nor the loader provide
   * @throws dev.wasmhost.TrapException if the guest traps
   * @throws dev.wasmhost.CallTimeoutException if it runs past the loader's call timeout
   */
  public WasiResult run(WasmModule module) {
    Objects.requireNonNull(module, "module");
    requireExport(module, "_start", "a WASI command");
    WasiContext context = new WasiContext(settings, programName(module));
    int exitCode;
    try (Instance instance = module.instantiate(context.imports())) {
      instance.call("_start");
      exitCode = 0;
    } catch (ExitException e) {
      exitCode = e.exitCode();
    } finally {
      context.close();
    }
    return new WasiResult(exitCode, context.capturedStdout(), context.capturedStderr());
  }

  /**
   * Instantiates a reactor module with these WASI functions and calls its {@code _initialize}, if it
   * has one, once. Closing the instance closes the files the guest left open. Output goes where the
   * builder sent it; captured output of a reactor is discarded, so give {@link
   * Builder#stdout(OutputStream)} a stream to see it.
   *
   * @throws ExitException if {@code _initialize} calls {@code proc_exit}
   */
  public Instance instantiate(WasmModule module) {
    Objects.requireNonNull(module, "module");
    WasiContext context = new WasiContext(settings, programName(module));
    Instance instance;
    try {
      instance = new WasiInstance(module.instantiate(context.imports()), context);
    } catch (RuntimeException e) {
      context.close();
      throw e;
    }
    if (hasExport(module, "_initialize")) {
      try {
        instance.call("_initialize");
      } catch (RuntimeException e) {
        instance.close();
        throw e;
      }
    }
    return instance;
  }

  /**
   * The WASI functions ({@code wasi_snapshot_preview1}) over one fresh descriptor table, for use as
   * {@link Imports} anywhere: every instance linked with them shares that table and these streams.
   * {@code argv[0]} is {@code "main"} unless {@link Builder#args} set it. Files the guest leaves open
   * are closed when the JVM collects them, since no instance owns the table.
   */
  public Imports imports() {
    return new WasiContext(settings, "main").imports();
  }

  private String programName(WasmModule module) {
    String source = module.source();
    int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
    String name = source.substring(slash + 1);
    return name.isEmpty() ? "main" : name;
  }

  private static boolean hasExport(WasmModule module, String name) {
    for (ModuleExport export : module.exports()) {
      if (export.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  private static void requireExport(WasmModule module, String name, String what) {
    if (!hasExport(module, name)) {
      throw new InvalidCallException(
          "module " + module.source() + " is not " + what + ": it does not export '" + name + "'");
    }
  }

  @Override
  public String toString() {
    return "Wasi" + settings;
  }

  /**
   * Grants for a guest. Each setting is checked when it is set; stream and clock settings may be set
   * once. Not thread-safe; {@link #build()} may be called more than once.
   */
  public static final class Builder {
    private List<String> args;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Supplier<InputStream> stdin;
    private OutputStream stdout;
    private OutputStream stderr;
    private final List<WasiSettings.Mount> mounts = new ArrayList<>();
    private LongSupplier walltime;
    private LongSupplier nanotime;
    private Random random;

    private Builder() {}

    /**
     * The guest's {@code argv}, {@code argv[0]} included. Without it, {@code argv} is just the
     * module's file name.
     */
    public Builder args(String... argv) {
      return args(List.of(argv));
    }

    /** As {@link #args(String...)}. */
    public Builder args(List<String> argv) {
      if (args != null) {
        throw new IllegalStateException("args were already set to " + args);
      }
      for (String arg : argv) {
        if (arg.indexOf('\0') >= 0) {
          throw new IllegalArgumentException("an argument contains a NUL character: " + arg);
        }
      }
      args = List.copyOf(argv);
      return this;
    }

    /** Adds (or replaces) one environment variable. */
    public Builder env(String name, String value) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(value, "value");
      if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("not an environment variable name: '" + name + "'");
      }
      if (value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("the value of " + name + " contains a NUL character");
      }
      env.put(name, value);
      return this;
    }

    /**
     * Adds every variable of the host's environment as it is now; a variable set with {@link #env},
     * before or after, wins.
     */
    public Builder inheritEnv() {
      System.getenv().forEach(env::putIfAbsent);
      return this;
    }

    /** Standard input from these bytes (each run reads them from the start). */
    public Builder stdin(byte[] bytes) {
      byte[] copy = bytes.clone();
      return stdin(() -> new ByteArrayInputStream(copy));
    }

    /** Standard input from this stream, shared by every run; wasm-host does not close it. */
    public Builder stdin(InputStream in) {
      Objects.requireNonNull(in, "in");
      return stdin(() -> in);
    }

    /** Standard input from the host's {@link System#in}. */
    public Builder inheritStdin() {
      return stdin(() -> System.in);
    }

    private Builder stdin(Supplier<InputStream> source) {
      if (stdin != null) {
        throw new IllegalStateException("stdin was already set");
      }
      stdin = source;
      return this;
    }

    /** Standard output to this stream (flushed after each write; not closed). Not captured then. */
    public Builder stdout(OutputStream out) {
      if (stdout != null) {
        throw new IllegalStateException("stdout was already set");
      }
      stdout = Objects.requireNonNull(out, "out");
      return this;
    }

    /** Standard output to the host's {@link System#out}. */
    public Builder inheritStdout() {
      return stdout(System.out);
    }

    /** Standard error to this stream (flushed after each write; not closed). Not captured then. */
    public Builder stderr(OutputStream err) {
      if (stderr != null) {
        throw new IllegalStateException("stderr was already set");
      }
      stderr = Objects.requireNonNull(err, "err");
      return this;
    }

    /** Standard error to the host's {@link System#err}. */
    public Builder inheritStderr() {
      return stderr(System.err);
    }

    /**
     * Mounts a host directory (of any file system, Jimfs included) read-write at {@code guestPath},
     * e.g. {@code "/data"}; the guest cannot reach anything outside it.
     *
     * @throws IllegalArgumentException if {@code hostDirectory} is not a directory, or something is
     *     already mounted at {@code guestPath}
     */
    public Builder mount(Path hostDirectory, String guestPath) {
      return addMount(hostDirectory, guestPath, false);
    }

    /** As {@link #mount}, but the guest can only read: every change fails with {@code EROFS}. */
    public Builder mountReadOnly(Path hostDirectory, String guestPath) {
      return addMount(hostDirectory, guestPath, true);
    }

    private Builder addMount(Path hostDirectory, String guestPath, boolean readOnly) {
      Objects.requireNonNull(hostDirectory, "hostDirectory");
      Objects.requireNonNull(guestPath, "guestPath");
      if (guestPath.isEmpty() || guestPath.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("not a guest path: '" + guestPath + "'");
      }
      if (!Files.isDirectory(hostDirectory)) {
        throw new IllegalArgumentException("cannot mount " + hostDirectory + ": not a directory");
      }
      for (WasiSettings.Mount m : mounts) {
        if (m.guestPath().equals(guestPath)) {
          throw new IllegalArgumentException(guestPath + " is already mounted (" + m.hostDirectory() + ")");
        }
      }
      Path root;
      try {
        root = hostDirectory.toRealPath();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot mount " + hostDirectory, e);
      }
      mounts.add(new WasiSettings.Mount(root, guestPath, readOnly));
      return this;
    }

    /**
     * The wall clock ({@code CLOCK_REALTIME}), in nanoseconds since the Unix epoch. Default: the
     * host's.
     */
    public Builder walltime(LongSupplier nanosSinceEpoch) {
      if (walltime != null) {
        throw new IllegalStateException("walltime was already set");
      }
      walltime = Objects.requireNonNull(nanosSinceEpoch, "nanosSinceEpoch");
      return this;
    }

    /**
     * The monotonic clock ({@code CLOCK_MONOTONIC}) in nanoseconds. Default: {@link
     * System#nanoTime()}. When set, the CPU-time clocks read it too, so that a run is
     * deterministic.
     */
    public Builder nanotime(LongSupplier nanos) {
      if (nanotime != null) {
        throw new IllegalStateException("nanotime was already set");
      }
      nanotime = Objects.requireNonNull(nanos, "nanos");
      return this;
    }

    /**
     * The source of {@code random_get}. Default: a {@link SecureRandom}; a seeded {@link Random}
     * makes runs repeatable.
     */
    public Builder random(Random source) {
      if (random != null) {
        throw new IllegalStateException("random was already set");
      }
      random = Objects.requireNonNull(source, "source");
      return this;
    }

    /** An immutable {@link Wasi} with these grants. */
    public Wasi build() {
      return new Wasi(
          new WasiSettings(
              args,
              List.copyOf(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList()),
              stdin != null ? stdin : () -> InputStream.nullInputStream(),
              stdout,
              stderr,
              List.copyOf(mounts),
              walltime,
              nanotime,
              random));
    }
  }
}
