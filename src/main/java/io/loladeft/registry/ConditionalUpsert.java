package io.loladeft.registry;

import io.loladeft.common.ETags;
import io.loladeft.common.FieldViolation;
import io.loladeft.common.Problems;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The registries' writes by name under HTTP's optimistic concurrency, written once for devices and
 * models: create (409 when the name is taken), create-or-replace (an {@code If-Match} must name the
 * current version, and cannot hold for a row that does not exist yet), and the row a conditional
 * delete may remove. The unique name index decides a race between two creates: the loser gets a 409,
 * not a 500. Validating the body stays with each registry, before it calls here.
 *
 * @param <E> the entity
 * @param <B> the request body that creates or replaces it
 * @param <V> what the registry answers with
 */
final class ConditionalUpsert<E extends ConditionalUpsert.Row<B, V>, B, V> {

    /** A named, versioned row that a body replaces. */
    interface Row<B, V> {

        /** The optimistic-lock version, the ETag's value. */
        long version();

        /** Replaces the row's content with the body's (the name stays). */
        void apply(B body);

        V view();
    }

    private final String kind;
    private final String collection;
    private final Function<String, Optional<E>> find;
    private final Function<String, E> fresh;
    private final UnaryOperator<E> saveAndFlush;

    /**
     * @param kind         the row's kind in messages ("device")
     * @param collection   the collection's path, for the hint that a PUT replaces ("/api/v1/devices")
     * @param find         the row of a name
     * @param fresh        a new row of a name, not yet stored
     * @param saveAndFlush stores a row at once, so that a taken name fails here
     */
    ConditionalUpsert(
            String kind,
            String collection,
            Function<String, Optional<E>> find,
            Function<String, E> fresh,
            UnaryOperator<E> saveAndFlush) {
        this.kind = kind;
        this.collection = collection;
        this.find = find;
        this.fresh = fresh;
        this.saveAndFlush = saveAndFlush;
    }

    /** A new row; 409 when the name is taken. */
    V create(String name, B body) {
        if (find.apply(name).isPresent()) {
            throw Problems.conflict(
                    what(name) + " already exists; use PUT " + collection + "/" + name + " to replace it");
        }
        return insert(name, body);
    }

    /** Stores a new row for a name known to be free; 409 when another request took it meanwhile. */
    V insert(String name, B body) {
        E row = fresh.apply(name);
        row.apply(body);
        try {
            return saveAndFlush.apply(row).view();
        } catch (DataIntegrityViolationException e) {
            throw Problems.conflict(what(name) + " was created concurrently");
        }
    }

    /** A 400 unless the path's name is a valid name and the body names the same row or none. */
    void requireName(String name, String bodyName) {
        Names.require(name, "name");
        if (bodyName != null && !bodyName.equals(name)) {
            throw Problems.badRequest(
                    "the body names another " + kind + " than the path",
                    List.of(new FieldViolation("name", "must equal the path's '" + name + "' or be omitted")));
        }
    }

    /**
     * Idempotent create-or-replace. With {@code If-Match}, only a row of a matching version is
     * replaced (412 otherwise) and nothing is created (412: a precondition on a row that does not exist
     * cannot hold).
     */
    Upserted<V> upsert(String name, B body, String ifMatch) {
        Optional<E> existing = find.apply(name);
        if (existing.isPresent()) {
            E row = existing.get();
            ETags.require(ifMatch, row.version(), what(name));
            row.apply(body);
            return new Upserted<>(saveAndFlush.apply(row).view(), false);
        }
        if (ifMatch != null && !ifMatch.isBlank()) {
            throw Problems.preconditionFailed(what(name) + " does not exist, so If-Match cannot hold");
        }
        return new Upserted<>(insert(name, body), true);
    }

    /** The row a conditional write may change: 404 when there is none, 412 when If-Match names another version. */
    E current(String name, String ifMatch) {
        E row = existing(name);
        ETags.require(ifMatch, row.version(), what(name));
        return row;
    }

    /** The row of a name; 404 when there is none. */
    E existing(String name) {
        return find.apply(name).orElseThrow(() -> Problems.notFound(kind, name));
    }

    private String what(String name) {
        return kind + " '" + name + "'";
    }
}
