package dev.wasmhost.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.engines.GeneratedModules;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The huge-method check predicts, from a module's bytes, whether Chicory's compiled code will hold
 * JVM methods HotSpot leaves interpreted, and warns once per module.
 */
class HugeMethodsTest {
  private static byte[] fib() throws IOException {
    try (InputStream in = HugeMethodsTest.class.getResourceAsStream("/wasm/fib.wasm")) {
      return in.readAllBytes();
    }
  }

  /** A module of {@code count} functions {@code () -> ()} with empty bodies. */
  private static byte[] manyFunctions(int count) {
    ByteArrayOutputStream functions = new ByteArrayOutputStream();
    ByteArrayOutputStream code = new ByteArrayOutputStream();
    leb(functions, count);
    leb(code, count);
    for (int i = 0; i < count; i++) {
      functions.write(0); // type 0
      code.write(2); // body size
      code.write(0); // no locals
      code.write(0x0B); // end
    }
    ByteArrayOutputStream module = new ByteArrayOutputStream();
    module.writeBytes(new byte[] {0, 'a', 's', 'm', 1, 0, 0, 0});
    section(module, 1, new byte[] {1, 0x60, 0, 0});
    section(module, 3, functions.toByteArray());
    section(module, 10, code.toByteArray());
    return module.toByteArray();
  }

  private static void section(ByteArrayOutputStream module, int id, byte[] contents) {
    module.write(id);
    leb(module, contents.length);
    module.writeBytes(contents);
  }

  private static void leb(ByteArrayOutputStream out, int value) {
    int v = value;
    do {
      int b = v & 0x7F;
      v >>>= 7;
      out.write(v != 0 ? b | 0x80 : b);
    } while (v != 0);
  }

  @Test
  void aSmallModuleIsNotAtRiskAndNeedsNoWalk() throws IOException {
    byte[] fib = fib();
    assertThat(HugeMethods.risk(fib, 2)).isNull();
    assertThat(HugeMethods.possible(fib.length, 2)).isFalse();
  }

  @Test
  void aFunctionBodyOfSixThousandBytesIsAtRisk() {
    byte[] module = GeneratedModules.hugeFunction(2_000);
    int largest = HugeMethods.largestFunctionBody(module);
    assertThat(largest).isGreaterThanOrEqualTo(HugeMethods.HUGE_BODY_BYTES);
    assertThat(HugeMethods.risk(module, 2)).isEqualTo("has a function of " + largest + " bytes of code");
    assertThat(HugeMethods.possible(module.length, 2)).isTrue();

    byte[] smaller = GeneratedModules.hugeFunction(1_000);
    assertThat(HugeMethods.largestFunctionBody(smaller)).isLessThan(HugeMethods.HUGE_BODY_BYTES);
    assertThat(HugeMethods.risk(smaller, 2)).isNull();
  }

  @Test
  void aThousandFunctionsMakeTheDispatchMethodHuge() {
    byte[] many = manyFunctions(HugeMethods.HUGE_DISPATCH_FUNCTIONS);
    assertThat(HugeMethods.risk(many, HugeMethods.HUGE_DISPATCH_FUNCTIONS))
        .isEqualTo("has " + HugeMethods.HUGE_DISPATCH_FUNCTIONS + " functions");
    assertThat(HugeMethods.possible(many.length, HugeMethods.HUGE_DISPATCH_FUNCTIONS)).isTrue();
    byte[] fewer = manyFunctions(HugeMethods.HUGE_DISPATCH_FUNCTIONS - 1);
    assertThat(HugeMethods.risk(fewer, HugeMethods.HUGE_DISPATCH_FUNCTIONS - 1)).isNull();
  }

  @Test
  void aModuleAtRiskIsWarnedAboutOncePerDigestUnlessTheJvmCompilesHugeMethods() {
    // HotSpot's default (as in Surefire's JVM) leaves huge methods interpreted: one warning; a JVM
    // started with -XX:-DontCompileHugeMethods needs none.
    long expected = HugeMethods.jvmSkipsHugeMethodsFlag() ? 1 : 0;
    byte[] module = GeneratedModules.hugeFunction(2_000);
    String digest = Digests.sha256(module);
    long before = HugeMethods.warningCount();
    HugeMethods.warnIfAffected("huge.wasm", digest, module, 2);
    HugeMethods.warnIfAffected("huge.wasm", digest, module, 2);
    assertThat(HugeMethods.warningCount() - before).isEqualTo(expected);

    byte[] small = GeneratedModules.hugeFunction(10);
    HugeMethods.warnIfAffected("small.wasm", Digests.sha256(small), small, 2);
    assertThat(HugeMethods.warningCount() - before).as("a module not at risk").isEqualTo(expected);
  }

  @Test
  void loadingAModuleAtRiskForCompiledCodeWarnsOnAnotherThread() throws InterruptedException {
    long expected = HugeMethods.jvmSkipsHugeMethodsFlag() ? 1 : 0;
    byte[] module = GeneratedModules.hugeFunction(2_001); // a digest no other test warns about
    long before = HugeMethods.warningCount();
    ChicoryLoader loader = new ChicoryLoader(WasmLoader.builder().engine(Engine.COMPILER).toConfig());
    assertThat(loader.load(module).call("small", 1L)).isEqualTo(2L);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (HugeMethods.warningCount() - before < expected && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(HugeMethods.warningCount() - before).isEqualTo(expected);
  }
}
