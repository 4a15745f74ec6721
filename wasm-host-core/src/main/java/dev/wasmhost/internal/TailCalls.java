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
    boolean[] found = {false};
    try {
      CodeBodies.forEach(
          module,
          (bytes, start, end) -> {
            int[] pos = {start};
            long groups = CodeBodies.leb(bytes, pos);
            for (long g = 0; g < groups; g++) {
              CodeBodies.leb(bytes, pos);
              pos[0]++; // a one-byte type; a longer reference type misaligns the walk, caught below
            }
            for (int at = pos[0]; at < end; at = FuelInstrumenter.skipInstruction(bytes, at, end)) {
              int opcode = bytes[at] & 0xFF;
              if (opcode == 0x12 || opcode == 0x13 || opcode == 0x15) {
                found[0] = true;
                return true;
              }
            }
            return false;
          });
    } catch (RuntimeException e) {
      return false; // instructions this walk does not know: the module's fate is Chicory's to decide
    }
    return found[0];
  }
}
