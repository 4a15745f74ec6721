;; Imports two globals (and a table, a memory and a function, to exercise every import kind) and
;; defines three, so the fuel global's index must be 2 + 3 = 5. Already exports "__wasmhost_fuel",
;; so the fuel global must take another name.
(module
  (import "env" "base" (global $base i32))
  (import "env" "table" (table 1 funcref))
  (import "env" "mem" (memory 1))
  (import "env" "scale" (global $scale (mut i64)))
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (global $a (mut i32) (i32.const 1))
  (global $b i64 (i64.const 2))
  (global $c f64 (f64.const 0.5))
  (export "__wasmhost_fuel" (global $a))
  ;; base * scale + b + twice(a)
  (func (export "read") (result i64)
    global.get $base i64.extend_i32_s global.get $scale i64.mul
    global.get $b i64.add
    global.get $a call $twice i64.extend_i32_s i64.add)
  (func (export "bump")
    global.get $scale i64.const 1 i64.add global.set $scale))
