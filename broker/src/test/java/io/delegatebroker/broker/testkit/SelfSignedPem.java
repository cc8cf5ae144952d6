package io.delegatebroker.broker.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made at test time with the JDK's keytool and written as the
 * PEM files {@code BROKER_TLS_CERT} and {@code BROKER_TLS_KEY} expect (certificate; PKCS#8 private key).
 */
public record SelfSignedPem(Path cert, Path key) {

  private static final String PASSWORD = "test-only";

  public static SelfSignedPem create(Path dir) {
    try {
      Path p12 = dir.resolve("node.p12");
      String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
      Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048",
          "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
          "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD)
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(p12)) {
        store.load(in, PASSWORD.toCharArray());
      }
      Certificate certificate = store.getCertificate("node");
      Key privateKey = store.getKey("node", PASSWORD.toCharArray());
      Path cert = dir.resolve("cert.pem");
      Path key = dir.resolve("key.pem");
      Files.writeString(cert, pem("CERTIFICATE", certificate.getEncoded()));
      Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded())); // PKCS#8
      return new SelfSignedPem(cert, key);
    } catch (IOException | InterruptedException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a self-signed certificate", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
