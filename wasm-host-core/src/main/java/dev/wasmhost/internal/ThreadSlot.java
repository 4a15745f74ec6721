package dev.wasmhost.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One thread's instance of one registry subsystem, and the typed handles bound on it.
 *
 * <p>Only the owning thread writes {@link #instance}, {@link #ops} and {@link #busy}; {@link #version}
 * is volatile so that a swap can see which version each thread is on. {@link #busy} marks the owner's
 * outermost call in progress through the registry's generic call, as each {@link RegistryHandles.Pin}
 * marks calls through a typed handle: opaque stores of constants, plain moves on x86, so the hot path
 * pays no fence, and unlike a counter's read-modify-write no store depends on the previous call's. A
 * nested call (a host function calling back into the registry) sees the mark set and leaves it to the
 * outermost call. A draining thread still sees every store eventually. A call that read the old
 * version just before a swap may start after the drain looked at it; it still runs correctly, on the
 * old instance, which retiring never invalidates.
 */
final class ThreadSlot {
  private static final VarHandle BUSY;

  static {
    try {
      BUSY = MethodHandles.lookup().findVarHandle(ThreadSlot.class, "busy", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  final WeakReference<Thread> owner = new WeakReference<>(Thread.currentThread());
  volatile SubsystemRuntime version;
  LiveInstance instance;
  /** The {@link RegistryHandles.Pin} of each handle used on this thread, by handle index. */
  volatile Object[] ops = new Object[4];
  @SuppressWarnings("unused") // accessed through BUSY
  private boolean busy;
  /** The handles this thread owns whose pin is this slot's instance: cleared when it traps. */
  private final List<RegistryHandles.Pin> owned = new CopyOnWriteArrayList<>();

  /**
   * Marks a call in progress; returns whether this is the outermost one, which must be passed to
   * {@link #exit}. Owner thread only.
   */
  boolean enter() {
    if ((boolean) BUSY.getOpaque(this)) {
      return false;
    }
    BUSY.setOpaque(this, true);
    return true;
  }

  void exit(boolean outermost) {
    if (outermost) {
      BUSY.setOpaque(this, false);
    }
  }

  /** True when the owner is not inside a call on this slot, by any route. Owner thread only. */
  boolean idle() {
    return !inCall();
  }

  /**
   * Whether the owner is inside a call on {@code runtime}: through the registry's generic call (this
   * slot's mark) or through a typed handle (the mark of its pin, one of {@link #ops} or a handle the
   * owner owns). Read by other threads while draining; a pin made an instant ago may not be seen yet,
   * the same race as a call that read the old version just before the swap.
   */
  boolean busyOn(SubsystemRuntime runtime) {
    return version == runtime && inCall();
  }

  private boolean inCall() {
    if ((boolean) BUSY.getOpaque(this)) {
      return true;
    }
    for (RegistryHandles.Pin handle : owned) {
      if (handle.busy()) {
        return true;
      }
    }
    for (Object pin : ops) {
      if (pin != null && ((RegistryHandles.Pin) pin).busy()) {
        return true;
      }
    }
    return false;
  }

  boolean ownerAlive() {
    Thread thread = owner.get();
    return thread != null && thread.isAlive();
  }

  /** Records that {@code handle} now calls this slot's instance. Owner thread only. */
  void own(RegistryHandles.Pin handle) {
    for (RegistryHandles.Pin pin : owned) {
      if (pin == handle) {
        return;
      }
    }
    owned.add(handle);
  }

  /** After a failed call: a trapped instance is never used again, by any handle. */
  void afterFailure() {
    if (instance != null && instance.trapped()) {
      version = null;
      instance = null;
      for (RegistryHandles.Pin handle : owned) {
        handle.runtime = SubsystemRuntime.STALE; // its owner's next call looks its slot up again
      }
      owned.clear();
    }
  }
}
