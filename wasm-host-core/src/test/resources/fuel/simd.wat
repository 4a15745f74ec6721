;; SIMD: v128.const, i32x4.add, i8x16.shuffle, lanes, and loads and stores with memargs and lane
;; indices. Chicory 1.7.5 validates SIMD but its interpreter and compiler cannot run it (that needs
;; the separate SIMD machine), so the tests only instrument, validate and decode this module.
(module
  (memory (export "memory") 1)
  (func (export "simd") (result i32)
    (local $v v128)
    v128.const i32x4 1 2 3 4
    v128.const i32x4 10 20 30 40
    i32x4.add
    local.tee $v
    local.get $v
    i8x16.shuffle 4 5 6 7 0 1 2 3 12 13 14 15 8 9 10 11
    local.set $v
    i32.const 512 local.get $v v128.store offset=16 align=8
    i32.const 544 i32.const 0x01020304 i32.store
    i32.const 544
    i32.const 528 v128.load align=16
    v128.load32_lane offset=0 1
    local.tee $v
    i32x4.extract_lane 0
    local.get $v i32x4.extract_lane 1 i32.add
    local.get $v i32x4.extract_lane 2 i32.add
    local.get $v i32x4.extract_lane 3 i32.add
    local.get $v i32.const 9 i8x16.replace_lane 15 i32x4.extract_lane 3 i32.add
    i32.const 528 v128.load32_zero offset=4
    i64x2.extract_lane 0 i32.wrap_i64 i32.add
    local.get $v v128.any_true i32.add)
  (func (export "more") (param $p i32) (result i64)
    (local $v v128) (local $w v128)
    loop $again
      local.get $p v128.load8x8_s offset=3 align=1
      local.get $p v128.load16x4_u offset=70000
      i16x8.add
      local.get $p v128.load64_splat align=8
      i8x16.swizzle
      local.set $v
      local.get $p local.get $v v128.store64_lane offset=8 1
      local.get $p local.get $v v128.load16_lane align=1 7
      local.set $w
      local.get $w i16x8.extract_lane_u 7
      local.get $w f64.const 2.5 f64x2.replace_lane 1
      f64x2.extract_lane 1 i32.trunc_sat_f64_s i32.add
      local.get $p i32.add local.tee $p
      i32.const 1000 i32.lt_u br_if $again
    end
    local.get $v local.get $w v128.const i64x2 -1 0x7fffffffffffffff v128.bitselect
    local.get $w i32x4.dot_i16x8_s
    i32.const 3 i64x2.shl
    i64x2.extract_lane 0))
