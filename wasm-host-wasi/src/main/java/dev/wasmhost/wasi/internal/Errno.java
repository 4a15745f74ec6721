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

  /** The errno for an I/O failure of the host file system. */
  static int of(Throwable e) {
    if (e instanceof NoSuchFileException) {
      return NOENT;
    }
    if (e instanceof FileAlreadyExistsException) {
      return EXIST;
    }
    if (e instanceof DirectoryNotEmptyException) {
      return NOTEMPTY;
    }
    if (e instanceof NotDirectoryException) {
      return NOTDIR;
    }
    if (e instanceof AccessDeniedException) {
      return ACCES;
    }
    if (e instanceof NotLinkException) {
      return INVAL;
    }
    if (e instanceof FileSystemLoopException) {
      return LOOP;
    }
    if (e instanceof ReadOnlyFileSystemException) {
      return ROFS;
    }
    // Some failures come as a FileSystemException with the OS's reason, others (a closed pipe on a
    // stream) as a plain IOException whose message is that reason.
    String reason = e instanceof FileSystemException f ? f.getReason() : e instanceof IOException ? e.getMessage() : null;
    if (reason != null) {
      if (reason.contains("Is a directory")) {
        return ISDIR;
      }
      if (reason.contains("Not a directory")) {
        return NOTDIR;
      }
      if (reason.contains("Read-only file system")) {
        return ROFS;
      }
      if (reason.contains("Too many levels of symbolic links")) {
        return LOOP;
      }
      if (reason.contains("Directory not empty")) {
        return NOTEMPTY;
      }
      if (reason.contains("Broken pipe")) {
        return PIPE;
      }
      if (reason.contains("Operation not permitted")) {
        return PERM;
      }
      if (reason.contains("File exists")) {
        return EXIST;
      }
      if (reason.contains("No space left")) {
        return NOSPC;
      }
      if (reason.contains("Invalid argument")) {
        return INVAL;
      }
      if (reason.contains("File name too long")) {
        return NAMETOOLONG;
      }
    }
    if (e instanceof UnsupportedOperationException) {
      return NOTSUP;
    }
    if (e instanceof SecurityException) {
      return ACCES;
    }
    if (e instanceof IOException) {
      return IO;
    }
    return IO;
  }
}
