/* File-descriptor flag and rights corner cases in a read-write preopen /w (fd 3), by argv[1]:
 *   pwrite_append  fd_pwrite on an fd opened with O_APPEND: returned count, file content, offset
 *   setflags       fd_fdstat_set_flags via fcntl(F_SETFL, O_APPEND) / F_GETFL, writes before/after
 *   trunc_rights   path_open with O_TRUNC and various access modes / raw rights */
#include "check.h"

#define P(x) "/w/" x

static void size_of(const char *label, const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) printf("%s: %s\n", label, en(errno));
    else printf("%s: %lld\n", label, (long long)st.st_size);
}

/* F_GETFL as libc decodes it, plus the raw fd_fdstat_get fs_flags by WASI fdflags names */
static void flags(const char *label, int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) { printf("%s F_GETFL: %s\n", label, en(errno)); return; }
    int acc = fl & O_ACCMODE;
    printf("%s F_GETFL: accmode=%s append=%s", label,
           acc == O_RDWR ? "O_RDWR" : acc == O_WRONLY ? "O_WRONLY" : acc == O_RDONLY ? "O_RDONLY" : "?",
           fl & O_APPEND ? "yes" : "no");
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) != 0) { printf("\n"); return; }
    static const char *names[] = {"APPEND", "DSYNC", "NONBLOCK", "RSYNC", "SYNC"};
    unsigned f = st.fs_flags, any = 0;
    printf("; fs_flags=");
    for (int i = 0; i < 5; i++)
        if (f & (1u << i)) printf("%s%s", any++ ? "|" : "", names[i]);
    if (f & ~0x1fu) printf("%s+0x%x", any++ ? "|" : "", f & ~0x1fu);
    printf("%s\n", any ? "" : "none");
}

static void pwrite_append(void) {
    int fd = chk("open ap.txt O_CREAT|O_WRONLY|O_APPEND", open(P("ap.txt"), O_CREAT | O_WRONLY | O_APPEND, 0644));
    printf("write 0123456789: %zd\n", write(fd, "0123456789", 10));
    printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    __wasi_ciovec_t iov = {(const uint8_t *)"AB", 2};
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_fd_pwrite(fd, &iov, 1, 2, &n);
    printf("fd_pwrite AB at offset 2: %s, nwritten=%u\n", en(e), (unsigned)n);
    printf("tell after pwrite: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("write Z: %zd\n", write(fd, "Z", 1));
    printf("tell after write: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    show_file("content", P("ap.txt"));
    size_of("size", P("ap.txt"));
    /* the same without O_APPEND, for comparison */
    fd = open(P("ap.txt"), O_RDWR);
    e = __wasi_fd_pwrite(fd, &iov, 1, 2, &n);
    printf("fd_pwrite AB at offset 2 (no O_APPEND): %s, nwritten=%u\n", en(e), (unsigned)n);
    printf("tell after pwrite (no O_APPEND): %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    show_file("content (no O_APPEND)", P("ap.txt"));
}

static void setflags(void) {
    char buf[32];
    int fd = chk("open fl.txt O_CREAT|O_RDWR|O_TRUNC", open(P("fl.txt"), O_CREAT | O_RDWR | O_TRUNC, 0644));
    flags("initial", fd);
    printf("write hello: %zd\n", write(fd, "hello", 5));
    printf("lseek SET 0: %lld\n", (long long)lseek(fd, 0, SEEK_SET));
    chk("fcntl F_SETFL O_APPEND", fcntl(fd, F_SETFL, O_APPEND));
    flags("after set", fd);
    printf("write XY: %zd\n", write(fd, "XY", 2));
    printf("tell after append write: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    show_file("content", P("fl.txt"));
    chk("fcntl F_SETFL 0", fcntl(fd, F_SETFL, 0));
    flags("after clear", fd);
    printf("lseek SET 0: %lld\n", (long long)lseek(fd, 0, SEEK_SET));
    printf("write J: %zd\n", write(fd, "J", 1));
    printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    show_file("content", P("fl.txt"));
    int ro = open(P("fl.txt"), O_RDONLY);
    flags("O_RDONLY fd", ro);
    chk("fcntl F_SETFL O_APPEND on O_RDONLY fd", fcntl(ro, F_SETFL, O_APPEND));
    flags("O_RDONLY fd after set", ro);
    ssize_t n = read(ro, buf, sizeof buf);
    printf("read on it: %zd\n", n);
    printf("write on it: %s\n", write(ro, "!", 1) < 0 ? en(errno) : "ok");
    close(ro);
    int wo = open(P("fl.txt"), O_WRONLY | O_APPEND);
    flags("O_WRONLY|O_APPEND fd", wo);
    close(wo);
    show_file("content at end", P("fl.txt"));
}

static void refill(void) { put_file(P("t.txt"), "0123456789"); }

static void raw_trunc(const char *label, __wasi_rights_t rights) {
    __wasi_fd_t fd;
    refill();
    __wasi_errno_t e = __wasi_path_open(3, 0, "t.txt", __WASI_OFLAGS_TRUNC, rights, 0, 0, &fd);
    printf("raw path_open TRUNC rights=%s: %s\n", label, en(e));
    if (e == 0) (void)__wasi_fd_close(fd);
    size_of("  size", P("t.txt"));
}

static void trunc_rights(void) {
    static const struct { const char *name; int flags; } modes[] = {
        {"O_RDONLY|O_TRUNC", O_RDONLY | O_TRUNC},
        {"O_WRONLY|O_TRUNC", O_WRONLY | O_TRUNC},
        {"O_RDWR|O_TRUNC", O_RDWR | O_TRUNC},
    };
    for (int i = 0; i < 3; i++) {
        refill();
        char label[64];
        snprintf(label, sizeof label, "open t.txt %s", modes[i].name);
        int fd = chk(label, open(P("t.txt"), modes[i].flags));
        if (fd >= 0) close(fd);
        size_of("  size", P("t.txt"));
    }
    raw_trunc("FD_READ", __WASI_RIGHTS_FD_READ);
    raw_trunc("none", 0);
    raw_trunc("FD_READ|FD_FILESTAT_SET_SIZE", __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
    raw_trunc("FD_WRITE", __WASI_RIGHTS_FD_WRITE);
    refill();
    int fd = open(P("t.txt"), O_RDONLY);
    chk("ftruncate on O_RDONLY fd", ftruncate(fd, 2));
    close(fd);
    size_of("  size", P("t.txt"));
}

int main(int argc, char **argv) {
    const char *s = argc > 1 ? argv[1] : "";
    printf("-- %s\n", s);
    if (!strcmp(s, "pwrite_append")) pwrite_append();
    else if (!strcmp(s, "setflags")) setflags();
    else if (!strcmp(s, "trunc_rights")) trunc_rights();
    else { printf("unknown section\n"); return 2; }
    return 0;
}
