package dev.wasmhost;

/** How a loader runs guest code. */
public enum Engine {
  /**
   * Chicory's interpreter: starts at once (no compilation), runs guest code roughly 150 to 400 times
   * slower than {@link #COMPILER}. Call depth is about 1,200 wasm frames on a 1 MB thread stack.
   */
  INTERPRETER,
  /**
   * Chicory's runtime compiler: translates the whole module to JVM bytecode once per loaded module
   * (milliseconds for a small module, seconds for a large one), then every instance reuses it.
   */
  COMPILER,
  /**
   * Starts in the interpreter and compiles in the background; the default. A load returns as soon
   * as the module is decoded, and the first call runs at once in the interpreter, while a loader
   * thread compiles the module. From then on every instance, including those created before, runs
   * compiled code for its next call; a call already running finishes where it is. If the loader's
   * disk cache already holds the compiled code, it is used from the first call. If compilation
   * fails, the module stays on the interpreter and the failure is logged.
   */
  AUTO
}
