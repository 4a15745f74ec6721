package dev.wasmhost;

import java.util.List;
import java.util.Optional;

/**
 * A loaded, validated and (with {@link Engine#COMPILER}) compiled WebAssembly module, ready to call
 * or instantiate. Obtained from {@link WasmLoader#load} or {@link Loader#load}.
 *
 * <pre>{@code
 * WasmModule module = WasmLoader.load(Path.of("fib.wasm"));
 * Object result = module.call("fib", 20);     // Long 6765 for an i64 result
 * module.exports();                           // [func fib: (i64) -> i64]
 * }</pre>
 *
 * <p><b>Identity.</b> A module is identified by the SHA-256 of its bytes: loading equal bytes from any
 * source through one loader returns this same object while it is cached, so it is decoded and
 * compiled once.
 *
 * <p><b>Threads and state.</b> A module is thread-safe. {@link #call} runs on an instance owned by the
 * calling thread, created on that thread's first call with the loader's imports: memory and globals
 * persist between calls <em>from the same thread</em>, and are not shared between threads. If a call
 * traps, that thread's instance is discarded and its next call starts on a fresh one. For explicit
 * control of state, use {@link #instantiate()}.
 */
public interface WasmModule {

  /** {@code "sha256:"} followed by the lowercase hex SHA-256 of the module's bytes. */
  String digest();

  /** Where the module was first loaded from (a URI, or {@code bytes}), for messages. */
  String source();

  /** The size of the module's binary in bytes. */
  long sizeBytes();

  /**
   * The engine that runs new calls now: {@link Engine#COMPILER} once compiled code is in use,
   * otherwise {@link Engine#INTERPRETER}. With {@link Engine#AUTO} it changes from the first to the
   * second when the background compilation completes.
   */
  Engine engine();

  /**
   * Waits until this module runs compiled code, at most {@code timeout}.
   *
   * @return true once compiled code is in use; false on timeout, if the loader's engine is {@link
   *     Engine#INTERPRETER}, or if compilation failed (the module then stays on the interpreter)
   */
  boolean awaitCompiled(java.time.Duration timeout);

  /** The module's exports, in declaration order. */
  List<ModuleExport> exports();

  /** The module's imports, in declaration order. */
  List<ModuleImport> imports();

  /** The module's memory, defined or imported, if it has one. */
  Optional<MemoryType> memory();

  /**
   * Calls export {@code function} on the calling thread's instance; see the class docs for state.
   * Arguments and results are as for {@link Instance#call}.
   *
   * @throws InvalidCallException if there is no such function export or the arguments do not fit
   * @throws TrapException if the guest traps
   * @throws LinkException if the loader's imports do not satisfy the module (on a thread's first call)
   */
  Object call(String function, Object... args);

  /**
   * {@link #call} with its own deadline, instead of the loader's: if the call is still running after
   * {@code timeout}, it is stopped and a {@link CallTimeoutException} is thrown (the thread's instance
   * is discarded).
   */
  Object callWithTimeout(java.time.Duration timeout, String function, Object... args);

  /**
   * The fuel consumed by the calling thread's last {@link #call} of this module, or -1 without
   * metering; see {@link Instance#lastCallFuel()}.
   */
  long lastCallFuel();

  /** A new instance, linked with the loader's imports. */
  Instance instantiate();

  /** A new pool of this module's instances; use {@link InstancePool#builder(WasmModule)}. */
  InstancePool newPool(InstancePool.Config config);

  /**
   * A new instance, linked with the loader's imports overridden by {@code imports}.
   *
   * @throws LinkException listing every missing or mismatched import
   * @throws InstantiateException if instantiation fails, e.g. the start function traps
   */
  Instance instantiate(Imports imports);
}
