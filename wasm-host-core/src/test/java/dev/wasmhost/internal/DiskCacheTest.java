package dev.wasmhost.internal;

import static dev.wasmhost.internal.DiskCacheFixtures.BIG;
import static dev.wasmhost.internal.DiskCacheFixtures.call;
import static dev.wasmhost.internal.DiskCacheFixtures.compile;
import static dev.wasmhost.internal.DiskCacheFixtures.compileAndAdd;
import static dev.wasmhost.internal.DiskCacheFixtures.filesEndingWith;
import static dev.wasmhost.internal.DiskCacheFixtures.module;
import static dev.wasmhost.internal.DiskCacheFixtures.payloadFor;
import static dev.wasmhost.internal.DiskCacheFixtures.totalSize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import dev.wasmhost.DiskCacheStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DiskCacheTest {
  @TempDir Path dir;

  // ---- round trip and keys ----

  @Test
  void secondInstanceOnTheSameDirectoryHitsAndTheCachedCodeRuns() {
    DiskCache first = new DiskCache(dir, BIG);
    assertThat(compileAndAdd(first, "x")).isEqualTo(5);
    assertThat(first.stats()).extracting(DiskCacheStats::missCount, DiskCacheStats::writeCount).containsExactly(1L, 1L);
    assertThat(first.stats().entryCount()).isEqualTo(1);
    assertThat(first.stats().sizeBytes()).isGreaterThan(DiskCache.HEADER_BYTES);

    DiskCache second = new DiskCache(dir, BIG);
    assertThat(second.stats().entryCount()).isEqualTo(1);
    WasmModule module = module("numbers");
    Function<Instance, Machine> factory = compile(module, second.forOptions("x"));
    assertThat(call(module, factory, "add", 40, 2)).isEqualTo(42);
    assertThat(call(module, factory, "const42")).isEqualTo(42);
    DiskCacheStats stats = second.stats();
    assertThat(stats.hitCount()).isEqualTo(1);
    assertThat(stats.missCount()).isZero();
    assertThat(stats.writeCount()).isZero();
    assertThat(stats.corruptCount()).isZero();
    assertThat(second.warningCount()).isZero();
    assertThat(filesEndingWith(second.entryDirectory(), ".tmp")).isEmpty();
  }

  @Test
  void theSameInstanceHitsOnItsOwnEntry() {
    DiskCache cache = new DiskCache(dir, BIG);
    compileAndAdd(cache, "x");
    compileAndAdd(cache, "x");
    assertThat(cache.stats()).extracting(DiskCacheStats::hitCount, DiskCacheStats::missCount, DiskCacheStats::writeCount)
        .containsExactly(1L, 1L, 1L);
  }

  @Test
  void differentOptionsOrADifferentModuleIsADifferentEntry() {
    DiskCache cache = new DiskCache(dir, BIG);
    compileAndAdd(cache, "fallback=SILENT");
    compileAndAdd(cache, "fallback=FAIL");
    WasmModule fib = module("fib");
    assertThat(call(fib, compile(fib, cache.forOptions("fallback=SILENT")), "fib", 20)).isEqualTo(6765);

    DiskCacheStats stats = cache.stats();
    assertThat(stats.hitCount()).isZero();
    assertThat(stats.missCount()).isEqualTo(3);
    assertThat(stats.writeCount()).isEqualTo(3);
    assertThat(stats.entryCount()).isEqualTo(3);
    assertThat(filesEndingWith(cache.entryDirectory(), ".bin")).hasSize(3);
    WasmModule numbers = module("numbers");
    assertThat(cache.entryPath("a", numbers.digest()))
        .isNotEqualTo(cache.entryPath("b", numbers.digest()))
        .isNotEqualTo(cache.entryPath("a", fib.digest()));
  }

  @Test
  void keyFieldsAreLengthPrefixedSoShiftingABoundaryChangesTheKey() {
    DiskCache cache = new DiskCache(dir, BIG);
    assertThat(cache.entryPath("ab", "c")).isNotEqualTo(cache.entryPath("a", "bc"));
  }

  @Test
  void putIfAbsentKeepsTheExistingEntry() throws IOException {
    DiskCache cache = new DiskCache(dir, BIG);
    Cache view = cache.forOptions("x");
    view.putIfAbsent("k", new byte[] {1, 2, 3});
    view.putIfAbsent("k", new byte[] {4, 5, 6, 7});
    assertThat(view.get("k")).containsExactly(1, 2, 3);
    assertThat(cache.stats().writeCount()).isEqualTo(1);
  }

  @Test
  void anEmptyPayloadRoundTrips() throws IOException {
    DiskCache cache = new DiskCache(dir, BIG);
    cache.forOptions("x").putIfAbsent("k", new byte[0]);
    assertThat(new DiskCache(dir, BIG).forOptions("x").get("k")).isEmpty();
  }

  // ---- corruption ----

  enum Damage {
    FLIP_PAYLOAD_BYTE,
    FLIP_LAST_BYTE,
    FLIP_MAGIC,
    FLIP_LENGTH,
    FLIP_CHECKSUM,
    TRUNCATE_PAYLOAD,
    TRUNCATE_HEADER,
    EMPTY,
    GARBAGE,
    EXTRA_BYTES,
    ANOTHER_KEYS_ENTRY
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aDamagedEntryIsDetectedDeletedCountedAndRecompiled(Damage damage) throws IOException {
    DiskCache writer = new DiskCache(dir, BIG);
    assertThat(compileAndAdd(writer, "x")).isEqualTo(5);
    Path entry = writer.entryPath("x", module("numbers").digest());
    assertThat(entry).isRegularFile();
    damage(entry, damage, writer);

    DiskCache reader = new DiskCache(dir, BIG);
    assertThat(compileAndAdd(reader, "x")).isEqualTo(5);
    DiskCacheStats stats = reader.stats();
    assertThat(stats.corruptCount()).isEqualTo(1);
    assertThat(stats.hitCount()).isZero();
    assertThat(stats.missCount()).isEqualTo(1);
    assertThat(stats.writeCount()).as("recompiled and written afresh").isEqualTo(1);
    assertThat(reader.warningCount()).as("one warning for the one corrupt entry").isEqualTo(1);

    // The fresh entry is whole: a third instance hits, and its code runs.
    DiskCache third = new DiskCache(dir, BIG);
    assertThat(compileAndAdd(third, "x")).isEqualTo(5);
    assertThat(third.stats().hitCount()).isEqualTo(1);
    assertThat(third.stats().corruptCount()).isZero();
    assertThat(third.warningCount()).isZero();
  }

  @Test
  void aCorruptEntryIsWarnedAboutOnceEvenWhenNotRewritten() throws IOException {
    DiskCache cache = new DiskCache(dir, BIG);
    Cache view = cache.forOptions("x");
    view.putIfAbsent("k", payloadFor("k", 5000));
    Path entry = cache.entryPath("x", "k");
    Files.write(entry, new byte[] {1, 2, 3});
    assertThat(view.get("k")).isNull();
    assertThat(entry).doesNotExist();
    assertThat(view.get("k")).isNull();
    assertThat(cache.stats().corruptCount()).isEqualTo(1);
    assertThat(cache.stats().missCount()).isEqualTo(2);
    assertThat(cache.warningCount()).isEqualTo(1);
  }

  private void damage(Path entry, Damage damage, DiskCache cache) throws IOException {
    byte[] bytes = Files.readAllBytes(entry);
    int header = DiskCache.HEADER_BYTES;
    switch (damage) {
      case FLIP_PAYLOAD_BYTE -> bytes[header + (bytes.length - header) / 2] ^= 0x10;
      case FLIP_LAST_BYTE -> bytes[bytes.length - 1] ^= 0x01;
      case FLIP_MAGIC -> bytes[0] ^= 0x01;
      case FLIP_LENGTH -> bytes[15] ^= 0x01;
      case FLIP_CHECKSUM -> bytes[60] ^= (byte) 0x80;
      case TRUNCATE_PAYLOAD -> bytes = Arrays.copyOf(bytes, bytes.length - 100);
      case TRUNCATE_HEADER -> bytes = Arrays.copyOf(bytes, 40);
      case EMPTY -> bytes = new byte[0];
      case GARBAGE -> new Random(1).nextBytes(bytes);
      case EXTRA_BYTES -> bytes = Arrays.copyOf(bytes, bytes.length + 7);
      case ANOTHER_KEYS_ENTRY -> {
        WasmModule fib = module("fib");
        compile(fib, cache.forOptions("x"));
        bytes = Files.readAllBytes(cache.entryPath("x", fib.digest()));
      }
    }
    Files.write(entry, bytes);
  }

  // ---- size bound and LRU ----

  private static final int PAYLOAD = 10_000;
  private static final int ENTRY = PAYLOAD + DiskCache.HEADER_BYTES;

  @Test
  void overTheBoundTheLeastRecentlyUsedEntryIsEvicted() throws IOException {
    DiskCache cache = new DiskCache(dir, 2 * ENTRY + ENTRY / 2);
    Cache view = cache.forOptions("x");
    view.putIfAbsent("a", new byte[PAYLOAD]);
    age(cache.entryPath("x", "a"), Duration.ofHours(3));
    view.putIfAbsent("b", new byte[PAYLOAD]);
    age(cache.entryPath("x", "b"), Duration.ofHours(2));
    assertThat(cache.stats().evictionCount()).isZero();

    view.putIfAbsent("c", new byte[PAYLOAD]);

    assertThat(cache.entryPath("x", "a")).as("oldest").doesNotExist();
    assertThat(cache.entryPath("x", "b")).exists();
    assertThat(cache.entryPath("x", "c")).exists();
    assertWithinBound(cache, 1, 2);
  }

  @Test
  void anEntryReadRecentlySurvivesAnOlderOne() throws IOException {
    DiskCache cache = new DiskCache(dir, 2 * ENTRY + ENTRY / 2);
    Cache view = cache.forOptions("x");
    view.putIfAbsent("a", new byte[PAYLOAD]);
    age(cache.entryPath("x", "a"), Duration.ofHours(3));
    view.putIfAbsent("b", new byte[PAYLOAD]);
    age(cache.entryPath("x", "b"), Duration.ofHours(2));

    // Another JVM's hit: a different instance on the same directory.
    assertThat(new DiskCache(dir, 2 * ENTRY + ENTRY / 2).forOptions("x").get("a")).hasSize(PAYLOAD);
    view.putIfAbsent("c", new byte[PAYLOAD]);

    assertThat(cache.entryPath("x", "a")).as("read recently").exists();
    assertThat(cache.entryPath("x", "b")).as("least recently used").doesNotExist();
    assertThat(cache.entryPath("x", "c")).exists();
    assertWithinBound(cache, 1, 2);
  }

  @Test
  void evictionDeletesAsManyAsNeededInAgeOrder() throws IOException {
    DiskCache big = new DiskCache(dir, BIG);
    Cache view = big.forOptions("x");
    for (int i = 0; i < 5; i++) {
      view.putIfAbsent("k" + i, new byte[PAYLOAD]);
      age(big.entryPath("x", "k" + i), Duration.ofHours(10 - i));
    }
    // A smaller bound, as after a configuration change: the scan at start enforces it.
    DiskCache small = new DiskCache(dir, 2 * ENTRY);
    assertThat(small.entryPath("x", "k0")).doesNotExist();
    assertThat(small.entryPath("x", "k1")).doesNotExist();
    assertThat(small.entryPath("x", "k2")).doesNotExist();
    assertThat(small.entryPath("x", "k3")).exists();
    assertThat(small.entryPath("x", "k4")).exists();
    assertWithinBound(small, 3, 2);
  }

  @Test
  void realCompiledEntriesAreEvictedToo() throws IOException {
    // Learn the three entries' sizes, then bound a fresh directory below their sum.
    DiskCache probe = new DiskCache(dir.resolve("probe"), BIG);
    compileAndAdd(probe, "x");
    long numbers = Files.size(probe.entryPath("x", module("numbers").digest()));
    WasmModule fib = module("fib");
    compile(fib, probe.forOptions("x"));
    long fibSize = Files.size(probe.entryPath("x", fib.digest()));
    WasmModule memory = module("memory");
    compile(memory, probe.forOptions("x"));
    long memorySize = Files.size(probe.entryPath("x", memory.digest()));

    long bound = numbers + fibSize + memorySize - 1;
    DiskCache cache = new DiskCache(dir.resolve("real"), bound);
    compileAndAdd(cache, "x");
    age(cache.entryPath("x", module("numbers").digest()), Duration.ofHours(1));
    compile(module("fib"), cache.forOptions("x"));
    compile(module("memory"), cache.forOptions("x"));
    assertThat(cache.entryPath("x", module("numbers").digest())).doesNotExist();
    assertWithinBound(cache, 1, 2);
    assertThat(compileAndAdd(cache, "x")).isEqualTo(5);
  }

  @Test
  void anEntryLargerThanTheBoundIsNotWritten() throws IOException {
    DiskCache cache = new DiskCache(dir, 1000);
    cache.forOptions("x").putIfAbsent("k", new byte[1000]);
    assertThat(cache.stats().writeCount()).isZero();
    assertThat(cache.warningCount()).isZero();
    assertThat(filesEndingWith(cache.entryDirectory(), ".bin")).isEmpty();
    assertThat(compileAndAdd(cache, "x")).isEqualTo(5);
  }

  @Test
  void staleTempFilesAreDeletedAndFreshOnesKept() throws IOException {
    Path entries = new DiskCache(dir, BIG).entryDirectory();
    Path stale = Files.write(entries.resolve("a".repeat(64) + ".123-abc.tmp"), new byte[10]);
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(DiskCache.TEMP_MAX_AGE).minusSeconds(60)));
    Path fresh = Files.write(entries.resolve("b".repeat(64) + ".456-def.tmp"), new byte[10]);
    Path unrelated = Files.write(entries.resolve("README"), new byte[10]);
    Files.setLastModifiedTime(unrelated, FileTime.from(Instant.now().minus(Duration.ofDays(1))));

    DiskCache cache = new DiskCache(dir, BIG);
    assertThat(stale).doesNotExist();
    assertThat(fresh).exists();
    assertThat(unrelated).exists();
    assertThat(cache.stats().entryCount()).isZero();
  }

  private static void age(Path entry, Duration age) throws IOException {
    Files.setLastModifiedTime(entry, FileTime.from(Instant.now().minus(age)));
  }

  private static void assertWithinBound(DiskCache cache, long evictions, long entries) {
    List<Path> files = filesEndingWith(cache.entryDirectory(), ".bin");
    DiskCacheStats stats = cache.stats();
    assertThat(stats.evictionCount()).isEqualTo(evictions);
    assertThat(files).hasSize((int) entries);
    assertThat(stats.entryCount()).isEqualTo(entries);
    assertThat(stats.sizeBytes()).isEqualTo(totalSize(files)).isLessThanOrEqualTo(stats.maxSizeBytes());
  }

  // ---- environmental failures ----

  @Test
  void aReadOnlyDirectoryDisablesTheCacheWithoutFailingCompilation() throws IOException {
    Path readOnly = Files.createDirectory(dir.resolve("ro"));
    Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
    Path cacheDir = readOnly;
    if (permissionsAreIgnored(readOnly)) {
      // Root writes anyway; a regular file where the directory should be stops root too.
      cacheDir = Files.write(dir.resolve("not-a-directory"), new byte[] {1});
    }
    assertDisabled(cacheDir);
  }

  @Test
  void aMissingDirectoryThatCannotBeCreatedDisablesTheCache() throws IOException {
    Path file = Files.write(dir.resolve("plain-file"), new byte[] {1});
    assertDisabled(file.resolve("cache").resolve("deeper"));
  }

  @Test
  void aMissingDirectoryIsCreated() {
    DiskCache cache = new DiskCache(dir.resolve("a/b/c"), BIG);
    assertThat(cache.enabled()).isTrue();
    assertThat(compileAndAdd(cache, "x")).isEqualTo(5);
    assertThat(cache.stats().writeCount()).isEqualTo(1);
  }

  private static void assertDisabled(Path cacheDir) {
    DiskCache cache = new DiskCache(cacheDir, BIG);
    assertThat(cache.enabled()).isFalse();
    assertThat(cache.warningCount()).isEqualTo(1);
    assertThat(compileAndAdd(cache, "x")).isEqualTo(5);
    assertThat(compileAndAdd(cache, "x")).isEqualTo(5);
    DiskCacheStats stats = cache.stats();
    assertThat(stats.writeCount()).isZero();
    assertThat(stats.hitCount()).isZero();
    assertThat(stats.missCount()).isEqualTo(2);
    assertThat(stats.entryCount()).isZero();
    assertThat(cache.warningCount()).as("still the one warning").isEqualTo(1);
  }

  @Test
  void aFailingWriteWarnsOnceAndNeverThrows() throws IOException {
    DiskCache cache = new DiskCache(dir, BIG);
    assertThat(cache.writable()).isTrue();
    // Like a full disk or a directory made read-only after start (which root would ignore): the
    // entry directory becomes a plain file, so every write fails with an IOException.
    Path entries = cache.entryDirectory();
    Files.delete(entries);
    Files.write(entries, new byte[] {1});

    assertThatCode(() -> cache.forOptions("x").putIfAbsent("k", new byte[100])).doesNotThrowAnyException();
    assertThat(cache.warningCount()).as("one warning for the failed write").isEqualTo(1);
    assertThat(compileAndAdd(cache, "x")).isEqualTo(5);
    // Reads fail here as well (the path is no directory), which is a second cause, warned about once.
    assertThat(cache.warningCount()).isEqualTo(2);
    assertThat(compileAndAdd(cache, "y")).isEqualTo(5);
    cache.forOptions("x").putIfAbsent("k2", new byte[100]);
    assertThat(cache.stats().writeCount()).isZero();
    assertThat(cache.stats().missCount()).isEqualTo(2);
    assertThat(cache.warningCount()).as("no more warnings for the same causes").isEqualTo(2);
  }

  private static boolean permissionsAreIgnored(Path readOnlyDir) {
    try {
      Files.delete(Files.createFile(readOnlyDir.resolve("probe")));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  // ---- threads ----

  @Test
  void hammerFromEightThreadsNeverReadsWrongBytes() throws Exception {
    long bound = 60_000;
    DiskCache cache = new DiskCache(dir, bound);
    Cache view = cache.forOptions("hammer");
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Callable<int[]>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        tasks.add(
            () -> {
              ThreadLocalRandom random = ThreadLocalRandom.current();
              int bad = 0;
              int found = 0;
              for (int i = 0; i < 250; i++) {
                String key = "key-" + random.nextInt(32);
                byte[] expected = payloadFor(key, 6_000);
                if (random.nextInt(3) == 0) {
                  view.putIfAbsent(key, expected);
                } else {
                  byte[] got = view.get(key);
                  if (got != null) {
                    found++;
                    if (!Arrays.equals(got, expected)) {
                      bad++;
                    }
                  }
                }
              }
              return new int[] {bad, found};
            });
      }
      int found = 0;
      for (Future<int[]> result : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
        int[] counts = result.get();
        assertThat(counts[0]).as("wrong bytes returned").isZero();
        found += counts[1];
      }
      DiskCacheStats stats = cache.stats();
      assertThat(found).isPositive();
      assertThat(stats.hitCount()).isEqualTo(found);
      assertThat(stats.corruptCount()).isZero();
      assertThat(stats.writeCount()).isPositive();
      assertThat(stats.evictionCount()).isPositive();
      assertThat(cache.warningCount()).isZero();
      assertThat(filesEndingWith(cache.entryDirectory(), ".tmp")).isEmpty();
      assertThat(totalSize(filesEndingWith(cache.entryDirectory(), ".bin"))).isLessThanOrEqualTo(bound);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theEntryFormatIsAsDocumented() throws Exception {
    // The documented layout, checked byte by byte, so a format change is a deliberate one.
    DiskCache cache = new DiskCache(dir, BIG);
    byte[] payload = payloadFor("k", 3000);
    cache.forOptions("x").putIfAbsent("k", payload);
    Path entry = cache.entryPath("x", "k");
    ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(entry));
    assertThat(bytes.getInt()).isEqualTo(0x57484443);
    assertThat(bytes.getInt()).isEqualTo(DiskCache.FORMAT_VERSION);
    assertThat(bytes.getLong()).isEqualTo(payload.length);
    byte[] key = new byte[32];
    bytes.get(key);
    assertThat(java.util.HexFormat.of().formatHex(key) + ".bin").isEqualTo(entry.getFileName().toString());
    byte[] checksum = new byte[32];
    bytes.get(checksum);
    assertThat(checksum).isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(payload));
    assertThat(bytes.remaining()).isEqualTo(payload.length);
    assertThat(entry.getParent().getFileName().toString()).isEqualTo("compiled-v" + DiskCache.FORMAT_VERSION);
    Path copy = Files.copy(entry, dir.resolve("copy"), StandardCopyOption.REPLACE_EXISTING);
    assertThat(Files.size(copy)).isEqualTo(DiskCache.HEADER_BYTES + payload.length);
  }
}
