package dev.wasmhost.internal;

/**
 * Walks the function bodies of a module's code section (id 10) straight from its bytes, for the
 * loader's quick checks ({@link HugeMethods}, {@link CodeFeatures}) and for {@link
 * InterruptibleLoops}. The loader walks a module before Chicory decodes it (to rewrite it and decode
 * once), so nothing here trusts the bytes: every size is checked against the bytes there are, and a
 * walk that runs into something unexpected throws a {@link RuntimeException}, which callers treat as
 * "cannot tell" (Chicory then reports a malformed module).
 */
final class CodeBodies {
  private CodeBodies() {}

  /** Receives each body: {@code start} is its first byte (the local declarations), {@code end} its end. */
  interface Visitor {
    /** Returns true to stop the walk. */
    boolean body(byte[] module, int start, int end);
  }

  /** What {@link #walk} finds in one body. */
  interface Instructions {
    /** Every instruction, by its first byte: the prefix ({@code 0xFB}, {@code 0xFC}, ...) for prefixed ones. */
    default void instruction(int opcode) {}

    /**
     * The body's {@code loop}th {@code loop} (counting from 0 in the order they start), whose body
     * begins at {@code bodyStart}, right after its block type.
     */
    default void loop(int loop, int bodyStart) {}

    /**
     * A branch that is taken only on some condition, and that Chicory's interpreter therefore runs
     * without checking for interruption, targets the body's {@code loop}th loop: {@code br_if}, a
     * label of {@code br_table}, {@code br_on_null}, {@code br_on_non_null}, {@code br_on_cast},
     * {@code br_on_cast_fail}, or a catch clause of {@code try_table}. Reported once per branch.
     */
    default void conditionalBranchTo(int loop) {}
  }

  static void forEach(byte[] module, Visitor visitor) {
    int[] section = codeSection(module);
    if (section == null) {
      return;
    }
    int[] pos = {section[1]};
    long count = leb(module, pos);
    for (long i = 0; i < count; i++) {
      int bodyEnd = end(module, pos, leb(module, pos), section[2]);
      if (visitor.body(module, pos[0], bodyEnd)) {
        return;
      }
      pos[0] = bodyEnd;
    }
  }

  /**
   * Where the code section is: its first byte (the section id), the first byte of its contents and
   * its end; null if the module has none.
   */
  static int[] codeSection(byte[] module) {
    int[] pos = {8};
    while (pos[0] < module.length) {
      int header = pos[0];
      int id = module[pos[0]++] & 0xFF;
      int end = end(module, pos, leb(module, pos), module.length);
      if (id == 10) {
        return new int[] {header, pos[0], end};
      }
      pos[0] = end;
    }
    return null;
  }

  /**
   * Walks the body in {@code module[start, end)}, from its local declarations, keeping the blocks
   * open at each instruction so that branches can be matched with the loops they target.
   *
   * @throws IllegalArgumentException if an instruction is unknown or runs past the body, or a label
   *     names no open block: the signs of a walk that has lost its way, so that a caller never acts on
   *     one
   */
  static void walk(byte[] module, int start, int end, Instructions visitor) {
    FuelInstrumenter.Cursor in = new FuelInstrumenter.Cursor(module, start, end);
    long groups = in.u32();
    for (long g = 0; g < groups; g++) {
      in.u32();
      in.skipValType(); // (ref null? heaptype) takes more than one byte
    }
    // The open blocks, innermost last: a loop's number, or -1 for the function, a block, an if or a
    // try_table.
    int[] open = new int[16];
    open[0] = -1;
    int depth = 1;
    int loops = 0;
    int at = in.pos;
    // Up to the function's final end, or to the body's end if that comes first: Chicory 1.7.5 accepts
    // bodies whose last blocks are left open, whose loops run all the same, and bodies with code after
    // their final end, which never runs.
    while (depth > 0 && at < end) {
      int opcode = module[at] & 0xFF;
      int next = FuelInstrumenter.skipInstruction(module, at, end);
      visitor.instruction(opcode);
      in.pos = at + 1;
      if (depth == open.length && (opcode == 0x02 || opcode == 0x03 || opcode == 0x04 || opcode == 0x1F)) {
        open = java.util.Arrays.copyOf(open, depth * 2);
      }
      switch (opcode) {
        case 0x02, 0x04 -> open[depth++] = -1; // block, if
        case 0x03 -> { // loop
          visitor.loop(loops, next);
          open[depth++] = loops++;
        }
        case 0x1F -> { // try_table: its catch clauses branch to labels outside it
          in.skipBlockType();
          int catches = in.u32();
          for (int i = 0; i < catches; i++) {
            if (in.u8() <= 1) {
              in.u32(); // the tag
            }
            conditional(open, depth, in.u32(), visitor, at);
          }
          open[depth++] = -1;
        }
        case 0x0B -> depth--; // end (of the function itself when depth was 1)
        case 0x0D, 0xD5, 0xD6 -> conditional(open, depth, in.u32(), visitor, at); // br_if, br_on_null, ..
        case 0x0E -> { // br_table: the labels, then the default
          int count = in.u32();
          for (int i = 0; i <= count; i++) {
            conditional(open, depth, in.u32(), visitor, at);
          }
        }
        case 0xFB -> {
          int sub = in.u32();
          if (sub == 24 || sub == 25) { // br_on_cast, br_on_cast_fail: flags, then the label
            in.u8();
            conditional(open, depth, in.u32(), visitor, at);
          }
        }
        default -> {}
      }
      at = next;
    }
  }

  private static void conditional(int[] open, int depth, int label, Instructions visitor, int at) {
    if (label < 0 || label >= depth) {
      throw new IllegalArgumentException("a branch to no open block at offset 0x" + Integer.toHexString(at));
    }
    int target = open[depth - 1 - label];
    if (target >= 0) {
      visitor.conditionalBranchTo(target);
    }
  }

  /**
   * The end of {@code size} bytes from {@code pos[0]}. The walks also run on bytes Chicory has not
   * decoded yet (the loader rewrites a module before decoding it once), so a size that does not fit
   * must not send them backwards or past the end.
   *
   * @throws IllegalArgumentException if the size runs past {@code limit}
   */
  private static int end(byte[] module, int[] pos, long size, int limit) {
    if (size < 0 || size > limit - pos[0]) {
      throw new IllegalArgumentException("a size of " + size + " at byte " + pos[0] + " runs past " + limit);
    }
    return pos[0] + (int) size;
  }

  /**
   * An unsigned 32-bit LEB128 at {@code pos[0]}, which it advances.
   *
   * @throws IllegalArgumentException if it is longer than the five bytes the format allows (a
   *     rewrite would otherwise re-encode it shorter, turning a malformed module into a valid one)
   */
  static long leb(byte[] bytes, int[] pos) {
    long result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      int b = bytes[pos[0]++] & 0xFF;
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("a LEB128 longer than 5 bytes ends at byte " + pos[0]);
  }
}
