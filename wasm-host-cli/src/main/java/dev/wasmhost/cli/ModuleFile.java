package dev.wasmhost.cli;

import dev.wasmhost.LoadException;
import dev.wasmhost.Loader;
import dev.wasmhost.WasmModule;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The {@code FILE} parameter of a command: a file path, or a URI when the text starts with a scheme.
 *
 * <p>A scheme is a letter followed by at least one more letter, digit, {@code +}, {@code -} or
 * {@code .}, then a colon ({@code file:}, {@code https:}, {@code classpath:}, ...). One letter and a
 * colon is a Windows drive, so {@code C:\mods\a.wasm} is a path.
 */
final class ModuleFile {
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

  private ModuleFile() {}

  /**
   * Loads the module named by {@code text} with {@code loader}.
   *
   * @throws LoadException if {@code text} is neither a well-formed URI (when it has a scheme) nor a
   *     valid path, or the loader cannot read it
   */
  static WasmModule load(Loader loader, String text) {
    if (SCHEME.matcher(text).find()) {
      URI uri;
      try {
        uri = new URI(text);
      } catch (URISyntaxException e) {
        String where = e.getIndex() >= 0 ? " at index " + e.getIndex() : "";
        throw new LoadException("cannot load " + text + ": malformed URI (" + e.getReason() + where + ")", e);
      }
      return loader.load(uri);
    }
    Path path;
    try {
      path = Path.of(text);
    } catch (InvalidPathException e) {
      throw new LoadException("cannot load " + text + ": invalid path (" + e.getReason() + ")", e);
    }
    return loader.load(path);
  }
}
