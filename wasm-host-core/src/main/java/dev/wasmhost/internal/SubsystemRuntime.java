package dev.wasmhost.internal;

import dev.wasmhost.Imports;
import dev.wasmhost.SubsystemVersion;
import dev.wasmhost.WasmException;

/** One version of a registry subsystem: its module, its complete imports, its initializer. Immutable. */
final class SubsystemRuntime {
  /** Marks a subsystem whose registry was closed. */
  static final SubsystemRuntime CLOSED = new SubsystemRuntime(null, null, null, null, 0);
  /** What a handle's pin holds when it must look its slot up again. */
  static final SubsystemRuntime STALE = new SubsystemRuntime(null, null, null, null, 0);

  static {
    CLOSED.retired = true;
    STALE.retired = true;
  }

  /** Set once a newer version replaced this one, or the registry closed. */
  volatile boolean retired;

  final SubsystemVersion version;
  final LoadedModule module;
  final Imports imports;
  final String initializer;
  private final InstanceLimits limits;

  SubsystemRuntime(
      SubsystemVersion version, LoadedModule module, Imports imports, String initializer, long callTimeoutNanos) {
    this.version = version;
    this.module = module;
    this.imports = imports;
    this.initializer = initializer;
    this.limits =
        module == null
            ? null
            : callTimeoutNanos > 0
                ? new InstanceLimits(callTimeoutNanos, module.defaultLimits().maxMemoryPages())
                : module.defaultLimits();
  }

  /** A new instance, linked and initialised. */
  LiveInstance newInstance() {
    LiveInstance instance = module.instantiate(imports, limits, null);
    if (initializer != null) {
      try {
        instance.call(initializer);
      } catch (WasmException e) {
        instance.close();
        throw e;
      }
    }
    return instance;
  }
}
