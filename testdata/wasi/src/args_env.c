/* Echoes argc/argv and the environment (sorted). Exercises args_sizes_get/args_get and
 * environ_sizes_get/environ_get. With an empty environment, nothing follows "envc=0". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    int n = 0;
    while (environ && environ[n]) n++;
    char **copy = calloc((size_t)n + 1, sizeof *copy);
    for (int i = 0; i < n; i++) copy[i] = environ[i];
    qsort(copy, (size_t)n, sizeof *copy, cmp);
    printf("envc=%d\n", n);
    for (int i = 0; i < n; i++) printf("env: %s\n", copy[i]);
    const char *g = getenv("GREETING");
    printf("getenv(GREETING)=%s\n", g ? g : "(null)");
    return 0;
}
