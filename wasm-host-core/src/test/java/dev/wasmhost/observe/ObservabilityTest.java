package dev.wasmhost.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.wasmhost.CallListener;
import dev.wasmhost.CallTimeoutException;
import dev.wasmhost.Engine;
import dev.wasmhost.InMemoryMetrics;
import dev.wasmhost.Instance;
import dev.wasmhost.InstancePool;
import dev.wasmhost.Loader;
import dev.wasmhost.PoolExhaustedException;
import dev.wasmhost.Registry;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.TrapException;
import dev.wasmhost.WasmException;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.IntBinaryOperator;
import java.util.function.LongUnaryOperator;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Metrics, call listeners and Flight Recorder events, with real modules and a real recording. */
class ObservabilityTest {
  private static final Path WASM = Path.of("../testdata/wasm");

  @ParameterizedTest
  @EnumSource(value = Engine.class, names = {"INTERPRETER", "COMPILER"})
  void inMemoryMetricsCountLoadsCallsTrapsAndTimeouts(Engine engine) {
    InMemoryMetrics metrics = new InMemoryMetrics();
    Loader loader = WasmLoader.builder().engine(engine).metrics(metrics).build();
    WasmModule traps = loader.load(WASM.resolve("traps.wasm"));
    loader.load(WASM.resolve("traps.wasm"));
    String label = traps.source();
    for (int i = 0; i < 100; i++) {
      assertThat(traps.call("ok")).isEqualTo(7);
    }
    assertThatThrownBy(() -> traps.call("unreachable")).isInstanceOf(TrapException.class);
    assertThatThrownBy(() -> traps.callWithTimeout(Duration.ofMillis(50), "spin")).isInstanceOf(CallTimeoutException.class);
    try (Instance instance = traps.instantiate()) {
      instance.call("ok");
    }

    InMemoryMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.loads()).isEqualTo(2);
    assertThat(snapshot.cacheHits()).isEqualTo(1);
    assertThat(snapshot.cacheMisses()).isEqualTo(1);
    assertThat(snapshot.compilations()).isEqualTo(engine == Engine.COMPILER ? 1 : 0);
    // the thread's first instance, the fresh one after the trap (discarded by the timeout), the explicit one
    assertThat(snapshot.instantiations()).isEqualTo(3);
    InMemoryMetrics.FunctionStats ok = snapshot.functions().get(label + " ok");
    assertThat(ok.calls()).isEqualTo(101);
    assertThat(ok.p50Nanos()).isPositive().isLessThanOrEqualTo(ok.p99Nanos());
    assertThat(ok.p99Nanos()).isLessThanOrEqualTo(ok.maxNanos() + ok.maxNanos() / 8);
    assertThat(snapshot.functions().get(label + " unreachable").traps()).isEqualTo(1);
    assertThat(snapshot.functions().get(label + " spin").timeouts()).isEqualTo(1);
  }

  @Test
  void poolAndRegistryEventsReachTheMetrics() {
    InMemoryMetrics metrics = new InMemoryMetrics();
    Loader loader = WasmLoader.builder().metrics(metrics).build();
    WasmModule numbers = loader.load(WASM.resolve("numbers.wasm"));
    try (InstancePool pool = InstancePool.builder(numbers).maxSize(1).borrowTimeout(Duration.ofMillis(10)).build();
        Instance held = pool.borrow()) {
      assertThatThrownBy(pool::borrow).isInstanceOf(PoolExhaustedException.class);
      assertThat(held.call("add", 1, 2)).isEqualTo(3);
    }
    try (Registry registry = Registry.builder().loader(loader).build()) {
      registry.register("calc", SubsystemDefinition.builder(WASM.resolve("calc_v1.wasm").toUri()).build());
      registry.resolve("calc");
      registry.replace("calc", WASM.resolve("calc_v2.wasm").toUri());
    }
    InMemoryMetrics.Snapshot snapshot = metrics.snapshot();
    assertThat(snapshot.poolExhaustions()).isEqualTo(1);
    InMemoryMetrics.PoolState pool = snapshot.pools().get(numbers.source());
    assertThat(pool.borrows()).isEqualTo(1);
    assertThat(pool.exhaustions()).isEqualTo(1);
    assertThat(pool.discarded()).isEqualTo(1); // FRESH: the returned instance is replaced
    assertThat(pool.inUse()).isZero();
    // RESOLVED, SWAPPED, CLOSED (old version), CLOSED (at close)
    assertThat(snapshot.registryEvents()).isEqualTo(4);
    InMemoryMetrics.SubsystemState calc = snapshot.subsystems().get("calc");
    assertThat(calc.events()).isEqualTo(4);
    assertThat(calc.lastEvent()).isEqualTo(dev.wasmhost.RegistryEvent.Type.CLOSED);
    assertThat(calc.version().number()).isEqualTo(2);
  }

  @Test
  void aListenerHearsBeforeAfterAndFailuresOfEveryKindOfCall() {
    List<String> heard = Collections.synchronizedList(new ArrayList<>());
    CallListener listener =
        new CallListener() {
          @Override
          public void beforeCall(String module, String function, long[] args) {
            heard.add("before " + function + " " + args.length);
          }

          @Override
          public void afterCall(String module, String function, long[] results, long nanos) {
            heard.add("after " + function + " " + (results.length == 0 ? "-" : results[0]));
          }

          @Override
          public void onFailure(String module, String function, WasmException failure, long nanos) {
            heard.add("failed " + function + " " + failure.getClass().getSimpleName());
          }
        };
    Loader loader = WasmLoader.builder().engine(Engine.COMPILER).callListener(listener).build();
    WasmModule numbers = loader.load(WASM.resolve("numbers.wasm"));
    try (Instance instance = numbers.instantiate()) {
      assertThat(instance.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
      assertThat(instance.call("div_s", 7, 2)).isEqualTo(3);
      assertThatThrownBy(() -> instance.call("div_s", 1, 0)).isInstanceOf(TrapException.class);
    }
    assertThat(heard).containsExactly("before add 2", "after add 5", "before div_s 2", "after div_s 3", "before div_s 2",
        "failed div_s TrapException");
  }

  @Test
  void flightRecorderEventsCanBeRecordedAndReadBack(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("wasm-host.jfr");
    try (Recording recording = new Recording()) {
      for (String event : List.of("Load", "Compile", "Instantiate", "SlowCall", "Trap", "Timeout", "HotSwap")) {
        recording.enable("dev.wasmhost." + event).withoutThreshold();
      }
      recording.start();
      Loader loader =
          WasmLoader.builder().engine(Engine.COMPILER).slowCallThreshold(Duration.ofMillis(1)).build();
      WasmModule fib = loader.load(WASM.resolve("fib.wasm"));
      try (Instance instance = fib.instantiate()) {
        instance.function("fib", LongUnaryOperator.class).applyAsLong(30); // well over 1 ms
        instance.function("fib", LongUnaryOperator.class).applyAsLong(1); // well under
      }
      WasmModule traps = loader.load(WASM.resolve("traps.wasm"));
      assertThatThrownBy(() -> traps.call("unreachable")).isInstanceOf(TrapException.class);
      assertThatThrownBy(() -> traps.callWithTimeout(Duration.ofMillis(20), "spin")).isInstanceOf(CallTimeoutException.class);
      try (Registry registry = Registry.builder().loader(loader).build()) {
        registry.register("calc", SubsystemDefinition.builder(WASM.resolve("calc_v1.wasm").toUri()).build());
        registry.replace("calc", WASM.resolve("calc_v2.wasm").toUri());
      }
      recording.stop();
      recording.dump(file);
    }
    assertThat(Files.size(file)).isPositive();
    List<RecordedEvent> events = RecordingFile.readAllEvents(file);
    Map<String, List<RecordedEvent>> byName =
        events.stream().collect(Collectors.groupingBy(e -> e.getEventType().getName()));
    assertThat(byName.get("dev.wasmhost.Load")).extracting(e -> e.getString("module")).contains(WASM.resolve("fib.wasm").toUri().toString());
    assertThat(byName.get("dev.wasmhost.Compile")).anySatisfy(e -> assertThat(e.getBoolean("succeeded")).isTrue());
    assertThat(byName.get("dev.wasmhost.Instantiate")).isNotEmpty();
    assertThat(byName.get("dev.wasmhost.SlowCall")).singleElement()
        .satisfies(e -> {
          assertThat(e.getString("function")).isEqualTo("fib");
          assertThat(e.getDuration().toNanos()).isGreaterThanOrEqualTo(1_000_000);
        });
    assertThat(byName.get("dev.wasmhost.Trap")).singleElement()
        .satisfies(e -> assertThat(e.getString("reason")).contains("unreachable"));
    assertThat(byName.get("dev.wasmhost.Timeout")).singleElement()
        .satisfies(e -> assertThat(e.getString("function")).isEqualTo("spin"));
    assertThat(byName.get("dev.wasmhost.HotSwap")).singleElement()
        .satisfies(e -> assertThat(e.getLong("version")).isEqualTo(2));
  }
}
