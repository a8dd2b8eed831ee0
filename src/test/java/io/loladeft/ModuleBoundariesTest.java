package io.loladeft;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The arrows of docs/architecture.md, enforced: the two engines stay plain (JDK; DJL) so they can
 * be read and tested alone, adapters depend inwards only, and modules form no cycles.
 */
class ModuleBoundariesTest {

    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.loladeft");

    @Test
    void planningUsesTheJdkOnly() {
        classes().that().resideInAPackage("io.loladeft.planning..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.loladeft.planning..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void finetuneUsesDjlOnly() {
        classes().that().resideInAPackage("io.loladeft.finetune..")
                .and().resideOutsideOfPackage("io.loladeft.finetune.pretrained..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        "java..", "ai.djl..", "org.slf4j..", "com.google.gson..", "io.loladeft.finetune..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    /** The ONNX importer alone may also read protobuf: the compiled ONNX schema and its runtime. */
    @Test
    void finetunePretrainedAddsOnlyTheOnnxSchema() {
        classes().that().resideInAPackage("io.loladeft.finetune.pretrained..")
                .should().onlyDependOnClassesThat().resideInAnyPackage(
                        "java..", "ai.djl..", "org.slf4j..", "com.google.gson..", "io.loladeft.finetune..",
                        "ai.onnx.proto..", "com.google.protobuf..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void commonDependsOnNoModule() {
        noClasses().that().resideInAPackage("io.loladeft.common..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.loladeft.planning..", "io.loladeft.finetune..", "io.loladeft.registry..",
                        "io.loladeft.plans..", "io.loladeft.jobs..", "io.loladeft.platform..")
                .check(MAIN);
    }

    @Test
    void registryReadsOnlyPlanningValueTypes() {
        noClasses().that().resideInAPackage("io.loladeft.registry..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.loladeft.finetune..", "io.loladeft.plans..", "io.loladeft.jobs..", "io.loladeft.platform..")
                .check(MAIN);
    }

    @Test
    void plansDoNotReachIntoJobsOrTheEngineOrThePlatform() {
        noClasses().that().resideInAPackage("io.loladeft.plans..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "io.loladeft.finetune..", "io.loladeft.jobs..", "io.loladeft.platform..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void jobsUseOnlyPlansFinetuneRegistryAndCommon() {
        noClasses().that().resideInAPackage("io.loladeft.jobs..")
                .should().dependOnClassesThat().resideInAnyPackage("io.loladeft.planning..", "io.loladeft.platform..")
                .check(MAIN);
    }

    @Test
    void onlyJobsAndPlatformReachIntoJobs() {
        noClasses().that().resideOutsideOfPackages("io.loladeft.jobs..", "io.loladeft.platform..")
                .should().dependOnClassesThat().resideInAPackage("io.loladeft.jobs..")
                .check(MAIN);
    }

    @Test
    void nothingDependsOnThePlatform() {
        noClasses().that().resideOutsideOfPackage("io.loladeft.platform..")
                .should().dependOnClassesThat().resideInAPackage("io.loladeft.platform..")
                .check(MAIN);
    }

    @Test
    void modulesFormNoCycles() {
        slices().matching("io.loladeft.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
