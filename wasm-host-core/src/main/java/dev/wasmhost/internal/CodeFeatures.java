package dev.wasmhost.internal;

/**
 * What a module's code uses that changes how wasm-host runs it, found by one walk of its function
 * bodies:
 *
 * <ul>
 *   <li>tail calls ({@code return_call}, {@code return_call_indirect}, {@code return_call_ref}), and
 *   <li>conditional branches back to a loop ({@code br_if}, {@code br_table}, {@code br_on_null},
 *       {@code br_on_non_null} whose target is a {@code loop}).
 * </ul>
 *
 * Chicory 1.7.5's interpreter checks the thread's interrupt flag on calls and on {@code br}, but not
 * on tail calls or on those conditional branches, so a guest looping through them cannot be stopped
 * at its deadline there. Its compiled code checks on every backward jump and turns tail calls into
 * ordinary calls, so the loader runs such modules compiled: always for tail calls, and for
 * conditional loops when the loader has a call deadline.
 *
 * <ul>
 *   <li>GC instructions (the {@code 0xFB} prefix: {@code struct.new}, {@code array.new}, {@code
 *       ref.i31}, ...). Without them a call allocates nothing in Chicory's GC store, so calling the
 *       machine directly, without Chicory's safe point after each export call, changes nothing; see
 *       {@link ExportHandle}.
 * </ul>
 *
 * @param tailCalls true if a body uses a tail call; false also when the code cannot be walked
 * @param uncheckedLoops true if a body branches back to a loop conditionally, or when the code
 *     cannot be walked
 * @param gcInstructions true if a body uses a GC instruction, or when the code cannot be walked
 */
record CodeFeatures(boolean tailCalls, boolean uncheckedLoops, boolean gcInstructions) {

  static CodeFeatures of(byte[] module) {
    boolean[] found = {false, false, false};
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
            // The open blocks, innermost last: true for a loop.
            boolean[] loops = new boolean[16];
            int depth = 0;
            for (int at = pos[0]; at < end; at = FuelInstrumenter.skipInstruction(bytes, at, end)) {
              int opcode = bytes[at] & 0xFF;
              switch (opcode) {
                case 0x02, 0x03, 0x04 -> { // block, loop, if
                  if (depth == loops.length) {
                    loops = java.util.Arrays.copyOf(loops, depth * 2);
                  }
                  loops[depth++] = opcode == 0x03;
                }
                case 0x0B -> depth--; // end (of the function itself when depth was 0)
                case 0x0D, 0xD5, 0xD6 -> { // br_if, br_on_null, br_on_non_null
                  int[] label = {at + 1};
                  found[1] |= targetsLoop(loops, depth, CodeBodies.leb(bytes, label));
                }
                case 0x0E -> { // br_table: the labels, then the default
                  int[] label = {at + 1};
                  long count = CodeBodies.leb(bytes, label);
                  for (long i = 0; i <= count; i++) {
                    found[1] |= targetsLoop(loops, depth, CodeBodies.leb(bytes, label));
                  }
                }
                case 0x12, 0x13, 0x15 -> found[0] = true;
                case 0xFB -> found[2] = true;
                default -> {}
              }
            }
            return found[0] && found[1] && found[2];
          });
    } catch (RuntimeException e) {
      // Instructions this walk does not know: nothing is assumed about loops or GC.
      return new CodeFeatures(found[0], true, true);
    }
    return new CodeFeatures(found[0], found[1], found[2]);
  }

  private static boolean targetsLoop(boolean[] loops, int depth, long label) {
    return label < depth && loops[depth - 1 - (int) label];
  }
}
