package dev.wasmhost.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.wasmhost.Engine;
import dev.wasmhost.InvalidModuleException;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import java.lang.management.ManagementFactory;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The smallest inputs found by {@link HostileModulePropertyTest} that get something other than a
 * {@link dev.wasmhost.WasmException} out of {@link Loader#load(byte[])}, or make it allocate far more
 * than the module could need. Each is a malformed or invalid module and must fail to load with an
 * {@link InvalidModuleException}, quickly and cheaply; afterwards the loader still works.
 */
class HostileModuleRegressionTest {
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");
  private final Loader loader = WasmLoader.builder().engine(Engine.INTERPRETER).build();

  private static byte[] hex(String bytes) {
    return HEX.parseHex(bytes);
  }

  private void assertInvalid(byte[] module) {
    Fixtures.Timed load = Fixtures.timed(() -> loader.load(module));
    assertThat(load.thrown()).as("%s for module %s", load, HEX.formatHex(module)).isInstanceOf(InvalidModuleException.class);
    assertThat(loader.load(Fixtures.wasm("fib")).call("fib", 10L)).isEqualTo(55L);
  }

  /**
   * calc_incompatible.wasm with its export's name length (byte 23) patched to 0x7fffffff: the decoder
   * allocates the name before checking it fits, and {@code OutOfMemoryError: Requested array size
   * exceeds VM limit} escapes {@code load}.
   */
  @Test
  void aNameLengthOf2GiBIsAnInvalidModuleNotAnOutOfMemoryError() {
    assertInvalid(hex("00 61 73 6d 01 00 00 00 01 06 01 60 01 7e 01 7e 03 02 01 00 07 07 01 ff ff ff ff 07 74 61 67 00 00 0a"
        + " 06 01 04 00 20 00 0b"));
  }

  /**
   * calc_v1.wasm with its first function type's parameter count (byte 12) patched to 0x7fffffff:
   * {@code OutOfMemoryError: Requested array size exceeds VM limit} escapes {@code load} (from the
   * decoder's {@code new ArrayList<>(count)}).
   */
  @Test
  void aParameterCountOf2GiBIsAnInvalidModuleNotAnOutOfMemoryError() {
    assertInvalid(hex("00 61 73 6d 01 00 00 00 01 0c 02 60 ff ff ff ff 07 7f 01 7f 60 02 7f 7f 01 7f 03 03 02 00 01 07 0d 02"
        + " 03 74 61 67 00 00 03 61 64 64 00 01 0a 14 02 0a 00 20 00 41 0a 6c 41 01 6a 0b 07 00 20 00 20 01 6a 0b"));
  }

  /**
   * The same 68-byte module with a parameter count of 0x10000000: it is rejected, but only after the
   * decoder has allocated room for 268 million parameters (1 GiB, about a second). A count of
   * 1,428,080,874 took 12.8 s and 5.7 GiB here, and on a smaller heap is an {@code OutOfMemoryError}:
   * a few bytes of hostile input must not cost the host more than a few MiB.
   */
  @Test
  void aHugeDeclaredCountInATinyModuleIsRejectedWithoutAllocatingForIt() {
    byte[] module = hex("00 61 73 6d 01 00 00 00 01 0c 02 60 80 80 80 80 01 7f 01 7f 60 02 7f 7f 01 7f 03 03 02 00 01 07 0d"
        + " 02 03 74 61 67 00 00 03 61 64 64 00 01 0a 14 02 0a 00 20 00 41 0a 6c 41 01 6a 0b 07 00 20 00 20 01 6a 0b");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    long before = threads.getThreadAllocatedBytes(id);
    assertInvalid(module);
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    assertThat(allocated).as("bytes allocated to reject a %d-byte module", module.length).isLessThan(64L << 20);
  }

  /**
   * {@code block else end end} (a function body of 6 bytes): with Java assertions enabled, as in
   * tests, an {@code assert} in Chicory's decoder ({@code AnnotatedInstruction$Builder.build}) fires
   * before validation, and the {@link AssertionError} escapes {@code load}; without {@code -ea} it is
   * an {@link InvalidModuleException} ("else doesn't belong to if").
   */
  @Test
  void anElseInsideABlockIsAnInvalidModuleAlsoWithJavaAssertionsEnabled() {
    assertInvalid(hex("00 61 73 6d 01 00 00 00 01 04 01 60 00 00 03 02 01 00 0a 08 01 06 00 02 40 05 0b 0b"));
  }
}
