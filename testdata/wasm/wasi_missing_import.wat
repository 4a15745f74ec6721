;; A WASI command that also needs a host function WASI does not provide: `run` cannot link it.
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "env" "host_only" (func $host_only))
  (func (export "_start") (call $host_only)))
