package io.loladeft.finetune;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where tests find data. Small fixtures are test resources under {@code finetune/}. The shared
 * folder (real tokenizer files) is {@code ../shared} relative to the working directory (the repo
 * root under Maven; CI clones with {@code shared/} beside the checkout), or {@code -Dloladeft.shared=DIR}.
 */
public final class TestData {

    private TestData() {}

    public static Path resource(String relative) {
        try {
            var url = TestData.class.getClassLoader().getResource("finetune/" + relative);
            if (url == null) {
                throw new IllegalStateException("missing test resource finetune/" + relative);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path shared() {
        String prop = System.getProperty("loladeft.shared");
        Path p = prop != null
                ? Path.of(prop)
                : Path.of(System.getProperty("user.dir")).resolve("../shared").normalize();
        if (!Files.isDirectory(p.resolve("roberta-base"))) {
            throw new IllegalStateException("shared data not found at " + p
                    + " (expected ../shared beside the checkout, or -Dloladeft.shared=DIR)");
        }
        return p;
    }

    public static Path robertaBaseTokenizer() {
        return shared().resolve("roberta-base");
    }
}
