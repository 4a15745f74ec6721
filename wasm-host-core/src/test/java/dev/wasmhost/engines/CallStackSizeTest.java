package dev.wasmhost.engines;

import static dev.wasmhost.engines.TestSupport.wasm;
import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.Loader;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Loader.Builder#callStackSize} moves {@link WasmModule#call} onto the loader's threads; what
 * the caller sees must not change otherwise: state per calling thread, as {@link WasmModule}
 * documents, and calls that may nest (a host function calling a module).
 */
@Timeout(60)
class CallStackSizeTest {
  private static WasmModule memory(Engine engine) {
    return WasmLoader.builder().engine(engine).callStackSize(1L << 20).build().load(wasm("memory"));
  }

  @Test
  void stateStillPersistsBetweenCallsFromTheSameThread() throws Exception {
    WasmModule module = memory(Engine.COMPILER);
    List<Object> mine = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      mine.add(module.call("inc"));
    }
    // WasmModule: "memory and globals persist between calls from the same thread".
    assertThat(mine).as("inc from one thread, four times").containsExactly(1, 2, 3, 4);
  }

  @Test
  void stateIsStillNotSharedBetweenThreads() throws Exception {
    WasmModule module = memory(Engine.INTERPRETER);
    module.call("inc");
    module.call("inc");
    List<Object> other = new ArrayList<>();
    Thread thread = new Thread(() -> {
      for (int i = 0; i < 3; i++) {
        other.add(module.call("inc"));
      }
    });
    thread.start();
    thread.join();
    // WasmModule: state is "not shared between threads".
    assertThat(other).as("inc from a second thread, after two from the first").containsExactly(1, 2, 3);
  }

  @Test
  void aHostFunctionCallingAModuleOfTheSameLoaderDoesNotDeadlock() throws Exception {
    int outer = Runtime.getRuntime().availableProcessors(); // as many as the loader has call threads
    CountDownLatch allInside = new CountDownLatch(outer);
    AtomicReference<WasmModule> fib = new AtomicReference<>();
    HostFunction add =
        HostFunction.of("env", "add", FunctionType.accepting(ValueType.I32, ValueType.I32).returning(ValueType.I32),
            (caller, args) -> {
              allInside.countDown();
              allInside.await(5, TimeUnit.SECONDS); // every outer call is now inside a host function
              long nested = (Long) fib.get().call("fib", (long) args[0]);
              return new long[] {nested + args[1]};
            });
    HostFunction log = HostFunction.of("env", "log", FunctionType.accepting(ValueType.I32, ValueType.I32),
        (caller, args) -> new long[0]);
    HostFunction now = HostFunction.of("env", "now", FunctionType.accepting().returning(ValueType.I64),
        (caller, args) -> new long[] {0});
    Loader loader = WasmLoader.builder().engine(Engine.COMPILER).callStackSize(1L << 20)
        .imports(Imports.of(add, log, now)).build();
    fib.set(loader.load(wasm("fib")));
    WasmModule imports = loader.load(wasm("imports"));

    ExecutorService callers = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "nesting-caller");
      thread.setDaemon(true); // stays blocked forever if the loader deadlocks
      return thread;
    });
    try {
      List<Future<Object>> results = new ArrayList<>();
      for (int i = 0; i < outer; i++) {
        results.add(callers.submit(() -> imports.call("call_add", 10, 1)));
      }
      for (Future<Object> result : results) {
        Object value;
        try {
          value = result.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError(outer + " concurrent module.call whose host function calls module.call of the"
              + " same loader did not finish within 10 s: deadlocked on the loader's call threads", e);
        }
        assertThat(value).isEqualTo(56); // fib(10) + 1
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
