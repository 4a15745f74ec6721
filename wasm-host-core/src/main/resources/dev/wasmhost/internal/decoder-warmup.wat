;; Decoded once per JVM on a background thread by wasm-host-core (ChicoryLoader), so that the
;; first real decode finds Chicory's decoder classes loaded: it has every section a module usually
;; has and the common instruction kinds. Built by testdata/wasm/build.sh.
(module
  (type $t (func (param i32) (result i32)))
  (import "env" "f" (func $imp (param i32) (result i32)))
  (import "env" "g" (global $ig i32))
  (memory 1 2)
  (table 2 funcref)
  (global $g (mut i64) (i64.const 0))
  (export "run" (func $run))
  (export "mem" (memory 0))
  (elem (i32.const 0) $run $imp)
  (data (i32.const 8) "warm")
  (func $run (param $n i32) (result i32) (local $i i32) (local $f f64)
    block $done
      loop $next
        local.get $i local.get $n i32.ge_s br_if $done
        local.get $i i32.const 1 i32.add local.set $i
        global.get $g i64.const 1 i64.add global.set $g
        local.get $i i32.load offset=8 drop
        local.get $i local.get $i i32.store8
        f64.const 1.5 local.get $f f64.mul local.set $f
        br $next
      end
    end
    local.get $n i32.const 0 i32.eq
    if (result i32) i32.const 1 else local.get $n call $imp end
    local.get $n i32.const 1 call_indirect (type $t)
    i32.add
    global.get $ig
    i32.add))
