package dev.wasmhost.internal;

import dev.wasmhost.Instance;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.Memory;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;

/**
 * The API's instance over one Chicory instance. Confined to one thread at a time, like Chicory's;
 * export handles are created on first use and kept by their position in the module's export index.
 */
final class LiveInstance implements Instance {
  private final LoadedModule module;
  private final WasmModule publicModule;
  private final InstanceLimits limits;
  private final ExportHandle[] handles;
  private com.dylibso.chicory.runtime.Instance chicory;
  private GuestMemory memory;
  private boolean closed;
  private boolean trapped;
  private com.dylibso.chicory.runtime.GlobalInstance fuel;
  private int meteredDepth;
  private long lastCallFuel = -1;

  LiveInstance(LoadedModule module, WasmModule publicModule, InstanceLimits limits) {
    this.module = module;
    this.publicModule = publicModule;
    this.limits = limits;
    this.handles = new ExportHandle[module.shape().functionExports.size()];
  }

  /** Set once instantiation completes, or earlier if a start function calls a host function. */
  void attachIfAbsent(com.dylibso.chicory.runtime.Instance instance) {
    if (chicory == null) {
      chicory = instance;
    }
  }

  @Override
  public WasmModule module() {
    return publicModule != null ? publicModule : module.handle();
  }

  /** The module's internals. */
  LoadedModule core() {
    return module;
  }

  /** True once a call on this instance trapped or was stopped: its state can no longer be trusted. */
  boolean trapped() {
    return trapped;
  }

  void markTrapped() {
    trapped = true;
  }

  /** The last handle looked up by name, for callers that call one function repeatedly. */
  private String lastName;
  private ExportHandle lastHandle;

  ExportHandle handle(String name) {
    if (name == lastName) { // identity: a call site passes the same string constant each time
      return lastHandle;
    }
    ExportHandle handle = lookup(name);
    lastName = name;
    lastHandle = handle;
    return handle;
  }

  /**
   * The export as Chicory's machine runs it. Chicory's own export function adds a lookup of the
   * export's index and a GC safe point around every call; when the module has no GC instructions
   * the safe point has nothing to sweep, so the machine is called directly (about 1 ns less per call).
   */
  private com.dylibso.chicory.runtime.ExportFunction exportFunction(ModuleShape.FunctionExport export) {
    if (!module.directCalls()) {
      return chicory.export(export.name());
    }
    com.dylibso.chicory.runtime.Machine machine = chicory.getMachine();
    int index = export.functionIndex();
    return args -> machine.call(index, args);
  }

  private ExportHandle lookup(String name) {
    ModuleShape.FunctionExport export = module.functionExport(name);
    ExportHandle handle = handles[export.ordinal()];
    if (handle == null) {
      handle = new ExportHandle(this, export, exportFunction(export), limits.callTimeoutNanos());
      handles[export.ordinal()] = handle;
    }
    return handle;
  }

  @Override
  public Object call(String function, Object... args) {
    ensureOpen();
    return handle(function).call(args);
  }

  @Override
  public Object callWithTimeout(java.time.Duration timeout, String function, Object... args) {
    ensureOpen();
    return handle(function).callWithTimeout(positiveNanos(timeout), args);
  }

  static long positiveNanos(java.time.Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    return saturatedNanos(timeout);
  }

  /** {@code duration} in nanoseconds, or {@link Long#MAX_VALUE} for durations too long to say so (~292 years). */
  static long saturatedNanos(java.time.Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  @Override
  public WasmFunction function(String name) {
    ensureOpen();
    return handle(name);
  }

  @Override
  public <T> T function(String name, Class<T> shape) {
    ensureOpen();
    return TypedHandles.bind(handle(name), shape);
  }

  @Override
  public Memory memory() {
    ensureOpen();
    if (memory == null) {
      com.dylibso.chicory.runtime.Memory raw = chicory.memory();
      if (raw == null) {
        throw new InvalidCallException("module " + module.label() + " has no memory");
      }
      memory = new GuestMemory(raw);
    }
    return memory;
  }

  private void ensureOpen() {
    if (closed) {
      throw new InvalidCallException("instance of module " + module.label() + " is closed");
    }
  }

  @Override
  public long lastCallFuel() {
    return lastCallFuel;
  }

  /**
   * Runs {@code function} with the module's fuel budget. A call made while another is running on
   * this instance (a host function calling back in) runs on the outer call's budget.
   */
  long[] metered(com.dylibso.chicory.runtime.ExportFunction function, long[] args, String name) {
    if (meteredDepth > 0) {
      return function.apply(args);
    }
    if (fuel == null) {
      fuel = FuelInstrumenter.fuelGlobal(chicory, module.fuelGlobal());
    }
    long budget = module.fuelPerCall();
    FuelInstrumenter.setFuel(fuel, budget);
    meteredDepth++;
    try {
      long[] results = function.apply(args);
      lastCallFuel = FuelInstrumenter.consumed(budget, FuelInstrumenter.fuel(fuel));
      module.observation().metrics.fuelConsumed(module.label(), name, lastCallFuel);
      return results;
    } catch (RuntimeException | StackOverflowError e) {
      if (FuelInstrumenter.exhausted(FuelInstrumenter.fuel(fuel))) {
        lastCallFuel = budget;
        module.observation().metrics.fuelConsumed(module.label(), name, budget);
        throw new dev.wasmhost.FuelExhaustedException(
            "module " + module.label() + ": function '" + name + "' ran out of fuel (" + budget + " per call)", e);
      }
      throw e;
    } finally {
      meteredDepth--;
    }
  }

  @Override
  public void close() {
    closed = true;
    chicory = null;
    memory = null;
    java.util.Arrays.fill(handles, null);
    lastName = null;
    lastHandle = null;
  }

  @Override
  public String toString() {
    return "Instance[" + module.label() + (closed ? ", closed" : "") + (trapped ? ", trapped" : "") + "]";
  }
}
