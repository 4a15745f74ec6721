package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.wasmhost.CallListener;
import dev.wasmhost.CallTimeoutException;
import dev.wasmhost.LoaderConfig;
import dev.wasmhost.Metrics;
import dev.wasmhost.WasmException;

/**
 * A loader's observers: metrics, a call listener and the slow-call threshold. When none is set,
 * {@link #active} is false and export functions are used unwrapped, so calls pay nothing.
 */
final class Observation {
  final Metrics metrics;
  final CallListener listener;
  final long slowCallNanos;
  final boolean active;

  Observation(LoaderConfig config) {
    this.metrics = config.metrics();
    this.listener = config.callListener();
    this.slowCallNanos = config.slowCallThreshold().toNanos();
    this.active = metrics != Metrics.NONE || listener != null || slowCallNanos > 0;
  }

  /** {@code function}, timed and reported on every call. */
  ExportFunction observe(ExportFunction function, String module, String name) {
    return args -> {
      if (listener != null) {
        listener.beforeCall(module, name, args);
      }
      FlightEvents.SlowCall slow = null;
      if (slowCallNanos > 0 && FlightEvents.active()) {
        slow = new FlightEvents.SlowCall();
        slow.begin();
      }
      long start = System.nanoTime();
      long[] results;
      try {
        results = function.apply(args);
      } catch (RuntimeException | StackOverflowError e) {
        WasmException failure = Failures.callFailure(module, name, e);
        long nanos = System.nanoTime() - start;
        if (failure instanceof CallTimeoutException) {
          metrics.timedOut(module, name);
        } else {
          metrics.trapped(module, name, failure.getMessage());
        }
        if (listener != null) {
          listener.onFailure(module, name, failure, nanos);
        }
        throw failure;
      }
      long nanos = System.nanoTime() - start;
      metrics.called(module, name, nanos);
      if (listener != null) {
        listener.afterCall(module, name, results, nanos);
      }
      if (slow != null && nanos >= slowCallNanos && slow.isEnabled()) {
        slow.end();
        slow.module = module;
        slow.function = name;
        slow.commit();
      }
      return results;
    };
  }
}
