package dev.wasmhost;

/**
 * A {@link Registry} subsystem could not be brought up and has no usable fallback. The cause is the
 * failure of the phase that went wrong (for example a {@link LoadException} or a {@link LinkException},
 * or the {@code SubsystemException} of a dependency). The registry keeps working; a later resolve of
 * the same subsystem tries again.
 */
public class SubsystemException extends WasmException {
  private static final long serialVersionUID = 1L;

  private final String subsystemId;

  public SubsystemException(String subsystemId, String message, Throwable cause) {
    super(message, cause);
    this.subsystemId = subsystemId;
  }

  /** The subsystem that could not be brought up. */
  public String subsystemId() {
    return subsystemId;
  }
}
