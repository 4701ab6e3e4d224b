package io.mxwatch.testing;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A UDP DNS server on loopback that answers each query with whatever its script returns, in
 * order, byte for byte: forged, malformed or odd answers that {@link TestDnsServer} never sends.
 * It records each query as received and the source port it came from.
 */
public final class ScriptedDnsServer implements AutoCloseable {
  /** A query as it arrived: the message, its wire bytes and the client's port. */
  public record Received(Message query, byte[] wire, int sourcePort) {}

  private final DatagramSocket socket;
  private final List<Received> received = new CopyOnWriteArrayList<>();

  /** Starts serving; {@code script} turns each query into the datagrams sent back (none: silence). */
  public static ScriptedDnsServer start(Function<Message, List<byte[]>> script) {
    try {
      return new ScriptedDnsServer(script);
    } catch (SocketException e) {
      throw new IllegalStateException("cannot bind a loopback UDP port", e);
    }
  }

  private ScriptedDnsServer(Function<Message, List<byte[]>> script) throws SocketException {
    socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("scripted-dns").start(() -> serve(script));
  }

  private void serve(Function<Message, List<byte[]>> script) {
    byte[] buffer = new byte[65535];
    while (!socket.isClosed()) {
      try {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        byte[] wire = Arrays.copyOf(packet.getData(), packet.getLength());
        Message query = new Message(wire);
        received.add(new Received(query, wire, packet.getPort()));
        for (byte[] out : script.apply(query)) {
          socket.send(new DatagramPacket(out, out.length, packet.getSocketAddress()));
        }
      } catch (IOException e) {
        // closed at the end of the test, or a datagram that is no DNS message
      }
    }
  }

  /**
   * A proper answer to {@code query}: its ID and question as received, QR set, and {@code
   * answers} in the answer section.
   */
  public static Message answer(Message query, Record... answers) {
    Message m = new Message(query.getHeader().getID());
    m.getHeader().setFlag(Flags.QR);
    m.getHeader().setFlag(Flags.RD);
    m.getHeader().setFlag(Flags.RA);
    m.addRecord(query.getQuestion(), Section.QUESTION);
    for (Record r : answers) {
      m.addRecord(r, Section.ANSWER);
    }
    return m;
  }

  public InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }

  /** The queries received so far. */
  public List<Received> received() {
    return List.copyOf(received);
  }

  @Override
  public void close() {
    socket.close();
  }
}
