;; Exercises a wide range of instructions and immediates (SIMD is in simd.wat), so that the fuel instrumenter's decoder
;; is checked against every encoding it must skip. Every export returns a deterministic number.
(module
  (type $binop (func (param i32 i32) (result i32)))
  (type $pair (func (param i32 i32) (result i32 i32)))
  (memory (export "memory") 1 2)
  (table $fns 4 funcref)
  (table $refs 2 externref)
  (elem (table $fns) (i32.const 0) func $add $sub $mul)
  (elem declare func $square)
  (data $greeting "abcdefgh")
  (global $g (mut i64) (i64.const -5))

  (func $add (type $binop) local.get 0 local.get 1 i32.add)
  (func $sub (type $binop) local.get 0 local.get 1 i32.sub)
  (func $mul (type $binop) local.get 0 local.get 1 i32.mul)
  (func $square (param i32) (result i32) local.get 0 local.get 0 i32.mul)

  ;; block/loop/if/else/br/br_if/br_table: sums a classification of 0..n-1
  (func (export "control") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    block $done
      loop $next
        local.get $i local.get $n i32.ge_u br_if $done
        block $three
          block $two
            block $one
              block $zero
                local.get $i i32.const 4 i32.rem_u
                br_table $zero $one $two $three
              end
              local.get $acc i32.const 1 i32.add local.set $acc
              br $three
            end
            local.get $acc i32.const 10 i32.add local.set $acc
            br $three
          end
          local.get $i i32.const 1 i32.and
          if
            local.get $acc i32.const 1000 i32.add local.set $acc
          else
            local.get $acc i32.const 100 i32.add local.set $acc
          end
        end
        local.get $i i32.const 1 i32.add local.set $i
        br $next
      end
    end
    local.get $acc)

  ;; call_indirect through the table, and a tail of select with and without a type
  (func (export "indirect") (param $which i32) (param $a i32) (param $b i32) (result i32)
    local.get $a local.get $b local.get $which
    call_indirect $fns (type $binop)
    i32.const 7
    local.get $which i32.const 1 i32.ne
    select                ;; 7 when which = 1
    i32.const -1
    local.get $which i32.const 2 i32.ne
    select (result i32))  ;; -1 when which = 2

  ;; loads and stores with offsets and alignments of every width
  (func (export "mem") (result i64)
    i32.const 0 i64.const 0x0102030405060708 i64.store offset=8 align=8
    i32.const 0 i32.const 0xFF i32.store8 offset=3
    i32.const 0 i32.const 0x1234 i32.store16 offset=20 align=1
    i32.const 0 f32.const 1.5 f32.store offset=24
    i32.const 0 f64.const -2.25 f64.store offset=32 align=4
    i32.const 0 i64.const -1 i64.store32 offset=40
    i32.const 0 i64.const 0x77 i64.store8 offset=44
    i32.const 0 i64.const 0x8888 i64.store16 offset=46
    i32.const 8 i64.load align=4
    i32.const 0 i64.load8_s offset=3 i64.add
    i32.const 0 i64.load8_u offset=3 i64.add
    i32.const 20 i64.load16_u align=1 i64.add
    i32.const 20 i64.load16_s i64.add
    i32.const 40 i64.load32_u i64.add
    i32.const 40 i64.load32_s i64.add
    i32.const 24 f32.load i64.trunc_f32_s i64.add
    i32.const 32 f64.load offset=0 align=8 i64.trunc_f64_s i64.add
    i32.const 44 i32.load8_u i64.extend_i32_u i64.add
    i32.const 46 i32.load16_s i64.extend_i32_s i64.add
    i32.const 8 i32.load offset=4 i64.extend_i32_u i64.add)

  ;; constants of every type, sign extension, saturating truncation, globals
  (func (export "numbers") (result i64)
    i64.const 0x7FFFFFFFFFFFFFFF i64.const -9223372036854775808 i64.add   ;; -1
    f32.const 3.25 f32.const -0.5 f32.mul i64.trunc_sat_f32_s i64.add    ;; -1
    f64.const 1e300 i32.trunc_sat_f64_s i64.extend_i32_s i64.add         ;; +2147483647
    f64.const nan i64.trunc_sat_f64_u i64.add                            ;; +0
    f32.const -1e30 i32.trunc_sat_f32_u i64.extend_i32_u i64.add         ;; +0
    i32.const 0x80 i32.extend8_s i64.extend_i32_s i64.add                ;; -128
    i64.const 0x8000 i64.extend16_s i64.add                              ;; -32768
    i64.const 0x80000000 i64.extend32_s i64.add                          ;; -2147483648
    global.get $g i64.add                                                ;; -5
    global.get $g i64.const 2 i64.mul global.set $g)

  ;; bulk memory: memory.init, data.drop, memory.fill, memory.copy
  (func (export "bulk") (result i32)
    i32.const 100 i32.const 0 i32.const 8 memory.init $greeting
    data.drop $greeting
    i32.const 200 i32.const 0x2A i32.const 4 memory.fill
    i32.const 204 i32.const 100 i32.const 4 memory.copy
    i32.const 200 i32.load
    i32.const 204 i32.load i32.xor
    memory.size i32.add
    i32.const 0 memory.grow i32.add)

  ;; reference types: ref.null, ref.func, ref.is_null, table.get/set/size/grow/fill, call through it
  (func (export "refs") (param $x i32) (result i32)
    ref.null func ref.is_null
    ref.func $square ref.is_null i32.add
    i32.const 3 ref.func $square table.set $fns
    local.get $x i32.const 3 call_indirect $fns (param i32) (result i32) i32.add
    ref.null extern i32.const 1 table.grow $refs i32.add
    i32.const 0 ref.null extern i32.const 3 table.fill $refs
    table.size $refs i32.add
    i32.const 1 table.get $refs ref.is_null i32.add
    table.size $fns i32.add
    i32.const 0 i32.const 1 i32.const 1 table.copy $fns $fns
    i32.const 2 i32.const 1 i32.const 2 call_indirect $fns (type $binop) i32.add)

  ;; multi-value: a block and a loop with parameters and two results; multi(n) = fib(n)
  (func (export "multi") (param $n i32) (result i32)
    (local $k i32)
    local.get $n local.set $k
    i32.const 0 i32.const 1
    block $out (param i32 i32) (result i32 i32)
      loop $again (param i32 i32) (result i32 i32)
        local.get $k i32.eqz br_if $out
        call $step
        local.get $k i32.const 1 i32.sub local.set $k
        br $again
      end
    end
    drop)

  (func $step (type $pair) local.get 1 local.get 0 local.get 1 i32.add)
)
