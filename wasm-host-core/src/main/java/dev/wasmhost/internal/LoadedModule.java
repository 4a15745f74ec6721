package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.runtime.ImportValues;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.ChicoryException;
import com.dylibso.chicory.wasm.UnlinkableException;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.wasmhost.Engine;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.InstantiateException;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.LinkException;
import dev.wasmhost.LoaderConfig;
import dev.wasmhost.MemoryType;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.ModuleImport;
import dev.wasmhost.WasmException;
import dev.wasmhost.WasmModule;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A decoded module with its compiled machine factory (for {@link Engine#COMPILER}). Immutable apart
 * from the per-thread instances that serve {@link #call}; Chicory's factory works only with the exact
 * {@link com.dylibso.chicory.wasm.WasmModule} it was compiled from, so the two are kept together here.
 */
final class LoadedModule {
  private final com.dylibso.chicory.wasm.WasmModule module;
  private final boolean directCalls;
  /** Null until compiled code is available; set once. */
  private volatile Function<com.dylibso.chicory.runtime.Instance, Machine> compiledFactory;
  /** Completes with true once compiled, false if this module will stay on the interpreter. */
  private final CompletableFuture<Boolean> compilation = new CompletableFuture<>();
  private final Function<com.dylibso.chicory.runtime.Instance, Machine> autoFactory;
  private final ModuleShape shape;
  private final String digest;
  private final String source;
  private final String label;
  private final long sizeBytes;
  private final Imports loaderImports;
  private final DeepStackCalls deepStack;
  private final InstanceLimits defaultLimits;
  private final Observation observation;
  private final String fuelGlobal;
  private final long fuelPerCall;
  /**
   * The SHA-256 of the bytes compiled (the module's, or its fuel-metered rewrite's), which keys its
   * disk cache entry; null for modules never compiled from bytes (precompiled classes).
   */
  private volatile String diskDigest;
  /** Starts the compilation {@link #compileAfterFirstCall} holds back; null once started. */
  private final AtomicReference<Runnable> pendingCompile = new AtomicReference<>();
  /** The public module object, weakly: instances reach this core, never the object owning them. */
  private java.lang.ref.WeakReference<WasmModule> handle = new java.lang.ref.WeakReference<>(null);

  /**
   * A module that runs in the interpreter until {@link #compiled} is called, and for good after
   * {@link #willNotCompile}. With {@code auto}, instances created before compilation completes
   * switch to compiled code on their next call.
   */
  LoadedModule(
      com.dylibso.chicory.wasm.WasmModule module,
      boolean directCalls,
      boolean auto,
      ModuleShape shape,
      String digest,
      String source,
      long sizeBytes,
      Imports loaderImports,
      DeepStackCalls deepStack,
      InstanceLimits defaultLimits,
      Observation observation,
      String fuelGlobal,
      long fuelPerCall) {
    this.module = module;
    this.directCalls = directCalls;
    this.autoFactory = auto ? instance -> new AutoMachine(instance, this) : null;
    this.shape = shape;
    this.digest = digest;
    this.source = source;
    this.label = label(source, digest);
    this.sizeBytes = sizeBytes;
    this.loaderImports = loaderImports;
    this.deepStack = deepStack;
    this.defaultLimits = defaultLimits;
    this.observation = observation;
    this.fuelGlobal = fuelGlobal;
    this.fuelPerCall = fuelPerCall;
  }

  /**
   * True when exports may be called on the machine directly, skipping Chicory's export wrapper and
   * its GC safe point: the code has no GC instructions, so a call allocates nothing to sweep.
   */
  boolean directCalls() {
    return directCalls;
  }

  com.dylibso.chicory.wasm.WasmModule chicoryModule() {
    return module;
  }

  String diskDigest() {
    return diskDigest;
  }

  void diskDigest(String digest) {
    diskDigest = digest;
  }

  Function<com.dylibso.chicory.runtime.Instance, Machine> compiledFactory() {
    return compiledFactory;
  }

  /** Compiled code is ready: new calls of every instance run it. */
  void compiled(Function<com.dylibso.chicory.runtime.Instance, Machine> factory) {
    compiledFactory = factory;
    compilation.complete(true);
  }

  /**
   * Starts {@code compile} on {@code executor} when a call in the interpreter returns, or after
   * {@code maxDelayMillis} if none has by then, whichever is first; once. Compiling competes with
   * the interpreter for the cores, so it waits for the first result, but not for ever: a module may
   * be loaded long before it is called, or its first call may run for minutes.
   */
  void compileAfterFirstCall(Runnable compile, Executor executor, long maxDelayMillis) {
    pendingCompile.set(() -> executor.execute(compile));
    CompletableFuture.delayedExecutor(maxDelayMillis, TimeUnit.MILLISECONDS, executor)
        .execute(this::startPendingCompile);
  }

  /** A call in the interpreter returned: start the compilation waiting for one, if any. */
  void interpretedCallReturned() {
    if (compilePending()) {
      startPendingCompile();
    }
  }

  /** Whether a compilation is held back for {@link #compileAfterFirstCall}. */
  boolean compilePending() {
    return pendingCompile.get() != null;
  }

  private void startPendingCompile() {
    Runnable start = pendingCompile.getAndSet(null);
    if (start != null) {
      start.run();
    }
  }

  /** This module stays on the interpreter. */
  void willNotCompile() {
    compilation.complete(false);
  }

  /** How a module is named in messages: its source, or a short digest if it came from bytes. */
  static String label(String source, String digest) {
    return source.equals("bytes") ? Digests.shortForm(digest) : source;
  }

  String label() {
    return label;
  }

  ModuleShape shape() {
    return shape;
  }

  ModuleShape.FunctionExport functionExport(String name) {
    ModuleShape.FunctionExport export = shape.functionExports.get(name);
    if (export == null) {
      throw new InvalidCallException(missingExportMessage(name));
    }
    return export;
  }

  private String missingExportMessage(String name) {
    boolean nonFunction = shape.exports.stream().anyMatch(e -> e.name().equals(name));
    if (nonFunction) {
      return "module " + label + ": export '" + name + "' is not a function";
    }
    String functions =
        shape.functionExports.keySet().stream().sorted().collect(Collectors.joining(", "));
    return "module " + label + " has no function export '" + name + "' (function exports: "
        + (functions.isEmpty() ? "none" : functions) + ")";
  }

  public String digest() {
    return digest;
  }

  public String source() {
    return source;
  }

  public long sizeBytes() {
    return sizeBytes;
  }

  public Engine engine() {
    return compiledFactory != null ? Engine.COMPILER : Engine.INTERPRETER;
  }

  public boolean awaitCompiled(Duration timeout) {
    if (compiledFactory != null) {
      return true;
    }
    try {
      return compilation.get(LiveInstance.saturatedNanos(timeout), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  public List<ModuleExport> exports() {
    return shape.exports;
  }

  public List<ModuleImport> imports() {
    return shape.imports;
  }

  public Optional<MemoryType> memory() {
    return shape.memory;
  }

  /** The exported fuel counter's name, or null if this module is not metered. */
  String fuelGlobal() {
    return fuelGlobal;
  }

  long fuelPerCall() {
    return fuelPerCall;
  }

  DeepStackCalls deepStack() {
    return deepStack;
  }

  Observation observation() {
    return observation;
  }

  InstanceLimits defaultLimits() {
    return defaultLimits;
  }

  void attach(WasmModule publicModule) {
    handle = new java.lang.ref.WeakReference<>(publicModule);
  }

  /** The public module, if it is still in use. */
  WasmModule handle() {
    return handle.get();
  }

  /**
   * A new instance. {@code publicModule} is what its {@link LiveInstance#module()} returns; null for
   * instances wasm-host keeps to itself (per-thread and registry instances), which must not hold
   * the public module strongly, so that a module nobody uses can be collected with them.
   */
  LiveInstance instantiate(Imports imports, InstanceLimits limits, WasmModule publicModule) {
    long start = System.nanoTime();
    FlightEvents.Instantiate event = FlightEvents.active() ? new FlightEvents.Instantiate() : null;
    if (event != null) {
      event.begin();
    }
    LiveInstance instance = new LiveInstance(this, publicModule, limits);
    ImportValues importValues = Linker.link(this, loaderImports.overriddenBy(imports), instance);
    com.dylibso.chicory.runtime.Instance.Builder builder =
        com.dylibso.chicory.runtime.Instance.builder(module)
            .withImportValues(importValues)
            // A WASI command's _start is the program itself: it runs when called, not on instantiation.
            .withStart(false)
            // Chicory's recommendation on OpenJDK: a plain byte array is faster than a ByteBuffer.
            .withMemoryFactory(ByteArrayMemory::new);
    shape.memory.filter(memory -> !memory.imported()).ifPresent(memory -> {
      if (memory.initialPages() > limits.maxMemoryPages()) {
        throw new InstantiateException(
            "module " + label + " cannot be instantiated: its memory starts at " + memory.initialPages()
                + (memory.initialPages() == 1 ? " page" : " pages") + ", more than the limit of "
                + limits.maxMemoryPages() + " pages");
      }
      int maximum = Math.min(memory.maximumPages().orElse(LoaderConfig.MAX_MEMORY_PAGES), limits.maxMemoryPages());
      builder.withMemoryLimits(new MemoryLimits(memory.initialPages(), maximum));
    });
    Function<com.dylibso.chicory.runtime.Instance, Machine> factory = compiledFactory;
    if (factory == null && autoFactory != null) {
      // Read again after isDone: compilation may have completed between the two reads.
      factory = compilation.isDone() ? compiledFactory : autoFactory;
    }
    if (factory != null) {
      builder.withMachineFactory(factory);
    }
    try {
      // The start function is guest code too: it runs under the instance's deadline.
      instance.attachIfAbsent(
          limits.callTimeoutNanos() > 0 && module.startSection().isPresent()
              ? Deadlines.within(limits.callTimeoutNanos(), label, "start", builder::build)
              : builder.build());
    } catch (dev.wasmhost.CallTimeoutException e) {
      throw e;
    } catch (UnlinkableException e) {
      throw new LinkException("module " + label + " cannot be linked: " + e.getMessage(), e);
    } catch (RuntimeException | StackOverflowError e) {
      throw instantiationFailure(e);
    }
    observation.metrics.instantiated(label, System.nanoTime() - start);
    if (event != null && event.isEnabled()) {
      event.module = label;
      event.commit();
    }
    return instance;
  }

  /**
   * Says whether instantiation failed in the start function (a trap, a host function's exception, a
   * stack overflow) or before it (a data segment that does not fit, memory that cannot be allocated).
   */
  private InstantiateException instantiationFailure(Throwable failure) {
    boolean inStart = module.startSection().isPresent() && raisedByGuestCode(failure);
    if (inStart) {
      WasmException reason = Failures.callFailure(label, "start", failure);
      String message = reason.getMessage();
      String detail = message.substring(message.indexOf("trapped: ") + "trapped: ".length());
      return new InstantiateException(
          "module " + label + " cannot be instantiated: its start function trapped: " + detail,
          reason.getCause() != null ? reason.getCause() : reason);
    }
    String detail =
        failure instanceof ChicoryException
            ? failure.getMessage()
            : "its memory or tables could not be set up: " + failure;
    return new InstantiateException("module " + label + " cannot be instantiated: " + detail, failure);
  }

  private static boolean raisedByGuestCode(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof com.dylibso.chicory.runtime.TrapException
          || t instanceof HostFunctionFailure
          || t instanceof StackOverflowError
          || "call stack exhausted".equals(t.getMessage())) {
        return true;
      }
    }
    return false;
  }

  public String toString() {
    return "WasmModule[" + label + ", " + digest + ", " + engine() + "]";
  }
}
