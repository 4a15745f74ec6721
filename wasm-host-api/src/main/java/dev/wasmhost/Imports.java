package dev.wasmhost;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable set of host functions to satisfy a module's imports, keyed by import module and name.
 *
 * <pre>{@code
 * Imports imports = Imports.builder()
 *     .function("env", "now", FunctionType.accepting().returning(ValueType.I64),
 *         (caller, args) -> new long[] {System.nanoTime()})
 *     .build();
 * WasmLoader.builder().imports(imports).build();   // for every module of that loader
 * module.instantiate(imports);                     // or for one instance
 * }</pre>
 *
 * <p>Linking is checked when instantiating: every function the module imports must be present with
 * exactly the declared signature, or a {@link LinkException} lists every missing and mismatched
 * import. Functions the module does not import are ignored.
 */
public final class Imports {
  private static final Imports EMPTY = new Imports(Map.of());

  private final Map<String, HostFunction> functions;

  private Imports(Map<String, HostFunction> functions) {
    this.functions = functions;
  }

  /** No imports. */
  public static Imports empty() {
    return EMPTY;
  }

  /** These host functions; two with the same module and name are an error. */
  public static Imports of(HostFunction... functions) {
    Builder builder = builder();
    for (HostFunction function : functions) {
      builder.add(function);
    }
    return builder.build();
  }

  /** A new, empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The function for import {@code module.name}, or null. */
  public HostFunction function(String module, String name) {
    return functions.get(key(module, name));
  }

  /** Every function, in the order added. */
  public List<HostFunction> functions() {
    return List.copyOf(functions.values());
  }

  /** True when there are no functions. */
  public boolean isEmpty() {
    return functions.isEmpty();
  }

  /**
   * These imports together with {@code other}'s; where both define the same import, {@code other}'s
   * wins (so per-instance imports override a loader's).
   */
  public Imports overriddenBy(Imports other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    Map<String, HostFunction> merged = new LinkedHashMap<>(functions);
    merged.putAll(other.functions);
    return new Imports(Collections.unmodifiableMap(merged));
  }

  @Override
  public String toString() {
    return "Imports" + new ArrayList<>(functions.values());
  }

  private static String key(String module, String name) {
    return module + '\u0000' + name;
  }

  /** Collects host functions; each is checked as it is added. Not thread-safe. */
  public static final class Builder {
    private final Map<String, HostFunction> functions = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Adds {@code function}.
     *
     * @throws IllegalArgumentException if a function for the same import was already added
     */
    public Builder add(HostFunction function) {
      Objects.requireNonNull(function, "function");
      HostFunction previous = functions.putIfAbsent(key(function.module(), function.name()), function);
      if (previous != null) {
        throw new IllegalArgumentException(
            "import " + function.module() + "." + function.name() + " was already defined as " + previous);
      }
      return this;
    }

    /** Adds every function of {@code imports}, with the same check as {@link #add}. */
    public Builder addAll(Imports imports) {
      imports.functions.values().forEach(this::add);
      return this;
    }

    /** Adds {@code HostFunction.of(module, name, type, body)}. */
    public Builder function(String module, String name, FunctionType type, HostFunction.Body body) {
      return add(HostFunction.of(module, name, type, body));
    }

    /** The imports added so far. The builder can go on being used. */
    public Imports build() {
      return functions.isEmpty()
          ? EMPTY
          : new Imports(Collections.unmodifiableMap(new LinkedHashMap<>(functions)));
    }
  }
}
