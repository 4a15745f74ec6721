;; Shapes that the shared test modules lack: (i32) -> () and (i64) -> () for IntConsumer and
;; LongConsumer, a parameter with no boxed Java form (externref), and a table export.
(module
  (global $g32 (mut i32) (i32.const 0))
  (global $g64 (mut i64) (i64.const 0))
  (table (export "table") 1 funcref)
  (func (export "set_i32") (param i32) local.get 0 global.set $g32)
  (func (export "get_i32") (result i32) global.get $g32)
  (func (export "set_i64") (param i64) local.get 0 global.set $g64)
  (func (export "get_i64") (result i64) global.get $g64)
  (func (export "is_null") (param externref) (result i32) local.get 0 ref.is_null)
)
