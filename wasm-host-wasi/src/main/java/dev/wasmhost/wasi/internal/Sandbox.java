package dev.wasmhost.wasi.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Resolves guest paths inside a mount, one component at a time, so that nothing leaves it: the host
 * file system is never asked to resolve {@code ..} or a symbolic link itself. {@code ..} above the
 * mount, absolute paths and symbolic links whose target is absolute or climbs out are refused with
 * {@code ENOTCAPABLE}.
 */
final class Sandbox {
  /** Symbolic links followed in one resolution before giving up, as Linux's {@code MAXSYMLINKS}. */
  static final int MAX_SYMLINKS = 40;

  private Sandbox() {}

  /**
   * Where a guest path leads.
   *
   * @param path the host path, inside the mount
   * @param components its components below the mount's root
   * @param mustBeDirectory the guest path ended with {@code /}, {@code .} or {@code ..}
   */
  record Resolved(Path path, List<String> components, boolean mustBeDirectory) {
    String name() {
      return components.isEmpty() ? "." : components.get(components.size() - 1);
    }
  }

  /**
   * Resolves {@code guestPath} relative to {@code dir}. Symbolic links are followed in every
   * component but the last, and in the last when {@code followFinal} or the path ends with a slash.
   */
  static Resolved resolve(Descriptor.Directory dir, String guestPath, boolean followFinal) throws WasiError {
    if (guestPath.isEmpty()) {
      throw new WasiError(Errno.NOENT);
    }
    if (guestPath.indexOf('\0') >= 0) {
      throw new WasiError(Errno.ILSEQ);
    }
    if (guestPath.startsWith("/")) {
      throw new WasiError(Errno.NOTCAPABLE);
    }
    boolean mustBeDirectory = endsAsDirectory(guestPath);
    Deque<String> pending = new ArrayDeque<>(components(guestPath));
    List<String> parts = new ArrayList<>(dir.components);
    int followed = 0;
    try {
      while (!pending.isEmpty()) {
        String component = pending.pollFirst();
        boolean last = pending.isEmpty();
        if (component.equals("..")) {
          if (parts.isEmpty()) {
            throw new WasiError(Errno.NOTCAPABLE);
          }
          parts.remove(parts.size() - 1);
          continue;
        }
        Path candidate = join(dir.root, parts).resolve(component);
        if ((!last || followFinal || mustBeDirectory) && Files.isSymbolicLink(candidate)) {
          if (++followed > MAX_SYMLINKS) {
            throw new WasiError(Errno.LOOP);
          }
          String target = Files.readSymbolicLink(candidate).toString();
          if (target.isEmpty()) {
            throw new WasiError(Errno.NOENT);
          }
          if (target.startsWith("/")) {
            throw new WasiError(Errno.NOTCAPABLE);
          }
          List<String> targetComponents = components(target);
          for (int i = targetComponents.size() - 1; i >= 0; i--) {
            pending.addFirst(targetComponents.get(i));
          }
          if (last && endsAsDirectory(target)) {
            mustBeDirectory = true;
          }
          continue;
        }
        if (!last) {
          if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
            throw new WasiError(Errno.NOENT);
          }
          if (!Files.isDirectory(candidate, LinkOption.NOFOLLOW_LINKS)) {
            throw new WasiError(Errno.NOTDIR);
          }
        }
        parts.add(component);
      }
      return new Resolved(join(dir.root, parts), List.copyOf(parts), mustBeDirectory);
    } catch (InvalidPathException e) {
      throw new WasiError(Errno.INVAL);
    } catch (IOException e) {
      throw new WasiError(Errno.of(e));
    }
  }

  /** True when {@code inner} is {@code outer} or below it, by components. */
  static boolean contains(List<String> outer, List<String> inner) {
    return inner.size() >= outer.size() && inner.subList(0, outer.size()).equals(outer);
  }

  static Path join(Path root, List<String> components) {
    Path path = root;
    for (String component : components) {
      path = path.resolve(component);
    }
    return path;
  }

  private static boolean endsAsDirectory(String path) {
    return path.endsWith("/") || path.equals(".") || path.equals("..") || path.endsWith("/.") || path.endsWith("/..");
  }

  private static List<String> components(String path) {
    List<String> result = new ArrayList<>();
    for (String component : path.split("/")) {
      if (!component.isEmpty() && !component.equals(".")) {
        result.add(component);
      }
    }
    return result;
  }
}
