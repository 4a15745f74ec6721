package dev.wasmhost.wasi.internal;

import dev.wasmhost.Instance;
import dev.wasmhost.Memory;
import dev.wasmhost.WasmFunction;
import dev.wasmhost.WasmModule;
import java.time.Duration;

/** An instance that owns its WASI context: closing it closes the files the guest left open. */
public final class WasiInstance implements Instance {
  private final Instance instance;
  private final WasiContext context;

  public WasiInstance(Instance instance, WasiContext context) {
    this.instance = instance;
    this.context = context;
  }

  @Override
  public WasmModule module() {
    return instance.module();
  }

  @Override
  public Object call(String function, Object... args) {
    return instance.call(function, args);
  }

  @Override
  public Object callWithTimeout(Duration timeout, String function, Object... args) {
    return instance.callWithTimeout(timeout, function, args);
  }

  @Override
  public WasmFunction function(String name) {
    return instance.function(name);
  }

  @Override
  public <T> T function(String name, Class<T> shape) {
    return instance.function(name, shape);
  }

  @Override
  public Memory memory() {
    return instance.memory();
  }

  @Override
  public long lastCallFuel() {
    return instance.lastCallFuel();
  }

  @Override
  public void close() {
    try {
      instance.close();
    } finally {
      context.close();
    }
  }

  @Override
  public String toString() {
    return instance.toString();
  }
}
