package dev.wasmhost.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The price of fuel metering in the compiler: {@code fib(25)} (about 243,000 calls, one charge each)
 * and {@code sum(1_000_000)} (a loop, one charge per iteration) from {@code testdata/wasm/fib.wasm},
 * on the module as it is ({@code PLAIN}) and as {@code FuelInstrumenter} rewrites it ({@code
 * METERED}). Both run on Chicory's API directly (parse, {@code MachineFactoryCompiler.compile},
 * {@code Instance.builder}), so the numbers hold nothing of wasm-host's call path; the metered
 * variant sets the fuel global to {@code Long.MAX_VALUE / 2} before each call. The ratio
 * METERED/PLAIN of a benchmark is the metering overhead; the {@code HAND_} modes show what other
 * ways of carrying fuel across calls would cost (see {@link #mode}).
 *
 * <p>{@code FuelInstrumenter} is package-private in {@code dev.wasmhost.internal}; the set-up reaches
 * it by reflection (the benchmark jar runs on the class path).
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar FuelBenchmark -f 2 -wi 3 -w 2s -i 5 -r 2s
 * </pre>
 */
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class FuelBenchmark {
  private static final long BUDGET = Long.MAX_VALUE / 2;

  /**
   * {@code PLAIN}, {@code METERED}, or one of two hand-written fib variants of {@code
   * testdata/wasm/fuel_fib_variants.wat} (fib only; their {@code sum1M} runs the plain module):
   * {@code HAND_GLOBAL}, fuel passed down as a parameter and back through the global once per call (a
   * correct meter), and {@code HAND_REGISTER}, fuel passed down only (not a correct meter: the lower
   * bound of keeping fuel in JVM locals).
   */
  @Param({"PLAIN", "METERED", "HAND_GLOBAL", "HAND_PAIR", "HAND_REGISTER"})
  public String mode;

  private ExportFunction fib;
  private ExportFunction sum;
  private GlobalInstance fuel; // null when PLAIN

  @Setup(Level.Trial)
  public void setUp() throws ReflectiveOperationException {
    byte[] bytes = TestModules.bytes("fib.wasm");
    String fuelGlobal = null;
    if (mode.equals("METERED")) {
      Object instrumented = instrument(bytes);
      bytes = (byte[]) call(instrumented, "bytes");
      fuelGlobal = (String) call(instrumented, "fuelGlobal");
    } else if (!mode.equals("PLAIN") && !mode.startsWith("HAND_")) {
      throw new IllegalArgumentException("mode must be PLAIN, METERED, HAND_GLOBAL or HAND_REGISTER: " + mode);
    }
    Instance instance = compiled(bytes);
    fib = instance.export("fib");
    sum = instance.export("sum");
    if (fuelGlobal != null) {
      fuel = instance.exports().global(fuelGlobal);
    }
    if (mode.startsWith("HAND_")) {
      Instance hand = compiled(TestModules.bytes("fuel_fib_variants.wasm"));
      fib = hand.export(mode.equals("HAND_GLOBAL") ? "fib_global" : mode.equals("HAND_PAIR") ? "fib_pair" : "fib_register");
      fuel = hand.exports().global("fuel");
      fuel.setValue(BUDGET);
      fib.apply(25);
      if (!mode.equals("HAND_REGISTER")) {
        TestModules.check("fuel consumed by " + mode + " fib(25)", 17L * (2 * 121_393 - 1), BUDGET - fuel.getValue());
      }
    }
    TestModules.check("fib(25)", 75_025, fib25());
    TestModules.check("sum(1_000_000)", 499_999_500_000L, sum1M());
    if (mode.equals("METERED")) {
      fuel.setValue(BUDGET);
      fib.apply(25);
      // 17 fuel per call of fib, 2 * fib(26) - 1 calls
      TestModules.check("fuel consumed by fib(25)", 17L * (2 * 121_393 - 1), BUDGET - fuel.getValue());
    }
  }

  private static Instance compiled(byte[] bytes) {
    WasmModule module = Parser.parse(bytes);
    return Instance.builder(module).withMachineFactory(MachineFactoryCompiler.compile(module)).build();
  }

  private static Object instrument(byte[] bytes) throws ReflectiveOperationException {
    Class<?> instrumenter = Class.forName("dev.wasmhost.internal.FuelInstrumenter");
    Method instrument = instrumenter.getDeclaredMethod("instrument", byte[].class);
    instrument.setAccessible(true);
    return invoke(instrument, null, (Object) bytes);
  }

  private static Object call(Object target, String accessor) throws ReflectiveOperationException {
    Method method = target.getClass().getDeclaredMethod(accessor);
    method.setAccessible(true);
    return invoke(method, target);
  }

  private static Object invoke(Method method, Object target, Object... args) throws IllegalAccessException {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw new IllegalStateException("cannot instrument fib.wasm", e.getCause());
    }
  }

  @Benchmark
  public long fib25() {
    if (fuel != null) {
      fuel.setValue(BUDGET);
    }
    return fib.apply(25)[0];
  }

  @Benchmark
  public long sum1M() {
    if (fuel != null) {
      fuel.setValue(BUDGET);
    }
    return sum.apply(1_000_000)[0];
  }
}
