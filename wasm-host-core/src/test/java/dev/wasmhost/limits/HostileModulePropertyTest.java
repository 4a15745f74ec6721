package dev.wasmhost.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.wasmhost.Engine;
import dev.wasmhost.ExternKind;
import dev.wasmhost.Instance;
import dev.wasmhost.Loader;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.WasmException;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile modules: valid modules damaged at the byte level (bit flips, replaced, inserted and
 * deleted bytes, truncation) and at the section level (duplicated, moved and dropped sections; huge
 * section sizes, vector counts and other numbers). Whatever the bytes, loading either fails with a
 * {@link WasmException} or succeeds, and then instantiating and calling exports with zero arguments
 * (under a 100 ms deadline and a 16-page memory cap) either returns or fails with a {@link
 * WasmException}. No other exception or error escapes, nothing runs past a few seconds, the loader
 * keeps working after every case, and the heap does not grow.
 *
 * <p>The seeds are every module in {@code testdata/wasm}, a generated 42-function module and, now and
 * then, SQLite ({@code testdata/large/sqlite_bench.wasm}, 1.1 MB). Most cases load with the
 * interpreter, one in ten with the compiler.
 *
 * <p>Tries per property are jqwik's default (1,000; two properties: 2,000 cases per run). The
 * {@code fuzz} Maven profile raises them: {@code mvn -Pfuzz ...} runs {@code wasmhost.fuzz.tries}
 * (50,000 unless given) per property, 100,000 cases in all.
 */
class HostileModulePropertyTest {
  private static final Duration CALL_DEADLINE = Duration.ofMillis(100);
  private static final int MAX_MEMORY_PAGES = 16;
  private static final int MAX_CALLS_PER_CASE = 8;
  private static final Duration CASE_LIMIT = Duration.ofSeconds(5);
  private static final Duration LARGE_CASE_LIMIT = Duration.ofSeconds(30);
  private static final String LARGE = "sqlite_bench";
  private static final long MAX_HEAP_GROWTH = 64L << 20;

  private static final Map<String, byte[]> SEEDS = seeds();
  /** Made for the container and dropped after it, so that what they legitimately cache is not counted as growth. */
  private static Loader interpreted;
  private static Loader compiled;
  private static final byte[] FIB = Fixtures.bytes("fib");

  private static long heapBefore;

  private static Loader loader(Engine engine) {
    return WasmLoader.builder()
        .engine(engine)
        .callTimeout(CALL_DEADLINE)
        .maxMemoryPages(MAX_MEMORY_PAGES)
        .maxCacheBytes(4L << 20)
        .build();
  }

  private static Map<String, byte[]> seeds() {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(Path.of("../testdata/wasm"))) {
      // start_spin's start function never ends and instantiation has no deadline (see
      // CallDeadlineTest.anEndlessStartFunctionIsStoppedByTheLoadersDeadline): as a seed it would only
      // find that one bug again and again.
      for (Path file : files.filter(p -> p.toString().endsWith(".wasm") && !p.endsWith("start_spin.wasm")).sorted().toList()) {
        String name = file.getFileName().toString();
        seeds.put(name.substring(0, name.length() - ".wasm".length()), Files.readAllBytes(file));
      }
      seeds.put("generated", WasmBinary.generated(40, 20));
      seeds.put(LARGE, Files.readAllBytes(Path.of("../testdata/large/sqlite_bench.wasm")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return seeds;
  }

  @BeforeContainer
  static void setUp() {
    heapBefore = usedHeapAfterGc();
    interpreted = loader(Engine.INTERPRETER);
    compiled = loader(Engine.COMPILER);
  }

  /** Once the loaders are gone, nothing the cases did may still hold memory. */
  @AfterContainer
  static void heapStaysBounded() {
    interpreted = null;
    compiled = null;
    long growth = usedHeapAfterGc() - heapBefore;
    assertThat(growth).as("heap growth over all cases, in bytes, once the loaders are dropped").isLessThan(MAX_HEAP_GROWTH);
  }

  static long usedHeapAfterGc() {
    // Pauses let reference processing run between collections (cleaners, cleared thread-locals).
    for (int i = 0; i < 3; i++) {
      System.gc();
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  @Provide
  Arbitrary<String> seed() {
    List<Tuple.Tuple2<Integer, String>> weighted =
        SEEDS.keySet().stream().map(name -> Tuple.of(name.equals(LARGE) ? 1 : 8, name)).toList();
    @SuppressWarnings("unchecked")
    Tuple.Tuple2<Integer, String>[] array = weighted.toArray(new Tuple.Tuple2[0]);
    return Arbitraries.frequency(array);
  }

  @Provide
  Arbitrary<Engine> engine() {
    return Arbitraries.frequency(Tuple.of(9, Engine.INTERPRETER), Tuple.of(1, Engine.COMPILER));
  }

  @Provide
  Arbitrary<List<Mutation>> byteMutations() {
    return Mutation.byteLevel().list().ofMinSize(1).ofMaxSize(4);
  }

  @Provide
  Arbitrary<List<Mutation>> structuralMutations() {
    return Arbitraries.frequencyOf(Tuple.of(4, Mutation.structural()), Tuple.of(1, Mutation.byteLevel()))
        .list()
        .ofMinSize(1)
        .ofMaxSize(3);
  }

  @Property
  void damagedBytesOnlyEverRaiseWasmExceptions(
      @ForAll("seed") String seed, @ForAll("byteMutations") List<Mutation> mutations, @ForAll("engine") Engine engine) {
    check(seed, mutations, engine);
  }

  @Property
  void damagedSectionsAndHugeNumbersOnlyEverRaiseWasmExceptions(
      @ForAll("seed") String seed,
      @ForAll("structuralMutations") List<Mutation> mutations,
      @ForAll("engine") Engine engine) {
    check(seed, mutations, engine);
  }

  private static void check(String seed, List<Mutation> mutations, Engine engine) {
    byte[] bytes = SEEDS.get(seed);
    for (Mutation mutation : mutations) {
      bytes = mutation.apply(bytes);
    }
    boolean large = seed.equals(LARGE);
    // The compiler takes seconds over SQLite; its mutants load with the interpreter.
    Loader loader = engine == Engine.COMPILER && !large ? compiled : interpreted;
    byte[] input = bytes;
    Throwable escaped =
        assertTimeoutPreemptively(
            large ? LARGE_CASE_LIMIT : CASE_LIMIT,
            () -> {
              try {
                exercise(loader, input);
                return null;
              } catch (Throwable t) { // reported below, as an assertion jqwik can shrink (it would abort on an Error)
                return t;
              }
            },
            () -> "hung on " + seed + " " + mutations + " (" + loader.config().engine() + ")");
    if (escaped != null) {
      throw new AssertionError(
          "not a WasmException: " + escaped + " (" + loader.config().engine() + ", " + input.length + " bytes)", escaped);
    }
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
    // The loader is unharmed (a generous deadline of its own: this is not the guest under test).
    assertThat(loader.load(FIB).callWithTimeout(Duration.ofSeconds(10), "fib", 15L)).isEqualTo(610L);
  }

  /** Loads, instantiates and calls; lets through anything that is not a {@link WasmException}. */
  private static void exercise(Loader loader, byte[] bytes) {
    WasmModule module;
    try {
      module = loader.load(bytes);
    } catch (WasmException expected) {
      return;
    }
    module.imports();
    module.memory();
    List<ModuleExport> functions =
        module.exports().stream().filter(e -> e.kind() == ExternKind.FUNCTION).limit(MAX_CALLS_PER_CASE).toList();
    Instance instance = null;
    try {
      instance = module.instantiate();
      for (ModuleExport function : functions) {
        try {
          instance.function(function.name()).apply(new long[function.functionType().params().size()]);
        } catch (WasmException expected) {
          // A trap or timeout leaves the instance half-updated: carry on with a fresh one.
          instance.close();
          instance = null;
          instance = module.instantiate();
        }
      }
    } catch (WasmException expected) {
      // link or instantiate failure
    } finally {
      if (instance != null) {
        instance.close();
      }
    }
  }
}
