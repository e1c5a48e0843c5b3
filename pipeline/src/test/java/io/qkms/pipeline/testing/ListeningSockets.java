package io.qkms.pipeline.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TCP sockets this JVM listens on, from Linux's {@code /proc} (no JDK API lists them): the
 * listening entries of {@code /proc/self/net/tcp} and {@code tcp6} whose inode is one of this
 * process's open file descriptors. {@link #watch()} samples them in the background, to catch the
 * servers a job starts and stops while it runs.
 */
public final class ListeningSockets {
  private static final Pattern SOCKET_FD = Pattern.compile("socket:\\[(\\d+)]");
  private static final String LISTEN = "0A";

  private ListeningSockets() {}

  /** One listening socket: its local address and port. */
  public record Listener(InetAddress address, int port) {
    @Override
    public String toString() {
      return address.getHostAddress() + ":" + port;
    }
  }

  /** True where {@code /proc} can answer (Linux). */
  public static boolean supported() {
    return Files.isReadable(Path.of("/proc/self/net/tcp"))
        && Files.isDirectory(Path.of("/proc/self/fd"));
  }

  /** The sockets this process listens on now. */
  public static Set<Listener> now() throws IOException {
    Set<String> inodes = new HashSet<>();
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          Matcher m = SOCKET_FD.matcher(Files.readSymbolicLink(fd).toString());
          if (m.matches()) {
            inodes.add(m.group(1));
          }
        } catch (IOException closedMeanwhile) {
          // A descriptor closed between listing and reading: not a socket we could report.
        }
      }
    }
    Set<Listener> listening = new HashSet<>();
    for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
      Path p = Path.of(table);
      if (!Files.isReadable(p)) {
        continue;
      }
      List<String> lines = Files.readAllLines(p);
      for (String line : lines.subList(1, lines.size())) {
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
        String[] f = line.trim().split("\\s+");
        if (f.length > 9 && f[3].equals(LISTEN) && inodes.contains(f[9])) {
          listening.add(parse(f[1]));
        }
      }
    }
    return listening;
  }

  /** "0100007F:1F90" (IPv4) or 32 hex digits and a port (IPv6), as the kernel prints them. */
  static Listener parse(String hexAddressAndPort) {
    int colon = hexAddressAndPort.indexOf(':');
    String hex = hexAddressAndPort.substring(0, colon);
    int port = Integer.parseInt(hexAddressAndPort.substring(colon + 1), 16);
    // The kernel prints each 32-bit word of the address in host (little-endian) byte order.
    byte[] raw = new byte[hex.length() / 2];
    for (int word = 0; word < raw.length / 4; word++) {
      for (int b = 0; b < 4; b++) {
        int at = word * 8 + (3 - b) * 2;
        raw[word * 4 + b] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
      }
    }
    try {
      return new Listener(InetAddress.getByAddress(raw), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + hexAddressAndPort, e);
    }
  }

  /** Samples {@link #now()} every 20 ms until closed; {@link #seen()} is the union. */
  public static Watch watch() {
    return new Watch();
  }

  /** A background sampler of this JVM's listening sockets. */
  public static final class Watch implements AutoCloseable {
    private final Set<Listener> before;
    private final Set<Listener> seen = ConcurrentHashMap.newKeySet();
    private final Thread sampler;
    private volatile IOException failure;

    private Watch() {
      try {
        before = now();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read /proc", e);
      }
      sampler =
          new Thread(
              () -> {
                while (!Thread.currentThread().isInterrupted()) {
                  try {
                    seen.addAll(now());
                    Thread.sleep(20); // the servers it looks for live for seconds
                  } catch (InterruptedException e) {
                    return;
                  } catch (IOException e) {
                    failure = e;
                    return;
                  }
                }
              },
              "listening-sockets-watch");
      sampler.setDaemon(true);
      sampler.start();
    }

    /** The sockets that were listening at some sample but not when the watch began. */
    public Set<Listener> seen() {
      Set<Listener> s = new HashSet<>(seen);
      s.removeAll(before);
      return s;
    }

    @Override
    public void close() throws IOException {
      sampler.interrupt();
      try {
        sampler.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (failure != null) {
        throw failure;
      }
    }
  }
}
