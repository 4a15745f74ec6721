;; A start function that calls a host function, which reads the guest's memory during instantiation.
(module
  (import "env" "init" (func $init (param i32 i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "boot")
  (global $started (mut i32) (i32.const 0))
  (func $start
    i32.const 0 i32.const 4 call $init
    i32.const 1 global.set $started)
  (start $start)
  (func (export "started") (result i32) global.get $started)
)
