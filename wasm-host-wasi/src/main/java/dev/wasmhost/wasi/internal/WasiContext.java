package dev.wasmhost.wasi.internal;

import dev.wasmhost.ExitException;
import dev.wasmhost.FunctionType;
import dev.wasmhost.HostFunction;
import dev.wasmhost.Imports;
import dev.wasmhost.Instance;
import dev.wasmhost.Memory;
import dev.wasmhost.ValueType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One guest's WASI world: its descriptor table, streams, clocks and randomness, and the {@code
 * wasi_snapshot_preview1} host functions that act on them. Every function returns a WASI errno; an
 * out-of-bounds guest pointer traps.
 *
 * <p>The descriptor table is shared by every instance linked with this context's {@link #imports()},
 * so it is guarded; the I/O itself is not serialised.
 */
public final class WasiContext {
  public static final String MODULE = "wasi_snapshot_preview1";

  private static final int OFLAG_CREAT = 1;
  private static final int OFLAG_DIRECTORY = 2;
  private static final int OFLAG_EXCL = 4;
  private static final int OFLAG_TRUNC = 8;
  private static final int LOOKUP_SYMLINK_FOLLOW = 1;
  private static final int FST_ATIM = 1;
  private static final int FST_ATIM_NOW = 2;
  private static final int FST_MTIM = 4;
  private static final int FST_MTIM_NOW = 8;

  private final List<String> args;
  private final List<String> env;
  private final ByteArrayOutputStream capturedStdout;
  private final ByteArrayOutputStream capturedStderr;
  private final LongSupplier walltime;
  private final LongSupplier nanotime;
  private final boolean injectedClock;
  private final Random random;
  private final Map<Integer, Descriptor> table = new HashMap<>();
  private int nextFd;

  public WasiContext(WasiSettings settings, String programName) {
    this.args = settings.args() != null ? settings.args() : List.of(programName);
    this.env = settings.env();
    this.capturedStdout = settings.stdout() == null ? new ByteArrayOutputStream() : null;
    this.capturedStderr = settings.stderr() == null ? new ByteArrayOutputStream() : null;
    this.walltime =
        settings.walltime() != null
            ? settings.walltime()
            : () -> {
              Instant now = Instant.now();
              return now.getEpochSecond() * 1_000_000_000L + now.getNano();
            };
    this.injectedClock = settings.nanotime() != null;
    this.nanotime = injectedClock ? settings.nanotime() : System::nanoTime;
    this.random = settings.random() != null ? settings.random() : new SecureRandom();
    table.put(0, new Descriptor.Input(settings.stdin().get()));
    table.put(1, new Descriptor.Output(settings.stdout() != null ? settings.stdout() : capturedStdout));
    table.put(2, new Descriptor.Output(settings.stderr() != null ? settings.stderr() : capturedStderr));
    int fd = 3;
    for (WasiSettings.Mount mount : settings.mounts()) {
      table.put(
          fd++,
          new Descriptor.Directory(
              mount.hostDirectory(), List.of(), mount.readOnly(), mount.guestPath(), Rights.DIRECTORY, Rights.ALL));
    }
    nextFd = fd;
  }

  /** What the guest wrote to standard output, if it was captured; else empty. */
  public byte[] capturedStdout() {
    return capturedStdout == null ? new byte[0] : capturedStdout.toByteArray();
  }

  /** What the guest wrote to standard error, if it was captured; else empty. */
  public byte[] capturedStderr() {
    return capturedStderr == null ? new byte[0] : capturedStderr.toByteArray();
  }

  /** Closes every file and directory the guest left open and flushes its output streams. */
  public void close() {
    List<Descriptor> open;
    synchronized (table) {
      open = new ArrayList<>(table.values());
      table.clear();
    }
    for (Descriptor descriptor : open) {
      try {
        descriptor.close();
      } catch (IOException e) {
        // Nothing the guest can be told any more; the remaining descriptors still get closed.
      }
    }
  }

  // ---- the descriptor table ----

  private Descriptor descriptor(int fd) throws WasiError {
    synchronized (table) {
      Descriptor descriptor = table.get(fd);
      if (descriptor == null) {
        throw new WasiError(Errno.BADF);
      }
      return descriptor;
    }
  }

  private Descriptor.Directory directory(int fd) throws WasiError {
    Descriptor descriptor = descriptor(fd);
    if (descriptor instanceof Descriptor.Directory directory) {
      return directory;
    }
    throw new WasiError(Errno.NOTDIR);
  }

  private int allocate(Descriptor descriptor) {
    synchronized (table) {
      while (table.containsKey(nextFd)) {
        nextFd++;
      }
      int fd = nextFd++;
      table.put(fd, descriptor);
      return fd;
    }
  }

  // ---- the host functions ----

  /** The {@code wasi_snapshot_preview1} functions over this context. */
  public Imports imports() {
    Imports.Builder b = Imports.builder();
    fn(b, "args_get", "ii", (m, a) -> writeStrings(m, args, i(a, 0), i(a, 1)));
    fn(b, "args_sizes_get", "ii", (m, a) -> writeSizes(m, args, i(a, 0), i(a, 1)));
    fn(b, "environ_get", "ii", (m, a) -> writeStrings(m, env, i(a, 0), i(a, 1)));
    fn(b, "environ_sizes_get", "ii", (m, a) -> writeSizes(m, env, i(a, 0), i(a, 1)));
    fn(b, "clock_res_get", "ii", (m, a) -> clockResGet(m, i(a, 0), i(a, 1)));
    fn(b, "clock_time_get", "iLi", (m, a) -> clockTimeGet(m, i(a, 0), i(a, 2)));
    fn(b, "fd_advise", "iLLi", (m, a) -> fdAdvise(i(a, 0), a[1], a[2], i(a, 3)));
    fn(b, "fd_allocate", "iLL", (m, a) -> fdAllocate(i(a, 0), a[1], a[2]));
    fn(b, "fd_close", "i", (m, a) -> fdClose(i(a, 0)));
    fn(b, "fd_datasync", "i", (m, a) -> fdSync(i(a, 0), Rights.FD_DATASYNC));
    fn(b, "fd_sync", "i", (m, a) -> fdSync(i(a, 0), Rights.FD_SYNC));
    fn(b, "fd_fdstat_get", "ii", (m, a) -> fdFdstatGet(m, i(a, 0), i(a, 1)));
    fn(b, "fd_fdstat_set_flags", "ii", (m, a) -> fdFdstatSetFlags(i(a, 0), i(a, 1)));
    fn(b, "fd_fdstat_set_rights", "iLL", (m, a) -> fdFdstatSetRights(i(a, 0), a[1], a[2]));
    fn(b, "fd_filestat_get", "ii", (m, a) -> fdFilestatGet(m, i(a, 0), i(a, 1)));
    fn(b, "fd_filestat_set_size", "iL", (m, a) -> fdFilestatSetSize(i(a, 0), a[1]));
    fn(b, "fd_filestat_set_times", "iLLi", (m, a) -> fdFilestatSetTimes(i(a, 0), a[1], a[2], i(a, 3)));
    fn(b, "fd_pread", "iiiLi", (m, a) -> fdRead(m, i(a, 0), i(a, 1), i(a, 2), a[3], i(a, 4)));
    fn(b, "fd_read", "iiii", (m, a) -> fdRead(m, i(a, 0), i(a, 1), i(a, 2), -1, i(a, 3)));
    fn(b, "fd_pwrite", "iiiLi", (m, a) -> fdWrite(m, i(a, 0), i(a, 1), i(a, 2), a[3], i(a, 4)));
    fn(b, "fd_write", "iiii", (m, a) -> fdWrite(m, i(a, 0), i(a, 1), i(a, 2), -1, i(a, 3)));
    fn(b, "fd_prestat_get", "ii", (m, a) -> fdPrestatGet(m, i(a, 0), i(a, 1)));
    fn(b, "fd_prestat_dir_name", "iii", (m, a) -> fdPrestatDirName(m, i(a, 0), i(a, 1), i(a, 2)));
    fn(b, "fd_readdir", "iiiLi", (m, a) -> fdReaddir(m, i(a, 0), i(a, 1), i(a, 2), a[3], i(a, 4)));
    fn(b, "fd_renumber", "ii", (m, a) -> fdRenumber(i(a, 0), i(a, 1)));
    fn(b, "fd_seek", "iLii", (m, a) -> fdSeek(m, i(a, 0), a[1], i(a, 2), i(a, 3)));
    fn(b, "fd_tell", "ii", (m, a) -> fdSeek(m, i(a, 0), 0, 1, i(a, 1)));
    fn(b, "path_create_directory", "iii", (m, a) -> pathCreateDirectory(i(a, 0), str(m, a, 1)));
    fn(b, "path_filestat_get", "iiiii", (m, a) -> pathFilestatGet(m, i(a, 0), i(a, 1), str(m, a, 2), i(a, 4)));
    fn(b, "path_filestat_set_times", "iiiiLLi",
        (m, a) -> pathFilestatSetTimes(i(a, 0), i(a, 1), str(m, a, 2), a[4], a[5], i(a, 6)));
    fn(b, "path_link", "iiiiiii", (m, a) -> pathLink(i(a, 0), i(a, 1), str(m, a, 2), i(a, 4), str(m, a, 5)));
    fn(b, "path_open", "iiiiiLLii",
        (m, a) -> pathOpen(m, i(a, 0), i(a, 1), str(m, a, 2), i(a, 4), a[5], a[6], i(a, 7), i(a, 8)));
    fn(b, "path_readlink", "iiiiii", (m, a) -> pathReadlink(m, i(a, 0), str(m, a, 1), i(a, 3), i(a, 4), i(a, 5)));
    fn(b, "path_remove_directory", "iii", (m, a) -> pathRemoveDirectory(i(a, 0), str(m, a, 1)));
    fn(b, "path_rename", "iiiiii", (m, a) -> pathRename(i(a, 0), str(m, a, 1), i(a, 3), str(m, a, 4)));
    fn(b, "path_symlink", "iiiii", (m, a) -> pathSymlink(str(m, a, 0), i(a, 2), str(m, a, 3)));
    fn(b, "path_unlink_file", "iii", (m, a) -> pathUnlinkFile(i(a, 0), str(m, a, 1)));
    fn(b, "poll_oneoff", "iiii", (m, a) -> pollOneoff(m, i(a, 0), i(a, 1), i(a, 2), i(a, 3)));
    fn(b, "proc_raise", "i", (m, a) -> Errno.NOSYS);
    fn(b, "sched_yield", "", (m, a) -> {
      Thread.yield();
      return Errno.SUCCESS;
    });
    fn(b, "random_get", "ii", (m, a) -> randomGet(m, i(a, 0), i(a, 1)));
    fn(b, "sock_accept", "iii", (m, a) -> notSocket(i(a, 0)));
    fn(b, "sock_recv", "iiiiii", (m, a) -> notSocket(i(a, 0)));
    fn(b, "sock_send", "iiiii", (m, a) -> notSocket(i(a, 0)));
    fn(b, "sock_shutdown", "ii", (m, a) -> notSocket(i(a, 0)));
    b.function(
        MODULE,
        "proc_exit",
        FunctionType.accepting(ValueType.I32),
        (caller, a) -> {
          int code = (int) a[0];
          throw new ExitException(
              code, "module " + caller.module().source() + " exited with code " + code);
        });
    return b.build();
  }

  @FunctionalInterface
  private interface Syscall {
    int call(Memory memory, long[] args) throws WasiError, IOException;
  }

  private static void fn(Imports.Builder builder, String name, String params, Syscall syscall) {
    ValueType[] types = new ValueType[params.length()];
    for (int k = 0; k < types.length; k++) {
      types[k] = params.charAt(k) == 'L' ? ValueType.I64 : ValueType.I32;
    }
    builder.function(
        MODULE,
        name,
        FunctionType.accepting(types).returning(ValueType.I32),
        (Instance caller, long[] args) -> {
          int errno;
          try {
            errno = syscall.call(caller.memory(), args);
          } catch (WasiError e) {
            errno = e.errno;
          } catch (IOException | UnsupportedOperationException | SecurityException e) {
            if (e instanceof java.io.InterruptedIOException
                || e instanceof java.nio.channels.ClosedByInterruptException
                || Thread.currentThread().isInterrupted()) {
              // A deadline (or the application) interrupted the guest: stop it, do not hand it EIO.
              throw interrupted(name, e);
            }
            errno = Errno.of(e);
          }
          return new long[] {errno};
        });
  }

  private static int i(long[] args, int index) {
    return (int) args[index];
  }

  /** The guest string whose pointer and length are at {@code args[index]} and {@code args[index + 1]}. */
  private static String str(Memory memory, long[] args, int index) throws WasiError {
    byte[] bytes = memory.read((int) args[index], (int) args[index + 1]);
    // Guest paths are UTF-8; a path that is not cannot name a host file faithfully.
    java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
    try {
      return decoder.decode(ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new WasiError(Errno.ILSEQ);
    }
  }

  // ---- args, environment, clocks, randomness ----

  private static int writeSizes(Memory memory, List<String> strings, int countPtr, int sizePtr) {
    int size = 0;
    for (String s : strings) {
      size += s.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    memory.writeInt(countPtr, strings.size());
    memory.writeInt(sizePtr, size);
    return Errno.SUCCESS;
  }

  private static int writeStrings(Memory memory, List<String> strings, int pointers, int buffer) {
    int at = buffer;
    for (int k = 0; k < strings.size(); k++) {
      byte[] bytes = strings.get(k).getBytes(StandardCharsets.UTF_8);
      memory.writeInt(pointers + 4 * k, at);
      memory.write(at, bytes);
      memory.writeByte(at + bytes.length, (byte) 0);
      at += bytes.length + 1;
    }
    return Errno.SUCCESS;
  }

  private int clockResGet(Memory memory, int clock, int resultPtr) {
    if (clock < 0 || clock > 3) {
      return Errno.INVAL;
    }
    memory.writeLong(resultPtr, clock == 0 ? 1_000L : 1L);
    return Errno.SUCCESS;
  }

  private int clockTimeGet(Memory memory, int clock, int resultPtr) {
    long time;
    switch (clock) {
      case 0 -> time = walltime.getAsLong();
      case 1 -> time = nanotime.getAsLong();
      case 2 -> time = injectedClock ? nanotime.getAsLong() : processCpuTime();
      case 3 -> time = injectedClock ? nanotime.getAsLong() : threadCpuTime();
      default -> {
        return Errno.INVAL;
      }
    }
    memory.writeLong(resultPtr, time);
    return Errno.SUCCESS;
  }

  private static long processCpuTime() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElseGet(System::nanoTime);
  }

  private static long threadCpuTime() {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long nanos = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
    return nanos >= 0 ? nanos : processCpuTime();
  }

  private int randomGet(Memory memory, int buffer, int length) {
    byte[] bytes = new byte[length];
    synchronized (random) {
      random.nextBytes(bytes);
    }
    memory.write(buffer, bytes);
    return Errno.SUCCESS;
  }

  private int notSocket(int fd) throws WasiError {
    descriptor(fd);
    return Errno.NOTSOCK;
  }

  // ---- descriptors ----

  private int fdClose(int fd) throws WasiError, IOException {
    Descriptor descriptor;
    synchronized (table) {
      descriptor = table.remove(fd);
    }
    if (descriptor == null) {
      return Errno.BADF;
    }
    descriptor.close();
    return Errno.SUCCESS;
  }

  private int fdRenumber(int from, int to) throws WasiError, IOException {
    Descriptor moved;
    Descriptor replaced;
    synchronized (table) {
      moved = table.get(from);
      replaced = table.get(to);
      if (moved == null || replaced == null) {
        return Errno.BADF;
      }
      if (from == to) {
        return Errno.SUCCESS;
      }
      table.put(to, table.remove(from));
    }
    replaced.close();
    return Errno.SUCCESS;
  }

  private int fdAdvise(int fd, long offset, long length, int advice) throws WasiError {
    Descriptor descriptor = descriptor(fd);
    if (advice < 0 || advice > 5 || offset < 0 || length < 0) {
      return Errno.INVAL;
    }
    if (descriptor instanceof Descriptor.Directory) {
      return Errno.BADF;
    }
    descriptor.require(Rights.FD_ADVISE);
    return Errno.SUCCESS;
  }

  private int fdAllocate(int fd, long offset, long length) throws WasiError, IOException {
    Descriptor.File file = file(fd);
    file.require(Rights.FD_ALLOCATE);
    if (offset < 0 || length <= 0) {
      return Errno.INVAL;
    }
    long end = offset + length;
    if (end < 0) {
      return Errno.FBIG;
    }
    if (file.channel.size() < end) {
      extend(file, end);
    }
    return Errno.SUCCESS;
  }

  private int fdSync(int fd, long right) throws WasiError, IOException {
    Descriptor descriptor = descriptor(fd);
    descriptor.require(right);
    if (descriptor instanceof Descriptor.File file) {
      file.channel.force(right == Rights.FD_SYNC);
    } else if (descriptor instanceof Descriptor.Output output) {
      output.out.flush();
    }
    return Errno.SUCCESS;
  }

  private int fdFdstatGet(Memory memory, int fd, int resultPtr) throws WasiError {
    Descriptor descriptor = descriptor(fd);
    memory.writeLong(resultPtr, 0);
    memory.writeByte(resultPtr, (byte) descriptor.filetype());
    memory.writeByte(resultPtr + 2, (byte) descriptor.fdflags);
    memory.writeByte(resultPtr + 3, (byte) (descriptor.fdflags >>> 8));
    memory.writeLong(resultPtr + 8, descriptor.rightsBase);
    memory.writeLong(resultPtr + 16, descriptor.rightsInheriting);
    return Errno.SUCCESS;
  }

  private int fdFdstatSetFlags(int fd, int flags) throws WasiError {
    Descriptor descriptor = descriptor(fd);
    descriptor.require(Rights.FD_FDSTAT_SET_FLAGS);
    int known = Descriptor.FDFLAG_APPEND | Descriptor.FDFLAG_DSYNC | Descriptor.FDFLAG_NONBLOCK
        | Descriptor.FDFLAG_RSYNC | Descriptor.FDFLAG_SYNC;
    if ((flags & ~known) != 0) {
      return Errno.INVAL;
    }
    // As POSIX fcntl(F_SETFL): only append and non-blocking can change after open; the sync flags
    // stay as opened.
    int changeable = Descriptor.FDFLAG_APPEND | Descriptor.FDFLAG_NONBLOCK;
    descriptor.fdflags = (descriptor.fdflags & ~changeable) | (flags & changeable);
    return Errno.SUCCESS;
  }

  private int fdFdstatSetRights(int fd, long base, long inheriting) throws WasiError {
    Descriptor descriptor = descriptor(fd);
    if ((base & ~descriptor.rightsBase) != 0 || (inheriting & ~descriptor.rightsInheriting) != 0) {
      return Errno.NOTCAPABLE;
    }
    descriptor.rightsBase = base;
    descriptor.rightsInheriting = inheriting;
    return Errno.SUCCESS;
  }

  private int fdFilestatGet(Memory memory, int fd, int resultPtr) throws WasiError, IOException {
    Descriptor descriptor = descriptor(fd);
    descriptor.require(Rights.FD_FILESTAT_GET);
    FileStat stat;
    if (descriptor instanceof Descriptor.File file) {
      FileStat onDisk = FileStat.of(file.path, false);
      // The channel knows the size even if the file was renamed or unlinked since.
      stat = new FileStat(onDisk.device(), onDisk.inode(), onDisk.filetype(), onDisk.nlink(), file.channel.size(),
          onDisk.atim(), onDisk.mtim(), onDisk.ctim());
    } else if (descriptor instanceof Descriptor.Directory dir) {
      stat = FileStat.of(dir.path(), false);
    } else {
      stat = new FileStat(0, 0, Descriptor.FILETYPE_CHARACTER_DEVICE, 1, 0, 0, 0, 0);
    }
    stat.write(memory, resultPtr);
    return Errno.SUCCESS;
  }

  private int fdFilestatSetSize(int fd, long size) throws WasiError, IOException {
    Descriptor descriptor = descriptor(fd);
    if (!(descriptor instanceof Descriptor.File file)) {
      return descriptor instanceof Descriptor.Directory ? Errno.ISDIR : Errno.INVAL;
    }
    file.require(Rights.FD_FILESTAT_SET_SIZE);
    if (size < 0) {
      return Errno.INVAL;
    }
    if (file.readOnlyMount) {
      return Errno.ROFS;
    }
    long current = file.channel.size();
    if (size < current) {
      file.channel.truncate(size);
    } else if (size > current) {
      extend(file, size);
    }
    return Errno.SUCCESS;
  }

  private static void extend(Descriptor.File file, long size) throws IOException {
    file.channel.write(ByteBuffer.wrap(new byte[1]), size - 1);
  }

  private int fdFilestatSetTimes(int fd, long atim, long mtim, int flags) throws WasiError, IOException {
    Descriptor descriptor = descriptor(fd);
    descriptor.require(Rights.FD_FILESTAT_SET_TIMES);
    Path path;
    boolean readOnly;
    if (descriptor instanceof Descriptor.File file) {
      path = file.path;
      readOnly = file.readOnlyMount;
    } else if (descriptor instanceof Descriptor.Directory dir) {
      path = dir.path();
      readOnly = dir.readOnly;
    } else {
      return Errno.SUCCESS;
    }
    return setTimes(path, readOnly, atim, mtim, flags, true);
  }

  private int setTimes(Path path, boolean readOnly, long atim, long mtim, int flags, boolean follow) throws IOException {
    if (((flags & FST_ATIM) != 0 && (flags & FST_ATIM_NOW) != 0)
        || ((flags & FST_MTIM) != 0 && (flags & FST_MTIM_NOW) != 0)
        || (flags & ~0xf) != 0) {
      return Errno.INVAL;
    }
    if (readOnly) {
      return Errno.ROFS;
    }
    FileTime now = FileTime.from(walltime.getAsLong(), TimeUnit.NANOSECONDS);
    FileTime access = (flags & FST_ATIM_NOW) != 0 ? now : (flags & FST_ATIM) != 0 ? FileTime.from(atim, TimeUnit.NANOSECONDS) : null;
    FileTime modified = (flags & FST_MTIM_NOW) != 0 ? now : (flags & FST_MTIM) != 0 ? FileTime.from(mtim, TimeUnit.NANOSECONDS) : null;
    LinkOption[] options = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    Files.getFileAttributeView(path, BasicFileAttributeView.class, options).setTimes(modified, access, null);
    return Errno.SUCCESS;
  }

  private Descriptor.File file(int fd) throws WasiError {
    Descriptor descriptor = descriptor(fd);
    if (descriptor instanceof Descriptor.File file) {
      return file;
    }
    throw new WasiError(descriptor instanceof Descriptor.Directory ? Errno.ISDIR : Errno.SPIPE);
  }

  private int fdRead(Memory memory, int fd, int iovs, int iovsLength, long offset, int resultPtr)
      throws WasiError, IOException {
    Descriptor descriptor = descriptor(fd);
    if (descriptor instanceof Descriptor.Directory) {
      return Errno.ISDIR;
    }
    descriptor.require(offset >= 0 ? Rights.FD_READ | Rights.FD_SEEK : Rights.FD_READ);
    long total = 0;
    if (descriptor instanceof Descriptor.Input input) {
      if (offset >= 0) {
        return Errno.SPIPE;
      }
      for (int k = 0; k < iovsLength; k++) {
        int buffer = memory.readInt(iovs + 8 * k);
        int length = memory.readInt(iovs + 8 * k + 4);
        byte[] bytes = new byte[length];
        int n = readSome(input.in, bytes);
        if (n > 0) {
          memory.write(buffer, bytes, 0, n);
          total += n;
        }
        if (n < length) {
          break;
        }
      }
    } else if (descriptor instanceof Descriptor.File file) {
      long position = offset;
      for (int k = 0; k < iovsLength; k++) {
        int buffer = memory.readInt(iovs + 8 * k);
        int length = memory.readInt(iovs + 8 * k + 4);
        ByteBuffer bytes = ByteBuffer.allocate(length);
        int n = 0;
        while (bytes.hasRemaining()) {
          int r = position >= 0 ? file.channel.read(bytes, position + n) : file.channel.read(bytes);
          if (r <= 0) {
            break;
          }
          n += r;
        }
        memory.write(buffer, bytes.array(), 0, n);
        total += n;
        if (position >= 0) {
          position += n;
        }
        if (n < length) {
          break;
        }
      }
    } else {
      return Errno.BADF;
    }
    memory.writeInt(resultPtr, (int) total);
    return Errno.SUCCESS;
  }

  /** Reads what is available, blocking only until the first byte or the end of input. */
  private static int readSome(InputStream in, byte[] bytes) throws IOException {
    if (bytes.length == 0) {
      return 0;
    }
    int n = in.read(bytes, 0, bytes.length);
    if (n <= 0) {
      return 0;
    }
    while (n < bytes.length && in.available() > 0) {
      int more = in.read(bytes, n, Math.min(in.available(), bytes.length - n));
      if (more <= 0) {
        break;
      }
      n += more;
    }
    return n;
  }

  private int fdWrite(Memory memory, int fd, int iovs, int iovsLength, long offset, int resultPtr)
      throws WasiError, IOException {
    Descriptor descriptor = descriptor(fd);
    if (descriptor instanceof Descriptor.Directory) {
      return Errno.ISDIR;
    }
    descriptor.require(offset >= 0 ? Rights.FD_WRITE | Rights.FD_SEEK : Rights.FD_WRITE);
    long total = 0;
    if (descriptor instanceof Descriptor.Output output) {
      if (offset >= 0) {
        return Errno.SPIPE;
      }
      byte[] data = gather(memory, iovs, iovsLength).array();
      output.out.write(data);
      output.out.flush();
      total = data.length;
    } else if (descriptor instanceof Descriptor.File file) {
      if (file.readOnlyMount) {
        return Errno.ROFS;
      }
      ByteBuffer data = gather(memory, iovs, iovsLength);
      total = data.remaining();
      synchronized (file) {
        if (file.append()) {
          // POSIX: with O_APPEND every write, pwrite included (as on Linux), goes to the end.
          long end = file.channel.size();
          while (data.hasRemaining()) {
            end += file.channel.write(data, end);
          }
          if (offset < 0) {
            file.channel.position(end);
          }
        } else if (offset >= 0) {
          long at = offset;
          while (data.hasRemaining()) {
            at += file.channel.write(data, at);
          }
        } else {
          while (data.hasRemaining()) {
            file.channel.write(data);
          }
        }
      }
    } else {
      return Errno.BADF;
    }
    memory.writeInt(resultPtr, (int) total);
    return Errno.SUCCESS;
  }

  private static ByteBuffer gather(Memory memory, int iovs, int iovsLength) {
    int total = 0;
    int[] buffers = new int[iovsLength];
    int[] lengths = new int[iovsLength];
    for (int k = 0; k < iovsLength; k++) {
      buffers[k] = memory.readInt(iovs + 8 * k);
      lengths[k] = memory.readInt(iovs + 8 * k + 4);
      total += lengths[k];
    }
    byte[] data = new byte[total];
    int at = 0;
    for (int k = 0; k < iovsLength; k++) {
      byte[] part = memory.read(buffers[k], lengths[k]);
      System.arraycopy(part, 0, data, at, part.length);
      at += part.length;
    }
    return ByteBuffer.wrap(data);
  }

  private int fdSeek(Memory memory, int fd, long offset, int whence, int resultPtr) throws WasiError, IOException {
    Descriptor descriptor = descriptor(fd);
    if (descriptor instanceof Descriptor.Directory) {
      return Errno.BADF;
    }
    if (!(descriptor instanceof Descriptor.File file)) {
      return Errno.SPIPE;
    }
    boolean tellOnly = offset == 0 && whence == 1;
    file.require(tellOnly ? Rights.FD_TELL : Rights.FD_SEEK);
    long base;
    synchronized (file) {
      switch (whence) {
        case 0 -> base = 0;
        case 1 -> base = file.channel.position();
        case 2 -> base = file.channel.size();
        default -> {
          return Errno.INVAL;
        }
      }
      long target = base + offset;
      if (target < 0) {
        return Errno.INVAL;
      }
      file.channel.position(target);
      memory.writeLong(resultPtr, target);
    }
    return Errno.SUCCESS;
  }

  private int fdPrestatGet(Memory memory, int fd, int resultPtr) throws WasiError {
    Descriptor descriptor = descriptor(fd);
    if (!(descriptor instanceof Descriptor.Directory dir) || dir.preopenName == null) {
      return Errno.BADF;
    }
    memory.writeInt(resultPtr, 0);
    memory.writeInt(resultPtr + 4, dir.preopenName.getBytes(StandardCharsets.UTF_8).length);
    return Errno.SUCCESS;
  }

  private int fdPrestatDirName(Memory memory, int fd, int buffer, int length) throws WasiError {
    Descriptor descriptor = descriptor(fd);
    if (!(descriptor instanceof Descriptor.Directory dir) || dir.preopenName == null) {
      return Errno.BADF;
    }
    byte[] name = dir.preopenName.getBytes(StandardCharsets.UTF_8);
    if (length < name.length) {
      return Errno.NAMETOOLONG;
    }
    memory.write(buffer, name);
    return Errno.SUCCESS;
  }

  private int fdReaddir(Memory memory, int fd, int buffer, int length, long cookie, int resultPtr)
      throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.FD_READDIR);
    List<Descriptor.DirEntry> listing;
    synchronized (dir) {
      if (cookie == 0 || dir.listing == null) {
        dir.listing = list(dir);
      }
      listing = dir.listing;
    }
    if (cookie < 0 || cookie > listing.size()) {
      return Errno.INVAL;
    }
    ByteBuffer out = ByteBuffer.allocate(length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int k = (int) cookie; k < listing.size() && out.hasRemaining(); k++) {
      Descriptor.DirEntry entry = listing.get(k);
      byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
      ByteBuffer record = ByteBuffer.allocate(24 + name.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      record.putLong(k + 1).putLong(entry.inode()).putInt(name.length).put((byte) entry.filetype());
      record.position(24);
      record.put(name).flip();
      // A record that does not fit is cut off: the guest sees a full buffer and asks again.
      record.limit(Math.min(record.limit(), out.remaining()));
      out.put(record);
    }
    memory.write(buffer, out.array(), 0, out.position());
    memory.writeInt(resultPtr, out.position());
    return Errno.SUCCESS;
  }

  private static List<Descriptor.DirEntry> list(Descriptor.Directory dir) throws IOException {
    Path path = dir.path();
    List<Descriptor.DirEntry> entries = new ArrayList<>();
    entries.add(new Descriptor.DirEntry(".", FileStat.of(path, false).inode(), Descriptor.FILETYPE_DIRECTORY));
    Path parent = dir.components.isEmpty() ? path : path.getParent();
    entries.add(new Descriptor.DirEntry("..", FileStat.of(parent, false).inode(), Descriptor.FILETYPE_DIRECTORY));
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(path)) {
      stream.forEach(children::add);
    }
    children.sort(null);
    for (Path child : children) {
      FileStat stat;
      try {
        stat = FileStat.of(child, false);
      } catch (IOException e) {
        continue; // deleted while listing
      }
      entries.add(new Descriptor.DirEntry(child.getFileName().toString(), stat.inode(), stat.filetype()));
    }
    return entries;
  }

  // ---- paths ----

  private static void requireWritable(Descriptor.Directory dir) throws WasiError {
    if (dir.readOnly) {
      throw new WasiError(Errno.ROFS);
    }
  }

  private int pathCreateDirectory(int fd, String path) throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.PATH_CREATE_DIRECTORY);
    Sandbox.Resolved target = Sandbox.resolve(dir, path, false);
    if (Files.exists(target.path(), LinkOption.NOFOLLOW_LINKS)) {
      return Errno.EXIST;
    }
    requireWritable(dir);
    Files.createDirectory(target.path());
    return Errno.SUCCESS;
  }

  private int pathFilestatGet(Memory memory, int fd, int flags, String path, int resultPtr) throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.PATH_FILESTAT_GET);
    Sandbox.Resolved target = Sandbox.resolve(dir, path, (flags & LOOKUP_SYMLINK_FOLLOW) != 0);
    FileStat stat = FileStat.of(target.path(), false);
    if (target.mustBeDirectory() && stat.filetype() != Descriptor.FILETYPE_DIRECTORY) {
      return Errno.NOTDIR;
    }
    stat.write(memory, resultPtr);
    return Errno.SUCCESS;
  }

  private int pathFilestatSetTimes(int fd, int flags, String path, long atim, long mtim, int fstFlags)
      throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.PATH_FILESTAT_SET_TIMES);
    Sandbox.Resolved target = Sandbox.resolve(dir, path, (flags & LOOKUP_SYMLINK_FOLLOW) != 0);
    if (!Files.exists(target.path(), LinkOption.NOFOLLOW_LINKS)) {
      return Errno.NOENT;
    }
    return setTimes(target.path(), dir.readOnly, atim, mtim, fstFlags, false);
  }

  private int pathLink(int oldFd, int oldFlags, String oldPath, int newFd, String newPath) throws WasiError, IOException {
    Descriptor.Directory oldDir = directory(oldFd);
    Descriptor.Directory newDir = directory(newFd);
    oldDir.require(Rights.PATH_LINK_SOURCE);
    newDir.require(Rights.PATH_LINK_TARGET);
    Sandbox.Resolved source = Sandbox.resolve(oldDir, oldPath, (oldFlags & LOOKUP_SYMLINK_FOLLOW) != 0);
    Sandbox.Resolved target = Sandbox.resolve(newDir, newPath, false);
    BasicFileAttributes attributes = attributes(source.path());
    if (attributes == null) {
      return Errno.NOENT;
    }
    if (attributes.isDirectory()) {
      return Errno.PERM;
    }
    if (source.mustBeDirectory()) {
      return Errno.NOTDIR;
    }
    if (Files.exists(target.path(), LinkOption.NOFOLLOW_LINKS)) {
      return Errno.EXIST;
    }
    if (target.mustBeDirectory()) {
      return Errno.NOENT;
    }
    if (!oldDir.root.equals(newDir.root)) {
      return Errno.XDEV;
    }
    requireWritable(newDir);
    Files.createLink(target.path(), source.path());
    return Errno.SUCCESS;
  }

  private int pathOpen(Memory memory, int fd, int lookupFlags, String path, int oflags, long base, long inheriting,
      int fdflags, int resultPtr) throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.PATH_OPEN);
    boolean create = (oflags & OFLAG_CREAT) != 0;
    boolean exclusive = (oflags & OFLAG_EXCL) != 0;
    boolean truncate = (oflags & OFLAG_TRUNC) != 0;
    boolean directoryOnly = (oflags & OFLAG_DIRECTORY) != 0;
    if (create) {
      dir.require(Rights.PATH_CREATE_FILE);
    }
    if (truncate) {
      dir.require(Rights.PATH_FILESTAT_SET_SIZE);
    }
    if ((base & ~dir.rightsInheriting) != 0 || (inheriting & ~dir.rightsInheriting) != 0) {
      return Errno.NOTCAPABLE;
    }
    boolean follow = (lookupFlags & LOOKUP_SYMLINK_FOLLOW) != 0 && !(create && exclusive);
    Sandbox.Resolved target = Sandbox.resolve(dir, path, follow);
    Path host = target.path();
    BasicFileAttributes attributes = attributes(host);
    boolean write = (base & (Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE)) != 0;
    if (attributes != null) {
      if (create && exclusive) {
        return Errno.EXIST;
      }
      if (attributes.isSymbolicLink()) {
        return Errno.LOOP;
      }
      if (attributes.isDirectory()) {
        if ((base & Rights.FD_WRITE) != 0 || truncate) {
          return Errno.ISDIR;
        }
        Descriptor.Directory opened =
            new Descriptor.Directory(dir.root, target.components(), dir.readOnly, null,
                base & Rights.DIRECTORY, inheriting);
        memory.writeInt(resultPtr, allocate(opened));
        return Errno.SUCCESS;
      }
      if (directoryOnly || target.mustBeDirectory()) {
        return Errno.NOTDIR;
      }
      if (dir.readOnly && (write || truncate)) {
        return Errno.ROFS;
      }
    } else {
      if (!create) {
        return Errno.NOENT;
      }
      if (target.mustBeDirectory()) {
        return Errno.ISDIR;
      }
      if (directoryOnly) {
        return Errno.INVAL;
      }
      requireWritable(dir);
    }
    List<OpenOption> options = new ArrayList<>();
    options.add(StandardOpenOption.READ);
    if (write || (create && attributes == null)) {
      options.add(StandardOpenOption.WRITE);
    }
    if (create) {
      options.add(exclusive ? StandardOpenOption.CREATE_NEW : StandardOpenOption.CREATE);
    }
    options.add(LinkOption.NOFOLLOW_LINKS);
    FileChannel channel;
    if (truncate && attributes != null && !options.contains(StandardOpenOption.WRITE)) {
      // Truncation is granted by the directory's right, not the descriptor's: open O_RDONLY|O_TRUNC
      // truncates, as on Linux.
      try (FileChannel truncating = FileChannel.open(host, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        truncating.truncate(0);
      }
    }
    try {
      channel = FileChannel.open(host, Set.copyOf(options));
    } catch (java.nio.file.AccessDeniedException e) {
      if (options.contains(StandardOpenOption.WRITE) && (base & Rights.FD_READ) == 0) {
        options.remove(StandardOpenOption.READ);
        channel = FileChannel.open(host, Set.copyOf(options));
      } else {
        throw e;
      }
    }
    if (truncate && options.contains(StandardOpenOption.WRITE)) {
      channel.truncate(0);
    }
    Descriptor.File opened =
        new Descriptor.File(host, channel, base & Rights.FILE, inheriting, fdflags & 0x1f, dir.readOnly);
    memory.writeInt(resultPtr, allocate(opened));
    return Errno.SUCCESS;
  }

  /** The attributes of {@code path} itself (not a link's target), or null if nothing is there. */
  private static BasicFileAttributes attributes(Path path) throws IOException {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException e) {
      return null;
    }
  }

  private int pathReadlink(Memory memory, int fd, String path, int buffer, int length, int resultPtr)
      throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.PATH_READLINK);
    Sandbox.Resolved target = Sandbox.resolve(dir, path, false);
    BasicFileAttributes attributes = attributes(target.path());
    if (attributes == null) {
      return Errno.NOENT;
    }
    if (!attributes.isSymbolicLink()) {
      return Errno.INVAL;
    }
    byte[] link = Files.readSymbolicLink(target.path()).toString().getBytes(StandardCharsets.UTF_8);
    int n = Math.min(link.length, length);
    memory.write(buffer, link, 0, n);
    memory.writeInt(resultPtr, n);
    return Errno.SUCCESS;
  }

  private int pathRemoveDirectory(int fd, String path) throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.PATH_REMOVE_DIRECTORY);
    // A trailing slash must not make the last link be followed: rmdir("link/") removes nothing.
    String name = withoutTrailingSlashes(path);
    Sandbox.Resolved target = Sandbox.resolve(dir, name, false);
    if (target.components().size() <= dir.components.size()
        && Sandbox.contains(target.components(), dir.components)) {
      // "." or a path back to the directory itself (or above it) cannot be removed through it.
      return Errno.INVAL;
    }
    BasicFileAttributes attributes = attributes(target.path());
    if (attributes == null) {
      return Errno.NOENT;
    }
    if (!attributes.isDirectory()) {
      return Errno.NOTDIR;
    }
    requireWritable(dir);
    Files.delete(target.path());
    return Errno.SUCCESS;
  }

  private static String withoutTrailingSlashes(String path) {
    int end = path.length();
    while (end > 1 && path.charAt(end - 1) == '/') {
      end--;
    }
    return path.substring(0, end);
  }

  private int pathRename(int oldFd, String oldPath, int newFd, String newPath) throws WasiError, IOException {
    Descriptor.Directory oldDir = directory(oldFd);
    Descriptor.Directory newDir = directory(newFd);
    oldDir.require(Rights.PATH_RENAME_SOURCE);
    newDir.require(Rights.PATH_RENAME_TARGET);
    Sandbox.Resolved source = Sandbox.resolve(oldDir, oldPath, false);
    Sandbox.Resolved target = Sandbox.resolve(newDir, newPath, false);
    BasicFileAttributes from = attributes(source.path());
    if (from == null) {
      return Errno.NOENT;
    }
    boolean fromDirectory = from.isDirectory();
    if (!fromDirectory && (source.mustBeDirectory() || target.mustBeDirectory())) {
      return Errno.NOTDIR;
    }
    if (!oldDir.root.equals(newDir.root)) {
      return Errno.XDEV;
    }
    if (source.components().isEmpty() || target.components().isEmpty()) {
      return Errno.INVAL;
    }
    BasicFileAttributes to = attributes(target.path());
    if (to != null && from.fileKey() != null && from.fileKey().equals(to.fileKey())) {
      return Errno.SUCCESS; // POSIX: renaming a file onto itself (or a hard link of it) does nothing
    }
    if (fromDirectory && Sandbox.contains(source.components(), target.components())) {
      return Errno.INVAL; // a directory cannot move below itself
    }
    if (to != null) {
      if (fromDirectory && !to.isDirectory()) {
        return Errno.NOTDIR;
      }
      if (!fromDirectory && to.isDirectory()) {
        return Errno.ISDIR;
      }
      if (to.isDirectory() && !isEmpty(target.path())) {
        return Errno.NOTEMPTY;
      }
    }
    requireWritable(oldDir);
    requireWritable(newDir);
    try {
      Files.move(source.path(), target.path(), StandardCopyOption.ATOMIC_MOVE);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      Files.move(source.path(), target.path(), StandardCopyOption.REPLACE_EXISTING);
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // A provider whose atomic move will not replace: the checks above make replacing safe.
      Files.move(source.path(), target.path(), StandardCopyOption.REPLACE_EXISTING);
    }
    return Errno.SUCCESS;
  }

  private static boolean isEmpty(Path directory) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
      return !entries.iterator().hasNext();
    }
  }

  private int pathSymlink(String linkTarget, int fd, String path) throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.PATH_SYMLINK);
    if (linkTarget.isEmpty()) {
      return Errno.NOENT;
    }
    Sandbox.Resolved link = Sandbox.resolve(dir, path, false);
    if (Files.exists(link.path(), LinkOption.NOFOLLOW_LINKS)) {
      return Errno.EXIST;
    }
    if (link.mustBeDirectory()) {
      return Errno.NOENT;
    }
    requireWritable(dir);
    Files.createSymbolicLink(link.path(), link.path().getFileSystem().getPath(linkTarget));
    return Errno.SUCCESS;
  }

  private int pathUnlinkFile(int fd, String path) throws WasiError, IOException {
    Descriptor.Directory dir = directory(fd);
    dir.require(Rights.PATH_UNLINK_FILE);
    String name = withoutTrailingSlashes(path);
    Sandbox.Resolved target = Sandbox.resolve(dir, name, false);
    BasicFileAttributes attributes = attributes(target.path());
    if (attributes == null) {
      return Errno.NOENT;
    }
    if (attributes.isDirectory()) {
      return Errno.ISDIR;
    }
    if (target.mustBeDirectory() || name.length() != path.length()) {
      return Errno.NOTDIR;
    }
    requireWritable(dir);
    Files.delete(target.path());
    return Errno.SUCCESS;
  }

  // ---- poll ----

  private int pollOneoff(Memory memory, int in, int out, int count, int resultPtr) throws IOException {
    if (count == 0) {
      return Errno.INVAL;
    }
    long now = nanotime.getAsLong();
    long earliestDeadline = Long.MAX_VALUE;
    List<long[]> events = new ArrayList<>(); // userdata, errno, type, nbytes
    List<long[]> clocks = new ArrayList<>(); // userdata, deadline
    for (int k = 0; k < count; k++) {
      int at = in + 48 * k;
      long userdata = memory.readLong(at);
      int tag = memory.readByte(at + 8);
      if (tag == 0) {
        int clock = memory.readInt(at + 16);
        long timeout = memory.readLong(at + 24);
        boolean absolute = (memory.readByte(at + 40) & 1) != 0;
        if (clock < 0 || clock > 3) {
          events.add(new long[] {userdata, Errno.INVAL, 0, 0});
          continue;
        }
        long deadline;
        if (absolute) {
          long clockNow = clock == 0 ? walltime.getAsLong() : nanotime.getAsLong();
          deadline = now + Math.max(0, timeout - clockNow);
        } else {
          deadline = now + Math.max(0, timeout);
        }
        if (deadline < now) {
          deadline = Long.MAX_VALUE; // overflow: never
        }
        clocks.add(new long[] {userdata, deadline});
        earliestDeadline = Math.min(earliestDeadline, deadline);
      } else if (tag == 1 || tag == 2) {
        int fd = memory.readInt(at + 16);
        Descriptor descriptor;
        synchronized (table) {
          descriptor = table.get(fd);
        }
        if (descriptor == null) {
          events.add(new long[] {userdata, Errno.BADF, tag, 0});
        } else if (tag == 1 && descriptor instanceof Descriptor.Input input) {
          events.add(new long[] {userdata, Errno.SUCCESS, tag, Math.max(1, input.in.available())});
        } else if (tag == 1 && descriptor instanceof Descriptor.File file) {
          events.add(new long[] {userdata, Errno.SUCCESS, tag, Math.max(0, file.channel.size() - file.channel.position())});
        } else {
          events.add(new long[] {userdata, Errno.SUCCESS, tag, 0});
        }
      } else {
        events.add(new long[] {userdata, Errno.INVAL, tag, 0});
      }
    }
    if (events.isEmpty() && earliestDeadline != Long.MAX_VALUE) {
      sleepUntil(earliestDeadline);
    }
    long after = nanotime.getAsLong();
    for (long[] clock : clocks) {
      if (clock[1] <= after || (events.isEmpty() && clock[1] == earliestDeadline)) {
        events.add(new long[] {clock[0], Errno.SUCCESS, 0, 0});
      }
    }
    for (int k = 0; k < events.size(); k++) {
      long[] event = events.get(k);
      int at = out + 32 * k;
      memory.writeLong(at, event[0]);
      memory.writeLong(at + 8, 0);
      memory.writeByte(at + 8, (byte) event[1]);
      memory.writeByte(at + 9, (byte) (event[1] >>> 8));
      memory.writeByte(at + 10, (byte) event[2]);
      memory.writeLong(at + 16, event[3]);
      memory.writeLong(at + 24, 0);
    }
    memory.writeInt(resultPtr, events.size());
    return Errno.SUCCESS;
  }

  private void sleepUntil(long deadline) {
    if (injectedClock) {
      return; // a deterministic clock does not advance by sleeping
    }
    long remaining;
    while ((remaining = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(remaining);
      if (Thread.currentThread().isInterrupted()) {
        throw interrupted("poll_oneoff", null);
      }
    }
  }

  /**
   * What a blocked function throws when its thread is interrupted, flag kept: the guest must stop
   * now (a deadline reports it as a timeout), since it may not reach another point where the engine
   * checks for interruption.
   */
  private static java.util.concurrent.CancellationException interrupted(String function, Exception cause) {
    java.util.concurrent.CancellationException stop =
        new java.util.concurrent.CancellationException(function + " was interrupted");
    if (cause != null) {
      stop.initCause(cause);
    }
    return stop;
  }
}
