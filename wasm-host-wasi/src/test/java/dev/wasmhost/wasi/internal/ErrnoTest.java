package dev.wasmhost.wasi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** Java's I/O failures as the guest sees them. */
class ErrnoTest {
  @Test
  void typedExceptionsMapToTheirErrno() {
    assertThat(Errno.of(new NoSuchFileException("x"))).isEqualTo(Errno.NOENT);
    assertThat(Errno.of(new FileAlreadyExistsException("x"))).isEqualTo(Errno.EXIST);
    assertThat(Errno.of(new DirectoryNotEmptyException("x"))).isEqualTo(Errno.NOTEMPTY);
    assertThat(Errno.of(new AccessDeniedException("x"))).isEqualTo(Errno.ACCES);
  }

  @Test
  void theOperatingSystemsReasonIsReadWhereThereIsNoType() {
    assertThat(Errno.of(new FileSystemException("x", null, "Is a directory"))).isEqualTo(Errno.ISDIR);
    assertThat(Errno.of(new FileSystemException("x", null, "Read-only file system"))).isEqualTo(Errno.ROFS);
    assertThat(Errno.of(new IOException("Broken pipe"))).as("stdout piped to a closed reader").isEqualTo(Errno.PIPE);
    assertThat(Errno.of(new IOException("something else"))).isEqualTo(Errno.IO);
    assertThat(Errno.of(new UnsupportedOperationException())).isEqualTo(Errno.NOTSUP);
  }
}
