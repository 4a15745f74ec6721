package dev.wasmhost;

import java.util.Objects;

/**
 * One import of a module, as listed by {@link WasmModule#imports()}.
 *
 * @param module the import's module name, e.g. {@code env}
 * @param name the import's field name
 * @param kind what is imported
 * @param functionType the expected signature when {@code kind} is {@link ExternKind#FUNCTION}, else null
 */
public record ModuleImport(String module, String name, ExternKind kind, FunctionType functionType) {
  public ModuleImport {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    if ((kind == ExternKind.FUNCTION) != (functionType != null)) {
      throw new IllegalArgumentException("functionType must be given exactly for functions");
    }
  }

  /** Text such as {@code func env.log: (i32) -> ()}. */
  @Override
  public String toString() {
    return kind == ExternKind.FUNCTION
        ? "func " + module + "." + name + ": " + functionType
        : kind.name().toLowerCase(java.util.Locale.ROOT) + " " + module + "." + name;
  }
}
