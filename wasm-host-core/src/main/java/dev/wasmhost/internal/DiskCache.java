package dev.wasmhost.internal;

import com.dylibso.chicory.compiler.Cache;
import com.dylibso.chicory.wasm.Version;
import dev.wasmhost.DiskCacheStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A persistent cache of Chicory's compiled code in a directory, shared by every thread of this JVM
 * and by any number of JVMs pointed at the same directory.
 *
 * <h2>Layout and format</h2>
 *
 * <p>Entries live in {@code <dir>/compiled-v<FORMAT_VERSION>/}, one file per entry named {@code
 * <key>.bin}, where {@code key} is the lower-case hex SHA-256 of everything that changes the
 * compiled output: a fixed domain string, {@link #FORMAT_VERSION}, Chicory's version, the compile
 * options string given to {@link #forOptions} and the module digest Chicory passes (each
 * length-prefixed, so no two different tuples encode alike). A file is:
 *
 * <pre>
 *   offset  size  field
 *        0     4  magic 0x57484443 ("WHDC"), big-endian
 *        4     4  format version ({@link #FORMAT_VERSION})
 *        8     8  payload length in bytes
 *       16    32  the raw key (SHA-256), the same as the file name
 *       48    32  SHA-256 of the payload
 *       80     n  payload: for the loader, a {@link CompiledCode} zip (generated classes and the
 *                 meta module); through {@link #forOptions}, whatever Chicory's compiler stores
 * </pre>
 *
 * <p>The payload's SHA-256 rather than a CRC: the payload is code this JVM will load, and hashing
 * 1 MiB costs a few milliseconds against 40-200 ms to load the classes and seconds to compile them.
 * The key in the header catches a file copied or renamed under the wrong name. A file that fails any
 * check (magic, version, length against the file's size, key, checksum) is corrupt: it is deleted,
 * counted, warned about once, and reported as a miss, so Chicory recompiles and writes a fresh entry.
 * This class never hands Chicory bytes it has not verified.
 *
 * <h2>Concurrency</h2>
 *
 * <p>Nothing is locked across JVMs; each step is safe against the others on its own:
 *
 * <ul>
 *   <li><b>Writes</b> go to a temp file with a unique name ({@code <key>.<random>.tmp}) in the same
 *       directory, are forced to disk, then renamed onto the entry name with {@code ATOMIC_MOVE}. A
 *       reader therefore opens either no file or a complete one. If the entry already exists the
 *       write is skipped (put-if-absent); when two writers race past that check, the later rename
 *       replaces a complete entry with another complete entry for the same key, which is harmless,
 *       and a reader holding the first file open keeps reading it intact.
 *   <li><b>LRU</b>: a hit sets the entry's last-modified time to now. The file system is the clock,
 *       so recency is shared by every JVM.
 *   <li><b>Eviction</b>: after each of its writes a JVM rescans the directory, and if the entries'
 *       total size exceeds the bound, deletes the least recently used until it fits. Each writer
 *       enforces the bound right after adding to it, so the directory stays within the bound with
 *       any number of JVMs, give or take entries written during a scan. Before deleting, the entry's
 *       time is checked again so an entry another JVM just hit or rewrote is spared. Two JVMs may
 *       evict at once and delete a little more than needed; that costs a recompile, never
 *       correctness.
 *   <li><b>Crashed writers</b> leave temp files; a scan deletes those older than {@link
 *       #TEMP_MAX_AGE}, which no live writer takes.
 *   <li>In this JVM, counters are {@link LongAdder}s and {@link AtomicLong}s, and scans are
 *       serialized by a lock held only for the scan (never during a read or a write of an entry).
 *       Get and put may be called by any thread at any time.
 * </ul>
 *
 * <h2>Failures</h2>
 *
 * <p>No method throws because of the environment, and nothing here can fail a compilation: the
 * {@link Cache} views return {@code null} (a miss) or silently skip a write. Warnings go to the SLF4J
 * logger {@code dev.wasmhost.diskcache}, once per cause:
 *
 * <ul>
 *   <li>A directory that cannot be created or is unusable: one warning at construction; the cache is
 *       then disabled and every lookup is a miss.
 *   <li>A directory that exists but is not writable (for example a cache warmed at image build time
 *       and mounted read-only): one warning at construction; entries found there are still used, and
 *       nothing is written, touched, evicted or deleted.
 *   <li>A failed write (a full disk, a directory made read-only later): one warning for the first
 *       failure; later writes are still tried, and fail quietly.
 *   <li>A corrupt entry: one warning per entry found corrupt.
 *   <li>An entry that exists but cannot be read (permissions, I/O error): one warning for the first.
 * </ul>
 *
 * <p>The directory must be trusted: whoever can write into it can make this JVM load their classes.
 */
final class DiskCache {
  /** Bump when the file format or anything else changing entries' meaning changes. */
  static final int FORMAT_VERSION = 2;

  static final String LOGGER_NAME = "dev.wasmhost.diskcache";
  static final int MAGIC = 0x57484443;
  static final int HEADER_BYTES = 4 + 4 + 8 + 32 + 32;
  static final String ENTRY_SUFFIX = ".bin";
  static final String TEMP_SUFFIX = ".tmp";

  /**
   * Temp files older than this belong to a writer that crashed. A live writer holds its temp file
   * for the time it takes to write about a megabyte, so minutes leave a wide margin.
   */
  static final Duration TEMP_MAX_AGE = Duration.ofMinutes(10);

  private static final Logger log = LoggerFactory.getLogger(LOGGER_NAME);
  private static final String KEY_DOMAIN = "wasm-host compiled-code disk cache";
  private static final int KEY_HEX_LENGTH = 64;
  // Leaves room for the header and for the largest array the JVM allocates.
  private static final long MAX_PAYLOAD = Integer.MAX_VALUE - 64;

  /** The versioned entry directory, or null when the cache is disabled. */
  private final Path root;

  private final boolean writable;
  private final long maxBytes;
  private final String chicoryVersion;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder corrupt = new LongAdder();
  private final LongAdder warnings = new LongAdder();
  private final AtomicLong entryCount = new AtomicLong();
  private final AtomicLong sizeBytes = new AtomicLong();
  private final AtomicBoolean writeFailureWarned = new AtomicBoolean();
  private final AtomicBoolean readFailureWarned = new AtomicBoolean();

  /**
   * Corrupt entries that could not be deleted (read-only mode), so they are warned about and counted
   * once, and not read again.
   */
  private final Set<String> undeletableCorrupt = ConcurrentHashMap.newKeySet();

  private final Object scanLock = new Object();

  /**
   * Opens, or creates, the cache under {@code dir}. Never throws because of the file system: an
   * unusable directory disables the cache with one warning.
   *
   * @param dir the cache directory, created if missing; entries go in a versioned subdirectory
   * @param maxBytes the bound on the total size of the entries; an entry larger than this is never
   *     written
   * @throws IllegalArgumentException if {@code maxBytes} is negative
   */
  DiskCache(Path dir, long maxBytes) {
    Objects.requireNonNull(dir, "dir");
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes is negative: " + maxBytes);
    }
    this.maxBytes = maxBytes;
    this.chicoryVersion = Version.version();
    Path usable = null;
    boolean canWrite = false;
    Path candidate = null;
    try {
      candidate = dir.resolve("compiled-v" + FORMAT_VERSION);
      Files.createDirectories(candidate);
      probeWritable(candidate);
      usable = candidate;
      canWrite = true;
    } catch (IOException | RuntimeException e) {
      // RuntimeException: an unusable path (InvalidPathException), a security manager, or a file
      // system without directories; all mean the same as an I/O failure here.
      if (candidate != null && isReadableDirectory(candidate)) {
        usable = candidate;
        warn(
            "compiled-code cache {} is not writable ({}): compiled code already there is used, nothing"
                + " new is written",
            candidate,
            describe(e));
      } else {
        warn(
            "compiled-code cache {} cannot be used ({}): modules are compiled without it",
            candidate != null ? candidate : dir,
            describe(e));
      }
    }
    this.root = usable;
    this.writable = canWrite;
    if (root != null) {
      scanAndEvict();
    }
  }

  /**
   * A Chicory cache view for one set of compile options. Two views with different options never
   * share an entry.
   *
   * @param compileOptions every compiler setting that changes the generated code, in a stable
   *     textual form, for example {@code "maxFunctionsPerClass=default;fallback=SILENT"}
   */
  Cache forOptions(String compileOptions) {
    Objects.requireNonNull(compileOptions, "compileOptions");
    return new View(compileOptions);
  }

  /** A snapshot of the counters; entries and bytes are as of the last scan, plus this JVM's changes since. */
  /** True if an entry for this module and these options is present (it may still prove corrupt). */
  boolean contains(String compileOptions, String digest) {
    return enabled() && Files.isRegularFile(entryPath(compileOptions, digest));
  }

  DiskCacheStats stats() {
    return new DiskCacheStats(
        hits.sum(),
        misses.sum(),
        writes.sum(),
        evictions.sum(),
        corrupt.sum(),
        entryCount.get(),
        sizeBytes.get(),
        maxBytes);
  }

  /** Whether the cache is in use at all (false after a failure to open the directory). */
  boolean enabled() {
    return root != null;
  }

  /** Whether new entries may be written. */
  boolean writable() {
    return writable;
  }

  /** The versioned directory holding the entries, or null when disabled. */
  Path entryDirectory() {
    return root;
  }

  /** Warnings logged by this instance; for tests, which check "once" without capturing logs. */
  long warningCount() {
    return warnings.sum();
  }

  @Override
  public String toString() {
    return "DiskCache[" + (root == null ? "disabled" : root + (writable ? "" : ", read-only")) + ", " + stats() + "]";
  }

  private final class View implements Cache {
    private final String options;

    View(String options) {
      this.options = options;
    }

    @Override
    public byte[] get(String digest) {
      return DiskCache.this.get(options, digest);
    }

    @Override
    public void putIfAbsent(String digest, byte[] data) {
      DiskCache.this.putIfAbsent(options, digest, data);
    }

    @Override
    public String toString() {
      return "DiskCache.View[" + options + "]";
    }
  }

  /**
   * The verified payload of the entry for these options and this module digest, or null (a miss,
   * counted; a corrupt entry is also deleted and warned about). Never throws.
   */
  byte[] get(String options, String digest) {
    try {
      byte[] key = key(options, digest);
      return read(HexFormat.of().formatHex(key), key);
    } catch (RuntimeException e) {
      // Chicory turns anything thrown here into a failed compilation; a cache must never cause one.
      readFailed(null, e);
      misses.increment();
      return null;
    }
  }

  /** Writes an entry unless one is there already. Never throws. */
  void putIfAbsent(String options, String digest, byte[] data) {
    try {
      byte[] key = key(options, digest);
      write(HexFormat.of().formatHex(key), key, data);
    } catch (RuntimeException e) {
      writeFailed(null, e);
    }
  }

  /**
   * Reports that an entry {@link #get} returned, intact on disk, cannot be used ({@code reason}),
   * for example because its classes do not load: it is handled like a corrupt entry (counted, one
   * warning, deleted), and the hit {@code get} counted becomes a miss. Never throws.
   */
  void discard(String options, String digest, String reason) {
    if (root == null) {
      return;
    }
    try {
      String name = HexFormat.of().formatHex(key(options, digest));
      Path file = root.resolve(name + ENTRY_SUFFIX);
      BasicFileAttributes seen;
      try {
        seen = Files.readAttributes(file, BasicFileAttributes.class);
      } catch (IOException e) {
        seen = null;
      }
      hits.decrement();
      misses.increment();
      if (seen == null) {
        corrupt.increment();
        warn("compiled-code cache entry {} cannot be used ({}): the module is recompiled", file, reason);
      } else {
        corruptFound(file, name, seen, reason);
      }
    } catch (RuntimeException e) {
      log.debug("could not discard a compiled-code cache entry: {}", e.toString());
    }
  }

  /** Where the entry for these options and this module digest lives, or null when disabled. */
  Path entryPath(String options, String digest) {
    return root == null ? null : root.resolve(HexFormat.of().formatHex(key(options, digest)) + ENTRY_SUFFIX);
  }

  byte[] key(String options, String digest) {
    MessageDigest sha = sha256();
    for (String part : new String[] {KEY_DOMAIN, Integer.toString(FORMAT_VERSION), chicoryVersion, options, digest}) {
      byte[] bytes = String.valueOf(part).getBytes(StandardCharsets.UTF_8);
      sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
      sha.update(bytes);
    }
    return sha.digest();
  }

  private byte[] read(String name, byte[] key) {
    if (root == null || undeletableCorrupt.contains(name)) {
      misses.increment();
      return null;
    }
    Path file = root.resolve(name + ENTRY_SUFFIX);
    BasicFileAttributes seen = null;
    byte[] payload;
    try {
      seen = Files.readAttributes(file, BasicFileAttributes.class);
      payload = readEntry(file, key);
    } catch (NoSuchFileException e) {
      misses.increment();
      return null;
    } catch (CorruptEntryException e) {
      corruptFound(file, name, seen, e.getMessage());
      misses.increment();
      return null;
    } catch (IOException e) {
      readFailed(file, e);
      misses.increment();
      return null;
    }
    hits.increment();
    if (writable) {
      touch(file, seen);
    }
    return payload;
  }

  private static byte[] readEntry(Path file, byte[] key) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size < HEADER_BYTES) {
        throw new CorruptEntryException(size == 0 ? "empty file" : "shorter than its header (" + size + " bytes)");
      }
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      readFully(channel, header);
      header.flip();
      int magic = header.getInt();
      if (magic != MAGIC) {
        throw new CorruptEntryException("bad magic 0x" + Integer.toHexString(magic));
      }
      int version = header.getInt();
      if (version != FORMAT_VERSION) {
        throw new CorruptEntryException("format version " + version + " in a version " + FORMAT_VERSION + " directory");
      }
      long length = header.getLong();
      if (length != size - HEADER_BYTES) {
        throw new CorruptEntryException(
            "header gives a payload of " + length + " bytes, the file holds " + (size - HEADER_BYTES));
      }
      if (length > MAX_PAYLOAD) {
        throw new CorruptEntryException("payload of " + length + " bytes is too large to load");
      }
      byte[] storedKey = new byte[32];
      header.get(storedKey);
      if (!MessageDigest.isEqual(storedKey, key)) {
        throw new CorruptEntryException("written for another key");
      }
      byte[] checksum = new byte[32];
      header.get(checksum);
      byte[] payload = new byte[(int) length];
      readFully(channel, ByteBuffer.wrap(payload));
      if (!MessageDigest.isEqual(sha256().digest(payload), checksum)) {
        throw new CorruptEntryException("payload checksum mismatch");
      }
      return payload;
    }
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        // The size was checked first, so only a file shrinking under us gets here.
        throw new CorruptEntryException("truncated while being read");
      }
    }
  }

  private void corruptFound(Path file, String name, BasicFileAttributes seen, String reason) {
    corrupt.increment();
    if (writable) {
      warn("compiled-code cache entry {} is corrupt ({}): deleted, the module is recompiled", file, reason);
      deleteIfUnchanged(file, seen);
    } else if (undeletableCorrupt.add(name)) {
      warn("compiled-code cache entry {} is corrupt ({}): ignored, the module is recompiled", file, reason);
    }
  }

  /**
   * Deletes a corrupt entry unless another JVM has replaced it since it was read, in which case the
   * file there now is a fresh entry. The check and the delete are not atomic; losing that race
   * deletes a good entry and costs one recompile, never a wrong result.
   */
  private void deleteIfUnchanged(Path file, BasicFileAttributes seen) {
    try {
      BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class);
      if (!sameFile(seen, now)) {
        return;
      }
      if (Files.deleteIfExists(file)) {
        entryCount.updateAndGet(n -> Math.max(0, n - 1));
        sizeBytes.updateAndGet(n -> Math.max(0, n - now.size()));
      }
    } catch (NoSuchFileException e) {
      // Another JVM deleted it first.
    } catch (IOException | RuntimeException e) {
      log.debug("could not delete corrupt entry {}: {}", file, e.toString());
    }
  }

  private static boolean sameFile(BasicFileAttributes a, BasicFileAttributes b) {
    if (a.fileKey() != null && !a.fileKey().equals(b.fileKey())) {
      return false;
    }
    return a.size() == b.size() && a.lastModifiedTime().equals(b.lastModifiedTime());
  }

  /** Marks a hit: the last-modified time is the LRU clock every JVM reads. */
  private void touch(Path file, BasicFileAttributes seen) {
    try {
      // Never backwards: on a shared volume another machine's clock may be ahead of ours.
      long now = Math.max(System.currentTimeMillis(), seen.lastModifiedTime().toMillis());
      Files.setLastModifiedTime(file, FileTime.fromMillis(now));
    } catch (IOException | RuntimeException e) {
      // Evicted meanwhile, or a file another user owns: the entry only ages sooner.
      log.debug("could not mark {} as recently used: {}", file, e.toString());
    }
  }

  private void readFailed(Path file, Exception e) {
    if (readFailureWarned.compareAndSet(false, true)) {
      warn(
          "compiled-code cache {} could not be read ({}): the module is recompiled; further failures are"
              + " not logged",
          file != null ? file : root,
          describe(e));
    } else {
      log.debug("compiled-code cache {} could not be read: {}", file, e.toString());
    }
  }

  private void write(String name, byte[] key, byte[] data) {
    if (root == null || !writable) {
      return;
    }
    long entryBytes = HEADER_BYTES + (long) data.length;
    if (entryBytes > maxBytes || data.length > MAX_PAYLOAD) {
      log.debug("compiled code of {} bytes exceeds the cache bound of {} bytes: not written", entryBytes, maxBytes);
      return;
    }
    Path target = root.resolve(name + ENTRY_SUFFIX);
    if (Files.exists(target)) {
      return;
    }
    Path temp = root.resolve(name + "." + uniqueSuffix() + TEMP_SUFFIX);
    boolean created = false;
    try {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
      header.putInt(MAGIC).putInt(FORMAT_VERSION).putLong(data.length).put(key).put(sha256().digest(data)).flip();
      ByteBuffer payload = ByteBuffer.wrap(data);
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        created = true;
        ByteBuffer[] buffers = {header, payload};
        while (header.hasRemaining() || payload.hasRemaining()) {
          channel.write(buffers);
        }
        // Without this, a power loss soon after the rename can leave an entry whose data never
        // reached the disk; the checksum would catch it, but at the cost of a recompile.
        channel.force(true);
      }
      if (Files.exists(target)) {
        deleteQuietly(temp);
        return;
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        // Only where a rename does not replace: another writer got there first, which is as good.
        deleteQuietly(temp);
        return;
      }
    } catch (IOException | RuntimeException e) {
      // Includes AtomicMoveNotSupportedException: without an atomic rename a reader could see a
      // partial file, so such a file system gets no entries at all.
      if (created) {
        deleteQuietly(temp);
      }
      writeFailed(temp, e);
      return;
    }
    writes.increment();
    entryCount.incrementAndGet();
    sizeBytes.addAndGet(entryBytes);
    scanAndEvict();
  }

  private void writeFailed(Path file, Exception e) {
    if (writeFailureWarned.compareAndSet(false, true)) {
      warn(
          "compiled-code cache {} could not be written ({}): compiled code is not kept on disk; further"
              + " failures are not logged",
          file != null ? file : root,
          describe(e));
    } else {
      log.debug("compiled-code cache {} could not be written: {}", file, e.toString());
    }
  }

  private static String uniqueSuffix() {
    // The pid alone is not unique across containers sharing a volume; the random part is.
    return ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  private record Entry(Path path, long size, long lastModified, String name) {}

  /**
   * Recounts the entries, deletes crashed writers' temp files, and evicts least recently used entries
   * while over the bound. Re-reading the directory rather than trusting the in-memory totals is what
   * keeps the bound right when other JVMs write too.
   */
  void scanAndEvict() {
    if (root == null) {
      return;
    }
    synchronized (scanLock) {
      List<Entry> entries = new ArrayList<>();
      long total = 0;
      long now = System.currentTimeMillis();
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(root)) {
        for (Path path : stream) {
          String name = path.getFileName().toString();
          BasicFileAttributes attributes;
          try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class);
          } catch (IOException e) {
            continue; // deleted by another JVM since it was listed
          }
          if (!attributes.isRegularFile()) {
            continue;
          }
          long modified = attributes.lastModifiedTime().toMillis();
          if (isEntryName(name)) {
            entries.add(new Entry(path, attributes.size(), modified, name));
            total += attributes.size();
          } else if (writable && name.endsWith(TEMP_SUFFIX) && now - modified > TEMP_MAX_AGE.toMillis()) {
            log.debug("deleting {}, left by a writer that stopped", path);
            deleteQuietly(path);
          }
        }
      } catch (IOException | RuntimeException e) {
        // Keep the previous totals; the next write scans again.
        log.debug("could not scan compiled-code cache {}: {}", root, e.toString());
        return;
      }
      int count = entries.size();
      if (writable && total > maxBytes) {
        entries.sort(Comparator.comparingLong(Entry::lastModified).thenComparing(Entry::name));
        for (Entry entry : entries) {
          if (total <= maxBytes) {
            break;
          }
          if (evict(entry)) {
            total -= entry.size;
            count--;
          }
        }
      }
      entryCount.set(count);
      sizeBytes.set(total);
    }
  }

  /** Deletes an entry unless another JVM has used it since the scan; true if it is gone. */
  private boolean evict(Entry entry) {
    try {
      BasicFileAttributes now = Files.readAttributes(entry.path, BasicFileAttributes.class);
      if (now.lastModifiedTime().toMillis() != entry.lastModified || now.size() != entry.size) {
        return false;
      }
      if (Files.deleteIfExists(entry.path)) {
        evictions.increment();
        log.debug("evicted {} ({} bytes)", entry.path, entry.size);
      }
      return true;
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException | RuntimeException e) {
      log.debug("could not evict {}: {}", entry.path, e.toString());
      return false;
    }
  }

  private static boolean isEntryName(String name) {
    if (name.length() != KEY_HEX_LENGTH + ENTRY_SUFFIX.length() || !name.endsWith(ENTRY_SUFFIX)) {
      return false;
    }
    for (int i = 0; i < KEY_HEX_LENGTH; i++) {
      char c = name.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Creates and deletes a file, because permission bits do not answer "can I write here": root
   * ignores them, and a read-only mount or an ACL overrides them.
   */
  private static void probeWritable(Path dir) throws IOException {
    Path probe = dir.resolve("probe." + uniqueSuffix() + TEMP_SUFFIX);
    Files.write(probe, new byte[0], StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    Files.delete(probe);
  }

  private static boolean isReadableDirectory(Path dir) {
    try {
      return Files.isDirectory(dir) && Files.isReadable(dir);
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void deleteQuietly(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException | RuntimeException e) {
      log.debug("could not delete {}: {}", path, e.toString());
    }
  }

  private void warn(String format, Object... arguments) {
    warnings.increment();
    log.warn(format, arguments);
  }

  private static String describe(Exception e) {
    // NIO exceptions often carry only the path as their message; the class name says what happened.
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** Thrown while reading an entry that fails a check; never escapes this class. */
  private static final class CorruptEntryException extends IOException {
    private static final long serialVersionUID = 1L;

    CorruptEntryException(String message) {
      super(message);
    }
  }
}
