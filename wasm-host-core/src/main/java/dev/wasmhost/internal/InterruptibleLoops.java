package dev.wasmhost.internal;

import java.util.Arrays;

/**
 * Makes the loops of a module that Chicory 1.7.5's interpreter would repeat without checking for
 * interruption check on every iteration, so that a deadline stops them in every engine.
 *
 * <p>The interpreter checks the thread's interrupt flag on calls and on every {@code br}, but not on
 * the conditional branches ({@code br_if}, {@code br_table}, {@code br_on_null}, {@code
 * br_on_non_null}, {@code br_on_cast}, {@code br_on_cast_fail}, {@code try_table}'s catch clauses)
 * that most compiled loops use to repeat. Right after the block type of every {@code loop} that such a
 * branch targets, the rewrite inserts
 *
 * <pre>
 *   block      ;; empty block type: valid whatever the loop's parameters and results
 *     br 0     ;; checked by the interpreter, and a no-op
 *   end</pre>
 *
 * so each iteration runs a checked {@code br}. Loops repeated only by {@code br} already check and are
 * left alone, as is a module without conditionally repeated loops, which comes back as the same
 * array. Every other section is copied byte for byte; only the body sizes and the code section's size
 * are re-encoded (as minimal LEB128). Custom sections that hold code offsets (DWARF, branch hints) go
 * stale, as with fuel metering.
 *
 * <p>The loader rewrites after fuel metering, so the inserted instructions are not charged and fuel
 * stays what {@link FuelInstrumenter}'s cost model says. The compiler's code, which checks on every
 * backward jump anyway, gains a forward jump per iteration.
 *
 * <p>Stateless and thread-safe.
 */
final class InterruptibleLoops {
  /** {@code block (empty) br 0 end}. */
  private static final byte[] CHECK = {0x02, 0x40, 0x0C, 0x00, 0x0B};

  private InterruptibleLoops() {}

  /**
   * {@code module} with a checked {@code br} at the start of every conditionally repeated loop, or
   * {@code module} itself if it has none.
   *
   * @param module a module's bytes, decoded by Chicory or not; on bytes Chicory would reject, this
   *     throws or returns bytes Chicory rejects too
   * @throws RuntimeException if the code cannot be walked (see {@link CodeBodies#walk}); the module
   *     is then not rewritten at all
   */
  static byte[] rewrite(byte[] module) {
    int[] section = CodeBodies.codeSection(module);
    if (section == null) {
      return module;
    }
    FuelInstrumenter.Cursor in = new FuelInstrumenter.Cursor(module, section[1], section[2]);
    int count = in.u32();
    FuelInstrumenter.Out code = new FuelInstrumenter.Out(section[2] - section[1] + 64);
    code.u32(count);
    TargetedLoops loops = new TargetedLoops();
    int inserted = 0;
    for (int i = 0; i < count; i++) {
      int size = in.u32();
      int start = in.pos;
      int end = in.skip(size);
      // First find the loops to change, then copy the body with the check inserted into each.
      loops.clear();
      CodeBodies.walk(module, start, end, loops);
      int[] points = loops.insertionPoints();
      code.u32((long) size + (long) CHECK.length * points.length);
      int from = start;
      for (int point : points) {
        code.write(module, from, point - from);
        code.write(CHECK, 0, CHECK.length);
        from = point;
      }
      code.write(module, from, end - from);
      inserted += points.length;
    }
    if (in.pos != section[2]) {
      throw new IllegalArgumentException("the code section has bytes after its last body");
    }
    if (inserted == 0) {
      return module;
    }
    FuelInstrumenter.Out out = new FuelInstrumenter.Out(module.length + CHECK.length * inserted + 8);
    out.write(module, 0, section[0]);
    out.section(10, code);
    out.write(module, section[2], module.length - section[2]);
    return out.toByteArray();
  }

  /** Collects, for one body at a time, where each loop's body starts and whether a conditional branch targets it. */
  private static final class TargetedLoops implements CodeBodies.Instructions {
    private int[] bodyStarts = new int[16];
    private boolean[] targeted = new boolean[16];
    private int loops;

    void clear() {
      Arrays.fill(targeted, 0, loops, false);
      loops = 0;
    }

    @Override
    public void loop(int loop, int bodyStart) {
      if (loop == bodyStarts.length) {
        bodyStarts = Arrays.copyOf(bodyStarts, loop * 2);
        targeted = Arrays.copyOf(targeted, loop * 2);
      }
      bodyStarts[loop] = bodyStart;
      loops = loop + 1;
    }

    @Override
    public void conditionalBranchTo(int loop) {
      targeted[loop] = true;
    }

    /** The body starts of the targeted loops, ascending (loops start in the order of their bytes). */
    int[] insertionPoints() {
      int[] points = new int[loops];
      int n = 0;
      for (int i = 0; i < loops; i++) {
        if (targeted[i]) {
          points[n++] = bodyStarts[i];
        }
      }
      return Arrays.copyOf(points, n);
    }
  }
}
