package dev.wasmhost.internal;

import com.dylibso.chicory.wasm.types.Export;
import com.dylibso.chicory.wasm.types.ExternalType;
import com.dylibso.chicory.wasm.types.FunctionImport;
import com.dylibso.chicory.wasm.types.Import;
import com.dylibso.chicory.wasm.types.MemoryImport;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import dev.wasmhost.ExternKind;
import dev.wasmhost.FunctionType;
import dev.wasmhost.MemoryType;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.ModuleImport;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a module declares, computed once at load: its imports, its exports, its memory, and an index
 * of function exports by name for the call path. Immutable.
 */
final class ModuleShape {
  /**
   * A function export, with its position in the per-instance handle array and its index in the
   * module's function index space.
   */
  record FunctionExport(int ordinal, String name, FunctionType type, int functionIndex) {}

  final List<ModuleImport> imports;
  final List<ModuleExport> exports;
  final Optional<MemoryType> memory;
  final Map<String, FunctionExport> functionExports;
  final int functionCount;

  ModuleShape(com.dylibso.chicory.wasm.WasmModule module) {
    this(module, null);
  }

  /** The shape of {@code module}, leaving out export {@code hiddenExport} (the fuel counter), if any. */
  ModuleShape(com.dylibso.chicory.wasm.WasmModule module, String hiddenExport) {
    var typeSection = module.typeSection();
    List<ModuleImport> imports = new ArrayList<>();
    List<FunctionType> importedFunctionTypes = new ArrayList<>();
    MemoryType memory = null;
    var importSection = module.importSection();
    for (int i = 0; i < importSection.importCount(); i++) {
      Import imp = importSection.getImport(i);
      ExternKind kind = kind(imp.importType());
      FunctionType type = null;
      if (imp instanceof FunctionImport) {
        type = Types.functionType(typeSection.getType(((FunctionImport) imp).typeIndex()));
        importedFunctionTypes.add(type);
      } else if (imp instanceof MemoryImport && memory == null) {
        memory = memoryType(((MemoryImport) imp).limits(), true);
      }
      imports.add(new ModuleImport(imp.module(), imp.name(), kind, type));
    }
    if (memory == null) {
      memory =
          module.memorySection()
              .filter(section -> section.memoryCount() > 0)
              .map(section -> memoryType(section.getMemory(0).limits(), false))
              .orElse(null);
    }
    var functionSection = module.functionSection();
    List<ModuleExport> exports = new ArrayList<>();
    Map<String, FunctionExport> functionExports = new HashMap<>();
    var exportSection = module.exportSection();
    for (int i = 0; i < exportSection.exportCount(); i++) {
      Export export = exportSection.getExport(i);
      if (export.name().equals(hiddenExport)) {
        continue;
      }
      ExternKind kind = kind(export.exportType());
      FunctionType type = null;
      if (kind == ExternKind.FUNCTION) {
        int index = export.index();
        type =
            index < importedFunctionTypes.size()
                ? importedFunctionTypes.get(index)
                : Types.functionType(
                    typeSection.getType(functionSection.getFunctionType(index - importedFunctionTypes.size())));
        functionExports.put(export.name(), new FunctionExport(functionExports.size(), export.name(), type, index));
      }
      exports.add(new ModuleExport(export.name(), kind, type));
    }
    this.imports = List.copyOf(imports);
    this.exports = List.copyOf(exports);
    this.memory = Optional.ofNullable(memory);
    this.functionExports = Map.copyOf(functionExports);
    this.functionCount = importedFunctionTypes.size() + functionSection.functionCount();
  }

  private static MemoryType memoryType(MemoryLimits limits, boolean imported) {
    OptionalInt max =
        limits.maximumPages() >= MemoryLimits.MAX_PAGES ? OptionalInt.empty() : OptionalInt.of(limits.maximumPages());
    return new MemoryType(limits.initialPages(), max, imported);
  }

  private static ExternKind kind(ExternalType type) {
    switch (type) {
      case FUNCTION:
        return ExternKind.FUNCTION;
      case TABLE:
        return ExternKind.TABLE;
      case MEMORY:
        return ExternKind.MEMORY;
      case GLOBAL:
        return ExternKind.GLOBAL;
      default:
        return ExternKind.TAG;
    }
  }
}
