package dev.wasmhost.cli;

import dev.wasmhost.ExternKind;
import dev.wasmhost.FunctionType;
import dev.wasmhost.InvalidCallException;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmModule;
import java.util.List;
import java.util.Locale;

/**
 * Converts the argument texts of {@code call} into the boxed values {@link WasmModule#call} takes,
 * following the parameter types of the export.
 *
 * <table>
 *   <caption>Argument syntax</caption>
 *   <tr><th>type</th><th>accepted text</th><th>Java value</th></tr>
 *   <tr><td>i32</td><td>{@link Integer#parseInt(String)}: {@code 42}, {@code -7}</td><td>Integer</td></tr>
 *   <tr><td>i64</td><td>{@link Long#parseLong(String)}</td><td>Long</td></tr>
 *   <tr><td>f32</td><td>{@link Float#parseFloat(String)}, or {@code nan}, {@code inf}, {@code +inf},
 *       {@code -inf} in any case</td><td>Float</td></tr>
 *   <tr><td>f64</td><td>{@link Double#parseDouble(String)}, or the same names</td><td>Double</td></tr>
 * </table>
 *
 * <p>Checking the number of arguments and the existence of the export is left to the library, so
 * that its messages reach the user unchanged: when the export is not a function, or there are more
 * texts than parameters, the surplus texts are passed as they are.
 */
final class CallArguments {
  private CallArguments() {}

  /**
   * The arguments for calling {@code function} of {@code module} with {@code texts}.
   *
   * @throws InvalidCallException if a text is not a number of its parameter's type, or the parameter's
   *     type cannot be given on a command line
   */
  static Object[] convert(WasmModule module, String function, List<String> texts) {
    List<ValueType> params = parameterTypes(module, function);
    Object[] args = new Object[texts.size()];
    for (int i = 0; i < args.length; i++) {
      String text = texts.get(i);
      args[i] = i < params.size() ? convert(function, i, params.get(i), text) : text;
    }
    return args;
  }

  private static List<ValueType> parameterTypes(WasmModule module, String function) {
    for (ModuleExport export : module.exports()) {
      if (export.kind() == ExternKind.FUNCTION && export.name().equals(function)) {
        FunctionType type = export.functionType();
        return type.params();
      }
    }
    return List.of();
  }

  private static Object convert(String function, int index, ValueType type, String text) {
    try {
      switch (type) {
        case I32:
          return Integer.parseInt(text);
        case I64:
          return Long.parseLong(text);
        case F32:
          return parseFloat(text);
        case F64:
          return parseDouble(text);
        default:
          throw new InvalidCallException(
              "parameter " + index + " of " + function + " has type " + type
                  + ", which cannot be given on the command line");
      }
    } catch (NumberFormatException e) {
      throw new InvalidCallException(
          "bad argument for parameter " + index + " of " + function + ": expected " + type
              + " but got \"" + text + "\"",
          e);
    }
  }

  private static float parseFloat(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "nan":
        return Float.NaN;
      case "inf":
      case "+inf":
        return Float.POSITIVE_INFINITY;
      case "-inf":
        return Float.NEGATIVE_INFINITY;
      default:
        return Float.parseFloat(text);
    }
  }

  private static double parseDouble(String text) {
    switch (text.toLowerCase(Locale.ROOT)) {
      case "nan":
        return Double.NaN;
      case "inf":
      case "+inf":
        return Double.POSITIVE_INFINITY;
      case "-inf":
        return Double.NEGATIVE_INFINITY;
      default:
        return Double.parseDouble(text);
    }
  }
}
