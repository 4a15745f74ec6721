;; A swappable subsystem whose call can be held in flight: run() calls the host function env.block
;; (which the test makes wait on a latch), then returns 1, the version that answered.
(module
  (import "env" "block" (func $block))
  (func (export "run") (result i32)
    call $block
    i32.const 1)
)
