package dev.wasmhost;

/**
 * Something that happened to a {@link Registry} subsystem, delivered to listeners on the thread that
 * caused it.
 *
 * @param type what happened
 * @param id the subsystem
 * @param version the version concerned (the new one for {@code SWAPPED}, the retired one for
 *     {@code CLOSED}); null for {@code FAILED}
 * @param cause the failure for {@code FAILED} and {@code FELL_BACK}, else null
 */
public record RegistryEvent(Type type, String id, SubsystemVersion version, Throwable cause) {
  /** Kinds of event. */
  public enum Type {
    /** A subsystem was brought up for the first time (or again after a failure). */
    RESOLVED,
    /** Bringing a subsystem up failed and it has no fallback; a later resolve tries again. */
    FAILED,
    /** Bringing a subsystem up failed and its fallback is used instead. */
    FELL_BACK,
    /** A new version replaced the running one. */
    SWAPPED,
    /** A version was retired: after a swap once drained, or when the registry closed. */
    CLOSED
  }
}
