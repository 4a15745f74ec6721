package dev.wasmhost.internal;

/**
 * Walks the function bodies of a module's code section (id 10) straight from its bytes, for the
 * loader's quick checks ({@link HugeMethods}, {@link CodeFeatures}). The module has already been decoded
 * and validated by Chicory, so the structure is trusted; a walk that runs into something unexpected
 * throws a {@link RuntimeException}, which callers treat as "nothing found".
 */
final class CodeBodies {
  private CodeBodies() {}

  /** Receives each body: {@code start} is its first byte (the local declarations), {@code end} its end. */
  interface Visitor {
    /** Returns true to stop the walk. */
    boolean body(byte[] module, int start, int end);
  }

  static void forEach(byte[] module, Visitor visitor) {
    int[] pos = {8};
    while (pos[0] < module.length) {
      int id = module[pos[0]++] & 0xFF;
      int size = (int) leb(module, pos);
      int end = pos[0] + size;
      if (id == 10) {
        long count = leb(module, pos);
        for (long i = 0; i < count; i++) {
          int bodySize = (int) leb(module, pos);
          int bodyEnd = pos[0] + bodySize;
          if (visitor.body(module, pos[0], bodyEnd)) {
            return;
          }
          pos[0] = bodyEnd;
        }
        return;
      }
      pos[0] = end;
    }
  }

  /** An unsigned LEB128 at {@code pos[0]}, which it advances. */
  static long leb(byte[] bytes, int[] pos) {
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
}
