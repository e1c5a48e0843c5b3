package io.qkms.http;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** The endpoint uses the engine's declared API only (kms-engine/README.md), never its internals. */
class EngineApiTest {
  @Test
  void httpModule_dependsOnNoEngineInternals() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.qkms.engine.internal..")
        .check(new ClassFileImporter().importPackages("io.qkms.http"));
  }
}
