package dev.wasmhost;

import java.util.Objects;

/**
 * One export of a module, as listed by {@link WasmModule#exports()}.
 *
 * @param name the export name
 * @param kind what is exported
 * @param functionType the signature when {@code kind} is {@link ExternKind#FUNCTION}, else null
 */
public record ModuleExport(String name, ExternKind kind, FunctionType functionType) {
  public ModuleExport {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    if ((kind == ExternKind.FUNCTION) != (functionType != null)) {
      throw new IllegalArgumentException("functionType must be given exactly for functions");
    }
  }

  /** Text such as {@code func add: (i32, i32) -> i32} or {@code memory memory}. */
  @Override
  public String toString() {
    return kind == ExternKind.FUNCTION
        ? "func " + name + ": " + functionType
        : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + name;
  }
}
