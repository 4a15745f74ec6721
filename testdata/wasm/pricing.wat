;; Depends on subsystem "calc": price(x) = calc.tag(x) + 1000.
(module
  (import "calc" "tag" (func $tag (param i32) (result i32)))
  (func (export "price") (param i32) (result i32)
    local.get 0 call $tag i32.const 1000 i32.add)
)
