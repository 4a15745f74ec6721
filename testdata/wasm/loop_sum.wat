;; sum of 0..n-1 in a loop repeated by br_if, the shape C compilers emit, for LoopCheckBenchmark:
;; the loader inserts a checked br at the start of this loop (see InterruptibleLoops).
(module
  (func (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    local.get $n i32.const 0 i32.le_s
    if i64.const 0 return end
    loop $next
      local.get $acc local.get $i i64.extend_i32_s i64.add local.set $acc
      local.get $i i32.const 1 i32.add local.tee $i
      local.get $n i32.lt_s
      br_if $next
    end
    local.get $acc))
