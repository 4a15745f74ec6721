/* Recursive listing of a preopened directory: ls [-s] DIR
 * One line per entry, sorted by name at every level (byte order), depth-first:
 *   d <relpath>/            directory
 *   f <size> <relpath>      regular file
 *   l <relpath> -> <target> symlink (not followed)
 * -s first creates, inside DIR, an empty directory "empty" and symlinks "link_to_b" -> "b" and
 * "link_to_a" -> "a.txt" (git cannot hold those in the fixture).
 * Exercises fd_readdir (via opendir/readdir), path_filestat_get without SYMLINK_FOLLOW,
 * path_readlink, and "." / ".." being skipped. */
#include <dirent.h>
#include <stdlib.h>
#include "check.h"

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *root, const char *rel) {
    char dirpath[1024];
    snprintf(dirpath, sizeof dirpath, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dirpath);
    if (!d) { printf("opendir %s: %s\n", *rel ? rel : ".", en(errno)); return; }
    char *names[256];
    int n = 0, dots = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) { dots++; continue; }
        if (n < 256) names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp);
    for (int i = 0; i < n; i++) {
        char r[1024], full[1024];
        snprintf(r, sizeof r, "%s%s%s", rel, *rel ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", root, r);
        struct stat st;
        if (lstat(full, &st) < 0) { printf("? %s: %s\n", r, en(errno)); continue; }
        if (S_ISDIR(st.st_mode)) {
            printf("d %s/\n", r);
            list(root, r);
        } else if (S_ISLNK(st.st_mode)) {
            char t[512];
            ssize_t k = readlink(full, t, sizeof t - 1);
            if (k < 0) printf("l %s -> (readlink %s)\n", r, en(errno));
            else { t[k] = 0; printf("l %s -> %s\n", r, t); }
        } else {
            printf("%c %lld %s\n", ftype(st.st_mode), (long long)st.st_size, r);
        }
        free(names[i]);
    }
}

int main(int argc, char **argv) {
    int setup = argc > 2 && !strcmp(argv[1], "-s");
    const char *root = argc > 1 ? argv[argc - 1] : "/";
    if (setup) {
        char p[512];
        snprintf(p, sizeof p, "%s/empty", root);
        chk("setup mkdir empty", mkdir(p, 0755));
        snprintf(p, sizeof p, "%s/link_to_b", root);
        chk("setup symlink link_to_b -> b", symlink("b", p));
        snprintf(p, sizeof p, "%s/link_to_a", root);
        chk("setup symlink link_to_a -> a.txt", symlink("a.txt", p));
    }
    struct stat st;
    if (stat(root, &st) < 0) { printf("stat %s: %s\n", root, en(errno)); return 1; }
    printf("%s: type=%c\n", root, ftype(st.st_mode));
    list(root, "");
    return 0;
}
