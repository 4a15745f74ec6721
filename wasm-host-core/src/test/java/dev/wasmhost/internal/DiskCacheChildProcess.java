package dev.wasmhost.internal;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * A child JVM for {@link DiskCacheMultiProcessTest}: warms up, says it is ready, waits for the go
 * file so that every child starts at the same moment, then works on the shared directory.
 *
 * <p>Usage: {@code DiskCacheChildProcess compile|hammer <dir> <readyFile> <goFile> <children>}. Exit
 * status 0 means every check passed.
 */
public final class DiskCacheChildProcess {
  private DiskCacheChildProcess() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path dir = Path.of(args[1]);
    Path ready = Path.of(args[2]);
    Path go = Path.of(args[3]);

    // Load the compiler's classes before the race, so the children reach the cache together.
    WasmModule warm = DiskCacheFixtures.module("numbers");
    DiskCacheFixtures.call(warm, DiskCacheFixtures.compile(warm, new NoCache()), "add", 1, 2);
    WasmModule module = DiskCacheFixtures.module("fib");

    Files.createFile(ready);
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!Files.exists(go)) {
      if (System.nanoTime() > deadline) {
        System.err.println("no go file within 30 s");
        System.exit(3);
      }
      Thread.onSpinWait();
    }

    if (mode.equals("compile")) {
      DiskCache cache = new DiskCache(dir, DiskCacheFixtures.BIG);
      Cache racing = new MissTogether(cache.forOptions("race"), ready, Integer.parseInt(args[4]));
      long fib = DiskCacheFixtures.call(module, DiskCacheFixtures.compile(module, racing), "fib", 20);
      System.out.println("RESULT " + fib + " " + cache.stats());
      System.exit(fib == 6765 && cache.stats().corruptCount() == 0 ? 0 : 1);
    } else {
      // Small bound: the JVMs evict each other's entries while reading them.
      DiskCache cache = new DiskCache(dir, 40_000);
      Cache view = cache.forOptions("hammer");
      ThreadLocalRandom random = ThreadLocalRandom.current();
      int bad = 0;
      for (int i = 0; i < 300; i++) {
        String key = "key-" + random.nextInt(24);
        byte[] expected = DiskCacheFixtures.payloadFor(key, 6_000);
        if (random.nextBoolean()) {
          view.putIfAbsent(key, expected);
        } else {
          byte[] got = view.get(key);
          if (got != null && !Arrays.equals(got, expected)) {
            bad++;
          }
        }
      }
      System.out.println("RESULT bad=" + bad + " " + cache.stats());
      System.exit(bad == 0 && cache.stats().corruptCount() == 0 ? 0 : 2);
    }
  }

  /**
   * Holds each child after its miss until every child has missed (or a few seconds pass), so they all
   * compile and then write the same entry at the same moment, rather than the first one writing
   * before the others have looked: the test modules compile in milliseconds.
   */
  private static final class MissTogether implements Cache {
    private final Cache delegate;
    private final Path ready;
    private final int children;

    MissTogether(Cache delegate, Path ready, int children) {
      this.delegate = delegate;
      this.ready = ready;
      this.children = children;
    }

    @Override
    public byte[] get(String key) throws IOException {
      byte[] bytes = delegate.get(key);
      if (bytes == null) {
        Files.createFile(ready.resolveSibling(ready.getFileName() + ".missed"));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline && missed() < children) {
          Thread.onSpinWait();
        }
      }
      return bytes;
    }

    private long missed() throws IOException {
      try (Stream<Path> files = Files.list(ready.getParent())) {
        return files.filter(p -> p.getFileName().toString().endsWith(".missed")).count();
      }
    }

    @Override
    public void putIfAbsent(String key, byte[] data) throws IOException {
      delegate.putIfAbsent(key, data);
    }
  }

  private static final class NoCache implements Cache {
    @Override
    public byte[] get(String key) {
      return null;
    }

    @Override
    public void putIfAbsent(String key, byte[] data) {}
  }
}
