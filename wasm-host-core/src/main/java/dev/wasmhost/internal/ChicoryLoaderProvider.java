package dev.wasmhost.internal;

import dev.wasmhost.Loader;
import dev.wasmhost.LoaderConfig;
import dev.wasmhost.LoaderProvider;
import dev.wasmhost.Registry;
import java.time.Duration;

/** Found by {@link java.util.ServiceLoader} from the API module; creates {@link ChicoryLoader}s. */
public final class ChicoryLoaderProvider implements LoaderProvider {
  /** Called by {@link java.util.ServiceLoader}. */
  public ChicoryLoaderProvider() {}

  @Override
  public Loader create(LoaderConfig config) {
    return new ChicoryLoader(config);
  }

  @Override
  public Registry createRegistry(Loader loader, Duration drainTimeout) {
    return new ChicoryRegistry(loader, drainTimeout);
  }
}
