package dev.wasmhost.bench;

import com.dylibso.chicory.compiler.MachineFactoryCompiler;
import com.dylibso.chicory.runtime.ExportFunction;
import com.dylibso.chicory.wasm.Parser;
import dev.wasmhost.Engine;
import dev.wasmhost.Instance;
import dev.wasmhost.WasmLoader;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import java.util.function.LongUnaryOperator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Guest compute speed: the two functions of {@code testdata/wasm/fib.wat}, {@code fib(i64) -> i64}
 * (naive recursion, {@code fib(25)} makes 242,785 calls) and {@code sum(i32) -> i64} (a loop adding
 * {@code 0..n-1}), done the same way by each {@link #way}:
 *
 * <ul>
 *   <li>{@code JAVA}: plain Java methods doing exactly the same computation, the ceiling;
 *   <li>{@code COMPILER}: wasm-host on {@link Engine#COMPILER}, typed handles from an {@link
 *       Instance}: a {@code LongUnaryOperator} for {@code fib}, an {@code IntToLongFunction} for
 *       {@code sum};
 *   <li>{@code INTERPRETER}: the same on {@link Engine#INTERPRETER};
 *   <li>{@code RAW_CHICORY}: Chicory's own API, one {@code MachineFactoryCompiler.compile(module)}
 *       factory and a cached {@code ExportFunction}, the floor under {@code COMPILER}.
 * </ul>
 *
 * <p>Node 20's V8 running the same {@code fib.wasm} is measured by {@code bench-tools/node-bench.mjs},
 * which writes results in this benchmark's JSON shape with {@code way=NODE_V8}; {@code
 * bench-tools/charts.py} draws both. All ways use the same inputs, so the interpreter is about 150×
 * (fib) to 400× (sum) slower than the compiler: its score is tens of milliseconds per operation, still
 * many operations per 2 s iteration.
 *
 * <p>Run, from the repository root after {@code mvn -o -q -f wasm-host-bench/pom.xml -DskipTests
 * package}:
 *
 * <pre>
 * java -jar wasm-host-bench/target/benchmarks.jar ComputeBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -rf json -rff /tmp/compute.json
 * node bench-tools/node-bench.mjs &gt; /tmp/node.json
 * python3 bench-tools/charts.py /tmp/compute.json /tmp/node.json -o docs/charts/ --order JAVA,COMPILER,RAW_CHICORY,NODE_V8,INTERPRETER --baseline COMPILER
 * </pre>
 *
 * <p>To give the interpreter fewer iterations, run it on its own with {@code -p way=INTERPRETER -wi 2
 * -i 3} and the others with {@code -p way=JAVA,COMPILER,RAW_CHICORY}; {@code charts.py} merges any
 * number of result files.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ComputeBenchmark {

  /** Who computes: {@code JAVA}, an {@link Engine} name, or {@code RAW_CHICORY}. */
  @Param({"JAVA", "COMPILER", "INTERPRETER", "RAW_CHICORY"})
  public String way;

  /* Inputs live in fields, not constants, so the JIT cannot fold the calls away. */
  private long fibN = 25;
  private int sumN = 100_000;

  private Instance instance;
  private LongUnaryOperator fib;
  private IntToLongFunction sum;

  @Setup(Level.Trial)
  public void setUp() {
    byte[] bytes = TestModules.bytes("fib.wasm");
    switch (way) {
      case "JAVA":
        fib = ComputeBenchmark::javaFib;
        sum = ComputeBenchmark::javaSum;
        break;
      case "COMPILER":
      case "INTERPRETER":
        instance = WasmLoader.builder().engine(Engine.valueOf(way)).build().load(bytes).instantiate();
        fib = instance.function("fib", LongUnaryOperator.class);
        sum = instance.function("sum", IntToLongFunction.class);
        break;
      case "RAW_CHICORY":
        com.dylibso.chicory.wasm.WasmModule parsed = Parser.parse(bytes);
        com.dylibso.chicory.runtime.Instance raw =
            com.dylibso.chicory.runtime.Instance.builder(parsed)
                .withMachineFactory(MachineFactoryCompiler.compile(parsed))
                .build();
        ExportFunction rawFib = raw.export("fib");
        ExportFunction rawSum = raw.export("sum");
        fib = n -> rawFib.apply(n)[0];
        sum = n -> rawSum.apply(n)[0];
        break;
      default:
        throw new IllegalArgumentException("unknown way " + way);
    }
    TestModules.check(way + " fib(25)", 75_025L, fib());
    TestModules.check(way + " sum(100000)", 4_999_950_000L, sum());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (instance != null) {
      instance.close();
    }
  }

  /** {@code fib(25)}: 242,785 calls, call overhead and i64 arithmetic. */
  @Benchmark
  public long fib() {
    return fib.applyAsLong(fibN);
  }

  /** {@code sum(100000)}: one loop of 100,000 iterations, branches and i64 adds. */
  @Benchmark
  public long sum() {
    return sum.applyAsLong(sumN);
  }

  /** {@code fib} of {@code fib.wat}, in Java. */
  static long javaFib(long n) {
    return n < 2 ? n : javaFib(n - 1) + javaFib(n - 2);
  }

  /** {@code sum} of {@code fib.wat}, in Java: {@code 0 + 1 + ... + (n - 1)} as a long. */
  static long javaSum(int n) {
    long acc = 0;
    for (int i = 0; i < n; i++) {
      acc += i;
    }
    return acc;
  }
}
