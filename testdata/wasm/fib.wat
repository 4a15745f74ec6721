;; Recursive Fibonacci on i64: fib(20) = 6765. The bundled example for the CLI.
(module
  (func $fib (export "fib") (param $n i64) (result i64)
    local.get $n
    i64.const 2
    i64.lt_s
    if (result i64)
      local.get $n
    else
      local.get $n i64.const 1 i64.sub call $fib
      local.get $n i64.const 2 i64.sub call $fib
      i64.add
    end)
  ;; sum of 0..n-1 in a loop, for compute benchmarks
  (func (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    block $done
      loop $next
        local.get $i local.get $n i32.ge_s br_if $done
        local.get $acc local.get $i i64.extend_i32_s i64.add local.set $acc
        local.get $i i32.const 1 i32.add local.set $i
        br $next
      end
    end
    local.get $acc)
)
