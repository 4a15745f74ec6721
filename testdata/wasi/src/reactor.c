/* A WASI reactor (-mexec-model=reactor): no _start; the host calls the exported _initialize once
 * (which runs the C constructors), then any of the exports:
 *   int add(int a, int b)        a + b
 *   int initialized(void)        1 if the constructor ran (i.e. _initialize was called), else 0
 *   int count_file_bytes(void)   size in bytes of /data/input.txt read through a preopen, or -errno
 *   void hello(void)             writes "hello from reactor\n" to stdout and fflushes */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define EXPORT(name) __attribute__((export_name(name)))

/* volatile: otherwise LLVM evaluates the constructor at compile time and folds ctor_ran to 1 */
static volatile int ctor_ran;

__attribute__((constructor)) static void init(void) { ctor_ran = 1; }

EXPORT("add") int add(int a, int b) { return a + b; }

EXPORT("initialized") int initialized(void) { return ctor_ran; }

EXPORT("count_file_bytes") int count_file_bytes(void) {
    int fd = open("/data/input.txt", O_RDONLY);
    if (fd < 0) return -errno;
    char buf[4096];
    int total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0) { int e = errno; close(fd); return -e; }
        if (n == 0) break;
        total += (int)n;
    }
    close(fd);
    return total;
}

EXPORT("hello") void hello(void) {
    fputs("hello from reactor\n", stdout);
    fflush(stdout);
}
