package dev.wasmhost.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasi.WasiExitException;
import com.dylibso.chicory.wasi.WasiOptions;
import com.dylibso.chicory.wasi.WasiPreview1;
import com.dylibso.chicory.wasm.Parser;
import dev.wasmhost.Engine;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import dev.wasmhost.wasi.Wasi;
import dev.wasmhost.wasi.WasiResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * A WASI command end to end: {@code testdata/wasm/wasi_echo.wasm} run with no arguments, so that it
 * copies a 100-byte standard input to its standard output, which is captured and checked. Every
 * variant does that same work.
 *
 * <p>In-process, in a warm JVM ({@code µs/op}), on each engine ({@code engine}):
 *
 * <ul>
 *   <li>{@link #wasmHostCached}: {@code Wasi.builder().args(..).stdin(..).build().run(module)}, with
 *       {@code module} from a loader that has already loaded (and compiled) it: instantiate with
 *       the WASI functions, {@code _start}, close;
 *   <li>{@link #chicoryWasi}: the baseline, Chicory's own WASI ({@code WasiPreview1} with {@code
 *       WasiOptions}) on a parsed module and compiled machine factory kept by the caller: the same
 *       steps with nothing of wasm-host.
 * </ul>
 *
 * <p>As a process ({@code ms}, one invocation per iteration), the way a shell runs it:
 *
 * <ul>
 *   <li>{@link #cliProcess}: {@code java -jar wasm-host.jar run --engine ENGINE wasi_echo.wasm}
 *       with standard input and output redirected to files ({@code cliEngine});
 *   <li>{@link #cliVersionProcess}: {@code java -jar wasm-host.jar --version}, the floor: JVM boot,
 *       the jar and picocli, no WebAssembly.
 * </ul>
 *
 * <p>The CLI jar is {@code wasm-host-cli/target/wasm-host.jar} under the working directory, or the
 * system property {@code wasmhost.cli.jar} (set it with {@code -jvmArgsAppend}). Run from the
 * repository root after {@code mvn -pl wasm-host-cli,wasm-host-bench -am package -DskipTests}:
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar WasiRunBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
public class WasiRunBenchmark {
  /** What the guest reads and echoes: 100 bytes of text. */
  static final byte[] STDIN =
      "The quick brown fox jumps over the lazy dog.\nPack my box with five dozen liquor jugs!\n0123456789abc\n"
          .getBytes(StandardCharsets.US_ASCII);

  static final List<String> ARGV = List.of("wasi_echo.wasm");

  /** The in-process variants: a module loaded once, then run once per operation. */
  @State(Scope.Thread)
  public static class InProcess {
    /** Which engine runs the guest: a {@link Engine} name. */
    @Param({"COMPILER", "INTERPRETER"})
    public String engine;

    WasmModule module;
    com.dylibso.chicory.wasm.WasmModule chicoryModule;
    Function<com.dylibso.chicory.runtime.Instance, Machine> chicoryFactory;

    @Setup(Level.Trial)
    public void setUp() {
      byte[] bytes = TestModules.bytes("wasi_echo.wasm");
      module = WasmLoader.builder().engine(Engine.valueOf(engine)).build().load(bytes);
      chicoryModule = Parser.parse(bytes);
      chicoryFactory = Engine.valueOf(engine) == Engine.COMPILER ? MachineFactoryCompiler.compile(chicoryModule) : null;
      checkEcho("wasmHostCached", wasmHostRun(this));
      checkEcho("chicoryWasi", chicoryRun(this));
    }
  }

  /** The CLI as a child process; the engine is passed on its command line. */
  @State(Scope.Benchmark)
  public static class Cli {
    /** {@code --engine} of {@code wasm-host run}. */
    @Param({"compiler", "interpreter"})
    public String cliEngine;

    Path jar;
    Path wasm;
    Path stdin;
    Path stdout;

    @Setup(Level.Trial)
    public void setUp() throws IOException, InterruptedException {
      jar = cliJar();
      Path dir = Files.createTempDirectory("wasm-host-wasi-run");
      wasm = Files.write(dir.resolve("wasi_echo.wasm"), TestModules.bytes("wasi_echo.wasm"));
      stdin = Files.write(dir.resolve("stdin.txt"), STDIN);
      stdout = dir.resolve("stdout.txt");
      checkEcho("cliProcess", runCli(this));
    }
  }

  /** The floor of {@link #cliVersionProcess}. */
  @State(Scope.Benchmark)
  public static class CliVersion {
    Path jar;

    @Setup(Level.Trial)
    public void setUp() {
      jar = cliJar();
    }
  }

  /** wasm-host: a fresh {@link Wasi} (its grants, stdin, captured stdout) runs the loaded module. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] wasmHostCached(InProcess state) {
    return wasmHostRun(state);
  }

  /** Chicory alone: a fresh {@code WasiPreview1}, instantiate the kept module and factory, _start. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  public byte[] chicoryWasi(InProcess state) {
    return chicoryRun(state);
  }

  /** {@code java -jar wasm-host.jar run --engine ENGINE wasi_echo.wasm < stdin.txt > stdout.txt}. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public byte[] cliProcess(Cli state) throws IOException, InterruptedException {
    return runCli(state);
  }

  /** {@code java -jar wasm-host.jar --version}: a JVM that starts the CLI and runs no WebAssembly. */
  @Benchmark
  @BenchmarkMode(Mode.SingleShotTime)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public int cliVersionProcess(CliVersion state) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(java(), "-jar", state.jar.toString(), "--version")
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    int exitCode = process.waitFor();
    if (exitCode != 0) {
      throw new IllegalStateException("wasm-host --version exited with " + exitCode);
    }
    return exitCode;
  }

  static byte[] wasmHostRun(InProcess state) {
    WasiResult result = Wasi.builder().args(ARGV).stdin(STDIN).build().run(state.module);
    if (result.exitCode() != 0) {
      throw new IllegalStateException("wasm-host: exit code " + result.exitCode());
    }
    return result.stdout();
  }

  static byte[] chicoryRun(InProcess state) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream(STDIN.length);
    WasiOptions options =
        WasiOptions.builder()
            .withArguments(ARGV)
            .withStdin(new ByteArrayInputStream(STDIN))
            .withStdout(stdout)
            .build();
    try (WasiPreview1 wasi = WasiPreview1.builder().withOptions(options).build()) {
      com.dylibso.chicory.runtime.Instance.Builder builder =
          com.dylibso.chicory.runtime.Instance.builder(state.chicoryModule)
              .withImportValues(ImportValues.builder().addFunction(wasi.toHostFunctions()).build())
              .withStart(false);
      if (state.chicoryFactory != null) {
        builder.withMachineFactory(state.chicoryFactory);
      }
      try {
        builder.build().export("_start").apply();
      } catch (WasiExitException e) {
        if (e.exitCode() != 0) {
          throw new IllegalStateException("Chicory: exit code " + e.exitCode(), e);
        }
      }
    }
    return stdout.toByteArray();
  }

  static byte[] runCli(Cli state) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                java(), "-jar", state.jar.toString(), "run", "--engine", state.cliEngine, state.wasm.toString())
            .redirectInput(state.stdin.toFile())
            .redirectOutput(state.stdout.toFile())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    int exitCode = process.waitFor();
    if (exitCode != 0) {
      throw new IllegalStateException("wasm-host run exited with " + exitCode);
    }
    return Files.readAllBytes(state.stdout);
  }

  static void checkEcho(String what, byte[] stdout) {
    if (!Arrays.equals(STDIN, stdout)) {
      throw new IllegalStateException(
          what + " wrote " + new String(stdout, StandardCharsets.US_ASCII) + " instead of echoing its input");
    }
  }

  static Path cliJar() {
    Path jar = Path.of(System.getProperty("wasmhost.cli.jar", "wasm-host-cli/target/wasm-host.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build wasm-host-cli, or set -Dwasmhost.cli.jar");
    }
    return jar;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
