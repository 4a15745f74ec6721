package dev.wasmhost.internal;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.InvalidException;
import com.dylibso.chicory.wasm.MalformedException;
import com.dylibso.chicory.wasm.Parser;
import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.wasmhost.CacheStats;
import dev.wasmhost.DiskCacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.InvalidModuleException;
import dev.wasmhost.LoadException;
import dev.wasmhost.Loader;
import dev.wasmhost.LoaderConfig;
import dev.wasmhost.WasmModule;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loader: reads bytes, and decodes and compiles each distinct module once.
 *
 * <p>The cache maps a digest to a future of its module. The first thread to ask for a digest inserts
 * an incomplete future and then decodes and compiles on its own thread, outside any lock; threads
 * asking for the same digest meanwhile wait on that future. A failed future is removed by Caffeine,
 * so a failure caches nothing and the next load tries again. Cache maintenance runs on the calling
 * thread: the loader starts no threads.
 */
final class ChicoryLoader implements Loader {
  private static final Logger log = LoggerFactory.getLogger("dev.wasmhost.loader");

  /** Background compilations at once: half the processors, at least one. */
  static final int COMPILER_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  /**
   * Everything besides the module that changes the compiled classes; part of the disk cache key, so
   * a change here only causes misses, never wrong code.
   */
  static final String COMPILE_OPTIONS = "maxFunctionsPerClass=default;fallback=SILENT";

  private final LoaderConfig config;
  private final AsyncCache<String, LoadedModule> cache;
  private final DiskCache diskCache;
  private final DeepStackCalls deepStack;
  private volatile ThreadPoolExecutor compilers;

  ChicoryLoader(LoaderConfig config) {
    this.config = config;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(config.maxCacheBytes())
            .weigher((String digest, LoadedModule module) -> (int) Math.min(Integer.MAX_VALUE, module.sizeBytes()))
            .executor(Runnable::run)
            .recordStats()
            .buildAsync();
    this.diskCache =
        config.diskCacheDirectory() == null
            ? null
            : new DiskCache(config.diskCacheDirectory(), config.diskCacheMaxBytes());
    this.deepStack = config.callStackSize() > 0 ? new DeepStackCalls(config.callStackSize()) : null;
  }

  @Override
  public WasmModule load(URI uri) {
    Objects.requireNonNull(uri, "uri");
    byte[] bytes = Sources.read(uri, config.httpTimeout());
    return load(bytes, Digests.sha256(bytes), uri.toString());
  }

  @Override
  public WasmModule load(URI uri, String expectedDigest) {
    Objects.requireNonNull(uri, "uri");
    String expected = Digests.normalize(Objects.requireNonNull(expectedDigest, "expectedDigest"));
    byte[] bytes = Sources.read(uri, config.httpTimeout());
    String actual = Digests.sha256(bytes);
    if (!actual.equals(expected)) {
      throw new LoadException("cannot load " + uri + ": digest mismatch: expected " + expected + ", got " + actual);
    }
    return load(bytes, actual, uri.toString());
  }

  @Override
  public WasmModule load(Path path) {
    Objects.requireNonNull(path, "path");
    String label = path.toUri().toString();
    byte[] bytes = Sources.readFile(path, label);
    return load(bytes, Digests.sha256(bytes), label);
  }

  @Override
  public WasmModule load(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    byte[] copy = bytes.clone();
    return load(copy, Digests.sha256(copy), "bytes");
  }

  private WasmModule load(byte[] bytes, String digest, String source) {
    Flight mine = new Flight();
    CompletableFuture<LoadedModule> future = cache.get(digest, (key, executor) -> mine);
    if (future == mine) {
      try {
        mine.complete(decode(bytes, digest, source));
      } catch (RuntimeException | Error e) {
        mine.fail(e);
        throw e;
      }
    } else if (log.isDebugEnabled()) {
      log.debug("module {} ({}) found in cache", source, Digests.shortForm(digest));
    }
    try {
      return future.join();
    } catch (CancellationException e) {
      // Another thread's compilation of the same bytes failed: report the same error here.
      Throwable failure = ((Flight) future).failure;
      if (failure instanceof RuntimeException) {
        throw (RuntimeException) failure;
      }
      throw (Error) failure;
    }
  }

  /**
   * The future of one compilation. A failure cancels it rather than completing it exceptionally:
   * Caffeine still drops the entry and counts a load failure, but does not log the exception as
   * unexpected, and waiters read the failure from here.
   */
  private static final class Flight extends CompletableFuture<LoadedModule> {
    volatile Throwable failure;

    void fail(Throwable e) {
      failure = e;
      cancel(false);
    }
  }

  private LoadedModule decode(byte[] bytes, String digest, String source) {
    long start = System.nanoTime();
    String label = LoadedModule.label(source, digest);
    com.dylibso.chicory.wasm.WasmModule module;
    ModuleShape shape;
    try {
      module = Parser.parse(bytes);
      shape = new ModuleShape(module);
    } catch (MalformedException e) {
      throw new InvalidModuleException("module " + label + " is malformed: " + e.getMessage(), e);
    } catch (InvalidException e) {
      throw new InvalidModuleException("module " + label + " is invalid: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      // The decoder reports some truncations and bad counts as plain runtime exceptions.
      throw new InvalidModuleException("module " + label + " is malformed: " + e, e);
    }
    log.debug("decoded module {} ({} bytes, {} functions) in {} ms", label, bytes.length, shape.functionCount,
        (System.nanoTime() - start) / 1_000_000);
    LoadedModule loaded =
        new LoadedModule(
            module,
            config.engine() == Engine.AUTO,
            shape,
            digest,
            source,
            bytes.length,
            config.imports(),
            deepStack);
    switch (config.engine()) {
      case COMPILER:
        compileNow(loaded, label);
        break;
      case AUTO:
        if (diskCache != null && diskCache.contains(COMPILE_OPTIONS, module.digest())) {
          compileNow(loaded, label); // only loads the cached classes: compiled from the first call
        } else {
          compilers().execute(() -> compileNow(loaded, label));
        }
        break;
      default:
        loaded.willNotCompile();
    }
    return loaded;
  }

  /**
   * Compiles {@code loaded} and hands it the factory, or leaves it on the interpreter (with a warning)
   * if Chicory's compiler fails: a module that decoded and validated is correct WebAssembly and runs.
   */
  private void compileNow(LoadedModule loaded, String label) {
    long start = System.nanoTime();
    Function<com.dylibso.chicory.runtime.Instance, Machine> factory;
    try {
      // SILENT: a function too large for one JVM method runs in the interpreter, without Chicory
      // printing to System.err; the rest of the module is still compiled.
      var compiler =
          MachineFactoryCompiler.builder(loaded.chicoryModule()).withInterpreterFallback(InterpreterFallback.SILENT);
      if (diskCache != null) {
        compiler.withCache(diskCache.forOptions(COMPILE_OPTIONS));
      }
      factory = compiler.compile();
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      log.warn("module {} could not be compiled, it will run in the interpreter: {}", label, e.toString());
      loaded.willNotCompile();
      return;
    }
    loaded.compiled(factory);
    log.info(
        "compiled module {} ({}, {} bytes, {} functions) in {} ms",
        label,
        Digests.shortForm(loaded.digest()),
        loaded.sizeBytes(),
        loaded.shape().functionCount,
        (System.nanoTime() - start) / 1_000_000);
  }

  /**
   * The loader's background compiler threads for {@link Engine#AUTO}: at most {@link
   * #COMPILER_THREADS}, daemon, created on first use and ended after 30 s idle, so an idle loader
   * holds no thread.
   */
  private ThreadPoolExecutor compilers() {
    ThreadPoolExecutor executor = compilers;
    if (executor == null) {
      synchronized (this) {
        executor = compilers;
        if (executor == null) {
          AtomicInteger count = new AtomicInteger();
          executor =
              new ThreadPoolExecutor(
                  COMPILER_THREADS,
                  COMPILER_THREADS,
                  30,
                  TimeUnit.SECONDS,
                  new LinkedBlockingQueue<>(),
                  task -> {
                    Thread thread = new Thread(task, "wasm-host-compiler-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                  });
          executor.allowCoreThreadTimeOut(true);
          compilers = executor;
        }
      }
    }
    return executor;
  }

  @Override
  public CacheStats cacheStats() {
    var stats = cache.synchronous().stats();
    var policy = cache.synchronous().policy().eviction().orElseThrow();
    return new CacheStats(
        stats.hitCount(),
        stats.missCount(),
        stats.loadFailureCount(),
        stats.evictionCount(),
        cache.synchronous().estimatedSize(),
        policy.weightedSize().orElse(0),
        policy.getMaximum());
  }

  @Override
  public Optional<DiskCacheStats> diskCacheStats() {
    return diskCache == null ? Optional.empty() : Optional.of(diskCache.stats());
  }

  @Override
  public LoaderConfig config() {
    return config;
  }

  @Override
  public String toString() {
    return "Loader[" + config.engine() + ", " + cacheStats() + "]";
  }
}
