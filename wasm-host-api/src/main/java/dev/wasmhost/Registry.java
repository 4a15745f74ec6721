package dev.wasmhost;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Named WebAssembly subsystems, declared up front and brought up lazily, in dependency order, on
 * first use; with fallbacks, and modules swapped while calls are in flight.
 *
 * <pre>{@code
 * Registry registry = Registry.builder().loader(loader).build();
 * registry.register("tax", SubsystemDefinition.builder(URI.create("classpath:/tax.wasm")).build());
 * registry.register("pricing", SubsystemDefinition.builder(URI.create("classpath:/pricing.wasm"))
 *     .dependsOn("tax")                      // pricing.wasm imports "tax"."rate"
 *     .build());
 *
 * Object price = registry.call("pricing", "price", 100);        // resolves tax, then pricing
 * IntUnaryOperator p = registry.function("pricing", "price", IntUnaryOperator.class);
 * registry.replace("tax", URI.create("classpath:/tax-2027.wasm")); // p now reaches the new tax code
 * }</pre>
 *
 * <p><b>Registration</b> checks at once what it can: an id registered twice, a dependency that is
 * not registered, and a dependency cycle are {@link IllegalArgumentException}s naming the ids (the
 * whole cycle, for a cycle). {@link #registerAll} takes definitions that depend on each other in any
 * order; {@link #register} takes one whose dependencies are already registered.
 *
 * <p><b>Resolving</b> loads, links and instantiates a subsystem and its dependencies. Nothing is
 * loaded before it is resolved; concurrent first resolves of one id bring it up once. If that fails
 * and the definition has a fallback, the fallback is used (a {@code FELL_BACK} event, and a warning
 * in the log); without one, a {@link SubsystemException} names the subsystem and the cause. A
 * failure is not remembered: the next resolve or call tries again, at once and as often as it is
 * asked (there is no back-off).
 *
 * <p><b>Calls</b> through {@link #call} and through handles from {@link #function} are thread-safe
 * like {@link WasmModule#call}: each thread runs on its own instance of the subsystem's current
 * version, and state persists per thread and version. A handle always reaches the current version.
 *
 * <p><b>Hot swap.</b> {@link #replace} loads the new module, checks that it exports every function
 * that dependents import and that handles were taken for, with the same signatures (otherwise a
 * {@link LinkException} lists the differences and nothing changes), checks that it instantiates,
 * then switches atomically: calls already running finish on the old version, later calls run on the
 * new one, none fails because of the swap. Dependents reach the new exports with no relinking step
 * of their own, because their imports of a dependency always go to its current version. {@code
 * replace} then waits for calls on the old version to finish, at most the drain timeout (logging the
 * threads still running on it if it runs out), and reports the old version {@code CLOSED}.
 *
 * <p><b>Closing</b> retires subsystems in reverse dependency order (a {@code CLOSED} event each);
 * then resolving, calling and replacing throw {@link InvalidCallException}.
 */
public interface Registry extends AutoCloseable {

  /** A builder for a registry; by default it loads through {@link WasmLoader#defaultLoader()}. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Declares subsystem {@code id}. Its dependencies must already be registered.
   *
   * @throws IllegalArgumentException if {@code id} is taken, or a dependency is unknown or is
   *     {@code id} itself
   */
  void register(String id, SubsystemDefinition definition);

  /**
   * Declares several subsystems at once, which may depend on each other and on those already
   * registered. All or nothing: on an error none is registered.
   *
   * @throws IllegalArgumentException if an id is taken, a dependency is unknown, or the dependencies
   *     form a cycle (the message lists it, e.g. {@code a -> b -> c -> a})
   */
  void registerAll(Map<String, SubsystemDefinition> definitions);

  /** The registered ids. */
  Set<String> ids();

  /**
   * Brings subsystem {@code id} up if it is not yet, dependencies first, and returns its version.
   *
   * @throws SubsystemException if it (or a dependency) cannot be brought up and has no fallback
   * @throws InvalidCallException if {@code id} is not registered or the registry is closed
   */
  SubsystemVersion resolve(String id);

  /** The running version of {@code id}, or empty if it has not been brought up. */
  Optional<SubsystemVersion> version(String id);

  /**
   * Calls {@code function} of subsystem {@code id}, resolving it first if needed. Arguments and
   * results are as for {@link Instance#call}.
   */
  Object call(String id, String function, Object... args);

  /**
   * A thread-safe typed handle on {@code function} of subsystem {@code id} (shapes as for {@link
   * Instance#function(String, Class)}), resolving it first. The handle follows swaps; taking it also
   * makes later swaps check that {@code function} keeps its signature.
   */
  <T> T function(String id, String function, Class<T> shape);

  /**
   * Swaps subsystem {@code id} to the module at {@code source}, resolving it first if needed.
   *
   * @return the new version
   * @throws LinkException if the new module lacks an export in use or changes its signature
   */
  SubsystemVersion replace(String id, URI source);

  /** Swaps subsystem {@code id} to a module of these bytes; see {@link #replace(String, URI)}. */
  SubsystemVersion replace(String id, byte[] bytes);

  /**
   * Adds a listener for events of every subsystem. Listeners run on the thread that caused the event;
   * an exception from a listener is logged and otherwise ignored.
   */
  void addListener(Consumer<RegistryEvent> listener);

  /** Retires every subsystem in reverse dependency order. Idempotent. */
  @Override
  void close();

  /** Settings for a registry; each checked when set, each settable once. Not thread-safe. */
  final class Builder {
    private Loader loader;
    private Duration drainTimeout;

    Builder() {}

    /** The loader that loads every subsystem's module; the default loader unless set. */
    public Builder loader(Loader loader) {
      this.loader = Checks.once("loader", loader, this.loader);
      return this;
    }

    /** How long {@link Registry#replace} waits for calls on the old version; 10 seconds unless set. */
    public Builder drainTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative()) {
        throw new IllegalArgumentException("drainTimeout must not be negative: " + timeout);
      }
      if (this.drainTimeout != null) {
        throw new IllegalStateException("drainTimeout was already set to " + this.drainTimeout);
      }
      this.drainTimeout = timeout;
      return this;
    }

    /** A new, empty registry. */
    public Registry build() {
      return WasmLoader.provider()
          .createRegistry(
              loader != null ? loader : WasmLoader.defaultLoader(),
              drainTimeout != null ? drainTimeout : Duration.ofSeconds(10));
    }
  }
}
