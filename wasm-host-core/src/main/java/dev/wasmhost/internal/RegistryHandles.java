package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.wasmhost.FunctionType;
import dev.wasmhost.WasmException;
import dev.wasmhost.WasmFunction;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleSupplier;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntBinaryOperator;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.IntToLongFunction;
import java.util.function.IntUnaryOperator;
import java.util.function.LongBinaryOperator;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.LongToIntFunction;
import java.util.function.LongUnaryOperator;

/**
 * Thread-safe handles of a registry subsystem: each call runs the export on the calling thread's
 * instance of the current version. Added to the instance handle's own cost, for the thread that owns
 * a handle: a comparison with the current thread, a volatile read of whether its version is retired,
 * and two opaque stores of constants on the handle that let a swap drain; other threads also pay a
 * thread-local lookup. Each handle is its own class (one per shape) and is itself its owner's {@link
 * Pin}, so the owner's calls reach the export's function with no load beyond the handle's own fields.
 * Written by hand from one template; keep the shapes identical.
 */
final class RegistryHandles {
  private RegistryHandles() {}

  /**
   * What a call on one thread's instance needs. A slot keeps one per handle used on its thread (in
   * {@link ThreadSlot#ops}), never changed after it is made; a handle is also the pin of its owner
   * thread, whose fields only that thread writes. Either way one thread uses a pin, and it marks its
   * outermost call in progress on the pin itself, which a draining swap reads (see {@link
   * ThreadSlot#busyOn}).
   */
  static class Pin {
    private static final VarHandle BUSY;

    static {
      try {
        BUSY = MethodHandles.lookup().findVarHandle(Pin.class, "busy", boolean.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    ThreadSlot slot;
    LiveInstance instance;
    SubsystemRuntime runtime;
    ExportHandle export;
    /** The export's function with its deadline, fuel and observers, as the instance's handles call it. */
    ExportFunction function;
    @SuppressWarnings("unused") // accessed through BUSY
    private boolean busy;

    Pin() {}

    Pin(ThreadSlot slot, LiveInstance instance, SubsystemRuntime runtime, ExportHandle export) {
      copy(slot, instance, runtime, export);
    }

    final void copy(ThreadSlot slot, LiveInstance instance, SubsystemRuntime runtime, ExportHandle export) {
      this.slot = slot;
      this.instance = instance;
      this.runtime = runtime;
      this.export = export;
      this.function = export.function();
    }

    /**
     * Marks a call in progress, with opaque stores of constants (plain moves on x86: no fence, and
     * no store depends on the previous call's); returns whether this is the outermost call on this
     * pin, which must be passed to {@link #exit}. A nested call (a host function calling back through
     * the same handle) leaves the mark to the outermost one.
     */
    final boolean enter() {
      if ((boolean) BUSY.getOpaque(this)) {
        return false;
      }
      BUSY.setOpaque(this, true);
      return true;
    }

    final void exit(boolean outermost) {
      if (outermost) {
        BUSY.setOpaque(this, false);
      }
    }

    /** Whether a call is in progress on this pin; read by draining threads. */
    final boolean busy() {
      return (boolean) BUSY.getOpaque(this);
    }

    /** The exception for a failed call; a trapped instance is never used again. */
    final WasmException failed(Throwable failure) {
      WasmException exception = export.failure(failure);
      slot.afterFailure();
      return exception;
    }
  }

  /**
   * A handle. The first thread to call it owns it: its calls check that the handle's pin fields are
   * still current (same version; a failed call on the thread's instance clears them, see {@link
   * ThreadSlot#afterFailure}) and skip the thread-local lookup. Other threads look their slot's pin
   * up each call. Ownership passes on only when the owner thread has died.
   */
  abstract static class Binding extends Pin {
    private static final VarHandle OWNER;

    static {
      try {
        OWNER = MethodHandles.lookup().findVarHandle(Binding.class, "owner", Thread.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final RegisteredSubsystem sub;
    private final int index;
    private final String name;
    private final Class<?> shape;
    /*
     * Claimed by compare-and-set, so at most one live thread ever writes the pin fields; a reader
     * that sees another thread here never reads them.
     */
    @SuppressWarnings("unused") // written through OWNER
    private Thread owner;

    Binding(RegisteredSubsystem sub, int index, String name, Class<?> shape) {
      this.sub = sub;
      this.index = index;
      this.name = name;
      this.shape = shape;
    }

    /** The calling thread's pin; the caller enters and exits it around the call. */
    final Pin pin() {
      if (owner != Thread.currentThread() || runtime.retired) {
        return lookUp();
      }
      return this;
    }

    private Pin lookUp() {
      ThreadSlot mine = sub.slot();
      Pin pin = sub.pin(mine, index, name, shape);
      Thread current = Thread.currentThread();
      Thread holder = owner;
      if (holder == current || ((holder == null || !holder.isAlive()) && OWNER.compareAndSet(this, holder, current))) {
        copy(pin.slot, pin.instance, pin.runtime, pin.export);
        mine.own(this);
        return this;
      }
      return pin;
    }
  }

  static <T> T bind(RegisteredSubsystem sub, int index, String function, Class<T> shape) {
    Object bound;
    if (shape == WasmFunction.class) {
      bound = new WasmFunction() {
        @Override
        public String name() {
          return function;
        }

        @Override
        public FunctionType type() {
          return sub.slot().version.module.shape().functionExports.get(function).type();
        }

        @Override
        public long[] apply(long... args) {
          return sub.forward(function, args);
        }

        @Override
        public Object call(Object... args) {
          return sub.call(function, args);
        }
      };
    } else if (shape == IntBinaryOperator.class) {
      bound = new IntBinary(sub, index, function, shape);
    } else if (shape == IntUnaryOperator.class) {
      bound = new IntUnary(sub, index, function, shape);
    } else if (shape == LongBinaryOperator.class) {
      bound = new LongBinary(sub, index, function, shape);
    } else if (shape == LongUnaryOperator.class) {
      bound = new LongUnary(sub, index, function, shape);
    } else if (shape == DoubleBinaryOperator.class) {
      bound = new DoubleBinary(sub, index, function, shape);
    } else if (shape == DoubleUnaryOperator.class) {
      bound = new DoubleUnary(sub, index, function, shape);
    } else if (shape == IntSupplier.class) {
      bound = new IntNullary(sub, index, function, shape);
    } else if (shape == LongSupplier.class) {
      bound = new LongNullary(sub, index, function, shape);
    } else if (shape == DoubleSupplier.class) {
      bound = new DoubleNullary(sub, index, function, shape);
    } else if (shape == Runnable.class) {
      bound = new Action(sub, index, function, shape);
    } else if (shape == IntConsumer.class) {
      bound = new IntAction(sub, index, function, shape);
    } else if (shape == LongConsumer.class) {
      bound = new LongAction(sub, index, function, shape);
    } else if (shape == IntToLongFunction.class) {
      bound = new IntToLong(sub, index, function, shape);
    } else if (shape == LongToIntFunction.class) {
      bound = new LongToInt(sub, index, function, shape);
    } else {
      throw new IllegalArgumentException("no registry handle for " + shape.getName()); // checked by the caller
    }
    return shape.cast(bound);
  }

  static final class IntBinary extends Binding implements IntBinaryOperator {
    IntBinary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public int applyAsInt(int a, int b) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return (int) pin.function.apply(a, b)[0];
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class IntUnary extends Binding implements IntUnaryOperator {
    IntUnary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public int applyAsInt(int a) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return (int) pin.function.apply(a)[0];
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class LongBinary extends Binding implements LongBinaryOperator {
    LongBinary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public long applyAsLong(long a, long b) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return pin.function.apply(a, b)[0];
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class LongUnary extends Binding implements LongUnaryOperator {
    LongUnary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public long applyAsLong(long a) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return pin.function.apply(a)[0];
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class DoubleBinary extends Binding implements DoubleBinaryOperator {
    DoubleBinary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public double applyAsDouble(double a, double b) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return Double.longBitsToDouble(
            pin.function.apply(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b))[0]);
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class DoubleUnary extends Binding implements DoubleUnaryOperator {
    DoubleUnary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public double applyAsDouble(double a) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return Double.longBitsToDouble(pin.function.apply(Double.doubleToRawLongBits(a))[0]);
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class IntNullary extends Binding implements IntSupplier {
    IntNullary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public int getAsInt() {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return (int) pin.function.apply()[0];
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class LongNullary extends Binding implements LongSupplier {
    LongNullary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public long getAsLong() {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return pin.function.apply()[0];
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class DoubleNullary extends Binding implements DoubleSupplier {
    DoubleNullary(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public double getAsDouble() {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return Double.longBitsToDouble(pin.function.apply()[0]);
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class Action extends Binding implements Runnable {
    Action(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public void run() {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        pin.function.apply();
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class IntAction extends Binding implements IntConsumer {
    IntAction(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public void accept(int a) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        pin.function.apply(a);
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class LongAction extends Binding implements LongConsumer {
    LongAction(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public void accept(long a) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        pin.function.apply(a);
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class IntToLong extends Binding implements IntToLongFunction {
    IntToLong(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public long applyAsLong(int a) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return pin.function.apply(a)[0];
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }

  static final class LongToInt extends Binding implements LongToIntFunction {
    LongToInt(RegisteredSubsystem sub, int index, String function, Class<?> shape) {
      super(sub, index, function, shape);
    }

    @Override
    public int applyAsInt(long a) {
      Pin pin = pin();
      boolean outermost = pin.enter();
      try {
        return (int) pin.function.apply(a)[0];
      } catch (RuntimeException | StackOverflowError e) {
        throw pin.failed(e);
      } finally {
        pin.exit(outermost);
      }
    }
  }
}
