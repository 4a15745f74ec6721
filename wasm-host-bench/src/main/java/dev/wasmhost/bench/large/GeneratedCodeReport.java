package dev.wasmhost.bench.large;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.compiler.InterpreterFallback;
import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import com.dylibso.chicory.wasm.types.ExternalType;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.objectweb.asm.ClassReader;

/**
 * Which JVM methods of the classes Chicory 1.7.5 generates for a module are over HotSpot's
 * huge-method limit (8000 bytes of bytecode, {@code -XX:HugeMethodLimit}; such methods are never
 * JIT-compiled unless the JVM runs with {@code -XX:-DontCompileHugeMethods}), and how a wasm
 * function's body size predicts the size of its JVM method.
 *
 * <p>It compiles the module with {@code MachineFactoryCompiler.builder(module).withCache(cache)},
 * where the cache only captures the jar of generated classes handed to {@code putIfAbsent}, then
 * reads each class's methods ({@code Code} attribute {@code code_length}). Wasm function body sizes
 * come from the module's code section (bytes of each body, locals declarations included) and
 * Chicory's parsed {@code FunctionBody} (instruction count).
 *
 * <p>Run, from the repository root:
 *
 * <pre>
 * java -cp wasm-host-bench/target/benchmarks.jar dev.wasmhost.bench.large.GeneratedCodeReport \
 *     [module.wasm] [maxFunctionsPerClass ...] [--csv out.csv]
 * </pre>
 *
 * The module defaults to {@link LargeModule#path()}; each {@code maxFunctionsPerClass} value (0 for
 * Chicory's default, 12288) compiles the module once more and reports its huge methods.
 */
public final class GeneratedCodeReport {

  /** HotSpot's default {@code -XX:HugeMethodLimit}: bigger methods are "huge". */
  public static final int HUGE_METHOD_LIMIT = 8000;

  private static final Pattern FUNC = Pattern.compile("func_(\\d+)");

  private GeneratedCodeReport() {}

  /** One method of one generated class. */
  public record MethodSize(String className, String name, String descriptor, int codeLength) {}

  /** The generated classes of one compilation. */
  public record Compilation(
      int maxFunctionsPerClass, long compileMillis, int jarBytes, int classCount, List<MethodSize> methods) {

    /** Methods over the huge-method limit, biggest first. */
    public List<MethodSize> huge() {
      return methods.stream()
          .filter(m -> m.codeLength() > HUGE_METHOD_LIMIT)
          .sorted(Comparator.comparingInt(MethodSize::codeLength).reversed())
          .toList();
    }

    /** Code length of each {@code func_N} method, by wasm function index N. */
    public Map<Integer, Integer> funcSizes() {
      Map<Integer, Integer> sizes = new HashMap<>();
      for (MethodSize m : methods) {
        Matcher matcher = FUNC.matcher(m.name());
        if (matcher.matches()) {
          sizes.merge(Integer.parseInt(matcher.group(1)), m.codeLength(), Math::max);
        }
      }
      return sizes;
    }
  }

  /** Compiles {@code module} with Chicory's compiler and lists the generated methods. */
  public static Compilation compile(WasmModule module, int maxFunctionsPerClass) {
    byte[][] captured = new byte[1][];
    Cache capture =
        new Cache() {
          @Override
          public byte[] get(String key) {
            return null;
          }

          @Override
          public void putIfAbsent(String key, byte[] data) {
            captured[0] = data;
          }
        };
    var builder =
        MachineFactoryCompiler.builder(module).withInterpreterFallback(InterpreterFallback.WARN).withCache(capture);
    if (maxFunctionsPerClass > 0) {
      builder.withMaxFunctionsPerClass(maxFunctionsPerClass);
    }
    long start = System.nanoTime();
    builder.compile();
    long millis = (System.nanoTime() - start) / 1_000_000;
    if (captured[0] == null) {
      throw new IllegalStateException("the compiler stored nothing in the cache (module without a digest?)");
    }
    List<MethodSize> methods = new ArrayList<>();
    int classes = 0;
    try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(captured[0]))) {
      JarEntry entry;
      while ((entry = jar.getNextJarEntry()) != null) {
        if (entry.getName().endsWith(".class")) {
          classes++;
          methods.addAll(methodSizes(jar.readAllBytes()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Compilation(maxFunctionsPerClass, millis, captured[0].length, classes, methods);
  }

  /**
   * The bytecode size ({@code code_length} of the {@code Code} attribute) of every method of a class
   * file. ASM's {@link ClassReader} parses the constant pool (class name, {@code header}, {@code
   * getItem}); the method table is walked here, since ASM does not expose code lengths.
   */
  public static List<MethodSize> methodSizes(byte[] classFile) {
    ClassReader reader = new ClassReader(classFile);
    String className = reader.getClassName();
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
      in.skipBytes(reader.header); // magic, versions and constant pool
      in.readUnsignedShort(); // access flags
      in.readUnsignedShort(); // this_class
      in.readUnsignedShort(); // super_class
      in.skipBytes(2 * in.readUnsignedShort()); // interfaces
      int fields = in.readUnsignedShort();
      for (int i = 0; i < fields; i++) {
        in.skipBytes(6);
        skipAttributes(in);
      }
      List<MethodSize> sizes = new ArrayList<>();
      int methods = in.readUnsignedShort();
      for (int i = 0; i < methods; i++) {
        in.readUnsignedShort(); // access flags
        String name = utf8(reader, classFile, in.readUnsignedShort());
        String descriptor = utf8(reader, classFile, in.readUnsignedShort());
        int attributes = in.readUnsignedShort();
        int codeLength = 0;
        for (int a = 0; a < attributes; a++) {
          String attribute = utf8(reader, classFile, in.readUnsignedShort());
          int length = in.readInt();
          if (attribute.equals("Code")) {
            in.readUnsignedShort(); // max_stack
            in.readUnsignedShort(); // max_locals
            codeLength = in.readInt();
            in.skipBytes(length - 8);
          } else {
            in.skipBytes(length);
          }
        }
        sizes.add(new MethodSize(className, name, descriptor, codeLength));
      }
      return sizes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Constant-pool entry {@code index}, a CONSTANT_Utf8 (generated names are plain ASCII). */
  private static String utf8(ClassReader reader, byte[] classFile, int index) {
    int offset = reader.getItem(index); // just after the tag: u2 length, then the bytes
    int length = ((classFile[offset] & 0xff) << 8) | (classFile[offset + 1] & 0xff);
    return new String(classFile, offset + 2, length, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void skipAttributes(DataInputStream in) throws IOException {
    int count = in.readUnsignedShort();
    for (int i = 0; i < count; i++) {
      in.readUnsignedShort();
      in.skipBytes(in.readInt());
    }
  }

  /**
   * The size in bytes of each function body in the module's code section (the body's own size
   * field: locals declarations plus instructions), in code-section order.
   */
  public static int[] codeBodySizes(byte[] wasm) {
    int[] pos = {8}; // after magic and version
    while (pos[0] < wasm.length) {
      int id = wasm[pos[0]++] & 0xff;
      int size = leb(wasm, pos);
      int end = pos[0] + size;
      if (id == 10) {
        int count = leb(wasm, pos);
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
          sizes[i] = leb(wasm, pos);
          pos[0] += sizes[i];
        }
        return sizes;
      }
      pos[0] = end;
    }
    return new int[0];
  }

  private static int leb(byte[] bytes, int[] pos) {
    int result = 0;
    int shift = 0;
    while (true) {
      int b = bytes[pos[0]++] & 0xff;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
      shift += 7;
    }
  }

  /** Arguments: [module.wasm] [maxFunctionsPerClass ...] [--csv out.csv]. */
  public static void main(String[] args) throws IOException {
    Path path = null;
    Path csv = null;
    List<Integer> perClass = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--csv")) {
        csv = Paths.get(args[++i]);
      } else if (args[i].endsWith(".wasm")) {
        path = Paths.get(args[i]);
      } else {
        perClass.add(Integer.parseInt(args[i]));
      }
    }
    if (path == null) {
      path = LargeModule.path();
    }
    if (perClass.isEmpty()) {
      perClass.add(0);
    }
    byte[] bytes = Files.readAllBytes(path);
    WasmModule module = Parser.parse(bytes);
    int imports = module.importSection().count(ExternalType.FUNCTION);
    int[] bodyBytes = codeBodySizes(bytes);
    int defined = module.functionSection().functionCount();
    int[] instructions = new int[defined];
    for (int i = 0; i < defined; i++) {
      instructions[i] = module.codeSection().getFunctionBody(i).instructions().size();
    }
    PrintStream out = System.out;
    out.printf(
        "module %s: %d bytes, %d imported + %d defined functions, %d types, code section bodies %d bytes%n",
        path, bytes.length, imports, defined, module.typeSection().types().length, Arrays.stream(bodyBytes).sum());

    Compilation first = null;
    for (int value : perClass) {
      Compilation c = compile(module, value);
      if (first == null) {
        first = c;
      }
      List<MethodSize> huge = c.huge();
      Map<Integer, Integer> funcs = c.funcSizes();
      out.printf(
          "%nmaxFunctionsPerClass=%s: compiled in %d ms, jar %d bytes, %d classes, %d methods, %d over %d bytes"
              + " (%d bytes of bytecode in them)%n",
          value == 0 ? "default" : value, c.compileMillis(), c.jarBytes(), c.classCount(), c.methods().size(),
          huge.size(), HUGE_METHOD_LIMIT, huge.stream().mapToInt(MethodSize::codeLength).sum());
      long funcHuge = huge.stream().filter(m -> FUNC.matcher(m.name()).matches()).count();
      out.printf("  huge func_N methods (wasm functions): %d; other huge methods: %d%n", funcHuge, huge.size() - funcHuge);
      for (MethodSize m : huge) {
        String detail = "";
        Matcher matcher = FUNC.matcher(m.name());
        if (matcher.matches()) {
          int index = Integer.parseInt(matcher.group(1));
          detail = String.format(" wasm %s: body %d bytes, %d instructions", name(module, index),
              bodyBytes[index - imports], instructions[index - imports]);
        }
        out.printf("  %7d  %s.%s%s%n", m.codeLength(), simpleName(m.className()), m.name(), detail);
      }
      out.println("  largest non-func_N methods:");
      c.methods().stream()
          .filter(m -> !FUNC.matcher(m.name()).matches())
          .sorted(Comparator.comparingInt(MethodSize::codeLength).reversed())
          .limit(6)
          .forEach(m -> out.printf("  %7d  %s.%s%s%n", m.codeLength(), simpleName(m.className()), m.name(), m.descriptor()));
      List<String> interpreted = new ArrayList<>();
      for (int i = 0; i < defined; i++) {
        if (!funcs.containsKey(imports + i)) {
          interpreted.add(name(module, imports + i) + " (" + bodyBytes[i] + " bytes)");
        }
      }
      out.printf("  functions left to the interpreter (too large for a JVM method): %d %s%n", interpreted.size(),
          interpreted);
    }
    correlate(out, module, imports, bodyBytes, instructions, first.funcSizes());
    if (csv != null) {
      StringBuilder text = new StringBuilder("index,name,body_bytes,instructions,jvm_bytes\n");
      Map<Integer, Integer> funcs = first.funcSizes();
      for (int i = 0; i < defined; i++) {
        text.append(imports + i).append(',').append(name(module, imports + i).replace(',', ';')).append(',')
            .append(bodyBytes[i]).append(',').append(instructions[i]).append(',')
            .append(funcs.getOrDefault(imports + i, -1)).append('\n');
      }
      Files.writeString(csv, text);
      out.println("\nwrote " + csv);
    }
  }

  /** How wasm body sizes relate to JVM method sizes, and how well a body-size threshold predicts huge methods. */
  private static void correlate(
      PrintStream out, WasmModule module, int imports, int[] bodyBytes, int[] instructions, Map<Integer, Integer> funcs) {
    int defined = bodyBytes.length;
    int smallestHugeBytes = Integer.MAX_VALUE;
    int smallestHugeInstructions = Integer.MAX_VALUE;
    int largestOkBytes = 0;
    int largestOkInstructions = 0;
    List<double[]> ratios = new ArrayList<>(); // {bytes ratio, instruction ratio} for bodies >= 256 bytes
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int i = 0; i < defined; i++) {
      Integer jvm = funcs.get(imports + i);
      if (jvm == null) {
        continue;
      }
      if (jvm > HUGE_METHOD_LIMIT) {
        smallestHugeBytes = Math.min(smallestHugeBytes, bodyBytes[i]);
        smallestHugeInstructions = Math.min(smallestHugeInstructions, instructions[i]);
      } else {
        largestOkBytes = Math.max(largestOkBytes, bodyBytes[i]);
        largestOkInstructions = Math.max(largestOkInstructions, instructions[i]);
      }
      if (bodyBytes[i] >= 256) {
        ratios.add(new double[] {(double) jvm / bodyBytes[i], (double) jvm / instructions[i]});
      }
      sx += bodyBytes[i];
      sy += jvm;
      sxx += (double) bodyBytes[i] * bodyBytes[i];
      sxy += (double) bodyBytes[i] * jvm;
      n++;
    }
    double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    double intercept = (sy - slope * sx) / n;
    out.printf("%nwasm body size -> JVM method size (func_N), %d compiled functions:%n", n);
    out.printf("  smallest wasm body giving a method > %d bytes: %d bytes, %d instructions%n", HUGE_METHOD_LIMIT,
        smallestHugeBytes, smallestHugeInstructions);
    out.printf("  largest wasm body giving a method <= %d bytes: %d bytes, %d instructions%n", HUGE_METHOD_LIMIT,
        largestOkBytes, largestOkInstructions);
    out.printf("  least squares: jvm_bytes = %.2f * body_bytes + %.0f%n", slope, intercept);
    for (int k = 0; k < 2; k++) {
      int col = k;
      double[] r = ratios.stream().mapToDouble(a -> a[col]).sorted().toArray();
      out.printf("  JVM bytes per wasm %s (bodies >= 256 bytes, %d functions): p10 %.2f, median %.2f, p90 %.2f, max %.2f%n",
          k == 0 ? "body byte" : "instruction", r.length, r[r.length / 10], r[r.length / 2], r[r.length * 9 / 10],
          r[r.length - 1]);
    }
    out.println("  threshold on wasm body bytes: functions at or over it / of those huge / huge ones under it (missed)");
    for (int t : new int[] {1000, 1500, 2000, 2500, 3000, 3500, 4000, 5000, 6000, 8000}) {
      int over = 0, overHuge = 0, missed = 0;
      for (int i = 0; i < defined; i++) {
        Integer jvm = funcs.get(imports + i);
        boolean huge = jvm == null || jvm > HUGE_METHOD_LIMIT;
        if (bodyBytes[i] >= t) {
          over++;
          if (huge) {
            overHuge++;
          }
        } else if (huge) {
          missed++;
        }
      }
      out.printf("  %5d: %4d / %4d / %4d%n", t, over, overHuge, missed);
    }
  }

  private static String name(WasmModule module, int index) {
    String name = module.nameSection() == null ? null : module.nameSection().nameOfFunction(index);
    return name == null ? "func " + index : index + ":" + name;
  }

  private static String simpleName(String internalName) {
    return internalName.substring(internalName.lastIndexOf('/') + 1);
  }
}
