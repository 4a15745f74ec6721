;; Version 1 of a swappable subsystem: tag(x) = 10x + 1 tells which version answered.
(module
  (func (export "tag") (param i32) (result i32)
    local.get 0 i32.const 10 i32.mul i32.const 1 i32.add)
  (func (export "add") (param i32 i32) (result i32)
    local.get 0 local.get 1 i32.add)
)
