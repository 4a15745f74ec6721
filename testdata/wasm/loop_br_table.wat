;; Loops repeated by br_table, which Chicory 1.7.5's interpreter runs without checking for
;; interruption (wasm-host inserts a checked br into them when loading).
;; sum_to(n) = 1 + 2 + ... + n (n unsigned); spin() never returns.
(module
  (func (export "sum_to") (param $n i32) (result i64)
    (local $acc i64)
    block $done
      loop $next
        block $even
          local.get $n i32.eqz
          br_if $done
          local.get $acc local.get $n i64.extend_i32_u i64.add local.set $acc
          local.get $n i32.const 1 i32.sub local.set $n
          ;; after an odd n the loop repeats from the br_table; after an even one, from the br below
          local.get $n i32.const 1 i32.and
          br_table $even $next $done
        end
        br $next
      end
    end
    local.get $acc)
  (func (export "spin")
    loop $forever
      i32.const 1
      br_table $forever $forever
    end)
)
