package dev.wasmhost.internal;

import dev.wasmhost.InvalidCallException;
import dev.wasmhost.Loader;
import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.SubsystemVersion;
import dev.wasmhost.WasmModule;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry. Registration and closing take this object's lock; lookups read a concurrent map;
 * everything per subsystem is in {@link RegisteredSubsystem}. {@link #order} keeps subsystems in a
 * dependency-respecting order (dependencies first), so closing walks it backwards.
 */
final class ChicoryRegistry implements Registry {
  private static final Logger log = LoggerFactory.getLogger("dev.wasmhost.registry");

  private final Loader loader;
  private final Duration drainTimeout;
  private final Map<String, RegisteredSubsystem> subsystems = new ConcurrentHashMap<>();
  private final List<RegisteredSubsystem> order = new CopyOnWriteArrayList<>();
  private final List<Consumer<RegistryEvent>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  ChicoryRegistry(Loader loader, Duration drainTimeout) {
    this.loader = Objects.requireNonNull(loader, "loader");
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
  }

  LoadedModule loadModule(URI uri) {
    return internal(loader.load(uri));
  }

  LoadedModule loadModule(byte[] bytes) {
    return internal(loader.load(bytes));
  }

  private static LoadedModule internal(WasmModule module) {
    if (!(module instanceof ModuleHandle)) {
      throw new IllegalArgumentException("a registry needs a loader from wasm-host-core, got " + module.getClass());
    }
    return ((ModuleHandle) module).core();
  }

  @Override
  public void register(String id, SubsystemDefinition definition) {
    registerAll(Map.of(Objects.requireNonNull(id, "id"), Objects.requireNonNull(definition, "definition")));
  }

  @Override
  public synchronized void registerAll(Map<String, SubsystemDefinition> definitions) {
    checkOpen();
    Map<String, SubsystemDefinition> batch = new LinkedHashMap<>(definitions);
    for (Map.Entry<String, SubsystemDefinition> entry : batch.entrySet()) {
      String id = Objects.requireNonNull(entry.getKey(), "id");
      Objects.requireNonNull(entry.getValue(), "definition of " + id);
      if (id.isEmpty()) {
        throw new IllegalArgumentException("a subsystem id must not be empty");
      }
      if (subsystems.containsKey(id)) {
        throw new IllegalArgumentException("subsystem '" + id + "' is already registered");
      }
      for (String dependency : entry.getValue().dependencies()) {
        if (!subsystems.containsKey(dependency) && !batch.containsKey(dependency)) {
          throw new IllegalArgumentException(
              "subsystem '" + id + "' depends on '" + dependency + "', which is not registered");
        }
      }
    }
    for (String id : topologicalOrder(batch)) {
      List<RegisteredSubsystem> dependencies = new ArrayList<>();
      for (String dependency : batch.get(id).dependencies()) {
        dependencies.add(subsystems.get(dependency));
      }
      RegisteredSubsystem subsystem = new RegisteredSubsystem(id, batch.get(id), dependencies, this);
      subsystems.put(id, subsystem);
      order.add(subsystem);
    }
  }

  /**
   * The batch's ids with dependencies first, or an {@link IllegalArgumentException} naming a cycle.
   * Ids already registered cannot be part of a cycle: their dependencies were fixed before.
   */
  private static List<String> topologicalOrder(Map<String, SubsystemDefinition> batch) {
    List<String> sorted = new ArrayList<>();
    Set<String> done = new HashSet<>();
    Map<String, Integer> onPath = new HashMap<>();
    Deque<String> path = new ArrayDeque<>();
    for (String id : batch.keySet()) {
      visit(id, batch, done, onPath, path, sorted);
    }
    return sorted;
  }

  private static void visit(
      String id,
      Map<String, SubsystemDefinition> batch,
      Set<String> done,
      Map<String, Integer> onPath,
      Deque<String> path,
      List<String> sorted) {
    if (done.contains(id) || !batch.containsKey(id)) {
      return;
    }
    if (onPath.containsKey(id)) {
      List<String> cycle = new ArrayList<>(path).subList(onPath.get(id), path.size());
      throw new IllegalArgumentException(
          "dependency cycle: " + String.join(" -> ", cycle) + " -> " + id);
    }
    onPath.put(id, path.size());
    path.addLast(id);
    for (String dependency : batch.get(id).dependencies()) {
      visit(dependency, batch, done, onPath, path, sorted);
    }
    path.removeLast();
    onPath.remove(id);
    done.add(id);
    sorted.add(id);
  }

  @Override
  public Set<String> ids() {
    return Collections.unmodifiableSet(new java.util.TreeSet<>(subsystems.keySet()));
  }

  private RegisteredSubsystem subsystem(String id) {
    checkOpen();
    RegisteredSubsystem subsystem = subsystems.get(Objects.requireNonNull(id, "id"));
    if (subsystem == null) {
      throw RegisteredSubsystem.unknown(id, subsystems.keySet());
    }
    return subsystem;
  }

  @Override
  public SubsystemVersion resolve(String id) {
    return subsystem(id).resolve().version;
  }

  @Override
  public Optional<SubsystemVersion> version(String id) {
    SubsystemRuntime runtime = subsystem(id).current();
    return runtime == null ? Optional.empty() : Optional.of(runtime.version);
  }

  @Override
  public Object call(String id, String function, Object... args) {
    return subsystem(id).call(function, args);
  }

  @Override
  public <T> T function(String id, String function, Class<T> shape) {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(shape, "shape");
    return subsystem(id).handle(function, shape);
  }

  @Override
  public SubsystemVersion replace(String id, URI source) {
    return replace(id, SubsystemDefinition.Source.of(Objects.requireNonNull(source, "source")));
  }

  @Override
  public SubsystemVersion replace(String id, byte[] bytes) {
    return replace(id, SubsystemDefinition.Source.of(Objects.requireNonNull(bytes, "bytes")));
  }

  private SubsystemVersion replace(String id, SubsystemDefinition.Source source) {
    RegisteredSubsystem subsystem = subsystem(id);
    SubsystemRuntime[] oldAndNew = subsystem.replace(source);
    subsystem.drain(oldAndNew[0], drainTimeout);
    return oldAndNew[1].version;
  }

  /** Subsystems that declare {@code subsystem} as a dependency. */
  List<RegisteredSubsystem> dependentsOf(RegisteredSubsystem subsystem) {
    List<RegisteredSubsystem> dependents = new ArrayList<>();
    for (RegisteredSubsystem candidate : order) {
      if (candidate.dependencies.contains(subsystem)) {
        dependents.add(candidate);
      }
    }
    return dependents;
  }

  @Override
  public void addListener(Consumer<RegistryEvent> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  void fire(RegistryEvent event) {
    loader.config().metrics().registryEvent(event);
    if (event.type() == RegistryEvent.Type.SWAPPED && FlightEvents.active()) {
      FlightEvents.HotSwap swap = new FlightEvents.HotSwap();
      if (swap.isEnabled()) {
        swap.subsystem = event.id();
        swap.version = event.version().number();
        swap.digest = event.version().digest();
        swap.commit();
      }
    }
    for (Consumer<RegistryEvent> listener : listeners) {
      try {
        listener.accept(event);
      } catch (RuntimeException e) {
        log.warn("registry listener {} failed on {}", listener, event, e);
      }
    }
  }

  InvalidCallException closedError() {
    return new InvalidCallException("the registry is closed");
  }

  private void checkOpen() {
    if (closed) {
      throw closedError();
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int i = order.size() - 1; i >= 0; i--) {
      order.get(i).close();
    }
  }

  @Override
  public String toString() {
    return "Registry" + ids() + (closed ? " (closed)" : "");
  }
}
