/* The same kinds of operations as files_rw on a READ-ONLY preopen at /ro (fixture "files":
 * existing.txt = "existing\n", dir/inner.txt = "inner\n"). Reads, stats and listings succeed;
 * every operation that would modify the file system fails with EROFS. fd 3 is the /ro preopen. */
#include <dirent.h>
#include <sys/time.h>
#include "check.h"

#define P(x) "/ro/" x

int main(void) {
    char buf[64];
    struct stat st;
    /* reads work */
    show_file("read existing.txt", P("existing.txt"));
    show_file("read dir/inner.txt", P("dir/inner.txt"));
    if (chk("stat existing.txt", stat(P("existing.txt"), &st)) == 0)
        printf("stat: type=%c size=%lld\n", ftype(st.st_mode), (long long)st.st_size);
    if (chk("stat dir", stat(P("dir"), &st)) == 0) printf("stat dir: type=%c\n", ftype(st.st_mode));
    DIR *d = opendir(P("dir"));
    struct dirent *e;
    printf("opendir dir: %s\n", d ? "ok" : en(errno));
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) printf("entry: %s\n", e->d_name);
    if (d) closedir(d);
    int fd = chk("open existing.txt O_RDONLY", open(P("existing.txt"), O_RDONLY));
    printf("lseek SET 3: %lld\n", (long long)lseek(fd, 3, SEEK_SET));
    ssize_t n = read(fd, buf, 3);
    printf("read 3 at 3: ");
    pquoted(buf, n < 0 ? 0 : (size_t)n);
    printf("\n");
    close(fd);
    /* O_CREAT on an existing file without O_TRUNC/O_EXCL creates nothing: allowed by POSIX */
    fd = chk("open existing.txt O_RDONLY|O_CREAT", open(P("existing.txt"), O_RDONLY | O_CREAT, 0644));
    if (fd >= 0) close(fd);
    /* every mutation: EROFS */
    chk("open existing.txt O_WRONLY", open(P("existing.txt"), O_WRONLY));
    chk("open existing.txt O_RDWR", open(P("existing.txt"), O_RDWR));
    chk("open existing.txt O_WRONLY|O_APPEND", open(P("existing.txt"), O_WRONLY | O_APPEND));
    chk("open existing.txt O_RDONLY|O_TRUNC", open(P("existing.txt"), O_RDONLY | O_TRUNC));
    chk("open new.txt O_CREAT|O_WRONLY", open(P("new.txt"), O_CREAT | O_WRONLY, 0644));
    chk("open new.txt O_CREAT|O_RDONLY", open(P("new.txt"), O_CREAT | O_RDONLY, 0644));
    chk("truncate existing.txt 0", truncate(P("existing.txt"), 0));
    chk("mkdir newdir", mkdir(P("newdir"), 0755));
    chk("unlink existing.txt", unlink(P("existing.txt")));
    chk("unlink dir/inner.txt", unlink(P("dir/inner.txt")));
    chk("rmdir dir", rmdir(P("dir")));
    chk("rename existing.txt -> renamed.txt", rename(P("existing.txt"), P("renamed.txt")));
    chk("rename dir -> dir2", rename(P("dir"), P("dir2")));
    chk("symlink existing.txt -> link", symlink("existing.txt", P("link")));
    chk("link existing.txt -> hard", link(P("existing.txt"), P("hard")));
    struct timeval tv[2] = {{1000000000, 0}, {1234567890, 0}};
    chk("utimes existing.txt", utimes(P("existing.txt"), tv));
    __wasi_fd_t nfd;
    wchk("raw path_open existing.txt rights=READ|WRITE",
         __wasi_path_open(3, 0, "existing.txt", 0, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &nfd));
    wchk("raw path_open existing.txt rights=READ fdflags=APPEND",
         __wasi_path_open(3, 0, "existing.txt", 0, __WASI_RIGHTS_FD_READ, 0, __WASI_FDFLAGS_APPEND, &nfd));
    /* nothing changed */
    show_file("existing.txt afterwards", P("existing.txt"));
    chk("stat new.txt afterwards", stat(P("new.txt"), &st));
    chk("stat renamed.txt afterwards", stat(P("renamed.txt"), &st));
    return 0;
}
