package dev.wasmhost.tests;

import static dev.wasmhost.tests.TestModules.FIB;
import static dev.wasmhost.tests.TestModules.NUMBERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.CacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.FunctionType;
import dev.wasmhost.Imports;
import dev.wasmhost.LoadException;
import dev.wasmhost.Loader;
import dev.wasmhost.LoaderConfig;
import dev.wasmhost.ValueType;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** WasmLoader's static entry points, Loader.Builder's settings, LoaderConfig, and load with a pinned digest. */
class LoaderApiTest {

  @TempDir Path dir;

  // ---- WasmLoader -------------------------------------------------------------------------------

  @Test
  void defaultLoaderIsSharedAndUsesTheDefaults() {
    Loader loader = WasmLoader.defaultLoader();
    assertThat(WasmLoader.defaultLoader()).isSameAs(loader);
    LoaderConfig config = loader.config();
    assertThat(config).isEqualTo(LoaderConfig.defaults());
    assertThat(config.engine()).isEqualTo(Engine.AUTO);
    assertThat(config.maxMemoryPages()).isEqualTo(16384).isEqualTo(LoaderConfig.DEFAULT_MAX_MEMORY_PAGES);
    assertThat(config.callTimeout()).isEqualTo(Duration.ZERO);
    assertThat(config.diskCacheDirectory()).isNull();
    assertThat(config.callStackSize()).isZero();
    assertThat(config.maxCacheBytes()).isEqualTo(256L << 20).isEqualTo(LoaderConfig.DEFAULT_MAX_CACHE_BYTES);
    assertThat(config.imports().isEmpty()).isTrue();
    assertThat(config.httpTimeout()).isEqualTo(Duration.ofSeconds(30)).isEqualTo(LoaderConfig.DEFAULT_HTTP_TIMEOUT);
    assertThat(loader.cacheStats().maxWeightBytes()).isEqualTo(256L << 20);
  }

  @Test
  void staticLoadsGoThroughTheDefaultLoaderFromEverySource() throws Exception {
    byte[] bytes = TestModules.bytes(FIB);
    Path file = dir.resolve("fib.wasm");
    Files.write(file, bytes);

    WasmModule fromBytes = WasmLoader.load(bytes);
    WasmModule fromPath = WasmLoader.load(file);
    WasmModule fromUri = WasmLoader.load(file.toUri());
    WasmModule fromClasspath = WasmLoader.load(TestModules.classpathUri(FIB));
    WasmModule fromLoader = WasmLoader.defaultLoader().load(bytes);

    assertThat(fromPath).isSameAs(fromBytes);
    assertThat(fromUri).isSameAs(fromBytes);
    assertThat(fromClasspath).isSameAs(fromBytes);
    assertThat(fromLoader).isSameAs(fromBytes);
    assertThat(fromBytes.engine()).isIn(TestModules.runningEngines(Engine.AUTO));
    assertThat(fromBytes.call("fib", 20L)).isEqualTo(6765L);
    assertThat(fromBytes.call("sum", 100)).isEqualTo(4950L);
  }

  @Test
  void staticLoadsRejectNull() {
    assertThatThrownBy(() -> WasmLoader.load((URI) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("uri");
    assertThatThrownBy(() -> WasmLoader.load((Path) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("path");
    assertThatThrownBy(() -> WasmLoader.load((byte[]) null)).isInstanceOf(NullPointerException.class).hasMessageContaining("bytes");
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    assertThatThrownBy(() -> loader.load(null, "sha256:00")).isInstanceOf(NullPointerException.class).hasMessageContaining("uri");
    assertThatThrownBy(() -> loader.load(TestModules.classpathUri(FIB), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("expectedDigest");
  }

  @Test
  void loadFromBytesNeitherKeepsNorChangesTheArray() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    byte[] bytes = TestModules.bytes(NUMBERS);
    byte[] original = bytes.clone();
    WasmModule module = loader.load(bytes);
    assertThat(bytes).isEqualTo(original);
    // Scribbling over the caller's array afterwards must not affect the module.
    java.util.Arrays.fill(bytes, (byte) 0);
    assertThat(module.call("add", 2, 3)).isEqualTo(5);
    assertThat(module.digest()).isEqualTo(TestModules.sha256(original));
    assertThat(loader.load(original)).isSameAs(module);
  }

  // ---- Builder ----------------------------------------------------------------------------------

  @Test
  void builderDefaultsWhenNothingIsSet() {
    LoaderConfig config = WasmLoader.builder().toConfig();
    assertThat(config).isEqualTo(LoaderConfig.defaults());
    Loader loader = WasmLoader.builder().build();
    assertThat(loader.config()).isEqualTo(LoaderConfig.defaults());
    assertThat(loader).isNotSameAs(WasmLoader.defaultLoader());
  }

  @Test
  void builderRecordsEverySetting() {
    Imports imports =
        Imports.builder()
            .function("env", "now", FunctionType.accepting().returning(ValueType.I64), (caller, args) -> new long[] {7})
            .build();
    Loader.Builder builder =
        WasmLoader.builder()
            .engine(Engine.INTERPRETER)
            .maxCacheBytes(12345)
            .imports(imports)
            .httpTimeout(Duration.ofMillis(1500));
    LoaderConfig expected = config(Engine.INTERPRETER, 12345, imports, Duration.ofMillis(1500));
    assertThat(builder.toConfig()).isEqualTo(expected);
    Loader loader = builder.build();
    assertThat(loader.config()).isEqualTo(expected);
    assertThat(loader.config().imports()).isSameAs(imports);
    assertThat(loader.cacheStats().maxWeightBytes()).isEqualTo(12345);
    assertThat(loader.load(TestModules.bytes(NUMBERS)).engine()).isEqualTo(Engine.INTERPRETER);

    // The builder can be used again, and each build is a new loader with its own cache.
    Loader second = builder.build();
    assertThat(second).isNotSameAs(loader);
    assertThat(second.config()).isEqualTo(expected);
    assertThat(second.cacheStats().moduleCount()).isZero();
  }

  @Test
  void engineIsCheckedWhenSet() {
    assertThatThrownBy(() -> WasmLoader.builder().engine(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("engine");
    Loader.Builder builder = WasmLoader.builder().engine(Engine.INTERPRETER);
    assertThatThrownBy(() -> builder.engine(Engine.COMPILER))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("engine was already set to INTERPRETER");
    assertThat(builder.toConfig().engine()).isEqualTo(Engine.INTERPRETER);
  }

  @Test
  void maxCacheBytesIsCheckedWhenSet() {
    Loader.Builder builder = WasmLoader.builder();
    assertThatThrownBy(() -> builder.maxCacheBytes(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxCacheBytes must not be negative: -1");
    assertThatThrownBy(() -> builder.maxCacheBytes(Long.MIN_VALUE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxCacheBytes must not be negative: " + Long.MIN_VALUE);
    // A rejected value does not count as set.
    builder.maxCacheBytes(4096);
    assertThatThrownBy(() -> builder.maxCacheBytes(8192))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxCacheBytes was already set to 4096");
    assertThat(builder.toConfig().maxCacheBytes()).isEqualTo(4096);

    Loader.Builder zero = WasmLoader.builder().maxCacheBytes(0);
    assertThatThrownBy(() -> zero.maxCacheBytes(0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("maxCacheBytes was already set to 0");
  }

  @Test
  void importsAreCheckedWhenSet() {
    assertThatThrownBy(() -> WasmLoader.builder().imports(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("imports");
    Loader.Builder builder = WasmLoader.builder().imports(Imports.empty());
    assertThatThrownBy(() -> builder.imports(Imports.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("imports was already set to Imports[]");
  }

  @Test
  void httpTimeoutIsCheckedWhenSet() {
    assertThatThrownBy(() -> WasmLoader.builder().httpTimeout(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("httpTimeout");
    assertThatThrownBy(() -> WasmLoader.builder().httpTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("httpTimeout must be positive: PT0S");
    assertThatThrownBy(() -> WasmLoader.builder().httpTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("httpTimeout must be positive: PT-1S");
    Loader.Builder builder = WasmLoader.builder().httpTimeout(Duration.ofSeconds(5));
    assertThatThrownBy(() -> builder.httpTimeout(Duration.ofSeconds(6)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("httpTimeout was already set to PT5S");
  }

  @Test
  void loaderConfigValidatesItsComponents() {
    assertThatThrownBy(() -> config(null, 1, Imports.empty(), Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("engine");
    assertThatThrownBy(() -> config(Engine.COMPILER, 1, null, Duration.ofSeconds(1)))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("imports");
    assertThatThrownBy(() -> config(Engine.COMPILER, 1, Imports.empty(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("httpTimeout");
    assertThatThrownBy(() -> config(Engine.COMPILER, -5, Imports.empty(), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxCacheBytes must not be negative: -5");
  }

  // ---- load(URI, expectedDigest) ----------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Engine.class)
  void pinnedDigestMatchesInEveryAcceptedForm(Engine engine) {
    Loader loader = TestModules.loader(engine);
    URI uri = TestModules.classpathUri(NUMBERS);
    String digest = TestModules.sha256(TestModules.bytes(NUMBERS));
    String hex = digest.substring("sha256:".length());

    WasmModule module = loader.load(uri, digest);
    assertThat(module.digest()).isEqualTo(digest);
    assertThat(module.call("add", 40, 2)).isEqualTo(42);
    assertThat(loader.load(uri, hex)).isSameAs(module);
    assertThat(loader.load(uri, hex.toUpperCase(Locale.ROOT))).isSameAs(module);
    assertThat(loader.load(uri, "SHA256:" + hex.toUpperCase(Locale.ROOT))).isSameAs(module);
    assertThat(loader.load(uri, "  " + digest + "\n")).isSameAs(module);
    CacheStats stats = loader.cacheStats();
    assertThat(stats.missCount()).isEqualTo(1);
    assertThat(stats.hitCount()).isEqualTo(4);
  }

  @ParameterizedTest
  @EnumSource(Engine.class)
  void pinnedDigestMismatchNamesBothDigestsAndCompilesNothing(Engine engine) {
    Loader loader = TestModules.loader(engine);
    URI uri = TestModules.classpathUri(NUMBERS);
    String actual = TestModules.sha256(TestModules.bytes(NUMBERS));
    String wrong = TestModules.sha256(TestModules.bytes(FIB));

    assertThatThrownBy(() -> loader.load(uri, wrong))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageContaining(uri.toString())
        .hasMessageContaining("digest mismatch")
        .hasMessageContaining("expected " + wrong)
        .hasMessageContaining("got " + actual);
    // Uppercase bare hex is reported in canonical form.
    String wrongUpper = wrong.substring(7).toUpperCase(Locale.ROOT);
    assertThatThrownBy(() -> loader.load(uri, wrongUpper))
        .isExactlyInstanceOf(LoadException.class)
        .hasMessageContaining("expected " + wrong)
        .hasMessageContaining("got " + actual);
    CacheStats stats = loader.cacheStats();
    assertThat(stats.missCount()).isZero();
    assertThat(stats.hitCount()).isZero();
    assertThat(stats.loadFailureCount()).isZero();
    assertThat(stats.moduleCount()).isZero();

    // The loader still works, with the right digest.
    assertThat(loader.load(uri, actual).call("add", 1, 2)).isEqualTo(3);
  }

  @Test
  void malformedPinnedDigestIsAnIllegalArgument() {
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    URI uri = TestModules.classpathUri(NUMBERS);
    String hex = TestModules.sha256(TestModules.bytes(NUMBERS)).substring(7);
    for (String bad :
        new String[] {
          "",
          "sha256:",
          hex.substring(1),
          hex + "0",
          "sha256:" + hex.substring(0, 63) + "g",
          "md5:" + hex,
          "sha512:" + hex,
          "sha256:sha256:" + hex
        }) {
      assertThatThrownBy(() -> loader.load(uri, bad))
          .as("expected digest %s", bad)
          .isExactlyInstanceOf(IllegalArgumentException.class)
          .hasMessage("expected digest is not a SHA-256 (64 hex digits): " + bad);
    }
    // Nothing was read or compiled, and a good digest still works.
    assertThat(loader.cacheStats().missCount()).isZero();
    assertThat(loader.load(uri, hex).call("add", 2, 2)).isEqualTo(4);
  }

  @Test
  void pinnedDigestIsCheckedBeforeTheSourceIsRead() {
    // A malformed digest is reported even when the source does not exist.
    Loader loader = TestModules.loader(Engine.INTERPRETER);
    assertThatThrownBy(() -> loader.load(URI.create("classpath:/no/such.wasm"), "nope"))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
  }

  // ---- cacheStats -------------------------------------------------------------------------------

  @ParameterizedTest
  @EnumSource(Engine.class)
  void cacheStatsCountHitsMissesModulesAndBytes(Engine engine) {
    Loader loader = WasmLoader.builder().engine(engine).maxCacheBytes(1 << 20).build();
    assertThat(loader.cacheStats()).isEqualTo(new CacheStats(0, 0, 0, 0, 0, 0, 1 << 20));
    assertThat(loader.cacheStats().hitRate()).isEqualTo(1.0);

    byte[] numbers = TestModules.bytes(NUMBERS);
    byte[] fib = TestModules.bytes(FIB);
    loader.load(numbers);
    loader.load(fib);
    loader.load(numbers);
    loader.load(numbers);

    CacheStats stats = loader.cacheStats();
    assertThat(stats.missCount()).isEqualTo(2);
    assertThat(stats.hitCount()).isEqualTo(2);
    assertThat(stats.loadFailureCount()).isZero();
    assertThat(stats.evictionCount()).isZero();
    assertThat(stats.moduleCount()).isEqualTo(2);
    assertThat(stats.weightBytes()).isEqualTo(numbers.length + fib.length);
    assertThat(stats.maxWeightBytes()).isEqualTo(1 << 20);
    assertThat(stats.hitRate()).isEqualTo(0.5);
  }

  /** A config with these four settings and the defaults for the rest. */
  private static LoaderConfig config(Engine engine, long maxCacheBytes, Imports imports, Duration httpTimeout) {
    LoaderConfig defaults = LoaderConfig.defaults();
    return new LoaderConfig(
        engine,
        maxCacheBytes,
        imports,
        httpTimeout,
        defaults.diskCacheDirectory(),
        defaults.diskCacheMaxBytes(),
        defaults.callStackSize(),
        defaults.callTimeout(),
        defaults.maxMemoryPages(),
        defaults.metrics(),
        defaults.callListener(),
        defaults.slowCallThreshold(),
        defaults.fuelPerCall());
  }
}
