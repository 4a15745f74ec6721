package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.dylibso.chicory.compiler.Cache;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Any single damaged byte, and any truncation, is caught: a corrupt entry never reads back as bytes. */
class DiskCacheCorruptionPropertyTest {

  @Property(tries = 150)
  void anySingleByteChangeIsDetected(
      @ForAll @IntRange(min = 0, max = 3000) int payloadSize,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor)
      throws IOException {
    withCache(
        (cache, view, entry, payload) -> {
          byte[] bytes = Files.readAllBytes(entry);
          bytes[position % bytes.length] ^= (byte) xor;
          Files.write(entry, bytes);
          assertCaught(cache, view, entry, payload);
        },
        payloadSize);
  }

  @Property(tries = 100)
  void anyTruncationIsDetected(
      @ForAll @IntRange(min = 0, max = 3000) int payloadSize,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE - 1) int keep)
      throws IOException {
    withCache(
        (cache, view, entry, payload) -> {
          byte[] bytes = Files.readAllBytes(entry);
          Files.write(entry, Arrays.copyOf(bytes, keep % bytes.length));
          assertCaught(cache, view, entry, payload);
        },
        payloadSize);
  }

  private static void assertCaught(DiskCache cache, Cache view, Path entry, byte[] payload) throws IOException {
    assertThat(view.get("k")).isNull();
    assertThat(entry).doesNotExist();
    assertThat(cache.stats().corruptCount()).isEqualTo(1);
    assertThat(cache.warningCount()).isEqualTo(1);
    // And it heals: the next write is read back whole.
    view.putIfAbsent("k", payload);
    assertThat(view.get("k")).isEqualTo(payload);
  }

  interface Scenario {
    void run(DiskCache cache, Cache view, Path entry, byte[] payload) throws IOException;
  }

  private static void withCache(Scenario scenario, int payloadSize) throws IOException {
    Path dir = Files.createTempDirectory("diskcache-property");
    try {
      DiskCache cache = new DiskCache(dir, DiskCacheFixtures.BIG);
      Cache view = cache.forOptions("x");
      byte[] payload = Arrays.copyOf(DiskCacheFixtures.payloadFor("k", 3000), payloadSize);
      view.putIfAbsent("k", payload);
      scenario.run(cache, view, cache.entryPath("x", "k"), payload);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }
}
