package dev.wasmhost.limits;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Just enough of the WebAssembly binary format to take modules apart into sections, put them back
 * together, and generate simple large modules. Used to build hostile and large inputs.
 */
final class WasmBinary {
  static final byte[] HEADER = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};

  private WasmBinary() {}

  /** One section: its id and its payload (without the id byte and size). */
  record Section(int id, byte[] payload) {
    @Override
    public String toString() {
      return "Section[" + id + ", " + payload.length + " bytes]";
    }
  }

  /** An unsigned LEB128 value read at some position, and how many bytes it took. */
  record Leb(long value, int length) {}

  /** The unsigned LEB128 at {@code pos}, or null if it runs off the end or past 5 bytes. */
  static Leb readU32(byte[] bytes, int pos) {
    long value = 0;
    for (int i = 0; i < 5; i++) {
      if (pos + i >= bytes.length) {
        return null;
      }
      int b = bytes[pos + i] & 0xff;
      value |= (long) (b & 0x7f) << (7 * i);
      if ((b & 0x80) == 0) {
        return new Leb(value, i + 1);
      }
    }
    return null;
  }

  /** {@code value} as a minimal unsigned LEB128. */
  static byte[] u32(long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long v = value & 0xffffffffL;
    do {
      int b = (int) (v & 0x7f);
      v >>>= 7;
      out.write(v != 0 ? b | 0x80 : b);
    } while (v != 0);
    return out.toByteArray();
  }

  /** {@code value} as an unsigned LEB128 padded to the full 5 bytes, as some producers write sizes. */
  static byte[] u32Padded(long value) {
    long v = value & 0xffffffffL;
    byte[] out = new byte[5];
    for (int i = 0; i < 5; i++) {
      out[i] = (byte) ((v & 0x7f) | (i < 4 ? 0x80 : 0));
      v >>>= 7;
    }
    return out;
  }

  /** The sections of {@code module}, or null if it lacks the header or its section framing is broken. */
  static List<Section> sections(byte[] module) {
    if (module.length < 8) {
      return null;
    }
    for (int i = 0; i < 8; i++) {
      if (module[i] != HEADER[i]) {
        return null;
      }
    }
    List<Section> sections = new ArrayList<>();
    int pos = 8;
    while (pos < module.length) {
      int id = module[pos] & 0xff;
      Leb size = readU32(module, pos + 1);
      if (size == null) {
        return null;
      }
      int start = pos + 1 + size.length();
      if (size.value() > module.length - start) {
        return null;
      }
      byte[] payload = new byte[(int) size.value()];
      System.arraycopy(module, start, payload, 0, payload.length);
      sections.add(new Section(id, payload));
      pos = start + payload.length;
    }
    return sections;
  }

  /** A module of these sections, in this order. */
  static byte[] assemble(List<Section> sections) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(HEADER);
    for (Section section : sections) {
      out.write(section.id());
      out.writeBytes(u32(section.payload().length));
      out.writeBytes(section.payload());
    }
    return out.toByteArray();
  }

  /**
   * A module of {@code functions} straight-line functions {@code (i32) -> i32} of about {@code 4 *
   * opsPerFunction} instructions each, exported as {@code f0}, {@code f1}..., plus {@code spin}, an
   * endless loop, and {@code ok}, which returns 7. Large enough, with many functions, to take the
   * compiler a while.
   */
  static byte[] generated(int functions, int opsPerFunction) {
    List<Section> sections = new ArrayList<>();
    // types: 0 = (i32) -> i32, 1 = () -> (), 2 = () -> i32
    sections.add(new Section(1, concat(u32(3),
        new byte[] {0x60, 0x01, 0x7f, 0x01, 0x7f},
        new byte[] {0x60, 0x00, 0x00},
        new byte[] {0x60, 0x00, 0x01, 0x7f})));
    ByteArrayOutputStream funcs = new ByteArrayOutputStream();
    funcs.writeBytes(u32(functions + 2));
    for (int i = 0; i < functions; i++) {
      funcs.write(0);
    }
    funcs.write(1);
    funcs.write(2);
    sections.add(new Section(3, funcs.toByteArray()));
    ByteArrayOutputStream exports = new ByteArrayOutputStream();
    exports.writeBytes(u32(functions + 2));
    for (int i = 0; i < functions; i++) {
      export(exports, "f" + i, i);
    }
    export(exports, "spin", functions);
    export(exports, "ok", functions + 1);
    sections.add(new Section(7, exports.toByteArray()));
    ByteArrayOutputStream code = new ByteArrayOutputStream();
    code.writeBytes(u32(functions + 2));
    for (int i = 0; i < functions; i++) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      body.write(0); // no locals
      body.write(0x20); // local.get 0
      body.write(0);
      for (int j = 0; j < opsPerFunction; j++) {
        body.write(0x41); // i32.const, a small non-negative value: one byte of signed LEB128
        body.write((i + j) % 60);
        body.write(j % 2 == 0 ? 0x6a : 0x73); // i32.add or i32.xor
        body.write(0x41);
        body.write(3 + j % 5);
        body.write(0x6c); // i32.mul
      }
      body.write(0x0b); // end
      code.writeBytes(u32(body.size()));
      code.writeBytes(body.toByteArray());
    }
    byte[] spin = {0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b}; // loop br 0 end end
    code.writeBytes(u32(spin.length));
    code.writeBytes(spin);
    byte[] ok = {0x00, 0x41, 0x07, 0x0b}; // i32.const 7 end
    code.writeBytes(u32(ok.length));
    code.writeBytes(ok);
    sections.add(new Section(10, code.toByteArray()));
    return assemble(sections);
  }

  private static void export(ByteArrayOutputStream out, String name, int function) {
    byte[] bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeBytes(u32(bytes.length));
    out.writeBytes(bytes);
    out.write(0); // func
    out.writeBytes(u32(function));
  }

  /** What {@code generated(functions, ops)}'s export {@code f<i>} returns for argument {@code x}. */
  static int expected(int i, int opsPerFunction, int x) {
    int v = x;
    for (int j = 0; j < opsPerFunction; j++) {
      int c = (i + j) % 60;
      v = j % 2 == 0 ? v + c : v ^ c;
      v *= 3 + j % 5;
    }
    return v;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
