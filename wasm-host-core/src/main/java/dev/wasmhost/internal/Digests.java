package dev.wasmhost.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** SHA-256 digests in the {@code sha256:<hex>} form used as module identity. */
final class Digests {
  static final String PREFIX = "sha256:";

  private Digests() {}

  static String sha256(byte[] bytes) {
    try {
      return PREFIX + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * {@code expected} in canonical form, accepting the bare hex or the prefixed form in any case.
   *
   * @throws IllegalArgumentException if it is not 64 hex digits
   */
  static String normalize(String expected) {
    String hex = expected.trim().toLowerCase(Locale.ROOT);
    if (hex.startsWith(PREFIX)) {
      hex = hex.substring(PREFIX.length());
    }
    if (hex.length() != 64 || !hex.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      throw new IllegalArgumentException("expected digest is not a SHA-256 (64 hex digits): " + expected);
    }
    return PREFIX + hex;
  }

  /**
   * Chicory's digest of a parsed module ({@code sha-256:<base64>}) in our form, or null if it is in
   * another form (Chicory lets a system property change the algorithm).
   */
  static String fromChicory(String chicoryDigest) {
    String prefix = "sha-256:";
    if (chicoryDigest == null || !chicoryDigest.startsWith(prefix)) {
      return null;
    }
    try {
      byte[] raw = java.util.Base64.getDecoder().decode(chicoryDigest.substring(prefix.length()));
      return raw.length == 32 ? PREFIX + HexFormat.of().formatHex(raw) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The first 12 hex digits, enough to tell modules apart in messages. */
  static String shortForm(String digest) {
    return digest.substring(0, PREFIX.length() + 12);
  }
}
