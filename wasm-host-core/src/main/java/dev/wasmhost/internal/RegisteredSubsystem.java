package dev.wasmhost.internal;

import dev.wasmhost.ExternKind;
import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.LinkException;
import dev.wasmhost.ModuleImport;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.SubsystemException;
import dev.wasmhost.SubsystemVersion;
import dev.wasmhost.WasmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subsystem of a {@link ChicoryRegistry}.
 *
 * <p>{@link #current} is the version new calls run on; it is written only under this object's lock
 * (bring-up, swap, close) and read without one on every call. Each calling thread has a {@link
 * ThreadSlot} holding its own instance of the version it last ran; a slot whose version is no longer
 * current is rebound on its thread's next call, which is how calls move to a new version.
 */
final class RegisteredSubsystem {
  private static final Logger log = LoggerFactory.getLogger("dev.wasmhost.registry");

  final String id;
  final SubsystemDefinition definition;
  final List<RegisteredSubsystem> dependencies;
  private final ChicoryRegistry registry;
  private volatile SubsystemRuntime current;
  private long lastVersionNumber;
  private final ThreadLocal<ThreadSlot> slots = ThreadLocal.withInitial(this::newSlot);
  private final ConcurrentLinkedQueue<ThreadSlot> allSlots = new ConcurrentLinkedQueue<>();
  private final Map<String, FunctionType> exportsInUse = new ConcurrentHashMap<>();
  private final Map<String, Integer> handleIndexes = new ConcurrentHashMap<>();
  private final AtomicInteger handleCount = new AtomicInteger();

  RegisteredSubsystem(
      String id, SubsystemDefinition definition, List<RegisteredSubsystem> dependencies, ChicoryRegistry registry) {
    this.id = id;
    this.definition = definition;
    this.dependencies = List.copyOf(dependencies);
    this.registry = registry;
  }

  private ThreadSlot newSlot() {
    ThreadSlot slot = new ThreadSlot();
    allSlots.add(slot);
    return slot;
  }

  /** The running version, or null if never brought up. */
  SubsystemRuntime current() {
    SubsystemRuntime runtime = current;
    return runtime == SubsystemRuntime.CLOSED ? null : runtime;
  }

  SubsystemRuntime resolve() {
    SubsystemRuntime runtime = current;
    if (runtime != null && runtime != SubsystemRuntime.CLOSED) {
      return runtime;
    }
    synchronized (this) {
      runtime = current;
      if (runtime == SubsystemRuntime.CLOSED) {
        throw registry.closedError();
      }
      if (runtime == null) {
        runtime = bringUp();
        current = runtime;
      }
      return runtime;
    }
  }

  private SubsystemRuntime bringUp() {
    WasmException failure;
    try {
      for (RegisteredSubsystem dependency : dependencies) {
        dependency.resolve();
      }
      SubsystemRuntime runtime = build(definition.source(), false);
      lastVersionNumber = runtime.version.number();
      log.info("subsystem {} resolved as {}", id, runtime.version);
      registry.fire(new RegistryEvent(RegistryEvent.Type.RESOLVED, id, runtime.version, null));
      return runtime;
    } catch (WasmException e) {
      failure = e;
    }
    if (definition.fallback().isPresent()) {
      try {
        SubsystemRuntime runtime = build(definition.fallback().get(), true);
        lastVersionNumber = runtime.version.number();
        log.warn("subsystem {} fell back to {}: {}", id, definition.fallback().get(), failure.getMessage());
        registry.fire(new RegistryEvent(RegistryEvent.Type.FELL_BACK, id, runtime.version, failure));
        return runtime;
      } catch (WasmException fallbackFailure) {
        failure.addSuppressed(fallbackFailure);
        registry.fire(new RegistryEvent(RegistryEvent.Type.FAILED, id, null, failure));
        throw new SubsystemException(
            id,
            "subsystem '" + id + "' cannot be brought up: " + failure.getMessage() + "; its fallback failed too: "
                + fallbackFailure.getMessage(),
            failure);
      }
    }
    registry.fire(new RegistryEvent(RegistryEvent.Type.FAILED, id, null, failure));
    throw new SubsystemException(id, "subsystem '" + id + "' cannot be brought up: " + failure.getMessage(), failure);
  }

  /**
   * Loads, links and test-instantiates {@code source} as the next version; changes nothing (the
   * caller commits it). Caller holds the lock.
   */
  private SubsystemRuntime build(SubsystemDefinition.Source source, boolean fallback) {
    Imports own = definition.imports();
    LoadedModule module;
    String digest;
    if (source.java() != null) {
      module = registry.loadModule(JavaModules.reexporting(source.java()));
      own = own.overriddenBy(JavaModules.asImports(source.java()));
      digest = "java";
    } else {
      module = source.uri() != null ? registry.loadModule(source.uri()) : registry.loadModule(source.bytes());
      digest = module.digest();
    }
    Imports imports = own.overriddenBy(dependencyImports(module));
    SubsystemVersion version = new SubsystemVersion(id, lastVersionNumber + 1, digest, fallback);
    // A Java fallback stands in for the module's exports only: there is nothing to initialise.
    String initializer = source.java() != null ? null : definition.initializer().orElse(null);
    SubsystemRuntime runtime =
        new SubsystemRuntime(
            version,
            module,
            imports,
            initializer,
            definition.callTimeout().map(java.time.Duration::toNanos).orElse(0L));
    runtime.newInstance().close(); // links, instantiates and initialises once, or throws
    return runtime;
  }

  /** Host functions forwarding this module's imports from its dependencies to their current versions. */
  private Imports dependencyImports(LoadedModule module) {
    if (dependencies.isEmpty()) {
      return Imports.empty();
    }
    Imports.Builder forwarders = Imports.builder();
    List<String> problems = new ArrayList<>();
    for (ModuleImport imp : module.imports()) {
      RegisteredSubsystem dependency = dependency(imp.module());
      if (dependency == null || imp.kind() != ExternKind.FUNCTION) {
        continue;
      }
      SubsystemRuntime runtime = dependency.current();
      ModuleShape.FunctionExport export =
          runtime == null ? null : runtime.module.shape().functionExports.get(imp.name());
      if (export == null) {
        problems.add("subsystem '" + imp.module() + "' does not export " + imp);
      } else if (!export.type().equals(imp.functionType())) {
        problems.add(
            "mismatched func " + imp.module() + "." + imp.name() + ": expected " + imp.functionType()
                + ", subsystem '" + imp.module() + "' exports " + export.type());
      } else {
        String name = imp.name();
        forwarders.add(HostFunction.of(imp.module(), name, imp.functionType(), (caller, args) -> dependency.forward(name, args)));
      }
    }
    if (!problems.isEmpty()) {
      throw new LinkException(
          "subsystem '" + id + "' cannot be linked to its dependencies:\n  " + String.join("\n  ", problems));
    }
    return forwarders.build();
  }

  private RegisteredSubsystem dependency(String id) {
    for (RegisteredSubsystem dependency : dependencies) {
      if (dependency.id.equals(id)) {
        return dependency;
      }
    }
    return null;
  }

  /** The calling thread's slot, bound to the current version. */
  ThreadSlot slot() {
    ThreadSlot slot = slots.get();
    SubsystemRuntime runtime = current;
    if (slot.version != runtime || runtime == null) {
      rebind(slot, runtime);
    }
    return slot;
  }

  private void rebind(ThreadSlot slot, SubsystemRuntime runtime) {
    if (runtime == SubsystemRuntime.CLOSED) {
      throw registry.closedError();
    }
    if (runtime == null) {
      runtime = resolve();
    }
    LiveInstance retired = slot.instance;
    slot.instance = runtime.newInstance();
    if (retired != null && slot.idle()) {
      retired.close(); // unless this thread is inside a call on it (a re-entrant call)
    }
    slot.ops = new Object[Math.max(4, handleCount.get())];
    slot.version = runtime;
  }

  Object call(String function, Object... args) {
    ThreadSlot slot = slot();
    boolean outermost = slot.enter();
    try {
      return slot.instance.call(function, args);
    } catch (WasmException e) {
      slot.afterFailure();
      throw e;
    } finally {
      slot.exit(outermost);
    }
  }

  /** A dependent's import: runs on this thread's instance of this subsystem's current version. */
  long[] forward(String export, long[] args) {
    ThreadSlot slot = slot();
    boolean outermost = slot.enter();
    try {
      return slot.instance.handle(export).apply(args);
    } catch (WasmException e) {
      slot.afterFailure();
      throw e;
    } finally {
      slot.exit(outermost);
    }
  }

  /** The current version: null before the first resolve, {@link SubsystemRuntime#CLOSED} after close. */
  SubsystemRuntime currentOrClosed() {
    return current;
  }

  /**
   * The pin of handle {@code index} on {@code slot}'s instance (its typed op, bound on first use).
   * Owner thread only.
   */
  RegistryHandles.Pin pin(ThreadSlot slot, int index, String function, Class<?> shape) {
    Object[] ops = slot.ops;
    if (index < ops.length) {
      Object pin = ops[index];
      if (pin != null) {
        return (RegistryHandles.Pin) pin;
      }
    } else {
      ops = Arrays.copyOf(ops, Math.max(index + 1, ops.length * 2));
      slot.ops = ops;
    }
    ExportHandle export = slot.instance.handle(function);
    TypedHandles.check(export, shape);
    RegistryHandles.Pin pin =
        new RegistryHandles.Pin(slot, slot.instance, slot.version, export);
    ops[index] = pin;
    return pin;
  }

  /** A thread-safe handle; checks the shape now, on the calling thread's instance. */
  <T> T handle(String function, Class<T> shape) {
    int index = handleIndexes.computeIfAbsent(function + '\u0000' + shape.getName(), key -> handleCount.getAndIncrement());
    // Under the lock, so that no swap can slip in between checking the export and recording it.
    synchronized (this) {
      ThreadSlot slot = slot();
      pin(slot, index, function, shape); // throws InvalidCallException for a missing export or a wrong shape
      exportsInUse.put(function, slot.version.module.shape().functionExports.get(function).type());
    }
    return RegistryHandles.bind(this, index, function, shape);
  }

  /** Swaps to {@code source}; returns the retired and the new version. Draining is the caller's. */
  synchronized SubsystemRuntime[] replace(SubsystemDefinition.Source source) {
    SubsystemRuntime old = resolve();
    SubsystemRuntime next = build(source, false);
    List<String> problems = incompatibilities(next.module);
    if (!problems.isEmpty()) {
      throw new LinkException(
          "cannot replace subsystem '" + id + "' with " + source + ": the new module is incompatible ("
              + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + "):\n  "
              + String.join("\n  ", problems));
    }
    lastVersionNumber = next.version.number();
    current = next;
    old.retired = true;
    log.info("subsystem {} swapped from {} to {}", id, old.version, next.version);
    registry.fire(new RegistryEvent(RegistryEvent.Type.SWAPPED, id, next.version, null));
    return new SubsystemRuntime[] {old, next};
  }

  /** What the new module lacks of the exports that handles and resolved dependents use. */
  private List<String> incompatibilities(LoadedModule candidate) {
    Map<String, ModuleShape.FunctionExport> offered = candidate.shape().functionExports;
    Map<String, String> needs = new java.util.TreeMap<>();
    Map<String, FunctionType> types = new java.util.TreeMap<>();
    exportsInUse.forEach(
        (name, type) -> {
          needs.merge(name, "a handle", (a, b) -> a + ", " + b);
          types.put(name, type);
        });
    for (RegisteredSubsystem dependent : registry.dependentsOf(this)) {
      SubsystemRuntime runtime = dependent.current();
      if (runtime == null) {
        continue;
      }
      for (ModuleImport imp : runtime.module.imports()) {
        if (imp.module().equals(id) && imp.kind() == ExternKind.FUNCTION) {
          needs.merge(imp.name(), "subsystem '" + dependent.id + "'", (a, b) -> a + ", " + b);
          types.put(imp.name(), imp.functionType());
        }
      }
    }
    List<String> problems = new ArrayList<>();
    needs.forEach(
        (name, users) -> {
          ModuleShape.FunctionExport export = offered.get(name);
          FunctionType needed = types.get(name);
          if (export == null) {
            problems.add("missing export func " + name + ": " + needed + " (used by " + users + ")");
          } else if (!export.type().equals(needed)) {
            problems.add(
                "export func " + name + " changed from " + needed + " to " + export.type() + " (used by " + users + ")");
          }
        });
    return problems;
  }

  /** Waits until no thread is in a call on {@code old}, at most {@code timeout}. */
  void drain(SubsystemRuntime old, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    ThreadSlot mine = slots.get();
    while (true) {
      allSlots.removeIf(slot -> !slot.ownerAlive());
      List<Thread> busy =
          allSlots.stream()
              .filter(slot -> slot != mine && slot.busyOn(old))
              .map(slot -> slot.owner.get())
              .filter(thread -> thread != null)
              .collect(Collectors.toList());
      if (busy.isEmpty()) {
        break;
      }
      if (System.nanoTime() - deadline > 0) {
        log.warn(
            "subsystem {} version {} still has calls running after {} on threads {}; retiring it anyway",
            id,
            old.version,
            timeout,
            busy.stream().map(Thread::getName).collect(Collectors.toList()));
        break;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.warn("interrupted while draining subsystem {} version {}; retiring it anyway", id, old.version);
        break;
      }
    }
    registry.fire(new RegistryEvent(RegistryEvent.Type.CLOSED, id, old.version, null));
  }

  synchronized void close() {
    SubsystemRuntime old = current;
    current = SubsystemRuntime.CLOSED;
    if (old != null) {
      old.retired = true;
    }
    if (old != null && old != SubsystemRuntime.CLOSED) {
      registry.fire(new RegistryEvent(RegistryEvent.Type.CLOSED, id, old.version, null));
    }
    allSlots.clear();
  }

  @Override
  public String toString() {
    return "Subsystem[" + id + "]";
  }

  static InvalidCallException unknown(String id, java.util.Collection<String> known) {
    return new InvalidCallException(
        "no subsystem '" + id + "' is registered (registered: "
            + (known.isEmpty() ? "none" : known.stream().sorted().collect(Collectors.joining(", "))) + ")");
  }
}
