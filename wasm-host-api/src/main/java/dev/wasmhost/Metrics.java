package dev.wasmhost;

/**
 * Receives measurements from a loader and everything it creates: its modules, instances, pools and
 * registries. Set one with {@link Loader.Builder#metrics(Metrics)}; the default, {@link #NONE},
 * ignores everything, and then calls pay nothing at all for metrics. {@link InMemoryMetrics} keeps
 * counts and latency distributions that can be read at any time; other implementations can forward
 * to a metrics library.
 *
 * <p>Methods are called on the thread doing the work, often on the hot path: they must be fast,
 * thread-safe and must not throw. Module names are the module's source or short digest, as in
 * messages.
 */
public interface Metrics {
  /** Ignores everything. */
  Metrics NONE = new Metrics() {};

  /** A load finished: from the in-memory cache ({@code cacheHit}) or by decoding. */
  default void moduleLoaded(String module, boolean cacheHit, long nanos) {}

  /** A compilation consulted the disk cache. */
  default void diskCacheLookup(String module, boolean hit) {}

  /** A module was compiled (or its compiled code loaded from the disk cache). */
  default void moduleCompiled(String module, long nanos) {}

  /** An instance was created. */
  default void instantiated(String module, long nanos) {}

  /** A call returned normally. */
  default void called(String module, String function, long nanos) {}

  /** A call trapped (including a host function's exception) or ran out of fuel. */
  default void trapped(String module, String function, String reason) {}

  /** A call was stopped at its deadline. */
  default void timedOut(String module, String function) {}

  /** A metered call consumed this much fuel. */
  default void fuelConsumed(String module, String function, long fuel) {}

  /** A pool borrow gave up after its timeout. */
  default void poolExhausted(String module) {}

  /** A pool lent an instance; {@code inUse} instances of that pool are now borrowed. */
  default void poolBorrowed(String module, int inUse) {}

  /** A pooled instance came back; {@code inUse} instances of that pool are now borrowed. */
  default void poolReturned(String module, int inUse, boolean discarded) {}

  /** Something happened in a registry. */
  default void registryEvent(RegistryEvent event) {}
}
