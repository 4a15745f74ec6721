package dev.wasmhost.internal;

import com.dylibso.chicory.runtime.GlobalInstance;
import com.dylibso.chicory.runtime.Instance;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Deterministic fuel metering by rewriting a module's binary at load time. Chicory has no instruction
 * metering, so wasm-host adds it to the module itself: the rewritten module counts its own work in a
 * global and traps when the count runs out.
 *
 * <h2>What the rewrite adds</h2>
 *
 * <ul>
 *   <li><b>One global</b>, {@code (global (mut i64) (i64.const initialFuel))}, appended to the global
 *       section (the section is created if absent). Appending a defined global keeps every existing
 *       global index unchanged; the new index is {@code importedGlobals + definedGlobals}.
 *   <li><b>One export</b> of that global, appended to the export section (created if absent), named
 *       {@value #FUEL_GLOBAL} or, if the module already exports that name, the first free name among
 *       {@code __wasmhost_fuel_1}, {@code __wasmhost_fuel_2}, ...
 *   <li><b>One local</b> per function, {@code $fuel} of type i64, declared after the function's own
 *       locals (a new group at the end of its local declarations), so its index is the parameter count
 *       plus the count of the function's own locals and every existing local keeps its index.
 *   <li><b>A charge</b> at the start of every function body (after its local declarations) and at the
 *       start of every {@code loop} body (after its block type):
 *       <pre>
 *   global.get $fuel    ;; at a function's start; local.get $fuel at a loop's
 *   i64.const  C        ;; the cost of the region that follows, see below
 *   i64.sub
 *   local.tee  $fuel
 *   i64.const  0
 *   i64.lt_s
 *   if
 *     local.get  $fuel  ;; out of fuel: the global shows it
 *     global.set $fuel
 *     unreachable
 *   end</pre>
 *       Six instructions run per charge when fuel remains, none of them on the global inside a loop.
 *       The sequence is stack-neutral, so it is valid even where a multi-value loop has parameters on
 *       the stack.
 *   <li><b>Saves and loads</b> of the fuel between the local and the global, {@code local.get $fuel;
 *       global.set $fuel} and {@code global.get $fuel; local.set $fuel}, where the next section says.
 * </ul>
 *
 * Every other section is copied byte for byte. The code section keeps its function count; only the
 * local declarations, the body sizes and the section size are re-encoded (as minimal LEB128). Custom
 * sections that hold code offsets (DWARF {@code .debug_*}, branch hints) are copied unchanged and so
 * go stale.
 *
 * <h2>Where the fuel is</h2>
 *
 * The compiler reaches a global through {@code Instance.global(i)}, a chain of loads the JIT cannot
 * keep in a register, but a local is a JVM local. So a function keeps its fuel in {@code $fuel} and
 * the global is current only where other code can see it. At each point of a body the fuel is in the
 * local, in the global, or in both; a forward pass over the body (one pass suffices: every branch back
 * goes to a loop, whose charge leaves the fuel in the local) finds which, and inserts:
 *
 * <ul>
 *   <li>a <b>save</b> where the global must be current and only the local is: before every {@code
 *       call}, {@code call_indirect} and {@code call_ref} (the callee, a host function included, reads
 *       and charges the global), every tail call ({@code return_call*}, which does not come back), every
 *       {@code return}, every branch ({@code br}, {@code br_if}, {@code br_table}, {@code br_on_null},
 *       {@code br_on_non_null}) that may target the function's own label, and the final {@code end};
 *   <li>a <b>load</b> where the local must be current and only the global is: before a {@code loop}
 *       or a branch back to one. After a call only the global is current, and the local is not loaded
 *       until it is needed, so a function that only calls and returns (a recursive fib) touches the
 *       global once at entry and once before its first call or its exit;
 *   <li>at the end of a {@code block} or {@code if}, where paths meet with the fuel only in the local
 *       on some and only in the global on others, a save on the first or a load on the second (before
 *       the branch, {@code else} or {@code end} that ends the path; for an {@code if} without {@code
 *       else}, before the {@code if}): on the side whose paths run inside fewer loops nested in the
 *       block; if that is a tie, saves outside loops and loads inside them.
 * </ul>
 *
 * A save before a {@code br_if} or {@code br_table} runs whether or not the branch is taken. None of
 * these instructions are charged: the cost model below counts the original instructions only.
 *
 * <h2>Cost model</h2>
 *
 * A function body or a loop body is a <em>region</em>, minus the loops nested in it, which are regions
 * of their own. The {@code loop} opcode belongs to the enclosing region; everything from its block type
 * up to and including its matching {@code end} belongs to the loop. A charge costs the number of
 * instructions (opcodes, each prefixed {@code 0xFC}/{@code 0xFD}/{@code 0xFE} instruction counting
 * once, {@code else} and {@code end} included) in its region. So:
 *
 * <ul>
 *   <li>Fuel is a pure function of the module and the path taken through it: the same module with the
 *       same input consumes exactly the same fuel in the interpreter and in the compiler, run after run.
 *   <li>Fuel is an <em>upper bound</em> on the instructions executed, exact for straight-line code.
 *       Within a region control only moves forward (a branch back goes to a loop label, which is the
 *       start of a region and charges again; a call returns to where it left), so each instruction of a
 *       region runs at most once per charge of that region. Branches not taken (the other arm of an
 *       {@code if}, code after an early {@code br} or {@code return}) are still paid for.
 *   <li>The overhead is one charge per call and one per loop iteration, whatever the cost model; a
 *       region's cost is a constant baked into its charge. Only calls and exits touch the global.
 * </ul>
 *
 * <h2>Detecting exhaustion</h2>
 *
 * The host sets the global before a call ({@link #setFuel}) and reads it after ({@link #fuel}). A
 * charge leaves the fuel at {@code before - cost} and traps only if that is negative, writing it to
 * the global first, so after a trap a negative global means the trap was fuel exhaustion. After a
 * call that returns, or one that traps for lack of fuel, the global is exact. After any other trap
 * (an {@code unreachable} of the guest's own, a division by zero, an out-of-bounds access, a host
 * function's exception, a stack overflow) it may be <em>stale</em>: the fuel consumed since the last
 * save is lost, so it is at least the true value, at most the budget, and never negative. Fuel
 * consumed by a call is {@link #consumed consumed(before, after)}, exact except after such a trap,
 * where it may be lower. Host functions the guest calls see the exact fuel in the global, and may
 * change it: the caller continues from what they leave there. The global starts at {@code
 * initialFuel}, by default {@link Long#MAX_VALUE} (unlimited): the module's {@code start} function
 * runs during instantiation, before the host has a chance to set a budget.
 *
 * <h2>What is decoded, and what is not supported</h2>
 *
 * The code section is walked instruction by instruction, skipping every immediate: the MVP,
 * sign-extension, saturating truncation and bulk memory ({@code 0xFC}), reference types and typed
 * function references ({@code ref.null} heap types, {@code call_ref}, {@code br_on_null}, ...),
 * multi-value block types (s33 type indices), tail calls, multi-memory memargs, SIMD and relaxed SIMD
 * ({@code 0xFD}, memargs, lane indices, 16-byte immediates) and threads ({@code 0xFE}). Exception
 * handling ({@code try_table}, {@code throw}, {@code throw_ref}, and the legacy {@code try}/{@code
 * catch}) and GC ({@code 0xFB}) are rejected with an {@link IllegalArgumentException} whose message
 * starts with {@code "fuel metering does not support"}: an exception unwinds across regions, which
 * the cost model above does not account for. The input must be a module Chicory has already decoded
 * and validated; anything malformed still fails with an {@link IllegalArgumentException}, never with
 * an index error.
 *
 * <p>Stateless and thread-safe.
 */
final class FuelInstrumenter {
  /** The preferred name of the exported fuel global. */
  static final String FUEL_GLOBAL = "__wasmhost_fuel";

  /** The initial fuel when none is given: in effect unlimited, until the host sets a budget. */
  static final long UNLIMITED = Long.MAX_VALUE;

  /** What {@link #instrument} added, beside the rewritten bytes. */
  static final class Instrumented {
    private final byte[] bytes;
    private final String fuelGlobal;
    private final int fuelGlobalIndex;
    private final int chargePoints;

    Instrumented(byte[] bytes, String fuelGlobal, int fuelGlobalIndex, int chargePoints) {
      this.bytes = bytes;
      this.fuelGlobal = fuelGlobal;
      this.fuelGlobalIndex = fuelGlobalIndex;
      this.chargePoints = chargePoints;
    }

    /** The rewritten module; the caller owns the array. */
    byte[] bytes() {
      return bytes;
    }

    /** The export name of the fuel global. */
    String fuelGlobal() {
      return fuelGlobal;
    }

    /** The fuel global's index in the global index space. */
    int fuelGlobalIndex() {
      return fuelGlobalIndex;
    }

    /** How many charges were inserted: one per defined function plus one per loop. */
    int chargePoints() {
      return chargePoints;
    }

    @Override
    public String toString() {
      return "Instrumented[" + bytes.length + " bytes, global " + fuelGlobal + " (index " + fuelGlobalIndex
          + "), " + chargePoints + " charge points]";
    }
  }

  private static final int SECTION_TYPE = 1;
  private static final int SECTION_IMPORT = 2;
  private static final int SECTION_FUNCTION = 3;
  private static final int SECTION_GLOBAL = 6;
  private static final int SECTION_EXPORT = 7;
  private static final int SECTION_CODE = 10;

  private FuelInstrumenter() {}

  /** {@link #instrument(byte[], long)} with {@link #UNLIMITED} initial fuel. */
  static Instrumented instrument(byte[] module) {
    return instrument(module, UNLIMITED);
  }

  /**
   * Rewrites {@code module} (already decoded and validated by Chicory) to meter its own fuel.
   *
   * @param initialFuel the global's initial value, which bounds the {@code start} function
   * @throws IllegalArgumentException if the module uses a feature fuel metering does not support
   *     (the message starts with {@code "fuel metering does not support"}), or is malformed
   */
  static Instrumented instrument(byte[] module, long initialFuel) {
    Objects.requireNonNull(module, "module");
    if (initialFuel < 0) {
      throw new IllegalArgumentException("initial fuel must not be negative: " + initialFuel);
    }
    Cursor in = new Cursor(module, 0, module.length);
    if (module.length < 8
        || module[0] != 0 || module[1] != 'a' || module[2] != 's' || module[3] != 'm'
        || module[4] != 1 || module[5] != 0 || module[6] != 0 || module[7] != 0) {
      throw new IllegalArgumentException("malformed module: not a WebAssembly 1.0 core module");
    }
    in.pos = 8;

    // First pass: where each section is, and what the index spaces and export names hold.
    int sectionCount = 0;
    int[] ids = new int[16];
    int[] starts = new int[16]; // of the section header
    int[] bodies = new int[16]; // of the section contents
    int[] ends = new int[16];
    int importedGlobals = 0;
    int importedFunctions = 0;
    int definedGlobals = 0;
    int[] typeParams = new int[0]; // by type index; -1 for a type that is not a function type
    int[] functionTypes = new int[0]; // by defined function
    Set<String> exportNames = new HashSet<>();
    while (in.pos < module.length) {
      int start = in.pos;
      int id = in.u8();
      int size = in.u32();
      int body = in.pos;
      int end = in.skip(size);
      if (sectionCount == ids.length) {
        ids = Arrays.copyOf(ids, sectionCount * 2);
        starts = Arrays.copyOf(starts, sectionCount * 2);
        bodies = Arrays.copyOf(bodies, sectionCount * 2);
        ends = Arrays.copyOf(ends, sectionCount * 2);
      }
      ids[sectionCount] = id;
      starts[sectionCount] = start;
      bodies[sectionCount] = body;
      ends[sectionCount] = end;
      sectionCount++;
      Cursor section = new Cursor(module, body, end);
      if (id == SECTION_IMPORT) {
        int count = section.u32();
        for (int i = 0; i < count; i++) {
          section.skipName();
          section.skipName();
          int kind = section.u8();
          switch (kind) {
            case 0x00: // function: type index
              section.u32();
              importedFunctions++;
              break;
            case 0x01: // table: reference type, limits
              section.skipValType();
              section.skipLimits();
              break;
            case 0x02: // memory: limits
              section.skipLimits();
              break;
            case 0x03: // global: value type, mutability
              section.skipValType();
              section.u8();
              importedGlobals++;
              break;
            case 0x04: // tag: attribute, type index
              section.u8();
              section.u32();
              break;
            default:
              throw malformed("unknown import kind 0x" + Integer.toHexString(kind), section.pos - 1);
          }
        }
      } else if (id == SECTION_TYPE) {
        typeParams = readTypeParams(section);
      } else if (id == SECTION_FUNCTION) {
        int count = section.u32();
        if (count > end - section.pos) { // each type index takes a byte at least
          throw malformed("function section counts " + count + " functions", body);
        }
        functionTypes = new int[count];
        for (int i = 0; i < functionTypes.length; i++) {
          functionTypes[i] = section.u32();
        }
      } else if (id == SECTION_GLOBAL) {
        definedGlobals = section.u32();
      } else if (id == SECTION_EXPORT) {
        int count = section.u32();
        for (int i = 0; i < count; i++) {
          exportNames.add(section.name());
          section.u8(); // kind
          section.u32(); // index
        }
      }
    }

    int globalIndex = importedGlobals + definedGlobals;
    String name = FUEL_GLOBAL;
    for (int i = 1; exportNames.contains(name); i++) {
      name = FUEL_GLOBAL + "_" + i;
    }

    // Second pass: copy, rewriting the global, export and code sections.
    Out out = new Out(module.length + module.length / 4 + 64);
    out.write(module, 0, 8);
    boolean globalsWritten = false;
    boolean exportsWritten = false;
    int chargePoints = 0;
    for (int s = 0; s < sectionCount; s++) {
      int id = ids[s];
      int order = order(id);
      if (!globalsWritten && order > order(SECTION_GLOBAL)) {
        writeGlobalSection(out, null, 0, 0, initialFuel);
        globalsWritten = true;
      }
      if (!exportsWritten && order > order(SECTION_EXPORT)) {
        writeExportSection(out, null, 0, 0, name, globalIndex);
        exportsWritten = true;
      }
      if (id == SECTION_GLOBAL) {
        writeGlobalSection(out, module, bodies[s], ends[s], initialFuel);
        globalsWritten = true;
      } else if (id == SECTION_EXPORT) {
        writeExportSection(out, module, bodies[s], ends[s], name, globalIndex);
        exportsWritten = true;
      } else if (id == SECTION_CODE) {
        chargePoints +=
            writeCodeSection(
                out, module, bodies[s], ends[s], globalIndex, importedFunctions, typeParams, functionTypes);
      } else {
        out.write(module, starts[s], ends[s] - starts[s]);
      }
    }
    if (!globalsWritten) {
      writeGlobalSection(out, null, 0, 0, initialFuel);
    }
    if (!exportsWritten) {
      writeExportSection(out, null, 0, 0, name, globalIndex);
    }
    return new Instrumented(out.toByteArray(), name, globalIndex, chargePoints);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers for the host.

  /**
   * The fuel global of an instance of an instrumented module. Looking it up costs a map lookup, so a
   * caller on a hot path keeps the result for the instance's lifetime.
   */
  static GlobalInstance fuelGlobal(Instance instance, String fuelGlobal) {
    return instance.exports().global(fuelGlobal);
  }

  /** Sets the remaining fuel, typically before a call. */
  static void setFuel(Instance instance, String fuelGlobal, long fuel) {
    setFuel(fuelGlobal(instance, fuelGlobal), fuel);
  }

  /** Sets the remaining fuel, typically before a call. */
  static void setFuel(GlobalInstance global, long fuel) {
    if (fuel < 0) {
      throw new IllegalArgumentException("fuel must not be negative: " + fuel);
    }
    global.setValue(fuel);
  }

  /** The remaining fuel; negative once a charge has trapped for lack of fuel. */
  static long fuel(Instance instance, String fuelGlobal) {
    return fuelGlobal(instance, fuelGlobal).getValue();
  }

  /** The remaining fuel; negative once a charge has trapped for lack of fuel. */
  static long fuel(GlobalInstance global) {
    return global.getValue();
  }

  /** Whether fuel read after a trap shows that the trap was fuel exhaustion. */
  static boolean exhausted(long fuelAfter) {
    return fuelAfter < 0;
  }

  /**
   * The fuel a call consumed, from the fuel set before it and read after it. An exhausted call
   * consumed all of its budget: the overdraft of the charge that trapped is not counted.
   */
  static long consumed(long fuelBefore, long fuelAfter) {
    return fuelBefore - Math.max(0, Math.min(fuelAfter, fuelBefore));
  }

  // ---------------------------------------------------------------------------------------------
  // Sections.

  /** The position of a section id in the order the spec requires; custom and unknown sections: 0. */
  private static int order(int id) {
    switch (id) {
      case 1: // type
      case 2: // import
      case 3: // function
      case 4: // table
      case 5: // memory
        return id;
      case 13: // tag
        return 6;
      case 6: // global
      case 7: // export
      case 8: // start
      case 9: // element
        return id + 1;
      case 12: // data count
        return 11;
      case 10: // code
        return 12;
      case 11: // data
        return 13;
      default:
        return 0;
    }
  }

  private static void writeGlobalSection(Out out, byte[] module, int body, int end, long initialFuel) {
    Out contents = new Out(end - body + 16);
    int count = 0;
    int entries = body;
    if (module != null) {
      Cursor in = new Cursor(module, body, end);
      count = in.u32();
      entries = in.pos;
    }
    contents.u32(count + 1L);
    if (module != null) {
      contents.write(module, entries, end - entries);
    }
    contents.u8(0x7E); // i64
    contents.u8(0x01); // mutable
    contents.u8(0x42); // i64.const
    contents.s64(initialFuel);
    contents.u8(0x0B); // end
    out.section(SECTION_GLOBAL, contents);
  }

  private static void writeExportSection(Out out, byte[] module, int body, int end, String name, int globalIndex) {
    Out contents = new Out(end - body + 32);
    int count = 0;
    int entries = body;
    if (module != null) {
      Cursor in = new Cursor(module, body, end);
      count = in.u32();
      entries = in.pos;
    }
    contents.u32(count + 1L);
    if (module != null) {
      contents.write(module, entries, end - entries);
    }
    byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
    contents.u32(utf8.length);
    contents.write(utf8, 0, utf8.length);
    contents.u8(0x03); // global
    contents.u32(globalIndex);
    out.section(SECTION_EXPORT, contents);
  }

  /**
   * The parameter count of each type in a type section, by type index; -1 for a type that is not a
   * function type. Handles GC's recursion groups and subtypes, which each define one type index.
   */
  private static int[] readTypeParams(Cursor in) {
    int count = in.u32();
    int[] params = new int[Math.min(count, 1 << 16)];
    int types = 0;
    for (int i = 0; i < count; i++) {
      int form = in.u8();
      int members = 1;
      if (form == 0x4E) { // rec: a vector of subtypes
        members = in.u32();
        form = -1;
      }
      for (int m = 0; m < members; m++) {
        if (form < 0) {
          form = in.u8();
        }
        if (form == 0x50 || form == 0x4F) { // sub, sub final: supertypes, then the composite type
          int supertypes = in.u32();
          for (int s = 0; s < supertypes; s++) {
            in.u32();
          }
          form = in.u8();
        }
        if (types == params.length) {
          params = Arrays.copyOf(params, types * 2 + 1);
        }
        params[types++] = readCompositeType(in, form);
        form = -1;
      }
    }
    return Arrays.copyOf(params, types);
  }

  /** Skips a composite type after its form byte; returns its parameter count, -1 if not a function. */
  private static int readCompositeType(Cursor in, int form) {
    switch (form) {
      case 0x60: { // func: parameters, results
        int params = in.u32();
        for (int p = 0; p < params; p++) {
          in.skipValType();
        }
        int results = in.u32();
        for (int r = 0; r < results; r++) {
          in.skipValType();
        }
        return params;
      }
      case 0x5F: { // struct: fields
        int fields = in.u32();
        for (int f = 0; f < fields; f++) {
          in.skipValType(); // a value type or a packed type (0x78, 0x77)
          in.u8(); // mutability
        }
        return -1;
      }
      case 0x5E: // array: one field
        in.skipValType();
        in.u8();
        return -1;
      default:
        throw malformed("unknown type form 0x" + Integer.toHexString(form), in.pos - 1);
    }
  }

  /** Writes the code section with metering inserted; returns the number of charges. */
  private static int writeCodeSection(
      Out out,
      byte[] module,
      int body,
      int end,
      int globalIndex,
      int importedFunctions,
      int[] typeParams,
      int[] functionTypes) {
    Cursor in = new Cursor(module, body, end);
    int count = in.u32();
    if (count != functionTypes.length) {
      throw malformed("code section has " + count + " bodies for " + functionTypes.length + " functions", body);
    }
    Out contents = new Out(end - body + (end - body) / 3 + 16);
    contents.u32(count);
    int charges = 0;
    Plan plan = new Plan();
    Out function = new Out(256);
    for (int f = 0; f < count; f++) {
      int size = in.u32();
      int start = in.pos;
      int bodyEnd = in.skip(size);
      int functionIndex = importedFunctions + f;
      int type = functionTypes[f];
      if (type < 0 || type >= typeParams.length || typeParams[type] < 0) {
        throw malformed("function " + functionIndex + " has no function type", start);
      }
      plan.reset(typeParams[type]);
      scanBody(module, start, bodyEnd, functionIndex, plan);
      function.reset();
      writeBody(function, module, bodyEnd, globalIndex, plan);
      contents.u32(function.size());
      contents.append(function);
      charges += plan.regionCount;
    }
    if (in.pos != end) {
      throw malformed("code section has trailing bytes", in.pos);
    }
    out.section(SECTION_CODE, contents);
    return charges;
  }

  /** Writes one body: its locals with the fuel local appended, then the code with the plan's insertions. */
  private static void writeBody(Out out, byte[] code, int bodyEnd, int globalIndex, Plan plan) {
    out.u32(plan.localGroups + 1L);
    out.write(code, plan.localsStart, plan.codeStart - plan.localsStart);
    out.u8(0x01); // one local
    out.u8(0x7E); // i64
    long local = plan.fuelLocal;
    plan.sortFixes();
    int copied = plan.codeStart;
    int r = 0;
    int x = 0;
    while (r < plan.regionCount || x < plan.fixCount) {
      // At the same offset a charge (the start of a region) goes before a fix (before an instruction).
      boolean charge = x == plan.fixCount || (r < plan.regionCount && plan.regionOffsets[r] <= plan.fixOffsets[x]);
      int at = charge ? plan.regionOffsets[r] : plan.fixOffsets[x];
      out.write(code, copied, at - copied);
      copied = at;
      if (charge) {
        writeCharge(out, globalIndex, local, plan.regionCosts[r], r == 0);
        r++;
      } else {
        if (plan.fixKinds[x] == SAVE) {
          writeSave(out, globalIndex, local);
        } else {
          writeLoad(out, globalIndex, local);
        }
        x++;
      }
    }
    out.write(code, copied, bodyEnd - copied);
  }

  /**
   * A charge. At function entry it starts from the global ({@code global.get}), at a loop from the
   * local ({@code local.get}); either way the new fuel is left in the local, and written to the
   * global only when it is negative, just before the trap.
   */
  private static void writeCharge(Out out, int globalIndex, long local, long cost, boolean entry) {
    if (entry) {
      out.u8(0x23); // global.get
      out.u32(globalIndex);
    } else {
      out.u8(0x20); // local.get
      out.u32(local);
    }
    out.u8(0x42); // i64.const
    out.s64(cost);
    out.u8(0x7D); // i64.sub
    out.u8(0x22); // local.tee
    out.u32(local);
    out.u8(0x42); // i64.const 0
    out.u8(0x00);
    out.u8(0x53); // i64.lt_s
    out.u8(0x04); // if (empty block type)
    out.u8(0x40);
    writeSave(out, globalIndex, local);
    out.u8(0x00); // unreachable
    out.u8(0x0B); // end
  }

  /** {@code local.get $fuel; global.set $fuel}: the global catches up with the local. */
  private static void writeSave(Out out, int globalIndex, long local) {
    out.u8(0x20);
    out.u32(local);
    out.u8(0x24);
    out.u32(globalIndex);
  }

  /** {@code global.get $fuel; local.set $fuel}: the local catches up with the global. */
  private static void writeLoad(Out out, int globalIndex, long local) {
    out.u8(0x23);
    out.u32(globalIndex);
    out.u8(0x21);
    out.u32(local);
  }

  // ---------------------------------------------------------------------------------------------
  // Function bodies.

  /** Where the current fuel is, at a point of a function body: see "Where the fuel is". */
  private static final int NONE = 0; // the point is unreachable
  private static final int BOTH = 1; // the local and the global agree
  private static final int LOCAL = 2; // the local is current, the global may be stale (higher)
  private static final int GLOBAL = 3; // the global is current, the local is stale

  /** Fix kinds: what goes before an instruction to bring the fuel to both places. */
  private static final int SAVE = 1; // local to global
  private static final int LOAD = 2; // global to local

  /** Control frame kinds. */
  private static final int FRAME_FUNCTION = 0;
  private static final int FRAME_BLOCK = 1;
  private static final int FRAME_IF = 2;
  private static final int FRAME_LOOP = 3;

  /**
   * What to insert into one function body: its charges ({@code regionOffsets[i]} is where a charge
   * goes, as an offset into the module, {@code regionCosts[i]} the instructions of its region; region
   * 0 is the function body) and its fixes (a save or a load before the instruction at an offset).
   * Also the scratch space of the analysis: control frames and the branch edges into them.
   */
  private static final class Plan {
    int params;
    int localsStart; // the first group of local declarations, after their count
    int codeStart; // the first instruction
    int localGroups;
    long fuelLocal;

    int regionCount;
    int[] regionOffsets = new int[8];
    long[] regionCosts = new long[8];

    int fixCount;
    int[] fixOffsets = new int[16];
    int[] fixKinds = new int[16];
    final Map<Integer, Integer> fixes = new HashMap<>();

    // Open control frames; frame 0 is the function's.
    int depth;
    int[] frameKind = new int[16];
    int[] frameRegion = new int[16];
    int[] frameLoops = new int[16]; // how many loops enclose the frame, in this function
    int[] frameIfOffset = new int[16];
    int[] frameIfState = new int[16];
    boolean[] frameElse = new boolean[16];
    int[] frameEdges = new int[16]; // the head of its list of edges, -1 if none

    // Edges into block and if labels: where (the branch, else or end instruction), the state there,
    // how many loops enclose that instruction, and the next edge of the same label.
    int edgeCount;
    int[] edgeOffsets = new int[16];
    int[] edgeStates = new int[16];
    int[] edgeLoops = new int[16];
    int[] edgeNext = new int[16];

    int loops; // how many loops are open
    int state;

    void reset(int params) {
      this.params = params;
      regionCount = 0;
      fixCount = 0;
      fixes.clear();
      depth = 0;
      edgeCount = 0;
      loops = 0;
      state = GLOBAL;
    }

    int addRegion(int offset) {
      if (regionCount == regionOffsets.length) {
        regionOffsets = Arrays.copyOf(regionOffsets, regionCount * 2);
        regionCosts = Arrays.copyOf(regionCosts, regionCount * 2);
      }
      regionOffsets[regionCount] = offset;
      regionCosts[regionCount] = 0;
      return regionCount++;
    }

    void push(int kind, int region) {
      if (depth == frameKind.length) {
        int n = depth * 2;
        frameKind = Arrays.copyOf(frameKind, n);
        frameRegion = Arrays.copyOf(frameRegion, n);
        frameLoops = Arrays.copyOf(frameLoops, n);
        frameIfOffset = Arrays.copyOf(frameIfOffset, n);
        frameIfState = Arrays.copyOf(frameIfState, n);
        frameElse = Arrays.copyOf(frameElse, n);
        frameEdges = Arrays.copyOf(frameEdges, n);
      }
      frameKind[depth] = kind;
      frameRegion[depth] = region;
      frameLoops[depth] = loops;
      frameElse[depth] = false;
      frameEdges[depth] = -1;
      depth++;
      if (kind == FRAME_LOOP) {
        loops++;
      }
    }

    /** Records an edge into the label of {@code frame}. */
    void edge(int frame, int offset, int edgeState) {
      if (edgeState == NONE) {
        return;
      }
      if (edgeCount == edgeOffsets.length) {
        int n = edgeCount * 2;
        edgeOffsets = Arrays.copyOf(edgeOffsets, n);
        edgeStates = Arrays.copyOf(edgeStates, n);
        edgeLoops = Arrays.copyOf(edgeLoops, n);
        edgeNext = Arrays.copyOf(edgeNext, n);
      }
      edgeOffsets[edgeCount] = offset;
      edgeStates[edgeCount] = edgeState;
      edgeLoops[edgeCount] = loops;
      edgeNext[edgeCount] = frameEdges[frame];
      frameEdges[frame] = edgeCount++;
    }

    /** An edge's state, counting a fix inserted at its instruction since it was recorded. */
    int edgeState(int e) {
      return fixes.containsKey(edgeOffsets[e]) ? BOTH : edgeStates[e];
    }

    void fix(int offset, int kind) {
      Integer previous = fixes.putIfAbsent(offset, kind);
      if (previous != null) {
        if (previous != kind) {
          throw new IllegalStateException("conflicting fuel fixes at offset 0x" + Integer.toHexString(offset));
        }
        return;
      }
      if (fixCount == fixOffsets.length) {
        fixOffsets = Arrays.copyOf(fixOffsets, fixCount * 2);
        fixKinds = Arrays.copyOf(fixKinds, fixCount * 2);
      }
      fixOffsets[fixCount] = offset;
      fixKinds[fixCount] = kind;
      fixCount++;
    }

    /** Before an instruction that needs the global current: a call or an exit. */
    void needGlobal(int offset) {
      if (state == LOCAL) {
        fix(offset, SAVE);
        state = BOTH;
      }
    }

    /** Before an instruction that needs the local current: a loop's entry or a branch back to it. */
    void needLocal(int offset) {
      if (state == GLOBAL) {
        fix(offset, LOAD);
        state = BOTH;
      }
    }

    /**
     * Merges the edges into the label of the block or if {@code frame}, which ends at {@code offset}
     * (the fall-through edge, and for an if without else the edge that skips it, are added here);
     * returns the state after the {@code end}. Where some edges hold the fuel only in the local and
     * others only in the global, fixes are inserted on one side: on the edges nested in fewer loops
     * below the label, and if that is a tie, on the local side (a save) outside loops, where the
     * merged global then saves a write-back at the exit, and on the global side (a load) inside
     * loops, where the local side is the path without calls.
     */
    int merge(int frame, int offset) {
      edge(frame, offset, state);
      if (frameKind[frame] == FRAME_IF && !frameElse[frame]) {
        edge(frame, frameIfOffset[frame], frameIfState[frame]); // the condition was false
      }
      boolean local = false;
      boolean global = false;
      boolean any = false;
      long[] cost = new long[4]; // [side][0: nested in more loops, 1: not]
      for (int e = frameEdges[frame]; e >= 0; e = edgeNext[e]) {
        int s = edgeState(e);
        any = true;
        int nested = edgeLoops[e] > frameLoops[frame] ? 0 : 1;
        if (s == LOCAL) {
          local = true;
          cost[nested]++;
        } else if (s == GLOBAL) {
          global = true;
          cost[2 + nested]++;
        }
      }
      if (!any) {
        return NONE;
      }
      if (!local || !global) {
        return local ? LOCAL : global ? GLOBAL : BOTH;
      }
      int compare = cost[0] != cost[2] ? Long.compare(cost[0], cost[2]) : Long.compare(cost[1], cost[3]);
      boolean save = compare < 0 || (compare == 0 && frameLoops[frame] == 0);
      for (int e = frameEdges[frame]; e >= 0; e = edgeNext[e]) {
        int s = edgeState(e);
        if (save && s == LOCAL) {
          fix(edgeOffsets[e], SAVE);
        } else if (!save && s == GLOBAL) {
          fix(edgeOffsets[e], LOAD);
        }
      }
      return save ? GLOBAL : LOCAL;
    }

    /** A branch to relative label {@code label}, at {@code offset}; does not change the state. */
    void branch(int label, int offset, int functionIndex) {
      if (label >= depth) {
        throw malformed("function " + functionIndex + " branches to label " + label + " of " + depth, offset);
      }
      int frame = depth - 1 - label;
      if (state == NONE) {
        return;
      }
      switch (frameKind[frame]) {
        case FRAME_FUNCTION: // a return
          needGlobal(offset);
          break;
        case FRAME_LOOP: // to the loop's start, which charges from the local
          needLocal(offset);
          break;
        default:
          break;
      }
    }

    /** Records the edges of a branch to relative label {@code label} (after {@link #branch}). */
    void branchEdge(int label, int offset) {
      int frame = depth - 1 - label;
      if (frameKind[frame] == FRAME_BLOCK || frameKind[frame] == FRAME_IF) {
        edge(frame, offset, state);
      }
    }

    void sortFixes() {
      if (fixCount < 2) {
        return;
      }
      long[] keys = new long[fixCount];
      for (int i = 0; i < fixCount; i++) {
        keys[i] = (long) fixOffsets[i] << 2 | fixKinds[i];
      }
      Arrays.sort(keys);
      for (int i = 0; i < fixCount; i++) {
        fixOffsets[i] = (int) (keys[i] >>> 2);
        fixKinds[i] = (int) (keys[i] & 3);
      }
    }
  }

  /**
   * Plans the body in {@code code[start, end)} (after its size): its local declarations, the charge
   * points and the cost of each region, and where the fuel must be saved to the global or loaded
   * from it.
   */
  private static void scanBody(byte[] code, int start, int end, int functionIndex, Plan plan) {
    Cursor in = new Cursor(code, start, end);
    int groups = in.u32();
    plan.localsStart = in.pos;
    long locals = plan.params;
    for (int i = 0; i < groups; i++) {
      locals += in.u32(); // how many locals
      in.skipValType();
    }
    if (locals >= 0xFFFF_FFFFL) {
      throw malformed("function " + functionIndex + " has too many locals", start);
    }
    plan.localGroups = groups;
    plan.fuelLocal = locals;
    plan.codeStart = in.pos;
    plan.push(FRAME_FUNCTION, plan.addRegion(in.pos));
    plan.state = LOCAL; // after the entry charge
    while (plan.depth > 0) {
      if (in.pos >= end) {
        throw malformed("function " + functionIndex + " ends inside a block", in.pos);
      }
      int at = in.pos;
      int opcode = in.u8();
      int top = plan.depth - 1;
      int region = plan.frameRegion[top];
      plan.regionCosts[region]++;
      switch (opcode) {
        case 0x02: // block
          in.skipBlockType();
          plan.push(FRAME_BLOCK, region);
          break;
        case 0x04: // if
          in.skipBlockType();
          plan.push(FRAME_IF, region);
          plan.frameIfOffset[plan.depth - 1] = at;
          plan.frameIfState[plan.depth - 1] = plan.state;
          break;
        case 0x03: { // loop
          in.skipBlockType();
          if (plan.state != NONE) {
            plan.needLocal(at);
            plan.state = LOCAL; // after its charge
          }
          plan.push(FRAME_LOOP, plan.addRegion(in.pos));
          break;
        }
        case 0x05: // else
          if (plan.frameKind[top] != FRAME_IF || plan.frameElse[top]) {
            throw malformed("function " + functionIndex + " has an else outside an if", at);
          }
          plan.edge(top, at, plan.state);
          plan.frameElse[top] = true;
          plan.state = plan.frameIfState[top];
          break;
        case 0x0B: // end
          switch (plan.frameKind[top]) {
            case FRAME_FUNCTION:
              plan.needGlobal(at);
              break;
            case FRAME_LOOP:
              plan.loops--;
              break;
            default:
              plan.state = plan.merge(top, at);
          }
          plan.depth--;
          break;
        case 0x0C: { // br
          int label = in.u32();
          plan.branch(label, at, functionIndex);
          plan.branchEdge(label, at);
          plan.state = NONE;
          break;
        }
        case 0x0D: // br_if
        case 0xD5: // br_on_null
        case 0xD6: { // br_on_non_null
          int label = in.u32();
          plan.branch(label, at, functionIndex);
          plan.branchEdge(label, at);
          break;
        }
        case 0x0E: { // br_table
          int labels = in.u32();
          int first = in.pos;
          for (int i = 0; i <= labels; i++) {
            plan.branch(in.u32(), at, functionIndex);
          }
          in.pos = first;
          for (int i = 0; i <= labels; i++) {
            plan.branchEdge(in.u32(), at);
          }
          plan.state = NONE;
          break;
        }
        case 0x0F: // return
          plan.needGlobal(at);
          plan.state = NONE;
          break;
        case 0x00: // unreachable: a trap, which may leave the global stale
          plan.state = NONE;
          break;
        case 0x10: // call
        case 0x11: // call_indirect
        case 0x14: // call_ref
          skipImmediates(in, opcode, functionIndex, at);
          if (plan.state != NONE) {
            plan.needGlobal(at);
            plan.state = GLOBAL; // the callee charged the global
          }
          break;
        case 0x12: // return_call
        case 0x13: // return_call_indirect
        case 0x15: // return_call_ref
          skipImmediates(in, opcode, functionIndex, at);
          plan.needGlobal(at);
          plan.state = NONE;
          break;
        default:
          skipImmediates(in, opcode, functionIndex, at);
      }
    }
    if (in.pos != end) {
      throw malformed("function " + functionIndex + " has bytes after its final end", in.pos);
    }
  }

  /**
   * Skips one instruction at {@code code[pos]}, whatever it is, and returns the position after it.
   * Block-structured instructions are skipped as their opening opcode and block type only ({@code
   * try_table} with its catch clauses). Unlike the metering walk, this one also knows the exception
   * handling and GC instructions Chicory decodes, for {@link CodeBodies#walk}: only metering has a
   * reason to reject them.
   */
  static int skipInstruction(byte[] code, int pos, int end) {
    Cursor in = new Cursor(code, pos, end);
    int opcode = in.u8();
    switch (opcode) {
      case 0x02:
      case 0x03:
      case 0x04:
        in.skipBlockType();
        break;
      case 0x1F: { // try_table: block type, then catch clauses of a kind, a tag for two kinds, a label
        in.skipBlockType();
        int catches = in.u32();
        for (int i = 0; i < catches; i++) {
          int kind = in.u8();
          if (kind > 3) {
            throw malformed("unknown catch clause kind " + kind, in.pos - 1);
          }
          if (kind <= 1) { // catch, catch_ref: a tag
            in.u32();
          }
          in.u32();
        }
        break;
      }
      case 0x08: // throw: a tag
        in.u32();
        break;
      case 0x0A: // throw_ref
      case 0x0B: // end
        break;
      case 0xFB:
        skipGc(in, pos);
        break;
      default:
        skipImmediates(in, opcode, -1, pos);
    }
    return in.pos;
  }

  /** Skips a GC instruction after its {@code 0xFB} prefix. */
  private static void skipGc(Cursor in, int at) {
    int sub = in.u32();
    switch (sub) {
      case 15: // array.len
      case 26: // any.convert_extern
      case 27: // extern.convert_any
      case 28: // ref.i31
      case 29: // i31.get_s
      case 30: // i31.get_u
        return;
      case 0: // struct.new type
      case 1: // struct.new_default type
      case 6: // array.new type
      case 7: // array.new_default type
      case 11: // array.get type
      case 12: // array.get_s type
      case 13: // array.get_u type
      case 14: // array.set type
      case 16: // array.fill type
        in.u32();
        return;
      case 2: // struct.get type field, and its _s, _u and set
      case 3:
      case 4:
      case 5:
      case 8: // array.new_fixed type size
      case 9: // array.new_data type data
      case 10: // array.new_elem type element
      case 17: // array.copy type type
      case 18: // array.init_data type data
      case 19: // array.init_elem type element
        in.u32();
        in.u32();
        return;
      case 20: // ref.test, ref.test null, ref.cast, ref.cast null: a heap type (s33)
      case 21:
      case 22:
      case 23:
        in.skipLeb(5);
        return;
      case 24: // br_on_cast and br_on_cast_fail: flags, label, two heap types
      case 25:
        in.u8();
        in.u32();
        in.skipLeb(5);
        in.skipLeb(5);
        return;
      default:
        throw unsupported("opcode", "0xFB " + sub, -1, at);
    }
  }

  /** Skips the immediates of any instruction but block, loop, if and end. */
  private static void skipImmediates(Cursor in, int opcode, int functionIndex, int at) {
    switch (opcode) {
      case 0x00: // unreachable
      case 0x01: // nop
      case 0x05: // else
      case 0x0F: // return
      case 0x1A: // drop
      case 0x1B: // select
      case 0xD1: // ref.is_null
      case 0xD3: // ref.eq
      case 0xD4: // ref.as_non_null
        return;
      case 0x06:
      case 0x07:
      case 0x08:
      case 0x09:
      case 0x0A:
      case 0x18:
      case 0x19:
      case 0x1F:
        throw unsupported("exception handling", opcodeName(opcode), functionIndex, at);
      case 0xFB:
        throw unsupported("garbage collection (GC)", "0xFB " + in.u32(), functionIndex, at);
      case 0x0C: // br
      case 0x0D: // br_if
      case 0x10: // call
      case 0x12: // return_call
      case 0x14: // call_ref
      case 0x15: // return_call_ref
      case 0x20: // local.get
      case 0x21: // local.set
      case 0x22: // local.tee
      case 0x23: // global.get
      case 0x24: // global.set
      case 0x25: // table.get
      case 0x26: // table.set
      case 0x3F: // memory.size
      case 0x40: // memory.grow
      case 0xD2: // ref.func
      case 0xD5: // br_on_null
      case 0xD6: // br_on_non_null
        in.u32();
        return;
      case 0x0E: { // br_table
        int labels = in.u32();
        for (int i = 0; i <= labels; i++) {
          in.u32();
        }
        return;
      }
      case 0x11: // call_indirect: type, table
      case 0x13: // return_call_indirect
        in.u32();
        in.u32();
        return;
      case 0x1C: { // select t*
        int types = in.u32();
        for (int i = 0; i < types; i++) {
          in.skipValType();
        }
        return;
      }
      case 0x41: // i32.const
      case 0x42: // i64.const
      case 0xD0: // ref.null heap type (s33)
        in.skipLeb(10);
        return;
      case 0x43: // f32.const
        in.skip(4);
        return;
      case 0x44: // f64.const
        in.skip(8);
        return;
      case 0xFC:
        skipFc(in, functionIndex, at);
        return;
      case 0xFD:
        skipSimd(in, functionIndex, at);
        return;
      case 0xFE:
        skipAtomic(in, functionIndex, at);
        return;
      default:
        if (opcode >= 0x28 && opcode <= 0x3E) { // loads and stores
          in.skipMemarg();
          return;
        }
        if (opcode >= 0x45 && opcode <= 0xC4) { // numeric, including sign extension
          return;
        }
        throw unsupported("opcode", opcodeName(opcode), functionIndex, at);
    }
  }

  private static void skipFc(Cursor in, int functionIndex, int at) {
    int sub = in.u32();
    if (sub <= 7) { // saturating truncation
      return;
    }
    switch (sub) {
      case 8: // memory.init data, memory
      case 10: // memory.copy memory, memory
      case 12: // table.init element, table
      case 14: // table.copy table, table
        in.u32();
        in.u32();
        return;
      case 9: // data.drop
      case 11: // memory.fill
      case 13: // elem.drop
      case 15: // table.grow
      case 16: // table.size
      case 17: // table.fill
        in.u32();
        return;
      default:
        throw unsupported("opcode", "0xFC " + sub, functionIndex, at);
    }
  }

  private static void skipSimd(Cursor in, int functionIndex, int at) {
    int sub = in.u32();
    if (sub <= 11 || sub == 92 || sub == 93) { // v128.load*, v128.store, v128.load{32,64}_zero
      in.skipMemarg();
    } else if (sub == 12 || sub == 13) { // v128.const, i8x16.shuffle
      in.skip(16);
    } else if (sub >= 21 && sub <= 34) { // extract_lane, replace_lane
      in.u8();
    } else if (sub >= 84 && sub <= 91) { // v128.load*_lane, v128.store*_lane
      in.skipMemarg();
      in.u8();
    } else if (sub > 0x113) { // beyond relaxed SIMD
      throw unsupported("opcode", "0xFD " + sub, functionIndex, at);
    }
  }

  private static void skipAtomic(Cursor in, int functionIndex, int at) {
    int sub = in.u32();
    if (sub == 3) { // atomic.fence: one reserved byte
      in.u8();
    } else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4E)) {
      in.skipMemarg();
    } else {
      throw unsupported("opcode", "0xFE " + sub, functionIndex, at);
    }
  }

  private static String opcodeName(int opcode) {
    switch (opcode) {
      case 0x06:
        return "try";
      case 0x07:
        return "catch";
      case 0x08:
        return "throw";
      case 0x09:
        return "rethrow";
      case 0x0A:
        return "throw_ref";
      case 0x18:
        return "delegate";
      case 0x19:
        return "catch_all";
      case 0x1F:
        return "try_table";
      default:
        return String.format("0x%02X", opcode);
    }
  }

  private static IllegalArgumentException unsupported(String feature, String what, int functionIndex, int at) {
    String where = functionIndex < 0 ? "" : " in function " + functionIndex;
    return new IllegalArgumentException(
        "fuel metering does not support " + feature + " (" + what + at(at) + where + ")");
  }

  private static IllegalArgumentException malformed(String what, int at) {
    return new IllegalArgumentException("malformed module: " + what + at(at));
  }

  private static String at(int offset) {
    return " at offset 0x" + Integer.toHexString(offset);
  }

  // ---------------------------------------------------------------------------------------------
  // Bytes.

  /**
   * Reads {@code bytes[pos, limit)}; every read past the limit is an {@link IllegalArgumentException}.
   * Also used by {@link CodeBodies} and {@link InterruptibleLoops}.
   */
  static final class Cursor {
    private final byte[] bytes;
    private final int limit;
    int pos;

    Cursor(byte[] bytes, int pos, int limit) {
      this.bytes = bytes;
      this.pos = pos;
      this.limit = limit;
    }

    int u8() {
      if (pos >= limit) {
        throw malformed("unexpected end", pos);
      }
      return bytes[pos++] & 0xFF;
    }

    /** An unsigned LEB128 of at most 32 bits. */
    int u32() {
      int start = pos;
      long value = 0;
      for (int shift = 0; shift < 35; shift += 7) {
        int b = u8();
        value |= (long) (b & 0x7F) << shift;
        if ((b & 0x80) == 0) {
          if (value > Integer.MAX_VALUE) {
            throw malformed("integer too large", start);
          }
          return (int) value;
        }
      }
      throw malformed("integer representation too long", start);
    }

    /** Skips a LEB128 (signed or not) of at most {@code maxBytes} bytes. */
    void skipLeb(int maxBytes) {
      int start = pos;
      for (int i = 0; i < maxBytes; i++) {
        if ((u8() & 0x80) == 0) {
          return;
        }
      }
      throw malformed("integer representation too long", start);
    }

    /** Skips {@code n} bytes and returns the new position. */
    int skip(int n) {
      if (n < 0 || n > limit - pos) {
        throw malformed("unexpected end", pos);
      }
      pos += n;
      return pos;
    }

    void skipName() {
      skip(u32());
    }

    String name() {
      int length = u32();
      int start = pos;
      skip(length);
      return new String(bytes, start, length, StandardCharsets.UTF_8);
    }

    /** A block type: 0x40, a value type, or an s33 type index. */
    void skipBlockType() {
      int first = peek();
      if (first == 0x63 || first == 0x64) { // (ref null? heaptype)
        pos++;
        skipLeb(5);
      } else {
        skipLeb(5); // s33: one byte for 0x40 and the value types, more for a type index
      }
    }

    /** A value type, including {@code (ref null? heaptype)}. */
    void skipValType() {
      int type = u8();
      if (type == 0x63 || type == 0x64) {
        skipLeb(5); // heap type, s33
      }
    }

    /** Memory or table limits: flags, minimum, maximum if flagged, page size if flagged. */
    void skipLimits() {
      int flags = u8();
      skipLeb(10);
      if ((flags & 0x01) != 0) {
        skipLeb(10);
      }
      if ((flags & 0x08) != 0) { // custom page size
        u32();
      }
    }

    /** A memarg: alignment (bit 6 announces a memory index), then the offset (u64 for memory64). */
    void skipMemarg() {
      int align = u32();
      if ((align & 0x40) != 0) {
        u32();
      }
      skipLeb(10);
    }

    private int peek() {
      if (pos >= limit) {
        throw malformed("unexpected end", pos);
      }
      return bytes[pos] & 0xFF;
    }
  }

  /** A growable byte buffer with LEB128 writers. Also used by {@link InterruptibleLoops}. */
  static final class Out extends ByteArrayOutputStream {
    Out(int capacity) {
      super(capacity);
    }

    void u8(int b) {
      write(b);
    }

    void u32(long value) {
      long v = value;
      do {
        int b = (int) (v & 0x7F);
        v >>>= 7;
        write(v != 0 ? b | 0x80 : b);
      } while (v != 0);
    }

    void s64(long value) {
      long v = value;
      while (true) {
        int b = (int) (v & 0x7F);
        v >>= 7;
        boolean done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
        write(done ? b : b | 0x80);
        if (done) {
          return;
        }
      }
    }

    void append(Out other) {
      write(other.buf, 0, other.count);
    }

    void section(int id, Out contents) {
      u8(id);
      u32(contents.size());
      write(contents.buf, 0, contents.size());
    }

    static int u32Length(long value) {
      int n = 1;
      for (long v = value >>> 7; v != 0; v >>>= 7) {
        n++;
      }
      return n;
    }

    static int s64Length(long value) {
      int n = 1;
      for (long v = value; (v >> 6) != 0 && (v >> 6) != -1; v >>= 7) {
        n++;
      }
      return n;
    }
  }
}
