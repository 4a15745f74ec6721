package dev.wasmhost.internal;

import dev.wasmhost.Memory;
import java.nio.charset.StandardCharsets;

/** The API's bounds-checked view of a Chicory memory. Not thread-safe, like its instance. */
final class GuestMemory implements Memory {
  private final com.dylibso.chicory.runtime.Memory memory;

  GuestMemory(com.dylibso.chicory.runtime.Memory memory) {
    this.memory = memory;
  }

  private void check(int address, long length) {
    long size = byteSize();
    if (address < 0 || length < 0 || address + length > size) {
      throw new IndexOutOfBoundsException(
          "memory access out of bounds: address " + address + ", length " + length + ", memory size " + size);
    }
  }

  @Override
  public int pages() {
    return memory.pages();
  }

  @Override
  public int grow(int pages) {
    if (pages < 0) {
      return -1;
    }
    return memory.grow(pages);
  }

  @Override
  public byte readByte(int address) {
    check(address, 1);
    return memory.read(address);
  }

  @Override
  public void writeByte(int address, byte value) {
    check(address, 1);
    memory.writeByte(address, value);
  }

  @Override
  public byte[] read(int address, int length) {
    check(address, length);
    return memory.readBytes(address, length);
  }

  @Override
  public void write(int address, byte[] bytes, int offset, int length) {
    java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
    check(address, length);
    memory.write(address, bytes, offset, length);
  }

  @Override
  public int readInt(int address) {
    check(address, 4);
    return memory.readInt(address);
  }

  @Override
  public void writeInt(int address, int value) {
    check(address, 4);
    memory.writeI32(address, value);
  }

  @Override
  public long readLong(int address) {
    check(address, 8);
    return memory.readLong(address);
  }

  @Override
  public void writeLong(int address, long value) {
    check(address, 8);
    memory.writeLong(address, value);
  }

  @Override
  public String readString(int address, int length) {
    return new String(read(address, length), StandardCharsets.UTF_8);
  }

  @Override
  public int writeString(int address, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    write(address, bytes);
    return bytes.length;
  }
}
