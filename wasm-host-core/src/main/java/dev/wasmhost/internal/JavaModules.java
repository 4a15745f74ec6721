package dev.wasmhost.internal;

import com.dylibso.chicory.wasm.WasmWriter;
import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.ValueType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns Java functions into a real module: one that imports each function from module {@code java}
 * and exports it under the same name. A Java fallback then goes through exactly the same paths as a
 * wasm module (typed handles, per-thread instances, dependents' imports), with no special case.
 */
final class JavaModules {
  static final String IMPORT_MODULE = "java";

  private JavaModules() {}

  /** The bytes of the re-exporting module for {@code functions}. */
  static byte[] reexporting(Imports functions) {
    List<HostFunction> list = functions.functions();
    WasmWriter writer = new WasmWriter();

    ByteArrayOutputStream types = new ByteArrayOutputStream();
    WasmWriter.writeVarUInt32(types, list.size());
    for (HostFunction function : list) {
      FunctionType type = function.type();
      types.write(0x60);
      writeValueTypes(types, type.params());
      writeValueTypes(types, type.results());
    }
    writer.writeSection(1, types.toByteArray());

    ByteArrayOutputStream imports = new ByteArrayOutputStream();
    WasmWriter.writeVarUInt32(imports, list.size());
    for (int i = 0; i < list.size(); i++) {
      writeName(imports, IMPORT_MODULE);
      writeName(imports, list.get(i).name());
      imports.write(0x00);
      WasmWriter.writeVarUInt32(imports, i);
    }
    writer.writeSection(2, imports.toByteArray());

    ByteArrayOutputStream exports = new ByteArrayOutputStream();
    WasmWriter.writeVarUInt32(exports, list.size());
    for (int i = 0; i < list.size(); i++) {
      writeName(exports, list.get(i).name());
      exports.write(0x00);
      WasmWriter.writeVarUInt32(exports, i);
    }
    writer.writeSection(7, exports.toByteArray());
    return writer.bytes();
  }

  /**
   * The same functions, renamed to be imported from module {@code java}, and called with a null caller
   * as documented: the re-exporting module is an implementation detail, not the caller.
   */
  static Imports asImports(Imports functions) {
    Imports.Builder builder = Imports.builder();
    for (HostFunction function : functions.functions()) {
      HostFunction.Body body = function.body();
      builder.function(IMPORT_MODULE, function.name(), function.type(), (caller, args) -> body.call(null, args));
    }
    return builder.build();
  }

  private static void writeValueTypes(ByteArrayOutputStream out, List<ValueType> types) {
    WasmWriter.writeVarUInt32(out, types.size());
    for (ValueType type : types) {
      out.write(code(type));
    }
  }

  private static int code(ValueType type) {
    switch (type) {
      case I32:
        return 0x7F;
      case I64:
        return 0x7E;
      case F32:
        return 0x7D;
      case F64:
        return 0x7C;
      case V128:
        return 0x7B;
      case FUNCREF:
        return 0x70;
      case EXTERNREF:
        return 0x6F;
      default:
        throw new IllegalArgumentException("a Java fallback cannot use " + type + " values");
    }
  }

  private static void writeName(ByteArrayOutputStream out, String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    WasmWriter.writeVarUInt32(out, bytes.length);
    out.writeBytes(bytes);
  }
}
