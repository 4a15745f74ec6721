package dev.wasmhost.wasi.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;

/** An open WASI descriptor: a standard stream, a file or a directory. */
abstract class Descriptor {
  static final int FILETYPE_UNKNOWN = 0;
  static final int FILETYPE_CHARACTER_DEVICE = 2;
  static final int FILETYPE_DIRECTORY = 3;
  static final int FILETYPE_REGULAR_FILE = 4;
  static final int FILETYPE_SYMBOLIC_LINK = 7;

  static final int FDFLAG_APPEND = 1;
  static final int FDFLAG_DSYNC = 2;
  static final int FDFLAG_NONBLOCK = 4;
  static final int FDFLAG_RSYNC = 8;
  static final int FDFLAG_SYNC = 16;

  long rightsBase;
  long rightsInheriting;
  int fdflags;

  Descriptor(long rightsBase, long rightsInheriting, int fdflags) {
    this.rightsBase = rightsBase;
    this.rightsInheriting = rightsInheriting;
    this.fdflags = fdflags;
  }

  abstract int filetype();

  void require(long rights) throws WasiError {
    if ((rightsBase & rights) != rights) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
  }

  void close() throws IOException {}

  /** Standard input. */
  static final class Input extends Descriptor {
    final InputStream in;

    Input(InputStream in) {
      super(Rights.STDIN, 0, 0);
      this.in = in;
    }

    @Override
    int filetype() {
      return FILETYPE_CHARACTER_DEVICE;
    }
  }

  /** Standard output or error. */
  static final class Output extends Descriptor {
    final OutputStream out;

    Output(OutputStream out) {
      super(Rights.STDOUT, 0, 0);
      this.out = out;
    }

    @Override
    int filetype() {
      return FILETYPE_CHARACTER_DEVICE;
    }

    @Override
    void close() throws IOException {
      out.flush();
    }
  }

  /** An open regular file. Append mode is applied here, since NIO cannot read and append at once. */
  static final class File extends Descriptor {
    final Path path;
    final FileChannel channel;
    final boolean readOnlyMount;

    File(Path path, FileChannel channel, long rightsBase, long rightsInheriting, int fdflags, boolean readOnlyMount) {
      super(rightsBase, rightsInheriting, fdflags);
      this.path = path;
      this.channel = channel;
      this.readOnlyMount = readOnlyMount;
    }

    boolean append() {
      return (fdflags & FDFLAG_APPEND) != 0;
    }

    @Override
    int filetype() {
      return FILETYPE_REGULAR_FILE;
    }

    @Override
    void close() throws IOException {
      channel.close();
    }
  }

  /**
   * An open directory inside a mount: the mount's root and the components leading from it here.
   * Paths given relative to it are resolved by {@link Sandbox}.
   */
  static final class Directory extends Descriptor {
    final Path root;
    final List<String> components;
    final boolean readOnly;
    /** The guest name, for a preopened mount; null otherwise. */
    final String preopenName;
    /** The entries as read when the guest started reading from cookie 0. */
    List<DirEntry> listing;

    Directory(Path root, List<String> components, boolean readOnly, String preopenName, long rightsBase, long rightsInheriting) {
      super(rightsBase, rightsInheriting, 0);
      this.root = root;
      this.components = List.copyOf(components);
      this.readOnly = readOnly;
      this.preopenName = preopenName;
    }

    Path path() {
      return Sandbox.join(root, components);
    }

    @Override
    int filetype() {
      return FILETYPE_DIRECTORY;
    }
  }

  record DirEntry(String name, long inode, int filetype) {}
}
