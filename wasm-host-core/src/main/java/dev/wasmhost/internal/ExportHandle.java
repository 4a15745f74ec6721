package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.wasmhost.FunctionType;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmException;
import dev.wasmhost.WasmFunction;

/**
 * One function export bound to one instance: Chicory's cached {@link ExportFunction} plus what is
 * needed to check boxed arguments and to report failures. Confined to its instance's thread.
 */
final class ExportHandle implements WasmFunction {
  private static final Object[] NO_ARGS = new Object[0];

  private final LiveInstance owner;
  private final ModuleShape.FunctionExport export;
  private final ExportFunction raw;
  /** {@link #raw}, or {@link #raw} under the instance's deadline. */
  private final ExportFunction function;
  private final ValueType[] params;
  private final ValueType[] results;
  private final boolean boxable;

  ExportHandle(LiveInstance owner, ModuleShape.FunctionExport export, ExportFunction raw, long timeoutNanos) {
    this.owner = owner;
    this.export = export;
    this.raw = raw;
    this.function = wrap(raw, timeoutNanos);
    this.params = export.type().params().toArray(new ValueType[0]);
    this.results = export.type().results().toArray(new ValueType[0]);
    boolean numbers = true;
    for (ValueType type : params) {
      numbers &= type.isNumber();
    }
    for (ValueType type : results) {
      numbers &= type.isNumber();
    }
    this.boxable = numbers;
  }

  /** Chicory's function (under the instance's deadline, if any), for typed handles to call directly. */
  ExportFunction function() {
    return function;
  }

  @Override
  public String name() {
    return export.name();
  }

  @Override
  public FunctionType type() {
    return export.type();
  }

  @Override
  public long[] apply(long... args) {
    try {
      return function.apply(args);
    } catch (RuntimeException | StackOverflowError e) {
      throw failure(e);
    }
  }

  @Override
  public Object call(Object... args) {
    return call(function, args);
  }

  /** {@link #call(Object...)} under its own deadline. */
  Object callWithTimeout(long timeoutNanos, Object... args) {
    return call(wrap(raw, timeoutNanos), args);
  }

  /**
   * Chicory's function with only what is configured around it: fuel metering, a deadline, then the
   * loader's observers. With none, it is Chicory's function itself.
   */
  private ExportFunction wrap(ExportFunction function, long timeoutNanos) {
    String module = owner.core().label();
    ExportFunction wrapped = function;
    if (owner.core().fuelGlobal() != null) {
      ExportFunction unmetered = wrapped;
      String name = export.name();
      wrapped = args -> owner.metered(unmetered, args, name);
    }
    if (timeoutNanos > 0) {
      wrapped = Deadlines.guard(wrapped, timeoutNanos, module, export.name());
    }
    Observation observation = owner.core().observation();
    if (observation.active) {
      wrapped = observation.observe(wrapped, module, export.name());
    }
    return wrapped;
  }

  // The call path is split into methods small enough for HotSpot to inline them all into the
  // caller, so that the caller's argument array and the long[] for Chicory can be removed.
  private Object call(ExportFunction target, Object[] args) {
    Object[] given = args == null ? NO_ARGS : args;
    if (!boxable || given.length != params.length) {
      throw badCall(given);
    }
    long[] out = invoke(target, given);
    return results.length == 1 ? results[0].box(out[0]) : boxResults(out);
  }

  private InvalidCallException badCall(Object[] args) {
    if (!boxable) {
      return new InvalidCallException(
          describe() + " uses types that have no boxed Java form; call it through function(name).apply(...)");
    }
    return new InvalidCallException(
        describe() + " takes " + params.length + " argument" + (params.length == 1 ? "" : "s") + ", got "
            + args.length);
  }

  /** One branch per arity, so that the array for Chicory has a constant length HotSpot can remove. */
  private long[] invoke(ExportFunction target, Object[] args) {
    switch (params.length) {
      case 0:
        return run(target);
      case 1:
        return run(target, unbox(0, args));
      case 2:
        return run(target, unbox(0, args), unbox(1, args));
      case 3:
        return run(target, unbox(0, args), unbox(1, args), unbox(2, args));
      case 4:
        return run(target, unbox(0, args), unbox(1, args), unbox(2, args), unbox(3, args));
      default:
        long[] values = new long[params.length];
        for (int i = 0; i < params.length; i++) {
          values[i] = unbox(i, args);
        }
        return run(target, values);
    }
  }

  private Object boxResults(long[] out) {
    if (results.length == 0) {
      return null;
    }
    Object[] boxed = new Object[results.length];
    for (int i = 0; i < results.length; i++) {
      boxed[i] = results[i].box(out[i]);
    }
    return boxed;
  }

  private long unbox(int index, Object[] args) {
    try {
      return params[index].unbox(args[index]);
    } catch (IllegalArgumentException e) {
      throw badArgument(index, e);
    }
  }

  private InvalidCallException badArgument(int index, IllegalArgumentException e) {
    return new InvalidCallException(describe() + ": argument " + (index + 1) + ": " + e.getMessage());
  }

  private long[] run(ExportFunction target, long... values) {
    try {
      return target.apply(values);
    } catch (RuntimeException | StackOverflowError e) {
      throw failure(e);
    }
  }

  /** Marks the owner as trapped and returns the exception to throw for {@code failure}. */
  WasmException failure(Throwable failure) {
    owner.markTrapped();
    if (failure instanceof com.dylibso.chicory.runtime.ChicoryInterruptedException) {
      // Someone else's interrupt stopped the guest; Chicory consumed the flag, so put it back.
      Thread.currentThread().interrupt();
    }
    WasmException exception = Failures.callFailure(owner.core().label(), export.name(), failure);
    if (exception instanceof dev.wasmhost.CallTimeoutException) {
      FlightEvents.timeout(owner.core().label(), export.name());
    } else if (exception instanceof dev.wasmhost.TrapException) {
      FlightEvents.trap(owner.core().label(), export.name(), exception.getMessage());
    }
    return exception;
  }

  String describe() {
    return "module " + owner.core().label() + ": function '" + export.name() + "' " + export.type();
  }

  @Override
  public String toString() {
    return "WasmFunction[" + export.name() + ": " + export.type() + "]";
  }
}
