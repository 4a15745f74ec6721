;; Probes WASI functions that a C program cannot observe deterministically: clocks, randomness,
;; sockets, poll_oneoff and proc_exit, each behind an export that returns what the host gave.
;; Used by dev.wasmhost.wasi.WasiApiTest. Scratch memory: results at 0..64, subscriptions at 256,
;; events at 512.
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $sock_recv (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_send" (func $sock_send (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_shutdown" (func $sock_shutdown (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1024) "probe says hi\n")
  (data (i32.const 1100) "leak.txt")

  ;; The time of clock $id, or -errno.
  (func (export "clock") (param $id i32) (result i64)
    (local $errno i32)
    (local.set $errno (call $clock_time_get (local.get $id) (i64.const 1) (i32.const 0)))
    (if (result i64) (local.get $errno)
      (then (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $errno))))
      (else (i64.load (i32.const 0)))))

  ;; The resolution of clock $id, or -errno.
  (func (export "resolution") (param $id i32) (result i64)
    (local $errno i32)
    (local.set $errno (call $clock_res_get (local.get $id) (i32.const 0)))
    (if (result i64) (local.get $errno)
      (then (i64.sub (i64.const 0) (i64.extend_i32_u (local.get $errno))))
      (else (i64.load (i32.const 0)))))

  ;; Eight random bytes as an i64 (random_get's errno is checked by "random_errno").
  (func (export "random64") (result i64)
    (drop (call $random_get (i32.const 0) (i32.const 8)))
    (i64.load (i32.const 0)))

  (func (export "sock_accept_errno") (param $fd i32) (result i32)
    (call $sock_accept (local.get $fd) (i32.const 0) (i32.const 0)))
  (func (export "sock_recv_errno") (param $fd i32) (result i32)
    (call $sock_recv (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 16) (i32.const 20)))
  (func (export "sock_send_errno") (param $fd i32) (result i32)
    (call $sock_send (local.get $fd) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 16)))
  (func (export "sock_shutdown_errno") (param $fd i32) (result i32)
    (call $sock_shutdown (local.get $fd) (i32.const 2)))

  ;; Sleeps $ns nanoseconds on the monotonic clock through poll_oneoff; returns the number of events
  ;; (1 expected) or -errno.
  (func (export "sleep") (param $ns i64) (result i32)
    (local $errno i32)
    ;; subscription at 256: userdata 7, tag 0 (clock), clock id 1, timeout $ns, precision 0, flags 0
    (i64.store (i32.const 256) (i64.const 7))
    (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (local.get $ns))
    (i64.store (i32.const 288) (i64.const 0))
    (i32.store16 (i32.const 296) (i32.const 0))
    (local.set $errno (call $poll_oneoff (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 40)))
    (if (result i32) (local.get $errno)
      (then (i32.sub (i32.const 0) (local.get $errno)))
      (else (i32.load (i32.const 40)))))

  ;; The userdata of the first event written by the last "sleep".
  (func (export "event_userdata") (result i64)
    (i64.load (i32.const 512)))

  ;; Opens (creating) leak.txt in the first preopen (fd 3) for reading and writing and never closes
  ;; it; returns the new descriptor or -errno.
  (func (export "open_and_keep") (result i32)
    (local $errno i32)
    (local.set $errno
      (call $path_open (i32.const 3) (i32.const 1) (i32.const 1100) (i32.const 8) (i32.const 1)
        (i64.const 66) (i64.const 0) (i32.const 0) (i32.const 48)))
    (if (result i32) (local.get $errno)
      (then (i32.sub (i32.const 0) (local.get $errno)))
      (else (i32.load (i32.const 48)))))

  ;; Writes "probe says hi\n" to fd 1; returns the errno.
  (func (export "hello") (result i32)
    (i32.store (i32.const 128) (i32.const 1024))
    (i32.store (i32.const 132) (i32.const 14))
    (call $fd_write (i32.const 1) (i32.const 128) (i32.const 1) (i32.const 136)))

  (func (export "exit") (param $code i32)
    (call $proc_exit (local.get $code))))
