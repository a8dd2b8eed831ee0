package io.loladeft.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.web.ErrorResponseException;

/**
 * The create / create-or-replace / conditional-delete rules over a table kept in a map that behaves as
 * the database does where it matters: a unique name, and a version that starts at 0 and grows by one
 * with each stored change (JPA's {@code @Version}).
 */
class ConditionalUpsertTest {

    /** A row whose content is a string; its view shows name, content and version. */
    static final class Thing implements ConditionalUpsert.Row<String, String> {
        final String name;
        String content;
        long version = -1;

        Thing(String name) {
            this.name = name;
        }

        @Override
        public long version() {
            return version;
        }

        @Override
        public void apply(String body) {
            content = body;
        }

        @Override
        public String view() {
            return name + "=" + content + "@" + version;
        }
    }

    final Map<String, Thing> table = new HashMap<>();
    /** Names another request creates between this one's look-up and its insert. */
    final Map<String, Thing> racing = new HashMap<>();

    final ConditionalUpsert<Thing, String, String> upserts = new ConditionalUpsert<>(
            "thing", "/api/v1/things", name -> Optional.ofNullable(table.get(name)), Thing::new, this::saveAndFlush);

    Thing saveAndFlush(Thing row) {
        table.putAll(racing);
        Thing stored = table.get(row.name);
        if (stored != null && stored != row) {
            throw new DataIntegrityViolationException(
                    "duplicate key value violates unique constraint \"thing_name_key\"");
        }
        row.version++;
        table.put(row.name, row);
        return row;
    }

    @Test
    void createStoresANewRowAndRefusesATakenName() {
        assertThat(upserts.create("a", "one")).isEqualTo("a=one@0");
        assertStatus(() -> upserts.create("a", "two"), 409, "thing 'a' already exists; use PUT /api/v1/things/a");
        assertThat(table.get("a").view()).isEqualTo("a=one@0");
    }

    @Test
    void aCreateThatLosesTheRaceForItsNameIsAConflictNotAnError() {
        racing.put("a", new Thing("a"));
        assertStatus(() -> upserts.create("a", "mine"), 409, "thing 'a' was created concurrently");
        racing.clear();
        table.clear();
        racing.put("b", new Thing("b"));
        assertStatus(() -> upserts.upsert("b", "mine", null), 409, "thing 'b' was created concurrently");
    }

    @Test
    void upsertWithoutAPreconditionCreatesThenReplaces() {
        assertThat(upserts.upsert("a", "one", null)).isEqualTo(new Upserted<>("a=one@0", true));
        assertThat(upserts.upsert("a", "two", null)).isEqualTo(new Upserted<>("a=two@1", false));
        assertThat(upserts.upsert("a", "three", " ")).isEqualTo(new Upserted<>("a=three@2", false));
    }

    @Test
    void ifMatchReplacesOnlyTheVersionItNames() {
        upserts.upsert("a", "one", null);
        upserts.upsert("a", "two", null);
        assertStatus(() -> upserts.upsert("a", "stale", "\"0\""), 412, "does not match the current ETag \"1\"");
        assertThat(table.get("a").view()).isEqualTo("a=two@1");
        assertThat(upserts.upsert("a", "three", "\"7\", W/\"1\"")).isEqualTo(new Upserted<>("a=three@2", false));
        assertThat(upserts.upsert("a", "four", "*")).isEqualTo(new Upserted<>("a=four@3", false));
    }

    @Test
    void ifMatchOnARowThatDoesNotExistCreatesNothing() {
        assertStatus(
                () -> upserts.upsert("a", "one", "\"0\""), 412, "thing 'a' does not exist, so If-Match cannot hold");
        assertStatus(() -> upserts.upsert("a", "one", "*"), 412, "thing 'a' does not exist");
        assertThat(table).isEmpty();
    }

    @Test
    void thePathsNameMustBeValidAndTheBodysTheSameOrAbsent() {
        upserts.requireName("a", null);
        upserts.requireName("a", "a");
        assertStatus(() -> upserts.requireName("a", "b"), 400, "the body names another thing than the path");
        assertStatus(() -> upserts.requireName("Not_A_Label", null), 400, "invalid name");
    }

    @Test
    void aConditionalWriteFindsTheCurrentRowOrSaysWhyNot() {
        assertStatus(() -> upserts.current("a", null), 404, null);
        upserts.create("a", "one");
        upserts.upsert("a", "two", null);
        assertThat(upserts.current("a", null).view()).isEqualTo("a=two@1");
        assertThat(upserts.current("a", "\"1\"").view()).isEqualTo("a=two@1");
        assertStatus(() -> upserts.current("a", "\"0\""), 412, "of thing 'a'");
    }

    private static void assertStatus(ThrowingCallable call, int status, String detailPart) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ErrorResponseException.class, e -> {
            assertThat(e.getStatusCode().value()).isEqualTo(status);
            if (detailPart != null) {
                assertThat(e.getBody().getDetail()).contains(detailPart);
            }
        });
    }
}
