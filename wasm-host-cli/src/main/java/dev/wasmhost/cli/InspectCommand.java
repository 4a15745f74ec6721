package dev.wasmhost.cli;

import dev.wasmhost.Engine;
import dev.wasmhost.Loader;
import dev.wasmhost.MemoryType;
import dev.wasmhost.ModuleExport;
import dev.wasmhost.ModuleImport;
import dev.wasmhost.WasmLoader;
import dev.wasmhost.WasmModule;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code wasm-host inspect FILE}: loads and validates a module, then describes it without running
 * any of its code.
 *
 * <pre>
 * $ wasm-host inspect imports.wasm
 * digest: sha256:3f1c...
 * source: file:///home/me/imports.wasm
 * size: 153 bytes
 * memory: memory 1.. pages
 * imports:
 *   func env.add: (i32, i32) -&gt; i32
 *   func env.log: (i32, i32) -&gt; ()
 *   func env.now: () -&gt; i64
 * exports:
 *   memory memory
 *   func call_add: (i32, i32) -&gt; i32
 *   func log_hello: () -&gt; ()
 *   func now: () -&gt; i64
 * </pre>
 *
 * <p>The lines are, in order: the SHA-256 digest of the bytes (the module's identity), where it was
 * loaded from, its size, its memory ({@code none} when it has none), then each import and each
 * export in declaration order, indented by two spaces (a section with none is just its heading). The
 * format of each entry is that of {@link MemoryType#toString()}, {@link ModuleImport#toString()} and
 * {@link ModuleExport#toString()}.
 *
 * <p>Since nothing runs, the module is loaded with the interpreter engine and is not compiled; a
 * module that needs imports can be inspected. Errors are those of loading: exit code 3 when the bytes
 * cannot be read, 4 when they are not a valid module.
 */
@Command(
    name = "inspect",
    mixinStandardHelpOptions = true,
    description = "Prints a module's digest, source, size, memory, imports and exports.")
public final class InspectCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--disk-cache",
      paramLabel = "DIR",
      description = "Also tell whether DIR holds the module's compiled code.")
  private java.nio.file.Path diskCache;

  @Parameters(index = "0", paramLabel = "FILE", description = "The module: a file path or a URI.")
  private String file;

  /** Creates the command; picocli fills in its parameter. */
  public InspectCommand() {}

  /**
   * Loads the module and prints its description.
   *
   * @return exit code 0; failures are thrown and mapped to exit codes by the top-level command
   */
  @Override
  public Integer call() {
    Loader.Builder builder = WasmLoader.builder().engine(Engine.INTERPRETER);
    if (diskCache != null) {
      builder.diskCache(diskCache);
    }
    Loader loader = builder.build();
    WasmModule module = ModuleFile.load(loader, file);
    PrintWriter out = spec.commandLine().getOut();
    out.println("digest: " + module.digest());
    out.println("source: " + module.source());
    out.println("size: " + module.sizeBytes() + " bytes");
    out.println("memory: " + module.memory().map(MemoryType::toString).orElse("none"));
    if (diskCache != null) {
      out.println("disk cache: " + (loader.diskCacheHolds(module) ? "compiled code present" : "not cached") + " in " + diskCache);
    }
    out.println("imports:");
    for (ModuleImport moduleImport : module.imports()) {
      out.println("  " + moduleImport);
    }
    out.println("exports:");
    for (ModuleExport export : module.exports()) {
      out.println("  " + export);
    }
    out.flush();
    return 0;
  }
}
