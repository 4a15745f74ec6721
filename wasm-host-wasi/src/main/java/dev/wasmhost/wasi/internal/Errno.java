package dev.wasmhost.wasi.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.ReadOnlyFileSystemException;
import java.util.LinkedHashMap;
import java.util.Map;

/** WASI preview 1 error numbers, and the one for a Java I/O failure. */
final class Errno {
  static final int SUCCESS = 0;
  static final int TOOBIG = 1;
  static final int ACCES = 2;
  static final int AGAIN = 6;
  static final int BADF = 8;
  static final int EXIST = 20;
  static final int FAULT = 21;
  static final int FBIG = 22;
  static final int ILSEQ = 25;
  static final int INVAL = 28;
  static final int IO = 29;
  static final int ISDIR = 31;
  static final int LOOP = 32;
  static final int MLINK = 34;
  static final int NAMETOOLONG = 37;
  static final int NOENT = 44;
  static final int NOSPC = 51;
  static final int NOSYS = 52;
  static final int NOTDIR = 54;
  static final int NOTEMPTY = 55;
  static final int NOTSOCK = 57;
  static final int NOTSUP = 58;
  static final int OVERFLOW = 61;
  static final int PERM = 63;
  static final int PIPE = 64;
  static final int ROFS = 69;
  static final int SPIPE = 70;
  static final int XDEV = 75;
  static final int NOTCAPABLE = 76;

  private Errno() {}

  /** Exception types that say what failed, most specific first. */
  private static final Map<Class<? extends Throwable>, Integer> BY_TYPE = new LinkedHashMap<>();

  /** The OS's reason, for failures that come as a plain (file system) exception. */
  private static final Map<String, Integer> BY_REASON = new LinkedHashMap<>();

  static {
    BY_TYPE.put(NoSuchFileException.class, NOENT);
    BY_TYPE.put(FileAlreadyExistsException.class, EXIST);
    BY_TYPE.put(DirectoryNotEmptyException.class, NOTEMPTY);
    BY_TYPE.put(NotDirectoryException.class, NOTDIR);
    BY_TYPE.put(AccessDeniedException.class, ACCES);
    BY_TYPE.put(NotLinkException.class, INVAL);
    BY_TYPE.put(FileSystemLoopException.class, LOOP);
    BY_TYPE.put(ReadOnlyFileSystemException.class, ROFS);
    BY_REASON.put("Is a directory", ISDIR);
    BY_REASON.put("Not a directory", NOTDIR);
    BY_REASON.put("Read-only file system", ROFS);
    BY_REASON.put("Too many levels of symbolic links", LOOP);
    BY_REASON.put("Directory not empty", NOTEMPTY);
    BY_REASON.put("Broken pipe", PIPE);
    BY_REASON.put("Operation not permitted", PERM);
    BY_REASON.put("File exists", EXIST);
    BY_REASON.put("No space left", NOSPC);
    BY_REASON.put("Invalid argument", INVAL);
    BY_REASON.put("File name too long", NAMETOOLONG);
  }

  /** The errno for an I/O failure of the host file system. */
  static int of(Throwable e) {
    for (Map.Entry<Class<? extends Throwable>, Integer> type : BY_TYPE.entrySet()) {
      if (type.getKey().isInstance(e)) {
        return type.getValue();
      }
    }
    // Some failures come as a FileSystemException with the OS's reason, others (a closed pipe on a
    // stream) as a plain IOException whose message is that reason.
    String reason = e instanceof FileSystemException f ? f.getReason() : e instanceof IOException ? e.getMessage() : null;
    if (reason != null) {
      for (Map.Entry<String, Integer> known : BY_REASON.entrySet()) {
        if (reason.contains(known.getKey())) {
          return known.getValue();
        }
      }
    }
    if (e instanceof UnsupportedOperationException) {
      return NOTSUP;
    }
    return e instanceof SecurityException ? ACCES : IO;
  }
}
