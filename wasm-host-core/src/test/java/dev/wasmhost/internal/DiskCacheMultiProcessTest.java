package dev.wasmhost.internal;

import static dev.wasmhost.internal.DiskCacheFixtures.BIG;
import static dev.wasmhost.internal.DiskCacheFixtures.call;
import static dev.wasmhost.internal.DiskCacheFixtures.compile;
import static dev.wasmhost.internal.DiskCacheFixtures.filesEndingWith;
import static dev.wasmhost.internal.DiskCacheFixtures.module;
import static dev.wasmhost.internal.DiskCacheFixtures.totalSize;
import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.wasm.WasmModule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several JVMs on one directory at the same moment, each a {@link DiskCacheChildProcess}. */
class DiskCacheMultiProcessTest {
  private static final int CHILDREN = 3;

  @TempDir Path work;
  private final List<String> results = new ArrayList<>();

  @Test
  @Timeout(90)
  void childrenCompilingTheSameModuleAtOnceLeaveOneValidEntry() throws Exception {
    Path cacheDir = work.resolve("cache");
    runChildren("compile", cacheDir);
    // Each child held after its miss until all had missed, so all of them compiled and wrote.
    assertThat(results).allMatch(result -> result.contains("missCount=1") && result.contains("hitCount=0"));

    Path entries = cacheDir.resolve("compiled-v" + DiskCache.FORMAT_VERSION);
    assertThat(filesEndingWith(entries, ".bin")).hasSize(1);
    assertThat(filesEndingWith(entries, ".tmp")).isEmpty();
    try (var stream = Files.list(entries)) {
      assertThat(stream.count()).as("nothing but the entry").isEqualTo(1);
    }

    DiskCache fresh = new DiskCache(cacheDir, BIG);
    WasmModule fib = module("fib");
    assertThat(call(fib, compile(fib, fresh.forOptions("race")), "fib", 20)).isEqualTo(6765);
    assertThat(fresh.stats().hitCount()).isEqualTo(1);
    assertThat(fresh.stats().writeCount()).isZero();
    assertThat(fresh.stats().corruptCount()).isZero();
  }

  @Test
  @Timeout(90)
  void childrenHammeringAndEvictingOneDirectoryNeverReadWrongBytes() throws Exception {
    Path cacheDir = work.resolve("cache");
    runChildren("hammer", cacheDir);

    Path entries = cacheDir.resolve("compiled-v" + DiskCache.FORMAT_VERSION);
    assertThat(filesEndingWith(entries, ".tmp")).isEmpty();
    assertThat(totalSize(filesEndingWith(entries, ".bin"))).isLessThanOrEqualTo(40_000);
  }

  /** Starts the children, lets them go at once when all are warmed up, and checks they all passed. */
  private void runChildren(String mode, Path cacheDir) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path go = work.resolve("go");
    List<Process> children = new ArrayList<>();
    List<Path> readies = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < CHILDREN; i++) {
        Path ready = work.resolve("ready-" + i);
        Path output = work.resolve("child-" + i + ".log");
        readies.add(ready);
        outputs.add(output);
        children.add(
            new ProcessBuilder(
                    java,
                    "-XX:TieredStopAtLevel=1",
                    "-XX:+UseSerialGC",
                    "-cp",
                    System.getProperty("java.class.path"),
                    DiskCacheChildProcess.class.getName(),
                    mode,
                    cacheDir.toString(),
                    ready.toString(),
                    go.toString(),
                    Integer.toString(CHILDREN))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!readies.stream().allMatch(Files::exists)) {
        assertThat(System.nanoTime()).as("children ready within 60 s").isLessThan(deadline);
        assertThat(children).as("no child exited early").allMatch(Process::isAlive);
        Thread.sleep(10);
      }
      Files.createFile(go);
      for (int i = 0; i < CHILDREN; i++) {
        Process child = children.get(i);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child %d finished", i).isTrue();
        String log = Files.readString(outputs.get(i), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as("child %d exit status; its output:%n%s", i, log).isZero();
        assertThat(log).contains("RESULT");
        String result = log.lines().filter(line -> line.startsWith("RESULT")).findFirst().orElse("");
        System.out.println("child " + i + ": " + result);
        results.add(result);
      }
    } finally {
      for (Process child : children) {
        child.destroyForcibly();
      }
    }
  }
}
