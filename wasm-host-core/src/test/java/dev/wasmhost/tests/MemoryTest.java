package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.MEMORY;
import static dev.wasmhost.tests.TestModules.TRAPS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.Memory;
import dev.wasmhost.MemoryType;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link Memory}: reads and writes agree with the guest's own loads and stores, and every access is bounds-checked. */
class MemoryTest {

  private static final int SIZE = MemoryType.PAGE_SIZE;

  private static Instance memoryInstance(Engine engine) {
    return TestModules.loader(engine).load(TestModules.classpathUri(MEMORY)).instantiate();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void sizeAndDataSegment(Engine engine) {
    Instance instance = memoryInstance(engine);
    Memory memory = instance.memory();
    assertThat(instance.memory()).isSameAs(memory);
    assertThat(memory.pages()).isEqualTo(1);
    assertThat(memory.byteSize()).isEqualTo(65536L);
    assertThat(memory.readString(16, 11)).isEqualTo("hello, wasm");
    assertThat(memory.readByte(16)).isEqualTo((byte) 'h');
    assertThat(memory.read(16, 5)).containsExactly('h', 'e', 'l', 'l', 'o');
    assertThat(memory.readByte(15)).isZero();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void intsAndLongsAreLittleEndianAndAgreeWithTheGuest(Engine engine) {
    Instance instance = memoryInstance(engine);
    Memory memory = instance.memory();

    memory.writeInt(100, 0x12345678);
    assertThat(instance.call("load", 100)).isEqualTo(0x12345678);
    assertThat(memory.read(100, 4)).containsExactly(0x78, 0x56, 0x34, 0x12);
    assertThat(memory.readInt(100)).isEqualTo(0x12345678);

    instance.call("store", 200, -5);
    assertThat(memory.readInt(200)).isEqualTo(-5);
    assertThat(memory.readByte(200)).isEqualTo((byte) 0xFB);

    memory.writeLong(300, 0x0102030405060708L);
    assertThat(memory.readLong(300)).isEqualTo(0x0102030405060708L);
    assertThat(memory.readInt(300)).isEqualTo(0x05060708);
    assertThat(instance.call("load", 304)).isEqualTo(0x01020304);
    memory.writeLong(308, -1L);
    assertThat(memory.readLong(308)).isEqualTo(-1L);
    assertThat(memory.readInt(312)).isEqualTo(-1);

    // Unaligned access works.
    memory.writeInt(401, 0xCAFEBABE);
    assertThat(instance.call("load", 401)).isEqualTo(0xCAFEBABE);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void bytesAndArrays(Engine engine) {
    Instance instance = memoryInstance(engine);
    Memory memory = instance.memory();

    memory.writeByte(1000, (byte) 200);
    assertThat(memory.readByte(1000)).isEqualTo((byte) 200);
    assertThat(instance.call("sum_bytes", 1000, 1)).isEqualTo(200);

    byte[] data = {1, 2, 3, 4, 5, (byte) 250};
    memory.write(2000, data);
    assertThat(instance.call("sum_bytes", 2000, 6)).isEqualTo(265);
    byte[] back = memory.read(2000, 6);
    assertThat(back).containsExactly(data);
    // read returns a copy.
    back[0] = 99;
    assertThat(memory.readByte(2000)).isEqualTo((byte) 1);
    // write copies too.
    data[1] = 42;
    assertThat(memory.readByte(2001)).isEqualTo((byte) 2);

    memory.write(3000, new byte[] {9, 8, 7, 6, 5}, 1, 3);
    assertThat(memory.read(2999, 5)).containsExactly(0, 8, 7, 6, 0);
    assertThat(memory.read(3000, 0)).isEmpty();
    assertThatThrownBy(() -> memory.write(3000, new byte[] {1, 2}, 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> memory.write(3000, new byte[] {1, 2}, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThat(memory.read(2999, 5)).containsExactly(0, 8, 7, 6, 0);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void stringsAreUtf8(Engine engine) {
    Instance instance = memoryInstance(engine);
    Memory memory = instance.memory();
    String text = "héllo, wörld ✓ 日本 🎉";
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    int written = memory.writeString(1024, text);
    assertThat(written).isEqualTo(utf8.length).isGreaterThan(text.length());
    assertThat(memory.readString(1024, written)).isEqualTo(text);
    assertThat(memory.read(1024, written)).containsExactly(utf8);
    int sum = 0;
    for (byte b : utf8) {
      sum += b & 0xFF;
    }
    assertThat(instance.call("sum_bytes", 1024, written)).isEqualTo(sum);
    assertThat(memory.writeString(5000, "")).isZero();
    assertThat(memory.readString(5000, 0)).isEmpty();
    assertThat(memory.writeString(6000, "héllo")).isEqualTo(6);
    assertThat(memory.readString(6000, 6)).isEqualTo("héllo");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void growIsSeenByTheGuestAndStopsAtTheMaximum(Engine engine) {
    Instance instance = memoryInstance(engine);
    Memory memory = instance.memory();
    assertThatThrownBy(() -> memory.writeInt(SIZE, 1)).isInstanceOf(IndexOutOfBoundsException.class);

    assertThat(memory.grow(1)).isEqualTo(1);
    assertThat(memory.pages()).isEqualTo(2);
    assertThat(memory.byteSize()).isEqualTo(2L * SIZE);
    assertThat(instance.call("size")).isEqualTo(2);
    memory.writeInt(SIZE, 31337);
    assertThat(instance.call("load", SIZE)).isEqualTo(31337);

    assertThat(memory.grow(0)).isEqualTo(2);
    assertThat(memory.grow(3)).as("beyond the maximum of 4").isEqualTo(-1);
    assertThat(memory.pages()).isEqualTo(2);
    assertThat(memory.grow(-1)).isEqualTo(-1);
    assertThat(memory.grow(Integer.MAX_VALUE)).isEqualTo(-1);
    assertThat(memory.pages()).isEqualTo(2);

    // Growth by the guest is seen by the host.
    assertThat(instance.call("grow", 2)).isEqualTo(2);
    assertThat(memory.pages()).isEqualTo(4);
    assertThat(memory.byteSize()).isEqualTo(4L * SIZE);
    memory.writeLong(4 * SIZE - 8, 77L);
    assertThat(memory.readLong(4 * SIZE - 8)).isEqualTo(77L);
    assertThat(instance.call("grow", 1)).isEqualTo(-1);
    assertThat(memory.grow(1)).isEqualTo(-1);
    assertThat(memory.pages()).isEqualTo(4);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void accessesAtTheLastByteBoundary(Engine engine) {
    Memory memory = memoryInstance(engine).memory();
    memory.writeByte(SIZE - 1, (byte) 1);
    assertThat(memory.readByte(SIZE - 1)).isEqualTo((byte) 1);
    memory.writeInt(SIZE - 4, 0x01020304);
    assertThat(memory.readInt(SIZE - 4)).isEqualTo(0x01020304);
    memory.writeLong(SIZE - 8, 0x1122334455667788L);
    assertThat(memory.readLong(SIZE - 8)).isEqualTo(0x1122334455667788L);
    memory.write(SIZE - 3, new byte[] {7, 8, 9});
    assertThat(memory.read(SIZE - 3, 3)).containsExactly(7, 8, 9);
    assertThat(memory.writeString(SIZE - 2, "é")).isEqualTo(2);
    assertThat(memory.readString(SIZE - 2, 2)).isEqualTo("é");
    assertThat(memory.read(SIZE, 0)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void accessesPastTheEndThrowAndWriteNothing(Engine engine) {
    Memory memory = memoryInstance(engine).memory();
    byte[] marker = {11, 22, 33, 44, 55, 66, 77, 88};
    memory.write(SIZE - 8, marker);

    expectOutOfBounds(() -> memory.writeByte(SIZE, (byte) 1), SIZE, 1);
    expectOutOfBounds(() -> memory.writeInt(SIZE - 3, -1), SIZE - 3, 4);
    expectOutOfBounds(() -> memory.writeLong(SIZE - 7, -1L), SIZE - 7, 8);
    expectOutOfBounds(() -> memory.write(SIZE - 2, new byte[] {1, 2, 3}), SIZE - 2, 3);
    expectOutOfBounds(() -> memory.write(SIZE - 1, new byte[] {1, 2, 3}, 1, 2), SIZE - 1, 2);
    expectOutOfBounds(() -> memory.writeString(SIZE - 1, "é"), SIZE - 1, 2);
    expectOutOfBounds(() -> memory.writeString(SIZE - 3, "abcd"), SIZE - 3, 4);
    assertThat(memory.read(SIZE - 8, 8)).as("nothing was written").containsExactly(marker);

    expectOutOfBounds(() -> memory.readByte(SIZE), SIZE, 1);
    expectOutOfBounds(() -> memory.readInt(SIZE - 3), SIZE - 3, 4);
    expectOutOfBounds(() -> memory.readLong(SIZE - 1), SIZE - 1, 8);
    expectOutOfBounds(() -> memory.read(SIZE - 8, 9), SIZE - 8, 9);
    expectOutOfBounds(() -> memory.read(SIZE + 1, 0), SIZE + 1, 0);
    expectOutOfBounds(() -> memory.readString(SIZE - 1, 2), SIZE - 1, 2);
    // Far beyond the end, where address + length overflows an int.
    expectOutOfBounds(() -> memory.readInt(Integer.MAX_VALUE), Integer.MAX_VALUE, 4);
    expectOutOfBounds(() -> memory.writeLong(Integer.MAX_VALUE - 3, 1L), Integer.MAX_VALUE - 3, 8);
    expectOutOfBounds(() -> memory.read(16, Integer.MAX_VALUE), 16, Integer.MAX_VALUE);
    assertThat(memory.read(SIZE - 8, 8)).containsExactly(marker);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void negativeAddressesAndLengthsAreOutOfBounds(Engine engine) {
    Memory memory = memoryInstance(engine).memory();
    memory.write(0, new byte[] {5, 6, 7, 8});
    expectOutOfBounds(() -> memory.readByte(-1), -1, 1);
    expectOutOfBounds(() -> memory.writeByte(-1, (byte) 1), -1, 1);
    expectOutOfBounds(() -> memory.readInt(-4), -4, 4);
    expectOutOfBounds(() -> memory.writeInt(-2, 1), -2, 4);
    expectOutOfBounds(() -> memory.readLong(Integer.MIN_VALUE), Integer.MIN_VALUE, 8);
    expectOutOfBounds(() -> memory.writeLong(-8, 1L), -8, 8);
    expectOutOfBounds(() -> memory.read(-1, 2), -1, 2);
    expectOutOfBounds(() -> memory.read(0, -1), 0, -1);
    expectOutOfBounds(() -> memory.write(-1, new byte[] {1}), -1, 1);
    expectOutOfBounds(() -> memory.writeString(-3, "x"), -3, 1);
    expectOutOfBounds(() -> memory.readString(-3, 1), -3, 1);
    assertThat(memory.read(0, 4)).containsExactly(5, 6, 7, 8);
  }

  private static void expectOutOfBounds(ThrowingCallable access, int address, int length) {
    assertThatThrownBy(access)
        .isExactlyInstanceOf(IndexOutOfBoundsException.class)
        .hasMessageContaining("address " + address)
        .hasMessageContaining("length " + length)
        .hasMessageContaining("memory size 65536");
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anUnexportedMemoryIsStillTheInstancesMemory(Engine engine) {
    Instance instance = TestModules.loader(engine).load(TestModules.classpathUri(TRAPS)).instantiate();
    Memory memory = instance.memory();
    assertThat(memory.pages()).isEqualTo(1);
    assertThat(memory.grow(1)).as("its maximum is 1 page").isEqualTo(-1);
    memory.writeInt(0, 5);
    assertThat(memory.readInt(0)).isEqualTo(5);
  }
}
