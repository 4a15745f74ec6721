package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.filesUnder;
import static dev.wasmhost.engines.TestSupport.totalSize;
import static dev.wasmhost.engines.TestSupport.wasm;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.DiskCacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persistent compiled-code cache as used through {@link Loader.Builder#diskCache}: a new loader
 * stands for a new process, since it shares no in-memory cache with the old one.
 */
@Timeout(60)
class DiskCacheLoaderTest {
  @TempDir Path work;

  private static Loader loader(Engine engine, Path cache) {
    return WasmLoader.builder().engine(engine).diskCache(cache).build();
  }

  private static DiskCacheStats stats(Loader loader) {
    return loader.diskCacheStats().orElseThrow();
  }

  @Test
  void noDiskCacheUnlessConfigured() {
    Loader loader = WasmLoader.builder().engine(Engine.COMPILER).build();
    loader.load(wasm("fib"));
    assertThat(loader.diskCacheStats()).isEmpty();
    assertThat(loader.config().diskCacheDirectory()).isNull();
  }

  @Test
  void theBuilderChecksTheDiskCacheSettings() {
    Path dir = work.resolve("cache");
    assertThatThrownBy(() -> WasmLoader.builder().diskCache(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> WasmLoader.builder().diskCache(dir, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not be negative: -1");
    assertThatThrownBy(() -> WasmLoader.builder().diskCache(dir).diskCache(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("diskCache was already set");
    assertThat(WasmLoader.builder().diskCache(dir).toConfig().diskCacheMaxBytes()).isEqualTo(1L << 30);
    assertThat(WasmLoader.builder().diskCache(dir, 12345).toConfig().diskCacheMaxBytes()).isEqualTo(12345);
    assertThat(WasmLoader.builder().diskCache(dir, 12345).toConfig().diskCacheDirectory()).isEqualTo(dir);
  }

  @Test
  void theCompilerWritesAnEntryAndASecondLoaderHitsIt() throws Exception {
    Path cache = work.resolve("cache");
    Loader first = loader(Engine.COMPILER, cache);
    assertThat(first.config().diskCacheDirectory()).isEqualTo(cache);
    WasmModule fib = first.load(wasm("fib"));
    assertThat(fib.call("fib", 20)).isEqualTo(6765L);
    DiskCacheStats written = stats(first);
    assertThat(written.writeCount()).isEqualTo(1);
    assertThat(written.missCount()).isEqualTo(1);
    assertThat(written.hitCount()).isZero();
    assertThat(written.entryCount()).isEqualTo(1);
    assertThat(written.sizeBytes()).isPositive();
    assertThat(written.maxSizeBytes()).isEqualTo(1L << 30);
    List<Path> files = filesUnder(cache);
    assertThat(files).hasSize(1);
    assertThat(totalSize(files)).isEqualTo(written.sizeBytes());

    // Loading the same module again through the same loader touches neither disk nor compiler.
    first.load(wasm("fib"));
    assertThat(stats(first).hitCount()).isZero();
    assertThat(stats(first).writeCount()).isEqualTo(1);

    Loader second = loader(Engine.COMPILER, cache);
    WasmModule again = second.load(wasm("fib"));
    assertThat(again).isNotSameAs(fib);
    assertThat(again.engine()).isEqualTo(Engine.COMPILER);
    assertThat(again.call("fib", 20)).isEqualTo(6765L);
    assertThat(again.call("sum", 100)).isEqualTo(4950L);
    DiskCacheStats hit = stats(second);
    assertThat(hit.hitCount()).isEqualTo(1);
    assertThat(hit.missCount()).isZero();
    assertThat(hit.writeCount()).isZero();
    assertThat(hit.corruptCount()).isZero();
    assertThat(filesUnder(cache)).isEqualTo(files);
  }

  @Test
  void autoWithAWarmDiskCacheRunsCompiledCodeFromTheFirstCall() throws Exception {
    Path cache = work.resolve("cache");
    byte[] bytes = GeneratedModules.switching(1_000, 41); // slow to compile, quick to load from disk
    Loader cold = loader(Engine.AUTO, cache);
    WasmModule first = cold.load(bytes);
    assertThat(first.engine()).as("AUTO with nothing on disk starts interpreted").isEqualTo(Engine.INTERPRETER);
    assertThat(first.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(stats(cold).writeCount()).as("the background compilation wrote the entry").isEqualTo(1);

    Loader warm = loader(Engine.AUTO, cache);
    WasmModule module = warm.load(bytes);
    assertThat(module.engine()).as("engine right after load with the entry on disk").isEqualTo(Engine.COMPILER);
    assertThat(module.awaitCompiled(Duration.ZERO)).isTrue();
    assertThat(stats(warm).hitCount()).isEqualTo(1);
    assertThat(stats(warm).writeCount()).isZero();
    assertThat(module.call("fib", 20)).isEqualTo(6765L);
    assertThat(module.call("inc")).isEqualTo(1);

    // Compiled from the first call: deeper than the interpreter goes on a 1 MiB stack.
    TestSupport.onThread(TestSupport.ONE_MIB, () -> assertThat(module.call("down", TestSupport.COMPILED_ONLY_DEPTH))
        .isEqualTo(TestSupport.COMPILED_ONLY_DEPTH));
  }

  @Test
  void aCorruptEntryIsDetectedRecompiledAndRewritten() throws Exception {
    Path cache = work.resolve("cache");
    loader(Engine.COMPILER, cache).load(wasm("fib"));
    List<Path> files = filesUnder(cache);
    assertThat(files).hasSize(1);
    flipBytes(files.get(0));

    Loader second = loader(Engine.COMPILER, cache);
    WasmModule fib = second.load(wasm("fib"));
    assertThat(fib.engine()).isEqualTo(Engine.COMPILER);
    assertThat(fib.call("fib", 20)).isEqualTo(6765L);
    DiskCacheStats stats = stats(second);
    assertThat(stats.corruptCount()).isEqualTo(1);
    assertThat(stats.hitCount()).isZero();
    assertThat(stats.writeCount()).as("the recompiled code replaces the corrupt entry").isEqualTo(1);

    Loader third = loader(Engine.COMPILER, cache);
    assertThat(third.load(wasm("fib")).call("fib", 21)).isEqualTo(10_946L);
    assertThat(stats(third).hitCount()).isEqualTo(1);
    assertThat(stats(third).corruptCount()).isZero();
  }

  @Test
  void aCorruptEntryUnderAutoIsRecompiledAndTheResultIsRight() throws Exception {
    Path cache = work.resolve("cache");
    loader(Engine.COMPILER, cache).load(wasm("numbers"));
    List<Path> files = filesUnder(cache);
    assertThat(files).hasSize(1);
    flipBytes(files.get(0));

    Loader auto = loader(Engine.AUTO, cache);
    WasmModule numbers = auto.load(wasm("numbers"));
    assertThat(numbers.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(numbers.engine()).isEqualTo(Engine.COMPILER);
    assertThat(numbers.exports()).isNotEmpty();
    assertThat(stats(auto).corruptCount()).isEqualTo(1);
    assertThat(stats(auto).writeCount()).isEqualTo(1);

    // And a truncated entry, for the fib module.
    loader(Engine.COMPILER, cache).load(wasm("fib"));
    Path fibEntry = newestFile(cache);
    try (FileChannel channel = FileChannel.open(fibEntry, StandardOpenOption.WRITE)) {
      channel.truncate(channel.size() / 2);
    }
    Loader afterTruncation = loader(Engine.AUTO, cache);
    WasmModule fib = afterTruncation.load(wasm("fib"));
    assertThat(fib.call("fib", 20)).isEqualTo(6765L);
    assertThat(fib.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(stats(afterTruncation).corruptCount()).isEqualTo(1);
  }

  @Test
  void aCacheDirectoryThatIsARegularFileIsIgnoredAndEverythingStillWorks() throws Exception {
    Path file = work.resolve("not-a-directory");
    Files.writeString(file, "precious");
    for (Path dir : new Path[] {file, file.resolve("below-a-file")}) {
      for (Engine engine : Engine.values()) {
        Loader loader = loader(engine, dir);
        WasmModule fib = loader.load(wasm("fib"));
        assertThat(fib.call("fib", 20)).as("%s on %s", engine, dir).isEqualTo(6765L);
        if (engine != Engine.INTERPRETER) {
          assertThat(fib.awaitCompiled(Duration.ofSeconds(30))).as("%s compiles in memory", engine).isTrue();
          assertThat(fib.call("fib", 22)).isEqualTo(17_711L);
        }
        DiskCacheStats stats = stats(loader);
        assertThat(stats.writeCount()).as("%s on %s: writes", engine, dir).isZero();
        assertThat(stats.hitCount()).isZero();
        assertThat(stats.entryCount()).isZero();
      }
    }
    assertThat(Files.readString(file)).isEqualTo("precious");
    assertThat(filesUnder(work)).containsExactly(file);
  }

  @Test
  void aTinyBoundEvictsAcrossSeveralModules() throws Exception {
    String[] names = {"fib", "numbers", "memory", "traps", "depth"};
    // Measure each module's entry through the loader, in a directory of its own.
    Map<String, Long> sizes = new LinkedHashMap<>();
    for (String name : names) {
      Path dir = work.resolve("measure-" + name);
      Loader loader = loader(Engine.COMPILER, dir);
      loader.load(wasm(name));
      sizes.put(name, stats(loader).sizeBytes());
    }
    long largest = sizes.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    assertThat(sizes.values()).allMatch(size -> size > 0);

    // Room for the largest entry, never for two.
    Path cache = work.resolve("tiny");
    Loader loader = WasmLoader.builder().engine(Engine.COMPILER).diskCache(cache, largest).build();
    for (String name : names) {
      WasmModule module = loader.load(wasm(name));
      assertThat(module.engine()).isEqualTo(Engine.COMPILER);
    }
    assertThat(loader.load(wasm("fib")).call("fib", 20)).isEqualTo(6765L);
    DiskCacheStats stats = stats(loader);
    System.out.println("entry sizes " + sizes + "; after loading all with a bound of " + largest + ": " + stats);
    assertThat(stats.writeCount()).isEqualTo(names.length);
    assertThat(stats.evictionCount()).isGreaterThanOrEqualTo(names.length - 1);
    assertThat(stats.entryCount()).isLessThanOrEqualTo(1);
    assertThat(stats.sizeBytes()).isLessThanOrEqualTo(largest);
    assertThat(stats.maxSizeBytes()).isEqualTo(largest);
    List<Path> left = filesUnder(cache);
    assertThat(left).hasSizeLessThanOrEqualTo(1);
    assertThat(totalSize(left)).isLessThanOrEqualTo(largest);

    // An evicted module is compiled again by a new loader, and is right.
    Loader next = WasmLoader.builder().engine(Engine.COMPILER).diskCache(cache, largest).build();
    int hits = 0;
    for (String name : names) {
      next.load(wasm(name));
    }
    hits += (int) stats(next).hitCount();
    assertThat(hits).isLessThanOrEqualTo(1);
    assertThat(stats(next).missCount()).isGreaterThanOrEqualTo(names.length - 1);
    assertThat(next.load(wasm("fib")).call("fib", 20)).isEqualTo(6765L);
    assertThat(totalSize(filesUnder(cache))).isLessThanOrEqualTo(largest);
  }

  @Test
  void aBoundSmallerThanAnyEntryKeepsNothingOnDisk() throws Exception {
    Path cache = work.resolve("zero");
    Loader loader = WasmLoader.builder().engine(Engine.COMPILER).diskCache(cache, 0).build();
    assertThat(loader.load(wasm("fib")).call("fib", 20)).isEqualTo(6765L);
    assertThat(stats(loader).writeCount()).isZero();
    assertThat(stats(loader).entryCount()).isZero();
    assertThat(filesUnder(cache)).isEmpty();
  }

  /** Inverts 16 bytes in the middle of {@code file}, leaving its size alone. */
  private static void flipBytes(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int middle = bytes.length / 2;
    for (int i = middle; i < middle + 16 && i < bytes.length; i++) {
      bytes[i] = (byte) ~bytes[i];
    }
    Files.write(file, bytes);
  }

  private static Path newestFile(Path dir) throws IOException {
    Path newest = null;
    for (Path file : filesUnder(dir)) {
      if (newest == null
          || Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(newest)) > 0) {
        newest = file;
      }
    }
    return newest;
  }
}
