;; Tail calls (return_call, return_call_indirect): sum(n) = n + (n-1) + ... + 1 by tail recursion.
(module
  (type $acc (func (param i32 i64) (result i64)))
  (table 1 funcref)
  (elem (i32.const 0) $step)
  (func $step (type $acc)
    local.get 0 i32.eqz
    if (result i64)
      local.get 1
    else
      local.get 0 i32.const 1 i32.sub
      local.get 1 local.get 0 i64.extend_i32_u i64.add
      return_call $bounce
    end)
  (func $bounce (type $acc)
    local.get 0 local.get 1 i32.const 0 return_call_indirect (type $acc))
  (func (export "sum") (param i32) (result i64)
    local.get 0 i64.const 0 call $step))
