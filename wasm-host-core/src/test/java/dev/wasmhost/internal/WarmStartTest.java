package dev.wasmhost.internal;

import static dev.wasmhost.internal.DiskCacheFixtures.BIG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.dylibso.chicory.wasm.types.FunctionBody;
import com.dylibso.chicory.wasm.types.OpCode;
import dev.wasmhost.CallTimeoutException;
import dev.wasmhost.DiskCacheStats;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import dev.wasmhost.engines.GeneratedModules;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A warm disk cache entry carries a meta module (the module with its compiled bodies stripped), so a
 * hit decodes that instead of the whole module. These tests check that such loads behave exactly like
 * full ones, and that an entry whose meta module or classes cannot be used is recompiled.
 */
@Timeout(120)
class WarmStartTest {
  @TempDir Path work;

  private static byte[] resource(String name) {
    try (InputStream in = WarmStartTest.class.getResourceAsStream("/wasm/" + name + ".wasm")) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ChicoryLoader loader(Engine engine, Path cache) {
    return new ChicoryLoader(WasmLoader.builder().engine(engine).diskCache(cache).toConfig());
  }

  private static LoadedModule core(WasmModule module) {
    return ((ModuleHandle) module).core();
  }

  private static DiskCacheStats stats(ChicoryLoader loader) {
    return loader.diskCacheStats().orElseThrow();
  }

  /** Whether the body is the stub of the meta module: {@code unreachable; end}, no locals. */
  private static boolean stub(FunctionBody body) {
    return body.localTypes().isEmpty() && body.instructions().size() == 2;
  }

  private static boolean allStubs(WasmModule module) {
    for (FunctionBody body : core(module).chicoryModule().codeSection().functionBodies()) {
      if (!stub(body)) {
        return false;
      }
    }
    return true;
  }

  @Test
  void aWarmHitDecodesTheMetaModuleAndEveryEngineGivesTheSameExportsAndResults() {
    Path cache = work.resolve("cache");
    byte[] fib = resource("fib");
    ChicoryLoader cold = loader(Engine.COMPILER, cache);
    WasmModule compiled = cold.load(fib);
    assertThat(allStubs(compiled)).as("a cold load decodes the whole module").isFalse();
    assertThat(stats(cold).writeCount()).isEqualTo(1);
    assertThat(stats(cold).missCount()).as("looked up once").isEqualTo(1);

    for (Engine engine : new Engine[] {Engine.COMPILER, Engine.AUTO}) {
      ChicoryLoader warm = loader(engine, cache);
      WasmModule module = warm.load(fib);
      assertThat(allStubs(module)).as("%s: the meta module stands in for the module", engine).isTrue();
      assertThat(module.engine()).as("%s", engine).isEqualTo(Engine.COMPILER);
      assertThat(module.digest()).isEqualTo(compiled.digest());
      assertThat(module.exports()).isEqualTo(compiled.exports());
      assertThat(module.imports()).isEqualTo(compiled.imports());
      assertThat(module.memory()).isEqualTo(compiled.memory());
      assertThat(module.sizeBytes()).isEqualTo(fib.length);
      assertThat(module.call("fib", 20)).isEqualTo(6765L);
      assertThat(module.call("sum", 100)).isEqualTo(4950L);
      assertThat(warm.diskCacheHolds(module)).isTrue();
      assertThat(stats(warm).hitCount()).isEqualTo(1);
      assertThat(stats(warm).missCount()).isZero();
      assertThat(stats(warm).writeCount()).isZero();
      assertThat(warm.diskCache().warningCount()).isZero();
    }

    // The interpreter decodes the whole module and leaves the disk cache alone.
    ChicoryLoader interpreter = loader(Engine.INTERPRETER, cache);
    WasmModule interpreted = interpreter.load(fib);
    assertThat(allStubs(interpreted)).isFalse();
    assertThat(interpreted.engine()).isEqualTo(Engine.INTERPRETER);
    assertThat(interpreted.exports()).isEqualTo(compiled.exports());
    assertThat(interpreted.call("fib", 20)).isEqualTo(6765L);
    assertThat(stats(interpreter).hitCount()).isZero();
    assertThat(stats(interpreter).missCount()).isZero();
  }

  @Test
  void aLargerModuleRunsTheSameFromAWarmEntry() {
    Path cache = work.resolve("cache");
    byte[] bytes = resource("numbers");
    WasmModule cold = loader(Engine.COMPILER, cache).load(bytes);
    WasmModule warm = loader(Engine.COMPILER, cache).load(bytes);
    assertThat(allStubs(warm)).isTrue();
    assertThat(warm.exports()).isEqualTo(cold.exports()).isNotEmpty();
    assertThat(warm.call("add", 2, 3)).isEqualTo(cold.call("add", 2, 3));
  }

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"COMPILER", "AUTO"})
  void aMetaModuleThatDoesNotDecodeIsRecompiledWithOneWarning(Engine engine) throws Exception {
    Path cache = work.resolve("cache");
    byte[] fib = resource("fib");
    loader(Engine.COMPILER, cache).load(fib);
    rewriteEntry(cache, fib, (name, content) -> name.equals(CompiledCode.META) ? new byte[] {0, 'a', 's', 'm', 9} : content);

    ChicoryLoader second = loader(engine, cache);
    WasmModule module = second.load(fib);
    assertThat(module.call("fib", 20)).isEqualTo(6765L);
    assertThat(module.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(module.call("fib", 21)).isEqualTo(10_946L);
    assertThat(allStubs(module)).as("decoded in full after the bad entry").isFalse();
    DiskCacheStats stats = stats(second);
    assertThat(stats.corruptCount()).isEqualTo(1);
    assertThat(stats.hitCount()).isZero();
    assertThat(stats.writeCount()).as("the recompiled code replaces the entry").isEqualTo(1);
    assertThat(second.diskCache().warningCount()).as("one warning").isEqualTo(1);

    ChicoryLoader third = loader(engine, cache);
    WasmModule again = third.load(fib);
    assertThat(allStubs(again)).isTrue();
    assertThat(again.call("fib", 20)).isEqualTo(6765L);
    assertThat(stats(third).hitCount()).isEqualTo(1);
    assertThat(stats(third).corruptCount()).isZero();
    assertThat(third.diskCache().warningCount()).isZero();
  }

  /** How an entry's classes are damaged, on disk intact (the checksum matches). */
  enum ClassDamage {
    /** One class file is not one. */
    NOT_A_CLASS,
    /**
     * The class holding the function bodies is gone: nothing that loading and verifying the main
     * class would notice, only the first call that needs it.
     */
    FUNCTIONS_CLASS_MISSING
  }

  @ParameterizedTest(name = "{0}, {1}")
  @CsvSource({"COMPILER, NOT_A_CLASS", "AUTO, NOT_A_CLASS", "COMPILER, FUNCTIONS_CLASS_MISSING", "AUTO, FUNCTIONS_CLASS_MISSING"})
  void damagedClassesAreRecompiledWithOneWarningAndNoCallFails(Engine engine, ClassDamage damage) throws Exception {
    Path cache = work.resolve("cache");
    byte[] fib = resource("fib");
    loader(Engine.COMPILER, cache).load(fib);
    AtomicInteger damaged = new AtomicInteger();
    rewriteEntry(cache, fib, (name, content) -> {
      if (damage == ClassDamage.NOT_A_CLASS && name.endsWith(".class")) {
        damaged.incrementAndGet();
        return new byte[] {(byte) 0xCA, (byte) 0xFE, 1, 2};
      }
      if (damage == ClassDamage.FUNCTIONS_CLASS_MISSING && name.contains("FuncGroup")) {
        damaged.incrementAndGet();
        return null;
      }
      return content;
    });
    assertThat(damaged.get()).isPositive();

    ChicoryLoader second = loader(engine, cache);
    WasmModule module = second.load(fib);
    assertThat(module.call("fib", 20)).as("%s, first call", engine).isEqualTo(6765L);
    assertThat(module.awaitCompiled(Duration.ofSeconds(30))).isTrue();
    assertThat(module.engine()).isEqualTo(Engine.COMPILER);
    assertThat(module.call("sum", 100)).isEqualTo(4950L);
    assertThat(stats(second).corruptCount()).isEqualTo(1);
    assertThat(stats(second).writeCount()).isEqualTo(1);
    assertThat(second.diskCache().warningCount()).isEqualTo(1);

    ChicoryLoader third = loader(engine, cache);
    assertThat(third.load(fib).call("fib", 20)).isEqualTo(6765L);
    assertThat(stats(third).hitCount()).isEqualTo(1);
    assertThat(stats(third).corruptCount()).isZero();
  }

  @Test
  void aFunctionLeftToTheInterpreterKeepsItsBodyInTheMetaModule() {
    Path cache = work.resolve("cache");
    int terms = 30_000; // too large for one JVM method: Chicory interprets it
    byte[] bytes = GeneratedModules.hugeFunction(terms);
    long sum = (long) terms * (terms + 1) / 2;
    WasmModule cold = loader(Engine.COMPILER, cache).load(bytes);
    assertThat(cold.call("big", 5L)).isEqualTo(5L + sum);

    for (Engine engine : new Engine[] {Engine.COMPILER, Engine.AUTO}) {
      ChicoryLoader warm = loader(engine, cache);
      WasmModule module = warm.load(bytes);
      assertThat(stats(warm).hitCount()).isEqualTo(1);
      FunctionBody[] bodies = core(module).chicoryModule().codeSection().functionBodies();
      assertThat(stub(bodies[0])).as("the interpreted function's body is kept").isFalse();
      assertThat(bodies[0].instructions()).hasSizeGreaterThan(2 * terms);
      assertThat(stub(bodies[1])).as("the compiled one's is not").isTrue();
      assertThat(module.engine()).isEqualTo(Engine.COMPILER);
      assertThat(module.call("big", 5L)).isEqualTo(5L + sum);
      assertThat(module.call("small", 41L)).isEqualTo(42L);
      try (Instance instance = module.instantiate()) {
        assertThat(instance.function("big").apply(-1L)[0]).isEqualTo(sum - 1);
      }
    }
  }

  /**
   * A function Chicory leaves to the interpreter runs from the meta module of a warm entry, so the
   * meta module is built from the bytes compiled: its conditionally repeated loops carry their check
   * there too, and a deadline stops them.
   */
  @Test
  void theMetaModuleKeepsTheLoopChecksOfAnInterpretedFunction() {
    Path cache = work.resolve("cache");
    int terms = 30_000; // too large for one JVM method: Chicory interprets it
    byte[] bytes = GeneratedModules.hugeFunctionWithLoop(terms);
    long sum = (long) terms * (terms + 1) / 2;
    loader(Engine.COMPILER, cache).load(bytes);

    for (Engine engine : new Engine[] {Engine.COMPILER, Engine.AUTO}) {
      ChicoryLoader warm = loader(engine, cache);
      WasmModule module = warm.load(bytes);
      assertThat(stats(warm).hitCount()).isEqualTo(1);
      FunctionBody big = core(module).chicoryModule().codeSection().getFunctionBody(0);
      assertThat(big.instructions().subList(0, 4).stream().map(i -> i.opcode()).toList())
          .as("the loop, then the inserted check")
          .containsExactly(OpCode.LOOP, OpCode.BLOCK, OpCode.BR, OpCode.END);
      assertThat(module.call("big", 0L)).isEqualTo(sum);
      org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
          Duration.ofSeconds(30),
          () -> assertThatThrownBy(() -> module.callWithTimeout(Duration.ofMillis(100), "big", 1L))
              .isInstanceOf(CallTimeoutException.class));
      assertThat(module.call("small", 41L)).isEqualTo(42L);
    }
  }

  @Test
  void fuelMeteredModulesDecodeInFullAndStillUseTheDiskCache() {
    Path cache = work.resolve("cache");
    byte[] fib = resource("fib");
    ChicoryLoader first =
        new ChicoryLoader(WasmLoader.builder().engine(Engine.COMPILER).fuelPerCall(1_000_000).diskCache(cache).toConfig());
    WasmModule cold = first.load(fib);
    assertThat(cold.call("fib", 15)).isEqualTo(610L);
    assertThat(stats(first).writeCount()).isEqualTo(1);

    ChicoryLoader second =
        new ChicoryLoader(WasmLoader.builder().engine(Engine.COMPILER).fuelPerCall(1_000_000).diskCache(cache).toConfig());
    WasmModule warm = second.load(fib);
    assertThat(allStubs(warm)).isFalse();
    assertThat(warm.engine()).isEqualTo(Engine.COMPILER);
    assertThat(warm.call("fib", 15)).isEqualTo(610L);
    assertThat(warm.lastCallFuel()).isEqualTo(cold.lastCallFuel()).isPositive();
    assertThat(stats(second).hitCount()).isEqualTo(1);

    // The unmetered module has an entry of its own.
    ChicoryLoader plain = loader(Engine.COMPILER, cache);
    assertThat(plain.load(fib).call("fib", 15)).isEqualTo(610L);
    assertThat(stats(plain).hitCount()).isZero();
    assertThat(stats(plain).writeCount()).isEqualTo(1);
  }

  @Test
  void theMetaModuleIsWhatChicorysBuildTimeCompilerWrites() {
    byte[] bytes = GeneratedModules.hugeFunction(3);
    byte[] meta = CompiledCode.meta(bytes, java.util.Set.of(0), 0);
    var module = com.dylibso.chicory.wasm.Parser.parse(meta);
    assertThat(module.codeSection().functionBodyCount()).isEqualTo(2);
    assertThat(stub(module.codeSection().getFunctionBody(0))).isFalse();
    assertThat(stub(module.codeSection().getFunctionBody(1))).isTrue();
    assertThat(module.exportSection().exportCount()).isEqualTo(2);
  }

  /** Rewrites the loader's entry for {@code module}: each zip entry through {@code change}, re-checksummed. */
  private static void rewriteEntry(Path cache, byte[] module, BiFunction<String, byte[], byte[]> change)
      throws IOException {
    DiskCache disk = new DiskCache(cache, BIG);
    String digest = Digests.sha256(module);
    byte[] payload = disk.get(ChicoryLoader.COMPILE_OPTIONS, digest);
    assertThat(payload).isNotNull();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(payload));
        ZipOutputStream zip = new ZipOutputStream(out)) {
      ZipEntry entry;
      while ((entry = in.getNextEntry()) != null) {
        byte[] content = change.apply(entry.getName(), in.readAllBytes());
        if (content == null) { // dropped
          continue;
        }
        zip.putNextEntry(new ZipEntry(entry.getName()));
        zip.write(content);
        zip.closeEntry();
      }
    }
    Files.delete(disk.entryPath(ChicoryLoader.COMPILE_OPTIONS, digest));
    disk.putIfAbsent(ChicoryLoader.COMPILE_OPTIONS, digest, out.toByteArray());
    assertThat(disk.stats().writeCount()).isEqualTo(1);
  }
}
