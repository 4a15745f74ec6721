package dev.wasmhost;

import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link Registry} needs to bring a subsystem up: its module, its host functions, the
 * subsystems it depends on, a function to call on each new instance, and an optional fallback.
 * Immutable; built with {@link #builder(URI)} or {@link #builder(byte[])}.
 *
 * <pre>{@code
 * SubsystemDefinition pricing = SubsystemDefinition.builder(URI.create("classpath:/pricing.wasm"))
 *     .dependsOn("tax")                       // may import "tax"."rate"
 *     .imports(hostFunctions)
 *     .initializer("_initialize")             // called once on every new instance
 *     .fallback(URI.create("classpath:/pricing-v1.wasm"))
 *     .build();
 * }</pre>
 */
public final class SubsystemDefinition {

  /** Where a subsystem's code comes from: a module by URI, a module as bytes, or Java. */
  public record Source(URI uri, byte[] bytes, Imports java) {
    public Source {
      int given = (uri != null ? 1 : 0) + (bytes != null ? 1 : 0) + (java != null ? 1 : 0);
      if (given != 1) {
        throw new IllegalArgumentException("exactly one of uri, bytes and java must be given");
      }
    }

    /** A module loaded from {@code uri}. */
    public static Source of(URI uri) {
      return new Source(Objects.requireNonNull(uri, "uri"), null, null);
    }

    /** A module from these bytes (copied). */
    public static Source of(byte[] bytes) {
      return new Source(null, Objects.requireNonNull(bytes, "bytes").clone(), null);
    }

    /**
     * Java functions standing in for a module's exports: each function's name is the export it
     * implements (its import module name is ignored) and its body is called with a null caller.
     */
    public static Source java(Imports functions) {
      Objects.requireNonNull(functions, "functions");
      if (functions.isEmpty()) {
        throw new IllegalArgumentException("a Java implementation needs at least one function");
      }
      return new Source(null, null, functions);
    }

    @Override
    public String toString() {
      return uri != null ? uri.toString() : bytes != null ? "bytes[" + bytes.length + "]" : "java" + java.functions();
    }
  }

  private final Source source;
  private final Imports imports;
  private final List<String> dependencies;
  private final String initializer;
  private final Source fallback;
  private final java.time.Duration callTimeout;

  private SubsystemDefinition(Builder builder) {
    this.source = builder.source;
    this.imports = builder.imports == null ? Imports.empty() : builder.imports;
    this.dependencies = List.copyOf(builder.dependencies);
    this.initializer = builder.initializer;
    this.fallback = builder.fallback;
    this.callTimeout = builder.callTimeout;
  }

  /** A definition whose module is loaded from {@code uri} when first resolved. */
  public static Builder builder(URI uri) {
    return new Builder(Source.of(uri));
  }

  /** A definition whose module is these bytes (copied now, decoded when first resolved). */
  public static Builder builder(byte[] bytes) {
    return new Builder(Source.of(bytes));
  }

  /** The module's source. */
  public Source source() {
    return source;
  }

  /** Host functions for the module's imports (besides those of its dependencies). */
  public Imports imports() {
    return imports;
  }

  /** The ids of the subsystems this one depends on, in declaration order. */
  public List<String> dependencies() {
    return dependencies;
  }

  /** A function of no arguments called on each new instance before its first call, if any. */
  public Optional<String> initializer() {
    return Optional.ofNullable(initializer);
  }

  /** The deadline of each call into this subsystem, if it has its own (else the loader's). */
  public Optional<java.time.Duration> callTimeout() {
    return Optional.ofNullable(callTimeout);
  }

  /** What is used when the module cannot be brought up, if anything. */
  public Optional<Source> fallback() {
    return Optional.ofNullable(fallback);
  }

  @Override
  public String toString() {
    return "SubsystemDefinition[" + source + (dependencies.isEmpty() ? "" : ", dependsOn " + dependencies)
        + (fallback == null ? "" : ", fallback " + fallback) + "]";
  }

  /** Builds a {@link SubsystemDefinition}; each setting is checked when set. Not thread-safe. */
  public static final class Builder {
    private final Source source;
    private Imports imports;
    private final LinkedHashSet<String> dependencies = new LinkedHashSet<>();
    private String initializer;
    private Source fallback;
    private java.time.Duration callTimeout;

    private Builder(Source source) {
      this.source = source;
    }

    /** Host functions for the module's own imports. */
    public Builder imports(Imports imports) {
      this.imports = Checks.once("imports", imports, this.imports);
      return this;
    }

    /**
     * Subsystems that must be resolved first. The module may import their exported functions using
     * the dependency's id as the import module name.
     */
    public Builder dependsOn(String... ids) {
      for (String id : ids) {
        Objects.requireNonNull(id, "id");
        if (id.isEmpty()) {
          throw new IllegalArgumentException("a dependency id must not be empty");
        }
        if (!dependencies.add(id)) {
          throw new IllegalArgumentException("dependency '" + id + "' was already declared");
        }
      }
      return this;
    }

    /** A function of no arguments and no results to call on every new instance, e.g. {@code _initialize}. */
    public Builder initializer(String function) {
      Objects.requireNonNull(function, "function");
      if (initializer != null) {
        throw new IllegalStateException("initializer was already set to " + initializer);
      }
      this.initializer = function;
      return this;
    }

    /** Use the module at {@code uri} if this subsystem's module cannot be brought up. */
    public Builder fallback(URI uri) {
      return fallback(Source.of(uri));
    }

    /** Use a module of these bytes if this subsystem's module cannot be brought up. */
    public Builder fallback(byte[] bytes) {
      return fallback(Source.of(bytes));
    }

    /** Use this fallback (a module or {@link Source#java Java functions}). */
    public Builder fallback(Source fallback) {
      this.fallback = Checks.once("fallback", fallback, this.fallback);
      return this;
    }

    /** The deadline of each call into this subsystem; the loader's unless set. */
    public Builder callTimeout(java.time.Duration timeout) {
      this.callTimeout = Checks.positiveOnce("callTimeout", timeout, this.callTimeout);
      return this;
    }

    /** The definition. */
    public SubsystemDefinition build() {
      return new SubsystemDefinition(this);
    }
  }
}
