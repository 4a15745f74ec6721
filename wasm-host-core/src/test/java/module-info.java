/**
 * The core module's tests, compiled as a module of their own that reads only the API: this keeps
 * them to the public API, as a user would see it. (They cannot share the package {@code dev.wasmhost}
 * with {@code dev.wasmhost.api}, since a package belongs to one module.) Surefire runs them on the
 * class path, where this descriptor is ignored.
 */
open module dev.wasmhost.tests {
  requires dev.wasmhost.api;
  requires jdk.httpserver;
  requires org.junit.jupiter.api;
  requires org.junit.jupiter.params;
  requires net.jqwik.api;
  requires org.assertj.core;
}
