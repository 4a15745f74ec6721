package dev.wasmhost.limits;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * One change to a module's bytes. Positions and indexes are taken modulo the current length or
 * section count, so any value applies to any module (and shrinks towards the start). Mutations that
 * work on sections do nothing to bytes whose section framing is already broken.
 */
sealed interface Mutation {

  byte[] apply(byte[] module);

  /** Values that make decoders allocate or loop: the extremes of u32 and of Java's int, and large powers of two. */
  long[] HUGE = {
    0xffff_ffffL, 0xffff_fffeL, 0x8000_0000L, 0x7fff_ffffL, 0x7fff_fff0L, 0x4000_0000L, 0x1000_0000L,
    0x0fff_ffffL, 0x0100_0000L, 0x0010_0000L, 0x0001_0001L, 0x0001_0000L, 0x0000_ffffL
  };

  // ---- byte-level

  /** Flips bit {@code bit} of the byte at {@code position}. */
  record BitFlip(int position, int bit) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      if (module.length == 0) {
        return module;
      }
      byte[] out = module.clone();
      out[position % out.length] ^= (byte) (1 << (bit & 7));
      return out;
    }
  }

  /** Sets the byte at {@code position} to {@code value}. */
  record ReplaceByte(int position, int value) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      if (module.length == 0) {
        return module;
      }
      byte[] out = module.clone();
      out[position % out.length] = (byte) value;
      return out;
    }
  }

  /** Keeps only the first {@code keep} bytes (modulo the length). */
  record Truncate(int keep) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      return module.length == 0 ? module : Arrays.copyOf(module, keep % module.length);
    }
  }

  /** Inserts {@code count} copies of {@code value} at {@code position}. */
  record Insert(int position, int value, int count) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      int at = module.length == 0 ? 0 : position % (module.length + 1);
      byte[] out = new byte[module.length + count];
      System.arraycopy(module, 0, out, 0, at);
      Arrays.fill(out, at, at + count, (byte) value);
      System.arraycopy(module, at, out, at + count, module.length - at);
      return out;
    }
  }

  /** Deletes up to {@code count} bytes at {@code position}. */
  record Delete(int position, int count) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      if (module.length == 0) {
        return module;
      }
      int at = position % module.length;
      int n = Math.min(count, module.length - at);
      byte[] out = new byte[module.length - n];
      System.arraycopy(module, 0, out, 0, at);
      System.arraycopy(module, at + n, out, at, module.length - at - n);
      return out;
    }
  }

  /** Replaces the LEB128 number that starts at {@code position} (or the one byte there) with {@code value}, padded to 5 bytes. */
  record HugeLebAt(int position, long value) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      if (module.length == 0) {
        return module;
      }
      int at = position % module.length;
      WasmBinary.Leb old = WasmBinary.readU32(module, at);
      int oldLength = old == null ? 1 : old.length();
      byte[] leb = WasmBinary.u32Padded(value);
      byte[] out = new byte[module.length - oldLength + leb.length];
      System.arraycopy(module, 0, out, 0, at);
      System.arraycopy(leb, 0, out, at, leb.length);
      System.arraycopy(module, at + oldLength, out, at + leb.length, module.length - at - oldLength);
      return out;
    }
  }

  // ---- section-level

  /** Inserts a copy of section {@code index} before section {@code at}. */
  record DuplicateSection(int index, int at) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      List<WasmBinary.Section> sections = WasmBinary.sections(module);
      if (sections == null || sections.isEmpty()) {
        return module;
      }
      List<WasmBinary.Section> out = new ArrayList<>(sections);
      out.add(at % (out.size() + 1), sections.get(index % sections.size()));
      return WasmBinary.assemble(out);
    }
  }

  /** Moves section {@code from} to position {@code to}. */
  record MoveSection(int from, int to) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      List<WasmBinary.Section> sections = WasmBinary.sections(module);
      if (sections == null || sections.isEmpty()) {
        return module;
      }
      List<WasmBinary.Section> out = new ArrayList<>(sections);
      WasmBinary.Section moved = out.remove(from % out.size());
      out.add(to % (out.size() + 1), moved);
      return WasmBinary.assemble(out);
    }
  }

  /** Removes section {@code index}. */
  record DropSection(int index) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      List<WasmBinary.Section> sections = WasmBinary.sections(module);
      if (sections == null || sections.isEmpty()) {
        return module;
      }
      List<WasmBinary.Section> out = new ArrayList<>(sections);
      out.remove(index % out.size());
      return WasmBinary.assemble(out);
    }
  }

  /** Declares a size of {@code value} for section {@code index}, keeping its payload as it is. */
  record HugeSectionSize(int index, long value) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      List<WasmBinary.Section> sections = WasmBinary.sections(module);
      if (sections == null || sections.isEmpty()) {
        return module;
      }
      int target = index % sections.size();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      out.writeBytes(WasmBinary.HEADER);
      for (int i = 0; i < sections.size(); i++) {
        WasmBinary.Section section = sections.get(i);
        out.write(section.id());
        out.writeBytes(i == target ? WasmBinary.u32Padded(value) : WasmBinary.u32(section.payload().length));
        out.writeBytes(section.payload());
      }
      return out.toByteArray();
    }
  }

  /**
   * Replaces the first number in section {@code index}'s payload (the element count of every vector
   * section) with {@code value}, and fixes up the section's size so that only the count lies.
   */
  record HugeCount(int index, long value) implements Mutation {
    @Override
    public byte[] apply(byte[] module) {
      List<WasmBinary.Section> sections = WasmBinary.sections(module);
      if (sections == null || sections.isEmpty()) {
        return module;
      }
      List<WasmBinary.Section> out = new ArrayList<>(sections);
      int target = index % out.size();
      WasmBinary.Section section = out.get(target);
      byte[] payload = section.payload();
      int start = section.id() == 0 ? customNameEnd(payload) : 0;
      if (start < 0 || start >= payload.length) {
        return module;
      }
      byte[] patched = new HugeLebAt(start, value).apply(payload);
      out.set(target, new WasmBinary.Section(section.id(), patched));
      return WasmBinary.assemble(out);
    }

    private static int customNameEnd(byte[] payload) {
      WasmBinary.Leb length = WasmBinary.readU32(payload, 0);
      return length == null ? -1 : (int) Math.min(Integer.MAX_VALUE, length.length() + length.value());
    }
  }

  // ---- generators

  static Arbitrary<Integer> positions() {
    return Arbitraries.integers().between(0, 1 << 20);
  }

  static Arbitrary<Long> hugeValues() {
    return Arbitraries.oneOf(
        Arbitraries.of(HUGE[0], HUGE[1], HUGE[2], HUGE[3], HUGE[4], HUGE[5], HUGE[6], HUGE[7], HUGE[8], HUGE[9],
            HUGE[10], HUGE[11], HUGE[12]),
        Arbitraries.longs().between(0, 0xffff_ffffL));
  }

  /** Bit flips, byte replacements, truncations, insertions and deletions. */
  static Arbitrary<Mutation> byteLevel() {
    Arbitrary<Integer> small = Arbitraries.integers().between(1, 64);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Combinators.combine(positions(), Arbitraries.integers().between(0, 7)).as(BitFlip::new)),
        net.jqwik.api.Tuple.of(4, Combinators.combine(positions(), Arbitraries.integers().between(0, 255)).as(ReplaceByte::new)),
        net.jqwik.api.Tuple.of(2, positions().map(Truncate::new)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(positions(), Arbitraries.integers().between(0, 255), small).as(Insert::new)),
        net.jqwik.api.Tuple.of(1, Combinators.combine(positions(), small).as(Delete::new)));
  }

  /** Duplicated, moved and dropped sections, huge section sizes, vector counts and other numbers. */
  static Arbitrary<Mutation> structural() {
    Arbitrary<Integer> index = Arbitraries.integers().between(0, 63);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, Combinators.combine(index, index).as(DuplicateSection::new)),
        net.jqwik.api.Tuple.of(2, Combinators.combine(index, index).as(MoveSection::new)),
        net.jqwik.api.Tuple.of(1, index.map(DropSection::new)),
        net.jqwik.api.Tuple.of(3, Combinators.combine(index, hugeValues()).as(HugeSectionSize::new)),
        net.jqwik.api.Tuple.of(4, Combinators.combine(index, hugeValues()).as(HugeCount::new)),
        net.jqwik.api.Tuple.of(4, Combinators.combine(positions(), hugeValues()).as(HugeLebAt::new)));
  }
}
