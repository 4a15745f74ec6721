;; Valid, but its data segment does not fit its memory: instantiation fails.
(module
  (memory 1)
  (data (i32.const 65535) "ab")
  (func (export "ok") (result i32) i32.const 1)
)
