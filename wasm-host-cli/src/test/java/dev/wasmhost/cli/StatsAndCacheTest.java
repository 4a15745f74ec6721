package dev.wasmhost.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code call --stats}, {@code call --disk-cache} and {@code inspect --disk-cache}. */
class StatsAndCacheTest {
  private static final String FIB = Path.of("..", "testdata", "wasm", "fib.wasm").toString();
  private static final String TRAPS = Path.of("..", "testdata", "wasm", "traps.wasm").toString();

  @Test
  void statsGoToStandardErrorAfterTheResult() {
    MainTest.Run run = MainTest.run("call", "--stats", "--engine", "compiler", FIB, "fib", "20");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).isEqualTo("6765\n");
    assertThat(run.errLines())
        .contains("stats: loads 1 (cache hits 0, misses 1)", "stats: instantiations 1")
        .anySatisfy(line -> assertThat(line).startsWith("stats: compilations 1 ("))
        .anySatisfy(line -> assertThat(line).startsWith("stats: call fib: 1 ok, 0 trapped, 0 timed out, latency p50 "));
  }

  @Test
  void statsArePrintedEvenWhenTheCallTraps() {
    MainTest.Run run = MainTest.run("call", "--stats", TRAPS, "unreachable");
    assertThat(run.exitCode()).isEqualTo(7);
    assertThat(run.errLines())
        .anySatisfy(line -> assertThat(line).startsWith("stats: call unreachable: 0 ok, 1 trapped"))
        .last()
        .satisfies(line -> assertThat(line).startsWith("wasm-host: "));
  }

  @Test
  void aDiskCacheFilledByOneRunIsSeenByInspectAndHitByTheNext(@TempDir Path dir) {
    String cache = dir.resolve("cache").toString();
    assertThat(MainTest.run("inspect", "--disk-cache", cache, FIB).outLines())
        .contains("disk cache: not cached in " + cache);

    MainTest.Run first = MainTest.run("call", "--stats", "--engine", "compiler", "--disk-cache", cache, FIB, "fib", "10");
    assertThat(first.out()).isEqualTo("55\n");
    assertThat(first.errLines()).contains("stats: disk cache hits 0, misses 1, writes 1, corrupt 0");

    assertThat(MainTest.run("inspect", "--disk-cache", cache, FIB).outLines())
        .contains("disk cache: compiled code present in " + cache);
    MainTest.Run second = MainTest.run("call", "--stats", "--engine", "compiler", "--disk-cache", cache, FIB, "fib", "10");
    assertThat(second.out()).isEqualTo("55\n");
    assertThat(second.errLines()).contains("stats: disk cache hits 1, misses 0, writes 0, corrupt 0");
  }
}
