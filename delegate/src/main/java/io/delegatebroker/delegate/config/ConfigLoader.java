package io.delegatebroker.delegate.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads the delegate's configuration as the product docs' installs give it: environment variables (Kubernetes,
 * Docker, ECS, Helm) and/or the shell install's {@code config-delegate.yaml}. A variable set in the environment wins
 * over the same setting in the file. The legacy token names ({@code ACCOUNT_SECRET}, {@code accountSecret}) are
 * accepted with one deprecation line.
 */
public final class ConfigLoader {

  /** {@code config-delegate.yaml} keys and the variable each one stands for (Helm values use the same keys). */
  public static final Map<String, String> YAML_KEYS = yamlKeys();

  public static final String DEFAULT_FILE = "config-delegate.yaml";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,128}");
  /** Printable ASCII without spaces or quotes: what can travel in an {@code Authorization} header unchanged. */
  private static final Pattern TOKEN_CHARS = Pattern.compile("[\\x21\\x23-\\x7E]{1,4096}");

  private ConfigLoader() {
  }

  private static Map<String, String> yamlKeys() {
    Map<String, String> keys = new LinkedHashMap<>();
    keys.put("accountId", "ACCOUNT_ID");
    keys.put("delegateToken", "DELEGATE_TOKEN");
    keys.put("accountSecret", "ACCOUNT_SECRET");
    keys.put("managerHostAndPort", "MANAGER_HOST_AND_PORT");
    keys.put("delegateName", "DELEGATE_NAME");
    keys.put("delegateType", "DELEGATE_TYPE");
    keys.put("delegateProfile", "DELEGATE_PROFILE");
    keys.put("delegateInstance", "DELEGATE_INSTANCE");
    keys.put("caFile", "DELEGATE_CA_FILE");
    keys.put("runStartupScript", "DELEGATE_RUN_STARTUP_SCRIPT");
    return Map.copyOf(keys);
  }

  /**
   * The configuration from the environment and, when one is given or {@code config-delegate.yaml} exists in the
   * working directory, that file. {@code file} null means: {@code DELEGATE_CONFIG}, else the default file if present.
   */
  public static DelegateConfig load(Map<String, String> env, Path file) {
    Path path = file != null ? file
        : env.get("DELEGATE_CONFIG") != null ? Path.of(env.get("DELEGATE_CONFIG"))
        : Files.isRegularFile(Path.of(DEFAULT_FILE)) ? Path.of(DEFAULT_FILE) : null;
    List<String> warnings = new ArrayList<>();
    Map<String, String> fromFile = path == null ? Map.of() : readYaml(path, warnings);
    Settings s = new Settings(env, fromFile, warnings);

    String account = s.required("ACCOUNT_ID");
    String token = s.token();
    if (!TOKEN_CHARS.matcher(token).matches()) {
      // Named, never echoed: the value is a secret even when it is malformed.
      throw new ConfigException("DELEGATE_TOKEN has characters no token has (spaces, quotes or control characters);"
          + " paste the value exactly as it was shown");
    }
    ManagerUrl manager = ManagerUrl.parse(s.required("MANAGER_HOST_AND_PORT"));
    String name = s.validName("DELEGATE_NAME", s.required("DELEGATE_NAME"));
    String type = s.get("DELEGATE_TYPE", "SHELL_SCRIPT").toUpperCase(Locale.ROOT);
    if (!DelegateConfig.TYPES.contains(type)) {
      throw new ConfigException("DELEGATE_TYPE must be one of " + DelegateConfig.TYPES + ", not '" + type + "'");
    }
    String profile = s.validName("DELEGATE_PROFILE", s.get("DELEGATE_PROFILE", "primary"));
    String instance = s.get("DELEGATE_INSTANCE", null);
    instance = instance != null ? s.validName("DELEGATE_INSTANCE", instance) : hostInstance(env);
    String ca = s.get("DELEGATE_CA_FILE", null);
    Path caFile = ca == null ? null : Path.of(ca);
    if (caFile != null && !Files.isReadable(caFile)) {
      throw new ConfigException("DELEGATE_CA_FILE " + caFile + " cannot be read");
    }
    if (caFile != null && !manager.tls()) {
      warnings.add("DELEGATE_CA_FILE is set but MANAGER_HOST_AND_PORT is not wss:// or https://; the file is not used");
    }
    boolean runScript = Boolean.parseBoolean(s.get("DELEGATE_RUN_STARTUP_SCRIPT", "false"));
    Duration base = Duration.ofMillis(s.number("DELEGATE_RECONNECT_BASE_MS", 1000));
    Duration max = Duration.ofSeconds(s.number("DELEGATE_RECONNECT_MAX_SECONDS", 60));
    return new DelegateConfig(account, token, manager, name, type, profile, instance, caFile, runScript, base,
        max.compareTo(base) < 0 ? base : max, List.copyOf(warnings));
  }

  /** The yaml's known keys as variables; unknown keys get a warning, so a misspelt key is not silently ignored. */
  static Map<String, String> readYaml(Path path, List<String> warnings) {
    Object doc;
    try (Reader in = Files.newBufferedReader(path)) {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
    } catch (IOException e) {
      throw new ConfigException("cannot read " + path + ": " + e.getMessage());
    } catch (MarkedYAMLException e) {
      // Position and problem only: the parser's snippet of the line could show a token value.
      throw new ConfigException(path + " is not valid YAML at line " + (e.getProblemMark().getLine() + 1)
          + ", column " + (e.getProblemMark().getColumn() + 1) + ": " + e.getProblem());
    } catch (RuntimeException e) {
      throw new ConfigException(path + " is not valid YAML");
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new ConfigException(path + " must be a YAML mapping of settings");
    }
    Map<String, String> vars = new LinkedHashMap<>();
    map.forEach((k, v) -> {
      String variable = YAML_KEYS.get(String.valueOf(k));
      if (variable == null) {
        warnings.add(path.getFileName() + ": unknown key '" + k + "' ignored (known: " + YAML_KEYS.keySet() + ")");
      } else if (v != null) {
        vars.put(variable, String.valueOf(v));
      }
    });
    return vars;
  }

  /** {@code HOSTNAME} (a pod's or container's name), else the machine's host name, made a valid instance id. */
  private static String hostInstance(Map<String, String> env) {
    String host = env.get("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        return null;
      }
    }
    String cleaned = host.trim().replaceAll("[^A-Za-z0-9._-]", "-");
    return cleaned.isEmpty() ? null : cleaned.substring(0, Math.min(128, cleaned.length()));
  }

  /** One setting looked up in the environment, then the file. */
  private record Settings(Map<String, String> env, Map<String, String> file, List<String> warnings) {

    String get(String variable, String fallback) {
      String v = blankToNull(env.get(variable));
      if (v == null) {
        v = blankToNull(file.get(variable));
      }
      return v == null ? fallback : v.trim();
    }

    String required(String variable) {
      String v = get(variable, null);
      if (v == null) {
        throw new ConfigException(variable + " is not set (environment, or " + yamlKey(variable) + " in "
            + DEFAULT_FILE + ")");
      }
      return v;
    }

    /** DELEGATE_TOKEN, else the legacy ACCOUNT_SECRET with one deprecation line; the environment wins over the file. */
    String token() {
      for (Map<String, String> source : List.of(env, file)) {
        String current = blankToNull(source.get("DELEGATE_TOKEN"));
        String legacy = blankToNull(source.get("ACCOUNT_SECRET"));
        if (current != null) {
          if (legacy != null) {
            warnings.add(name(source, "ACCOUNT_SECRET") + " is ignored: " + name(source, "DELEGATE_TOKEN")
                + " is set; remove " + name(source, "ACCOUNT_SECRET"));
          }
          return current.trim();
        }
        if (legacy != null) {
          warnings.add(name(source, "ACCOUNT_SECRET") + " is deprecated: rename it " + name(source, "DELEGATE_TOKEN")
              + " (the value is used as the delegate token)");
          return legacy.trim();
        }
      }
      throw new ConfigException("DELEGATE_TOKEN is not set (environment, or delegateToken in " + DEFAULT_FILE + ")");
    }

    String validName(String variable, String value) {
      if (!NAME.matcher(value).matches()) {
        throw new ConfigException(variable + " must match [A-Za-z0-9._-]{1,128}");
      }
      return value;
    }

    long number(String variable, long fallback) {
      String v = get(variable, null);
      try {
        long n = v == null ? fallback : Long.parseLong(v);
        if (n <= 0) {
          throw new NumberFormatException();
        }
        return n;
      } catch (NumberFormatException e) {
        throw new ConfigException(variable + " must be a positive whole number");
      }
    }

    private String name(Map<String, String> source, String variable) {
      return source == env ? variable : yamlKey(variable) + " in " + DEFAULT_FILE;
    }
  }

  private static String yamlKey(String variable) {
    return YAML_KEYS.entrySet().stream().filter(e -> e.getValue().equals(variable)).map(Map.Entry::getKey)
        .findFirst().orElse(variable);
  }

  private static String blankToNull(String v) {
    return v == null || v.isBlank() ? null : v;
  }
}
