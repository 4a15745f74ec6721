;; Guests that never end yet never exhaust the stack, for call deadlines.
;; spin_recursive loops forever calling $down, which recurses 32 frames deep and returns: a deadline
;; must stop it although most of its time is spent in calls and returns rather than on one branch.
;; calls_forever loops forever on a call to a leaf function.
(module
  (func $down (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0 i32.const 1 i32.sub call $down
      i32.const 1 i32.add
    end)
  (func $leaf (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "spin_recursive")
    loop $forever
      i32.const 32 call $down drop
      br $forever
    end)
  (func (export "calls_forever")
    (local $i i32)
    loop $forever
      local.get $i call $leaf local.set $i
      br $forever
    end)
  (func (export "ok") (result i32) i32.const 7)
)
