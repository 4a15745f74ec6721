package dev.wasmhost.internal;

import dev.wasmhost.Engine;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.MemoryType;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.ModuleImport;
import dev.wasmhost.WasmException;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The public module: a {@link LoadedModule} plus the per-thread instances that serve {@link #call}.
 *
 * <p>The thread-local lives here and the instances it holds refer only to the {@link LoadedModule},
 * never to this object. So once the loader's cache and the application drop a module, nothing
 * strong reaches its thread-local, whose entries in every thread are then cleared like any other
 * dead thread-local's. (Were the instances to reach the thread-local, each thread would keep every
 * module it ever called alive.)
 */
final class ModuleHandle implements WasmModule {
  /** One daemon thread for the JVM, shared by every module. */
  private static final java.lang.ref.Cleaner CLEANER =
      java.lang.ref.Cleaner.create(
          task -> {
            Thread thread = new Thread(task, "wasm-host-cleaner");
            thread.setDaemon(true);
            return thread;
          });

  private final LoadedModule core;
  /** {@code core.deepStack()}, read once: the per-call check is then one field. */
  private final DeepStackCalls deepStack;
  private final ThreadLocal<Slot> perThread;
  private final java.util.Queue<Slot> slots = new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** A thread's instance. The thread's map may keep the slot a while after the module is gone; not its instance. */
  private static final class Slot {
    LiveInstance instance;
  }

  ModuleHandle(LoadedModule core) {
    this.core = core;
    this.deepStack = core.deepStack();
    core.attach(this);
    java.util.Queue<Slot> registered = slots;
    this.perThread =
        ThreadLocal.withInitial(
            () -> {
              Slot slot = new Slot();
              registered.add(slot);
              return slot;
            });
    // Once this module is unreachable, empty every thread's slot: no thread can be in a call on it
    // then (a call keeps the module reachable), and the instances go at once rather than whenever
    // each thread's thread-local map gets round to its stale entries.
    CLEANER.register(this, () -> registered.forEach(slot -> slot.instance = null));
  }

  /**
   * The thread that called last, with its slot and the instance it had then: immutable, so racing
   * threads see a whole triple. The instance is only used while it has not trapped.
   */
  private record LastCaller(Thread thread, Slot slot, LiveInstance instance) {}

  /** Skips the thread-local lookup while one thread makes call after call. */
  private LastCaller lastCaller;

  private LiveInstance instanceForThisThread() {
    LastCaller last = lastCaller;
    if (last != null && last.thread == Thread.currentThread() && !last.instance.trapped()) {
      return last.instance;
    }
    return instanceForNewCaller();
  }

  /**
   * The slow path, kept out of {@link #instanceForThisThread} so that the hot path stays small enough
   * for HotSpot to inline {@link #call} into its callers (and remove their argument arrays).
   */
  private LiveInstance instanceForNewCaller() {
    Slot slot = perThread.get();
    LiveInstance instance = slot.instance;
    if (instance == null) {
      instance = core.instantiate(Imports.empty(), core.defaultLimits(), null);
      slot.instance = instance;
    }
    lastCaller = new LastCaller(Thread.currentThread(), slot, instance);
    return instance;
  }

  LoadedModule core() {
    return core;
  }

  @Override
  public String digest() {
    return core.digest();
  }

  @Override
  public String source() {
    return core.source();
  }

  @Override
  public long sizeBytes() {
    return core.sizeBytes();
  }

  @Override
  public Engine engine() {
    return core.engine();
  }

  @Override
  public boolean awaitCompiled(Duration timeout) {
    return core.awaitCompiled(timeout);
  }

  @Override
  public List<ModuleExport> exports() {
    return core.exports();
  }

  @Override
  public List<ModuleImport> imports() {
    return core.imports();
  }

  @Override
  public Optional<MemoryType> memory() {
    return core.memory();
  }

  @Override
  public Object call(String function, Object... args) {
    if (deepStack != null) {
      return callHere(0, function, args);
    }
    LiveInstance instance = instanceForThisThread();
    try {
      return instance.handle(function).call(args);
    } catch (WasmException e) {
      throw afterFailure(instance, e);
    }
  }

  @Override
  public Object callWithTimeout(Duration timeout, String function, Object... args) {
    return callHere(LiveInstance.positiveNanos(timeout), function, args);
  }

  /**
   * Runs on the calling thread's instance, with its own deadline if {@code timeoutNanos} > 0. With a
   * deep stack configured, the instance is still the caller's (so state stays per calling thread);
   * only the running moves to a deep-stack thread, while the caller waits. A call made from a
   * deep-stack thread (a host function calling back) runs where it is, so nested calls never wait
   * for a free one.
   */
  private Object callHere(long timeoutNanos, String function, Object[] args) {
    LiveInstance instance = instanceForThisThread();
    try {
      if (deepStack == null || DeepStackCalls.onDeepStack()) {
        return callOn(instance, timeoutNanos, function, args);
      }
      return deepStack.run(() -> callOn(instance, timeoutNanos, function, args));
    } catch (WasmException e) {
      throw afterFailure(instance, e);
    }
  }

  private WasmException afterFailure(LiveInstance instance, WasmException e) {
    if (instance.trapped()) {
      // Its memory and globals may be half-updated: the thread's next call gets a fresh instance.
      perThread.get().instance = null;
    }
    return e;
  }

  private static Object callOn(LiveInstance instance, long timeoutNanos, String function, Object[] args) {
    ExportHandle handle = instance.handle(function);
    return timeoutNanos > 0 ? handle.callWithTimeout(timeoutNanos, args) : handle.call(args);
  }

  @Override
  public long lastCallFuel() {
    return core.fuelGlobal() == null ? -1 : instanceForThisThread().lastCallFuel();
  }

  @Override
  public Instance instantiate() {
    return instantiate(Imports.empty());
  }

  @Override
  public Instance instantiate(Imports imports) {
    return core.instantiate(imports, core.defaultLimits(), this);
  }

  @Override
  public InstancePool newPool(InstancePool.Config config) {
    return new ChicoryInstancePool(core, this, config);
  }

  @Override
  public String toString() {
    return core.toString();
  }
}
