package dev.wasmhost.internal;

import dev.wasmhost.LoadException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Reads a module's bytes from a URI or a path, turning every failure into a {@link LoadException}. */
final class Sources {
  private Sources() {}

  static byte[] read(URI uri, Duration httpTimeout) {
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw new LoadException(
          "cannot load " + uri + ": the URI has no scheme (use file:, classpath:, jar:, http: or https:)");
    }
    switch (scheme.toLowerCase(Locale.ROOT)) {
      case "file":
        return readFile(fileUriToPath(uri), uri.toString());
      case "classpath":
        return readClasspath(uri);
      case "jar":
        return readUrl(uri, null);
      case "http":
      case "https":
        return readUrl(uri, httpTimeout);
      default:
        throw new LoadException(
            "cannot load " + uri + ": unsupported URI scheme '" + scheme
                + "' (use file:, classpath:, jar:, http: or https:)");
    }
  }

  static byte[] readFile(Path path, String label) {
    try {
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw new LoadException("cannot load " + label + ": no such file", e);
    } catch (AccessDeniedException e) {
      throw new LoadException("cannot load " + label + ": permission denied", e);
    } catch (IOException e) {
      throw new LoadException("cannot load " + label + ": " + describe(e), e);
    } catch (OutOfMemoryError e) {
      throw new LoadException("cannot load " + label + ": file too large", e);
    }
  }

  private static Path fileUriToPath(URI uri) {
    try {
      return Path.of(uri);
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      throw new LoadException("cannot load " + uri + ": not a valid file URI (" + e.getMessage() + ")", e);
    }
  }

  private static byte[] readClasspath(URI uri) {
    String resource = uri.getSchemeSpecificPart();
    if (resource == null || resource.isEmpty() || resource.equals("/")) {
      throw new LoadException("cannot load " + uri + ": no resource name after 'classpath:'");
    }
    while (resource.startsWith("/")) {
      resource = resource.substring(1);
    }
    InputStream in = null;
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    if (context != null) {
      in = context.getResourceAsStream(resource);
    }
    if (in == null) {
      in = Sources.class.getClassLoader().getResourceAsStream(resource);
    }
    if (in == null) {
      throw new LoadException("cannot load " + uri + ": no such class path resource");
    }
    try (InputStream stream = in) {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new LoadException("cannot load " + uri + ": " + describe(e), e);
    }
  }

  private static byte[] readUrl(URI uri, Duration httpTimeout) {
    URL url;
    try {
      url = uri.toURL();
    } catch (IllegalArgumentException | java.net.MalformedURLException e) {
      throw new LoadException("cannot load " + uri + ": malformed URL (" + e.getMessage() + ")", e);
    }
    URLConnection connection = null;
    try {
      connection = url.openConnection();
      // A cached JarURLConnection keeps the jar file open after we are done with it.
      connection.setUseCaches(false);
      if (httpTimeout != null) {
        int millis = (int) Math.min(Integer.MAX_VALUE, httpTimeout.toMillis());
        connection.setConnectTimeout(millis);
        connection.setReadTimeout(millis);
      }
      if (connection instanceof HttpURLConnection) {
        HttpURLConnection http = (HttpURLConnection) connection;
        int status = http.getResponseCode();
        if (status != HttpURLConnection.HTTP_OK) {
          throw new LoadException(
              "cannot load " + uri + ": HTTP status " + status
                  + (http.getResponseMessage() == null ? "" : " " + http.getResponseMessage()));
        }
      }
      try (InputStream in = connection.getInputStream()) {
        return in.readAllBytes();
      }
    } catch (FileNotFoundException e) {
      throw new LoadException("cannot load " + uri + ": not found", e);
    } catch (java.net.SocketTimeoutException e) {
      throw new LoadException("cannot load " + uri + ": timed out after " + httpTimeout, e);
    } catch (IOException e) {
      throw new LoadException("cannot load " + uri + ": " + describe(e), e);
    } finally {
      if (connection instanceof HttpURLConnection) {
        ((HttpURLConnection) connection).disconnect();
      }
    }
  }

  /** Parses user text as a URI, or fails with a {@link LoadException}. */
  static URI parseUri(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new LoadException("cannot load " + text + ": malformed URI (" + e.getReason() + ")", e);
    }
  }

  private static String describe(IOException e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
  }
}
