package dev.wasmhost.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Predicts, from a module's bytes, whether Chicory's compiled code for it will contain JVM methods
 * over HotSpot's 8000-byte limit, which HotSpot never JIT-compiles unless the JVM runs with {@code
 * -XX:-DontCompileHugeMethods}; such methods stay interpreted by the JVM and run many times slower.
 * Warns once per module per JVM, and only when the flag is not set.
 *
 * <p>The thresholds come from measuring Chicory 1.7.5's output for a 1,430-function SQLite build
 * (testdata/large/README.md): JVM methods are about 1.24 bytes per byte of wasm body; every body of
 * {@link #HUGE_BODY_BYTES} bytes or more gave a method over the limit and none below did, and the
 * export dispatch method passes it at about {@link #HUGE_DISPATCH_FUNCTIONS} functions. Methods from
 * bodies of {@link #VERY_HUGE_BODY_BYTES} bytes or more are too big even for C2's default node
 * budget, so the flag alone does not get them compiled.
 */
final class HugeMethods {
  private static final Logger log = LoggerFactory.getLogger("dev.wasmhost.loader");

  static final int HUGE_BODY_BYTES = 6_000;
  static final int VERY_HUGE_BODY_BYTES = 20_000;
  static final int HUGE_DISPATCH_FUNCTIONS = 1_000;

  private static final boolean JVM_SKIPS_HUGE_METHODS = jvmSkipsHugeMethods();
  private static final Set<String> warned = ConcurrentHashMap.newKeySet();

  private HugeMethods() {}

  /** Logs one warning if this JVM will leave some of this module's compiled code interpreted. */
  static void warnIfAffected(String label, String digest, byte[] module, int functionCount) {
    if (!JVM_SKIPS_HUGE_METHODS) {
      return;
    }
    String risk = risk(module, functionCount);
    if (risk != null && warned.add(digest)) {
      String flags =
          largestFunctionBody(module) >= VERY_HUGE_BODY_BYTES
              ? "-XX:-DontCompileHugeMethods -XX:MaxNodeLimit=240000 -XX:NodeLimitFudgeFactor=8000"
              : "-XX:-DontCompileHugeMethods";
      log.warn(
          "module {} {}: HotSpot will not JIT-compile the largest generated methods, which may run many times"
              + " slower; run the JVM with {}",
          label,
          risk,
          flags);
    }
  }

  /** Why the module's compiled code would have huge methods, or null if it would not. */
  static String risk(byte[] module, int functionCount) {
    int largest = largestFunctionBody(module);
    if (largest >= HUGE_BODY_BYTES) {
      return "has a function of " + largest + " bytes of code";
    }
    if (functionCount >= HUGE_DISPATCH_FUNCTIONS) {
      return "has " + functionCount + " functions";
    }
    return null;
  }

  /**
   * The size in bytes of the largest function body in the code section (id 10), or 0. The module
   * has already been decoded and validated, so the structure is trusted; anything unexpected yields
   * 0 rather than an error, since this only decides whether to warn.
   */
  static int largestFunctionBody(byte[] module) {
    try {
      int[] pos = {8};
      while (pos[0] < module.length) {
        int id = module[pos[0]++] & 0xFF;
        int size = (int) leb(module, pos);
        int end = pos[0] + size;
        if (id == 10) {
          long count = leb(module, pos);
          int largest = 0;
          for (long i = 0; i < count; i++) {
            int body = (int) leb(module, pos);
            largest = Math.max(largest, body);
            pos[0] += body;
          }
          return largest;
        }
        pos[0] = end;
      }
    } catch (ArrayIndexOutOfBoundsException e) {
      return 0;
    }
    return 0;
  }

  private static long leb(byte[] bytes, int[] pos) {
    long result = 0;
    int shift = 0;
    while (true) {
      int b = bytes[pos[0]++] & 0xFF;
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
      shift += 7;
    }
  }

  private static boolean jvmSkipsHugeMethods() {
    try {
      var bean = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
      return bean != null && Boolean.parseBoolean(bean.getVMOption("DontCompileHugeMethods").getValue());
    } catch (IllegalArgumentException e) {
      return false; // not HotSpot: no such limit
    } catch (LinkageError | RuntimeException e) {
      return true; // jdk.management absent: assume HotSpot's default
    }
  }
}
