package dev.wasmhost.wasi.internal;

import dev.wasmhost.Memory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A WASI {@code filestat}, read from the host file system. */
record FileStat(long device, long inode, int filetype, long nlink, long size, long atim, long mtim, long ctim) {
  static final int SIZE = 64;

  static FileStat of(Path path, boolean follow) throws IOException {
    LinkOption[] options = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
    BasicFileAttributes basic = Files.readAttributes(path, BasicFileAttributes.class, options);
    long device = 0;
    long inode = basic.fileKey() == null ? 0 : basic.fileKey().hashCode() & 0xffffffffL;
    long nlink = 1;
    long ctim = nanos(basic.lastModifiedTime());
    if (path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
      try {
        Map<String, Object> unix = Files.readAttributes(path, "unix:dev,ino,nlink,ctime", options);
        device = number(unix.get("dev"), device);
        inode = number(unix.get("ino"), inode);
        nlink = number(unix.get("nlink"), nlink);
        if (unix.get("ctime") instanceof FileTime changed) {
          ctim = nanos(changed);
        }
      } catch (IllegalArgumentException | UnsupportedOperationException e) {
        // A file system with a partial unix view (Jimfs lacks dev): keep what basic attributes gave.
      }
    }
    return new FileStat(
        device, inode, filetype(basic), nlink, basic.size(), nanos(basic.lastAccessTime()),
        nanos(basic.lastModifiedTime()), ctim);
  }

  static int filetype(BasicFileAttributes attributes) {
    if (attributes.isSymbolicLink()) {
      return Descriptor.FILETYPE_SYMBOLIC_LINK;
    }
    if (attributes.isDirectory()) {
      return Descriptor.FILETYPE_DIRECTORY;
    }
    if (attributes.isRegularFile()) {
      return Descriptor.FILETYPE_REGULAR_FILE;
    }
    return Descriptor.FILETYPE_UNKNOWN;
  }

  void write(Memory memory, int address) {
    memory.writeLong(address, device);
    memory.writeLong(address + 8, inode);
    memory.writeLong(address + 16, filetype & 0xff);
    memory.writeLong(address + 24, nlink);
    memory.writeLong(address + 32, size);
    memory.writeLong(address + 40, atim);
    memory.writeLong(address + 48, mtim);
    memory.writeLong(address + 56, ctim);
  }

  private static long number(Object value, long fallback) {
    return value instanceof Number n ? n.longValue() : fallback;
  }

  private static long nanos(FileTime time) {
    return time == null ? 0 : time.to(TimeUnit.NANOSECONDS);
  }
}
