package io.delegatebroker.delegate.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verifies the delegate reads the docs' variables and config-delegate.yaml keys, old names included, and nothing else. */
class ConfigLoaderTest {

  static final String TOKEN = "dt_unitTestTokenValue_abcdefghijklmnop";

  @TempDir
  Path dir;

  static Map<String, String> env(String tokenVariable) {
    Map<String, String> env = new HashMap<>();
    env.put("ACCOUNT_ID", "acc");
    env.put(tokenVariable, TOKEN);
    env.put("MANAGER_HOST_AND_PORT", "http://manager.example:8080");
    env.put("DELEGATE_NAME", "east");
    return env;
  }

  private Path yaml(String text) throws IOException {
    Path f = dir.resolve("config-delegate.yaml");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void delegateTokenFromTheEnvironment() {
    DelegateConfig c = ConfigLoader.load(env("DELEGATE_TOKEN"), null);
    assertEquals(TOKEN, c.token());
    assertEquals("manager.example", c.manager().host());
    assertFalse(c.manager().tls());
    assertEquals("/v1/delegates/connect", c.manager().connectPath());
    assertEquals("SHELL_SCRIPT", c.type());
    assertEquals("primary", c.profile());
    assertEquals(List.of(), c.warnings());
  }

  @Test
  void legacyAccountSecretIsAcceptedWithOneDeprecationLine() {
    DelegateConfig c = ConfigLoader.load(env("ACCOUNT_SECRET"), null);
    assertEquals(TOKEN, c.token());
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).contains("ACCOUNT_SECRET is deprecated: rename it DELEGATE_TOKEN"));
  }

  @Test
  void yamlKeysDelegateTokenAndLegacyAccountSecret() throws IOException {
    String common = "accountId: acc\nmanagerHostAndPort: wss://m.example\ndelegateName: east\n";
    DelegateConfig current = ConfigLoader.load(Map.of(), yaml(common + "delegateToken: " + TOKEN + "\n"));
    assertEquals(TOKEN, current.token());
    assertEquals(443, current.manager().port());
    assertEquals(List.of(), current.warnings());

    DelegateConfig legacy = ConfigLoader.load(Map.of(), yaml(common + "accountSecret: " + TOKEN + "\n"));
    assertEquals(TOKEN, legacy.token());
    assertEquals(List.of("accountSecret in config-delegate.yaml is deprecated: rename it delegateToken in"
        + " config-delegate.yaml (the value is used as the delegate token)"), legacy.warnings());
  }

  @Test
  void theEnvironmentWinsOverTheFile() throws IOException {
    Map<String, String> env = env("DELEGATE_TOKEN");
    env.put("DELEGATE_PROFILE", "gated");
    DelegateConfig c = ConfigLoader.load(env, yaml("delegateToken: dt_fromFile\ndelegateProfile: primary\n"));
    assertEquals(TOKEN, c.token());
    assertEquals("gated", c.profile());
  }

  @Test
  void instanceIsDelegateInstanceElseHostname() {
    Map<String, String> env = env("DELEGATE_TOKEN");
    env.put("HOSTNAME", "pod-7");
    assertEquals("pod-7", ConfigLoader.load(env, null).instance());
    env.put("DELEGATE_INSTANCE", "chosen");
    assertEquals("chosen", ConfigLoader.load(env, null).instance());
  }

  @Test
  void missingOrMalformedSettingsNameTheSetting() throws IOException {
    Map<String, String> env = env("DELEGATE_TOKEN");
    env.remove("ACCOUNT_ID");
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(env, null)).getMessage()
        .startsWith("ACCOUNT_ID is not set"));
    Map<String, String> noToken = env("X");
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(noToken, null)).getMessage()
        .startsWith("DELEGATE_TOKEN is not set"));
    Map<String, String> badUrl = env("DELEGATE_TOKEN");
    badUrl.put("MANAGER_HOST_AND_PORT", "ftp://m");
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(badUrl, null)).getMessage()
        .contains("must start with ws://, wss://, http:// or https://"));
    Map<String, String> badType = env("DELEGATE_TOKEN");
    badType.put("DELEGATE_TYPE", "VM");
    assertTrue(assertThrows(ConfigException.class, () -> ConfigLoader.load(badType, null)).getMessage()
        .startsWith("DELEGATE_TYPE must be one of"));
  }

  @Test
  void aTokenWithCharactersNoTokenHasIsRefusedWithoutEchoingIt() {
    Map<String, String> env = env("DELEGATE_TOKEN");
    env.put("DELEGATE_TOKEN", "\"" + TOKEN + "\nX-Injected: 1");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(env, null));
    assertTrue(e.getMessage().startsWith("DELEGATE_TOKEN has characters no token has"), e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN));
  }

  @Test
  void aBrokenYamlIsReportedWithoutShowingTheToken() throws IOException {
    Path f = yaml("accountId: acc\ndelegateToken: " + TOKEN + "\n  : [unclosed\n");
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(Map.of(), f));
    assertTrue(e.getMessage().contains("is not valid YAML at line"), e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN), e.getMessage());
  }

  @Test
  void unknownYamlKeysAreNamedNotSilentlyIgnored() throws IOException {
    DelegateConfig c = ConfigLoader.load(env("DELEGATE_TOKEN"), yaml("delegateTokn: x\n"));
    assertEquals(1, c.warnings().size());
    assertTrue(c.warnings().get(0).contains("unknown key 'delegateTokn' ignored"));
    assertNull(ConfigLoader.load(env("DELEGATE_TOKEN"), null).caFile());
    assertFalse(c.toString().contains(TOKEN), "toString never shows the token");
  }
}
