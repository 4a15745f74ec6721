;; Not a valid replacement for calc_v1.wat: tag changed its signature and add is gone.
(module
  (func (export "tag") (param i64) (result i64)
    local.get 0)
)
