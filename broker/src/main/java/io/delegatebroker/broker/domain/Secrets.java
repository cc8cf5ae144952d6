package io.delegatebroker.broker.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Makes secret values and their one-way hashes. Values carry 256 random bits, so a fast hash (SHA-256) is
 * enough: there is nothing to brute-force that a slow hash such as bcrypt would protect, and connects stay cheap.
 */
public final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private Secrets() {
  }

  /** A new URL-safe secret value of 256 random bits, with a prefix telling what it is ({@code dt_}, {@code ak_}). */
  public static String newValue(String prefix) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return prefix + URL.encodeToString(bytes);
  }

  /** A new random identifier (not a secret). */
  public static String newId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return URL.encodeToString(bytes).replace('_', 'x').replace('-', 'y');
  }

  public static String hash(String value) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
