package dev.wasmhost;

import java.util.Objects;

/**
 * A function written in Java that a module imports.
 *
 * <pre>{@code
 * HostFunction log = HostFunction.of("env", "log", FunctionType.accepting(ValueType.I32, ValueType.I32),
 *     (caller, args) -> {
 *       System.out.println(caller.memory().readString((int) args[0], (int) args[1]));
 *       return null;
 *     });
 * Instance instance = module.instantiate(Imports.of(log));
 * }</pre>
 *
 * <p>Values travel raw, as described in {@link ValueType}. Whatever the body throws reaches the
 * caller of the guest function as a {@link TrapException} whose cause is the original exception
 * (a {@link WasmException} thrown by the body passes through unchanged). Instances of this class are
 * immutable; the body may be called from any thread that calls the guest, so it must be thread-safe
 * if the module is called from several threads.
 */
public final class HostFunction {

  /** The Java code behind a host function. */
  @FunctionalInterface
  public interface Body {
    /**
     * Runs the host function.
     *
     * @param caller the instance whose guest code made the call (its memory is the guest's)
     * @param args the arguments, raw, one per parameter
     * @return the results, raw, one per result; {@code null} or an empty array when there are none
     * @throws Exception anything; it is reported to the guest's caller as a {@link TrapException}
     */
    long[] call(Instance caller, long[] args) throws Exception;
  }

  private final String module;
  private final String name;
  private final FunctionType type;
  private final Body body;

  private HostFunction(String module, String name, FunctionType type, Body body) {
    this.module = Objects.requireNonNull(module, "module");
    this.name = Objects.requireNonNull(name, "name");
    this.type = Objects.requireNonNull(type, "type");
    this.body = Objects.requireNonNull(body, "body");
  }

  /** A host function {@code module.name} with signature {@code type}, implemented by {@code body}. */
  public static HostFunction of(String module, String name, FunctionType type, Body body) {
    return new HostFunction(module, name, type, body);
  }

  /** The import module name this function satisfies, e.g. {@code env}. */
  public String module() {
    return module;
  }

  /** The import field name this function satisfies. */
  public String name() {
    return name;
  }

  /** The signature this function declares; it must equal the import's exactly. */
  public FunctionType type() {
    return type;
  }

  /** The Java code. */
  public Body body() {
    return body;
  }

  @Override
  public String toString() {
    return "func " + module + "." + name + ": " + type;
  }
}
