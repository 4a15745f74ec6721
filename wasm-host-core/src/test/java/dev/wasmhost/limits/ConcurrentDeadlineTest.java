package dev.wasmhost.limits;

import static dev.wasmhost.limits.Fixtures.builder;
import static dev.wasmhost.limits.Fixtures.loadReady;
import static dev.wasmhost.limits.Fixtures.timed;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.CallTimeoutException;
import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmModule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * DeadlineAssertions under concurrency: 8 threads on one loader, half calling an endless loop under a 100 ms
 * deadline again and again, half doing real work with checked results. Every spin ends in a {@link
 * CallTimeoutException} soon after its deadline, every result is right, no call fails otherwise, and
 * no thread is left with an interrupt.
 *
 * <p>With 8 busy threads on a 2-core machine (shared with other work) the scheduler alone can delay
 * a busy thread, so each spinner also times a plain Java busy loop with the same 100 ms deadline,
 * checking the clock on every iteration: how late that loop ends is how late the machine lets a busy
 * thread act on anything. A round passes when every wasm spin ends within {@link
 * Fixtures#SLACK_MILLIS} of its deadline plus the latest such Java loop of the round; on a quiet
 * machine that is the plain 100 ms slack. A late round is run again, up to {@link DeadlineAssertions#ATTEMPTS}
 * rounds; every other check holds in every round.
 */
class ConcurrentDeadlineTest {
  private static final long DEADLINE = 100;
  private static final int THREADS = 8;
  private static final int SPINS_PER_THREAD = 5;

  record Round(List<Long> spinMillis, List<Long> controlMillis, long goodCalls) {
    long latest() {
      return spinMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    /** How late the machine made a plain busy loop this round, in ms past the deadline. */
    long schedulerLateness() {
      return controlMillis.stream().mapToLong(Long::longValue).max().orElseThrow() - DEADLINE;
    }

    boolean onTime() {
      return latest() < DEADLINE + Fixtures.SLACK_MILLIS + schedulerLateness();
    }

    @Override
    public String toString() {
      return "latest spin " + latest() + " ms, plain busy loop late by " + schedulerLateness() + " ms";
    }
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void spinsAreStoppedWhileOtherThreadsComputeCorrectly(Engine engine) throws Exception {
    Loader loader = builder(engine).callTimeout(Duration.ofSeconds(30)).build();
    WasmModule traps = loadReady(loader, "traps");
    WasmModule fib = loadReady(loader, "fib");
    WasmModule numbers = loadReady(loader, "numbers");
    List<Round> late = new ArrayList<>();
    for (int attempt = 0; attempt < DeadlineAssertions.ATTEMPTS; attempt++) {
      Round round = round(traps, fib, numbers);
      assertThat(round.spinMillis()).hasSize(THREADS / 2 * SPINS_PER_THREAD);
      assertThat(round.goodCalls()).isPositive();
      if (round.onTime()) {
        return;
      }
      late.add(round);
    }
    throw new AssertionError(
        "in every round some spin was stopped more than " + Fixtures.SLACK_MILLIS + " ms after its " + DEADLINE
            + " ms deadline (plus what the scheduler cost a plain busy loop): " + late);
  }

  private static Round round(WasmModule traps, WasmModule fib, WasmModule numbers) throws Exception {
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Queue<Long> spinMillis = new ConcurrentLinkedQueue<>();
    Queue<Long> controlMillis = new ConcurrentLinkedQueue<>();
    AtomicBoolean spinning = new AtomicBoolean(true);
    AtomicLong goodCalls = new AtomicLong();
    AtomicLong spinnersLeft = new AtomicLong(THREADS / 2);
    CyclicBarrier start = new CyclicBarrier(THREADS);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      boolean spinner = t % 2 == 0;
      int id = t;
      Thread thread =
          new Thread(
              () -> {
                try {
                  if (spinner) {
                    // Warm-up on this thread, untimed: its instance, the exception path, the watchdog.
                    assertThat(timed(() -> traps.callWithTimeout(Duration.ofMillis(DEADLINE), "spin")).thrown())
                        .isInstanceOf(CallTimeoutException.class);
                    assertThat(traps.call("ok")).isEqualTo(7);
                    start.await();
                    for (int i = 0; i < SPINS_PER_THREAD; i++) {
                      Fixtures.Timed spin = timed(() -> traps.callWithTimeout(Duration.ofMillis(DEADLINE), "spin"));
                      DeadlineAssertions.assertStopped(spin, DEADLINE, "traps.wasm", "spin");
                      assertThat(Thread.currentThread().isInterrupted()).isFalse();
                      spinMillis.add(spin.millis());
                      assertThat(traps.call("ok")).isEqualTo(7); // the next instance, outside the timing
                      controlMillis.add(busyLoopMillis(DEADLINE));
                    }
                  } else {
                    assertThat(fib.call("fib", 5L)).isEqualTo(5L);
                    start.await();
                    long i = 0;
                    while (spinning.get()) {
                      long n = i % 16;
                      assertThat(fib.call("fib", n)).isEqualTo(CallDeadlineTest.fibonacci(n));
                      int a = (int) (i * 7919 + id);
                      int b = (int) (i * 104729);
                      assertThat(numbers.call("add", a, b)).isEqualTo(a + b);
                      assertThat(Thread.currentThread().isInterrupted()).isFalse();
                      goodCalls.addAndGet(2);
                      i++;
                    }
                  }
                } catch (Throwable e) {
                  failures.add(e);
                  start.reset();
                } finally {
                  if (spinner && spinnersLeft.decrementAndGet() == 0) {
                    spinning.set(false);
                  }
                }
              },
              "limits-" + (spinner ? "spinner-" : "worker-") + t);
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(60));
      assertThat(thread.isAlive()).as("%s finished", thread.getName()).isFalse();
    }
    if (!failures.isEmpty()) {
      AssertionError error = new AssertionError(failures.size() + " thread(s) failed; first: " + failures.peek());
      failures.forEach(error::addSuppressed);
      throw error;
    }
    return new Round(List.copyOf(spinMillis), List.copyOf(controlMillis), goodCalls.get());
  }

  /** Busy-waits until {@code millis} have passed, checking the clock on every iteration; returns the time taken. */
  private static long busyLoopMillis(long millis) {
    long start = System.nanoTime();
    long end = start + millis * 1_000_000;
    long now;
    do {
      now = System.nanoTime();
    } while (now < end);
    return (now - start) / 1_000_000;
  }
}
