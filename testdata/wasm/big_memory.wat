;; Memory that starts at 20 pages (1.25 MiB): fails to instantiate under a smaller page cap.
(module
  (memory (export "memory") 20)
  (func (export "size") (result i32) memory.size)
)
