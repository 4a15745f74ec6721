/**
 * The implementation of {@code dev.wasmhost.api} on Chicory. Exports nothing: applications use the
 * API, which finds this module through {@link java.util.ServiceLoader}.
 */
module dev.wasmhost.core {
  requires transitive dev.wasmhost.api;
  requires com.dylibso.chicory.runtime;
  requires com.dylibso.chicory.compiler;
  requires com.github.benmanes.caffeine;
  requires org.slf4j;
  requires jdk.jfr;
  // Optional: reads -XX:-DontCompileHugeMethods to decide whether to warn about huge methods.
  requires static jdk.management;

  provides dev.wasmhost.LoaderProvider with
      dev.wasmhost.internal.ChicoryLoaderProvider;
}
