;; Where the fuel lives during a call: FuelInstrumenter keeps it in a local and writes it to the global only
;; before calls and exits. Each export exercises one way of leaving a function or running other code; the
;; host's "probe" reads the fuel global during the call. Built by build.sh; used by FuelSyncTest.
(module
  (import "env" "probe" (func $probe (param i32)))
  (type $i2i (func (param i32) (result i32)))
  (type $probe_t (func (param i32)))
  (table 2 funcref)
  (elem (i32.const 0) $leaf $probe)

  (func $leaf (export "leaf") (param i32) (result i32)
    local.get 0 i32.const 1 i32.add)

  ;; probe 0 at entry, probe 1 in each of n iterations, probe 2 at the end
  (func (export "probes") (param $n i32)
    i32.const 0 call $probe
    block $done
      loop $next
        local.get $n i32.eqz br_if $done
        i32.const 1 call $probe
        local.get $n i32.const 1 i32.sub local.set $n
        br $next
      end
    end
    i32.const 2 call $probe)

  ;; n calls of $leaf in a loop, then the loop charges again: it must see what the callee consumed
  (func (export "calls_in_loop") (param $n i32) (result i32)
    (local $acc i32)
    block $done
      loop $next
        local.get $n i32.eqz br_if $done
        local.get $acc call $leaf local.set $acc
        local.get $n i32.const 1 i32.sub local.set $n
        br $next
      end
    end
    local.get $acc)

  ;; the same through the table, and the probe through the table on every odd iteration
  (func (export "indirect") (param $n i32) (result i32)
    (local $acc i32)
    block $done
      loop $next
        local.get $n i32.eqz br_if $done
        local.get $acc i32.const 0 call_indirect (type $i2i) local.set $acc
        local.get $n i32.const 1 i32.and
        if
          local.get $n i32.const 1 call_indirect (type $probe_t)
        end
        local.get $n i32.const 1 i32.sub local.set $n
        br $next
      end
    end
    local.get $acc)

  ;; n + 1 nested calls; the innermost probes (4)
  (func $rec (export "rec") (param $n i32) (result i32)
    local.get $n i32.eqz
    if (result i32)
      i32.const 4 call $probe
      i32.const 0
    else
      local.get $n i32.const 1 i32.sub call $rec i32.const 1 i32.add
    end)

  ;; returns 100 + n from inside an if, in a block, in a loop, in a block, after n + 1 iterations
  (func (export "nested_return") (param $n i32) (result i32)
    (local $i i32)
    block $a
      loop $l
        block $b
          local.get $i local.get $n i32.eq
          if
            local.get $i i32.const 100 i32.add
            return
          end
        end
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    i32.const -1)

  ;; the same with br to the function's label instead of return
  (func (export "nested_br") (param $n i32) (result i32)
    (local $i i32)
    block $a
      loop $l
        block $b
          local.get $i local.get $n i32.eq
          if
            local.get $i i32.const 100 i32.add
            br 4
          end
        end
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    i32.const -1)

  ;; returns i with br_if to the function's label once i reaches n
  (func (export "br_if_func") (param $n i32) (result i32)
    (local $i i32)
    loop $l
      local.get $i
      local.get $i local.get $n i32.ge_u
      br_if 1
      drop
      local.get $i i32.const 1 i32.add local.set $i
      br $l
    end
    i32.const -1)

  ;; br_table on the old k: 0 returns (function label), 1 leaves the block and probes (5), more loops
  (func (export "br_table_func") (param $k i32)
    block $b
      loop $l
        local.get $k
        local.get $k i32.const 1 i32.sub local.set $k
        br_table 2 $b $l
      end
    end
    i32.const 5 call $probe)

  ;; two results, returned from inside an if with parameters, or by br_if to the function's label
  (func $pair (export "pair") (param $n i32) (result i32 i64)
    (local $i i32)
    block $done
      loop $l
        local.get $i local.get $n i32.ge_u br_if $done
        local.get $i i32.const 1 i32.add local.set $i
        br $l
      end
    end
    local.get $i
    local.get $i i64.extend_i32_u i64.const 10 i64.mul
    local.get $n i32.const 5 i32.gt_u
    if (param i32 i64) (result i32 i64)
      return
    end
    local.get $n i32.const 2 i32.gt_u
    br_if 0
    i64.const 1 i64.add)

  ;; calls $pair and swaps its results
  (func (export "multi") (param $n i32) (result i64 i32)
    (local $a i32) (local $b i64)
    local.get $n call $pair
    local.set $b local.set $a
    local.get $b local.get $a)

  ;; in a loop, $leaf is called on odd n only, so the paths meet with the fuel in the local on one side and
  ;; in the global on the other, and then leave the function by br_if; returns how many calls were made
  (func (export "merge_in_loop") (param $n i32) (result i32)
    (local $acc i32)
    loop $next
      local.get $n i32.const 1 i32.and
      if
        local.get $acc call $leaf local.set $acc
      end
      local.get $acc
      local.get $n i32.eqz
      br_if 1
      drop
      local.get $n i32.const 1 i32.sub local.set $n
      br $next
    end
    i32.const -1)

  ;; the same meeting outside loops, followed by a loop: returns (n odd) + 2n
  (func (export "merge_then_loop") (param $n i32) (result i32)
    (local $acc i32)
    local.get $n i32.const 1 i32.and
    if
      i32.const 0 call $leaf local.set $acc
    end
    block $done
      loop $next
        local.get $n i32.eqz br_if $done
        local.get $n i32.const 1 i32.sub local.set $n
        local.get $acc i32.const 2 i32.add local.set $acc
        br $next
      end
    end
    local.get $acc)

  ;; 127 groups of one local each (128 with the fuel local: two bytes of LEB128), 128 locals with the
  ;; parameter (the fuel local is index 128: two bytes); sums 0..n-1 through the last locals, calling
  ;; $leaf in the loop
  (func (export "many_locals") (param $n i32) (result i64)
    (local $v0 i32) (local $v1 i64) (local $v2 i32) (local $v3 i64) (local $v4 i32) (local $v5 i64) (local $v6 i32) (local $v7 i64)
    (local $v8 i32) (local $v9 i64) (local $v10 i32) (local $v11 i64) (local $v12 i32) (local $v13 i64) (local $v14 i32) (local $v15 i64)
    (local $v16 i32) (local $v17 i64) (local $v18 i32) (local $v19 i64) (local $v20 i32) (local $v21 i64) (local $v22 i32) (local $v23 i64)
    (local $v24 i32) (local $v25 i64) (local $v26 i32) (local $v27 i64) (local $v28 i32) (local $v29 i64) (local $v30 i32) (local $v31 i64)
    (local $v32 i32) (local $v33 i64) (local $v34 i32) (local $v35 i64) (local $v36 i32) (local $v37 i64) (local $v38 i32) (local $v39 i64)
    (local $v40 i32) (local $v41 i64) (local $v42 i32) (local $v43 i64) (local $v44 i32) (local $v45 i64) (local $v46 i32) (local $v47 i64)
    (local $v48 i32) (local $v49 i64) (local $v50 i32) (local $v51 i64) (local $v52 i32) (local $v53 i64) (local $v54 i32) (local $v55 i64)
    (local $v56 i32) (local $v57 i64) (local $v58 i32) (local $v59 i64) (local $v60 i32) (local $v61 i64) (local $v62 i32) (local $v63 i64)
    (local $v64 i32) (local $v65 i64) (local $v66 i32) (local $v67 i64) (local $v68 i32) (local $v69 i64) (local $v70 i32) (local $v71 i64)
    (local $v72 i32) (local $v73 i64) (local $v74 i32) (local $v75 i64) (local $v76 i32) (local $v77 i64) (local $v78 i32) (local $v79 i64)
    (local $v80 i32) (local $v81 i64) (local $v82 i32) (local $v83 i64) (local $v84 i32) (local $v85 i64) (local $v86 i32) (local $v87 i64)
    (local $v88 i32) (local $v89 i64) (local $v90 i32) (local $v91 i64) (local $v92 i32) (local $v93 i64) (local $v94 i32) (local $v95 i64)
    (local $v96 i32) (local $v97 i64) (local $v98 i32) (local $v99 i64) (local $v100 i32) (local $v101 i64) (local $v102 i32) (local $v103 i64)
    (local $v104 i32) (local $v105 i64) (local $v106 i32) (local $v107 i64) (local $v108 i32) (local $v109 i64) (local $v110 i32) (local $v111 i64)
    (local $v112 i32) (local $v113 i64) (local $v114 i32) (local $v115 i64) (local $v116 i32) (local $v117 i64) (local $v118 i32) (local $v119 i64)
    (local $v120 i32) (local $v121 i64) (local $v122 i32) (local $v123 i64) (local $v124 i32) (local $v125 i64) (local $v126 i32)
    block $done
      loop $next
        local.get $v124 local.get $n i32.ge_u br_if $done
        local.get $v125 local.get $v124 i64.extend_i32_u i64.add local.set $v125
        local.get $v124 call $leaf local.set $v124
        br $next
      end
    end
    local.get $v125)
)
