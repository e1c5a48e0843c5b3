package io.qkms.engine.api;

import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.MaterialId;

/**
 * What a QKMS ciphertext's cleartext header names: the key (by ID: the header holds no account or
 * region) and its backing material. Read without a key store ({@link
 * io.qkms.engine.KmsEngine#readCiphertextHeader}), so a census of which materials data still
 * references needs no key; the header is not authenticated until the blob is decrypted.
 *
 * @param keyId the key ID ({@code 1234abcd-...} or {@code mrk-...})
 * @param materialId the key material ID
 */
public record CiphertextHeader(KeyId keyId, MaterialId materialId) {}
