package dev.wasmhost;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The signature of a WebAssembly function: its parameter and result types.
 *
 * <pre>{@code
 * FunctionType add = FunctionType.accepting(ValueType.I32, ValueType.I32).returning(ValueType.I32);
 * add.toString(); // "(i32, i32) -> i32"
 * }</pre>
 *
 * @param params the parameter types, in order
 * @param results the result types, in order (empty for none)
 */
public record FunctionType(List<ValueType> params, List<ValueType> results) {

  public FunctionType {
    params = List.copyOf(Objects.requireNonNull(params, "params"));
    results = List.copyOf(Objects.requireNonNull(results, "results"));
  }

  /** A signature with the given parameters and no results; add results with {@link #returning}. */
  public static FunctionType accepting(ValueType... params) {
    return new FunctionType(List.of(params), List.of());
  }

  /** A signature with these parameters and results. */
  public static FunctionType of(List<ValueType> params, List<ValueType> results) {
    return new FunctionType(params, results);
  }

  /** This signature with its results replaced by {@code results}. */
  public FunctionType returning(ValueType... results) {
    return new FunctionType(params, List.of(results));
  }

  /** Text such as {@code (i32, i64) -> f64}, {@code () -> ()} or {@code (i32) -> (i32, i32)}. */
  @Override
  public String toString() {
    String in = params.stream().map(ValueType::toString).collect(Collectors.joining(", ", "(", ")"));
    String out =
        results.size() == 1
            ? results.get(0).toString()
            : results.stream().map(ValueType::toString).collect(Collectors.joining(", ", "(", ")"));
    return in + " -> " + out;
  }

  // Written out rather than left to the record's generated methods, whose first call bootstraps
  // ObjectMethods: 10-15 ms on a cold JVM, and the linker compares types on every first
  // instantiation.
  @Override
  public boolean equals(Object other) {
    return other instanceof FunctionType that && params.equals(that.params) && results.equals(that.results);
  }

  @Override
  public int hashCode() {
    return 31 * params.hashCode() + results.hashCode();
  }
}
