;; A memory with no declared maximum, so that only the host's page cap bounds it.
(module
  (memory (export "memory") 1)
  (func (export "size") (result i32) memory.size)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  ;; grows one page at a time until memory.grow returns -1, then returns the size reached
  (func (export "grow_all") (result i32)
    block $done
      loop $more
        i32.const 1 memory.grow
        i32.const -1 i32.eq br_if $done
        br $more
      end
    end
    memory.size)
  ;; writes and reads back the last byte of the memory
  (func (export "touch_last") (result i32)
    memory.size i32.const 65536 i32.mul i32.const 1 i32.sub
    i32.const 171 i32.store8
    memory.size i32.const 65536 i32.mul i32.const 1 i32.sub
    i32.load8_u)
)
