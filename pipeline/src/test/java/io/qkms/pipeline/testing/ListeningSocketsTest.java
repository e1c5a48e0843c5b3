package io.qkms.pipeline.testing;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ListeningSocketsTest {
  @BeforeEach
  void linuxOnly() {
    Assumptions.assumeTrue(ListeningSockets.supported(), "needs Linux /proc");
  }

  @ParameterizedTest(name = "{0} is {1} port {2}")
  @CsvSource({
    // IPv4: the address as one little-endian word.
    "0100007F:1F90, 127.0.0.1, 8080",
    "00000000:0050, 0.0.0.0, 80",
    // IPv6: four little-endian words.
    "00000000000000000000000001000000:01BB, ::1, 443",
    "00000000000000000000000000000000:01BB, ::, 443"
  })
  void parse_readsTheAddressAndPortOfAProcNetEntry(String entry, String address, int port)
      throws IOException {
    assertThat(
        ListeningSockets.parse(entry),
        equalTo(new ListeningSockets.Listener(InetAddress.getByName(address), port)));
  }

  @Test
  void parse_ipv4MappedIpv6_isLoopback() throws IOException {
    // ::ffff:127.0.0.1, how Java's dual-stack sockets bound to 127.0.0.1 appear.
    assertThat(
        ListeningSockets.parse("0000000000000000FFFF00000100007F:A0F1")
            .address()
            .isLoopbackAddress(),
        equalTo(true));
  }

  @Test
  void now_seesListeningServers_notClients() throws IOException {
    // Loopback only: tests do not open ports to the network (wildcard parsing is covered above).
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
      Set<ListeningSockets.Listener> now = ListeningSockets.now();
      assertThat(
          now,
          hasItem(
              new ListeningSockets.Listener(
                  InetAddress.getLoopbackAddress(), server.getLocalPort())));
      assertThat(
          now.stream().map(ListeningSockets.Listener::port).toList(),
          not(hasItem(client.getLocalPort())));
    }
  }

  @Test
  void watch_seesOnlyServersOpenedAfterItBegan() throws IOException, InterruptedException {
    try (ServerSocket old = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ListeningSockets.Watch watch = ListeningSockets.watch();
      int port;
      try (ServerSocket brief = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = brief.getLocalPort();
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (watch.seen().stream().noneMatch(l -> l.port() == port)
            && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
      }
      watch.close();
      assertThat(
          watch.seen().stream().map(ListeningSockets.Listener::port).toList(), hasItem(port));
      assertThat(
          watch.seen().stream().map(ListeningSockets.Listener::port).toList(),
          not(hasItem(old.getLocalPort())));
    }
  }
}
