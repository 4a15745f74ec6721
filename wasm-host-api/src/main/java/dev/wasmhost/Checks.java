package dev.wasmhost;

import java.time.Duration;
import java.util.Objects;

/** The argument checks the builders share, so that every builder says the same thing the same way. */
final class Checks {
  private Checks() {}

  /** {@code value} if it is positive and {@code name} was not set before ({@code current} is null). */
  static Duration positiveOnce(String name, Duration value, Duration current) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
    return once(name, value, current);
  }

  /** {@code value} if {@code name} was not set before ({@code current} is null). */
  static <T> T once(String name, T value, T current) {
    Objects.requireNonNull(value, name);
    if (current != null) {
      throw new IllegalStateException(name + " was already set to " + current);
    }
    return value;
  }
}
