package dev.wasmhost;

/**
 * A snapshot of a loader's in-memory module cache, from {@link Loader#cacheStats()}.
 *
 * @param hitCount loads answered by a module already compiled (including loads that waited for a
 *     concurrent compilation of equal bytes)
 * @param missCount loads that had to decode and compile
 * @param loadFailureCount misses whose decoding or compilation failed (nothing was cached)
 * @param evictionCount modules dropped to stay within the byte bound
 * @param moduleCount modules held now
 * @param weightBytes total size in bytes of the module binaries held now
 * @param maxWeightBytes the configured bound on {@code weightBytes}
 */
public record CacheStats(
    long hitCount,
    long missCount,
    long loadFailureCount,
    long evictionCount,
    long moduleCount,
    long weightBytes,
    long maxWeightBytes) {

  /** Hits divided by requests, or 1.0 when there were no requests. */
  public double hitRate() {
    long requests = hitCount + missCount;
    return requests == 0 ? 1.0 : (double) hitCount / requests;
  }
}
