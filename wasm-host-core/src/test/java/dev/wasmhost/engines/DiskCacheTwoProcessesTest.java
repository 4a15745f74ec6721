package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.childJvm;
import static dev.wasmhost.engines.TestSupport.filesUnder;
import static dev.wasmhost.engines.TestSupport.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.DiskCacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs load the same module through loaders on one disk cache at the same instant, so both miss
 * and both compile and write the same entry; then a third loader, in this JVM, uses it.
 */
class DiskCacheTwoProcessesTest {
  private static final int CHILDREN = 2;

  @TempDir Path work;

  @Test
  @Timeout(90)
  void twoProcessesWritingTheSameEntryAtOnceLeaveOneGoodEntry() throws Exception {
    Path cache = work.resolve("cache");
    // Both children start JVMs, build their loaders and warm up, then load at this instant.
    long startAt = System.currentTimeMillis() + 5_000;
    List<Process> children = new ArrayList<>();
    List<Path> outputs = new ArrayList<>();
    try {
      for (int i = 0; i < CHILDREN; i++) {
        Path output = work.resolve("child-" + i + ".txt");
        outputs.add(output);
        children.add(
            childJvm(
                    DiskCacheRaceChild.class,
                    output,
                    cache.toString(),
                    wasm("fib").toString(),
                    Long.toString(startAt),
                    wasm("memory").toString())
                .start());
      }
      List<long[]> loadTimes = new ArrayList<>();
      int writers = 0;
      for (int i = 0; i < CHILDREN; i++) {
        Process child = children.get(i);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child %d finished", i).isTrue();
        String out = Files.readString(outputs.get(i), StandardCharsets.UTF_8);
        System.out.println("child " + i + ":\n" + out);
        assertThat(child.exitValue()).as("child %d exit status; its output:%n%s", i, out).isZero();
        assertThat(out).as("child %d output", i).contains("RESULT 6765");
        String[] loaded = line(out, "LOADED").split(" ");
        loadTimes.add(new long[] {Long.parseLong(loaded[1]), Long.parseLong(loaded[2])});
        String[] stats = line(out, "STATS").split(" ");
        long hits = Long.parseLong(stats[1]);
        long misses = Long.parseLong(stats[2]);
        long writes = Long.parseLong(stats[3]);
        long corrupt = Long.parseLong(stats[4]);
        assertThat(corrupt).as("child %d never sees a partial entry", i).isZero();
        assertThat(hits + misses).as("child %d looked up the entry once", i).isEqualTo(1);
        writers += (int) writes;
      }
      assertThat(writers).as("entries written by the children").isBetween(1, CHILDREN);
      long overlapStart = Math.max(loadTimes.get(0)[0], loadTimes.get(1)[0]);
      long overlapEnd = Math.min(loadTimes.get(0)[1], loadTimes.get(1)[1]);
      System.out.println("the children's loads overlapped for " + (overlapEnd - overlapStart) + " ms");
    } finally {
      for (Process child : children) {
        child.destroyForcibly();
      }
    }

    List<Path> files = filesUnder(cache);
    assertThat(files).as("one entry, no temp files left").hasSize(1);
    assertThat(files.get(0).getFileName().toString()).doesNotEndWith(".tmp");

    Loader third = WasmLoader.builder().engine(Engine.COMPILER).diskCache(cache).build();
    WasmModule fib = third.load(wasm("fib"));
    assertThat(fib.call("fib", 20)).isEqualTo(6765L);
    DiskCacheStats stats = third.diskCacheStats().orElseThrow();
    assertThat(stats.hitCount()).isEqualTo(1);
    assertThat(stats.missCount()).isZero();
    assertThat(stats.writeCount()).isZero();
    assertThat(stats.corruptCount()).isZero();
  }

  private static String line(String output, String prefix) {
    return output.lines().filter(l -> l.startsWith(prefix + " ")).findFirst()
        .orElseThrow(() -> new AssertionError("no " + prefix + " line in:\n" + output));
  }
}
