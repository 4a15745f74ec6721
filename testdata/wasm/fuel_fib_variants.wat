;; Hand-written variants of fib.wat's fib with a fuel charge of 17 per call, for FuelBenchmark: what
;; metering recursive calls can cost in Chicory's compiler when the fuel crosses calls in other ways
;; than FuelInstrumenter's (a global read at entry and written before calls and returns).
(module
  (global $fuel (export "fuel") (mut i64) (i64.const 0))
  ;; The fuel goes down as a parameter and comes back through the global once per call: a leaf
  ;; writes it, a caller reads it back after its first call. A correct meter.
  (func $fib_param (param $n i64) (param $f i64) (result i64)
    local.get $f i64.const 17 i64.sub local.tee $f i64.const 0 i64.lt_s
    if local.get $f global.set $fuel unreachable end
    local.get $n i64.const 2 i64.lt_s
    if (result i64)
      local.get $n
      local.get $f global.set $fuel
    else
      local.get $n i64.const 1 i64.sub local.get $f call $fib_param
      local.get $n i64.const 2 i64.sub global.get $fuel call $fib_param
      i64.add
    end)
  (func (export "fib_global") (param $n i64) (result i64)
    local.get $n global.get $fuel call $fib_param)
  ;; The fuel goes down as a parameter and never comes back: each call charges its own copy. NOT a
  ;; correct meter (callees' work is not subtracted from the caller's fuel); the lower bound of any
  ;; scheme that keeps the fuel in JVM locals.
  (func $fib_down (param $n i64) (param $f i64) (result i64)
    local.get $f i64.const 17 i64.sub local.tee $f i64.const 0 i64.lt_s
    if unreachable end
    local.get $n i64.const 2 i64.lt_s
    if (result i64)
      local.get $n
    else
      local.get $n i64.const 1 i64.sub local.get $f call $fib_down
      local.get $n i64.const 2 i64.sub local.get $f call $fib_down
      i64.add
    end)
  (func (export "fib_register") (param $n i64) (result i64)
    local.get $n global.get $fuel call $fib_down)
  ;; The fuel goes down as a parameter and comes back as a second result: a correct meter, with the
  ;; fuel in JVM locals except where Chicory returns the two results of a call.
  (func $fib_pair (param $n i64) (param $f i64) (result i64 i64)
    local.get $f i64.const 17 i64.sub local.tee $f i64.const 0 i64.lt_s
    if local.get $f global.set $fuel unreachable end
    local.get $n i64.const 2 i64.lt_s
    if (result i64 i64)
      local.get $n local.get $f
    else
      local.get $n i64.const 1 i64.sub local.get $f call $fib_pair
      local.set $f
      local.get $n i64.const 2 i64.sub local.get $f call $fib_pair
      local.set $f
      i64.add local.get $f
    end)
  (func (export "fib_pair") (param $n i64) (result i64)
    local.get $n global.get $fuel call $fib_pair global.set $fuel)
)
