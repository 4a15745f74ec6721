package dev.wasmhost.internal;

import dev.wasmhost.TrapException;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs calls on daemon threads with a configured stack size, one per processor at most, created on
 * demand and ended after 30 s idle. The caller waits for the result; if the caller is interrupted,
 * the call is interrupted too (Chicory checks the flag on calls and backward branches) and the
 * caller's interrupt status is kept.
 */
final class DeepStackCalls {
  private final ThreadPoolExecutor executor;

  DeepStackCalls(long stackSize) {
    int threads = Runtime.getRuntime().availableProcessors();
    AtomicInteger count = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            task -> {
              Thread thread = new DeepStackThread(task, "wasm-host-call-" + count.incrementAndGet(), stackSize);
              thread.setDaemon(true);
              return thread;
            });
    executor.allowCoreThreadTimeOut(true);
  }

  /** True on one of the deep-stack threads. */
  static boolean onDeepStack() {
    return Thread.currentThread() instanceof DeepStackThread;
  }

  private static final class DeepStackThread extends Thread {
    DeepStackThread(Runnable task, String name, long stackSize) {
      super(null, task, name, stackSize);
    }
  }

  <T> T run(Callable<T> call) {
    Future<T> future = executor.submit(call);
    try {
      return future.get();
    } catch (ExecutionException e) {
      throw Failures.rethrowUnchecked(e.getCause());
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new TrapException("call interrupted while running on a deep-stack thread", e);
    }
  }
}
