;; A module that needs host functions.
(module
  (import "env" "add" (func $add (param i32 i32) (result i32)))
  (import "env" "log" (func $log (param i32 i32)))
  (import "env" "now" (func $now (result i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "hello")
  (func (export "call_add") (param i32 i32) (result i32)
    local.get 0 local.get 1 call $add)
  (func (export "log_hello")
    i32.const 0 i32.const 5 call $log)
  (func (export "now") (result i64) call $now)
)
