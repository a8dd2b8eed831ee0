package io.loladeft;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The arrows of docs/architecture.md, enforced: its module table is read and compared with the code's
 * dependencies both ways, the two engines stay plain (JDK; DJL) so they can be read and tested alone, and
 * modules form no cycles.
 */
class ModuleBoundariesTest {

    static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.loladeft");

    @Test
    void planningUsesTheJdkOnly() {
        classes()
                .that()
                .resideInAPackage("io.loladeft.planning..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "io.loladeft.planning..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    @Test
    void finetuneUsesDjlOnly() {
        classes()
                .that()
                .resideInAPackage("io.loladeft.finetune..")
                .and()
                .resideOutsideOfPackage("io.loladeft.finetune.pretrained..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage("java..", "ai.djl..", "org.slf4j..", "com.google.gson..", "io.loladeft.finetune..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    /** The ONNX importer alone may also read protobuf: the compiled ONNX schema and its runtime. */
    @Test
    void finetunePretrainedAddsOnlyTheOnnxSchema() {
        classes()
                .that()
                .resideInAPackage("io.loladeft.finetune.pretrained..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(
                        "java..",
                        "ai.djl..",
                        "org.slf4j..",
                        "com.google.gson..",
                        "io.loladeft.finetune..",
                        "ai.onnx.proto..",
                        "com.google.protobuf..")
                .allowEmptyShould(true)
                .check(MAIN);
    }

    /**
     * The module table of docs/architecture.md is the rule: every module in the code has a row, no module
     * uses another that its row does not name, and every module its row names is one it uses (so the table
     * cannot list an arrow the code dropped). {@code platform} may use everything and nothing may use it.
     */
    @Test
    void theArchitectureTableIsTheCode() throws IOException {
        Map<String, Set<String>> table = ArchitectureTable.read(Path.of("docs/architecture.md"));
        Map<String, Set<String>> code = new TreeMap<>();
        for (JavaClass c : MAIN) {
            String from = module(c.getPackageName());
            if (from == null) {
                continue;
            }
            Set<String> uses = code.computeIfAbsent(from, m -> new TreeSet<>());
            for (Dependency d : c.getDirectDependenciesFromSelf()) {
                String to = module(d.getTargetClass().getPackageName());
                if (to != null && !to.equals(from)) {
                    uses.add(to);
                }
            }
        }
        assertEquals(code.keySet(), table.keySet(), "modules in the code vs rows of docs/architecture.md");
        for (var e : code.entrySet()) {
            String m = e.getKey();
            if (m.equals(ArchitectureTable.PLATFORM)) {
                continue;
            }
            assertFalse(e.getValue().contains(ArchitectureTable.PLATFORM), m + " uses platform, which nothing may");
            assertEquals(
                    table.get(m), e.getValue(), "what " + m + " uses: its row in docs/architecture.md vs the code");
        }
    }

    /** The module a package belongs to: the segment after {@code io.loladeft.}; null for the root and outside. */
    private static String module(String pkg) {
        if (!pkg.startsWith("io.loladeft.")) {
            return null;
        }
        String rest = pkg.substring("io.loladeft.".length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    @Test
    void modulesFormNoCycles() {
        slices().matching("io.loladeft.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
