/* Hard links and renames in a read-write preopen /w (fd 3), by argv[1]:
 *   link    path_link: both names share content and inode, nlink counts, error cases
 *   rename  path_rename of files and directories, with and without trailing slashes */
#include "check.h"

#define P(x) "/w/" x

static void nlink(const char *label, const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) printf("%s: %s\n", label, en(errno));
    else printf("%s: nlink=%llu\n", label, (unsigned long long)st.st_nlink);
}

static void link_section(void) {
    struct stat a, b;
    put_file(P("orig.txt"), "linked\n");
    chk("link orig.txt -> hard.txt", link(P("orig.txt"), P("hard.txt")));
    nlink("stat orig.txt", P("orig.txt"));
    nlink("stat hard.txt", P("hard.txt"));
    stat(P("orig.txt"), &a);
    stat(P("hard.txt"), &b);
    printf("same dev+ino: %s\n", a.st_dev == b.st_dev && a.st_ino == b.st_ino ? "yes" : "no");
    int fd = open(P("hard.txt"), O_WRONLY | O_APPEND);
    printf("append via hard.txt: %zd\n", write(fd, "more\n", 5));
    close(fd);
    show_file("orig.txt", P("orig.txt"));
    chk("link orig.txt -> hard.txt again", link(P("orig.txt"), P("hard.txt")));
    chk("link missing.txt -> x.txt", link(P("missing.txt"), P("x.txt")));
    mkdir(P("d"), 0755);
    chk("link d (a directory) -> dlink", link(P("d"), P("dlink")));
    chk("link orig.txt -> nodir/x.txt", link(P("orig.txt"), P("nodir/x.txt")));
    chk("link orig.txt -> d/inner.txt", link(P("orig.txt"), P("d/inner.txt")));
    nlink("stat orig.txt", P("orig.txt"));
    chk("unlink orig.txt", unlink(P("orig.txt")));
    nlink("stat hard.txt", P("hard.txt"));
    show_file("hard.txt", P("hard.txt"));
    chk("stat orig.txt", stat(P("orig.txt"), &a));
    chk("unlink d/inner.txt", unlink(P("d/inner.txt")));
    nlink("stat hard.txt", P("hard.txt"));
}

static void ren(const char *label, const char *from, const char *to) {
    chk(label, rename(from, to));
}

static void rename_section(void) {
    struct stat st;
    put_file(P("f1"), "one\n");
    put_file(P("f2"), "two\n");
    mkdir(P("d1"), 0755);
    put_file(P("d1/in"), "in d1\n");
    mkdir(P("empty"), 0755);
    mkdir(P("full"), 0755);
    put_file(P("full/x"), "x\n");
    ren("rename file -> new", P("f1"), P("fnew"));
    chk("  stat f1", stat(P("f1"), &st));
    show_file("  fnew", P("fnew"));
    ren("rename file -> existing file", P("fnew"), P("f2"));
    show_file("  f2", P("f2"));
    chk("  stat fnew", stat(P("fnew"), &st));
    ren("rename file -> itself", P("f2"), P("f2"));
    show_file("  f2", P("f2"));
    ren("rename dir -> new", P("d1"), P("d2"));
    show_file("  d2/in", P("d2/in"));
    ren("rename dir -> existing empty dir", P("d2"), P("empty"));
    show_file("  empty/in", P("empty/in"));
    chk("  stat d2", stat(P("d2"), &st));
    ren("rename dir -> non-empty dir", P("empty"), P("full"));
    show_file("  full/x", P("full/x"));
    ren("rename dir -> itself", P("empty"), P("empty"));
    ren("rename file -> \"new/\" (trailing slash)", P("f2"), P("f3/"));
    chk("  stat f3", stat(P("f3"), &st));
    ren("rename \"file/\" -> new (trailing slash on source)", P("f2/"), P("f3"));
    ren("rename \"dir/\" -> \"new/\"", P("empty/"), P("d3/"));
    chk("  stat d3", stat(P("d3"), &st));
    ren("rename dir -> \"new/\"", P("d3"), P("d4/"));
    ren("rename \"dir/\" -> new", P("d4/"), P("d5"));
    ren("rename file -> existing dir", P("f2"), P("full"));
    ren("rename dir -> existing file", P("d5"), P("f2"));
    ren("rename dir -> own subdirectory", P("d5"), P("d5/sub"));
    ren("rename missing -> x", P("missing"), P("x"));
    ren("rename file -> missing/dir/x", P("f2"), P("missing/x"));
    ren("rename file -> d5/moved", P("f2"), P("d5/moved"));
    show_file("  d5/moved", P("d5/moved"));
    put_file(P("pf"), "pf\n");
    ren("rename file -> \"file/x\" (parent is a file)", P("d5/moved"), P("pf/x"));
}

int main(int argc, char **argv) {
    const char *s = argc > 1 ? argv[1] : "";
    printf("-- %s\n", s);
    if (!strcmp(s, "link")) link_section();
    else if (!strcmp(s, "rename")) rename_section();
    else { printf("unknown section\n"); return 2; }
    return 0;
}
