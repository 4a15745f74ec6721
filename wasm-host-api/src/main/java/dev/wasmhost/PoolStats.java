package dev.wasmhost;

/**
 * A snapshot of an {@link InstancePool}.
 *
 * @param maxSize the most instances that may exist at once
 * @param idle instances ready to borrow now
 * @param inUse instances borrowed now
 * @param waiting threads waiting to borrow now (an estimate)
 * @param borrowCount successful borrows so far
 * @param createdCount instances created so far
 * @param discardedCount instances discarded so far (trapped, reset, or returned after close)
 * @param timeoutCount borrows that gave up after the borrow timeout
 */
public record PoolStats(
    int maxSize,
    int idle,
    int inUse,
    int waiting,
    long borrowCount,
    long createdCount,
    long discardedCount,
    long timeoutCount) {}
