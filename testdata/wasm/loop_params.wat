;; Loops with parameters and several results, repeated by br_if, which Chicory 1.7.5's interpreter
;; runs without checking for interruption (wasm-host inserts a checked br into them when loading; the
;; inserted block has an empty type, so it is valid with the loop's values on the stack).
;; fib(n): Fibonacci (0 for n <= 0), by a loop carrying (a, b, k) on the stack; spin(x) never returns.
(module
  (func (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $k i32)
    local.get $n i32.const 1 i32.lt_s
    if
      i64.const 0
      return
    end
    i64.const 0 i64.const 1 local.get $n
    loop $next (param i64 i64 i32) (result i64 i64 i32)
      ;; (a, b, k) -> (b, a + b, k - 1), repeated while k > 1
      local.set $k local.set $b local.set $a
      local.get $b
      local.get $a local.get $b i64.add
      local.get $k i32.const 1 i32.sub
      local.get $k i32.const 1 i32.gt_s
      br_if $next
    end
    drop drop)
  (func (export "spin") (param $x i64) (result i64)
    local.get $x
    loop $again (param i64) (result i64)
      i64.const 1 i64.add
      i32.const 1
      br_if $again
    end)
)
