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
   * (milliseconds for a small module, seconds for a large one), then every instance reuses it. The
   * default.
   */
  COMPILER
}
