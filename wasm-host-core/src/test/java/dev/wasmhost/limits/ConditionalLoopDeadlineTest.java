package dev.wasmhost.limits;

import static dev.wasmhost.limits.DeadlineAssertions.assertStopped;
import static dev.wasmhost.limits.Fixtures.timed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.wasmhost.Engine;
import dev.wasmhost.InstancePool;
import dev.wasmhost.Loader;
import dev.wasmhost.Registry;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loops repeated by a conditional branch. Chicory 1.7.5's interpreter checks for interruption on
 * {@code br} but not on {@code br_if}, {@code br_table} and the other conditional branches, so such a
 * loop could not be stopped at its deadline there. The loader now inserts a checked {@code br} into
 * each such loop (see {@code InterruptibleLoops}): every kind of deadline stops them in every engine,
 * on loaders with and without a deadline of their own, and the module keeps the engine it was asked
 * for.
 *
 * <p>The first module was found by the 100,000-case run of the hostile-module property: one bit of
 * fib.wasm flipped turns {@code sum}'s {@code br_if 1} (leave the loop) into {@code br_if 0} (repeat
 * it), and with {@code sum(0)} the loop never ends. The others repeat a loop by {@code br_table}, and
 * by {@code br_if} with the loop's parameters on the stack.
 */
class ConditionalLoopDeadlineTest {
  private static final long DEADLINE = 100;

  @TempDir Path work;

  @AfterEach
  void noStrayInterrupt() {
    assertThat(Thread.interrupted()).as("interrupt status left set by the test").isFalse();
  }

  /** A module with an endless conditionally repeated loop, and a call that must still work after it. */
  enum Loop {
    BR_IF_MUTANT("fib_br_if_mutant", "sum", new Object[] {0}, "fib", new Object[] {10L}, 55L),
    BR_TABLE("loop_br_table", "spin", new Object[0], "sum_to", new Object[] {100}, 5050L),
    BR_IF_WITH_PARAMS("loop_params", "spin", new Object[] {1L}, "fib", new Object[] {50}, 12_586_269_025L);

    final String name;
    final String spin;
    final Object[] spinArgs;
    final String check;
    final Object[] checkArgs;
    final Object expected;

    Loop(String name, String spin, Object[] spinArgs, String check, Object[] checkArgs, Object expected) {
      this.name = name;
      this.spin = spin;
      this.spinArgs = spinArgs;
      this.check = check;
      this.checkArgs = checkArgs;
      this.expected = expected;
    }

    String file() {
      return name + ".wasm";
    }

    byte[] bytes() {
      if (this != BR_IF_MUTANT) {
        return Fixtures.bytes(name);
      }
      byte[] bytes = Fixtures.bytes("fib");
      bytes[89] ^= 1; // br_if 1 -> br_if 0 in sum
      return bytes;
    }
  }

  static List<Arguments> everyEngineAndLoop() {
    List<Arguments> cases = new ArrayList<>();
    for (Engine engine : Engine.values()) {
      for (Loop loop : Loop.values()) {
        cases.add(Arguments.of(engine, loop));
      }
    }
    return cases;
  }

  /** Loads {@code loop} from a file, so that messages name it, and checks it kept its engine. */
  private WasmModule load(Loader loader, Loop loop) throws IOException {
    Path file = Files.write(work.resolve(loop.file()), loop.bytes());
    WasmModule module = loader.load(file);
    Engine asked = loader.config().engine();
    // AUTO interprets until its background compilation, which starts 150 ms after the load.
    assertThat(module.engine()).as("the engine asked for").isEqualTo(asked == Engine.COMPILER ? asked : Engine.INTERPRETER);
    return module;
  }

  /** Runs {@code stopped} (which must end in a timeout), then, for AUTO, again once compiled. */
  private static void inEveryPhase(WasmModule module, Loader loader, Fixtures.Action spin, Fixtures.Action check, Loop loop)
      throws Throwable {
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          assertStopped(timed(spin), DEADLINE, loop.file(), loop.spin);
          assertThat(check.run()).as("works after the timeout").isEqualTo(loop.expected);
          if (loader.config().engine() == Engine.AUTO) {
            assertThat(module.awaitCompiled(Fixtures.COMPILE_WAIT)).isTrue();
            assertThat(module.engine()).isEqualTo(Engine.COMPILER);
            assertStopped(timed(spin), DEADLINE, loop.file(), loop.spin);
            assertThat(check.run()).isEqualTo(loop.expected);
          }
        },
        "a guest that no deadline stops");
  }

  @ParameterizedTest
  @MethodSource("everyEngineAndLoop")
  void aPerCallDeadlineStopsTheLoopOnALoaderWithoutOne(Engine engine, Loop loop) throws Throwable {
    Loader loader = WasmLoader.builder().engine(engine).build();
    WasmModule module = load(loader, loop);
    inEveryPhase(
        module,
        loader,
        () -> module.callWithTimeout(Duration.ofMillis(DEADLINE), loop.spin, loop.spinArgs),
        () -> module.call(loop.check, loop.checkArgs),
        loop);
  }

  @ParameterizedTest
  @MethodSource("everyEngineAndLoop")
  void aPoolsDeadlineStopsTheLoopOnALoaderWithoutOne(Engine engine, Loop loop) throws Throwable {
    Loader loader = WasmLoader.builder().engine(engine).build();
    WasmModule module = load(loader, loop);
    try (InstancePool pool =
        InstancePool.builder(module).maxSize(1).callTimeout(Duration.ofMillis(DEADLINE)).build()) {
      inEveryPhase(
          module,
          loader,
          () -> pool.apply(instance -> instance.call(loop.spin, loop.spinArgs)),
          () -> pool.apply(instance -> instance.call(loop.check, loop.checkArgs)),
          loop);
      assertThat(pool.stats().discardedCount()).as("the stopped instances").isPositive();
    }
  }

  @ParameterizedTest
  @MethodSource("everyEngineAndLoop")
  void aSubsystemsDeadlineStopsTheLoopOnALoaderWithoutOne(Engine engine, Loop loop) throws Throwable {
    Loader loader = WasmLoader.builder().engine(engine).build();
    WasmModule module = load(loader, loop); // the registry finds it in the loader's cache
    try (Registry registry = Registry.builder().loader(loader).build()) {
      registry.register(
          "loops", SubsystemDefinition.builder(loop.bytes()).callTimeout(Duration.ofMillis(DEADLINE)).build());
      inEveryPhase(
          module,
          loader,
          () -> registry.call("loops", loop.spin, loop.spinArgs),
          () -> registry.call("loops", loop.check, loop.checkArgs),
          loop);
    }
  }

  /**
   * Found by the 100,000-case fuzz run once loop_params.wasm was a seed: with the end of {@code fib}'s
   * loop (byte 104) overwritten by {@code unreachable}, Chicory 1.7.5 still accepts the module (the
   * body ends with a block left open) but cannot compile it, so it runs in the interpreter whatever
   * the engine. The walk gave up on that body, so none of the module's loops were rewritten, and
   * {@code spin} ran past its deadline for ever.
   */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void theLoopsOfAModuleWithABodyLeftOpenAreCheckedToo(Engine engine) {
    byte[] bytes = Fixtures.bytes("loop_params");
    assertThat(bytes[104]).as("the end of fib's loop").isEqualTo((byte) 0x0B);
    bytes[104] = 0x00;
    WasmModule module = WasmLoader.builder().engine(engine).build().load(bytes);
    assertThat(module.awaitCompiled(Fixtures.COMPILE_WAIT)).as("Chicory cannot compile it").isFalse();
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> assertStopped(
            timed(() -> module.callWithTimeout(Duration.ofMillis(DEADLINE), "spin", 1L)), DEADLINE, "sha256:", "spin"),
        "a guest that no deadline stops");
    assertThat(module.call("fib", 0)).isEqualTo(0L);
  }

  /** Before, such modules ran compiled on a loader with a deadline; now they keep their engine there too. */
  @ParameterizedTest
  @EnumSource(Engine.class)
  void theLoadersDeadlineStopsTheLoopAndTheEngineIsKept(Engine engine) throws Throwable {
    Loader loader = WasmLoader.builder().engine(engine).callTimeout(Duration.ofMillis(DEADLINE)).build();
    for (Loop loop : Loop.values()) {
      WasmModule module = load(loader, loop);
      inEveryPhase(
          module, loader, () -> module.call(loop.spin, loop.spinArgs), () -> module.call(loop.check, loop.checkArgs), loop);
    }
  }

  /**
   * Loops are made interruptible after fuel metering, so the inserted checks cost no fuel: the same
   * calls consume the same fuel in every engine, and a loop that never ends runs out of fuel.
   */
  @ParameterizedTest
  @MethodSource("everyEngineAndLoop")
  void meteredLoopsConsumeTheSameFuelInEveryEngine(Engine engine, Loop loop) throws Throwable {
    Loader reference = WasmLoader.builder().engine(Engine.INTERPRETER).fuelPerCall(1_000_000).build();
    WasmModule interpreted = load(reference, loop);
    assertThat(interpreted.call(loop.check, loop.checkArgs)).isEqualTo(loop.expected);
    long fuel = interpreted.lastCallFuel();
    assertThat(fuel).isPositive();

    Loader loader = WasmLoader.builder().engine(engine).fuelPerCall(1_000_000).build();
    WasmModule module = load(loader, loop);
    assertThat(module.awaitCompiled(Fixtures.COMPILE_WAIT)).isEqualTo(engine != Engine.INTERPRETER);
    assertThat(module.call(loop.check, loop.checkArgs)).isEqualTo(loop.expected);
    assertThat(module.lastCallFuel()).isEqualTo(fuel);
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> assertThat(timed(() -> module.call(loop.spin, loop.spinArgs)).thrown())
            .isInstanceOf(dev.wasmhost.FuelExhaustedException.class));
  }
}
