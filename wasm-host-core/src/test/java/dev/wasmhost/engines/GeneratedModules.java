package dev.wasmhost.engines;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds test modules in memory, for cases where a module must be large (to make compilation take
 * a noticeable time) or unique (so that no loader or disk cache has seen it).
 *
 * <p>{@link #switching} gives a module with exports {@code fib: (i64) -> i64} (recursive
 * Fibonacci), {@code down: (i32) -> i32} (recurses n deep and returns n), {@code inc: () -> i32}
 * (increments a mutable global and returns it) and {@code fill: (i64) -> i64} (one of the filler
 * functions, all of which are alike), plus {@code fillers} unexported functions of about 40
 * instructions each. {@code salt} changes the filler constants, so equal arguments give equal bytes
 * and different salts give different digests.
 */
public final class GeneratedModules {
  private GeneratedModules() {}

  private static final int I32 = 0x7f;
  private static final int I64 = 0x7e;

  static byte[] switching(int fillers, long salt) {
    Out types = new Out();
    types.u32(3);
    types.bytes(0x60).u32(1).bytes(I64).u32(1).bytes(I64); // 0: (i64) -> i64
    types.bytes(0x60).u32(1).bytes(I32).u32(1).bytes(I32); // 1: (i32) -> i32
    types.bytes(0x60).u32(0).u32(1).bytes(I32); // 2: () -> i32

    int functionCount = 3 + Math.max(1, fillers);
    Out functions = new Out();
    functions.u32(functionCount);
    functions.u32(0).u32(1).u32(2);
    for (int i = 3; i < functionCount; i++) {
      functions.u32(0);
    }

    Out globals = new Out();
    globals.u32(1).bytes(I32, 0x01, 0x41, 0x00, 0x0b); // (global (mut i32) (i32.const 0))

    Out exports = new Out();
    exports.u32(4);
    exports.name("fib").bytes(0x00).u32(0);
    exports.name("down").bytes(0x00).u32(1);
    exports.name("inc").bytes(0x00).u32(2);
    exports.name("fill").bytes(0x00).u32(3);

    Out code = new Out();
    code.u32(functionCount);
    code.body(
        new Out()
            .bytes(0x20, 0x00, 0x42, 0x02, 0x53) // local.get 0, i64.const 2, i64.lt_s
            .bytes(0x04, I64, 0x20, 0x00) // if (result i64) local.get 0
            .bytes(0x05, 0x20, 0x00, 0x42, 0x01, 0x7d, 0x10, 0x00) // else fib(n - 1)
            .bytes(0x20, 0x00, 0x42, 0x02, 0x7d, 0x10, 0x00) // fib(n - 2)
            .bytes(0x7c, 0x0b, 0x0b)); // i64.add end end
    code.body(
        new Out()
            .bytes(0x20, 0x00, 0x45) // local.get 0, i32.eqz
            .bytes(0x04, I32, 0x41, 0x00) // if (result i32) i32.const 0
            .bytes(0x05, 0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x01) // else down(n - 1)
            .bytes(0x41, 0x01, 0x6a, 0x0b, 0x0b)); // i32.const 1, i32.add, end end
    code.body(
        new Out()
            .bytes(0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00) // counter = counter + 1
            .bytes(0x23, 0x00, 0x0b)); // return counter
    for (int i = 3; i < functionCount; i++) {
      Out body = new Out().bytes(0x20, 0x00);
      for (int j = 0; j < 10; j++) {
        body.bytes(0x42).s64(salt * 1_000_003L + i * 31L + j).bytes(j % 2 == 0 ? 0x7c : 0x85); // add / xor
        body.bytes(0x42).s64(3 + j).bytes(0x7e); // i64.mul
      }
      code.body(body.bytes(0x0b));
    }

    Out module = new Out().bytes(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    module.section(1, types).section(3, functions).section(6, globals).section(7, exports).section(10, code);
    return module.toByteArray();
  }

  /**
   * A module whose export {@code big: (i64) -> i64} returns its argument plus 1 + 2 + ... + {@code
   * terms}, in one straight-line function of {@code terms} additions; with 20,000 or more, its JVM
   * bytecode exceeds the 64 KiB a JVM method may hold. {@code small: (i64) -> i64} returns its
   * argument plus one.
   */
  public static byte[] hugeFunction(int terms) {
    return hugeFunction(terms, false);
  }

  /**
   * {@link #hugeFunction(int)} whose {@code big} first runs a loop that {@code br_if} repeats for as
   * long as its argument is not zero: {@code big(0)} returns 1 + 2 + ... + {@code terms}, any other
   * argument never returns.
   */
  public static byte[] hugeFunctionWithLoop(int terms) {
    return hugeFunction(terms, true);
  }

  private static byte[] hugeFunction(int terms, boolean loop) {
    Out types = new Out().u32(1).bytes(0x60).u32(1).bytes(I64).u32(1).bytes(I64);
    Out functions = new Out().u32(2).u32(0).u32(0);
    Out exports = new Out().u32(2);
    exports.name("big").bytes(0x00).u32(0);
    exports.name("small").bytes(0x00).u32(1);
    Out big = new Out();
    if (loop) {
      big.bytes(0x03, 0x40, 0x20, 0x00, 0x50, 0x45, 0x0D, 0x00, 0x0B); // loop, x != 0, br_if 0, end
    }
    big.bytes(0x20, 0x00);
    for (int k = 1; k <= terms; k++) {
      big.bytes(0x42).s64(k).bytes(0x7c); // i64.const k, i64.add
    }
    Out code = new Out().u32(2);
    code.body(big.bytes(0x0b));
    code.body(new Out().bytes(0x20, 0x00, 0x42, 0x01, 0x7c, 0x0b));
    Out module = new Out().bytes(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
    module.section(1, types).section(3, functions).section(7, exports).section(10, code);
    return module.toByteArray();
  }

  /** fib(n) as the guest computes it. */
  static long fib(int n) {
    long a = 0;
    long b = 1;
    for (int i = 0; i < n; i++) {
      long next = a + b;
      a = b;
      b = next;
    }
    return a;
  }

  /** A byte sink with the encodings of the binary format. */
  static final class Out {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Out bytes(int... values) {
      for (int value : values) {
        bytes.write(value);
      }
      return this;
    }

    Out u32(long value) {
      do {
        int b = (int) (value & 0x7f);
        value >>>= 7;
        bytes.write(value != 0 ? b | 0x80 : b);
      } while (value != 0);
      return this;
    }

    Out s64(long value) {
      boolean more = true;
      while (more) {
        int b = (int) (value & 0x7f);
        value >>= 7;
        if ((value == 0 && (b & 0x40) == 0) || (value == -1 && (b & 0x40) != 0)) {
          more = false;
        } else {
          b |= 0x80;
        }
        bytes.write(b);
      }
      return this;
    }

    Out name(String name) {
      byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
      u32(utf8.length);
      bytes.writeBytes(utf8);
      return this;
    }

    Out raw(Out other) {
      bytes.writeBytes(other.toByteArray());
      return this;
    }

    /** A function body with no locals besides its parameters. */
    Out body(Out instructions) {
      Out func = new Out().u32(0).raw(instructions);
      return u32(func.size()).raw(func);
    }

    Out section(int id, Out content) {
      return bytes(id).u32(content.size()).raw(content);
    }

    int size() {
      return bytes.size();
    }

    byte[] toByteArray() {
      return bytes.toByteArray();
    }
  }
}
