/* File operations on a read-write preopen at /sandbox (fixture "files": existing.txt = "existing\n",
 * dir/inner.txt = "inner\n"). One line per check. Covers path_open (CREAT/EXCL/TRUNC/DIRECTORY),
 * fd_write/fd_read, APPEND, fd_seek, fd_tell, fd_filestat_set_size, fd_filestat_get,
 * path_filestat_set_times, path_create_directory, path_rename, path_unlink_file,
 * path_remove_directory, fd_sync, fd_readdir. */
#include <dirent.h>
#include <stdlib.h>
#include <sys/time.h>
#include "check.h"

#define P(x) "/sandbox/" x

static void size_of(const char *label, const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) printf("%s: %s\n", label, en(errno));
    else printf("%s: %lld\n", label, (long long)st.st_size);
}

static void listing(void) {
    DIR *d = opendir("/sandbox");
    char *names[64];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && n < 64)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[n++] = strdup(e->d_name);
    if (d) closedir(d);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (strcmp(names[i], names[j]) > 0) { char *t = names[i]; names[i] = names[j]; names[j] = t; }
    printf("listing:");
    for (int i = 0; i < n; i++) printf(" %s", names[i]);
    printf("\n");
}

int main(void) {
    char buf[64];
    struct stat st;
    /* create + write */
    int fd = chk("open new.txt O_CREAT|O_EXCL|O_WRONLY", open(P("new.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644));
    printf("write hello: %zd\n", write(fd, "hello\n", 6));
    printf("read on O_WRONLY fd: %s\n", read(fd, buf, 4) < 0 ? en(errno) : "ok");
    close(fd);
    chk("open new.txt O_CREAT|O_EXCL again", open(P("new.txt"), O_CREAT | O_EXCL | O_WRONLY, 0644));
    /* append */
    fd = chk("open new.txt O_WRONLY|O_APPEND", open(P("new.txt"), O_WRONLY | O_APPEND));
    printf("write world: %zd\n", write(fd, "world\n", 6));
    printf("tell after append: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    close(fd);
    show_file("content after append", P("new.txt"));
    /* seek + read + write in the middle */
    fd = chk("open new.txt O_RDWR", open(P("new.txt"), O_RDWR));
    printf("lseek SET 6: %lld\n", (long long)lseek(fd, 6, SEEK_SET));
    ssize_t n = read(fd, buf, 5);
    printf("read 5: ");
    pquoted(buf, n < 0 ? 0 : (size_t)n);
    printf("\n");
    printf("lseek CUR 0: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("lseek END -3: %lld\n", (long long)lseek(fd, -3, SEEK_END));
    printf("lseek SET -1: %s\n", lseek(fd, -1, SEEK_SET) < 0 ? en(errno) : "ok");
    lseek(fd, 0, SEEK_SET);
    printf("write HE at 0: %zd\n", write(fd, "HE", 2));
    printf("lseek SET 20: %lld\n", (long long)lseek(fd, 20, SEEK_SET));
    printf("write X at 20: %zd\n", write(fd, "X", 1));
    printf("read at EOF: %zd\n", read(fd, buf, sizeof buf));
    fstat(fd, &st);
    printf("fstat size after hole: %lld\n", (long long)st.st_size);
    /* truncate */
    chk("ftruncate 5", ftruncate(fd, 5));
    size_of("size after ftruncate 5", P("new.txt"));
    chk("ftruncate 8", ftruncate(fd, 8));
    chk("fsync", fsync(fd));
    chk("fdatasync", fdatasync(fd));
    close(fd);
    show_file("content after truncates", P("new.txt"));
    chk("truncate(path) 3", truncate(P("new.txt"), 3));
    show_file("content after truncate(path)", P("new.txt"));
    fd = chk("open new.txt O_WRONLY|O_TRUNC", open(P("new.txt"), O_WRONLY | O_TRUNC));
    close(fd);
    size_of("size after O_TRUNC", P("new.txt"));
    put_file(P("new.txt"), "hello\n");
    /* stat */
    if (chk("stat new.txt", stat(P("new.txt"), &st)) == 0)
        printf("stat: type=%c size=%lld nlink=%llu mtime>0: %s\n", ftype(st.st_mode), (long long)st.st_size,
               (unsigned long long)st.st_nlink, st.st_mtim.tv_sec > 0 ? "yes" : "no");
    struct timeval tv[2] = {{1000000000, 0}, {1234567890, 0}};
    chk("utimes new.txt", utimes(P("new.txt"), tv));
    stat(P("new.txt"), &st);
    printf("atime==1000000000: %s mtime==1234567890: %s\n", st.st_atim.tv_sec == 1000000000 ? "yes" : "no",
           st.st_mtim.tv_sec == 1234567890 ? "yes" : "no");
    /* error cases of open */
    chk("open missing.txt O_RDONLY", open(P("missing.txt"), O_RDONLY));
    chk("open dir O_WRONLY", open(P("dir"), O_WRONLY));
    chk("open existing.txt/ (trailing slash)", open(P("existing.txt/"), O_RDONLY));
    chk("open existing.txt O_DIRECTORY", open(P("existing.txt"), O_RDONLY | O_DIRECTORY));
    chk("open missing/x.txt O_CREAT", open(P("missing/x.txt"), O_CREAT | O_WRONLY, 0644));
    /* directories */
    chk("mkdir newdir", mkdir(P("newdir"), 0755));
    chk("mkdir newdir again", mkdir(P("newdir"), 0755));
    chk("mkdir existing.txt", mkdir(P("existing.txt"), 0755));
    if (stat(P("newdir"), &st) == 0) printf("stat newdir: type=%c\n", ftype(st.st_mode));
    chk("rename new.txt -> newdir/moved.txt", rename(P("new.txt"), P("newdir/moved.txt")));
    chk("stat new.txt after rename", stat(P("new.txt"), &st));
    show_file("newdir/moved.txt", P("newdir/moved.txt"));
    chk("rmdir newdir (not empty)", rmdir(P("newdir")));
    chk("unlink newdir (a directory)", unlink(P("newdir")));
    chk("unlink newdir/moved.txt", unlink(P("newdir/moved.txt")));
    chk("unlink newdir/moved.txt again", unlink(P("newdir/moved.txt")));
    chk("rmdir existing.txt (a file)", rmdir(P("existing.txt")));
    chk("rmdir newdir", rmdir(P("newdir")));
    chk("rmdir newdir again", rmdir(P("newdir")));
    chk("rmdir dir (not empty)", rmdir(P("dir")));
    show_file("existing.txt", P("existing.txt"));
    listing();
    return 0;
}
