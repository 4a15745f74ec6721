package dev.wasmhost.wasi;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * How a WASI command ended: its exit code and what it wrote to the standard streams that were
 * captured (empty for a stream that was redirected or inherited).
 *
 * @param exitCode 0 when {@code _start} returned or the guest called {@code proc_exit(0)}, else the
 *     code it gave
 * @param stdout what the guest wrote to standard output, if captured
 * @param stderr what the guest wrote to standard error, if captured
 */
public record WasiResult(int exitCode, byte[] stdout, byte[] stderr) {
  public WasiResult {
    stdout = stdout.clone();
    stderr = stderr.clone();
  }

  /** A copy of the captured standard output. */
  @Override
  public byte[] stdout() {
    return stdout.clone();
  }

  /** A copy of the captured standard error. */
  @Override
  public byte[] stderr() {
    return stderr.clone();
  }

  /** The captured standard output decoded as UTF-8. */
  public String stdoutText() {
    return new String(stdout, StandardCharsets.UTF_8);
  }

  /** The captured standard error decoded as UTF-8. */
  public String stderrText() {
    return new String(stderr, StandardCharsets.UTF_8);
  }

  /** True when the exit code is 0. */
  public boolean succeeded() {
    return exitCode == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WasiResult r
        && r.exitCode == exitCode
        && Arrays.equals(r.stdout, stdout)
        && Arrays.equals(r.stderr, stderr);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * exitCode + Arrays.hashCode(stdout)) + Arrays.hashCode(stderr);
  }

  @Override
  public String toString() {
    return "WasiResult[exitCode=" + exitCode + ", stdout=" + stdout.length + " bytes, stderr=" + stderr.length + " bytes]";
  }
}
