package io.qkms.engine.internal.store;

import io.qkms.engine.keys.KeyId;
import io.qkms.engine.keys.KeySpec;
import io.qkms.engine.keys.KeyState;
import io.qkms.engine.keys.KeyUsage;
import io.qkms.engine.keys.MaterialId;
import io.qkms.engine.keys.Origin;
import io.qkms.engine.keys.Region;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A key in one region, as stored: identity, spec and usage, state, its backing materials (oldest
 * first; the last is current), rotation schedule, key policy and grants. Immutable; change it with
 * {@link #toBuilder()}.
 */
public final class KeyRecord {
  /** A key's place in a multi-region family. */
  public enum MultiRegionRole {
    NONE,
    PRIMARY,
    REPLICA
  }

  private final KeyId keyId;
  private final String description;
  private final KeySpec keySpec;
  private final KeyUsage keyUsage;
  private final Origin origin;
  private final KeyState state;
  private final Instant creationDate;
  private final Instant deletionDate;
  private final Integer pendingDeletionWindowInDays;
  private final MultiRegionRole multiRegionRole;
  private final Region primaryRegion;
  private final List<MaterialRecord> materials;
  private final boolean rotationEnabled;
  private final Integer rotationPeriodInDays;
  private final Instant nextRotationDate;
  private final int onDemandRotationCount;
  private final String policy;
  private final List<GrantRecord> grants;

  private KeyRecord(Builder b) {
    keyId = Objects.requireNonNull(b.keyId, "keyId");
    description = b.description == null ? "" : b.description;
    keySpec = Objects.requireNonNull(b.keySpec, "keySpec");
    keyUsage = Objects.requireNonNull(b.keyUsage, "keyUsage");
    origin = Objects.requireNonNull(b.origin, "origin");
    state = Objects.requireNonNull(b.state, "state");
    creationDate = Objects.requireNonNull(b.creationDate, "creationDate");
    deletionDate = b.deletionDate;
    pendingDeletionWindowInDays = b.pendingDeletionWindowInDays;
    multiRegionRole = b.multiRegionRole == null ? MultiRegionRole.NONE : b.multiRegionRole;
    primaryRegion = b.primaryRegion;
    materials = List.copyOf(b.materials);
    rotationEnabled = b.rotationEnabled;
    rotationPeriodInDays = b.rotationPeriodInDays;
    nextRotationDate = b.nextRotationDate;
    onDemandRotationCount = b.onDemandRotationCount;
    policy = Objects.requireNonNull(b.policy, "policy");
    grants = List.copyOf(b.grants);
    if (state == KeyState.PENDING_DELETION && deletionDate == null) {
      throw new IllegalArgumentException("A key pending deletion needs a deletion date");
    }
    if (materials.isEmpty()
        && state != KeyState.PENDING_IMPORT
        && !(state == KeyState.PENDING_DELETION && origin == Origin.EXTERNAL)) {
      throw new IllegalArgumentException(
          "Only a key pending import (or such a key pending deletion) may have no material");
    }
    if ((multiRegionRole != MultiRegionRole.NONE) != keyId.isMultiRegion()) {
      throw new IllegalArgumentException("Multi-region keys, and only they, have mrk- key IDs");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.keyId = keyId;
    b.description = description;
    b.keySpec = keySpec;
    b.keyUsage = keyUsage;
    b.origin = origin;
    b.state = state;
    b.creationDate = creationDate;
    b.deletionDate = deletionDate;
    b.pendingDeletionWindowInDays = pendingDeletionWindowInDays;
    b.multiRegionRole = multiRegionRole;
    b.primaryRegion = primaryRegion;
    b.materials = new ArrayList<>(materials);
    b.rotationEnabled = rotationEnabled;
    b.rotationPeriodInDays = rotationPeriodInDays;
    b.nextRotationDate = nextRotationDate;
    b.onDemandRotationCount = onDemandRotationCount;
    b.policy = policy;
    b.grants = new ArrayList<>(grants);
    return b;
  }

  public KeyId keyId() {
    return keyId;
  }

  public String description() {
    return description;
  }

  public KeySpec keySpec() {
    return keySpec;
  }

  public KeyUsage keyUsage() {
    return keyUsage;
  }

  public Origin origin() {
    return origin;
  }

  public KeyState state() {
    return state;
  }

  public Instant creationDate() {
    return creationDate;
  }

  /** When a key pending deletion is deleted; null otherwise. */
  public Instant deletionDate() {
    return deletionDate;
  }

  public Integer pendingDeletionWindowInDays() {
    return pendingDeletionWindowInDays;
  }

  public MultiRegionRole multiRegionRole() {
    return multiRegionRole;
  }

  /** The primary's region, for multi-region keys; null otherwise. */
  public Region primaryRegion() {
    return primaryRegion;
  }

  /** Oldest first; the last one encrypts. Empty only while pending import (or then deleted). */
  public List<MaterialRecord> materials() {
    return materials;
  }

  /** The newest material, or null while pending import (or then deleted). */
  public MaterialRecord currentMaterial() {
    return materials.isEmpty() ? null : materials.get(materials.size() - 1);
  }

  /** The material with this ID, or null. */
  public MaterialRecord material(MaterialId id) {
    for (int i = materials.size() - 1; i >= 0; i--) {
      if (materials.get(i).id().equals(id)) {
        return materials.get(i);
      }
    }
    return null;
  }

  public boolean rotationEnabled() {
    return rotationEnabled;
  }

  public Integer rotationPeriodInDays() {
    return rotationPeriodInDays;
  }

  public Instant nextRotationDate() {
    return nextRotationDate;
  }

  public int onDemandRotationCount() {
    return onDemandRotationCount;
  }

  /** The key policy document (JSON). */
  public String policy() {
    return policy;
  }

  public List<GrantRecord> grants() {
    return grants;
  }

  /** Whether a deletion window that has passed by {@code now} makes this key gone. */
  public boolean isDeletedAt(Instant now) {
    return state == KeyState.PENDING_DELETION && !deletionDate.isAfter(now);
  }

  /** Whether automatic rotation is due at {@code now} (only enabled keys rotate, as in AWS). */
  public boolean isRotationDueAt(Instant now) {
    return rotationEnabled
        && state == KeyState.ENABLED
        && nextRotationDate != null
        && !nextRotationDate.isAfter(now);
  }

  @Override
  public String toString() {
    return "KeyRecord[" + keyId + ", " + keySpec + ", " + state + "]";
  }

  /** Builds a {@link KeyRecord}; {@link #build()} checks that the fields fit together. */
  public static final class Builder {
    private KeyId keyId;
    private String description;
    private KeySpec keySpec;
    private KeyUsage keyUsage;
    private Origin origin = Origin.AWS_KMS;
    private KeyState state;
    private Instant creationDate;
    private Instant deletionDate;
    private Integer pendingDeletionWindowInDays;
    private MultiRegionRole multiRegionRole = MultiRegionRole.NONE;
    private Region primaryRegion;
    private List<MaterialRecord> materials = new ArrayList<>();
    private boolean rotationEnabled;
    private Integer rotationPeriodInDays;
    private Instant nextRotationDate;
    private int onDemandRotationCount;
    private String policy;
    private List<GrantRecord> grants = new ArrayList<>();

    private Builder() {}

    public Builder keyId(KeyId v) {
      keyId = v;
      return this;
    }

    public Builder description(String v) {
      description = v;
      return this;
    }

    public Builder keySpec(KeySpec v) {
      keySpec = v;
      return this;
    }

    public Builder keyUsage(KeyUsage v) {
      keyUsage = v;
      return this;
    }

    public Builder origin(Origin v) {
      origin = v;
      return this;
    }

    public Builder state(KeyState v) {
      state = v;
      return this;
    }

    public Builder creationDate(Instant v) {
      creationDate = v;
      return this;
    }

    public Builder deletionDate(Instant v) {
      deletionDate = v;
      return this;
    }

    public Builder pendingDeletionWindowInDays(Integer v) {
      pendingDeletionWindowInDays = v;
      return this;
    }

    public Builder multiRegionRole(MultiRegionRole v) {
      multiRegionRole = v;
      return this;
    }

    public Builder primaryRegion(Region v) {
      primaryRegion = v;
      return this;
    }

    public Builder materials(List<MaterialRecord> v) {
      materials = new ArrayList<>(v);
      return this;
    }

    public Builder addMaterial(MaterialRecord v) {
      materials.add(v);
      return this;
    }

    public Builder rotationEnabled(boolean v) {
      rotationEnabled = v;
      return this;
    }

    public Builder rotationPeriodInDays(Integer v) {
      rotationPeriodInDays = v;
      return this;
    }

    public Builder nextRotationDate(Instant v) {
      nextRotationDate = v;
      return this;
    }

    public Builder onDemandRotationCount(int v) {
      onDemandRotationCount = v;
      return this;
    }

    public Builder policy(String v) {
      policy = v;
      return this;
    }

    public Builder grants(List<GrantRecord> v) {
      grants = new ArrayList<>(v);
      return this;
    }

    public KeyRecord build() {
      return new KeyRecord(this);
    }
  }
}
