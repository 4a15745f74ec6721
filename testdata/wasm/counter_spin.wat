;; Per-instance state next to an endless loop: inc counts calls on one instance, spin never returns.
;; Shows that an instance stopped at its deadline is discarded (inc starts again at 1).
(module
  (global $counter (mut i32) (i32.const 0))
  (func (export "inc") (result i32)
    global.get $counter i32.const 1 i32.add global.set $counter
    global.get $counter)
  (func (export "spin")
    loop $forever br $forever end)
)
