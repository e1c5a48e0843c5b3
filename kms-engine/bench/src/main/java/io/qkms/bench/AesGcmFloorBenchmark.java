package io.qkms.bench;

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
 * under another key with a fresh random 96-bit IV, reusing one Cipher per thread, with the same
 * associated-data size as the engine's blob header plus context. Nothing else.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AesGcmFloorBenchmark {
  @Param({"64", "1024", "4096"})
  public int payloadBytes;

  private final SecureRandom random = new SecureRandom();
  private Cipher decryptCipher;
  private Cipher encryptCipher;
  private SecretKeySpec sourceKey;
  private SecretKeySpec destinationKey;
  private byte[] aad;
  private byte[] iv;
  private byte[] ciphertext;

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
    iv = new byte[12];
    random.nextBytes(iv);
    byte[] plaintext = new byte[payloadBytes];
    r.nextBytes(plaintext);
    decryptCipher = Cipher.getInstance("AES/GCM/NoPadding");
    encryptCipher = Cipher.getInstance("AES/GCM/NoPadding");
    encryptCipher.init(Cipher.ENCRYPT_MODE, sourceKey, new GCMParameterSpec(128, iv));
    encryptCipher.updateAAD(aad);
    ciphertext = encryptCipher.doFinal(plaintext);
  }

  @Benchmark
  public byte[] decryptThenEncrypt() throws GeneralSecurityException {
    decryptCipher.init(Cipher.DECRYPT_MODE, sourceKey, new GCMParameterSpec(128, iv));
    decryptCipher.updateAAD(aad);
    byte[] plaintext = decryptCipher.doFinal(ciphertext);
    byte[] newIv = new byte[12];
    random.nextBytes(newIv);
    encryptCipher.init(Cipher.ENCRYPT_MODE, destinationKey, new GCMParameterSpec(128, newIv));
    encryptCipher.updateAAD(aad);
    return encryptCipher.doFinal(plaintext);
  }
}
