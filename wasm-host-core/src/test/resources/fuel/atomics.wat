;; Threads: a shared memory with atomic read-modify-write, wait/notify and a fence.
(module
  (memory (export "memory") 1 1 shared)
  (func (export "count") (param $n i32) (result i32)
    block $done
      loop $again
        local.get $n i32.eqz br_if $done
        i32.const 8 i32.const 3 i32.atomic.rmw.add offset=0 drop
        i32.const 8 i32.const 1 i32.atomic.rmw8.sub_u offset=0 drop
        atomic.fence
        local.get $n i32.const 1 i32.sub local.set $n
        br $again
      end
    end
    i32.const 8 i32.const 0 memory.atomic.notify drop
    i32.const 8 i32.atomic.load))
