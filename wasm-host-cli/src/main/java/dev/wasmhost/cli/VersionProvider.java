package dev.wasmhost.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * Supplies the {@code --version} text: the project version, which Maven writes into {@code
 * version.properties} next to this class at build time, and the Java runtime.
 */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {
      "wasm-host " + projectVersion(),
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"
    };
  }

  /** The version built into the jar, or {@code unknown} when the resource is missing or unfiltered. */
  static String projectVersion() {
    Properties properties = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read version.properties", e);
    }
    String version = properties.getProperty("version", "unknown");
    return version.startsWith("${") ? "unknown" : version;
  }
}
