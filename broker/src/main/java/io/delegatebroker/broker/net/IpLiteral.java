package io.delegatebroker.broker.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP address literals, checked and normalised without ever asking DNS. */
public final class IpLiteral {

  private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final Pattern IPV4 = Pattern.compile(OCTET + "\\." + OCTET + "\\." + OCTET + "\\." + OCTET);
  /** Only hex digits, dots and colons, with at least one colon: parsed as IPv6 and never resolved. */
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private IpLiteral() {
  }

  /**
   * The address in the form Vert.x reports peers in ({@code InetAddress.getHostAddress}), or null when the text is not
   * an IP literal. A host name is never resolved: {@code InetAddress.getByName} only sees text that cannot be one.
   */
  public static String normalize(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    boolean v4 = IPV4.matcher(t).matches();
    if (!v4 && !(t.indexOf(':') >= 0 && IPV6.matcher(t).matches())) {
      return null;
    }
    try {
      return InetAddress.getByName(t).getHostAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
