;; wasi_echo: a small WASI command (exports _start, imports wasi_snapshot_preview1) for the tests of
;; `wasm-host run` and for WasiRunBenchmark.
;;
;; Without arguments it copies standard input to standard output. Otherwise it performs its
;; arguments (argv[1..]) in order:
;;   args          print argv, argv[0] included, one per line
;;   env           print the environment (NAME=VALUE), one per line
;;   mounts        print the name of each preopened directory (fd 3, 4, ...), one per line
;;   cat           copy standard input to standard output
;;   cat=PATH      copy the file PATH, relative to the first preopened directory (fd 3), to stdout
;;   write=PATH    copy standard input into the file PATH (created or truncated) under fd 3
;;   exit=N        exit at once with code N (decimal)
;;   trap          execute `unreachable`
;;   anything else is ignored (so that `args` can show it, e.g. `-n` or `--verbose`).
;; A failing WASI call prints "wasi_echo: ARG: errno N" on standard error and exits with code 1.
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  ;; (dirfd, lookupflags, path, path_len, oflags, rights_base, rights_inheriting, fdflags, fd_out)
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))

  ;; Memory map:
  ;;   0 iovec (buf, len)   8 bytes read/written   12 fd from path_open   16 prestat (tag, name_len)
  ;;   24 argc, argv_buf_size   32 environ count, environ_buf_size
  ;;   64..158 words and messages   256..288 digits of a number   1024..5120 copy buffer
  ;;   8192.. heap: argv, environ and directory names ($alloc)
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 8192))

  (data (i32.const 64) "args")
  (data (i32.const 72) "env")
  (data (i32.const 80) "mounts")
  (data (i32.const 88) "cat=")          ;; "cat" is its first 3 bytes
  (data (i32.const 96) "write=")
  (data (i32.const 104) "exit=")
  (data (i32.const 112) "trap")
  (data (i32.const 120) "\n")
  (data (i32.const 128) "wasi_echo: ")  ;; 11 bytes
  (data (i32.const 144) ": errno ")     ;; 8 bytes
  (data (i32.const 152) "stdin")

  ;; Bump allocator: $size bytes, 4-aligned; grows the memory when needed.
  (func $alloc (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap
      (i32.and (i32.add (i32.add (local.get $p) (local.get $size)) (i32.const 3)) (i32.const -4)))
    (if (i32.gt_u (global.get $heap) (i32.shl (memory.size) (i32.const 16)))
      (then
        (drop (memory.grow
          (i32.sub (i32.shr_u (i32.add (global.get $heap) (i32.const 65535)) (i32.const 16))
                   (memory.size))))))
    (local.get $p))

  ;; Writes all $len bytes at $ptr to $fd (fd_write may write fewer at a time). Returns the errno.
  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (local $errno i32)
    (block $done
      (loop $more
        (br_if $done (i32.eqz (local.get $len)))
        (i32.store (i32.const 0) (local.get $ptr))
        (i32.store (i32.const 4) (local.get $len))
        (local.set $errno (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
        (br_if $done (local.get $errno))
        (br_if $done (i32.eqz (i32.load (i32.const 8))))
        (local.set $ptr (i32.add (local.get $ptr) (i32.load (i32.const 8))))
        (local.set $len (i32.sub (local.get $len) (i32.load (i32.const 8))))
        (br $more)))
    (local.get $errno))

  ;; Writes $n in decimal to $fd.
  (func $write_number (param $fd i32) (param $n i32)
    (local $p i32)
    (local.set $p (i32.const 288))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (local.get $n)))
    (drop (call $write (local.get $fd) (local.get $p) (i32.sub (i32.const 288) (local.get $p)))))

  (func $strlen (param $s i32) (result i32)
    (local $n i32)
    (block $end
      (loop $next
        (br_if $end (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; 1 when the NUL-terminated string $s starts with the $n bytes at $prefix.
  (func $starts_with (param $s i32) (param $prefix i32) (param $n i32) (result i32)
    (local $i i32)
    (block $differ
      (loop $next
        (if (i32.ge_u (local.get $i) (local.get $n)) (then (return (i32.const 1))))
        (br_if $differ
          (i32.ne (i32.load8_u (i32.add (local.get $s) (local.get $i)))
                  (i32.load8_u (i32.add (local.get $prefix) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))

  ;; 1 when the NUL-terminated string $s is exactly the $n bytes at $word.
  (func $equals (param $s i32) (param $word i32) (param $n i32) (result i32)
    (if (result i32) (call $starts_with (local.get $s) (local.get $word) (local.get $n))
      (then (i32.eqz (i32.load8_u (i32.add (local.get $s) (local.get $n)))))
      (else (i32.const 0))))

  ;; The unsigned decimal number at $s (up to the first non-digit).
  (func $atoi (param $s i32) (result i32)
    (local $n i32) (local $digit i32)
    (block $end
      (loop $next
        (local.set $digit (i32.sub (i32.load8_u (local.get $s)) (i32.const 48)))
        (br_if $end (i32.gt_u (local.get $digit) (i32.const 9)))
        (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 10)) (local.get $digit)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $next)))
    (local.get $n))

  ;; Unless $errno is 0: "wasi_echo: ARG: errno N" on stderr, exit code 1.
  (func $check (param $arg i32) (param $errno i32)
    (if (i32.eqz (local.get $errno)) (then (return)))
    (drop (call $write (i32.const 2) (i32.const 128) (i32.const 11)))
    (drop (call $write (i32.const 2) (local.get $arg) (call $strlen (local.get $arg))))
    (drop (call $write (i32.const 2) (i32.const 144) (i32.const 8)))
    (call $write_number (i32.const 2) (local.get $errno))
    (drop (call $write (i32.const 2) (i32.const 120) (i32.const 1)))
    (call $proc_exit (i32.const 1)))

  ;; Prints the $count strings whose addresses are at $list, one per line.
  (func $print_lines (param $list i32) (param $count i32)
    (local $s i32)
    (block $end
      (loop $next
        (br_if $end (i32.eqz (local.get $count)))
        (local.set $s (i32.load (local.get $list)))
        (drop (call $write (i32.const 1) (local.get $s) (call $strlen (local.get $s))))
        (drop (call $write (i32.const 1) (i32.const 120) (i32.const 1)))
        (local.set $list (i32.add (local.get $list) (i32.const 4)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $next))))

  ;; Copies $from to $to until the end of $from, 4 KiB at a time. Returns the errno.
  (func $copy (param $from i32) (param $to i32) (result i32)
    (local $errno i32)
    (loop $more
      (i32.store (i32.const 0) (i32.const 1024))
      (i32.store (i32.const 4) (i32.const 4096))
      (local.set $errno (call $fd_read (local.get $from) (i32.const 0) (i32.const 1) (i32.const 8)))
      (if (local.get $errno) (then (return (local.get $errno))))
      (if (i32.load (i32.const 8)) ;; 0 bytes read is the end
        (then
          (local.set $errno (call $write (local.get $to) (i32.const 1024) (i32.load (i32.const 8))))
          (if (local.get $errno) (then (return (local.get $errno))))
          (br $more))))
    (i32.const 0))

  ;; Opens $path (NUL-terminated) under fd 3 and returns the errno; the new fd is at address 12.
  (func $open (param $path i32) (param $oflags i32) (param $rights i64) (result i32)
    (call $path_open
      (i32.const 3) (i32.const 1) ;; lookupflags: follow symlinks
      (local.get $path) (call $strlen (local.get $path))
      (local.get $oflags) (local.get $rights) (i64.const 0) (i32.const 0) (i32.const 12)))

  ;; Prints the name of each preopened directory, from fd 3 up to the first fd that is not one.
  (func $print_mounts
    (local $fd i32) (local $name i32) (local $length i32)
    (local.set $fd (i32.const 3))
    (block $end
      (loop $next
        (br_if $end (call $fd_prestat_get (local.get $fd) (i32.const 16)))
        (local.set $length (i32.load (i32.const 20)))
        (local.set $name (call $alloc (local.get $length)))
        (br_if $end (call $fd_prestat_dir_name (local.get $fd) (local.get $name) (local.get $length)))
        (drop (call $write (i32.const 1) (local.get $name) (local.get $length)))
        (drop (call $write (i32.const 1) (i32.const 120) (i32.const 1)))
        (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
        (br $next))))

  (func (export "_start")
    (local $argc i32) (local $argv i32) (local $envc i32) (local $environ i32)
    (local $i i32) (local $arg i32)
    ;; argv and environ: an array of addresses, then the NUL-terminated strings
    (call $check (i32.const 64) (call $args_sizes_get (i32.const 24) (i32.const 28)))
    (local.set $argc (i32.load (i32.const 24)))
    (local.set $argv (call $alloc (i32.shl (local.get $argc) (i32.const 2))))
    (call $check (i32.const 64)
      (call $args_get (local.get $argv) (call $alloc (i32.load (i32.const 28)))))
    (call $check (i32.const 72) (call $environ_sizes_get (i32.const 32) (i32.const 36)))
    (local.set $envc (i32.load (i32.const 32)))
    (local.set $environ (call $alloc (i32.shl (local.get $envc) (i32.const 2))))
    (call $check (i32.const 72)
      (call $environ_get (local.get $environ) (call $alloc (i32.load (i32.const 36)))))

    ;; No arguments: echo standard input.
    (if (i32.le_u (local.get $argc) (i32.const 1))
      (then
        (call $check (i32.const 152) (call $copy (i32.const 0) (i32.const 1)))
        (return)))

    (local.set $i (i32.const 1))
    (loop $next
      (local.set $arg (i32.load (i32.add (local.get $argv) (i32.shl (local.get $i) (i32.const 2)))))
      (block $done
        (if (call $equals (local.get $arg) (i32.const 64) (i32.const 4)) ;; args
          (then (call $print_lines (local.get $argv) (local.get $argc)) (br $done)))
        (if (call $equals (local.get $arg) (i32.const 72) (i32.const 3)) ;; env
          (then (call $print_lines (local.get $environ) (local.get $envc)) (br $done)))
        (if (call $equals (local.get $arg) (i32.const 80) (i32.const 6)) ;; mounts
          (then (call $print_mounts) (br $done)))
        (if (call $equals (local.get $arg) (i32.const 88) (i32.const 3)) ;; cat
          (then (call $check (local.get $arg) (call $copy (i32.const 0) (i32.const 1))) (br $done)))
        (if (call $starts_with (local.get $arg) (i32.const 88) (i32.const 4)) ;; cat=PATH
          (then
            (call $check (local.get $arg)
              (call $open (i32.add (local.get $arg) (i32.const 4)) (i32.const 0) (i64.const 2))) ;; FD_READ
            (call $check (local.get $arg) (call $copy (i32.load (i32.const 12)) (i32.const 1)))
            (drop (call $fd_close (i32.load (i32.const 12))))
            (br $done)))
        (if (call $starts_with (local.get $arg) (i32.const 96) (i32.const 6)) ;; write=PATH
          (then
            (call $check (local.get $arg)
              ;; oflags CREAT | TRUNC, rights FD_WRITE
              (call $open (i32.add (local.get $arg) (i32.const 6)) (i32.const 9) (i64.const 64)))
            (call $check (local.get $arg) (call $copy (i32.const 0) (i32.load (i32.const 12))))
            (drop (call $fd_close (i32.load (i32.const 12))))
            (br $done)))
        (if (call $starts_with (local.get $arg) (i32.const 104) (i32.const 5)) ;; exit=N
          (then (call $proc_exit (call $atoi (i32.add (local.get $arg) (i32.const 5))))))
        (if (call $equals (local.get $arg) (i32.const 112) (i32.const 4)) ;; trap
          (then unreachable)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $argc)))))
)
