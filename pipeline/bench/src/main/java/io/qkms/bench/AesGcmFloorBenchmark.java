package io.qkms.bench;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The floor any ReEncrypt must pay: the JDK's AES-256-GCM decrypt of a payload plus its encrypt
 * under another key, with the associated-data size of the engine's blob header plus context, and
 * nothing else. Done as cheaply as the engine could ever do it, so that the engine/floor ratio is
 * honest: one Cipher per direction reused by each thread, and the engine's own IV strategy (a
 * random first IV per epoch of {@value #EPOCH} messages, then a counter in its low 64 bits: one
 * draw from the random source per epoch, not per message). Each thread decrypts a pool of {@value
 * #POOL} distinct ciphertexts in turn, as {@link ReEncryptBenchmark} re-encrypts a pool of blobs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AesGcmFloorBenchmark {
  static final int POOL = 1024;
  static final int EPOCH = 1 << 16;

  @Param({"64", "1024", "4096"})
  public int payloadBytes;

  private final SecureRandom random = new SecureRandom();
  private Cipher decryptCipher;
  private Cipher encryptCipher;
  private SecretKeySpec sourceKey;
  private SecretKeySpec destinationKey;
  private byte[] aad;
  private byte[][] ivs;
  private byte[][] ciphertexts;
  private int next;
  private final byte[] iv = new byte[12];
  private long counter;
  private int sealed = EPOCH;

  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException {
    Random r = new Random(1);
    byte[] k1 = new byte[32];
    byte[] k2 = new byte[32];
    r.nextBytes(k1);
    r.nextBytes(k2);
    sourceKey = new SecretKeySpec(k1, "AES");
    destinationKey = new SecretKeySpec(k2, "AES");
    aad = new byte[75 + 40]; // the engine authenticates its 75-byte header and the context
    r.nextBytes(aad);
    decryptCipher = Cipher.getInstance("AES/GCM/NoPadding");
    encryptCipher = Cipher.getInstance("AES/GCM/NoPadding");
    ivs = new byte[POOL][];
    ciphertexts = new byte[POOL][];
    for (int i = 0; i < POOL; i++) {
      byte[] plaintext = new byte[payloadBytes];
      r.nextBytes(plaintext);
      ivs[i] = nextIv().clone();
      encryptCipher.init(Cipher.ENCRYPT_MODE, sourceKey, new GCMParameterSpec(128, ivs[i]));
      encryptCipher.updateAAD(aad);
      ciphertexts[i] = encryptCipher.doFinal(plaintext);
    }
  }

  /** The engine's IV rule: a random first IV per epoch, then its low 64 bits counted up. */
  private byte[] nextIv() {
    if (sealed >= EPOCH) {
      random.nextBytes(iv);
      counter = ByteBuffer.wrap(iv, 4, 8).getLong();
      sealed = 0;
    }
    ByteBuffer.wrap(iv, 4, 8).putLong(counter + sealed);
    sealed++;
    return iv;
  }

  @Benchmark
  public byte[] decryptThenEncrypt() throws GeneralSecurityException {
    int i = next;
    next = (i + 1) % POOL;
    decryptCipher.init(Cipher.DECRYPT_MODE, sourceKey, new GCMParameterSpec(128, ivs[i]));
    decryptCipher.updateAAD(aad);
    byte[] plaintext = decryptCipher.doFinal(ciphertexts[i]);
    encryptCipher.init(Cipher.ENCRYPT_MODE, destinationKey, new GCMParameterSpec(128, nextIv()));
    encryptCipher.updateAAD(aad);
    return encryptCipher.doFinal(plaintext);
  }
}
