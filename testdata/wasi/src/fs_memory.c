/* In-memory file system round trip: reads /mem/in.txt, writes it upper-cased to /mem/out.txt,
 * reads /mem/out.txt back and prints the byte counts, the result, and a sorted /mem listing. */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include "check.h"

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
    char buf[8192];
    size_t len = 0;
    int in = open("/mem/in.txt", O_RDONLY);
    if (in < 0) { printf("open /mem/in.txt: %s\n", en(errno)); return 1; }
    ssize_t n;
    while ((n = read(in, buf + len, sizeof buf - len)) > 0) len += (size_t)n;
    close(in);
    printf("read %zu bytes\n", len);
    for (size_t i = 0; i < len; i++) buf[i] = (char)toupper((unsigned char)buf[i]);
    int out = open("/mem/out.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) { printf("open /mem/out.txt: %s\n", en(errno)); return 1; }
    size_t done = 0;
    while (done < len && (n = write(out, buf + done, len - done)) > 0) done += (size_t)n;
    close(out);
    printf("wrote %zu bytes\n", done);
    struct stat st;
    if (stat("/mem/out.txt", &st) == 0) printf("out.txt size: %lld\n", (long long)st.st_size);
    show_file("out.txt", "/mem/out.txt");
    DIR *d = opendir("/mem");
    char *names[32];
    int k = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL && k < 32)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[k++] = strdup(e->d_name);
    if (d) closedir(d);
    qsort(names, (size_t)k, sizeof *names, cmp);
    printf("listing:");
    for (int i = 0; i < k; i++) printf(" %s", names[i]);
    printf("\n");
    return done == len ? 0 : 1;
}
