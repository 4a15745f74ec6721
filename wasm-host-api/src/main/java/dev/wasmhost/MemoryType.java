package dev.wasmhost;

import java.util.OptionalInt;

/**
 * The declared limits of a module's linear memory, in 64 KiB pages.
 *
 * @param initialPages pages allocated at instantiation
 * @param maximumPages the declared maximum, empty when the module declares none
 * @param imported true when the memory is imported rather than defined by the module
 */
public record MemoryType(int initialPages, OptionalInt maximumPages, boolean imported) {
  /** The size of one WebAssembly page in bytes. */
  public static final int PAGE_SIZE = 65536;

  public MemoryType {
    if (initialPages < 0) {
      throw new IllegalArgumentException("initialPages must not be negative: " + initialPages);
    }
    java.util.Objects.requireNonNull(maximumPages, "maximumPages");
  }

  @Override
  public String toString() {
    return "memory " + initialPages + (maximumPages.isPresent() ? ".." + maximumPages.getAsInt() : "..")
        + " pages" + (imported ? " (imported)" : "");
  }
}
