package dev.wasmhost.internal;

/**
 * Finds tail calls ({@code return_call}, {@code return_call_indirect}, {@code return_call_ref}) in a
 * module's code. Chicory 1.7.5's interpreter runs a tail call without checking the thread's interrupt
 * flag, so a guest looping through tail calls cannot be stopped at its deadline there; its compiled
 * code turns them into ordinary calls, which check. The loader therefore runs such modules compiled.
 */
final class TailCalls {
  private TailCalls() {}

  /** True if any function body uses a tail call; false also when the code cannot be walked. */
  static boolean used(byte[] module) {
    try {
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
            long groups = leb(module, pos);
            for (long g = 0; g < groups; g++) {
              leb(module, pos);
              pos[0]++; // a number or reference type; a longer reference type would misalign, caught below
            }
            int at = pos[0];
            while (at < bodyEnd) {
              int opcode = module[at] & 0xFF;
              if (opcode == 0x12 || opcode == 0x13 || opcode == 0x15) {
                return true;
              }
              at = FuelInstrumenter.skipInstruction(module, at, bodyEnd);
            }
            pos[0] = bodyEnd;
          }
          return false;
        }
        pos[0] = end;
      }
    } catch (RuntimeException e) {
      return false; // instructions this walk does not know: the module's fate is Chicory's to decide
    }
    return false;
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
}
