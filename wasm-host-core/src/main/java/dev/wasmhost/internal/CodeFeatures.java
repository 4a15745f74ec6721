package dev.wasmhost.internal;

/**
 * What a module's code uses that changes how wasm-host runs it, found by one walk of its function
 * bodies:
 *
 * <ul>
 *   <li>tail calls ({@code return_call}, {@code return_call_indirect}, {@code return_call_ref}).
 *       Chicory 1.7.5's interpreter runs a tail call without checking the thread's interrupt flag, so
 *       a guest looping through tail calls cannot be stopped at its deadline there; its compiled code
 *       turns them into ordinary calls, which check. The loader therefore runs such modules compiled.
 *   <li>GC instructions (the {@code 0xFB} prefix: {@code struct.new}, {@code array.new}, {@code
 *       ref.i31}, ...). Without them a call allocates nothing in Chicory's GC store, so calling the
 *       machine directly, without Chicory's safe point after each export call, changes nothing; see
 *       {@link ExportHandle}.
 * </ul>
 *
 * @param tailCalls true if a body uses a tail call; false also when the code cannot be walked
 * @param gcInstructions true if a body uses a GC instruction, or when the code cannot be walked
 */
record CodeFeatures(boolean tailCalls, boolean gcInstructions) {

  static CodeFeatures of(byte[] module) {
    boolean[] found = {false, false};
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
              } else if (opcode == 0xFB) {
                found[1] = true;
              }
            }
            return found[0] && found[1];
          });
    } catch (RuntimeException e) {
      // Instructions this walk does not know: the module's fate is Chicory's to decide, and nothing
      // is assumed about GC.
      return new CodeFeatures(found[0], true);
    }
    return new CodeFeatures(found[0], found[1]);
  }
}
