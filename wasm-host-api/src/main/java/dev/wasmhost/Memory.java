package dev.wasmhost;

/**
 * The linear memory of one {@link Instance}, as bytes in little-endian order.
 *
 * <p>Every access is bounds-checked: an access that does not lie wholly within the current size
 * throws {@link IndexOutOfBoundsException} naming the address, the length and the size, and changes
 * nothing. Addresses are non-negative {@code int}s. Like its instance, a memory is not thread-safe.
 *
 * <pre>{@code
 * Memory memory = instance.memory();
 * int written = memory.writeString(1024, "héllo");    // UTF-8, returns 6
 * String back = memory.readString(1024, written);
 * }</pre>
 */
public interface Memory {

  /** Current size in 64 KiB pages. */
  int pages();

  /** Current size in bytes. */
  default long byteSize() {
    return (long) pages() * MemoryType.PAGE_SIZE;
  }

  /**
   * Grows the memory by {@code pages} pages, as the {@code memory.grow} instruction does.
   *
   * @return the previous size in pages, or -1 if the memory cannot grow that far
   */
  int grow(int pages);

  byte readByte(int address);

  void writeByte(int address, byte value);

  /** A copy of {@code length} bytes starting at {@code address}. */
  byte[] read(int address, int length);

  /** Copies all of {@code bytes} to {@code address}. */
  default void write(int address, byte[] bytes) {
    write(address, bytes, 0, bytes.length);
  }

  /** Copies {@code length} bytes of {@code bytes} from {@code offset} to {@code address}. */
  void write(int address, byte[] bytes, int offset, int length);

  int readInt(int address);

  void writeInt(int address, int value);

  long readLong(int address);

  void writeLong(int address, long value);

  /** Decodes {@code length} bytes at {@code address} as UTF-8. */
  String readString(int address, int length);

  /**
   * Encodes {@code value} as UTF-8 at {@code address}, without a terminator.
   *
   * @return the number of bytes written
   */
  int writeString(int address, String value);
}
