/* Exit paths, selected by argv[1]:
 *   exit:N      exit(N)           (atexit handlers + stdio flush, then proc_exit(N))
 *   return:N    return N from main (crt1 calls proc_exit(N) only when N != 0)
 *   _Exit:N     _Exit(N)          (no atexit handlers; stdout was flushed explicitly before)
 *   proc_exit:N __wasi_proc_exit(N) directly
 * Prints one line before exiting; atexit handler prints "atexit ran". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

static void bye(void) { printf("atexit ran\n"); }

int main(int argc, char **argv) {
    if (argc < 2) { printf("usage: exit_codes MODE:N\n"); return 2; }
    const char *colon = strchr(argv[1], ':');
    int n = colon ? atoi(colon + 1) : 0;
    size_t len = colon ? (size_t)(colon - argv[1]) : strlen(argv[1]);
    atexit(bye);
    printf("mode=%.*s code=%d\n", (int)len, argv[1], n);
    if (!strncmp(argv[1], "exit", len) && len == 4) exit(n);
    if (!strncmp(argv[1], "return", len) && len == 6) return n;
    fflush(stdout);
    if (!strncmp(argv[1], "_Exit", len) && len == 5) _Exit(n);
    if (!strncmp(argv[1], "proc_exit", len) && len == 9) __wasi_proc_exit((__wasi_exitcode_t)n);
    printf("unknown mode\n");
    return 2;
}
