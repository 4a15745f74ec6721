package dev.wasmhost.wasi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import dev.wasmhost.Engine;
import dev.wasmhost.ExitException;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The {@link Wasi} API around the guest: reactors, pools, streams, clocks, exit, the builder. */
class WasiApiTest {
  private static final Path WASI = WasiCase.HOME;
  private static final Path PROBE = WasiCase.HOME.resolveSibling("wasm/wasi_probe.wasm");

  private static WasmModule load(Engine engine, Path file) {
    return WasiConformanceTest.loader(engine).load(file);
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"INTERPRETER", "COMPILER"})
  void aReactorIsInitialisedOnceThenCalledThroughTheNormalApi(Engine engine, @TempDir Path tmp) throws IOException {
    Files.writeString(tmp.resolve("input.txt"), "twelve bytes");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Wasi wasi = Wasi.builder().mountReadOnly(tmp, "/data").stdout(out).build();

    try (Instance lib = wasi.instantiate(load(engine, WASI.resolve("reactor.wasm")))) {
      assertThat(lib.call("initialized")).isEqualTo(1);
      assertThat(lib.call("add", 40, 2)).isEqualTo(42);
      assertThat(lib.call("count_file_bytes")).isEqualTo(12);
      lib.call("hello");
    }
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("hello from reactor\n");
  }

  @Test
  void withoutInitializeTheReactorReportsItsConstructorDidNotRun() {
    // The control for the test above: the plain API does not call _initialize.
    WasmModule reactor = load(Engine.INTERPRETER, WASI.resolve("reactor.wasm"));
    try (Instance raw = reactor.instantiate(Wasi.builder().build().imports())) {
      assertThat(raw.call("initialized")).isEqualTo(0);
    }
  }

  @Test
  void aPoolOfReactorsInitialisesEachInstanceAndServesManyThreads() throws Exception {
    WasmModule reactor = load(Engine.COMPILER, WASI.resolve("reactor.wasm"));
    Wasi wasi = Wasi.builder().build();
    try (InstancePool pool =
        InstancePool.builder(reactor).imports(wasi.imports()).initializer("_initialize").maxSize(3).reset(InstancePool.Reset.REUSE).build()) {
      ExecutorService threads = Executors.newFixedThreadPool(6);
      try {
        List<Future<Integer>> results = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
          int base = t * 1000;
          Callable<Integer> work = () -> {
            int sum = 0;
            for (int k = 0; k < 500; k++) {
              try (Instance lib = pool.borrow()) {
                assertThat(lib.call("initialized")).isEqualTo(1);
                sum += (Integer) lib.call("add", base, k) - base;
              }
            }
            return sum;
          };
          results.add(threads.submit(work));
        }
        for (Future<Integer> result : results) {
          assertThat(result.get()).isEqualTo(499 * 500 / 2);
        }
      } finally {
        threads.shutdownNow();
      }
      assertThat(pool.stats().createdCount()).isLessThanOrEqualTo(3);
    }
  }

  @Test
  void instancesSharingOneDescriptorTableNeverGetTheSameDescriptor(@TempDir Path tmp) throws Exception {
    Loader loader = WasmLoader.builder().engine(Engine.COMPILER).imports(Wasi.builder().mount(tmp, "/tmp").build().imports()).build();
    WasmModule shared = loader.load(PROBE);
    int threads = 8;
    int perThread = 200;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Integer>>> results = new ArrayList<>();
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          start.await();
          List<Integer> fds = new ArrayList<>();
          for (int k = 0; k < perThread; k++) {
            fds.add((Integer) shared.call("open_and_keep")); // module.call: one instance per thread
          }
          return fds;
        }));
      }
      java.util.Set<Integer> all = new java.util.HashSet<>();
      for (Future<List<Integer>> result : results) {
        for (int fd : result.get()) {
          assertThat(fd).as("a descriptor, not an errno").isGreaterThanOrEqualTo(4);
          assertThat(all.add(fd)).as("descriptor %d handed out twice", fd).isTrue();
        }
      }
      assertThat(all).hasSize(threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aPoolRefusesAnInitializerTheModuleDoesNotExport() {
    WasmModule reactor = load(Engine.INTERPRETER, WASI.resolve("reactor.wasm"));
    assertThatThrownBy(() -> InstancePool.builder(reactor).imports(Wasi.builder().build().imports()).initializer("_init").build())
        .isInstanceOf(InvalidCallException.class)
        .hasMessageContaining("'_init' is not exported");
    assertThatThrownBy(() -> InstancePool.builder(reactor).imports(Wasi.builder().build().imports()).initializer("add").build())
        .isInstanceOf(InvalidCallException.class)
        .hasMessageContaining("no parameters and no results");
  }

  @Test
  void anInMemoryFileSystemRoundTrip() throws IOException {
    try (FileSystem memory = Jimfs.newFileSystem(Configuration.unix())) {
      Path root = memory.getPath("/mem");
      Files.createDirectories(root);
      Files.writeString(root.resolve("in.txt"), "hello jimfs\n");

      WasiResult result = Wasi.builder().mount(root, "/mem").build().run(load(Engine.COMPILER, WASI.resolve("fs_memory.wasm")));

      assertThat(result.exitCode()).as(result.stderrText()).isZero();
      assertThat(result.stdoutText()).contains("read 12 bytes").contains("wrote 12 bytes");
      assertThat(Files.readString(root.resolve("out.txt"))).isEqualTo("HELLO JIMFS\n");
    }
  }

  @Test
  void aCommandIsRunWithItsExitCodeAsAResult(@TempDir Path tmp) {
    WasmModule exits = load(Engine.INTERPRETER, WASI.resolve("exit_codes.wasm"));
    for (int code : new int[] {0, 1, 42}) {
      WasiResult result = Wasi.builder().args("exit_codes.wasm", "exit:" + code).build().run(exits);
      assertThat(result.exitCode()).isEqualTo(code);
      assertThat(result.succeeded()).isEqualTo(code == 0);
    }
  }

  @Test
  void runRefusesAModuleThatIsNotACommand() {
    WasmModule reactor = load(Engine.INTERPRETER, WASI.resolve("reactor.wasm"));
    assertThatThrownBy(() -> Wasi.builder().build().run(reactor))
        .isInstanceOf(InvalidCallException.class)
        .hasMessageContaining("not a WASI command")
        .hasMessageContaining("'_start'");
  }

  @Test
  void procExitInsideAReactorCallIsAnExitExceptionAndTheInstanceIsDone() {
    WasmModule probe = load(Engine.INTERPRETER, PROBE);
    try (Instance instance = Wasi.builder().build().instantiate(probe)) {
      assertThatThrownBy(() -> instance.call("exit", 3))
          .isInstanceOf(ExitException.class)
          .hasMessageContaining("exited with code 3")
          .satisfies(e -> assertThat(((ExitException) e).exitCode()).isEqualTo(3));
    }
    // module.call discards an instance that exited, as after a trap, and keeps working.
    Loader loader = WasmLoader.builder().engine(Engine.INTERPRETER).imports(Wasi.builder().build().imports()).build();
    WasmModule shared = loader.load(PROBE);
    assertThatThrownBy(() -> shared.call("exit", 0)).isInstanceOf(ExitException.class);
    assertThat(shared.call("hello")).isEqualTo(0);
  }

  @Test
  void outputIsCapturedByDefaultOrSentToTheGivenStreams() {
    WasmModule args = load(Engine.INTERPRETER, WASI.resolve("args_env.wasm"));
    WasiResult captured = Wasi.builder().args("args_env.wasm", "x").build().run(args);
    assertThat(captured.stdoutText()).contains("x");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    WasiResult redirected = Wasi.builder().args("args_env.wasm", "x").stdout(out).build().run(args);
    assertThat(redirected.stdout()).isEmpty();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(captured.stdoutText());
  }

  @Test
  void stdinBytesAreReadAfreshByEachRun() throws IOException {
    WasmModule sha = load(Engine.COMPILER, WASI.resolve("sha256.wasm"));
    Wasi wasi = Wasi.builder().stdin("abc".getBytes(StandardCharsets.UTF_8)).build();
    String expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assertThat(wasi.run(sha).stdoutText()).contains(expected);
    assertThat(wasi.run(sha).stdoutText()).contains(expected);
  }

  @Test
  void theHostEnvironmentIsInvisibleUnlessInherited() {
    WasmModule args = load(Engine.INTERPRETER, WASI.resolve("args_env.wasm"));
    String anyHostVariable = System.getenv().keySet().iterator().next();
    assertThat(Wasi.builder().build().run(args).stdoutText()).doesNotContain(anyHostVariable + "=");
    assertThat(Wasi.builder().inheritEnv().build().run(args).stdoutText()).contains(anyHostVariable + "=");
  }

  @Test
  void injectedClocksAndRandomnessMakeARunDeterministic() {
    WasmModule probe = load(Engine.INTERPRETER, PROBE);
    AtomicLong ticks = new AtomicLong(1_000);
    Wasi wasi =
        Wasi.builder()
            .walltime(() -> 1_700_000_000_000_000_000L)
            .nanotime(() -> ticks.addAndGet(10))
            .random(new Random(42))
            .build();
    try (Instance a = wasi.instantiate(probe)) {
      assertThat(a.call("clock", 0)).isEqualTo(1_700_000_000_000_000_000L);
      assertThat(a.call("clock", 1)).isEqualTo(1_010L);
      assertThat(a.call("clock", 2)).isEqualTo(1_020L);
      assertThat(a.call("clock", 3)).isEqualTo(1_030L);
      assertThat(a.call("random64")).isEqualTo(firstLongOf(new Random(42)));
    }
  }

  private static long firstLongOf(Random random) {
    byte[] bytes = new byte[8];
    random.nextBytes(bytes);
    long value = 0;
    for (int k = 7; k >= 0; k--) {
      value = (value << 8) | (bytes[k] & 0xff);
    }
    return value;
  }

  @Test
  void cpuTimeClocksWorkAndUnknownClocksAreInvalid() {
    try (Instance probe = Wasi.builder().build().instantiate(load(Engine.INTERPRETER, PROBE))) {
      for (int clock = 0; clock <= 3; clock++) {
        assertThat((Long) probe.call("clock", clock)).as("clock %d", clock).isPositive();
        assertThat((Long) probe.call("resolution", clock)).as("resolution of clock %d", clock).isPositive();
      }
      long before = (Long) probe.call("clock", 3);
      long spin = System.nanoTime() + 20_000_000;
      while (System.nanoTime() < spin) {
        Thread.onSpinWait();
      }
      assertThat((Long) probe.call("clock", 3)).isGreaterThan(before);
      assertThat(probe.call("clock", 4)).isEqualTo(-28L); // EINVAL
      assertThat(probe.call("resolution", 9)).isEqualTo(-28L);
    }
  }

  @Test
  void socketsAreNotOfferedAndSayWhy() {
    try (Instance probe = Wasi.builder().build().instantiate(load(Engine.INTERPRETER, PROBE))) {
      for (String call : new String[] {"sock_accept_errno", "sock_recv_errno", "sock_send_errno", "sock_shutdown_errno"}) {
        assertThat(probe.call(call, 1)).as(call + " on stdout").isEqualTo(57); // ENOTSOCK
        assertThat(probe.call(call, 99)).as(call + " on a closed descriptor").isEqualTo(8); // EBADF
      }
    }
  }

  @Test
  void pollOneoffSleepsOnTheMonotonicClock() {
    try (Instance probe = Wasi.builder().build().instantiate(load(Engine.INTERPRETER, PROBE))) {
      long start = System.nanoTime();
      assertThat(probe.call("sleep", 30_000_000L)).isEqualTo(1);
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(30_000_000L);
      assertThat(probe.call("event_userdata")).isEqualTo(7L);
    }
  }

  @Test
  void aDeadlineStopsAGuestSleepingInPollOneoff() {
    Loader loader = WasmLoader.builder().engine(Engine.INTERPRETER).callTimeout(java.time.Duration.ofMillis(100)).build();
    try (Instance probe = Wasi.builder().build().instantiate(loader.load(PROBE))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> probe.call("sleep", 10_000_000_000L)).isInstanceOf(dev.wasmhost.CallTimeoutException.class);
      assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
      assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }
  }

  @Test
  void filesAGuestLeavesOpenAreClosedWithItsInstance(@TempDir Path tmp) throws IOException {
    WasmModule probe = load(Engine.INTERPRETER, PROBE);
    Wasi wasi = Wasi.builder().mount(tmp, "/tmp").build();
    long before = openDescriptors();
    for (int k = 0; k < 50; k++) {
      try (Instance instance = wasi.instantiate(probe)) {
        assertThat((Integer) instance.call("open_and_keep")).isGreaterThanOrEqualTo(4);
      }
    }
    assertThat(openDescriptors()).isLessThan(before + 10);
  }

  private static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  @Test
  void theBuilderChecksEachSettingAsItIsSet(@TempDir Path tmp) throws IOException {
    Path file = Files.writeString(tmp.resolve("f"), "x");
    assertThatThrownBy(() -> Wasi.builder().mount(file, "/f"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a directory");
    assertThatThrownBy(() -> Wasi.builder().mount(tmp.resolve("missing"), "/m"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Wasi.builder().mount(tmp, "/a").mountReadOnly(tmp, "/a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("/a is already mounted");
    assertThatThrownBy(() -> Wasi.builder().env("A=B", "c")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Wasi.builder().env("", "c")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Wasi.builder().args("a", "b\0c")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Wasi.builder().args("a").args("b")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Wasi.builder().stdin(new byte[0]).inheritStdin()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Wasi.builder().stdout(new ByteArrayOutputStream()).inheritStdout())
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Wasi.builder().random(new Random()).random(new Random()))
        .isInstanceOf(IllegalStateException.class);
  }
}
