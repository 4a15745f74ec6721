package dev.wasmhost.internal;

import static dev.wasmhost.ValueType.F64;
import static dev.wasmhost.ValueType.I32;
import static dev.wasmhost.ValueType.I64;

import com.dylibso.chicory.runtime.ExportFunction;
import dev.wasmhost.FunctionType;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmFunction;
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

  static <T> T bind(ExportHandle handle, Class<T> shape) {
    ExportFunction f = handle.function();
    Object bound;
    if (shape == WasmFunction.class) {
      bound = handle;
    } else if (shape == IntBinaryOperator.class) {
      require(handle, shape, sig(I32, I32).returning(I32));
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
      require(handle, shape, sig(I32).returning(I32));
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
      require(handle, shape, sig(I64, I64).returning(I64));
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
      require(handle, shape, sig(I64).returning(I64));
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
      require(handle, shape, sig(F64, F64).returning(F64));
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
      require(handle, shape, sig(F64).returning(F64));
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
      require(handle, shape, sig().returning(I32));
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
      require(handle, shape, sig().returning(I64));
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
      require(handle, shape, sig().returning(F64));
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
      require(handle, shape, sig());
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
      require(handle, shape, sig(I32));
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
      require(handle, shape, sig(I64));
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
      require(handle, shape, sig(I32).returning(I64));
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
      require(handle, shape, sig(I64).returning(I32));
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
      throw new InvalidCallException(
          handle.describe() + ": " + shape.getName() + " is not a supported handle type; see Instance's"
              + " documentation for the supported interfaces, or use WasmFunction");
    }
    return shape.cast(bound);
  }

  private static FunctionType sig(ValueType... params) {
    return FunctionType.accepting(params);
  }

  private static void require(ExportHandle handle, Class<?> shape, FunctionType expected) {
    if (!handle.type().equals(expected)) {
      throw new InvalidCallException(
          handle.describe() + " cannot be bound as " + shape.getSimpleName() + ", which needs " + expected);
    }
  }
}
