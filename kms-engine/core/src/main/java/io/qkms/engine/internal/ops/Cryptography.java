package io.qkms.engine.internal.ops;

import io.qkms.engine.api.Caller;
import io.qkms.engine.api.KeyMaterialRef;
import io.qkms.engine.api.errors.DryRunOperationException;
import io.qkms.engine.api.errors.IncorrectKeyException;
import io.qkms.engine.api.errors.InvalidCiphertextException;
import io.qkms.engine.api.errors.InvalidKeyUsageException;
import io.qkms.engine.api.errors.KMSInternalException;
import io.qkms.engine.api.errors.KmsException;
import io.qkms.engine.api.errors.ValidationException;
import io.qkms.engine.api.model.BatchReEncryptRequest;
import io.qkms.engine.api.model.BatchReEncryptResponse;
import io.qkms.engine.api.model.BatchReEncryptResult;
import io.qkms.engine.api.model.DecryptRequest;
import io.qkms.engine.api.model.DecryptResponse;
import io.qkms.engine.api.model.EncryptRequest;
import io.qkms.engine.api.model.EncryptResponse;
import io.qkms.engine.api.model.GenerateDataKeyRequest;
import io.qkms.engine.api.model.GenerateDataKeyResponse;
import io.qkms.engine.api.model.GenerateDataKeyWithoutPlaintextRequest;
import io.qkms.engine.api.model.GenerateDataKeyWithoutPlaintextResponse;
import io.qkms.engine.api.model.ReEncryptRequest;
import io.qkms.engine.api.model.ReEncryptResponse;
import io.qkms.engine.internal.auth.GrantOperationNames;
import io.qkms.engine.internal.cache.CachedKey;
import io.qkms.engine.internal.cache.CachedMaterial;
import io.qkms.engine.internal.crypto.BadCiphertextException;
import io.qkms.engine.internal.crypto.Bytes;
import io.qkms.engine.internal.crypto.CiphertextFormat;
import io.qkms.engine.internal.crypto.RsaOaep;
import io.qkms.engine.internal.store.KeyRecord;
import io.qkms.engine.internal.store.MaterialRecord;
import io.qkms.engine.keys.EncryptionAlgorithm;
import io.qkms.engine.keys.KeyUsage;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encrypt, Decrypt, ReEncrypt and GenerateDataKey. Plaintext handled here never leaves: it is not
 * returned by ReEncrypt, not put into any exception or log, and every buffer that held it is zeroed
 * before the method returns.
 */
public final class Cryptography extends OperationGroup {
  private static final Logger LOG = LoggerFactory.getLogger(Cryptography.class);
  static final String INCORRECT_KEY_MESSAGE =
      "The key ID in the request does not identify a CMK that can perform this operation.";
  static final String DRY_RUN_MESSAGE =
      "The request would have succeeded, but the DryRun option is set.";
  private static final String SYMMETRIC_DEFAULT = EncryptionAlgorithm.SYMMETRIC_DEFAULT.name();
  private static final int MAX_CIPHERTEXT_BYTES = 6144;

  Cryptography(EngineContext ctx, KeyAccess keys) {
    super(ctx, keys);
  }

  // ---- ReEncrypt ----------------------------------------------------------------------------

  public ReEncryptResponse reEncrypt(Caller caller, ReEncryptRequest req) {
    boolean dryRun = Boolean.TRUE.equals(req.dryRun());
    boolean ignoreCiphertext =
        dryRun
            && req.dryRunModifiers() != null
            && req.dryRunModifiers().contains("IGNORE_CIPHERTEXT");
    // 1. Validate the request.
    Validator v = Validator.create();
    if (!ignoreCiphertext) {
      v.required("ciphertextBlob", req.ciphertextBlob());
    }
    v.blobLength("ciphertextBlob", req.ciphertextBlob(), 1, MAX_CIPHERTEXT_BYTES)
        .length("sourceKeyId", req.sourceKeyId(), 1, 2048)
        .required("destinationKeyId", req.destinationKeyId())
        .length("destinationKeyId", req.destinationKeyId(), 1, 2048)
        .context("sourceEncryptionContext", req.sourceEncryptionContext())
        .context("destinationEncryptionContext", req.destinationEncryptionContext())
        .oneOf(
            "sourceEncryptionAlgorithm", req.sourceEncryptionAlgorithm(), EncryptionAlgorithm.NAMES)
        .oneOf(
            "destinationEncryptionAlgorithm",
            req.destinationEncryptionAlgorithm(),
            EncryptionAlgorithm.NAMES)
        .stringList("grantTokens", req.grantTokens(), 0, 10, 1, 8192)
        .eachOneOf("dryRunModifiers", req.dryRunModifiers(), List.of("IGNORE_CIPHERTEXT"))
        .throwIfInvalid();
    byte[] sourceContext = encodeContext("sourceEncryptionContext", req.sourceEncryptionContext());
    byte[] destinationContext =
        encodeContext("destinationEncryptionContext", req.destinationEncryptionContext());
    EncryptionAlgorithm sourceAlgorithm = algorithm(req.sourceEncryptionAlgorithm());
    EncryptionAlgorithm destinationAlgorithm = algorithm(req.destinationEncryptionAlgorithm());
    keys.checkGrantTokens(caller, req.grantTokens());

    // 2. Resolve the destination key.
    long now = keys.cacheNow(); // one clock read for the request's cache lookups
    CachedKey destination = keys.resolveCached(caller, req.destinationKeyId(), now);

    // 3. Parse the blob. A ciphertext said to be asymmetric cannot take part in ReEncrypt.
    if (sourceAlgorithm != EncryptionAlgorithm.SYMMETRIC_DEFAULT) {
      if (req.sourceKeyId() == null) {
        throw new ValidationException(
            "SourceKeyId is required when SourceEncryptionAlgorithm is " + sourceAlgorithm + ".");
      }
      CachedKey source = keys.resolveCached(caller, req.sourceKeyId(), now);
      if (source.record().keySpec().isSymmetricEncryption()) {
        throw algorithmNotSupported(source, sourceAlgorithm);
      }
      throw notSymmetric(source, "ReEncrypt");
    }
    CiphertextFormat.Header header = ignoreCiphertext ? null : parseHeader(req.ciphertextBlob());

    // 4. SourceKeyId must be the key that made the blob, before anything about that key is used.
    CachedKey source;
    if (req.sourceKeyId() != null) {
      source = keys.resolveCached(caller, req.sourceKeyId(), now);
      if (header != null && !source.record().keyId().equals(header.keyId())) {
        throw new IncorrectKeyException(INCORRECT_KEY_MESSAGE);
      }
    } else if (header != null) {
      source = blobKey(caller, header, now);
    } else {
      source = null; // DryRun with IGNORE_CIPHERTEXT and no SourceKeyId: only the destination
    }
    if (source != null && header != null) {
      source = knowingMaterial(caller, source, header);
    }
    if (source != null && !isSymmetricEncryptionKey(source.record())) {
      if (header != null) {
        throw new InvalidCiphertextException(); // no such key makes blobs of this format
      }
      throw notSymmetric(source, "ReEncrypt");
    }

    // 5. Source key state.
    if (source != null) {
      KeyAccess.requireEnabled(source.record(), source.arn());
    }

    // 6. Authorization: ReEncryptFrom on the source, ReEncryptTo on the destination.
    boolean sameKey =
        source != null && source.record().keyId().equals(destination.record().keyId());
    if (source != null) {
      keys.authorize(
          caller,
          source,
          "kms:ReEncryptFrom",
          GrantOperationNames.RE_ENCRYPT_FROM,
          req.sourceEncryptionContext(),
          b -> b.reEncryptOnSameKey(sameKey).encryptionAlgorithm(sourceAlgorithm.name()));
    }
    keys.authorize(
        caller,
        destination,
        "kms:ReEncryptTo",
        GrantOperationNames.RE_ENCRYPT_TO,
        req.destinationEncryptionContext(),
        b -> b.reEncryptOnSameKey(sameKey).encryptionAlgorithm(destinationAlgorithm.name()));

    byte[] plaintext = null;
    try {
      // 7. Decrypt; any authentication failure is InvalidCiphertextException.
      MaterialRecord sourceMaterial = null;
      if (header != null) {
        sourceMaterial = sourceMaterial(source.record(), header);
        plaintext =
            decryptSymmetric(
                source.record(), sourceMaterial, req.ciphertextBlob(), sourceContext, now);
      }

      // 8. Destination usage and state.
      KeyRecord dest = destination.record();
      if (dest.keyUsage() != KeyUsage.ENCRYPT_DECRYPT) {
        throw new InvalidKeyUsageException(
            destination.arn()
                + " key usage is "
                + dest.keyUsage()
                + " which is not valid for ReEncrypt.");
      }
      if (!isSymmetricEncryptionKey(dest)) {
        throw notSymmetric(destination, "ReEncrypt");
      }
      if (destinationAlgorithm != EncryptionAlgorithm.SYMMETRIC_DEFAULT) {
        throw algorithmNotSupported(destination, destinationAlgorithm);
      }
      KeyAccess.requireEnabled(dest, destination.arn());

      if (dryRun) {
        throw new DryRunOperationException(DRY_RUN_MESSAGE);
      }

      // 9. Encrypt under the destination's newest material.
      MaterialRecord destinationMaterial = dest.currentMaterial();
      byte[] blob = encryptSymmetric(dest, destinationMaterial, plaintext, destinationContext, now);
      return new ReEncryptResponse(
          blob,
          source.arn(),
          destination.arn(),
          SYMMETRIC_DEFAULT,
          SYMMETRIC_DEFAULT,
          sourceMaterial.id().hex(),
          destinationMaterial.id().hex());
    } finally {
      Bytes.zero(plaintext);
    }
  }

  // ---- BatchReEncrypt -----------------------------------------------------------------------

  /**
   * Each item is a ReEncrypt of its own; its failure, whatever it is, is its result. Only a batch
   * of no items or too many fails as a whole, before any item runs.
   */
  public BatchReEncryptResponse batchReEncrypt(Caller caller, BatchReEncryptRequest req) {
    List<ReEncryptRequest> items = req.items();
    if (items == null) {
      throw new ValidationException(
          "1 validation error detected: Value null at 'items' failed to satisfy constraint:"
              + " Member must not be null");
    }
    if (items.isEmpty()) {
      throw new ValidationException(
          "1 validation error detected: Value at 'items' failed to satisfy constraint: Member"
              + " must have length greater than or equal to 1");
    }
    if (items.size() > BatchReEncryptRequest.MAX_ITEMS) {
      throw new ValidationException(BatchReEncryptRequest.tooMany());
    }
    List<BatchReEncryptResult> results = new ArrayList<>(items.size());
    for (ReEncryptRequest item : items) {
      results.add(reEncryptItem(caller, item));
    }
    return new BatchReEncryptResponse(results);
  }

  private BatchReEncryptResult reEncryptItem(Caller caller, ReEncryptRequest item) {
    if (item == null) {
      return BatchReEncryptResult.error(
          new ValidationException("An item of the batch is null, not a ReEncrypt request."));
    }
    try {
      return BatchReEncryptResult.of(reEncrypt(caller, item));
    } catch (KmsException e) {
      return BatchReEncryptResult.error(e);
    } catch (RuntimeException e) {
      // A fault of this item only. Its message may quote data: only its type is logged.
      LOG.error("Internal error in a BatchReEncrypt item: {}", e.getClass().getName());
      return BatchReEncryptResult.error(new KMSInternalException("An internal error occurred."));
    }
  }

  // ---- Encrypt ------------------------------------------------------------------------------

  public EncryptResponse encrypt(Caller caller, EncryptRequest req) {
    Validator.create()
        .required("keyId", req.keyId())
        .length("keyId", req.keyId(), 1, 2048)
        .required("plaintext", req.plaintext())
        .blobLength("plaintext", req.plaintext(), 1, CiphertextFormat.MAX_PLAINTEXT_BYTES)
        .context("encryptionContext", req.encryptionContext())
        .stringList("grantTokens", req.grantTokens(), 0, 10, 1, 8192)
        .oneOf("encryptionAlgorithm", req.encryptionAlgorithm(), EncryptionAlgorithm.NAMES)
        .throwIfInvalid();
    byte[] context = encodeContext("encryptionContext", req.encryptionContext());
    EncryptionAlgorithm algorithm = algorithm(req.encryptionAlgorithm());
    keys.checkGrantTokens(caller, req.grantTokens());
    long now = keys.cacheNow(); // one clock read for the request's cache lookups
    CachedKey key = keys.resolveCached(caller, req.keyId(), now);
    KeyRecord r = key.record();
    requireEncryptDecrypt(key, "Encrypt");
    requireAlgorithmFits(key, algorithm);
    KeyAccess.requireEnabled(r, key.arn());
    keys.authorize(
        caller,
        key,
        "kms:Encrypt",
        GrantOperationNames.ENCRYPT,
        req.encryptionContext(),
        b -> b.encryptionAlgorithm(algorithm.name()));
    if (r.keySpec().isRsa()) {
      checkRsaPlaintext(key, algorithm, req.plaintext().length, req.encryptionContext());
    }
    if (Boolean.TRUE.equals(req.dryRun())) {
      throw new DryRunOperationException(DRY_RUN_MESSAGE);
    }
    MaterialRecord material = r.currentMaterial();
    byte[] blob;
    if (r.keySpec().isRsa()) {
      try {
        blob = RsaOaep.encrypt(material.publicKey(), algorithm, req.plaintext());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("RSA-OAEP encryption failed", e);
      }
    } else {
      blob = encryptSymmetric(r, material, req.plaintext(), context, now);
    }
    return new EncryptResponse(blob, key.arn(), algorithm.name());
  }

  private static void checkRsaPlaintext(
      CachedKey key, EncryptionAlgorithm algorithm, int length, Map<String, String> context) {
    if (context != null && !context.isEmpty()) {
      throw new ValidationException(
          "EncryptionContext is supported only with symmetric encryption keys.");
    }
    int max = key.record().keySpec().maxRsaPlaintextBytes(algorithm);
    if (length > max) {
      throw new ValidationException(
          "Algorithm "
              + algorithm
              + " and key spec "
              + key.record().keySpec()
              + " cannot encrypt data larger than "
              + max
              + " bytes.");
    }
  }

  // ---- Decrypt ------------------------------------------------------------------------------

  public DecryptResponse decrypt(Caller caller, DecryptRequest req) {
    Validator.create()
        .required("ciphertextBlob", req.ciphertextBlob())
        .blobLength("ciphertextBlob", req.ciphertextBlob(), 1, MAX_CIPHERTEXT_BYTES)
        .context("encryptionContext", req.encryptionContext())
        .stringList("grantTokens", req.grantTokens(), 0, 10, 1, 8192)
        .length("keyId", req.keyId(), 1, 2048)
        .oneOf("encryptionAlgorithm", req.encryptionAlgorithm(), EncryptionAlgorithm.NAMES)
        .throwIfInvalid();
    byte[] context = encodeContext("encryptionContext", req.encryptionContext());
    EncryptionAlgorithm algorithm = algorithm(req.encryptionAlgorithm());
    keys.checkGrantTokens(caller, req.grantTokens());
    boolean dryRun = Boolean.TRUE.equals(req.dryRun());
    long now = keys.cacheNow(); // one clock read for the request's cache lookups

    if (algorithm != EncryptionAlgorithm.SYMMETRIC_DEFAULT) {
      if (req.keyId() == null) {
        throw new ValidationException(
            "KeyId is required when EncryptionAlgorithm is " + algorithm + ".");
      }
      CachedKey key = keys.resolveCached(caller, req.keyId(), now);
      requireEncryptDecrypt(key, "Decrypt");
      requireAlgorithmFits(key, algorithm);
      authorizeDecrypt(caller, key, req, algorithm);
      MaterialRecord material = key.record().currentMaterial();
      CachedMaterial m = keys.retainMaterial(key.record(), material, now);
      byte[] plaintext;
      try {
        plaintext = RsaOaep.decrypt(m.secret(), algorithm, req.ciphertextBlob());
      } catch (BadCiphertextException e) {
        throw new InvalidCiphertextException();
      } finally {
        m.release();
      }
      if (dryRun) {
        Bytes.zero(plaintext);
        throw new DryRunOperationException(DRY_RUN_MESSAGE);
      }
      return new DecryptResponse(key.arn(), plaintext, algorithm.name(), null);
    }

    CiphertextFormat.Header header = parseHeader(req.ciphertextBlob());
    CachedKey key;
    if (req.keyId() != null) {
      key = keys.resolveCached(caller, req.keyId(), now);
      if (!key.record().keyId().equals(header.keyId())) {
        throw new IncorrectKeyException(INCORRECT_KEY_MESSAGE);
      }
    } else {
      key = blobKey(caller, header, now);
    }
    key = knowingMaterial(caller, key, header);
    if (!isSymmetricEncryptionKey(key.record())) {
      throw new InvalidCiphertextException();
    }
    authorizeDecrypt(caller, key, req, algorithm);
    MaterialRecord material = sourceMaterial(key.record(), header);
    byte[] plaintext = decryptSymmetric(key.record(), material, req.ciphertextBlob(), context, now);
    if (dryRun) {
      Bytes.zero(plaintext);
      throw new DryRunOperationException(DRY_RUN_MESSAGE);
    }
    return new DecryptResponse(key.arn(), plaintext, SYMMETRIC_DEFAULT, material.id().hex());
  }

  /** What every Decrypt checks once it knows the key: enabled, and the caller may decrypt. */
  private void authorizeDecrypt(
      Caller caller, CachedKey key, DecryptRequest req, EncryptionAlgorithm algorithm) {
    KeyAccess.requireEnabled(key.record(), key.arn());
    keys.authorize(
        caller,
        key,
        "kms:Decrypt",
        GrantOperationNames.DECRYPT,
        req.encryptionContext(),
        b -> b.encryptionAlgorithm(algorithm.name()));
  }

  // ---- GenerateDataKey ----------------------------------------------------------------------

  public GenerateDataKeyResponse generateDataKey(Caller caller, GenerateDataKeyRequest req) {
    DataKey dk = generate(caller, req, "GenerateDataKey");
    return new GenerateDataKeyResponse(dk.blob, dk.plaintext, dk.arn, dk.materialId);
  }

  public GenerateDataKeyWithoutPlaintextResponse generateDataKeyWithoutPlaintext(
      Caller caller, GenerateDataKeyWithoutPlaintextRequest req) {
    // The same parameters as GenerateDataKey; only the response leaves the plaintext out.
    GenerateDataKeyRequest same =
        new GenerateDataKeyRequest(
            req.keyId(),
            req.encryptionContext(),
            req.numberOfBytes(),
            req.keySpec(),
            req.grantTokens(),
            req.dryRun());
    DataKey dk = generate(caller, same, "GenerateDataKeyWithoutPlaintext");
    Bytes.zero(dk.plaintext);
    return new GenerateDataKeyWithoutPlaintextResponse(dk.blob, dk.arn, dk.materialId);
  }

  private record DataKey(byte[] blob, byte[] plaintext, String arn, String materialId) {}

  private DataKey generate(Caller caller, GenerateDataKeyRequest req, String operation) {
    String keyId = req.keyId();
    Map<String, String> encryptionContext = req.encryptionContext();
    Integer numberOfBytes = req.numberOfBytes();
    String keySpec = req.keySpec();
    List<String> grantTokens = req.grantTokens();
    Validator.create()
        .required("keyId", keyId)
        .length("keyId", keyId, 1, 2048)
        .context("encryptionContext", encryptionContext)
        .range("numberOfBytes", numberOfBytes, 1, 1024)
        .oneOf("keySpec", keySpec, List.of("AES_256", "AES_128"))
        .stringList("grantTokens", grantTokens, 0, 10, 1, 8192)
        .throwIfInvalid();
    if ((numberOfBytes == null) == (keySpec == null)) {
      throw new ValidationException("Please specify either number of bytes or key spec.");
    }
    byte[] context = encodeContext("encryptionContext", encryptionContext);
    keys.checkGrantTokens(caller, grantTokens);
    long now = keys.cacheNow(); // one clock read for the request's cache lookups
    CachedKey key = keys.resolveCached(caller, keyId, now);
    requireEncryptDecrypt(key, operation);
    if (!isSymmetricEncryptionKey(key.record())) {
      throw notSymmetric(key, operation);
    }
    KeyAccess.requireEnabled(key.record(), key.arn());
    keys.authorize(
        caller,
        key,
        "kms:" + operation,
        operation,
        encryptionContext,
        b -> b.encryptionAlgorithm(SYMMETRIC_DEFAULT));
    if (Boolean.TRUE.equals(req.dryRun())) {
      throw new DryRunOperationException(DRY_RUN_MESSAGE);
    }
    int size = numberOfBytes != null ? numberOfBytes : keySpec.equals("AES_128") ? 16 : 32;
    byte[] plaintext = new byte[size];
    ctx.random().nextBytes(plaintext);
    MaterialRecord material = key.record().currentMaterial();
    byte[] blob = encryptSymmetric(key.record(), material, plaintext, context, now);
    return new DataKey(blob, plaintext, key.arn(), material.id().hex());
  }

  // ---- Key material lookups (not wire operations) -------------------------------------------

  public KeyMaterialRef currentKeyMaterial(Caller caller, String keyId) {
    KeyManagement.requireKeyId(keyId);
    CachedKey key = keys.resolveCached(caller, keyId);
    keys.authorize(caller, key, "kms:DescribeKey", GrantOperationNames.DESCRIBE_KEY, null, null);
    MaterialRecord current = key.record().currentMaterial();
    return new KeyMaterialRef(key.arn(), current == null ? null : current.id().hex());
  }

  public KeyMaterialRef ciphertextKeyMaterial(byte[] blob) {
    try {
      CiphertextFormat.Header h = CiphertextFormat.parseHeader(blob);
      return new KeyMaterialRef(keys.arn(h.keyId()), h.materialId().hex());
    } catch (BadCiphertextException e) {
      return null;
    }
  }

  // ---- Shared pieces ------------------------------------------------------------------------

  /**
   * The key a blob's header names. A blob naming a key this region does not hold (another store's,
   * another region's single-region key, a deleted key, or a damaged key ID) is a foreign blob:
   * InvalidCiphertextException, which reveals nothing about which keys exist. A key the caller
   * names as SourceKeyId or KeyId that does not exist is NotFoundException instead.
   */
  private CachedKey blobKey(Caller caller, CiphertextFormat.Header header, long now) {
    CachedKey key = keys.cachedKey(caller.region(), header.keyId(), now);
    if (key == null || ctx.isDeleted(key.record())) {
      throw new InvalidCiphertextException();
    }
    return key;
  }

  /**
   * The key, reloaded once if its cached copy does not know the material the blob names: another
   * process may have rotated it within the cache TTL, and its new ciphertexts must decrypt here at
   * once. A material that the reloaded key does not know either is InvalidCiphertext, later.
   */
  private CachedKey knowingMaterial(Caller caller, CachedKey key, CiphertextFormat.Header header) {
    if (key.record().material(header.materialId()) != null) {
      return key;
    }
    CachedKey fresh = keys.refreshedKey(caller.region(), key.record().keyId());
    return fresh == null || ctx.isDeleted(fresh.record()) ? key : fresh;
  }

  private static CiphertextFormat.Header parseHeader(byte[] blob) {
    try {
      return CiphertextFormat.parseHeader(blob);
    } catch (BadCiphertextException e) {
      throw new InvalidCiphertextException();
    }
  }

  private static MaterialRecord sourceMaterial(KeyRecord key, CiphertextFormat.Header header) {
    MaterialRecord m = key.material(header.materialId());
    if (m == null) {
      throw new InvalidCiphertextException(); // a material this key never had
    }
    return m;
  }

  private byte[] decryptSymmetric(
      KeyRecord key, MaterialRecord material, byte[] blob, byte[] context, long now) {
    CachedMaterial m = keys.retainMaterial(key, material, now);
    try {
      return CiphertextFormat.decrypt(m.symmetricKey(), blob, context);
    } catch (BadCiphertextException e) {
      throw new InvalidCiphertextException();
    } finally {
      m.release();
    }
  }

  private byte[] encryptSymmetric(
      KeyRecord key, MaterialRecord material, byte[] plaintext, byte[] context, long now) {
    CachedMaterial m = keys.retainMaterial(key, material, now);
    try {
      return CiphertextFormat.encrypt(
          m.symmetricKey(), key.keyId(), material.id(), plaintext, context, ctx.random());
    } finally {
      m.release();
    }
  }

  private static byte[] encodeContext(String member, Map<String, String> context) {
    try {
      return ContextEncodings.encode(context);
    } catch (IllegalArgumentException e) {
      throw new ValidationException(
          "1 validation error detected: Value at '"
              + member
              + "' failed to satisfy constraint: "
              + e.getMessage());
    }
  }

  private static EncryptionAlgorithm algorithm(String name) {
    return name == null
        ? EncryptionAlgorithm.SYMMETRIC_DEFAULT
        : EncryptionAlgorithm.fromName(name);
  }

  static boolean isSymmetricEncryptionKey(KeyRecord r) {
    return r.keySpec().isSymmetricEncryption() && r.keyUsage() == KeyUsage.ENCRYPT_DECRYPT;
  }

  private static void requireEncryptDecrypt(CachedKey key, String operation) {
    if (key.record().keyUsage() != KeyUsage.ENCRYPT_DECRYPT) {
      throw invalidKeyUsage(key, "usage", key.record().keyUsage(), "is not valid for " + operation);
    }
  }

  private static void requireAlgorithmFits(CachedKey key, EncryptionAlgorithm algorithm) {
    boolean fits =
        key.record().keySpec().isRsa()
            ? algorithm == EncryptionAlgorithm.RSAES_OAEP_SHA_1
                || algorithm == EncryptionAlgorithm.RSAES_OAEP_SHA_256
            : algorithm == EncryptionAlgorithm.SYMMETRIC_DEFAULT;
    if (!fits) {
      throw algorithmNotSupported(key, algorithm);
    }
  }

  private static InvalidKeyUsageException algorithmNotSupported(
      CachedKey key, EncryptionAlgorithm algorithm) {
    return invalidKeyUsage(
        key,
        "spec",
        key.record().keySpec(),
        "does not support the encryption algorithm " + algorithm);
  }

  private static InvalidKeyUsageException notSymmetric(CachedKey key, String what) {
    return invalidKeyUsage(key, "spec", key.record().keySpec(), "is not valid for " + what);
  }

  /** InvalidKeyUsageException, worded as AWS words it: "ARN key spec is X which ...". */
  private static InvalidKeyUsageException invalidKeyUsage(
      CachedKey key, String property, Object value, String which) {
    return new InvalidKeyUsageException(
        key.arn() + " key " + property + " is " + value + " which " + which + ".");
  }
}
