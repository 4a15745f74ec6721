package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.InterpreterMachine;
import com.dylibso.chicory.runtime.Machine;
import java.util.function.Function;

/**
 * The machine of an instance created before its {@link dev.wasmhost.Engine#AUTO} module finished
 * compiling: it interprets until the module's compiled factory appears, then binds a compiled machine
 * to the same instance (memory, globals and tables are the instance's, so state carries over) and
 * uses it for every later call. A call already running in the interpreter finishes there. Confined to
 * its instance's thread, like the instance.
 */
final class AutoMachine implements Machine {
  private final Instance instance;
  private final LoadedModule module;
  private final Machine interpreter;
  private Machine compiled;

  AutoMachine(Instance instance, LoadedModule module) {
    this.instance = instance;
    this.module = module;
    this.interpreter = new InterpreterMachine(instance);
  }

  @Override
  public long[] call(int funcId, long[] args) {
    Machine machine = compiled;
    if (machine == null) {
      Function<Instance, Machine> factory = module.compiledFactory();
      if (factory == null) {
        try {
          return interpreter.call(funcId, args);
        } finally {
          module.interpretedCallReturned();
        }
      }
      machine = factory.apply(instance);
      compiled = machine;
    }
    return machine.call(funcId, args);
  }
}
