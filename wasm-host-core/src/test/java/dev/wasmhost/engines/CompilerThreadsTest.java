package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.childJvm;
import static dev.wasmhost.engines.TestSupport.threadsNamed;
import static dev.wasmhost.engines.TestSupport.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The threads a loader starts: AUTO's compilers and callStackSize's call threads. */
class CompilerThreadsTest {
  @TempDir Path work;

  @Test
  @Timeout(60)
  void autoCompilesOnDaemonThreadsNamedWasmHostCompiler() {
    Loader loader = WasmLoader.builder().build();
    List<WasmModule> modules = new ArrayList<>();
    for (String name : new String[] {"fib", "numbers", "memory", "traps", "depth"}) {
      modules.add(loader.load(wasm(name)));
    }
    for (WasmModule module : modules) {
      assertThat(module.awaitCompiled(Duration.ofSeconds(30))).as("%s compiled", module.source()).isTrue();
      assertThat(module.engine()).isEqualTo(Engine.COMPILER);
    }
    // Idle compiler threads stay 30 s, so they are still there.
    List<Thread> compilers = threadsNamed("wasm-host-compiler-");
    assertThat(compilers).allSatisfy(thread -> {
      assertThat(thread.isDaemon()).as("%s is a daemon", thread.getName()).isTrue();
      assertThat(thread.getName()).matches("wasm-host-compiler-\\d+");
    });
  }

  @Test
  @Timeout(60)
  void deepStackCallsRunOnDaemonThreadsNamedWasmHostCall() {
    WasmModule module = WasmLoader.builder().engine(Engine.INTERPRETER).callStackSize(2L << 20).build()
        .load(wasm("fib"));
    assertThat(module.call("fib", 10)).isEqualTo(55L);
    assertThat(threadsNamed("wasm-host-call-")).allSatisfy(thread -> {
      assertThat(thread.isDaemon()).as("%s is a daemon", thread.getName()).isTrue();
      assertThat(thread.getName()).matches("wasm-host-call-\\d+");
    });
  }

  @Test
  @Timeout(60)
  void aJvmWhoseMainReturnsExitsWhileTheLoadersThreadsAreAlive() throws Exception {
    Path output = work.resolve("child.txt");
    Process child = childJvm(BackgroundThreadsChild.class, output, TestSupport.WASM.toString()).start();
    try {
      // Idle loader threads live 30 s: exiting well before that means they do not hold the JVM.
      boolean exited = child.waitFor(25, TimeUnit.SECONDS);
      long exitedAt = System.currentTimeMillis();
      String out = Files.readString(output, StandardCharsets.UTF_8);
      System.out.println(out);
      assertThat(exited).as("the child exited within 25 s; its output:%n%s", out).isTrue();
      assertThat(child.exitValue()).as("exit status; output:%n%s", out).isZero();
      assertThat(out).contains("RESULT 6765");
      assertThat(out).contains("THREAD wasm-host-compiler-1 daemon=true");
      assertThat(out).contains("THREAD wasm-host-call-1 daemon=true");
      assertThat(out).doesNotContain("daemon=false");
      long mainReturned = Long.parseLong(out.lines().filter(l -> l.startsWith("MAIN RETURNS "))
          .findFirst().orElseThrow().substring("MAIN RETURNS ".length()));
      assertThat(exitedAt - mainReturned).as("ms from main's return to the exit being seen").isLessThan(15_000);
    } finally {
      child.destroyForcibly();
    }
  }
}
