;; Memory and a mutable global: state that persists between calls on one instance.
(module
  (memory (export "memory") 1 4)
  (global $counter (mut i32) (i32.const 0))
  (data (i32.const 16) "hello, wasm")
  (func (export "inc") (result i32)
    global.get $counter i32.const 1 i32.add global.set $counter
    global.get $counter)
  (func (export "load") (param i32) (result i32) local.get 0 i32.load)
  (func (export "store") (param i32 i32) local.get 0 local.get 1 i32.store)
  (func (export "size") (result i32) memory.size)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  ;; sum of the bytes in [ptr, ptr+len)
  (func (export "sum_bytes") (param $ptr i32) (param $len i32) (result i32)
    (local $end i32) (local $acc i32)
    local.get $ptr local.get $len i32.add local.set $end
    block $done
      loop $next
        local.get $ptr local.get $end i32.ge_u br_if $done
        local.get $acc local.get $ptr i32.load8_u i32.add local.set $acc
        local.get $ptr i32.const 1 i32.add local.set $ptr
        br $next
      end
    end
    local.get $acc)
)
