package dev.wasmhost.registry;

import static dev.wasmhost.registry.RegistryFixtures.bytes;
import static dev.wasmhost.registry.RegistryFixtures.missing;
import static dev.wasmhost.registry.RegistryFixtures.newLoader;
import static dev.wasmhost.registry.RegistryFixtures.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.InstantiateException;
import dev.wasmhost.LoadException;
import dev.wasmhost.Registry;
import dev.wasmhost.RegistryEvent;
import dev.wasmhost.SubsystemDefinition;
import dev.wasmhost.SubsystemException;
import dev.wasmhost.SubsystemVersion;
import dev.wasmhost.ValueType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What happens when a subsystem cannot be brought up: fallbacks, failures that name it, retries. */
class FallbackAndRetryTest {
  private static final FunctionType I32_TO_I32 = FunctionType.accepting(ValueType.I32).returning(ValueType.I32);

  private final RegistryFixtures.Events events = new RegistryFixtures.Events();
  private Registry registry;

  @BeforeEach
  void open() {
    registry = Registry.builder().loader(newLoader()).build();
    registry.addListener(events);
  }

  @AfterEach
  void close() {
    registry.close();
  }

  /** tag(x) = 10x + 9, in Java, counting its calls. */
  private static SubsystemDefinition.Source javaCalc(AtomicInteger calls) {
    return SubsystemDefinition.Source.java(
        Imports.of(
            HostFunction.of(
                "anything",
                "tag",
                I32_TO_I32,
                (caller, args) -> {
                  calls.incrementAndGet();
                  return new long[] {args[0] * 10 + 9};
                })));
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  @Test
  void aMissingModuleFallsBackToAnotherModule() throws Exception {
    registry.register(
        "calc", SubsystemDefinition.builder(missing("calc.wasm")).fallback(uri("calc_v1.wasm")).build());

    assertThat(registry.call("calc", "tag", 4)).isEqualTo(41);
    assertThat(registry.function("calc", "tag", IntUnaryOperator.class).applyAsInt(5)).isEqualTo(51);

    SubsystemVersion version = registry.version("calc").orElseThrow();
    assertThat(version.fallback()).isTrue();
    assertThat(version.number()).isEqualTo(1);
    assertThat(version.digest()).isEqualTo(sha256(bytes("calc_v1.wasm")));
    List<RegistryEvent> fellBack = events.of(RegistryEvent.Type.FELL_BACK, "calc");
    assertThat(fellBack).hasSize(1);
    assertThat(fellBack.get(0).version()).isEqualTo(version);
    assertThat(fellBack.get(0).cause()).isInstanceOf(LoadException.class).hasMessageContaining("calc.wasm");
    assertThat(events.of(RegistryEvent.Type.FAILED)).isEmpty();
  }

  @Test
  void aMissingModuleFallsBackToJavaForCallsHandlesAndDependents() {
    AtomicInteger calls = new AtomicInteger();
    registry.register(
        "calc", SubsystemDefinition.builder(missing("calc.wasm")).fallback(javaCalc(calls)).build());
    registry.register("pricing", RegistryFixtures.module("pricing.wasm", "calc"));

    assertThat(registry.call("calc", "tag", 4)).isEqualTo(49);
    assertThat(registry.function("calc", "tag", IntUnaryOperator.class).applyAsInt(5)).isEqualTo(59);
    assertThat(registry.call("pricing", "price", 6)).isEqualTo(1069);
    assertThat(registry.function("pricing", "price", IntUnaryOperator.class).applyAsInt(7)).isEqualTo(1079);

    SubsystemVersion version = registry.version("calc").orElseThrow();
    assertThat(version.digest()).isEqualTo("java");
    assertThat(version.fallback()).isTrue();
    assertThat(version.number()).isEqualTo(1);
    assertThat(events.of(RegistryEvent.Type.FELL_BACK, "calc"))
        .singleElement()
        .satisfies(e -> assertThat(e.cause()).isInstanceOf(LoadException.class));
    assertThat(calls).hasValue(4);
  }

  /** {@link SubsystemDefinition.Source#java}: "its body is called with a null caller". */
  @Test
  void aJavaFallbackIsCalledWithANullCaller() {
    List<Instance> callers = new ArrayList<>();
    List<Boolean> nullCaller = new CopyOnWriteArrayList<>();
    registry.register(
        "calc",
        SubsystemDefinition.builder(missing("calc.wasm"))
            .fallback(
                SubsystemDefinition.Source.java(
                    Imports.of(
                        HostFunction.of(
                            "anything",
                            "tag",
                            I32_TO_I32,
                            (caller, args) -> {
                              nullCaller.add(caller == null);
                              if (caller != null) {
                                callers.add(caller);
                              }
                              return new long[] {args[0]};
                            }))))
            .build());

    assertThat(registry.call("calc", "tag", 4)).isEqualTo(4);
    assertThat(nullCaller).as("caller passed to the Java body (non-null ones: %s)", callers).containsExactly(true);
  }

  /**
   * A Java fallback stands in for a module that could not be brought up; Java functions have no
   * initializer to run, so a definition's initializer (e.g. {@code _initialize}, as in the
   * SubsystemDefinition example) must not stop the fallback from being used.
   */
  @Test
  void aJavaFallbackWorksForADefinitionWithAnInitializer() {
    AtomicInteger calls = new AtomicInteger();
    registry.register(
        "calc",
        SubsystemDefinition.builder(missing("calc.wasm")).initializer("_initialize").fallback(javaCalc(calls)).build());

    assertThat(registry.call("calc", "tag", 4)).isEqualTo(49);
    assertThat(registry.version("calc").orElseThrow().fallback()).isTrue();
  }

  @Test
  void aModuleThatCannotBeInstantiatedFallsBack() {
    registry.register(
        "calc", SubsystemDefinition.builder(uri("start_trap.wasm")).fallback(uri("calc_v1.wasm")).build());
    registry.register("bare", SubsystemDefinition.builder(uri("start_trap.wasm")).build());

    assertThat(registry.call("calc", "tag", 2)).isEqualTo(21);
    assertThat(events.of(RegistryEvent.Type.FELL_BACK, "calc"))
        .singleElement()
        .satisfies(e -> assertThat(e.cause()).isInstanceOf(InstantiateException.class));
    assertThatThrownBy(() -> registry.resolve("bare"))
        .isInstanceOf(SubsystemException.class)
        .hasMessageContaining("'bare'")
        .hasCauseInstanceOf(InstantiateException.class);
  }

  @Test
  void withoutAFallbackTheFailureNamesTheSubsystemAndCarriesTheLoadException() {
    registry.register("calc", SubsystemDefinition.builder(missing("calc.wasm")).build());

    SubsystemException e = catchThrowableOfType(SubsystemException.class, () -> registry.resolve("calc"));

    assertThat(e).isNotNull();
    assertThat(e.subsystemId()).isEqualTo("calc");
    assertThat(e).hasMessageContaining("'calc'").hasCauseInstanceOf(LoadException.class);
    assertThat(e.getCause()).hasMessageContaining("calc.wasm");
    assertThat(events.of(RegistryEvent.Type.FAILED, "calc"))
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.version()).isNull();
              assertThat(event.cause()).isSameAs(e.getCause());
            });
    assertThat(registry.version("calc")).isEmpty();
    assertThatThrownBy(() -> registry.call("calc", "tag", 1))
        .isInstanceOf(SubsystemException.class)
        .hasCauseInstanceOf(LoadException.class);
    assertThatThrownBy(() -> registry.function("calc", "tag", IntUnaryOperator.class))
        .isInstanceOf(SubsystemException.class)
        .hasCauseInstanceOf(LoadException.class);
  }

  @Test
  void aFallbackThatFailsTooIsReportedWithThePrimaryFailure() {
    registry.register(
        "calc", SubsystemDefinition.builder(missing("primary.wasm")).fallback(missing("secondary.wasm")).build());

    assertThatThrownBy(() -> registry.resolve("calc"))
        .isInstanceOf(SubsystemException.class)
        .hasMessageContaining("'calc'")
        .hasMessageContaining("primary.wasm")
        .hasMessageContaining("secondary.wasm")
        .hasCauseInstanceOf(LoadException.class);
    assertThat(events.summary()).containsExactly("FAILED calc");
  }

  @Test
  void aDependentOfAFailedDependencyFailsNamingBoth() {
    registry.register("calc", SubsystemDefinition.builder(missing("calc.wasm")).build());
    registry.register("pricing", RegistryFixtures.module("pricing.wasm", "calc"));

    SubsystemException e = catchThrowableOfType(SubsystemException.class, () -> registry.call("pricing", "price", 1));

    assertThat(e).isNotNull();
    assertThat(e.subsystemId()).isEqualTo("pricing");
    assertThat(e).hasMessageContaining("'pricing'").hasMessageContaining("'calc'");
    assertThat(e.getCause())
        .isInstanceOfSatisfying(SubsystemException.class, cause -> assertThat(cause.subsystemId()).isEqualTo("calc"))
        .hasCauseInstanceOf(LoadException.class);
    assertThat(registry.version("pricing")).isEmpty();
    assertThat(registry.version("calc")).isEmpty();
    assertThat(events.summary()).containsExactly("FAILED calc", "FAILED pricing");
  }

  @Test
  void aFailureIsNotRememberedTheNextResolveSucceedsOnceTheModuleExists(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("calc.wasm");
    registry.register("calc", SubsystemDefinition.builder(file.toUri()).build());
    registry.register("pricing", RegistryFixtures.module("pricing.wasm", "calc"));

    assertThatThrownBy(() -> registry.resolve("calc")).isInstanceOf(SubsystemException.class);
    assertThatThrownBy(() -> registry.call("pricing", "price", 3)).isInstanceOf(SubsystemException.class);
    Files.write(file, bytes("calc_v1.wasm"));

    SubsystemVersion version = registry.resolve("calc");
    assertThat(version.number()).isEqualTo(1);
    assertThat(version.fallback()).isFalse();
    assertThat(registry.call("calc", "tag", 3)).isEqualTo(31);
    assertThat(registry.call("pricing", "price", 3)).isEqualTo(1031);
    assertThat(events.summary())
        .containsExactly("FAILED calc", "FAILED calc", "FAILED pricing", "RESOLVED calc", "RESOLVED pricing");
    assertThat(events.of(RegistryEvent.Type.FAILED)).allSatisfy(e -> assertThat(e.cause()).isNotNull());
  }
}
