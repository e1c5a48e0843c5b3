package io.qkms.engine.api;

/**
 * Names one backing material of a key: what a ciphertext was made under, or what a key encrypts
 * with now. Lets a caller tell, without decrypting, whether a ciphertext is already current.
 *
 * @param keyArn the key ARN
 * @param keyMaterialId 64 lowercase hex digits
 */
public record KeyMaterialRef(String keyArn, String keyMaterialId) {}
