package dev.wasmhost.internal;

/**
 * What a module's code uses that changes how wasm-host runs it, found by one {@link CodeBodies#walk
 * walk} of its function bodies:
 *
 * <ul>
 *   <li>tail calls ({@code return_call}, {@code return_call_indirect}, {@code return_call_ref}), and
 *   <li>conditional branches back to a loop ({@code br_if}, {@code br_table}, {@code br_on_null},
 *       {@code br_on_non_null}, {@code br_on_cast}, {@code br_on_cast_fail} or a {@code try_table}
 *       catch clause whose target is a {@code loop}).
 * </ul>
 *
 * Chicory 1.7.5's interpreter checks the thread's interrupt flag on calls and on {@code br}, but not
 * on tail calls or on those conditional branches, so a guest looping through them could not be
 * stopped at its deadline there. Its compiled code checks on every backward jump and turns tail calls
 * into ordinary calls, so the loader runs modules with tail calls compiled. Modules with conditional
 * loops keep their engine: the loader has {@link InterruptibleLoops} insert a {@code br} into those
 * loops, and only if that rewrite fails does it fall back to running them compiled (when the loader
 * has a call deadline).
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

  /** The features of {@code module}, decoded by Chicory or not (see {@link CodeBodies}). */
  static CodeFeatures of(byte[] module) {
    boolean[] found = {false, false, false};
    CodeBodies.Instructions finder =
        new CodeBodies.Instructions() {
          @Override
          public void instruction(int opcode) {
            found[0] |= opcode == 0x12 || opcode == 0x13 || opcode == 0x15;
            found[2] |= opcode == 0xFB;
          }

          @Override
          public void conditionalBranchTo(int loop) {
            found[1] = true;
          }
        };
    try {
      CodeBodies.forEach(
          module,
          (bytes, start, end) -> {
            CodeBodies.walk(bytes, start, end, finder);
            return found[0] && found[1] && found[2];
          });
    } catch (RuntimeException e) {
      // Code this walk does not know: nothing is assumed about loops or GC.
      return new CodeFeatures(found[0], true, true);
    }
    return new CodeFeatures(found[0], found[1], found[2]);
  }
}
