package dev.wasmhost.internal;

/**
 * Checks run before Chicory's parser, so that a few bytes cannot make it allocate gigabytes: every
 * vector count and name length must fit in the bytes that remain of its section (each entry takes at
 * least one byte), in the section headers and inside the type, import and export sections, and a
 * function may declare at most {@link #MAX_LOCALS} locals. Chicory 1.7.5 allocates for a declared
 * count before reading the entries: a 68-byte module declaring 2^28 parameters cost it a gigabyte.
 */
final class SectionCounts {
  /** As in other engines (V8, Wasmtime): more locals than this in one function is a malformed module. */
  static final long MAX_LOCALS = 50_000;

  private SectionCounts() {}

  /** A description of the first impossible count, or null if there is none (or the header is not wasm). */
  static String problem(byte[] module) {
    if (module.length < 8 || module[0] != 0 || module[1] != 'a' || module[2] != 's' || module[3] != 'm') {
      return null; // the parser reports a bad header itself
    }
    Cursor in = new Cursor(module, 8, module.length);
    while (in.pos < module.length) {
      int id = module[in.pos++] & 0xFF;
      long size = in.leb();
      if (size < 0 || size > module.length - in.pos) {
        return null; // truncated: the parser says so
      }
      Cursor section = new Cursor(module, in.pos, (int) (in.pos + size));
      String problem = hasVector(id) && size > 0 ? checkSection(id, section) : null;
      if (problem != null) {
        return problem;
      }
      in.pos = section.end;
    }
    return null;
  }

  private static boolean hasVector(int id) {
    return (id >= 1 && id <= 7) || (id >= 9 && id <= 11) || id == 13;
  }

  private static String checkSection(int id, Cursor in) {
    long count = in.leb();
    if (count < 0) {
      return null;
    }
    if (count > in.remaining()) {
      return "section " + id + " declares " + count + " entries in " + in.remaining() + " bytes";
    }
    switch (id) {
      case 1:
        return types(in, count);
      case 2:
        return imports(in, count);
      case 7:
        return exports(in, count);
      case 10:
        return code(in, count);
      default:
        return null;
    }
  }

  /** Function types: each parameter and result count must fit. Other forms end the check. */
  private static String types(Cursor in, long count) {
    for (long i = 0; i < count && in.remaining() > 0; i++) {
      if ((in.bytes[in.pos] & 0xFF) != 0x60) {
        return null; // recursive or GC types: left to the parser
      }
      in.pos++;
      for (String what : new String[] {"parameters", "results"}) {
        long n = in.leb();
        if (n < 0) {
          return null;
        }
        if (n > in.remaining()) {
          return "type " + i + " declares " + n + " " + what + " in " + in.remaining() + " bytes";
        }
        in.pos += (int) n;
        for (int k = in.pos - (int) n; k < in.pos; k++) {
          if ((in.bytes[k] & 0xFF) < 0x6F) {
            return null; // a multi-byte (GC) reference type: left to the parser
          }
        }
      }
    }
    return null;
  }

  private static String imports(Cursor in, long count) {
    for (long i = 0; i < count; i++) {
      String problem = name(in, "import " + i + " module name");
      if (problem == null) {
        problem = name(in, "import " + i + " name");
      }
      if (problem != null || in.stopped) {
        return problem;
      }
      if (in.remaining() < 1) {
        return null;
      }
      int kind = in.bytes[in.pos++] & 0xFF;
      if (kind != 0x00) {
        return null; // the rest of other kinds is left to the parser
      }
      if (in.leb() < 0) {
        return null;
      }
    }
    return null;
  }

  private static String exports(Cursor in, long count) {
    for (long i = 0; i < count; i++) {
      String problem = name(in, "export " + i + " name");
      if (problem != null || in.stopped) {
        return problem;
      }
      in.pos++; // kind
      if (in.leb() < 0) {
        return null;
      }
    }
    return null;
  }

  /** Each function's local declarations: counts that fit, and at most {@link #MAX_LOCALS} in all. */
  private static String code(Cursor in, long count) {
    for (long i = 0; i < count; i++) {
      long size = in.leb();
      if (size < 0 || size > in.remaining()) {
        return null;
      }
      Cursor body = new Cursor(in.bytes, in.pos, (int) (in.pos + size));
      long groups = body.leb();
      if (groups > body.remaining()) {
        return "function body " + i + " declares " + groups + " local groups in " + body.remaining() + " bytes";
      }
      long locals = 0;
      for (long g = 0; g < groups && !body.stopped; g++) {
        long n = body.leb();
        if (n < 0) {
          break;
        }
        locals += n;
        if (locals > MAX_LOCALS) {
          return "function body " + i + " declares more than " + MAX_LOCALS + " locals";
        }
        body.pos++; // the type
      }
      in.pos = body.end;
    }
    return null;
  }

  private static String name(Cursor in, String what) {
    long length = in.leb();
    if (length < 0) {
      in.stopped = true;
      return null;
    }
    if (length > in.remaining()) {
      return what + " is " + length + " bytes long, in " + in.remaining() + " bytes";
    }
    in.pos += (int) length;
    return null;
  }

  /** A position in part of the module. Once a read fails, {@link #stopped} ends the check quietly. */
  private static final class Cursor {
    final byte[] bytes;
    final int end;
    int pos;
    boolean stopped;

    Cursor(byte[] bytes, int pos, int end) {
      this.bytes = bytes;
      this.pos = pos;
      this.end = Math.min(end, bytes.length);
    }

    long remaining() {
      return Math.max(0, end - pos);
    }

    /** An unsigned LEB128 of at most 5 bytes, or -1 (and stopped) if it runs out or is longer. */
    long leb() {
      long result = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        if (pos >= end) {
          stopped = true;
          return -1;
        }
        int b = bytes[pos++] & 0xFF;
        result |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          return result;
        }
      }
      stopped = true;
      return -1;
    }
  }
}
