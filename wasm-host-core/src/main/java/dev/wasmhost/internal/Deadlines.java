package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.wasmhost.CallTimeoutException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Call deadlines. One watchdog thread per JVM (daemon, "wasm-host-watchdog", started on first use
 * and ended after 30 s idle) interrupts a thread whose call outlives its deadline; Chicory checks the
 * interrupt flag on calls and backward branches and throws, which becomes a {@link
 * CallTimeoutException}. No call is handed to another thread. Calls without a deadline never come
 * here.
 */
final class Deadlines {
  private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

  private Deadlines() {}

  private static ScheduledThreadPoolExecutor watchdog() {
    ScheduledThreadPoolExecutor executor =
        new ScheduledThreadPoolExecutor(
            1,
            task -> {
              Thread thread = new Thread(task, "wasm-host-watchdog");
              thread.setDaemon(true);
              return thread;
            });
    executor.setRemoveOnCancelPolicy(true);
    executor.setKeepAliveTime(30, TimeUnit.SECONDS);
    executor.allowCoreThreadTimeOut(true);
    return executor;
  }

  /** {@code function}, stopped after {@code nanos} on each call. */
  static ExportFunction guard(ExportFunction function, long nanos, String module, String name) {
    return args -> within(nanos, module, name, () -> function.apply(args));
  }

  /** Runs {@code work} (guest code of function {@code name}), stopping it after {@code nanos}. */
  static <T> T within(long nanos, String module, String name, java.util.function.Supplier<T> work) {
    Thread thread = Thread.currentThread();
    // The caller's own interrupt must neither stop this call nor be lost: set aside, then restored.
    boolean interruptedBefore = Thread.interrupted();
    Alarm alarm = new Alarm(thread);
    ScheduledFuture<?> scheduled = WATCHDOG.schedule(alarm, nanos, TimeUnit.NANOSECONDS);
    try {
      return work.get();
    } catch (RuntimeException | StackOverflowError e) {
      if (alarm.fired()) {
        throw new CallTimeoutException(
            "module " + module + ": function '" + name + "' ran past its deadline of " + describe(nanos)
                + " and was stopped",
            e);
      }
      throw e;
    } finally {
      alarm.disarm(scheduled);
      if (interruptedBefore) {
        thread.interrupt();
      }
    }
  }

  private static String describe(long nanos) {
    return nanos % 1_000_000 == 0 ? nanos / 1_000_000 + " ms" : nanos / 1_000 + " µs";
  }

  /**
   * ARMED until either the call ends (DONE) or the watchdog fires (FIRING, then FIRED once the
   * interrupt is delivered). Whoever moves it out of ARMED first wins; a caller that lost waits for
   * FIRED and clears the interrupt, so that no stray interrupt outlives the call.
   */
  private static final class Alarm extends AtomicInteger implements Runnable {
    private static final long serialVersionUID = 1L;
    private static final int ARMED = 0;
    private static final int DONE = 1;
    private static final int FIRING = 2;
    private static final int FIRED = 3;

    private final transient Thread thread;

    Alarm(Thread thread) {
      this.thread = thread;
    }

    @Override
    public void run() {
      if (compareAndSet(ARMED, FIRING)) {
        thread.interrupt();
        set(FIRED);
      }
    }

    boolean fired() {
      return get() >= FIRING;
    }

    void disarm(ScheduledFuture<?> scheduled) {
      if (compareAndSet(ARMED, DONE)) {
        scheduled.cancel(false);
        return;
      }
      while (get() != FIRED) {
        Thread.onSpinWait();
      }
      Thread.interrupted();
    }
  }
}
