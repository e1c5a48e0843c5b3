package io.qkms.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The Try It Out console of {@code qkms serve}: a page at {@code GET /try-it-out}, on the same
 * origin as the API, that signs requests in the browser and sends them to {@code POST /} as any
 * client does ({@link QkmsHttpServer.Builder#tryItOut(boolean)} turns it on).
 *
 * <p>It is on by default only on a loopback address. Only there is plain HTTP a secure context for
 * the browser (so the page gets Web Crypto to sign with), and only there do the page, the
 * plaintexts typed into it and the responses not cross a network in clear; a server that others
 * reach should not offer a page nobody asked for. Behind a TLS proxy it can be turned on
 * explicitly.
 */
public final class TryItOut {
  /** Where the console is. */
  public static final String PATH = "/try-it-out";

  private TryItOut() {}

  /**
   * Whether the console is on when not said otherwise: when {@code host} (as given to {@code
   * --host}) is a loopback address or a name of one only. The wildcard addresses are not.
   */
  public static boolean onByDefault(String host) {
    try {
      InetAddress[] addresses = InetAddress.getAllByName(host);
      for (InetAddress a : addresses) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return addresses.length > 0;
    } catch (UnknownHostException | SecurityException e) {
      return false;
    }
  }
}
