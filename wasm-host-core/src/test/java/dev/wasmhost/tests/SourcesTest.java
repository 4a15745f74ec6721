package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.FIB;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.wasmhost.CacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.LoadException;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Where bytes come from: file paths and URIs, class path resources, entries of jar files and HTTP.
 * Each failure is a {@link LoadException} naming the source, and each is followed by a load that
 * works, through the same loader.
 */
class SourcesTest {

  @TempDir Path dir;

  private HttpServer server;
  private ExecutorService serverThreads;
  private final CountDownLatch releaseSlowResponses = new CountDownLatch(1);
  private final AtomicInteger requests = new AtomicInteger();

  @BeforeEach
  void startServer() throws IOException {
    byte[] numbers = TestModules.bytes(NUMBERS);
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    serverThreads = Executors.newCachedThreadPool();
    server.setExecutor(serverThreads);
    server.createContext(
        "/numbers.wasm",
        exchange -> {
          requests.incrementAndGet();
          exchange.getResponseHeaders().add("Content-Type", "application/wasm");
          exchange.sendResponseHeaders(200, numbers.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(numbers);
          }
        });
    server.createContext(
        "/broken",
        exchange -> {
          requests.incrementAndGet();
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    server.createContext(
        "/slow.wasm",
        exchange -> {
          requests.incrementAndGet();
          try {
            releaseSlowResponses.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    // Any other path: the server's own 404.
    server.start();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    releaseSlowResponses.countDown();
    server.stop(0);
    serverThreads.shutdownNow();
    assertThat(serverThreads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private URI http(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private static void assertWorks(Loader loader) {
    assertThat(loader.load(TestModules.classpathUri(NUMBERS)).call("add", 2, 3)).isEqualTo(5);
  }

  // ---- URIs that are not understood ---------------------------------------------------------------

  @Test
  void aUriWithoutASchemeIsRefused() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    assertThatThrownBy(() -> loader.load(URI.create("fib.wasm")))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessage("cannot load fib.wasm: the URI has no scheme (use file:, classpath:, jar:, http: or https:)");
    assertThatThrownBy(() -> loader.load(URI.create("/tmp/fib.wasm"), TestModules.sha256(new byte[0])))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageContaining("/tmp/fib.wasm")
        .hasMessageContaining("no scheme");
    assertThatThrownBy(() -> WasmLoader.load(URI.create("fib.wasm")))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageContaining("no scheme");
    assertWorks(loader);
  }

  @Test
  void anUnknownSchemeIsRefused() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    assertThatThrownBy(() -> loader.load(URI.create("ftp://127.0.0.1/fib.wasm")))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessage(
            "cannot load ftp://127.0.0.1/fib.wasm: unsupported URI scheme 'ftp' (use file:, classpath:, jar:, http: or https:)");
    assertThatThrownBy(() -> loader.load(URI.create("mailto:someone@example.com")))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageContaining("unsupported URI scheme 'mailto'");
    assertWorks(loader);
  }

  @Test
  void schemesAreCaseInsensitive() throws IOException {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    byte[] bytes = TestModules.bytes(NUMBERS);
    Path file = dir.resolve("numbers.wasm");
    Files.write(file, bytes);
    WasmModule module = loader.load(URI.create("CLASSPATH:/wasm/numbers.wasm"));
    assertThat(module.digest()).isEqualTo(TestModules.sha256(bytes));
    assertThat(loader.load(URI.create("FILE:" + file.toUri().getRawPath()))).isSameAs(module);
  }

  // ---- files ------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Engine.class)
  void filesByPathAndUri(Engine engine) throws IOException {
    Loader loader = TestModules.loader(engine);
    Path file = dir.resolve("dir with spaces").resolve("fib é.wasm");
    Files.createDirectories(file.getParent());
    Files.write(file, TestModules.bytes(FIB));
    WasmModule module = loader.load(file);
    assertThat(module.call("fib", 20L)).isEqualTo(6765L);
    assertThat(loader.load(file.toUri())).isSameAs(module);
    assertThat(loader.load(file.toAbsolutePath())).isSameAs(module);
  }

  @Test
  void aMissingFileIsALoadException() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    Path missing = dir.resolve("missing.wasm");
    assertThatThrownBy(() -> loader.load(missing))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessage("cannot load " + missing.toUri() + ": no such file");
    assertThatThrownBy(() -> loader.load(missing.toUri()))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessage("cannot load " + missing.toUri() + ": no such file");
    assertThatThrownBy(() -> WasmLoader.load(missing))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageContaining("no such file");
    // Reading failed before the cache was asked: nothing is counted.
    assertThat(loader.cacheStats()).isEqualTo(new CacheStats(0, 0, 0, 0, 0, 0, loader.config().maxCacheBytes()));
    assertWorks(loader);
  }

  @Test
  void aDirectoryIsALoadException() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    assertThatThrownBy(() -> loader.load(dir))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageStartingWith("cannot load " + dir.toUri() + ": ");
    assertWorks(loader);
  }

  @Test
  void aFileUriWithAnAuthorityIsALoadException() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    assertThatThrownBy(() -> loader.load(URI.create("file://somehost/tmp/fib.wasm")))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageStartingWith("cannot load file://somehost/tmp/fib.wasm: not a valid file URI");
    assertWorks(loader);
  }

  // ---- class path -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Engine.class)
  void classPathResources(Engine engine) {
    Loader loader = TestModules.loader(engine);
    WasmModule module = loader.load(URI.create("classpath:/wasm/fib.wasm"));
    assertThat(module.call("fib", 10L)).isEqualTo(55L);
    assertThat(module.digest()).isEqualTo(TestModules.sha256(TestModules.bytes(FIB)));
    // With or without the leading slash.
    assertThat(loader.load(URI.create("classpath:wasm/fib.wasm"))).isSameAs(module);
  }

  @Test
  void aMissingClassPathResourceIsALoadException() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    assertThatThrownBy(() -> loader.load(URI.create("classpath:/wasm/missing.wasm")))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessage("cannot load classpath:/wasm/missing.wasm: no such class path resource");
    assertThatThrownBy(() -> loader.load(URI.create("classpath:/")))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessage("cannot load classpath:/: no resource name after 'classpath:'");
    assertWorks(loader);
  }

  @Test
  void classPathResourcesAreFoundThroughTheContextClassLoader() throws Exception {
    Path root = dir.resolve("cp");
    Files.createDirectories(root.resolve("only/here"));
    Files.write(root.resolve("only/here/fib.wasm"), TestModules.bytes(FIB));
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    URI uri = URI.create("classpath:/only/here/fib.wasm");
    assertThatThrownBy(() -> loader.load(uri)).isExactlyInstanceOf(LoadException.class);

    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (java.net.URLClassLoader context =
        new java.net.URLClassLoader(new java.net.URL[] {root.toUri().toURL()}, previous)) {
      thread.setContextClassLoader(context);
      assertThat(loader.load(uri).call("fib", 12L)).isEqualTo(144L);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  // ---- jar files --------------------------------------------------------------------------------

  private Path writeJar() throws IOException {
    Path jar = dir.resolve("modules.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("modules/"));
      out.closeEntry();
      out.putNextEntry(new JarEntry("modules/numbers.wasm"));
      out.write(TestModules.bytes(NUMBERS));
      out.closeEntry();
      out.putNextEntry(new JarEntry("modules/fib.wasm"));
      out.write(TestModules.bytes(FIB));
      out.closeEntry();
    }
    return jar;
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void entriesOfJarFiles(Engine engine) throws IOException {
    Path jar = writeJar();
    Loader loader = TestModules.loader(engine);
    URI uri = URI.create("jar:" + jar.toUri() + "!/modules/fib.wasm");
    WasmModule fib = loader.load(uri);
    assertThat(fib.source()).isEqualTo(uri.toString());
    assertThat(fib.call("fib", 15L)).isEqualTo(610L);
    WasmModule numbers = loader.load(URI.create("jar:" + jar.toUri() + "!/modules/numbers.wasm"));
    assertThat(numbers.call("add", 4, 5)).isEqualTo(9);
    assertThat(loader.load(TestModules.bytes(NUMBERS))).isSameAs(numbers);
    // The jar file is not held open: it can be replaced, and the new content is read.
    Files.delete(jar);
    assertThatThrownBy(() -> loader.load(uri)).isExactlyInstanceOf(LoadException.class);
    writeJar();
    assertThat(loader.load(uri)).isSameAs(fib);
  }

  @Test
  void aMissingJarEntryOrJarIsALoadException() throws IOException {
    Path jar = writeJar();
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    URI missingEntry = URI.create("jar:" + jar.toUri() + "!/modules/missing.wasm");
    assertThatThrownBy(() -> loader.load(missingEntry))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageStartingWith("cannot load " + missingEntry + ": ")
        .hasMessageContaining("not found");
    URI missingJar = URI.create("jar:" + dir.resolve("nope.jar").toUri() + "!/modules/fib.wasm");
    assertThatThrownBy(() -> loader.load(missingJar))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageStartingWith("cannot load " + missingJar + ": ");
    assertThatThrownBy(() -> loader.load(URI.create("jar:" + jar.toUri())))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageContaining("jar:" + jar.toUri());
    assertThat(loader.load(URI.create("jar:" + jar.toUri() + "!/modules/fib.wasm")).call("fib", 1L)).isEqualTo(1L);
  }

  // ---- HTTP -------------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Engine.class)
  void http200ServesAModule(Engine engine) {
    Loader loader = TestModules.loader(engine);
    URI uri = http("/numbers.wasm");
    WasmModule module = loader.load(uri);
    assertThat(module.source()).isEqualTo(uri.toString());
    assertThat(module.call("add", 20, 22)).isEqualTo(42);
    assertThat(module.digest()).isEqualTo(TestModules.sha256(TestModules.bytes(NUMBERS)));
    // Each load fetches again; equal bytes give the cached module.
    assertThat(loader.load(uri)).isSameAs(module);
    assertThat(loader.load(uri, module.digest())).isSameAs(module);
    assertThat(requests.get()).isEqualTo(3);
  }

  @Test
  void http404IsALoadException() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    URI uri = http("/missing.wasm");
    assertThatThrownBy(() -> loader.load(uri))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageStartingWith("cannot load " + uri + ": HTTP status 404");
    assertThat(loader.cacheStats().missCount()).isZero();
    assertThat(loader.load(http("/numbers.wasm")).call("add", 1, 1)).isEqualTo(2);
  }

  @Test
  void http500IsALoadException() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    URI uri = http("/broken");
    assertThatThrownBy(() -> loader.load(uri))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageStartingWith("cannot load " + uri + ": HTTP status 500");
    assertThat(loader.load(http("/numbers.wasm")).call("add", 1, 1)).isEqualTo(2);
  }

  @Test
  void httpDigestMismatchIsALoadException() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    URI uri = http("/numbers.wasm");
    String wrong = TestModules.sha256(TestModules.bytes(FIB));
    assertThatThrownBy(() -> loader.load(uri, wrong))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageContaining(uri.toString())
        .hasMessageContaining("expected " + wrong)
        .hasMessageContaining("got " + TestModules.sha256(TestModules.bytes(NUMBERS)));
    assertThat(loader.cacheStats().missCount()).isZero();
  }

  @Test
  void aSlowServerTimesOut() {
    Loader loader = WasmLoader.builder().engine(Engine.INTERPRETER).httpTimeout(Duration.ofMillis(300)).build();
    URI uri = http("/slow.wasm");
    long start = System.nanoTime();
    assertThatThrownBy(() -> loader.load(uri))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessage("cannot load " + uri + ": timed out after PT0.3S");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(loader.load(http("/numbers.wasm")).call("add", 1, 1)).isEqualTo(2);
  }

  @Test
  void aRefusedConnectionIsALoadException() throws IOException {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      port = socket.getLocalPort();
    }
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    URI uri = URI.create("http://127.0.0.1:" + port + "/numbers.wasm");
    assertThatThrownBy(() -> loader.load(uri))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageStartingWith("cannot load " + uri + ": ")
        .hasCauseInstanceOf(java.net.ConnectException.class);
    assertWorks(loader);
  }
}
