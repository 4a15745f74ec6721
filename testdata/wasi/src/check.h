/* Shared helpers for the WASI test programs: errno names and one-line checks.
 * In wasi-libc, errno values are the WASI errno values, so one table serves both
 * libc calls (errno) and raw __wasi_* calls (returned __wasi_errno_t). */
#ifndef CHECK_H
#define CHECK_H
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *const ERRNAMES[] = {
    "ok", "E2BIG", "EACCES", "EADDRINUSE", "EADDRNOTAVAIL", "EAFNOSUPPORT", "EAGAIN",
    "EALREADY", "EBADF", "EBADMSG", "EBUSY", "ECANCELED", "ECHILD", "ECONNABORTED",
    "ECONNREFUSED", "ECONNRESET", "EDEADLK", "EDESTADDRREQ", "EDOM", "EDQUOT", "EEXIST",
    "EFAULT", "EFBIG", "EHOSTUNREACH", "EIDRM", "EILSEQ", "EINPROGRESS", "EINTR", "EINVAL",
    "EIO", "EISCONN", "EISDIR", "ELOOP", "EMFILE", "EMLINK", "EMSGSIZE", "EMULTIHOP",
    "ENAMETOOLONG", "ENETDOWN", "ENETRESET", "ENETUNREACH", "ENFILE", "ENOBUFS", "ENODEV",
    "ENOENT", "ENOEXEC", "ENOLCK", "ENOLINK", "ENOMEM", "ENOMSG", "ENOPROTOOPT", "ENOSPC",
    "ENOSYS", "ENOTCONN", "ENOTDIR", "ENOTEMPTY", "ENOTRECOVERABLE", "ENOTSOCK", "ENOTSUP",
    "ENOTTY", "ENXIO", "EOVERFLOW", "EOWNERDEAD", "EPERM", "EPIPE", "EPROTO",
    "EPROTONOSUPPORT", "EPROTOTYPE", "ERANGE", "EROFS", "ESPIPE", "ESRCH", "ESTALE",
    "ETIMEDOUT", "ETXTBSY", "EXDEV", "ENOTCAPABLE",
};

/* Symbolic name of an errno / __wasi_errno_t value; 0 is "ok". */
static inline const char *en(int e) {
    static char buf[32];
    if (e >= 0 && e < (int)(sizeof ERRNAMES / sizeof ERRNAMES[0])) return ERRNAMES[e];
    snprintf(buf, sizeof buf, "E?%d", e);
    return buf;
}

/* libc call: rc < 0 means failure with errno. Prints "what: ok" or "what: ENAME". */
static inline int chk(const char *what, int rc) {
    printf("%s: %s\n", what, rc < 0 ? en(errno) : "ok");
    return rc;
}

/* raw WASI call result. */
static inline __wasi_errno_t wchk(const char *what, __wasi_errno_t e) {
    printf("%s: %s\n", what, en(e));
    return e;
}

/* Print bytes as a C-escaped string so that every check stays on one line. */
static inline void pquoted(const char *p, size_t n) {
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n') fputs("\\n", stdout);
        else if (c == '"' || c == '\\') printf("\\%c", c);
        else if (c < 32 || c > 126) printf("\\x%02x", c);
        else putchar(c);
    }
    putchar('"');
}

/* "label: \"content\"" or "label: ENAME". */
static inline void show_file(const char *label, const char *path) {
    char buf[512];
    int fd = open(path, O_RDONLY);
    if (fd < 0) { printf("%s: %s\n", label, en(errno)); return; }
    ssize_t n = read(fd, buf, sizeof buf);
    int e = errno;
    close(fd);
    if (n < 0) { printf("%s: read %s\n", label, en(e)); return; }
    printf("%s: ", label);
    pquoted(buf, (size_t)n);
    putchar('\n');
}

/* Type letter of a st_mode. */
static inline char ftype(mode_t m) {
    return S_ISDIR(m) ? 'd' : S_ISREG(m) ? 'f' : S_ISLNK(m) ? 'l' : '?';
}

/* Writes a whole string to a new/truncated file; returns 0 or -1. */
static inline int put_file(const char *path, const char *s) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    ssize_t n = write(fd, s, strlen(s));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(s) ? 0 : -1;
}
#endif
