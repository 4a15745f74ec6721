package dev.wasmhost.wasi;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * One case of {@code testdata/wasi/cases}: a program, its arguments, environment, stdin and
 * mounts, with the stdout and exit code a reference runtime gave (see testdata/wasi/README.md).
 */
record WasiCase(
    String name, Path program, List<String> args, List<String> env, Path stdin, List<String> mounts,
    String reference, byte[] expectedStdout, int expectedExit) {

  static final Path HOME = findHome();

  private static Path findHome() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("testdata/wasi");
      if (Files.isDirectory(candidate.resolve("cases"))) {
        return candidate;
      }
    }
    throw new IllegalStateException("testdata/wasi not found above " + Path.of("").toAbsolutePath());
  }

  static List<WasiCase> all() throws IOException {
    List<WasiCase> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(HOME.resolve("cases"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".properties")).sorted().toList()) {
        cases.add(read(file));
      }
    }
    return cases;
  }

  static WasiCase named(String name) throws IOException {
    return read(HOME.resolve("cases").resolve(name + ".properties"));
  }

  private static WasiCase read(Path file) throws IOException {
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
      p.load(in);
    }
    String name = file.getFileName().toString().replace(".properties", "");
    String stdin = p.getProperty("stdin", "").trim();
    return new WasiCase(
        name,
        HOME.resolve(p.getProperty("program").trim()),
        words(p.getProperty("args")),
        words(p.getProperty("env")),
        stdin.isEmpty() ? null : HOME.resolve(stdin),
        words(p.getProperty("mounts")),
        p.getProperty("reference", "node").trim(),
        Files.readAllBytes(file.resolveSibling(name + ".stdout")),
        Integer.parseInt(Files.readString(file.resolveSibling(name + ".exit")).trim()));
  }

  private static List<String> words(String value) {
    if (value == null || value.isBlank()) {
      return List.of();
    }
    return Arrays.stream(value.trim().split("\\s+")).toList();
  }

  @Override
  public String toString() {
    return name;
  }
}
