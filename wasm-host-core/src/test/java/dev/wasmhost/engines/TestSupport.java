package dev.wasmhost.engines;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/** What the engine tests share: where the test modules are, threads with a known stack, child JVMs. */
final class TestSupport {
  private TestSupport() {}

  /** The committed test modules; surefire runs with the module directory as working directory. */
  static final Path WASM = Path.of("../testdata/wasm").toAbsolutePath().normalize();

  /** The JVM's default thread stack on 64-bit Linux, macOS and Windows; given explicitly, not assumed. */
  static final long ONE_MIB = 1L << 20;

  /**
   * A recursion depth (of depth.wasm's or {@link GeneratedModules#switching}'s {@code down}) that, on a
   * 1 MiB stack, only compiled code reaches: measured on x86-64 with JDK 17, the interpreter manages
   * about 1,100 frames cold and 2,800 fully JIT-compiled; compiled code about 9,000 to 11,700 while
   * its classes are still interpreted by the JVM, and 29,500 once JIT-compiled. A call that gets this
   * deep on a 1 MiB stack therefore ran compiled code.
   */
  static final int COMPILED_ONLY_DEPTH = 5_000;

  static Path wasm(String name) {
    return WASM.resolve(name + ".wasm");
  }

  interface Body {
    void run() throws Exception;
  }

  /**
   * Runs {@code body} on a new thread with a stack of {@code stackSize} bytes and waits for it;
   * rethrows whatever it threw (assertion failures included), so the test's own thread and its
   * -Xss never matter.
   */
  static void onThread(long stackSize, Body body) throws Exception {
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread =
        new Thread(
            null,
            () -> {
              try {
                body.run();
              } catch (Throwable t) {
                failure.set(t);
              }
            },
            "test-stack-" + stackSize,
            stackSize);
    thread.start();
    thread.join();
    Throwable t = failure.get();
    if (t instanceof Exception) {
      throw (Exception) t;
    }
    if (t instanceof Error) {
      throw (Error) t;
    }
  }

  /** A child JVM on this JVM's class path running {@code mainClass} with {@code args}. */
  static ProcessBuilder childJvm(Class<?> mainClass, Path output, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
  }

  /** Every regular file under {@code dir}, recursively; none if it does not exist. */
  static List<Path> filesUnder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).sorted().toList();
    }
  }

  /** The total size of {@code files}. */
  static long totalSize(List<Path> files) throws IOException {
    long total = 0;
    for (Path file : files) {
      total += Files.size(file);
    }
    return total;
  }

  /** Asserts a thread of this JVM with a name starting with {@code prefix} exists, and returns all such. */
  static List<Thread> threadsNamed(String prefix) {
    List<Thread> threads =
        Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix)).toList();
    assertThat(threads).as("live threads named %s*", prefix).isNotEmpty();
    return threads;
  }
}
