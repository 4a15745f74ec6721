;; Well-formed but invalid: the function declares an i32 result and returns an i64.
;; Built with --no-check so that validation is left to the loader.
(module
  (func (export "bad") (result i32) i64.const 1)
)
