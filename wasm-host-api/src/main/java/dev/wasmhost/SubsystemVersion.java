package dev.wasmhost;

/**
 * Which code a {@link Registry} subsystem is running: a counter that grows with every resolve and
 * swap, and the digest of the module (or {@code java} for a Java fallback).
 *
 * @param id the subsystem
 * @param number 1 for the first version brought up, then one more for each swap
 * @param digest the module's {@code sha256:...} digest, or {@code java}
 * @param fallback true when this version is the subsystem's fallback
 */
public record SubsystemVersion(String id, long number, String digest, boolean fallback) {
  @Override
  public String toString() {
    return id + "@" + number + " (" + digest + (fallback ? ", fallback" : "") + ")";
  }
}
