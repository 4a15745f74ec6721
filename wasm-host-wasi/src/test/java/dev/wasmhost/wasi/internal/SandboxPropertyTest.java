package dev.wasmhost.wasi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever path a guest gives, resolution stays inside the mount: generated paths mix names, {@code
 * .}, {@code ..}, empty components and symbolic links that point inside, outside, absolute, to
 * themselves and through directories that climb out.
 */
class SandboxPropertyTest {
  private static Path base;
  private static Path root;
  private static Descriptor.Directory mount;
  private static Descriptor.Directory subdirectory;

  @BeforeContainer
  static void tree() throws IOException {
    base = Files.createTempDirectory("sandbox-property").toRealPath();
    root = Files.createDirectories(base.resolve("root"));
    Files.createDirectories(base.resolve("outside/deeper"));
    Files.writeString(base.resolve("outside/secret.txt"), "secret\n");
    Files.createDirectories(root.resolve("a/b"));
    Files.writeString(root.resolve("a/file.txt"), "a\n");
    Files.writeString(root.resolve("top.txt"), "top\n");
    Files.createSymbolicLink(root.resolve("in"), Path.of("a/b"));
    Files.createSymbolicLink(root.resolve("a/up"), Path.of(".."));
    Files.createSymbolicLink(root.resolve("a/out"), Path.of("../../outside"));
    Files.createSymbolicLink(root.resolve("abs"), base.resolve("outside"));
    Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
    Files.createSymbolicLink(root.resolve("a/b/back"), Path.of("../../a"));
    Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere/at/all"));
    mount = new Descriptor.Directory(root, List.of(), false, "/", Rights.DIRECTORY, Rights.ALL);
    subdirectory = new Descriptor.Directory(root, List.of("a", "b"), false, null, Rights.DIRECTORY, Rights.ALL);
  }

  @AfterContainer
  static void removeTree() throws IOException {
    try (var paths = Files.walk(base)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Provide
  Arbitrary<String> guestPaths() {
    Arbitrary<String> component =
        Arbitraries.of("a", "b", "..", ".", "", "in", "up", "out", "abs", "loop", "back", "dangling",
            "file.txt", "top.txt", "secret.txt", "outside", "root", "new");
    return component.list().ofMinSize(1).ofMaxSize(10).map(parts -> String.join("/", parts));
  }

  @Property(tries = 3000)
  void resolutionNeverLeavesTheMount(@ForAll("guestPaths") String path) throws IOException {
    for (Descriptor.Directory from : List.of(mount, subdirectory)) {
      for (boolean follow : new boolean[] {true, false}) {
        Sandbox.Resolved resolved;
        try {
          resolved = Sandbox.resolve(from, path, follow);
        } catch (WasiError refused) {
          assertThat(refused.errno).isIn(Errno.NOTCAPABLE, Errno.NOENT, Errno.NOTDIR, Errno.LOOP, Errno.INVAL);
          continue;
        }
        assertThat(resolved.components()).doesNotContain("..", ".", "");
        assertThat(resolved.path().normalize().startsWith(root)).as("%s stays under the root", resolved.path()).isTrue();
        // The last component may be a link that was not followed; everything before it is real.
        Path parent = resolved.path().getParent();
        if (!resolved.components().isEmpty() && Files.exists(parent)) {
          assertThat(parent.toRealPath().startsWith(root)).as("%s is really under the root", parent).isTrue();
        }
        if (follow && Files.exists(resolved.path())) {
          assertThat(resolved.path().toRealPath().startsWith(root)).as("%s leads under the root", resolved.path()).isTrue();
        }
        if (!follow && Files.isSymbolicLink(resolved.path())) {
          assertThat(Files.exists(resolved.path().getParent(), LinkOption.NOFOLLOW_LINKS)).isTrue();
        }
      }
    }
  }

  @Property(tries = 200)
  void absolutePathsAreRefused(@ForAll("guestPaths") String path) {
    for (Descriptor.Directory from : List.of(mount, subdirectory)) {
      try {
        Sandbox.resolve(from, "/" + path, true);
        throw new AssertionError("resolved the absolute path /" + path);
      } catch (WasiError refused) {
        assertThat(refused.errno).isEqualTo(Errno.NOTCAPABLE);
      }
    }
  }
}
