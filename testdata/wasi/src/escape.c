/* Sandbox escape attempts against a read-write preopen /sandbox (fd 3; fixture "sandbox":
 * a.txt = "inside a\n", dir/b.txt = "inside b\n"). The harness puts outside/secret.txt next to the
 * sandbox's host directory, so "../outside/secret.txt" names a real file: a leaky host would show
 * its content "secret\n" or let a write land there. Every escape must be refused; the paths that
 * stay inside must work. libc strips the "/sandbox/" prefix and passes the rest (with its "..")
 * to the host unchanged; raw __wasi_* calls are used where libc would refuse on its own.
 * argv[1] selects a section: dotdot | absolute | symlinks | outandback. */
#include <dirent.h>
#include <sys/time.h>
#include "check.h"

#define P(x) "/sandbox/" x
#define LOOKUP_FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static void raw_open(const char *label, __wasi_lookupflags_t lf, const char *path, __wasi_oflags_t of) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(3, lf, path, of, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_READDIR, 0, 0, &fd);
    printf("%s: %s\n", label, en(e));
    if (e == 0) (void)__wasi_fd_close(fd);
}

static void try_opendir(const char *label, const char *path) {
    DIR *d = opendir(path);
    printf("%s: %s\n", label, d ? "ok" : en(errno));
    if (d) closedir(d);
}

static void dotdot(void) {
    struct stat st;
    show_file("open /sandbox/../outside/secret.txt", P("../outside/secret.txt"));
    show_file("open /sandbox/dir/../../outside/secret.txt", P("dir/../../outside/secret.txt"));
    show_file("open /sandbox/dir/../a.txt (stays inside)", P("dir/../a.txt"));
    show_file("open /sandbox/./dir/./b.txt", P("./dir/./b.txt"));
    chk("stat /sandbox/../outside/secret.txt", stat(P("../outside/secret.txt"), &st));
    try_opendir("opendir /sandbox/..", P(".."));
    try_opendir("opendir /sandbox/../outside", P("../outside"));
    chk("mkdir /sandbox/../outside/newdir", mkdir(P("../outside/newdir"), 0755));
    chk("open O_CREAT /sandbox/../outside/created.txt", open(P("../outside/created.txt"), O_CREAT | O_WRONLY, 0644));
    chk("truncate /sandbox/../outside/secret.txt", truncate(P("../outside/secret.txt"), 0));
    chk("unlink /sandbox/../outside/secret.txt", unlink(P("../outside/secret.txt")));
    chk("rmdir /sandbox/../outside", rmdir(P("../outside")));
    chk("rename a.txt -> ../outside/x", rename(P("a.txt"), P("../outside/x")));
    chk("rename ../outside/secret.txt -> stolen.txt", rename(P("../outside/secret.txt"), P("stolen.txt")));
    chk("link a.txt -> ../outside/y", link(P("a.txt"), P("../outside/y")));
    chk("link ../outside/secret.txt -> stolen_hard", link(P("../outside/secret.txt"), P("stolen_hard")));
    chk("symlink a.txt at ../outside/lnk", symlink("a.txt", P("../outside/lnk")));
}

/* absolute and special paths at the host level (raw path_open on fd 3) */
static void absolute(void) {
    raw_open("path_open /etc/passwd", 0, "/etc/passwd", 0);
    raw_open("path_open / O_DIRECTORY", 0, "/", __WASI_OFLAGS_DIRECTORY);
    raw_open("path_open /sandbox/a.txt", 0, "/sandbox/a.txt", 0);
    raw_open("path_open ..", 0, "..", __WASI_OFLAGS_DIRECTORY);
    raw_open("path_open . (the preopen itself)", 0, ".", __WASI_OFLAGS_DIRECTORY);
    raw_open("path_open a.txt", 0, "a.txt", 0);
    __wasi_filestat_t fst;
    wchk("path_filestat_get /etc/passwd", __wasi_path_filestat_get(3, LOOKUP_FOLLOW, "/etc/passwd", &fst));
}

static void symlinks(void) {
    struct stat st;
    char buf[128];
    chk("symlink evil_rel -> ../outside/secret.txt", symlink("../outside/secret.txt", P("evil_rel")));
    chk("symlink evil_abs -> /etc/passwd", symlink("/etc/passwd", P("evil_abs")));
    chk("symlink abs_in -> /sandbox/a.txt", symlink("/sandbox/a.txt", P("abs_in")));
    chk("symlink good -> a.txt", symlink("a.txt", P("good")));
    chk("symlink good2 -> dir/../a.txt", symlink("dir/../a.txt", P("good2")));
    chk("symlink chain1 -> chain2", symlink("chain2", P("chain1")));
    chk("symlink chain2 -> dir/b.txt", symlink("dir/b.txt", P("chain2")));
    chk("symlink out1 -> out2", symlink("out2", P("out1")));
    chk("symlink out2 -> ../outside/secret.txt", symlink("../outside/secret.txt", P("out2")));
    chk("symlink up -> ..", symlink("..", P("up")));
    chk("symlink outdir -> ../outside", symlink("../outside", P("outdir")));
    chk("symlink newevil -> ../outside/created.txt", symlink("../outside/created.txt", P("newevil")));
    chk("symlink dir/back -> ../a.txt", symlink("../a.txt", P("dir/back")));
    ssize_t k = readlink(P("evil_rel"), buf, sizeof buf - 1);
    printf("readlink evil_rel: %s\n", k < 0 ? en(errno) : (buf[k] = 0, buf));
    chk("lstat evil_rel", lstat(P("evil_rel"), &st));
    chk("stat evil_rel (follows)", stat(P("evil_rel"), &st));
    show_file("open evil_rel", P("evil_rel"));
    show_file("open evil_abs", P("evil_abs"));
    show_file("open abs_in (absolute target naming a sandbox file)", P("abs_in"));
    show_file("open good", P("good"));
    show_file("open good2", P("good2"));
    show_file("open chain1 (chain inside)", P("chain1"));
    show_file("open dir/back", P("dir/back"));
    show_file("open out1 (chain leading outside)", P("out1"));
    show_file("open up/outside/secret.txt", P("up/outside/secret.txt"));
    show_file("open outdir/secret.txt", P("outdir/secret.txt"));
    try_opendir("opendir outdir", P("outdir"));
    chk("open O_CREAT newevil", open(P("newevil"), O_CREAT | O_WRONLY, 0644));
    chk("open O_CREAT outdir/created2.txt", open(P("outdir/created2.txt"), O_CREAT | O_WRONLY, 0644));
    chk("open O_WRONLY|O_TRUNC evil_rel", open(P("evil_rel"), O_WRONLY | O_TRUNC));
    chk("truncate evil_rel 0", truncate(P("evil_rel"), 0));
    chk("mkdir outdir/newdir", mkdir(P("outdir/newdir"), 0755));
    chk("rename a.txt -> outdir/x", rename(P("a.txt"), P("outdir/x")));
    wchk("path_link FOLLOW evil_rel -> hard_evil", __wasi_path_link(3, LOOKUP_FOLLOW, "evil_rel", 3, "hard_evil"));
    wchk("path_link FOLLOW good -> hard_good", __wasi_path_link(3, LOOKUP_FOLLOW, "good", 3, "hard_good"));
    show_file("open hard_good", P("hard_good"));
    struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
    chk("utimes evil_rel (follows)", utimes(P("evil_rel"), tv));
    chk("unlink evil_rel (removes the link only)", unlink(P("evil_rel")));
}

/* paths that leave the preopen and come back in through the host directory's own name
 * ("sandbox" is the fixture's directory name on the host) */
static void outandback(void) {
    struct stat st;
    show_file("open dir/../dir/../../sandbox/a.txt", P("dir/../dir/../../sandbox/a.txt"));
    show_file("open ../sandbox/a.txt", P("../sandbox/a.txt"));
    chk("stat ../sandbox/dir/b.txt", stat(P("../sandbox/dir/b.txt"), &st));
    raw_open("path_open ../sandbox", 0, "../sandbox", __WASI_OFLAGS_DIRECTORY);
    chk("mkdir ../sandbox/newdir", mkdir(P("../sandbox/newdir"), 0755));
    chk("stat newdir afterwards", stat(P("newdir"), &st));
    chk("symlink up -> ..", symlink("..", P("up")));
    show_file("open up/sandbox/a.txt", P("up/sandbox/a.txt"));
}

int main(int argc, char **argv) {
    const char *s = argc > 1 ? argv[1] : "";
    printf("-- %s\n", s);
    if (!strcmp(s, "dotdot")) dotdot();
    else if (!strcmp(s, "absolute")) absolute();
    else if (!strcmp(s, "symlinks")) symlinks();
    else if (!strcmp(s, "outandback")) outandback();
    else { printf("unknown section\n"); return 2; }
    show_file("a.txt at the end", P("a.txt"));
    printf("outside/secret.txt: not visible from the guest; the host harness checks it is unchanged\n");
    return 0;
}
