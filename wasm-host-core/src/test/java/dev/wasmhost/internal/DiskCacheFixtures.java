package dev.wasmhost.internal;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Shared by the disk cache tests and the child processes they start. */
final class DiskCacheFixtures {
  static final long BIG = 64L << 20;

  private DiskCacheFixtures() {}

  /** Parses a test module; a fresh object each time, as a factory only works with its own module. */
  static WasmModule module(String name) {
    try (InputStream in = DiskCacheFixtures.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("no test module " + name);
      }
      return Parser.parse(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles the way the loader does, through the given cache view. */
  static Function<Instance, Machine> compile(WasmModule module, Cache cache) {
    return MachineFactoryCompiler.builder(module)
        .withInterpreterFallback(InterpreterFallback.SILENT)
        .withCache(cache)
        .compile();
  }

  static long call(WasmModule module, Function<Instance, Machine> factory, String export, long... args) {
    Instance instance = Instance.builder(module).withMachineFactory(factory).build();
    return instance.export(export).apply(args)[0];
  }

  /** Compiles numbers.wasm through the cache and checks the code works: add(2, 3) == 5. */
  static long compileAndAdd(DiskCache cache, String options) {
    WasmModule module = module("numbers");
    return call(module, compile(module, cache.forOptions(options)), "add", 2, 3);
  }

  /** The bytes every writer stores under {@code key}: deterministic, so any reader can check them. */
  static byte[] payloadFor(String key, int maxSize) {
    Random random = new Random(key.hashCode() * 31L + 7);
    byte[] bytes = new byte[1 + random.nextInt(maxSize)];
    random.nextBytes(bytes);
    byte[] tag = key.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(tag, 0, bytes, 0, Math.min(tag.length, bytes.length));
    return bytes;
  }

  static List<Path> filesEndingWith(Path dir, String suffix) {
    if (dir == null || !Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long totalSize(List<Path> files) {
    long total = 0;
    for (Path file : files) {
      try {
        total += Files.size(file);
      } catch (IOException e) {
        // deleted meanwhile
      }
    }
    return total;
  }
}
