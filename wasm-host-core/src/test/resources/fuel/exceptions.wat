;; Exception handling, which fuel metering rejects.
(module
  (tag $oops)
  (func (export "boom") throw $oops))
