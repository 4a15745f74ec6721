;; down(n) recurses n frames deep and returns n: shows how deep a guest can call.
(module
  (func $down (export "down") (param i32) (result i32)
    local.get 0
    i32.eqz
    if (result i32)
      i32.const 0
    else
      local.get 0 i32.const 1 i32.sub call $down
      i32.const 1 i32.add
    end)
)
