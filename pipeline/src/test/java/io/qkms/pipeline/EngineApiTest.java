package io.qkms.pipeline;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

/** The job uses the engine's declared API only (kms-engine/README.md), never its internals. */
class EngineApiTest {
  @Test
  void pipeline_dependsOnNoEngineInternals() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.qkms.engine.internal..")
        .check(new ClassFileImporter().importPackages("io.qkms.pipeline"));
  }
}
