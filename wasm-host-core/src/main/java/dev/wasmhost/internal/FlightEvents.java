package dev.wasmhost.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;

/**
 * JDK Flight Recorder events, viewable in JDK Mission Control under "WebAssembly". They cost nothing
 * measurable while no recording is running, and nothing at all on the call path unless a slow-call
 * threshold is set (only failures are recorded there otherwise).
 *
 * <p>Every use first asks {@link #active()}: the first event object of a JVM registers its class
 * with Flight Recorder, which initializes Flight Recorder's metadata, 50-100 ms in a fresh JVM,
 * even when nothing records. So until Flight Recorder has been started in this JVM (by {@code
 * -XX:StartFlightRecording}, {@code jcmd JFR.start} or the {@code jdk.jfr} API), no event object is
 * created at all; from then on every event is.
 */
final class FlightEvents {
  private FlightEvents() {}

  /** Whether Flight Recorder has been started in this JVM; without it, no event can be recorded. */
  static boolean active() {
    return FlightRecorder.isInitialized();
  }

  @Name("dev.wasmhost.Load")
  @Label("Module Load")
  @Category("WebAssembly")
  @Description("A module was loaded, from the in-memory cache or by decoding it")
  @StackTrace(false)
  static final class Load extends Event {
    @Label("Module") String module;
    @Label("Digest") String digest;
    @Label("Cache Hit") boolean cacheHit;
  }

  @Name("dev.wasmhost.Compile")
  @Label("Module Compile")
  @Category("WebAssembly")
  @Description("A module was compiled to JVM bytecode, or its compiled code loaded from the disk cache")
  @StackTrace(false)
  static final class Compile extends Event {
    @Label("Module") String module;
    @Label("Functions") int functions;
    @Label("Succeeded") boolean succeeded;
  }

  @Name("dev.wasmhost.Instantiate")
  @Label("Instantiate")
  @Category("WebAssembly")
  @StackTrace(false)
  static final class Instantiate extends Event {
    @Label("Module") String module;
  }

  @Name("dev.wasmhost.SlowCall")
  @Label("Slow Call")
  @Category("WebAssembly")
  @Description("A call that took at least the loader's slow-call threshold")
  static final class SlowCall extends Event {
    @Label("Module") String module;
    @Label("Function") String function;
  }

  @Name("dev.wasmhost.Trap")
  @Label("Trap")
  @Category("WebAssembly")
  static final class Trap extends Event {
    @Label("Module") String module;
    @Label("Function") String function;
    @Label("Reason") String reason;
  }

  @Name("dev.wasmhost.Timeout")
  @Label("Call Timeout")
  @Category("WebAssembly")
  static final class Timeout extends Event {
    @Label("Module") String module;
    @Label("Function") String function;
  }

  @Name("dev.wasmhost.HotSwap")
  @Label("Hot Swap")
  @Category("WebAssembly")
  @StackTrace(false)
  static final class HotSwap extends Event {
    @Label("Subsystem") String subsystem;
    @Label("Version") long version;
    @Label("Digest") String digest;
  }

  static void trap(String module, String function, String reason) {
    if (!active()) {
      return;
    }
    Trap event = new Trap();
    if (event.isEnabled()) {
      event.module = module;
      event.function = function;
      event.reason = reason;
      event.commit();
    }
  }

  static void timeout(String module, String function) {
    if (!active()) {
      return;
    }
    Timeout event = new Timeout();
    if (event.isEnabled()) {
      event.module = module;
      event.function = function;
      event.commit();
    }
  }
}
