package dev.wasmhost.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
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

  private static final Set<String> warned = ConcurrentHashMap.newKeySet();
  private static final LongAdder warnings = new LongAdder();

  /** Asked only for a module at risk: the management beans take 10-20 ms to start in a fresh JVM. */
  private static final class JvmFlag {
    static final boolean SKIPS_HUGE_METHODS = jvmSkipsHugeMethods();
  }

  private HugeMethods() {}

  /** Logs one warning if this JVM will leave some of this module's compiled code interpreted. */
  static void warnIfAffected(String label, String digest, byte[] module, int functionCount) {
    String risk = risk(module, functionCount);
    if (risk != null && JvmFlag.SKIPS_HUGE_METHODS && warned.add(digest)) {
      warnings.increment();
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

  /** How many warnings {@link #warnIfAffected} has logged in this JVM. */
  static long warningCount() {
    return warnings.sum();
  }

  /** Whether this JVM leaves methods over 8000 bytes of bytecode to the bytecode interpreter. */
  static boolean jvmSkipsHugeMethodsFlag() {
    return JvmFlag.SKIPS_HUGE_METHODS;
  }

  /**
   * False when {@link #risk} is null without walking the code: a module smaller than a huge body,
   * with fewer functions than a huge dispatch method.
   */
  static boolean possible(int moduleBytes, int functionCount) {
    return moduleBytes >= HUGE_BODY_BYTES || functionCount >= HUGE_DISPATCH_FUNCTIONS;
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

  /** The size in bytes of the largest function body, or 0 (also if the code cannot be walked). */
  static int largestFunctionBody(byte[] module) {
    int[] largest = {0};
    try {
      CodeBodies.forEach(
          module,
          (bytes, start, end) -> {
            largest[0] = Math.max(largest[0], end - start);
            return false;
          });
    } catch (RuntimeException e) {
      return 0; // only decides whether to warn
    }
    return largest[0];
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
