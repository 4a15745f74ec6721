package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.ImportValues;
import dev.wasmhost.ExternKind;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.LinkException;
import dev.wasmhost.ModuleImport;
import java.util.ArrayList;
import java.util.List;

/** Matches a module's imports against host functions and adapts those to Chicory. */
final class Linker {
  private Linker() {}

  /**
   * Checks every import of {@code module} against {@code imports} and, if all match, returns
   * Chicory import values whose host functions report their caller as {@code owner}.
   *
   * @throws LinkException listing every missing, mismatched or unsupported import
   */
  static ImportValues link(LoadedModule module, Imports imports, LiveInstance owner) {
    List<ModuleImport> wanted = module.imports();
    if (wanted.isEmpty()) {
      return ImportValues.empty();
    }
    List<String> problems = new ArrayList<>();
    ImportValues.Builder values = ImportValues.builder();
    for (ModuleImport imp : wanted) {
      if (imp.kind() != ExternKind.FUNCTION) {
        problems.add("unsupported " + imp + ": wasm-host provides function imports only");
        continue;
      }
      HostFunction provided = imports.function(imp.module(), imp.name());
      if (provided == null) {
        problems.add("missing " + imp);
      } else if (!provided.type().equals(imp.functionType())) {
        problems.add(
            "mismatched func " + imp.module() + "." + imp.name() + ": expected " + imp.functionType()
                + ", provided " + provided.type());
      } else {
        values.addFunction(adapt(provided, owner));
      }
    }
    if (!problems.isEmpty()) {
      throw new LinkException(
          "module " + module.label() + " cannot be linked (" + problems.size() + " problem"
              + (problems.size() == 1 ? "" : "s") + "):\n  " + String.join("\n  ", problems));
    }
    return values.build();
  }

  private static com.dylibso.chicory.runtime.HostFunction adapt(HostFunction function, LiveInstance owner) {
    HostFunction.Body body = function.body();
    int resultCount = function.type().results().size();
    String name = function.module() + "." + function.name();
    return new com.dylibso.chicory.runtime.HostFunction(
        function.module(),
        function.name(),
        Types.chicoryType(function.type()),
        (instance, args) -> {
          owner.attachIfAbsent(instance);
          long[] results;
          try {
            results = body.call(owner, args);
          } catch (VirtualMachineError e) {
            // A stack overflow is reported by the call site as "call stack exhausted", however deep
            // in guest and host frames it happened; out of memory is not the guest's business.
            throw e;
          } catch (Throwable e) {
            // Anything else, Errors included (an AssertionError in host code, say), is the host
            // function's failure, reported as a trap with the original as its cause.
            throw new HostFunctionFailure(name, e);
          }
          int count = results == null ? 0 : results.length;
          if (count != resultCount) {
            throw new HostFunctionFailure(
                name,
                new IllegalStateException(
                    "host function " + name + " returned " + count + " results, its type " + function.type()
                        + " declares " + resultCount));
          }
          return results;
        });
  }
}
