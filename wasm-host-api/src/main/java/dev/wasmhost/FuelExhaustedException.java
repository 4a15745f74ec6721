package dev.wasmhost;

/**
 * A metered call used up its fuel (see {@link Loader.Builder#fuelPerCall(long)}) and was stopped.
 * It is a {@link TrapException}: the instance is discarded like after any trap. The same module
 * with the same input always consumes the same fuel, in every engine, so a budget that suffices
 * once suffices always.
 */
public class FuelExhaustedException extends TrapException {
  private static final long serialVersionUID = 1L;

  public FuelExhaustedException(String message) {
    super(message);
  }

  public FuelExhaustedException(String message, Throwable cause) {
    super(message, cause);
  }
}
