package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.CompiledModule;
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
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
  /**
   * How long after loading AUTO starts compiling in the background if no call has returned by then;
   * the first call to return starts it sooner. Measured on 2 cores (FirstResultBenchmark): compiling
   * at once made fib's first result under AUTO 64 ms later than the interpreter's (268 vs 204 ms),
   * and a fixed 150 ms delay still left SQLite's up to 54 ms later, its compilation competing with
   * the instantiation and first calls.
   */
  static final long AUTO_COMPILE_MAX_DELAY_MILLIS = 1_000;

  private static final Logger log = LoggerFactory.getLogger("dev.wasmhost.loader");

  /** Background compilations at once: half the processors, at least one. */
  static final int COMPILER_THREADS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  /**
   * Everything besides the module that changes the compiled classes; part of the disk cache key, so
   * a change here only causes misses, never wrong code.
   */
  static final String COMPILE_OPTIONS = "maxFunctionsPerClass=default;fallback=SILENT;loops=checked";

  private final LoaderConfig config;
  /** The in-memory cache; see {@link #startUp}. */
  private final CompletableFuture<AsyncCache<String, ModuleHandle>> cache;
  private final DiskCache diskCache;
  private final DeepStackCalls deepStack;
  private final Observation observation;
  private volatile ThreadPoolExecutor compilers;

  ChicoryLoader(LoaderConfig config) {
    this.config = config;
    this.cache = startUp(config);
    this.diskCache =
        config.diskCacheDirectory() == null
            ? null
            : new DiskCache(config.diskCacheDirectory(), config.diskCacheMaxBytes());
    this.deepStack = config.callStackSize() > 0 ? new DeepStackCalls(config.callStackSize()) : null;
    this.observation = new Observation(config);
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

  @Override
  public WasmModule loadPrecompiled(Class<?> generatedClass) {
    Objects.requireNonNull(generatedClass, "generatedClass");
    String source = "class:" + generatedClass.getName();
    CompiledModule compiled;
    try {
      Object generated = generatedClass.getConstructor().newInstance();
      if (!(generated instanceof CompiledModule)) {
        throw new LoadException(
            "cannot load " + source + ": not a class generated by chicory-compiler-maven-plugin (it does not implement "
                + CompiledModule.class.getName() + ")");
      }
      compiled = (CompiledModule) generated;
    } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
      if (e instanceof LoadException) {
        throw (LoadException) e;
      }
      Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
      throw new LoadException("cannot load " + source + ": cannot instantiate it: " + cause, cause);
    }
    com.dylibso.chicory.wasm.WasmModule module;
    try {
      module = compiled.wasmModule();
    } catch (RuntimeException | LinkageError e) {
      throw new LoadException("cannot load " + source + ": its module metadata cannot be read: " + e, e);
    }
    String chicoryDigest = Digests.fromChicory(module.digest());
    // Without a usable digest from Chicory, the generated class itself identifies the module.
    String digest =
        chicoryDigest != null
            ? chicoryDigest
            : Digests.sha256(generatedClass.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    return cached(
        digest,
        source,
        () -> {
          LoadedModule loaded =
              // No bytes to look for GC instructions in: calls go through Chicory's export functions.
              newLoadedModule(module, false, false, new ModuleShape(module), digest, source, 0, null, 0);
          loaded.compiled(compiled.machineFactory());
          log.info("loaded precompiled module {} ({})", source, Digests.shortForm(digest));
          return new ModuleHandle(loaded);
        });
  }

  /** A module of this loader: its imports, deep-stack calls, limits and observers. */
  private LoadedModule newLoadedModule(
      com.dylibso.chicory.wasm.WasmModule module,
      boolean directCalls,
      boolean auto,
      ModuleShape shape,
      String digest,
      String source,
      long sizeBytes,
      String fuelGlobal,
      long fuelPerCall) {
    return new LoadedModule(
        module, directCalls, auto, shape, digest, source, sizeBytes, config.imports(), deepStack,
        defaultLimits(), observation, fuelGlobal, fuelPerCall);
  }

  private WasmModule load(byte[] bytes, String digest, String source) {
    return cached(digest, source, () -> decode(bytes, digest, source));
  }

  /** The cached module for {@code digest}, made by {@code decoder} on this thread if absent. */
  private WasmModule cached(String digest, String source, java.util.function.Supplier<ModuleHandle> decoder) {
    long start = System.nanoTime();
    FlightEvents.Load event = FlightEvents.active() ? new FlightEvents.Load() : null;
    if (event != null) {
      event.begin();
    }
    boolean[] decoded = {false};
    WasmModule module =
        cachedOrDecoded(
            digest,
            source,
            () -> {
              decoded[0] = true;
              return decoder.get();
            });
    boolean hit = !decoded[0];
    observation.metrics.moduleLoaded(((ModuleHandle) module).core().label(), hit, System.nanoTime() - start);
    if (event != null && event.isEnabled()) {
      event.cacheHit = hit;
      event.module = source;
      event.digest = digest;
      event.commit();
    }
    return module;
  }

  private WasmModule cachedOrDecoded(String digest, String source, java.util.function.Supplier<ModuleHandle> decoder) {
    Flight mine = new Flight();
    CompletableFuture<ModuleHandle> future = cache.join().get(digest, (key, executor) -> mine);
    if (future == mine) {
      try {
        mine.complete(decoder.get());
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
  private static final class Flight extends CompletableFuture<ModuleHandle> {
    volatile Throwable failure;

    void fail(Throwable e) {
      failure = e;
      cancel(false);
    }
  }

  private ModuleHandle decode(byte[] bytes, String digest, String source) {
    long start = System.nanoTime();
    String label = LoadedModule.label(source, digest);
    // Compiled code on disk, with its meta module: no need to decode the whole module.
    boolean diskLooked = false;
    if (diskCache != null && config.engine() != Engine.INTERPRETER && config.fuelPerCall() == 0) {
      ModuleHandle warm = warm(bytes, digest, source, label);
      if (warm != null) {
        return warm;
      }
      diskLooked = true;
    }
    com.dylibso.chicory.wasm.WasmModule module;
    ModuleShape shape;
    String impossible = SectionCounts.problem(bytes);
    if (impossible != null) {
      throw new InvalidModuleException("module " + label + " is malformed: " + impossible);
    }
    String fuelGlobal = null;
    CodeFeatures features;
    // The bytes the module runs: the original ones, or those rewritten for fuel metering and then
    // for interruptible loops (in that order, so that the inserted checks are not charged). One
    // module for every engine, so that AUTO's interpreter and compiled code run the same code.
    byte[] runs = bytes;
    boolean loopsUnchecked = false;
    try {
      // Rewritten before decoding, so that a module is decoded once (a second decode of a 1 MB module
      // costs hundreds of milliseconds on a cold JVM). The loop rewrite checks every size against the
      // bytes there are and throws on what it cannot follow; whenever Chicory rejects its result, the
      // original bytes are decoded to tell a malformed module from a rewrite's limit.
      features = CodeFeatures.of(bytes);
      if (config.fuelPerCall() > 0) {
        // Metering trusts the structure of what it rewrites, so it gets a validated module (and a
        // malformed one is reported as such): metered loaders decode twice.
        Parser.parse(bytes);
        FuelInstrumenter.Instrumented metered;
        try {
          metered = FuelInstrumenter.instrument(bytes, config.fuelPerCall());
        } catch (IllegalArgumentException e) {
          throw new InvalidModuleException("module " + label + " cannot be metered: " + e.getMessage(), e);
        }
        runs = metered.bytes();
        fuelGlobal = metered.fuelGlobal();
      }
      if (features.uncheckedLoops()) {
        try {
          runs = InterruptibleLoops.rewrite(runs);
        } catch (RuntimeException e) {
          log.debug("the loops of module {} could not be made interruptible: {}", label, e.toString());
          loopsUnchecked = true;
        }
      }
      try {
        module = Parser.parse(runs);
      } catch (RuntimeException | AssertionError e) {
        if (runs == bytes) {
          throw e;
        }
        module = Parser.parse(bytes); // throws if the module itself is malformed
        if (fuelGlobal != null) {
          throw new InvalidModuleException("module " + label + " cannot be metered: " + e, e);
        }
        log.warn("module {}: its loops could not be made interruptible ({}); it runs as it is", label, e.toString());
        runs = bytes;
        loopsUnchecked = true;
      }
      shape = new ModuleShape(module, fuelGlobal);
    } catch (MalformedException e) {
      throw new InvalidModuleException("module " + label + " is malformed: " + e.getMessage(), e);
    } catch (InvalidException e) {
      throw new InvalidModuleException("module " + label + " is invalid: " + e.getMessage(), e);
    } catch (InvalidModuleException e) {
      throw e;
    } catch (RuntimeException | AssertionError | StackOverflowError e) {
      // The decoder reports some truncations and bad counts as plain runtime exceptions, and some
      // malformed bodies trip its assertions when the JVM runs with -ea.
      throw new InvalidModuleException("module " + label + " is malformed: " + e, e);
    } catch (OutOfMemoryError e) {
      throw new InvalidModuleException(
          "module " + label + " declares sizes too large to decode (" + e.getMessage() + ")", e);
    }
    log.debug("decoded module {} ({} bytes, {} functions) in {} ms", label, bytes.length, shape.functionCount,
        (System.nanoTime() - start) / 1_000_000);
    // The disk cache entry is keyed by the original digest (which warm() looks up) unless the module
    // is fuel-metered, whose entry is keyed by the bytes compiled and holds no meta module (warm()
    // does not serve metered loaders). The meta module comes from the bytes compiled: the functions
    // Chicory leaves to the interpreter inside compiled code need the loop checks too.
    String compiledDigest = fuelGlobal == null ? digest : Digests.sha256(runs);
    byte[] metaSource = fuelGlobal == null ? runs : null;
    LoadedModule loaded =
        newLoadedModule(
            module, !features.gcInstructions(), config.engine() == Engine.AUTO, shape, digest, source,
            bytes.length, fuelGlobal, config.fuelPerCall());
    loaded.diskDigest(compiledDigest);
    Engine engine = config.engine();
    if (engine != Engine.COMPILER && features.tailCalls()) {
      log.warn(
          "module {} uses tail calls, which Chicory's interpreter runs without checking for interruption"
              + " (so no deadline could stop a loop of them): it runs compiled",
          label);
      engine = Engine.COMPILER;
    } else if (engine != Engine.COMPILER && loopsUnchecked && defaultLimits().callTimeoutNanos() > 0) {
      log.info(
          "module {} has loops that Chicory's interpreter repeats without checking for interruption"
              + " (a br_if or br_table back to the loop), which could not be rewritten to check: it runs"
              + " compiled, so that the call deadline holds",
          label);
      engine = Engine.COMPILER;
    }
    boolean looked = diskLooked;
    byte[] metaBytes = metaSource;
    switch (engine) {
      case COMPILER:
        warnAboutHugeMethods(label, digest, bytes, shape.functionCount);
        compileNow(loaded, label, metaSource, looked);
        break;
      case AUTO:
        if (!looked && diskCache != null && diskCache.contains(COMPILE_OPTIONS, compiledDigest)) {
          warnAboutHugeMethods(label, digest, bytes, shape.functionCount);
          compileNow(loaded, label, metaSource, false); // only loads the cached classes: compiled from the first call
        } else {
          // Started once the first call has its result: on a small machine, compiling (and the
          // huge-method check, which matters only to compiled code) competes with the interpreter
          // and the JVM's own warm-up for the cores.
          loaded.compileAfterFirstCall(
              () -> {
                warnAboutHugeMethods(label, digest, bytes, shape.functionCount);
                compileNow(loaded, label, metaBytes, looked);
              },
              compilers(),
              AUTO_COMPILE_MAX_DELAY_MILLIS);
        }
        break;
      default:
        loaded.willNotCompile();
    }
    return new ModuleHandle(loaded);
  }

  /**
   * Loads the module from its disk cache entry without decoding it whole: the entry's meta module is
   * decoded instead, its classes are defined, and the module is compiled from the start. Null if
   * there is no usable entry; an entry that is there but cannot be used is discarded (one warning,
   * counted as corrupt, deleted) so that the module is recompiled and the entry rewritten.
   */
  private ModuleHandle warm(byte[] bytes, String digest, String source, String label) {
    long start = System.nanoTime();
    byte[] payload = diskCache.get(COMPILE_OPTIONS, digest);
    if (payload == null) {
      return null;
    }
    FlightEvents.Compile event = FlightEvents.active() ? new FlightEvents.Compile() : null;
    if (event != null) {
      event.begin();
      event.module = label;
    }
    LoadedModule loaded;
    try {
      CompiledCode code = CompiledCode.fromBytes(payload);
      if (code.meta == null) {
        throw new IllegalArgumentException("the entry holds no meta module");
      }
      // Defining the classes (the verifier's work) and decoding the meta module are independent and
      // each a large part of a warm start: side by side, on a compiler thread and this one.
      CompletableFuture<Function<com.dylibso.chicory.runtime.Instance, Machine>> machines =
          CompletableFuture.supplyAsync(code::defineClasses, compilers());
      // Not validated again: the full module was when it was compiled, and the entry is checksummed.
      com.dylibso.chicory.wasm.WasmModule meta =
          Parser.builder().withValidation(false).build().parse(() -> new ByteArrayInputStream(code.meta));
      ModuleShape shape = new ModuleShape(meta, null);
      Function<com.dylibso.chicory.runtime.Instance, Machine> factory = CompiledCode.factory(meta, defined(machines));
      loaded =
          newLoadedModule(
              meta, code.directCalls, config.engine() == Engine.AUTO, shape, digest, source, bytes.length,
              null, 0);
      loaded.diskDigest(digest);
      loaded.compiled(factory);
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      diskCache.discard(COMPILE_OPTIONS, digest, "its compiled code cannot be used: " + e);
      return null;
    }
    observation.metrics.diskCacheLookup(label, true);
    warnAboutHugeMethods(label, digest, bytes, loaded.shape().functionCount);
    if (event != null) {
      event.functions = loaded.shape().functionCount;
      event.succeeded = true;
      event.commit();
    }
    observation.metrics.moduleCompiled(label, System.nanoTime() - start);
    log.info(
        "loaded compiled module {} ({}, {} bytes, {} functions) from the disk cache in {} ms",
        label,
        Digests.shortForm(digest),
        bytes.length,
        loaded.shape().functionCount,
        (System.nanoTime() - start) / 1_000_000);
    return new ModuleHandle(loaded);
  }

  /**
   * {@link HugeMethods#warnIfAffected}, on a compiler thread: it walks the whole module and, the first
   * time, asks the JVM for a flag through its management beans, 10-20 ms of a cold start that the
   * module's caller need not wait for.
   */
  private void warnAboutHugeMethods(String label, String digest, byte[] bytes, int functionCount) {
    if (HugeMethods.possible(bytes.length, functionCount)) { // else no thread for a small module
      compilers().execute(() -> HugeMethods.warnIfAffected(label, digest, bytes, functionCount));
    }
  }

  /** The classes defined by {@code machines}, rethrowing what defining them threw. */
  private static Function<com.dylibso.chicory.runtime.Instance, Machine> defined(
      CompletableFuture<Function<com.dylibso.chicory.runtime.Instance, Machine>> machines) {
    try {
      return machines.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      if (e.getCause() instanceof Error cause) {
        throw cause;
      }
      throw e;
    }
  }

  /**
   * Compiles {@code loaded}, or loads its classes from the disk cache, and hands it the factory, or
   * leaves it on the interpreter (with a warning) if Chicory's compiler fails: a module that decoded
   * and validated is correct WebAssembly and runs.
   *
   * @param bytes the bytes the module was decoded from, for the meta module a new disk cache entry
   *     holds; null for none
   * @param diskLooked whether the disk cache was just looked up for this module and had nothing
   *     usable, so it is not read again
   */
  private void compileNow(LoadedModule loaded, String label, byte[] bytes, boolean diskLooked) {
    long start = System.nanoTime();
    FlightEvents.Compile event = FlightEvents.active() ? new FlightEvents.Compile() : null;
    if (event != null) {
      event.begin();
      event.module = label;
      event.functions = loaded.shape().functionCount;
    }
    String diskDigest = loaded.diskDigest();
    boolean useDisk = diskCache != null && diskDigest != null;
    Function<com.dylibso.chicory.runtime.Instance, Machine> factory = null;
    if (useDisk && !diskLooked) {
      byte[] payload = diskCache.get(COMPILE_OPTIONS, diskDigest);
      if (payload != null) {
        try {
          factory = CompiledCode.fromBytes(payload).load(loaded.chicoryModule());
        } catch (RuntimeException | LinkageError | StackOverflowError e) {
          diskCache.discard(COMPILE_OPTIONS, diskDigest, "its compiled code cannot be used: " + e);
        }
      }
    }
    if (useDisk) {
      observation.metrics.diskCacheLookup(label, factory != null);
    }
    if (factory == null) {
      CompiledCode.Loaded compiled;
      try {
        // SILENT: a function too large for one JVM method runs in the interpreter, without Chicory
        // printing to System.err; the rest of the module is still compiled.
        compiled = CompiledCode.compile(loaded.chicoryModule(), bytes, loaded.directCalls());
      } catch (RuntimeException | LinkageError | StackOverflowError e) {
        log.warn("module {} could not be compiled, it will run in the interpreter: {}", label, e.toString());
        loaded.willNotCompile();
        if (event != null) {
          event.commit();
        }
        return;
      }
      factory = compiled.factory();
      if (useDisk && diskCache.writable()) {
        try {
          diskCache.putIfAbsent(COMPILE_OPTIONS, diskDigest, compiled.code().toBytes());
        } catch (RuntimeException e) {
          log.debug("compiled code of {} not written to the disk cache: {}", label, e.toString());
        }
      }
    }
    loaded.compiled(factory);
    if (event != null) {
      event.succeeded = true;
      event.commit();
    }
    observation.metrics.moduleCompiled(label, System.nanoTime() - start);
    log.info(
        "compiled module {} ({}, {} bytes, {} functions) in {} ms",
        label,
        Digests.shortForm(loaded.digest()),
        loaded.sizeBytes(),
        loaded.shape().functionCount,
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Whether a loader of this JVM has started up on a background thread. */
  private static final AtomicBoolean STARTED_IN_BACKGROUND = new AtomicBoolean();

  /**
   * Builds the in-memory cache. The first loader of a JVM does it on a short-lived daemon thread,
   * which then decodes a small module with every usual section: in a fresh JVM, Caffeine's classes
   * take about 50 ms to load and Chicory's decoder about 65 ms, and this overlaps both with the first
   * load's reading and hashing of its module, which needs the cache only after that. Later loaders,
   * and any on a single core, build their cache at once.
   */
  private static CompletableFuture<AsyncCache<String, ModuleHandle>> startUp(LoaderConfig config) {
    if (Runtime.getRuntime().availableProcessors() < 2 || !STARTED_IN_BACKGROUND.compareAndSet(false, true)) {
      return CompletableFuture.completedFuture(newCache(config));
    }
    CompletableFuture<AsyncCache<String, ModuleHandle>> cache = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                cache.complete(newCache(config));
              } catch (RuntimeException | Error e) {
                cache.completeExceptionally(e);
                return;
              }
              try (InputStream in = ChicoryLoader.class.getResourceAsStream("decoder-warmup.wasm")) {
                Parser.parse(Objects.requireNonNull(in, "decoder-warmup.wasm").readAllBytes());
              } catch (IOException | RuntimeException e) {
                log.debug("warming the decoder failed (only the first decode is slower): {}", e.toString());
              }
            },
            "wasm-host-startup");
    thread.setDaemon(true);
    thread.start();
    return cache;
  }

  private static AsyncCache<String, ModuleHandle> newCache(LoaderConfig config) {
    return Caffeine.newBuilder()
        .maximumWeight(config.maxCacheBytes())
        .weigher((String digest, ModuleHandle module) -> (int) Math.min(Integer.MAX_VALUE, module.sizeBytes()))
        .executor(Runnable::run)
        .recordStats()
        .buildAsync();
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

  private InstanceLimits defaultLimits() {
    return new InstanceLimits(config.callTimeout().toNanos(), config.maxMemoryPages());
  }

  @Override
  public CacheStats cacheStats() {
    var memory = cache.join().synchronous();
    var stats = memory.stats();
    var policy = memory.policy().eviction().orElseThrow();
    return new CacheStats(
        stats.hitCount(),
        stats.missCount(),
        stats.loadFailureCount(),
        stats.evictionCount(),
        memory.estimatedSize(),
        policy.weightedSize().orElse(0),
        policy.getMaximum());
  }

  @Override
  public boolean diskCacheHolds(WasmModule module) {
    return diskCache != null
        && module instanceof ModuleHandle
        && ((ModuleHandle) module).core().diskDigest() != null
        && diskCache.contains(COMPILE_OPTIONS, ((ModuleHandle) module).core().diskDigest());
  }

  /** The disk cache, or null; for tests. */
  DiskCache diskCache() {
    return diskCache;
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
