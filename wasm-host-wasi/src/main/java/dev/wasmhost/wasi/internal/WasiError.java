package dev.wasmhost.wasi.internal;

/** An errno to return to the guest, thrown from deep in a call to keep the happy path readable. */
final class WasiError extends Exception {
  private static final long serialVersionUID = 1L;

  final int errno;

  WasiError(int errno) {
    super(null, null, false, false);
    this.errno = errno;
  }
}
