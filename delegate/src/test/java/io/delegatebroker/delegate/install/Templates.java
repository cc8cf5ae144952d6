package io.delegatebroker.delegate.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** The install templates under {@code delegate/install/}, with their placeholders filled in as the console does. */
public final class Templates {

  public static final String ACCOUNT_ID = "{{ACCOUNT_ID}}";
  public static final String DELEGATE_TOKEN = "{{DELEGATE_TOKEN}}";
  public static final String MANAGER_HOST_AND_PORT = "{{MANAGER_HOST_AND_PORT}}";
  public static final String DELEGATE_NAME = "{{DELEGATE_NAME}}";

  private Templates() {
  }

  public static Path dir() {
    return Path.of(System.getProperty("delegate.dir", ".")).resolve("install");
  }

  /** The template's text with every placeholder replaced. */
  public static String render(String relative, String account, String token, String manager, String name) {
    try {
      String text = Files.readString(dir().resolve(relative));
      for (Map.Entry<String, String> e : Map.of(ACCOUNT_ID, account, DELEGATE_TOKEN, token,
          MANAGER_HOST_AND_PORT, manager, DELEGATE_NAME, name).entrySet()) {
        text = text.replace(e.getKey(), e.getValue());
      }
      if (text.contains("{{")) {
        throw new AssertionError(relative + " has a placeholder the console does not know: " + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Renders a template into a file of the same name in {@code dir}. */
  public static Path renderTo(Path dir, String relative, String account, String token, String manager, String name) {
    try {
      Path out = dir.resolve(Path.of(relative).getFileName());
      Files.writeString(out, render(relative, account, token, manager, name));
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
