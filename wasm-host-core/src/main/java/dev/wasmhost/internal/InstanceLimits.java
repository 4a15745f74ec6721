package dev.wasmhost.internal;

/**
 * What an instance may use: a deadline per call (0 for none) and a cap on its memory in pages.
 *
 * @param callTimeoutNanos the deadline of each call, or 0
 * @param maxMemoryPages the most pages its memory may grow to
 */
record InstanceLimits(long callTimeoutNanos, int maxMemoryPages) {}
