package io.qkms.engine;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.qkms.engine.internal.store.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The engine's declared public surface (kms-engine/README.md, "Public surface") is what core makes
 * public outside its {@code internal} packages, and nothing of the internals shows through it. A
 * new public class outside {@code internal} fails here until it is declared, in this list and in
 * the README. The adapters' tests (cli, http, pipeline) refuse any use of the internals.
 */
class EngineApiTest {
  /** Packages whose every public class is API. */
  static final Set<String> API_PACKAGES =
      Set.of("io.qkms.engine.api.model", "io.qkms.engine.api.errors", "io.qkms.engine.keys");

  /** The other public classes (top level) of the surface. */
  static final Set<String> API_CLASSES =
      Set.of(
          "io.qkms.engine.KmsEngine",
          "io.qkms.engine.api.Kms",
          "io.qkms.engine.api.Caller",
          "io.qkms.engine.api.Principal",
          "io.qkms.engine.api.KeyCreators",
          "io.qkms.engine.api.KeyMaterialRef",
          "io.qkms.engine.api.CiphertextHeader",
          "io.qkms.engine.api.Operation",
          "io.qkms.engine.api.Operations",
          "io.qkms.engine.cache.KeyCacheConfig",
          "io.qkms.engine.cache.KeyCacheStats",
          "io.qkms.engine.credentials.AccessKeys",
          "io.qkms.engine.credentials.AccessKey",
          "io.qkms.engine.credentials.NewAccessKey",
          "io.qkms.engine.credentials.SigningSecret",
          "io.qkms.engine.credentials.CredentialsFile",
          "io.qkms.engine.store.KeyStore",
          "io.qkms.engine.store.InMemoryKeyStore",
          "io.qkms.engine.store.file.FileKeyStore",
          "io.qkms.engine.store.file.RootKeySource",
          "io.qkms.engine.store.file.KeyStoreOpenException",
          "io.qkms.engine.store.file.KeyFileAccess",
          "io.qkms.engine.store.file.KdfParams",
          "io.qkms.engine.audit.AuditTrail",
          "io.qkms.engine.audit.AuditVerifier",
          "io.qkms.engine.audit.AuditEvents",
          "io.qkms.engine.wire.Dispatcher",
          "io.qkms.engine.wire.WireResponse",
          "io.qkms.engine.wire.Json",
          "io.qkms.engine.wire.Timestamps");

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.qkms.engine");

  private static boolean internal(JavaClass c) {
    return c.getPackageName().startsWith("io.qkms.engine.internal");
  }

  private static boolean isPublic(JavaClass c) {
    return c.getModifiers().contains(JavaModifier.PUBLIC)
        && (c.getEnclosingClass().isEmpty() || isPublic(c.getEnclosingClass().get()));
  }

  @Test
  void thePublicClassesOutsideInternal_areExactlyTheDeclaredSurface() {
    Set<String> undeclared = new TreeSet<>();
    Set<String> publicTopLevel = new TreeSet<>();
    for (JavaClass c : CORE) {
      if (internal(c) || !c.isTopLevelClass() || !isPublic(c)) {
        continue;
      }
      publicTopLevel.add(c.getName());
      if (!API_PACKAGES.contains(c.getPackageName()) && !API_CLASSES.contains(c.getName())) {
        undeclared.add(c.getName());
      }
    }
    assertThat("public but not declared", undeclared, empty());
    Set<String> missing = new TreeSet<>(API_CLASSES);
    missing.removeAll(publicTopLevel);
    assertThat("declared but not public", missing, empty());
  }

  @Test
  void theSurfacesSignatures_nameNoInternalType_butTheStoreSpi() {
    List<String> leaks = new ArrayList<>();
    for (JavaClass c : CORE) {
      if (internal(c) || !isPublic(c)) {
        continue;
      }
      for (JavaMethod m : c.getMethods()) {
        if (!m.getModifiers().contains(JavaModifier.PUBLIC) || implementsStateStore(c, m)) {
          continue;
        }
        List<JavaClass> types = new ArrayList<>(m.getRawParameterTypes());
        types.add(m.getRawReturnType());
        if (types.stream().anyMatch(EngineApiTest::internal)) {
          leaks.add(m.getFullName());
        }
      }
    }
    assertThat(leaks, equalTo(List.of()));
  }

  @Test
  void corePackages_haveNoCycles() {
    slices().matching("io.qkms.engine.(**)").should().beFreeOfCycles().check(CORE);
  }

  /** The store methods only the engine calls (a public interface makes them public). */
  private static boolean implementsStateStore(JavaClass c, JavaMethod m) {
    return c.isAssignableTo(StateStore.class)
        && Set.of("read", "update", "materialProtector").contains(m.getName());
  }
}
