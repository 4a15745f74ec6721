package dev.wasmhost.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;

/**
 * One thread's instance of one registry subsystem, and the typed handles bound on it.
 *
 * <p>Only the owning thread writes {@link #instance}, {@link #ops} and {@link #depth}; {@link
 * #version} is volatile so that a swap can see which version each thread is on. {@link #depth} counts
 * the owner's calls in progress with opaque stores: plain moves on x86, so the hot path pays no fence,
 * while a draining thread still sees every store eventually. A call that read the old version just
 * before a swap may start after the drain looked at it; it still runs correctly, on the old instance,
 * which retiring never invalidates.
 */
final class ThreadSlot {
  private static final VarHandle DEPTH;

  static {
    try {
      DEPTH = MethodHandles.lookup().findVarHandle(ThreadSlot.class, "depth", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
  volatile SubsystemRuntime version;
  LiveInstance instance;
  /** The {@link RegistryHandles.Pin} of each handle used on this thread, by handle index. */
  Object[] ops = new Object[4];
  @SuppressWarnings("unused") // accessed through DEPTH
  private int depth;

  void enter() {
    DEPTH.setOpaque(this, (int) DEPTH.getOpaque(this) + 1);
  }

  void exit() {
    DEPTH.setOpaque(this, (int) DEPTH.getOpaque(this) - 1);
  }

  /** True when the owner is not inside a call on this slot. Owner thread only. */
  boolean idle() {
    return (int) DEPTH.getOpaque(this) == 0;
  }

  /** Read by other threads while draining. */
  boolean busyOn(SubsystemRuntime runtime) {
    return version == runtime && (int) DEPTH.getOpaque(this) > 0;
  }

  boolean ownerAlive() {
    Thread thread = owner.get();
    return thread != null && thread.isAlive();
  }

  /** After a failed call: a trapped instance is never used again. */
  void afterFailure() {
    if (instance != null && instance.trapped()) {
      version = null;
      instance = null;
    }
  }
}
