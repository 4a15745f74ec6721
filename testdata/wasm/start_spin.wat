;; A start function that never ends: instantiating this module runs it.
(module
  (func $forever loop $again br $again end)
  (start $forever)
  (func (export "ok") (result i32) i32.const 7)
)
