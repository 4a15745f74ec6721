;; No global section and no export section: the fuel instrumenter must create both. The start
;; function counts to 10 in a loop and reports the count to the host.
(module
  (import "env" "report" (func $report (param i32)))
  (func $main (local $i i32)
    loop $again
      local.get $i i32.const 1 i32.add local.tee $i
      i32.const 10 i32.lt_u br_if $again
    end
    local.get $i call $report)
  (start $main))
