package dev.wasmhost.internal;

import static dev.wasmhost.ValueType.F64;
import static dev.wasmhost.ValueType.I32;
import static dev.wasmhost.ValueType.I64;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.wasmhost.FunctionType;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmFunction;
import java.util.Map;
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
 * Binds an export to a JDK functional interface. Each handle calls Chicory's {@link ExportFunction}
 * directly; the only work added to Chicory's own is a try block, which costs nothing until a trap.
 */
final class TypedHandles {
  private TypedHandles() {}

  /** The signature each supported shape needs. */
  private static final Map<Class<?>, FunctionType> SIGNATURES =
      Map.ofEntries(
          Map.entry(IntBinaryOperator.class, sig(I32, I32).returning(I32)),
          Map.entry(IntUnaryOperator.class, sig(I32).returning(I32)),
          Map.entry(LongBinaryOperator.class, sig(I64, I64).returning(I64)),
          Map.entry(LongUnaryOperator.class, sig(I64).returning(I64)),
          Map.entry(DoubleBinaryOperator.class, sig(F64, F64).returning(F64)),
          Map.entry(DoubleUnaryOperator.class, sig(F64).returning(F64)),
          Map.entry(IntSupplier.class, sig().returning(I32)),
          Map.entry(LongSupplier.class, sig().returning(I64)),
          Map.entry(DoubleSupplier.class, sig().returning(F64)),
          Map.entry(Runnable.class, sig()),
          Map.entry(IntConsumer.class, sig(I32)),
          Map.entry(LongConsumer.class, sig(I64)),
          Map.entry(IntToLongFunction.class, sig(I32).returning(I64)),
          Map.entry(LongToIntFunction.class, sig(I64).returning(I32)));

  /**
   * Checks that {@code handle} can be bound as {@code shape}, as {@link #bind} does.
   *
   * @throws InvalidCallException if the shape is not supported or does not fit the export's type
   */
  static void check(ExportHandle handle, Class<?> shape) {
    if (shape == WasmFunction.class) {
      return;
    }
    FunctionType expected = SIGNATURES.get(shape);
    if (expected == null) {
      throw new InvalidCallException(
          handle.describe() + ": " + shape.getName() + " is not a supported handle type; see Instance's"
              + " documentation for the supported interfaces, or use WasmFunction");
    }
    if (!handle.type().equals(expected)) {
      throw new InvalidCallException(
          handle.describe() + " cannot be bound as " + shape.getSimpleName() + ", which needs " + expected);
    }
  }

  static <T> T bind(ExportHandle handle, Class<T> shape) {
    check(handle, shape);
    ExportFunction f = handle.function();
    Object bound;
    if (shape == WasmFunction.class) {
      bound = handle;
    } else if (shape == IntBinaryOperator.class) {
      bound =
          (IntBinaryOperator)
              (a, b) -> {
                try {
                  return (int) f.apply(a, b)[0];
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == IntUnaryOperator.class) {
      bound =
          (IntUnaryOperator)
              a -> {
                try {
                  return (int) f.apply(a)[0];
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == LongBinaryOperator.class) {
      bound =
          (LongBinaryOperator)
              (a, b) -> {
                try {
                  return f.apply(a, b)[0];
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == LongUnaryOperator.class) {
      bound =
          (LongUnaryOperator)
              a -> {
                try {
                  return f.apply(a)[0];
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == DoubleBinaryOperator.class) {
      bound =
          (DoubleBinaryOperator)
              (a, b) -> {
                try {
                  return Double.longBitsToDouble(
                      f.apply(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b))[0]);
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == DoubleUnaryOperator.class) {
      bound =
          (DoubleUnaryOperator)
              a -> {
                try {
                  return Double.longBitsToDouble(f.apply(Double.doubleToRawLongBits(a))[0]);
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == IntSupplier.class) {
      bound =
          (IntSupplier)
              () -> {
                try {
                  return (int) f.apply()[0];
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == LongSupplier.class) {
      bound =
          (LongSupplier)
              () -> {
                try {
                  return f.apply()[0];
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == DoubleSupplier.class) {
      bound =
          (DoubleSupplier)
              () -> {
                try {
                  return Double.longBitsToDouble(f.apply()[0]);
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == Runnable.class) {
      bound =
          (Runnable)
              () -> {
                try {
                  f.apply();
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == IntConsumer.class) {
      bound =
          (IntConsumer)
              a -> {
                try {
                  f.apply(a);
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == LongConsumer.class) {
      bound =
          (LongConsumer)
              a -> {
                try {
                  f.apply(a);
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == IntToLongFunction.class) {
      bound =
          (IntToLongFunction)
              a -> {
                try {
                  return f.apply(a)[0];
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else if (shape == LongToIntFunction.class) {
      bound =
          (LongToIntFunction)
              a -> {
                try {
                  return (int) f.apply(a)[0];
                } catch (RuntimeException | StackOverflowError e) {
                  throw handle.failure(e);
                }
              };
    } else {
      throw new IllegalStateException("no binding for " + shape.getName()); // check() accepted it
    }
    return shape.cast(bound);
  }

  private static FunctionType sig(ValueType... params) {
    return FunctionType.accepting(params);
  }

}
