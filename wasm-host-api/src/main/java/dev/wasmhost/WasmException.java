package dev.wasmhost;

/**
 * The root of every exception wasm-host throws. It is unchecked, and each subclass names the phase
 * that failed:
 *
 * <table>
 *   <caption>Exception per phase</caption>
 *   <tr><th>phase</th><th>exception</th><th>typical cause</th></tr>
 *   <tr><td>load</td><td>{@link LoadException}</td><td>bad URI, unknown scheme, missing file, HTTP status, digest mismatch</td></tr>
 *   <tr><td>decode and validate</td><td>{@link InvalidModuleException}</td><td>malformed or truncated bytes, a module that fails validation</td></tr>
 *   <tr><td>link</td><td>{@link LinkException}</td><td>missing or mismatched imports</td></tr>
 *   <tr><td>instantiate</td><td>{@link InstantiateException}</td><td>a start function that traps, data that does not fit memory</td></tr>
 *   <tr><td>call, before the guest runs</td><td>{@link InvalidCallException}</td><td>missing export, wrong argument count or type</td></tr>
 *   <tr><td>call, while the guest runs</td><td>{@link TrapException}</td><td>unreachable, divide by zero, out-of-bounds access, stack exhausted, host function threw</td></tr>
 *   <tr><td>call, deadline passed</td><td>{@link CallTimeoutException}</td><td>the call ran past its timeout and was stopped</td></tr>
 *   <tr><td>call, guest exited</td><td>{@link ExitException}</td><td>WASI {@code proc_exit} from inside a call</td></tr>
 * </table>
 *
 * <p>Messages name the module (its source or digest) and, for calls, the function. After any of these
 * the loader, its cache and the module keep working.
 */
public class WasmException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public WasmException(String message) {
    super(message);
  }

  public WasmException(String message, Throwable cause) {
    super(message, cause);
  }
}
