package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.FIB;
import static dev.wasmhost.tests.TestModules.INVALID;
import static dev.wasmhost.tests.TestModules.MEMORY;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

import dev.wasmhost.CacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.InvalidModuleException;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmModule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bytes that are not a valid module give {@link InvalidModuleException} and nothing else, name the
 * module, cache nothing, and leave the loader working.
 */
class MalformedModuleTest {

  private static void assertLoaderWorks(Loader loader) {
    assertThat(loader.load(TestModules.bytes(NUMBERS)).call("add", 2, 3)).isEqualTo(5);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void randomJunk(Engine engine) {
    Loader loader = TestModules.loader(engine);
    Random random = new Random(20261121);
    for (int i = 0; i < 200; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      if (junk.length >= 4 && junk[0] == 0 && junk[1] == 'a' && junk[2] == 's' && junk[3] == 'm') {
        continue;
      }
      assertThatThrownBy(() -> loader.load(junk))
          .as("junk %s", Arrays.toString(junk))
          .isExactlyInstanceOf(InvalidModuleException.class)
          .hasMessageStartingWith("module " + TestModules.shortDigest(junk) + " is malformed: ");
    }
    assertThat(loader.cacheStats().moduleCount()).isZero();
    assertLoaderWorks(loader);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void wrongMagicAndVersion(Engine engine) {
    Loader loader = TestModules.loader(engine);
    byte[] good = TestModules.bytes(NUMBERS);

    byte[] magic = good.clone();
    magic[1] = 'A';
    assertThatThrownBy(() -> loader.load(magic))
        .isExactlyInstanceOf(InvalidModuleException.class)
        .hasMessageStartingWith("module " + TestModules.shortDigest(magic) + " is malformed: ")
        .hasMessageContaining("magic");

    byte[] version = good.clone();
    version[4] = 2;
    assertThatThrownBy(() -> loader.load(version))
        .isExactlyInstanceOf(InvalidModuleException.class)
        .hasMessageStartingWith("module " + TestModules.shortDigest(version) + " is malformed: ")
        .hasMessageContaining("version");

    byte[] text = "(module (func (export \"add\")))".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThatThrownBy(() -> loader.load(text))
        .isExactlyInstanceOf(InvalidModuleException.class)
        .hasMessageContaining("malformed");

    byte[] trailing = Arrays.copyOf(good, good.length + 3);
    trailing[good.length] = (byte) 0x7F;
    assertThatThrownBy(() -> loader.load(trailing))
        .isExactlyInstanceOf(InvalidModuleException.class)
        .hasMessageContaining("malformed");

    assertThat(loader.cacheStats().moduleCount()).isZero();
    assertLoaderWorks(loader);
  }

  /**
   * Where each section of {@code module} ends: the prefixes of these lengths are well-formed
   * sequences of whole sections. Sections are an id byte, a LEB128 u32 size, and that many bytes.
   */
  private static List<Integer> sectionEnds(byte[] module) {
    List<Integer> ends = new ArrayList<>();
    int at = 8;
    ends.add(at);
    while (at < module.length) {
      at++; // the section id
      long size = 0;
      int shift = 0;
      byte b;
      do {
        b = module[at++];
        size |= (long) (b & 0x7F) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      at += (int) size;
      ends.add(at);
    }
    assertThat(at).isEqualTo(module.length);
    return ends;
  }

  /** The ids of the sections in the first {@code length} bytes of {@code module}, which end at a section end. */
  private static List<Integer> sectionIds(byte[] module, int length) {
    List<Integer> ids = new ArrayList<>();
    int at = 8;
    while (at < length) {
      ids.add((int) module[at++]);
      long size = 0;
      int shift = 0;
      byte b;
      do {
        b = module[at++];
        size |= (long) (b & 0x7F) << shift;
        shift += 7;
      } while ((b & 0x80) != 0);
      at += (int) size;
    }
    return ids;
  }

  /**
   * Every proper prefix of a valid module is malformed, except those that end exactly where a section
   * ends: those are complete modules, and are valid unless they declare functions (section 3) without
   * their bodies (section 10).
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void everyTruncation(Engine engine) {
    Loader loader = TestModules.loader(engine);
    java.util.Set<String> validDigests = new java.util.HashSet<>();
    for (String name : List.of(NUMBERS, MEMORY, FIB)) {
      byte[] module = TestModules.bytes(name);
      List<Integer> ends = sectionEnds(module);
      for (int length = 0; length < module.length; length++) {
        byte[] prefix = Arrays.copyOf(module, length);
        boolean complete = ends.contains(length);
        List<Integer> ids = complete ? sectionIds(module, length) : List.of();
        boolean valid = complete && (!ids.contains(3) || ids.contains(10));
        String what = name + ".wasm truncated to " + length + " of " + module.length + " bytes, sections " + ids;
        try {
          WasmModule loaded = loader.load(prefix);
          if (!valid) {
            fail("%s loaded, but is not a valid module", what);
          }
          validDigests.add(TestModules.sha256(prefix));
          assertThat(loaded.digest()).as(what).isEqualTo(TestModules.sha256(prefix));
          assertThat(loaded.sizeBytes()).as(what).isEqualTo(length);
          if (!ids.contains(7)) {
            assertThat(loaded.exports()).as(what).isEmpty();
          }
        } catch (InvalidModuleException e) {
          if (valid) {
            fail(what + " is a valid module, but was refused", e);
          }
          assertThat(e).as(what).hasMessageStartingWith("module " + TestModules.shortDigest(prefix) + " is ");
        } catch (Throwable e) {
          fail(what + " threw " + e + " instead of InvalidModuleException", e);
        }
      }
    }
    CacheStats stats = loader.cacheStats();
    // Only the valid prefixes were cached (the bare header is a prefix of all three modules).
    assertThat(validDigests).hasSizeGreaterThanOrEqualTo(3);
    assertThat(stats.moduleCount()).isEqualTo(validDigests.size());
    assertLoaderWorks(loader);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void anInvalidModuleIsAnInvalidModuleException(Engine engine) {
    Loader loader = TestModules.loader(engine);
    assertThatThrownBy(() -> loader.load(TestModules.classpathUri(INVALID)))
        .isExactlyInstanceOf(InvalidModuleException.class)
        .hasMessageStartingWith("module classpath:/wasm/invalid.wasm is invalid: ");
    byte[] bytes = TestModules.bytes(INVALID);
    assertThatThrownBy(() -> loader.load(bytes))
        .isExactlyInstanceOf(InvalidModuleException.class)
        .hasMessageStartingWith("module " + TestModules.shortDigest(bytes) + " is invalid: ")
        .hasMessageContaining("type mismatch");
    assertThat(loader.cacheStats().moduleCount()).isZero();
    assertLoaderWorks(loader);
  }

  /** A valid header followed by random bytes: whatever happens, it is a module or an InvalidModuleException. */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void randomSectionsAfterAValidHeader(Engine engine) {
    Loader loader = TestModules.loader(engine);
    Random random = new Random(4242);
    byte[] header = Arrays.copyOf(TestModules.bytes(NUMBERS), 8);
    for (int i = 0; i < 500; i++) {
      byte[] body = new byte[1 + random.nextInt(40)];
      random.nextBytes(body);
      if (random.nextBoolean()) {
        body[0] = (byte) random.nextInt(13); // a known section id
        if (body.length > 1) {
          body[1] = (byte) random.nextInt(body.length); // a plausible size
        }
      }
      byte[] module = new byte[8 + body.length];
      System.arraycopy(header, 0, module, 0, 8);
      System.arraycopy(body, 0, module, 8, body.length);
      try {
        loader.load(module);
      } catch (InvalidModuleException e) {
        assertThat(e).hasMessageStartingWith("module " + TestModules.shortDigest(module) + " is ");
      } catch (Throwable e) {
        fail("header + " + Arrays.toString(body) + " threw " + e + " instead of InvalidModuleException", e);
      }
    }
    assertLoaderWorks(loader);
  }

  /**
   * A type section that declares 2^31 or more types but holds none is malformed (wabt: "invalid type
   * count 4294967295, only 0 bytes left in section"). Other sections with such counts are refused.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void aHugeTypeCountIsMalformed(Engine engine) {
    Loader loader = TestModules.loader(engine);
    byte[][] modules = {
      {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
      {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 5, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08},
      {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 1, 5},
      {0, 'a', 's', 'm', 1, 0, 0, 0, 3, 5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F},
    };
    for (byte[] module : modules) {
      Throwable thrown = catchThrowable(() -> loader.load(module));
      assertThat(thrown)
          .as("%s gave %s", java.util.HexFormat.of().formatHex(module), thrown)
          .isExactlyInstanceOf(InvalidModuleException.class)
          .hasMessageStartingWith("module " + TestModules.shortDigest(module) + " is malformed: ");
    }
    assertLoaderWorks(loader);
  }
}
