package dev.wasmhost.internal;

import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.internal.ClassLoadingCollector;
import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.CompilerResult;
import com.dylibso.chicory.compiler.internal.MachineFactory;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A module's compiled code as the disk cache keeps it: Chicory's generated classes, plus what a
 * later JVM needs to use them without decoding the whole module again.
 *
 * <p>An entry's payload is a zip holding:
 *
 * <ul>
 *   <li>{@value #INFO}: the main class's name, every class's name, and the functions Chicory left
 *       to its interpreter;
 *   <li>{@value #META} (absent for fuel-metered modules): the module with every function body that
 *       runs compiled replaced by {@code unreachable}, and its custom sections dropped, as Chicory's
 *       build-time compiler writes it. Bodies of the functions Chicory interprets (too large for one
 *       JVM method) are kept whole, because the compiled code calls the interpreter for them. For the
 *       1.1 MB SQLite module this is 69 KB, which Chicory decodes and validates in a fraction of the
 *       time the full module takes;
 *   <li>the generated classes, one entry each, as in the jars Chicory's own cache writes.
 * </ul>
 *
 * <p>The module's identity stays the SHA-256 of its original bytes: the entry is keyed by it, and
 * the meta module stands in for the full one only as the module Chicory's {@link Instance} is built
 * from for compiled code, which reads types, imports, exports, tables, memories, globals, data and
 * element segments from it, and the bodies of interpreted functions only.
 */
final class CompiledCode {
  static final String INFO = "wasm-host/compiled.properties";
  static final String META = "wasm-host/meta.wasm";

  final String mainClass;
  /** Class name to class file, in the order they are defined: every other class, then the main one. */
  final Map<String, byte[]> classes;
  final Set<Integer> interpreted;
  /** The meta module's bytes, or null. */
  final byte[] meta;
  /**
   * {@link LoadedModule#directCalls()} of the full module, which the meta module (its compiled
   * bodies stubbed) cannot tell.
   */
  final boolean directCalls;

  private CompiledCode(
      String mainClass,
      Map<String, byte[]> classes,
      Set<Integer> interpreted,
      byte[] meta,
      boolean directCalls) {
    this.mainClass = mainClass;
    this.classes = classes;
    this.interpreted = interpreted;
    this.meta = meta;
    this.directCalls = directCalls;
  }

  /** A factory for instances of {@code module} running these classes, which it defines now. */
  record Loaded(Function<Instance, Machine> factory, CompiledCode code) {}

  /**
   * Compiles {@code module} with the settings of {@link ChicoryLoader#COMPILE_OPTIONS}: functions
   * too large for one JVM method run in the interpreter, silently. The same as Chicory's {@code
   * MachineFactoryCompiler}, through the compiler underneath it, because only that reports which
   * functions were left to the interpreter, and the meta module must keep their bodies.
   *
   * @param bytes the bytes {@code module} was decoded from, to build the meta module from; null for
   *     none
   * @param directCalls whether the module's exports may be called on the machine directly
   */
  static Loaded compile(WasmModule module, byte[] bytes, boolean directCalls) {
    CompilerResult result =
        Compiler.builder(module)
            .withInterpreterFallback(InterpreterFallback.SILENT)
            .withClassCollectorFactory(ClassLoadingCollector::new)
            .build()
            .compile();
    ClassLoadingCollector collector = (ClassLoadingCollector) result.collector();
    String main = collector.mainClassName();
    Map<String, byte[]> ordered = new LinkedHashMap<>();
    collector.classBytes().forEach((name, classBytes) -> {
      if (!name.equals(main)) {
        ordered.put(name, classBytes);
      }
    });
    ordered.put(main, collector.classBytes().get(main));
    Set<Integer> interpreted = new TreeSet<>(result.interpretedFunctions());
    byte[] meta =
        bytes == null ? null : meta(bytes, interpreted, module.importSection().count(ExternalType.FUNCTION));
    CompiledCode code = new CompiledCode(main, ordered, interpreted, meta, directCalls);
    return new Loaded(new MachineFactory(module, collector.machineFactory()), code);
  }

  /**
   * Defines these classes in a new class loader and returns a factory for instances of {@code
   * module}, which must be the module they were compiled from or its meta module.
   */
  Function<Instance, Machine> load(WasmModule module) {
    return factory(module, defineClasses());
  }

  /**
   * Defines these classes in a new class loader and links them; needs no module, so that a warm
   * start can do it while it decodes the meta module. Returns the generated machine's constructor.
   *
   * <p>Not Chicory's {@code ClassLoadingCollector}, which does the same with two costs a cold JVM
   * feels on the warm start's critical path: it reads each class with ASM to learn the name this
   * entry already holds (a scan of a 1.5 MB class's constant pool, in the bytecode interpreter), and
   * it wraps the constructor with {@code MethodHandleProxies}, which spins a proxy class. Each class
   * is initialized here, as Chicory does, so that the verifier runs on this thread rather than in the
   * first call.
   *
   * @throws LinkageError if a class is malformed or fails verification
   * @throws IllegalArgumentException if a class is missing or the main class is not a machine
   */
  Function<Instance, Machine> defineClasses() {
    GeneratedClasses loader = new GeneratedClasses(classes);
    Constructor<? extends Machine> constructor;
    try {
      for (String name : classes.keySet()) {
        Class.forName(name, true, loader);
      }
      constructor = Class.forName(mainClass, false, loader).asSubclass(Machine.class).getConstructor(Instance.class);
    } catch (ClassNotFoundException | NoSuchMethodException | ClassCastException e) {
      throw new IllegalArgumentException("the compiled classes are incomplete: " + e, e);
    }
    return instance -> {
      try {
        return constructor.newInstance(instance);
      } catch (InvocationTargetException e) {
        throw Failures.rethrowUnchecked(e.getCause());
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot construct " + mainClass, e);
      }
    };
  }

  /**
   * One module's generated classes, defined on demand by name. The parent is Chicory compiler's own
   * loader, whose runtime classes the generated code calls.
   */
  private static final class GeneratedClasses extends ClassLoader {
    private final Map<String, byte[]> classes;

    GeneratedClasses(Map<String, byte[]> classes) {
      super(ClassLoadingCollector.class.getClassLoader());
      this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
      byte[] bytes = classes.get(name);
      if (bytes == null) {
        throw new ClassNotFoundException(name);
      }
      return defineClass(name, bytes, 0, bytes.length);
    }
  }

  /**
   * A factory for instances of {@code module}, which must be the module the classes were compiled
   * from or its meta module, running classes from {@link #defineClasses}.
   */
  static Function<Instance, Machine> factory(WasmModule module, Function<Instance, Machine> machines) {
    return new MachineFactory(module, machines);
  }

  /** The disk cache payload. */
  byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      Properties info = new Properties();
      info.setProperty("mainClass", mainClass);
      info.setProperty("interpreted", join(interpreted));
      info.setProperty("directCalls", Boolean.toString(directCalls));
      info.setProperty("classes", String.join(",", classes.keySet()).replace('/', '.'));
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      info.store(text, null);
      put(zip, INFO, text.toByteArray());
      if (meta != null) {
        put(zip, META, meta);
      }
      for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
        put(zip, entry.getKey().replace('.', '/') + ".class", entry.getValue());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Reads a payload written by {@link #toBytes}.
   *
   * @throws IllegalArgumentException if it is not one (a payload that passed the disk cache's
   *     checksum but not this is an entry from a broken writer, and is treated as corrupt)
   */
  static CompiledCode fromBytes(byte[] payload) {
    Properties info = null;
    byte[] meta = null;
    Map<String, byte[]> found = new LinkedHashMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(payload))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        String name = entry.getName();
        byte[] content = zip.readAllBytes();
        if (name.equals(INFO)) {
          info = new Properties();
          info.load(new java.io.StringReader(new String(content, StandardCharsets.ISO_8859_1)));
        } else if (name.equals(META)) {
          meta = content;
        } else if (name.endsWith(".class")) {
          found.put(name.substring(0, name.length() - ".class".length()).replace('/', '.'), content);
        } else {
          throw new IllegalArgumentException("unexpected entry " + name);
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("not a compiled-code zip: " + e, e);
    }
    if (info == null) {
      throw new IllegalArgumentException("no " + INFO);
    }
    String main = info.getProperty("mainClass");
    if (main == null || !found.containsKey(main)) {
      throw new IllegalArgumentException("main class " + main + " is missing");
    }
    // Only loading the main class would not notice a missing one: the first call that needs it
    // would. Entries written before the list was kept have none.
    String listed = info.getProperty("classes");
    if (listed != null) {
      for (String name : listed.split(",")) {
        if (!found.containsKey(name)) {
          throw new IllegalArgumentException("class " + name + " is missing");
        }
      }
    }
    Map<String, byte[]> ordered = new LinkedHashMap<>(found);
    ordered.remove(main);
    ordered.put(main, found.get(main));
    try {
      return new CompiledCode(
          main, ordered, split(info.getProperty("interpreted", "")), meta,
          Boolean.parseBoolean(info.getProperty("directCalls", "false")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad " + INFO + ": " + e.getMessage(), e);
    }
  }

  private static void put(ZipOutputStream zip, String name, byte[] content) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setTime(0); // the same code gives the same bytes
    // Stored, not deflated: inflating the classes on a cold JVM was 15-20 ms of a warm start,
    // for entries about three times as small.
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(content.length);
    entry.setCompressedSize(content.length);
    CRC32 crc = new CRC32();
    crc.update(content);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(content);
    zip.closeEntry();
  }

  private static String join(Set<Integer> numbers) {
    StringBuilder text = new StringBuilder();
    for (int n : numbers) {
      if (text.length() > 0) {
        text.append(',');
      }
      text.append(n);
    }
    return text.toString();
  }

  private static Set<Integer> split(String text) {
    Set<Integer> numbers = new TreeSet<>();
    if (!text.isEmpty()) {
      for (String part : text.split(",")) {
        numbers.add(Integer.parseInt(part));
      }
    }
    return numbers;
  }

  /**
   * The meta module of {@code module} (valid, already decoded bytes): the same sections in the same
   * order, without custom sections, and with the body of every function not in {@code interpreted}
   * (function indices, imports first) replaced by {@code unreachable}, which validates for any
   * function type. Chicory's build-time compiler writes the same.
   */
  static byte[] meta(byte[] module, Set<Integer> interpreted, int importedFunctions) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(module.length / 8 + 64);
    out.write(module, 0, 8);
    int[] pos = {8};
    while (pos[0] < module.length) {
      int id = module[pos[0]++] & 0xFF;
      int size = (int) CodeBodies.leb(module, pos);
      int start = pos[0];
      int end = start + size;
      if (id == 10) {
        ByteArrayOutputStream section = new ByteArrayOutputStream();
        long count = CodeBodies.leb(module, pos);
        leb(section, count);
        for (long i = 0; i < count; i++) {
          int bodyStart = pos[0];
          int bodySize = (int) CodeBodies.leb(module, pos);
          int bodyEnd = pos[0] + bodySize;
          if (interpreted.contains(importedFunctions + (int) i)) {
            section.write(module, bodyStart, bodyEnd - bodyStart);
          } else {
            section.write(3); // body size
            section.write(0); // no locals
            section.write(0x00); // unreachable
            section.write(0x0B); // end
          }
          pos[0] = bodyEnd;
        }
        out.write(10);
        leb(out, section.size());
        out.writeBytes(section.toByteArray());
      } else if (id != 0) {
        out.write(id);
        leb(out, size);
        out.write(module, start, size);
      }
      pos[0] = end;
    }
    return out.toByteArray();
  }

  private static void leb(ByteArrayOutputStream out, long value) {
    do {
      int b = (int) (value & 0x7F);
      value >>>= 7;
      if (value != 0) {
        b |= 0x80;
      }
      out.write(b);
    } while (value != 0);
  }
}
