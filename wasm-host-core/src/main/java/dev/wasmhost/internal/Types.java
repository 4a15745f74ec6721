package dev.wasmhost.internal;

import com.dylibso.chicory.wasm.types.ValType;
import dev.wasmhost.FunctionType;
import dev.wasmhost.ValueType;
import java.util.ArrayList;
import java.util.List;

/** Conversions between Chicory's type objects and the API's. */
final class Types {
  private Types() {}

  static ValueType valueType(ValType type) {
    if (type.equals(ValType.I32)) {
      return ValueType.I32;
    } else if (type.equals(ValType.I64)) {
      return ValueType.I64;
    } else if (type.equals(ValType.F32)) {
      return ValueType.F32;
    } else if (type.equals(ValType.F64)) {
      return ValueType.F64;
    } else if (type.equals(ValType.V128)) {
      return ValueType.V128;
    } else if (type.equals(ValType.FuncRef)) {
      return ValueType.FUNCREF;
    } else if (type.equals(ValType.ExternRef)) {
      return ValueType.EXTERNREF;
    }
    return ValueType.REF;
  }

  static ValType valType(ValueType type) {
    switch (type) {
      case I32:
        return ValType.I32;
      case I64:
        return ValType.I64;
      case F32:
        return ValType.F32;
      case F64:
        return ValType.F64;
      case V128:
        return ValType.V128;
      case FUNCREF:
        return ValType.FuncRef;
      case EXTERNREF:
        return ValType.ExternRef;
      default:
        throw new IllegalArgumentException("host functions cannot use " + type + " values");
    }
  }

  static FunctionType functionType(com.dylibso.chicory.wasm.types.FunctionType type) {
    return FunctionType.of(valueTypes(type.params()), valueTypes(type.returns()));
  }

  static com.dylibso.chicory.wasm.types.FunctionType chicoryType(FunctionType type) {
    return com.dylibso.chicory.wasm.types.FunctionType.of(valTypes(type.params()), valTypes(type.results()));
  }

  private static List<ValueType> valueTypes(List<ValType> types) {
    List<ValueType> out = new ArrayList<>(types.size());
    for (ValType type : types) {
      out.add(valueType(type));
    }
    return out;
  }

  private static List<ValType> valTypes(List<ValueType> types) {
    List<ValType> out = new ArrayList<>(types.size());
    for (ValueType type : types) {
      out.add(valType(type));
    }
    return out;
  }
}
