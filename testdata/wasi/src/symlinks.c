/* Symlink corner cases in a read-write preopen /w (fd 3), by argv[1]:
 *   slash     path_symlink / readlink / unlink / rmdir with trailing slashes, access through "link/"
 *   nofollow  path_filestat_get with and without SYMLINK_FOLLOW (lstat vs stat), O_NOFOLLOW
 *   dangling  symlink to a missing target: lstat/stat/readlink/open/O_CREAT/unlink/EEXIST, loops */
#include "check.h"

#define P(x) "/w/" x

static void st_line(const char *label, int follow, const char *path) {
    struct stat st;
    int r = follow ? stat(path, &st) : lstat(path, &st);
    if (r < 0) printf("%s: %s\n", label, en(errno));
    else if (S_ISLNK(st.st_mode)) printf("%s: type=l size=%lld\n", label, (long long)st.st_size);
    else printf("%s: type=%c\n", label, ftype(st.st_mode));
}

static void rl(const char *label, const char *path) {
    char buf[256];
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    if (n < 0) printf("%s: %s\n", label, en(errno));
    else { buf[n] = 0; printf("%s: \"%s\"\n", label, buf); }
}

static const char *wtype(__wasi_filetype_t t) {
    switch (t) {
    case __WASI_FILETYPE_DIRECTORY: return "directory";
    case __WASI_FILETYPE_REGULAR_FILE: return "regular_file";
    case __WASI_FILETYPE_SYMBOLIC_LINK: return "symbolic_link";
    default: return "other";
    }
}

static void raw_stat(const char *label, __wasi_lookupflags_t lf, const char *path) {
    __wasi_filestat_t fs;
    __wasi_errno_t e = __wasi_path_filestat_get(3, lf, path, &fs);
    if (e) printf("%s: %s\n", label, en(e));
    else if (fs.filetype == __WASI_FILETYPE_DIRECTORY) printf("%s: filetype=directory\n", label); /* size is fs-specific */
    else printf("%s: filetype=%s size=%llu\n", label, wtype(fs.filetype), (unsigned long long)fs.size);
}

static void slash(void) {
    mkdir(P("sdir"), 0755);
    put_file(P("sdir/f.txt"), "in sdir\n");
    put_file(P("file.txt"), "file\n");
    chk("symlink target -> \"link/\"", symlink("target", P("link/")));
    st_line("  lstat link", 0, P("link"));
    chk("symlink sdir -> \"dlink/\" (existing dir target)", symlink("sdir", P("dlink/")));
    chk("symlink sdir -> sl", symlink("sdir", P("sl")));
    show_file("open sl/f.txt", P("sl/f.txt"));
    st_line("lstat sl", 0, P("sl"));
    st_line("lstat sl/", 0, P("sl/"));
    st_line("stat sl/", 1, P("sl/"));
    rl("readlink sl", P("sl"));
    rl("readlink sl/", P("sl/"));
    chk("open sl/ O_DIRECTORY", open(P("sl/"), O_RDONLY | O_DIRECTORY));
    chk("symlink file.txt -> fl", symlink("file.txt", P("fl")));
    show_file("open fl", P("fl"));
    chk("open fl/", open(P("fl/"), O_RDONLY));
    st_line("stat fl/", 1, P("fl/"));
    rl("readlink file.txt (not a link)", P("file.txt"));
    rl("readlink missing", P("missing"));
    chk("symlink x -> file.txt (existing name)", symlink("x", P("file.txt")));
    chk("symlink x -> sdir/ (existing dir, trailing slash)", symlink("x", P("sdir/")));
    chk("rmdir sl", rmdir(P("sl")));
    chk("rmdir sl/", rmdir(P("sl/")));
    chk("unlink sl/", unlink(P("sl/")));
    chk("unlink fl/", unlink(P("fl/")));
    chk("unlink sl", unlink(P("sl")));
    st_line("  stat sdir", 1, P("sdir"));
    chk("unlink fl", unlink(P("fl")));
    show_file("  file.txt", P("file.txt"));
}

static void nofollow(void) {
    put_file(P("file.txt"), "0123456789\n");
    mkdir(P("dir"), 0755);
    chk("symlink file.txt -> lf", symlink("file.txt", P("lf")));
    chk("symlink dir -> ld", symlink("dir", P("ld")));
    st_line("lstat lf", 0, P("lf"));
    st_line("stat lf", 1, P("lf"));
    st_line("lstat ld", 0, P("ld"));
    st_line("stat ld", 1, P("ld"));
    raw_stat("path_filestat_get lf flags=0", 0, "lf");
    raw_stat("path_filestat_get lf flags=SYMLINK_FOLLOW", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "lf");
    raw_stat("path_filestat_get file.txt flags=0", 0, "file.txt");
    raw_stat("path_filestat_get ld flags=0", 0, "ld");
    raw_stat("path_filestat_get ld flags=SYMLINK_FOLLOW", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "ld");
    chk("open lf O_RDONLY|O_NOFOLLOW", open(P("lf"), O_RDONLY | O_NOFOLLOW));
    chk("open ld O_RDONLY|O_NOFOLLOW", open(P("ld"), O_RDONLY | O_NOFOLLOW));
    int fd = chk("open file.txt O_RDONLY|O_NOFOLLOW", open(P("file.txt"), O_RDONLY | O_NOFOLLOW));
    if (fd >= 0) close(fd);
    fd = chk("open lf O_RDONLY (follows)", open(P("lf"), O_RDONLY));
    struct stat st;
    if (fd >= 0 && fstat(fd, &st) == 0) printf("fstat on it: type=%c size=%lld\n", ftype(st.st_mode), (long long)st.st_size);
}

static void dangling(void) {
    struct stat st;
    chk("symlink nothere.txt -> dang", symlink("nothere.txt", P("dang")));
    st_line("lstat dang", 0, P("dang"));
    st_line("stat dang", 1, P("dang"));
    rl("readlink dang", P("dang"));
    chk("open dang O_RDONLY", open(P("dang"), O_RDONLY));
    chk("open dang O_CREAT|O_EXCL|O_WRONLY", open(P("dang"), O_CREAT | O_EXCL | O_WRONLY, 0644));
    chk("  stat nothere.txt", stat(P("nothere.txt"), &st));
    int fd = chk("open dang O_CREAT|O_WRONLY", open(P("dang"), O_CREAT | O_WRONLY, 0644));
    if (fd >= 0) { printf("  write: %zd\n", write(fd, "made\n", 5)); close(fd); }
    show_file("  nothere.txt", P("nothere.txt"));
    st_line("  lstat dang", 0, P("dang"));
    st_line("  stat dang", 1, P("dang"));
    chk("symlink other -> dang (name exists)", symlink("other", P("dang")));
    chk("unlink dang", unlink(P("dang")));
    st_line("  lstat dang", 0, P("dang"));
    show_file("  nothere.txt", P("nothere.txt"));
    chk("symlink nodir/x.txt -> dang2", symlink("nodir/x.txt", P("dang2")));
    chk("open dang2 O_CREAT|O_WRONLY", open(P("dang2"), O_CREAT | O_WRONLY, 0644));
    chk("symlink other -> dang2 (dangling name exists)", symlink("other", P("dang2")));
    chk("mkdir dang2 (dangling name exists)", mkdir(P("dang2"), 0755));
    chk("symlink loop2 -> loop1", symlink("loop2", P("loop1")));
    chk("symlink loop1 -> loop2", symlink("loop1", P("loop2")));
    chk("symlink self -> self", symlink("self", P("self")));
    chk("open loop1", open(P("loop1"), O_RDONLY));
    st_line("stat loop1", 1, P("loop1"));
    st_line("lstat loop1", 0, P("loop1"));
    chk("open self O_CREAT|O_WRONLY", open(P("self"), O_CREAT | O_WRONLY, 0644));
    chk("unlink self", unlink(P("self")));
}

int main(int argc, char **argv) {
    const char *s = argc > 1 ? argv[1] : "";
    printf("-- %s\n", s);
    if (!strcmp(s, "slash")) slash();
    else if (!strcmp(s, "nofollow")) nofollow();
    else if (!strcmp(s, "dangling")) dangling();
    else { printf("unknown section\n"); return 2; }
    return 0;
}
