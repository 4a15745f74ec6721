package dev.wasmhost;

/**
 * A snapshot of a loader's persistent compiled-code cache, from {@link Loader#diskCacheStats()}.
 *
 * @param hitCount compilations skipped because the directory held the compiled code
 * @param missCount compilations that found nothing usable in the directory
 * @param writeCount entries written
 * @param evictionCount entries deleted to stay within the size bound
 * @param corruptCount entries found corrupt or truncated, deleted and recompiled
 * @param entryCount entries in the directory at the last scan
 * @param sizeBytes total size of those entries
 * @param maxSizeBytes the configured bound on {@code sizeBytes}
 */
public record DiskCacheStats(
    long hitCount,
    long missCount,
    long writeCount,
    long evictionCount,
    long corruptCount,
    long entryCount,
    long sizeBytes,
    long maxSizeBytes) {}
