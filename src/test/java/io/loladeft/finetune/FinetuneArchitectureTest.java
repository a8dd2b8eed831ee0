package io.loladeft.finetune;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The engine is DJL only: no Spring, no web code, no dependency on the planner. */
class FinetuneArchitectureTest {

    private static final JavaClasses ENGINE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.loladeft.finetune");

    @Test
    void engineUsesNoSpringWebOrPlanningCode() {
        noClasses()
                .that()
                .resideInAPackage("io.loladeft.finetune..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.springframework..",
                        "jakarta.servlet..",
                        "io.loladeft.planning..",
                        "tools.jackson..",
                        "com.fasterxml.jackson..")
                .check(ENGINE);
    }
}
