;; Imports its memory, which wasm-host cannot provide: a LinkException, and an imported MemoryType.
(module
  (import "env" "mem" (memory 2 8))
  (import "env" "tick" (func $tick (param i64)))
  (func (export "size") (result i32) memory.size)
)
