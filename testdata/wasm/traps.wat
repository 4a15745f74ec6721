;; Each export traps in a different way; "ok" does not, to show the module still works afterwards.
(module
  (memory 1 1)
  (func (export "ok") (result i32) i32.const 7)
  (func (export "unreachable") unreachable)
  (func (export "div_by_zero") (param i32) (result i32)
    local.get 0 i32.const 0 i32.div_s)
  (func (export "oob_load") (result i32)
    i32.const 70000 i32.load)
  (func $recurse (export "recurse") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add call $recurse)
  (func (export "spin")
    loop $forever br $forever end)
)
