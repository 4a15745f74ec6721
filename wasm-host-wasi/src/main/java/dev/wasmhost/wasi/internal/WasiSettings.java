package dev.wasmhost.wasi.internal;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What a {@code Wasi} grants, as its builder checked it. Null stream means captured; null clock or
 * random means the host's.
 *
 * @param args argv including argv[0], or null for just the program's name
 * @param env {@code NAME=VALUE} strings
 */
public record WasiSettings(
    List<String> args,
    List<String> env,
    Supplier<InputStream> stdin,
    OutputStream stdout,
    OutputStream stderr,
    List<Mount> mounts,
    LongSupplier walltime,
    LongSupplier nanotime,
    Random random) {

  /** A host directory (real, absolute) mounted at a guest path. */
  public record Mount(Path hostDirectory, String guestPath, boolean readOnly) {}

  @Override
  public String toString() {
    return "[args=" + args + ", env=" + env.size() + " variables, mounts=" + mounts + "]";
  }
}
