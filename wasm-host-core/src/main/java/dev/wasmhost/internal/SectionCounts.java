package dev.wasmhost.internal;

/**
 * A check run before Chicory's parser: every section holding a vector (types, imports, functions,
 * tables, memories, globals, exports, elements, code, data, tags) must not declare more entries than
 * it has bytes, since each entry takes at least one. Chicory 1.7.5 accepts a type section declaring
 * 2^32 - 1 types in no bytes as an empty module; this makes it the malformed module it is.
 */
final class SectionCounts {
  private SectionCounts() {}

  /** A description of the first impossible count, or null if there is none (or the header is not wasm). */
  static String problem(byte[] module) {
    if (module.length < 8 || module[0] != 0 || module[1] != 'a' || module[2] != 's' || module[3] != 'm') {
      return null; // the parser reports a bad header itself
    }
    int[] pos = {8};
    while (pos[0] < module.length) {
      int id = module[pos[0]++] & 0xFF;
      long size = leb(module, pos);
      if (size < 0) {
        return null; // truncated: the parser says so
      }
      int start = pos[0];
      if (hasVector(id) && size > 0) {
        long count = leb(module, pos);
        if (count < 0) {
          return null;
        }
        long room = size - (pos[0] - start);
        if (count > room) {
          return "section " + id + " declares " + count + " entries in " + room + " bytes";
        }
      }
      pos[0] = (int) Math.min(Integer.MAX_VALUE, start + size);
    }
    return null;
  }

  private static boolean hasVector(int id) {
    return (id >= 1 && id <= 7) || (id >= 9 && id <= 11) || id == 13;
  }

  /** An unsigned LEB128 of at most 5 bytes, or -1 if it runs past the end or is longer. */
  private static long leb(byte[] bytes, int[] pos) {
    long result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (pos[0] >= bytes.length) {
        return -1;
      }
      int b = bytes[pos[0]++] & 0xFF;
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    return -1;
  }
}
